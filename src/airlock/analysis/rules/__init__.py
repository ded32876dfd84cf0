"""Rule declarations. Each rule is declared exactly once, in the module of its family, with its id,
severity, one-line summary and why it matters; `docs/rules.md` is generated from these declarations
(`python -m airlock.analysis.rules.docs`), so the docs cannot drift from the code.

A family is a module of this package that fits `RuleFamily` (evaluated on package facts by `evaluate`),
`CombiningFamily` (evaluated after those, on the facts and their findings: evidence that adds up) or
`RuleDeclarations` (rules reported elsewhere: by the tarball reader, `airlock.check`, `airlock.scan`), and
is listed once in `airlock.analysis.rules.registry`, where mypy checks that it fits.

Rules produce findings; they never decide verdicts (that is `airlock.verdict`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts


class Behaviour(StrEnum):
    """Independent classes of malicious behaviour. Evidence from two different classes in the same reachable
    code adds up (see `airlock.analysis.rules.combined`); many signals of one class do not."""

    CONCEALMENT = "concealment"
    """Obfuscation, hidden or invisible code, encoded strings and blobs, decoys."""
    REMOTE_CODE = "remote-code"
    """Downloading code or binaries, compiling fetched or decoded data."""
    PROCESS = "process"
    """Hidden or detached processes, LOLBins, shells, running shipped binaries."""
    EXFILTRATION = "exfiltration"
    """Reading secrets or identity and sending them out."""
    PERSISTENCE = "persistence"
    """Shell profiles, services, scheduled tasks, git hooks, CI workflows, other packages' files."""
    DESTRUCTION = "destruction"
    """Wiping, overwriting, killing processes, hanging the host."""
    PROPAGATION = "propagation"
    """Publishing with stolen tokens, spreading to other packages or repositories."""


ACTION_FIELDS = frozenset({"name", "version", "rule"})
"""What a rule's `action` may name: the flagged package's name and version, and the rule's id."""

_RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    severity: Severity
    summary: str
    why: str
    references: tuple[str, ...] = ()
    behaviour: Behaviour | None = None
    """The behaviour class this rule's findings are evidence of (None: context, not evidence of intent)."""
    action: str | None = None
    """What to do about a package this rule flags, in one short line, when the default for its verdict
    (`airlock.report.triage`) does not fit; may name `{name}`, `{version}` and `{rule}`."""
    acceptable: bool = True
    """Whether an airlock.toml `[[accept]]` entry may silence it. Not for evidence that the bytes or the
    lockfile were tampered with: no reason a reviewer writes makes other bytes the published ones."""

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
    behaviour: Behaviour | None = None,
    action: str | None = None,
    acceptable: bool = True,
) -> Rule:
    if not _RULE_ID.match(rule_id):
        raise ValueError(f"rule id {rule_id!r} must be lower-case words joined by '-'")
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id!r} declared twice")
    if action is not None:
        fields = {field for _, field, _, _ in string.Formatter().parse(action) if field is not None}
        if not fields <= ACTION_FIELDS or "\n" in action:
            raise ValueError(f"rule {rule_id!r}: an action is one line naming only {sorted(ACTION_FIELDS)}")
    rule = Rule(rule_id, family, severity, summary, why, references, behaviour, action, acceptable)
    RULES[rule_id] = rule
    return rule


class RuleDeclarations(Protocol):
    """A family of rules: its name (the `family` of each of its rules) and every rule it declares."""

    @property
    def name(self) -> str: ...

    @property
    def rules(self) -> tuple[Rule, ...]: ...


class RuleFamily(RuleDeclarations, Protocol):
    """A family evaluated on the facts of one package: `check` yields its findings, in a stable order."""

    def check(self, facts: PackageFacts) -> Iterable[Finding]: ...


class CombiningFamily(RuleDeclarations, Protocol):
    """A family judged on what the other families found: `combine` gets the facts and every finding of the
    `RuleFamily` families (in registry order) and yields its own findings, in a stable order."""

    def combine(self, facts: PackageFacts, findings: Sequence[Finding]) -> Iterable[Finding]: ...


def _declare_every_family() -> None:
    from airlock.analysis.rules import registry  # importing it imports, and so declares, every family

    registry.families()


def all_rules() -> list[Rule]:
    """Every declared rule of every registered family (for docs, SARIF and configuration)."""
    _declare_every_family()
    return sorted(RULES.values(), key=lambda r: (r.family, r.id))


def declared(rule_id: str) -> Rule | None:
    """The declaration of `rule_id` (None: not a declared rule). Loads every registered family first:
    a report may be rendered in a process that never imported the families whose findings it shows
    (analysis ran in worker processes or came from the store)."""
    _declare_every_family()
    return RULES.get(rule_id)


_SAYS_WHEN = re.compile(r"install|when (?:the package is|that file is|its function is) |library code|at load")


def _say_when(facts: PackageFacts, finding: Finding) -> Finding:
    """Evidence of intent says when it runs (install time, when the package is loaded, or only in library
    code), so a reader can weigh it; rules that already say so are left as they wrote it."""
    rule = RULES.get(finding.rule)
    if rule is None or rule.behaviour is None or not finding.evidence or _SAYS_WHEN.search(finding.message):
        return finding
    when = facts.reach_of(e.file for e in finding.evidence).phrase
    return Finding(finding.rule, finding.severity, f"{finding.message} ({when})", finding.evidence)


def evaluate(facts: PackageFacts) -> list[Finding]:
    """Every evaluated family's findings, family by family in registry order, then what the combining
    families make of them (deterministic)."""
    from airlock.analysis.rules.registry import COMBINING, EVALUATED

    findings: list[Finding] = []
    for family in EVALUATED:
        findings.extend(_say_when(facts, f) for f in family.check(facts))
    found = tuple(findings)
    for combining in COMBINING:
        findings.extend(combining.combine(facts, found))
    return findings
