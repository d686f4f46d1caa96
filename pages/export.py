"""Filter & export: turn a score into kept/removed, preview the cut, then export it reproducibly."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from analysis.use.export import (
    FilterRule,
    decide,
    export,
    export_command,
    top_count,
    usable_score_columns,
)
from appkit import cached, marksview, nav, state
from appkit.charts import SET_COLORS, base_layout, show_chart
from appkit.reportview import report_download
from appkit.text import escape_markdown

MODES = {"top_percent": "Top q% by score", "threshold": "Score at or above a threshold", "none": "No score cut (clusters / manual only)"}
LAST_EXPORT = "_last_export"
REMOVED_TABLE = "removed_rows_table"
MARK_TARGET = "_mark_target"

nav.page_setup()
analysis = state.require_analysis()
path = str(analysis.path)
root = state.cache_root()

st.title("Filter & export")
st.caption(
    "Choose which training rows to remove. Every criterion adds rows to the removed set; rows you chose to "
    "always keep stay whatever the rule says. Nothing is written until you export."
)
if not analysis.score_columns:
    st.warning("This analysis has no score columns.")
    st.stop()

samples = analysis.samples
train = samples.filter(pl.col("set") == "train")
# A cut ranks training rows by a score: one with no value on any training row (left empty by
# the build) is not offered.
score_options = usable_score_columns(samples)
left_out = [name for name in analysis.score_columns if name not in score_options]
if not score_options:
    st.warning(
        "No score column has a value on any training row ("
        + ", ".join(escape_markdown(name) for name in left_out)
        + " are all null or NaN), so no score cut can rank them."
    )
    st.stop()
rule_state: dict[str, Any] = dict(st.session_state[state.RULE])
marks = marksview.marks_of(path)
marks_log = marks.read()


def bind_rule(field: str) -> dict[str, Any]:
    """Widget kwargs for one field of the shared rule (kept when leaving the page)."""
    widget_key = f"_w_rule_{field}"
    st.session_state[widget_key] = rule_state.get(field)

    def copy_back() -> None:
        rule = dict(st.session_state[state.RULE])
        rule[field] = st.session_state[widget_key]
        st.session_state[state.RULE] = rule

    return {"key": widget_key, "on_change": copy_back}


# --- the rule ---------------------------------------------------------------------------------
score = state.chosen_score(analysis)
if score not in score_options:
    # e.g. a score picked on another page or named in a link: fall back to one that has values
    fallback = analysis.default_score if analysis.default_score in score_options else score_options[0]
    st.info(
        f"{escape_markdown(score)} has no value on any training row, so it cannot rank them: "
        f"showing {escape_markdown(cached.score_label(fallback))} instead."
    )
    st.session_state[state.SCORE] = score = fallback
with st.container(border=True):
    st.markdown("**Rule**")
    first, second, third = st.columns([2, 2, 2])
    score = first.selectbox("Score", score_options, format_func=cached.score_label, **state.bind(state.SCORE))
    if left_out:
        first.caption(
            "Not offered (no value on any training row): " + ", ".join(escape_markdown(cached.score_label(name)) for name in left_out) + "."
        )
    if rule_state.get("mode") not in MODES:
        rule_state["mode"] = "top_percent"
    mode = second.radio("Cut", list(MODES), format_func=MODES.get, **bind_rule("mode"))
    train_scores = train[score].cast(pl.Float64).fill_nan(None).drop_nulls()
    if mode == "top_percent":
        if not rule_state.get("top_percent"):
            rule_state["top_percent"] = 5.0
        third.number_input(
            "Remove the top q% of training rows",
            min_value=0.1,
            max_value=100.0,
            step=0.5,
            format="%.1f",
            **bind_rule("top_percent"),
        )
        if 0 < float(rule_state.get("top_percent") or 0) <= 100:
            n_top = top_count(float(rule_state["top_percent"]), train_scores.len())
            third.caption(
                f"= {n_top:,} of {train_scores.len():,} scored training rows (rounded half up, at least one row)."
            )
    elif mode == "threshold":
        if rule_state.get("threshold") is None and train_scores.len():
            rule_state["threshold"] = round(float(train_scores.quantile(0.95)), 4)
        third.number_input(
            f"Remove rows with {cached.score_label(score)} ≥",
            step=0.01,
            format="%.4f",
            help=f"Training scores range from {train_scores.min():.3f} to {train_scores.max():.3f}." if train_scores.len() else None,
            **bind_rule("threshold"),
        )
    clusters = analysis.clusters.filter(pl.col("cluster") != -1).sort(pl.col("is_toxic_cluster"), pl.col("odds_ratio"), descending=True)
    cluster_labels = {
        int(row["cluster"]): f"{row['cluster']} · {row['n_train']:,} training rows · {row['toxic_share']:.0%} toxic ref."
        + (" · toxic cluster" if row["is_toxic_cluster"] else "")
        for row in clusters.iter_rows(named=True)
    }
    rule_state["clusters"] = [cluster for cluster in rule_state.get("clusters", []) if cluster in cluster_labels]
    st.multiselect(
        "Also remove every training row of these clusters",
        list(cluster_labels),
        format_func=cluster_labels.get,
        placeholder="toxic clusters are listed first",
        **bind_rule("clusters"),
    )
    manual_remove: list[str] = st.session_state[state.MANUAL_REMOVE]
    manual_keep: list[str] = st.session_state[state.MANUAL_KEEP]
    manual = st.columns([3, 1, 1])
    manual[0].caption(
        f"Chosen by hand on the sample map: {len(manual_remove):,} to remove, {len(manual_keep):,} always kept."
    )
    if manual[1].button("Clear removals", disabled=not manual_remove):
        st.session_state[state.MANUAL_REMOVE] = []
        st.rerun()
    if manual[2].button("Clear keeps", disabled=not manual_keep):
        st.session_state[state.MANUAL_KEEP] = []
        st.rerun()
    chosen_marks = [*(rule_state.get("remove_marks") or []), *(rule_state.get("keep_marks") or [])]
    tags = marksview.tag_options(marks_log, chosen_marks)
    if tags:
        marked = st.columns(2)
        for field, label in (("remove_marks", "Also remove the rows marked"), ("keep_marks", "Keep only the rows marked")):
            rule_state[field] = [tag for tag in rule_state.get(field) or [] if tag in tags]
            marked[0 if field == "remove_marks" else 1].multiselect(label, tags, placeholder="marks made below", **bind_rule(field))
    n_unscored = train.height - train_scores.len()
    if n_unscored and mode != "none":
        st.caption(
            f"{n_unscored:,} of {train.height:,} training rows have no {escape_markdown(cached.score_label(score))} value: "
            "the score cut never removes them (clusters and manual choices still can)."
        )
    st.session_state[state.RULE] = rule_state

rule_state = st.session_state[state.RULE]
train_ids = set(train["id"].to_list())
try:
    rule = FilterRule(
        score=score,
        top_percent=float(rule_state["top_percent"]) if rule_state.get("mode") == "top_percent" and rule_state.get("top_percent") else None,
        threshold=float(rule_state["threshold"]) if rule_state.get("mode") == "threshold" and rule_state.get("threshold") is not None else None,
        clusters=tuple(rule_state.get("clusters", [])),
        remove_ids=tuple(sample_id for sample_id in manual_remove if sample_id in train_ids),
        keep_ids=tuple(sample_id for sample_id in manual_keep if sample_id in train_ids),
        remove_marks=tuple(rule_state.get("remove_marks") or ()),
        keep_marks=tuple(rule_state.get("keep_marks") or ()),
        # the marks as they are now: the export records them, so later marks never change it
        marked=marks_log.snapshot([*(rule_state.get("remove_marks") or ()), *(rule_state.get("keep_marks") or ())]),
    )
    rule.check_has_criteria()
except ValueError as error:
    st.info(f"The rule is not complete yet: {escape_markdown(error)}.")
    st.stop()


@st.cache_resource(max_entries=16, show_spinner=False)
def preview(path: str, rule: FilterRule) -> pl.DataFrame:
    """decide() joined with what the preview shows (cluster, score, labels)."""
    analysis = cached.analysis_at(path)
    decision = decide(analysis.samples, rule)
    extra = ["id", "cluster", *analysis.label_columns]
    if rule.score in analysis.samples.columns:
        extra.append(rule.score)
    return decision.join(analysis.samples.select(list(dict.fromkeys(extra))), on="id", how="left", maintain_order="left")


try:
    decision = preview(path, rule)
except ValueError as error:
    # e.g. a score without values on the training rows: say why, never show a cut
    st.error(f"This rule cannot be applied: {escape_markdown(error)}")
    st.stop()
removed = decision.filter(pl.col("removed"))
n_removed, n_train = removed.height, decision.height

# --- preview ------------------------------------------------------------------------------------
st.subheader("Before you export")
st.text(rule.describe())
metrics = st.columns(4)
metrics[0].metric(
    "Training rows removed", f"{n_removed:,}", f"{n_removed / max(n_train, 1):.1%} of {n_train:,}", delta_color="off", delta_arrow="off"
)
metrics[1].metric("Training rows kept", f"{n_train - n_removed:,}")
metrics[2].metric("Clusters touched", f"{removed['cluster'].n_unique() if n_removed else 0:,}")
labels = [(name, value) for name in analysis.label_columns if (value := cached.positive_value(analysis, name)) is not None]
if labels and n_removed:
    # A planted-harm label (1/0, harmful/clean, ...) lets the preview say how much of it the cut catches.
    label_column, positive = labels[0]
    is_positive = pl.col(label_column).cast(pl.String) == positive
    caught = removed.filter(is_positive).height
    total_positive = decision.filter(is_positive).height
    metrics[3].metric(
        f"Rows with {escape_markdown(label_column)} = {escape_markdown(positive)} removed",
        f"{caught:,} of {total_positive:,}",
        f"precision {caught / max(n_removed, 1):.0%}",
        delta_color="off",
        delta_arrow="off",
        help=f"How many of the rows labelled positive in `{label_column}` the rule removes.",
    )

left, right = st.columns([3, 2])
with left:
    figure = go.Figure()
    kept_scores = decision.filter(~pl.col("removed"))[score].drop_nulls().to_numpy() if score in decision.columns else []
    removed_scores = removed[score].drop_nulls().to_numpy() if score in removed.columns else []
    figure.add_trace(go.Histogram(x=kept_scores, name=f"Kept ({len(kept_scores):,})", marker_color=SET_COLORS["train"], opacity=0.7, nbinsx=60))
    figure.add_trace(go.Histogram(x=removed_scores, name=f"Removed ({len(removed_scores):,})", marker_color=SET_COLORS["toxic"], opacity=0.8, nbinsx=60))
    figure.update_layout(
        **base_layout("Training rows kept and removed, by score", f"{cached.score_label(score)} (higher = closer to toxic)", "Training rows", legend_title="", height=360),
        barmode="stack",
    )
    show_chart(figure, key="export_histogram", file_name="export-preview")
with right:
    st.markdown("**Why rows are removed**")
    reasons = (
        removed.select(pl.col("reason").str.split("; ").alias("reason")).explode("reason")
        .with_columns(pl.col("reason").str.replace(r"^cluster .*", "whole cluster").str.replace(r"^score.* >= .*", "score threshold"))
        .group_by("reason").len().sort("len", descending=True).rename({"len": "rows"})
    )
    st.dataframe(
        reasons,
        hide_index=True,
        width="stretch",
        column_config={"reason": st.column_config.TextColumn("Reason"), "rows": st.column_config.NumberColumn("Rows")},
    )
    st.markdown("**Removed rows per cluster**")
    sizes = train.group_by("cluster").len().rename({"len": "training_rows"})
    per_cluster = (
        removed.group_by("cluster").len().rename({"len": "removed"})
        .join(sizes, on="cluster", how="left")
        .with_columns((pl.col("removed") / pl.col("training_rows")).alias("share"))
        .join(analysis.clusters.select("cluster", "is_toxic_cluster"), on="cluster", how="left")
        .sort("removed", descending=True)
        .with_columns(pl.when(pl.col("cluster") == -1).then(pl.lit("noise")).otherwise(pl.col("cluster").cast(pl.String)).alias("cluster"))
    )
    st.dataframe(
        per_cluster,
        hide_index=True,
        width="stretch",
        height=240,
        column_config={
            "cluster": st.column_config.TextColumn("Cluster"),
            "removed": st.column_config.NumberColumn("Removed"),
            "training_rows": st.column_config.NumberColumn("Training rows"),
            "share": st.column_config.ProgressColumn("Share of cluster removed", min_value=0.0, max_value=1.0, format="percent"),
            "is_toxic_cluster": st.column_config.CheckboxColumn("Toxic cluster"),
        },
    )

with st.expander(f"The {min(n_removed, 500):,} highest-scoring removed rows"):
    shown = removed.sort(score, descending=True, nulls_last=True).head(500) if score in removed.columns else removed.head(500)
    st.caption("Pick rows (the boxes on the left) to mark just those below.")
    st.dataframe(
        shown.join(samples.select("id", pl.col("text").str.slice(0, 200)), on="id", how="left", maintain_order="left"),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key=REMOVED_TABLE,
    )

# --- marks --------------------------------------------------------------------------------------
st.subheader("Mark rows as you read them")
st.caption(
    f"Marks are kept beside the analysis (marks/{escape_markdown(marks.path.name)} in the cache), each with its time and an "
    "optional note and name; the rule above can then remove the rows marked harmful, or keep only those marked fine."
)
marksview.show_problems(marks_log)
learned_top = marksview.learn_from_marks(path, marks_log, samples)
table_event = st.session_state.get(REMOVED_TABLE)
picked_rows = table_event["selection"]["rows"] if table_event else []
targets = {"removed": (f"The {n_removed:,} rows this rule removes", removed["id"].to_list())}
if picked_rows:
    picked = [shown["id"][row] for row in picked_rows if row < shown.height]
    targets["picked"] = (f"The {len(picked):,} rows picked in the table above", picked)
selected_on_map = st.session_state.get(state.SELECTED) or []
if selected_on_map:
    targets["map"] = (f"The {len(selected_on_map):,} rows selected on the sample map", list(selected_on_map))
if learned_top:
    targets["learned"] = (f"The {len(learned_top):,} unmarked rows the learned score ranks highest", learned_top)
if st.session_state.get(MARK_TARGET) not in targets:
    st.session_state[MARK_TARGET] = "removed"
target_rows = st.radio("Rows to mark", list(targets), format_func=lambda name: targets[name][0], horizontal=True, key=MARK_TARGET)
marksview.mark_controls(path, targets[target_rows][1], marks_log, key="export_marks")
marksview.marks_table(samples, marks_log)

# --- export -------------------------------------------------------------------------------------
st.subheader("Export")


def export_folder(rule: FilterRule) -> Path:
    """One folder per (analysis, rule): the same rule exports once and is reused."""
    key = hashlib.sha256(json.dumps({"analysis": path, "rule": rule.to_dict()}, sort_keys=True).encode()).hexdigest()[:12]
    return root / "exports" / f"{analysis.name}-{key}"


def zip_of(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            if file.is_file():
                archive.write(file, arcname=f"{folder.name}/{file.name}")
    return buffer.getvalue()


target = export_folder(rule)
st.caption(
    f"Writes kept and removed rows in the training input's own format, as Parquet, CSV and JSON Lines "
    f"(with scores, cluster and reason), plus a manifest that re-applies the cut. Folder: exports/{target.name}"
)
already = (target / "manifest.json").is_file()
if st.button("Export kept and removed sets" if not already else "Exported: show the files", type="primary", icon=":material/save:"):
    if not already:
        try:
            with st.spinner("Writing the export…"):
                export(analysis.path, rule, target, marks_file=marks.path if rule.uses_marks else None)
        except FileExistsError:
            pass  # another session exported the same rule meanwhile: same content
        except (ValueError, OSError) as error:
            st.error(f"Export failed: {escape_markdown(error)}")
            st.stop()
    st.session_state[LAST_EXPORT] = str(target)

last = st.session_state.get(LAST_EXPORT)
if last and Path(last) == target and (target / "manifest.json").is_file():
    manifest = json.loads((target / "manifest.json").read_text())
    st.success(f"Exported to exports/{target.name}.", icon=":material/check_circle:")
    files = sorted(file for file in target.iterdir() if file.is_file())
    columns = st.columns(4)
    for index, file in enumerate(files):
        columns[index % 4].download_button(
            file.name,
            data=lambda file=file: file.read_bytes(),
            file_name=file.name,
            key=f"download_{file.name}",
            on_click="ignore",
            icon=":material/download:",
        )
    st.download_button(
        "Download everything (zip)",
        data=lambda: zip_of(target),
        file_name=f"{target.name}.zip",
        mime="application/zip",
        key="download_zip",
        on_click="ignore",
        icon=":material/folder_zip:",
        type="primary",
    )
    report_download(path, export_path=str(target), key="export_report")
    with st.expander("Re-run this exact cut from a terminal"):
        st.code(manifest.get("command") or export_command(analysis.path, rule, target, marks_file=marks.path), language="bash")
    with st.expander("Export manifest"):
        st.json(manifest, expanded=1)
