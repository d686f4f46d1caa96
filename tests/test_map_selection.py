"""The large map's selection predicate (analysis.use.selection) and its density overview (appkit.density_map)."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.use.selection import MapSelection, points_in_polygon
from appkit.charts import scatter_map
from appkit.density_map import (
    DENSITY_THRESHOLD,
    SAMPLE_POINTS,
    overview_map,
    sample_rows,
    uses_overview,
)
from appkit.map_colors import ColorSpec

coordinate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    points=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=60),
    corners=st.tuples(coordinate, coordinate, coordinate, coordinate),
)
def test_a_point_is_in_the_box_mask_iff_its_coordinates_are_in_the_box(points, corners) -> None:
    x = np.array([point[0] for point in points])
    y = np.array([point[1] for point in points])
    # the event's corners come in drag order, either way round
    selection = MapSelection.from_event({"box": [{"xref": "x", "yref": "y", "x": [corners[0], corners[1]], "y": [corners[2], corners[3]]}]})
    x0, x1 = sorted(corners[:2])
    y0, y1 = sorted(corners[2:])
    expected = [x0 <= px <= x1 and y0 <= py <= y1 for px, py in points]
    assert selection.position_mask(x, y).tolist() == expected


def naive_inside(px: float, py: float, xs: list[float], ys: list[float]) -> bool:
    """The even-odd rule, one point and one edge at a time."""
    inside = False
    for index in range(len(xs)):
        xa, ya, xb, yb = xs[index], ys[index], xs[(index + 1) % len(xs)], ys[(index + 1) % len(xs)]
        if (ya > py) != (yb > py) and px < xa + (py - ya) * (xb - xa) / (yb - ya):
            inside = not inside
    return inside


small = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(
    polygon=st.lists(st.tuples(small, small), min_size=3, max_size=25),
    points=st.lists(st.tuples(small, small), min_size=1, max_size=80),
)
def test_lasso_mask_matches_the_even_odd_rule(polygon, points) -> None:
    xs, ys = [vertex[0] for vertex in polygon], [vertex[1] for vertex in polygon]
    x, y = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    got = points_in_polygon(x, y, np.array(xs), np.array(ys))
    assert got.tolist() == [naive_inside(px, py, xs, ys) for px, py in points]


def test_a_square_lasso_selects_what_the_same_box_selects() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-10, 10, 200_000), rng.uniform(-10, 10, 200_000)
    box = MapSelection(boxes=((-3.0, 4.0, -2.0, 5.0),))
    lasso = MapSelection(lassos=(((-3.0, 4.0, 4.0, -3.0), (-2.0, -2.0, 5.0, 5.0)),))
    assert box.position_mask(x, y).sum() > 10_000
    assert np.array_equal(box.position_mask(x, y), lasso.position_mask(x, y))  # no point falls on an edge here


def test_from_event_reads_streamlit_selections_and_skips_bad_shapes() -> None:
    event = {
        "points": [],
        "box": [
            {"xref": "x", "yref": "y", "x": [3.0, 1.0], "y": [0.0, 2.0]},
            {"x": [1.0], "y": [0.0, 1.0]},  # one corner
            {"x": ["a", 1.0], "y": [0.0, 1.0]},
            {"x": [float("nan"), 1.0], "y": [0.0, 1.0]},
            "not a box",
        ],
        "lasso": [
            {"xref": "x", "yref": "y", "x": [0.0, 2.0, 1.0], "y": [0.0, 0.0, 2.0]},
            {"x": [0.0, 1.0], "y": [0.0, 1.0]},  # two vertices: no area
            {"x": [0.0, 1.0, 2.0], "y": [0.0, 1.0]},
        ],
    }
    event["points"] = [
        {"curve_number": 1, "point_index": 0, "x": 2.0, "y": 1.0, "id": "inside the box"},
        {"curve_number": 1, "point_index": 1, "x": 9.0, "y": 9.0, "id": "b"},  # clicked with shift, outside
        {"curve_number": 1, "point_index": 2, "x": 9.5, "y": 9.0, "id": "a"},
        {"curve_number": 1, "point_index": 1, "x": 9.0, "y": 9.0, "id": "b"},
        {"curve_number": 1, "point_index": 3, "id": "no position"},
    ]
    selection = MapSelection.from_event(event, lambda points: [point["id"] for point in points])
    assert selection.boxes == ((1.0, 3.0, 0.0, 2.0),)
    assert selection.lassos == (((0.0, 2.0, 1.0), (0.0, 0.0, 2.0)),)
    assert selection.ids == ("b", "a", "no position")  # points the shapes cover are not listed again
    assert selection.has_region and not selection.is_empty
    assert selection.bounds() == (0.0, 3.0, 0.0, 2.0)
    assert selection.describe() == "a box, a lasso and 3 picked points"
    assert MapSelection.from_event({"points": event["points"][:1]}, lambda points: [point["id"] for point in points]).ids == ("inside the box",)
    assert MapSelection.from_event(None).is_empty
    assert MapSelection.from_event({"points": [], "box": [], "lasso": []}).describe() == "nothing"
    hash(selection)  # a cache key


def test_ids_and_shapes_are_a_union_over_every_row() -> None:
    frame = pl.DataFrame({"id": ["a", "b", "c", "d"], "x": [0.0, 1.0, 5.0, 9.0], "y": [0.0, 1.0, 5.0, 9.0]}).with_columns(
        pl.col("x").cast(pl.Float32), pl.col("y").cast(pl.Float32)
    )
    selection = MapSelection(boxes=((-1.0, 1.5, -1.0, 1.5),), ids=("d",))
    assert selection.mask(frame).tolist() == [True, True, False, True]
    assert selection.select_ids(frame) == ["a", "b", "d"]
    assert frame.filter(selection.expr())["id"].to_list() == ["a", "b", "d"]
    assert frame.lazy().filter(MapSelection(boxes=((4.0, 6.0, 4.0, 6.0),)).expr()).collect()["id"].to_list() == ["c"]


def test_sample_rows_puts_matches_first_then_references_up_to_half() -> None:
    candidates = np.arange(100_000)
    must = np.arange(0, 100_000, 50)  # 2,000 matches
    preferred = np.arange(50_000, 100_000)  # many references
    drawn = sample_rows(candidates, 10_000, must=must, preferred=preferred)
    assert len(drawn) == 10_000 and np.all(np.diff(drawn) > 0)
    assert np.isin(must, drawn).all()
    references = np.isin(drawn, preferred) & ~np.isin(drawn, must)
    # half of what the matches left, plus those the random draw of the rest finds among them
    assert (10_000 - 2_000) // 2 <= references.sum() < (10_000 - 2_000) // 2 + 3_000
    few = np.arange(99_000, 99_500)  # few references: every one is drawn
    assert np.isin(few, sample_rows(candidates, 10_000, must=must, preferred=few)).all()
    assert np.array_equal(drawn, sample_rows(candidates, 10_000, must=must, preferred=preferred))  # seeded
    assert np.array_equal(sample_rows(np.array([5, 3, 9]), 10), [3, 5, 9])  # few enough: all of them
    # matches past the cap: a draw among them, nothing else
    assert np.isin(sample_rows(candidates, 100, must=must), must).all()
    # only candidates are drawn (a zoom window), whatever the matches
    window = np.arange(20_000, 60_000)
    assert np.isin(sample_rows(window, 5_000, must=must, preferred=preferred), window).all()


def large_frame(n: int = 120_000, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    centers = np.array([[-6.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    blob = rng.integers(0, 3, n)
    xy = centers[blob] + rng.normal(scale=1.5, size=(n, 2))
    sets = np.where(rng.random(n) < 0.1, "toxic", np.where(rng.random(n) < 0.1, "benign", "train"))
    return pl.DataFrame(
        {
            "id": [f"row-{index:07d}" for index in range(n)],
            "set": sets,
            "x": xy[:, 0].astype(np.float32),
            "y": xy[:, 1].astype(np.float32),
            "score": rng.normal(size=n) + (blob == 0) * 2.0,
            "category": np.array(["alpha", "beta", "<b>gamma</b>"])[blob],
        }
    )


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return large_frame()


def draw(frame: pl.DataFrame, color: ColorSpec, window=None):
    x, y = frame["x"].to_numpy().astype(np.float64), frame["y"].to_numpy().astype(np.float64)
    inside = np.ones(frame.height, bool) if window is None else (x >= window[0]) & (x <= window[1]) & (y >= window[2]) & (y <= window[3])
    candidates = np.flatnonzero(inside)
    drawn = candidates if window is not None and candidates.size <= DENSITY_THRESHOLD else sample_rows(
        candidates, SAMPLE_POINTS, preferred=np.flatnonzero((frame["set"] == "toxic").to_numpy())
    )
    hover = frame["id"].gather(drawn)
    return overview_map(frame.select("id", "set", "x", "y"), color, drawn, hover, title="map", window=window)


@pytest.mark.parametrize(
    "color",
    [
        ColorSpec("set", "Set"),
        ColorSpec("number", "score", None),
        ColorSpec("category", "category", None),
    ],
    ids=["set", "score", "category"],
)
def test_the_overview_sends_a_density_and_a_bounded_sample(frame: pl.DataFrame, color: ColorSpec) -> None:
    if color.kind != "set":
        color = ColorSpec(color.kind, color.title, frame[color.title])
    result = draw(frame, color)
    figure = result.figure
    assert uses_overview(frame.height)
    heatmaps = [trace for trace in figure.data if trace.type == "heatmap"]
    assert len(heatmaps) == 1 and figure.data[0].type == "heatmap"  # under the points
    drawn = sum(len(ids) for ids in result.trace_ids)
    assert drawn == result.overview.n_drawn == SAMPLE_POINTS
    assert result.overview.n_total == result.overview.n_view == frame.height and result.overview.density
    assert int(np.nansum(heatmaps[0].customdata)) == frame.height  # the density counts every row
    size = len(pio.to_json(figure))
    assert size < 4_000_000, size  # every point would be about 80 bytes each, plus hover text
    if color.kind == "category":
        text = json.dumps(heatmaps[0].text.tolist())
        assert "<b>" not in text and "&lt;b&gt;gamma" in text  # data text is escaped for plotly
        assert heatmaps[0].zmax == len({trace.legendgroup for trace in figure.data if trace.legendgroup not in (None, "shapes")}) + 1  # + "other"
    if color.kind == "number":
        assert figure.layout.coloraxis.cmin == pytest.approx(float(frame["score"].min()))


def test_a_box_over_the_density_selects_rows_that_are_not_drawn(frame: pl.DataFrame) -> None:
    result = draw(frame, ColorSpec("set", "Set"))
    drawn_ids = {str(sample_id) for ids in result.trace_ids for sample_id in ids}
    selection = MapSelection.from_event({"box": [{"x": [4.0, 8.0], "y": [-2.0, 2.0]}], "points": []})
    chosen = selection.select_ids(frame)
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    assert len(chosen) == int(((x >= 4) & (x <= 8) & (y >= -2) & (y <= 2)).sum())
    undrawn = [sample_id for sample_id in chosen if sample_id not in drawn_ids]
    assert len(undrawn) > len(chosen) / 2  # most of them were never sent to the browser


def test_a_zoom_window_draws_every_row_inside_it_once_few_enough(frame: pl.DataFrame) -> None:
    window = (4.0, 8.0, -2.0, 2.0)
    result = draw(frame, ColorSpec("number", "score", frame["score"]), window=window)
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    inside = int(((x >= 4) & (x <= 8) & (y >= -2) & (y <= 2)).sum())
    assert sum(len(ids) for ids in result.trace_ids) == inside == result.overview.n_view
    assert not result.overview.density and not any(trace.type == "heatmap" for trace in result.figure.data)
    assert list(result.figure.layout.xaxis.range) == [4.0, 8.0]
    assert result.figure.layout.uirevision != draw(frame, ColorSpec("set", "Set")).figure.layout.uirevision  # the zoom resets


@pytest.mark.parametrize(
    "color",
    [
        ColorSpec("set", "Set"),
        ColorSpec("number", "score", pl.Series([0.5, None, float("nan"), 2.0])),
        ColorSpec("category", "cluster", pl.Series(["1", "2", "-1", None]), noise_value="-1", label_groups=True),
        # every row noise: no group labels are drawn, and no id list may stand in for them
        ColorSpec("category", "cluster", pl.Series(["-1"] * 4), noise_value="-1", label_groups=True),
    ],
    ids=["set", "number", "category", "all-noise"],
)
def test_each_trace_of_a_map_has_the_ids_of_its_points(color: ColorSpec) -> None:
    small = pl.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "set": ["train", "toxic", "benign", "train"],
            "x": [0.0, 1.0, 2.0, 3.0],
            "y": [0.0, 1.0, 0.0, 1.0],
            "hover": ["a", "b", "c", "d"],
        }
    )
    result = scatter_map(small, color, title="map", highlight_ids=frozenset({"c"}))
    assert len(result.trace_ids) == len(result.figure.data)
    for trace, ids in zip(result.figure.data, result.trace_ids, strict=True):
        assert len(ids) == (len(trace.x) if trace.x is not None and trace.hovertext is not None else 0)
    highlight = len(result.figure.data) - 1
    assert result.figure.data[highlight].name == "Search matches"
    assert result.ids_of([{"curve_number": highlight, "point_index": 0}]) == ["c"]
