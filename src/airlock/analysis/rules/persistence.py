"""Code that arranges to run again: shell profiles, crontab, services, startup folders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.facts import writes_files
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "persistence"

PERSISTENCE = declare(
    "persistence-write",
    family=FAMILY,
    severity=Severity.MEDIUM,
    behaviour=Behaviour.PERSISTENCE,
    summary="A file that writes files names shell profiles, crontab, systemd units, startup folders or "
    "LaunchAgents.",
    why="Persistence outlives the install; high when the code runs at install.",
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    for f in facts.files:
        targets = [s for s in f.signals if s.indicator is Indicator.PERSISTENCE]
        write = writes_files(f)
        if targets and write is not None:
            at_install = f.path in facts.install_time
            yield PERSISTENCE.finding(
                f"{f.path} writes files and names {targets[0].detail!r}"
                + (" (runs at install)" if at_install else ""),
                targets[0].evidence,
                write,
                severity=Severity.HIGH if at_install else None,
            )
            return


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (PERSISTENCE,)
