"""Give the C heap's free pages back to the system between chunks of a long read.

The forward pass allocates and frees buffers of many sizes (one set per batch shape); glibc
keeps what is freed in its arenas for reuse, and over a long read the free but resident pages
pile up: the process's resident memory rose with the rows read although what it holds does not
(bench/RESULTS.md, "Memory in rows"). `malloc_trim` returns them; it takes a few milliseconds,
so it runs once per chunk of rows, not per batch. Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Any


@cache
def _glibc() -> Any | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None  # musl has none
    except OSError:
        return None


def release_free_heap() -> bool:
    """Return the heap's free pages to the system; True when glibc did so."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0))
