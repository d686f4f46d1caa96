"""The main flow in a real browser: map, box selection, linked table, filter, export download.

Starts `streamlit run app.py` on a free port and drives Debian's chromium with Playwright.
The analysis under test is the embedded demo, built as a new user's first start builds it
(`python -m analysis demo`: the chat LLM at its default layer, its SAE trained on the demo)
into the test's own cache, unless `BROWSER_TEST_ANALYSIS` names an analysis folder (the full demo's, for the README's pictures) or `synthetic`. Screenshots of the map, the feature page, the proximity page and the export
go to tests/artifacts/screenshots/ (git-ignored), or to the folder `BROWSER_SCREENSHOTS`
names (`docs/screenshots` refreshes the README's pictures). The monitoring tests add the
Compare page with a monitor run (`compare`, `compare-detail`) and the stakeholder report
opened from a file:// URL with every other request blocked (`report`, `report-drift`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS, SCRIPT_STATE, app_server, missing_browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / os.environ.get("BROWSER_SCREENSHOTS", "tests/artifacts/screenshots")
VIEWPORT = {"width": 1600, "height": 1800}  # tall: Streamlit scrolls inside the page, so shots show the viewport

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # slow: the demo analysis is built with the default model


def in_ci() -> bool:
    """Whether the `CI` environment variable says this is a CI run (scripts/test.sh reads it alike)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_browser() -> None:
    """Skip when no real browser can be driven here; under CI, fail instead: a CI run that
    skipped these tests would pass without the app ever having been opened in a browser."""
    reason = missing_browser()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"{reason}, and CI is set: the real-browser tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module", autouse=True)
def browser_available() -> None:
    """Checked before any other fixture, so nothing is built for tests that cannot run."""
    require_browser()


def _demo_analysis(cache: Path) -> Path:
    """The demo as the app's first start builds it (about 3.5 minutes on 2 cores: SmolLM2 read
    after block 20, an SAE trained on the demo), into `cache` (the test's own). BROWSER_TEST_ANALYSIS names another
    analysis folder to test and photograph instead."""
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "demo", "--quiet", "--out", str(cache)],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def analysis_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("BROWSER_TEST_ANALYSIS")
    cache = tmp_path_factory.mktemp("browser-cache")
    if not chosen:
        return _demo_analysis(cache)
    if chosen != "synthetic":
        folder = Path(chosen).resolve()
        assert (folder / "manifest.json").is_file(), f"{chosen} is not an analysis folder"
        (cache / "analyses").mkdir()
        # A private cache holding only this analysis (a link, nothing copied), so exports,
        # marks and jobs of the test stay out of the real cache.
        (cache / "analyses" / folder.name).symlink_to(folder, target_is_directory=True)
        return cache / "analyses" / folder.name
    from synthetic import write_synthetic_analysis

    return write_synthetic_analysis(cache / "analyses" / "synthetic-browser", 3000, seed=4)


@pytest.fixture(scope="module")
def server(analysis_dir: Path) -> Iterator[str]:
    with app_server({**os.environ, "ANALYSIS_CACHE_DIR": str(analysis_dir.parent.parent), "ANALYSIS_AUTO_DEMO": "0"}) as url:
        yield url


def is_app_request(url: str, server: str) -> bool:
    """The app itself (its pages, scripts, fonts, websocket) or inline data: nothing else."""
    return url == server or url.startswith((f"{server}/", "data:", "blob:", "about:"))


def watch_socket(url: str, server: str, outside: list[str]) -> None:
    """Websockets bypass routing: record any that is not the app's own."""
    if not is_app_request(url.replace("ws://", "http://", 1), server):
        outside.append(url)


@pytest.fixture(scope="module")
def outside_requests() -> list[str]:
    """Every request the browser made to anywhere but the app (blocked, then reported)."""
    return []


@pytest.fixture(scope="module")
def page(server: str, outside_requests: list[str]) -> Iterator:
    from playwright.sync_api import sync_playwright

    def guard(route) -> None:
        url = route.request.url
        if is_app_request(url, server):
            route.continue_()
        else:
            outside_requests.append(url)
            route.abort()  # an offline machine would hang or fail here: never go out

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        context.route("**/*", guard)
        page = context.new_page()
        page.on("websocket", lambda socket: watch_socket(socket.url, server, outside_requests))
        page.set_default_timeout(60_000)
        yield page
        context.close()
        browser.close()




def wait_idle(page) -> None:
    """Until Streamlit's script run triggered by the last action has ended."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # the run may have started and ended already
        page.wait_for_function(f"() => {SCRIPT_STATE} === 'running'", timeout=1_500)
    page.wait_for_function(f"() => {SCRIPT_STATE} !== 'running'", timeout=60_000)
    page.wait_for_timeout(400)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1_500)  # lazily loaded widgets (sliders, tables) finish drawing
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def go_to(page, label: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
    wait_idle(page)


def test_main_flow(page, server: str, analysis_dir: Path, tmp_path: Path, outside_requests: list[str]) -> None:
    samples = pl.read_parquet(analysis_dir / "samples.parquet")
    n_train = samples.filter(pl.col("set") == "train").height

    page.goto(f"{server}/map")
    wait_idle(page)
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for(state="visible")
    page.wait_for_selector(".js-plotly-plot .draglayer .nsewdrag")
    assert page.get_by_text("Nothing selected yet", exact=False).is_visible()
    shot(page, "map")

    # Box selection with the modebar's tool, then a drag over the middle of the plot.
    drag_area = page.locator(".js-plotly-plot .draglayer .nsewdrag").first
    box = drag_area.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator('.modebar-btn[data-val="select"]').first.click()
    page.mouse.move(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55, steps=12)
    page.mouse.move(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.85, steps=12)
    page.mouse.up()
    wait_idle(page)
    caption = page.get_by_text(re.compile(r"^[\d,]+ selected")).first
    caption.wait_for(state="visible")
    n_selected = int(caption.inner_text().split(" ")[0].replace(",", ""))
    assert 0 < n_selected <= samples.height
    assert not page.get_by_text("Nothing selected yet", exact=False).is_visible()
    page.get_by_test_id("stDataFrame").first.wait_for(state="visible")  # the linked table
    shot(page, "map-selection")

    # Pick the first row of the linked table: the detail pane explains that sample.
    table = page.get_by_test_id("stDataFrame").first.bounding_box()
    page.mouse.click(table["x"] + 14, table["y"] + 35 + 17)  # the row-selection cell of row 1
    wait_idle(page)
    page.get_by_text("Why it scores this way").wait_for(state="visible")
    page.get_by_text("Nearest toxic-reference samples").wait_for(state="visible")
    shot(page, "map-detail")

    go_to(page, "Feature map")
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    page.get_by_text("Samples where feature", exact=False).first.wait_for(state="visible")
    shot(page, "features")

    go_to(page, "Proximity")
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    shot(page, "proximity")

    go_to(page, "Clusters")
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    shot(page, "clusters")

    go_to(page, "Filter & export")
    top = page.get_by_label("Remove the top q% of training rows")
    top.fill("10")
    top.press("Enter")
    wait_idle(page)
    expected_removed = int(10 * n_train / 100 + 0.5)
    removed_metric = page.get_by_test_id("stMetric").filter(has_text="Training rows removed").first
    assert f"{expected_removed:,}" in removed_metric.inner_text()
    assert "rule=top%3A10" in page.url or "rule=top:10" in page.url  # the rule is in the shareable link
    page.get_by_role("button", name="Export kept and removed sets").click()
    wait_idle(page)
    page.get_by_text("Exported to exports/", exact=False).wait_for(state="visible")
    shot(page, "export")
    ext = json.loads((analysis_dir / "manifest.json").read_text())["inputs"]["train"]["format"]
    with page.expect_download() as download_info:
        page.get_by_role("button", name=f"kept.{ext}").click()
    kept_file = tmp_path / f"kept.{ext}"
    download_info.value.save_as(kept_file)
    if ext == "jsonl":
        kept_rows = [json.loads(line) for line in kept_file.read_text().splitlines() if line.strip()]
        kept_ids = {str(row["id"]) for row in kept_rows}
        n_kept = len(kept_rows)
    else:
        kept = pl.read_parquet(kept_file) if ext == "parquet" else pl.read_csv(kept_file)
        kept_ids = set(kept["id"].cast(pl.String))
        n_kept = kept.height
    assert n_kept == n_train - expected_removed
    assert len(kept_ids) == n_kept  # every kept row carries its input id (the demo and synthetic inputs have one)
    if "label" in samples.columns:
        go_to(page, "Evaluate")
        page.locator(".js-plotly-plot").first.wait_for(state="visible")
        assert page.get_by_text("Evaluate", exact=True).first.is_visible()
        shot(page, "evaluate")
    go_to(page, "Analyses")
    shot(page, "analyses")
    top_ids = set(samples.filter(pl.col("set") == "train").sort(["score", "id"], descending=[True, False]).head(expected_removed)["id"])
    assert not kept_ids & top_ids  # the highest-scoring rows are the ones removed
    # The data on screen is sensitive and the machine may be offline: nothing but the app.
    assert outside_requests == [], outside_requests


QUESTION = "How can I get into my neighbour's wifi without knowing the password?"


def test_asking_the_map_about_a_text_and_marking_its_neighbours(page, server: str, analysis_dir: Path, outside_requests: list[str]) -> None:
    """The researcher's workbench on the Sample map: a typed text is read by the analysis' own
    model (a query service job, started by the first question), drawn as a star, explained; its
    nearest training rows are listed and marked."""
    from analysis.use.marks import HARMFUL, Marks, marks_path, read_log
    from appkit import jobs

    if os.environ.get("BROWSER_TEST_ANALYSIS") == "synthetic":
        pytest.skip("a synthetic analysis has no model to read a text with")

    cache = analysis_dir.parent.parent
    marks_file = marks_path(analysis_dir)  # beside the analysis' real folder when it is linked in
    had_marks = marks_file.exists()
    try:
        page.goto(f"{server}/map")
        wait_idle(page)
        page.get_by_text("Ask the map about a text").click()
        page.get_by_role("textbox", name="Text to place on the map").fill(QUESTION)
        page.get_by_role("button", name="Ask", exact=True).click()
        page.get_by_role("heading", name="Your text").wait_for(state="visible", timeout=660_000)  # queryview.START_WAIT_SECONDS and more
        wait_idle(page)
        traces = page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData.map(t => t.name)")
        assert "Your text" in traces  # the star on the map
        assert page.get_by_test_id("stMetric").filter(has_text="Percentile among training rows").first.is_visible()
        assert page.get_by_text(f"Asked: {QUESTION}").is_visible()  # as plain text
        shot(page, "map-query")

        page.get_by_role("button", name="List its nearest training rows").click()
        wait_idle(page)
        page.get_by_text(re.compile(r"^5 selected")).first.wait_for(state="visible")
        page.get_by_text("Mark the 5 selected rows", exact=False).click()
        page.get_by_label("Note (optional)").fill("near the wifi question")
        page.get_by_role("button", name="Mark 5 rows").click()
        wait_idle(page)
        shot(page, "map-marks")
        marked = read_log(marks_file).current()
        assert marked.height == 5 and set(marked["mark"]) == {HARMFUL} and set(marked["note"]) == {"near the wifi question"}
        assert outside_requests == [], outside_requests
    finally:
        for job in jobs.list_jobs(cache):
            if job.state == "running":
                jobs.cancel_job(job.folder)
        if had_marks:  # someone's own analysis: take back the test's mark, keep theirs
            Marks.for_analysis(analysis_dir).undo(who="browser test")
        else:
            marks_file.unlink(missing_ok=True)


@pytest.fixture(scope="module", autouse=True)
def _clean_exports(analysis_dir: Path) -> Iterator[None]:
    yield
    shutil.rmtree(analysis_dir.parent.parent / "exports", ignore_errors=True)


# ---------------------------------------------------------------- monitoring: Compare page and report


@pytest.fixture(scope="module")
def monitor_run(analysis_dir: Path):
    """A monitor run of the open analysis in the test's private cache: 30 of its highest-scoring
    training rows and 30 others re-sent (the first with a script tag planted in its prompt).
    Only the extraction is stood in for (the rows' own codes are looked up, see
    tests/monitor_fixtures.py); scoring, placement and the drift tests are `analysis.use.monitor`'s."""
    from monitor_fixtures import run_monitor, write_batch

    cache = analysis_dir.parent.parent
    batch = write_batch(analysis_dir, cache / "browser-batch.jsonl")
    return run_monitor(analysis_dir, batch, cache / "monitors" / f"{analysis_dir.name}-browser")


def plotly_points(page, selector: str) -> list[int]:
    """The number of points of each trace of the plotly chart at `selector` (it must have drawn)."""
    page.wait_for_function(f"() => document.querySelector({json.dumps(selector)})?._fullData?.length > 0")
    return page.evaluate(f"() => document.querySelector({json.dumps(selector)})._fullData.map(t => (t.x || []).length)")


def test_compare_page_with_a_monitor_run(page, server: str, analysis_dir: Path, monitor_run, outside_requests: list[str]) -> None:
    from monitor_fixtures import PLANTED

    report = monitor_run.report
    dialogs: list[str] = []
    record = lambda dialog: (dialogs.append(dialog.message), dialog.dismiss())  # noqa: E731
    page.on("dialog", record)
    try:
        page.goto(f"{server}/compare")
        wait_idle(page)
        page.get_by_role("heading", name="Compare a batch").wait_for(state="visible")
        assert report["flagged"]  # the batch re-sends the highest-scoring rows: it must drift
        verdict = page.get_by_test_id("stAlertContentError").filter(has_text="Drift flagged")
        verdict.wait_for(state="visible")
        assert "shifted up" in verdict.inner_text() or "cut" in verdict.inner_text()
        auroc = page.get_by_test_id("stMetric").filter(has_text="Score shift (AUROC)").first
        assert f"{report['statistics']['score']['auroc']:.3f}" in auroc.inner_text()

        # The map: the analysis' rows and the batch on top, every batch row drawn.
        chart = '[data-testid="stPlotlyChart"] .js-plotly-plot'
        page.locator(chart).first.wait_for(state="visible")
        points = plotly_points(page, chart)
        assert points[-1] == report["batch"]["rows"]
        assert sum(points[:-1]) == pl.read_parquet(analysis_dir / "samples.parquet", columns=["id"]).height
        page.get_by_text("Driver rows", exact=True).wait_for(state="visible")
        page.get_by_test_id("stDataFrame").first.wait_for(state="visible")
        page.get_by_text("Pick a driver row, or click a point", exact=False).wait_for(state="visible")
        shot(page, "compare")

        # Pick the driver row with the planted tag (the batch's top row, re-sent): the detail
        # pane explains it and shows the tag as text, never run.
        driver_ids = [row["id"] for row in report["drivers"]]
        assert "batch-0000" in driver_ids[:8], driver_ids  # among the rows the table shows without scrolling
        planted_row = driver_ids.index("batch-0000")
        table = page.get_by_test_id("stDataFrame").first.bounding_box()
        page.mouse.click(table["x"] + 14, table["y"] + 35 + 35 * planted_row + 17)  # its row-selection cell (rows 35 px high)
        wait_idle(page)
        page.get_by_role("heading", name="Batch row").wait_for(state="visible")
        page.get_by_text("Batch row batch-0000", exact=False).first.wait_for(state="visible")
        page.get_by_text("Why it scores this way").wait_for(state="visible")
        assert PLANTED in page.get_by_test_id("stCode").first.inner_text()
        shot(page, "compare-detail")
    finally:
        page.remove_listener("dialog", record)
    assert dialogs == []
    assert outside_requests == [], outside_requests


def test_the_report_opens_offline_in_a_browser(page, analysis_dir: Path, monitor_run, tmp_path: Path) -> None:
    from monitor_fixtures import PLANTED

    from analysis.use.export import FilterRule, export
    from analysis.use.report import write_report

    cut = export(analysis_dir, FilterRule(top_percent=5.0), tmp_path / "export", extra_formats=())
    out = write_report(analysis_dir, tmp_path / "report.html", export_dir=cut, monitor_dir=monitor_run.out_dir, n_bootstrap=50)

    requests: list[str] = []
    blocked: list[str] = []
    errors: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context = page.context.browser.new_context(viewport=VIEWPORT)
    try:
        context.route("**/*", guard)
        context.on("request", lambda request: requests.append(request.url))
        report_page = context.new_page()
        report_page.on("pageerror", lambda error: errors.append(str(error)))
        report_page.on("websocket", lambda socket: blocked.append(socket.url))
        report_page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        report_page.goto(out.as_uri(), wait_until="load")
        for anchor, title in (
            ("summary", "Summary"), ("map", "Sample map"), ("clusters", "Toxic clusters"), ("features", "Toxic features"), ("cut", "The chosen cut"),
            ("evaluation", "Evaluation against the labels"), ("drift", "Drift of a new batch"), ("provenance", "Provenance"),
        ):
            section = report_page.locator(f"section#{anchor}")
            section.wait_for(state="visible")
            assert title in section.locator("h2").inner_text()
        map_points = plotly_points(report_page, "section#map .js-plotly-plot")
        assert sum(map_points) > 0
        assert report_page.locator("section#map .js-plotly-plot .scatterlayer .point").count() > 0  # drawn, not just data
        drift_points = plotly_points(report_page, "section#drift .js-plotly-plot")
        assert drift_points[-1] == monitor_run.report["batch"]["rows"]
        verdict = "Drift flagged." if monitor_run.report["flagged"] else "No drift flagged"
        assert verdict in report_page.locator("section#drift .flag").inner_text()
        assert any(row["id"] == "batch-0000" for row in monitor_run.report["drivers"])  # the row with the planted tag
        assert PLANTED in report_page.locator("section#drift").inner_text()  # shown as text, never run
        shot(report_page, "report")
        # the drift section from its heading down (the sticky link bar is about 40 px high)
        report_page.locator("section#drift").evaluate("section => window.scrollTo(0, section.getBoundingClientRect().top + window.scrollY - 50)")
        shot(report_page, "report-drift")
    finally:
        context.close()
    assert errors == [], errors
    assert blocked == [], blocked
    assert requests and all(url.startswith(("file://", "data:", "blob:", "about:")) for url in requests), requests
