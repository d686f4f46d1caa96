"""Server-side time of the app's heavy views on a synthetic 100,000-sample analysis.

    python bench/bench_app.py [--samples 100000] [--repeats 5]

Runs the app headless with Streamlit's AppTest (the same script runs a browser session
would trigger) and prints one row per measurement: cold and warm page loads of the
sample map, a selection reaching the linked table, a color change, and the other pages.
The browser's own rendering is not included (see tests/test_browser.py for that path).
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

import polars as pl  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis.synthetic import write_synthetic_analysis  # noqa: E402

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

    width = max(len(name) for name, _, _ in rows)
    print(f"\n{args.samples:,} samples, {os.cpu_count()} CPU cores\n")
    print(f"{'measurement'.ljust(width)}  seconds  note")
    for name, seconds, note in rows:
        print(f"{name.ljust(width)}  {seconds:7.3f}  {note}")


if __name__ == "__main__":
    main()
