"""The fitted scorer: how close any row is to the toxic reference, in the scikit-learn style.

`ToxicProximity(config).fit(rows)` learns everything the scores need from the reference
sets (toxic latents, their decoder geometry and its permutation null, the reference
neighbours in SAE, dense and word space, toxic clusters, the probe, the toxic-minus-comparison
mean directions); `.score(codes, dense,
texts)` then applies it to any rows (the build's training rows, a new batch) without
refitting (with `own`, the model's own answers to the rows' prompts, the self-contrast families
too), and `.latent_contributions(...)` gives the latents behind a score. `save`/`load`
write it as JSON plus safetensors (no pickle) and read it back to identical scores.

The families and score specs are in `analysis.scoring.families`; `analysis.scoring.crossfit`
scores the reference rows out of fold.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from analysis.artifacts.layout import SCORER_FORMAT_VERSION, SCORER_STATE, SCORER_TENSORS
from analysis.config import ProximityConfig
from analysis.scoring.families import (
    FAMILIES,
    SELF_CONTRAST_FAMILIES,
    score_components,
    scored_families,
)
from analysis.scoring.latents import latent_proximity, paper_latents
from analysis.scoring.statistics import comparison_set, enrichment_table, feature_statistics
from analysis.scoring.superposition import frequency_matched_sets, matched_set_weights
from analysis.similarity import (
    knn_contrast,
    mid_rank_percentile,
    top_k_similarity,
    unit_rows,
)


@dataclass
class OwnResponses:
    """The model's own answers to the rows' prompts, read like the rows (`--self-contrast`):
    one row per scored row; a row without a prompt has none (`present` False, NaN hidden
    state, no active latent)."""

    codes: sp.csr_matrix  # [n, d_sae] pooled SAE codes of the own answer
    dense: np.ndarray  # [n, d_in] its pooled hidden states
    present: np.ndarray  # [n] bool

    def subset(self, keep: np.ndarray) -> OwnResponses:
        return OwnResponses(self.codes[keep], self.dense[keep], self.present[keep])


@dataclass
class FitRows:
    """What the scorer is fitted on: every row of an analysis (training rows are context only:
    cluster centroids, the comparison set when there is no benign reference, calibration)."""

    codes: sp.csr_matrix  # [n, d_sae] pooled SAE activations
    dense: np.ndarray  # [n, d_in] pooled hidden states at the read layer
    texts: np.ndarray  # [n] the texts the model read (for the word-level family)
    sets: np.ndarray  # "train" / "toxic" / "benign"
    ids: np.ndarray
    clusters: np.ndarray  # HDBSCAN label of each row (-1 noise)
    decoder_features: np.ndarray  # latents with a decoder direction (the active ones)
    decoder_directions: np.ndarray  # [len(decoder_features), d_in], unit rows
    own: OwnResponses | None = None  # scored, never fitted on; None: built without --self-contrast

    def subset(self, keep: np.ndarray) -> FitRows:
        return FitRows(
            self.codes[keep], self.dense[keep], self.texts[keep], self.sets[keep], self.ids[keep], self.clusters[keep],
            self.decoder_features, self.decoder_directions, self.own.subset(keep) if self.own is not None else None,
        )


class ToxicProximity:
    """Proximity of rows to the toxic reference; fitted on the reference sets, applied to any rows."""

    def __init__(self, config: ProximityConfig | None = None):
        self.config = config or ProximityConfig()

    # ------------------------------------------------------------------ fit
    def fit(self, rows: FitRows, null_draws: int | None = None) -> ToxicProximity:
        cfg = self.config
        sets = rows.sets
        if not (sets == "toxic").any():
            raise ValueError("the scorer needs toxic reference rows")
        self.d_sae_ = int(rows.codes.shape[1])
        self.comparison_ = comparison_set(sets)
        self.statistics_ = feature_statistics(rows.codes, sets, cfg)
        stats = self.statistics_
        self.toxic_latents_ = stats.filter(pl.col("is_toxic"))["feature"].to_numpy().astype(np.int64)
        self.paper_latents_ = paper_latents(stats, cfg.paper_top_n).astype(np.int64)
        self.active_ = np.asarray(rows.decoder_features, dtype=np.int64)
        directions = np.asarray(rows.decoder_directions, dtype=np.float32)

        toxic = latent_proximity(self.d_sae_, self.active_, directions, self.toxic_latents_)
        self.nearest_toxic_ = toxic.nearest_toxic
        self.latent_cosine_ = toxic.to_toxic
        is_toxic = self._mask(self.toxic_latents_)
        to_toxic = np.nan_to_num(toxic.to_toxic)
        self.weights_including_ = np.where(is_toxic, 1.0, to_toxic).astype(np.float32)
        self.weights_excluding_ = np.where(is_toxic, 0.0, to_toxic).astype(np.float32)
        paper = latent_proximity(self.d_sae_, self.active_, directions, self.paper_latents_)
        self.weights_paper_ = np.where(self._mask(self.paper_latents_), 1.0, np.nan_to_num(paper.to_toxic)).astype(np.float32)

        self._fit_null(rows, directions, cfg.null_draws if null_draws is None else null_draws)
        toxic_rows, benign_rows = sets == "toxic", sets == "benign"
        self.toxic_ids_ = rows.ids[toxic_rows].astype(str)
        self.toxic_unit_ = unit_rows(rows.codes[toxic_rows]).tocsr().astype(np.float32)
        self.benign_unit_ = unit_rows(rows.codes[benign_rows]).tocsr().astype(np.float32) if benign_rows.any() else None
        self.dense_toxic_unit_ = unit_rows(rows.dense[toxic_rows]).astype(np.float32)
        self.dense_benign_unit_ = unit_rows(rows.dense[benign_rows]).astype(np.float32) if benign_rows.any() else None
        self._fit_lexical(rows)
        self._fit_clusters(rows)
        self._fit_probe(rows)
        self._fit_contrast(rows)
        self.calibration_: dict[str, np.ndarray] = {}
        return self

    def _mask(self, latents: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.d_sae_, dtype=bool)
        mask[np.asarray(latents, dtype=np.int64)] = True
        return mask

    def _fit_null(self, rows: FitRows, directions: np.ndarray, draws: int) -> None:
        """Excluding-variant weights for random latent sets matched to the toxic set in size and frequency."""
        reference = (rows.sets == "toxic") | (rows.sets == self.comparison_)
        active_codes = rows.codes[reference][:, self.active_]
        frequency = np.asarray((active_codes > 0).mean(axis=0)).ravel()
        position = {int(f): i for i, f in enumerate(self.active_)}
        chosen = np.array([position[int(f)] for f in self.toxic_latents_ if int(f) in position], dtype=np.int64)
        masks = frequency_matched_sets(frequency, chosen, draws, self.config.seed)
        self.null_masks_ = masks
        self.null_weights_ = matched_set_weights(directions, masks)

    def _fit_lexical(self, rows: FitRows) -> None:
        """Word-level (TF-IDF) vectors of the references; vocabulary and idf from every fit row."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(sublinear_tf=True, dtype=np.float32)
        vectorizer.fit(rows.texts.tolist())
        self.vocabulary_ = {word: int(index) for word, index in vectorizer.vocabulary_.items()}
        self.idf_ = vectorizer.idf_.astype(np.float32)
        self.lexical_toxic_ = self._lexical(rows.texts[rows.sets == "toxic"])
        benign = rows.sets == "benign"
        self.lexical_benign_ = self._lexical(rows.texts[benign]) if benign.any() else None

    def _lexical(self, texts: np.ndarray) -> sp.csr_matrix:
        """Unit TF-IDF rows of `texts` with the fitted vocabulary and idf (sublinear tf)."""
        from sklearn.feature_extraction.text import CountVectorizer

        counts = CountVectorizer(vocabulary=self.vocabulary_, dtype=np.float32).transform(list(texts)).tocsr()
        counts.data = 1.0 + np.log(counts.data)
        return unit_rows(counts @ sp.diags(self.idf_)).tocsr().astype(np.float32)

    def _fit_clusters(self, rows: FitRows) -> None:
        table = enrichment_table(rows.clusters, rows.sets == "toxic", None, self.config, "samples")
        self.toxic_clusters_ = np.array(table.filter(pl.col("is_toxic_cluster"))["cluster"].to_list(), dtype=np.int64)
        unit = unit_rows(rows.codes)
        groups = [rows.clusters == c for c in self.toxic_clusters_] or [rows.sets == "toxic"]
        centroids = np.vstack([np.asarray(unit[g].mean(axis=0)).ravel() for g in groups])
        self.centroids_ = unit_rows(centroids).astype(np.float32)

    def _fit_probe(self, rows: FitRows) -> None:
        from sklearn.linear_model import LogisticRegression

        reference = np.flatnonzero((rows.sets == "toxic") | (rows.sets == "benign"))
        y = rows.sets[reference] == "toxic"
        self.probe_coef_: np.ndarray | None = None
        self.probe_intercept_ = 0.0
        if y.sum() < 5 or (~y).sum() < 5:
            return
        model = LogisticRegression(C=self.config.probe_c, class_weight="balanced", max_iter=2000)
        model.fit(unit_rows(rows.codes[reference]), y)
        self.probe_coef_ = model.coef_.ravel().astype(np.float64)
        self.probe_intercept_ = float(model.intercept_[0])

    def _fit_contrast(self, rows: FitRows) -> None:
        """Difference-of-means directions (toxic minus comparison rows) and the midpoints of the
        two means, over the pooled hidden states and over the pooled SAE codes."""
        toxic, other = rows.sets == "toxic", rows.sets == self.comparison_
        self.contrast_dense_mid_, self.contrast_dense_unit_ = _mean_difference(np.asarray(rows.dense), toxic, other)
        self.contrast_latent_mid_, self.contrast_latent_unit_ = _mean_difference(sp.csr_matrix(rows.codes), toxic, other)

    # ------------------------------------------------------------------ score
    def contrast_scores(self, codes: sp.csr_matrix, dense: np.ndarray) -> dict[str, np.ndarray]:
        """The two difference-of-means families: (x - m) . d / |d| on hidden states and on csr
        float32 SAE codes, as x . d / |d| in float32 (no float64 copy of the rows) less m . d / |d|."""
        dense_offset = float(self.contrast_dense_mid_ @ self.contrast_dense_unit_)
        latent_offset = float(self.contrast_latent_mid_ @ self.contrast_latent_unit_)
        projected = np.asarray(dense, dtype=np.float32) @ self.contrast_dense_unit_
        return {
            "score_contrast_direction": projected.astype(np.float64) - dense_offset,
            "score_contrast_latents": np.asarray(codes @ self.contrast_latent_unit_, dtype=np.float64) - latent_offset,
        }

    def self_contrast_scores(self, codes: sp.csr_matrix, dense: np.ndarray, own: OwnResponses) -> dict[str, np.ndarray]:
        """Persona vectors' projection difference: (x - o) . d / |d|, x a row, o the model's own
        answer to the row's prompt read the same way, d the fitted toxic-minus-comparison
        direction, on hidden states and on SAE codes (the midpoint cancels). NaN without an own
        answer; exactly 0 for a row that is the model's own answer."""
        own_dense = np.nan_to_num(np.asarray(own.dense, dtype=np.float32))
        dense_gap = np.asarray(dense, dtype=np.float32) - own_dense
        latent_gap = sp.csr_matrix(codes, dtype=np.float32) - sp.csr_matrix(own.codes, dtype=np.float32)
        present = np.asarray(own.present, dtype=bool)
        return {
            "score_self_contrast": np.where(present, (dense_gap @ self.contrast_dense_unit_).astype(np.float64), np.nan),
            "score_self_contrast_latents": np.where(present, np.asarray(latent_gap @ self.contrast_latent_unit_, dtype=np.float64), np.nan),
        }

    def latent_scores(self, codes: sp.csr_matrix) -> dict[str, np.ndarray]:
        """The families that are sums over a row's latents, for csr float32 `codes`."""
        mass = np.asarray(codes.sum(axis=1)).ravel()
        safe_mass = np.maximum(mass, 1e-12)
        toxic_mask = self._mask(self.toxic_latents_)
        toxic_mass = np.asarray(codes[:, toxic_mask].sum(axis=1)).ravel() if toxic_mask.any() else np.zeros(codes.shape[0])
        non_toxic_mass = np.maximum(mass - toxic_mass, 1e-12)
        excluding = codes @ self.weights_excluding_ / non_toxic_mass
        return {
            "score_toxic_activation": toxic_mass / safe_mass,
            "score_decoder_proximity": codes @ self.weights_including_ / safe_mass,
            "score_decoder_proximity_excl": excluding,
            "score_superposition_z": self._null_z(codes, excluding, mass),
            "score_paper": codes @ self.weights_paper_ / safe_mass,
        }

    def null_draws(self, codes: sp.csr_matrix, mass: np.ndarray) -> np.ndarray:
        """The excluding score of every row under each random latent set: [n, draws]."""
        active = codes[:, self.active_]
        null_mass = np.asarray(active @ self.null_masks_.T.astype(np.float32))
        return np.asarray(active @ self.null_weights_.T) / np.maximum(mass[:, None] - null_mass, 1e-12)

    def _null_z(self, codes: sp.csr_matrix, observed: np.ndarray, mass: np.ndarray) -> np.ndarray:
        if self.null_weights_.shape[0] < 2 or len(self.toxic_latents_) == 0:
            return np.zeros(codes.shape[0])
        null = self.null_draws(codes, mass)
        spread = null.std(axis=1)
        return np.where(spread > 1e-9, (observed - null.mean(axis=1)) / np.maximum(spread, 1e-9), 0.0)

    def score(self, codes: sp.csr_matrix, dense: np.ndarray, texts: Any, own: OwnResponses | None = None) -> pl.DataFrame:
        """Every family for every row, the nearest toxic cluster and the nearest toxic references;
        the self-contrast families only with `own` (the model's own answers to these rows' prompts)."""
        codes = sp.csr_matrix(codes, dtype=np.float32)
        unit = unit_rows(codes).tocsr()
        k = self.config.k_neighbors
        scores = self.latent_scores(codes)
        scores["score_knn"], nearest_rows, nearest_sims = knn_contrast(unit, self.toxic_unit_, self.benign_unit_, k)
        dense_unit = unit_rows(np.asarray(dense, dtype=np.float32))
        scores["score_dense_knn"] = knn_contrast(dense_unit, self.dense_toxic_unit_, self.dense_benign_unit_, k)[0]
        words = self._lexical(np.asarray(texts, dtype=object))
        scores["score_lexical_knn"] = knn_contrast(words, self.lexical_toxic_, self.lexical_benign_, k)[0]
        to_centroids = np.asarray(unit @ self.centroids_.T)
        best = to_centroids.argmax(axis=1)
        scores["score_cluster_distance"] = to_centroids[np.arange(codes.shape[0]), best] - 1.0
        nearest_cluster = self.toxic_clusters_[best] if len(self.toxic_clusters_) else np.full(codes.shape[0], -1)
        if self.probe_coef_ is not None:
            scores["score_probe"] = unit @ self.probe_coef_ + self.probe_intercept_
        else:
            scores["score_probe"] = np.full(codes.shape[0], np.nan)
        scores.update(self.contrast_scores(codes, dense))
        if own is not None:
            scores.update(self.self_contrast_scores(codes, dense, own))
        families = FAMILIES if own is not None else [name for name in FAMILIES if name not in SELF_CONTRAST_FAMILIES]
        return pl.DataFrame(
            {
                **{name: np.asarray(scores[name], dtype=np.float64) for name in families},
                "nearest_toxic_cluster": nearest_cluster.astype(np.int32),
                "nearest_toxic_ids": pl.Series([list(r) for r in self.toxic_ids_[nearest_rows]], dtype=pl.List(pl.String)),
                "nearest_toxic_sims": pl.Series(nearest_sims.tolist(), dtype=pl.List(pl.Float32)),
            }
        )

    # ------------------------------------------------------------------ combinations
    def calibrate(self, family_scores: pl.DataFrame) -> ToxicProximity:
        """Keep each family's values on these rows (the training rows) as the scale of rank averages."""
        self.calibration_ = {}
        for name in scored_families(family_scores.columns):
            values = family_scores[name].to_numpy().astype(np.float64)
            self.calibration_[name] = np.sort(values[np.isfinite(values)])
        return self

    def percentile(self, family: str, values: np.ndarray) -> np.ndarray:
        """Mid-rank percentile of `values` among the calibration rows (NaN stays NaN)."""
        return mid_rank_percentile(self.calibration_.get(family, np.zeros(0)), values)

    def combine(self, family_scores: pl.DataFrame, spec: str) -> np.ndarray:
        """The value of a score spec: a family's own value, or the mean percentile of several."""
        components = score_components(spec)
        missing = [name for name in components if name not in family_scores.columns]
        if missing:
            raise ValueError(f"{', '.join(missing)} not scored here: the self-contrast families need a build with --self-contrast")
        if len(components) == 1:
            return family_scores[components[0]].to_numpy().astype(np.float64)
        percentiles = np.vstack([self.percentile(name, family_scores[name].to_numpy().astype(np.float64)) for name in components])
        usable = np.isfinite(percentiles).any(axis=1)
        if not usable.any():
            return np.full(family_scores.height, np.nan)
        return np.nanmean(percentiles[usable], axis=0)

    # ------------------------------------------------------------------ explain
    def latent_contributions(
        self, features: np.ndarray, values: np.ndarray, family: str, own: tuple[np.ndarray, np.ndarray] | None = None
    ) -> np.ndarray:
        """Each latent's part of `family` for one row given by its active latents and values
        (and, for `score_self_contrast_latents`, `own`: the latents and values of the model's
        own answer to the row's prompt).

        The parts add up to the score for the activation, decoder and paper families and the
        probe (up to its intercept); for kNN and the cluster they add up to the cosine to the
        mean of the nearest references / the centroid; for the z-score they approximate it.
        For `score_contrast_latents` a latent's part is (value - m) * d / |d| (m the midpoint
        of the toxic and comparison means, d their difference): they add up to the score minus
        `contrast_latents_rest(features)`, the -m * d / |d| of the latents the row lacks. For
        `score_self_contrast_latents` it is (value - own value) * d / |d|: they add up to the
        score minus `self_contrast_rest(features, *own)`, the part of the own answer's latents
        the row lacks.
        """
        features = np.asarray(features, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        mass = max(values.sum(), 1e-12)
        unit = values / max(float(np.linalg.norm(values)), 1e-12)
        is_toxic = self._mask(self.toxic_latents_)[features]
        if family == "score_toxic_activation":
            return np.where(is_toxic, values / mass, 0.0)
        if family == "score_decoder_proximity":
            return values * self.weights_including_[features] / mass
        if family == "score_paper":
            return values * self.weights_paper_[features] / mass
        if family in ("score_decoder_proximity_excl", "score_superposition_z"):
            non_toxic = max(values[~is_toxic].sum(), 1e-12)
            parts = values * self.weights_excluding_[features] / non_toxic
            if family == "score_decoder_proximity_excl":
                return parts
            row = sp.csr_matrix((values, (np.zeros(len(features)), features)), shape=(1, self.d_sae_))
            null = self.null_draws(row, np.array([mass]))[0]
            spread = max(float(null.std()), 1e-9)
            return (parts - null.mean() * values * ~is_toxic / non_toxic) / spread
        if family == "score_knn":
            row = sp.csr_matrix((unit, (np.zeros(len(features)), features)), shape=(1, self.d_sae_))
            _, nearest, _ = top_k_similarity(row, self.toxic_unit_, self.config.k_neighbors)
            mean = np.asarray(self.toxic_unit_[nearest[0]].mean(axis=0)).ravel()
            return unit * mean[features]
        if family == "score_cluster_distance":
            row = sp.csr_matrix((unit, (np.zeros(len(features)), features)), shape=(1, self.d_sae_))
            centroid = self.centroids_[int(np.asarray(row @ self.centroids_.T).argmax())]
            return unit * centroid[features]
        if family == "score_probe":
            return unit * (self.probe_coef_[features] if self.probe_coef_ is not None else 0.0)
        if family == "score_contrast_latents":
            return (values - self.contrast_latent_mid_[features]) * self.contrast_latent_unit_[features]
        if family == "score_self_contrast_latents":
            if own is None:
                raise ValueError("score_self_contrast_latents is explained against the model's own answer: pass `own`")
            own_values = np.zeros(self.d_sae_)
            own_values[np.asarray(own[0], dtype=np.int64)] = np.asarray(own[1], dtype=np.float64)
            return (values - own_values[features]) * self.contrast_latent_unit_[features]
        return np.zeros(len(features))

    def self_contrast_rest(self, features: np.ndarray, own_features: np.ndarray, own_values: np.ndarray) -> float:
        """The part of `score_self_contrast_latents` no latent of the row carries: -o_j * d_j / |d|
        summed over the own answer's latents the row lacks. With the row's latents' parts it
        adds up to the score."""
        own_features = np.asarray(own_features, dtype=np.int64)
        lacking = ~np.isin(own_features, np.asarray(features, dtype=np.int64))
        return -float(np.asarray(own_values, dtype=np.float64)[lacking] @ self.contrast_latent_unit_[own_features[lacking]])

    def contrast_latents_rest(self, features: np.ndarray) -> float:
        """The part of `score_contrast_latents` no active latent carries: -m_j * d_j / |d| summed
        over the latents not in `features` (a row lacking latents typical of the toxic reference
        scores lower). With the latents' own parts it adds up to the score."""
        inactive = ~self._mask(np.unique(np.asarray(features, dtype=np.int64)))
        return -float(self.contrast_latent_mid_[inactive] @ self.contrast_latent_unit_[inactive])

    # ------------------------------------------------------------------ save / load
    ARRAYS = (
        "toxic_latents_", "paper_latents_", "active_", "nearest_toxic_", "latent_cosine_",
        "weights_including_", "weights_excluding_", "weights_paper_", "null_weights_",
        "dense_toxic_unit_", "dense_benign_unit_", "toxic_clusters_", "centroids_", "probe_coef_", "idf_",
        "contrast_dense_mid_", "contrast_dense_unit_", "contrast_latent_mid_", "contrast_latent_unit_",
    )
    SPARSE = ("toxic_unit_", "benign_unit_", "lexical_toxic_", "lexical_benign_")

    def save(self, folder: Path) -> None:
        from safetensors.numpy import save_file

        folder.mkdir(parents=True, exist_ok=True)
        tensors: dict[str, np.ndarray] = {"null_masks_": self.null_masks_.astype(np.uint8)}
        for name in self.ARRAYS:
            if (value := getattr(self, name)) is not None:
                tensors[name] = np.ascontiguousarray(value)
        for name in self.SPARSE:
            if (matrix := getattr(self, name)) is not None:
                tensors[f"{name}data"], tensors[f"{name}indices"], tensors[f"{name}indptr"] = matrix.data, matrix.indices, matrix.indptr
        for family, values in self.calibration_.items():
            tensors[f"calibration:{family}"] = values
        save_file(tensors, str(folder / SCORER_TENSORS))
        state = {
            "format_version": SCORER_FORMAT_VERSION,
            "config": asdict(self.config),
            "d_sae": self.d_sae_,
            "comparison": self.comparison_,
            "probe_intercept": self.probe_intercept_,
            "toxic_ids": self.toxic_ids_.tolist(),
            "vocabulary": self.vocabulary_,
        }
        (folder / SCORER_STATE).write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> ToxicProximity:
        from safetensors.numpy import load_file

        state = json.loads((Path(folder) / SCORER_STATE).read_text(encoding="utf-8"))
        if state.get("format_version") != SCORER_FORMAT_VERSION:
            raise ValueError(f"{folder}: scorer format {state.get('format_version')} is not {SCORER_FORMAT_VERSION}: rebuild the analysis")
        tensors = load_file(str(Path(folder) / SCORER_TENSORS))
        scorer = cls(ProximityConfig(**state["config"]))
        scorer.d_sae_, scorer.comparison_ = int(state["d_sae"]), state["comparison"]
        scorer.probe_intercept_ = float(state["probe_intercept"])
        scorer.toxic_ids_ = np.array(state["toxic_ids"], dtype=object).astype(str)
        scorer.vocabulary_ = {word: int(index) for word, index in state["vocabulary"].items()}
        scorer.null_masks_ = tensors["null_masks_"].astype(bool)
        for name in cls.ARRAYS:
            setattr(scorer, name, tensors.get(name))
        for name in cls.SPARSE:
            if f"{name}data" in tensors:
                n_rows = len(tensors[f"{name}indptr"]) - 1
                n_columns = len(scorer.vocabulary_) if name.startswith("lexical") else scorer.d_sae_
                matrix = sp.csr_matrix((tensors[f"{name}data"], tensors[f"{name}indices"], tensors[f"{name}indptr"]), shape=(n_rows, n_columns))
                setattr(scorer, name, matrix)
            else:
                setattr(scorer, name, None)
        scorer.calibration_ = {key.split(":", 1)[1]: value for key, value in tensors.items() if key.startswith("calibration:")}
        return scorer


def _mean_difference(matrix: np.ndarray | sp.csr_matrix, toxic: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The midpoint of the mean of the `toxic` rows and the mean of the `other` rows (float64),
    and the unit direction from the second mean to the first (float32, like the rows it is applied
    to; zero when the means coincide or `other` is empty). Means are summed in float64."""
    toxic_mean = np.asarray(matrix[toxic].mean(axis=0, dtype=np.float64)).ravel()
    if not other.any():
        return toxic_mean, np.zeros(toxic_mean.shape, dtype=np.float32)
    other_mean = np.asarray(matrix[other].mean(axis=0, dtype=np.float64)).ravel()
    difference = toxic_mean - other_mean
    norm = float(np.linalg.norm(difference))
    unit = difference / norm if norm > 1e-12 else np.zeros_like(difference)
    return (toxic_mean + other_mean) / 2.0, unit.astype(np.float32)
