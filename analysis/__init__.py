"""Feature-geometry analysis of fine-tuning data: SAE features, maps, clusters, proximity scores.

The library behind the Streamlit app; usable on its own (`python -m analysis ...`, or from a
notebook through the names below). Heavy libraries (torch, transformers, umap) are imported
only by the steps that need them, so that reading a cached analysis stays fast: every public
name is resolved on first use.

    from analysis import Analysis, BuildConfig, BuildInputs, FilterRule, build
    folder = build(BuildInputs(train, toxic, benign), BuildConfig())
    analysis = Analysis.open(folder)                   # `samples`, `select`, `query`, `export`
    analysis.query(["a new text"])                     # scored by the fitted analysis, nothing refitted
    analysis.export(FilterRule(score="score", top_percent=10), "out/")

`Analysis` is `analysis.use.notebook.Analysis`: the folder reader of `analysis.artifacts.folder`
with the verbs of `use` added (see docs/notebook_example.py).

The rooms (see each subpackage's docstring for its rule), bottom to top: `config`, `progress`
and `flags`; `artifacts`; `geometry`, `scoring`, `extraction`; `pipeline`; `use`; `cli`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public name -> the module that defines it.
_PUBLIC: dict[str, str] = {
    "Analysis": "analysis.use.notebook",
    "AnalysisNotFound": "analysis.artifacts.folder",
    "InputError": "analysis.artifacts.inputs",
    "load_table": "analysis.artifacts.inputs",
    "list_analyses": "analysis.artifacts.catalog",
    "BuildConfig": "analysis.config",
    "BuildInputs": "analysis.pipeline.inputs",
    "build": "analysis.pipeline.build",
    "recluster": "analysis.pipeline.build",
    "ToxicProximity": "analysis.scoring.scorer",
    "FitRows": "analysis.scoring.scorer",
    "FilterRule": "analysis.use.rules",
    "export": "analysis.use.export",
    "reapply": "analysis.use.export",
    "monitor": "analysis.use.monitor",
    "evaluate": "analysis.use.evaluate",
    "write_report": "analysis.use.report",
    "explain_sample": "analysis.use.explain",
    "load_scorer": "analysis.use.explain",
    "QueryEngine": "analysis.use.query",
}
__all__ = ["__version__", *sorted(_PUBLIC)]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
