"""The sample map of an analysis over the density threshold, run headless with Streamlit's AppTest."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from synthetic import write_synthetic_analysis

from analysis.use.selection import MapSelection
from appkit.density_map import DENSITY_THRESHOLD, SAMPLE_POINTS

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
N_SAMPLES = 60_000
BOX = (-11.0, -4.0, -3.0, 3.0)  # around a benign topic blob (on the negative x axis)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("app-cache-large")
    # fit_rows keeps the build to seconds: the map only needs the rows, not a scorer fitted on all of them
    write_synthetic_analysis(root / "analyses" / "synthetic-large", N_SAMPLES, n_features=512, seed=5, fit_rows=3_000)
    return root


@pytest.fixture
def app(cache: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    at = AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=120)
    at.run()
    assert not at.exception
    at.switch_page(str(PAGES / "map.py")).run()
    assert not at.exception, [item.value for item in at.exception]
    return at


def chart_spec(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "the map is drawn"
    return json.loads(charts[0].proto.spec)


def drawn_points(spec: dict) -> int:
    """Points of the spec's WebGL traces (the density is a heatmap, not counted)."""
    return sum(_length(trace.get("x") or []) for trace in spec["data"] if trace["type"] == "scattergl")


def _length(values: list | dict) -> int:
    if isinstance(values, dict):  # a typed array: {"dtype", "bdata"}
        return len(base64.b64decode(values["bdata"])) // np.dtype(values["dtype"]).itemsize
    return len(values)


def test_the_large_map_is_a_density_plus_a_sample(app: AppTest) -> None:
    assert N_SAMPLES > DENSITY_THRESHOLD
    captions = " ".join(item.value for item in app.caption)
    assert f"Density overview of all {N_SAMPLES:,} samples" in captions
    assert f"a sample of {SAMPLE_POINTS:,} of them drawn as points" in captions
    assert "selects every sample inside it, drawn or not" in captions
    spec = chart_spec(app)
    assert spec["data"][0]["type"] == "heatmap"
    assert drawn_points(spec) == SAMPLE_POINTS


@pytest.mark.parametrize("color", ["cluster", "score", "column:category", "feature"])
def test_large_map_colorings(app: AppTest, color: str) -> None:
    app.selectbox(key="_w_color_by").set_value(color).run()
    assert not app.exception, [item.value for item in app.exception]
    spec = chart_spec(app)
    assert spec["data"][0]["type"] == "heatmap"
    assert drawn_points(spec) <= SAMPLE_POINTS + 100  # search matches and labels aside


def region_of(cache: Path) -> tuple[MapSelection, list[str]]:
    samples = pl.read_parquet(cache / "analyses" / "synthetic-large" / "samples.parquet", columns=["id", "x", "y"])
    x0, x1, y0, y1 = BOX
    inside = samples.filter(pl.col("x").is_between(x0, x1) & pl.col("y").is_between(y0, y1))["id"].to_list()
    return MapSelection.from_event({"box": [{"x": [x0, x1], "y": [y0, y1]}], "points": []}), inside


def test_a_box_selects_every_row_inside_it_and_feeds_the_filter(app: AppTest, cache: Path) -> None:
    from appkit import cached

    selection, inside = region_of(cache)
    path = app.session_state["analysis_path"]
    ids = cached.selected_ids(path, selection)
    assert sorted(ids) == sorted(inside) and len(ids) > 2_000
    drawn = set(np.concatenate(cached.sample_map(path, "set", None, "").trace_ids).astype(str))
    assert sum(sample_id not in drawn for sample_id in ids) > len(ids) / 2  # most were never drawn

    # what the page's selection handler stores for a box
    app.session_state["map_region"] = {"selection": selection, "ids": ids}
    app.session_state["selected_ids"] = ids
    app.run()
    assert not app.exception, [item.value for item in app.exception]
    captions = " ".join(item.value for item in app.caption)
    assert f"{len(ids):,} selected by a box, drawn or not" in captions
    assert app.dataframe[0].value.shape[0] == min(len(ids), 2_000)

    next(button for button in app.button if button.label == "Remove these in the filter").click().run()
    train_inside = [sample_id for sample_id in ids if sample_id.startswith("train-")]
    assert app.session_state["manual_remove_ids"] == train_inside

    # zoom to the box: every sample inside it is drawn, and the way back
    next(button for button in app.button if button.label == "Zoom to the selection").click().run()
    assert not app.exception, [item.value for item in app.exception]
    assert app.session_state["map_window"] is not None
    spec = chart_spec(app)
    window = app.session_state["map_window"]
    samples = pl.read_parquet(cache / "analyses" / "synthetic-large" / "samples.parquet", columns=["x", "y"])
    in_window = samples.filter(pl.col("x").is_between(window[0], window[1]) & pl.col("y").is_between(window[2], window[3])).height
    assert in_window <= DENSITY_THRESHOLD
    assert drawn_points(spec) == in_window
    assert f"All {in_window:,} samples in this window are drawn" in " ".join(item.value for item in app.caption)
    next(button for button in app.button if button.label == "Show the whole map").click().run()
    assert app.session_state["map_window"] is None
    assert chart_spec(app)["data"][0]["type"] == "heatmap"


def test_a_new_search_replaces_the_box_selection(app: AppTest, cache: Path) -> None:
    from appkit import cached

    selection, _ = region_of(cache)
    ids = cached.selected_ids(app.session_state["analysis_path"], selection)
    app.session_state["map_region"] = {"selection": selection, "ids": ids}
    app.session_state["selected_ids"] = ids
    app.run()
    app.text_input(key="map_search").input("leverage").run()
    note = next(item.value for item in app.caption if " selected" in item.value)
    assert "selected by" not in note  # the search's matches, not the box
    assert app.session_state["map_region"] is None
    assert not any(button.label == "Zoom to the selection" for button in app.button)
