"""The analysis-folder reader and the synthetic analysis writer (docs/ARTIFACTS.md)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from synthetic import write_synthetic_analysis

from analysis.artifacts.catalog import list_analyses
from analysis.artifacts.folder import Analysis, AnalysisNotFound
from analysis.scoring.families import FAMILIES, SELF_CONTRAST_FAMILIES

SAMPLE_COLUMNS = {
    "id": pl.String,
    "set": pl.String,
    "text": pl.String,
    "prompt": pl.String,
    "response": pl.String,
    "n_tokens": pl.Int32,
    "n_windows": pl.Int32,
    "x": pl.Float32,
    "y": pl.Float32,
    "cluster": pl.Int32,
    # every family a build without --self-contrast scores
    **dict.fromkeys((name for name in FAMILIES if name not in SELF_CONTRAST_FAMILIES), pl.Float64),
    "score": pl.Float64,
    "nearest_toxic_cluster": pl.Int32,
    "nearest_toxic_ids": pl.List(pl.String),
    "nearest_toxic_sims": pl.List(pl.Float32),
}
FEATURE_COLUMNS = {
    "feature": pl.Int32,
    "freq_train": pl.Float64,
    "freq_toxic": pl.Float64,
    "freq_benign": pl.Float64,
    "mean_train": pl.Float64,
    "mean_toxic": pl.Float64,
    "mean_benign": pl.Float64,
    "toxic_log_odds": pl.Float64,
    "toxic_p": pl.Float64,
    "toxic_q": pl.Float64,
    "is_toxic": pl.Boolean,
    "x": pl.Float32,
    "y": pl.Float32,
    "cluster": pl.Int32,
    "top_tokens": pl.String,
}
CLUSTER_COLUMNS = ("cluster", "size", "toxic_share", "odds_ratio", "p_value", "q_value", "is_toxic_cluster", "top_features")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cache")
    return write_synthetic_analysis(root / "analyses" / "synthetic-test", 600, n_features=512, seed=3)


def test_synthetic_folder_follows_the_contract(synthetic: Path) -> None:
    analysis = Analysis.open(synthetic)
    for name, dtype in SAMPLE_COLUMNS.items():
        assert analysis.samples.schema[name] == dtype, name
    for name, dtype in FEATURE_COLUMNS.items():
        assert analysis.features.schema[name] == dtype, name
    for table in (analysis.clusters, analysis.feature_clusters):
        assert set(CLUSTER_COLUMNS) <= set(table.columns)
        assert -1 in table["cluster"].to_list()  # noise is a row
    assert {"n_train", "n_toxic", "n_benign"} <= set(analysis.clusters.columns)
    assert "n_toxic_features" in analysis.feature_clusters.columns
    assert analysis.activations.schema == pl.Schema({"id": pl.String, "features": pl.List(pl.Int32), "values": pl.List(pl.Float32)})
    assert set(analysis.samples["set"].unique()) == {"train", "toxic", "benign"}
    assert analysis.samples["id"].is_unique().all()
    # Cluster sizes add up to the samples, and every sample has pooled activations.
    assert int(analysis.clusters["size"].sum()) == analysis.samples.height
    assert analysis.activations["id"].sort().equals(analysis.samples["id"].sort())
    # Pooled activations are sorted by value, descending, with distinct latents per row.
    first = analysis.activations.row(0, named=True)
    assert first["values"] == sorted(first["values"], reverse=True)
    assert len(set(first["features"])) == len(first["features"])
    assert (synthetic / "embeddings.safetensors").is_file()


def test_synthetic_scores_track_the_toxic_topics(synthetic: Path) -> None:
    samples = Analysis.open(synthetic).samples
    means = samples.group_by("set").agg(pl.col("score").mean()).sort("set")
    by_set = dict(means.iter_rows())
    assert by_set["toxic"] > by_set["train"] > by_set["benign"] - 0.1
    train = samples.filter(pl.col("set") == "train")
    assert train["label"].null_count() == 0
    assert samples.filter(pl.col("set") != "train")["label"].null_count() == samples.height - train.height
    harmful = train.filter(pl.col("label") == 1)["score"].mean()
    clean = train.filter(pl.col("label") == 0)["score"].mean()
    assert harmful > clean


def test_training_input_is_recorded_with_its_hash(synthetic: Path) -> None:
    manifest = json.loads((synthetic / "manifest.json").read_text())
    entry = manifest["inputs"]["train"]
    path = Path(entry["path"])
    assert path.is_file() and path.is_relative_to(synthetic)
    assert entry["format"] == "jsonl"
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    lines = path.read_bytes().splitlines()
    assert entry["rows"] == len(lines) == manifest["counts"]["train"]
    assert set(json.loads(lines[0])) == {"id", "prompt", "response", "category", "label"}


def test_tokens_spans_point_into_the_text(synthetic: Path) -> None:
    analysis = Analysis.open(synthetic)
    sample = analysis.samples.row(7, named=True)
    tokens = analysis.tokens_for(sample["id"])
    assert tokens.height == sample["n_tokens"]
    assert tokens["position"].to_list() == list(range(tokens.height))
    assert set(tokens["id"]) == {sample["id"]}
    for token, start, end in tokens.select("token", "start", "end").iter_rows():
        assert sample["text"][start:end] == token
    assert analysis.tokens_for("no-such-id").is_empty()


def test_reader_properties(synthetic: Path) -> None:
    analysis = Analysis.open(synthetic)
    assert analysis.score_columns == [name for name in SAMPLE_COLUMNS if name.startswith("score")]
    assert analysis.default_score == "score"
    assert analysis.label_columns == ["category", "label"]
    assert analysis.has_labels
    decoder = analysis.decoder
    assert decoder is not None and decoder.directions.dtype == np.float32 and decoder.d_in == 64
    assert decoder.features.tolist() == analysis.features["feature"].sort().to_list()  # the active latents only
    assert decoder.width == 512
    feature = int(analysis.features.filter(pl.col("is_toxic"))["feature"][0])
    activation = analysis.feature_activation(feature)
    assert activation.columns == ["id", "value"]
    expected = analysis.activations.filter(pl.col("features").list.contains(feature))["id"].sort()
    assert activation["id"].sort().equals(expected)
    assert analysis.feature_activation(10_000).is_empty()
    assert analysis.counts() == {"train": 480, "toxic": 60, "benign": 60}


def test_labels_only_count_small_carried_columns(tmp_path: Path, synthetic: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(synthetic, copy)
    samples = pl.read_parquet(copy / "samples.parquet")
    samples.drop("label", "category").with_columns(pl.col("id").alias("source_id")).write_parquet(copy / "samples.parquet")
    analysis = Analysis.open(copy)
    assert analysis.carried_columns == ["source_id"]
    assert analysis.label_columns == []  # one value per row is no label
    assert not analysis.has_labels


def test_decoder_reads_only_the_active_directions(tmp_path: Path, synthetic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """decoder.safetensors is the decoder for every SAE; the full W_dec under sae/ is never read.

    sae/ stays in place (its weights made unreadable, so a read of them would fail loudly)
    and every safetensors file opened is recorded.
    """
    import safetensors
    import safetensors.numpy
    from safetensors.numpy import save_file

    copy = tmp_path / "pretrained"
    shutil.copytree(synthetic, copy)
    weights = copy / "sae" / "sae_weights.safetensors"
    assert weights.is_file()
    weights.write_bytes(b"not a safetensors file")
    opened: list[Path] = []
    real_open = safetensors.safe_open

    def recording_open(path, *args, **kwargs):
        opened.append(Path(path).resolve())
        return real_open(path, *args, **kwargs)

    for module in (safetensors, safetensors.numpy):
        monkeypatch.setattr(module, "safe_open", recording_open)

    (copy / "decoder.safetensors").unlink()
    assert Analysis.open(copy).decoder is None  # no fallback to the SAE's own weights
    directions = np.eye(4, dtype=np.float32)[[1, 0]]
    save_file({"features": np.array([5, 2], dtype=np.int32), "directions": directions}, str(copy / "decoder.safetensors"))
    decoder = Analysis.open(copy).decoder
    assert decoder.features.tolist() == [2, 5] and len(decoder) == 2  # sorted once on reading
    assert decoder.rows_of([5]).tolist() == [[0.0, 1.0, 0.0, 0.0]]
    assert 5 in decoder and 3 not in decoder
    assert opened == [(copy / "decoder.safetensors").resolve()]


def test_open_rejects_incomplete_folders(tmp_path: Path) -> None:
    with pytest.raises(AnalysisNotFound, match="not a complete analysis folder"):
        Analysis.open(tmp_path)
    with pytest.raises(AnalysisNotFound, match=r"^missing: not a complete analysis folder"):
        Analysis.open(tmp_path / "missing")


def test_list_analyses_skips_work_in_progress(tmp_path: Path, synthetic: Path) -> None:
    root = tmp_path / "cache"
    shutil.copytree(synthetic, root / "analyses" / "done-1")
    shutil.copytree(synthetic, root / "analyses" / ".tmp-building")
    shutil.copytree(synthetic, root / "analyses" / "tmp-other")
    (root / "analyses" / "half-written").mkdir()
    (root / "analyses" / "broken").mkdir()
    (root / "analyses" / "broken" / "manifest.json").write_text("{not json")
    table = list_analyses(root)
    assert sorted(table["name"].to_list()) == ["broken", "done-1"]
    done = table.filter(pl.col("name") == "done-1").row(0, named=True)
    assert done["n_train"] == 480 and done["n_toxic"] == 60 and done["n_benign"] == 60
    assert "train.jsonl" in done["inputs"]
    assert done["sae"].startswith("trained locally")
    assert done["model"].startswith("synthetic")
    assert list_analyses(tmp_path / "empty").is_empty()


def test_synthetic_writer_refuses_to_overwrite(synthetic: Path) -> None:
    with pytest.raises(FileExistsError, match="exists already"):
        write_synthetic_analysis(synthetic, 100)
    assert not [path for path in synthetic.parent.iterdir() if path.name.startswith(".tmp")]


def test_synthetic_is_deterministic(tmp_path: Path) -> None:
    first = write_synthetic_analysis(tmp_path / "a", 120, n_features=400, seed=5)
    second = write_synthetic_analysis(tmp_path / "b", 120, n_features=400, seed=5)
    assert Analysis.open(first).samples.equals(Analysis.open(second).samples)
    assert Analysis.open(first).features.equals(Analysis.open(second).features)


@pytest.mark.parametrize(("found", "advice"), [(None, "rebuild it"), (0, "rebuild it"), (99, "update this tool"), ("1", "rebuild it")])
def test_open_refuses_another_format_version_in_plain_words(tmp_path: Path, synthetic: Path, found, advice: str) -> None:
    from analysis.artifacts.folder import AnalysisFormatError
    from analysis.artifacts.layout import ANALYSIS_FORMAT_VERSION as FORMAT_VERSION

    folder = tmp_path / "old-analysis"
    shutil.copytree(synthetic, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format_version"] == FORMAT_VERSION  # the writers record it
    if found is None:
        del manifest["format_version"]
    else:
        manifest["format_version"] = found
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(AnalysisFormatError) as caught:
        Analysis.open(folder)
    message = str(caught.value)
    assert message.startswith("old-analysis: analysis format") and advice in message
    assert f"reads format {FORMAT_VERSION}" in message
    assert isinstance(caught.value, AnalysisNotFound)  # callers that refuse a missing analysis refuse this one


@pytest.mark.parametrize(
    "recorded, shown",
    [
        ({"source": "pretrained", "spec": "gemma-scope-2b-pt-res-canonical/layer_12/width_16k/canonical", "architecture": "jumprelu", "d_sae": 16384},
         "gemma-scope-2b-pt-res-canonical/layer_12/width_16k/canonical (pretrained, jumprelu, 16,384 latents)"),
        ({"source": "local folder", "spec": "saes/my-sae", "architecture": "topk", "d_sae": 128}, "my-sae (local folder, topk, 128 latents)"),
        ({"source": "trained locally", "architecture": "topk", "d_sae": 2048, "training": {}}, "trained locally (topk, 2,048 latents)"),
    ],
)
def test_the_sae_is_described_by_where_the_build_got_it(recorded, shown) -> None:
    from analysis.artifacts.catalog import _describe_sae

    assert _describe_sae(recorded) == shown


def test_a_synthetic_analysis_holds_every_file_of_the_layout(synthetic: Path) -> None:
    from analysis.artifacts.layout import ANALYSIS_FILES, MANIFEST

    assert [name for name in (MANIFEST, *ANALYSIS_FILES) if not (synthetic / name).is_file()] == []


def test_the_three_format_versions_have_three_names() -> None:
    from analysis.artifacts import layout

    versions = [name for name in vars(layout) if name.endswith("FORMAT_VERSION")]
    assert sorted(versions) == ["ANALYSIS_FORMAT_VERSION", "MONITOR_FORMAT_VERSION", "SCORER_FORMAT_VERSION"]


def test_package_versions_name_every_package_asked_for_in_order() -> None:
    from analysis import __version__
    from analysis.artifacts.provenance import package_versions

    versions = package_versions(("numpy", "no-such-package-here"))
    assert list(versions) == ["python", "analysis", "numpy", "no-such-package-here"]
    assert versions["analysis"] == __version__ and versions["no-such-package-here"] == "not installed"
