"""The app's own Streamlit configuration keeps it safe by default."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".streamlit" / "config.toml"


def test_app_listens_on_loopback_only():
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["server"]["address"] == "127.0.0.1"


def test_no_usage_statistics_leave_the_machine():
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["browser"]["gatherUsageStats"] is False


def _serve_address(**env: str) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key != "APP_ADDRESS"}
    return subprocess.run(["bash", "scripts/serve_address.sh"], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=30)


def test_app_script_serves_on_loopback_by_default():
    result = _serve_address()
    assert result.returncode == 0 and result.stdout.strip() == "127.0.0.1" and result.stderr == ""
    assert '--server.address "$address"' in (ROOT / "scripts" / "app.sh").read_text()


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20"])
def test_serving_on_a_network_is_possible_with_a_warning(address: str):
    result = _serve_address(APP_ADDRESS=address)
    assert result.returncode == 0 and result.stdout.strip() == address
    assert "WARNING" in result.stderr and "no login" in result.stderr


def test_the_app_watches_no_files():
    """A file watcher sifts every write under the app folder (cache/ during a build, .venv/
    during an install): CPU taken from the build (bench/RESULTS.md, "First start")."""
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["server"]["fileWatcherType"] == "none"
    assert settings["server"]["runOnSave"] is False
    assert "fileWatcherType" not in (ROOT / "scripts" / "app.sh").read_text()  # no flag overrides it


def test_streamlit_itself_reads_no_file_watcher_from_the_project(tmp_path: Path):
    """Streamlit's own loader, in the app folder, with no user config or STREAMLIT_* variables
    (a separate process: its config is global state)."""
    probe = (
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        "print(config.get_option('server.fileWatcherType'), config.get_option('server.runOnSave'))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLIT_")}
    env["HOME"] = str(tmp_path)  # no ~/.streamlit/config.toml of the machine's user
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["none", "False"]
