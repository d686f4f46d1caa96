"""Ask the map about a text, on a page: the question goes to the analysis' query service (a
background job, `python -m analysis query ANALYSIS --serve`, `analysis.use.query_service`),
which loads the model and SAE once and stays loaded; the app's own process never loads them.

The answer (scores, percentile, place on the map, nearest rows, latents) is drawn as a marker
on the sample map and as tables beside it. The asked text and every row text are data: they
reach the page in tables and plain text only.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from analysis.artifacts.layout import QUERY_REQUEST_SUFFIX
from analysis.use.query_service import post_query, query_inbox, take_answer
from appkit import cached, jobs
from appkit.text import escape_markdown

SERVICE_KIND = "query-service"
# Each page asks in its own slot (`map`, `features`): per slot, the last answer
# {"analysis", "text", "answer"} and, while waiting, the pending question
# {"analysis", "text", "request", "job", "asked"}.
ANSWER = "_query_answer_{slot}"
PENDING = "_query_pending_{slot}"
# A question waits this long while the service that will answer it is still starting (its
# request not yet taken: imports, the model and SAE loading, the first compile of the map's
# projection; minutes on a busy 2-core machine), then this long for the answer itself.
START_WAIT_SECONDS = 600.0
ANSWER_WAIT_SECONDS = 180.0
SET_NAMES = {"train": "Training", "toxic": "Toxic reference", "benign": "Benign reference"}


def service(cache_root: Path, analysis_path: str) -> jobs.JobStatus | None:
    """The running query service of the analysis at `analysis_path`, if any."""
    for job in jobs.list_jobs(cache_root):
        if job.kind == SERVICE_KIND and job.state == "running" and job.meta.get("analysis") == analysis_path:
            return job
    return None


def ask(cache_root: Path, analysis_path: str, text: str, slot: str) -> None:
    """Leave `text` for the analysis' query service, starting the service when none runs."""
    running = service(cache_root, analysis_path)
    folder = running.folder if running else jobs.start_job(
        cache_root,
        ["query", analysis_path, "--serve"],
        kind=SERVICE_KIND,
        label=f"Query service of {Path(analysis_path).name}",
        meta={"analysis": analysis_path},
    )
    request = post_query(query_inbox(analysis_path), [text])
    st.session_state[PENDING.format(slot=slot)] = {"analysis": analysis_path, "text": text, "request": request, "job": str(folder), "asked": time.time()}
    st.session_state.pop(ANSWER.format(slot=slot), None)


def _wait(pending: dict[str, Any], poll_seconds: float = 0.2) -> dict[str, Any]:
    """The service's answer to the pending question, or an `error` saying why none came."""
    inbox = query_inbox(pending["analysis"])
    folder = Path(pending["job"])
    unclaimed = inbox / f"{pending['request']}{QUERY_REQUEST_SUFFIX}"
    taken_at: float | None = None
    while True:
        answer = take_answer(inbox, pending["request"])
        if answer is not None:
            return answer
        job = jobs.job_status(folder)
        if job.state != "running":
            reason = job.error or f"the query service ended ({job.state}, exit code {job.returncode})"
            return {"error": reason, "log": job.log_tail}
        now = time.time()
        if taken_at is None and not unclaimed.exists():
            taken_at = now
        if taken_at is None and now - pending["asked"] > START_WAIT_SECONDS:
            return {"error": f"the query service did not start answering within {START_WAIT_SECONDS:.0f} s; it is still running"}
        if taken_at is not None and now - taken_at > ANSWER_WAIT_SECONDS:
            return {"error": f"no answer within {ANSWER_WAIT_SECONDS:.0f} s of the query service taking the question; it is still running"}
        time.sleep(poll_seconds)


def resolve_pending(slot: str) -> None:
    """Wait for the pending question's answer (with a status box) and keep it."""
    pending = st.session_state.get(PENDING.format(slot=slot))
    if not pending:
        return
    with st.status("Reading the text with the analysis' own model and SAE…", expanded=False) as box:
        answer = _wait(pending)
        box.update(label="Answered" if "error" not in answer else "No answer", state="complete" if "error" not in answer else "error")
    st.session_state.pop(PENDING.format(slot=slot), None)
    st.session_state[ANSWER.format(slot=slot)] = {"analysis": pending["analysis"], "text": pending["text"], "answer": answer}


def current_answer(analysis_path: str, slot: str) -> dict[str, Any] | None:
    """The last answer for this analysis (a question about another analysis is not shown)."""
    kept = st.session_state.get(ANSWER.format(slot=slot))
    return kept if kept and kept["analysis"] == analysis_path else None


def with_marker(figure: go.Figure, answer: dict[str, Any]) -> go.Figure:
    """A copy of the map with the asked text drawn where it sits (the cached figure is untouched)."""
    marked = go.Figure(figure)
    marked.add_trace(
        go.Scatter(
            x=[answer["x"]],
            y=[answer["y"]],
            mode="markers",
            name="Your text",
            marker={"symbol": "star", "size": 20, "color": "#ffd400", "line": {"color": "#111111", "width": 2}},
            hovertemplate=f"Your text<br>score %{{customdata:.3f}} (percentile {answer['percentile']:.0f})<extra></extra>",
            customdata=[answer["score"]],
        )
    )
    return marked


def _nearest_table(analysis_path: str, answer: dict[str, Any]) -> pl.DataFrame:
    texts = cached.analysis_at(analysis_path).samples.select("id", "text")
    rows = [
        {"set": SET_NAMES.get(name, name), "id": found["id"], "similarity": found["similarity"]}
        for name, nearest in answer["nearest"].items()
        for found in nearest
    ]
    if not rows:
        return pl.DataFrame(schema={"set": pl.String, "id": pl.String, "similarity": pl.Float64, "text": pl.String})
    return pl.DataFrame(rows).join(texts, on="id", how="left", maintain_order="left")


def show_error(answer: dict[str, Any]) -> bool:
    """Say why a question was not answered (with the service's log); False when it was."""
    if "error" not in answer:
        return False
    st.error(f"The question was not answered: {escape_markdown(answer['error'])}", icon=":material/error:")
    if answer.get("log"):
        with st.expander("Query service log"):
            st.code("\n".join(answer["log"].splitlines()[-30:]), language=None)
    return True


def show_answer(analysis_path: str, kept: dict[str, Any]) -> list[str]:
    """The answer's figures and tables; returns the ids of its nearest training rows."""
    answer = kept["answer"]
    if show_error(answer):
        return []
    (found,) = answer["answers"]
    st.text(f"Asked: {found['text'][:300]}")
    cols = st.columns(3)
    cols[0].metric(f"Score ({cached.score_label('score')})", f"{found['score']:.3f}")
    cols[1].metric("Percentile among training rows", f"{found['percentile']:.1f}")
    cols[2].metric("Answered in", f"{answer['seconds']:.2f} s", help=f"The model and SAE loaded once, in {answer['load_seconds']:.1f} s, when the query service started.")
    st.caption("The star on the map is where the text sits: the similarity-weighted place of its nearest analysis rows (nothing refitted).")
    nearest = _nearest_table(analysis_path, found)
    st.dataframe(
        nearest,
        hide_index=True,
        width="stretch",
        column_config={
            "similarity": st.column_config.NumberColumn("Similarity", format="%.3f"),
            "text": st.column_config.TextColumn("Text", width="large"),
        },
        key="query_nearest",
    )
    latents = pl.DataFrame(found["latents"]) if found["latents"] else None
    if latents is not None:
        st.caption("The latents behind its score, largest contribution first:")
        shown = [c for c in ("feature", "family", "contribution", "activation", "is_toxic", "top_tokens") if c in latents.columns]
        st.dataframe(latents.select(shown), hide_index=True, width="stretch", key="query_latents")
    else:
        st.caption("No latent contributes positively to its score.")
    families = pl.DataFrame({"family": list(found["scores"]), "value": list(found["scores"].values())}, strict=False)
    with st.expander("Every score family"):
        st.dataframe(families, hide_index=True, width="stretch", key="query_families")
    return [row["id"] for row in found["nearest"].get("train", [])]
