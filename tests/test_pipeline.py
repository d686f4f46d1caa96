"""End-to-end builds with the packaged sentence encoder and a small locally trained SAE."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from pipeline_fixtures import small_config, write_inputs
from safetensors.numpy import load_file

from analysis.artifacts.folder import Analysis
from analysis.artifacts.inputs import InputError
from analysis.artifacts.layout import ANALYSIS_FILES
from analysis.config import ENCODER
from analysis.pipeline import build as pipeline
from analysis.pipeline.build import build
from analysis.pipeline.inputs import BuildInputs, inputs_fingerprint, load_inputs
from analysis.pipeline.keys import step_keys
from analysis.scoring.families import FAMILIES, SELF_CONTRAST_FAMILIES
from analysis.use.explain import explain_sample, nearest_toxic_samples

ROOT = Path(__file__).resolve().parent.parent
# The score columns of an analysis built without --self-contrast (the default).
SCORE_COLUMNS = [name for name in FAMILIES if name not in SELF_CONTRAST_FAMILIES]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pipeline")
    paths = write_inputs(folder / "inputs")
    inputs = BuildInputs(paths["train"], paths["toxic"], paths["benign"])
    cache = folder / "cache"
    analysis_dir = build(inputs, small_config(), cache, name="tiny", progress=False)
    return {"inputs": inputs, "cache": cache, "dir": analysis_dir, "paths": paths}


@pytest.mark.slow
def test_analysis_folder_follows_the_contract(built):
    folder = built["dir"]
    for name in ANALYSIS_FILES + ("manifest.json", "sae/cfg.json", "sae/sae_weights.safetensors"):
        assert (folder / name).exists(), name
    samples = pl.read_parquet(folder / "samples.parquet")
    assert samples.height == 43 + 24 + 12
    assert set(samples["set"].unique()) == {"train", "toxic", "benign"}
    for column in ("id", "text", "prompt", "response", "label", "category", "n_tokens", "n_windows", "x", "y", "cluster", "score", *SCORE_COLUMNS):
        assert column in samples.columns, column
    train = samples.filter(pl.col("set") == "train")
    for column in SCORE_COLUMNS:
        assert train[column].is_finite().all(), column
    manifest = json.loads((folder / "manifest.json").read_text())
    # the default is the rank average of the dense and word-level families among the training rows
    assert manifest["default_score"] == "rank_mean:score_dense_knn+score_lexical_knn"
    percentiles = [train[name].rank("average").to_numpy() / train.height for name in ("score_dense_knn", "score_lexical_knn")]
    np.testing.assert_allclose(train["score"].to_numpy(), (percentiles[0] + percentiles[1]) / 2 - 0.5 / train.height, atol=1e-9)
    assert manifest["inputs"]["train"]["sha256"] and manifest["inputs"]["train"]["rows"] == 43
    assert 0 < manifest["sae"]["training"]["explained_variance"] <= 1
    assert "dead_fraction_heldout" in manifest["sae"]["training"]
    assert manifest["versions"]["sae-lens"] != "not installed"
    features = pl.read_parquet(folder / "features.parquet")
    assert features["is_toxic"].sum() == manifest["counts"]["toxic_features"]
    assert features["feature"].is_unique().all()
    clusters = pl.read_parquet(folder / "clusters.parquet")
    assert clusters["size"].sum() == samples.height


@pytest.mark.slow
def test_sae_is_a_sae_lens_folder_that_loads_back(built):
    from sae_lens import SAE

    sae = SAE.load_from_disk(str(built["dir"] / "sae"))
    assert sae.cfg.d_sae == 256
    assert sae.cfg.metadata.hook_name == "encoder.layer.2"


@pytest.mark.slow
def test_long_text_is_windowed_and_every_token_kept(built):
    folder = built["dir"]
    samples = pl.read_parquet(folder / "samples.parquet")
    long_row = samples.filter(pl.col("id") == "long")
    assert long_row["n_windows"][0] > 1
    assert json.loads((folder / "manifest.json").read_text())["counts"]["windowed_samples"] >= 1
    tokens = pl.read_parquet(folder / "tokens.parquet").filter(pl.col("id") == "long")
    assert tokens.height == long_row["n_tokens"][0]
    assert tokens["position"].to_list() == list(range(tokens.height))
    text = long_row["text"][0]
    assert text[tokens["start"][-1] : tokens["end"][-1]] == tokens["token"][-1]


@pytest.mark.slow
def test_response_tokens_are_pooled_by_default(built, tmp_path):
    config = small_config()
    all_tokens = replace(config, extract=replace(config.extract, pool_tokens="all"))
    other = build(built["inputs"], all_tokens, built["cache"], progress=False)
    by_response = pl.read_parquet(built["dir"] / "activations.parquet")
    by_all = pl.read_parquet(other / "activations.parquet")
    assert not by_response["values"].equals(by_all["values"])
    # the SAE depends on neither pooling setting: trained once
    assert len(list((built["cache"] / "steps" / "sae").iterdir())) == 1


@pytest.mark.slow
def test_second_build_comes_from_the_cache(built, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a cached build recomputed a step")

    monkeypatch.setattr(pipeline, "run_extract", fail)
    monkeypatch.setattr(pipeline, "run_geometry", fail)
    again = build(built["inputs"], small_config(), built["cache"], name="tiny", progress=False)
    assert again == built["dir"]


@pytest.mark.slow
def test_changing_hdbscan_settings_recomputes_only_clusters(built, monkeypatch):
    extract_before = set((built["cache"] / "steps" / "extract").iterdir())
    geometry_before = set((built["cache"] / "steps" / "geometry").iterdir())
    new_dir = pipeline.recluster(built["dir"], min_cluster_size=8, min_samples=3, cache_root=built["cache"])
    assert new_dir != built["dir"]
    assert set((built["cache"] / "steps" / "extract").iterdir()) == extract_before
    assert set((built["cache"] / "steps" / "geometry").iterdir()) == geometry_before
    manifest = json.loads((new_dir / "manifest.json").read_text())
    assert manifest["resolved_clusters"]["min_cluster_size"] == 8
    old = pl.read_parquet(built["dir"] / "samples.parquet")
    new = pl.read_parquet(new_dir / "samples.parquet")
    assert old["x"].equals(new["x"])


@pytest.mark.slow
def test_same_inputs_give_the_same_scores(built, tmp_path):
    again = build(built["inputs"], small_config(), tmp_path / "cache", name="tiny", progress=False)
    first = pl.read_parquet(built["dir"] / "samples.parquet")
    second = pl.read_parquet(again / "samples.parquet")
    for column in ("cluster", *SCORE_COLUMNS):
        np.testing.assert_allclose(first[column].to_numpy(), second[column].to_numpy(), rtol=1e-5, atol=1e-6, err_msg=column)
    np.testing.assert_allclose(first["x"].to_numpy(), second["x"].to_numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_scores_rank_planted_rows_above_clean_ones(built):
    train = pl.read_parquet(built["dir"] / "samples.parquet").filter(pl.col("set") == "train")
    from sklearn.metrics import roc_auc_score

    auroc = roc_auc_score((train["label"] == "harmful").to_numpy(), train["score_knn"].to_numpy())
    assert auroc > 0.7


@pytest.mark.slow
def test_explanations_add_up_to_the_scores(built):
    analysis = Analysis.open(built["dir"])
    row = analysis.samples.filter(pl.col("id") == "h000")
    for family in ("score_toxic_activation", "score_decoder_proximity", "score_decoder_proximity_excl", "score_paper"):
        explanation = explain_sample(analysis, "h000", family, top=10_000)
        assert explanation["contribution"].sum() == pytest.approx(row[family][0], abs=1e-5), family
    knn = explain_sample(analysis, "h000", "score_knn", top=5)
    assert knn.height > 0 and knn["contribution"].is_sorted(descending=True)
    neighbours = nearest_toxic_samples(analysis, "h000")
    assert neighbours.height == len(row["nearest_toxic_ids"][0])
    assert set(neighbours["id"]) <= set(analysis.samples.filter(pl.col("set") == "toxic")["id"])
    with pytest.raises(KeyError, match="no sample with id 'no-such-id'"):
        explain_sample(analysis, "no-such-id", "score")


@pytest.mark.slow
def test_decoder_file_matches_the_sae(built):
    tensors = load_file(str(built["dir"] / "decoder.safetensors"))
    weights = load_file(str(built["dir"] / "sae" / "sae_weights.safetensors"))["W_dec"]
    row = weights[tensors["features"][0]]
    np.testing.assert_allclose(tensors["directions"][0], row / np.linalg.norm(row), rtol=1e-5, atol=1e-6)


def test_bad_input_writes_nothing(tmp_path):
    paths = write_inputs(tmp_path / "inputs")
    broken = tmp_path / "inputs" / "broken.jsonl"
    rows = [f'{{"id": "r{i}", "text": "fine text {i}"}}' for i in range(12)]
    rows[4] = '{"id": "r4", "text": "  "}'
    broken.write_text("\n".join(rows) + "\n", encoding="utf-8")
    cache = tmp_path / "cache"
    with pytest.raises(InputError, match=r"broken\.jsonl: row 5"):
        build(BuildInputs(broken, paths["toxic"]), small_config(), cache, progress=False)
    assert not cache.exists() or not any(cache.rglob("*.parquet"))


@pytest.mark.slow
def test_interrupted_build_leaves_no_complete_folder(built, tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(pipeline, "write_proximity", explode)
    cache = built["cache"]
    config = replace(small_config(), proximity=replace(small_config().proximity, k_neighbors=3))
    with pytest.raises(RuntimeError, match="^interrupted$"):
        build(built["inputs"], config, cache, progress=False)
    leftovers = [p for p in (cache / "analyses").iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []
    assert pipeline.find_analysis(cache, step_keys(inputs_fingerprint(load_inputs(built["inputs"]).tables), config).analysis) is None


@pytest.mark.slow
def test_cli_build_prints_the_folder_last_and_export_reapply_are_identical(built, tmp_path):
    paths = built["paths"]
    env_python = sys.executable
    command = [
        env_python, "-m", "analysis", "build", "--train", str(paths["train"]), "--toxic", str(paths["toxic"]),
        "--benign", str(paths["benign"]), "--out", str(built["cache"]), "--name", "tiny", "--quiet",
        "--d-sae", "256", "--k", "8", "--training-tokens", "8192", "--layer", "3", "--min-cluster-size", "5",
        "--model", ENCODER, "--model-dtype", "float32",  # the fixture's build (small_config)
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip().splitlines()[-1])
    assert (folder / "manifest.json").is_file()

    out = tmp_path / "export"
    result = subprocess.run(
        [env_python, "-m", "analysis", "export", str(folder), "--top-percent", "10", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    kept = (out / "kept.jsonl").read_text().splitlines()
    removed = (out / "removed.jsonl").read_text().splitlines()
    assert len(kept) + len(removed) == 43 and len(removed) == 4
    original = paths["train"].read_text().splitlines()
    assert set(kept) | set(removed) == set(original)

    again = tmp_path / "again"
    result = subprocess.run(
        [env_python, "-m", "analysis", "reapply", str(out / "manifest.json"), "--out", str(again)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in ("kept.jsonl", "removed.jsonl", "kept.parquet", "removed.parquet"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name

    refused = subprocess.run(
        [env_python, "-m", "analysis", "export", str(folder), "--top-percent", "10", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert refused.returncode != 0 and "error" in refused.stderr


@pytest.mark.parametrize("capacity", [5, 8, 127, 254])
@pytest.mark.parametrize("stride", [1, 3, 100, 192, 300])
def test_windows_keep_every_token_exactly_once(capacity, stride):
    from analysis.extraction.windows import plan_windows

    for n in range(1, 600, 7):
        kept = []
        for start, lo, hi in plan_windows(n, capacity, stride):
            assert start <= lo < hi <= start + capacity
            kept.extend(range(lo, hi))
        assert kept == list(range(n)), (n, capacity, stride)


@pytest.mark.slow
def test_an_input_column_named_like_a_score_is_carried_not_confused(built, tmp_path):
    rows = [json.loads(line) for line in built["paths"]["train"].read_text().splitlines()]
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps({**row, "scores": i}) + "\n" for i, row in enumerate(rows)))
    folder = build(BuildInputs(train, built["paths"]["toxic"], built["paths"]["benign"]), small_config(), built["cache"], progress=False)
    analysis = Analysis.open(folder)
    assert "scores" in analysis.carried_columns
    assert "scores" not in analysis.score_columns


@pytest.mark.slow
def test_an_sae_trained_here_can_be_reused_with_sae(built, tmp_path):
    config = small_config()
    reuse = replace(config, extract=replace(config.extract, sae=str(built["dir"] / "sae")))
    folder = build(built["inputs"], reuse, tmp_path / "cache", progress=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["sae"]["source"] == "local folder"
    assert manifest["model"]["hook"] == "encoder.layer.2"
    np.testing.assert_allclose(
        pl.read_parquet(folder / "samples.parquet")["score_toxic_activation"].to_numpy(),
        pl.read_parquet(built["dir"] / "samples.parquet")["score_toxic_activation"].to_numpy(),
        rtol=1e-4, atol=1e-5,
    )


@pytest.mark.slow
def test_reapply_rebuilds_a_deleted_analysis(built, tmp_path):
    import shutil

    from analysis.use.export import FilterRule, export, reapply

    cache = tmp_path / "cache"
    shutil.copytree(built["cache"] / "steps", cache / "steps")
    folder = build(built["inputs"], small_config(), cache, name="tiny", progress=False)
    first = export(folder, FilterRule(top_percent=20), tmp_path / "first")
    shutil.rmtree(folder)
    again = reapply(first / "manifest.json", tmp_path / "again")
    assert (folder / "manifest.json").is_file()
    for name in ("kept.jsonl", "removed.jsonl", "kept.parquet", "removed.parquet"):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
