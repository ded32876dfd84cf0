"""Evidence that adds up: independent behaviour classes meeting in the same reachable code.

Each rule that is evidence of intent names its class (`Behaviour`). One class, however many signals, is
one story a benign package can tell (a bundler compiles code; an installer downloads a binary). Two
*different* classes in code that runs on its own is a second, unrelated story in the same place, and the
benign sweeps show no package telling two:

- **install time** (lifecycle scripts, what they run and require, `binding.gyp`, `package.json` scripts):
  any two classes, each from a finding of at least medium severity. Nobody watches this code run and no
  installer needs to hide itself *and* start hidden processes, or to download *and* read secrets.
- **load time** (entry points and their relative-require closure): two classes must meet in *one file*
  and at least one of them must be high. Bundles put thousands of unrelated modules into one graph (vite,
  playwright-core, next), so "somewhere at load time" would add up signals that have nothing to do with
  each other; one file with a high finding of one class and another class is one payload.
- **library code** (reached only when called) never adds up here: its findings already say what a
  human should look at, and an exported function runs with the caller's intent.

A finding's reach is the strongest among its evidence files (install > load > library); shell files that
an install script runs count as install time. Severities are the findings' own (a rule may raise its
severity by reach), before the project's `[rules]` overrides.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from airlock.analysis.facts import Reach
from airlock.analysis.rules import RULES, Behaviour, declare
from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "combined"

COMBINED = declare(
    "combined-behaviours",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="Findings of two or more different behaviour classes meet in code that runs on its own: "
    "install-time code (medium or worse each), or one load-time file (one of them high).",
    why="Attacks are several steps of different kinds (hide, fetch, start, steal); benign packages show "
    "one kind at most. coa/rc 2021 ran an obfuscated install script that started a hidden process through "
    "Windows LOLBins to fetch a DLL: four findings of review severity, a block only when they add up. A "
    "flow that waits for the application to call a function does not count at load.",
)

_STRONG_AT_LOAD = Severity.HIGH


def combine(facts: PackageFacts, findings: Sequence[Finding]) -> Iterator[Finding]:
    evidence = [(f, behaviour) for f in findings if (behaviour := _behaviour(f)) is not None]
    if not evidence:
        return

    def reach(file: str) -> Reach:
        return facts.reach_of((file,))

    # Install time: one witness per class, the first finding (registry order) whose reach is install.
    at_install: dict[Behaviour, tuple[Finding, Evidence]] = {}
    for finding, behaviour in evidence:
        cited = [e for e in finding.evidence if reach(e.file) is Reach.INSTALL]
        if cited and behaviour not in at_install:
            at_install[behaviour] = (finding, cited[0])
    if len(at_install) >= 2:
        yield _finding(Reach.INSTALL.phrase, at_install)
    # Load time: classes meeting in one load-time file, at least one of them high.
    by_file: dict[str, dict[Behaviour, tuple[Finding, Evidence]]] = {}
    for finding, behaviour in evidence:
        if finding.rule in _ONLY_WHEN_CALLED:
            continue
        for e in finding.evidence:
            if reach(e.file) is Reach.LOAD:
                by_file.setdefault(e.file, {}).setdefault(behaviour, (finding, e))
    for file in sorted(by_file):
        classes = by_file[file]
        if len(classes) >= 2 and any(f.severity.at_least(_STRONG_AT_LOAD) for f, _ in classes.values()):
            yield _finding(f"in {file}, which runs when the package is loaded", classes)
            return


_ONLY_WHEN_CALLED = frozenset({"secret-flow-in-function"})
"""Rules that say the behaviour waits for the application to call a function: a load-time file holding it
does not do it on load, so it meets nothing there (a 10 MB CLI bundle holds every kind of code)."""


def _behaviour(finding: Finding) -> Behaviour | None:
    """The finding's class if it counts as evidence here: a classed rule, at medium or worse."""
    rule = RULES.get(finding.rule)
    if rule is None or rule.behaviour is None or not finding.severity.at_least(Severity.MEDIUM):
        return None
    return rule.behaviour


def _finding(where: str, classes: dict[Behaviour, tuple[Finding, Evidence]]) -> Finding:
    ordered = sorted(classes.items(), key=lambda item: list(Behaviour).index(item[0]))
    named = ", ".join(f"{behaviour.value} ({finding.rule})" for behaviour, (finding, _) in ordered)
    return COMBINED.finding(
        f"{len(ordered)} behaviour classes meet {where}: {named}", *(e for _, (_, e) in ordered)
    )


# The family as `airlock.analysis.rules.CombiningFamily` (listed in registry.py).
name = FAMILY
rules = (COMBINED,)
