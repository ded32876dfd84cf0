"""Running one process with a time limit and a bounded tail of its output, for every sandbox.

The process gets its own session (process group), so a timeout kills the whole group; bwrap additionally
takes every process of the sandbox with it (`--die-with-parent`, its own pid namespace). Output is read
while the process runs and only the last `OUTPUT_LIMIT` bytes are kept: a script printing gigabytes
costs no memory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from airlock.sandbox import OUTPUT_LIMIT, SandboxOutcome

_DRAIN_AFTER_EXIT = 2.0
"""Seconds to keep reading after the process exited: a background child may hold the pipe open."""


class _Tail:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.truncated = False

    def add(self, chunk: bytes) -> None:
        self.data += chunk
        if len(self.data) > self.limit:
            del self.data[: len(self.data) - self.limit]
            self.truncated = True


def _read(stream: object, tail: _Tail) -> None:
    fd = stream.fileno()  # type: ignore[attr-defined]
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        tail.add(chunk)


def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None,
    timeout: float,
    limit: int = OUTPUT_LIMIT,
) -> SandboxOutcome:
    """Run `argv` to completion or until `timeout` seconds passed (then kill its process group)."""
    started = time.monotonic()
    tail = _Tail(limit)
    try:
        process = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        return SandboxOutcome(None, False, f"cannot start {argv[0]}: {exc.strerror}", 0.0)
    assert process.stdout is not None
    reader = threading.Thread(target=_read, args=(process.stdout, tail), daemon=True)
    reader.start()
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process)
        process.wait()
    finally:
        if process.poll() is None:  # interrupted (KeyboardInterrupt): leave nothing running
            _kill_group(process)
            process.wait()
        reader.join(_DRAIN_AFTER_EXIT)
        process.stdout.close()
    duration = time.monotonic() - started
    output = bytes(tail.data).decode("utf-8", errors="replace")
    if timed_out:
        output += f"\n[airlock: killed after {timeout:g} s, the time limit]\n"
    exit_code = None if timed_out else process.returncode
    return SandboxOutcome(exit_code, timed_out, output, duration, tail.truncated)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
