"""An `airlock check` outcome as a report document: the packages in tree order plus what only a tree has —
a header naming the lockfile, notes (resolved by npm, signals unavailable), the entries' lockfile lines
(where SARIF results point) and the overview of what the tree can do."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from airlock.check.overview import capability_overview, describe
from airlock.check.run import CheckOutcome
from airlock.report.document import ReportDocument, ReportKind, ToolInfo, TreeInfo
from airlock.tree.model import Source


def header(outcome: CheckOutcome) -> str:
    tree = outcome.tree
    sources = Counter(e.source.value for e in outcome.entries)
    kinds = ", ".join(f"{n} {s}" for s, n in sorted(sources.items()))
    dev = f"; {outcome.skipped_dev} dev-only left out (--production)" if outcome.skipped_dev else ""
    # Only copies shipped inside a dependency's tarball: what the project (or a workspace) bundles has no
    # parent tarball, so it is fetched and counted like any other package.
    bundled = sum(1 for p in tree.packages.values() if p.source is Source.BUNDLED)
    if bundled:
        dev += f"; {bundled} shipped inside a dependency's tarball (analysed as part of it)"
    return f"{tree.file} ({tree.format}): {len(outcome.entries)} packages ({kinds}){dev}"


def check_document(
    outcome: CheckOutcome, tool: ToolInfo, *, notes: Sequence[str] = (), lockfile_uri: str
) -> ReportDocument:
    return ReportDocument(
        kind=ReportKind.CHECK,
        tool=tool,
        packages=outcome.reports,
        notes=(*notes, *outcome.notes),
        tree=TreeInfo(
            header=header(outcome),
            lockfile=outcome.tree.file,
            lockfile_uri=lockfile_uri,
            entry_lines=tuple(e.line for e in outcome.entries),
            overview=tuple(describe(line) for line in capability_overview(outcome.reports)),
        ),
    )


__all__ = ["check_document", "header"]
