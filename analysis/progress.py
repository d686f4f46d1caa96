"""How a long run reports its stages: one callable type, and the reporter the CLI uses."""

from __future__ import annotations

import sys
from collections.abc import Callable

# Called as report(index, total, stage) when stage `index` of `total` begins.
Reporter = Callable[[int, int, str], None]


def stderr_reporter(index: int, total: int, stage: str) -> None:
    """One line per stage on standard error, where it does not mix with a command's result."""
    print(f"[{index}/{total}] {stage}", file=sys.stderr, flush=True)

