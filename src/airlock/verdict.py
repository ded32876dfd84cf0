"""Findings → allow | review | block. The one place verdicts are decided; rules only report findings.

The policy (DESIGN.md, Verdicts): a block must be near-certain, so only findings that rules mark
`critical` — behaviour with no benign reading — block. `high` and `medium` findings send the package to a
human. `low` and `info` are context and leave it allowed. Capabilities alone never change a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from airlock.model import Finding, Severity, Verdict

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
