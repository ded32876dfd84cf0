"""Keep glibc from holding on to memory the tool has freed.

airlock allocates many large, short-lived buffers (tarballs of tens of MB, packuments, file contents) from
several threads. By default glibc raises its mmap threshold after each large free (up to 32 MB), so later
large buffers come from per-thread arenas, where freed memory fragments and stays resident. Pinning the
threshold keeps large buffers in mmap (returned to the system on free) and capping arenas bounds the rest.
A no-op where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 1024 * 1024
ARENA_MAX = 2


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


def release_free_memory() -> None:
    """Hand memory freed inside the heap back to the system (glibc keeps it otherwise): after a big
    package, an analysis worker would stay at its peak for the rest of the run."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def limit_heap_growth() -> bool:
    """Apply the settings (once per process); True when they took effect."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        libc.mallopt(_M_ARENA_MAX, ARENA_MAX)
    )
