"""The Analyses page: background builds (demo and uploads), their progress, and input checks.

The analysis CLI is replaced by `python tests/synthetic.py` (same output convention:
stage lines on stderr, the analysis folder last on stdout), so no model runs here.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from appkit import jobs

ROOT = Path(__file__).resolve().parent.parent
STAND_IN = f"{sys.executable} {Path(__file__).resolve().parent / 'synthetic.py'}"
GOOD_JSONL = b"".join(json.dumps({"prompt": f"question {i}", "response": f"answer {i}"}).encode() + b"\n" for i in range(12))


def make_app() -> AppTest:
    return AppTest.from_string((ROOT / "app.py").read_text(), default_timeout=60)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("ANALYSIS_CLI", STAND_IN)
    monkeypatch.setenv("SYNTHETIC_SAMPLES", "300")
    return tmp_path


def unescape(markdown: str) -> str:
    """Alerts hold escaped markdown (data never formats itself); read them back as text."""
    return re.sub(r"\\(.)", r"\1", markdown)


def run_until(at: AppTest, done, timeout_s: float = 60) -> AppTest:
    deadline = time.monotonic() + timeout_s
    while True:
        at.run()
        assert not at.exception, [item.value for item in at.exception]
        if done(at) or time.monotonic() > deadline:
            return at
        time.sleep(0.3)


def test_first_start_builds_the_demo_and_opens_it(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHETIC_DELAY", "0.3")
    at = make_app()
    at.run()
    assert not at.exception
    started = jobs.list_jobs(cache)
    assert len(started) == 1 and started[0].kind == "demo"
    assert started[0].state == "running"
    [box] = at.main.status
    assert box.label.startswith("Embedded demo analysis") and box.state == "running"
    # A second session (a refreshed tab) finds the same job instead of starting another.
    other = make_app()
    other.run()
    assert len(jobs.list_jobs(cache)) == 1
    status = jobs.wait_for(started[0].folder, timeout_s=60)
    assert status.state == "done", status.log_tail
    assert status.stage_total == 7 and status.progress == 1.0
    run_until(at, lambda app: app.session_state["analysis_path"] is not None)
    assert at.session_state["analysis_path"] == status.result_path
    assert at.dataframe[0].value["name"].to_list() == [Path(status.result_path).name]


def test_a_failed_build_is_shown_with_its_log(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_CLI", f"{STAND_IN} --fail")
    at = make_app()
    at.run()
    folder = jobs.list_jobs(cache)[0].folder
    assert jobs.wait_for(folder, timeout_s=60).state == "failed"
    at.run()
    assert not at.exception
    assert any("failed (exit code 1)" in error.value for error in at.error)
    assert any("synthetic failure requested" in code.value for code in at.code)
    next(button for button in at.button if button.label == "Dismiss").click().run()
    assert not any("failed" in error.value for error in at.error)
    assert len(jobs.list_jobs(cache)) == 1  # no automatic retry


def test_a_query_service_that_ended_is_no_failed_build(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The maps' query service is a job too; the Analyses page reports builds only."""
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    folder = jobs.jobs_root(cache) / "20260101-000000-abcdef"
    folder.mkdir(parents=True)
    (folder / "job.json").write_text(json.dumps({"id": folder.name, "kind": "query-service", "label": "Query service of x", "meta": {}}))
    (folder / "exit.json").write_text(json.dumps({"returncode": -15, "error": "stopped by SIGTERM"}))
    assert jobs.job_status(folder).state == "failed"
    at = make_app()
    at.run()
    assert not at.exception
    assert not any("Query service" in error.value for error in at.error)
    assert not at.main.status


def test_job_progress_is_read_from_the_log(tmp_path: Path) -> None:
    folder = tmp_path / "jobs" / "job-1"
    folder.mkdir(parents=True)
    (folder / "job.json").write_text(json.dumps({"id": "job-1", "kind": "build", "label": "Build x"}))
    (folder / "stderr.log").write_text("[1/4] Reading\n[2/4] Extracting\nbatches:  40%|####      | 4/10\rbatches:  50%|#####     | 5/10\r")
    (folder / "pid").write_text("999999999")
    status = jobs.job_status(folder)
    assert (status.stage, status.stage_index, status.stage_total) == ("Extracting", 2, 4)
    assert status.progress == pytest.approx((1 + 0.5) / 4)
    assert status.state == "interrupted"  # no runner alive, no exit record
    (folder / "exit.json").write_text(json.dumps({"returncode": 0, "result_path": "/x/analyses/a"}))
    assert jobs.job_status(folder).state == "done"


def upload_form(at: AppTest, files: dict[str, tuple[str, bytes]]) -> AppTest:
    for role, (name, data) in files.items():
        at.file_uploader(key=f"upload_{role}").set_value((name, data, "application/octet-stream"))
    next(button for button in at.button if button.label == "Check files and build").click()
    at.run()
    assert not at.exception, [item.value for item in at.exception]
    return at


def test_a_bad_upload_starts_nothing_and_keeps_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    at = make_app()
    at.run()
    upload_form(at, {"train": ("train.jsonl", GOOD_JSONL), "toxic": ("toxic.jsonl", b'{"prompt": "a", "response": "b"}\n{not json\n')})
    errors = [unescape(error.value) for error in at.error]
    assert any(message.startswith("Toxic reference: toxic.jsonl: row 2") for message in errors), errors
    assert not (cache / "uploads").exists()
    assert jobs.list_jobs(cache) == []


def test_missing_inputs_and_paths_are_reported(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    monkeypatch.setenv("ANALYSIS_DATA_ROOTS", str(cache))
    at = make_app()
    at.run()
    at.text_input(key="path_train").input(str(cache / "nowhere.jsonl"))
    next(button for button in at.button if button.label == "Check files and build").click()
    at.run()
    errors = [unescape(error.value) for error in at.error]
    assert any("Training set:" in message and "no such file" in message for message in errors)
    assert any(message == "Toxic reference: upload a file or give a path." for message in errors)
    assert jobs.list_jobs(cache) == []


def test_good_uploads_are_stored_by_hash_and_built(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    at = make_app()
    at.run()
    toxic = GOOD_JSONL.replace(b"answer", b"bad answer")
    upload_form(at, {"train": ("train.jsonl", GOOD_JSONL), "toxic": ("toxic.jsonl", toxic)})
    assert not at.error
    stored = sorted(path.name for path in (cache / "uploads").iterdir())
    assert stored == sorted(f"{hashlib.sha256(data).hexdigest()}.jsonl" for data in (GOOD_JSONL, toxic))
    [job] = jobs.list_jobs(cache)
    command = json.loads((job.folder / "job.json").read_text())["command"]
    assert command[-2:] == ["--pooling", "mean"]
    assert command[command.index("--train") + 1] == str(cache / "uploads" / f"{hashlib.sha256(GOOD_JSONL).hexdigest()}.jsonl")
    assert jobs.wait_for(job.folder, timeout_s=60).state == "done"
    run_until(at, lambda app: app.session_state["analysis_path"] is not None)
    assert at.session_state["analysis_path"] == jobs.job_status(job.folder).result_path


def test_cancel_stops_a_running_build(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHETIC_DELAY", "5")
    at = make_app()
    at.run()
    [job] = jobs.list_jobs(cache)
    assert job.state == "running"
    next(button for button in at.button if button.label == "Cancel").click().run()
    assert not at.exception
    status = jobs.wait_for(job.folder, timeout_s=20)
    assert status.state in ("failed", "interrupted")


def test_a_local_path_outside_the_data_roots_is_refused(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_AUTO_DEMO", "0")
    monkeypatch.delenv("ANALYSIS_DATA_ROOTS", raising=False)
    outside = cache / "train.jsonl"  # a temporary folder: neither the working folder nor the demo data
    outside.write_bytes(GOOD_JSONL)
    at = make_app()
    at.run()
    at.text_input(key="path_train").input(str(outside))
    at.text_input(key="path_toxic").input("analysis/demo_data/toxic.jsonl")
    next(button for button in at.button if button.label == "Check files and build").click()
    at.run()
    errors = [unescape(error.value) for error in at.error]
    assert any(message.startswith(f"Training set: {outside}: outside the folders") and "ANALYSIS_DATA_ROOTS" in message for message in errors), errors
    assert not any("Toxic reference" in message for message in errors)  # the demo data is a root
    assert jobs.list_jobs(cache) == []


def test_the_demo_can_be_built_again_on_the_sentence_encoder(cache: Path) -> None:
    at = make_app()
    at.run()
    [first] = jobs.list_jobs(cache)
    assert jobs.wait_for(first.folder, timeout_s=60).state == "done"
    run_until(at, lambda app: app.session_state["analysis_path"] is not None)
    [button] = [b for b in at.button if b.label == "Build the demo on the sentence encoder"]
    button.click().run()
    assert not at.exception
    started = [job for job in jobs.list_jobs(cache) if job.folder != first.folder]
    assert len(started) == 1 and started[0].kind == "demo"
    command = json.loads((started[0].folder / "job.json").read_text())["command"]
    assert command[command.index("--model") + 1] == "sentence-transformers/all-MiniLM-L6-v2"
    jobs.wait_for(started[0].folder, timeout_s=60)
