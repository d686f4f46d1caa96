"""The main flow in a real browser: map, box selection, linked table, filter, export download.

Starts `streamlit run app.py` on a free port and drives Debian's chromium with Playwright.
The analysis under test is the embedded demo (built with `python -m analysis demo` into the
cache when it is not there yet) unless `BROWSER_TEST_ANALYSIS` names another analysis folder
or `synthetic`. Screenshots of the map, the feature page, the proximity page and the export
go to tests/artifacts/screenshots/ (git-ignored), or to the folder `BROWSER_SCREENSHOTS`
names (`docs/screenshots` refreshes the README's pictures).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / os.environ.get("BROWSER_SCREENSHOTS", "tests/artifacts/screenshots")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 1800}  # tall: Streamlit scrolls inside the page, so shots show the viewport

pytestmark = pytest.mark.browser


def _demo_analysis() -> str:
    """The demo analysis folder, built first when the cache lacks it (minutes, once)."""
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "demo", "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def analysis_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("BROWSER_TEST_ANALYSIS") or _demo_analysis()
    if chosen != "synthetic":
        folder = Path(chosen).resolve()
        assert (folder / "manifest.json").is_file(), f"{chosen} is not an analysis folder"
        cache = tmp_path_factory.mktemp("browser-cache")
        (cache / "analyses").mkdir()
        # A private cache holding only this analysis (a link, nothing copied), so exports
        # and jobs of the test stay out of the real cache.
        (cache / "analyses" / folder.name).symlink_to(folder, target_is_directory=True)
        return cache / "analyses" / folder.name
    from analysis.synthetic import write_synthetic_analysis

    cache = tmp_path_factory.mktemp("browser-cache")
    return write_synthetic_analysis(cache / "analyses" / "synthetic-browser", 3000, seed=4)


@pytest.fixture(scope="module")
def server(analysis_dir: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    port = free_port()
    env = {
        **os.environ,
        "ANALYSIS_CACHE_DIR": str(analysis_dir.parent.parent),
        "ANALYSIS_AUTO_DEMO": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
        context.close()
        browser.close()


SCRIPT_STATE = "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"


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


def test_main_flow(page, server: str, analysis_dir: Path, tmp_path: Path) -> None:
    samples = pl.read_parquet(analysis_dir / "samples.parquet", columns=["id", "set", "score"])
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
        kept_ids = {row["id"] for row in kept_rows if "id" in row}
        n_kept = len(kept_rows)
    else:
        kept = pl.read_parquet(kept_file) if ext == "parquet" else pl.read_csv(kept_file)
        kept_ids = set(kept["id"].cast(pl.String)) if "id" in kept.columns else set()
        n_kept = kept.height
    assert n_kept == n_train - expected_removed
    go_to(page, "Analyses")
    shot(page, "analyses")
    top_ids = set(samples.filter(pl.col("set") == "train").sort(["score", "id"], descending=[True, False]).head(expected_removed)["id"])
    if kept_ids:
        assert not kept_ids & top_ids  # the highest-scoring rows are the ones removed


@pytest.fixture(scope="module", autouse=True)
def _clean_exports(analysis_dir: Path) -> Iterator[None]:
    yield
    shutil.rmtree(analysis_dir.parent.parent / "exports", ignore_errors=True)
