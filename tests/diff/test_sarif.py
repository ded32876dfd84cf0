"""The diff as SARIF: a valid 2.1.0 log with one result per finding the update adds (its own and its new
dependencies') and one per capability gained, located in the package files, rules from the catalogue."""

from __future__ import annotations

from typing import Any

from airlock.analysis.rules import declared
from airlock.diff.model import DiffDocument
from airlock.diff.sarif import CAPABILITY_RULE, diff_sarif, render_sarif
from airlock.report.document import ToolInfo
from tests.diff.documents import BENIGN, sample_diff
from tests.report.schema import assert_valid_sarif

TOOL = ToolInfo(name="airlock", version="0.1.0", analyzer="0.1.0+a1")


def _run(text: str) -> dict[str, Any]:
    (run,) = assert_valid_sarif(text)["runs"]
    assert isinstance(run, dict)
    return run


def _uri(result: dict[str, Any]) -> str:
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert isinstance(uri, str)
    return uri


def test_sample_diff_validates_with_a_result_per_finding_and_capability_added() -> None:
    run = _run(render_sarif(sample_diff(), TOOL))
    results = run["results"]
    assert [(r["ruleId"], _uri(r)) for r in results] == [
        ("eval-decoded-payload", "flatmap-stream@0.1.1/index.min.js"),
        ("package-keyed-payload", "flatmap-stream@0.1.1/index.min.js"),
        (CAPABILITY_RULE, "ui-widget@2.0.2/setup.js"),
    ]
    decrypt, keyed, capability = results
    assert decrypt["level"] == "error" and decrypt["properties"]["verdict"] == "block"
    assert decrypt["properties"]["update"] == "event-stream 3.3.5 → 3.3.6"
    assert decrypt["properties"]["dependencyOf"] == "event-stream"
    assert decrypt["message"]["text"].startswith("flatmap-stream@0.1.1: Decrypts")
    assert decrypt["message"]["text"].endswith("(a new dependency of event-stream 3.3.5 → 3.3.6)")
    assert decrypt["relatedLocations"][0]["physicalLocation"]["region"]["snippet"] == {
        "text": "module._compile(o, '')"
    }
    assert keyed["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == (
        "process.env.npm_package_description"
    )
    assert capability["message"]["text"] == "ui-widget@2.0.2: can now use https.get (not in 2.0.1)"
    assert capability["level"] == "warning"  # risky: network
    assert capability["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert "dependencyOf" not in capability["properties"]


def test_rules_come_from_the_catalogue_and_the_capability_rule_is_described() -> None:
    rules = {r["id"]: r for r in _run(render_sarif(sample_diff(), TOOL))["tool"]["driver"]["rules"]}
    assert set(rules) == {"eval-decoded-payload", "package-keyed-payload", CAPABILITY_RULE}
    rule = declared("eval-decoded-payload")
    assert rule is not None
    assert rules["eval-decoded-payload"]["shortDescription"] == {"text": rule.summary}
    assert rules["eval-decoded-payload"]["helpUri"].endswith("#eval-decoded-payload")
    assert (
        "capability its previous version did not have" in rules[CAPABILITY_RULE]["shortDescription"]["text"]
    )
    assert rules[CAPABILITY_RULE]["defaultConfiguration"] == {"level": "warning"}


def test_a_change_with_nothing_new_has_no_results() -> None:
    run = _run(render_sarif(DiffDocument((BENIGN,)), TOOL))
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert diff_sarif(DiffDocument(()), TOOL)["runs"][0]["results"] == []
