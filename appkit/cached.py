"""Cached reads and derived tables shared by the pages.

Everything is keyed by the analysis folder's path: a folder never changes once complete,
so entries never go stale. `cache_resource` hands out the same object to every session
(no copy), which suits these read-only frames and figures.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import streamlit as st

from analysis.artifacts.folder import Analysis
from analysis.scoring.families import score_label
from analysis.use.selection import Box, MapSelection
from appkit import state
from appkit.charts import ACTIVATION_SCALE, ColorSpec, MapFigure, scatter_map
from appkit.density_map import SAMPLE_POINTS, in_window, overview_map, sample_rows, uses_overview
from appkit.text import hover_expr, truncate_expr

SET_COLOR = "set"
CLUSTER_COLOR = "cluster"
FEATURE_COLOR = "feature"


def analysis_at(path: str) -> Analysis:
    return state.open_analysis(path)


# Hover text is most of what the browser receives for a map (and sends back for every
# selected point), so it stays short; the set shows as the trace name beside it.
HOVER_CHARS = 60


@st.cache_resource(max_entries=4, show_spinner=False)
def map_points(path: str) -> pl.DataFrame:
    """The columns the sample map needs, with hover text truncated and escaped once."""
    samples = analysis_at(path).samples
    return samples.select("id", "set", "x", "y", hover_expr("text", HOVER_CHARS).alias("hover"))


def color_options(analysis: Analysis) -> dict[str, str]:
    """Color keys and their labels: set, cluster, every score, carried label columns, a feature."""
    options = {SET_COLOR: "Set (train / toxic / benign)", CLUSTER_COLOR: "Cluster (HDBSCAN)"}
    for column in analysis.score_columns:
        options[column] = f"Score: {score_label(column)}"
    for column in analysis.label_columns:
        options[f"column:{column}"] = f"Column: {column}"
    options[FEATURE_COLOR] = "Activation of one SAE feature"
    return options


def positive_value(analysis: Analysis, column: str) -> str | None:
    """The value of a two-valued training label that marks a row to remove ("1", "harmful", ...).

    None when the column does not look like such a label; the Evaluate page still lets
    the user pick any value by hand.
    """
    from analysis.use.evaluate import positive_value as label_positive

    return label_positive(analysis.samples, column)


@st.cache_resource(max_entries=24, show_spinner="Drawing the map…")
def sample_map(path: str, color_key: str, feature: int | None, search: str, window: Box | None = None) -> MapFigure:
    """The map in one coloring; past `DENSITY_THRESHOLD` rows a density of every row plus a
    sample of points (`appkit.density_map`), shown whole or zoomed to `window`."""
    analysis = analysis_at(path)
    large = uses_overview(analysis.samples.height)
    points = map_points(path) if not large else analysis.samples.select("id", "set", "x", "y")
    if color_key == CLUSTER_COLOR:
        color = ColorSpec("category", "Cluster", analysis.samples["cluster"].cast(pl.String), noise_value="-1", label_groups=True)
    elif color_key in analysis.score_columns:
        color = ColorSpec("number", score_label(color_key), analysis.samples[color_key])
    elif color_key.startswith("column:") and color_key.removeprefix("column:") in analysis.samples.columns:
        column = color_key.removeprefix("column:")
        color = ColorSpec("category", column, analysis.samples[column].cast(pl.String))
    elif color_key == FEATURE_COLOR and feature is not None:
        values = (
            points.select("id")
            .join(analysis.feature_activation(feature), on="id", how="left")
            .select(pl.col("value").fill_null(0.0).cast(pl.Float64))
            .to_series()
        )
        color = ColorSpec("number", f"Feature {feature} activation", values, colorscale=ACTIVATION_SCALE)
    else:
        color = ColorSpec("set", "Set")
    matches = frozenset(search_ids(path, search)) if search else frozenset()
    title = f"Samples by SAE features · color: {color.title}"
    if not large:
        return scatter_map(points, color, title=title, highlight_ids=matches)
    drawn = map_sample(path, search, window)
    # hover text only for the drawn rows: the rest never reach the browser
    hover = analysis.samples["text"].gather(drawn).to_frame().select(hover_expr("text", HOVER_CHARS))["text"]
    return overview_map(points, color, drawn, hover, title=title, highlight_ids=matches, window=window)


@st.cache_resource(max_entries=16, show_spinner=False)
def map_sample(path: str, search: str, window: Box | None = None) -> np.ndarray:
    """Positions of the rows a large map draws: every row of a window small enough, else a
    seeded sample (search matches first, then toxic-reference rows up to half, then the rest)
    shared by every coloring, so points stay put when the color changes."""
    samples = analysis_at(path).samples
    x, y = samples["x"].cast(pl.Float64).to_numpy(), samples["y"].cast(pl.Float64).to_numpy()
    candidates = np.flatnonzero(in_window(x, y, window))
    if window is not None and not uses_overview(candidates.size):
        return candidates
    must = np.flatnonzero(samples["id"].is_in(search_ids(path, search)).to_numpy()) if search else None
    toxic = np.flatnonzero((samples["set"] == "toxic").to_numpy())
    return sample_rows(candidates, SAMPLE_POINTS, must=must, preferred=toxic)


def is_large_map(path: str) -> bool:
    """Whether this analysis' map is a density plus a sample, with selections over every row."""
    return uses_overview(analysis_at(path).samples.height)


@st.cache_resource(max_entries=8, show_spinner="Selecting…")
def selected_rows(path: str, selection: MapSelection) -> np.ndarray:
    """Positions of every row the selection covers, drawn on the map or not."""
    return np.flatnonzero(selection.mask(analysis_at(path).samples))


def selected_ids(path: str, selection: MapSelection) -> list[str]:
    """Ids of every row the selection covers (drawn on the map or not), in the rows' order."""
    return analysis_at(path).samples["id"].gather(selected_rows(path, selection)).to_list()


@st.cache_resource(max_entries=8, show_spinner=False)
def region_table(path: str, selection: MapSelection, score: str | None, limit: int) -> tuple[pl.DataFrame, int]:
    """`selection_table` of a box or lasso, by row position rather than by id, and kept: every
    rerun while it is selected (picking a row, a button) shows it again."""
    return selection_table(analysis_at(path), [], score, limit, rows=selected_rows(path, selection))


@st.cache_resource(max_entries=32, show_spinner=False)
def search_ids(path: str, query: str) -> list[str]:
    """Ids of samples whose text contains `query` (case-insensitive, literal)."""
    if not query.strip():
        return []
    pattern = "(?i)" + re.escape(query.strip())
    samples = analysis_at(path).samples
    return samples.filter(pl.col("text").str.contains(pattern))["id"].to_list()


def selection_table(
    analysis: Analysis, ids: list[str], score: str | None, limit: int, rows: np.ndarray | None = None
) -> tuple[pl.DataFrame, int]:
    """The selected samples, highest score first, capped at `limit` rows for display; `rows`
    (positions) instead of `ids` when the selection is a region of the map."""
    samples = analysis.samples
    columns = ["id", "set", "cluster"]
    if score:
        columns.append(score)
    columns += [name for name in analysis.label_columns if name not in columns]
    # Only the shown columns are filtered and only the shown rows truncated: a box on a large
    # map selects hundreds of thousands of rows, and the wide frame made that take seconds.
    shown = samples.select(*columns, "text")
    if rows is not None:
        chosen = shown[rows]
    else:
        chosen = shown.filter(pl.col("id").is_in(pl.Series(ids, dtype=pl.String).implode()))
    if score:
        chosen = chosen.sort(score, descending=True, nulls_last=True)
    table = chosen.head(limit).select(*columns, truncate_expr("text", 160))
    return table, chosen.height


@st.cache_resource(max_entries=4, show_spinner=False)
def feature_names(path: str) -> dict[int, str]:
    """`feature -> "123 · tok, tok, tok"` for choosers."""
    features = analysis_at(path).features
    names = features.select(
        "feature",
        (pl.col("feature").cast(pl.String) + pl.lit(" · ") + pl.col("top_tokens").fill_null("")).str.slice(0, 80).alias("name"),
    )
    return dict(zip(names["feature"].to_list(), names["name"].to_list(), strict=True))


@st.cache_data(max_entries=32, show_spinner=False)
def features_firing_on(path: str, text: str, limit: int = 50) -> pl.DataFrame:
    """The active features whose top tokens contain `text` (case-insensitive, taken literally),
    toxic ones first, then by toxic log-odds."""
    needle = text.strip().lower()
    features = analysis_at(path).features
    if not needle:
        return features.head(0)
    return (
        features.filter(pl.col("top_tokens").fill_null("").str.to_lowercase().str.contains(needle, literal=True))
        .sort(["is_toxic", "toxic_log_odds"], descending=True)
        .head(limit)
        .select("feature", "is_toxic", "toxic_log_odds", "top_tokens")
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def feature_top_samples(path: str, feature: int, per_set: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The samples of each set where `feature` fires most (`set`, `id`, `value`, `text`) and
    their tokens, read from tokens.parquet in one go; a rerun reads nothing."""
    analysis = analysis_at(path)
    top = analysis.top_samples(feature, per_set)
    return top, analysis.tokens_of(top["id"])


@st.cache_resource(max_entries=256, show_spinner=False)
def sample_tokens(path: str, sample_id: str) -> pl.DataFrame:
    """One sample's tokens, read once per sample (the detail pane redraws on every rerun)."""
    return analysis_at(path).tokens_for(sample_id)


# --- monitor runs (the Compare page) --------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def _monitor_listing(cache_root: str, analysis_id: str | None, version: int) -> pl.DataFrame:
    from analysis.use.monitor_runs import list_monitors

    return list_monitors(cache_root, analysis_id)


def monitor_runs(cache_root: str, analysis: Analysis) -> pl.DataFrame:
    """The monitor folders under `<cache>/monitors/` whose report names this analysis, newest first;
    re-read only when that folder changed (runs are renamed into it when complete)."""
    from pathlib import Path

    folder = Path(cache_root) / "monitors"
    version = folder.stat().st_mtime_ns if folder.is_dir() else 0
    return _monitor_listing(cache_root, analysis.manifest.get("analysis_id"), version)


@st.cache_resource(max_entries=8, show_spinner="Reading the monitor run…")
def monitor_at(path: str):
    """One shared, read-only MonitorRun per folder (a monitor folder never changes once written)."""
    from analysis.use.monitor_runs import MonitorRun

    run = MonitorRun.open(path)
    _ = run.scores
    return run


@st.cache_resource(max_entries=8, show_spinner="Drawing the map…")
def batch_map(path: str, monitor_path: str) -> MapFigure:
    from appkit.charts import batch_map as draw

    scores = monitor_at(monitor_path).scores
    batch = scores.select("id", "x", "y", "score", (pl.lit("batch · ") + hover_expr("text", HOVER_CHARS)).alias("hover"))
    return draw(map_points(path), batch, title="The batch on the analysis' map · color: batch score")


@st.cache_resource(max_entries=8, show_spinner=False)
def batch_score_figure(path: str, monitor_path: str):
    """Batch vs training-row score densities and ECDFs, with the training rows' cut."""
    import numpy as np

    from analysis.use.report_figures import score_distribution_figure

    run = monitor_at(monitor_path)
    samples = analysis_at(path).samples
    train = samples.filter(pl.col("set") == "train")["score"].cast(pl.Float64).to_numpy() if "score" in samples.columns else np.zeros(0)
    cut = run.report["statistics"]["above_cut"].get("cut")
    return score_distribution_figure(run.scores["score"].cast(pl.Float64).to_numpy(), train, cut)


@st.cache_resource(max_entries=8, show_spinner=False)
def scorer_at(path: str):
    """The analysis' fitted scorer, read once per folder (it never changes once written)."""
    from analysis.use.explain import load_scorer

    return load_scorer(analysis_at(path))


@st.cache_resource(max_entries=256, show_spinner=False)
def batch_latents(path: str, monitor_path: str, row_id: str) -> pl.DataFrame | None:
    """The latents behind one batch row's default score (the analysis' fitted scorer)."""
    return monitor_at(monitor_path).row_latents(analysis_at(path), row_id, scorer=scorer_at(path))
