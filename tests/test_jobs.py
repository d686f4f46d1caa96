"""Background jobs: the result comes from a file, old jobs are pruned, the list is cheap to read."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from appkit import jobs

ANNOUNCE_THEN_CHATTER = (
    "from analysis.cli.result import announce_result\n"
    "import sys\n"
    "announce_result(sys.argv[1])\n"
    "print('a library that prints after the command')\n"
)


def test_the_result_comes_from_the_result_file_not_the_last_line(tmp_path: Path) -> None:
    result = tmp_path / "analyses" / "real-result"
    folder = jobs.start_job(tmp_path, [str(result)], kind="build", label="x", command=[sys.executable, "-c", ANNOUNCE_THEN_CHATTER])
    status = jobs.wait_for(folder, timeout_s=60)
    assert status.state == "done", status.log_tail
    assert status.result_path == str(result.resolve())


def test_a_job_that_records_no_result_has_failed(tmp_path: Path) -> None:
    folder = jobs.start_job(tmp_path, [], kind="build", label="x", command=[sys.executable, "-c", "print('/looks/like/a/path')"])
    status = jobs.wait_for(folder, timeout_s=60)
    assert status.state == "failed" and status.result_path is None


def test_the_error_line_is_kept_apart_from_the_log(tmp_path: Path) -> None:
    script = "import sys; print('[1/2] Reading', file=sys.stderr); print('error: train.csv: row 3: bad', file=sys.stderr); sys.exit(2)"
    folder = jobs.start_job(tmp_path, [], kind="build", label="x", command=[sys.executable, "-c", script])
    status = jobs.wait_for(folder, timeout_s=60)
    assert status.state == "failed" and status.returncode == 2
    assert status.error == "train.csv: row 3: bad"
    assert "[1/2] Reading" in status.log_tail


def _finished_job(root: Path, job_id: str) -> Path:
    folder = jobs.jobs_root(root) / job_id
    folder.mkdir(parents=True)
    (folder / "job.json").write_text(json.dumps({"id": job_id, "kind": "build", "label": job_id}))
    (folder / "stderr.log").write_text("[1/1] Done\n" * 2000)
    (folder / "exit.json").write_text(json.dumps({"returncode": 0, "result_path": "/x/a", "stage": "Done", "stage_index": 1, "stage_total": 1, "percent": 0.0, "log_tail": "[1/1] Done", "error": ""}))
    return folder


def test_starting_a_job_prunes_the_oldest_finished_ones(tmp_path: Path) -> None:
    old = [_finished_job(tmp_path, f"20260101-0000{index:02d}-aaaaaa") for index in range(jobs.KEEP_FINISHED + 5)]
    new = jobs.start_job(tmp_path, [], kind="build", label="new", command=[sys.executable, "-c", "import time; time.sleep(2)"])
    listed = [job.folder for job in jobs.list_jobs(tmp_path)]
    assert new in listed  # running: never pruned
    assert len(listed) == jobs.KEEP_FINISHED + 1
    assert all(not folder.exists() for folder in old[:5])  # the oldest went
    assert all(folder.exists() for folder in old[5:])
    jobs.wait_for(new, timeout_s=60)


def test_the_job_list_reads_no_log_of_a_finished_job_and_each_log_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(10):
        _finished_job(tmp_path, f"20260101-0000{index:02d}-bbbbbb")
    running = jobs.jobs_root(tmp_path) / "20260102-000000-cccccc"
    running.mkdir()
    (running / "job.json").write_text(json.dumps({"id": running.name, "kind": "build", "label": "running"}))
    (running / "stderr.log").write_text("[1/3] Reading\n[2/3] Extracting\n")
    reads: list[Path] = []
    real_tail = jobs._tail

    def counting_tail(path: Path, *args, **kwargs) -> str:
        reads.append(path)
        return real_tail(path, *args, **kwargs)

    monkeypatch.setattr(jobs, "_tail", counting_tail)
    for _ in range(3):  # a page rerun lists the jobs several times
        statuses = jobs.list_jobs(tmp_path)
    assert len(statuses) == 11
    assert reads == [running / "stderr.log"]  # finished jobs: from exit.json; the live log once
    time.sleep(0.01)
    with open(running / "stderr.log", "a") as log:
        log.write("[3/3] Scoring\n")
    assert jobs.job_status(running).stage == "Scoring"  # a grown log is read again
    assert len(reads) == 2
