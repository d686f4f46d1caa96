"""`python -m analysis report`: one self-contained HTML file, escaped data, a section per input."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from monitor_fixtures import PLANTED, run_monitor, write_batch
from synthetic import write_synthetic_analysis

from analysis.cli.main import main
from analysis.use.export import FilterRule, export
from analysis.use.report import build_report, decimate

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SECTIONS = ("summary", "map", "clusters", "features", "cut", "evaluation", "drift", "provenance")


def sections_of(text: str) -> set[str]:
    return set(re.findall(r'<section id="([a-z]+)">', text))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("report-cache")
    analysis_dir = write_synthetic_analysis(root / "analyses" / "synthetic-report", 1200, n_features=512, seed=1)
    # plant a script tag in the highest-scoring training row and in a toxic feature's tokens
    samples = pl.read_parquet(analysis_dir / "samples.parquet")
    top = samples.filter(pl.col("set") == "train").sort("score", descending=True)["id"][0]
    samples.with_columns(pl.when(pl.col("id") == top).then(PLANTED + " " + pl.col("text")).otherwise(pl.col("text")).alias("text")).write_parquet(
        analysis_dir / "samples.parquet"
    )
    features = pl.read_parquet(analysis_dir / "features.parquet")
    strongest = features.filter(pl.col("is_toxic")).sort("toxic_log_odds", descending=True)["feature"][0]
    features.with_columns(pl.when(pl.col("feature") == strongest).then(pl.lit(PLANTED)).otherwise(pl.col("top_tokens")).alias("top_tokens")).write_parquet(
        analysis_dir / "features.parquet"
    )
    export_dir = export(analysis_dir, FilterRule(top_percent=5.0), root / "exports" / "top5", extra_formats=())
    run = run_monitor(analysis_dir, write_batch(analysis_dir, root / "batch.jsonl"))
    return {"root": root, "analysis": analysis_dir, "export": export_dir, "monitor": run.out_dir, "top": top}


def report_of(tmp_path: Path, *args: str) -> str:
    out = tmp_path / "report.html"
    assert main(["report", *args, "--out", str(out), "--quiet"]) == 0
    return out.read_text(encoding="utf-8")


def assert_self_contained_and_escaped(text: str) -> None:
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, flags=re.IGNORECASE)  # no script is fetched
    assert "<script src=http" not in text.lower()
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?:", text, flags=re.IGNORECASE)  # no stylesheet either
    assert text.count("Plotly.newPlot") >= 1
    assert text.count("plotly.js v") == 1  # plotly's JavaScript embedded once
    assert PLANTED not in text
    assert ESCAPED in text


def test_the_analysis_alone(built: dict, tmp_path: Path) -> None:
    text = report_of(tmp_path, str(built["analysis"]))
    assert_self_contained_and_escaped(text)
    assert sections_of(text) == {"summary", "map", "clusters", "features", "evaluation", "provenance"}
    assert "All 1,200 samples are drawn." in text
    manifest_sha = __import__("json").loads((built["analysis"] / "manifest.json").read_text())["inputs"]["train"]["sha256"]
    assert manifest_sha in text  # provenance: the input's hash
    assert "score_knn" in text and "AUROC [95% CI]" in text


def test_every_section_with_an_export_and_a_monitor(built: dict, tmp_path: Path) -> None:
    text = report_of(tmp_path, str(built["analysis"]), "--export", str(built["export"]), "--monitor", str(built["monitor"]))
    assert_self_contained_and_escaped(text)
    assert sections_of(text) == set(SECTIONS)
    cut = text[text.index('<section id="cut">') : text.index("</section>", text.index('<section id="cut">'))]
    assert "remove top 5% by score" in cut and ESCAPED in cut  # the planted row is the first one removed
    drift = text[text.index('<section id="drift">') : text.index("</section>", text.index('<section id="drift">'))]
    assert "Drift flagged." in drift and ESCAPED in drift and "batch-0000" in drift


def test_each_optional_section_follows_its_input(built: dict, tmp_path: Path) -> None:
    with_export = build_report(built["analysis"], export_dir=built["export"])
    assert {"cut"} <= sections_of(with_export) and "drift" not in sections_of(with_export)
    with_monitor = build_report(built["analysis"], monitor_dir=built["monitor"])
    assert {"drift"} <= sections_of(with_monitor) and "cut" not in sections_of(with_monitor)
    unlabelled = write_synthetic_analysis(tmp_path / "analyses" / "unlabelled", 300, n_features=400, with_labels=False)
    assert "evaluation" not in sections_of(build_report(unlabelled))


def test_folders_of_another_analysis_are_refused(built: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = write_synthetic_analysis(tmp_path / "analyses" / "other", 300, n_features=400, seed=5)
    out = tmp_path / "other.html"
    assert main(["report", str(other), "--monitor", str(built["monitor"]), "--out", str(out), "--quiet"]) == 2
    assert "another analysis" in capsys.readouterr().err and not out.exists()
    assert main(["report", str(other), "--export", str(built["export"]), "--out", str(out), "--quiet"]) == 2
    assert main(["report", str(other), "--export", str(tmp_path), "--out", str(out), "--quiet"]) == 2


def test_the_map_is_thinned_and_says_so(built: dict, tmp_path: Path) -> None:
    text = report_of(tmp_path, str(built["analysis"]), "--max-points", "500")
    assert "The map shows 500 of the 1,200 samples" in text
    samples = pl.DataFrame(
        {
            "id": [f"r{i}" for i in range(1000)],
            "set": ["train"] * 900 + ["toxic"] * 60 + ["benign"] * 40,
            "score": np.arange(1000, dtype=np.float64),
        }
    )
    kept, note = decimate(samples, 300, "score")
    assert kept.height == 300 and "300 of the 1,000" in note
    assert kept.filter(pl.col("set") != "train").height == 100  # every reference row
    top_train = samples.filter(pl.col("set") == "train").sort("score", descending=True).head(30)["id"].to_list()
    assert set(top_train) <= set(kept["id"].to_list())  # and the highest-scoring training rows
    assert decimate(samples, 5000, "score")[0].height == 1000


def test_the_analyses_page_offers_the_report(built: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(built["root"]))
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    root = Path(__file__).resolve().parent.parent
    at = AppTest.from_string((root / "app.py").read_text(), default_timeout=120)
    at.run()
    next(button for button in at.button if button.label == "Prepare the stakeholder report").click().run()
    assert not at.exception, [item.value for item in at.exception]
    at.run()
    assert "Download the stakeholder report (HTML)" in [element.proto.label for element in at.get("download_button")]
