"""The build: inputs -> extract -> geometry -> clusters -> proximity -> analysis folder.

Each step is cached in `cache/steps/<step>/<key>/`, the key a hash of everything that
determines it (the previous step's key included, `analysis.pipeline.keys`), so changing HDBSCAN
settings recomputes only the clustering and the scores. The analysis folder
`cache/analyses/<name>-<key12>/` gathers every artifact (hard links) and `manifest.json`.
Heavy libraries are imported inside the steps, so a fully cached build returns in about a
second.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from analysis.artifacts.cache import (
    atomic_dir,
    cache_folders,
    default_cache_root,
    is_complete,
    link_or_copy,
    read_json,
    step_lock,
    sweep_stale_tmp,
    write_json,
)
from analysis.artifacts.layout import (
    ACTIVATIONS,
    ACTIVE_DECODER,
    ANALYSES,
    EMBEDDINGS,
    MANIFEST,
    SELF_CONTRAST_FILES,
    TOKENS,
)
from analysis.config import BuildConfig
from analysis.pipeline.extract_step import check_self_contrast, run_extract
from analysis.pipeline.geometry_step import run_clusters, run_geometry
from analysis.pipeline.inputs import (
    BuildInputs,
    LoadedInputs,
    inputs_fingerprint,
    inputs_from_manifest,
    load_inputs,
)
from analysis.pipeline.keys import StepKeys, step_keys
from analysis.pipeline.manifest import analysis_manifest
from analysis.pipeline.proximity_step import write_proximity
from analysis.progress import Reporter, stderr_reporter

# What the analysis folder takes from the extract step, as hard links ("sae": a locally trained
# SAE; the self-contrast files: a build with --self-contrast).
EXTRACT_ARTIFACTS = (ACTIVATIONS, TOKENS, EMBEDDINGS, ACTIVE_DECODER, "sae", *SELF_CONTRAST_FILES)


def slugify(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:48] or "analysis"


def find_analysis(cache_root: Path, analysis_key: str) -> Path | None:
    """The complete analysis folder of this analysis id in the cache, if there is one."""
    folder = cache_root / ANALYSES
    if not folder.is_dir():
        return None
    for candidate in sorted(folder.glob(f"*-{analysis_key[:12]}")):
        if is_complete(candidate) and read_json(candidate / MANIFEST).get("analysis_id") == analysis_key:
            return candidate
    return None


def build(
    inputs: BuildInputs,
    config: BuildConfig | None = None,
    cache_root: Path | None = None,
    name: str | None = None,
    progress: bool = True,
    report: Reporter = stderr_reporter,
    trust_remote_code: bool = False,
    engine: str = "local",
) -> Path:
    """Build (or find in the cache) the analysis of these inputs; return its folder.

    `trust_remote_code` lets a pretrained SAE's metadata load its model with the model
    repository's own code (off: the SAE's metadata alone never enables it). `engine` runs
    extraction in this process ("local") or as a Ray Data job ("ray", `ray_engine`)."""
    from analysis.extraction.ray_engine import check_engine

    check_engine(engine)  # a missing Ray stops the build here, before any work
    # the model's default layer and SAE width written in, so keys and manifest name them
    config = (config or BuildConfig()).resolved()
    check_self_contrast(config)
    cache_root = Path(cache_root) if cache_root else default_cache_root()
    total = 6
    report(1, total, "Reading inputs")
    loaded = load_inputs(inputs)
    keys = step_keys(inputs_fingerprint(loaded.tables), config)
    sweep_stale_tmp(cache_folders(cache_root))
    found = find_analysis(cache_root, keys.analysis)
    if found is not None:
        report(total, total, "Analysis found in the cache")
        return found
    # A concurrent build of the same analysis holds this lock: wait, then share its result.
    with step_lock(cache_root / ANALYSES / keys.analysis):
        found = find_analysis(cache_root, keys.analysis)
        if found is not None:
            report(total, total, "Analysis found in the cache (built by a concurrent build)")
            return found
        return _build_analysis(inputs, config, cache_root, name, progress, report, loaded, keys, trust_remote_code, engine)


def _build_analysis(
    inputs: BuildInputs,
    config: BuildConfig,
    cache_root: Path,
    name: str | None,
    progress: bool,
    report: Reporter,
    loaded: LoadedInputs,
    keys: StepKeys,
    trust_remote_code: bool,
    engine: str = "local",
) -> Path:
    from analysis.geometry.backend import geometry_backend

    total = 6
    wall = time.perf_counter()
    # Resolved once, before any work: a backend asked for and missing stops the build here,
    # and a fall back to the CPU is said once for both steps that run on it.
    backend = geometry_backend()
    report(2, total, "Extracting SAE features (model, SAE, pooling)")
    extract_folder = run_extract(loaded.samples, config, keys, cache_root, progress, trust_remote_code, engine)
    records = {"extract": read_json(extract_folder / "step.json")}
    d_sae = int(records["extract"]["sae"]["d_sae"])
    report(3, total, "Mapping samples and features (UMAP)")
    geometry_folder = run_geometry(extract_folder, config, keys, cache_root, d_sae, backend)
    report(4, total, "Clustering (HDBSCAN)")
    clusters_folder = run_clusters(geometry_folder, config, keys, cache_root, loaded.samples.height, backend)
    report(5, total, "Scoring proximity to toxic features")
    started = time.perf_counter()
    shown_name = name or Path(inputs.train).stem
    final = cache_root / ANALYSES / f"{slugify(shown_name)}-{keys.analysis[:12]}"
    with atomic_dir(final) as tmp:
        proximity = write_proximity(loaded, config, extract_folder, geometry_folder, clusters_folder, tmp, d_sae)
        proximity_seconds = time.perf_counter() - started
        report(6, total, "Writing the analysis folder")
        for artifact in EXTRACT_ARTIFACTS:
            if (extract_folder / artifact).exists():
                link_or_copy(extract_folder / artifact, tmp / artifact)
        records["geometry"] = read_json(geometry_folder / "step.json")
        records["clusters"] = read_json(clusters_folder / "step.json")
        manifest = analysis_manifest(inputs, config, shown_name, loaded, keys, records, proximity, proximity_seconds, wall)
        write_json(tmp / MANIFEST, manifest)
    return final


# ---------------------------------------------------------------- derived builds


def build_from_manifest(manifest: dict[str, Any], cache_root: Path | None = None, progress: bool = True) -> Path:
    """Rebuild an analysis from its manifest; the inputs must still hash the same."""
    from analysis.artifacts.inputs import file_sha256

    inputs = inputs_from_manifest(manifest)
    for role, info in manifest["inputs"].items():
        if info is None:
            continue
        path = Path(info["path"])
        if not path.is_file():
            raise FileNotFoundError(f"{path}: the {role} input of analysis {manifest['analysis_id'][:12]} is missing")
        if file_sha256(path) != info["sha256"]:
            raise ValueError(f"{path}: the {role} input changed since analysis {manifest['analysis_id'][:12]} was built (sha256 differs)")
    config = BuildConfig.from_dict(manifest["config"])
    return build(inputs, config, cache_root, name=manifest.get("name"), progress=progress)


def recluster(
    analysis_dir: str | Path, min_cluster_size: int, min_samples: int | None = None, cache_root: Path | None = None
) -> Path:
    """The same analysis with other HDBSCAN settings: extraction and UMAP come from the cache."""
    manifest = read_json(Path(analysis_dir) / MANIFEST)
    config = BuildConfig.from_dict(manifest["config"])
    config = replace(config, clusters=replace(config.clusters, min_cluster_size=int(min_cluster_size), min_samples=min_samples))
    cache_root = Path(cache_root) if cache_root else Path(analysis_dir).resolve().parent.parent
    return build(inputs_from_manifest(manifest), config, cache_root, name=manifest.get("name"), progress=False, report=lambda *_: None)
