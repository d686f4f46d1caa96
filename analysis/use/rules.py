"""A cut of the training rows: which to remove, and why.

A `FilterRule` is the whole selection: a score cut (top Q% or a threshold), whole sample
clusters, rows by the marks a researcher put on them (`analysis.use.marks`), and manual
additions/exceptions. `decide` applies it to the training rows of an analysis'
samples.parquet; `analysis.use.export` writes the result.

A score cut only ever removes rows that have a score: top q% takes `top_count(q, scored)` of the
scored rows and a threshold compares scored rows only. A score with no value on any training
row (a score the build left empty, e.g. one that needs a benign reference) is refused with
`EmptyScoreError`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from analysis.artifacts.folder import score_columns
from analysis.scoring.statistics import top_count


class EmptyScoreError(ValueError):
    """The rule cuts on a score that has no value (null or NaN) on any training row."""


def _score_value(name: str) -> pl.Expr:
    # NaN sorts above every number in polars; a missing score must never be "closest".
    return pl.col(name).cast(pl.Float64).fill_nan(None)


def usable_score_columns(samples: pl.DataFrame) -> list[str]:
    """The score columns with a value (not null, not NaN) on at least one training row: the
    scores a cut can use, in table order."""
    names = score_columns(samples)
    if not names:
        return []
    train = samples.filter(pl.col("set") == "train")
    present = train.select(_score_value(name).is_not_null().any() for name in names).row(0)
    return [name for name, has_value in zip(names, present, strict=True) if has_value]


@dataclass(frozen=True)
class FilterRule:
    """Which training rows to remove. Every criterion adds to the removed set; `keep_ids` wins
    over all of them.

    - `top_percent` Q: remove the `top_count(Q, n_scored)` rows with the highest `score`
      (Q% of the training rows that have a score, rounded half up, at least one); ties at the
      cut are broken by id (ascending ids are removed first). Rows with a null or NaN score
      are never removed by this cut.
    - `threshold` T: remove rows with `score >= T` (a null or NaN score never is).

    A score cut on a score with no value on any training row raises `EmptyScoreError`.
    - `clusters`: remove every training row in these sample clusters.
    - `remove_marks`: remove the rows marked with one of these marks; `keep_marks`: keep only
      the rows marked with one of these (remove every other row).
    - `marked`: the marks these two read, id -> mark, as they were when the rule was made (a
      snapshot, so the rule, and a `reapply` of its export, never changes when marks are
      added later); only the ids with one of those marks are kept in it.
    - `remove_ids` / `keep_ids`: manual additions / exceptions.
    """

    score: str = "score"
    top_percent: float | None = None
    threshold: float | None = None
    clusters: tuple[int, ...] = ()
    remove_ids: tuple[str, ...] = ()
    keep_ids: tuple[str, ...] = ()
    remove_marks: tuple[str, ...] = ()
    keep_marks: tuple[str, ...] = ()
    marked: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # Lists from JSON or a UI become tuples, so the rule stays hashable and comparable.
        object.__setattr__(self, "clusters", tuple(int(c) for c in self.clusters))
        object.__setattr__(self, "remove_ids", tuple(str(i) for i in self.remove_ids))
        object.__setattr__(self, "keep_ids", tuple(str(i) for i in self.keep_ids))
        self._normalise_marks()
        if self.top_percent is not None:
            if not (0 < float(self.top_percent) <= 100):
                raise ValueError(f"top_percent must be in (0, 100], got {self.top_percent}")
            object.__setattr__(self, "top_percent", float(self.top_percent))
        if self.threshold is not None:
            if not math.isfinite(float(self.threshold)):
                raise ValueError(f"threshold must be a finite number, got {self.threshold}")
            object.__setattr__(self, "threshold", float(self.threshold))
        if not self.score:
            raise ValueError("score must name a score column")

    def _normalise_marks(self) -> None:
        remove_marks = tuple(dict.fromkeys(str(m) for m in self.remove_marks))
        keep_marks = tuple(dict.fromkeys(str(m) for m in self.keep_marks))
        both = sorted(set(remove_marks) & set(keep_marks))
        if both:
            raise ValueError(f"marks both removed and kept: {both}")
        pairs: Iterable = self.marked.items() if isinstance(self.marked, Mapping) else self.marked
        snapshot: dict[str, str] = {}
        for sample_id, mark in pairs:
            if str(sample_id) in snapshot:
                raise ValueError(f"marked names id {sample_id!r} twice")
            snapshot[str(sample_id)] = str(mark)
        wanted = set(remove_marks) | set(keep_marks)
        # Only the marks the rule reads: a mark added later with another tag leaves it as it is.
        kept = tuple(sorted((i, m) for i, m in snapshot.items() if m in wanted))
        object.__setattr__(self, "remove_marks", remove_marks)
        object.__setattr__(self, "keep_marks", keep_marks)
        object.__setattr__(self, "marked", kept)

    @property
    def uses_score(self) -> bool:
        return self.top_percent is not None or self.threshold is not None

    @property
    def uses_marks(self) -> bool:
        return bool(self.remove_marks or self.keep_marks)

    def check_has_criteria(self) -> None:
        if not (self.uses_score or self.clusters or self.remove_ids or self.uses_marks):
            raise ValueError(
                "the rule removes nothing: give top_percent, threshold, clusters, remove_ids, "
                "remove_marks or keep_marks"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "top_percent": self.top_percent,
            "threshold": self.threshold,
            "clusters": list(self.clusters),
            "remove_ids": list(self.remove_ids),
            "keep_ids": list(self.keep_ids),
            "remove_marks": list(self.remove_marks),
            "keep_marks": list(self.keep_marks),
            "marked": dict(self.marked),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FilterRule:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown filter rule fields: {sorted(unknown)}")
        return cls(**d)

    def describe(self) -> str:
        parts = []
        if self.top_percent is not None:
            parts.append(f"top {self.top_percent:g}% by {self.score}")
        if self.threshold is not None:
            parts.append(f"{self.score} >= {self.threshold:g}")
        if self.clusters:
            label = "cluster" if len(self.clusters) == 1 else "clusters"
            parts.append(f"{label} {', '.join(str(c) for c in self.clusters)}")
        if self.remove_ids:
            parts.append(f"{len(self.remove_ids)} id(s) chosen by hand")
        if self.remove_marks:
            parts.append(f"rows marked {' or '.join(self.remove_marks)}")
        if self.keep_marks:
            parts.append(f"rows not marked {' or '.join(self.keep_marks)}")
        text = "remove " + " or ".join(parts) if parts else "remove nothing"
        if self.keep_ids:
            text += f"; always keep {len(self.keep_ids)} id(s)"
        return text


def decide(samples: pl.DataFrame, rule: FilterRule) -> pl.DataFrame:
    """Apply `rule` to the training rows (`set == "train"`) of samples.parquet.

    Returns one row per training sample, in samples order: `id`, `removed` (bool), `reason`
    (str, "" when kept; several reasons joined with "; ").
    """
    rule.check_has_criteria()
    train = samples.filter(pl.col("set") == "train")
    known_ids = set(train["id"].to_list())
    for name, ids in (("remove_ids", rule.remove_ids), ("keep_ids", rule.keep_ids)):
        unknown = [i for i in ids if i not in known_ids]
        if unknown:
            shown = ", ".join(repr(i) for i in unknown[:5])
            raise ValueError(
                f"{name} holds {len(unknown)} id(s) that are not training rows: {shown}"
            )

    reasons: list[pl.Expr] = []
    if rule.uses_score:
        _check_score(train, score_columns(samples), rule.score)
        score = _score_value(rule.score)
        if rule.top_percent is not None:
            reasons.append(_top_percent_reason(train, rule, score))
        if rule.threshold is not None:
            reasons.append(
                pl.when(score >= rule.threshold).then(pl.lit(f"{rule.score} >= {rule.threshold:g}"))
            )
    if rule.clusters:
        if "cluster" not in train.columns:
            raise ValueError("the rule names clusters but samples.parquet has no cluster column")
        reasons.append(
            pl.when(pl.col("cluster").is_in(list(rule.clusters))).then(
                pl.lit("cluster ") + pl.col("cluster").cast(pl.String)
            )
        )
    if rule.remove_ids:
        reasons.append(pl.when(pl.col("id").is_in(list(rule.remove_ids))).then(pl.lit("manual")))
    if rule.uses_marks:
        reasons.extend(_mark_reasons(rule))

    reason = pl.concat_str(reasons, separator="; ", ignore_nulls=True) if reasons else pl.lit(None)
    reason = pl.when(pl.col("id").is_in(list(rule.keep_ids))).then(pl.lit("")).otherwise(reason)
    return train.select(
        pl.col("id").cast(pl.String),
        reason.fill_null("").cast(pl.String).alias("reason"),
    ).select("id", (pl.col("reason") != "").alias("removed"), "reason")


def _mark_reasons(rule: FilterRule) -> list[pl.Expr]:
    """A row marked with a removed mark goes ("marked harmful"); with `keep_marks`, a row
    without one of them goes too ("not marked fine")."""
    if rule.marked:
        mark = pl.col("id").replace_strict(dict(rule.marked), default=None, return_dtype=pl.String)
    else:
        mark = pl.lit(None, dtype=pl.String)
    reasons = []
    if rule.remove_marks:
        reasons.append(pl.when(mark.is_in(list(rule.remove_marks)).fill_null(False)).then(pl.lit("marked ") + mark))
    if rule.keep_marks:
        kept = mark.is_in(list(rule.keep_marks)).fill_null(False)
        reasons.append(pl.when(~kept).then(pl.lit(f"not marked {' or '.join(rule.keep_marks)}")))
    return reasons


def _check_score(train: pl.DataFrame, available: list[str], name: str) -> int:
    """Raise unless `name` is a score column with a value on some training row; return how
    many training rows have one."""
    if name not in available:
        raise ValueError(f"unknown score column {name!r}; available: {available}")
    scored = int(train.select(_score_value(name).is_not_null().sum()).item())
    if scored == 0:
        raise EmptyScoreError(
            f"{name} has no value on any training row (null or NaN on all {train.height:,}), "
            "so a score cut cannot rank them; the build leaves a score empty when it cannot "
            "compute it (see the notes in the analysis manifest): choose another score"
        )
    return scored


def score_cut_summary(samples: pl.DataFrame, rule: FilterRule) -> dict[str, Any] | None:
    """What the score part of `rule` works on: {score, scored, unscored, top_percent_rows}
    (training rows with / without a value of the score; rows the top-q% cut selects, None
    without one). None when the rule has no score cut; raises like `decide`."""
    if not rule.uses_score:
        return None
    train = samples.filter(pl.col("set") == "train")
    scored = _check_score(train, score_columns(samples), rule.score)
    return {
        "score": rule.score,
        "scored": scored,
        "unscored": train.height - scored,
        "top_percent_rows": (
            top_count(rule.top_percent, scored) if rule.top_percent is not None else None
        ),
    }


def _top_percent_reason(train: pl.DataFrame, rule: FilterRule, score: pl.Expr) -> pl.Expr:
    # Only scored rows compete: q% of them, never an unscored row.
    scored = train.select(pl.col("id"), score.alias("value")).drop_nulls("value")
    top = scored.sort(["value", "id"], descending=[True, False]).head(
        top_count(rule.top_percent, scored.height)
    )
    cut = top["value"].min()
    cut_text = f" (>= {cut:.4g})" if cut is not None else ""
    label = f"top {rule.top_percent:g}% by {rule.score}{cut_text}"
    return pl.when(pl.col("id").is_in(top["id"].implode())).then(pl.lit(label))
