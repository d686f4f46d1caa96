"""Maps and clusters: UMAP of samples (cosine on the SAE codes, through an SVD) and of SAE
features (cosine on decoder directions), HDBSCAN on a low-dimensional UMAP of each.

The k-nearest-neighbour graph is computed once and shared by the 2-D map and the
clustering embedding, which halves the UMAP cost.

UMAP and HDBSCAN run on the GPU with RAPIDS cuML when it is installed and a CUDA device is
present, else on the CPU with umap-learn and hdbscan. `ANALYSIS_GEOMETRY_BACKEND` chooses:
`auto` (the default), `cpu`, or `cuml` (an error when cuML cannot run). The choice is read
from the environment, not from `GeometryConfig`, because the config is hashed into the
cache keys: both backends give a valid map, and a machine without a GPU should reuse the
steps one with a GPU wrote. Which backend ran is `last_backend()`.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import math
import os
import sys
import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl
import scipy.sparse as sp

from analysis.config import GeometryConfig

logger = logging.getLogger(__name__)

BACKEND_ENV = "ANALYSIS_GEOMETRY_BACKEND"
BACKENDS = ("auto", "cpu", "cuml")


class GeometryBackendError(ValueError):
    """`ANALYSIS_GEOMETRY_BACKEND` asks for something this machine cannot run."""


# The backend of the latest two_umaps / hdbscan_labels call in this process (a build runs in
# its own process, so this is that build's), and the fallback reasons already logged, so a
# build says once, not at every call, why it stayed on the CPU.
_last_backend: str | None = None
_announced: set[str] = set()


def requested_backend() -> str:
    """`ANALYSIS_GEOMETRY_BACKEND`: "auto" (unset or empty), "cpu" or "cuml"."""
    value = os.environ.get(BACKEND_ENV, "").strip().lower() or "auto"
    if value not in BACKENDS:
        raise GeometryBackendError(f"{BACKEND_ENV}={value!r} is not one of {', '.join(BACKENDS)}")
    return value


def _cuml_installed() -> bool:
    if "cuml" in sys.modules:
        return sys.modules["cuml"] is not None  # None: imports of it are blocked
    try:
        return importlib.util.find_spec("cuml") is not None
    except (ImportError, ValueError):
        return False


def _cuda_device_count() -> int:
    """CUDA devices cupy (a cuML dependency) can see; 0 without a driver or a runtime."""
    try:
        import cupy

        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # a missing driver or library raises its own error types: no usable device
        return 0


def cuml_unavailable_reason() -> str | None:
    """None when cuML can run here, else why not ("cuml not installed", "no CUDA device")."""
    if not _cuml_installed():
        return "cuml not installed"
    if _cuda_device_count() < 1:
        return "no CUDA device"
    return None


def geometry_backend() -> str:
    """The backend UMAP and HDBSCAN run on here, "cuml" or "cpu", as `ANALYSIS_GEOMETRY_BACKEND` asks.

    Raises GeometryBackendError when "cuml" is asked for and cannot run; with "auto", falling
    back to the CPU is logged once per reason.
    """
    requested = requested_backend()
    if requested == "cpu":
        return "cpu"
    reason = cuml_unavailable_reason()
    if reason is None:
        return "cuml"
    if requested == "cuml":
        raise GeometryBackendError(
            f"{BACKEND_ENV}=cuml, but {reason}: install RAPIDS cuML on a machine with a CUDA GPU, "
            f"or set {BACKEND_ENV}=auto to run UMAP and HDBSCAN on the CPU"
        )
    if reason not in _announced:
        _announced.add(reason)
        logger.info("UMAP and HDBSCAN run on the CPU (umap-learn, hdbscan): %s", reason)
    return "cpu"


def last_backend() -> str | None:
    """The backend ("cuml" or "cpu") the latest two_umaps or hdbscan_labels call ran on; None before any."""
    return _last_backend


def _record(backend: str) -> str:
    global _last_backend
    _last_backend = backend
    return backend


def activation_matrix(activations: pl.DataFrame, ids: Sequence[str], n_latents: int | None = None) -> sp.csr_matrix:
    """CSR matrix [len(ids), n_latents] of pooled SAE activations, rows in ``ids`` order.

    ``activations`` has the columns of ``activations.parquet`` (id, features, values); ids
    without a row there get an empty row. ``n_latents`` defaults to the largest latent + 1.
    """
    order = pl.DataFrame({"id": list(ids)}, schema={"id": pl.String}).with_row_index("row")
    entries = (
        order.join(activations.select("id", "features", "values"), on="id", how="inner")
        .explode("features", "values")
        .drop_nulls("features")
    )
    rows = entries["row"].to_numpy()
    columns = entries["features"].to_numpy().astype(np.int64)
    values = entries["values"].to_numpy().astype(np.float32)
    if n_latents is None:
        n_latents = int(columns.max()) + 1 if columns.size else 1
    return sp.csr_matrix((values, (rows, columns)), shape=(len(ids), n_latents))


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


def two_umaps(points: np.ndarray, cfg: GeometryConfig, metric: str = "cosine") -> tuple[np.ndarray, np.ndarray]:
    """(2-D map, `cluster_components`-D embedding for clustering) from one shared kNN graph.

    Both are float32 of shape (n, 2) and (n, cluster_components), on either backend.
    """
    n = points.shape[0]
    if n < 4:
        raise ValueError(f"{n} points are too few for a UMAP map: at least 4 are needed")
    n_neighbors = min(cfg.n_neighbors, n - 1)
    if _record(geometry_backend()) == "cuml":
        return _cuml_umaps(points, cfg, metric, n_neighbors)
    return _cpu_umaps(points, cfg, metric, n_neighbors)


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
    pynndescent, whose numba kernels are compiled anew in every process.
    """
    from sklearn.neighbors import NearestNeighbors

    if points.shape[0] > EXACT_KNN_LIMIT:
        from umap.umap_ import nearest_neighbors

        indices, distances, _ = nearest_neighbors(
            points, n_neighbors, metric, {}, False, np.random.RandomState(0), low_memory=True
        )
        return indices, distances, None
    from sklearn import config_context

    search = NearestNeighbors(n_neighbors=n_neighbors, metric=metric, algorithm="brute", n_jobs=-1).fit(points)
    # sklearn's default 1 GB working memory for distance chunks would dominate the peak
    with config_context(working_memory=128):
        distances, indices = search.kneighbors(points)
    return indices.astype(np.int32), distances.astype(np.float32), None


def auto_min_cluster_size(n: int) -> int:
    """Half the square root of the number of points, at least 8: a cluster is a visible group."""
    return max(8, round(0.5 * math.sqrt(n)))


def hdbscan_labels(space: np.ndarray, min_cluster_size: int, min_samples: int | None) -> np.ndarray:
    """HDBSCAN labels, int32 (-1 = noise), numbered by decreasing cluster size for stable display."""
    backend = _record(geometry_backend())
    if space.shape[0] < max(min_cluster_size, 2):
        return np.full(space.shape[0], -1, dtype=np.int32)
    if backend == "cuml":
        cluster = importlib.import_module("cuml.cluster")
        clusterer = cluster.HDBSCAN(
            min_cluster_size=min_cluster_size, min_samples=min_samples, metric="euclidean", output_type="numpy"
        )
        labels = clusterer.fit_predict(np.ascontiguousarray(space, dtype=np.float32))  # cuML takes float32 only
        return renumber_by_size(np.asarray(labels))
    import hdbscan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = hdbscan.HDBSCAN(
            min_cluster_size=min_cluster_size, min_samples=min_samples, core_dist_n_jobs=1
        ).fit_predict(space.astype(np.float64))
    return renumber_by_size(labels)


def renumber_by_size(labels: np.ndarray) -> np.ndarray:
    found = [c for c in np.unique(labels) if c >= 0]
    sizes = sorted(found, key=lambda c: (-int((labels == c).sum()), int(c)))
    mapping = {old: new for new, old in enumerate(sizes)}
    return np.array([mapping.get(c, -1) for c in labels], dtype=np.int32)
