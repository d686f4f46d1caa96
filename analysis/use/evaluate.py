"""How well each score finds known-bad training rows, next to simple baselines.

When the training set carries a label (e.g. planted harmful samples), every ``score*``
column of ``samples.parquet`` and every baseline of :mod:`analysis.scoring.baselines` is ranked
against it: AUROC and average precision with bootstrap intervals, precision / recall when
the top 5, 10 or 20% are removed, the true-positive rate at 1% false-positive rate, and
the removed-vs-retained curve. A researcher trusts a removal list only with these numbers.

Conventions (also printed by the CLI):
- rows: training rows (``set == "train"``) whose label is not null; positive means
  ``str(label) == positive``. With marks as labels (``evaluate_marks``, the marks of
  :mod:`analysis.use.marks`): the training rows whose current mark is the positive or the
  negative mark; every other row (unmarked, another mark) is left out.
- top q%: the ``analysis.scoring.statistics.top_count(q, n)`` highest-scoring rows (q% of n rounded
  half up, at least one row; the one count an export's top-q% cut uses too), ties broken by
  id ascending, so on a fully scored, fully labelled training set the cut is the one an
  export at that quantile makes.
- TPR at 1% FPR: ``roc_curve`` linearly interpolated at FPR = 0.01, i.e. the rate a
  threshold randomised between the two neighbouring cut points reaches.
- intervals: 95% percentile bootstrap over rows (the same resamples for every method,
  so differences between methods are paired); resamples with a single class are skipped.
- a missing score (null, NaN or infinite) ranks below every present one, and n counts
  every evaluated row; an export instead takes q% of the scored rows only and never removes
  an unscored row, so for a partly missing score the two cuts differ (the notes say how many
  rows lack a value). A method with no value on any evaluated row is skipped with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl
from safetensors.numpy import load_file
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from analysis.artifacts.codes import activation_matrix
from analysis.artifacts.folder import Analysis, AnalysisNotFound, score_columns
from analysis.artifacts.layout import ACTIVATIONS, EMBEDDINGS
from analysis.scoring import baselines as baseline_methods
from analysis.scoring.statistics import top_count
from analysis.use.resampled_metrics import (
    resample_count_chunks,
    weighted_auroc,
    weighted_average_precision,
)

REMOVAL_SHARES: tuple[float, ...] = (0.05, 0.10, 0.20)
TARGET_FPR = 0.01
CURVE_MAX_POINTS = 200
KIND_SCORE = "score"
KIND_BASELINE = "baseline"
KIND_SUPERVISED = "supervised"

TABLE_COLUMNS: tuple[str, ...] = (
    "method",
    "kind",
    "auroc",
    "auroc_lo",
    "auroc_hi",
    "ap",
    "ap_lo",
    "ap_hi",
    *(
        f"{metric}_at_{round(share * 100)}"
        for share in REMOVAL_SHARES
        for metric in ("precision", "recall")
    ),
    "tpr_at_1pct_fpr",
    "n_rows",
    "n_positive",
)


POSITIVE_VALUES = ("1", "true", "yes", "harmful", "toxic", "unsafe", "bad", "positive", "misaligned")


def positive_value(samples: pl.DataFrame, column: str) -> str | None:
    """The value of a two-valued training label that marks a row to remove ("1", "harmful", ...);
    None when the column does not look like such a label."""
    values = samples.filter(pl.col("set") == "train")[column].drop_nulls().cast(pl.String).unique().to_list()
    if len(values) != 2:
        return None
    return next((value for value in values if value.lower() in POSITIVE_VALUES), None)


def default_label(analysis: Analysis) -> tuple[str, str] | None:
    """The first label column with a recognisable positive value, and that value."""
    for column in analysis.label_columns:
        value = positive_value(analysis.samples, column)
        if value is not None:
            return column, value
    return None


class EvaluationError(ValueError):
    """The analysis cannot be evaluated as asked (missing label column, no positives, ...)."""


@dataclass
class EvaluationReport:
    """Metrics per method (``table``) and the removed-vs-retained curve per method."""

    table: pl.DataFrame
    curves: dict[str, pl.DataFrame]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """Plain JSON-ready dict: ``table`` as a list of rows, ``curves`` column-wise, ``notes``."""
        table_rows = [
            {key: _json_number(value) for key, value in row.items()}
            for row in self.table.to_dicts()
        ]
        curves = {
            method: {
                column: [_json_number(v) for v in curve[column].to_list()]
                for column in curve.columns
            }
            for method, curve in self.curves.items()
        }
        return {"table": table_rows, "curves": curves, "notes": list(self.notes)}


def _json_number(value: object) -> object:
    # JSON has no NaN; null says "not defined" (e.g. no interval without resamples).
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def removal_order(scores: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
    """Row indices from most to least suspect: score descending, ties by id (or row) ascending."""
    scores = finite_scores(scores)
    tie_breaker = np.arange(scores.size) if ids is None else np.asarray(ids, dtype=str)
    return np.lexsort((tie_breaker, -scores))


def rows_removed(share: float, n_rows: int) -> int:
    """How many rows a top-``share`` cut removes (``share`` = q / 100): the export's
    ``top_count``, so q% of n rounded half up, at least one row, taken on the decimal value
    of ``share`` as written (0.29 of 50 rows is exactly 14.5 and gives 15)."""
    return top_count(Fraction(repr(float(share))) * 100, n_rows)


def finite_scores(scores: np.ndarray) -> np.ndarray:
    """NaN / inf ranked below every present score (a missing score never ranks high)."""
    scores = np.asarray(scores, dtype=np.float64)
    missing = ~np.isfinite(scores)
    if not missing.any():
        return scores
    present = scores[~missing]
    floor = (present.min() if present.size else 0.0) - 1.0
    return np.where(missing, floor, scores)


def tpr_at_fpr(labels: np.ndarray, scores: np.ndarray, target_fpr: float = TARGET_FPR) -> float:
    """True-positive rate at ``target_fpr``, interpolated linearly on the ROC curve."""
    fpr, tpr, _ = roc_curve(labels, scores)
    # The curve has vertical steps (several points at one FPR), which np.interp does not
    # accept: take the last point at or below the target (the highest TPR reached there)
    # and the first point past it (the lowest TPR there), and interpolate between them.
    below = int(np.searchsorted(fpr, target_fpr, side="right")) - 1
    if fpr[below] == target_fpr or below == fpr.size - 1:
        return float(tpr[below])
    weight = (target_fpr - fpr[below]) / (fpr[below + 1] - fpr[below])
    return float(tpr[below] + weight * (tpr[below + 1] - tpr[below]))


def removal_curve(
    labels: np.ndarray, scores: np.ndarray, ids: np.ndarray | None = None
) -> pl.DataFrame:
    """Share of positives and of clean rows removed as the top-scored share grows from 0 to 1."""
    labels = np.asarray(labels, dtype=bool)
    n_rows = labels.size
    ordered = labels[removal_order(scores, ids)]
    positives_removed = np.concatenate([[0], np.cumsum(ordered)])
    clean_removed = np.concatenate([[0], np.cumsum(~ordered)])
    # Every cut point for small sets; an even grid of cut points keeps big curves light.
    cut_points = np.unique(
        np.round(np.linspace(0, n_rows, min(n_rows, CURVE_MAX_POINTS) + 1)).astype(int)
    )
    n_positive, n_clean = int(labels.sum()), int((~labels).sum())
    return pl.DataFrame(
        {
            "share_removed": cut_points / max(n_rows, 1),
            "positives_removed": positives_removed[cut_points] / max(n_positive, 1),
            "clean_lost": clean_removed[cut_points] / max(n_clean, 1),
        }
    )


def _point_metrics(
    labels: np.ndarray, scores: np.ndarray, ids: np.ndarray | None
) -> dict[str, float]:
    n_positive = int(labels.sum())
    metrics = {
        "auroc": float(roc_auc_score(labels, scores)),
        "ap": float(average_precision_score(labels, scores)),
    }
    ordered = labels[removal_order(scores, ids)]
    for share in REMOVAL_SHARES:
        n_removed = rows_removed(share, labels.size)
        hits = int(ordered[:n_removed].sum())
        percent = round(share * 100)
        metrics[f"precision_at_{percent}"] = hits / n_removed
        metrics[f"recall_at_{percent}"] = hits / n_positive
    metrics["tpr_at_1pct_fpr"] = tpr_at_fpr(labels, scores)
    return metrics


def _bootstrap_intervals(
    labels: np.ndarray, scores: dict[str, np.ndarray], n_bootstrap: int, seed: int
) -> dict[str, dict[str, float]]:
    """95% percentile intervals of AUROC and AP, one shared set of row resamples for all
    methods; a resample holding one class only is left out."""
    samples: dict[str, dict[str, list[np.ndarray]]] = {m: {"auroc": [], "ap": []} for m in scores}
    for weights in resample_count_chunks(labels.size, n_bootstrap, seed):
        for method, method_scores in scores.items():
            samples[method]["auroc"].append(weighted_auroc(method_scores, labels, weights))
            samples[method]["ap"].append(weighted_average_precision(method_scores, labels, weights))
    intervals: dict[str, dict[str, float]] = {}
    for method, by_metric in samples.items():
        intervals[method] = {}
        for metric, chunks in by_metric.items():
            values = np.concatenate(chunks) if chunks else np.zeros(0)
            values = values[np.isfinite(values)]
            low, high = np.percentile(values, [2.5, 97.5]) if values.size else (np.nan, np.nan)
            intervals[method][f"{metric}_lo"] = float(low)
            intervals[method][f"{metric}_hi"] = float(high)
    return intervals


def evaluate_scores(
    labels: np.ndarray,
    scores: dict[str, np.ndarray],
    kinds: dict[str, str],
    n_bootstrap: int,
    seed: int,
    ids: np.ndarray | None = None,
) -> EvaluationReport:
    """Metrics of every method in ``scores`` against boolean ``labels`` (pure; no files).

    ``kinds`` maps a method to "score", "baseline" or "supervised" (missing: "score").
    ``ids`` (optional, one per row) break score ties in the top-q% cuts; without them the
    row order does.
    """
    labels = np.asarray(labels, dtype=bool)
    n_positive = int(labels.sum())
    if labels.size == 0 or n_positive == 0 or n_positive == labels.size:
        raise EvaluationError(
            f"need both positive and negative rows to evaluate (rows: {labels.size}, positive: {n_positive})"
        )
    notes: list[str] = []
    finite: dict[str, np.ndarray] = {}
    for method, values in scores.items():
        values = np.asarray(values, dtype=np.float64)
        if values.shape != labels.shape:
            raise EvaluationError(f"{method}: {values.shape[0]} scores for {labels.size} rows")
        n_missing = int((~np.isfinite(values)).sum())
        if n_missing == labels.size:
            # Ranking rows that all lack a value would invent numbers (AUROC 0.5, id order).
            notes.append(
                f"{method} skipped: it has no value on any of the {labels.size} evaluated rows "
                "(all null or NaN)"
            )
            continue
        if n_missing:
            notes.append(
                f"{method}: {n_missing} of {labels.size} evaluated rows have no value and rank last"
            )
        finite[method] = finite_scores(values)
    if not finite:
        raise EvaluationError(
            "no method has a value on any evaluated row: " + "; ".join(notes)
        )
    intervals = _bootstrap_intervals(labels, finite, n_bootstrap, seed)
    rows = []
    curves: dict[str, pl.DataFrame] = {}
    for method, values in finite.items():
        rows.append(
            {
                "method": method,
                "kind": kinds.get(method, KIND_SCORE),
                **_point_metrics(labels, values, ids),
                **intervals[method],
                "n_rows": int(labels.size),
                "n_positive": n_positive,
            }
        )
        curves[method] = removal_curve(labels, values, ids)
    table = (
        pl.DataFrame(rows)
        .select(TABLE_COLUMNS)
        .with_columns(pl.col("n_rows", "n_positive").cast(pl.Int64))
    )
    return EvaluationReport(table=table, curves=curves, notes=notes)


def evaluate(
    analysis_dir: str | Path,
    label_column: str,
    positive: str,
    n_bootstrap: int = 1000,
    seed: int = 0,
    baselines: bool = True,
) -> EvaluationReport:
    """Evaluate every ``score*`` column of an analysis folder, plus the baselines, on its labels."""
    analysis = _open(analysis_dir)
    samples = analysis.samples.with_row_index("_sample_row")
    if label_column not in samples.columns:
        carried = [c for c in samples.columns if not c.startswith(("score", "_", "nearest_"))]
        raise EvaluationError(
            f"label column {label_column!r} not in samples.parquet; columns: {carried}"
        )
    train = samples.filter((pl.col("set") == "train") & pl.col(label_column).is_not_null())
    labels = (train[label_column].cast(pl.String) == str(positive)).to_numpy()
    n_positive = int(labels.sum())
    if n_positive == 0:
        values = train[label_column].cast(pl.String).unique().sort().head(20).to_list()
        raise EvaluationError(
            f"no training row has {label_column} == {positive!r}; values found: {values}"
        )
    if n_positive == labels.size:
        raise EvaluationError(
            f"every labelled training row has {label_column} == {positive!r}: nothing to compare"
        )
    described = f"{labels.size} labelled training rows, {n_positive} with {label_column} == {positive!r}"
    return _evaluate_rows(analysis, samples, train, labels, described, n_bootstrap, seed, baselines)


def evaluate_marks(
    analysis_dir: str | Path,
    marked: Mapping[str, str],
    positive_mark: str,
    negative_mark: str,
    n_bootstrap: int = 1000,
    seed: int = 0,
    baselines: bool = True,
) -> EvaluationReport:
    """Evaluate like ``evaluate`` with a researcher's marks as labels: ``marked`` (id -> mark,
    e.g. ``Marks.snapshot()``) labels the training rows marked ``positive_mark`` positive and
    those marked ``negative_mark`` negative; no other row is evaluated."""
    if positive_mark == negative_mark:
        raise EvaluationError(f"the positive and the negative mark are both {positive_mark!r}")
    analysis = _open(analysis_dir)
    samples = analysis.samples.with_row_index("_sample_row")
    mark = pl.col("id").cast(pl.String).replace_strict(dict(marked), default=None, return_dtype=pl.String)
    train = samples.with_columns(mark.alias("_mark")).filter(
        (pl.col("set") == "train") & pl.col("_mark").is_in([positive_mark, negative_mark]).fill_null(False)
    )
    labels = (train["_mark"] == positive_mark).to_numpy()
    n_positive = int(labels.sum())
    n_negative = labels.size - n_positive
    if n_positive == 0 or n_negative == 0:
        raise EvaluationError(
            f"need training rows with both marks: {n_positive} marked {positive_mark!r}, "
            f"{n_negative} marked {negative_mark!r}"
        )
    described = (
        f"{labels.size} marked training rows, {n_positive} marked {positive_mark!r} (positive), "
        f"{n_negative} marked {negative_mark!r}"
    )
    return _evaluate_rows(analysis, samples, train, labels, described, n_bootstrap, seed, baselines)


def _open(analysis_dir: str | Path) -> Analysis:
    try:
        return Analysis.open(analysis_dir)
    except AnalysisNotFound as error:
        raise EvaluationError(str(error)) from error


def _evaluate_rows(
    analysis: Analysis,
    samples: pl.DataFrame,
    train: pl.DataFrame,
    labels: np.ndarray,
    described: str,
    n_bootstrap: int,
    seed: int,
    baselines: bool,
) -> EvaluationReport:
    """Every score and baseline on the evaluated training rows `train` (a subset of `samples`,
    which carries `_sample_row`) against `labels`; `described` says which rows and labels."""
    score_names = score_columns(samples)
    scores = {c: train[c].cast(pl.Float64).to_numpy() for c in score_names}
    kinds = dict.fromkeys(score_names, KIND_SCORE)
    notes: list[str] = []
    if baselines:
        baseline_scores, baseline_kinds, notes = compute_baselines(
            analysis, samples, train, labels, seed
        )
        scores.update(baseline_scores)
        kinds.update(baseline_kinds)
    report = evaluate_scores(labels, scores, kinds, n_bootstrap, seed, ids=train["id"].to_numpy())
    report.notes.extend(notes)
    report.notes.append(f"{described}; {n_bootstrap} bootstrap resamples, seed {seed}")
    return report


def compute_baselines(
    analysis: Analysis, samples: pl.DataFrame, train: pl.DataFrame, labels: np.ndarray, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, str], list[str]]:
    """Every baseline's score on the evaluated training rows, their kinds, and notes on skips.

    ``samples`` carries ``_sample_row`` (its row number in samples.parquet), ``train`` is
    the evaluated subset of it.
    """
    toxic = samples.filter(pl.col("set") == "toxic")
    benign = samples.filter(pl.col("set") == "benign")
    train_texts = train["text"].to_list()
    scores: dict[str, np.ndarray] = {
        "random": baseline_methods.random_scores(train.height, seed),
        "length": baseline_methods.length_scores(train_texts),
        "keyword": baseline_methods.keyword_scores(train_texts),
    }
    kinds = {name: KIND_BASELINE for name in scores}
    notes: list[str] = []
    if toxic.height == 0:
        notes.append("tfidf_knn, embedding_knn skipped: the analysis has no toxic reference rows")
    else:
        scores["tfidf_knn"] = baseline_methods.tfidf_knn_scores(
            train_texts, toxic["text"].to_list(), benign["text"].to_list()
        )
        kinds["tfidf_knn"] = KIND_BASELINE
        embeddings_path = analysis.path / EMBEDDINGS
        if embeddings_path.exists():
            raw = load_file(str(embeddings_path))["raw"]
            if raw.shape[0] != samples.height:
                notes.append(
                    f"embedding_knn skipped: embeddings.safetensors has {raw.shape[0]} rows, "
                    f"samples.parquet {samples.height}"
                )
            else:
                scores["embedding_knn"] = baseline_methods.embedding_knn_scores(
                    raw[train["_sample_row"].to_numpy()],
                    raw[toxic["_sample_row"].to_numpy()],
                    raw[benign["_sample_row"].to_numpy()] if benign.height else None,
                )
                kinds["embedding_knn"] = KIND_BASELINE
        else:
            notes.append("embedding_knn skipped: no embeddings.safetensors in the analysis")
    if benign.height == 0 and toxic.height:
        notes.append("no benign reference rows: the kNN baselines use toxic similarity alone")

    if (analysis.path / ACTIVATIONS).exists():
        matrix = activation_matrix(analysis.activations, train["id"].to_list())
        probe = baseline_methods.probe_cv_scores(matrix, labels, seed)
        if probe is None:
            notes.append("probe_cv skipped: fewer than two rows in a class")
        else:
            scores["probe_cv"] = probe
            kinds["probe_cv"] = KIND_SUPERVISED
    else:
        notes.append("probe_cv skipped: no activations.parquet in the analysis")
    return scores, kinds, notes


def _with_interval(table: pl.DataFrame, metric: str) -> pl.Series:
    # A handful of rows (one per method): formatting them in Python is clearer than in polars.
    cells = [
        f"{value:.3f}" + (f" [{low:.3f}, {high:.3f}]" if np.isfinite(low) else "")
        for value, low, high in table.select(metric, f"{metric}_lo", f"{metric}_hi").iter_rows()
    ]
    return pl.Series(f"{metric} [95% CI]", cells, dtype=pl.String)


def format_table(report: EvaluationReport) -> str:
    """The metrics table as readable text, best AUROC first."""
    table = report.table.sort("auroc", descending=True)
    shown = table.select(
        "method",
        "kind",
        _with_interval(table, "auroc"),
        _with_interval(table, "ap"),
        *(pl.col(c).round(3) for c in TABLE_COLUMNS[8:-2]),
    )
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=240,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        fmt_str_lengths=40,
    ):
        text = str(shown)
    return "\n".join([text, *report.notes])

