"""Atomic file writes: a reader (CI step, another tool, a concurrent airlock) never sees half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, data: bytes, *, mode: int = 0o644, durable: bool = False) -> None:
    """Write `data` to a same-directory temp file, then rename it over `target`. Raises OSError.
    `durable`: the bytes reach the disk before the rename (a journal must survive a power cut)."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        Path(temp).chmod(mode)
        Path(temp).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        raise


def write_output(target: Path, data: bytes) -> None:
    """A report written where the user asked. A regular file (or a new one) is replaced atomically; anything
    else that exists — /dev/null, /dev/stdout, a FIFO a CI step reads — is written in place, since renaming
    over it would replace the device or pipe with a regular file (as root, /dev/null for everyone). Raises
    OSError."""
    if target.exists() and not target.is_file():
        with target.open("wb") as handle:
            handle.write(data)
        return
    write_atomic(target.resolve(), data)
