"""Ctrl-C for the whole CLI: one line ("interrupted"), exit 130, within 2 s, whatever is running.

The first Ctrl-C unwinds the main thread, so the pipeline stops its fetch threads and kills its analysis
workers on the way out; a second Ctrl-C, or cleanup that takes too long, ends the process at once. Every
write airlock makes is atomic (temp file + rename, one SQLite statement), so stopping anywhere leaves the
cache and store intact.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Interrupted(BaseException):
    """Ctrl-C, raised in the main thread. Not a KeyboardInterrupt, which click turns into "Aborted!" and
    exit 1, and not an Exception, so no `except Exception` on the way up swallows it."""


INTERRUPTED_EXIT = 130
"""128 + SIGINT, as shells report a process ended by Ctrl-C."""
_CLEANUP_SECONDS = 1.5
_exiting = threading.Lock()


def exit_interrupted() -> None:
    """Say so once and end the process now: fetch threads may sit in a socket read for up to the request
    timeout and are not daemons, so a normal exit would wait for them."""
    _exiting.acquire()
    sys.stdout.flush()
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()
    os._exit(INTERRUPTED_EXIT)


def _exit_after_cleanup_time() -> None:
    time.sleep(_CLEANUP_SECONDS)
    exit_interrupted()


def _on_sigint(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, lambda *_: exit_interrupted())
    threading.Thread(target=_exit_after_cleanup_time, daemon=True).start()
    raise Interrupted


@contextmanager
def ctrl_c_ends_the_run() -> Iterator[None]:
    """Within the block, Ctrl-C ends the process as the module says. Outside the main thread (a library
    caller's worker thread) signals cannot be handled, and nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    except Interrupted:
        exit_interrupted()
    finally:
        signal.signal(signal.SIGINT, previous)


__all__ = ["INTERRUPTED_EXIT", "Interrupted", "ctrl_c_ends_the_run", "exit_interrupted"]
