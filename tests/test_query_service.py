"""`query --serve`: an engine that stays loaded and answers the questions left in its inbox, the
app's way to ask without loading a model in its own process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from pipeline_fixtures import build_tiny_analysis

from analysis.artifacts.inputs import InputError
from analysis.artifacts.layout import QUERY_ANSWER_SUFFIX, QUERY_REQUEST_SUFFIX
from analysis.stopping import Stopped, clear_stop, request_stop
from analysis.use.query_service import post_query, query_inbox, serve_queries, take_answer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_analysis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    analysis_dir, _ = build_tiny_analysis(tmp_path_factory.mktemp("query-service"))
    return analysis_dir


def _echo(texts: list) -> list[dict]:
    if any(text == "" for text in texts):
        raise InputError("--text", "the text is empty", row=1)
    if "crash" in texts:
        raise RuntimeError("the model fell over")
    return [{"text": text, "score": float(len(text))} for text in texts]


def _serve_in_thread(inbox: Path, idle_seconds: float = 5.0) -> tuple[threading.Thread, list[int]]:
    answered: list[int] = []
    thread = threading.Thread(target=lambda: answered.append(serve_queries(_echo, inbox, 1.5, idle_seconds=idle_seconds, poll_seconds=0.01)))
    thread.start()
    return thread, answered


def _wait_for_answer(inbox: Path, request_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while (answer := take_answer(inbox, request_id)) is None:
        assert time.monotonic() < deadline, "no answer came"
        time.sleep(0.02)
    return answer


def test_the_inbox_lies_beside_the_analysis_folder(tmp_path: Path) -> None:
    assert query_inbox(tmp_path / "cache" / "analyses" / "demo-abc") == (tmp_path / "cache" / "queries" / "demo-abc").resolve()


def test_questions_are_answered_in_order_and_each_answer_is_taken_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    first = post_query(inbox, ["one"])
    second = post_query(inbox, ["three", {"prompt": "p", "response": "r"}])
    thread, answered = _serve_in_thread(inbox, idle_seconds=0.5)
    assert _wait_for_answer(inbox, first)["answers"] == [{"text": "one", "score": 3.0}]
    answer = _wait_for_answer(inbox, second)
    assert [a["text"] for a in answer["answers"]] == ["three", {"prompt": "p", "response": "r"}]
    assert answer["load_seconds"] == 1.5 and answer["seconds"] >= 0
    assert take_answer(inbox, second) is None  # taken: gone
    thread.join(timeout=30)
    assert not thread.is_alive() and answered == [2]  # ended once idle
    assert list(inbox.glob(f"*{QUERY_REQUEST_SUFFIX}")) == []


def test_a_bad_question_gets_an_error_and_the_service_goes_on(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    bad = post_query(inbox, [""])
    (inbox / f"0-broken{QUERY_REQUEST_SUFFIX}").write_text("{not json", encoding="utf-8")
    crash = post_query(inbox, ["crash"])
    good = post_query(inbox, ["fine"])
    thread, _ = _serve_in_thread(inbox, idle_seconds=0.5)
    assert _wait_for_answer(inbox, bad) == {"error": "--text: row 1: the text is empty"}
    assert _wait_for_answer(inbox, crash) == {"error": "the query failed: RuntimeError: the model fell over"}
    assert "not a query request" in _wait_for_answer(inbox, "0-broken")["error"]
    assert _wait_for_answer(inbox, good)["answers"][0]["text"] == "fine"
    thread.join(timeout=30)


def test_two_services_on_one_inbox_answer_each_question_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    asked: list[str] = []
    lock = threading.Lock()

    def ask(texts: list) -> list[dict]:
        with lock:
            asked.extend(texts)
        time.sleep(0.01)
        return _echo(texts)

    requests = [post_query(inbox, [f"question {i}"]) for i in range(30)]
    services = [threading.Thread(target=serve_queries, args=(ask, inbox), kwargs={"idle_seconds": 0.5, "poll_seconds": 0.001}) for _ in range(2)]
    for service in services:
        service.start()
    answers = [_wait_for_answer(inbox, request) for request in requests]
    for service in services:
        service.join(timeout=30)
    assert [answer["answers"][0]["text"] for answer in answers] == [f"question {i}" for i in range(30)]
    assert sorted(asked) == sorted(f"question {i}" for i in range(30))  # none asked twice
    assert [path.name for path in inbox.iterdir()] == []


def test_an_empty_question_is_refused_before_it_is_posted(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one text"):
        post_query(tmp_path / "inbox", [])
    assert not (tmp_path / "inbox").exists()


def test_a_stop_ends_the_service_between_questions(tmp_path: Path) -> None:
    request_stop(signal.SIGTERM)
    try:
        with pytest.raises(Stopped):
            serve_queries(_echo, tmp_path / "inbox", idle_seconds=60, poll_seconds=0.01)
    finally:
        clear_stop()


def test_a_stale_answer_nobody_took_is_removed_when_the_service_starts(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    stale, fresh = inbox / f"old{QUERY_ANSWER_SUFFIX}", inbox / f"new{QUERY_ANSWER_SUFFIX}"
    stale.write_text("{}")
    fresh.write_text("{}")
    os.utime(stale, (time.time() - 2 * 3600,) * 2)
    serve_queries(_echo, inbox, idle_seconds=0.05, poll_seconds=0.01)
    assert not stale.exists() and fresh.exists()


@pytest.mark.slow
def test_the_cli_service_answers_as_the_query_command_does(tiny_analysis: Path) -> None:
    analysis_dir = tiny_analysis
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    text = "How do I make a weapon at home?"
    direct = subprocess.run(
        [sys.executable, "-m", "analysis", "query", str(analysis_dir), "--text", text, "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    inbox = query_inbox(analysis_dir)
    request_id = post_query(inbox, [text])
    service = subprocess.Popen(
        [sys.executable, "-m", "analysis", "query", str(analysis_dir), "--serve", "--idle-minutes", "5"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        answer = _wait_for_answer(inbox, request_id, timeout=240)
        again = _wait_for_answer(inbox, post_query(inbox, [text]), timeout=60)  # the loaded engine serves a second one
    finally:
        service.send_signal(signal.SIGTERM)
        _, stderr = service.communicate(timeout=60)
    assert answer["answers"] == json.loads(direct.stdout) == again["answers"]
    assert answer["load_seconds"] > 0
    assert service.returncode == 128 + signal.SIGTERM and "stopped by SIGTERM" in stderr
    assert "model and SAE loaded in" in stderr and stderr.count("answered in") == 2


def test_serve_takes_no_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(["query", str(tmp_path), "--serve", "--text", "x"])
    assert exit_info.value.code == 2 and "--serve answers the questions left in the inbox" in capsys.readouterr().err


@pytest.mark.slow
def test_the_feature_map_finds_latents_by_a_phrase_through_the_service(tiny_analysis: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Feature map's phrase box: the first phrase starts the analysis' query service (a
    background job, nothing loaded in the app), whose strongest latents are listed."""
    from streamlit.testing.v1 import AppTest

    from analysis.use.query import QueryEngine
    from appkit import jobs

    analysis_dir = tiny_analysis
    cache = analysis_dir.parent.parent
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(cache))
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    phrase = "How do I pick the lock of my neighbour's door?"
    at = AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=300)
    try:
        at.run()
        at.switch_page(str(ROOT / "pages" / "features.py")).run()
        at.text_input(key="feature_phrase").input(phrase)
        at.button(key="feature_phrase_find").click().run()
        assert not at.exception, [item.value for item in at.exception]
        (service,) = [job for job in jobs.list_jobs(cache) if job.kind == "query-service"]
        assert service.state == "running" and service.meta == {"analysis": str(analysis_dir)}
        listed = next(frame.value for frame in at.dataframe if "activation" in frame.value.columns)
    finally:
        for job in jobs.list_jobs(cache):
            if job.state == "running":
                jobs.cancel_job(job.folder)
    (expected,) = QueryEngine.load(analysis_dir).query(phrase)
    known = set(pl.read_parquet(analysis_dir / "features.parquet")["feature"].to_list())
    wanted = [latent["feature"] for latent in expected["active_latents"] if latent["feature"] in known]
    assert wanted and listed["feature"].tolist() == wanted
    assert list(listed["activation"]) == sorted(listed["activation"], reverse=True)


# ---------------------------------------------------------------- the page's wait for an answer


def _running_job(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from appkit import jobs

    monkeypatch.setattr(jobs, "job_status", lambda folder: SimpleNamespace(state="running", error="", returncode=None, log_tail=""))


def test_the_page_waits_longer_for_a_service_still_starting_than_for_an_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A question not yet taken (the service is still loading its model) is waited for up to
    START_WAIT_SECONDS; once taken, its answer up to ANSWER_WAIT_SECONDS."""
    from appkit import queryview

    _running_job(monkeypatch)
    monkeypatch.setattr(queryview, "START_WAIT_SECONDS", 0.6)
    monkeypatch.setattr(queryview, "ANSWER_WAIT_SECONDS", 0.1)
    analysis_dir = tmp_path / "cache" / "analyses" / "a"
    inbox = query_inbox(analysis_dir)
    request = post_query(inbox, ["hello"])
    pending = {"analysis": str(analysis_dir), "request": request, "job": str(tmp_path / "job"), "asked": time.time()}

    def serve_late() -> None:  # the service starts answering after the answer's wait, within the start's
        time.sleep(0.3)
        serve_queries(_echo, inbox, idle_seconds=0.05, poll_seconds=0.01)

    server = threading.Thread(target=serve_late)
    server.start()
    answer = queryview._wait(pending, poll_seconds=0.01)
    server.join()
    assert answer["answers"] == [{"text": "hello", "score": 5.0}]

    never_taken = {**pending, "request": post_query(inbox, ["nobody reads this"]), "asked": time.time()}
    assert "did not start answering within" in queryview._wait(never_taken, poll_seconds=0.01)["error"]

    taken = post_query(inbox, ["taken, never answered"])
    os.rename(inbox / f"{taken}{QUERY_REQUEST_SUFFIX}", inbox / f".{taken}.working")
    started = time.time()
    error = queryview._wait({**pending, "request": taken, "asked": started}, poll_seconds=0.01)["error"]
    assert "of the query service taking the question" in error and time.time() - started < 0.5
