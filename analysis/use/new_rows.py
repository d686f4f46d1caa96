"""New rows read against a fitted analysis, nothing refitted: what `monitor` (a batch) and
`query` (a few texts) share.

A new row is read by the analysis' own model and SAE (`load_extractor`), scored by its fitted
scorer exactly as the build scores its training rows (every family, then the default score
spec: a rank average is taken against the training rows the scorer was calibrated on), and
placed on its sample map. For an analysis built with `--self-contrast` the extractor also has
the chat model answer each new row's prompt itself (`ExtractedRows.own`), and the new rows get
the self-contrast families against those answers, as the training rows did.

Placement: the map is a UMAP fitted on the analysis' rows and not kept, so a new row cannot be
projected by it without refitting. It sits instead at the similarity-weighted mean (x, y) of its
`k` nearest analysis rows (every set), cosine on unit SAE codes, the space the map was made from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from analysis.artifacts.codes import activation_matrix
from analysis.artifacts.folder import Analysis
from analysis.scoring.scorer import OwnResponses, ToxicProximity
from analysis.similarity import mid_rank_percentile, top_k_similarity, unit_rows


def load_extractor(analysis: Analysis, device: str | None = None) -> Any:
    """The analysis' own model and SAE, loaded once (`AnalysisExtractor`): anything with `d_sae`
    and `extract(samples, progress) -> ExtractedRows` can stand in for it."""
    from analysis.extraction.stream import AnalysisExtractor

    return AnalysisExtractor.for_analysis(analysis.path, analysis.manifest, device)


class SharedExtractor:
    """An extractor loaded when first used and kept (`loaded`): several batches read
    with one load of the model and SAE, and a batch answered from an earlier run loads nothing."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load
        self._loaded: Any | None = None

    @classmethod
    def of_analysis(cls, analysis_dir: Any, device: str | None = None) -> SharedExtractor:
        """The analysis' own model and SAE (`load_extractor`)."""
        return cls(lambda: load_extractor(Analysis.open(analysis_dir), device))

    @property
    def loaded(self) -> Any:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    @property
    def d_sae(self) -> int:
        return int(self.loaded.d_sae)

    def extract(self, samples: pl.DataFrame, progress: bool = True) -> Any:
        return self.loaded.extract(samples, progress)


def analysis_codes(analysis: Analysis, d_sae: int) -> Any:
    """The analysis rows' pooled SAE codes, [rows, d_sae] CSR, in samples.parquet order."""
    return activation_matrix(analysis.activations, analysis.samples["id"].to_list(), d_sae)


@dataclass
class ScoredRows:
    """New rows scored by the analysis' scorer and placed on its map."""

    spec: str  # the analysis' default score spec
    families: pl.DataFrame  # every family, nearest toxic cluster and references (`ToxicProximity.score`)
    score: np.ndarray  # the default score, float64
    analysis_codes: Any  # [analysis rows, d_sae] CSR, rows in samples.parquet order
    xy: np.ndarray  # [n, 2] float32
    neighbor_ids: list[list[str]]  # the analysis rows each new row was placed among, nearest first
    # The model's own answers to the rows' prompts (id, response, features, values: the layout of
    # self_responses.parquet); None for an analysis built without --self-contrast.
    own: pl.DataFrame | None = None


def own_table(rows: Any) -> pl.DataFrame | None:
    """The model's own answers to the new rows' prompts, when the extractor read them."""
    own = getattr(rows, "own", None)
    return own.table if own is not None else None


def own_responses(rows: Any, d_sae: int) -> OwnResponses | None:
    """The own answers of `rows` (an `ExtractedRows`) as the scorer takes them; None without."""
    own = getattr(rows, "own", None)
    if own is None:
        return None
    codes = activation_matrix(own.table, own.table["id"].to_list(), d_sae)
    return OwnResponses(codes, own.dense, own.table["response"].is_not_null().to_numpy())


def score_new_rows(
    analysis: Analysis, scorer: ToxicProximity, texts: Any, rows: Any, codes_of_analysis: Any, map_neighbors: int
) -> ScoredRows:
    """Score `rows` (an `ExtractedRows` of the texts `texts`; with `rows.own`, the self-contrast
    families too) and place them on the map."""
    spec = analysis.manifest["default_score"]
    own = own_responses(rows, rows.codes.shape[1])
    families = scorer.score(rows.codes, rows.dense, np.asarray(texts, dtype=object), own)
    score = scorer.combine(families, spec)
    xy, neighbor_ids = place_on_map(rows.codes, codes_of_analysis, analysis.samples, map_neighbors)
    return ScoredRows(spec, families, score, codes_of_analysis, xy, neighbor_ids, own_table(rows))


def place_on_map(codes: Any, codes_of_analysis: Any, samples: pl.DataFrame, k: int) -> tuple[np.ndarray, list[list[str]]]:
    """(x, y) of each new row: its k nearest analysis rows' positions, weighted by cosine.

    Negative or zero similarities weigh (almost) nothing; a row with no active latent has
    every similarity 0 and lands at the plain mean of the rows it ties with.
    """
    _, nearest, sims = top_k_similarity(unit_rows(codes).tocsr(), unit_rows(codes_of_analysis).tocsr(), k)
    weights = np.clip(sims.astype(np.float64), 1e-6, None)
    positions = samples.select("x", "y").to_numpy().astype(np.float64)
    xy = (weights[:, :, None] * positions[nearest]).sum(axis=1) / weights.sum(axis=1, keepdims=True)
    ids = samples["id"].to_numpy().astype(str)
    return xy.astype(np.float32), [list(row) for row in ids[nearest]]


def train_scores(analysis: Analysis) -> np.ndarray:
    """The default score of the analysis' training rows, float64, in table order."""
    return analysis.samples.filter(pl.col("set") == "train")["score"].to_numpy().astype(np.float64)


def train_percentile(values: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Mid-rank share (0-1) of training rows below each value (NaN stays NaN)."""
    return mid_rank_percentile(np.sort(train[np.isfinite(train)]), values)
