"""A stop the user asked for, seen by every long loop.

The CLI's signal handler raises `Stopped` in the main thread, but Python runs a handler
wherever the main thread happens to be, and an exception raised while it is inside a
finaliser (`__del__`, a weakref callback, a generator closed by the garbage collector) is
printed as "Exception ignored" and dropped: the build would go on as if nothing came. So
the handler also records the stop here, and the long loops (reading batches, SAE training
steps, generation batches) call `raise_if_stopped()` at each step, which raises it again.
"""

from __future__ import annotations

import signal


class Stopped(BaseException):
    """A stop signal arrived. A BaseException, so `except Exception` handlers let it pass."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_requested: int | None = None


def request_stop(signum: int) -> None:
    """Record that signal `signum` asked the process to stop."""
    global _requested
    _requested = signum


def clear_stop() -> None:
    """Forget a recorded stop (when the command that received it has ended)."""
    global _requested
    _requested = None


def raise_if_stopped() -> None:
    """Raise `Stopped` when a stop was requested; otherwise do nothing (cheap: one read)."""
    if _requested is not None:
        raise Stopped(_requested)
