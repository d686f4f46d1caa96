"""Progress of background jobs on a page: a status box per running job, refreshed in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from appkit import jobs, state
from appkit.text import escape_markdown

WATCHED = "_watched_jobs"
MONITOR_KIND = "monitor"  # its result is a monitor folder, not an analysis
ANALYSIS_KINDS = ("build", "demo", "recluster")


def start(cache_root: Path, args: list[str], **options: Any) -> None:
    """Start a job (`jobs.start_job`'s options) and remember that this session wants its result opened."""
    folder = jobs.start_job(cache_root, args, **options)
    st.session_state.setdefault(WATCHED, []).append(folder.name)


def _on_done(job: jobs.JobStatus) -> None:
    """Open a finished build (or monitor run) when this browser tab started it; open a build
    started elsewhere only when no analysis is open yet."""
    watched = st.session_state.get(WATCHED, [])
    if job.kind == MONITOR_KIND:
        if job.job_id in watched:
            watched.remove(job.job_id)
            st.session_state[state.MONITOR] = job.result_path
        return
    if job.job_id in watched:
        watched.remove(job.job_id)
        state.set_analysis(job.result_path)
    elif st.session_state.get(state.ANALYSIS) is None and job.result_path:
        state.set_analysis(job.result_path)


def show_failure(job: jobs.JobStatus, what: str) -> None:
    """One line saying how `what` (e.g. "The last build, X,") ended and why (the command's own
    error, such as the file, row and problem of a bad input), with the log behind an expander."""
    reason = "stopped before finishing" if job.state == "interrupted" else f"failed (exit code {job.returncode})"
    because = f": {escape_markdown(job.error)}" if job.error else "."
    st.error(f"{what} {reason}{because}", icon=":material/error:")
    if job.log_tail:
        with st.expander("Log"):
            st.code("\n".join(job.log_tail.splitlines()[-40:]), language=None)


def running_jobs(cache_root: Path, kinds: tuple[str, ...] | None = None) -> list[jobs.JobStatus]:
    return [job for job in jobs.list_jobs(cache_root) if job.state == "running" and (kinds is None or job.kind in kinds)]


def job_panel(cache_root: Path, kinds: tuple[str, ...] | None = None) -> None:
    """Show running jobs (of `kinds`), polling their logs every 1.5 s until they end.

    The jobs are found from their folders, so a refreshed page picks them up again.
    """
    # Jobs this session started that ended while no fragment was watching (a page change,
    # a slow rerun): open their result now.
    for job_id in list(st.session_state.get(WATCHED, [])):
        finished = jobs.job_status(jobs.jobs_root(cache_root) / job_id)
        if finished.state == "done":
            _on_done(finished)
        elif finished.state != "running":
            st.session_state[WATCHED].remove(job_id)
    running = running_jobs(cache_root, kinds)

    @st.fragment(run_every=1.5 if running else None)
    def panel() -> None:
        current = [jobs.job_status(job.folder) for job in running]
        for job in current:
            if job.state != "running":
                continue
            title = f"{job.label}: {job.stage}" + (f" ({job.stage_index}/{job.stage_total})" if job.stage_total else "")
            # Not a `with` block: leaving one marks the status complete, and the job is not.
            box = st.status(escape_markdown(title), state="running", expanded=True)
            box.progress(job.progress, text=f"{job.progress:.0%} · started {job.started}")
            if job.log_tail:
                box.code("\n".join(job.log_tail.splitlines()[-12:]), language=None)
            if box.button("Cancel", key=f"cancel_{job.job_id}", icon=":material/cancel:"):
                jobs.cancel_job(job.folder)
                st.rerun(scope="app")
        if any(job.state != "running" for job in current):
            for job in current:
                if job.state == "done":
                    _on_done(job)
            st.rerun(scope="app")

    panel()
