"""The bootstrap's metrics for many resamples at once equal scikit-learn's on each resample."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score

from analysis.use.resampled_metrics import (
    resample_count_chunks,
    resample_counts,
    weighted_auroc,
    weighted_average_precision,
)


def _rows(n_rows: int, n_bootstrap: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, n_rows, n_rows) for _ in range(n_bootstrap)])


def test_counts_are_the_draws_of_a_loop_in_any_chunking():
    rows = _rows(50, 30, seed=7)
    counts = resample_counts(50, 30, seed=7)
    assert counts.shape == (30, 50) and (counts.sum(axis=1) == 50).all()
    assert all((np.bincount(r, minlength=50) == c).all() for r, c in zip(rows, counts, strict=True))
    assert (np.concatenate(list(resample_count_chunks(50, 30, seed=7, chunk=7))) == counts).all()
    assert [c.shape[0] for c in resample_count_chunks(50, 30, seed=7, chunk=7)] == [7, 7, 7, 7, 2]


@settings(max_examples=60, deadline=None)
@given(
    n_rows=st.integers(2, 60),
    seed=st.integers(0, 10_000),
    decimals=st.integers(0, 2),  # few decimals: many ties
    positive_share=st.floats(0.05, 0.95),
)
def test_both_metrics_equal_sklearn_on_every_resample(n_rows, seed, decimals, positive_share):
    rng = np.random.default_rng(seed)
    labels = rng.random(n_rows) < positive_share
    scores = np.round(rng.normal(size=n_rows) + labels, decimals)
    weights = resample_counts(n_rows, 12, seed)
    aurocs, aps = weighted_auroc(scores, labels, weights), weighted_average_precision(scores, labels, weights)
    for b, rows in enumerate(_rows(n_rows, 12, seed)):
        y, s = labels[rows], scores[rows]
        if y.all() or not y.any():
            assert np.isnan(aurocs[b]) and np.isnan(aps[b])
            continue
        assert aurocs[b] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        assert aps[b] == pytest.approx(average_precision_score(y, s), abs=1e-12)
