"""Compare a new batch with the open analysis: its monitor runs, their map, scores, drifting latents and drivers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import streamlit as st

from analysis.scoring.drift import Thresholds
from appkit import cached, jobs, jobview, nav, state
from appkit.charts import show_chart
from appkit.reportview import report_download
from appkit.text import escape_markdown, truncate_expr
from appkit.uploads import (
    ACCEPTED_TYPES,
    MAX_UPLOAD_MB,
    CheckedInput,
    CheckedUpload,
    InvalidInput,
    check_path,
    check_upload,
    store_upload,
)
from appkit.views import batch_detail, sample_detail

MAP_KEY = "compare_map"
FOCUS = "_compare_focus"  # ("batch" | "analysis", id)
PICKED = "_compare_picked"  # batch ids selected on the map
DRIVERS_KEY = "compare_drivers"
SHOWN = "_compare_shown_run"
DISMISSED = "dismissed"

nav.page_setup()
analysis = state.require_analysis()
path = str(analysis.path)
root = state.cache_root()
analysis_id = analysis.manifest.get("analysis_id")

st.title("Compare a batch")
st.caption(
    "Score a new batch with this analysis' own model, SAE and fitted scorer (nothing is refitted), place it on "
    "its map and test whether it sits closer to toxic than the training rows."
)

jobview.job_panel(root, kinds=(jobview.MONITOR_KIND,))
own_jobs = [job for job in jobs.list_jobs(root) if job.kind == jobview.MONITOR_KIND and job.meta.get("analysis_id") == analysis_id]
latest = own_jobs[0] if own_jobs else None
if latest is not None and latest.state in ("failed", "interrupted") and not (latest.folder / DISMISSED).exists():
    with st.container(border=True):
        jobview.show_failure(latest, f"The last comparison, {escape_markdown(latest.label)},")
        if st.button("Dismiss", icon=":material/close:", key="compare_dismiss"):
            (latest.folder / DISMISSED).touch()
            st.rerun()

runs = cached.monitor_runs(str(root), analysis)
defaults = Thresholds()


def target_folder(batch_sha: str, thresholds: Thresholds) -> tuple[Path, bool]:
    """Where the run goes: monitor's own default folder, or one named by the thresholds too."""
    base = f"{analysis.name}-{batch_sha[:12]}"
    if thresholds == defaults:
        return root / "monitors" / base, False
    key = hashlib.sha256(json.dumps(thresholds.to_dict(), sort_keys=True).encode()).hexdigest()[:6]
    return root / "monitors" / f"{base}-t{key}", True


with st.expander("Compare a new batch", expanded=runs.is_empty()):
    with st.form("compare_form"):
        upload = st.file_uploader(
            "Upload the batch", type=list(ACCEPTED_TYPES), key="compare_upload", max_upload_size=MAX_UPLOAD_MB, help=f"At most {MAX_UPLOAD_MB} MB."
        )
        path_text = st.text_input("…or a local path", key="compare_path", placeholder="data/new-batch.jsonl")
        columns = st.columns(3)
        top_percent = columns[0].number_input("Cut: the training rows' top q%", min_value=0.1, max_value=99.9, value=defaults.top_percent, step=0.5)
        alpha = columns[1].number_input("Significance (alpha)", min_value=0.0001, max_value=0.5, value=defaults.alpha, step=0.005, format="%.4f")
        min_effect = columns[2].number_input("Minimum AUROC of a score shift", min_value=0.0, max_value=1.0, value=defaults.min_effect, step=0.01)
        submitted = st.form_submit_button("Check the batch and compare", type="primary", icon=":material/play_arrow:")
    st.caption(
        "The batch is read like a build's inputs (JSON Lines, JSON, CSV or Parquet with `text`, `prompt`/`response` "
        "or chat `messages`). The comparison runs in the background; a page refresh finds it again."
    )

if submitted:
    try:
        if upload is not None:
            checked: CheckedUpload | CheckedInput = check_upload(upload.name, upload.getvalue(), "batch")
        elif str(path_text).strip():
            checked = check_path(str(path_text), "batch")
        else:
            raise InvalidInput("upload a file or give a path")
        thresholds = Thresholds(alpha=float(alpha), min_effect=float(min_effect), top_percent=float(top_percent))
    except (InvalidInput, ValueError) as error:
        st.error(f"Batch: {escape_markdown(error)}", icon=":material/error:")
        st.caption("Nothing was started and no file was kept.")
    else:
        data_path = store_upload(checked, root) if isinstance(checked, CheckedUpload) else checked.path
        from analysis.artifacts.inputs import file_sha256

        out, explicit = target_folder(file_sha256(data_path), thresholds)
        if (out / "report.json").is_file():
            st.session_state[state.MONITOR] = str(out.resolve())
            st.toast("This batch was compared already with these thresholds: showing that run.")
        else:
            args = ["monitor", path, "--data", str(data_path)]
            args += ["--alpha", f"{thresholds.alpha:g}", "--min-effect", f"{thresholds.min_effect:g}", "--top-percent", f"{thresholds.top_percent:g}"]
            if explicit:
                args += ["--out", str(out)]
            shown = upload.name if upload is not None else Path(data_path).name
            # exit 1 means drift was flagged: a result, not a failure
            jobview.start(root, args, kind=jobview.MONITOR_KIND, label=f"Compare {shown}", ok_returncodes=(0, 1), meta={"analysis_id": analysis_id, "analysis": analysis.name})
            st.session_state[state.MONITOR] = None
            st.rerun()

if runs.is_empty():
    st.info("No batch has been compared with this analysis yet: upload one above (or run `python -m analysis monitor`).")
    st.stop()

# --- the chosen run ---------------------------------------------------------------------------
paths = runs["path"].to_list()
labels = {
    row["path"]: f"{row['created']} · {row['batch']} · {row['rows']:,} rows · " + ("drift flagged" if row["flagged"] else "no drift")
    for row in runs.iter_rows(named=True)
}
if st.session_state.get(state.MONITOR) not in labels:
    st.session_state[state.MONITOR] = paths[0]


chosen = st.selectbox("Monitor run", paths, format_func=labels.get, **state.bind(state.MONITOR))
if chosen != st.session_state.get(SHOWN):
    # another run: what was picked belongs to the one before
    st.session_state[SHOWN] = chosen
    st.session_state[FOCUS] = None
    st.session_state[PICKED] = []
run = cached.monitor_at(chosen)
report = run.report
statistics = report["statistics"]
shift, cut, latent_stats = statistics["score"], statistics["above_cut"], statistics["latents"]

if report["flagged"]:
    st.error("**Drift flagged.**\n\n" + "\n".join(f"- {escape_markdown(reason)}" for reason in report["reasons"]), icon=":material/warning:")
else:
    thresholds = report["thresholds"]
    st.success(f"No drift flagged (alpha {thresholds['alpha']:g}, minimum AUROC {thresholds['min_effect']:g}).", icon=":material/check_circle:")
metrics = st.columns(5)
metrics[0].metric("Batch rows", f"{report['batch']['rows']:,}")
metrics[1].metric(
    "Score shift (AUROC)",
    "n/a" if shift["auroc"] is None else f"{shift['auroc']:.3f}",
    None if shift["p"] is None else f"Mann-Whitney p = {shift['p']:.2g}",
    delta_color="off",
    delta_arrow="off",
    help="The chance that a batch row scores above a training row (0.5: no shift); one-sided Mann-Whitney U.",
)
metrics[2].metric(
    f"Above the training top-{cut['top_percent']:g}% cut",
    "n/a" if cut["batch_share"] is None else f"{cut['batch_share']:.1%}",
    None if cut["train_share"] is None else f"training rows {cut['train_share']:.1%} · p = {cut['p']:.2g}",
    delta_color="off",
    delta_arrow="off",
    help="One-sided binomial test against the training rows' own share at or above the cut.",
)
metrics[3].metric("Drifting latents", f"{latent_stats['drifting']:,} of {latent_stats['tested']:,}", f"{latent_stats['drifting_toxic']:,} toxic", delta_color="off", delta_arrow="off")
toxic_rows = latent_stats.get("toxic_rows") or {}
metrics[4].metric(
    "Rows with a toxic latent",
    "n/a" if toxic_rows.get("batch_share") is None else f"{toxic_rows['batch_share']:.1%}",
    None if toxic_rows.get("train_share") is None else f"training rows {toxic_rows['train_share']:.1%}",
    delta_color="off",
    delta_arrow="off",
)
st.caption(f"Batch {escape_markdown(Path(str(report['batch']['path'])).name)} (sha256 {report['batch']['sha256'][:12]}…), monitored {escape_markdown(report['created'])}.")

# --- map and detail ---------------------------------------------------------------------------
figure = cached.batch_map(path, chosen)


def on_map_select() -> None:
    event = st.session_state.get(MAP_KEY)
    picks = figure.picks_of(event["selection"]["points"] if event else [])
    batch_ids = [row_id for kind, row_id in picks if kind == "batch"]
    st.session_state[PICKED] = batch_ids
    if len(batch_ids) == 1:
        st.session_state[FOCUS] = ("batch", batch_ids[0])
    elif not batch_ids and len(picks) == 1:
        st.session_state[FOCUS] = picks[0]


map_column, detail_column = st.columns([3, 2], gap="medium")
with map_column:
    show_chart(figure.figure, key=MAP_KEY, file_name="batch-map", on_select=on_map_select, selection_mode=("points", "box", "lasso"))
    st.caption("Grey: the analysis' rows (● training, ◆ toxic, ■ benign). Triangles: the batch, coloured by its default score. Click a point to read it.")

scores = run.scores
picked: list[str] = st.session_state.get(PICKED) or []
with map_column:
    if picked:
        st.subheader("Batch rows selected on the map")
        table = scores.filter(pl.col("id").is_in(picked)).sort("score", descending=True, nulls_last=True)
        shown = table.select("id", "score", "train_percentile", "above_cut", truncate_expr("text", 160)).head(2_000)
        if st.button("Show the driver rows instead", icon=":material/close:"):
            st.session_state[PICKED] = []
            st.rerun()
    else:
        st.subheader("Driver rows")
        st.caption("The highest-scoring batch rows, with the latents behind their score. Pick one to read it.")
        drivers = pl.DataFrame(
            [{key: row.get(key) for key in ("id", "score", "train_percentile", "above_cut", "text")} for row in report.get("drivers", [])],
            schema={"id": pl.String, "score": pl.Float64, "train_percentile": pl.Float64, "above_cut": pl.Boolean, "text": pl.String},
        )
        shown = drivers.with_columns(truncate_expr("text", 160))
    shown_ids = shown["id"].to_list()

    def on_row() -> None:
        rows = st.session_state[DRIVERS_KEY]["selection"]["rows"]
        if rows:
            st.session_state[FOCUS] = ("batch", shown_ids[rows[0]])

    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=38 + 35 * min(max(shown.height, 1), 10),
        on_select=on_row,
        selection_mode="single-row",
        key=DRIVERS_KEY,
        column_config={
            "id": st.column_config.TextColumn("Id"),
            "score": st.column_config.NumberColumn("Score", format="%.4f"),
            "train_percentile": st.column_config.ProgressColumn("Training percentile", min_value=0.0, max_value=1.0, format="percent"),
            "above_cut": st.column_config.CheckboxColumn("Above cut"),
            "text": st.column_config.TextColumn("Text", width="large"),
        },
    )

with detail_column:
    focus = st.session_state.get(FOCUS)
    if focus and focus[0] == "batch":
        st.subheader("Batch row")
        batch_detail(analysis, run, focus[1], key="compare_batch_detail")
    elif focus and focus[0] == "analysis":
        st.subheader("Analysis sample")
        sample_detail(analysis, focus[1], state.chosen_score(analysis), key="compare_sample_detail")
    else:
        st.subheader("Row")
        st.caption("Pick a driver row, or click a point on the map, to read it, its scores and why.")

# --- distributions and latents ------------------------------------------------------------------
st.subheader("Scores of the batch and of the training rows")
show_chart(cached.batch_score_figure(path, chosen), key="compare_scores", file_name="batch-scores")
st.caption(
    f"Default score: {escape_markdown(report['analysis']['default_score'])}. Medians: batch "
    + ("n/a" if shift["batch_median"] is None else f"{shift['batch_median']:.4g}")
    + ", training rows "
    + ("n/a" if shift["train_median"] is None else f"{shift['train_median']:.4g}")
    + (f"; {shift['unscored_batch']:,} batch rows have no score." if shift["unscored_batch"] else ".")
)

st.subheader("Drifting latents")
show_all = st.toggle("Show every tested latent", key="compare_all_latents")
latents = run.latents if show_all else run.latents.filter(pl.col("drifting"))
st.caption(
    f"{latent_stats['drifting']:,} latents are active in more batch rows than training rows (one-sided Fisher exact, "
    f"Benjamini-Hochberg q < {report['thresholds']['latent_fdr']:g}, at least {report['thresholds']['min_latent_rows']} batch rows); toxic latents first."
)
st.dataframe(
    latents.select("feature", "is_toxic", "top_tokens", "count_batch", "freq_batch", "freq_train", "log_odds", "q", "drifting").head(5_000),
    hide_index=True,
    width="stretch",
    height=320,
    column_config={
        "feature": st.column_config.NumberColumn("Feature", format="%d"),
        "is_toxic": st.column_config.CheckboxColumn("Toxic"),
        "top_tokens": st.column_config.TextColumn("Fires most on"),
        "count_batch": st.column_config.NumberColumn("Batch rows"),
        "freq_batch": st.column_config.NumberColumn("Batch share", format="percent"),
        "freq_train": st.column_config.NumberColumn("Training share", format="percent"),
        "log_odds": st.column_config.NumberColumn("Log-odds", format="%.2f"),
        "q": st.column_config.NumberColumn("q (BH)", format="%.2g"),
        "drifting": st.column_config.CheckboxColumn("Drifting"),
    },
)

st.subheader("Share it")
columns = st.columns([2, 3])
with columns[0]:
    report_download(path, monitor_path=chosen, key="compare_report")
with columns[1], st.expander("Re-run this comparison from a terminal"):
    st.code(report.get("command", ""), language="bash")
