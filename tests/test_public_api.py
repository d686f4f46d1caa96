"""The library's public face (`import analysis`): every name resolves, nothing heavy is
imported until used, and a notebook's few lines open, select and export an analysis."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from synthetic import write_synthetic_analysis

import analysis

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(analysis._PUBLIC))
def test_every_public_name_is_the_object_its_module_defines(name: str) -> None:
    assert name in analysis.__all__
    assert getattr(analysis, name) is getattr(importlib.import_module(analysis._PUBLIC[name]), name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        analysis.not_a_name  # noqa: B018


def test_importing_the_library_loads_no_model_or_app_library() -> None:
    probe = "import sys, analysis; from analysis import Analysis, FilterRule; print(sorted(m for m in ('torch', 'transformers', 'sae_lens', 'streamlit', 'umap') if m in sys.modules))"
    shown = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.replace("'", '"')) == []


def test_a_notebook_opens_an_analysis_and_exports_a_cut(tmp_path: Path) -> None:
    from analysis import Analysis, FilterRule, export

    folder = tmp_path / "analyses" / "synthetic-api"
    write_synthetic_analysis(folder, 300)
    opened = Analysis.open(folder)
    train = opened.samples.filter(pl.col("set") == "train")
    out = export(folder, FilterRule(score="score", top_percent=10), tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["removed"] == round(0.10 * train.height)
    assert manifest["counts"]["removed"] + manifest["counts"]["kept"] == train.height
