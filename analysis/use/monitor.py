"""Score a new batch against a fitted analysis, place it on the analysis' map, and flag drift.

Nothing is refitted: the batch is read with the analysis' own model and SAE
(`analysis.extraction.stream.AnalysisExtractor`), scored by its fitted scorer (`scorer/`), placed on
its sample map among its nearest rows, and compared with its training rows by the tests of
`analysis.scoring.drift`. `analysis.use.monitor_runs` reads the folders back.

Output folder (written whole or not at all, through `atomic_dir`; never into a non-empty folder):

| file | what |
|---|---|
| `scores.parquet` | one row per batch row: id, text, prompt, response, carried input columns, n_tokens, n_windows, x, y, every score family, `score`, `train_percentile`, `above_cut`, nearest_toxic_cluster / _ids / _sims, `map_neighbor_ids` |
| `latents.parquet` | per latent active in the batch or the training rows: counts, frequencies, log-odds, Fisher p, BH q, `drifting` (see `analysis.scoring.drift.latent_shift`) |
| `activations.parquet` | the batch rows' pooled sparse SAE codes (id, features, values: the layout of the analysis' own file), so any row's score can be explained later |
| `self_responses.parquet` | only for an analysis built with `--self-contrast`: the model's own answer to each batch row's prompt and its pooled codes (the layout of the analysis' own file) |
| `report.json` | analysis, batch (path, sha256, rows), thresholds, every statistic, `flagged` with its reasons, the drifting latents, the driver rows |

Without an explicit folder the output goes to `<cache>/monitors/<analysis folder>-<batch
sha12>/` beside `<cache>/analyses/`; when that folder already holds the monitor of the same
batch, analysis and thresholds it is returned as it is (re-running a pipeline step is cheap
and gives the same verdict), with other thresholds it is refused.

Reading, scoring and placement are those of `analysis.use.new_rows` (shared with `query`): a
new row sits at the similarity-weighted mean (x, y) of its `map_neighbors` nearest analysis rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shlex
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis.artifacts.cache import atomic_dir
from analysis.artifacts.folder import Analysis
from analysis.artifacts.inputs import InputTable, carried_column_name, load_table
from analysis.artifacts.layout import (
    MONITOR_ACTIVATIONS,
    MONITOR_FORMAT_VERSION,
    MONITOR_KIND,
    MONITOR_LATENTS,
    MONITOR_REPORT,
    MONITOR_SCORES,
    MONITOR_SELF_RESPONSES,
    MONITORS,
)
from analysis.artifacts.provenance import MONITOR_PACKAGES, package_versions
from analysis.progress import Reporter, stderr_reporter
from analysis.scoring.drift import (
    Thresholds,
    above_cut,
    flag,
    latent_shift,
    score_shift,
    toxic_row_shift,
)
from analysis.scoring.families import scored_families
from analysis.scoring.scorer import ToxicProximity
from analysis.use.explain import load_scorer, own_answer_codes, row_latents
from analysis.use.formatting import json_safe
from analysis.use.new_rows import (
    ScoredRows,
    analysis_codes,
    load_extractor,
    score_new_rows,
    train_percentile,
    train_scores,
)

REPORTED_LATENTS = 50
DRIVER_TEXT_CHARS = 240
# Columns monitor adds to the batch; carried input columns with these names are prefixed `input_`.
ADDED_COLUMNS = frozenset({"train_percentile", "above_cut", "map_neighbor_ids"})


@dataclass
class MonitorReport:
    """Where the monitor wrote its files and what it found."""

    out_dir: Path
    report: dict[str, Any]
    reused: bool = False
    scores: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def flagged(self) -> bool:
        return bool(self.report["flagged"])

    @property
    def exit_code(self) -> int:
        """The CLI's status: 0 no drift, 1 drift flagged (2, an error, never gets here)."""
        return 1 if self.flagged else 0


def default_out_dir(analysis_dir: Path, batch_sha256: str) -> Path:
    """`<cache>/monitors/<analysis folder>-<batch sha12>`, beside `<cache>/analyses/`."""
    return analysis_dir.parent.parent / MONITORS / f"{analysis_dir.name}-{batch_sha256[:12]}"


def monitor(
    analysis_dir: str | Path,
    data_path: str | Path,
    out_dir: str | Path | None = None,
    thresholds: Thresholds | None = None,
    device: str | None = None,
    progress: bool = True,
    report: Reporter = stderr_reporter,
    extractor: Any | None = None,
) -> MonitorReport:
    """Score the rows of `data_path` against the analysis in `analysis_dir`; see the module docstring.

    `extractor` (default: `AnalysisExtractor.for_analysis`, the analysis' own model and SAE)
    is anything with `d_sae` and `extract(samples, progress) -> ExtractedRows`.

    Raises `InputError` for a bad batch file, `AnalysisNotFound` for a missing analysis and
    `FileExistsError` for an output folder that is not empty; nothing is written then.
    """
    thresholds = thresholds or Thresholds()
    total = 5
    report(1, total, "Reading the analysis and the batch")
    analysis = Analysis.open(analysis_dir)
    scorer = load_scorer(analysis)
    batch = load_table(data_path, "batch", 1)
    explicit = out_dir is not None
    out = Path(out_dir).expanduser().resolve() if explicit else default_out_dir(analysis.path, batch.sha256)
    previous = _previous_run(out, analysis.manifest["analysis_id"], batch.sha256, thresholds, explicit)
    if previous is not None:
        report(total, total, "Monitor of this batch found")
        return previous

    timings: dict[str, float] = {}
    with _timed(timings, "load_model"):
        report(2, total, "Extracting the batch's SAE features (the analysis' model and SAE)")
        if extractor is None:
            extractor = load_extractor(analysis, device)
        d_sae = extractor.d_sae  # an extractor loaded on first use (`SharedExtractor`) loads here
    samples = batch.frame.drop("source_row")
    with _timed(timings, "extract"):
        rows = extractor.extract(samples, progress)

    report(3, total, "Scoring and placing the batch on the map")
    with _timed(timings, "score"):
        codes = analysis_codes(analysis, d_sae)
        scored = score_new_rows(analysis, scorer, samples["text"].to_numpy(), rows, codes, thresholds.map_neighbors)
    report(4, total, "Comparing with the training rows")
    with _timed(timings, "statistics"):
        found = _compare(analysis, scorer, samples, rows, scored, thresholds)

    report(5, total, "Writing the monitor folder")
    command = monitor_command(analysis.path, Path(batch.path), out if explicit else None, thresholds)
    payload = json_safe(_report_payload(analysis, batch, thresholds, found, out, command, timings))
    _write(out, found.table, found.latents, rows.activations, payload, scored.own)
    return MonitorReport(out, payload, reused=False, scores=found.table)


@contextlib.contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[step] = time.perf_counter() - started


@dataclass
class _Comparison:
    """The batch against the training rows: the tests, the verdict and the tables to write."""

    train_rows: int
    shift: dict[str, Any]
    cut: dict[str, Any]
    flagged: bool
    reasons: list[str]
    latents: pl.DataFrame
    toxic_rows: dict[str, Any]
    table: pl.DataFrame
    drivers: list[dict[str, Any]]


def _compare(analysis: Analysis, scorer: ToxicProximity, samples: pl.DataFrame, rows: Any, scored: ScoredRows, thresholds: Thresholds) -> _Comparison:
    is_train = (analysis.samples["set"] == "train").to_numpy()
    train = train_scores(analysis)
    shift = score_shift(scored.score, train)
    cut = above_cut(scored.score, train, thresholds.top_percent)
    flagged, reasons = flag(shift, cut, thresholds)
    train_codes = scored.analysis_codes[is_train]
    latents = latent_shift(rows.codes, train_codes, scorer.toxic_latents_, thresholds)
    latents = latents.join(analysis.features.select("feature", "top_tokens"), on="feature", how="left", maintain_order="left")
    toxic_rows = toxic_row_shift(rows.codes, train_codes, scorer.toxic_latents_)
    table = _scores_table(samples, rows, scored.xy, scored.neighbor_ids, scored.families, scored.score, train, cut["cut"])
    drivers = driver_rows(table, rows.activations, scorer, scored.spec, analysis.features, thresholds, scored.own)
    return _Comparison(int(is_train.sum()), shift, cut, flagged, reasons, latents, toxic_rows, table, drivers)


def _report_payload(
    analysis: Analysis, batch: InputTable, thresholds: Thresholds, found: _Comparison, out: Path, command: str, timings: dict[str, float]
) -> dict[str, Any]:
    """report.json, before NaN and numpy scalars are made plain JSON."""
    manifest = analysis.manifest
    latents = found.latents
    return {
        "format_version": MONITOR_FORMAT_VERSION,
        "kind": MONITOR_KIND,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "analysis": {
            "id": manifest["analysis_id"],
            "name": manifest.get("name"),
            "folder": analysis.name,
            "path": str(analysis.path),
            "manifest_sha256": analysis.manifest_sha256,
            "default_score": manifest["default_score"],
            "train_rows": found.train_rows,
        },
        "batch": {"path": str(batch.path), "format": batch.format, "sha256": batch.sha256, "rows": batch.frame.height, "text_source": batch.text_source},
        "thresholds": thresholds.to_dict(),
        "flagged": found.flagged,
        "reasons": found.reasons,
        "statistics": {
            "score": found.shift,
            "above_cut": found.cut,
            "latents": {
                "test": "per latent, one-sided Fisher exact of batch rows vs training rows where it is active, Benjamini-Hochberg",
                "tested": latents.height,
                "drifting": int(latents["drifting"].sum()),
                "drifting_toxic": int((latents["drifting"] & latents["is_toxic"]).sum()),
                "toxic_rows": found.toxic_rows,
            },
        },
        "drifting_latents": latents.filter(pl.col("drifting")).head(REPORTED_LATENTS).to_dicts(),
        "drivers": found.drivers,
        "out": str(out),
        "command": command,
        "timings": {key: round(value, 2) for key, value in timings.items()},
        "versions": package_versions(MONITOR_PACKAGES),
    }


# ---------------------------------------------------------------- placement and tables


def _scores_table(samples, rows, xy, neighbor_ids, families, score, train_scores, cut) -> pl.DataFrame:
    front = ["id", "text", "prompt", "response"]
    carried = [c for c in samples.columns if c not in front and c != "response_start"]
    renames = {}
    taken = set(ADDED_COLUMNS)
    for name in carried:
        renames[name] = carried_column_name(name, taken) if name in ADDED_COLUMNS else name
        taken.add(renames[name])
    score = np.asarray(score, dtype=np.float64)
    added = pl.DataFrame(
        {
            "n_tokens": rows.n_tokens,
            "n_windows": rows.n_windows,
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )
    extra = pl.DataFrame(
        {
            "score": score,
            "train_percentile": train_percentile(score, train_scores),
            "above_cut": np.isfinite(score) & (score >= cut) if cut is not None else np.zeros(len(score), dtype=bool),
            "map_neighbor_ids": pl.Series(neighbor_ids, dtype=pl.List(pl.String)),
        }
    )
    table = pl.concat([samples.select(front + carried).rename(renames), added, families, extra], how="horizontal")
    layout = [
        *front, *renames.values(), "n_tokens", "n_windows", "x", "y", *scored_families(families.columns), "score", "train_percentile", "above_cut",
        "nearest_toxic_cluster", "nearest_toxic_ids", "nearest_toxic_sims", "map_neighbor_ids",
    ]
    return table.select(layout)


def driver_rows(
    table: pl.DataFrame,
    activations: pl.DataFrame,
    scorer: Any,
    spec: str,
    features: pl.DataFrame,
    thresholds: Thresholds,
    own_table: pl.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """The highest-scoring batch rows, each with the latents behind its score and its nearest
    toxic rows (`own_table`: the model's own answers, for the self-contrast families)."""
    top = (
        table.filter(pl.col("score").is_not_nan() & pl.col("score").is_not_null())
        .sort(["score", "id"], descending=[True, False])
        .head(thresholds.drivers)
        .join(activations.select("id", pl.col("features").alias("_features"), pl.col("values").alias("_values")), on="id", how="left", maintain_order="left")
    )
    drivers = []
    for row in top.iter_rows(named=True):
        own = own_answer_codes(own_table, row["id"]) if own_table is not None else None
        latents = row_latents(scorer, spec, features, row["_features"], row["_values"], thresholds.driver_latents, own)
        drivers.append(
            {
                "id": row["id"],
                "text": row["text"][:DRIVER_TEXT_CHARS],
                "score": row["score"],
                "train_percentile": row["train_percentile"],
                "above_cut": row["above_cut"],
                "nearest_toxic_cluster": row["nearest_toxic_cluster"],
                "nearest_toxic_ids": list(row["nearest_toxic_ids"]),
                "nearest_toxic_sims": [round(float(s), 4) for s in row["nearest_toxic_sims"]],
                "top_latents": latents.to_dicts(),
            }
        )
    return drivers


# ---------------------------------------------------------------- output folder


def _previous_run(out: Path, analysis_id: str, batch_sha: str, thresholds: Thresholds, explicit: bool) -> MonitorReport | None:
    """None when `out` is free; the earlier monitor when the default folder holds this very run."""
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return None
    if not explicit and (out / MONITOR_REPORT).is_file():
        earlier = json.loads((out / MONITOR_REPORT).read_text(encoding="utf-8"))
        same = (
            earlier.get("analysis", {}).get("id") == analysis_id
            and earlier.get("batch", {}).get("sha256") == batch_sha
            and earlier.get("thresholds") == json_safe(thresholds.to_dict())
        )
        if same:
            return MonitorReport(out, earlier, reused=True)
        raise FileExistsError(f"{out} holds a monitor of this batch with other thresholds; pass --out NEW_FOLDER")
    raise FileExistsError(f"{out} already exists and is not empty; monitor never overwrites: choose a new folder")


def _write(
    out: Path, table: pl.DataFrame, latents: pl.DataFrame, activations: pl.DataFrame, payload: dict[str, Any], own: pl.DataFrame | None = None
) -> None:
    with atomic_dir(out, exclusive=True) as tmp:
        if own is not None:
            own.write_parquet(tmp / MONITOR_SELF_RESPONSES)
        table.write_parquet(tmp / MONITOR_SCORES)
        latents.write_parquet(tmp / MONITOR_LATENTS)
        activations.select("id", "features", "values").write_parquet(tmp / MONITOR_ACTIVATIONS)
        (tmp / MONITOR_REPORT).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def monitor_command(analysis_dir: Path, data: Path, out: Path | None, thresholds: Thresholds) -> str:
    parts = ["python", "-m", "analysis", "monitor", str(analysis_dir), "--data", str(data)]
    if out is not None:
        parts += ["--out", str(out)]
    parts += ["--alpha", f"{thresholds.alpha:g}", "--min-effect", f"{thresholds.min_effect:g}", "--top-percent", f"{thresholds.top_percent:g}"]
    return shlex.join(parts)
