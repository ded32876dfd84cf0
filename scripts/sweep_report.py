"""What the sweeps (benign_sweep.py, real_tree_sweep.py) print and write: the non-allow packages with their
medium+ findings, and JSON lines for offline study. One module so the two yardsticks read alike."""

from __future__ import annotations

import argparse
import collections
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from airlock.model import Finding, PackageReport, Severity, Verdict


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """The JSON-lines outputs both sweeps write (for study away from the run, and for combining rules)."""
    parser.add_argument("--json-out", type=Path, help="JSON lines: every non-allow package")
    parser.add_argument(
        "--findings-out", type=Path, help="JSON lines: every package with a finding of --findings-min+"
    )
    parser.add_argument(
        "--findings-min",
        type=Severity,
        choices=list(Severity),
        default=Severity.MEDIUM,
        help="lowest severity --findings-out records (default medium; low or info for combining rules)",
    )


def worst_findings(report: PackageReport, floor: Severity = Severity.MEDIUM) -> list[Finding]:
    """Findings of `floor` severity or more (medium: the ones that move a verdict off allow)."""
    return [f for f in report.findings if f.severity.at_least(floor)]


def finding_record(finding: Finding) -> dict[str, Any]:
    where = finding.location
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "file": where.file if where else None,
        "line": where.line if where else None,
        "evidence": [
            {"file": e.file, "line": e.line, "column": e.column, "snippet": e.snippet}
            for e in finding.evidence
        ],
    }


def package_record(report: PackageReport, findings: Iterable[Finding], **extra: str) -> dict[str, Any]:
    return {
        **extra,
        "package": report.name or report.target,
        "version": report.version,
        "verdict": report.verdict.value,
        "findings": [finding_record(f) for f in findings],
    }


def print_flagged(report: PackageReport, out: IO[str], indent: str = "") -> None:
    print(f"{indent}{report.verdict.value:6} {report.label}", file=out)
    for finding in worst_findings(report):
        where = ", ".join(f"{e.file}:{e.line}" for e in finding.evidence[:3])
        where = f" ({where})" if where else ""
        print(
            f"{indent}         {finding.rule} [{finding.severity.value}] {finding.message[:160]}{where}",
            file=out,
        )


class JsonLines:
    """Optional JSON-lines sinks: one line per non-allow package (`flagged`, its medium+ findings) and one
    line per package with any finding of `floor` or more whatever its verdict (`findings`). Lines are
    written in report order."""

    def __init__(
        self, flagged: Path | None, findings: Path | None, floor: Severity = Severity.MEDIUM
    ) -> None:
        self._flagged = flagged.open("w", encoding="utf-8") if flagged else None
        self._findings = findings.open("w", encoding="utf-8") if findings else None
        self._floor = floor

    def add(self, report: PackageReport, **extra: str) -> None:
        if self._flagged is not None and report.verdict is not Verdict.ALLOW:
            record = package_record(report, worst_findings(report), **extra)
            self._flagged.write(json.dumps(record, sort_keys=True) + "\n")
        kept = worst_findings(report, self._floor)
        if self._findings is not None and kept:
            self._findings.write(json.dumps(package_record(report, kept, **extra), sort_keys=True) + "\n")

    def close(self) -> None:
        for sink in (self._flagged, self._findings):
            if sink is not None:
                sink.close()


def rule_counts(reports: Sequence[PackageReport]) -> collections.Counter[str]:
    """Medium+ findings of non-allow packages, counted once per package and rule."""
    counts: collections.Counter[str] = collections.Counter()
    for report in reports:
        if report.verdict is not Verdict.ALLOW:
            counts.update({f.rule for f in worst_findings(report)})
    return counts


__all__ = [
    "JsonLines",
    "finding_record",
    "package_record",
    "print_flagged",
    "rule_counts",
    "worst_findings",
]
