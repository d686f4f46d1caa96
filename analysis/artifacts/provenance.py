"""The library versions a manifest or a report records, so a result can be traced and redone."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from importlib import metadata as importlib_metadata

from analysis import __version__

# What a build depends on for its values: extraction, the maps, the clusters, the tables.
BUILD_PACKAGES = ("torch", "transformers", "sae-lens", "polars", "umap-learn", "hdbscan", "scikit-learn", "numpy")
# What a monitor depends on: extraction with the analysis' model and SAE, scoring, the tests.
MONITOR_PACKAGES = ("torch", "transformers", "sae-lens", "scipy", "polars", "numpy")


def package_versions(names: Sequence[str] = BUILD_PACKAGES) -> dict[str, str]:
    """{"python", "analysis", then each of `names` in order}: version, or "not installed"."""
    versions = {"python": platform.python_version(), "analysis": __version__}
    for name in names:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
