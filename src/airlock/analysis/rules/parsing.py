"""Code airlock could not read the way Node runs it (issue 9): never a silent gap at install time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.rules import declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "parsing"

UNPARSED_INSTALL_CODE = declare(
    "unparsed-install-code",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="Code that runs at install holds a region the parser does not fully understand (syntax errors, "
    "`with`, constructs that read differently as a script and as a module).",
    why="Node runs what it accepts, not what a parser understood: a half-read install script looks clean "
    "while the unread part runs. Such regions are read lexically (specifiers, child_process calls, command "
    "strings), which is a floor, not an analysis; a human looks at the rest.",
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    for f in facts.files:
        if f.unparsed and f.path in facts.install_time:
            yield UNPARSED_INSTALL_CODE.finding(
                f"{f.path} runs at install and has {len(f.unparsed)} region(s) the parser does not fully "
                "understand (read lexically)",
                *f.unparsed[:3],
            )


name = FAMILY
rules = (UNPARSED_INSTALL_CODE,)
