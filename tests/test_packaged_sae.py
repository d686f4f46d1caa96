"""The SAE packaged for the default model (`--sae packaged`, the demo's default)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
from pipeline_fixtures import write_inputs

from analysis.artifacts.inputs import file_sha256
from analysis.artifacts.layout import PACKAGED_SAE_TRAINING
from analysis.config import (
    DEFAULT_LAYER,
    DEFAULT_SAE_WIDTH,
    ENCODER,
    PACKAGED_SAE,
    SMOLLM2,
    BuildConfig,
    ClusterConfig,
    ExtractConfig,
    machine_model_dtype,
    packaged_sae_folder,
)
from analysis.flags import config_from_flags, demo_config_from_flags, render_flags
from analysis.pipeline.build import build
from analysis.pipeline.inputs import BuildInputs, inputs_fingerprint, load_inputs
from analysis.pipeline.keys import step_keys


def test_the_packaged_sae_reads_the_default_model_where_a_build_reads_it() -> None:
    folder = packaged_sae_folder(ENCODER)
    cfg = json.loads((folder / "cfg.json").read_text())
    assert cfg["d_sae"] == DEFAULT_SAE_WIDTH and cfg["d_in"] == 384
    assert cfg["metadata"]["model_name"] == ENCODER
    # hidden state N is the output of encoder block N - 1
    assert cfg["metadata"]["hook_name"] == f"encoder.layer.{DEFAULT_LAYER - 1}"
    record = json.loads((folder / PACKAGED_SAE_TRAINING).read_text())
    assert record["model_dtype"] == "float32"  # whatever the machine that trained it reads in
    assert record["training"]["explained_variance"] >= 0.75
    assert record["training"]["dead_fraction_heldout"] <= 0.05
    # the emergent-misalignment sets are kept off it (their authors ask it; and the benchmark's
    # tasks built on them stay unseen)
    assert record["sources"] and not any(s["file"].startswith("em_") for s in record["sources"])
    assert all(len(s["sha256"]) == 64 and s["licence"] for s in record["sources"])


def test_only_the_default_model_has_a_packaged_sae() -> None:
    with pytest.raises(ValueError, match="no SAE is packaged for smollm2-135m-instruct"):
        ExtractConfig(model=SMOLLM2, sae=PACKAGED_SAE).sae_location()
    assert ExtractConfig(model=ENCODER, sae=PACKAGED_SAE).sae_location() == str(packaged_sae_folder(ENCODER))
    assert ExtractConfig(sae="some/folder").sae_location() == "some/folder"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, None),  # the default model, the chat LLM, has no packaged SAE: the demo trains one
        ({"model": SMOLLM2}, None),
        ({"model": ENCODER}, PACKAGED_SAE),
        ({"model": ENCODER, "layer": 3}, None),  # the packaged SAE reads hidden state 6: another layer trains one
        ({"model": ENCODER, "d_sae": 512}, None),
        ({"model": ENCODER, "training_tokens": 100_000}, None),
        ({"model": ENCODER, "k": 16}, None),
        ({"model": ENCODER, "sae_architecture": "jumprelu"}, None),
        ({"model": ENCODER, "sae": "my/folder"}, "my/folder"),
        ({"model": ENCODER, "min_cluster_size": 9}, PACKAGED_SAE),  # settings after the SAE keep it
    ],
)
def test_the_demo_reads_the_packaged_sae_unless_asked_to_train_one(flags, expected) -> None:
    assert demo_config_from_flags(flags).extract.sae == expected
    assert config_from_flags(flags).extract.sae == flags.get("sae")  # build trains by default


def _small_packaged(config: BuildConfig) -> BuildConfig:
    return replace(config, extract=replace(config.extract, model=ENCODER, sae=PACKAGED_SAE), clusters=ClusterConfig(min_cluster_size=5, feature_min_cluster_size=5))


@pytest.mark.slow
def test_a_build_with_the_packaged_sae_trains_nothing_and_carries_it(tmp_path) -> None:
    inputs = write_inputs(tmp_path / "data")
    config = _small_packaged(BuildConfig())
    folder = build(BuildInputs(inputs["train"], inputs["toxic"], inputs["benign"]), config, tmp_path / "cache", progress=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["sae"]["source"] == "packaged" and manifest["sae"]["spec"] == PACKAGED_SAE
    assert manifest["sae"]["training"]["explained_variance"] >= 0.75
    assert manifest["model"]["hook"] == f"encoder.layer.{DEFAULT_LAYER - 1}"
    assert manifest["model"]["layer"] == DEFAULT_LAYER  # the Analyses page names it
    # the default precision is this machine's, and the manifest and rebuild command name it
    assert manifest["model"]["dtype"] == manifest["config"]["extract"]["model_dtype"] == machine_model_dtype()
    assert f"--model-dtype {machine_model_dtype()}" in manifest["command"]
    assert "read_sae_sample" not in manifest["timings"]["steps"]
    assert not (tmp_path / "cache" / "steps" / "sae").exists()
    packaged = packaged_sae_folder(ENCODER)
    for name in ("cfg.json", "sae_weights.safetensors"):
        assert file_sha256(folder / "sae" / name) == file_sha256(packaged / name)
    # the rebuild command names the SAE, never a path of this machine
    assert render_flags(config)[:2] == ["--sae", PACKAGED_SAE]
    assert str(packaged) not in manifest["command"]


def test_the_packaged_sae_files_are_in_the_extract_key(tmp_path, monkeypatch) -> None:
    inputs = write_inputs(tmp_path / "data")
    fingerprint = inputs_fingerprint(load_inputs(BuildInputs(inputs["train"], inputs["toxic"], inputs["benign"])).tables)
    config = _small_packaged(BuildConfig())
    before = step_keys(fingerprint, config).extract
    copy = tmp_path / "packaged"
    shutil.copytree(packaged_sae_folder(ENCODER).parent, copy)
    monkeypatch.setattr("analysis.config.PACKAGED_SAE_ROOT", copy)
    assert step_keys(fingerprint, config).extract == before  # where it lies is not what it is
    cfg = packaged_sae_folder(ENCODER) / "cfg.json"
    cfg.write_text(cfg.read_text() + " ")
    assert step_keys(fingerprint, config).extract != before  # a retrained SAE is not reused
