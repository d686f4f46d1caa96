"""Filter & export: the preview matches `decide`, and the app's export equals the CLI's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from synthetic import write_synthetic_analysis

from analysis.use.export import FilterRule, decide

ROOT = Path(__file__).resolve().parent.parent
EXPORT_PAGE = str(ROOT / "pages" / "export.py")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export-cache")
    write_synthetic_analysis(root / "analyses" / "synthetic-export", 800, n_features=400, seed=2)
    return root


@pytest.fixture
def app(cache: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    at = AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=60)
    at.run()
    at.switch_page(EXPORT_PAGE).run()
    assert not at.exception, [item.value for item in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(item.value for item in at.metric if item.label == label)


def export_button(at: AppTest):
    return next(button for button in at.button if button.label.startswith("Export"))


def test_preview_counts_follow_the_rule(app: AppTest, cache: Path) -> None:
    samples = pl.read_parquet(cache / "analyses" / "synthetic-export" / "samples.parquet")
    n_train = samples.filter(pl.col("set") == "train").height
    assert metric(app, "Training rows removed") == f"{round(0.05 * n_train):,}"  # default: top 5%
    app.number_input(key="_w_rule_top_percent").set_value(10.0).run()
    expected = decide(samples, FilterRule(score="score", top_percent=10.0))
    assert metric(app, "Training rows removed") == f"{int(expected['removed'].sum()):,}"
    assert app.query_params["rule"] == "top:10"
    # Threshold mode starts at the 95th percentile of the training scores.
    app.radio(key="_w_rule_mode").set_value("threshold").run()
    threshold = app.session_state["rule"]["threshold"]
    expected = decide(samples, FilterRule(score="score", threshold=threshold))
    assert metric(app, "Training rows removed") == f"{int(expected['removed'].sum()):,}"
    # Whole clusters add to the cut; nothing is written by a preview.
    app.multiselect(key="_w_rule_clusters").set_value([0]).run()
    expected = decide(samples, FilterRule(score="score", threshold=threshold, clusters=(0,)))
    assert metric(app, "Training rows removed") == f"{int(expected['removed'].sum()):,}"
    assert not (cache / "exports").exists()


def test_manual_choices_reach_the_rule(app: AppTest, cache: Path) -> None:
    samples = pl.read_parquet(cache / "analyses" / "synthetic-export" / "samples.parquet")
    train = samples.filter(pl.col("set") == "train").sort("score")
    lowest, highest = train["id"][0], train["id"][-1]
    app.session_state["manual_remove_ids"] = [lowest]
    app.session_state["manual_keep_ids"] = [highest]
    app.run()
    expected = decide(samples, FilterRule(score="score", top_percent=5.0, remove_ids=(lowest,), keep_ids=(highest,)))
    assert metric(app, "Training rows removed") == f"{int(expected['removed'].sum()):,}"
    assert "1 id(s) chosen by hand" in app.text[0].value and "always keep 1 id(s)" in app.text[0].value


def test_app_export_equals_the_cli(app: AppTest, cache: Path, tmp_path: Path) -> None:
    app.number_input(key="_w_rule_top_percent").set_value(7.5).run()
    export_button(app).click().run()
    assert not app.exception, [item.value for item in app.exception]
    [folder] = list((cache / "exports").iterdir())
    assert app.success and folder.name in app.success[0].value
    names = sorted(path.name for path in folder.iterdir())
    assert {"kept.jsonl", "removed.jsonl", "kept.parquet", "removed.parquet", "kept.csv", "removed.csv", "manifest.json"} <= set(names)
    offered = {button.label for button in app.download_button}
    assert set(names) <= offered and "Download everything (zip)" in offered

    cli_out = tmp_path / "cli"
    analysis_dir = cache / "analyses" / "synthetic-export"
    subprocess.run(
        [sys.executable, "-m", "analysis", "export", str(analysis_dir), "--top-percent", "7.5", "--score", "score", "--out", str(cli_out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert sorted(path.name for path in cli_out.iterdir()) == names
    for name in names:
        if name != "manifest.json":
            assert (folder / name).read_bytes() == (cli_out / name).read_bytes(), name
    app_manifest = json.loads((folder / "manifest.json").read_text())
    cli_manifest = json.loads((cli_out / "manifest.json").read_text())
    for key in ("rule", "counts", "outputs"):
        assert app_manifest[key] == cli_manifest[key], key

    # The same rule exports once: on the next run the button shows the existing files.
    app.run()
    assert export_button(app).label == "Exported: show the files"


def test_export_of_manual_removals_only(app: AppTest, cache: Path) -> None:
    samples = pl.read_parquet(cache / "analyses" / "synthetic-export" / "samples.parquet")
    chosen = samples.filter(pl.col("set") == "train")["id"].head(3).to_list()
    app.session_state["manual_remove_ids"] = chosen
    app.radio(key="_w_rule_mode").set_value("none").run()
    assert metric(app, "Training rows removed") == "3"
    export_button(app).click().run()
    folder = Path(app.session_state["_last_export"])
    removed = pl.read_parquet(folder / "removed.parquet")
    assert sorted(removed["id"].to_list()) == sorted(chosen)
    assert set(removed["reason"]) == {"manual"}


def test_an_empty_rule_is_explained_not_exported(app: AppTest) -> None:
    app.radio(key="_w_rule_mode").set_value("none").run()
    assert any("removes nothing" in item.value for item in app.info)
    assert not [button for button in app.button if button.label.startswith("Export")]


# ---------------------------------------------------------------- a score the build left empty


@pytest.fixture(scope="module")
def empty_probe_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An analysis whose score_probe has no value on any row (as a build without a benign reference)."""
    root = tmp_path_factory.mktemp("export-empty-probe")
    folder = write_synthetic_analysis(root / "analyses" / "synthetic-no-probe", 300, n_features=400, seed=3)
    samples = pl.read_parquet(folder / "samples.parquet")
    assert "score_probe" in samples.columns
    samples.with_columns(pl.lit(float("nan")).alias("score_probe")).write_parquet(folder / "samples.parquet")
    return root


def plain(markdown: str) -> str:
    """Page text without the escapes that keep data from being read as markdown."""
    return markdown.replace("\\", "")


def open_export_page(cache: Path, monkeypatch: pytest.MonkeyPatch, score: str | None = None) -> AppTest:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    at = AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=60)
    at.run()
    if score is not None:
        at.session_state["score"] = score  # e.g. picked on the Proximity page, or from a link
    at.switch_page(EXPORT_PAGE).run()
    assert not at.exception, [item.value for item in at.exception]
    return at


def test_a_score_without_training_values_is_not_offered(empty_probe_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_export_page(empty_probe_cache, monkeypatch)
    picker = at.selectbox(key="_w_score")
    assert "toxic-vs-benign probe" not in picker.options
    assert "default score" in picker.options
    assert any("Not offered (no value on any training row): toxic-vs-benign probe" in plain(item.value) for item in at.caption)

    # A shared choice of the empty score falls back to one with values, and says so.
    at = open_export_page(empty_probe_cache, monkeypatch, score="score_probe")
    assert at.selectbox(key="_w_score").value == "score"
    assert any("score_probe has no value on any training row" in plain(item.value) for item in at.info)
    n_train = pl.read_parquet(empty_probe_cache / "analyses" / "synthetic-no-probe" / "samples.parquet").filter(pl.col("set") == "train").height
    assert metric(at, "Training rows removed") == f"{round(0.05 * n_train):,}"
    assert "top 5% by score" in at.text[0].value


def test_an_empty_score_that_reaches_the_rule_shows_an_error_not_a_cut(
    empty_probe_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analysis.use.export

    # If the picker offered it anyway, the page must refuse the cut.
    monkeypatch.setattr(analysis.use.export, "usable_score_columns", analysis.use.export.score_columns)
    at = open_export_page(empty_probe_cache, monkeypatch, score="score_probe")
    assert at.selectbox(key="_w_score").value == "score_probe"
    assert any("score_probe has no value on any training row" in plain(item.value) for item in at.error)
    assert not [item for item in at.metric if item.label == "Training rows removed"]
    assert not [button for button in at.button if button.label.startswith("Export")]
    assert not (empty_probe_cache / "exports").exists()
