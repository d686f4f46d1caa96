"""The proximity step: the scorer fitted on every row, the samples, features and clusters
tables, written into the analysis folder being built (it is not cached on its own: its key
is the analysis id)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from analysis.artifacts.layout import (
    CLUSTERS,
    EMBEDDINGS,
    FEATURE_CLUSTERS,
    FEATURES,
    SAMPLES,
    SCORER,
    SELF_EMBEDDINGS,
    SELF_RESPONSES,
    TOKENS,
)
from analysis.config import BuildConfig
from analysis.pipeline.extract_step import read_codes, read_decoder
from analysis.pipeline.inputs import LoadedInputs

if TYPE_CHECKING:
    from analysis.scoring.scorer import FitRows, OwnResponses


@dataclass(frozen=True)
class ProximitySummary:
    """What the manifest records of the proximity step."""

    counts: dict[str, Any]
    notes: list[str]
    diagnostics: dict[str, Any]


def _feature_top_tokens(tokens_path: Path, per_feature: int = 5) -> pl.DataFrame:
    """The distinct tokens where each latent fires hardest, as a short label.

    Read with polars' streaming engine: the exploded (token, latent) rows are eight per token
    (15 million tokens at 100,000 rows) and are never held at once; memory follows the distinct
    (latent, token) pairs instead (bench/RESULTS.md, "Memory in rows")."""
    return (
        pl.scan_parquet(tokens_path)
        .select("token", "features", "values")
        .explode("features", "values")
        .drop_nulls("features")
        .with_columns(pl.col("token").str.strip_chars().str.to_lowercase())
        .filter(pl.col("token").str.len_chars() > 0)
        .group_by("features", "token")
        .agg(pl.col("values").max())
        .sort(["features", "values", "token"], descending=[False, True, False])
        .group_by("features", maintain_order=True)
        .agg(pl.col("token").head(per_feature).str.join(" · ").alias("top_tokens"))
        .rename({"features": "feature"})
        .collect(engine="streaming")
    )


def read_own_answers(extract_folder: Path, ids: list[str], d_sae: int) -> OwnResponses | None:
    """The model's own answers the extract step read (`--self-contrast`), rows in `ids` order;
    None when it read none."""
    from safetensors.numpy import load_file

    from analysis.artifacts.codes import activation_matrix
    from analysis.scoring.scorer import OwnResponses

    if not (extract_folder / SELF_RESPONSES).is_file():
        return None
    table = pl.read_parquet(extract_folder / SELF_RESPONSES)
    if table["id"].to_list() != ids:
        raise ValueError(f"{extract_folder / SELF_RESPONSES}: its rows are not the samples' rows")
    return OwnResponses(
        codes=activation_matrix(table, ids, d_sae),
        dense=load_file(str(extract_folder / SELF_EMBEDDINGS))["raw"],
        present=table["response"].is_not_null().to_numpy(),
    )


def _fit_rows(loaded: LoadedInputs, extract_folder: Path, clusters_folder: Path, d_sae: int) -> FitRows:
    from safetensors.numpy import load_file

    from analysis.scoring.scorer import FitRows

    samples = loaded.samples
    features, directions = read_decoder(extract_folder)
    return FitRows(
        codes=read_codes(extract_folder, d_sae),
        dense=load_file(str(extract_folder / EMBEDDINGS))["raw"],
        texts=samples["text"].to_numpy().astype(object),
        sets=samples["set"].to_numpy(),
        ids=samples["id"].to_numpy().astype(object),
        clusters=np.load(clusters_folder / "sample_labels.npy"),
        decoder_features=features,
        decoder_directions=directions,
        own=read_own_answers(extract_folder, samples["id"].to_list(), d_sae),
    )


def write_proximity(
    loaded: LoadedInputs,
    config: BuildConfig,
    extract_folder: Path,
    geometry_folder: Path,
    clusters_folder: Path,
    out: Path,
    d_sae: int,
) -> ProximitySummary:
    """Fit the scorer, score every row, and write the analysis tables and the scorer into `out`."""
    from analysis.scoring.families import scored_families
    from analysis.scoring.tables import proximity_tables

    rows = _fit_rows(loaded, extract_folder, clusters_folder, d_sae)
    tables = proximity_tables(
        rows,
        np.load(geometry_folder / "feature_xy.npy"),
        np.load(clusters_folder / "feature_labels.npy"),
        _feature_top_tokens(extract_folder / TOKENS),
        config.proximity,
    )
    samples = loaded.samples
    sample_xy = np.load(geometry_folder / "sample_xy.npy")
    table = pl.concat(
        [
            samples.drop("response_start"),
            pl.read_parquet(extract_folder / "lengths.parquet").drop("id"),
            pl.DataFrame({"x": sample_xy[:, 0], "y": sample_xy[:, 1], "cluster": rows.clusters}),
            tables.scores,
        ],
        how="horizontal",
    )
    front = ["id", "set", "text", "prompt", "response"]
    carried = [c for c in samples.columns if c not in front and c != "response_start"]
    layout = front + carried + ["n_tokens", "n_windows", "x", "y", "cluster", *scored_families(tables.scores.columns), "score", "nearest_toxic_cluster", "nearest_toxic_ids", "nearest_toxic_sims"]
    table.select(layout).write_parquet(out / SAMPLES)
    tables.features.write_parquet(out / FEATURES)
    tables.clusters.select(
        "cluster", "size", "n_train", "n_toxic", "n_benign", "toxic_share", "odds_ratio", "p_value", "q_value", "is_toxic_cluster", "top_features"
    ).write_parquet(out / CLUSTERS)
    tables.feature_clusters.write_parquet(out / FEATURE_CLUSTERS)
    tables.scorer.save(out / SCORER)
    return ProximitySummary(tables.counts, tables.notes, tables.diagnostics)
