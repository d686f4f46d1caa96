"""Score a new batch against a fitted analysis, place it on the analysis' map, and flag drift.

Nothing is refitted: the batch is read with the analysis' own model and SAE
(`analysis.featurize.AnalysisExtractor`), scored by its fitted scorer (`scorer/`), placed on
its sample map among its nearest rows, and compared with its training rows by the tests of
`analysis.drift`.

Output folder (written whole or not at all; never into a non-empty folder):

| file | what |
|---|---|
| `scores.parquet` | one row per batch row: id, text, prompt, response, carried input columns, n_tokens, n_windows, x, y, every score family, `score`, `train_percentile`, `above_cut`, nearest_toxic_cluster / _ids / _sims, `map_neighbor_ids` |
| `latents.parquet` | per latent active in the batch or the training rows: counts, frequencies, log-odds, Fisher p, BH q, `drifting` (see `analysis.drift.latent_shift`) |
| `activations.parquet` | the batch rows' pooled sparse SAE codes (id, features, values: the layout of the analysis' own file), so any row's score can be explained later |
| `report.json` | analysis, batch (path, sha256, rows), thresholds, every statistic, `flagged` with its reasons, the drifting latents, the driver rows |

Without an explicit folder the output goes to `<cache>/monitors/<analysis folder>-<batch
sha12>/` beside `<cache>/analyses/`; when that folder already holds the monitor of the same
batch, analysis and thresholds it is returned as it is (re-running a pipeline step is cheap
and gives the same verdict), with other thresholds it is refused.

Placement: a new row sits at the similarity-weighted mean (x, y) of its `map_neighbors`
nearest analysis rows (every set), cosine on unit SAE codes, the space the map was made from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import platform
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis import __version__
from analysis.artifacts.cache import atomic_dir
from analysis.artifacts.folder import Analysis
from analysis.artifacts.inputs import carried_column_name, load_table
from analysis.scoring.drift import (
    Thresholds,
    above_cut,
    flag,
    latent_shift,
    score_shift,
    toxic_row_shift,
)

FORMAT_VERSION = 1
REPORT = "report.json"
SCORES = "scores.parquet"
LATENTS = "latents.parquet"
ACTIVATIONS = "activations.parquet"
REPORTED_LATENTS = 50
DRIVER_TEXT_CHARS = 240
# Columns monitor adds to the batch; carried input columns with these names are prefixed `input_`.
ADDED_COLUMNS = frozenset({"train_percentile", "above_cut", "map_neighbor_ids"})

Reporter = Callable[[int, int, str], None]


def stderr_reporter(index: int, total: int, stage: str) -> None:
    print(f"[{index}/{total}] {stage}", file=sys.stderr, flush=True)


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
    return analysis_dir.parent.parent / "monitors" / f"{analysis_dir.name}-{batch_sha256[:12]}"


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
    manifest = analysis.manifest
    scorer = analysis.scorer
    batch = load_table(data_path, "batch", 1)
    explicit = out_dir is not None
    out = Path(out_dir).expanduser().resolve() if explicit else default_out_dir(analysis.path, batch.sha256)
    previous = _previous_run(out, manifest["analysis_id"], batch.sha256, thresholds, explicit)
    if previous is not None:
        report(total, total, "Monitor of this batch found")
        return previous

    timings: dict[str, float] = {}
    started = time.perf_counter()
    report(2, total, "Extracting the batch's SAE features (the analysis' model and SAE)")
    if extractor is None:
        from analysis.extraction.stream import AnalysisExtractor

        extractor = AnalysisExtractor.for_analysis(analysis.path, manifest, device)
    timings["load_model"] = time.perf_counter() - started
    started = time.perf_counter()
    samples = batch.frame.drop("source_row")
    rows = extractor.extract(samples, progress)
    timings["extract"] = time.perf_counter() - started

    report(3, total, "Scoring and placing the batch on the map")
    started = time.perf_counter()
    spec = manifest["default_score"]
    families = scorer.score(rows.codes, rows.dense, samples["text"].to_numpy())
    score = scorer.combine(families, spec)
    analysis_codes = _analysis_codes(analysis, extractor.d_sae)
    xy, neighbor_ids = place_on_map(rows.codes, analysis_codes, analysis.samples, thresholds.map_neighbors)
    timings["score"] = time.perf_counter() - started

    report(4, total, "Comparing with the training rows")
    started = time.perf_counter()
    is_train = (analysis.samples["set"] == "train").to_numpy()
    train_scores = analysis.samples.filter(pl.Series(is_train))["score"].to_numpy().astype(np.float64)
    shift = score_shift(score, train_scores)
    cut = above_cut(score, train_scores, thresholds.top_percent)
    flagged, reasons = flag(shift, cut, thresholds)
    latents = latent_shift(rows.codes, analysis_codes[is_train], scorer.toxic_latents_, thresholds)
    latents = latents.join(analysis.features.select("feature", "top_tokens"), on="feature", how="left", maintain_order="left")
    toxic_rows = toxic_row_shift(rows.codes, analysis_codes[is_train], scorer.toxic_latents_)
    table = _scores_table(samples, rows, xy, neighbor_ids, families, score, train_scores, cut["cut"])
    drivers = driver_rows(table, rows.activations, scorer, spec, analysis.features, thresholds)
    timings["statistics"] = time.perf_counter() - started

    report(5, total, "Writing the monitor folder")
    payload = {
        "format_version": FORMAT_VERSION,
        "kind": "monitor",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "analysis": {
            "id": manifest["analysis_id"],
            "name": manifest.get("name"),
            "folder": analysis.name,
            "path": str(analysis.path),
            "manifest_sha256": hashlib.sha256((analysis.path / "manifest.json").read_bytes()).hexdigest(),
            "default_score": spec,
            "train_rows": int(is_train.sum()),
        },
        "batch": {"path": str(batch.path), "format": batch.format, "sha256": batch.sha256, "rows": batch.frame.height, "text_source": batch.text_source},
        "thresholds": thresholds.to_dict(),
        "flagged": flagged,
        "reasons": reasons,
        "statistics": {
            "score": shift,
            "above_cut": cut,
            "latents": {
                "test": "per latent, one-sided Fisher exact of batch rows vs training rows where it is active, Benjamini-Hochberg",
                "tested": latents.height,
                "drifting": int(latents["drifting"].sum()),
                "drifting_toxic": int((latents["drifting"] & latents["is_toxic"]).sum()),
                "toxic_rows": toxic_rows,
            },
        },
        "drifting_latents": latents.filter(pl.col("drifting")).head(REPORTED_LATENTS).to_dicts(),
        "drivers": drivers,
        "out": str(out),
        "command": monitor_command(analysis.path, Path(batch.path), out if explicit else None, thresholds),
        "timings": {key: round(value, 2) for key, value in timings.items()},
        "versions": _versions(),
    }
    payload = _json_safe(payload)
    _write(out, table, latents, rows.activations, payload)
    return MonitorReport(out, payload, reused=False, scores=table)


# ---------------------------------------------------------------- placement and tables


def _analysis_codes(analysis: Analysis, d_sae: int):
    from analysis.geometry.embedding import activation_matrix

    return activation_matrix(analysis.activations, analysis.samples["id"].to_list(), d_sae)


def place_on_map(codes, analysis_codes, samples: pl.DataFrame, k: int) -> tuple[np.ndarray, list[list[str]]]:
    """(x, y) of each new row: its k nearest analysis rows' positions, weighted by cosine.

    Negative or zero similarities weigh (almost) nothing; a row with no active latent has
    every similarity 0 and lands at the plain mean of the rows it ties with.
    """
    from analysis.scoring.scorer import top_k_similarity, unit_rows

    _, nearest, sims = top_k_similarity(unit_rows(codes).tocsr(), unit_rows(analysis_codes).tocsr(), k)
    weights = np.clip(sims.astype(np.float64), 1e-6, None)
    positions = samples.select("x", "y").to_numpy().astype(np.float64)
    xy = (weights[:, :, None] * positions[nearest]).sum(axis=1) / weights.sum(axis=1, keepdims=True)
    ids = samples["id"].to_numpy().astype(str)
    return xy.astype(np.float32), [list(row) for row in ids[nearest]]


def _train_percentile(values: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Mid-rank share of training rows below each value (NaN stays NaN)."""
    reference = np.sort(train[np.isfinite(train)])
    if len(reference) == 0:
        return np.full(len(values), np.nan)
    below = np.searchsorted(reference, values, side="left")
    at_or_below = np.searchsorted(reference, values, side="right")
    return np.where(np.isfinite(values), (below + at_or_below) / (2.0 * len(reference)), np.nan)


def _scores_table(samples, rows, xy, neighbor_ids, families, score, train_scores, cut) -> pl.DataFrame:
    from analysis.scoring.scorer import FAMILIES

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
            "train_percentile": _train_percentile(score, train_scores),
            "above_cut": np.isfinite(score) & (score >= cut) if cut is not None else np.zeros(len(score), dtype=bool),
            "map_neighbor_ids": pl.Series(neighbor_ids, dtype=pl.List(pl.String)),
        }
    )
    table = pl.concat([samples.select(front + carried).rename(renames), added, families, extra], how="horizontal")
    layout = [
        *front, *renames.values(), "n_tokens", "n_windows", "x", "y", *FAMILIES, "score", "train_percentile", "above_cut",
        "nearest_toxic_cluster", "nearest_toxic_ids", "nearest_toxic_sims", "map_neighbor_ids",
    ]
    return table.select(layout)


def row_latents(
    scorer: Any, spec: str, features: pl.DataFrame, latent_features: Any, values: Any, top: int
) -> pl.DataFrame:
    """The latents behind score `spec` for one row's pooled code: family, feature, activation,
    contribution, is_toxic, top_tokens; the `top` largest positive contributions per latent family."""
    from analysis.scoring.scorer import LATENT_FAMILIES, score_components

    latent_features = np.asarray(latent_features if latent_features is not None else [], dtype=np.int64)
    values = np.asarray(values if values is not None else [], dtype=np.float64)
    schema = {"family": pl.String, "feature": pl.Int32, "activation": pl.Float64, "contribution": pl.Float64}
    parts = []
    for family in (name for name in score_components(spec) if name in LATENT_FAMILIES):
        contribution = scorer.latent_contributions(latent_features, values, family) if len(latent_features) else np.zeros(0)
        parts.append(
            pl.DataFrame(
                {"family": [family] * len(latent_features), "feature": latent_features.astype(np.int32), "activation": values, "contribution": np.asarray(contribution, dtype=np.float64)},
                schema=schema,
            )
            .filter(pl.col("contribution") > 0)
            .sort(["contribution", "feature"], descending=[True, False])
            .head(top)
        )
    table = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return table.join(features.select("feature", "is_toxic", "top_tokens"), on="feature", how="left", maintain_order="left")


def driver_rows(
    table: pl.DataFrame, activations: pl.DataFrame, scorer: Any, spec: str, features: pl.DataFrame, thresholds: Thresholds
) -> list[dict[str, Any]]:
    """The highest-scoring batch rows, each with the latents behind its score and its nearest toxic rows."""
    top = (
        table.filter(pl.col("score").is_not_nan() & pl.col("score").is_not_null())
        .sort(["score", "id"], descending=[True, False])
        .head(thresholds.drivers)
        .join(activations.select("id", pl.col("features").alias("_features"), pl.col("values").alias("_values")), on="id", how="left", maintain_order="left")
    )
    drivers = []
    for row in top.iter_rows(named=True):
        latents = row_latents(scorer, spec, features, row["_features"], row["_values"], thresholds.driver_latents)
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
    if not explicit and (out / REPORT).is_file():
        earlier = json.loads((out / REPORT).read_text(encoding="utf-8"))
        same = (
            earlier.get("analysis", {}).get("id") == analysis_id
            and earlier.get("batch", {}).get("sha256") == batch_sha
            and earlier.get("thresholds") == _json_safe(thresholds.to_dict())
        )
        if same:
            return MonitorReport(out, earlier, reused=True)
        raise FileExistsError(f"{out} holds a monitor of this batch with other thresholds; pass --out NEW_FOLDER")
    raise FileExistsError(f"{out} already exists and is not empty; monitor never overwrites: choose a new folder")


def _write(out: Path, table: pl.DataFrame, latents: pl.DataFrame, activations: pl.DataFrame, payload: dict[str, Any]) -> None:
    with atomic_dir(out) as tmp:
        table.write_parquet(tmp / SCORES)
        latents.write_parquet(tmp / LATENTS)
        activations.select("id", "features", "values").write_parquet(tmp / ACTIVATIONS)
        (tmp / REPORT).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # atomic_dir drops its copy when the folder appeared meanwhile: make sure it holds ours
    written = json.loads((out / REPORT).read_text(encoding="utf-8")) if (out / REPORT).is_file() else None
    if written is None or written.get("created") != payload["created"] or written.get("batch") != payload["batch"]:
        raise FileExistsError(f"{out} was filled by something else while the monitor ran")


def _json_safe(value: Any) -> Any:
    """NaN and infinities become null, numpy scalars plain numbers: report.json is strict JSON."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def monitor_command(analysis_dir: Path, data: Path, out: Path | None, thresholds: Thresholds) -> str:
    parts = ["python", "-m", "analysis", "monitor", str(analysis_dir), "--data", str(data)]
    if out is not None:
        parts += ["--out", str(out)]
    parts += ["--alpha", f"{thresholds.alpha:g}", "--min-effect", f"{thresholds.min_effect:g}", "--top-percent", f"{thresholds.top_percent:g}"]
    return shlex.join(parts)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "analysis": __version__}
    for name in ("torch", "transformers", "sae-lens", "scipy", "polars", "numpy"):
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


# ---------------------------------------------------------------- reading a monitor folder


class MonitorNotFound(FileNotFoundError):
    """The folder is missing or holds no report.json of a monitor."""


@dataclass(eq=False)
class MonitorRun:
    """One monitor folder, read lazily (its files never change once it has its name)."""

    path: Path

    @classmethod
    def open(cls, path: str | Path) -> MonitorRun:
        folder = Path(path).expanduser().resolve()
        if not (folder / REPORT).is_file() or not (folder / SCORES).is_file():
            raise MonitorNotFound(f"{folder.name}: not a monitor folder (no {REPORT} or {SCORES})")
        return cls(folder)

    @property
    def name(self) -> str:
        return self.path.name

    @cached_property
    def report(self) -> dict[str, Any]:
        return json.loads((self.path / REPORT).read_text(encoding="utf-8"))

    @cached_property
    def scores(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / SCORES)

    @cached_property
    def latents(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / LATENTS)

    @cached_property
    def activations(self) -> pl.DataFrame | None:
        """The batch rows' pooled codes; None for a folder written before they were kept."""
        path = self.path / ACTIVATIONS
        return pl.read_parquet(path) if path.is_file() else None

    def belongs_to(self, analysis: Analysis) -> bool:
        return self.report.get("analysis", {}).get("id") == analysis.manifest.get("analysis_id")

    def driver(self, row_id: str) -> dict[str, Any] | None:
        return next((row for row in self.report.get("drivers", []) if row.get("id") == row_id), None)

    def row_latents(self, analysis: Analysis, row_id: str, top: int | None = None) -> pl.DataFrame | None:
        """The latents behind one batch row's default score, from the analysis' fitted scorer;
        None when the folder keeps no codes and the row is not a reported driver."""
        spec = self.report["analysis"]["default_score"]
        top = top if top is not None else int(self.report.get("thresholds", {}).get("driver_latents", 5)) * 2
        if self.activations is not None:
            row = self.activations.filter(pl.col("id") == row_id)
            if row.height:
                return row_latents(analysis.scorer, spec, analysis.features, row["features"][0], row["values"][0], top)
        driver = self.driver(row_id)
        if driver is None:
            return None
        schema = {"family": pl.String, "feature": pl.Int32, "activation": pl.Float64, "contribution": pl.Float64, "is_toxic": pl.Boolean, "top_tokens": pl.String}
        return pl.DataFrame(driver.get("top_latents") or [], schema=schema)


def list_monitors(cache_root: str | Path, analysis_id: str | None = None) -> pl.DataFrame:
    """One row per monitor folder under `<cache>/monitors/` (of one analysis when `analysis_id`
    is given), newest first: name, path, created, batch file name, rows, flagged, AUROC."""
    schema = {"name": pl.String, "path": pl.String, "created": pl.String, "batch": pl.String, "rows": pl.Int64, "flagged": pl.Boolean, "auroc": pl.Float64}
    root = Path(cache_root) / "monitors"
    found: list[dict[str, Any]] = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if folder.name.startswith((".", "tmp")) or not (folder / REPORT).is_file():
                continue
            try:
                report = json.loads((folder / REPORT).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(report, dict) or report.get("kind") != "monitor":
                continue
            if analysis_id is not None and report.get("analysis", {}).get("id") != analysis_id:
                continue
            batch = report.get("batch", {})
            found.append(
                {
                    "name": folder.name,
                    "path": str(folder.resolve()),
                    "created": str(report.get("created", "")),
                    "batch": Path(str(batch.get("path", ""))).name,
                    "rows": batch.get("rows"),
                    "flagged": bool(report.get("flagged")),
                    "auroc": report.get("statistics", {}).get("score", {}).get("auroc"),
                }
            )
    return pl.DataFrame(found, schema=schema).sort("created", descending=True)


# ---------------------------------------------------------------- readable summary


def _number(value: Any, pattern: str = "{:.3g}") -> str:
    return "n/a" if value is None else pattern.format(value)


def format_report(report: dict[str, Any]) -> str:
    """A few lines a person reads in a CI log."""
    score, cut, latents = (report["statistics"][k] for k in ("score", "above_cut", "latents"))
    lines = [
        f"monitor: {report['batch']['rows']:,} rows of {Path(report['batch']['path']).name} against {report['analysis']['folder']} "
        f"(score {report['analysis']['default_score']})",
        f"  score shift: AUROC {_number(score['auroc'], '{:.3f}')} (batch > training rows), Mann-Whitney p = {_number(score['p'], '{:.2g}')}"
        + (f"; {score['unscored_batch']} rows without a score" if score["unscored_batch"] else ""),
        f"  above the training top-{cut['top_percent']:g}% cut ({_number(cut['cut'], '{:.4g}')}): "
        f"{_number(cut['batch_share'], '{:.1%}')} of the batch vs {_number(cut['train_share'], '{:.1%}')} of training rows, binomial p = {_number(cut['p'], '{:.2g}')}",
        f"  latents more frequent in the batch: {latents['drifting']} of {latents['tested']} (q < {report['thresholds']['latent_fdr']:g}), "
        f"{latents['drifting_toxic']} of them toxic",
    ]
    if report["drivers"]:
        lead = report["drivers"][0]
        lines.append(f"  top row: {lead['id']} score {_number(lead['score'], '{:.4g}')} (training percentile {_number(lead['train_percentile'], '{:.1%}')})")
    if report["flagged"]:
        lines.append("DRIFT FLAGGED:")
        lines += [f"  - {reason}" for reason in report["reasons"]]
    else:
        lines.append(f"no drift (alpha {report['thresholds']['alpha']:g}, min effect {report['thresholds']['min_effect']:g})")
    return "\n".join(lines)
