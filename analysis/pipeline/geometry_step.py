"""The geometry step (UMAP maps of samples and features) and the clusters step (HDBSCAN on
them), each cached in `cache/steps/<step>/<key>/` with the backend it ran on in step.json."""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from analysis.artifacts.cache import atomic_dir, step_dir, write_json
from analysis.config import BuildConfig, ClusterConfig
from analysis.heap import release_free_heap
from analysis.pipeline.extract_step import read_codes, read_decoder
from analysis.pipeline.keys import StepKeys, once


def run_geometry(extract_folder: Path, config: BuildConfig, keys: StepKeys, cache_root: Path, d_sae: int, backend: str) -> Path:
    """The 2-D maps and clustering embeddings of the samples and the features, on `backend`."""
    folder = step_dir(cache_root, "geometry", keys.geometry)
    done = once(folder, lambda: _geometry(extract_folder, config, d_sae, folder, backend))
    release_free_heap()  # the neighbour search's and UMAP's buffers, before the scores are fitted
    return done


def _geometry(extract_folder: Path, config: BuildConfig, d_sae: int, folder: Path, backend: str) -> None:
    from analysis.geometry.embedding import svd_embedding, two_umaps

    cfg = config.geometry
    started = time.perf_counter()
    points = svd_embedding(read_codes(extract_folder, d_sae), cfg.svd_components, cfg.seed)
    samples = two_umaps(points, cfg, backend=backend)
    sample_seconds = time.perf_counter() - started
    started = time.perf_counter()
    _, directions = read_decoder(extract_folder)
    features = two_umaps(directions, cfg, backend=backend)
    feature_seconds = time.perf_counter() - started
    with atomic_dir(folder) as tmp:
        np.save(tmp / "sample_xy.npy", samples.xy, allow_pickle=False)
        np.save(tmp / "sample_space.npy", samples.space, allow_pickle=False)
        np.save(tmp / "feature_xy.npy", features.xy, allow_pickle=False)
        np.save(tmp / "feature_space.npy", features.space, allow_pickle=False)
        timings = {"umap_samples": round(sample_seconds, 2), "umap_features": round(feature_seconds, 2)}
        write_json(tmp / "step.json", {"timings": timings, "backend": features.backend})


def resolved_cluster_config(config: BuildConfig, n_samples: int) -> ClusterConfig:
    """The cluster settings with an automatic minimum cluster size (0) replaced by its value."""
    from analysis.geometry.clustering import auto_min_cluster_size

    cfg = config.clusters
    if cfg.min_cluster_size <= 0:
        cfg = replace(cfg, min_cluster_size=auto_min_cluster_size(n_samples))
    return cfg


def run_clusters(geometry_folder: Path, config: BuildConfig, keys: StepKeys, cache_root: Path, n_samples: int, backend: str) -> Path:
    """HDBSCAN labels of the samples and the features, on `backend`."""
    folder = step_dir(cache_root, "clusters", keys.clusters)
    return once(folder, lambda: _clusters(geometry_folder, config, n_samples, folder, backend))


def _clusters(geometry_folder: Path, config: BuildConfig, n_samples: int, folder: Path, backend: str) -> None:
    from analysis.geometry.clustering import hdbscan_labels

    cfg = resolved_cluster_config(config, n_samples)
    started = time.perf_counter()
    samples = hdbscan_labels(np.load(geometry_folder / "sample_space.npy"), cfg.min_cluster_size, cfg.min_samples, backend)
    features = hdbscan_labels(np.load(geometry_folder / "feature_space.npy"), cfg.feature_min_cluster_size, None, backend)
    with atomic_dir(folder) as tmp:
        np.save(tmp / "sample_labels.npy", samples.labels, allow_pickle=False)
        np.save(tmp / "feature_labels.npy", features.labels, allow_pickle=False)
        timings = {"hdbscan": round(time.perf_counter() - started, 2)}
        write_json(tmp / "step.json", {"resolved": asdict(cfg), "timings": timings, "backend": features.backend})
