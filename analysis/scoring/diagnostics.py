"""How well the reference sets fit the training data, how well each score separates them,
and whether the training rows' latents sit near the toxic ones beyond chance.

A toxic reference from another region than the training rows (harmful requests against
chat answers, say) still gives every score a direction, but the scores then rank rows by
how much they look like the reference's domain, not by harm. These figures, in the
manifest and on the Proximity page, say when that is the case.

Neighbours are taken in the model's dense pooled hidden states (cosine), which do not
depend on the SAE.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from analysis.scoring.families import scored_families
from analysis.scoring.scorer import FitRows, ToxicProximity
from analysis.similarity import top_k_similarity, unit_rows

# Below this ratio of observed to well-mixed nearest-neighbour sharing, a reference set is
# said to lie in another region than the training rows.
OVERLAP_WARNING = 0.1


def _nearest(queries: np.ndarray, candidates: np.ndarray, same: bool) -> np.ndarray:
    """Index of each query's most similar candidate; with `same`, query i is candidate i and is skipped."""
    q, c = unit_rows(queries), unit_rows(candidates)
    if not same:
        return top_k_similarity(q, c, 1)[1][:, 0]
    _, rows, _ = top_k_similarity(q, c, 2)
    return np.where(rows[:, 0] == np.arange(len(q)), rows[:, 1], rows[:, 0])


def overlap_with_training(dense: np.ndarray, sets: np.ndarray, reference: str) -> dict[str, float] | None:
    """Share of `reference` rows whose nearest neighbour (among training and that reference's
    rows) is a training row, and that share relative to what a well-mixed set would give."""
    ref_rows, train_rows = np.flatnonzero(sets == reference), np.flatnonzero(sets == "train")
    if len(ref_rows) < 2 or len(train_rows) == 0:
        return None
    pool = np.concatenate([ref_rows, train_rows])
    # the pool starts with the reference rows themselves, so row i is query i: skip it
    nearest = _nearest(dense[ref_rows], dense[pool], same=True)
    observed = float((nearest >= len(ref_rows)).mean())
    expected = len(train_rows) / (len(pool) - 1)
    return {"share_nearest_is_training": round(observed, 4), "share_if_mixed": round(expected, 4), "overlap": round(observed / expected, 4)}


def reference_diagnostics(rows: FitRows, scores: pl.DataFrame) -> dict[str, Any]:
    """Reference fit figures and, per score family, the cross-fitted toxic-vs-benign AUROC."""
    from sklearn.metrics import roc_auc_score

    sets, dense = rows.sets, rows.dense
    train_rows = np.flatnonzero(sets == "train")
    reference_rows = np.flatnonzero((sets == "toxic") | (sets == "benign"))
    nearest_toxic_share = None
    if len(train_rows) and (sets == "benign").any():
        nearest = _nearest(dense[train_rows], dense[reference_rows], same=False)
        nearest_toxic_share = round(float((sets[reference_rows][nearest] == "toxic").mean()), 4)
    overlaps = {name: overlap_with_training(dense, sets, name) for name in ("toxic", "benign")}
    separation: dict[str, float | None] = {}
    is_reference = (sets == "toxic") | (sets == "benign")
    y = sets[is_reference] == "toxic"
    for name in scored_families(scores.columns):
        values = scores[name].to_numpy()[is_reference]
        usable = np.isfinite(values)
        ok = usable.sum() > 1 and 0 < y[usable].sum() < usable.sum()
        separation[name] = round(float(roc_auc_score(y[usable], values[usable])), 4) if ok else None
    warnings = []
    toxic_overlap = overlaps["toxic"]
    if toxic_overlap is not None and toxic_overlap["overlap"] < OVERLAP_WARNING:
        warnings.append(
            "the toxic reference lies in a different region than the training rows "
            f"({100 * toxic_overlap['share_nearest_is_training']:.1f}% of its rows have a training row as nearest neighbour, "
            f"{100 * toxic_overlap['share_if_mixed']:.0f}% if they were mixed): the scores may rank rows by how much they "
            "resemble the reference's domain rather than by harm; a toxic reference from the training data's own domain is more reliable"
        )
    return {
        "space": "dense pooled hidden states, cosine",
        "train_nearest_reference_is_toxic": nearest_toxic_share,
        "overlap": overlaps,
        "reference_separation_auroc": separation,
        "warnings": warnings,
    }


def superposition_test(scorer: ToxicProximity, codes: sp.csr_matrix) -> dict[str, Any]:
    """Are these rows' latents closer in decoder geometry to the toxic latents than to random
    latent sets of the same size and frequency? Mean excluding score vs its permutation null."""
    codes = sp.csr_matrix(codes, dtype=np.float32)
    draws = scorer.null_weights_.shape[0]
    if draws < 2 or len(scorer.toxic_latents_) == 0 or codes.shape[0] == 0:
        return {"draws": draws, "observed": None, "null_mean": None, "null_sd": None, "z": None, "p": None}
    mass = np.asarray(codes.sum(axis=1)).ravel()
    observed = float(scorer.latent_scores(codes)["score_decoder_proximity_excl"].mean())
    null = scorer.null_draws(codes, mass).mean(axis=0)
    spread = float(null.std())
    return {
        "draws": int(draws),
        "observed": round(observed, 5),
        "null_mean": round(float(null.mean()), 5),
        "null_sd": round(spread, 5),
        "z": round((observed - float(null.mean())) / spread, 3) if spread > 0 else None,
        "p": round(float((1 + (null >= observed).sum()) / (draws + 1)), 4),
    }
