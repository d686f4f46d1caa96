"""Is a new batch closer to toxic than the analysis' training rows? The statistics of `monitor`.

Three tests, each one-sided (only a shift towards toxic is drift):

- `score_shift`: the batch's default score against the training rows' (Mann-Whitney U,
  alternative "greater"), with its effect size AUROC = U / (n_batch n_train), the chance
  that a batch row scores above a training row (0.5: no shift);
- `above_cut`: the share of the batch at or above the training rows' top-q% cut, against
  the share of training rows there (q% up to ties and rounding), by a binomial test;
- `latent_shift`: per SAE latent, is it active in more batch rows than training rows? The
  toxic-latent test of the build (one-sided Fisher exact, Benjamini-Hochberg across the
  latents active in either set), toxic latents listed first.

`flag` turns the first two into the verdict; the latent table explains it. Every function
is pure over arrays, so a benchmark can resample scored rows without extracting again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from analysis.scoring.statistics import bh_q, fisher_greater, smoothed_log_odds, top_count


@dataclass(frozen=True)
class Thresholds:
    """When a batch counts as drifted; every value is recorded in the report."""

    alpha: float = 0.01  # significance of the score-shift and above-cut tests
    min_effect: float = 0.56  # AUROC the score shift must also reach (0.5 = none)
    top_percent: float = 5.0  # the cut: the training rows' top q% by the default score
    latent_fdr: float = 0.05  # BH q below which a latent counts as more frequent in the batch
    min_latent_rows: int = 3  # ...and active in at least this many batch rows (as for toxic latents)
    drivers: int = 10  # highest-scoring batch rows reported with their latents
    driver_latents: int = 5  # latents listed per driver row and family
    map_neighbors: int = 10  # analysis rows a new row is placed among on the map

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {self.alpha}")
        if not 0 <= self.min_effect <= 1:
            raise ValueError(f"min_effect is an AUROC, in [0, 1], got {self.min_effect}")
        if not 0 < self.top_percent < 100:
            raise ValueError(f"top_percent must be in (0, 100), got {self.top_percent}")
        if self.map_neighbors < 1 or self.drivers < 0 or self.driver_latents < 0:
            raise ValueError("map_neighbors must be >= 1, drivers and driver_latents >= 0")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _finite(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values)]


def score_shift(batch: np.ndarray, train: np.ndarray) -> dict[str, Any]:
    """One-sided Mann-Whitney U of batch > training rows, and AUROC = U / (n1 n2).

    Rows without a score (NaN) take no part; with none on either side the test is None.
    """
    from scipy.stats import mannwhitneyu

    scored_batch, scored_train = _finite(batch), _finite(train)
    result: dict[str, Any] = {
        "test": "one-sided Mann-Whitney U, batch > training rows",
        "n_batch": int(len(scored_batch)),
        "n_train": int(len(scored_train)),
        "unscored_batch": int(len(batch) - len(scored_batch)),
        "u": None,
        "p": None,
        "auroc": None,
        "batch_median": float(np.median(scored_batch)) if len(scored_batch) else None,
        "train_median": float(np.median(scored_train)) if len(scored_train) else None,
    }
    if len(scored_batch) == 0 or len(scored_train) == 0:
        return result
    test = mannwhitneyu(scored_batch, scored_train, alternative="greater")
    result.update(u=float(test.statistic), p=float(test.pvalue), auroc=float(test.statistic) / (len(scored_batch) * len(scored_train)))
    return result


def training_cut(train: np.ndarray, top_percent: float) -> float | None:
    """The lowest score among the training rows' top q% (the export's own count of rows)."""
    scored = np.sort(_finite(train))[::-1]
    if len(scored) == 0:
        return None
    return float(scored[top_count(top_percent, len(scored)) - 1])


def above_cut(batch: np.ndarray, train: np.ndarray, top_percent: float) -> dict[str, Any]:
    """One-sided binomial test: is the batch's share at or above the cut larger than the training rows'?

    The null rate is the training rows' own share at or above the cut, which is q% up to
    the rounding of q% of n and ties at the cut, so a batch like the training rows is not
    flagged for those.
    """
    from scipy.stats import binomtest

    scored_batch, scored_train = _finite(batch), _finite(train)
    cut = training_cut(scored_train, top_percent)
    result: dict[str, Any] = {
        "test": "one-sided binomial, batch share at or above the cut > training share",
        "top_percent": float(top_percent),
        "cut": cut,
        "train_share": None,
        "batch_rows_above": None,
        "batch_share": None,
        "p": None,
    }
    if cut is None or len(scored_batch) == 0:
        return result
    rate = float((scored_train >= cut).mean())
    hits = int((scored_batch >= cut).sum())
    result.update(
        train_share=rate,
        batch_rows_above=hits,
        batch_share=hits / len(scored_batch),
        p=float(binomtest(hits, len(scored_batch), rate, alternative="greater").pvalue),
    )
    return result


def flag(score: dict[str, Any], cut: dict[str, Any], thresholds: Thresholds) -> tuple[bool, list[str]]:
    """Drift when the score shift is significant and large enough, or the cut is crossed too often."""
    reasons = []
    if score["p"] is not None and score["p"] < thresholds.alpha and score["auroc"] >= thresholds.min_effect:
        reasons.append(
            f"the batch's scores are shifted up: Mann-Whitney p = {score['p']:.2g} < {thresholds.alpha:g} "
            f"and AUROC {score['auroc']:.3f} >= {thresholds.min_effect:g}"
        )
    if cut["p"] is not None and cut["p"] < thresholds.alpha:
        reasons.append(
            f"{cut['batch_share']:.1%} of the batch is at or above the training rows' top-{cut['top_percent']:g}% cut "
            f"({cut['cut']:.4g}; {cut['train_share']:.1%} of training rows): binomial p = {cut['p']:.2g} < {thresholds.alpha:g}"
        )
    return bool(reasons), reasons


def latent_shift(
    batch_codes: sp.csr_matrix, train_codes: sp.csr_matrix, toxic_latents: np.ndarray, thresholds: Thresholds
) -> pl.DataFrame:
    """One row per latent active in the batch or the training rows: how much more often the batch uses it.

    Columns: feature, is_toxic, count_batch, count_train, freq_batch, freq_train, log_odds
    (smoothed), p (one-sided Fisher exact), q (BH over the latents in the table), drifting
    (q < latent_fdr, log-odds > 0, at least min_latent_rows batch rows). Toxic latents
    first, then by q.
    """
    n_batch, n_train = batch_codes.shape[0], train_codes.shape[0]
    a = np.asarray((batch_codes > 0).sum(axis=0)).ravel()
    b = np.asarray((train_codes > 0).sum(axis=0)).ravel()
    used = np.flatnonzero(a + b > 0)
    a, b = a[used], b[used]
    p = fisher_greater(a, a + b, n_batch, n_batch + n_train) if len(used) else np.zeros(0)
    q = bh_q(p)
    log_odds = smoothed_log_odds(a, max(n_batch, 1), b, max(n_train, 1))
    is_toxic = np.isin(used, np.asarray(toxic_latents, dtype=np.int64))
    drifting = (q < thresholds.latent_fdr) & (log_odds > 0) & (a >= thresholds.min_latent_rows)
    return pl.DataFrame(
        {
            "feature": used.astype(np.int32),
            "is_toxic": is_toxic,
            "count_batch": a.astype(np.int64),
            "count_train": b.astype(np.int64),
            "freq_batch": a / max(n_batch, 1),
            "freq_train": b / max(n_train, 1),
            "log_odds": log_odds,
            "p": p.astype(np.float64),
            "q": np.asarray(q, dtype=np.float64),
            "drifting": drifting,
        }
    ).sort(["is_toxic", "q", "feature"], descending=[True, False, False])


def toxic_row_shift(batch_codes: sp.csr_matrix, train_codes: sp.csr_matrix, toxic_latents: np.ndarray) -> dict[str, Any]:
    """Share of rows with any toxic latent active, batch vs training rows (one-sided Fisher exact)."""
    toxic_latents = np.asarray(toxic_latents, dtype=np.int64)
    if len(toxic_latents) == 0:
        return {"toxic_latents": 0, "batch_share": None, "train_share": None, "p": None}
    hit_batch = int((batch_codes[:, toxic_latents] > 0).sum(axis=1).astype(bool).sum())
    hit_train = int((train_codes[:, toxic_latents] > 0).sum(axis=1).astype(bool).sum())
    n_batch, n_train = batch_codes.shape[0], train_codes.shape[0]
    p = fisher_greater(np.array([hit_batch]), np.array([hit_batch + hit_train]), n_batch, n_batch + n_train)[0]
    return {
        "test": "one-sided Fisher exact, rows with a toxic latent active, batch > training rows",
        "toxic_latents": int(len(toxic_latents)),
        "batch_share": hit_batch / max(n_batch, 1),
        "train_share": hit_train / max(n_train, 1),
        "p": float(p),
    }
