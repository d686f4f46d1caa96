"""The sample map at 1,000,000 points: server time, what the browser receives, selection, memory.

    python bench/map_scale.py [--samples 1000000] [--reference 10000] [--repeats 3] [--no-browser]
                              [--screenshot docs/screenshots/map-1m.png]

For each size (the reference first, drawn point by point below the density threshold, then
the large one, drawn as a density plus a sample) it writes a synthetic analysis once under
bench/out/map-scale/ (git-ignored; `fit_rows` keeps the 1,000,000-row folder to minutes) and
measures, in a fresh process each so the caches start cold:

- server: opening the analysis, building the map figure (cold, then the cached call), its
  JSON size, the map page's first run and its reruns (Streamlit's AppTest), a box selection
  to ids to the linked table, and the process' RSS;
- browser (`streamlit run` plus Debian's chromium, driven by Playwright): page open to map
  drawn, the box drag's mouse-up to the linked table shown, and the served app's RSS.

It prints one table, measurements in rows and sizes in columns, with the ratio of the large
size to the reference.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the synthetic analysis writer, a test double
OUT = ROOT / "bench" / "out" / "map-scale"
from bench.browser import CHROMIUM, CHROMIUM_ARGS, SCRIPT_STATE, free_port, stop_group  # noqa: E402

VIEWPORT = {"width": 1600, "height": 1400}
# The server-side box: around one of the synthetic topic blobs (the map's layout is fixed).
BOX = (-11.0, -4.0, -3.0, 3.0)


def analysis_folder(n_samples: int, fit_rows: int) -> Path:
    from synthetic import write_synthetic_analysis

    folder = OUT / f"cache-{n_samples}" / "analyses" / f"synthetic-{n_samples}"
    if not folder.exists():
        started = time.perf_counter()
        write_synthetic_analysis(folder, n_samples, fit_rows=fit_rows if fit_rows < n_samples else None)
        print(f"wrote the synthetic analysis of {n_samples:,} rows in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return folder


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# ------------------------------------------------------------------------------------ server side


def server_measurements(folder: Path, repeats: int) -> dict[str, float]:
    """Run in a fresh process (see main): every cache starts cold."""
    import numpy as np
    import plotly.io as pio
    import psutil
    from streamlit.testing.v1 import AppTest

    from analysis.use.selection import MapSelection
    from appkit import cached, state

    os.environ["ANALYSIS_CACHE_DIR"] = str(folder.parent.parent)
    path = str(folder.resolve())
    figures: dict[str, float] = {}
    figures["open the analysis (read samples.parquet)"] = timed(lambda: state.open_analysis(path))
    analysis = state.open_analysis(path)
    figures["map figure, cold (color by set)"] = timed(lambda: cached.sample_map(path, "set", None, ""))
    figures["map figure, cached call"] = statistics.median(timed(lambda: cached.sample_map(path, "set", None, "")) for _ in range(repeats))
    figure = cached.sample_map(path, "set", None, "")
    figures["figure JSON, bytes"] = float(len(pio.to_json(figure.figure, validate=False).encode()))
    figures["points drawn"] = float(sum(len(ids) for ids in figure.trace_ids))
    figures["map figure, cold (color by score)"] = timed(lambda: cached.sample_map(path, "score", None, ""))
    figures["map figure, cold (color by cluster)"] = timed(lambda: cached.sample_map(path, "cluster", None, ""))

    selection = MapSelection(boxes=(BOX,))
    ids: list[str] = []

    def select() -> None:
        nonlocal ids
        ids = selection.select_ids(analysis.samples)

    figures["box -> ids (predicate over every row)"] = timed(select)
    figures["rows in the box"] = float(len(ids))
    figures["ids -> linked table (2,000 shown)"] = timed(lambda: cached.selection_table(analysis, ids, analysis.default_score, 2_000))
    # a hand-drawn lasso has hundreds of vertices: a 300-gon inside the same box
    angles = np.linspace(0, 2 * np.pi, 300, endpoint=False)
    center_x, center_y, radius = (BOX[0] + BOX[1]) / 2, (BOX[2] + BOX[3]) / 2, (BOX[1] - BOX[0]) / 2
    lasso = MapSelection(lassos=((tuple(center_x + radius * np.cos(angles)), tuple(center_y + radius * np.sin(angles))),))
    figures["lasso of 300 vertices -> ids"] = timed(lambda: lasso.select_ids(analysis.samples))

    at = AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=300)
    checked(at.run())
    at.switch_page(str(ROOT / "pages" / "map.py"))
    figures["map page, first run (figure cached)"] = timed(lambda: checked(at.run()))
    figures["map page, rerun"] = statistics.median(timed(lambda: checked(at.run())) for _ in range(repeats))

    def select_in_page() -> None:
        at.session_state["map_region"] = {"selection": selection, "ids": ids}
        at.session_state["selected_ids"] = ids
        checked(at.run())

    values = []
    for _ in range(repeats):
        at.session_state["selected_ids"] = []
        checked(at.run())
        values.append(timed(select_in_page))
    figures["map page with the box's table, rerun"] = statistics.median(values)
    figures["process RSS after loading, MiB"] = psutil.Process().memory_info().rss / 2**20
    return figures


def checked(at):
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return at


# ------------------------------------------------------------------------------------ browser


def wait_idle(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # the run may have started and ended already
        page.wait_for_function(f"() => {SCRIPT_STATE} === 'running'", timeout=1_000)
    page.wait_for_function(f"() => {SCRIPT_STATE} !== 'running'", timeout=180_000)


def wait_map(page) -> None:
    """Until the map's traces are drawn (the plot's data and its drag layer are in place)."""
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')?._fullData?.length > 0", timeout=180_000)
    page.wait_for_selector(".js-plotly-plot .draglayer .nsewdrag")


def drag_box(page, low: float, high: float) -> None:
    """Pick the box tool and drag from `low` to `high` (shares of the plot's width and height)."""
    area = page.locator(".js-plotly-plot .draglayer .nsewdrag").first.bounding_box()
    page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    page.locator('.modebar-btn[data-val="select"]').first.click()
    page.mouse.move(area["x"] + area["width"] * low, area["y"] + area["height"] * low)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * high, area["y"] + area["height"] * high, steps=10)


def browser_measurements(folder: Path, repeats: int, screenshot: Path | None) -> dict[str, float]:
    import polars as pl
    import psutil
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env={**os.environ, "ANALYSIS_CACHE_DIR": str(folder.parent.parent), "ANALYSIS_AUTO_DEMO": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    figures: dict[str, float] = {}
    samples = pl.read_parquet(folder / "samples.parquet", columns=["x", "y"])
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(180_000)
            loads = []
            for _ in range(repeats + 1):
                started = time.perf_counter()
                page.goto(f"{url}/map?analysis={folder.name}")
                wait_map(page)
                loads.append(time.perf_counter() - started)
                wait_idle(page)
            figures["browser: page open -> map drawn, first load (server cold)"] = loads[0]
            figures["browser: page open -> map drawn, reload"] = statistics.median(loads[1:])
            figures["app process RSS with the map open, MiB"] = psutil.Process(server.pid).memory_info().rss / 2**20

            times, counts, drawn_inside = [], [], []
            for index in range(repeats):
                if index:
                    page.reload()
                    wait_map(page)
                    wait_idle(page)
                drag_box(page, 0.12 + 0.01 * index, 0.5)
                started = time.perf_counter()
                page.mouse.up()
                caption = page.get_by_text(re.compile(r"^[\d,]+ selected")).first
                caption.wait_for(state="visible")
                page.get_by_test_id("stDataFrame").first.wait_for(state="visible")
                # the caption comes from the selection's own run: wait for its end only
                page.wait_for_function(f"() => {SCRIPT_STATE} !== 'running'", timeout=180_000)
                times.append(time.perf_counter() - started)
                counts.append(int(caption.inner_text().split(" ")[0].replace(",", "")))
                box = page.evaluate("() => { const s = document.querySelector('.js-plotly-plot').layout.selections[0]; return [s.x0, s.x1, s.y0, s.y1]; }")
                x0, x1 = sorted(box[:2])
                y0, y1 = sorted(box[2:])
                expected = samples.filter(pl.col("x").is_between(x0, x1) & pl.col("y").is_between(y0, y1)).height
                if expected != counts[-1]:
                    raise AssertionError(f"the table counts {counts[-1]:,} rows, the box holds {expected:,}")
                drawn_inside.append(
                    page.evaluate(
                        """([x0, x1, y0, y1]) => document.querySelector('.js-plotly-plot')._fullData
                            .filter(t => t.type === 'scattergl' && t.visible === true)
                            .reduce((n, t) => n + Array.from(t.x).filter((x, i) => x >= x0 && x <= x1 && t.y[i] >= y0 && t.y[i] <= y1).length, 0)""",
                        [x0, x1, y0, y1],
                    )
                )
            figures["browser: box mouse-up -> linked table shown"] = statistics.median(times)
            figures["browser: rows selected by the box"] = float(statistics.median(counts))
            figures["browser: of them drawn as points"] = float(statistics.median(drawn_inside))
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                # leave the plot so that plotly drops the hover label of the drag's last point
                plot = page.locator(".js-plotly-plot").first.bounding_box()
                page.mouse.move(plot["x"] + plot["width"] + 200, plot["y"] + plot["height"] / 2, steps=6)
                page.wait_for_timeout(1_500)  # the table's canvas finishes drawing
                page.screenshot(path=str(screenshot))
            browser.close()
    finally:
        stop_group(server, timeout_s=30)
    return figures


# ------------------------------------------------------------------------------------ report


def measure(n_samples: int, args: argparse.Namespace, screenshot: Path | None) -> dict[str, float]:
    folder = analysis_folder(n_samples, args.fit_rows)
    # a fresh process for the server side, so its caches and memory start from nothing
    result = subprocess.run(
        [sys.executable, __file__, "--server-only", str(folder), "--repeats", str(args.repeats)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-4000:])
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if not args.no_browser:
        figures.update(browser_measurements(folder, args.repeats, screenshot))
    return figures


def show(value: float, name: str) -> str:
    if "bytes" in name:
        return f"{value / 1e6:,.2f} MB"
    if "MiB" in name:
        return f"{value:,.0f}"
    if name.startswith(("points", "rows")) or "rows selected" in name or "drawn as points" in name:
        return f"{value:,.0f}"
    return f"{value * 1000:.2f} ms" if value < 0.01 else f"{value:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--reference", type=int, default=10_000, help="the size the ratios are taken against (0: none)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fit-rows", type=int, default=10_000, help="rows the synthetic scorer is fitted on")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--screenshot", type=Path, help="a PNG of the large map with a box selection")
    parser.add_argument("--server-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.server_only:
        print(json.dumps(server_measurements(args.server_only, args.repeats)))
        return

    sizes = [size for size in (args.reference, args.samples) if size]
    results = {size: measure(size, args, args.screenshot if size == args.samples else None) for size in sizes}
    names = list(dict.fromkeys(name for figures in results.values() for name in figures))
    header = ["measurement", *(f"{size:,} rows" for size in sizes)] + (["ratio"] if len(sizes) == 2 else [])
    print(f"\n{os.cpu_count()} CPU cores; median of {args.repeats} where repeated\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in names:
        cells = [show(results[size][name], name) if name in results[size] else "" for size in sizes]
        if len(sizes) == 2:
            small, large = (results[size].get(name) for size in sizes)
            cells.append(f"{large / small:.1f}x" if small and large is not None else "")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
