"""Analyses: pick one, follow running builds, start a new build or the embedded demo."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import streamlit as st

from analysis.config import DEFAULT_MODEL, ENCODER, SMOLLM2
from analysis.flags import build_flag
from appkit import jobs, jobview, nav, state
from appkit.reportview import report_download
from appkit.sidebar import analyses_table
from appkit.text import escape_markdown
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

ROLES = (("train", "Training set", True), ("toxic", "Toxic reference", True), ("benign", "Benign reference", False))

nav.page_setup()
root = state.cache_root()
st.title("Analyses")
st.caption(
    "Each analysis maps the SAE features of a training set next to known-toxic and benign "
    "reference examples, and scores every training sample by its proximity to toxic features."
)


def start(args: list[str], *, kind: str, label: str) -> None:
    jobview.start(root, args, kind=kind, label=label)


def start_demo() -> None:
    """The embedded demo on the default model, in the background."""
    start(["demo"], kind="demo", label="Embedded demo analysis")


def maybe_autostart_demo(table: pl.DataFrame) -> None:
    """On the very first start (no analysis, no job ever), build the embedded demo."""
    if not table.is_empty() or jobs.list_jobs(root) or os.environ.get("ANALYSIS_AUTO_DEMO", "1") == "0":
        return
    marker = jobs.jobs_root(root) / ".demo-autostarted"
    marker.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive create: two browser tabs opening a fresh app start one demo, not two.
        descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.close(descriptor)
    start_demo()


table = analyses_table(str(root))
maybe_autostart_demo(table)
# Builds only: comparisons of batches (monitor jobs) show on the Compare page, query services
# (the maps' "ask about a text") on the page that asked.
all_jobs = [job for job in jobs.list_jobs(root) if job.kind in jobview.ANALYSIS_KINDS]
running = [job for job in all_jobs if job.state == "running"]
jobview.job_panel(root, kinds=jobview.ANALYSIS_KINDS)

latest = all_jobs[0] if all_jobs else None
if latest is not None and latest.state in ("failed", "interrupted") and not (latest.folder / "dismissed").exists():
    with st.container(border=True):
        jobview.show_failure(latest, f"The last build, {escape_markdown(latest.label)},")
        retry, dismiss = st.columns([1, 1])
        if latest.kind == "demo" and retry.button("Build the demo again", icon=":material/refresh:"):
            start_demo()
            st.rerun()
        if dismiss.button("Dismiss", icon=":material/close:"):
            (latest.folder / "dismissed").touch()
            st.rerun()

# --- existing analyses -------------------------------------------------------------------
st.subheader("Open an analysis")
if table.is_empty():
    if running:
        st.info("The first analysis is being built; it opens here when ready.")
    else:
        st.info("No analysis yet. Build the embedded demo (a few minutes on a laptop CPU) or your own below.")
        if st.button("Build the embedded demo", type="primary", icon=":material/rocket_launch:"):
            start_demo()
            st.rerun()
else:
    # model and layer first: the same data read by two models are two different maps
    shown = table.select("name", "model", "counts", "sae", "created", "inputs")
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="analyses_table",
        column_config={
            "name": st.column_config.TextColumn("Analysis"),
            "model": st.column_config.TextColumn("Model, layer"),
            "counts": st.column_config.TextColumn("Samples"),
            "sae": st.column_config.TextColumn("SAE"),
            "created": st.column_config.TextColumn("Created"),
            "inputs": st.column_config.TextColumn("Inputs"),
        },
    )
    rows = event.selection.rows if event is not None else []
    picked = table["path"][rows[0]] if rows else None
    current = state.current_analysis()
    left, right = st.columns([1, 3])
    if left.button("Open selected", type="primary", disabled=picked is None, icon=":material/open_in_new:"):
        state.set_analysis(picked)
        nav.go("map")
    if current is None:
        right.caption("Select a row, then open it.")
    else:
        right.caption(f"Open now: {escape_markdown(current.name)}")
        with st.expander("Manifest of the open analysis"):
            st.json(current.manifest, expanded=1)
        nav.link("map", label="Explore its sample map", icon=":material/scatter_plot:")
        report_download(str(current.path), key="home_report")
    with st.expander("Build the embedded demo again, or on the sentence encoder"):
        st.caption(
            f"Runs `python -m analysis demo` in the background; cached steps are reused. The demo reads the "
            f"residual stream of the packaged chat LLM ({SMOLLM2}, SmolLM2-135M-Instruct), the kind of model the "
            f"method is about, and trains an SAE on it (a few minutes on a laptop CPU). On the sentence encoder "
            f"(`--model {ENCODER}`) it reads the SAE packaged with the tool and takes about a minute."
        )
        plain, on_encoder = st.columns(2)
        if plain.button("Build the demo", icon=":material/rocket_launch:"):
            start_demo()
            st.rerun()
        if on_encoder.button("Build the demo on the sentence encoder", icon=":material/text_fields:"):
            start(["demo", "--model", ENCODER], kind="demo", label="Embedded demo analysis on the sentence encoder")
            st.rerun()

# --- new analysis ------------------------------------------------------------------------
st.subheader("Build a new analysis")
st.caption(
    f"Inputs: JSON Lines, JSON, CSV or Parquet with a `text` column, `prompt`/`response`, or chat "
    f"`messages`. Uploads are limited to {MAX_UPLOAD_MB} MB per file; for larger files give a "
    "local path. Files are checked before anything starts."
)
with st.form("build_form"):
    sources: dict[str, tuple[object | None, str]] = {}
    columns = st.columns(3)
    for column, (role, label, required) in zip(columns, ROLES, strict=True):
        with column:
            st.markdown(f"**{label}**" + ("" if required else " (optional)"))
            upload = st.file_uploader(
                f"Upload the {label.lower()}",
                type=list(ACCEPTED_TYPES),
                key=f"upload_{role}",
                max_upload_size=MAX_UPLOAD_MB,
                help=f"At most {MAX_UPLOAD_MB} MB.",
            )
            path_text = st.text_input(f"…or a local path ({role})", key=f"path_{role}", placeholder="data/train.jsonl")
            sources[role] = (upload, path_text)
    model_column, sae_column, layer_column, pooling_column = st.columns([3, 3, 1, 1])
    model = model_column.text_input("Model", value=DEFAULT_MODEL, help=build_flag("--model").help)
    sae = sae_column.text_input(
        "SAE",
        value="",
        placeholder="empty: train one on this data",
        help="An sae-lens release/id (e.g. gpt2-small-res-jb/blocks.8.hook_resid_pre) or a local sae-lens folder.",
    )
    layer = layer_column.number_input("Layer", min_value=0, max_value=200, value=None, step=1, placeholder="default")
    pooling = pooling_column.selectbox("Pooling", ["mean", "max"])
    name = st.text_input("Name of the analysis", placeholder="e.g. support-chats-v2")
    submitted = st.form_submit_button("Check files and build", type="primary", icon=":material/play_arrow:")

if submitted:
    # Check every file first; store uploads only when all of them are fine, so a bad
    # file leaves the cache as it was.
    checked: dict[str, CheckedInput | CheckedUpload] = {}
    problems: list[str] = []
    with st.spinner("Checking the input files…"):
        for role, label, required in ROLES:
            upload, path_text = sources[role]
            try:
                if upload is not None:
                    checked[role] = check_upload(upload.name, upload.getvalue(), role)
                elif str(path_text).strip():
                    checked[role] = check_path(str(path_text), role)
                elif required:
                    problems.append(f"{label}: upload a file or give a path.")
            except InvalidInput as error:
                problems.append(f"{label}: {error}")
    if problems:
        for problem in problems:
            st.error(escape_markdown(problem), icon=":material/error:")
        st.caption("Nothing was started and no file was kept.")
    else:
        paths = {
            role: store_upload(item, root) if isinstance(item, CheckedUpload) else item.path for role, item in checked.items()
        }
        for role, label, _required in ROLES:
            if role in checked:
                st.toast(f"{label}: {checked[role].rows:,} rows ({checked[role].format}) look fine.")
        args = ["build", "--train", str(paths["train"]), "--toxic", str(paths["toxic"])]
        if "benign" in paths:
            args += ["--benign", str(paths["benign"])]
        if model.strip():
            args += ["--model", model.strip()]
        if sae.strip():
            args += ["--sae", sae.strip()]
        if layer is not None:
            args += ["--layer", str(int(layer))]
        args += ["--pooling", pooling]
        if name.strip():
            args += ["--name", name.strip()]
        train_upload = sources["train"][0]
        shown_name = name.strip() or (train_upload.name if train_upload is not None else Path(paths["train"]).name)
        start(args, kind="build", label=f"Build {shown_name}")
        st.rerun()

finished = [job for job in all_jobs if job.state != "running"][:5]
if finished:
    with st.expander("Recent builds"):
        st.dataframe(
            pl.DataFrame(
                {
                    "build": [job.label for job in finished],
                    "started": [job.started for job in finished],
                    "outcome": [job.state for job in finished],
                    "analysis": [Path(job.result_path).name if job.result_path else "" for job in finished],
                }
            ),
            hide_index=True,
            width="stretch",
        )
