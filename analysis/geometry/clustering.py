"""Clusters: HDBSCAN on the low-dimensional UMAP embedding (`Umaps.space`), on the backend
`analysis.geometry.backend` chooses, labels numbered by decreasing cluster size."""

from __future__ import annotations

import importlib
import math
import warnings
from dataclasses import dataclass

import numpy as np

from analysis.geometry.backend import geometry_backend


@dataclass(frozen=True)
class ClusterLabels:
    """HDBSCAN labels, int32 (-1 = noise), and the backend they were computed on."""

    labels: np.ndarray
    backend: str  # "cuml" or "cpu"


def auto_min_cluster_size(n: int) -> int:
    """Half the square root of the number of points, at least 8: a cluster is a visible group."""
    return max(8, round(0.5 * math.sqrt(n)))


def hdbscan_labels(space: np.ndarray, min_cluster_size: int, min_samples: int | None, backend: str | None = None) -> ClusterLabels:
    """HDBSCAN labels, numbered by decreasing cluster size for stable display.

    `backend` ("cuml" or "cpu") is the one a job resolved once; None resolves it here. Fewer
    points than a cluster needs are all noise, computed nowhere."""
    backend = backend or geometry_backend()
    if space.shape[0] < max(min_cluster_size, 2):
        return ClusterLabels(np.full(space.shape[0], -1, dtype=np.int32), backend)
    if backend == "cuml":
        cluster = importlib.import_module("cuml.cluster")
        clusterer = cluster.HDBSCAN(
            min_cluster_size=min_cluster_size, min_samples=min_samples, metric="euclidean", output_type="numpy"
        )
        labels = clusterer.fit_predict(np.ascontiguousarray(space, dtype=np.float32))  # cuML takes float32 only
        return ClusterLabels(renumber_by_size(np.asarray(labels)), backend)
    import hdbscan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = hdbscan.HDBSCAN(
            min_cluster_size=min_cluster_size, min_samples=min_samples, core_dist_n_jobs=1
        ).fit_predict(space.astype(np.float64))
    return ClusterLabels(renumber_by_size(labels), backend)


def renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster 0 the largest, ties by the old number; noise (-1) stays -1."""
    found = [c for c in np.unique(labels) if c >= 0]
    sizes = sorted(found, key=lambda c: (-int((labels == c).sum()), int(c)))
    mapping = {old: new for new, old in enumerate(sizes)}
    return np.array([mapping.get(c, -1) for c in labels], dtype=np.int32)
