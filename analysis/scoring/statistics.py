"""Toxic latents, toxic clusters and the decoder geometry between latents.

Statistics: one-sided Fisher exact tests (hypergeometric tail) with Benjamini-Hochberg
correction across latents / clusters. The scores themselves are computed by the fitted
scorer (`analysis.scorer.ToxicProximity`), which uses these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass
class LatentProximity:
    """Per latent: max decoder cosine to a toxic latent (itself left out) and which one."""

    to_toxic: np.ndarray  # [d_sae]
    nearest_toxic: np.ndarray  # [d_sae], -1 when there is no toxic latent


def latent_proximity(
    d_sae: int, features: np.ndarray, directions: np.ndarray, toxic_latents: np.ndarray
) -> LatentProximity:
    """Decoder proximity of every latent to the toxic ones, computed among the active latents.

    `features` are the latents active in the data and `directions` their unit decoder rows;
    inactive latents never contribute to a score, so they get proximity 0 and no nearest.
    """
    to_toxic = np.zeros(d_sae, dtype=np.float32)
    nearest_toxic = np.full(d_sae, -1, dtype=np.int32)
    toxic_rows = np.flatnonzero(np.isin(features, toxic_latents))
    if len(toxic_rows) == 0:
        return LatentProximity(to_toxic, nearest_toxic)
    cos = directions @ directions[toxic_rows].T
    cos[toxic_rows, np.arange(len(toxic_rows))] = -np.inf
    best = cos.argmax(axis=1)
    value = cos[np.arange(len(features)), best]
    # a lone toxic latent has no other toxic latent to be near
    alone = ~np.isfinite(value)
    to_toxic[features] = np.where(alone, np.nan, value.clip(-1, 1))
    nearest_toxic[features] = np.where(alone, -1, features[toxic_rows][best])
    return LatentProximity(to_toxic, nearest_toxic)


def paper_latents(statistics: pl.DataFrame, top_n: int) -> np.ndarray:
    """The paper's toxic features: the `top_n` latents most associated with the toxic reference
    (smallest one-sided Fisher p-value, then largest log-odds), among those with positive log-odds."""
    ranked = statistics.filter(pl.col("toxic_log_odds") > 0).sort(["toxic_p", "toxic_log_odds", "feature"], descending=[False, True, False])
    return ranked["feature"].head(top_n).to_numpy()


@dataclass
class ProximityTables:
    """Everything the proximity step writes: the per-sample scores and the tables of the views."""

    scores: pl.DataFrame  # one row per sample, input order: every family, `score`, nearest cluster / references
    features: pl.DataFrame
    clusters: pl.DataFrame
    feature_clusters: pl.DataFrame
    scorer: Any  # analysis.scorer.ToxicProximity, fitted and calibrated
    counts: dict[str, int]
    diagnostics: dict[str, Any]
    notes: list[str]


def proximity_tables(
    rows: Any,
    feature_xy: np.ndarray,
    feature_labels: np.ndarray,
    top_tokens: pl.DataFrame,
    cfg: ProximityConfig,
) -> ProximityTables:
    """Fit the scorer on `rows` (an `analysis.scorer.FitRows`), score every row, build the tables."""
    from analysis.scoring.diagnostics import reference_diagnostics
    from analysis.scoring.scorer import cross_fit, score_components, superposition_test

    score_components(cfg.default_score)
    sets, labels, codes = rows.sets, rows.clusters, rows.codes
    fitted = cross_fit(rows, cfg)
    scorer = fitted.scorer
    active = np.asarray(rows.decoder_features)
    features = (
        scorer.statistics_.join(
            pl.DataFrame({"feature": active.astype(np.int32), "x": feature_xy[:, 0], "y": feature_xy[:, 1], "cluster": feature_labels}),
            on="feature",
            how="left",
            maintain_order="left",
        )
        .join(top_tokens, on="feature", how="left", maintain_order="left")
        .with_columns(pl.col("cluster").fill_null(-1), pl.col("top_tokens").fill_null(""))
    )
    latent = features["feature"].to_numpy()
    probe = scorer.probe_coef_
    features = features.with_columns(
        is_paper_toxic=pl.Series(np.isin(latent, scorer.paper_latents_)),
        toxic_proximity=pl.Series(scorer.latent_cosine_[latent]),
        nearest_toxic_feature=pl.Series(scorer.nearest_toxic_[latent]),
        probe_weight=pl.Series(probe[latent] if probe is not None else np.full(len(latent), np.nan)),
    )

    sample_clusters = enrichment_table(labels, sets == "toxic", codes, cfg, "samples")
    per_cluster = pl.DataFrame({"cluster": labels, "set": sets}).group_by("cluster").agg(
        n_train=(pl.col("set") == "train").sum().cast(pl.Int64), n_benign=(pl.col("set") == "benign").sum().cast(pl.Int64)
    )
    sample_clusters = sample_clusters.join(per_cluster, on="cluster", how="left", maintain_order="left")
    feature_labels = np.asarray(feature_labels)
    toxic_frequency = features.select("feature", "freq_toxic")
    feature_clusters = enrichment_table(feature_labels, np.isin(active, scorer.toxic_latents_), None, cfg, "features")
    top_by_cluster = (
        pl.DataFrame({"feature": active.astype(np.int32), "cluster": feature_labels})
        .join(toxic_frequency, on="feature", how="left")
        .sort(["cluster", "freq_toxic", "feature"], descending=[False, True, False])
        .group_by("cluster", maintain_order=True)
        .agg(pl.col("feature").head(8).alias("top_features"))
    )
    feature_clusters = feature_clusters.join(top_by_cluster, on="cluster", how="left", maintain_order="left")

    notes = [f"toxic latents contrasted with the {scorer.comparison_} set"]
    if len(scorer.toxic_latents_) == 0:
        notes.append("no latent passed the toxic test: toxic-latent scores are 0")
    if scorer.comparison_ == "train":
        notes.append("no benign reference: kNN scores use the toxic neighbours alone, score_probe is empty")
    if len(scorer.toxic_clusters_) == 0:
        notes.append("no toxic cluster: score_cluster_distance uses the centroid of the whole toxic reference")
    notes.append("reference rows are scored out of fold (a scorer fitted without them); training rows by the scorer fitted on every reference row")
    diagnostics = reference_diagnostics(rows, fitted.scores)
    diagnostics["superposition_test"] = superposition_test(scorer, codes[sets == "train"])
    notes.extend(diagnostics["warnings"])
    counts = {
        "train": int((sets == "train").sum()),
        "toxic": int((sets == "toxic").sum()),
        "benign": int((sets == "benign").sum()),
        "active_features": int(features.height),
        "toxic_features": int(len(scorer.toxic_latents_)),
        "paper_toxic_features": int(len(scorer.paper_latents_)),
        "clusters": int((sample_clusters["cluster"] >= 0).sum()),
        "toxic_clusters": int(len(scorer.toxic_clusters_)),
        "noise_samples": int((labels < 0).sum()),
        "feature_clusters": int((feature_clusters["cluster"] >= 0).sum()),
        "toxic_feature_clusters": int(feature_clusters["is_toxic_cluster"].sum()),
    }
    return ProximityTables(fitted.scores, features, sample_clusters, feature_clusters, scorer, counts, diagnostics, notes)
