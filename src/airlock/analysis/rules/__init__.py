"""Rule declarations. Each rule is declared exactly once, in the module of its family, with its id,
severity, one-line summary and why it matters; `docs/rules.md` is generated from these declarations
(`python -m airlock.analysis.rules.docs`), so the docs cannot drift from the code.

Rules produce findings; they never decide verdicts (that is `airlock.verdict`).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    severity: Severity
    summary: str
    why: str
    references: tuple[str, ...] = ()

    def finding(self, message: str, *evidence: Evidence, severity: Severity | None = None) -> Finding:
        return Finding(self.id, severity or self.severity, message, tuple(evidence))


RULES: dict[str, Rule] = {}


def declare(
    rule_id: str,
    *,
    family: str,
    severity: Severity,
    summary: str,
    why: str,
    references: tuple[str, ...] = (),
) -> Rule:
    if not _RULE_ID.match(rule_id):
        raise ValueError(f"rule id {rule_id!r} must be lower-case words joined by '-'")
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id!r} declared twice")
    rule = Rule(rule_id, family, severity, summary, why, references)
    RULES[rule_id] = rule
    return rule


def _family_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
        if info.name != "docs"
    ]


def all_rules() -> list[Rule]:
    """Every declared rule, importing each family module of this package (for docs and SARIF)."""
    _family_modules()
    return sorted(RULES.values(), key=lambda r: (r.family, r.id))


def evaluate(facts: PackageFacts) -> list[Finding]:
    """Run every family's `check(facts)`; findings come back in a deterministic order."""
    findings: list[Finding] = []
    for module in _family_modules():
        check = getattr(module, "check", None)
        if check is not None:
            produced: Iterable[Finding] = check(facts)
            findings.extend(produced)
    return findings
