"""The cache key of each step: a hash of everything that determines its output, the previous
step's key included (docs/ARTIFACTS.md, "What an analysis id identifies"), and the helper
that fills a step's folder once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from analysis.artifacts.cache import is_complete, stable_hash, step_lock
from analysis.artifacts.layout import ANALYSIS_FORMAT_VERSION
from analysis.config import PRETRAINED_DECIDES, STEP_VERSIONS, BuildConfig, ExtractConfig

# Settings that change how fast a step runs, never what it writes.
SPEED_ONLY_SETTINGS = ("device", "batch_tokens")
# Settings that are read only with `--self-contrast`: out of the key when it is off, so an
# analysis built without it keeps the id it had before the option existed.
SELF_CONTRAST_SETTINGS = ("self_contrast", "self_contrast_tokens")


@dataclass(frozen=True)
class StepKeys:
    sae: str
    extract: str
    geometry: str
    clusters: str
    analysis: str


def local_files_fingerprint(spec: str | None) -> list[list[str]] | None:
    """sha256 of every file of a local SAE folder, so an SAE retrained in place is not reused."""
    if spec is None or not Path(spec).expanduser().is_dir():
        return None
    from analysis.artifacts.inputs import file_sha256

    folder = Path(spec).expanduser()
    return [[p.name, file_sha256(p)] for p in sorted(folder.iterdir()) if p.is_file()]


def extract_identity(ex: ExtractConfig) -> dict[str, Any]:
    """The extract settings that determine its output (docs/ARTIFACTS.md, "What an analysis id identifies")."""
    settings = {k: v for k, v in asdict(ex).items() if k not in SPEED_ONLY_SETTINGS}
    settings["model_dtype"] = ex.resolved_model_dtype  # "auto" keys as the precision it reads in
    if ex.sae is not None:
        settings = {k: v for k, v in settings.items() if k not in PRETRAINED_DECIDES}
    if not ex.self_contrast:
        settings = {k: v for k, v in settings.items() if k not in SELF_CONTRAST_SETTINGS}
    return settings


def step_keys(fingerprint: list[dict[str, str]], config: BuildConfig) -> StepKeys:
    """The key of every step of a build of these inputs (`inputs_fingerprint`) with `config`."""
    ex = config.extract
    sae_key = stable_hash(
        {"inputs": fingerprint, "model": ex.model, "layer": ex.read_layer, "window": ex.window, "stride": ex.stride, "dtype": ex.resolved_model_dtype, "training": asdict(ex.sae_training), "v": STEP_VERSIONS["extract"]}
    )
    extract_key = stable_hash(
        {"inputs": fingerprint, "extract": extract_identity(ex), "sae_files": local_files_fingerprint(ex.sae_location()), "v": STEP_VERSIONS["extract"]}
    )
    geometry_key = stable_hash({"extract": extract_key, "geometry": asdict(config.geometry), "v": STEP_VERSIONS["geometry"]})
    clusters_key = stable_hash({"geometry": geometry_key, "clusters": asdict(config.clusters), "v": STEP_VERSIONS["clusters"]})
    # the folder format is in the key: an analysis written in another format is never found again
    analysis_key = stable_hash({"clusters": clusters_key, "proximity": asdict(config.proximity), "v": STEP_VERSIONS["proximity"], "format": ANALYSIS_FORMAT_VERSION})
    return StepKeys(sae_key, extract_key, geometry_key, clusters_key, analysis_key)


def once(folder: Path, compute: Callable[[], None]) -> Path:
    """`folder` built by `compute` unless complete; a concurrent build of the same key (another
    process or thread) waits on the step's lock and then finds it complete."""
    if is_complete(folder):
        return folder
    with step_lock(folder):
        if not is_complete(folder):
            compute()
    return folder
