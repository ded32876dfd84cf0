"""Lockfile readers, one module per format behind one Protocol. Readers take data, never paths:
`project.py` finds and reads the files, `read_lockfile` picks the reader."""

from __future__ import annotations

from typing import Protocol

from airlock.tree.model import (
    DependencyTree,
    Edge,
    EdgeKind,
    LockedPackage,
    LockfileError,
    LockfileInput,
    Source,
)


class LockfileReader(Protocol):
    file_names: tuple[str, ...]

    def read(self, data: LockfileInput) -> DependencyTree: ...


def reader_for(data: LockfileInput) -> LockfileReader:
    """The reader for a lockfile, by its name and (for yarn.lock, whose two formats share a name) content."""
    from airlock.tree.npm import NpmLockfile
    from airlock.tree.pnpm import PnpmLockfile
    from airlock.tree.yarn_berry import YarnBerryLockfile
    from airlock.tree.yarn_classic import YarnClassicLockfile

    base = data.file.replace("\\", "/").rsplit("/", 1)[-1]
    if base == "yarn.lock":
        head = data.text[:4096]
        berry = "__metadata:" in head or "\n__metadata:" in data.text
        return YarnBerryLockfile() if berry else YarnClassicLockfile()
    for reader in (NpmLockfile(), PnpmLockfile()):
        if base in reader.file_names:
            return reader
    raise LockfileError(
        data.file,
        "not a lockfile airlock knows",
        hint="airlock reads package-lock.json, npm-shrinkwrap.json, yarn.lock and pnpm-lock.yaml",
    )


def read_lockfile(data: LockfileInput) -> DependencyTree:
    return reader_for(data).read(data)


__all__ = [
    "DependencyTree",
    "Edge",
    "EdgeKind",
    "LockedPackage",
    "LockfileError",
    "LockfileInput",
    "LockfileReader",
    "Source",
    "read_lockfile",
    "reader_for",
]
