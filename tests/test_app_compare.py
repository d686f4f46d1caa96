"""The Compare page on a synthetic analysis and monitor runs written by `analysis.use.monitor` itself
(only the extraction is stood in for, see tests/monitor_fixtures.py)."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from monitor_fixtures import PLANTED, run_monitor, write_batch
from streamlit.testing.v1 import AppTest
from synthetic import write_synthetic_analysis

from appkit import jobs

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
STAND_IN = f"{sys.executable} {ROOT / 'tests' / 'monitor_fixtures.py'}"


def unescape(markdown: str) -> str:
    """Labels hold escaped markdown (data never formats itself); read them back as text."""
    return re.sub(r"\\(.)", r"\1", markdown)


def make_app() -> AppTest:
    return AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=60)


def open_compare(at: AppTest) -> AppTest:
    at.switch_page(str(PAGES / "compare.py")).run()
    assert not at.exception, [item.value for item in at.exception]
    return at


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("compare-cache")
    analysis_dir = write_synthetic_analysis(root / "analyses" / "synthetic-compare", 1200, n_features=512, seed=1)
    batch = write_batch(analysis_dir, root / "batch.jsonl")
    result = run_monitor(analysis_dir, batch)
    return {"root": root, "analysis": analysis_dir, "batch": batch, "run": result}


@pytest.fixture
def app(cache: dict, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache["root"]))
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    at = make_app()
    at.run()
    assert not at.exception
    return open_compare(at)


def test_the_page_shows_the_run_its_verdict_and_drivers(app: AppTest, cache: dict) -> None:
    run = cache["run"]
    assert app.title[0].value == "Compare a batch"
    assert app.selectbox(key="_w_monitor_path").value == str(run.out_dir)
    assert run.flagged
    assert any("Drift flagged" in error.value for error in app.error)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Batch rows"] == "60"
    assert metrics["Score shift (AUROC)"] == f"{run.report['statistics']['score']['auroc']:.3f}"
    drivers = app.dataframe[0].value
    assert drivers["id"].to_list() == [row["id"] for row in run.report["drivers"]]
    latents = next(frame.value for frame in app.dataframe if "count_batch" in frame.value.columns)
    assert latents["drifting"].all() and latents.shape[0] == run.report["statistics"]["latents"]["drifting"]
    assert latents["is_toxic"].iloc[0]  # toxic latents first


def test_a_driver_row_opens_its_explanation(app: AppTest, cache: dict) -> None:
    first = cache["run"].report["drivers"][0]["id"]
    app.session_state["_compare_focus"] = ("batch", first)
    app.run()
    assert not app.exception
    assert app.subheader[1].value == "Batch row"
    texts = [code.value for code in app.code]
    assert any(value.startswith(PLANTED) for value in texts)  # shown as code: never markup
    assert not any(PLANTED in item.proto.body for item in app.html)
    explanation = next(frame.value for frame in app.dataframe if "contribution" in frame.value.columns)
    assert explanation.shape[0] > 0 and (explanation["contribution"] > 0).all()
    nearest = next(frame.value for frame in app.dataframe if "similarity" in frame.value.columns)
    assert nearest["id"].str.startswith("toxic-").all()


def test_any_batch_row_is_explained_from_its_kept_codes(app: AppTest, cache: dict) -> None:
    drivers = {row["id"] for row in cache["run"].report["drivers"]}
    other = next(row_id for row_id in pl.read_parquet(cache["run"].out_dir / "scores.parquet")["id"] if row_id not in drivers)
    app.session_state["_compare_focus"] = ("batch", other)
    app.run()
    assert not app.exception
    assert any("contribution" in frame.value.columns for frame in app.dataframe)


def test_an_analysis_point_opens_the_sample_pane(app: AppTest) -> None:
    app.session_state["_compare_focus"] = ("analysis", "train-000001")
    app.run()
    assert not app.exception
    assert app.subheader[1].value == "Analysis sample"
    assert any(item.value == "**Why it scores this way**" for item in app.markdown)


def test_the_map_draws_every_row_and_tells_batch_from_analysis_points(app: AppTest, cache: dict) -> None:
    from appkit import cached

    figure = cached.batch_map(str(cache["analysis"].resolve()), str(cache["run"].out_dir))
    kinds = figure.trace_kinds
    assert kinds[-1] == "batch" and kinds[0] == "analysis"
    by_kind = {kind: sum(len(ids) for ids, k in zip(figure.trace_ids, kinds, strict=True) if k == kind) for kind in set(kinds)}
    assert by_kind == {"analysis": 1200, "batch": 60}
    last = len(kinds) - 1
    picks = figure.picks_of([{"curve_number": last, "point_index": 0}, {"curve_number": 0, "point_index": 3}])
    assert picks[0] == ("batch", str(figure.trace_ids[last][0])) and picks[1][0] == "analysis"
    # the batch is drawn on top, coloured by its score, hottest last
    batch_trace = figure.figure.data[last]
    assert list(batch_trace.marker.color) == sorted(batch_trace.marker.color)
    assert all("<script>" not in text for text in batch_trace.hovertext)


def test_runs_of_other_analyses_are_not_listed(cache: dict, tmp_path: Path) -> None:
    from analysis.use.monitor_runs import list_monitors

    # A cache of its own (the module's stays as the other tests expect it): the module's run,
    # linked in, beside a run of another analysis.
    root = tmp_path / "cache"
    (root / "monitors").mkdir(parents=True)
    run_dir = Path(cache["run"].out_dir)
    (root / "monitors" / run_dir.name).symlink_to(run_dir, target_is_directory=True)
    other = write_synthetic_analysis(root / "analyses" / "synthetic-other", 300, n_features=400, seed=3)
    other_run = run_monitor(other, write_batch(other, tmp_path / "other.jsonl", n_top=5, n_random=5))
    assert Path(other_run.out_dir).parent == (root / "monitors").resolve()
    own = json.loads((cache["analysis"] / "manifest.json").read_text())["analysis_id"]
    assert list_monitors(root, own)["path"].to_list() == [str(run_dir)]
    assert sorted(list_monitors(root)["path"].to_list()) == sorted([str(run_dir), str(other_run.out_dir)])


def upload_batch(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="compare_upload").set_value((name, data, "application/octet-stream"))
    next(button for button in at.button if button.label == "Check the batch and compare").click()
    at.run()
    assert not at.exception, [item.value for item in at.exception]
    return at


def test_a_new_batch_runs_in_the_background_and_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    monkeypatch.setenv("ANALYSIS_CLI", STAND_IN)
    monkeypatch.setenv("MONITOR_DELAY", "2")
    analysis_dir = write_synthetic_analysis(tmp_path / "analyses" / "fresh", 300, n_features=400, seed=2)
    data = write_batch(analysis_dir, tmp_path / "new.jsonl", n_top=10, n_random=10).read_bytes()
    at = make_app()
    at.run()
    open_compare(at)
    assert any("No batch has been compared" in item.value for item in at.info)
    upload_batch(at, "new.jsonl", data)
    [job] = jobs.list_jobs(tmp_path)
    assert job.kind == "monitor" and job.meta["analysis_id"] == json.loads((analysis_dir / "manifest.json").read_text())["analysis_id"]
    assert [unescape(box.label) for box in at.main.status] == ["Compare new.jsonl: Starting"]
    # a refreshed page (a new browser tab) finds the running job
    other = make_app()
    other.run()
    open_compare(other)
    assert any(unescape(box.label).startswith("Compare new.jsonl") for box in other.main.status)
    status = jobs.wait_for(job.folder, timeout_s=60)
    assert status.state == "done", status.log_tail  # exit 1 (drift flagged) is a result
    assert status.returncode == 1 and Path(status.result_path).parent == tmp_path / "monitors"
    deadline = time.monotonic() + 30
    while at.session_state["monitor_path"] != status.result_path and time.monotonic() < deadline:
        at.run()
        time.sleep(0.3)
    assert at.session_state["monitor_path"] == status.result_path
    assert at.selectbox(key="_w_monitor_path").value == status.result_path
    assert any("Drift flagged" in error.value for error in at.error)
    # the Analyses page does not count a comparison as a build
    at.switch_page(str(PAGES / "home.py")).run()
    assert not at.exception and not at.main.status
    assert not any("The last build" in error.value for error in at.error)


def test_a_bad_batch_starts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    write_synthetic_analysis(tmp_path / "analyses" / "fresh", 300, n_features=400, seed=2)
    at = make_app()
    at.run()
    open_compare(at)
    upload_batch(at, "bad.jsonl", b'{"prompt": "a", "response": "b"}\n{not json\n')
    assert any("row 2" in error.value for error in at.error)
    assert jobs.list_jobs(tmp_path) == [] and not (tmp_path / "uploads").exists()


def test_the_report_is_prepared_and_offered(app: AppTest) -> None:
    next(button for button in app.button if button.label == "Prepare the stakeholder report").click().run()
    assert not app.exception, [item.value for item in app.exception]
    assert [box.label for box in app.main.status if "report" in box.label] == ["The stakeholder report is ready"]
    app.run()
    assert not any(button.label == "Prepare the stakeholder report" for button in app.button)
    downloads = [element.proto.label for element in app.get("download_button")]
    assert "Download the stakeholder report (HTML)" in downloads
