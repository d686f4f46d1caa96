"""Proximity: how each score separates the sets, and the training prompts closest to toxic clusters."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from appkit import cached, nav, state
from appkit.charts import SET_COLORS, base_layout, set_histogram, show_chart
from appkit.text import escape_plotly, truncate_expr
from appkit.views import reference_diagnostics, sample_detail

TABLE_KEY = "proximity_table"
FOCUS = "proximity_focus"

nav.page_setup()
analysis = state.require_analysis()
path = str(analysis.path)
if not analysis.score_columns:
    st.warning("This analysis has no score columns.")
    st.stop()

st.title("Proximity to toxic features")
st.caption(
    "Every score is higher for samples closer to toxic features. A useful score puts the toxic reference "
    "(red) to the right of the benign reference (green); training samples that reach into the red are the "
    "candidates for removal. Reference rows are scored out of fold (by a scorer fitted without them), so "
    "their separation is not built in."
)
reference_diagnostics(
    analysis.manifest.get("diagnostics"),
    (analysis.manifest.get("model") or {}).get("name"),
    (analysis.manifest.get("sae") or {}).get("source"),
)

state.chosen_score(analysis)
left, right = st.columns([2, 1])
score = left.selectbox("Score", analysis.score_columns, format_func=cached.score_label, **state.bind(state.SCORE))
top_n = right.slider("Training prompts to rank", min_value=10, max_value=200, value=25, step=5)



@st.cache_resource(max_entries=16, show_spinner=False)
def distribution(path: str, score: str):
    return set_histogram(
        cached.analysis_at(path).samples,
        score,
        title=f"Distribution of {cached.score_label(score)} per set",
        x_title=f"{cached.score_label(score)} (higher = closer to toxic)",
    )


show_chart(distribution(path, score), key="score_distribution", file_name=f"distribution-{score}")


@st.cache_resource(max_entries=8, show_spinner="Ranking training prompts…")
def nearest_prompts(path: str, score: str, top_n: int) -> pl.DataFrame:
    """The top training rows by `score`, with their nearest toxic cluster and the toxic
    features they activate most (the "through which features" of the ranking)."""
    analysis = cached.analysis_at(path)
    top = (
        analysis.samples.filter(pl.col("set") == "train")
        .sort(score, descending=True, nulls_last=True)
        .head(top_n)
        .with_row_index("rank", offset=1)
    )
    toxic_features = analysis.features.filter(pl.col("is_toxic")).select("feature", "top_tokens")
    through = (
        analysis.activations.filter(pl.col("id").is_in(top["id"].implode()))
        .explode("features", "values")
        .rename({"features": "feature", "values": "activation"})
        .join(toxic_features, on="feature", how="inner")
        .sort("activation", descending=True)
        .group_by("id", maintain_order=True)
        .agg(
            (pl.col("feature").cast(pl.String) + " (" + pl.col("top_tokens").fill_null("") + ")").head(3).str.join("; ").alias("toxic_features")
        )
    )
    cluster_names = _toxic_cluster_names(analysis)
    return (
        top.join(through, on="id", how="left", maintain_order="left")
        .join(cluster_names, left_on="nearest_toxic_cluster", right_on="cluster", how="left", maintain_order="left")
        .select(
            "rank",
            "id",
            pl.col(score),
            pl.col("nearest_toxic_cluster"),
            pl.col("cluster_theme"),
            pl.col("toxic_features").fill_null("(none of its strongest features is toxic)"),
            truncate_expr("text", 160),
        )
    )


def _toxic_cluster_names(analysis) -> pl.DataFrame:
    """A readable theme per sample cluster: the top tokens of its first two top features."""
    names = analysis.features.select("feature", "top_tokens")
    return (
        analysis.clusters.select("cluster", "top_features")
        .explode("top_features")
        .join(names, left_on="top_features", right_on="feature", how="left", maintain_order="left")
        .group_by("cluster", maintain_order=True)
        .agg(pl.col("top_tokens").drop_nulls().head(2).str.join(" / ").alias("cluster_theme"))
    )


ranked = nearest_prompts(path, score, top_n)
st.subheader(f"The {top_n} training prompts closest to toxic")
by_cluster = ranked.group_by("nearest_toxic_cluster", "cluster_theme").len().sort("len", descending=True)
figure = go.Figure(
    go.Bar(
        x=by_cluster["len"].to_numpy(),
        y=[
            ("none" if cluster == -1 else f"cluster {cluster}") + (f": {escape_plotly(theme[:40])}" if theme else "")
            for cluster, theme in by_cluster.select("nearest_toxic_cluster", "cluster_theme").iter_rows()
        ],
        orientation="h",
        marker_color=SET_COLORS["toxic"],
        name="training prompts",
    )
)
figure.update_layout(
    **base_layout(
        f"Which toxic cluster the top {top_n} prompts are nearest to",
        "Training prompts",
        "",
        height=max(260, 60 + 34 * by_cluster.height),
    ),
    showlegend=False,
)
figure.update_yaxes(autorange="reversed", automargin=True)
show_chart(figure, key="near_clusters", file_name=f"nearest-toxic-clusters-{score}")

st.caption("Pick a prompt to read it with its explanation: the features that drive its score, and its nearest toxic references.")
shown_ids = ranked["id"].to_list()


def on_row() -> None:
    rows = st.session_state[TABLE_KEY]["selection"]["rows"]
    st.session_state[FOCUS] = shown_ids[rows[0]] if rows else None


st.dataframe(
    ranked,
    hide_index=True,
    width="stretch",
    on_select=on_row,
    selection_mode="single-row",
    key=TABLE_KEY,
    column_config={
        "rank": st.column_config.NumberColumn("#", width="small"),
        score: st.column_config.NumberColumn(cached.score_label(score), format="%.3f"),
        "nearest_toxic_cluster": st.column_config.NumberColumn("Nearest toxic cluster"),
        "cluster_theme": st.column_config.TextColumn("Cluster theme"),
        "toxic_features": st.column_config.TextColumn("Through toxic features", width="large"),
        "text": st.column_config.TextColumn("Text", width="large"),
    },
)
focus = st.session_state.get(FOCUS)
if focus not in shown_ids:
    focus = shown_ids[0] if shown_ids else None
if focus:
    with st.container(border=True):
        sample_detail(analysis, focus, score, key="proximity_detail")
