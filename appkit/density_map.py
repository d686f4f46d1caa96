"""The sample map of a large analysis: a density of every row plus a bounded sample of points.

Past `DENSITY_THRESHOLD` rows, sending every point (position and hover text) makes the
browser slow to draw and, worse, to select: plotly sends every selected point back. The
browser receives instead a binned density of all rows (`DENSITY_BINS` cells a side) and at
most `SAMPLE_POINTS` WebGL points on top. A selection on such a map is a predicate over every
row (`analysis.use.selection.MapSelection`), so a box over the density also selects the rows that
are not drawn. Zooming to a window redraws it from the rows inside: every row once few enough.

Builders here are pure functions of frames and arrays; `appkit.cached` caches them per view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go
import polars as pl

from analysis.use.selection import Box
from appkit.charts import scatter_map
from appkit.map_colors import (
    ColorSpec,
    category_colors,
    category_groups,
    category_labels,
    category_order,
    top_categories,
)
from appkit.map_figure import MapFigure, MapOverview
from appkit.text import escape_plotly

DENSITY_THRESHOLD = 50_000  # rows: above this, a density plus a sample instead of every point
SAMPLE_POINTS = 20_000  # points drawn over the density (plotly sends each selected one back)
DENSITY_BINS = 200  # cells a side: about 3 px each on the page's map
SAMPLE_SEED = 0
POINT_SIZE = 4.0
SET_DENSITY_SCALE = [[0.0, "#EDEDED"], [1.0, "#5A5A5A"]]  # greys, so set colors stay readable on top


def uses_overview(n_rows: int) -> bool:
    """Whether a map of `n_rows` rows is drawn as a density plus a sample."""
    return n_rows > DENSITY_THRESHOLD


def in_window(x: np.ndarray, y: np.ndarray, window: Box | None) -> np.ndarray:
    """Rows inside the window (all rows without one)."""
    if window is None:
        return np.ones(len(x), dtype=bool)
    x0, x1, y0, y1 = window
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def sample_rows(
    candidates: np.ndarray,
    cap: int,
    *,
    must: np.ndarray | None = None,
    preferred: np.ndarray | None = None,
    seed: int = SAMPLE_SEED,
) -> np.ndarray:
    """Sorted row positions to draw: at most `cap` of `candidates` (positions).

    `must` rows (search matches) come first, then `preferred` rows (the toxic reference) up to
    half of what is left, then a random draw of the others. A seeded draw, so a map redrawn in
    another color shows the same points; matches or references past their share are drawn at
    random among themselves.
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    if candidates.size <= cap:
        return np.sort(candidates)
    rng = np.random.default_rng(seed)
    allowed = np.zeros(int(candidates.max()) + 1, dtype=bool)
    allowed[candidates] = True
    taken = np.zeros_like(allowed)

    def draw(pool: np.ndarray | None, limit: int) -> None:
        if pool is None or limit <= 0:
            return
        pool = np.asarray(pool, dtype=np.int64)
        pool = pool[(pool < allowed.size)]
        pool = pool[allowed[pool] & ~taken[pool]]
        if pool.size > limit:
            pool = rng.choice(pool, size=limit, replace=False)
        taken[pool] = True

    draw(must, cap)
    draw(preferred, (cap - int(taken.sum())) // 2)
    draw(candidates, cap - int(taken.sum()))
    return np.flatnonzero(taken)


@dataclass(frozen=True)
class Cells:
    """The density grid: each row's cell, and the grid's edges."""

    index: np.ndarray  # flat cell of each row (y bin * nx + x bin)
    x_edges: np.ndarray
    y_edges: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.y_edges) - 1, len(self.x_edges) - 1)

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]


def cells_of(x: np.ndarray, y: np.ndarray, bounds: Box, bins: int = DENSITY_BINS) -> Cells:
    """Bin positions on a bins x bins grid over `bounds` (rows outside are clipped to its edge)."""
    x0, x1, y0, y1 = bounds
    if not x1 > x0:
        x0, x1 = x0 - 0.5, x0 + 0.5
    if not y1 > y0:
        y0, y1 = y0 - 0.5, y0 + 0.5
    x_edges = np.linspace(x0, x1, bins + 1)
    y_edges = np.linspace(y0, y1, bins + 1)
    column = np.clip(((x - x0) / (x1 - x0) * bins).astype(np.int64), 0, bins - 1)
    row = np.clip(((y - y0) / (y1 - y0) * bins).astype(np.int64), 0, bins - 1)
    return Cells(row * bins + column, x_edges, y_edges)


def _bounds(x: np.ndarray, y: np.ndarray) -> Box:
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return (0.0, 1.0, 0.0, 1.0)
    x, y = x[finite], y[finite]
    # a margin of half a cell, so the outermost rows sit inside the grid's last cells
    pad_x = (float(x.max()) - float(x.min())) / DENSITY_BINS / 2 or 0.5
    pad_y = (float(y.max()) - float(y.min())) / DENSITY_BINS / 2 or 0.5
    return (float(x.min()) - pad_x, float(x.max()) + pad_x, float(y.min()) - pad_y, float(y.max()) + pad_y)


def _pale(color: str, share: float) -> str:
    """`color` (#RRGGBB) mixed with white: `share` of white."""
    red, green, blue = (int(color[index : index + 2], 16) for index in (1, 3, 5))
    mix = [round(channel + (255 - channel) * share) for channel in (red, green, blue)]
    return f"rgb({mix[0]}, {mix[1]}, {mix[2]})"


def density_trace(cells: Cells, color: ColorSpec, values: pl.Series | None, top: list[str] | None) -> go.Heatmap:
    """The heatmap of every row: log counts (set coloring), the mean value per cell (a score, an
    activation: on the points' own color axis) or the most frequent category, shaded by count.

    `values` are aligned with the binned rows; `top` are the categories with their own color.
    """
    counts = np.bincount(cells.index, minlength=cells.size)
    common = {
        "x": (cells.x_edges[:-1] + cells.x_edges[1:]) / 2,
        "y": (cells.y_edges[:-1] + cells.y_edges[1:]) / 2,
        "customdata": counts.reshape(cells.shape).astype(np.int32),
        "name": "density",
        "showlegend": False,
        "hoverongaps": False,
        "xgap": 0,
        "ygap": 0,
    }
    if color.kind == "number" and values is not None:
        return _mean_density(cells, values, common)
    if color.kind == "category" and values is not None and top is not None:
        return _category_density(cells, counts, values, top, color.noise_value, common)
    return _count_density(cells, counts, common)


def _log_counts(counts: np.ndarray) -> tuple[np.ndarray, float]:
    """log10 of each cell's count (0 for empty cells) and the largest, kept above zero."""
    log_counts = np.log10(np.maximum(counts, 1)).astype(np.float64)
    return log_counts, max(float(log_counts.max()), 1e-9)


def _mean_density(cells: Cells, values: pl.Series, common: dict) -> go.Heatmap:
    """Each cell's mean value, on the points' color axis; empty cells (or no value) blank."""
    numbers = values.cast(pl.Float64).fill_null(np.nan).to_numpy()
    usable = np.isfinite(numbers)
    sums = np.bincount(cells.index[usable], weights=numbers[usable], minlength=cells.size)
    seen = np.bincount(cells.index[usable], minlength=cells.size)
    mean = np.where(seen > 0, sums / np.maximum(seen, 1), np.nan).reshape(cells.shape)
    return go.Heatmap(
        z=mean,
        coloraxis="coloraxis",
        opacity=0.75,
        hovertemplate="%{customdata:,} samples in this cell<br>mean value %{z:.3f}<extra>density</extra>",
        **common,
    )


def _category_density(
    cells: Cells, counts: np.ndarray, values: pl.Series, top: list[str], noise_value: str | None, common: dict
) -> go.Heatmap:
    """Each cell in the color of its most frequent category group, deeper where it holds more rows."""
    labels = pl.DataFrame({"_label": values}).select(category_labels(pl.col("_label")).alias("_label"))
    order = category_order(top, noise_value)
    groups = labels.select(category_groups(pl.col("_label"), top, noise_value).alias("_group"))["_group"]
    group_index = groups.replace_strict(order, list(range(len(order))), return_dtype=pl.Int64).to_numpy()
    n_groups = len(order)
    per_group = np.bincount(cells.index * n_groups + group_index, minlength=cells.size * n_groups).reshape(cells.size, n_groups)
    dominant = per_group.argmax(axis=1)
    share = per_group[np.arange(cells.size), dominant] / np.maximum(counts, 1)
    # One band of the color scale per group, pale to full: the cell's group picks the band,
    # its count the depth within it.
    log_counts, peak = _log_counts(counts)
    depth = (log_counts / peak).clip(0, 1)
    z = np.where(counts > 0, dominant + 0.02 + 0.96 * depth, np.nan).reshape(cells.shape)
    names = np.array([f"mostly {'noise' if value == noise_value else value}" for value in order], dtype=object)
    text = np.where(
        counts == 0,
        "",
        np.array([escape_plotly(name) for name in names], dtype=object)[dominant]
        + np.char.mod(" (%d%%)", np.round(100 * share).astype(int)).astype(object),
    ).reshape(cells.shape)
    return go.Heatmap(
        z=z,
        zmin=0.0,
        zmax=float(n_groups),
        colorscale=_banded_scale(category_colors(order, noise_value)),
        showscale=False,
        text=text,
        opacity=0.8,
        hovertemplate="%{text}<br>%{customdata:,} samples in this cell<extra>density</extra>",
        **common,
    )


def _banded_scale(colors: list[str]) -> list[list[float | str]]:
    """A color scale of one band per color, each from pale to nearly full."""
    n_groups = len(colors)
    scale: list[list[float | str]] = []
    for index, base in enumerate(colors):
        scale.append([index / n_groups, _pale(base, 0.85)])
        scale.append([(index + 1) / n_groups - (1e-6 if index + 1 < n_groups else 0.0), _pale(base, 0.15)])
    return scale


def _count_density(cells: Cells, counts: np.ndarray, common: dict) -> go.Heatmap:
    """Rows per cell in greys on a log scale, its colorbar labelled in rows."""
    log_counts, peak = _log_counts(counts)
    ticks = list(range(int(math.floor(peak)) + 1))
    return go.Heatmap(
        z=np.where(counts == 0, np.nan, log_counts).reshape(cells.shape),
        zmin=0.0,
        zmax=peak,
        colorscale=SET_DENSITY_SCALE,
        colorbar={
            "title": {"text": "samples per cell", "side": "right"},
            "tickvals": ticks,
            "ticktext": [f"{10**power:,}" for power in ticks],
            "thickness": 14,
        },
        hovertemplate="%{customdata:,} samples in this cell<extra>density</extra>",
        **common,
    )


def overview_map(
    rows: pl.DataFrame,
    color: ColorSpec,
    drawn: np.ndarray,
    hover: pl.Series,
    *,
    title: str,
    highlight_ids: frozenset[str] = frozenset(),
    window: Box | None = None,
    height: int = 640,
) -> MapFigure:
    """The map of a large analysis.

    `rows` has `id`, `set`, `x`, `y` for every row and `color.values` are aligned with it;
    `drawn` are the positions of the rows drawn as points and `hover` their escaped hover text.
    With a `window`, the map shows the rows inside it; the density is left out when every one
    of them is drawn.
    """
    x = rows["x"].cast(pl.Float64).to_numpy()
    y = rows["y"].cast(pl.Float64).to_numpy()
    view = in_window(x, y, window)
    n_view = int(view.sum())
    bounds = window or _bounds(x, y)
    density = n_view > len(drawn)
    in_view = np.flatnonzero(view) if window is not None else None
    view_x, view_y = (x, y) if in_view is None else (x[in_view], y[in_view])
    view_values = color.values if color.values is None or in_view is None else color.values.gather(in_view)
    top = None
    if color.kind == "category" and view_values is not None:
        top = top_categories(pl.DataFrame({"_label": view_values}).select(category_labels(pl.col("_label")))["_label"], color.noise_value)
    cells = cells_of(view_x, view_y, bounds)
    background = (density_trace(cells, color, view_values, top),) if density else ()

    points = rows.select("id", "set", "x", "y").gather(drawn).with_columns(hover.alias("hover"))
    point_color = replace(
        color,
        values=color.values.gather(drawn) if color.values is not None else None,
        categories=tuple(top) if top is not None else None,
    )
    result = scatter_map(
        points, point_color, title=title, highlight_ids=highlight_ids, height=height,
        background=background, point_size=POINT_SIZE if density else None,
    )
    figure = result.figure
    if color.kind == "number" and view_values is not None:
        # the color axis spans every row in view, not only the drawn ones, so the density's
        # cell means and the points read on one scale
        numbers = view_values.cast(pl.Float64).fill_null(np.nan).to_numpy()
        numbers = numbers[np.isfinite(numbers)]
        if numbers.size:
            low, high = float(numbers.min()), float(numbers.max())
            figure.update_layout(coloraxis={"cmin": low, "cmax": high if high > low else low + 1e-9})
    if density:
        # a thin outline keeps colored points visible over cells of the same color
        for trace in figure.data:
            if trace.type == "scattergl" and trace.marker.line.width is None:
                trace.marker.line = {"width": 0.4, "color": "rgba(255,255,255,0.8)"}
    figure.update_layout(uirevision=f"overview-{window}")
    if window is not None:
        figure.update_xaxes(range=[window[0], window[1]], autorange=False)
        figure.update_yaxes(range=[window[2], window[3]], autorange=False)
    result.overview = MapOverview(
        n_total=rows.height, n_view=n_view, n_drawn=len(drawn), window=window, density=density,
        x_edges=cells.x_edges, y_edges=cells.y_edges,
    )
    return result
