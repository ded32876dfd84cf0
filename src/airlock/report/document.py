"""The whole report a command produced, as every format receives it: kind, tool, packages and context.

Formats render documents, never bare package lists, so `check`, and later `diff` and `policy`, pass their
context (a lockfile's header and notes, where results point) through the same `ReportFormat` seam.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from airlock.model import PackageReport


class ReportKind(StrEnum):
    SCAN = "scan"
    CHECK = "check"


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolInfo:
    """Who produced a report. `analyzer` changes whenever analysis results could (it keys the store)."""

    name: str = "airlock"
    version: str
    analyzer: str


@dataclass(frozen=True, slots=True)
class TreeInfo:
    """What only a dependency tree has."""

    header: str
    """Short lines naming the lockfile and what it holds (newline-separated, each at most ~100 chars)."""
    lockfile: str
    """The lockfile's name as evidence gives it (findings whose evidence is in this file point into it)."""
    lockfile_uri: str
    """Where code-scanning results point: the lockfile, relative to the working directory when inside it."""
    entry_lines: tuple[int | None, ...]
    """For each package, the lockfile line of the entry that brings it in (aligned with `packages`)."""
    overview: tuple[str, ...] = ()
    """What the tree as a whole can do ("15 packages can spawn processes: …")."""


@dataclass(frozen=True, slots=True)
class ReportDocument:
    kind: ReportKind
    tool: ToolInfo
    packages: tuple[PackageReport, ...]
    """In the order the targets were given (for a tree: tree order), never re-sorted, never dropped."""
    notes: tuple[str, ...] = ()
    """What could not be checked and why; how the input was obtained."""
    tree: TreeInfo | None = None


__all__ = ["ReportDocument", "ReportKind", "ToolInfo", "TreeInfo"]
