"""AUROC and average precision of many bootstrap resamples at once.

A resample with replacement is a weighting of the rows by how often each was drawn
(`resample_counts`); both metrics are computed for every weighting in one pass over the
rows sorted once, ties grouped as scikit-learn groups them. They equal `roc_auc_score` and
`average_precision_score` on the resampled rows (tests/test_resampled_metrics.py holds them to
it), at a small fraction of the cost: scikit-learn validates its inputs on each of a thousand
calls per method, which made the evaluation's intervals most of a report's time.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Resamples per chunk are chosen so that one chunk's weights stay near this many cells.
CHUNK_CELLS = 4_000_000


def resample_counts(n_rows: int, n_bootstrap: int, seed: int) -> np.ndarray:
    """(n_bootstrap, n_rows) multiplicities of each row in each resample with replacement:
    resample b draws `rng.integers(0, n_rows, n_rows)`, as a loop of draws would."""
    return next(resample_count_chunks(n_rows, n_bootstrap, seed, chunk=n_bootstrap)) if n_bootstrap else np.zeros((0, n_rows))


def resample_count_chunks(n_rows: int, n_bootstrap: int, seed: int, chunk: int | None = None) -> Iterator[np.ndarray]:
    """`resample_counts` in chunks of resamples (the same resamples, in the same order), so
    that a large table never holds n_bootstrap x n_rows weights at once."""
    rng = np.random.default_rng(seed)
    chunk = chunk or max(1, CHUNK_CELLS // max(n_rows, 1))
    for start in range(0, n_bootstrap, chunk):
        size = min(chunk, n_bootstrap - start)
        rows = rng.integers(0, n_rows, (size, n_rows))
        offsets = np.arange(size)[:, None] * n_rows
        yield np.bincount((rows + offsets).ravel(), minlength=size * n_rows).reshape(size, n_rows).astype(np.float64)


def _grouped(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per weighting, the weight of positives and of negatives at each distinct score, ascending."""
    labels = np.asarray(labels, dtype=bool)
    order = np.argsort(scores, kind="mergesort")
    ordered, positive = scores[order], labels[order]
    w = np.atleast_2d(weights)[:, order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return np.add.reduceat(w * positive, starts, axis=1), np.add.reduceat(w * ~positive, starts, axis=1)


def weighted_auroc(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """AUROC of each weighted copy of the rows (one row of `weights` per copy): the
    Mann-Whitney statistic with ties counted one half, which is what `roc_auc_score` returns on
    the resampled rows. NaN where a copy holds a single class."""
    pos, neg = _grouped(scores, labels, weights)
    below = np.cumsum(neg, axis=1) - neg
    numerator = (pos * (below + 0.5 * neg)).sum(axis=1)
    denominator = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def weighted_average_precision(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Average precision of each weighted copy of the rows, as `average_precision_score` gives
    it on the resampled rows: the precision at each distinct score, from the highest down,
    weighted by the positives found there. NaN where a copy holds a single class."""
    pos, neg = _grouped(scores, labels, weights)
    pos, neg = pos[:, ::-1], neg[:, ::-1]  # highest score first
    found, taken = np.cumsum(pos, axis=1), np.cumsum(pos + neg, axis=1)
    precision = np.divide(found, taken, out=np.zeros_like(found), where=taken > 0)
    n_positive, n_negative = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ap = (pos * precision).sum(axis=1) / n_positive
    return np.where((n_positive > 0) & (n_negative > 0), ap, np.nan)
