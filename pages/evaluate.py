"""Evaluate: how well each score finds labelled rows (ROC, precision-recall, removed vs retained)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from analysis.use.evaluate import EvaluationError, evaluate
from appkit import cached, nav, state
from appkit.charts import CATEGORY_COLORS, base_layout, show_chart
from appkit.text import escape_markdown

LEGEND_INSIDE_MAX = 5  # more curves than this: the legend goes under the plot

nav.page_setup()
analysis = state.require_analysis()
path = str(analysis.path)

st.title("Evaluate")
if not analysis.label_columns:
    st.info("This analysis has no label column (a carried column with 2 to 10 values), so there is nothing to evaluate against.")
    st.stop()
st.caption(
    "Uses the training rows that carry a label (for example planted harmful samples). A good score ranks the "
    "positive rows first: its ROC curve hugs the top-left, its precision stays high as recall grows, and "
    "removing a small share of rows removes most positives."
)

controls = st.columns([2, 2, 3])
with_positive = [name for name in analysis.label_columns if cached.positive_value(analysis, name) is not None]
preferred = with_positive[0] if with_positive else analysis.label_columns[0]
label_column = controls[0].selectbox(
    "Label column", analysis.label_columns, index=analysis.label_columns.index(preferred), key="evaluate_label"
)
values = (
    analysis.samples.filter((pl.col("set") == "train") & pl.col(label_column).is_not_null())[label_column]
    .cast(pl.String)
    .unique()
    .sort()
    .to_list()
)
default_positive = cached.positive_value(analysis, label_column) or (values[-1] if values else None)
positive = controls[1].selectbox("Positive value", values, index=values.index(default_positive) if default_positive in values else 0, key="evaluate_positive")
chosen_scores = controls[2].multiselect(
    "Scores", analysis.score_columns, default=analysis.score_columns, format_func=cached.score_label, key="evaluate_scores"
)


@st.cache_resource(max_entries=8, show_spinner="Computing curves…")
def curves(path: str, label_column: str, positive: str, scores: tuple[str, ...]) -> dict:
    """ROC and precision-recall points, AUROC and AP per score, on labelled training rows."""
    samples = cached.analysis_at(path).samples
    rows = samples.filter((pl.col("set") == "train") & pl.col(label_column).is_not_null())
    labels = (rows[label_column].cast(pl.String) == positive).to_numpy()
    result: dict = {"n_rows": rows.height, "n_positive": int(labels.sum()), "scores": {}, "empty": []}
    if labels.all() or not labels.any():
        return result
    for score in scores:
        values = rows[score].cast(pl.Float64).fill_nan(None).fill_null(-np.inf).to_numpy()
        present = np.isfinite(values)
        if not present.any():
            # No value on any labelled row: curves of it would be made up (AUROC 0.5).
            result["empty"].append(score)
            continue
        # A missing score ranks last; the export's cut never removes such a row.
        finite = np.where(present, values, values[present].min() - 1)
        fpr, tpr, _ = roc_curve(labels, finite)
        precision, recall, _ = precision_recall_curve(labels, finite)
        order = np.argsort(-finite, kind="stable")
        captured = np.concatenate([[0.0], np.cumsum(labels[order]) / labels.sum()])
        removed_share = np.arange(labels.size + 1) / labels.size
        step = max(1, labels.size // 400)  # a light curve: about 400 points
        result["scores"][score] = {
            "auroc": float(roc_auc_score(labels, finite)),
            "ap": float(average_precision_score(labels, finite)),
            "roc": (fpr, tpr),
            "pr": (recall, precision),
            "removal": (removed_share[::step], captured[::step]),
        }
    return result


if not chosen_scores:
    st.info("Choose at least one score.")
    st.stop()
data = curves(path, label_column, positive, tuple(chosen_scores))
if data["empty"]:
    st.caption(
        "Not evaluated (no value on any labelled training row): "
        + ", ".join(escape_markdown(cached.score_label(name)) for name in data["empty"])
        + "."
    )
if not data["scores"]:
    if data["n_positive"] in (0, data["n_rows"]):
        st.warning(f"{data['n_rows']:,} labelled training rows, {data['n_positive']:,} positive: both classes are needed.")
    else:
        st.info("None of the chosen scores has a value on the labelled training rows: choose another score.")
    st.stop()
base_rate = data["n_positive"] / data["n_rows"]
st.caption(
    f"{data['n_rows']:,} labelled training rows, {data['n_positive']:,} with "
    f"{escape_markdown(label_column)} = {escape_markdown(positive)} ({base_rate:.1%})."
)

summary = pl.DataFrame(
    {
        "score": [cached.score_label(name) for name in data["scores"]],
        "auroc": [item["auroc"] for item in data["scores"].values()],
        "average_precision": [item["ap"] for item in data["scores"].values()],
    }
).sort("auroc", descending=True)


def color_of(index: int) -> str:
    return CATEGORY_COLORS[index % len(CATEGORY_COLORS)]


roc = go.Figure()
pr = go.Figure()
removal = go.Figure()
for index, (name, item) in enumerate(data["scores"].items()):
    label = f"{cached.score_label(name)}"
    roc.add_trace(go.Scatter(x=item["roc"][0], y=item["roc"][1], mode="lines", name=f"{label} (AUROC {item['auroc']:.2f})", line={"color": color_of(index)}))
    pr.add_trace(go.Scatter(x=item["pr"][0], y=item["pr"][1], mode="lines", name=f"{label} (AP {item['ap']:.2f})", line={"color": color_of(index)}))
    removal.add_trace(go.Scatter(x=item["removal"][0], y=item["removal"][1], mode="lines", name=label, line={"color": color_of(index)}))
roc.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Random (AUROC 0.50)", line={"color": "#999999", "dash": "dash"}))
pr.add_hline(y=base_rate, line_dash="dash", line_color="#999999", annotation_text=f"random ({base_rate:.1%})")
removal.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Random removal", line={"color": "#999999", "dash": "dash"}))
removal.add_trace(
    go.Scatter(x=[0, base_rate, 1], y=[0, 1, 1], mode="lines", name="Perfect removal", line={"color": "#444444", "dash": "dot"})
)
roc.update_layout(**base_layout("ROC: positives found vs clean rows flagged", "False-positive rate", "True-positive rate", height=460))
pr.update_layout(**base_layout("Precision-recall", "Recall (share of positives found)", "Precision (share of flagged rows that are positive)", height=460))
removal.update_layout(
    **base_layout("Removed vs retained: remove the top x% by score", "Share of training rows removed", "Share of positive rows removed", height=460)
)
# A few curves: the legend sits in the empty corner; many: under the plot, which grows to hold
# it, so it never hides the curves.
legend_inside = len(data["scores"]) <= LEGEND_INSIDE_MAX
for figure in (roc, pr, removal):
    if legend_inside:
        figure.update_layout(legend={"orientation": "v", "y": 0.02, "yanchor": "bottom", "x": 0.98, "xanchor": "right", "bgcolor": "rgba(255,255,255,0.7)"})
    else:
        entries = len(figure.data) + 1
        figure.update_layout(legend={"orientation": "v", "y": -0.14, "yanchor": "top", "x": 0, "xanchor": "left"}, height=460 + 21 * entries, margin={"b": 40 + 21 * entries})
    figure.update_xaxes(range=[0, 1])
    figure.update_yaxes(range=[0, 1.02])
removal.update_xaxes(tickformat=".0%")
removal.update_yaxes(tickformat=".0%")

left, right = st.columns(2)
with left:
    show_chart(roc, key="roc_curve", file_name="roc")
with right:
    show_chart(pr, key="pr_curve", file_name="precision-recall")
left, right = st.columns([3, 2])
with left:
    show_chart(removal, key="removal_curve", file_name="removed-vs-retained")
with right:
    st.markdown("**Scores ranked by AUROC**")
    st.dataframe(
        summary,
        hide_index=True,
        width="stretch",
        column_config={
            "auroc": st.column_config.NumberColumn("AUROC", format="%.3f"),
            "average_precision": st.column_config.NumberColumn("Average precision", format="%.3f"),
        },
    )

st.subheader("Full report with baselines and confidence intervals")
st.caption(
    "Adds bootstrap intervals, precision and recall at 5/10/20% removed, and baselines (random, length, keyword, "
    "TF-IDF kNN, raw-embedding kNN, a supervised probe). It takes a while on large sets, so it runs on request."
)


@st.cache_resource(max_entries=4, show_spinner="Evaluating scores and baselines…")
def full_report(path: str, label_column: str, positive: str, n_bootstrap: int):
    return evaluate(path, label_column, positive, n_bootstrap=n_bootstrap, seed=0)


report_key = (path, label_column, positive)
if st.button("Compute the full report", icon=":material/analytics:") or st.session_state.get("_report_key") == report_key:
    st.session_state["_report_key"] = report_key
    try:
        report = full_report(path, label_column, positive, 200)
    except EvaluationError as error:
        st.error(str(error))
        st.stop()
    table = report.table
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={name: st.column_config.NumberColumn(format="%.3f") for name in table.columns if table.schema[name] == pl.Float64},
    )
    for note in report.notes:
        st.caption(note)
