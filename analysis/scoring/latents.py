"""Latents near the toxic ones: decoder proximity to the toxic latents, and the paper's toxic latents."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


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
