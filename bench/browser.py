"""One definition of how the benchmarks and the browser tests drive the app: Debian's
chromium with the flags that keep it offline, a free loopback port, and the page state
Streamlit reports while a script runs."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

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
