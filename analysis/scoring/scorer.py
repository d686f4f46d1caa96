"""The fitted scorer: how close any row is to the toxic reference, in the scikit-learn style.

`ToxicProximity(config).fit(rows)` learns everything the scores need from the reference
sets (toxic latents, their decoder geometry and its permutation null, the reference
neighbours in SAE, dense and word space, toxic clusters, the probe); `.score(codes, dense, texts)` then
applies it to any rows (the build's training rows, a new batch) without refitting, and
`.explain(...)` gives the latents behind a score. `save`/`load` write it as JSON plus
safetensors (no pickle) and read it back to identical scores.

`cross_fit` scores the reference rows out of fold: a reference row is scored by a scorer
fitted without it, so the separation of toxic from benign references is honest.

Every family is "higher = closer to toxic". `score_spec` names the default: one family, or
`rank_mean:score_a+score_b`, the mean of the families' percentiles among the training rows
the scorer was calibrated on.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from analysis.config import ProximityConfig
from analysis.scoring.statistics import (
    enrichment_table,
    feature_statistics,
    latent_proximity,
    paper_latents,
)

FAMILIES: tuple[str, ...] = (
    "score_toxic_activation",
    "score_decoder_proximity",
    "score_decoder_proximity_excl",
    "score_superposition_z",
    "score_paper",
    "score_knn",
    "score_dense_knn",
    "score_lexical_knn",
    "score_cluster_distance",
    "score_probe",
)
# Families whose value is a sum over the sample's latents (explained exactly by them).
LATENT_FAMILIES = frozenset(FAMILIES) - {"score_dense_knn", "score_lexical_knn"}
RANK_PREFIX = "rank_mean:"
FORMAT_VERSION = 2  # 2: the word-level family (vocabulary, idf)


def score_components(spec: str) -> tuple[str, ...]:
    """The families a score spec combines: `score_knn` -> (score_knn,), `rank_mean:a+b` -> (a, b)."""
    names = tuple(spec.removeprefix(RANK_PREFIX).split("+")) if spec.startswith(RANK_PREFIX) else (spec,)
    unknown = [name for name in names if name not in FAMILIES]
    if unknown or (spec.startswith(RANK_PREFIX) and len(names) < 2):
        raise ValueError(f"unknown score {spec!r}: use one of {', '.join(FAMILIES)} or {RANK_PREFIX}score_a+score_b")
    return names


def unit_rows(matrix: Any) -> Any:
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1)


def top_k_similarity(queries: Any, references: Any, k: int, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean cosine of each (unit) query to its k most similar (unit) references, and which.

    Returns (means [n], reference indices [n, k], similarities [n, k]), best first.
    """
    n, n_ref = queries.shape[0], references.shape[0]
    k = max(1, min(k, n_ref))
    means = np.zeros(n)
    top_rows = np.zeros((n, k), dtype=np.int64)
    top_sims = np.zeros((n, k), dtype=np.float32)
    reference_t = references.T.tocsc() if sp.issparse(references) else references.T
    for start in range(0, n, chunk):
        sims = queries[start : start + chunk] @ reference_t
        sims = sims.toarray() if sp.issparse(sims) else np.asarray(sims)
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-part_sims, axis=1, kind="stable")
        stop = start + sims.shape[0]
        top_rows[start:stop] = np.take_along_axis(part, order, axis=1)
        top_sims[start:stop] = np.take_along_axis(part_sims, order, axis=1)
        means[start:stop] = part_sims.mean(axis=1)
    return means, top_rows, top_sims


def frequency_matched_sets(frequency: np.ndarray, chosen: np.ndarray, draws: int, seed: int, bins: int = 10) -> np.ndarray:
    """`draws` random latent sets of the size of `chosen`, matching its activation-frequency profile.

    Latents are binned by frequency quantile; each draw takes, from every bin, as many
    non-chosen latents as `chosen` has there. Returns a [draws, len(frequency)] bool mask.
    """
    rng = np.random.default_rng(seed)
    n = len(frequency)
    masks = np.zeros((draws, n), dtype=bool)
    if len(chosen) == 0 or n == 0:
        return masks
    edges = np.unique(np.quantile(frequency, np.linspace(0, 1, bins + 1)[1:-1]))
    bin_of = np.searchsorted(edges, frequency, side="right")
    is_chosen = np.zeros(n, dtype=bool)
    is_chosen[chosen] = True
    wanted = np.bincount(bin_of[is_chosen], minlength=len(edges) + 1)
    pools = [np.flatnonzero((bin_of == b) & ~is_chosen) for b in range(len(edges) + 1)]
    everything = np.flatnonzero(~is_chosen)
    for r in range(draws):
        for b, count in enumerate(wanted):
            if count == 0:
                continue
            pool = pools[b] if len(pools[b]) >= count else everything
            masks[r, rng.choice(pool, size=min(count, len(pool)), replace=False)] = True
    return masks


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

    def subset(self, keep: np.ndarray) -> FitRows:
        return FitRows(
            self.codes[keep], self.dense[keep], self.texts[keep], self.sets[keep], self.ids[keep], self.clusters[keep],
            self.decoder_features, self.decoder_directions,
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
        self.comparison_ = "benign" if (sets == "benign").any() else "train"
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
        weights = np.zeros(masks.shape, dtype=np.float32)
        for r in range(masks.shape[0]):
            members = np.flatnonzero(masks[r])
            if len(members) == 0:
                continue
            cos = directions @ directions[members].T
            cos[members, np.arange(len(members))] = -np.inf
            best = cos.max(axis=1)
            weights[r] = np.where(masks[r] | ~np.isfinite(best), 0.0, best)
        self.null_weights_ = weights

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

    # ------------------------------------------------------------------ score
    def _latent_scores(self, codes: sp.csr_matrix) -> dict[str, np.ndarray]:
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

    def _null_draws(self, codes: sp.csr_matrix, mass: np.ndarray) -> np.ndarray:
        """The excluding score of every row under each random latent set: [n, draws]."""
        active = codes[:, self.active_]
        null_mass = np.asarray(active @ self.null_masks_.T.astype(np.float32))
        return np.asarray(active @ self.null_weights_.T) / np.maximum(mass[:, None] - null_mass, 1e-12)

    def _null_z(self, codes: sp.csr_matrix, observed: np.ndarray, mass: np.ndarray) -> np.ndarray:
        if self.null_weights_.shape[0] < 2 or len(self.toxic_latents_) == 0:
            return np.zeros(codes.shape[0])
        null = self._null_draws(codes, mass)
        spread = null.std(axis=1)
        return np.where(spread > 1e-9, (observed - null.mean(axis=1)) / np.maximum(spread, 1e-9), 0.0)

    def score(self, codes: sp.csr_matrix, dense: np.ndarray, texts: Any) -> pl.DataFrame:
        """Every family for every row, the nearest toxic cluster and the nearest toxic references."""
        codes = sp.csr_matrix(codes, dtype=np.float32)
        unit = unit_rows(codes).tocsr()
        k = self.config.k_neighbors
        scores = self._latent_scores(codes)
        toxic_sim, nearest_rows, nearest_sims = top_k_similarity(unit, self.toxic_unit_, k)
        benign_sim = top_k_similarity(unit, self.benign_unit_, k)[0] if self.benign_unit_ is not None else 0.0
        scores["score_knn"] = toxic_sim - benign_sim
        dense_unit = unit_rows(np.asarray(dense, dtype=np.float32))
        dense_toxic = top_k_similarity(dense_unit, self.dense_toxic_unit_, k)[0]
        dense_benign = top_k_similarity(dense_unit, self.dense_benign_unit_, k)[0] if self.dense_benign_unit_ is not None else 0.0
        scores["score_dense_knn"] = dense_toxic - dense_benign
        words = self._lexical(np.asarray(texts, dtype=object))
        lexical_toxic = top_k_similarity(words, self.lexical_toxic_, k)[0]
        lexical_benign = top_k_similarity(words, self.lexical_benign_, k)[0] if self.lexical_benign_ is not None else 0.0
        scores["score_lexical_knn"] = lexical_toxic - lexical_benign
        to_centroids = np.asarray(unit @ self.centroids_.T)
        best = to_centroids.argmax(axis=1)
        scores["score_cluster_distance"] = to_centroids[np.arange(codes.shape[0]), best] - 1.0
        nearest_cluster = self.toxic_clusters_[best] if len(self.toxic_clusters_) else np.full(codes.shape[0], -1)
        if self.probe_coef_ is not None:
            scores["score_probe"] = unit @ self.probe_coef_ + self.probe_intercept_
        else:
            scores["score_probe"] = np.full(codes.shape[0], np.nan)
        return pl.DataFrame(
            {
                **{name: np.asarray(scores[name], dtype=np.float64) for name in FAMILIES},
                "nearest_toxic_cluster": nearest_cluster.astype(np.int32),
                "nearest_toxic_ids": pl.Series([list(r) for r in self.toxic_ids_[nearest_rows]], dtype=pl.List(pl.String)),
                "nearest_toxic_sims": pl.Series(nearest_sims.tolist(), dtype=pl.List(pl.Float32)),
            }
        )

    # ------------------------------------------------------------------ combinations
    def calibrate(self, family_scores: pl.DataFrame) -> ToxicProximity:
        """Keep each family's values on these rows (the training rows) as the scale of rank averages."""
        self.calibration_ = {}
        for name in FAMILIES:
            values = family_scores[name].to_numpy().astype(np.float64)
            self.calibration_[name] = np.sort(values[np.isfinite(values)])
        return self

    def percentile(self, family: str, values: np.ndarray) -> np.ndarray:
        """Mid-rank percentile of `values` among the calibration rows (NaN stays NaN)."""
        reference = self.calibration_.get(family)
        if reference is None or len(reference) == 0:
            return np.full(len(values), np.nan)
        below = np.searchsorted(reference, values, side="left")
        at_or_below = np.searchsorted(reference, values, side="right")
        return np.where(np.isfinite(values), (below + at_or_below) / (2.0 * len(reference)), np.nan)

    def combine(self, family_scores: pl.DataFrame, spec: str) -> np.ndarray:
        """The value of a score spec: a family's own value, or the mean percentile of several."""
        components = score_components(spec)
        if len(components) == 1:
            return family_scores[components[0]].to_numpy().astype(np.float64)
        percentiles = np.vstack([self.percentile(name, family_scores[name].to_numpy().astype(np.float64)) for name in components])
        usable = np.isfinite(percentiles).any(axis=1)
        if not usable.any():
            return np.full(family_scores.height, np.nan)
        return np.nanmean(percentiles[usable], axis=0)

    # ------------------------------------------------------------------ explain
    def latent_contributions(self, features: np.ndarray, values: np.ndarray, family: str) -> np.ndarray:
        """Each latent's part of `family` for one row given by its active latents and values.

        The parts add up to the score for the activation, decoder and paper families and the
        probe (up to its intercept); for kNN and the cluster they add up to the cosine to the
        mean of the nearest references / the centroid; for the z-score they approximate it.
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
            null = self._null_draws(row, np.array([mass]))[0]
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
        return np.zeros(len(features))

    # ------------------------------------------------------------------ save / load
    ARRAYS = (
        "toxic_latents_", "paper_latents_", "active_", "nearest_toxic_", "latent_cosine_",
        "weights_including_", "weights_excluding_", "weights_paper_", "null_weights_",
        "dense_toxic_unit_", "dense_benign_unit_", "toxic_clusters_", "centroids_", "probe_coef_", "idf_",
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
        save_file(tensors, str(folder / "scorer.safetensors"))
        state = {
            "format_version": FORMAT_VERSION,
            "config": asdict(self.config),
            "d_sae": self.d_sae_,
            "comparison": self.comparison_,
            "probe_intercept": self.probe_intercept_,
            "toxic_ids": self.toxic_ids_.tolist(),
            "vocabulary": self.vocabulary_,
        }
        (folder / "scorer.json").write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> ToxicProximity:
        from safetensors.numpy import load_file

        state = json.loads((Path(folder) / "scorer.json").read_text(encoding="utf-8"))
        if state.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{folder}: scorer format {state.get('format_version')} is not {FORMAT_VERSION}: rebuild the analysis")
        tensors = load_file(str(Path(folder) / "scorer.safetensors"))
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


def reference_folds(sets: np.ndarray, n_folds: int, seed: int) -> list[np.ndarray]:
    """Folds of the reference rows (toxic and benign); training rows are in none.

    The split is a seeded permutation of the reference rows' positions that ignores their
    set, so a row's fold, and the scorer that scores it, never depend on its own label.
    """
    reference = np.flatnonzero((sets == "toxic") | (sets == "benign"))
    n_folds = max(2, min(n_folds, len(reference)))
    order = np.random.default_rng(seed).permutation(reference)
    return [np.sort(fold) for fold in np.array_split(order, n_folds) if len(fold)]


@dataclass
class CrossFitResult:
    scorer: ToxicProximity  # fitted on every row, calibrated on the training rows
    scores: pl.DataFrame  # one row per input row: families (reference rows out of fold) + `score`


def cross_fit(rows: FitRows, config: ProximityConfig) -> CrossFitResult:
    """Fit on all rows, score the training rows with it and each reference row out of fold."""
    scorer = ToxicProximity(config).fit(rows)
    in_sample = scorer.score(rows.codes, rows.dense, rows.texts).with_row_index("_row")
    replaced = np.zeros(len(rows.sets), dtype=bool)
    pieces = []
    for fold in reference_folds(rows.sets, config.cross_fit_folds, config.seed):
        keep = np.ones(len(rows.sets), dtype=bool)
        keep[fold] = False
        if not (rows.sets[keep] == "toxic").any():
            continue
        held_out = ToxicProximity(config).fit(rows.subset(keep))
        fold_scores = held_out.score(rows.codes[fold], rows.dense[fold], rows.texts[fold])
        pieces.append(fold_scores.with_columns(_row=pl.Series(fold, dtype=pl.UInt32)).select(in_sample.columns))
        replaced[fold] = True
    frame = pl.concat([in_sample.filter(~pl.Series(replaced)), *pieces]).sort("_row").drop("_row")
    is_train = rows.sets == "train"
    scorer.calibrate(frame.filter(pl.Series(is_train)) if is_train.any() else frame)
    frame = frame.with_columns(score=pl.Series(scorer.combine(frame, config.default_score)))
    return CrossFitResult(scorer, frame)


def superposition_test(scorer: ToxicProximity, codes: sp.csr_matrix) -> dict[str, Any]:
    """Are these rows' latents closer in decoder geometry to the toxic latents than to random
    latent sets of the same size and frequency? Mean excluding score vs its permutation null."""
    codes = sp.csr_matrix(codes, dtype=np.float32)
    draws = scorer.null_weights_.shape[0]
    if draws < 2 or len(scorer.toxic_latents_) == 0 or codes.shape[0] == 0:
        return {"draws": draws, "observed": None, "null_mean": None, "null_sd": None, "z": None, "p": None}
    mass = np.asarray(codes.sum(axis=1)).ravel()
    observed = float(scorer._latent_scores(codes)["score_decoder_proximity_excl"].mean())
    null = scorer._null_draws(codes, mass).mean(axis=0)
    spread = float(null.std())
    return {
        "draws": int(draws),
        "observed": round(observed, 5),
        "null_mean": round(float(null.mean()), 5),
        "null_sd": round(spread, 5),
        "z": round((observed - float(null.mean())) / spread, 3) if spread > 0 else None,
        "p": round(float((1 + (null >= observed).sum()) / (draws + 1)), 4),
    }
