"""Free heap pages go back to the system between chunks of a long read (glibc only)."""

from __future__ import annotations

import ctypes

import pytest

from analysis.heap import _glibc, release_free_heap


def _resident_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(_glibc() is None, reason="malloc_trim is glibc's")
def test_freed_heap_pages_that_glibc_keeps_are_given_back():
    libc = _glibc()
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    block = 64 * 1024  # below glibc's mmap threshold: served from the heap, kept there when freed
    blocks = [libc.malloc(block) for _ in range(2048)]
    for address in blocks:
        ctypes.memset(address, 1, block)
    for address in blocks[:-1]:  # the last one pins the heap's top, so glibc trims nothing itself
        libc.free(address)
    kept = _resident_mib()
    assert release_free_heap()
    released = kept - _resident_mib()
    libc.free(blocks[-1])
    assert released > 64, f"only {released:.0f} MiB of 128 MiB freed came back"
