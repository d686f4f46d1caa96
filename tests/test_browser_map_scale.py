"""The large sample map in a real browser: a box dragged over the density selects every row inside it.

A synthetic analysis over the density threshold is served with `streamlit run` and driven
with Debian's chromium (Playwright), as in tests/test_browser.py. The browser receives the
density and a sample of points; the box's rows are counted from samples.parquet and must all
be in the linked table's count, the undrawn ones included.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from synthetic import write_synthetic_analysis
from test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    is_app_request,
    require_browser,
    wait_idle,
)

from analysis.use.selection import points_in_polygon
from appkit.density_map import DENSITY_THRESHOLD, SAMPLE_POINTS
from bench.browser import app_server

ROOT = Path(__file__).resolve().parent.parent
N_SAMPLES = 60_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def browser_available() -> None:
    """Before the large analysis is written: skipped, or failed under CI, when no browser runs here."""
    require_browser()


@pytest.fixture(scope="module")
def large_analysis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("browser-large")
    return write_synthetic_analysis(cache / "analyses" / "synthetic-large", N_SAMPLES, n_features=512, seed=6, fit_rows=3_000)


@pytest.fixture(scope="module")
def large_server(large_analysis: Path) -> Iterator[str]:
    with app_server({**os.environ, "ANALYSIS_CACHE_DIR": str(large_analysis.parent.parent), "ANALYSIS_AUTO_DEMO": "0"}) as url:
        yield url


DRAWN_IN_BOX = """([x0, x1, y0, y1]) => document.querySelector('.js-plotly-plot')._fullData
    .filter(t => t.type === 'scattergl' && t.visible === true && t.name !== 'Search matches')
    .reduce((n, t) => n + Array.from(t.x).filter((x, i) => x >= x0 && x <= x1 && t.y[i] >= y0 && t.y[i] <= y1).length, 0)"""


def test_a_box_over_the_density_selects_undrawn_rows(large_server: str, large_analysis: Path) -> None:
    from playwright.sync_api import sync_playwright

    samples = pl.read_parquet(large_analysis / "samples.parquet", columns=["id", "x", "y"])
    assert samples.height > DENSITY_THRESHOLD
    outside: list[str] = []

    def guard(route) -> None:
        if is_app_request(route.request.url, large_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1400})
        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(90_000)
        try:
            page.goto(f"{large_server}/map")
            wait_idle(page)
            page.wait_for_function("() => document.querySelector('.js-plotly-plot')?._fullData?.length > 0")
            page.wait_for_selector(".js-plotly-plot .draglayer .nsewdrag")
            types = page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData.map(t => t.type)")
            assert types[0] == "heatmap"
            drawn = page.evaluate(
                "() => document.querySelector('.js-plotly-plot')._fullData.filter(t => t.type === 'scattergl').reduce((n, t) => n + t.x.length, 0)"
            )
            assert drawn == SAMPLE_POINTS < samples.height  # the browser never holds every row
            page.get_by_text(f"Density overview of all {N_SAMPLES:,} samples", exact=False).wait_for(state="visible")

            area = page.locator(".js-plotly-plot .draglayer .nsewdrag").first.bounding_box()
            page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
            page.locator('.modebar-btn[data-val="select"]').first.click()
            page.mouse.move(area["x"] + area["width"] * 0.05, area["y"] + area["height"] * 0.3)
            page.mouse.down()
            page.mouse.move(area["x"] + area["width"] * 0.4, area["y"] + area["height"] * 0.7, steps=12)
            page.mouse.up()
            wait_idle(page)
            caption = page.get_by_text(re.compile(r"^[\d,]+ selected by a box, drawn or not")).first
            caption.wait_for(state="visible")
            n_selected = int(caption.inner_text().split(" ")[0].replace(",", ""))
            page.get_by_test_id("stDataFrame").first.wait_for(state="visible")

            box = page.evaluate("() => { const s = document.querySelector('.js-plotly-plot').layout.selections[0]; return [s.x0, s.x1, s.y0, s.y1]; }")
            x0, x1 = sorted(box[:2])
            y0, y1 = sorted(box[2:])
            inside = samples.filter(pl.col("x").is_between(x0, x1) & pl.col("y").is_between(y0, y1)).height
            drawn_inside = page.evaluate(DRAWN_IN_BOX, [x0, x1, y0, y1])
            assert n_selected == inside  # every row in the box, from the predicate over all rows
            assert 0 < drawn_inside < n_selected  # including rows that were never drawn
            page.get_by_role("button", name="Zoom to the selection").wait_for(state="visible")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.mouse.move(5, 5)
            page.wait_for_timeout(1_000)
            page.screenshot(path=str(SCREENSHOTS / "map-large-selection.png"))

            # A lasso (a new session): the rows inside its polygon, by the even-odd rule on every row.
            page.reload()
            wait_idle(page)
            page.wait_for_selector(".js-plotly-plot .draglayer .nsewdrag")
            area = page.locator(".js-plotly-plot .draglayer .nsewdrag").first.bounding_box()
            page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
            page.locator('.modebar-btn[data-val="lasso"]').first.click()
            corners = [(0.55, 0.2), (0.9, 0.25), (0.85, 0.6), (0.6, 0.7), (0.5, 0.45)]
            page.mouse.move(area["x"] + area["width"] * corners[0][0], area["y"] + area["height"] * corners[0][1])
            page.mouse.down()
            for fx, fy in [*corners[1:], corners[0]]:
                page.mouse.move(area["x"] + area["width"] * fx, area["y"] + area["height"] * fy, steps=8)
            page.mouse.up()
            wait_idle(page)
            caption = page.get_by_text(re.compile(r"^[\d,]+ selected by a lasso, drawn or not")).first
            caption.wait_for(state="visible")
            n_selected = int(caption.inner_text().split(" ")[0].replace(",", ""))
            path = page.evaluate("() => document.querySelector('.js-plotly-plot').layout.selections[0].path")
            vertices = [[float(value) for value in pair.split(",")] for pair in path.strip("MZ").split("L")]
            xs, ys = np.array([vertex[0] for vertex in vertices]), np.array([vertex[1] for vertex in vertices])
            inside = int(points_in_polygon(samples["x"].to_numpy(), samples["y"].to_numpy(), xs, ys).sum())
            assert n_selected == inside > 0
        finally:
            context.close()
            browser.close()
    assert outside == [], outside
