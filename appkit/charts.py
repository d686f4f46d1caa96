"""Plotly figures shared by the pages, and one way to show them (PNG via the modebar, HTML download).

Figures are built from polars columns as numpy arrays, which plotly sends as compact typed
arrays; builders are pure functions so pages can cache their output.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st

# Re-exported, as the pages draw with them too.
from analysis.use.palette import SET_COLORS as SET_COLORS
from analysis.use.palette import SET_LABELS as SET_LABELS
from analysis.use.palette import SET_SYMBOLS as SET_SYMBOLS

# Re-exported: appkit.cached and pages/evaluate.py import these two from here.
from appkit.map_colors import ACTIVATION_SCALE as ACTIVATION_SCALE
from appkit.map_colors import CATEGORY_COLORS as CATEGORY_COLORS
from appkit.map_colors import (
    MISSING_COLOR,
    SCORE_SCALE,
    ColorSpec,
    category_colors,
    category_groups,
    category_labels,
    category_order,
    top_categories,
)
from appkit.map_figure import MapFigure
from appkit.text import escape_plotly

SET_ORDER = ("train", "benign", "toxic")  # toxic drawn last, on top
PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["sendDataToCloud"]}


def show_chart(
    figure: go.Figure,
    *,
    key: str,
    file_name: str,
    on_select: str | Callable[[], None] = "ignore",
    selection_mode: tuple[str, ...] = ("points", "box", "lasso"),
    alt: str | None = None,
):
    """Draw a figure with PNG export in its modebar and an HTML download under it."""
    config = {
        **PLOT_CONFIG,
        "toImageButtonOptions": {"format": "png", "filename": file_name, "scale": 2},
    }
    kwargs = {"key": key, "config": config, "alt": alt or _title_of(figure)}
    if on_select == "ignore":
        event = st.plotly_chart(figure, **kwargs)
    else:
        event = st.plotly_chart(figure, on_select=on_select, selection_mode=selection_mode, **kwargs)
    st.download_button(
        "Download chart (HTML)",
        # Generated only when clicked: a map of 100,000 points makes a large page.
        data=lambda: figure.to_html(include_plotlyjs=True, full_html=True),
        file_name=f"{file_name}.html",
        mime="text/html",
        key=f"{key}_html",
        on_click="ignore",
        icon=":material/download:",
        help="A standalone interactive copy of this chart. Use the camera icon above it for a PNG.",
    )
    return event


def _title_of(figure: go.Figure) -> str | None:
    title = figure.layout.title.text if figure.layout.title else None
    return html.unescape(str(title)) if title else None


def base_layout(title: str, x_title: str, y_title: str, legend_title: str | None = None, height: int = 520) -> dict:
    """Titles may hold column names and values from the data: escaped for plotly."""
    return {
        "title": {"text": escape_plotly(title), "x": 0.0, "xanchor": "left"},
        "xaxis": {"title": {"text": escape_plotly(x_title)}},
        "yaxis": {"title": {"text": escape_plotly(y_title)}},
        "legend": {
            "title": {"text": escape_plotly(legend_title or "")},
            "itemsizing": "constant",
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0.0,
        },
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 90, "b": 50},
        "template": "plotly_white",
    }


def marker_size(n_points: int) -> float:
    if n_points <= 2_000:
        return 7.0
    if n_points <= 20_000:
        return 5.0
    return 3.5


def scatter_trace(part: pl.DataFrame, name: str, hovertext: np.ndarray, marker: dict, hovertemplate: str, **extra) -> go.Scattergl:
    """One WebGL marker trace of the rows of `part` (columns `x`, `y`) for the maps."""
    return go.Scattergl(
        x=part["x"].to_numpy(),
        y=part["y"].to_numpy(),
        mode="markers",
        name=name,
        hovertext=hovertext,
        hovertemplate=hovertemplate,
        marker=marker,
        **extra,
    )


_NO_SAMPLES = "%{hovertext}<extra>%{fullData.name}</extra>"


@dataclass
class _MapTraces:
    """The traces of one map as they are added, each with the sample ids of its points.

    Every trace gets an entry in `ids` (an empty one when it holds no samples), so a
    selection's curve number always finds the ids of the trace it hit.
    """

    figure: go.Figure
    size: float  # the points' marker size
    ids: list[np.ndarray] = field(default_factory=list)

    def decoration(self, trace: Any) -> None:
        """A trace that holds no samples: a density, a legend entry, group labels."""
        self.figure.add_trace(trace)
        self.ids.append(np.array([], dtype=object))

    def points(self, part: pl.DataFrame, name: str, marker: dict, legendgroup: str | None = None, showlegend: bool = True) -> None:
        """One trace of the rows of `part` (`id`, `x`, `y`, `hover`); none when it is empty."""
        if part.is_empty():
            return
        self.figure.add_trace(
            scatter_trace(
                part, name, part["hover"].to_numpy().astype(str), marker, _NO_SAMPLES,
                legendgroup=legendgroup, showlegend=showlegend,
            )
        )
        self.ids.append(part["id"].to_numpy())

    def points_per_set(self, part: pl.DataFrame, name: str, marker: dict) -> None:
        """One trace per set (its own marker shape) under one legend entry.

        Per-point symbol arrays would do the same in one trace, but plotly validates them
        point by point, which takes seconds at 100,000 points.
        """
        shown = False
        for set_name in SET_ORDER:
            subset = part.filter(pl.col("set") == set_name)
            if subset.is_empty():
                continue
            self.points(subset, name, {**marker, "symbol": SET_SYMBOLS[set_name]}, legendgroup=name, showlegend=not shown)
            shown = True


def scatter_map(
    frame: pl.DataFrame,
    color: ColorSpec,
    *,
    title: str,
    x_title: str = "UMAP 1",
    y_title: str = "UMAP 2",
    highlight_ids: frozenset[str] = frozenset(),
    highlight_name: str = "Search matches",
    height: int = 640,
    background: tuple[Any, ...] = (),
    point_size: float | None = None,
) -> MapFigure:
    """WebGL scatter of samples: `frame` has `id`, `set`, `x`, `y`, `hover` (escaped text).

    Sets keep their marker shape whatever the color, so training, toxic and benign rows
    stay distinguishable in every coloring. `background` traces (a density) go beneath the
    points; they hold no samples.
    """
    traces = _MapTraces(go.Figure(), point_size or marker_size(frame.height))
    for trace in background:
        traces.decoration(trace)
    data = frame.with_columns(color.values.alias("_color") if color.values is not None else pl.lit(None).alias("_color"))
    if color.kind == "set":
        _color_by_set(traces, data)
    elif color.kind == "category":
        _color_by_category(traces, data, color)
    else:
        _color_by_number(traces, data, color)
    if highlight_ids:
        part = data.filter(pl.col("id").is_in(list(highlight_ids)))
        ring = {"color": "rgba(0,0,0,0)", "size": traces.size + 8, "line": {"color": "#111111", "width": 1.5}, "symbol": "circle-open"}
        traces.points(part, highlight_name, ring)
    layout = base_layout(title, x_title, y_title, legend_title=color.title if color.kind != "number" else "Set", height=height)
    _style_map(traces.figure, layout, bottom=110, uirevision="map")
    return MapFigure(traces.figure, traces.ids)


def _color_by_set(traces: _MapTraces, data: pl.DataFrame) -> None:
    """One trace per set, in the set's own color and shape."""
    for set_name in SET_ORDER:
        part = data.filter(pl.col("set") == set_name)
        marker = {"color": SET_COLORS[set_name], "symbol": SET_SYMBOLS[set_name], "size": traces.size, "opacity": 0.75}
        traces.points(part, SET_LABELS[set_name], marker)


def _color_by_category(traces: _MapTraces, data: pl.DataFrame, color: ColorSpec) -> None:
    """One legend entry per category of `_color` (rarest ones as "other"), shapes by set."""
    labelled = data.with_columns(category_labels(pl.col("_color")).alias("_label"))
    top = list(color.categories) if color.categories is not None else top_categories(labelled["_label"], color.noise_value)
    grouped = labelled.with_columns(category_groups(pl.col("_label"), top, color.noise_value).alias("_group"))
    order = category_order(top, color.noise_value)
    for value, marker_color in zip(order, category_colors(order, color.noise_value), strict=True):
        part = grouped.filter(pl.col("_group") == value)
        is_noise = value == color.noise_value
        name = "noise" if is_noise else escape_plotly(value)  # an input column's value
        traces.points_per_set(part, name, {"color": marker_color, "size": traces.size, "opacity": 0.5 if is_noise else 0.8})
    _shape_legend(traces)
    if color.label_groups:
        _group_labels(traces, grouped.filter(pl.col("_group").is_in(top)))


def _color_by_number(traces: _MapTraces, data: pl.DataFrame, color: ColorSpec) -> None:
    """Points on one color axis over the values present, hottest on top; missing ones grey."""
    present = data.filter(pl.col("_color").is_not_null() & pl.col("_color").cast(pl.Float64).is_not_nan())
    missing = data.filter(pl.col("_color").is_null() | pl.col("_color").cast(pl.Float64).is_nan())
    traces.points_per_set(missing, "no value", {"color": MISSING_COLOR, "size": traces.size, "opacity": 0.5})
    values = present["_color"].cast(pl.Float64)
    low, high = (float(values.min()), float(values.max())) if not present.is_empty() else (0.0, 1.0)
    for set_name in SET_ORDER:
        part = present.filter(pl.col("set") == set_name).sort("_color")  # hottest points drawn last, on top
        marker = {
            "color": part["_color"].cast(pl.Float64).to_numpy(),
            "coloraxis": "coloraxis",
            "symbol": SET_SYMBOLS[set_name],
            "size": traces.size,
            "opacity": 0.85,
        }
        traces.points(part, SET_LABELS[set_name], marker)
    traces.figure.update_layout(
        coloraxis={
            "colorscale": color.colorscale,
            "cmin": low,
            "cmax": high if high > low else low + 1e-9,
            "colorbar": {"title": {"text": escape_plotly(color.title), "side": "right"}, "thickness": 14},
        }
    )


def _style_map(figure: go.Figure, layout: dict, *, bottom: int, uirevision: str) -> None:
    """A map's layout: box selection by default, no axes (UMAP units mean nothing)."""
    # Legend under the plot: category legends run to several rows and would cover the title.
    layout["legend"].update({"yanchor": "top", "y": -0.08})
    layout["margin"] = {"l": 40, "r": 20, "t": 50, "b": bottom}
    figure.update_layout(**layout, dragmode="select", uirevision=uirevision, hovermode="closest")
    figure.update_xaxes(showgrid=False, zeroline=False, showticklabels=False)
    figure.update_yaxes(showgrid=False, zeroline=False, showticklabels=False)


def _group_labels(traces: _MapTraces, grouped: pl.DataFrame) -> None:
    """Each group's name at its median position, so clusters can be named on the map itself."""
    centers = grouped.group_by("_group").agg(pl.col("x").median(), pl.col("y").median()).sort("_group")
    if centers.is_empty():
        return
    traces.decoration(
        go.Scatter(
            x=centers["x"].to_numpy(),
            y=centers["y"].to_numpy(),
            mode="text",
            text=np.array([escape_plotly(value) for value in centers["_group"].to_list()], dtype=object),
            textfont={"size": 15, "color": "#111111", "family": "Arial Black, sans-serif"},
            name="labels",
            showlegend=False,
            hoverinfo="skip",
        )
    )


def _shape_legend(traces: _MapTraces) -> None:
    """Legend-only entries that explain the marker shapes when color means something else."""
    for set_name in SET_ORDER:
        traces.decoration(
            go.Scattergl(
                x=[None],
                y=[None],
                mode="markers",
                name=f"shape: {SET_LABELS[set_name].lower()}",
                marker={"color": "#777777", "symbol": SET_SYMBOLS[set_name], "size": max(traces.size, 7)},
                legendgroup="shapes",
                hoverinfo="skip",
            )
        )


def set_histogram(frame: pl.DataFrame, column: str, *, title: str, x_title: str, cut: float | None = None, cut_label: str = "cut") -> go.Figure:
    """Densities of one column per set on shared bins: references filled, training as a line.

    Shared bin edges make the three shapes comparable; drawing the (large) training set as
    a line on top keeps the references visible beneath it.
    """
    values_by_set = {
        set_name: frame.filter(pl.col("set") == set_name)[column].cast(pl.Float64).drop_nulls().drop_nans().to_numpy()
        for set_name in ("benign", "toxic", "train")
    }
    present = [values for values in values_by_set.values() if values.size]
    figure = go.Figure()
    if present:
        everything = np.concatenate(present)
        low, high = float(everything.min()), float(everything.max())
        edges = np.linspace(low, high if high > low else low + 1.0, 61)
        centers = (edges[:-1] + edges[1:]) / 2
        for set_name, values in values_by_set.items():
            if values.size == 0:
                continue
            density, _ = np.histogram(values, bins=edges, density=True)
            name = f"{SET_LABELS[set_name]} (n={values.size:,})"
            if set_name == "train":
                figure.add_trace(
                    go.Scatter(x=centers, y=density, mode="lines", line={"shape": "hvh", "color": SET_COLORS[set_name], "width": 2.5}, name=name)
                )
            else:
                figure.add_trace(
                    go.Bar(x=centers, y=density, width=float(edges[1] - edges[0]), marker_color=SET_COLORS[set_name], opacity=0.45, name=name)
                )
    figure.update_layout(**base_layout(title, x_title, "Density (area of each set = 1)", legend_title="Set", height=380), barmode="overlay", bargap=0)
    if cut is not None:
        figure.add_vline(x=cut, line_dash="dash", line_color="#222222", annotation_text=cut_label, annotation_position="top")
    return figure


BATCH_BASE_COLOR = "#CFCFCF"


def batch_map(analysis_points: pl.DataFrame, batch_points: pl.DataFrame, *, title: str, height: int = 620) -> MapFigure:
    """The analysis' rows in grey (each set keeps its marker shape), a batch on top coloured by score.

    `analysis_points` has `id`, `set`, `x`, `y`, `hover`; `batch_points` has `id`, `x`, `y`,
    `hover`, `score` (escaped hover text in both). Traces are tagged "analysis" or "batch" in
    `trace_kinds`, so a selection says which rows it hit even when ids repeat across the two.
    """
    size = marker_size(analysis_points.height)
    figure = go.Figure()
    trace_ids: list[np.ndarray] = []
    kinds: list[str] = []
    template = "%{hovertext}<extra>%{fullData.name}</extra>"
    for set_name in SET_ORDER:
        part = analysis_points.filter(pl.col("set") == set_name)
        if part.is_empty():
            continue
        marker = {"color": BATCH_BASE_COLOR, "symbol": SET_SYMBOLS[set_name], "size": size, "opacity": 0.55}
        figure.add_trace(scatter_trace(part, f"Analysis: {SET_LABELS[set_name].lower()}", part["hover"].to_numpy().astype(str), marker, template))
        trace_ids.append(part["id"].to_numpy())
        kinds.append("analysis")
    scored = batch_points.with_columns(pl.col("score").cast(pl.Float64).fill_nan(None))
    missing = scored.filter(pl.col("score").is_null())
    if not missing.is_empty():
        marker = {"color": MISSING_COLOR, "symbol": "triangle-up", "size": size + 4, "line": {"color": "#555555", "width": 0.8}}
        figure.add_trace(scatter_trace(missing, "Batch: no score", missing["hover"].to_numpy().astype(str), marker, template))
        trace_ids.append(missing["id"].to_numpy())
        kinds.append("batch")
    present = scored.filter(pl.col("score").is_not_null()).sort("score")  # hottest drawn last, on top
    if not present.is_empty():
        values = present["score"].to_numpy()
        low, high = float(values.min()), float(values.max())
        marker = {
            "color": values,
            "colorscale": SCORE_SCALE,
            "cmin": low,
            "cmax": high if high > low else low + 1e-9,
            "colorbar": {"title": {"text": "Batch score", "side": "right"}, "thickness": 14},
            "symbol": "triangle-up",
            "size": size + 4,
            "line": {"color": "#333333", "width": 0.6},
        }
        figure.add_trace(scatter_trace(present, "Batch rows", present["hover"].to_numpy().astype(str), marker, template))
        trace_ids.append(present["id"].to_numpy())
        kinds.append("batch")
    layout = base_layout(title, "UMAP 1", "UMAP 2", legend_title="", height=height)
    _style_map(figure, layout, bottom=90, uirevision="batch-map")
    return MapFigure(figure, trace_ids, kinds)
