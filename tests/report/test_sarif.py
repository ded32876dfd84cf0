from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from airlock.analysis.rules import RULES, Rule, all_rules, declare, docs
from airlock.model import Evidence, Finding, PackageReport, Severity, Verdict
from airlock.report import get_format
from airlock.report.sarif import INFORMATION_URI, RULES_DOC_URI, SarifFormat, help_uri, level_for
from tests.report.samples import TOOL, allowed, as_document, blocked, failed, sample_reports
from tests.report.schema import SARIF_SCHEMA_PATH, assert_valid_sarif

DECLARED_ID = "zz-test-sarif-declared"
# RFC 3986 characters, with every % starting a valid escape.
_URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


@pytest.fixture
def declared_rule() -> Iterator[Rule]:
    rule = declare(
        DECLARED_ID,
        family="test",
        severity=Severity.HIGH,
        summary="A rule declared by the SARIF tests.",
        why="So the descriptor can be checked against a declaration.",
    )
    yield rule
    # Leave RULES as it was: other tests (docs generation) enumerate it.
    del RULES[DECLARED_ID]


def _report(*findings: Finding, name: str | None = "pkg", version: str | None = "1.0.0") -> PackageReport:
    return PackageReport(
        target="pkg@1",
        name=name,
        version=version,
        integrity=None,
        verdict=Verdict.REVIEW,
        capabilities=blocked().capabilities,
        findings=findings,
        install_scripts={},
        skipped=(),
    )


def _render(reports: list[PackageReport], fmt: SarifFormat | None = None) -> dict[str, Any]:
    return assert_valid_sarif((fmt or SarifFormat()).render(as_document(reports)))


def _run(doc: dict[str, Any]) -> dict[str, Any]:
    (run,) = doc["runs"]
    assert isinstance(run, dict)
    return run


def test_vendored_schema_is_the_official_draft07_sarif_2_1_0() -> None:
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert len(SARIF_SCHEMA_PATH.read_text(encoding="utf-8")) == 112318


def test_sample_log_validates(declared_rule: Rule) -> None:
    reports = [*sample_reports(), _report(declared_rule.finding("declared finding", Evidence("x.js", 1)))]
    doc = _render(reports)
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-schema-2.1.0.json")
    driver = _run(doc)["tool"]["driver"]
    assert driver["name"] == "airlock" and driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    assert driver["properties"] == {"analyzer": "0.1.0+a1"}


def test_empty_log_validates_and_has_an_empty_results_array() -> None:
    run = _run(_render([]))
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_packages_without_findings_produce_no_results() -> None:
    assert _run(_render([allowed()]))["results"] == []


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "note"),
        (Severity.INFO, "note"),
    ],
)
def test_level_mapping(severity: Severity, level: str) -> None:
    assert level_for(severity) == level
    (result,) = _run(_render([_report(Finding("some-rule", severity, "m"))]))["results"]
    assert result["level"] == level
    assert result["properties"]["severity"] == severity.value


def test_rules_and_rule_index_are_consistent(declared_rule: Rule) -> None:
    reports = [
        *sample_reports(),
        _report(declared_rule.finding("again"), Finding("zz-other", Severity.LOW, "m")),
    ]
    run = _run(_render(reports))
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(set(ids)), "one descriptor per rule id, in a stable order"
    used = {f.rule for r in reports for f in r.findings}
    assert set(ids) == used
    assert len(run["results"]) == sum(len(r.findings) for r in reports)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_declared_rule_descriptor_comes_from_the_declaration(declared_rule: Rule) -> None:
    (descriptor,) = _run(_render([_report(declared_rule.finding("m"))]))["tool"]["driver"]["rules"]
    assert descriptor["shortDescription"] == {"text": declared_rule.summary}
    assert descriptor["fullDescription"] == {"text": declared_rule.why}
    assert descriptor["defaultConfiguration"] == {"level": "error"}
    assert descriptor["properties"]["family"] == "test"
    assert descriptor["properties"]["severity"] == "high"
    assert descriptor["properties"]["security-severity"] == "8.0"


def test_undeclared_rule_still_gets_a_descriptor_at_its_worst_severity() -> None:
    assert "zz-undeclared" not in RULES
    findings = (Finding("zz-undeclared", Severity.LOW, "a"), Finding("zz-undeclared", Severity.HIGH, "b"))
    (descriptor,) = _run(_render([_report(*findings)]))["tool"]["driver"]["rules"]
    assert descriptor["id"] == "zz-undeclared"
    assert descriptor["shortDescription"] == {"text": "Zz undeclared"}
    assert descriptor["defaultConfiguration"] == {"level": "error"}


def test_default_location_points_into_the_package() -> None:
    results = _run(_render([blocked()]))["results"]
    exfil = results[0]
    location = exfil["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "evil-pkg@1.0.0/steal.js"
    assert location["region"] == {
        "startLine": 2,
        "startColumn": 14,
        "snippet": {"text": "JSON.stringify(process.env)"},
    }
    assert exfil["message"]["text"] == "evil-pkg@1.0.0: Sends the environment to a remote host."
    assert exfil["properties"] == {
        "package": "evil-pkg",
        "version": "1.0.0",
        "verdict": "block",
        "severity": "critical",
    }


def test_repeated_evidence_becomes_unique_related_locations() -> None:
    exfil = _run(_render([blocked()]))["results"][0]
    related = exfil["relatedLocations"]
    assert [r["id"] for r in related] == [1]
    assert related[0]["physicalLocation"]["region"]["startLine"] == 10


def test_finding_without_evidence_points_at_the_manifest() -> None:
    network = _run(_render([blocked()]))["results"][1]
    assert network["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "evil-pkg@1.0.0/package.json"}}}
    ]


def test_uris_are_valid_references_even_for_hostile_paths() -> None:
    doc = _render(sample_reports())
    uris = [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in _run(doc)["results"]
        for loc in [*result["locations"], *result.get("relatedLocations", [])]
    ]
    assert uris, "the sample has located results"
    for uri in uris:
        assert _URI_REFERENCE.match(uri), uri
        assert not uri.startswith(("/", "./", "../"))
    assert "evil-pkg@1.0.0/a%20b%23%3F%25.js" in uris
    assert "@scope/native-thing@2.0.0/package.json" in uris
    assert "vendor/%5Bred%5Dbroken%5B/red%5D.tgz" in uris  # a failed target: no name, so its target


def test_failed_target_result_names_the_target() -> None:
    (result,) = _run(_render([failed()]))["results"]
    assert result["ruleId"] == "target-failed"
    assert result["properties"]["package"] == "./vendor/[red]broken[/red].tgz"
    assert result["properties"]["version"] is None
    assert "locations" in result and "region" not in result["locations"][0]["physicalLocation"]


def test_location_hook_redirects_every_location() -> None:
    seen: list[tuple[str | None, Evidence | None]] = []

    def lockfile_line(report: PackageReport, evidence: Evidence | None) -> tuple[str, int | None]:
        seen.append((report.name, evidence))
        return "app/package-lock.json", 40 if report.name == "evil-pkg" else None

    run = _run(_render([blocked(), failed()], SarifFormat(location_for=lockfile_line)))
    first = run["results"][0]["locations"][0]["physicalLocation"]
    # Only the line: column and snippet describe the package file, not the lockfile.
    assert first == {"artifactLocation": {"uri": "app/package-lock.json"}, "region": {"startLine": 40}}
    last = run["results"][-1]["locations"][0]["physicalLocation"]
    assert last == {"artifactLocation": {"uri": "app/package-lock.json"}}
    assert ("evil-pkg", None) in seen, "findings without evidence reach the hook with None"
    assert (None, None) in seen


def test_fingerprints_are_stable_and_distinct() -> None:
    first = _run(_render(sample_reports()))["results"]
    second = _run(_render(sample_reports()))["results"]
    prints = [r["partialFingerprints"]["airlockFinding/v1"] for r in first]
    assert prints == [r["partialFingerprints"]["airlockFinding/v1"] for r in second]
    assert len(set(prints)) == len(prints)


def test_results_follow_package_order() -> None:
    results = _run(_render([failed(), blocked()]))["results"]
    assert [r["properties"]["package"] for r in results] == ["./vendor/[red]broken[/red].tgz"] + [
        "evil-pkg"
    ] * 3


def test_output_is_ascii_and_registered_as_sarif() -> None:
    text = get_format("sarif").render(as_document(sample_reports()))
    assert text.isascii() and text.endswith("}\n")
    assert isinstance(get_format("sarif"), SarifFormat)


def test_schema_validation_catches_a_broken_log() -> None:
    doc = SarifFormat().document([blocked()], TOOL)
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="level"):
        assert_valid_sarif(doc)


# --- helpUri: each declared rule links its section of docs/rules.md -------------------------------------

REPOSITORY = Path(__file__).resolve().parents[2]


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a markdown heading: lower-cased, punctuation other than - and _ dropped,
    spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_declared_rules_carry_an_absolute_help_uri_into_the_rules_doc() -> None:
    report = _report(Finding("credential-exfiltration", Severity.CRITICAL, "m"))
    (descriptor,) = _run(_render([report]))["tool"]["driver"]["rules"]
    uri = descriptor["helpUri"]
    assert uri == f"{RULES_DOC_URI}#credential-exfiltration"
    parsed = urlsplit(uri)
    # SARIF's helpUri is a URI ("format": "uri"), not a reference relative to the log.
    assert parsed.scheme == "https" and parsed.netloc and parsed.path.endswith("/docs/rules.md")
    assert _URI_REFERENCE.match(uri)


def test_undeclared_rules_have_no_help_uri() -> None:
    (descriptor,) = _run(_render([_report(Finding("zz-undeclared", Severity.LOW, "a"))]))["tool"]["driver"][
        "rules"
    ]
    assert "helpUri" not in descriptor


def test_every_help_uri_anchor_is_a_heading_of_the_generated_rules_doc() -> None:
    markdown = docs.render()
    anchors = {_github_anchor(line.lstrip("#")) for line in markdown.splitlines() if line.startswith("#")}
    for rule in all_rules():
        fragment = urlsplit(help_uri(rule.id)).fragment
        assert fragment in anchors, f"{rule.id}: no heading with anchor #{fragment} in docs/rules.md"
    assert (REPOSITORY / "docs" / "rules.md").read_text(encoding="utf-8") == markdown


def test_help_uris_live_under_the_repository_pyproject_names() -> None:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Repository"] == INFORMATION_URI
    assert RULES_DOC_URI.startswith(INFORMATION_URI + "/")


def test_descriptors_come_from_declarations_in_a_process_that_never_ran_the_analysis() -> None:
    # The CLI renders in the main process while analysis runs in workers (or comes from the store): the
    # families whose findings it shows may never have been imported there.
    program = (
        "import json, sys\n"
        "from airlock.model import Finding, Severity\n"
        "from airlock.report.sarif import SarifFormat\n"
        "from tests.report.samples import TOOL, blocked\n"
        "from dataclasses import replace\n"
        "report = replace(blocked(), findings=(Finding('credential-exfiltration', Severity.CRITICAL, 'm'),))\n"
        "rules = SarifFormat().document([report], TOOL)['runs'][0]['tool']['driver']['rules']\n"
        "sys.stdout.write(json.dumps(rules[0]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    descriptor = json.loads(done.stdout)
    assert descriptor["properties"]["family"] == "exfiltration"
    assert "helpUri" in descriptor
