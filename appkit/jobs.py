"""Background analysis jobs that outlive a page refresh (and a server restart).

A job is a folder `cache/jobs/<job_id>/`:
- `job.json`: what runs (the command line, a label, when it started);
- `stdout.log`, `stderr.log`: the CLI's output (stage lines `[3/7] Training SAE` and tqdm
  bars go to stderr);
- `result.json`: the result path, written by the CLI itself (`analysis.cli.result`: the runner
  names this file in `ANALYSIS_RESULT_FILE`), never guessed from the output;
- `pid`: the process id of the small runner below, which waits for the CLI;
- `exit.json`: written by the runner when the CLI ends: return code, result path, the last
  stage, the one-line error and the log's tail, so a finished job is shown without reading
  its logs again.

Only the newest `KEEP_FINISHED` finished jobs are kept: starting a job prunes older ones.

A job succeeds when the CLI exits with one of its `ok_returncodes` (default 0; `monitor`
also exits 1 when it flags drift, which is a result, not a failure).

Everything a page needs to show progress is read back from the folder, so any session
finds a running job again. No Streamlit here: this module is plain Python, and the runner
is started as `python -m appkit.jobs <job_dir>`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analysis.cli.result import RESULT_FILE_ENV, read_result

REPO_ROOT = Path(__file__).resolve().parent.parent
KEEP_FINISHED = 30
STAGE_LINE = re.compile(r"^\s*\[(\d+)/(\d+)\]\s*(.*)$")
TQDM_PERCENT = re.compile(r"(\d{1,3})%\|")
LOG_TAIL_BYTES = 64_000

# Keeps the Popen handles of jobs this server started, so finished runners are reaped
# (no zombies) and their state is known without probing process ids.
_RUNNERS: dict[str, subprocess.Popen[bytes]] = {}


def analysis_cli() -> list[str]:
    """The command that runs the analysis CLI; `ANALYSIS_CLI` overrides it (tests use a stand-in)."""
    override = os.environ.get("ANALYSIS_CLI")
    if override:
        return shlex.split(override)
    return [sys.executable, "-m", "analysis"]


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    folder: Path
    label: str
    kind: str
    started: str
    state: str  # "running", "done", "failed", "interrupted" (runner gone without exit.json)
    stage: str
    stage_index: int
    stage_total: int
    progress: float  # 0..1, from the stage lines and the last tqdm percentage
    returncode: int | None
    result_path: str | None
    log_tail: str
    meta: dict
    error: str = ""  # the command's last `error: ...` line, without the prefix

    @property
    def finished(self) -> bool:
        return self.state != "running"


def jobs_root(cache_root: Path) -> Path:
    return Path(cache_root) / "jobs"


def start_job(
    cache_root: Path,
    args: list[str],
    *,
    kind: str,
    label: str,
    command: list[str] | None = None,
    ok_returncodes: tuple[int, ...] = (0,),
    meta: dict | None = None,
) -> Path:
    """Start `<analysis CLI> args` (or `command + args`) in the background; returns the job folder.

    `meta` is recorded in job.json as it is (e.g. the analysis a monitor job belongs to)."""
    job_id = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    folder = jobs_root(cache_root) / job_id
    folder.mkdir(parents=True)
    command = [*(command or analysis_cli()), *args]
    _write_json(
        folder / "job.json",
        {
            "id": job_id,
            "kind": kind,
            "label": label,
            "command": command,
            "started": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            "ok_returncodes": list(ok_returncodes),
            "meta": meta or {},
        },
    )
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(Path(cache_root).resolve()), "PYTHONUNBUFFERED": "1"}
    runner = subprocess.Popen(
        [sys.executable, "-m", "appkit.jobs", str(folder)],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: cancel stops the CLI too
    )
    (folder / "pid").write_text(str(runner.pid))
    _RUNNERS[job_id] = runner
    prune_jobs(cache_root)
    return folder


def prune_jobs(cache_root: Path, keep: int = KEEP_FINISHED) -> list[Path]:
    """Remove finished jobs past the newest `keep` (running ones always stay)."""
    removed = []
    finished = [job for job in list_jobs(cache_root) if job.finished]
    for job in finished[keep:]:
        shutil.rmtree(job.folder, ignore_errors=True)
        _RUNNERS.pop(job.job_id, None)
        removed.append(job.folder)
    return removed


def run_job(folder: Path) -> int:
    """Runner body: run the job's command, then record how it ended in exit.json."""
    spec = json.loads((folder / "job.json").read_text())
    result_file = folder / "result.json"
    env = {**os.environ, RESULT_FILE_ENV: str(result_file)}
    with open(folder / "stdout.log", "wb") as stdout, open(folder / "stderr.log", "wb") as stderr:
        try:
            process = subprocess.Popen(spec["command"], cwd=REPO_ROOT, env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
            returncode = process.wait()
        except OSError as error:
            stderr.write(f"could not start {spec['command'][0]}: {error}\n".encode())
            returncode = 127
    ok = [int(code) for code in spec.get("ok_returncodes", [0])]
    result = read_result(result_file) if returncode in ok else None
    log = _read_log(folder / "stderr.log")
    _write_json(
        folder / "exit.json",
        {
            "returncode": returncode,
            "result_path": result,
            "finished": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            **log.as_record(),
        },
    )
    return returncode


def cancel_job(folder: Path) -> None:
    """Stop the runner and the CLI it started (they share one process group)."""
    pid = _read_pid(folder)
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    runner = _RUNNERS.get(folder.name)
    if runner is not None:
        try:
            runner.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(pid, signal.SIGKILL)
            runner.wait(timeout=5)


@dataclass(frozen=True)
class LogSummary:
    """What a page shows of a job's stderr: the last stage, its progress, the tail, the error."""

    stage: str = "Starting"
    stage_index: int = 0
    stage_total: int = 0
    percent: float = 0.0
    tail: str = ""
    error: str = ""

    def as_record(self) -> dict:
        return {
            "stage": self.stage,
            "stage_index": self.stage_index,
            "stage_total": self.stage_total,
            "percent": self.percent,
            "log_tail": self.tail,
            "error": self.error,
        }

    @classmethod
    def from_record(cls, record: dict) -> LogSummary:
        return cls(
            stage=str(record.get("stage", "Starting")),
            stage_index=int(record.get("stage_index", 0)),
            stage_total=int(record.get("stage_total", 0)),
            percent=float(record.get("percent", 0.0)),
            tail=str(record.get("log_tail", "")),
            error=str(record.get("error", "")),
        )


def summarize_log(text: str) -> LogSummary:
    lines = [line for line in re.split(r"[\r\n]+", text) if line.strip()]
    stage, stage_index, stage_total, percent = "Starting", 0, 0, 0.0
    error = ""
    for line in lines:
        match = STAGE_LINE.match(line)
        if match:
            stage_index, stage_total, stage = int(match.group(1)), int(match.group(2)), match.group(3).strip()
            percent = 0.0
            continue
        if line.startswith("error: "):
            error = line[len("error: ") :].strip()
        percents = TQDM_PERCENT.findall(line)
        if percents:
            percent = min(int(percents[-1]), 100) / 100
    return LogSummary(stage, stage_index, stage_total, percent, "\n".join(lines[-40:]), error)


# (path -> ((size, mtime_ns), summary)): a page rerun asks for the same job's status several
# times, and a log that has not grown is not read again.
_LOG_CACHE: dict[str, tuple[tuple[int, int], LogSummary]] = {}


def _read_log(path: Path) -> LogSummary:
    try:
        info = path.stat()
    except OSError:
        return LogSummary()
    key = (info.st_size, info.st_mtime_ns)
    cached = _LOG_CACHE.get(str(path))
    if cached is not None and cached[0] == key:
        return cached[1]
    summary = summarize_log(_tail(path))
    _LOG_CACHE[str(path)] = (key, summary)
    return summary


def job_status(folder: Path) -> JobStatus:
    spec = _read_json(folder / "job.json") or {}
    outcome = _read_json(folder / "exit.json")
    if outcome is not None:
        returncode = int(outcome.get("returncode", 1))
        ok = [int(code) for code in spec.get("ok_returncodes", [0])]
        state = "done" if returncode in ok and outcome.get("result_path") else "failed"
        result_path = outcome.get("result_path")
        # Runners record the log's summary when the job ends; older ones did not.
        log = LogSummary.from_record(outcome) if "log_tail" in outcome else _read_log(folder / "stderr.log")
    else:
        returncode, result_path = None, None
        state = "running" if _runner_alive(folder) else "interrupted"
        log = _read_log(folder / "stderr.log")
    progress = (max(log.stage_index - 1, 0) + log.percent) / log.stage_total if log.stage_total else 0.0
    if state == "done":
        progress = 1.0
    return JobStatus(
        job_id=folder.name,
        folder=folder,
        label=str(spec.get("label", folder.name)),
        kind=str(spec.get("kind", "build")),
        started=str(spec.get("started", "")),
        state=state,
        stage=log.stage,
        stage_index=log.stage_index,
        stage_total=log.stage_total,
        progress=min(max(progress, 0.0), 1.0),
        returncode=returncode,
        result_path=result_path,
        log_tail=log.tail,
        meta=dict(spec.get("meta") or {}),
        error=log.error,
    )


def list_jobs(cache_root: Path) -> list[JobStatus]:
    """All jobs, newest first."""
    root = jobs_root(cache_root)
    if not root.is_dir():
        return []
    folders = sorted((path for path in root.iterdir() if (path / "job.json").is_file()), reverse=True)
    return [job_status(folder) for folder in folders]


def wait_for(folder: Path, timeout_s: float = 60.0, poll_s: float = 0.2) -> JobStatus:
    """Block until the job ends (used by tests and scripts, never by a page)."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = job_status(folder)
        if status.finished or time.monotonic() > deadline:
            return status
        time.sleep(poll_s)


def _runner_alive(folder: Path) -> bool:
    runner = _RUNNERS.get(folder.name)
    if runner is not None:
        return runner.poll() is None
    pid = _read_pid(folder)
    if pid is None:
        # The pid file is written right after the start; give a fresh job the benefit of doubt.
        return (folder / "job.json").is_file() and time.time() - (folder / "job.json").stat().st_mtime < 10
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    # A pid can be reused: the runner is ours only if its command line names this job.
    state = stat.rsplit(")", 1)[-1].split()[0]
    if state == "Z":
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return str(folder) in cmdline


def _read_pid(folder: Path) -> int | None:
    try:
        return int((folder / "pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _tail(path: Path, limit: int = LOG_TAIL_BYTES) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(size - limit, 0))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write_json(path: Path, payload: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    raise SystemExit(run_job(Path(sys.argv[1])))
