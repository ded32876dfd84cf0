from __future__ import annotations

from airlock.model import Finding, Severity, Verdict
from airlock.verdict import adjust, decide


def f(severity: Severity, rule: str = "r") -> Finding:
    return Finding(rule, severity, "m")


def test_verdict_thresholds() -> None:
    assert decide([]) is Verdict.ALLOW
    assert decide([f(Severity.INFO), f(Severity.LOW)]) is Verdict.ALLOW
    assert decide([f(Severity.MEDIUM)]) is Verdict.REVIEW
    assert decide([f(Severity.HIGH), f(Severity.LOW)]) is Verdict.REVIEW
    assert decide([f(Severity.LOW), f(Severity.CRITICAL)]) is Verdict.BLOCK


def test_overrides_apply_before_deciding() -> None:
    findings = [f(Severity.CRITICAL, "noisy"), f(Severity.LOW, "quiet")]
    adjusted = adjust(findings, {"noisy": Severity.LOW, "quiet": Severity.HIGH})
    assert [x.severity for x in adjusted] == [Severity.LOW, Severity.HIGH]
    assert decide(adjusted) is Verdict.REVIEW
