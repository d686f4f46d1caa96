"""Plotly figures shared by the pages, and one way to show them (PNG via the modebar, HTML download).

Figures are built from polars columns as numpy arrays, which plotly sends as compact typed
arrays; builders are pure functions so pages can cache their output.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from appkit.text import escape_plotly

if TYPE_CHECKING:
    from appkit.density_map import MapOverview

SET_LABELS = {"train": "Training set", "toxic": "Toxic reference", "benign": "Benign reference"}
SET_COLORS = {"train": "#4C78A8", "toxic": "#E45756", "benign": "#54A24B"}
SET_SYMBOLS = {"train": "circle", "toxic": "diamond", "benign": "square"}
SET_ORDER = ("train", "benign", "toxic")  # toxic drawn last, on top
CATEGORY_COLORS = (
    "#4C78A8", "#F58518", "#54A24B", "#B279A2", "#72B7B2", "#EECA3B", "#9D755D", "#FF9DA6",
    "#BAB0AC", "#E45756", "#2E91E5", "#1CA71C", "#DA16FF", "#B68100", "#750D86", "#EB663B",
    "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE", "#862A16",
)
NOISE_COLOR = "#C8C8C8"
MISSING_COLOR = "#D9D9D9"
MAX_CATEGORIES = len(CATEGORY_COLORS)
SCORE_SCALE = "Viridis"
ACTIVATION_SCALE = "OrRd"
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


@dataclass(frozen=True)
class ColorSpec:
    """How to color a map: by set, by a category column, or by a number (score, activation)."""

    kind: str  # "set", "category", "number"
    title: str
    values: pl.Series | None = None  # aligned with the frame's rows
    colorscale: str = SCORE_SCALE
    noise_value: str | None = None  # a category shown grey (HDBSCAN noise)
    label_groups: bool = False  # write each category's name at its center (cluster ids)
    # The categories that get their own color, when they were chosen on more rows than the
    # frame drawn (a sample of a large map): the colors then agree with the density under it.
    categories: tuple[str, ...] | None = None


@dataclass
class MapFigure:
    """A scatter map plus, for each trace, the sample ids of its points (to decode selections)."""

    figure: go.Figure
    trace_ids: list[np.ndarray] = field(default_factory=list)
    # What each trace's points are ("analysis" rows, "batch" rows, ...) when a map mixes kinds.
    trace_kinds: list[str] = field(default_factory=list)
    # Set for the map of a large analysis (appkit.density_map): what is drawn, and the density's cells.
    overview: MapOverview | None = None

    def picks_of(self, points: list[dict]) -> list[tuple[str, str]]:
        """(kind, id) of selected plotly points, in selection order; kinds from `trace_kinds`."""
        found: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for point in points:
            curve = point.get("curve_number", point.get("curveNumber"))
            index = point.get("point_index", point.get("pointIndex", point.get("point_number")))
            if curve is None or index is None or not 0 <= curve < len(self.trace_ids):
                continue
            if not isinstance(index, int | np.integer):
                continue  # a density cell ([row, column]) is no sample
            ids = self.trace_ids[curve]
            kind = self.trace_kinds[curve] if curve < len(self.trace_kinds) else "analysis"
            if 0 <= index < len(ids) and (kind, str(ids[index])) not in seen:
                seen.add((kind, str(ids[index])))
                found.append((kind, str(ids[index])))
        return found

    def ids_of(self, points: list[dict]) -> list[str]:
        """Sample ids of selected plotly points (curve and point numbers), in selection order."""
        return list(dict.fromkeys(sample_id for _, sample_id in self.picks_of(points)))


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
    size = point_size or marker_size(frame.height)
    figure = go.Figure()
    trace_ids: list[np.ndarray] = []
    for trace in background:
        figure.add_trace(trace)
        trace_ids.append(np.array([], dtype=object))
    data = frame.with_columns(color.values.alias("_color") if color.values is not None else pl.lit(None).alias("_color"))
    hovertemplate = "%{hovertext}<extra>%{fullData.name}</extra>"

    def add(part: pl.DataFrame, name: str, marker: dict, legendgroup: str | None = None, showlegend: bool = True) -> None:
        if part.is_empty():
            return
        figure.add_trace(
            scatter_trace(
                part, name, part["hover"].to_numpy().astype(str), marker, hovertemplate,
                legendgroup=legendgroup, showlegend=showlegend,
            )
        )
        trace_ids.append(part["id"].to_numpy())

    def add_per_set(part: pl.DataFrame, name: str, marker: dict) -> None:
        """One trace per set (its own marker shape) under one legend entry.

        Per-point symbol arrays would do the same in one trace, but plotly validates them
        point by point, which takes seconds at 100,000 points.
        """
        shown = False
        for set_name in SET_ORDER:
            subset = part.filter(pl.col("set") == set_name)
            if subset.is_empty():
                continue
            add(subset, name, {**marker, "symbol": SET_SYMBOLS[set_name]}, legendgroup=name, showlegend=not shown)
            shown = True

    if color.kind == "set":
        for set_name in SET_ORDER:
            part = data.filter(pl.col("set") == set_name)
            add(part, SET_LABELS[set_name], {"color": SET_COLORS[set_name], "symbol": SET_SYMBOLS[set_name], "size": size, "opacity": 0.75})
    elif color.kind == "category":
        labelled = data.with_columns(category_labels(pl.col("_color")).alias("_label"))
        top = list(color.categories) if color.categories is not None else top_categories(labelled["_label"], color.noise_value)
        grouped = labelled.with_columns(category_groups(pl.col("_label"), top, color.noise_value).alias("_group"))
        order = category_order(top, color.noise_value)
        for value, marker_color in zip(order, category_colors(order, color.noise_value), strict=True):
            part = grouped.filter(pl.col("_group") == value)
            is_noise = value == color.noise_value
            name = "noise" if is_noise else escape_plotly(value)  # an input column's value
            add_per_set(part, name, {"color": marker_color, "size": size, "opacity": 0.5 if is_noise else 0.8})
        _shape_legend(figure, size)
        trace_ids.extend(np.array([], dtype=object) for _ in SET_ORDER)
        if color.label_groups:
            _group_labels(figure, grouped.filter(pl.col("_group").is_in(top)))
            trace_ids.append(np.array([], dtype=object))
    else:
        present = data.filter(pl.col("_color").is_not_null() & pl.col("_color").cast(pl.Float64).is_not_nan())
        missing = data.filter(pl.col("_color").is_null() | pl.col("_color").cast(pl.Float64).is_nan())
        add_per_set(missing, "no value", {"color": MISSING_COLOR, "size": size, "opacity": 0.5})
        values = present["_color"].cast(pl.Float64)
        low, high = (float(values.min()), float(values.max())) if not present.is_empty() else (0.0, 1.0)
        for set_name in SET_ORDER:
            part = present.filter(pl.col("set") == set_name)
            add(
                part.sort("_color"),  # hottest points drawn last, on top
                SET_LABELS[set_name],
                {
                    "color": part.sort("_color")["_color"].cast(pl.Float64).to_numpy(),
                    "coloraxis": "coloraxis",
                    "symbol": SET_SYMBOLS[set_name],
                    "size": size,
                    "opacity": 0.85,
                },
            )
        figure.update_layout(
            coloraxis={
                "colorscale": color.colorscale,
                "cmin": low,
                "cmax": high if high > low else low + 1e-9,
                "colorbar": {"title": {"text": escape_plotly(color.title), "side": "right"}, "thickness": 14},
            }
        )
    if highlight_ids:
        part = data.filter(pl.col("id").is_in(list(highlight_ids)))
        add(part, highlight_name, {"color": "rgba(0,0,0,0)", "size": size + 8, "line": {"color": "#111111", "width": 1.5}, "symbol": "circle-open"})
    layout = base_layout(title, x_title, y_title, legend_title=color.title if color.kind != "number" else "Set", height=height)
    # Legend under the plot: category legends run to several rows and would cover the title.
    layout["legend"].update({"yanchor": "top", "y": -0.08})
    layout["margin"] = {"l": 40, "r": 20, "t": 50, "b": 110}
    figure.update_layout(
        **layout,
        dragmode="select",
        uirevision="map",
        hovermode="closest",
    )
    figure.update_xaxes(showgrid=False, zeroline=False, showticklabels=False)
    figure.update_yaxes(showgrid=False, zeroline=False, showticklabels=False)
    return MapFigure(figure, trace_ids)


def category_labels(values: pl.Expr) -> pl.Expr:
    """A category column as the strings the map shows ("(none)" for missing values)."""
    return values.cast(pl.String).fill_null("(none)")


def top_categories(labels: pl.Series, noise_value: str | None) -> list[str]:
    """The most frequent categories (noise apart), as many as the palette has colors but one:
    past that, the rarest categories share one grey "other" entry."""
    counts = labels.value_counts(sort=True)
    return [value for value in counts[counts.columns[0]].to_list() if value != noise_value][: MAX_CATEGORIES - 1]


def category_groups(labels: pl.Expr, top: list[str], noise_value: str | None) -> pl.Expr:
    """Each label's legend group: itself when among `top` (or noise), else "other"."""
    keep = [*top, *([noise_value] if noise_value is not None else [])]
    return pl.when(labels.is_in(keep)).then(labels).otherwise(pl.lit("other"))


def category_order(top: list[str], noise_value: str | None) -> list[str]:
    """The legend order of the groups: `top` in natural order, then "other", then noise."""
    return _natural_order(top) + [value for value in ("other", noise_value) if value is not None]


def category_colors(order: list[str], noise_value: str | None) -> list[str]:
    """The color of each group of `category_order`; noise and "other" are grey."""
    return [
        NOISE_COLOR if value == noise_value or value == "other" else CATEGORY_COLORS[index % len(CATEGORY_COLORS)]
        for index, value in enumerate(order)
    ]


def _group_labels(figure: go.Figure, grouped: pl.DataFrame) -> None:
    """Each group's name at its median position, so clusters can be named on the map itself."""
    centers = grouped.group_by("_group").agg(pl.col("x").median(), pl.col("y").median()).sort("_group")
    if centers.is_empty():
        return
    figure.add_trace(
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


def _shape_legend(figure: go.Figure, size: float) -> None:
    """Legend-only entries that explain the marker shapes when color means something else."""
    for set_name in SET_ORDER:
        figure.add_trace(
            go.Scattergl(
                x=[None],
                y=[None],
                mode="markers",
                name=f"shape: {SET_LABELS[set_name].lower()}",
                marker={"color": "#777777", "symbol": SET_SYMBOLS[set_name], "size": max(size, 7)},
                legendgroup="shapes",
                hoverinfo="skip",
            )
        )


def _natural_order(values: list[str]) -> list[str]:
    """Numeric-looking categories (cluster ids) in numeric order, others alphabetically."""
    try:
        return sorted(values, key=lambda value: int(value))
    except ValueError:
        return sorted(values)


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
    layout["legend"].update({"yanchor": "top", "y": -0.08})
    layout["margin"] = {"l": 40, "r": 20, "t": 50, "b": 90}
    figure.update_layout(**layout, dragmode="select", uirevision="batch-map", hovermode="closest")
    figure.update_xaxes(showgrid=False, zeroline=False, showticklabels=False)
    figure.update_yaxes(showgrid=False, zeroline=False, showticklabels=False)
    return MapFigure(figure, trace_ids, kinds)
