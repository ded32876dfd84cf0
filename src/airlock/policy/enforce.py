"""`airlock check` with a policy: every package that exceeds its grants gets a `policy-exceeded` finding
naming the capability, where the analysis saw it and the policy line that would accept it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from airlock.analysis.rules.policy import EXCEEDED
from airlock.check.run import CheckOutcome
from airlock.model import Evidence, Finding, PackageReport
from airlock.policy.document import Policy
from airlock.policy.drift import Drift, Excess
from airlock.policy.generate import drifts, observe_tree
from airlock.policy.render import subject

_EVIDENCE_KEPT = 3


@dataclass(frozen=True, slots=True)
class Enforced:
    outcome: CheckOutcome
    """The check's outcome, each exceeding package's report with its `policy-exceeded` findings."""
    drifts: tuple[Drift, ...]

    @property
    def violations(self) -> int:
        """How many packages exceed their grants."""
        return sum(1 for d in self.drifts if d.exceeds)


def enforce(
    outcome: CheckOutcome, policy: Policy, names: Mapping[str, str], override: Policy | None = None
) -> Enforced:
    observed = observe_tree(outcome, names)
    found = drifts(observed, policy, override)
    by_name = {d.name: d for d in found if d.exceeds}
    added: dict[int, list[Finding]] = {}
    for package in observed.packages:
        d = by_name.get(package.name)
        if d is None:
            continue
        findings = added.setdefault(id(package.report), [])
        findings.extend(_finding(package.name, excess, listed=d.listed) for excess in d.excesses)
    reports = tuple(_with_findings(r, added.get(id(r), ())) for r in outcome.reports)
    return Enforced(replace(outcome, reports=reports), found)


def _finding(name: str, excess: Excess, *, listed: bool) -> Finding:
    what = subject(excess.kind, excess.key)
    where = "" if listed else " (the policy has no entry for it)"
    message = f"{name} exceeds airlock-policy.json{where}: {what}; the line that accepts it: {excess.line}"
    evidence: tuple[Evidence, ...] = excess.evidence[:_EVIDENCE_KEPT]
    return EXCEEDED.finding(message, *evidence)


def _with_findings(report: PackageReport, findings: list[Finding] | tuple[Finding, ...]) -> PackageReport:
    if not findings:
        return report
    unique = tuple(dict.fromkeys((*report.findings, *findings)))
    return replace(report, findings=unique)
