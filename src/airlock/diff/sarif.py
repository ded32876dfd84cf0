"""The diff as SARIF 2.1.0, for code-scanning UIs: one result per finding the update adds (the new
version's own and each new dependency's) and one per capability the new version gained.

It is the scan's SARIF (`airlock.report.sarif.SarifFormat`) over the reports the update brings: the new
version with what it added, and each new dependency with its findings. So rule descriptors come from the
rule catalogue, locations point into the package files (`name@version/path`, with line, column and
snippet), and fingerprints are the scan's. A new dependency's capabilities are not separate results: the
diff records only their keys (no evidence to locate), and its findings already say what they are used for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from airlock.diff.model import DiffDocument, PackageChange
from airlock.diff.score import risky
from airlock.model import Capabilities, Finding, PackageReport, Severity, Verdict
from airlock.report.document import ToolInfo
from airlock.report.sarif import SarifFormat
from airlock.serialize import JSONObject

CAPABILITY_RULE = "diff-capability-added"
"""Not an analysis rule (nothing in one version is wrong): the update's own delta, described here."""
_CAPABILITY_DESCRIPTOR: JSONObject = {
    "shortDescription": {
        "text": "The update gives the package a capability its previous version did not have."
    },
    "fullDescription": {
        "text": "A new builtin module, powerful global, dynamic code or native code in an update is what a "
        "compromised release adds; a reviewer should see where it is used before accepting the update."
    },
    "help": {
        "text": "Read the code at the location: does the update's purpose explain the new capability? "
        "Risky ones (processes, network, code from strings) weigh most in the review-effort score."
    },
}


@dataclass(frozen=True, slots=True)
class _Source:
    """One report fed to the scan's SARIF, and the update it belongs to."""

    report: PackageReport
    update: str
    dependency_of: str | None = None


def _report(name: str, version: str | None, verdict: Verdict, findings: tuple[Finding, ...]) -> PackageReport:
    return PackageReport(
        target=f"{name}@{version}" if version else name,
        name=name,
        version=version,
        integrity=None,
        verdict=verdict,
        capabilities=Capabilities(),
        findings=findings,
        install_scripts={},
        skipped=(),
    )


def _capability_findings(change: PackageChange) -> tuple[Finding, ...]:
    since = f" (not in {change.from_version})" if change.from_version else ""
    return tuple(
        Finding(
            CAPABILITY_RULE,
            Severity.MEDIUM if risky(key) else Severity.LOW,
            f"can now use {key}{since}",
            evidence,
        )
        for key, evidence in change.capabilities_added.items()
    )


def _sources(change: PackageChange) -> list[_Source]:
    update = change.label
    sources = [
        _Source(
            _report(
                change.name,
                change.to_version or change.from_version,
                change.verdict,
                (*change.findings_added, *_capability_findings(change)),
            ),
            update,
        )
    ]
    sources += [
        _Source(_report(d.name, d.version, d.verdict, d.findings), update, dependency_of=change.name)
        for d in change.dependencies_added
    ]
    return [s for s in sources if s.report.findings]


def diff_sarif(document: DiffDocument, tool: ToolInfo) -> JSONObject:
    sources = [s for change in document.changes for s in _sources(change)]
    sarif = SarifFormat().document([s.report for s in sources], tool)
    (run,) = sarif["runs"]
    # SarifFormat emits each report's results in order, one per finding (none are accepted here).
    owners = [s for s in sources for _ in s.report.findings]
    for result, source in zip(run["results"], owners, strict=True):
        result["properties"]["update"] = source.update
        if source.dependency_of is not None:
            result["properties"]["dependencyOf"] = source.dependency_of
            result["message"]["text"] += f" (a new dependency of {source.update})"
    for descriptor in run["tool"]["driver"]["rules"]:
        if descriptor["id"] == CAPABILITY_RULE:
            descriptor.update(_CAPABILITY_DESCRIPTOR)
    return sarif


def render_sarif(document: DiffDocument, tool: ToolInfo) -> str:
    return json.dumps(diff_sarif(document, tool), indent=2, ensure_ascii=True) + "\n"


__all__ = ["CAPABILITY_RULE", "diff_sarif", "render_sarif"]
