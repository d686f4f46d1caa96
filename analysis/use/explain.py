"""Why a sample scores as it does: the latents behind a score, and its nearest toxic rows.

The contributions come from the analysis' fitted scorer (`analysis.scoring.scorer.ToxicProximity`):
the part of the score that one latent accounts for, so for the activation, decoder and
paper families they add up to the score (see `ToxicProximity.latent_contributions` for the
others; for `score_contrast_latents` they add up to the score less a constant part,
`ToxicProximity.contrast_latents_rest`; for `score_self_contrast_latents`, taken against the
model's own answer to the row's prompt, less `ToxicProximity.self_contrast_rest`).
`score_dense_knn`, `score_lexical_knn`, `score_contrast_direction` and `score_self_contrast`
are not made of latents: their explanation is the nearest toxic references. A rank average is explained by its components, each row naming its family.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis.artifacts.folder import Analysis, AnalysisNotFound
from analysis.artifacts.layout import SCORER, SCORER_STATE
from analysis.scoring.families import (
    FAMILIES,
    LATENT_FAMILIES,
    SELF_CONTRAST_FAMILIES,
    score_components,
)
from analysis.scoring.scorer import ToxicProximity


def load_scorer(analysis: Analysis) -> ToxicProximity:
    """The fitted scorer saved with the analysis (`scorer/`), read from disk at each call:
    a caller that asks often keeps it (the app caches it per analysis)."""
    folder = analysis.path / SCORER
    if not (folder / SCORER_STATE).is_file():
        raise AnalysisNotFound(f"{analysis.name}: no fitted scorer (built by an older version): rebuild the analysis")
    return ToxicProximity.load(folder)


def resolve_score(analysis: Any, score_name: str) -> tuple[str, ...]:
    """The families behind a score column: `score` stands for the manifest's default."""
    if score_name == "score":
        return score_components(analysis.manifest["default_score"])
    if score_name not in FAMILIES:
        raise ValueError(f"no explanation for {score_name!r}; known: score, {', '.join(FAMILIES)}")
    return (score_name,)


def _sparse_row(analysis: Any, sample_id: str) -> tuple[np.ndarray, np.ndarray]:
    row = analysis.activations.filter(pl.col("id") == sample_id)
    if row.height == 0:
        raise KeyError(f"no sample with id {sample_id!r} in {Path(analysis.path).name}")
    return np.asarray(row["features"][0], dtype=np.int64), np.asarray(row["values"][0], dtype=np.float64)


def own_answer_codes(self_responses: pl.DataFrame | None, sample_id: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(latents, values) of the model's own answer to the row's prompt; None when the row has
    none (no prompt). Raises ValueError when there are no own answers at all (a build without
    --self-contrast)."""
    if self_responses is None:
        raise ValueError("the self-contrast families need an analysis built with --self-contrast")
    row = self_responses.filter(pl.col("id") == sample_id)
    if row.height == 0 or row["response"][0] is None:
        return None
    return np.asarray(row["features"][0], dtype=np.int64), np.asarray(row["values"][0], dtype=np.float64)


def explain_sample(
    analysis: Any, sample_id: str, score_name: str = "score", top: int = 15, scorer: ToxicProximity | None = None
) -> pl.DataFrame:
    """The latents behind `score_name` for one sample, largest contribution first, from the
    analysis' fitted scorer (`scorer`, read with `load_scorer` when not given).

    Columns: family, feature, activation, contribution, is_toxic, top_tokens,
    nearest_toxic_feature, toxic_proximity. Empty for a family that has no latents.
    """
    families = [family for family in resolve_score(analysis, score_name) if family in LATENT_FAMILIES]
    features, values = _sparse_row(analysis, sample_id)
    scorer = scorer if scorer is not None else load_scorer(analysis)
    info = analysis.features.select("feature", "is_toxic", "top_tokens", "toxic_proximity", "nearest_toxic_feature")
    parts = []
    for family in families:
        own = own_answer_codes(analysis.self_responses, sample_id) if family in SELF_CONTRAST_FAMILIES else None
        if family in SELF_CONTRAST_FAMILIES and own is None:
            continue  # no own answer, no score: nothing to explain
        contribution = scorer.latent_contributions(features, values, family, own)
        parts.append(
            pl.DataFrame(
                {
                    "family": [family] * len(features),
                    "feature": features.astype(np.int32),
                    "activation": values,
                    "contribution": np.asarray(contribution, dtype=np.float64),
                }
            )
            .sort(["contribution", "feature"], descending=[True, False])
            .head(top)
        )
    schema = {"family": pl.String, "feature": pl.Int32, "activation": pl.Float64, "contribution": pl.Float64}
    table = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return (
        table.join(info, on="feature", how="left", maintain_order="left")
        .with_columns(pl.col("is_toxic").fill_null(False))
        .select("family", "feature", "activation", "contribution", "is_toxic", "top_tokens", "nearest_toxic_feature", "toxic_proximity")
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


def row_latents(
    scorer: ToxicProximity,
    spec: str,
    features: pl.DataFrame,
    latent_features: Any,
    values: Any,
    top: int,
    own: tuple[np.ndarray, np.ndarray] | None = None,
) -> pl.DataFrame:
    """The latents behind score `spec` for one row's pooled code: family, feature, activation,
    contribution, is_toxic, top_tokens; the `top` largest positive contributions per latent family.
    `own`: (latents, values) of the model's own answer to the row's prompt, which
    `score_self_contrast_latents` is taken against (None: that family has nothing to explain)."""
    latent_features = np.asarray(latent_features if latent_features is not None else [], dtype=np.int64)
    values = np.asarray(values if values is not None else [], dtype=np.float64)
    schema = {"family": pl.String, "feature": pl.Int32, "activation": pl.Float64, "contribution": pl.Float64}
    parts = []
    for family in (name for name in score_components(spec) if name in LATENT_FAMILIES):
        if family in SELF_CONTRAST_FAMILIES and own is None:
            continue
        contribution = scorer.latent_contributions(latent_features, values, family, own) if len(latent_features) else np.zeros(0)
        parts.append(
            pl.DataFrame(
                {"family": [family] * len(latent_features), "feature": latent_features.astype(np.int32), "activation": values, "contribution": np.asarray(contribution, dtype=np.float64)},
                schema=schema,
            )
            .filter(pl.col("contribution") > 0)
            .sort(["contribution", "feature"], descending=[True, False])
            .head(top)
        )
    table = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return table.join(features.select("feature", "is_toxic", "top_tokens"), on="feature", how="left", maintain_order="left")
