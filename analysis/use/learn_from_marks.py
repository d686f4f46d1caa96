"""A candidate score learned from a researcher's marks: the analysis' own scorer fitted again
with the marked training rows moved into its references.

A row marked `harmful` joins the toxic reference, a row marked `fine` the benign reference
(other tags are left where they are); everything the scorer learns from the references
(toxic latents, neighbours, words, directions, probe) then learns from them too, and the
training rows are scored again with the analysis' default score spec. Nothing of the analysis
changes: the result is a candidate column to read beside the default, never a replacement,
and `bench/simulated_researcher.py` measures whether it finds more planted rows than the
static ranking does (bench/RESULTS.md, section `marks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import polars as pl
from safetensors.numpy import load_file

from analysis.artifacts.codes import activation_matrix
from analysis.artifacts.folder import Analysis
from analysis.artifacts.layout import EMBEDDINGS, SELF_EMBEDDINGS
from analysis.scoring.scorer import FitRows, OwnResponses, ToxicProximity
from analysis.use.explain import load_scorer
from analysis.use.marks import FINE, HARMFUL

LEARNED = "score_from_marks"  # the candidate column's name
# The permutation null of decoder proximity is what costs most in a fit and no default score
# reads it; a refit for a candidate keeps a small one.
NULL_DRAWS = 8


class NotEnoughMarks(ValueError):
    """The marks leave nothing to learn (no marked training row) or nothing to score."""


def fit_rows(analysis: Analysis, d_sae: int) -> FitRows:
    """Every row of the analysis as its scorer was fitted on it, read back from the folder."""
    samples = analysis.samples
    ids = samples["id"].to_list()
    decoder = analysis.decoder
    if decoder is None:
        raise ValueError(f"{analysis.name}: no decoder.safetensors: rebuild the analysis")
    own = None
    answers = analysis.self_responses
    if answers is not None:
        own = OwnResponses(
            codes=activation_matrix(answers, ids, d_sae),
            dense=load_file(str(analysis.path / SELF_EMBEDDINGS))["raw"],
            present=answers["response"].is_not_null().to_numpy(),
        )
    return FitRows(
        codes=activation_matrix(analysis.activations, ids, d_sae),
        dense=load_file(str(analysis.path / EMBEDDINGS))["raw"],
        texts=samples["text"].to_numpy().astype(object),
        sets=samples["set"].to_numpy(),
        ids=samples["id"].to_numpy().astype(object),
        clusters=samples["cluster"].to_numpy(),
        decoder_features=decoder.features,
        decoder_directions=decoder.directions,
        own=own,
    )


def scores_from_marks(
    analysis: Analysis,
    marks: Mapping[str, str],
    rows: FitRows | None = None,
    scorer: ToxicProximity | None = None,
) -> pl.DataFrame:
    """`id`, `marked` and `LEARNED` for every training row: the default score spec of the
    analysis' scorer fitted again with the rows marked `harmful` / `fine` as toxic / benign
    references. `rows` and `scorer` (the analysis' own, for its settings) may be passed in by
    a caller that refits often. Raises `NotEnoughMarks` when no training row is marked
    harmful or fine."""
    scorer = scorer or load_scorer(analysis)
    rows = rows or fit_rows(analysis, scorer.d_sae_)
    is_train = rows.sets == "train"
    ids = rows.ids.astype(str)
    moved = {sample_id: mark for sample_id, mark in marks.items() if mark in (HARMFUL, FINE)}
    marked = is_train & np.isin(ids, np.array(list(moved), dtype=str))
    if not marked.any():
        raise NotEnoughMarks("no training row is marked harmful or fine: nothing to learn from")
    sets = rows.sets.copy()
    sets[marked] = np.where(np.array([moved[sample_id] for sample_id in ids[marked]]) == HARMFUL, "toxic", "benign")
    refitted = ToxicProximity(scorer.config).fit(replace(rows, sets=sets), null_draws=NULL_DRAWS)
    train = np.flatnonzero(is_train)
    own = rows.own.subset(train) if rows.own is not None else None
    families = refitted.score(rows.codes[train], rows.dense[train], rows.texts[train], own)
    unmarked = ~marked[train]
    if not unmarked.any():
        raise NotEnoughMarks("every training row is marked: nothing is left to score")
    refitted.calibrate(families.filter(pl.Series(unmarked)))  # the scale: the rows still to read
    return pl.DataFrame(
        {
            "id": ids[train],
            "marked": marked[train],
            LEARNED: refitted.combine(families, analysis.manifest["default_score"]),
        }
    )
