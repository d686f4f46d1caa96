"""Concurrent and interrupted builds: one result shared, nothing half-written left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock
from pipeline_fixtures import small_config, write_inputs

from analysis.artifacts.cache import atomic_dir, cache_folders, sweep_stale_tmp
from analysis.config import ENCODER
from analysis.extraction import sae
from analysis.pipeline import build as pipeline
from analysis.pipeline.inputs import BuildInputs

ROOT = Path(__file__).resolve().parent.parent


def _tmp_folders(cache: Path) -> list[Path]:
    return [path for folder in cache_folders(cache) if folder.is_dir() for path in folder.glob(".tmp-*")]


@pytest.mark.slow
def test_concurrent_builds_wait_for_each_other_and_share_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = write_inputs(tmp_path / "inputs")
    inputs = BuildInputs(paths["train"], paths["toxic"], paths["benign"])
    cache = tmp_path / "cache"
    trained = []
    real_train = sae.train_sae

    def counting_train(*args, **kwargs):
        trained.append(threading.current_thread().name)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(sae, "train_sae", counting_train)
    results: dict[str, Path] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            results[name] = pipeline.build(inputs, small_config(), cache, name="tiny", progress=False, report=lambda *_: None)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    assert results["first"] == results["second"]
    assert (results["first"] / "manifest.json").is_file()
    assert len(trained) == 1, trained  # the second build waited and reused the first one's steps
    assert _tmp_folders(cache) == []


def test_a_tmp_folder_without_a_live_writer_is_swept(tmp_path: Path) -> None:
    steps = tmp_path / "steps" / "extract"
    steps.mkdir(parents=True)
    stale = steps / ".tmp-abc-12345678"  # left by a killed build (its lock died with it)
    stale.mkdir()
    (stale / "part.parquet").write_bytes(b"half")
    live = steps / ".tmp-def-87654321"
    live.mkdir()
    with FileLock(live.with_name(live.name + ".lock")):  # a build still writing it
        removed = sweep_stale_tmp(cache_folders(tmp_path))
    assert removed == [stale]
    assert not stale.exists() and live.is_dir()


def test_atomic_dir_holds_its_writer_lock_until_renamed(tmp_path: Path) -> None:
    final = tmp_path / "steps" / "geometry" / "key"
    with atomic_dir(final) as tmp:
        (tmp / "step.json").write_text("{}")
        assert sweep_stale_tmp(cache_folders(tmp_path)) == []  # being written: kept
        assert tmp.is_dir()
    assert (final / "step.json").is_file()
    assert list(final.parent.glob(".tmp-*")) == []


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_a_cli_build_and_removes_its_tmp_folders(tmp_path: Path, stop_signal: signal.Signals) -> None:
    paths = write_inputs(tmp_path / "inputs")
    cache = tmp_path / "cache"
    command = [
        sys.executable, "-m", "analysis", "build",
        "--train", str(paths["train"]), "--toxic", str(paths["toxic"]), "--benign", str(paths["benign"]),
        "--d-sae", "256", "--k", "8", "--training-tokens", "200000000", "--out", str(cache), "--quiet",
        "--model", ENCODER,
    ]  # far more SAE training than the test waits for: it is always stopped mid-step
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while not list((cache / "steps" / "sae").glob(".tmp-*")):
            assert process.poll() is None, process.communicate()[1].decode()[-3000:]
            assert time.monotonic() < deadline, "the build never reached SAE training"
            time.sleep(0.2)
        time.sleep(1.0)  # well inside the training loop
        process.send_signal(stop_signal)
        # only a guard against a build that never stops; how fast it stops is bench/'s business
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + stop_signal, stderr.decode()[-3000:]
    assert f"stopped by {stop_signal.name}" in stderr.decode()
    assert _tmp_folders(cache) == []
    assert not any(path.name.startswith(".tmp-") for path in cache.rglob("*"))


class _SignalsItselfWhenCollected:
    """Sends the process a stop signal from inside its finaliser, where Python prints any
    exception the handler raises as "Exception ignored" and carries on."""

    def __init__(self, stop_signal: signal.Signals):
        self.stop_signal = stop_signal

    def __del__(self) -> None:
        os.kill(os.getpid(), self.stop_signal)
        time.sleep(0.05)  # the handler runs here, inside the finaliser


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_swallowed_by_a_finaliser_still_stops_sae_training_at_its_next_step(stop_signal: signal.Signals) -> None:
    import torch

    from analysis.cli.interrupt import Stopped, stop_on_signals

    acts = torch.zeros((64, 4))
    batches = sae._activation_batches(acts, torch.arange(64), batch_size=8, seed=0)
    next(batches)
    previous_handler = signal.getsignal(stop_signal)
    with pytest.raises(Stopped, match=f"stopped by {stop_signal.name}"), stop_on_signals():
        _SignalsItselfWhenCollected(stop_signal)  # collected at once: the signal's exception is dropped
        next(batches)
    assert signal.getsignal(stop_signal) == previous_handler
    later = sae._activation_batches(acts, torch.arange(64), batch_size=8, seed=0)
    assert next(later).shape == (8, 4)  # the stop ended with its command: a later one runs
