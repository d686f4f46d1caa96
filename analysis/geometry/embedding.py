"""Maps: UMAP of samples (cosine on the SAE codes, through an SVD) and of SAE features
(cosine on decoder directions), each as a 2-D map and a low-dimensional embedding that
HDBSCAN clusters (`analysis.geometry.clustering`).

The k-nearest-neighbour graph is computed once and shared by the 2-D map and the
clustering embedding, which halves the UMAP cost. Both run on the backend
`analysis.geometry.backend` chooses, and `two_umaps` says which one it ran on.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analysis.config import GeometryConfig
from analysis.geometry.backend import geometry_backend


@dataclass(frozen=True)
class Umaps:
    """The two embeddings of one set of points, float32, and the backend that computed them."""

    xy: np.ndarray  # (n, 2): the map
    space: np.ndarray  # (n, cluster_components): what HDBSCAN clusters
    backend: str  # "cuml" or "cpu"


def l2_normalize_rows(matrix):
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1)


def svd_embedding(codes: sp.csr_matrix, n_components: int, seed: int) -> np.ndarray:
    """Unit-norm rows of a truncated SVD of the unit-norm codes (cosine geometry kept)."""
    from sklearn.decomposition import TruncatedSVD

    normalized = l2_normalize_rows(codes)
    n_components = max(2, min(n_components, min(normalized.shape) - 1))
    reduced = TruncatedSVD(n_components=n_components, random_state=seed).fit_transform(normalized)
    return l2_normalize_rows(reduced).astype(np.float32)


def two_umaps(points: np.ndarray, cfg: GeometryConfig, metric: str = "cosine", backend: str | None = None) -> Umaps:
    """The 2-D map and the `cluster_components`-D clustering embedding, from one shared kNN graph.

    Both are float32 of shape (n, 2) and (n, cluster_components), on either backend.
    `backend` ("cuml" or "cpu") is the one a job resolved once; None resolves it here.
    """
    n = points.shape[0]
    if n < 4:
        raise ValueError(f"{n} points are too few for a UMAP map: at least 4 are needed")
    n_neighbors = min(cfg.n_neighbors, n - 1)
    backend = backend or geometry_backend()
    run = _cuml_umaps if backend == "cuml" else _cpu_umaps
    xy, space = run(points, cfg, metric, n_neighbors)
    return Umaps(xy, space, backend)


def _umap_runs(cfg: GeometryConfig, n: int) -> list[tuple[int, float, str]]:
    """(n_components, min_dist, init) of the map and of the clustering embedding."""
    runs = []
    for n_components, min_dist in ((2, cfg.min_dist), (cfg.cluster_components, 0.0)):
        runs.append((min(n_components, n - 2), min_dist, "spectral" if n > n_components + 1 else "random"))
    return runs


def _cpu_umaps(points: np.ndarray, cfg: GeometryConfig, metric: str, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    import umap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        knn = exact_knn(points, n_neighbors, metric)
        outputs = []
        for n_components, min_dist, init in _umap_runs(cfg, points.shape[0]):
            reducer = umap.UMAP(
                n_components=n_components,
                n_neighbors=n_neighbors,
                min_dist=min_dist,
                metric=metric,
                random_state=cfg.seed,
                precomputed_knn=knn,
                init=init,
            )
            outputs.append(reducer.fit_transform(points).astype(np.float32))
    return outputs[0], outputs[1]


def _cuml_umaps(points: np.ndarray, cfg: GeometryConfig, metric: str, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    manifold = importlib.import_module("cuml.manifold")
    neighbors = importlib.import_module("cuml.neighbors")

    data = np.ascontiguousarray(points, dtype=np.float32)  # cuML computes in float32
    # Exact neighbours on the GPU, once for both embeddings: at a million points this is
    # seconds there, while the CPU would need the approximate search.
    search = neighbors.NearestNeighbors(n_neighbors=n_neighbors, algorithm="brute", metric=metric, output_type="numpy")
    distances, indices = search.fit(data).kneighbors(data)
    knn = (np.asarray(indices, dtype=np.int64), np.asarray(distances, dtype=np.float32))
    outputs = []
    for n_components, min_dist, init in _umap_runs(cfg, data.shape[0]):
        reducer = manifold.UMAP(
            n_components=n_components,
            n_neighbors=n_neighbors,
            min_dist=min_dist,
            metric=metric,
            # with a seed cuML runs its layout deterministically, as umap-learn does
            random_state=cfg.seed,
            init=init,
            precomputed_knn=knn,
            build_algo="brute_force_knn",  # never the non-deterministic nn_descent, should the graph be rebuilt
            output_type="numpy",
        )
        outputs.append(np.asarray(reducer.fit_transform(data), dtype=np.float32))
    return outputs[0], outputs[1]


EXACT_KNN_LIMIT = 40_000  # above this, approximate neighbours (pynndescent) beat brute force


def exact_knn(points: np.ndarray, n_neighbors: int, metric: str) -> tuple[np.ndarray, np.ndarray, None]:
    """k nearest neighbours (self first), in UMAP's `precomputed_knn` form.

    Brute force on the SVD-reduced points is exact and, at these sizes, much faster than
    pynndescent, whose numba kernels are compiled anew in every process. Cosine neighbours
    come from the blocked search of `analysis.similarity`, whose memory does not grow with the points
    (sklearn's threaded search raised the peak by 644 MB at 20,000 points, this one by 87 MB).
    """
    from sklearn.neighbors import NearestNeighbors

    if points.shape[0] > EXACT_KNN_LIMIT:
        from umap.umap_ import nearest_neighbors

        indices, distances, _ = nearest_neighbors(
            points, n_neighbors, metric, {}, False, np.random.RandomState(0), low_memory=True
        )
        return indices, distances, None
    if metric == "cosine":
        from analysis.similarity import top_k_similarity, unit_rows

        unit = unit_rows(np.asarray(points, dtype=np.float32))
        _, indices, similarities = top_k_similarity(unit, unit, n_neighbors)
        return indices.astype(np.int32), np.maximum(0.0, 1.0 - similarities).astype(np.float32), None
    from sklearn import config_context

    search = NearestNeighbors(n_neighbors=n_neighbors, metric=metric, algorithm="brute", n_jobs=-1).fit(points)
    # sklearn's default 1 GB working memory for distance chunks would dominate the peak
    with config_context(working_memory=128):
        distances, indices = search.kneighbors(points)
    return indices.astype(np.int32), distances.astype(np.float32), None
