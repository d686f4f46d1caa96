"""Out-of-fold scores of the reference rows.

A reference row is scored by a scorer fitted without its fold, so the separation of toxic
from benign references (the diagnostics' AUROC, the evaluation) is honest; training rows
are scored by the scorer fitted on every row, which is also the one the analysis keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from analysis.config import ProximityConfig
from analysis.scoring.scorer import FitRows, ToxicProximity


def reference_folds(sets: np.ndarray, n_folds: int, seed: int) -> list[np.ndarray]:
    """Folds of the reference rows (toxic and benign); training rows are in none.

    The split is a seeded permutation of the reference rows' positions that ignores their
    set, so a row's fold, and the scorer that scores it, never depend on its own label.
    """
    reference = np.flatnonzero((sets == "toxic") | (sets == "benign"))
    n_folds = max(2, min(n_folds, len(reference)))
    order = np.random.default_rng(seed).permutation(reference)
    return [np.sort(fold) for fold in np.array_split(order, n_folds) if len(fold)]


@dataclass
class CrossFitResult:
    scorer: ToxicProximity  # fitted on every row, calibrated on the training rows
    scores: pl.DataFrame  # one row per input row: families (reference rows out of fold) + `score`


def cross_fit(rows: FitRows, config: ProximityConfig) -> CrossFitResult:
    """Fit on all rows, score the training rows with it and each reference row out of fold."""
    scorer = ToxicProximity(config).fit(rows)
    in_sample = scorer.score(rows.codes, rows.dense, rows.texts, rows.own).with_row_index("_row")
    replaced = np.zeros(len(rows.sets), dtype=bool)
    pieces = []
    for fold in reference_folds(rows.sets, config.cross_fit_folds, config.seed):
        keep = np.ones(len(rows.sets), dtype=bool)
        keep[fold] = False
        if not (rows.sets[keep] == "toxic").any():
            continue
        held_out = ToxicProximity(config).fit(rows.subset(keep))
        own = rows.own.subset(fold) if rows.own is not None else None
        fold_scores = held_out.score(rows.codes[fold], rows.dense[fold], rows.texts[fold], own)
        pieces.append(fold_scores.with_columns(_row=pl.Series(fold, dtype=pl.UInt32)).select(in_sample.columns))
        replaced[fold] = True
    frame = pl.concat([in_sample.filter(~pl.Series(replaced)), *pieces]).sort("_row").drop("_row")
    is_train = rows.sets == "train"
    scorer.calibrate(frame.filter(pl.Series(is_train)) if is_train.any() else frame)
    frame = frame.with_columns(score=pl.Series(scorer.combine(frame, config.default_score)))
    return CrossFitResult(scorer, frame)
