"""Stop a command cleanly on SIGTERM or SIGINT.

Python's default SIGTERM ends the process at once, so `finally` blocks never run and a
build leaves its `.tmp-*` step folders behind. Here both signals raise `Stopped` in the
main thread instead: the exception unwinds through `atomic_dir`, which removes the
temporary folder, and the command exits with 128 + the signal number, as a shell expects.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from analysis.stopping import Stopped, clear_stop, request_stop

__all__ = ["STOP_SIGNALS", "Stopped", "stop_on_signals"]

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _stop(signum: int, frame: FrameType | None) -> None:
    # A second signal while cleaning up ends the process the usual way: the user insists.
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, signal.SIG_DFL)
    request_stop(signum)  # raised again by the next long loop if this raise is swallowed
    raise Stopped(signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT raise `Stopped`; the previous handlers come back
    after it (the CLI also runs inside test processes). Only the main thread can set
    handlers: elsewhere the block changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {stop_signal: signal.getsignal(stop_signal) for stop_signal in STOP_SIGNALS}
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, _stop)
    try:
        yield
    finally:
        clear_stop()
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)
