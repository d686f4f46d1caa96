"""The package installs with pip: a `toxic-proximity` command that works from any folder."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import analysis
from analysis.artifacts.layout import PACKAGED_SAE_TRAINING
from analysis.cli.main import main
from analysis.config import ENCODER, PACKAGED_SAES

ROOT = Path(__file__).resolve().parent.parent


def test_project_metadata_matches_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["name"] == "toxic-proximity"
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "analysis.__version__"}
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    module, _, function = project["project"]["scripts"]["toxic-proximity"].partition(":")
    assert getattr(importlib.import_module(module), function) is main  # the one command line


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from the checkout (offline: this environment's setuptools),
    installed into a folder of its own."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"  # a copy: the build writes build/ and *.egg-info beside the sources
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "requirements.txt"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("analysis", "appkit"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q", "-w", str(work / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    [wheel] = (work / "dist").glob("toxic_proximity-*.whl")
    assert wheel.name.startswith(f"toxic_proximity-{analysis.__version__}-")
    names = zipfile.ZipFile(wheel).namelist()
    for demo in ("train.jsonl", "toxic.jsonl", "benign.jsonl"):
        assert f"analysis/demo_data/{demo}" in names
    for part in ("cfg.json", "sae_weights.safetensors", PACKAGED_SAE_TRAINING):  # the demo's SAE
        assert f"analysis/packaged_sae/{PACKAGED_SAES[ENCODER]}/{part}" in names
    target = work / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    return target


def test_the_installed_command_runs_from_any_folder_and_finds_the_demo_data(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed), "ANALYSIS_CACHE_DIR": str(tmp_path / "cache")}
    script = installed / "bin" / "toxic-proximity"
    assert script.is_file()
    shown = subprocess.run([sys.executable, str(script), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "build" in shown.stdout and "demo" in shown.stdout
    probe = "from analysis.cli.main import DEMO_DIR; import analysis; print(analysis.__file__); print((DEMO_DIR / 'train.jsonl').is_file())"
    located = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    where, found = located.stdout.split()
    assert Path(where).is_relative_to(installed) and found == "True"


def test_python_m_analysis_still_runs_from_the_checkout() -> None:
    result = subprocess.run([sys.executable, "-m", "analysis", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "demo" in result.stdout
