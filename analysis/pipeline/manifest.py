"""An analysis folder's manifest.json: what was built, from what, how, and the command that
builds it again."""

from __future__ import annotations

import datetime as dt
import shlex
import time
from dataclasses import asdict
from typing import Any

from analysis.artifacts.layout import ANALYSIS_FORMAT_VERSION
from analysis.artifacts.provenance import package_versions
from analysis.config import BuildConfig
from analysis.pipeline.inputs import ROLES, BuildInputs, LoadedInputs
from analysis.pipeline.keys import StepKeys
from analysis.pipeline.proximity_step import ProximitySummary


def build_command(inputs: BuildInputs, config: BuildConfig) -> str:
    """The command line that rebuilds this analysis (every setting the CLI can express)."""
    from analysis.flags import render_flags

    parts = ["python", "-m", "analysis", "build", "--train", str(inputs.train), "--toxic", str(inputs.toxic)]
    if inputs.benign:
        parts += ["--benign", str(inputs.benign)]
    return shlex.join(parts + render_flags(config))


def analysis_manifest(
    inputs: BuildInputs,
    config: BuildConfig,
    name: str,
    loaded: LoadedInputs,
    keys: StepKeys,
    step_records: dict[str, dict[str, Any]],
    proximity: ProximitySummary,
    proximity_seconds: float,
    build_started: float,
) -> dict[str, Any]:
    """The manifest of an analysis: `step_records` holds the step.json of "extract",
    "geometry" and "clusters"; `build_started` is this build's `time.perf_counter()` start."""
    extract, ex = step_records["extract"], config.extract
    step_timings = {
        **extract["timings"],
        **step_records["geometry"]["timings"],
        **step_records["clusters"]["timings"],
        "proximity": round(proximity_seconds, 2),
    }
    return {
        "format_version": ANALYSIS_FORMAT_VERSION,
        "analysis_id": keys.analysis,
        "name": name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "inputs": {
            role: (
                {"path": str(t.path), "format": t.format, "sha256": t.sha256, "rows": t.frame.height, "text_source": t.text_source}
                if (t := loaded.tables.get(role)) is not None
                else None
            )
            for role in ROLES
        },
        "model": extract["model"],
        "sae": extract["sae"],
        "pooling": {"method": ex.pooling, "tokens": ex.pool_tokens, "pooled_top_k": ex.pooled_top_k, "token_top_k": ex.token_top_k},
        "config": config.to_dict(),
        "resolved_clusters": step_records["clusters"]["resolved"],
        "seeds": {"sae_training": ex.sae_training.seed, "umap": config.geometry.seed, "probe": config.proximity.seed},
        "counts": {**proximity.counts, "tokens": extract["tokens"], "windowed_samples": extract["windowed_samples"], "renamed_reference_ids": loaded.renamed_reference_ids},
        "default_score": config.proximity.default_score,
        "diagnostics": proximity.diagnostics,
        "notes": proximity.notes,
        "steps": asdict(keys),
        "timings": {"steps": step_timings, "this_build_seconds": round(time.perf_counter() - build_started, 2)},
        "versions": package_versions(),
        "command": build_command(inputs, config),
    }
