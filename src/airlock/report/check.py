"""Render an `airlock check` outcome: the report formats, plus what only a tree has — a header naming the
lockfile, notes (resolved by npm, signals unavailable), SARIF locations in the lockfile, the overview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from airlock import __version__
from airlock.analysis import ANALYZER_VERSION
from airlock.check.overview import capability_overview, describe
from airlock.check.run import CheckOutcome
from airlock.model import Evidence, PackageReport
from airlock.report import ToolInfo, get_format
from airlock.report.sarif import SarifFormat
from airlock.report.text import TextFormat
from airlock.tree.model import Source


def header(outcome: CheckOutcome) -> str:
    tree = outcome.tree
    sources = Counter(e.source.value for e in outcome.entries)
    kinds = ", ".join(f"{n} {s}" for s, n in sorted(sources.items()))
    dev = f"; {outcome.skipped_dev} dev-only left out (--production)" if outcome.skipped_dev else ""
    bundled = sum(1 for p in tree.packages.values() if p.source is Source.BUNDLED)
    if bundled:
        dev += f"; {bundled} bundled inside their parents' tarballs"
    return f"{tree.file} ({tree.format}): {len(outcome.entries)} packages ({kinds}){dev}"


def render_check(
    outcome: CheckOutcome,
    *,
    notes: Sequence[str],
    fmt: str,
    verbose: bool,
    lockfile_uri: str,
    color: bool = False,
    width: int = 100,
) -> str:
    tool = ToolInfo(name="airlock", version=__version__, analyzer=ANALYZER_VERSION)
    reports = list(outcome.reports)
    if fmt == "text":
        return TextFormat(color=color, width=width).render_tree(
            reports,
            header=header(outcome),
            notes=[*notes, *outcome.notes],
            overview=[describe(line) for line in capability_overview(reports)],
            verbose=verbose,
        )
    if fmt == "sarif":
        lines = {id(r): e.line for r, e in zip(outcome.reports, outcome.entries, strict=True)}

        def in_lockfile(report: PackageReport, evidence: Evidence | None) -> tuple[str, int | None]:
            # Every result points at the lockfile entry that brings the package in: the file a
            # code-scanning UI can open in the user's repository.
            if evidence is not None and evidence.file == outcome.tree.file:
                return lockfile_uri, evidence.line
            return lockfile_uri, lines.get(id(report))

        return SarifFormat(location_for=in_lockfile).render(reports, tool, verbose=verbose)
    return get_format(fmt).render(reports, tool, verbose=verbose)
