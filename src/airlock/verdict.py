"""Findings → allow | review | block. The one place verdicts are decided, failures included; rules and
stages only report findings.

The policy (DESIGN.md, Verdicts): a block must be near-certain, so only findings that rules mark
`critical` — behaviour with no benign reading — block. `high` and `medium` findings send the package to a
human. `low` and `info` are context and leave it allowed. Capabilities alone never change a verdict. A
package that could not be analysed is never allowed, whatever the project's severity overrides say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from airlock.accept import NO_ACCEPTANCES, Acceptances
from airlock.analysis.rules import package as package_rules
from airlock.errors import AirlockError
from airlock.integrity import IntegrityError
from airlock.model import EMPTY_CAPABILITIES, Finding, PackageReport, Severity, Verdict

if TYPE_CHECKING:
    from airlock.pipeline.results import PackageResult

BLOCK_AT = Severity.CRITICAL
REVIEW_AT = Severity.MEDIUM


def decide(findings: Iterable[Finding]) -> Verdict:
    verdict = Verdict.ALLOW
    for finding in findings:
        if finding.severity.at_least(BLOCK_AT):
            return Verdict.BLOCK
        if finding.severity.at_least(REVIEW_AT):
            verdict = Verdict.REVIEW
    return verdict


def adjust(findings: Iterable[Finding], severity_overrides: Mapping[str, Severity]) -> tuple[Finding, ...]:
    """Apply the project's per-rule severity overrides (airlock.toml `[rules]`) before deciding."""
    if not severity_overrides:
        return tuple(findings)
    return tuple(
        replace(f, severity=severity_overrides[f.rule]) if f.rule in severity_overrides else f
        for f in findings
    )


def failure_finding(error: AirlockError) -> Finding:
    """Why a package has no analysis: tampered bytes (critical) or anything else that stopped it."""
    if isinstance(error, IntegrityError):
        return package_rules.INTEGRITY_MISMATCH.finding(error.message)
    return package_rules.TARGET_FAILED.finding(error.diagnostics())


def with_failures(verdict: Verdict, failures: Iterable[Finding]) -> Verdict:
    """`verdict` once some of what it judged turns out not to be analysed (`failure_finding`s): raised by
    those findings, and to review at least, as `judge` does for a failed target."""
    found = tuple(failures)
    if not found:
        return verdict
    return max((verdict, decide(found), Verdict.REVIEW), key=lambda v: v.rank)


def judge(
    result: PackageResult,
    severity_overrides: Mapping[str, Severity],
    acceptances: Acceptances = NO_ACCEPTANCES,
) -> PackageReport:
    """A result with its context becomes a report entry with a verdict. Findings the project accepted are
    kept aside in the entry and do not count."""
    analysis = result.analysis
    own: tuple[Finding, ...] = ()
    if result.failure is not None:
        own = (failure_finding(result.failure),)
    elif analysis is not None:
        own = analysis.findings
    findings = adjust(
        dict.fromkeys((*own, *result.registry.findings, *result.context_findings)), severity_overrides
    )
    identity = result.identity
    name = identity.name or (analysis.name if analysis else None)
    version = identity.version or (analysis.version if analysis else None)
    findings, accepted = acceptances.split(name, version, findings)
    verdict = decide(findings)
    if result.failure is not None and verdict is Verdict.ALLOW:
        verdict = Verdict.REVIEW  # not analysed is never clean
    return PackageReport(
        target=result.request.label,
        name=name,
        version=version,
        integrity=identity.integrity,
        verdict=verdict,
        capabilities=analysis.capabilities if analysis else EMPTY_CAPABILITIES,
        findings=findings,
        install_scripts=analysis.install_scripts if analysis else {},
        skipped=analysis.skipped if analysis else (),
        paths=result.request.paths,
        from_store=result.from_store,
        accepted=accepted,
    )


__all__ = ["BLOCK_AT", "REVIEW_AT", "adjust", "decide", "failure_finding", "judge", "with_failures"]
