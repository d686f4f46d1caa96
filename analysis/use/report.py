"""One self-contained HTML file about an analysis, for people who will not open the app.

    python -m analysis report ANALYSIS_DIR [--export EXPORT_DIR] [--monitor MONITOR_DIR] --out report.html

The file opens offline in any browser: plotly's JavaScript (from the installed plotly
package) is embedded once, no asset is fetched from anywhere. Sections:

- summary and the build's own warnings about its references;
- the sample map (at most `max_points` points; the file says how it was thinned);
- the toxic clusters and the toxic features, with the tokens where each feature fires most;
- the chosen cut, with counts and reasons (with an export folder);
- the evaluation table (when the training rows carry a label);
- the drift of a new batch (with a monitor folder);
- provenance: input hashes, model, SAE, settings, seeds, library versions.

Every string that comes from the data (texts, ids, tokens, file names, column values) is
HTML-escaped with `html.escape`; plotly hover labels get the same escaping, since plotly
renders a subset of HTML in them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis import __version__
from analysis.artifacts.folder import Analysis
from analysis.artifacts.layout import EXPORT_KIND, EXPORT_MANIFEST
from analysis.progress import Reporter
from analysis.scoring.families import score_label as _score_label
from analysis.use.formatting import esc, flat_text, number, percent
from analysis.use.report_figures import (
    batch_map_figure,
    kept_removed_figure,
    removal_curve_figure,
    sample_map_figure,
    score_distribution_figure,
)

MAX_MAP_POINTS = 5_000
TOP_TRAIN_SHARE = 0.1  # of the map's points, kept for the highest-scoring training rows
TABLE_ROWS = 25
TEXT_CHARS = 200
EVAL_BOOTSTRAP = 200
SEED = 0

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}


class ReportError(ValueError):
    """An export or monitor folder that does not belong to the analysis, or is not one."""


# ---------------------------------------------------------------- small pieces of HTML


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, Callable[[Any], str] | None]], note: str | None = None) -> str:
    """An HTML table: each column is (key, heading, formatter); every cell escaped."""
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{esc(heading)}</th>" for _, heading, _ in columns)
    body = []
    for row in rows:
        cells = []
        for key, _, formatter in columns:
            value = row.get(key)
            shown = formatter(value) if formatter is not None else ("" if value is None else str(value))
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cells.append(f'<td class="{"num" if numeric else "txt"}">{esc(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f'<p class="muted">{esc(note)}</p>' if note else ""
    return f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>{caption}'


def _pairs(items: Iterable[tuple[str, Any]]) -> str:
    """A two-column definition table (key, value), escaped."""
    rows = "".join(f"<tr><th>{esc(key)}</th><td>{esc(value)}</td></tr>" for key, value in items if value not in (None, ""))
    return f'<div class="table"><table class="pairs">{rows}</table></div>'


def _figure(figure: Any) -> str:
    """A plotly figure as a div and its script; plotly's JavaScript is in the page head once."""
    return figure.to_html(full_html=False, include_plotlyjs=False, config=PLOT_CONFIG, default_width="100%")


# ---------------------------------------------------------------- thinning the map


def decimate(samples: pl.DataFrame, max_points: int, score: str | None, seed: int = SEED) -> tuple[pl.DataFrame, str]:
    """At most `max_points` rows for the map, and a sentence saying how they were chosen.

    Reference rows are kept (up to half the budget), then the highest-scoring training rows
    (a tenth of the budget), then a uniform random draw of the other training rows.
    """
    n = samples.height
    if n <= max_points:
        return samples, f"All {n:,} samples are drawn."
    rng = np.random.default_rng(seed)
    indexed = samples.with_row_index("_row")
    references = indexed.filter(pl.col("set") != "train")
    train = indexed.filter(pl.col("set") == "train")
    ref_budget = min(references.height, max_points // 2)
    if references.height > ref_budget:
        references = references.gather(np.sort(rng.choice(references.height, ref_budget, replace=False)))
    budget = max_points - references.height
    top = train.head(0)
    if score is not None and score in train.columns:
        top = train.filter(pl.col(score).is_not_null() & pl.col(score).is_not_nan()).sort(score, descending=True).head(int(max_points * TOP_TRAIN_SHARE))
    rest = train.filter(~pl.col("_row").is_in(top["_row"].implode()))
    draw = min(rest.height, budget - top.height)
    rest = rest.gather(np.sort(rng.choice(rest.height, draw, replace=False))) if draw > 0 else rest.head(0)
    chosen = pl.concat([references, top, rest]).sort("_row").drop("_row")
    note = (
        f"The map shows {chosen.height:,} of the {n:,} samples, to keep this file small: {references.height:,} reference rows, "
        f"the {top.height:,} highest-scoring training rows and a random {rest.height:,} of the other training rows "
        f"(seed {seed}). Positions are the analysis' own."
    )
    return chosen, note


# ---------------------------------------------------------------- sections


def _summary(analysis: Analysis) -> str:
    manifest = analysis.manifest
    counts = analysis.counts()
    features = analysis.features
    clusters = analysis.clusters
    n_toxic_features = int(features["is_toxic"].sum()) if "is_toxic" in features.columns else 0
    n_toxic_clusters = int(clusters["is_toxic_cluster"].sum()) if "is_toxic_cluster" in clusters.columns else 0
    items = [
        ("Training rows", f"{counts.get('train', 0):,}"),
        ("Toxic reference rows", f"{counts.get('toxic', 0):,}"),
        ("Benign reference rows", f"{counts.get('benign', 0):,}"),
        ("Default score", manifest.get("default_score")),
        ("SAE latents active in the data", f"{features.height:,}"),
        ("Toxic features", f"{n_toxic_features:,}"),
        ("Sample clusters (toxic)", f"{int((clusters['cluster'] != -1).sum()):,} ({n_toxic_clusters:,})"),
    ]
    cards = "".join(f'<div class="card"><div class="value">{esc(value)}</div><div class="label">{esc(label)}</div></div>' for label, value in items)
    warnings = list((manifest.get("diagnostics") or {}).get("warnings") or [])
    parts = [f'<div class="cards">{cards}</div>']
    if warnings:
        parts.append('<div class="warning"><strong>What the build warns about</strong><ul>' + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul></div>")
    parts.append(
        "<p>Every score is higher for rows closer to the toxic reference. Training rows are scored by the scorer fitted on every "
        "reference row; reference rows out of fold (a scorer fitted without them), so their separation is not built in.</p>"
    )
    return _section("summary", "Summary", "".join(parts))


def _map_section(analysis: Analysis, max_points: int, removed_ids: set[str] | None) -> tuple[str, pl.DataFrame]:
    score = analysis.default_score
    columns = ["id", "set", "text", "x", "y", *([score] if score else [])]
    points, note = decimate(analysis.samples.select(columns), max_points, score)
    body = f'<p class="muted">{esc(note)} Hover a point to read the start of its text.</p>' + _figure(sample_map_figure(points, score, removed_ids))
    return _section("map", "Sample map", body), points


def _feature_label(feature: int, tokens: dict[int, str]) -> str:
    name = tokens.get(int(feature))
    return f"{feature} ({name})" if name else str(feature)


def _clusters_section(analysis: Analysis) -> str:
    clusters = analysis.clusters
    toxic = clusters.filter(pl.col("is_toxic_cluster") & (pl.col("cluster") != -1)).sort("odds_ratio", descending=True, nulls_last=True)
    tokens = dict(zip(analysis.features["feature"].to_list(), analysis.features["top_tokens"].fill_null("").to_list(), strict=True))
    score = analysis.default_score
    samples = analysis.samples.filter(pl.col("set") == "train")
    rows = []
    for row in toxic.iter_rows(named=True):
        members = samples.filter(pl.col("cluster") == row["cluster"])
        if score:
            members = members.sort(score, descending=True, nulls_last=True)
        examples = [flat_text(text, 120) for text in members.head(2)["text"].to_list()]
        rows.append(
            {
                **row,
                "top_features_named": "; ".join(_feature_label(f, tokens) for f in (row.get("top_features") or [])[:5]),
                "examples": " | ".join(examples),
            }
        )
    table = _table(
        rows,
        [
            ("cluster", "Cluster", None),
            ("size", "Samples", lambda v: f"{v:,}"),
            ("n_train", "Training", lambda v: f"{v:,}"),
            ("n_toxic", "Toxic ref.", lambda v: f"{v:,}"),
            ("n_benign", "Benign ref.", lambda v: f"{v:,}"),
            ("toxic_share", "Toxic share", percent),
            ("odds_ratio", "Odds ratio", number),
            ("q_value", "q (BH)", lambda v: number(v, "{:.2g}")),
            ("top_features_named", "Top features (tokens)", None),
            ("examples", "Highest-scoring training rows", None),
        ],
    )
    intro = (
        f"<p>{len(rows):,} of {int((clusters['cluster'] != -1).sum()):,} HDBSCAN clusters of samples are enriched in toxic-reference "
        "rows (one-sided Fisher exact test, Benjamini-Hochberg q &lt; 0.05).</p>"
    )
    return _section("clusters", "Toxic clusters", intro + table)


def _features_section(analysis: Analysis) -> str:
    features = analysis.features
    toxic = features.filter(pl.col("is_toxic")).sort("toxic_log_odds", descending=True, nulls_last=True)
    shown = toxic.head(TABLE_ROWS * 2)
    table = _table(
        shown.to_dicts(),
        [
            ("feature", "Feature", None),
            ("top_tokens", "Fires most on", None),
            ("freq_train", "Training rows", percent),
            ("freq_toxic", "Toxic ref.", percent),
            ("freq_benign", "Benign ref.", percent),
            ("toxic_log_odds", "Log-odds (toxic)", lambda v: number(v, "{:.2f}")),
            ("toxic_q", "q (BH)", lambda v: number(v, "{:.2g}")),
        ],
        note=f"The {shown.height:,} strongest of {toxic.height:,} toxic features; the columns are the share of each set's rows where the feature is active.",
    )
    intro = (
        "<p>A toxic feature is an SAE latent active in more toxic-reference rows than comparison rows (benign reference, "
        "or the training rows without one): one-sided Fisher exact test, Benjamini-Hochberg q &lt; 0.05, at least 3 toxic rows.</p>"
    )
    return _section("features", "Toxic features", intro + table)


def _read_export(analysis: Analysis, export_dir: Path) -> dict[str, Any]:
    path = export_dir / EXPORT_MANIFEST
    if not path.is_file():
        raise ReportError(f"{export_dir.name}: not an export folder (no {EXPORT_MANIFEST})")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("kind") != EXPORT_KIND:
        raise ReportError(f"{export_dir.name}: {EXPORT_MANIFEST} is not an export's")
    own = str(analysis.manifest.get("analysis_id") or analysis.name)
    if manifest.get("analysis", {}).get("id") != own:
        raise ReportError(f"{export_dir.name} was exported from another analysis than {analysis.name}")
    return manifest


def _export_section(analysis: Analysis, export_dir: Path, manifest: dict[str, Any]) -> tuple[str, set[str]]:
    from analysis.use.rules import FilterRule, decide

    rule = FilterRule.from_dict(manifest["rule"])
    decision = decide(analysis.samples, rule).join(analysis.samples.select("id", "text", "cluster"), on="id", how="left", maintain_order="left")
    if rule.score in analysis.samples.columns and rule.score not in decision.columns:
        decision = decision.join(analysis.samples.select("id", rule.score), on="id", how="left", maintain_order="left")
    removed = decision.filter(pl.col("removed"))
    counts = manifest.get("counts", {})
    parts = [f"<p><strong>Rule:</strong> {esc(manifest.get('rule_description') or rule.describe())}</p>"]
    train = counts.get("train", decision.height)
    n_removed = counts.get("removed", removed.height)
    parts.append(
        _pairs(
            [
                ("Training rows", f"{train:,}"),
                ("Removed", f"{n_removed:,} ({n_removed / max(train, 1):.1%})"),
                ("Kept", f"{counts.get('kept', decision.height - removed.height):,}"),
                ("Export folder", export_dir.name),
                ("Exported", manifest.get("created")),
                ("Re-run it", manifest.get("command")),
            ]
        )
    )
    if removed.height != n_removed:
        parts.append(f'<div class="warning">The rule applied to this analysis now removes {removed.height:,} rows, the export recorded {n_removed:,}.</div>')
    reasons = [{"reason": reason, "rows": rows} for reason, rows in (counts.get("removed_per_reason") or {}).items()]
    parts.append("<h3>Why rows are removed</h3>" + _table(reasons, [("reason", "Reason", None), ("rows", "Rows", lambda v: f"{v:,}")], note="A row removed for two reasons counts under each."))
    per_cluster = [{"cluster": "noise" if c == "-1" else c, "rows": n} for c, n in sorted((counts.get("removed_per_cluster") or {}).items(), key=lambda item: -item[1])]
    parts.append("<h3>Removed rows per cluster</h3>" + _table(per_cluster[:TABLE_ROWS], [("cluster", "Cluster", None), ("rows", "Removed", lambda v: f"{v:,}")]))
    if rule.score in decision.columns:
        scores = decision.with_columns(pl.col(rule.score).cast(pl.Float64).fill_nan(None))
        kept_scores = scores.filter(~pl.col("removed"))[rule.score].drop_nulls().to_numpy()
        removed_scores = scores.filter(pl.col("removed"))[rule.score].drop_nulls().to_numpy()
        parts.append(_figure(kept_removed_figure(kept_scores, removed_scores, rule.score)))
        top = removed.sort(rule.score, descending=True, nulls_last=True).head(TABLE_ROWS)
    else:
        top = removed.head(TABLE_ROWS)
    rows = [{**row, "text": flat_text(row["text"], TEXT_CHARS)} for row in top.to_dicts()]
    parts.append(
        f"<h3>The {len(rows):,} highest-scoring removed rows</h3>"
        + _table(rows, [("id", "Id", None), *([(rule.score, _score_label(rule.score), lambda v: number(v, "{:.4g}"))] if rule.score in top.columns else []), ("cluster", "Cluster", None), ("reason", "Reason", None), ("text", "Text", None)])
    )
    return _section("cut", "The chosen cut", "".join(parts)), set(removed["id"].to_list())


def _evaluation_section(analysis: Analysis, n_bootstrap: int) -> str | None:
    from analysis.use.evaluate import EvaluationError, default_label, evaluate

    label = default_label(analysis)
    if label is None:
        return None
    column, positive = label
    try:
        report = evaluate(analysis.path, column, positive, n_bootstrap=n_bootstrap, seed=SEED)
    except EvaluationError as error:
        return _section("evaluation", "Evaluation", f"<p>Not evaluated: {esc(error)}</p>")
    table = report.table.sort("auroc", descending=True, nulls_last=True)

    def interval(row: dict[str, Any], metric: str) -> str:
        value, low, high = row.get(metric), row.get(f"{metric}_lo"), row.get(f"{metric}_hi")
        if low is None or high is None or not np.isfinite(low) or not np.isfinite(high):
            return number(value, "{:.3f}")
        return f"{number(value, '{:.3f}')} [{low:.3f}, {high:.3f}]"

    rows = [{**row, "auroc_ci": interval(row, "auroc"), "ap_ci": interval(row, "ap")} for row in table.to_dicts()]
    columns = [
        ("method", "Method", None),
        ("kind", "Kind", None),
        ("auroc_ci", "AUROC [95% CI]", None),
        ("ap_ci", "Average precision [95% CI]", None),
        *[(f"{m}_at_{q}", f"{m.capitalize()} @ top {q}%", lambda v: number(v, "{:.2f}")) for q in (5, 10, 20) for m in ("precision", "recall")],
        ("tpr_at_1pct_fpr", "TPR @ 1% FPR", lambda v: number(v, "{:.2f}")),
    ]
    first = rows[0] if rows else {}
    intro = (
        f"<p>Against the training label <code>{esc(column)}</code> = <code>{esc(positive)}</code>: "
        f"{number(first.get('n_positive'), '{:,}')} positive of {number(first.get('n_rows'), '{:,}')} labelled training rows; "
        f"every score of the analysis next to simple baselines; intervals from {n_bootstrap:,} paired bootstrap resamples (seed {SEED}).</p>"
    )
    notes = "".join(f"<li>{esc(note)}</li>" for note in report.notes)
    methods = [row["method"] for row in rows[:6]]
    body = intro + _table(rows, columns) + (f'<ul class="muted">{notes}</ul>' if notes else "") + _figure(removal_curve_figure(report.curves, methods))
    return _section("evaluation", "Evaluation against the labels", body)


def _read_monitor(analysis: Analysis, monitor_dir: Path) -> Any:
    from analysis.use.monitor_runs import MonitorNotFound, MonitorRun

    try:
        run = MonitorRun.open(monitor_dir)
    except MonitorNotFound as error:
        raise ReportError(str(error)) from error
    if not run.belongs_to(analysis):
        raise ReportError(f"{monitor_dir.name} is a monitor of another analysis than {analysis.name}")
    return run


def _drift_section(analysis: Analysis, run: Any, points: pl.DataFrame, max_points: int) -> str:
    report = run.report
    statistics = report["statistics"]
    score, cut, latents = statistics["score"], statistics["above_cut"], statistics["latents"]
    batch = report["batch"]
    verdict = (
        '<div class="flag bad"><strong>Drift flagged.</strong><ul>' + "".join(f"<li>{esc(r)}</li>" for r in report["reasons"]) + "</ul></div>"
        if report["flagged"]
        else f'<div class="flag good"><strong>No drift flagged</strong> (alpha {esc(report["thresholds"]["alpha"])}, minimum AUROC {esc(report["thresholds"]["min_effect"])}).</div>'
    )
    toxic_rows = latents.get("toxic_rows") or {}
    pairs = _pairs(
        [
            ("Batch", f"{Path(str(batch.get('path', ''))).name} ({batch.get('rows', 0):,} rows, sha256 {batch.get('sha256', '')})"),
            ("Monitored", report.get("created")),
            ("Score shift", f"AUROC {number(score.get('auroc'), '{:.3f}')} (batch above training rows), one-sided Mann-Whitney p = {number(score.get('p'), '{:.2g}')}"),
            ("Medians", f"batch {number(score.get('batch_median'), '{:.4g}')}, training rows {number(score.get('train_median'), '{:.4g}')}"),
            ("Above the training top-{:g}% cut".format(cut.get("top_percent", 0)), f"{percent(cut.get('batch_share'))} of the batch vs {percent(cut.get('train_share'))} of training rows, binomial p = {number(cut.get('p'), '{:.2g}')}"),
            ("Latents more frequent in the batch", f"{latents.get('drifting', 0):,} of {latents.get('tested', 0):,} tested, {latents.get('drifting_toxic', 0):,} of them toxic"),
            ("Rows with a toxic latent", f"batch {percent(toxic_rows.get('batch_share'))}, training rows {percent(toxic_rows.get('train_share'))}, p = {number(toxic_rows.get('p'), '{:.2g}')}"),
            ("Re-run it", report.get("command")),
        ]
    )
    scores = run.scores
    batch_points, note = decimate(scores.with_columns(pl.lit("train").alias("set")), max_points, "score")
    train_scores = analysis.samples.filter(pl.col("set") == "train")["score"].cast(pl.Float64).to_numpy() if "score" in analysis.samples.columns else np.zeros(0)
    figures = _figure(batch_map_figure(points, batch_points)) + _figure(score_distribution_figure(scores["score"].cast(pl.Float64).to_numpy(), train_scores, cut.get("cut")))
    map_note = "" if batch_points.height == scores.height else f'<p class="muted">Batch rows on the map: {esc(note)}</p>'
    drifting = run.latents.filter(pl.col("drifting")).head(TABLE_ROWS)
    latent_table = _table(
        drifting.to_dicts(),
        [
            ("feature", "Feature", None),
            ("is_toxic", "Toxic", lambda v: "yes" if v else ""),
            ("top_tokens", "Fires most on", None),
            ("count_batch", "Batch rows", lambda v: f"{v:,}"),
            ("freq_batch", "Batch share", percent),
            ("freq_train", "Training share", percent),
            ("log_odds", "Log-odds", lambda v: number(v, "{:.2f}")),
            ("q", "q (BH)", lambda v: number(v, "{:.2g}")),
        ],
        note="Toxic latents first, then by q.",
    )
    tokens = dict(zip(analysis.features["feature"].to_list(), analysis.features["top_tokens"].fill_null("").to_list(), strict=True))
    drivers = [
        {
            **row,
            "text": flat_text(row.get("text"), TEXT_CHARS),
            "latents": "; ".join(f"{_feature_label(item['feature'], tokens)} +{item['contribution']:.3g}" for item in (row.get("top_latents") or [])[:3]),
            "nearest": ", ".join(str(i) for i in (row.get("nearest_toxic_ids") or [])[:3]),
        }
        for row in report.get("drivers", [])
    ]
    driver_table = _table(
        drivers,
        [
            ("id", "Id", None),
            ("score", "Score", lambda v: number(v, "{:.4g}")),
            ("train_percentile", "Training percentile", percent),
            ("above_cut", "Above cut", lambda v: "yes" if v else ""),
            ("latents", "Top latents (contribution)", None),
            ("nearest", "Nearest toxic references", None),
            ("text", "Text", None),
        ],
    )
    body = verdict + pairs + map_note + figures + "<h3>Drifting latents</h3>" + latent_table + "<h3>Highest-scoring batch rows</h3>" + driver_table
    return _section("drift", "Drift of a new batch", body)


def _provenance_section(analysis: Analysis, export: dict[str, Any] | None, run: Any | None) -> str:
    manifest = analysis.manifest
    inputs = []
    for role, entry in (manifest.get("inputs") or {}).items():
        if isinstance(entry, dict):
            inputs.append({"role": role, "file": Path(str(entry.get("path", ""))).name, "format": entry.get("format"), "rows": entry.get("rows"), "sha256": entry.get("sha256")})
    parts = [
        _pairs(
            [
                ("Analysis", analysis.name),
                ("Analysis id", manifest.get("analysis_id")),
                ("Built", manifest.get("created")),
                ("Build command", manifest.get("command")),
            ]
        ),
        "<h3>Inputs</h3>",
        _table(inputs, [("role", "Set", None), ("file", "File", None), ("format", "Format", None), ("rows", "Rows", lambda v: number(v, "{:,}")), ("sha256", "sha256", None)]),
    ]
    model, sae = manifest.get("model") or {}, manifest.get("sae") or {}
    training = sae.get("training") or {}
    parts.append("<h3>Model and SAE</h3>")
    parts.append(
        _pairs(
            [
                ("Model", model.get("name")),
                ("Read at", f"layer {model.get('layer')}" + (f" ({model['hook']})" if model.get("hook") else "") + (f", {model['dtype']}" if model.get("dtype") else "")),
                ("SAE", sae.get("source") or sae.get("release") or sae.get("architecture")),
                ("SAE latents", sae.get("d_sae")),
                ("SAE architecture", sae.get("architecture")),
                ("Explained variance (held-out tokens)", training.get("explained_variance")),
                ("Dead latents (held-out tokens)", training.get("dead_fraction_heldout")),
                ("Pooling", json.dumps(manifest.get("pooling"), sort_keys=True) if manifest.get("pooling") else None),
                ("Seeds", json.dumps(manifest.get("seeds"), sort_keys=True) if manifest.get("seeds") else None),
            ]
        )
    )
    settings = manifest.get("config") or manifest.get("parameters")
    if settings:
        parts.append("<h3>Settings</h3><pre>" + esc(json.dumps(settings, indent=2, sort_keys=True)) + "</pre>")
    versions = manifest.get("versions")
    if versions:
        parts.append("<h3>Library versions of the build</h3>" + _pairs(sorted(versions.items())))
    notes = manifest.get("notes") or []
    if notes:
        parts.append("<h3>Notes of the build</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    if export is not None:
        train_input = export.get("train_input") or {}
        outputs = [{"file": name, "sha256": (entry or {}).get("sha256") if isinstance(entry, dict) else entry} for name, entry in sorted((export.get("outputs") or {}).items())]
        parts.append("<h3>Export</h3>" + _pairs([("Training input sha256", train_input.get("sha256")), ("Analysis manifest sha256", export.get("analysis", {}).get("manifest_sha256")), ("Re-apply", export.get("reapply_command"))]))
        parts.append(_table(outputs, [("file", "Output", None), ("sha256", "sha256", None)]))
    if run is not None:
        report = run.report
        parts.append(
            "<h3>Monitor</h3>"
            + _pairs(
                [
                    ("Batch sha256", report.get("batch", {}).get("sha256")),
                    ("Analysis manifest sha256", report.get("analysis", {}).get("manifest_sha256")),
                    ("Thresholds", json.dumps(report.get("thresholds"), sort_keys=True)),
                    ("Versions", json.dumps(report.get("versions"), sort_keys=True)),
                ]
            )
        )
    return _section("provenance", "Provenance", "".join(parts))


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>{body}</section>'


STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #1d2330; background: #fafbfc; }
header { background: #1d2330; color: white; padding: 1.2rem 2rem; }
header h1 { margin: 0 0 0.3rem 0; font-size: 1.6rem; }
header p { margin: 0; opacity: 0.8; }
nav { padding: 0.6rem 2rem; background: #eef1f5; position: sticky; top: 0; z-index: 10; }
nav a { margin-right: 1rem; color: #1d4f91; text-decoration: none; }
main { padding: 0 2rem 3rem 2rem; max-width: 1400px; }
section { background: white; border: 1px solid #e3e6ea; border-radius: 8px; padding: 1rem 1.4rem; margin-top: 1.2rem; }
h2 { margin-top: 0.2rem; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.card { border: 1px solid #e3e6ea; border-radius: 6px; padding: 0.6rem 1rem; min-width: 10rem; }
.card .value { font-size: 1.4rem; font-weight: 600; }
.card .label, .muted { color: #5d6675; font-size: 0.9rem; }
.table { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.86rem; margin: 0.4rem 0; }
th, td { border-bottom: 1px solid #e3e6ea; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.txt { max-width: 40rem; }
table.pairs th { white-space: nowrap; color: #5d6675; font-weight: 500; }
pre { background: #f3f4f6; padding: 0.6rem; border-radius: 6px; overflow-x: auto; font-size: 0.8rem; }
.warning { background: #fff6e5; border-left: 4px solid #f0a202; padding: 0.5rem 0.9rem; margin: 0.6rem 0; }
.flag { padding: 0.5rem 0.9rem; margin: 0.6rem 0; border-radius: 4px; }
.flag.bad { background: #fdecec; border-left: 4px solid #e45756; }
.flag.good { background: #eaf6ea; border-left: 4px solid #54a24b; }
"""


def build_report(
    analysis_dir: str | Path,
    export_dir: str | Path | None = None,
    monitor_dir: str | Path | None = None,
    *,
    max_points: int = MAX_MAP_POINTS,
    n_bootstrap: int = EVAL_BOOTSTRAP,
    report: Reporter = lambda *_: None,
) -> str:
    """The report as one HTML string; see the module docstring.

    Raises `AnalysisNotFound`, or `ReportError` for an export or monitor folder that is not
    one or belongs to another analysis.
    """
    import plotly.offline

    total = 5
    report(1, total, "Reading the analysis")
    analysis = Analysis.open(analysis_dir)
    export_path = Path(export_dir).expanduser().resolve() if export_dir is not None else None
    monitor_path = Path(monitor_dir).expanduser().resolve() if monitor_dir is not None else None
    export = _read_export(analysis, export_path) if export_path is not None else None
    run = _read_monitor(analysis, monitor_path) if monitor_path is not None else None

    report(2, total, "Map, clusters and features")
    sections = [_summary(analysis)]
    cut_html, removed_ids = _export_section(analysis, export_path, export) if export is not None and export_path is not None else (None, None)
    map_html, points = _map_section(analysis, max_points, removed_ids)
    sections += [map_html, _clusters_section(analysis), _features_section(analysis)]
    if cut_html:
        sections.append(cut_html)
    report(3, total, "Evaluation against the labels")
    evaluation = _evaluation_section(analysis, n_bootstrap)
    if evaluation:
        sections.append(evaluation)
    report(4, total, "Drift of the batch")
    if run is not None:
        sections.append(_drift_section(analysis, run, points, max_points))
    sections.append(_provenance_section(analysis, export, run))
    report(5, total, "Writing the page")

    titles = {"summary": "Summary", "map": "Map", "clusters": "Toxic clusters", "features": "Toxic features", "cut": "Cut", "evaluation": "Evaluation", "drift": "Drift", "provenance": "Provenance"}
    present = [anchor for anchor in titles if f'<section id="{anchor}">' in "".join(sections)]
    links = "".join(f'<a href="#{anchor}">{esc(titles[anchor])}</a>' for anchor in present)
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    name = analysis.manifest.get("name") or analysis.name
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{esc(name)}: toxic-proximity report</title>"
        f"<style>{STYLE}</style>"
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>'
        "</head><body>"
        f"<header><h1>Toxic-proximity report: {esc(name)}</h1>"
        f"<p>Analysis {esc(analysis.name)} · generated {esc(generated)} by analysis {esc(__version__)} · this file needs no network</p></header>"
        f"<nav>{links}</nav><main>{''.join(sections)}</main></body></html>\n"
    )


def write_report(
    analysis_dir: str | Path,
    out: str | Path,
    export_dir: str | Path | None = None,
    monitor_dir: str | Path | None = None,
    **options: Any,
) -> Path:
    """Write the report to `out` atomically (a temporary file, then a rename); returns its path."""
    text = build_report(analysis_dir, export_dir, monitor_dir, **options)
    target = Path(out).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
