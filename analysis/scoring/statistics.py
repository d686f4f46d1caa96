"""The association statistics behind toxic latents, toxic clusters, export cuts and drift.

One-sided Fisher exact tests (hypergeometric tail) with Benjamini-Hochberg correction across
latents / clusters, smoothed log-odds, and `top_count`, the number of rows a top-q% cut takes.
The fitted scorer (`analysis.scoring.scorer.ToxicProximity`) uses these to pick its toxic
latents and clusters.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import polars as pl
import scipy.sparse as sp
from scipy.stats import false_discovery_control, hypergeom

from analysis.config import ProximityConfig


def fisher_greater(a: np.ndarray, in_group: np.ndarray, total_positive: int, total: int) -> np.ndarray:
    """P(X >= a) for X ~ Hypergeom(total, total_positive, in_group): one-sided Fisher exact."""
    return hypergeom.sf(np.asarray(a) - 1, total, total_positive, np.asarray(in_group))


def bh_q(p: np.ndarray) -> np.ndarray:
    return false_discovery_control(np.clip(p, 0, 1), method="bh") if len(p) else p


def smoothed_log_odds(a, n, b, m) -> np.ndarray:
    """log-odds ratio of a/n vs b/m with +0.5 smoothing (Haldane-Anscombe)."""
    a, n, b, m = (np.asarray(v, dtype=np.float64) for v in (a, n, b, m))
    return np.log((a + 0.5) / (n - a + 0.5)) - np.log((b + 0.5) / (m - b + 0.5))


def comparison_set(sets: np.ndarray) -> str:
    """Toxic latents are contrasted with the benign reference, or the training set without one."""
    return "benign" if (sets == "benign").any() else "train"


def feature_statistics(codes: sp.csr_matrix, sets: np.ndarray, cfg: ProximityConfig) -> pl.DataFrame:
    """One row per latent active anywhere: frequencies, means and the toxic statistic."""
    active = (codes > 0).astype(np.int32).tocsc()
    columns: dict[str, np.ndarray] = {}
    for name in ("train", "toxic", "benign"):
        rows = np.flatnonzero(sets == name)
        n = max(len(rows), 1)
        columns[f"count_{name}"] = np.asarray(active[rows].sum(axis=0)).ravel()
        columns[f"freq_{name}"] = columns[f"count_{name}"] / n
        columns[f"mean_{name}"] = np.asarray(codes[rows].sum(axis=0)).ravel() / n
    other = comparison_set(sets)
    n_toxic, n_other = int((sets == "toxic").sum()), int((sets == other).sum())
    a, b = columns["count_toxic"], columns[f"count_{other}"]
    log_odds = smoothed_log_odds(a, n_toxic, b, n_other)
    p = fisher_greater(a, a + b, n_toxic, n_toxic + n_other)
    used = np.flatnonzero(np.asarray(active.sum(axis=0)).ravel() > 0)
    # BH over every latent active in the data (those absent from both compared sets have
    # p = 1): conservative, and the family does not change with the comparison set
    q = np.ones_like(p)
    q[used] = bh_q(p[used])
    is_toxic = (q < cfg.fdr_alpha) & (log_odds > 0) & (a >= cfg.min_toxic_count)
    frame = pl.DataFrame(
        {
            "feature": used.astype(np.int32),
            **{
                key: columns[key][used].astype(np.float64)
                for key in ("freq_train", "freq_toxic", "freq_benign", "mean_train", "mean_toxic", "mean_benign")
            },
            "toxic_log_odds": log_odds[used],
            "toxic_p": p[used],
            "toxic_q": q[used],
            "is_toxic": is_toxic[used],
        }
    )
    return frame


def enrichment_table(
    labels: np.ndarray, positive: np.ndarray, codes: sp.csr_matrix | None, cfg: ProximityConfig, kind: str
) -> pl.DataFrame:
    """Per cluster: size, positives, share, odds ratio and Fisher q-value.

    `positive` marks toxic-reference samples (sample clusters) or toxic latents (feature
    clusters). Noise (-1) is reported but is never a toxic cluster.
    """
    clusters = np.unique(labels)
    total, total_positive = len(labels), int(positive.sum())
    size = np.array([(labels == c).sum() for c in clusters])
    hits = np.array([(positive & (labels == c)).sum() for c in clusters])
    p = fisher_greater(hits, size, total_positive, total)
    real = clusters >= 0
    q = np.ones_like(p)
    if real.any():
        q[real] = bh_q(p[real])
    odds = np.exp(smoothed_log_odds(hits, size, total_positive - hits, total - size))
    is_toxic = real & (q < cfg.fdr_alpha) & (odds > 1) & (hits >= cfg.min_toxic_count)
    frame = pl.DataFrame(
        {
            "cluster": clusters.astype(np.int32),
            "size": size.astype(np.int64),
            ("n_toxic" if kind == "samples" else "n_toxic_features"): hits.astype(np.int64),
            "toxic_share": hits / np.maximum(size, 1),
            "odds_ratio": odds,
            "p_value": p,
            "q_value": q,
            "is_toxic_cluster": is_toxic,
        }
    )
    if codes is not None:
        frame = frame.with_columns(top_features=pl.Series(_top_features_per_cluster(labels, clusters, codes), dtype=pl.List(pl.Int32)))
    return frame


def _top_features_per_cluster(labels: np.ndarray, clusters: np.ndarray, codes: sp.csr_matrix, top: int = 8) -> list[list[int]]:
    """Latents whose mean activation in the cluster most exceeds their mean overall."""
    overall = np.asarray(codes.mean(axis=0)).ravel()
    result = []
    for c in clusters:
        inside = np.asarray(codes[labels == c].mean(axis=0)).ravel() - overall
        order = np.argsort(-inside, kind="stable")[:top]
        result.append([int(f) for f in order if inside[f] > 0])
    return result


def top_count(top_percent: float | Fraction, n_rows: int) -> int:
    """How many of `n_rows` scored rows a top-`top_percent`% cut removes.

    The one definition used by the export, by `analysis.use.evaluate` (precision / recall at
    the top q%) and by the monitor's drift cut: q% of n rounded half up, at least one row
    when n > 0, at most n. So the top 0.1% of 300 rows is 1 row (0.3 rounds to 0, but a cut
    that was asked for removes something), the top 2.5% of 10 rows is 1, the top 2.5% of 100
    rows is 3 (2.5 rounds up).
    q is taken as the decimal number it is written as (a float's shortest repr), so a half is
    a half: 2.3% of 1,500 rows is 34.5 and gives 35 (binary floating point would give
    34.4999... and 34). A `Fraction` is used as it is.
    """
    percent = top_percent if isinstance(top_percent, Fraction) else Fraction(repr(float(top_percent)))
    if not (0 < percent <= 100):
        raise ValueError(f"top_percent must be in (0, 100], got {top_percent}")
    if n_rows <= 0:
        return 0
    exact = percent * n_rows / 100
    return min(n_rows, max(1, math.floor(exact + Fraction(1, 2))))
