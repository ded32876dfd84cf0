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
