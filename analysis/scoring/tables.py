"""The proximity step's output: per-sample scores and the tables the views read.

`proximity_tables` fits the scorer on every row (references out of fold, `crossfit`), then
joins what it learnt about each latent onto the feature map, tests the sample and feature
clusters for toxic enrichment, and gathers counts, diagnostics and notes for the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from analysis.config import ProximityConfig
from analysis.scoring.crossfit import cross_fit
from analysis.scoring.diagnostics import reference_diagnostics, superposition_test
from analysis.scoring.families import score_components
from analysis.scoring.scorer import FitRows, ToxicProximity
from analysis.scoring.statistics import enrichment_table


@dataclass
class ProximityTables:
    """Everything the proximity step writes: the per-sample scores and the tables of the views."""

    scores: pl.DataFrame  # one row per sample, input order: every family, `score`, nearest cluster / references
    features: pl.DataFrame
    clusters: pl.DataFrame
    feature_clusters: pl.DataFrame
    scorer: ToxicProximity  # fitted and calibrated
    counts: dict[str, int]
    diagnostics: dict[str, Any]
    notes: list[str]


def proximity_tables(
    rows: FitRows,
    feature_xy: np.ndarray,
    feature_labels: np.ndarray,
    top_tokens: pl.DataFrame,
    cfg: ProximityConfig,
) -> ProximityTables:
    """Fit the scorer on `rows`, score every row, build the tables."""
    score_components(cfg.default_score)
    sets, labels, codes = rows.sets, rows.clusters, rows.codes
    fitted = cross_fit(rows, cfg)
    scorer = fitted.scorer
    active = np.asarray(rows.decoder_features)
    feature_labels = np.asarray(feature_labels)
    features = _feature_table(scorer, active, feature_xy, feature_labels, top_tokens)
    sample_clusters = enrichment_table(labels, sets == "toxic", codes, cfg, "samples")
    per_cluster = pl.DataFrame({"cluster": labels, "set": sets}).group_by("cluster").agg(
        n_train=(pl.col("set") == "train").sum().cast(pl.Int64), n_benign=(pl.col("set") == "benign").sum().cast(pl.Int64)
    )
    sample_clusters = sample_clusters.join(per_cluster, on="cluster", how="left", maintain_order="left")
    feature_clusters = _feature_cluster_table(scorer, active, feature_labels, features, cfg)

    notes = _notes(scorer)
    if rows.own is not None and not rows.own.present.all():
        missing = int((~rows.own.present).sum())
        notes.append(f"{missing} of {len(sets)} rows have no prompt (or the model's own answer was empty): their self-contrast scores are NaN")
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


def _feature_table(
    scorer: ToxicProximity, active: np.ndarray, feature_xy: np.ndarray, feature_labels: np.ndarray, top_tokens: pl.DataFrame
) -> pl.DataFrame:
    """The scorer's latent statistics with each latent's map position, cluster, top tokens,
    paper-toxic flag, decoder proximity to the toxic latents and probe weight."""
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
    return features.with_columns(
        is_paper_toxic=pl.Series(np.isin(latent, scorer.paper_latents_)),
        toxic_proximity=pl.Series(scorer.latent_cosine_[latent]),
        nearest_toxic_feature=pl.Series(scorer.nearest_toxic_[latent]),
        probe_weight=pl.Series(probe[latent] if probe is not None else np.full(len(latent), np.nan)),
    )


def _feature_cluster_table(
    scorer: ToxicProximity, active: np.ndarray, feature_labels: np.ndarray, features: pl.DataFrame, cfg: ProximityConfig
) -> pl.DataFrame:
    """Toxic-latent enrichment of each feature cluster, with its most toxic-frequent latents."""
    feature_clusters = enrichment_table(feature_labels, np.isin(active, scorer.toxic_latents_), None, cfg, "features")
    top_by_cluster = (
        pl.DataFrame({"feature": active.astype(np.int32), "cluster": feature_labels})
        .join(features.select("feature", "freq_toxic"), on="feature", how="left")
        .sort(["cluster", "freq_toxic", "feature"], descending=[False, True, False])
        .group_by("cluster", maintain_order=True)
        .agg(pl.col("feature").head(8).alias("top_features"))
    )
    return feature_clusters.join(top_by_cluster, on="cluster", how="left", maintain_order="left")


def _notes(scorer: ToxicProximity) -> list[str]:
    """What a reader of the scores should know about how this scorer was fitted."""
    notes = [f"toxic latents contrasted with the {scorer.comparison_} set"]
    if len(scorer.toxic_latents_) == 0:
        notes.append("no latent passed the toxic test: toxic-latent scores are 0")
    if scorer.comparison_ == "train":
        notes.append(
            "no benign reference: kNN scores use the toxic neighbours alone, score_probe is empty, "
            "the contrast directions are toxic minus training rows"
        )
    if len(scorer.toxic_clusters_) == 0:
        notes.append("no toxic cluster: score_cluster_distance uses the centroid of the whole toxic reference")
    notes.append("reference rows are scored out of fold (a scorer fitted without them); training rows by the scorer fitted on every reference row")
    return notes
