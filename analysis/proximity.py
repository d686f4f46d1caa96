"""Toxic latents, toxic clusters and the proximity scores of every sample.

All scores are "higher = closer to toxic". Statistics: one-sided Fisher exact tests
(hypergeometric tail) with Benjamini-Hochberg correction across latents / clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp
from scipy.stats import false_discovery_control, hypergeom

from .config import ProximityConfig
from .geometry import l2_normalize_rows

SCORE_COLUMNS = (
    "score_toxic_activation",
    "score_decoder_proximity",
    "score_decoder_proximity_excl",
    "score_knn",
    "score_cluster_distance",
    "score_probe",
)


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


def feature_table(codes: sp.csr_matrix, sets: np.ndarray, cfg: ProximityConfig) -> pl.DataFrame:
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


def _top_k_mean_similarity(
    normalized: sp.csr_matrix, reference_rows: np.ndarray, k: int, chunk: int = 4096
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean cosine of each row to its k most similar reference rows (never itself), and those rows."""
    n = normalized.shape[0]
    k = max(1, min(k, len(reference_rows) - 1 if len(reference_rows) > 1 else 1))
    reference = normalized[reference_rows].T.tocsc()
    position_in_reference = np.full(n, -1)
    position_in_reference[reference_rows] = np.arange(len(reference_rows))
    means = np.zeros(n)
    top_rows = np.zeros((n, k), dtype=np.int64)
    top_sims = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        sims = (normalized[start:stop] @ reference).toarray()
        own = position_in_reference[start:stop]
        mine = np.flatnonzero(own >= 0)
        sims[mine, own[mine]] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-part_sims, axis=1, kind="stable")
        part, part_sims = np.take_along_axis(part, order, axis=1), np.take_along_axis(part_sims, order, axis=1)
        means[start:stop] = part_sims.mean(axis=1)
        top_rows[start:stop] = reference_rows[part]
        top_sims[start:stop] = part_sims
    return means, top_rows, top_sims


def cluster_centroids(normalized: sp.csr_matrix, labels: np.ndarray, clusters: list[int]) -> np.ndarray:
    """Unit-norm mean code of each listed cluster, [len(clusters), d_sae]."""
    rows = [np.asarray(normalized[labels == c].mean(axis=0)).ravel() for c in clusters]
    return l2_normalize_rows(np.vstack(rows)) if rows else np.zeros((0, normalized.shape[1]))


@dataclass
class ScoreResult:
    scores: pl.DataFrame  # one row per sample, in input order
    probe_weights: np.ndarray | None  # [d_sae]
    probe_intercept: float | None
    notes: list[str]


def score_samples(
    codes: sp.csr_matrix,
    sets: np.ndarray,
    ids: np.ndarray,
    labels: np.ndarray,
    toxic_clusters: list[int],
    proximity: LatentProximity,
    toxic_latents: np.ndarray,
    cfg: ProximityConfig,
) -> ScoreResult:
    notes: list[str] = []
    normalized = l2_normalize_rows(codes).tocsr()
    mass = np.asarray(codes.sum(axis=1)).ravel()
    safe_mass = np.maximum(mass, 1e-12)
    toxic_mask = np.zeros(codes.shape[1], dtype=bool)
    toxic_mask[toxic_latents] = True
    if not toxic_mask.any():
        notes.append("no latent passed the toxic test: latent-based scores are 0")

    toxic_mass = np.asarray(codes[:, toxic_mask].sum(axis=1)).ravel() if toxic_mask.any() else np.zeros(len(ids))
    including = np.where(toxic_mask, 1.0, proximity.to_toxic)
    excluding = np.where(toxic_mask, 0.0, proximity.to_toxic)
    non_toxic_mass = np.maximum(mass - toxic_mass, 1e-12)

    toxic_rows = np.flatnonzero(sets == "toxic")
    benign_rows = np.flatnonzero(sets == "benign")
    knn_toxic, nearest_rows, nearest_sims = _top_k_mean_similarity(normalized, toxic_rows, cfg.k_neighbors)
    if len(benign_rows):
        knn_benign, _, _ = _top_k_mean_similarity(normalized, benign_rows, cfg.k_neighbors)
    else:
        knn_benign = np.zeros(len(ids))
        notes.append("no benign reference: score_knn is the toxic-neighbour similarity alone")

    if toxic_clusters:
        centroids = cluster_centroids(normalized, labels, toxic_clusters)
        sims = np.asarray(normalized @ centroids.T)
        best = sims.argmax(axis=1)
        cluster_score = sims[np.arange(len(ids)), best] - 1.0
        nearest_cluster = np.array(toxic_clusters, dtype=np.int32)[best]
    else:
        centroid = cluster_centroids(normalized, sets, ["toxic"])
        cluster_score = np.asarray(normalized @ centroid.T).ravel() - 1.0
        nearest_cluster = np.full(len(ids), -1, dtype=np.int32)
        notes.append("no toxic cluster: score_cluster_distance uses the centroid of the whole toxic reference")

    probe_scores, weights, intercept = _probe(normalized, sets, cfg, notes)
    scores = pl.DataFrame(
        {
            "score_toxic_activation": toxic_mass / safe_mass,
            "score_decoder_proximity": (codes @ including) / safe_mass,
            "score_decoder_proximity_excl": (codes @ excluding) / non_toxic_mass,
            "score_knn": knn_toxic - knn_benign,
            "score_cluster_distance": cluster_score,
            "score_probe": probe_scores,
            "nearest_toxic_cluster": nearest_cluster,
            "nearest_toxic_ids": pl.Series([list(r) for r in ids[nearest_rows]], dtype=pl.List(pl.String)),
            "nearest_toxic_sims": pl.Series(nearest_sims.tolist(), dtype=pl.List(pl.Float32)),
        }
    )
    return ScoreResult(scores, weights, intercept, notes)


def _probe(
    normalized: sp.csr_matrix, sets: np.ndarray, cfg: ProximityConfig, notes: list[str]
) -> tuple[np.ndarray, np.ndarray | None, float | None]:
    """Logistic probe on toxic vs benign reference rows only; reference rows get out-of-fold scores."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    reference = np.flatnonzero((sets == "toxic") | (sets == "benign"))
    y = (sets[reference] == "toxic").astype(int)
    if (sets == "benign").sum() < 5 or (sets == "toxic").sum() < 5:
        notes.append("score_probe needs at least 5 toxic and 5 benign reference rows: left empty")
        return np.full(len(sets), np.nan), None, None
    model = LogisticRegression(C=cfg.probe_c, class_weight="balanced", max_iter=2000)
    folds = StratifiedKFold(n_splits=min(5, int(np.bincount(y).min())), shuffle=True, random_state=cfg.seed)
    out_of_fold = cross_val_predict(model, normalized[reference], y, cv=folds, method="decision_function")
    model.fit(normalized[reference], y)
    scores = model.decision_function(normalized)
    scores[reference] = out_of_fold
    return scores, model.coef_.ravel(), float(model.intercept_[0])
