"""Where UMAP and HDBSCAN run: on the GPU with RAPIDS cuML when it is installed and a CUDA
device is present, else on the CPU with umap-learn and hdbscan.

`ANALYSIS_GEOMETRY_BACKEND` chooses: `auto` (the default), `cpu`, or `cuml` (an error when
cuML cannot run). The choice is read from the environment, not from `GeometryConfig`,
because the config is hashed into the cache keys: both backends give a valid map, and a
machine without a GPU should reuse the steps one with a GPU wrote.

Nothing is remembered between calls: a job resolves the backend once (`geometry_backend`),
passes it to the calls that run on it, and each of those returns the backend it ran on.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys

logger = logging.getLogger(__name__)

BACKEND_ENV = "ANALYSIS_GEOMETRY_BACKEND"
BACKENDS = ("auto", "cpu", "cuml")


class GeometryBackendError(ValueError):
    """`ANALYSIS_GEOMETRY_BACKEND` asks for something this machine cannot run."""


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

    Raises GeometryBackendError when "cuml" is asked for and cannot run. With "auto", a fall
    back to the CPU is logged at each call, so a job calls this once and passes the result on.
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
    logger.info("UMAP and HDBSCAN run on the CPU (umap-learn, hdbscan): %s", reason)
    return "cpu"
