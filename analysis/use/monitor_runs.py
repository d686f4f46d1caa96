"""Reading monitor folders back: one run (`MonitorRun`), the runs in a cache
(`list_monitors`), and the few lines a CI log shows (`format_report`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from analysis.artifacts.folder import Analysis
from analysis.artifacts.layout import (
    MONITOR_ACTIVATIONS,
    MONITOR_KIND,
    MONITOR_LATENTS,
    MONITOR_REPORT,
    MONITOR_SCORES,
    MONITOR_SELF_RESPONSES,
    MONITORS,
)
from analysis.scoring.scorer import ToxicProximity
from analysis.use.explain import load_scorer, own_answer_codes, row_latents
from analysis.use.formatting import number


class MonitorNotFound(FileNotFoundError):
    """The folder is missing or holds no report.json of a monitor."""


@dataclass(eq=False)
class MonitorRun:
    """One monitor folder, read lazily (its files never change once it has its name)."""

    path: Path

    @classmethod
    def open(cls, path: str | Path) -> MonitorRun:
        folder = Path(path).expanduser().resolve()
        if not (folder / MONITOR_REPORT).is_file() or not (folder / MONITOR_SCORES).is_file():
            raise MonitorNotFound(f"{folder.name}: not a monitor folder (no {MONITOR_REPORT} or {MONITOR_SCORES})")
        return cls(folder)

    @property
    def name(self) -> str:
        return self.path.name

    @cached_property
    def report(self) -> dict[str, Any]:
        return json.loads((self.path / MONITOR_REPORT).read_text(encoding="utf-8"))

    @cached_property
    def scores(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / MONITOR_SCORES)

    @cached_property
    def latents(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / MONITOR_LATENTS)

    @cached_property
    def activations(self) -> pl.DataFrame | None:
        """The batch rows' pooled codes; None for a folder written before they were kept."""
        path = self.path / MONITOR_ACTIVATIONS
        return pl.read_parquet(path) if path.is_file() else None

    @cached_property
    def self_responses(self) -> pl.DataFrame | None:
        """The model's own answers to the batch rows' prompts; None unless the analysis was
        built with --self-contrast."""
        path = self.path / MONITOR_SELF_RESPONSES
        return pl.read_parquet(path) if path.is_file() else None

    def belongs_to(self, analysis: Analysis) -> bool:
        return self.report.get("analysis", {}).get("id") == analysis.manifest.get("analysis_id")

    def driver(self, row_id: str) -> dict[str, Any] | None:
        return next((row for row in self.report.get("drivers", []) if row.get("id") == row_id), None)

    def row_latents(
        self, analysis: Analysis, row_id: str, top: int | None = None, scorer: ToxicProximity | None = None
    ) -> pl.DataFrame | None:
        """The latents behind one batch row's default score, from the analysis' fitted scorer
        (`scorer`, read from the analysis when not given); None when the folder keeps no codes
        and the row is not a reported driver."""
        spec = self.report["analysis"]["default_score"]
        top = top if top is not None else int(self.report.get("thresholds", {}).get("driver_latents", 5)) * 2
        if self.activations is not None:
            row = self.activations.filter(pl.col("id") == row_id)
            if row.height:
                scorer = scorer if scorer is not None else load_scorer(analysis)
                own = own_answer_codes(self.self_responses, row_id) if self.self_responses is not None else None
                return row_latents(scorer, spec, analysis.features, row["features"][0], row["values"][0], top, own)
        driver = self.driver(row_id)
        if driver is None:
            return None
        schema = {"family": pl.String, "feature": pl.Int32, "activation": pl.Float64, "contribution": pl.Float64, "is_toxic": pl.Boolean, "top_tokens": pl.String}
        return pl.DataFrame(driver.get("top_latents") or [], schema=schema)


def list_monitors(cache_root: str | Path, analysis_id: str | None = None) -> pl.DataFrame:
    """One row per monitor folder under `<cache>/monitors/` (of one analysis when `analysis_id`
    is given), newest first: name, path, created, batch file name, rows, flagged, AUROC."""
    schema = {"name": pl.String, "path": pl.String, "created": pl.String, "batch": pl.String, "rows": pl.Int64, "flagged": pl.Boolean, "auroc": pl.Float64}
    root = Path(cache_root) / MONITORS
    found: list[dict[str, Any]] = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if folder.name.startswith((".", "tmp")) or not (folder / MONITOR_REPORT).is_file():
                continue
            try:
                report = json.loads((folder / MONITOR_REPORT).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(report, dict) or report.get("kind") != MONITOR_KIND:
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


def format_report(report: dict[str, Any]) -> str:
    """A few lines a person reads in a CI log."""
    score, cut, latents = (report["statistics"][k] for k in ("score", "above_cut", "latents"))
    lines = [
        f"monitor: {report['batch']['rows']:,} rows of {Path(report['batch']['path']).name} against {report['analysis']['folder']} "
        f"(score {report['analysis']['default_score']})",
        f"  score shift: AUROC {number(score['auroc'], '{:.3f}')} (batch > training rows), Mann-Whitney p = {number(score['p'], '{:.2g}')}"
        + (f"; {score['unscored_batch']} rows without a score" if score["unscored_batch"] else ""),
        f"  above the training top-{cut['top_percent']:g}% cut ({number(cut['cut'], '{:.4g}')}): "
        f"{number(cut['batch_share'], '{:.1%}')} of the batch vs {number(cut['train_share'], '{:.1%}')} of training rows, binomial p = {number(cut['p'], '{:.2g}')}",
        f"  latents more frequent in the batch: {latents['drifting']} of {latents['tested']} (q < {report['thresholds']['latent_fdr']:g}), "
        f"{latents['drifting_toxic']} of them toxic",
    ]
    if report["drivers"]:
        lead = report["drivers"][0]
        lines.append(f"  top row: {lead['id']} score {number(lead['score'], '{:.4g}')} (training percentile {number(lead['train_percentile'], '{:.1%}')})")
    if report["flagged"]:
        lines.append("DRIFT FLAGGED:")
        lines += [f"  - {reason}" for reason in report["reasons"]]
    else:
        lines.append(f"no drift (alpha {report['thresholds']['alpha']:g}, min effect {report['thresholds']['min_effect']:g})")
    return "\n".join(lines)
