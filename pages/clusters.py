"""Clusters: HDBSCAN clusters of samples, their toxic enrichment, top features and examples."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from appkit import cached, jobs, jobview, nav, state
from appkit.charts import SET_COLORS, base_layout, show_chart
from appkit.text import truncate_expr

nav.page_setup()
analysis = state.require_analysis()
path = str(analysis.path)
root = state.cache_root()

st.title("Clusters")
st.caption(
    "HDBSCAN groups samples that sit together on the map. A cluster is **toxic** when it holds "
    "significantly more toxic-reference samples than chance (Fisher exact test, Benjamini-Hochberg q). "
    "Samples in no cluster are noise."
)


@st.cache_resource(max_entries=4, show_spinner=False)
def cluster_overview(path: str) -> pl.DataFrame:
    """clusters.parquet plus readable top features and two example texts per cluster."""
    analysis = cached.analysis_at(path)
    names = analysis.features.select("feature", pl.col("top_tokens").fill_null(""))
    top = (
        analysis.clusters.select("cluster", "top_features")
        .explode("top_features")
        .rename({"top_features": "feature"})
        .join(names, on="feature", how="left", maintain_order="left")
        .group_by("cluster", maintain_order=True)
        .agg((pl.col("feature").cast(pl.String) + " (" + pl.col("top_tokens").fill_null("") + ")").head(4).str.join("; ").alias("features"))
    )
    examples = (
        analysis.samples.filter(pl.col("set") == "train")
        .select("cluster", truncate_expr("text", 90))
        .group_by("cluster", maintain_order=True)
        .agg(pl.col("text").head(2).str.join(" ‖ ").alias("examples"))
    )
    return (
        analysis.clusters.join(top, on="cluster", how="left")
        .join(examples, on="cluster", how="left")
        .with_columns(
            pl.when(pl.col("cluster") == -1).then(pl.lit("noise")).otherwise(pl.col("cluster").cast(pl.String)).alias("name")
        )
        .sort(pl.col("cluster") == -1, pl.col("is_toxic_cluster"), pl.col("odds_ratio"), descending=[False, True, True])
    )


overview = cluster_overview(path)
clustered = overview.filter(pl.col("cluster") != -1)
n_toxic_clusters = int(clustered["is_toxic_cluster"].sum())
noise = overview.filter(pl.col("cluster") == -1)
cols = st.columns(4)
cols[0].metric("Clusters", f"{clustered.height:,}")
cols[1].metric("Toxic clusters", f"{n_toxic_clusters:,}")
cols[2].metric("Samples in noise", f"{int(noise['size'].sum()) if not noise.is_empty() else 0:,}")
# The settings HDBSCAN actually ran with (a configured 0 means "chosen from the data size").
params = analysis.manifest.get("resolved_clusters") or {}
if not params and isinstance(analysis.manifest.get("config"), dict):
    params = analysis.manifest["config"].get("clusters", {})
cols[3].metric("Minimum cluster size", str(params.get("min_cluster_size", "?")), help="HDBSCAN's min_cluster_size for this analysis.")

# Enrichment chart: where each cluster stands between "mostly benign/train" and "toxic".
figure = go.Figure()
for label, subset, color in (
    ("Toxic cluster", clustered.filter(pl.col("is_toxic_cluster")), SET_COLORS["toxic"]),
    ("Other cluster", clustered.filter(~pl.col("is_toxic_cluster")), SET_COLORS["train"]),
):
    if subset.is_empty():
        continue
    odds = subset["odds_ratio"].cast(pl.Float64).to_numpy()
    q_values = subset["q_value"].cast(pl.Float64).to_numpy()
    figure.add_trace(
        go.Scatter(
            x=np.log2(np.clip(odds, 1e-6, 1e6)),
            y=-np.log10(np.clip(q_values, 1e-300, 1.0)),
            mode="markers+text",
            text=subset["name"].to_numpy(),
            textposition="top center",
            name=label,
            marker={"color": color, "size": np.sqrt(subset["size"].to_numpy()) * 2 + 6, "opacity": 0.75, "line": {"width": 1, "color": "white"}},
            customdata=np.stack([subset["size"].to_numpy(), subset["toxic_share"].to_numpy(), subset["n_toxic"].to_numpy()], axis=1),
            hovertemplate="cluster %{text}<br>%{customdata[0]} samples, %{customdata[2]} toxic-reference (%{customdata[1]:.0%})<extra></extra>",
        )
    )
figure.add_hline(y=-np.log10(0.05), line_dash="dot", line_color="#888888", annotation_text="q = 0.05", annotation_position="bottom right")
figure.add_vline(x=0, line_color="#BBBBBB")
figure.update_layout(
    **base_layout(
        "Toxic enrichment of each cluster (bubble size = samples)",
        "log2 odds ratio of toxic-reference samples (right = enriched)",
        "-log10 q-value (up = more certain)",
        legend_title="",
        height=430,
    )
)
show_chart(figure, key="cluster_enrichment", file_name="cluster-enrichment")

st.subheader("All clusters")
table = overview.select(
    "name", "size", "n_train", "n_toxic", "n_benign", "toxic_share", "odds_ratio", "q_value", "is_toxic_cluster", "features", "examples"
)
event = st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="clusters_table",
    column_config={
        "name": st.column_config.TextColumn("Cluster"),
        "size": st.column_config.NumberColumn("Samples"),
        "n_train": st.column_config.NumberColumn("Train"),
        "n_toxic": st.column_config.NumberColumn("Toxic ref."),
        "n_benign": st.column_config.NumberColumn("Benign ref."),
        "toxic_share": st.column_config.ProgressColumn("Toxic share", min_value=0.0, max_value=1.0, format="percent"),
        "odds_ratio": st.column_config.NumberColumn("Odds ratio", format="%.2f"),
        "q_value": st.column_config.NumberColumn("q-value", format="%.2e"),
        "is_toxic_cluster": st.column_config.CheckboxColumn("Toxic"),
        "features": st.column_config.TextColumn("Top features (tokens)", width="large"),
        "examples": st.column_config.TextColumn("Example training texts", width="large"),
    },
)
rows = event.selection.rows if event is not None else []
if rows:
    chosen = overview.row(rows[0], named=True)
    cluster_id = int(chosen["cluster"])
    st.subheader(f"Cluster {chosen['name']}")
    members = analysis.samples.filter(pl.col("cluster") == cluster_id)
    score = state.chosen_score(analysis)
    actions = st.columns(3)
    if actions[0].button("Show these samples on the map", icon=":material/scatter_plot:"):
        st.session_state[state.SELECTED] = members["id"].to_list()
        st.session_state[state.COLOR] = cached.CLUSTER_COLOR
        nav.go("map")
    rule = dict(st.session_state[state.RULE])
    in_rule = cluster_id in rule.get("clusters", [])
    if cluster_id != -1 and actions[1].button(
        "Keep this cluster's training rows" if in_rule else "Remove this whole cluster in the filter",
        icon=":material/filter_alt:",
    ):
        clusters = [item for item in rule.get("clusters", []) if item != cluster_id] + ([] if in_rule else [cluster_id])
        rule["clusters"] = sorted(clusters)
        st.session_state[state.RULE] = rule
        st.rerun()
    actions[2].page_link(nav.page_path("export"), label="Go to Filter & export", icon=":material/filter_alt:")
    for set_name, label in (("train", "Training samples"), ("toxic", "Toxic-reference samples"), ("benign", "Benign-reference samples")):
        part = members.filter(pl.col("set") == set_name)
        if part.is_empty():
            continue
        if score:
            part = part.sort(score, descending=True, nulls_last=True)
        st.markdown(f"**{label}** ({part.height:,})")
        st.dataframe(
            part.head(8).select("id", *([score] if score else []), truncate_expr("text", 220)),
            hide_index=True,
            width="stretch",
            key=f"cluster_members_{set_name}",
        )
else:
    st.caption("Pick a cluster in the table to see its samples and to remove it as a whole.")

st.subheader("Re-cluster")
st.caption(
    "Change HDBSCAN's settings: only the clustering (and what depends on it) is recomputed, "
    "into a new analysis folder; the current one stays as it is."
)
jobview.job_panel(root, kinds=("recluster",))
with st.form("recluster_form"):
    left, right = st.columns(2)
    min_cluster_size = left.number_input(
        "Minimum cluster size",
        min_value=2,
        max_value=100_000,
        value=int(params.get("min_cluster_size") or 15),
        help="Smaller values find more, smaller clusters.",
    )
    min_samples = right.number_input(
        "Minimum samples (empty: same as cluster size)",
        min_value=1,
        max_value=100_000,
        value=params.get("min_samples"),
        help="Larger values are more conservative: more points become noise.",
    )
    submitted = st.form_submit_button("Re-cluster", icon=":material/refresh:")
if submitted:
    args = ["recluster", path, str(int(min_cluster_size))] + ([str(int(min_samples))] if min_samples else [])
    jobview.start(root, args, kind="recluster", label=f"Re-cluster (min size {int(min_cluster_size)})")
    st.rerun()
failed = [job for job in jobs.list_jobs(root) if job.kind == "recluster"][:1]
if failed and failed[0].state == "failed" and not (failed[0].folder / "dismissed").exists():
    jobview.show_failure(failed[0], "The last re-clustering")
    if st.button("Dismiss", key="dismiss_recluster"):
        (failed[0].folder / "dismissed").touch()
        st.rerun()
