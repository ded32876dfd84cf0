"""SARIF 2.1.0, for code-scanning UIs (GitHub code scanning, Azure DevOps, IDE viewers).

One run; one result per finding. A result's location names the package (`name@version/path/in/pkg`), since
the analysed files are not in the user's repository; `airlock check` can pass `location_for` to point at
the lockfile line that pulls the package in instead, which is what a code-scanning UI can open.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from urllib.parse import quote

from airlock.analysis.rules import declared
from airlock.model import AcceptedFinding, Evidence, Finding, PackageReport, Severity
from airlock.report.document import ReportDocument, ToolInfo
from airlock.report.triage import RULES_DOC, rule_section
from airlock.serialize import JSONObject

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/npm-airlock/npm-airlock"
"""The project's home: pyproject.toml's `[project.urls] Repository` (a test keeps the two equal)."""
RULES_DOC_URI = f"{INFORMATION_URI}/blob/main/{RULES_DOC}"
"""docs/rules.md as the repository serves it. SARIF wants `helpUri` absolute (a URI, not a reference
relative to the log), and the log is read far from this checkout (a code-scanning UI), so the rule docs
are linked where the project publishes them; each rule's section anchor is its id (`rules/docs.py`)."""

LocationFor = Callable[[PackageReport, Evidence | None], tuple[str, int | None]]
"""Maps a finding's package and evidence (None: the finding has none) to (path, line). The path is
`/`-separated and not yet URI-encoded; the line is 1-based, or None when no line applies."""

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub code scanning ranks security alerts by this property (>= 9.0 critical, 7.0-8.9 high,
# 4.0-6.9 medium, < 4.0 low).
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}

# Characters kept as they are in a package-based URI: `/` separates path segments and `@` appears in
# `name@version` and scoped names. Everything else outside the unreserved set is percent-encoded, because
# file names inside a package are attacker-chosen and must still yield a valid uri-reference.
_URI_SAFE = "/@"


def level_for(severity: Severity) -> str:
    return _LEVEL[severity]


def package_location(report: PackageReport, evidence: Evidence | None) -> tuple[str, int | None]:
    """The default `LocationFor`: the file inside the package; package.json for package-level findings."""
    base = report.label
    if evidence is not None:
        return f"{base}/{evidence.file}", evidence.line
    if report.name and report.version:
        return f"{base}/package.json", None
    return base, None


def _uri(path: str) -> str:
    # A local target ("./pkg.tgz", "/abs/dir") would otherwise give an absolute or dot-laden reference;
    # code-scanning consumers expect plain relative ones.
    segments = [s for s in path.split("/") if s not in ("", ".", "..")]
    return quote("/".join(segments) or ".", safe=_URI_SAFE)


def help_uri(rule_id: str) -> str:
    """Where a declared rule is documented: its section of docs/rules.md."""
    return f"{INFORMATION_URI}/blob/main/{rule_section(rule_id)}"


def _rule_descriptor(rule_id: str, severities: list[Severity]) -> JSONObject:
    rule = declared(rule_id)
    if rule is not None:
        severity = rule.severity
        descriptor: JSONObject = {
            "id": rule_id,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.why},
            "help": {"text": f"{rule.summary}\n\nWhy it matters: {rule.why}"},
            "helpUri": help_uri(rule_id),
        }
        properties: JSONObject = {"family": rule.family}
    else:
        # Not declared (e.g. a generic failure): still describe it, so every result's ruleIndex resolves.
        severity = max(severities, key=lambda s: s.rank)
        descriptor = {"id": rule_id, "shortDescription": {"text": rule_id.replace("-", " ").capitalize()}}
        properties = {}
    descriptor["defaultConfiguration"] = {"level": level_for(severity)}
    descriptor["properties"] = {
        **properties,
        "severity": severity.value,
        "security-severity": _SECURITY_SEVERITY[severity],
        "tags": ["security", "supply-chain"],
    }
    return descriptor


def _fingerprint(report: PackageReport, finding: Finding) -> str:
    # Stable across runs so a code-scanning UI tracks one alert instead of opening a new one each scan.
    first = finding.location
    parts = [
        finding.rule,
        report.name or report.target,
        report.version or "",
        first.file if first else "",
        str(first.line) if first else "",
    ]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


class SarifFormat:
    def __init__(self, *, location_for: LocationFor | None = None) -> None:
        self._location_for = location_for

    def _location(self, report: PackageReport, evidence: Evidence | None) -> JSONObject:
        locate = self._location_for or package_location
        path, line = locate(report, evidence)
        physical: JSONObject = {"artifactLocation": {"uri": _uri(path)}}
        region: JSONObject = {}
        if line is not None:
            region["startLine"] = max(line, 1)
        # Column and snippet describe the evidence itself, so they only belong to the default location
        # (a hook that points at a lockfile line is somewhere else entirely).
        if self._location_for is None and evidence is not None and line is not None:
            if evidence.column is not None:
                region["startColumn"] = evidence.column
            if evidence.snippet is not None:
                region["snippet"] = {"text": evidence.snippet}
        if region:
            physical["region"] = region
        return {"physicalLocation": physical}

    def _result(
        self,
        report: PackageReport,
        finding: Finding,
        rule_index: int,
        accepted: AcceptedFinding | None = None,
    ) -> JSONObject:
        result: JSONObject = {
            "ruleId": finding.rule,
            "ruleIndex": rule_index,
            "level": level_for(finding.severity),
            # The package goes first: in a code-scanning list the message is often all that is shown.
            "message": {"text": f"{report.label}: {finding.message}"},
            "locations": [self._location(report, finding.location)],
        }
        related: list[JSONObject] = []
        seen: set[str] = set()
        for evidence in finding.evidence[1:]:
            location = self._location(report, evidence)
            key = json.dumps(location, sort_keys=True)
            # The schema wants relatedLocations unique; repeated evidence adds nothing for a reader.
            if key in seen:
                continue
            seen.add(key)
            related.append({"id": len(related) + 1, **location})
        if related:
            result["relatedLocations"] = related
        result["partialFingerprints"] = {"airlockFinding/v1": _fingerprint(report, finding)}
        result["properties"] = {
            "package": report.name or report.target,
            "version": report.version,
            "verdict": report.verdict.value,
            "severity": finding.severity.value,
        }
        if accepted is not None:
            # SARIF's own way to say "known and accepted": viewers list it as suppressed, not as an alert.
            result["suppressions"] = [{"kind": "external", "justification": accepted.reason}]
            if accepted.expires is not None:
                result["properties"]["acceptedUntil"] = accepted.expires.isoformat()
        return result

    def document(self, reports: Sequence[PackageReport], tool: ToolInfo) -> JSONObject:
        severities: dict[str, list[Severity]] = {}
        for report in reports:
            for finding in (*report.findings, *(a.finding for a in report.accepted)):
                severities.setdefault(finding.rule, []).append(finding.severity)
        rule_ids = sorted(severities)
        index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
        results = [
            result
            for r in reports
            for result in (
                *(self._result(r, f, index[f.rule]) for f in r.findings),
                *(self._result(r, a.finding, index[a.finding.rule], a) for a in r.accepted),
            )
        ]
        driver: JSONObject = {
            "name": tool.name,
            "version": tool.version,
            "informationUri": INFORMATION_URI,
            "rules": [_rule_descriptor(rule_id, severities[rule_id]) for rule_id in rule_ids],
            "properties": {"analyzer": tool.analyzer},
        }
        return {
            "$schema": SARIF_SCHEMA_URI,
            "version": SARIF_VERSION,
            "runs": [{"tool": {"driver": driver}, "results": results}],
        }

    def render(self, document: ReportDocument, *, verbose: bool = False) -> str:
        fmt = self
        tree = document.tree
        if self._location_for is None and tree is not None:
            lines = {id(r): line for r, line in zip(document.packages, tree.entry_lines, strict=True)}

            def in_lockfile(report: PackageReport, evidence: Evidence | None) -> tuple[str, int | None]:
                # Every result points at the lockfile entry that brings the package in: the file a
                # code-scanning UI can open in the user's repository.
                if evidence is not None and evidence.file == tree.lockfile:
                    return tree.lockfile_uri, evidence.line
                return tree.lockfile_uri, lines.get(id(report))

            fmt = SarifFormat(location_for=in_lockfile)
        sarif = fmt.document(document.packages, document.tool)
        return json.dumps(sarif, indent=2, ensure_ascii=True) + "\n"
