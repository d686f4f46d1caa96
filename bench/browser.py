"""One definition of how the benchmarks and the browser tests drive the app: Debian's
chromium with the flags that keep it offline, a free loopback port, the app served on it,
and the page state Streamlit reports while a script runs."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCRIPT_STATE = "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing_browser() -> str | None:
    """Why a real browser cannot be driven here (no chromium, no Playwright), or None."""
    if not CHROMIUM.exists():
        return f"chromium is not installed at {CHROMIUM}"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def wait_healthy(url: str, process: subprocess.Popen, timeout_s: float = 60, poll_s: float = 0.25) -> None:
    """Until the app at `url` answers its health check; RuntimeError (with the server's
    standard error when it was captured) if `process` ends or `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            said = process.stderr.read().decode() if process.stderr and process.poll() is not None else ""
            raise RuntimeError(f"streamlit did not start: {said}")
        time.sleep(poll_s)


def stop_group(process: subprocess.Popen, timeout_s: float = 15) -> None:
    """SIGTERM to the process group `process` leads (started with `start_new_session`), then
    SIGKILL if it has not ended within `timeout_s`."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout_s)


@contextlib.contextmanager
def app_server(env: dict[str, str], start_timeout_s: float = 60) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port with `env`, in its own process group;
    yields its URL once the health check answers, and stops the whole group afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true", "--server.port", str(port),
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
        ],
        cwd=REPOSITORY_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, start_timeout_s, poll_s=0.5)
        yield url
    finally:
        stop_group(process)
