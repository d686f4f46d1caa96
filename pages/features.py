"""Feature map: SAE latents placed by their decoder directions; one latent's samples, tokens and neighbours."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from appkit import cached, nav, state
from appkit.charts import (
    SET_COLORS,
    SET_LABELS,
    base_layout,
    marker_size,
    scatter_trace,
    show_chart,
)
from appkit.text import escape_expr, highlighted_html, token_activation

MAP_KEY = "feature_map"
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


@st.cache_resource(max_entries=4, show_spinner=False)
def unit_decoder(path: str) -> np.ndarray | None:
    decoder = cached.analysis_at(path).decoder()
    if decoder is None:
        return None
    norms = np.linalg.norm(decoder, axis=1, keepdims=True)
    return (decoder / np.where(norms > 0, norms, 1.0)).astype(np.float32)


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

with view_column:
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
    decoder = unit_decoder(path)
    if decoder is None:
        st.caption("This analysis uses a pretrained SAE whose decoder is not stored in the folder.")
    elif feature >= decoder.shape[0]:
        st.caption("This feature is outside the stored decoder.")
    else:
        # Only latents active somewhere in the data: the others have no samples to show.
        active = features["feature"].to_numpy()
        active = active[(active != feature) & (active < decoder.shape[0])]
        cosine = decoder[active] @ decoder[feature]
        order = np.argsort(-cosine)[:10]
        neighbours = (
            pl.DataFrame({"feature": active[order].astype(np.int32), "cosine": cosine[order].astype(np.float64)})
            .join(features.select("feature", "is_toxic", "cluster", "top_tokens"), on="feature", how="left", maintain_order="left")
        )
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
activation = analysis.feature_activation(feature).join(analysis.samples.select("id", "set", "text"), on="id", how="inner")
tabs = st.tabs([SET_LABELS[name] for name in ("train", "toxic", "benign")])
for tab, set_name in zip(tabs, ("train", "toxic", "benign"), strict=True):
    with tab:
        top = activation.filter(pl.col("set") == set_name).sort("value", descending=True).head(TOP_SAMPLES)
        if top.is_empty():
            st.caption("Not active on any sample of this set.")
            continue
        for sample_id, value, text in top.select("id", "value", "text").iter_rows():
            st.text(f"{sample_id} · pooled activation {value:.3f}")
            tokens = analysis.tokens_for(sample_id)
            if tokens.is_empty():
                st.code(text, language=None, wrap_lines=True)
            else:
                st.html(highlighted_html(text, token_activation(tokens, feature)))
if st.button("Color the sample map by this feature", icon=":material/scatter_plot:"):
    st.session_state[state.COLOR] = cached.FEATURE_COLOR
    nav.go("map")
