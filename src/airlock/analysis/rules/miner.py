"""Cryptominers: pool URLs, stratum, miner binaries and their flags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.facts import spawns
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "miner"

MINER = declare(
    "cryptominer",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.PROCESS,
    summary="Mining pool addresses, `stratum+tcp://` URLs or xmrig flags.",
    why="ua-parser-js, coa and rc (2021) started XMRig from preinstall. Critical when started at install "
    "or by code that spawns processes.",
    references=("https://github.com/faisalman/ua-parser-js/issues/536",),
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    in_code = list(facts.signals(Indicator.MINER))
    in_shell = [
        (source, signal)
        for source in facts.shells
        for signal in source.signals
        if signal.indicator is Indicator.MINER
    ]
    if not in_code and not in_shell:
        return
    runs = any(source.install_time for source, _ in in_shell) or any(
        s.evidence.file in facts.install_time or _spawns(facts, s.evidence.file) for s in in_code
    )
    first = in_code[0] if in_code else in_shell[0][1]
    yield MINER.finding(
        f"mining indicator {first.detail!r}" + (" in code that runs it" if runs else ""),
        first.evidence,
        severity=Severity.CRITICAL if runs else None,
    )


def _spawns(facts: PackageFacts, path: str) -> bool:
    f = facts.file(path)
    return f is not None and spawns(f) is not None


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (MINER,)
