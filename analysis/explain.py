"""Why a sample scores as it does: the latents that contribute most, and its nearest toxic rows.

A contribution is the part of the score that one latent accounts for, so contributions add
up to the score (up to the benign term of `score_knn` and the constant of
`score_cluster_distance`, which no single latent owns):

- toxic activation: the latent's share of the sample's activation mass, for toxic latents;
- decoder proximity: activation share x decoder cosine to the nearest toxic latent (1 for a
  toxic latent itself); the `_excl` variant leaves toxic latents out;
- kNN: the latent's term in the cosine to the mean of the k nearest toxic-reference rows;
- cluster distance: the latent's term in the cosine to the nearest toxic cluster's centroid;
- probe: unit-normalised activation x the probe's weight.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .config import ProximityConfig
from .proximity import SCORE_COLUMNS as EXPLAINED_SCORES


def resolve_score(analysis: Any, score_name: str) -> str:
    """`score` stands for the family the manifest names as the default."""
    if score_name == "score":
        return analysis.manifest.get("default_score", ProximityConfig().default_score)
    if score_name not in EXPLAINED_SCORES:
        raise ValueError(f"no explanation for {score_name!r}; known: score, {', '.join(EXPLAINED_SCORES)}")
    return score_name


def _sparse_row(analysis: Any, sample_id: str) -> tuple[np.ndarray, np.ndarray]:
    row = analysis.activations.filter(pl.col("id") == sample_id)
    if row.height == 0:
        raise KeyError(f"no sample with id {sample_id!r} in {Path(analysis.path).name}")
    return np.asarray(row["features"][0], dtype=np.int64), np.asarray(row["values"][0], dtype=np.float64)


def _unit_vectors(analysis: Any, ids: list[str]) -> dict[int, float]:
    """Mean of the unit-norm sparse codes of `ids`, as {latent: value}."""
    from .geometry import activation_matrix, l2_normalize_rows

    if not ids:
        return {}
    mean = np.asarray(l2_normalize_rows(activation_matrix(analysis.activations, ids)).mean(axis=0)).ravel()
    latents = np.flatnonzero(mean)
    return dict(zip(latents.tolist(), mean[latents].tolist(), strict=True))


def explain_sample(analysis: Any, sample_id: str, score_name: str = "score", top: int = 15) -> pl.DataFrame:
    """The latents behind `score_name` for one sample, largest contribution first.

    Columns: feature, activation, contribution, is_toxic, top_tokens, nearest_toxic_feature,
    toxic_proximity.
    """
    family = resolve_score(analysis, score_name)
    features, values = _sparse_row(analysis, sample_id)
    info = analysis.features.select(
        "feature", "is_toxic", "top_tokens", "toxic_proximity", "nearest_toxic_feature", "probe_weight"
    )
    frame = pl.DataFrame({"feature": features.astype(np.int32), "activation": values}).join(info, on="feature", how="left", maintain_order="left")
    is_toxic = frame["is_toxic"].fill_null(False).to_numpy()
    proximity = frame["toxic_proximity"].fill_null(0.0).to_numpy()
    mass = max(values.sum(), 1e-12)
    unit = values / max(float(np.linalg.norm(values)), 1e-12)

    if family == "score_toxic_activation":
        contribution = np.where(is_toxic, values / mass, 0.0)
    elif family == "score_decoder_proximity":
        contribution = values * np.where(is_toxic, 1.0, proximity) / mass
    elif family == "score_decoder_proximity_excl":
        non_toxic_mass = max(values[~is_toxic].sum(), 1e-12)
        contribution = np.where(is_toxic, 0.0, values * proximity / non_toxic_mass)
    elif family == "score_knn":
        row = analysis.samples.filter(pl.col("id") == sample_id)
        neighbours = _unit_vectors(analysis, list(row["nearest_toxic_ids"][0]))
        contribution = unit * np.array([neighbours.get(int(f), 0.0) for f in features])
    elif family == "score_cluster_distance":
        row = analysis.samples.filter(pl.col("id") == sample_id)
        cluster = int(row["nearest_toxic_cluster"][0])
        if cluster >= 0:
            members = analysis.samples.filter(pl.col("cluster") == cluster)["id"].to_list()
        else:
            members = analysis.samples.filter(pl.col("set") == "toxic")["id"].to_list()
        centroid = _unit_vectors(analysis, members)
        norm = float(np.linalg.norm(list(centroid.values()))) or 1.0
        contribution = unit * np.array([centroid.get(int(f), 0.0) / norm for f in features])
    else:
        weights = frame["probe_weight"].fill_null(0.0).fill_nan(0.0).to_numpy()
        contribution = unit * weights
    return (
        frame.with_columns(contribution=pl.Series(contribution, dtype=pl.Float64), is_toxic=pl.Series(is_toxic))
        .sort(["contribution", "feature"], descending=[True, False])
        .head(top)
        .select("feature", "activation", "contribution", "is_toxic", "top_tokens", "nearest_toxic_feature", "toxic_proximity")
    )


def nearest_toxic_samples(analysis: Any, sample_id: str) -> pl.DataFrame:
    """The sample's nearest toxic-reference rows (cosine in SAE space): id, similarity, text."""
    row = analysis.samples.filter(pl.col("id") == sample_id)
    if row.height == 0:
        raise KeyError(f"no sample with id {sample_id!r}")
    neighbours = pl.DataFrame(
        {"id": list(row["nearest_toxic_ids"][0]), "similarity": list(row["nearest_toxic_sims"][0])},
        schema={"id": pl.String, "similarity": pl.Float32},
    )
    return neighbours.join(analysis.samples.select("id", "text", "cluster"), on="id", how="left")
