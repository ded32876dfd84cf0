"""files.py: atomic replacement of regular files, in-place writes to what is not one."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from airlock.files import write_atomic, write_output


def test_a_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old")
    write_output(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temp file left


def test_a_new_file_is_created(tmp_path: Path) -> None:
    write_output(tmp_path / "new.json", b"{}\n")
    assert (tmp_path / "new.json").read_bytes() == b"{}\n"


def test_a_symlink_to_a_file_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_output(link, b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_output(fifo, b"report\n")
    reader.join(timeout=10)
    assert received == [b"report\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_durable_atomic_write_leaves_only_the_target(tmp_path: Path) -> None:
    target = tmp_path / "journal.json"
    write_atomic(target, b"{}", mode=0o600, durable=True)
    assert target.read_bytes() == b"{}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["journal.json"]
