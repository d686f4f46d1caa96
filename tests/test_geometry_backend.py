"""UMAP and HDBSCAN on the GPU (cuML) when it can run, else on the CPU, with one output contract.

No test here needs a GPU or cuML: the missing case blocks the import of `cuml`, and the GPU
path runs against a stand-in `cuml` package that records how it is called.
"""

from __future__ import annotations

import logging
import sys
import types

import numpy as np
import pytest

from analysis.config import GeometryConfig
from analysis.geometry import backend
from analysis.geometry.clustering import hdbscan_labels
from analysis.geometry.embedding import two_umaps

N_POINTS = 80
LOGGER = "analysis.geometry.backend"


@pytest.fixture(autouse=True)
def _backend_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(backend.BACKEND_ENV, raising=False)


@pytest.fixture
def no_cuml(monkeypatch: pytest.MonkeyPatch) -> None:
    """cuML absent, whatever this machine has installed."""
    for name in [name for name in sys.modules if name == "cuml" or name.startswith("cuml.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "cuml", None)


def _points(n: int = N_POINTS, dim: int = 12, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # three loose groups on the unit sphere, so HDBSCAN finds clusters and some noise
    centres = rng.normal(size=(3, dim))
    points = centres[np.arange(n) % 3] + 0.35 * rng.normal(size=(n, dim))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


# ---------------------------------------------------------------- the CPU fallback


def test_without_cuml_the_cpu_runs_says_why_once_and_gives_the_cpu_outputs(no_cuml, monkeypatch, caplog):
    points, cfg = _points(), GeometryConfig()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        umaps = two_umaps(points, cfg)  # resolves the backend
        clusters = hdbscan_labels(umaps.space, 8, 5, umaps.backend)  # runs on the one resolved
    fallbacks = [record.getMessage() for record in caplog.records if record.name == LOGGER]
    assert len(fallbacks) == 1 and fallbacks[0].endswith("cuml not installed"), fallbacks
    assert umaps.backend == clusters.backend == "cpu"
    xy, space, labels = umaps.xy, umaps.space, clusters.labels

    monkeypatch.setenv(backend.BACKEND_ENV, "cpu")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        cpu = two_umaps(points, cfg)
        cpu_clusters = hdbscan_labels(cpu.space, 8, 5)
    assert not [record for record in caplog.records if record.name == LOGGER]  # asked for: nothing to explain
    assert cpu.backend == cpu_clusters.backend == "cpu"
    cpu_xy, cpu_space, cpu_labels = cpu.xy, cpu.space, cpu_clusters.labels

    assert xy.dtype == space.dtype == np.float32 and xy.shape == (N_POINTS, 2) and space.shape == (N_POINTS, cfg.cluster_components)
    np.testing.assert_array_equal(xy, cpu_xy)
    np.testing.assert_array_equal(space, cpu_space)
    assert labels.dtype == np.int32 and labels.shape == (N_POINTS,)
    np.testing.assert_array_equal(labels, cpu_labels)
    assert labels.max() >= 1 and labels.min() >= -1


def test_cuml_without_a_cuda_device_falls_back_with_that_reason(monkeypatch, caplog):
    _install_fake_cuml(monkeypatch)
    monkeypatch.setattr(backend, "_cuda_device_count", lambda: 0)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert backend.geometry_backend() == "cpu"
    messages = [record.getMessage() for record in caplog.records if record.name == LOGGER]
    assert len(messages) == 1 and messages[0].endswith("no CUDA device")


def test_cuml_asked_for_but_missing_is_a_clear_error(no_cuml, monkeypatch):
    monkeypatch.setenv(backend.BACKEND_ENV, "cuml")
    with pytest.raises(backend.GeometryBackendError, match="ANALYSIS_GEOMETRY_BACKEND=cuml, but cuml not installed"):
        two_umaps(_points(), GeometryConfig())
    with pytest.raises(backend.GeometryBackendError, match="cuml not installed"):
        hdbscan_labels(_points()[:, :5], 8, 5)


def test_cuml_asked_for_without_a_cuda_device_is_a_clear_error(monkeypatch):
    _install_fake_cuml(monkeypatch)
    monkeypatch.setattr(backend, "_cuda_device_count", lambda: 0)
    monkeypatch.setenv(backend.BACKEND_ENV, "cuml")
    with pytest.raises(backend.GeometryBackendError, match="but no CUDA device"):
        backend.geometry_backend()


def test_an_unknown_backend_is_refused(monkeypatch):
    monkeypatch.setenv(backend.BACKEND_ENV, "gpu")
    with pytest.raises(backend.GeometryBackendError, match="is not one of auto, cpu, cuml"):
        backend.geometry_backend()


def test_the_cli_stops_before_building_when_the_backend_is_missing(no_cuml, monkeypatch, tmp_path, capsys):
    from analysis.cli.main import main

    monkeypatch.setenv(backend.BACKEND_ENV, "cuml")
    assert main(["demo", "--out", str(tmp_path / "cache"), "--quiet"]) == 2
    assert "error: ANALYSIS_GEOMETRY_BACKEND=cuml, but cuml not installed" in capsys.readouterr().err
    assert not (tmp_path / "cache").exists()


# ---------------------------------------------------------------- the GPU path, against a stand-in cuML


class _Calls:
    def __init__(self) -> None:
        self.neighbors: list[dict] = []
        self.umap: list[dict] = []
        self.hdbscan: list[dict] = []
        self.inputs: list[np.ndarray] = []
        self.umap_outputs: list[np.ndarray] = []


def _install_fake_cuml(monkeypatch: pytest.MonkeyPatch) -> _Calls:
    calls = _Calls()

    class NearestNeighbors:
        def __init__(self, **kwargs) -> None:
            calls.neighbors.append(kwargs)
            self.k = kwargs["n_neighbors"]

        def fit(self, X):
            calls.inputs.append(X)
            self.X = X
            return self

        def kneighbors(self, X):
            distances = 1.0 - X.astype(np.float64) @ self.X.astype(np.float64).T
            indices = np.argsort(distances, axis=1, kind="stable")[:, : self.k]
            return np.take_along_axis(distances, indices, axis=1), indices.astype(np.int64)  # as cuML: (distances, indices)

    class UMAP:
        def __init__(self, **kwargs) -> None:
            calls.umap.append(kwargs)
            self.kwargs = kwargs

        def fit_transform(self, X):
            calls.inputs.append(X)
            rng = np.random.default_rng(len(calls.umap))
            out = rng.normal(size=(X.shape[0], self.kwargs["n_components"]))  # float64: the contract casts
            calls.umap_outputs.append(out)
            return out

    class HDBSCAN:
        def __init__(self, **kwargs) -> None:
            calls.hdbscan.append(kwargs)

        def fit_predict(self, X):
            calls.inputs.append(X)
            n = X.shape[0]
            labels = np.full(n, -1, dtype=np.int64)
            labels[: n // 2] = 7  # the larger cluster, numbered 0 after renumbering
            labels[n // 2 : n // 2 + n // 4] = 3
            return labels

    package = types.ModuleType("cuml")
    modules = {"cuml": package}
    for name, members in (("manifold", {"UMAP": UMAP}), ("cluster", {"HDBSCAN": HDBSCAN}), ("neighbors", {"NearestNeighbors": NearestNeighbors})):
        module = types.ModuleType(f"cuml.{name}")
        for attribute, value in members.items():
            setattr(module, attribute, value)
        setattr(package, name, module)
        modules[f"cuml.{name}"] = module
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    return calls


@pytest.mark.parametrize("requested", ["", "auto", "cuml"])
def test_with_cuml_and_a_gpu_umap_and_hdbscan_run_on_cuml(monkeypatch, caplog, requested: str):
    calls = _install_fake_cuml(monkeypatch)
    monkeypatch.setattr(backend, "_cuda_device_count", lambda: 1)
    monkeypatch.setenv(backend.BACKEND_ENV, requested)
    points, cfg = _points().astype(np.float64), GeometryConfig()

    with caplog.at_level(logging.INFO, logger=LOGGER):
        umaps = two_umaps(points, cfg)
    assert umaps.backend == "cuml"
    xy, space = umaps.xy, umaps.space
    assert not [record for record in caplog.records if record.name == LOGGER]

    # one exact cosine kNN graph on the GPU, shared by both embeddings
    assert calls.neighbors == [{"n_neighbors": cfg.n_neighbors, "algorithm": "brute", "metric": "cosine", "output_type": "numpy"}]
    assert len(calls.umap) == 2
    common = {"n_neighbors": cfg.n_neighbors, "metric": "cosine", "random_state": cfg.seed, "init": "spectral", "build_algo": "brute_force_knn", "output_type": "numpy"}
    for kwargs, (n_components, min_dist) in zip(calls.umap, ((2, cfg.min_dist), (cfg.cluster_components, 0.0)), strict=True):
        assert {key: kwargs[key] for key in common} == common
        assert kwargs["n_components"] == n_components and kwargs["min_dist"] == min_dist
    knn = calls.umap[0]["precomputed_knn"]
    assert calls.umap[1]["precomputed_knn"] is knn
    indices, distances = knn
    assert indices.shape == distances.shape == (N_POINTS, cfg.n_neighbors)
    assert distances.dtype == np.float32 and (indices[:, 0] == np.arange(N_POINTS)).all()  # self first
    assert all(X.dtype == np.float32 and X.flags.c_contiguous for X in calls.inputs)  # cuML computes in float32

    assert xy.dtype == space.dtype == np.float32
    assert xy.shape == (N_POINTS, 2) and space.shape == (N_POINTS, cfg.cluster_components)
    np.testing.assert_array_equal(xy, calls.umap_outputs[0].astype(np.float32))
    np.testing.assert_array_equal(space, calls.umap_outputs[1].astype(np.float32))

    clusters = hdbscan_labels(space.astype(np.float64), 8, 5)
    labels = clusters.labels
    assert calls.hdbscan == [{"min_cluster_size": 8, "min_samples": 5, "metric": "euclidean", "output_type": "numpy"}]
    assert calls.inputs[-1].dtype == np.float32
    assert labels.dtype == np.int32 and labels.shape == (N_POINTS,)
    half, quarter = N_POINTS // 2, N_POINTS // 4
    assert (labels[:half] == 0).all() and (labels[half : half + quarter] == 1).all() and (labels[half + quarter :] == -1).all()
    assert clusters.backend == "cuml"


def test_too_few_points_for_hdbscan_give_noise_without_calling_cuml(monkeypatch):
    calls = _install_fake_cuml(monkeypatch)
    monkeypatch.setattr(backend, "_cuda_device_count", lambda: 1)
    clusters = hdbscan_labels(np.zeros((5, 5), dtype=np.float32), 8, 5)
    labels = clusters.labels
    assert clusters.backend == "cuml"
    assert labels.dtype == np.int32 and (labels == -1).all() and calls.hdbscan == []


def test_the_exact_cosine_neighbours_are_sklearns_self_first():
    """The map's kNN graph (a blocked search, flat in memory) finds what sklearn's brute
    force finds: the same neighbours in the same order, cosine distances, each point first."""
    from sklearn.neighbors import NearestNeighbors

    from analysis.geometry.embedding import exact_knn

    rng = np.random.default_rng(5)
    points = rng.normal(size=(300, 12)).astype(np.float32)
    indices, distances, _ = exact_knn(points, 10, "cosine")
    expected_distances, expected = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute").fit(points).kneighbors(points)
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_allclose(distances, expected_distances, atol=1e-5)
    assert (indices[:, 0] == np.arange(300)).all() and (distances >= 0).all()
    assert indices.dtype == np.int32 and distances.dtype == np.float32
