"""The plotly figures of the HTML report (`analysis.use.report`); the app draws some of them too.

Every string from the data that reaches a figure is HTML-escaped: plotly renders a subset of
HTML in titles and hover labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

from analysis.scoring.families import score_label as _score_label
from analysis.use.formatting import esc, flat_text
from analysis.use.palette import SET_COLORS, SET_LABELS, SET_SYMBOLS

HOVER_CHARS = 80
GREY = "#C8C8C8"


def _layout(title: str, x_title: str, y_title: str, height: int = 460) -> dict[str, Any]:
    return {
        "title": {"text": esc(title), "x": 0.0, "xanchor": "left"},
        "xaxis": {"title": {"text": esc(x_title)}},
        "yaxis": {"title": {"text": esc(y_title)}},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0.0, "itemsizing": "constant"},
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 50, "b": 80},
        "template": "plotly_white",
    }


def _hover(texts: Iterable[str | None], ids: Iterable[str]) -> list[str]:
    return [f"{esc(sample_id)}<br>{esc(flat_text(text, HOVER_CHARS))}" for sample_id, text in zip(ids, texts, strict=True)]


def sample_map_figure(points: pl.DataFrame, score: str | None, removed_ids: set[str] | None = None) -> Any:
    """Training rows coloured by score, references red diamonds and green squares."""
    import plotly.graph_objects as go

    figure = go.Figure()
    size = 6 if points.height <= 2_000 else 4
    for set_name in ("benign", "toxic"):
        part = points.filter(pl.col("set") == set_name)
        if part.is_empty():
            continue
        figure.add_trace(
            go.Scatter(
                x=part["x"].to_numpy(), y=part["y"].to_numpy(), mode="markers", name=SET_LABELS[set_name],
                marker={"color": SET_COLORS[set_name], "symbol": SET_SYMBOLS[set_name], "size": size + 1, "opacity": 0.8},
                hovertext=_hover(part["text"], part["id"]), hovertemplate="%{hovertext}<extra>%{fullData.name}</extra>",
            )
        )
    train = points.filter(pl.col("set") == "train")
    if score is not None and score in train.columns:
        train = train.with_columns(pl.col(score).fill_nan(None)).sort(score, nulls_last=False)
        values = train[score].to_numpy()
        marker = {"color": values, "colorscale": "Viridis", "size": size, "opacity": 0.85, "colorbar": {"title": {"text": esc(_score_label(score))}, "thickness": 12}}
    else:
        marker = {"color": SET_COLORS["train"], "size": size, "opacity": 0.75}
    figure.add_trace(
        go.Scatter(
            x=train["x"].to_numpy(), y=train["y"].to_numpy(), mode="markers", name=SET_LABELS["train"] + (" (colour: score)" if score else ""),
            marker=marker, hovertext=_hover(train["text"], train["id"]), hovertemplate="%{hovertext}<extra>%{fullData.name}</extra>",
        )
    )
    if removed_ids:
        part = points.filter(pl.col("id").is_in(list(removed_ids)))
        if not part.is_empty():
            figure.add_trace(
                go.Scatter(
                    x=part["x"].to_numpy(), y=part["y"].to_numpy(), mode="markers", name="Removed by the cut", hoverinfo="skip",
                    marker={"symbol": "circle-open", "size": size + 6, "color": "#111111", "line": {"width": 1.2}},
                )
            )
    figure.update_layout(**_layout("Samples by SAE features (UMAP)", "UMAP 1", "UMAP 2", height=620))
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    return figure


def batch_map_figure(points: pl.DataFrame, batch: pl.DataFrame) -> Any:
    """The analysis' rows in grey, the batch on top coloured by its default score."""
    import plotly.graph_objects as go

    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=points["x"].to_numpy(), y=points["y"].to_numpy(), mode="markers", name="Analysis rows",
            marker={"color": GREY, "size": 4, "opacity": 0.6}, hoverinfo="skip",
        )
    )
    ordered = batch.with_columns(pl.col("score").fill_nan(None)).sort("score", nulls_last=False)
    figure.add_trace(
        go.Scatter(
            x=ordered["x"].to_numpy(), y=ordered["y"].to_numpy(), mode="markers", name="Batch rows (colour: score)",
            marker={"color": ordered["score"].to_numpy(), "colorscale": "Viridis", "size": 7, "symbol": "triangle-up", "line": {"width": 0.5, "color": "#333333"}, "colorbar": {"title": {"text": "score"}, "thickness": 12}},
            hovertext=_hover(ordered["text"], ordered["id"]), hovertemplate="%{hovertext}<extra>batch</extra>",
        )
    )
    figure.update_layout(**_layout("The batch placed on the analysis' map", "UMAP 1", "UMAP 2", height=560))
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    return figure


def score_distribution_figure(batch: np.ndarray, train: np.ndarray, cut: float | None) -> Any:
    """Densities on shared bins (left) and ECDFs (right) of the batch and the training rows."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    batch, train = batch[np.isfinite(batch)], train[np.isfinite(train)]
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Density", "Cumulative share (ECDF)"))
    present = [values for values in (batch, train) if values.size]
    if present:
        everything = np.concatenate(present)
        low, high = float(everything.min()), float(everything.max())
        edges = np.linspace(low, high if high > low else low + 1.0, 41)
        centers = (edges[:-1] + edges[1:]) / 2
        for values, name, color in ((train, "Training rows", SET_COLORS["train"]), (batch, "Batch", "#F58518")):
            if not values.size:
                continue
            density, _ = np.histogram(values, bins=edges, density=True)
            label = f"{name} (n={values.size:,})"
            figure.add_trace(go.Scatter(x=centers, y=density, mode="lines", line={"shape": "hvh", "color": color, "width": 2}, name=label, legendgroup=name), row=1, col=1)
            ordered = np.sort(values)
            step = max(1, ordered.size // 400)
            xs = ordered[::step]
            ys = (np.arange(ordered.size)[::step] + 1) / ordered.size
            figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"shape": "hv", "color": color, "width": 2}, name=label, legendgroup=name, showlegend=False), row=1, col=2)
    if cut is not None:
        for col in (1, 2):
            figure.add_vline(x=cut, line_dash="dash", line_color="#222222", row=1, col=col)
    layout = _layout("Default score: batch vs training rows (dashed: the training rows' cut)", "score (higher = closer to toxic)", "", height=380)
    layout.pop("xaxis")
    layout.pop("yaxis")
    figure.update_layout(**layout)
    return figure


def kept_removed_figure(kept: np.ndarray, removed: np.ndarray, score: str) -> Any:
    import plotly.graph_objects as go

    figure = go.Figure()
    figure.add_trace(go.Histogram(x=kept, name=f"Kept ({kept.size:,})", marker_color=SET_COLORS["train"], opacity=0.75, nbinsx=50))
    figure.add_trace(go.Histogram(x=removed, name=f"Removed ({removed.size:,})", marker_color=SET_COLORS["toxic"], opacity=0.85, nbinsx=50))
    figure.update_layout(**_layout("Training rows kept and removed, by score", f"{_score_label(score)} (higher = closer to toxic)", "training rows", height=360), barmode="stack")
    return figure


def removal_curve_figure(curves: dict[str, pl.DataFrame], methods: Sequence[str]) -> Any:
    import plotly.graph_objects as go

    figure = go.Figure()
    for method in methods:
        curve = curves.get(method)
        if curve is None or curve.is_empty():
            continue
        figure.add_trace(go.Scatter(x=curve["share_removed"].to_numpy(), y=curve["positives_removed"].to_numpy(), mode="lines", name=esc(method)))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="random", line={"dash": "dot", "color": "#999999"}))
    figure.update_layout(**_layout("Removed vs retained: share of labelled rows caught as more rows are removed", "share of training rows removed", "share of positives removed", height=420))
    return figure
