"""An `airlock check` outcome as a report document: the packages in tree order plus what only a tree has —
a header naming the lockfile, notes (resolved by npm, signals unavailable), the entries' lockfile lines
(where SARIF results point) and the overview of what the tree can do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from airlock.check.overview import capability_overview, describe
from airlock.check.platform import names
from airlock.check.run import CheckOutcome
from airlock.report.document import ReportDocument, ReportKind, ToolInfo, TreeInfo
from airlock.tree.model import Source

HEADER_WIDTH = 100
"""A header line longer than this is split at its `; ` parts (a report's first lines must stay readable)."""


def header(outcome: CheckOutcome, title: str | None = None) -> str:
    """The lockfile (or `title`, when airlock made the tree itself), its format and how many packages
    (by source), then what was left out: short lines."""
    tree = outcome.tree
    sources = Counter(e.source.value for e in outcome.entries)
    kinds = ", ".join(f"{n} {s}" for s, n in sorted(sources.items()))
    count = len(outcome.entries)
    # "yarn.lock berry (metadata version 10)", not "yarn.lock (yarn.lock berry (…))"
    named = title or (tree.format if tree.format.split()[0] == tree.file else f"{tree.file} ({tree.format})")
    parts = [f"{named}: {count} {'package' if count == 1 else 'packages'} ({kinds})"]
    if outcome.skipped_dev:
        parts.append(f"{outcome.skipped_dev} dev-only left out (--production)")
    # Only copies shipped inside a dependency's tarball: what the project (or a workspace) bundles has no
    # parent tarball, so it is fetched and counted like any other package.
    bundled = sum(1 for p in tree.packages.values() if p.source is Source.BUNDLED)
    if bundled:
        parts.append(f"{bundled} shipped inside a dependency's tarball (analysed as part of it)")
    if outcome.not_for_platform:
        parts.append(
            f"{len(outcome.not_for_platform)} for other platforms than {names(outcome.platforms)} not checked "
            "(--all-platforms)"
        )
    return "\n".join(_pack(parts, HEADER_WIDTH))


def _pack(parts: Sequence[str], width: int) -> list[str]:
    """`parts` joined by "; " into lines of at most `width` where the parts allow it."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += f"; {part}"
        else:
            lines.append(part)
    return lines


def check_document(
    outcome: CheckOutcome,
    tool: ToolInfo,
    *,
    notes: Sequence[str] = (),
    lockfile_uri: str,
    title: str | None = None,
) -> ReportDocument:
    return ReportDocument(
        kind=ReportKind.CHECK,
        tool=tool,
        packages=outcome.reports,
        notes=(*notes, *outcome.notes),
        tree=TreeInfo(
            header=header(outcome, title),
            lockfile=outcome.tree.file,
            lockfile_uri=lockfile_uri,
            entry_lines=tuple(e.line for e in outcome.entries),
            overview=tuple(describe(line) for line in capability_overview(outcome.reports)),
        ),
    )


__all__ = ["check_document", "header"]
