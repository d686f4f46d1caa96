"""Feature map: SAE latents placed by their decoder directions; one latent's samples, tokens and neighbours."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from appkit import cached, nav, queryview, state
from appkit.charts import (
    SET_COLORS,
    SET_LABELS,
    base_layout,
    marker_size,
    scatter_trace,
    show_chart,
)
from appkit.text import escape_expr, escape_markdown, highlighted_html, token_activation

MAP_KEY = "feature_map"
SEARCH_KEY = "feature_search"
HITS_KEY = "feature_search_hits"
PHRASE_KEY = "feature_phrase"
PHRASE_HITS_KEY = "feature_phrase_hits"
QUERY_SLOT = "features"
TOP_SAMPLES = 4

nav.page_setup()
analysis = state.require_analysis()
path = str(analysis.path)
features = analysis.features

st.title("Feature map")
st.caption(
    "Each point is one SAE feature (latent), placed by a UMAP of its decoder direction: nearby features "
    "write similar directions into the model. Red diamonds are **toxic features** (fire more on the toxic "
    "reference than elsewhere); orange points sit in **toxic feature clusters**. Click a feature to inspect it."
)


@st.cache_resource(max_entries=4, show_spinner="Drawing the feature map…")
def feature_map(path: str) -> tuple[go.Figure, list[np.ndarray]]:
    analysis = cached.analysis_at(path)
    table = analysis.features.join(
        analysis.feature_clusters.select("cluster", pl.col("is_toxic_cluster").alias("in_toxic_cluster")), on="cluster", how="left"
    ).with_columns(pl.col("in_toxic_cluster").fill_null(False) & (pl.col("cluster") != -1))
    figure = go.Figure()
    trace_features: list[np.ndarray] = []
    size = marker_size(table.height)
    groups = (
        ("Other feature", ~pl.col("is_toxic") & ~pl.col("in_toxic_cluster"), {"color": "#9BB3CF", "symbol": "circle"}),
        ("In a toxic feature cluster", ~pl.col("is_toxic") & pl.col("in_toxic_cluster"), {"color": "#F58518", "symbol": "circle"}),
        ("Toxic feature", pl.col("is_toxic"), {"color": SET_COLORS["toxic"], "symbol": "diamond", "line": {"width": 0.5, "color": "#7A1F1E"}}),
    )
    for name, condition, marker in groups:
        part = table.filter(condition)
        if part.is_empty():
            continue
        hover = part.select(
            pl.format(
                "feature {} · cluster {}<br>{}<br>active in {}% of toxic, {}% of training samples",
                "feature",
                "cluster",
                escape_expr(pl.col("top_tokens").fill_null("")),
                (pl.col("freq_toxic") * 100).round(1),
                (pl.col("freq_train") * 100).round(1),
            ).alias("hover")
        )["hover"]
        figure.add_trace(
            scatter_trace(
                part, name, hover.to_numpy(), {**marker, "size": size + (2 if name == "Toxic feature" else 0), "opacity": 0.85},
                "%{hovertext}<extra></extra>",
            )
        )
        trace_features.append(part["feature"].to_numpy())
    figure.update_layout(
        **base_layout("SAE features by decoder direction", "UMAP 1", "UMAP 2", legend_title="", height=560),
        dragmode="zoom",
        uirevision="features",
    )
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    return figure, trace_features


@st.cache_resource(max_entries=64, show_spinner=False)
def nearest_features(path: str, feature: int) -> pl.DataFrame | str:
    """The 10 active latents nearest `feature` by decoder cosine, or why there are none."""
    analysis = cached.analysis_at(path)
    decoder = analysis.decoder
    if decoder is None:
        return "This analysis folder keeps no decoder directions (no decoder.safetensors): rebuild it to see the nearest features."
    if feature not in decoder:
        return f"Feature {feature} is not active in this data, so the analysis keeps no decoder direction for it."
    # Only latents active somewhere in the data have a direction here, and only they have samples to show.
    return decoder.cosine_to(feature, top=10).join(
        analysis.features.select("feature", "is_toxic", "cluster", "top_tokens"), on="feature", how="left", maintain_order="left"
    )


figure, trace_features = feature_map(path)
names = cached.feature_names(path)
if st.session_state.get(state.FEATURE) not in names:
    toxic = features.filter(pl.col("is_toxic")).sort("toxic_log_odds", descending=True)
    st.session_state[state.FEATURE] = int((toxic if not toxic.is_empty() else features)["feature"][0])


def on_feature_click() -> None:
    points = st.session_state[MAP_KEY]["selection"]["points"]
    for point in points:
        curve = point.get("curve_number", point.get("curveNumber"))
        index = point.get("point_index", point.get("pointIndex"))
        if curve is not None and index is not None and curve < len(trace_features) and index < len(trace_features[curve]):
            st.session_state[state.FEATURE] = int(trace_features[curve][index])
            return


map_column, view_column = st.columns([1, 1], gap="medium")
with map_column:
    show_chart(figure, key=MAP_KEY, file_name="feature-map", on_select=on_feature_click, selection_mode=("points",))
    toxic_count = int(features["is_toxic"].sum())
    st.caption(f"{features.height:,} active features, {toxic_count:,} toxic.")

def feature_pick_table(table: pl.DataFrame, key: str, on_select: Callable[[], None], value_column: dict) -> None:
    """Features found by a search, one to pick (which opens its page below): the feature, the
    search's own value column, whether it is toxic and the tokens it fires on most."""
    st.dataframe(
        table,
        hide_index=True,
        height=min(36 * (table.height + 1) + 2, 240),
        on_select=on_select,
        selection_mode="single-row",
        key=key,
        column_config={
            "feature": st.column_config.NumberColumn("Feature"),
            **value_column,
            "is_toxic": st.column_config.CheckboxColumn("Toxic"),
            "top_tokens": st.column_config.TextColumn("Fires most on"),
        },
    )


def on_hit_selected() -> None:
    rows = st.session_state[HITS_KEY]["selection"]["rows"]
    if rows:
        hits = cached.features_firing_on(path, st.session_state.get(SEARCH_KEY, ""))
        st.session_state[state.FEATURE] = int(hits["feature"][rows[0]])


def on_phrase() -> None:
    text = st.session_state.get(PHRASE_KEY, "").strip()
    if text:
        queryview.ask(state.cache_root(), path, text, QUERY_SLOT)


def phrase_latents(answer: dict) -> pl.DataFrame:
    """The phrase's strongest latents that the analysis knows (they have a page here)."""
    (found,) = answer["answers"]
    rows = [latent for latent in found.get("active_latents", []) if latent["feature"] in names]
    schema = {"feature": pl.Int64, "activation": pl.Float64, "is_toxic": pl.Boolean, "top_tokens": pl.String}
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def on_phrase_hit_selected() -> None:
    rows = st.session_state[PHRASE_HITS_KEY]["selection"]["rows"]
    phrase = queryview.current_answer(path, QUERY_SLOT)
    if rows and phrase is not None:
        st.session_state[state.FEATURE] = int(phrase_latents(phrase["answer"])["feature"][rows[0]])


with view_column:
    search = st.text_input(
        "Find features by the tokens they fire on", key=SEARCH_KEY, placeholder="e.g. password, SELECT, overdose"
    )
    if search.strip():
        hits = cached.features_firing_on(path, search)
        if hits.is_empty():
            st.caption("No feature has a top token containing that text.")
        else:
            st.caption(f"{hits.height} feature(s) fire most on a token containing it (toxic first); pick one to open it.")
            feature_pick_table(hits, HITS_KEY, on_hit_selected, {"toxic_log_odds": st.column_config.NumberColumn("Log-odds toxic", format="%.2f")})
    with st.expander("…or by a phrase, read by the analysis' model", icon=":material/travel_explore:", expanded=bool(queryview.current_answer(path, QUERY_SLOT))):
        st.text_input(
            "Phrase to read",
            key=PHRASE_KEY,
            placeholder="e.g. mix bleach and ammonia",
            help="Read by the analysis' own model and SAE (a query service, started by the first phrase); "
            "its strongest latents are listed, largest activation first.",
        )
        st.button("Find its latents", icon=":material/search:", on_click=on_phrase, key="feature_phrase_find")
        queryview.resolve_pending(QUERY_SLOT)
        phrase = queryview.current_answer(path, QUERY_SLOT)
        if phrase is not None and not queryview.show_error(phrase["answer"]):
            strongest = phrase_latents(phrase["answer"])
            if strongest.is_empty():
                st.caption("No latent fires on that phrase.")
            else:
                st.caption(f"The strongest latents of “{escape_markdown(phrase['text'][:80])}”; pick one to open it (a latent no analysis row fired on has no page).")
                feature_pick_table(strongest, PHRASE_HITS_KEY, on_phrase_hit_selected, {"activation": st.column_config.NumberColumn("Activation", format="%.3f")})
    feature = st.selectbox("Feature", list(names), format_func=names.get, **state.bind(state.FEATURE))
    row = features.filter(pl.col("feature") == feature).row(0, named=True)
    st.subheader(f"Feature {feature}")
    st.text(f"Fires most on: {row['top_tokens'] or '(no tokens recorded)'}")
    metrics = st.columns(4)
    metrics[0].metric("Toxic feature", "yes" if row["is_toxic"] else "no")
    metrics[1].metric("Log-odds toxic", f"{row['toxic_log_odds']:.2f}")
    metrics[2].metric("q-value", f"{row['toxic_q']:.1e}")
    metrics[3].metric("Feature cluster", "noise" if row["cluster"] == -1 else str(row["cluster"]))

    frequency = go.Figure(
        go.Bar(
            x=[SET_LABELS[name] for name in ("train", "toxic", "benign")],
            y=[row["freq_train"], row["freq_toxic"], row["freq_benign"]],
            marker_color=[SET_COLORS[name] for name in ("train", "toxic", "benign")],
            text=[f"{value:.1%}" for value in (row["freq_train"], row["freq_toxic"], row["freq_benign"])],
            textposition="outside",
            showlegend=False,
        )
    )
    frequency.update_layout(**base_layout(f"How often feature {feature} is active, per set", "Set", "Share of samples where active", height=300))
    frequency.update_yaxes(tickformat=".0%")
    show_chart(frequency, key="feature_frequency", file_name=f"feature-{feature}-frequency")

    st.markdown("**Nearest features by decoder direction**")
    neighbours = nearest_features(path, feature)
    if isinstance(neighbours, str):
        st.caption(neighbours)
    else:
        st.dataframe(
            neighbours,
            hide_index=True,
            width="stretch",
            column_config={
                "cosine": st.column_config.ProgressColumn("Decoder cosine", min_value=-1.0, max_value=1.0, format="%.2f"),
                "is_toxic": st.column_config.CheckboxColumn("Toxic"),
                "top_tokens": st.column_config.TextColumn("Fires most on"),
            },
            key="feature_neighbours",
        )

st.subheader(f"Samples where feature {feature} fires most")
top, top_tokens = cached.feature_top_samples(path, feature, TOP_SAMPLES)
tabs = st.tabs([SET_LABELS[name] for name in ("train", "toxic", "benign")])
for tab, set_name in zip(tabs, ("train", "toxic", "benign"), strict=True):
    with tab:
        rows = top.filter(pl.col("set") == set_name)
        if rows.is_empty():
            st.caption("Not active on any sample of this set.")
            continue
        for sample_id, value, text in rows.select("id", "value", "text").iter_rows():
            st.text(f"{sample_id} · pooled activation {value:.3f}")
            tokens = top_tokens.filter(pl.col("id") == sample_id)
            if tokens.is_empty():
                st.code(text, language=None, wrap_lines=True)
            else:
                st.html(highlighted_html(text, token_activation(tokens, feature)))
if st.button("Color the sample map by this feature", icon=":material/scatter_plot:"):
    st.session_state[state.COLOR] = cached.FEATURE_COLOR
    nav.go("map")
