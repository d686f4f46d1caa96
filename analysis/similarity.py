"""Cosine kernels shared by the scorer, the baselines, the diagnostics, the monitor and the maps."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp


def unit_rows(matrix: Any) -> Any:
    """`matrix` with every row scaled to unit L2 norm (all-zero rows stay zero); dense or sparse."""
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1)


# Similarities held at once by a search (about 32 MB in float64, with a few copies of that
# while the best are picked): the queries are taken in blocks of rows that fit, so a search
# against every training row uses as much memory at 100,000 rows as at 5,000.
BLOCK_SIMILARITIES = 1 << 22


def query_block_rows(n_references: int, chunk: int | None = None) -> int:
    """Queries searched at once: `chunk` when given, else as many as BLOCK_SIMILARITIES allows."""
    if chunk is not None:
        return max(1, chunk)
    return max(1, BLOCK_SIMILARITIES // max(1, n_references))


def top_k_similarity(queries: Any, references: Any, k: int, chunk: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean cosine of each (unit) query to its k most similar (unit) references, and which;
    `chunk` queries at a time (default: `query_block_rows`).

    Returns (means [n], reference indices [n, k], similarities [n, k]), best first.
    """
    n, n_ref = queries.shape[0], references.shape[0]
    k = max(1, min(k, n_ref))
    chunk = query_block_rows(n_ref, chunk)
    means = np.zeros(n)
    top_rows = np.zeros((n, k), dtype=np.int64)
    top_sims = np.zeros((n, k), dtype=np.float32)
    reference_t = references.T.tocsc() if sp.issparse(references) else references.T
    for start in range(0, n, chunk):
        sims = queries[start : start + chunk] @ reference_t
        sims = sims.toarray() if sp.issparse(sims) else np.asarray(sims)
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-part_sims, axis=1, kind="stable")
        stop = start + sims.shape[0]
        top_rows[start:stop] = np.take_along_axis(part, order, axis=1)
        top_sims[start:stop] = np.take_along_axis(part_sims, order, axis=1)
        means[start:stop] = part_sims.mean(axis=1)
    return means, top_rows, top_sims


def knn_contrast(
    queries_unit: Any, toxic_unit: Any, benign_unit: Any | None, k: int, chunk: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean cosine of each unit query to its k nearest toxic references minus the mean to its
    k nearest benign ones; without benign references (None) the toxic term alone.

    Returns (contrast [n], nearest toxic indices [n, k], their similarities [n, k]), so a
    caller that shows the nearest toxic references does not search them twice.
    """
    toxic, nearest, sims = top_k_similarity(queries_unit, toxic_unit, k, chunk)
    if benign_unit is None:
        return toxic, nearest, sims
    return toxic - top_k_similarity(queries_unit, benign_unit, k, chunk)[0], nearest, sims


def mid_rank_percentile(sorted_reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Share of `sorted_reference` below each value, ties counted half (NaN stays NaN).

    `sorted_reference` is ascending and finite; with no reference every value is NaN.
    """
    if len(sorted_reference) == 0:
        return np.full(len(values), np.nan)
    below = np.searchsorted(sorted_reference, values, side="left")
    at_or_below = np.searchsorted(sorted_reference, values, side="right")
    return np.where(np.isfinite(values), (below + at_or_below) / (2.0 * len(sorted_reference)), np.nan)
