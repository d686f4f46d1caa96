"""Maps and clusters: UMAP of samples (cosine on the SAE codes, through an SVD) and of SAE
features (cosine on decoder directions), HDBSCAN on a low-dimensional UMAP of each.

The k-nearest-neighbour graph is computed once and shared by the 2-D map and the
clustering embedding, which halves the UMAP cost.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl
import scipy.sparse as sp

from .config import GeometryConfig


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
    """(2-D map, `cluster_components`-D embedding for clustering) from one shared kNN graph."""
    import umap

    n = points.shape[0]
    if n < 4:
        raise ValueError(f"{n} points are too few for a UMAP map: at least 4 are needed")
    n_neighbors = min(cfg.n_neighbors, n - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        knn = exact_knn(points, n_neighbors, metric)
        outputs = []
        for n_components, min_dist in ((2, cfg.min_dist), (cfg.cluster_components, 0.0)):
            reducer = umap.UMAP(
                n_components=min(n_components, n - 2),
                n_neighbors=n_neighbors,
                min_dist=min_dist,
                metric=metric,
                random_state=cfg.seed,
                precomputed_knn=knn,
                init="spectral" if n > n_components + 1 else "random",
            )
            outputs.append(reducer.fit_transform(points).astype(np.float32))
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
    """HDBSCAN labels (-1 = noise), numbered by decreasing cluster size for stable display."""
    import hdbscan

    if space.shape[0] < max(min_cluster_size, 2):
        return np.full(space.shape[0], -1, dtype=np.int32)
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
