"""The Ray Data extraction engine: same analysis as the local engine, resumable per shard.

A local Ray on 2 CPUs is started once for the module. The local build comes first; the
Ray build of the same inputs reads with its trained `sae/` folder (given as a local SAE
folder), so both read with the same SAE, and must give the same rows in the same order,
the same activations and the same scores. The resume test trains the SAE through the Ray path
itself, stops the build while shard 2 is being saved, and checks that the rerun computes
only the missing shards.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from pipeline_fixtures import small_config, write_inputs
from safetensors.numpy import load_file

from analysis.extraction import ray_engine as engine_ray
from analysis.extraction.ray_engine import EngineError, check_engine, plan_actors, shard_ranges
from analysis.pipeline.build import build
from analysis.pipeline.inputs import BuildInputs

SHARD_ROWS = 16  # the test inputs have 79 rows: 5 shards, the last one short


def quiet(*_):
    return None


def test_shard_ranges_come_from_row_counts_alone():
    assert shard_ranges(5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert shard_ranges(4, 2) == [(0, 2), (2, 4)]
    assert shard_ranges(0, 2) == []
    with pytest.raises(ValueError, match="shard_rows must be at least 1, got 0"):
        shard_ranges(3, 0)


def test_actor_plan_uses_gpus_when_the_cluster_has_them():
    gpu = plan_actors({"CPU": 32, "GPU": 4})
    assert (gpu.actors, gpu.num_gpus, gpu.device) == (4, 1, "cuda")
    cpu = plan_actors({"CPU": 16, "GPU": 4}, device="cpu")
    assert (cpu.actors, cpu.num_cpus, cpu.num_gpus, cpu.device) == (4, 4, 0, "cpu")
    small = plan_actors({"CPU": 2})
    assert (small.actors, small.num_cpus, small.device) == (1, 2, "cpu")
    with pytest.raises(EngineError, match="no GPU"):
        plan_actors({"CPU": 2}, device="cuda")


def test_unknown_engine_or_missing_ray_stops_before_any_work(monkeypatch, tmp_path):
    with pytest.raises(EngineError, match="unknown extraction engine"):
        build(BuildInputs(tmp_path / "missing.jsonl", tmp_path / "missing.jsonl"), engine="spark", cache_root=tmp_path, report=quiet)
    monkeypatch.setattr(engine_ray.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EngineError, match="pip install -r requirements-scale.txt"):
        check_engine("ray")
    assert not (tmp_path / "steps").exists()


def test_cli_says_how_to_install_ray(monkeypatch, tmp_path, capsys):
    from analysis.cli.main import main

    monkeypatch.setattr(engine_ray.importlib.util, "find_spec", lambda name: None)
    args = ["build", "--train", str(tmp_path / "t.jsonl"), "--toxic", str(tmp_path / "x.jsonl"), "--out", str(tmp_path), "--engine", "ray"]
    assert main(args) == 2
    assert "pip install -r requirements-scale.txt" in capsys.readouterr().err
    assert not (tmp_path / "steps").exists()


# ---------------------------------------------------------------- with a local Ray


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    started = engine_ray.connect(num_cpus=2)
    yield ray
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def local_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("engines")
    paths = write_inputs(root / "inputs")
    inputs = BuildInputs(paths["train"], paths["toxic"], paths["benign"])
    folder = build(inputs, small_config(), cache_root=root / "local", progress=False, report=quiet)
    return root, inputs, folder


def dense_codes(folder, d_sae: int) -> np.ndarray:
    acts = pl.read_parquet(folder / "activations.parquet")
    dense = np.zeros((acts.height, d_sae), dtype=np.float32)
    for i, (features, values) in enumerate(zip(acts["features"].to_list(), acts["values"].to_list(), strict=True)):
        dense[i, features] = values
    return dense


def assert_same_extraction(ours, theirs) -> None:
    d_sae = json.loads((theirs / "manifest.json").read_text())["sae"]["d_sae"]
    assert pl.read_parquet(ours / "activations.parquet")["id"].to_list() == pl.read_parquet(theirs / "activations.parquet")["id"].to_list()
    np.testing.assert_allclose(dense_codes(ours, d_sae), dense_codes(theirs, d_sae), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(
        load_file(str(ours / "embeddings.safetensors"))["raw"], load_file(str(theirs / "embeddings.safetensors"))["raw"], rtol=1e-3, atol=1e-4
    )
    token_columns = ["id", "position", "token", "start", "end"]
    assert pl.read_parquet(ours / "tokens.parquet", columns=token_columns).equals(pl.read_parquet(theirs / "tokens.parquet", columns=token_columns))


def extract_step(analysis) -> dict:
    manifest = json.loads((analysis / "manifest.json").read_text())
    return json.loads((analysis.parent.parent / "steps" / "extract" / manifest["steps"]["extract"] / "step.json").read_text())


@pytest.mark.slow
def test_ray_engine_builds_the_same_analysis_as_the_local_one(local_ray, local_build, monkeypatch):
    root, inputs, local = local_build
    monkeypatch.setattr(engine_ray, "SHARD_ROWS", SHARD_ROWS)
    config = small_config()
    config = replace(config, extract=replace(config.extract, sae=str(local / "sae")))
    ours = build(inputs, config, cache_root=root / "ray", progress=False, report=quiet, engine="ray")
    theirs = local
    assert_same_extraction(ours, theirs)
    mine, reference = pl.read_parquet(ours / "samples.parquet"), pl.read_parquet(theirs / "samples.parquet")
    assert mine["id"].to_list() == reference["id"].to_list()
    scores = [c for c in reference.columns if c == "score" or c.startswith("score_")]
    assert "score" in scores and len(scores) > 3
    # the engines batch the forward passes differently, so the codes agree up to float
    # rounding; UMAP and HDBSCAN can turn that into another layout, and the cluster
    # distance follows the clusters: compare it only when the clusters came out the same
    same_clusters = mine["cluster"].to_list() == reference["cluster"].to_list()
    for column in scores:
        if column != "score_cluster_distance" or same_clusters:
            np.testing.assert_allclose(mine[column].to_numpy(), reference[column].to_numpy(), rtol=1e-3, atol=5e-3, err_msg=column)
    step = extract_step(ours)
    assert step["engine"] == "ray"
    assert step["shards"]["total"] == 5 and step["shards"]["computed"] == 5 and step["shards"]["actors"] == 1
    assert extract_step(theirs)["engine"] == "local"
    assert list((root / "ray" / "steps" / ".work" / "extract").iterdir()) == []


@pytest.mark.slow
def test_a_stopped_ray_build_resumes_with_the_missing_shards_only(local_ray, local_build, monkeypatch):
    root, inputs, local = local_build
    monkeypatch.setattr(engine_ray, "SHARD_ROWS", SHARD_ROWS)
    cache = root / "resume"
    save = engine_ray.save_shard

    def crash_on_shard_2(shards, index, *args):
        if index == 2:
            raise RuntimeError("simulated crash while saving shard 2")
        save(shards, index, *args)

    monkeypatch.setattr(engine_ray, "save_shard", crash_on_shard_2)
    with pytest.raises(RuntimeError, match="simulated crash"):
        build(inputs, small_config(), cache_root=cache, progress=False, report=quiet, engine="ray")
    (work,) = (cache / "steps" / ".work" / "extract").iterdir()
    done = sorted(p.name for p in (work / "shards").iterdir() if (p / "done.json").is_file())
    assert done == ["shard-00000", "shard-00001"]
    assert not (cache / "analyses").exists() or not any((cache / "analyses").glob("*-*"))

    monkeypatch.setattr(engine_ray, "save_shard", save)
    folder = build(inputs, small_config(), cache_root=cache, progress=False, report=quiet, engine="ray")
    shards = extract_step(folder)["shards"]
    assert (shards["total"], shards["computed"], shards["reused"]) == (5, 3, 2)
    assert not work.exists()
    # the SAE was trained here by the driver, as the local engine trains it: same analysis
    assert_same_extraction(folder, local)


def test_shards_cut_for_another_plan_are_dropped(tmp_path):
    work = tmp_path / "work"
    shards = engine_ray.prepare_work(work, 100, 16)
    engine_ray.save_shard(shards, 0, (0, 16), b"arrays", b"tokens")
    assert engine_ray.shard_done(engine_ray.prepare_work(work, 100, 16), 0)
    assert not engine_ray.shard_done(engine_ray.prepare_work(work, 100, 32), 0)
