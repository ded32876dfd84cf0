"""What the analysis could not cover: a package whose code was not fully analysed is never called clean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.rules import declare
from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "coverage"

ANALYSIS_INCOMPLETE = declare(
    "analysis-incomplete",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="Part of a JavaScript/TypeScript file was not analysed: it ran out of its step budget, nested "
    "code compiled from strings too deep, or was cut at the per-file byte cap.",
    why="Budgets keep hostile files from stalling the scanner, but what lies past a cut is unseen: padding "
    "a file until the analysis gives up must not turn a payload into a clean result. The cut is listed in "
    "`skipped`; a human decides.",
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    # Only cuts in code the analysis reads. Files the tarball reader kept as a prefix (binaries, media,
    # source maps) are never parsed, and members over its size cap already have `tar-too-large`.
    # Regions the parser did not understand are not cuts: they are read lexically, and judged by the parsing
    # family where they run at install time.
    for f in facts.files:
        if not f.cuts:
            continue
        first = f.cuts[0]
        more = f" (and {len(f.cuts) - 1} more cut(s))" if len(f.cuts) > 1 else ""
        yield ANALYSIS_INCOMPLETE.finding(
            f"{f.path} was not fully analysed: {first.reason}{more}", Evidence(f.path, 1)
        )


name = FAMILY
rules = (ANALYSIS_INCOMPLETE,)
