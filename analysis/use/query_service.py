"""A query engine that stays loaded and answers questions left in a folder: the app's way to
ask the map about a text without loading a model in its own process, and without loading it
again for every question.

The inbox of an analysis is `<cache>/queries/<analysis folder>/` (`query_inbox`). A client
writes `<id>.request.json` (`{"texts": [...]}`: strings, or mappings in a layout the build
reads) with `post_query`; the service (`python -m analysis query ANALYSIS --serve`) answers it
with `<id>.answer.json` (`{"answers": [...], "seconds": s, "load_seconds": s}`, each answer as
`QueryEngine.query` gives it, or `{"error": "..."}` for a question it cannot answer) and
removes the request; `take_answer` reads an answer once and removes it. Both files are written
whole (a temporary file renamed), so a reader never sees half of one. The service ends after
`idle_seconds` without a question, or on a stop signal.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.artifacts.inputs import InputError
from analysis.artifacts.layout import (
    QUERIES,
    QUERY_ANSWER_SUFFIX,
    QUERY_REQUEST_SUFFIX,
    beside_analysis,
)
from analysis.stopping import raise_if_stopped

IDLE_SECONDS = 20 * 60
POLL_SECONDS = 0.1
# Answers nobody took (a closed browser tab) are removed when the service starts.
STALE_ANSWER_SECONDS = 3600
CLAIMED_SUFFIX = ".working"  # a request being answered, renamed so that no other service takes it


def query_inbox(analysis_dir: str | Path) -> Path:
    """The inbox of the analysis in `analysis_dir`: `<cache>/queries/<folder>/`."""
    return beside_analysis(analysis_dir, QUERIES)


def _write_whole(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def post_query(inbox: Path, texts: Sequence[str | Mapping[str, Any]]) -> str:
    """Leave a question for the service; returns its id (for `take_answer`)."""
    if not texts:
        raise ValueError("a query needs at least one text")
    inbox.mkdir(parents=True, exist_ok=True)
    request_id = f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"
    _write_whole(inbox / f"{request_id}{QUERY_REQUEST_SUFFIX}", {"texts": list(texts)})
    return request_id


def take_answer(inbox: Path, request_id: str) -> dict[str, Any] | None:
    """The answer to question `request_id`, removed from the inbox; None while it is not there."""
    path = inbox / f"{request_id}{QUERY_ANSWER_SUFFIX}"
    try:
        answer = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    path.unlink(missing_ok=True)
    return answer


def _pending(inbox: Path) -> list[Path]:
    return sorted(inbox.glob(f"*{QUERY_REQUEST_SUFFIX}"))  # ids begin with the time: oldest first


def _answer(ask: Callable[[list[Any]], list[dict[str, Any]]], request: Path, load_seconds: float) -> dict[str, Any]:
    try:
        texts = json.loads(request.read_text(encoding="utf-8"))["texts"]
        if not isinstance(texts, list) or not texts:
            raise ValueError("a request holds a non-empty list `texts`")
    except (OSError, ValueError, KeyError, TypeError) as error:
        return {"error": f"{request.name.lstrip('.').removesuffix(CLAIMED_SUFFIX)}: not a query request ({error})"}
    started = time.perf_counter()
    try:
        answers = ask(texts)
    except InputError as error:  # a blank or malformed text: the asker's to fix, the service goes on
        return {"error": str(error)}
    except Exception as error:  # the asker waits for an answer: give it the failure, keep its trace in the log
        traceback.print_exc(file=sys.stderr)
        return {"error": f"the query failed: {type(error).__name__}: {error}"}
    return {"answers": answers, "seconds": round(time.perf_counter() - started, 3), "load_seconds": round(load_seconds, 3)}


def serve_queries(
    ask: Callable[[list[Any]], list[dict[str, Any]]],
    inbox: Path,
    load_seconds: float = 0.0,
    idle_seconds: float = IDLE_SECONDS,
    poll_seconds: float = POLL_SECONDS,
    on_answer: Callable[[str, dict[str, Any]], None] | None = None,
) -> int:
    """Answer every question left in `inbox` with `ask` (e.g. `QueryEngine.query`) until none
    came for `idle_seconds`; returns how many were answered."""
    inbox.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for stale in [*inbox.glob(f"*{QUERY_ANSWER_SUFFIX}"), *inbox.glob(".*.tmp")]:
        if now - stale.stat().st_mtime > STALE_ANSWER_SECONDS:
            stale.unlink(missing_ok=True)
    answered = 0
    last_question = time.monotonic()
    while time.monotonic() - last_question < idle_seconds:
        raise_if_stopped()
        requests = _pending(inbox)
        if not requests:
            time.sleep(poll_seconds)
            continue
        for request in requests:
            request_id = request.name.removesuffix(QUERY_REQUEST_SUFFIX)
            claimed = request.with_name(f".{request_id}{CLAIMED_SUFFIX}")
            try:  # two services on one inbox (two tabs started one each): the rename lets one answer
                os.rename(request, claimed)
            except FileNotFoundError:
                continue
            answer = _answer(ask, claimed, load_seconds)
            _write_whole(inbox / f"{request_id}{QUERY_ANSWER_SUFFIX}", answer)
            claimed.unlink(missing_ok=True)
            answered += 1
            if on_answer is not None:
                on_answer(request_id, answer)
        last_question = time.monotonic()
    return answered
