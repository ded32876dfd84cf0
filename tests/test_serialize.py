from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from hypothesis import given

from airlock.model import Capabilities, Evidence, Finding, PackageAnalysis, Severity, Skipped
from airlock.serialize import (
    ANALYSIS_FORMAT,
    SerializationError,
    analysis_from_json,
    analysis_to_json,
    capabilities_from_json,
    capabilities_to_json,
    evidence_from_json,
    evidence_to_json,
    finding_from_json,
    finding_to_json,
    report_to_json,
    skipped_from_json,
    skipped_to_json,
)
from tests.report.samples import (
    analysis,
    analysis_st,
    blocked,
    capabilities_st,
    evidence_st,
    failed,
    finding_st,
    review,
    skipped_st,
)


def _through_json(data: Any) -> Any:
    return json.loads(json.dumps(data))


# --- round trips --------------------------------------------------------------------------------------


@given(evidence_st)
def test_evidence_round_trip(evidence: Evidence) -> None:
    assert evidence_from_json(_through_json(evidence_to_json(evidence))) == evidence


@given(finding_st)
def test_finding_round_trip(finding: Finding) -> None:
    assert finding_from_json(_through_json(finding_to_json(finding))) == finding


@given(capabilities_st)
def test_capabilities_round_trip(capabilities: Capabilities) -> None:
    assert capabilities_from_json(_through_json(capabilities_to_json(capabilities))) == capabilities


@given(skipped_st)
def test_skipped_round_trip(skipped: Skipped) -> None:
    assert skipped_from_json(_through_json(skipped_to_json(skipped))) == skipped


@given(analysis_st)
def test_analysis_round_trip_is_lossless(original: PackageAnalysis) -> None:
    restored = analysis_from_json(_through_json(analysis_to_json(original)))
    assert restored == original
    # Equality of mappings ignores order; the store must also keep lifecycle order of scripts.
    assert list(restored.install_scripts.items()) == list(original.install_scripts.items())
    # Still a picklable model object, as the process pool needs.
    assert pickle.loads(pickle.dumps(restored)) == original


@given(analysis_st)
def test_analysis_encoding_is_deterministic(original: PackageAnalysis) -> None:
    again = analysis_from_json(analysis_to_json(original))
    assert json.dumps(analysis_to_json(again)) == json.dumps(analysis_to_json(original))


# --- contract shape -----------------------------------------------------------------------------------


def test_evidence_omits_unknown_column_and_snippet() -> None:
    assert evidence_to_json(Evidence("a.js", 3)) == {"file": "a.js", "line": 3}
    full = evidence_to_json(Evidence("a.js", 3, 7, "x()"))
    assert list(full) == ["file", "line", "column", "snippet"]


def test_finding_repeats_first_evidence_location() -> None:
    finding = Finding("r-x", Severity.HIGH, "m", (Evidence("a.js", 3, 1, "s"), Evidence("b.js", 9)))
    encoded = finding_to_json(finding)
    assert list(encoded) == ["rule", "severity", "message", "file", "line", "evidence"]
    assert encoded["file"] == "a.js"
    assert encoded["line"] == 3
    assert encoded["evidence"] == [
        {"file": "a.js", "line": 3, "column": 1, "snippet": "s"},
        {"file": "b.js", "line": 9},
    ]


def test_finding_without_evidence_has_no_location_keys() -> None:
    assert finding_to_json(Finding("r-x", Severity.LOW, "m")) == {
        "rule": "r-x",
        "severity": "low",
        "message": "m",
    }


def test_package_entry_keys_are_the_contract() -> None:
    entry = report_to_json(review())
    assert list(entry) == [
        "name",
        "version",
        "integrity",
        "verdict",
        "capabilities",
        "install_scripts",
        "findings",
        "skipped",
        "paths",
        "target",
    ]
    assert entry["target"] == review().target
    assert list(entry["capabilities"]) == [
        "builtin",
        "globals",
        "dynamic",
        "native",
        "all_globals",
        "global_writes",
        "imports",
        "builtin_probes",
    ]
    assert entry["verdict"] == "review"
    assert entry["paths"] == ["app>@scope/native-thing", "app>other>@scope/native-thing"]
    assert entry["skipped"] == [
        {"reason": "larger than the per-file cap", "file": "dist/huge.min.js"},
        {"reason": "binary file"},
    ]
    assert list(entry["install_scripts"]) == ["preinstall", "install"]
    assert "from_store" not in entry


def test_package_entry_without_paths_omits_the_key() -> None:
    assert "paths" not in report_to_json(blocked())


def test_failed_target_entry_has_nulls_and_its_finding() -> None:
    entry = report_to_json(failed())
    assert entry["name"] is None and entry["version"] is None and entry["integrity"] is None
    assert entry["verdict"] == "review"
    assert entry["capabilities"] == {
        "builtin": {},
        "globals": {},
        "dynamic": [],
        "native": False,
        "all_globals": {},
        "global_writes": [],
        "imports": {},
        "builtin_probes": {},
    }
    assert [f["rule"] for f in entry["findings"]] == ["target-failed"]


def test_capability_keys_are_sorted() -> None:
    caps = Capabilities(builtin={"net.Socket": (), "child_process.exec": (), "fs": ()})
    assert list(capabilities_to_json(caps)["builtin"]) == ["child_process.exec", "fs", "net.Socket"]


def test_contract_finding_without_evidence_list_decodes_to_its_location() -> None:
    finding = finding_from_json({"rule": "r", "severity": "high", "message": "m", "file": "a.js", "line": 2})
    assert finding.evidence == (Evidence("a.js", 2),)


# --- malformed input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "analysis: expected an object, got list"),
        ({**analysis_to_json(analysis()), "format": 99}, "unsupported format 99"),
        ({**analysis_to_json(analysis()), "analyzer": 5}, "analysis.analyzer: expected a string, got int"),
        ({**analysis_to_json(analysis()), "findings": {}}, "analysis.findings: expected an array, got dict"),
        (
            {**analysis_to_json(analysis()), "install_scripts": {"postinstall": 1}},
            "install_scripts.postinstall",
        ),
    ],
)
def test_malformed_analysis_is_a_serialization_error(data: object, message: str) -> None:
    with pytest.raises(SerializationError, match=message):
        analysis_from_json(data)


def test_unknown_severity_is_rejected() -> None:
    with pytest.raises(SerializationError, match="unknown severity 'urgent'"):
        finding_from_json({"rule": "r", "severity": "urgent", "message": "m"})


def test_boolean_is_not_a_line_number() -> None:
    with pytest.raises(SerializationError, match=r"evidence\.line: expected an integer, got bool"):
        evidence_from_json({"file": "a.js", "line": True})


def test_native_must_be_boolean() -> None:
    with pytest.raises(SerializationError, match=r"capabilities\.native"):
        capabilities_from_json({"native": "yes"})


def test_format_version_is_written() -> None:
    assert analysis_to_json(analysis())["format"] == ANALYSIS_FORMAT
