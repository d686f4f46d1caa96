"""Server-side time of the app's heavy views on a synthetic 100,000-sample analysis.

    python bench/bench_app.py [--samples 100000] [--repeats 5] [--browser]

Runs the app headless with Streamlit's AppTest (the same script runs a browser session
would trigger) and prints one row per measurement: cold and warm page loads of the
sample map, a selection reaching the linked table, a color change, and the other pages.
With --browser it also serves the app and drives Debian's chromium (Playwright): time
until the map is drawn, and from the end of a box selection to the linked table.
The analysis is written once under bench/out/ (git-ignored) and reused.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the synthetic analysis writer, a test double
import polars as pl  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from synthetic import write_synthetic_analysis  # noqa: E402

from bench.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = ROOT / "pages"


def make_app() -> AppTest:
    return AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=300)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def checked(at: AppTest) -> AppTest:
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also measure in chromium")
    args = parser.parse_args()

    cache = ROOT / "bench" / "out" / f"app-cache-{args.samples}"
    folder = cache / "analyses" / f"synthetic-{args.samples}"
    if not folder.exists():
        seconds = timed(lambda: write_synthetic_analysis(folder, args.samples))
        print(f"wrote the synthetic analysis in {seconds:.1f} s")
    os.environ["ANALYSIS_CACHE_DIR"] = str(cache)
    samples = pl.read_parquet(folder / "samples.parquet", columns=["id", "x", "y"])
    # Box-like selections: the samples in a vertical strip of the map, of growing width.
    order = samples.sort("x")["id"]
    selections = {size: order.slice(samples.height // 2, size).to_list() for size in (1, 1_000, 10_000)}

    rows: list[tuple[str, float, str]] = []

    def record(name: str, values: list[float], note: str = "") -> None:
        rows.append((name, statistics.median(values), note + (f" (median of {len(values)})" if len(values) > 1 else "")))

    at = make_app()
    record("home page, cold (first run in the process)", [timed(lambda: checked(at.run()))])
    at.switch_page(str(PAGES / "map.py"))
    record("sample map, cold (reads the analysis, builds the figure)", [timed(lambda: checked(at.run()))])
    record("sample map, warm rerun", [timed(lambda: checked(at.run())) for _ in range(args.repeats)])

    def fresh_session_map() -> None:
        other = make_app()
        checked(other.run())
        other.switch_page(str(PAGES / "map.py"))
        checked(other.run())

    record("sample map, new session (warm caches, home then map)", [timed(fresh_session_map) for _ in range(args.repeats)])
    for size, ids in selections.items():

        def select(ids: list[str] = ids) -> None:
            at.session_state["selected_ids"] = ids
            checked(at.run())

        values = []
        for _ in range(args.repeats):
            at.session_state["selected_ids"] = []
            checked(at.run())
            values.append(timed(select))
        record(f"selection of {size:,} samples -> linked table", values, "map rerun included")
    at.session_state["focus_id"] = selections[1][0]
    record("detail pane of one sample (explanation, tokens)", [timed(lambda: checked(at.run()))], "first time")
    at.selectbox(key="_w_color_by").set_value("score")
    record("color by score, first time (builds that figure)", [timed(lambda: checked(at.run()))])
    at.selectbox(key="_w_color_by").set_value("set")
    record("color back to set (cached figure)", [timed(lambda: checked(at.run()))])
    at.session_state["focus_id"] = None
    for page in ("clusters", "features", "proximity", "export", "evaluate"):
        at.switch_page(str(PAGES / f"{page}.py"))
        cold = timed(lambda: checked(at.run()))
        warm = [timed(lambda: checked(at.run())) for _ in range(args.repeats)]
        rows.append((f"{page} page, first visit", cold, ""))
        record(f"{page} page, warm rerun", warm)

    if args.browser:
        rows.extend(browser_timings(cache, args.repeats))

    width = max(len(name) for name, _, _ in rows)
    print(f"\n{args.samples:,} samples, {os.cpu_count()} CPU cores\n")
    print(f"{'measurement'.ljust(width)}  seconds  note")
    for name, seconds, note in rows:
        print(f"{name.ljust(width)}  {seconds:7.3f}  {note}")


def browser_timings(cache: Path, repeats: int) -> list[tuple[str, float, str]]:
    """Serve the app and time the map and a box selection in chromium."""
    import re
    import signal
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env={**os.environ, "ANALYSIS_CACHE_DIR": str(cache), "ANALYSIS_AUTO_DEMO": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, float, str]] = []
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
            )
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.set_default_timeout(180_000)
            loads = []
            for attempt in range(repeats + 1):
                started = time.perf_counter()
                page.goto(f"{url}/map")
                page.wait_for_selector(".js-plotly-plot .scatterlayer, .js-plotly-plot canvas")
                page.wait_for_selector(".js-plotly-plot .draglayer .nsewdrag")
                loads.append(time.perf_counter() - started)
                if attempt == 0:
                    rows.append(("browser: map drawn, first load (server cold)", loads[0], "page open to plot ready"))
            rows.append(("browser: map drawn, reload", statistics.median(loads[1:]), f"median of {repeats}"))
            for fraction in (0.1, 0.4):  # box side as a share of the plot: about 5% and 20% of the points
                selections = []
                counts = []
                for index in range(repeats):
                    box = page.locator(".js-plotly-plot .draglayer .nsewdrag").first.bounding_box()
                    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                    page.locator('.modebar-btn[data-val="select"]').first.click()
                    low = 0.3 + 0.01 * index
                    page.mouse.move(box["x"] + box["width"] * low, box["y"] + box["height"] * low)
                    page.mouse.down()
                    page.mouse.move(box["x"] + box["width"] * (low + fraction), box["y"] + box["height"] * (low + fraction), steps=8)
                    started = time.perf_counter()
                    page.mouse.up()
                    caption = page.get_by_text(re.compile(r"^[\d,]+ selected")).first
                    caption.wait_for(state="visible")
                    page.wait_for_function(
                        "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') !== 'running'"
                    )
                    selections.append(time.perf_counter() - started)
                    counts.append(int(caption.inner_text().split(" ")[0].replace(",", "")))
                    page.reload()  # a new session: nothing selected
                    page.wait_for_selector(".js-plotly-plot .draglayer .nsewdrag")
                rows.append(
                    (
                        f"browser: box of ~{statistics.median(counts):,.0f} points -> linked table shown",
                        statistics.median(selections),
                        f"mouse-up to table, median of {repeats}",
                    )
                )
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return rows


if __name__ == "__main__":
    main()
