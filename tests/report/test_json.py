from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from airlock.errors import UsageError
from airlock.model import Capabilities, PackageReport, Verdict
from airlock.report import FORMATS, ToolInfo, get_format
from airlock.report.json import SCHEMA_VERSION, JsonFormat, report_json, schema
from tests.report.samples import (
    TOOL,
    allowed,
    as_document,
    blocked,
    failed,
    review,
    sample_reports,
    triage_tree,
)
from tests.report.schema import assert_valid_report

SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schema" / "report-v1.schema.json"
REPOSITORY_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schema" / "report-v1.schema.json"
PACKAGED_SCHEMA = Path(__file__).resolve().parents[2] / "src" / "airlock" / "data" / "report-v1.schema.json"


def _shared() -> dict[str, Any]:
    if not SHARED_SCHEMA.exists():
        pytest.skip(f"{SHARED_SCHEMA} not present (only in the project workspace)")
    loaded: dict[str, Any] = json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))
    return loaded


def test_repository_schema_is_the_packaged_schema() -> None:
    assert REPOSITORY_SCHEMA.read_bytes() == PACKAGED_SCHEMA.read_bytes()
    assert schema() == json.loads(REPOSITORY_SCHEMA.read_text(encoding="utf-8"))


def test_reports_with_a_summary_still_satisfy_the_shared_contract() -> None:
    shared = Draft202012Validator(_shared())
    for reports in (sample_reports(), [], triage_tree()):
        doc = assert_valid_report(JsonFormat().render(as_document(reports)))
        assert "summary" in doc
        assert not list(shared.iter_errors(doc))


def test_summary_counts_verdicts_capabilities_and_rules() -> None:
    doc = assert_valid_report(JsonFormat().render(as_document(sample_reports())))
    assert list(doc) == ["schema_version", "tool", "summary", "packages"]
    assert doc["summary"] == {
        "packages": 4,
        "verdicts": {"allow": 1, "review": 2, "block": 1},
        "capabilities": {
            "install_scripts": 2,
            "child_process": 1,
            "network": 1,
            "fs": 2,
            "env": 2,
            "eval": 1,
            "native": 1,
            "dynamic": 1,
        },
        "rules": {
            "exfiltrate-env": 1,
            "hostile-snippet": 1,
            "install-script": 1,
            "install-script-network": 1,
            "obfuscated-code": 1,
            "target-failed": 1,
        },
    }


def test_summary_counts_a_rule_once_per_package() -> None:
    doc = report_json(triage_tree(), TOOL)
    assert doc["summary"]["rules"] == {"credential-exfiltration": 4, "young-version": 1}
    assert doc["summary"]["verdicts"] == {"allow": 3, "review": 1, "block": 4}
    assert sum(doc["summary"]["verdicts"].values()) == doc["summary"]["packages"] == len(doc["packages"])


def test_schema_rejects_a_summary_missing_a_verdict() -> None:
    doc = report_json([allowed()], TOOL)
    del doc["summary"]["verdicts"]["block"]
    with pytest.raises(AssertionError, match="block"):
        assert_valid_report(doc)


def _without_additions(packaged: object, shared: object) -> object:
    """`packaged` with the properties and definitions `shared` does not declare left out (additions are
    allowed)."""
    if isinstance(packaged, dict) and isinstance(shared, dict):
        return {
            key: (
                {k: _without_additions(v, shared[key].get(k)) for k, v in value.items() if k in shared[key]}
                if key in ("properties", "$defs")
                and isinstance(value, dict)
                and isinstance(shared.get(key), dict)
                else _without_additions(value, shared.get(key))
            )
            for key, value in packaged.items()
        }
    return packaged


def test_packaged_schema_extends_the_shared_contract_additively() -> None:
    if not SHARED_SCHEMA.exists():
        pytest.skip(f"{SHARED_SCHEMA} not present (only in the project workspace)")
    shared = json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))
    assert _without_additions(schema(), shared) == shared


def test_additive_check_catches_a_changed_property() -> None:
    shared = {"properties": {"a": {"type": "string"}}}
    assert _without_additions({"properties": {"a": {"type": "string"}, "b": {}}}, shared) == shared
    assert _without_additions({"properties": {"a": {"type": "integer"}}}, shared) != shared
    assert _without_additions({"properties": {}}, shared) != shared
    defs = {"$defs": {"a": {"type": "string"}}}
    assert _without_additions({"$defs": {"a": {"type": "string"}, "b": {}}}, defs) == defs
    assert _without_additions({"$defs": {"a": {"type": "integer"}}}, defs) != defs


def test_report_validates_against_the_schema() -> None:
    doc = assert_valid_report(JsonFormat().render(as_document(sample_reports())))
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert doc["tool"] == {"name": "airlock", "version": "0.1.0", "analyzer": "0.1.0+a1"}


@pytest.mark.parametrize("make", [allowed, review, blocked, failed])
def test_each_kind_of_entry_validates_alone(make: object) -> None:
    assert callable(make)
    report = make()
    assert isinstance(report, PackageReport)
    assert_valid_report(JsonFormat().render(as_document([report])))


def test_empty_report_validates() -> None:
    doc = assert_valid_report(JsonFormat().render(as_document([])))
    assert doc["packages"] == []


def test_packages_keep_the_given_order_and_are_never_dropped() -> None:
    reports = [failed(), blocked(), allowed(), review(), allowed()]
    doc = json.loads(JsonFormat().render(as_document(reports)))
    assert [p["name"] for p in doc["packages"]] == [
        None,
        "evil-pkg",
        "left-pad",
        "@scope/native-thing",
        "left-pad",
    ]
    assert [p["verdict"] for p in doc["packages"]] == ["review", "block", "allow", "review", "allow"]


def test_output_is_indented_deterministic_and_newline_terminated() -> None:
    first = JsonFormat().render(as_document(sample_reports()))
    assert first == JsonFormat().render(as_document(sample_reports()))
    assert first.startswith('{\n  "schema_version": 1,\n  "tool": {')
    assert first.endswith("}\n")


def test_verbose_changes_nothing() -> None:
    assert JsonFormat().render(as_document(sample_reports()), verbose=True) == JsonFormat().render(
        as_document(sample_reports())
    )


def test_hostile_strings_are_escaped_not_emitted_raw() -> None:
    text = JsonFormat().render(as_document(sample_reports()))
    # Escape bytes, C1 controls and bidi overrides from a package are \u-escaped in the JSON text.
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert "\\u001b[31mRED" in text
    assert text.isascii()
    snippets = [
        e["snippet"]
        for p in json.loads(text)["packages"]
        for f in p["findings"]
        for e in f.get("evidence", [])
        if "snippet" in e
    ]
    assert any("\x1b[31mRED" in s for s in snippets)  # the data itself is intact


def test_finding_entries_carry_location_and_evidence() -> None:
    doc = report_json([blocked()], TOOL)
    exfil, network, _ = doc["packages"][0]["findings"]
    assert exfil["file"] == "steal.js" and exfil["line"] == 2 and len(exfil["evidence"]) == 3
    assert network == {
        "rule": "install-script-network",
        "severity": "high",
        "message": "Install script uses the network.",
    }


def test_schema_rejects_what_the_contract_forbids() -> None:
    # The helper itself must fail on invalid documents, or every other test proves nothing.
    doc = report_json([allowed()], TOOL)
    doc["packages"][0]["verdict"] = "maybe"
    with pytest.raises(AssertionError, match="verdict"):
        assert_valid_report(doc)
    doc = report_json([allowed()], TOOL)
    del doc["packages"][0]["skipped"]
    with pytest.raises(AssertionError, match="skipped"):
        assert_valid_report(doc)


@settings(max_examples=50)
@given(
    builtin=st.dictionaries(
        st.from_regex(r"[a-z_]{1,8}(/[a-z]{1,5})?(\.[A-Za-z]{1,8}){0,2}", fullmatch=True),
        st.just(()),
        max_size=3,
    ),
    native=st.booleans(),
    verdict=st.sampled_from(Verdict),
)
def test_generated_entries_validate(builtin: dict[str, tuple[()]], native: bool, verdict: Verdict) -> None:
    report = PackageReport(
        target="t",
        name="n",
        version="1.0.0",
        integrity=None,
        verdict=verdict,
        capabilities=Capabilities(builtin=builtin, native=native),
        findings=(),
        install_scripts={},
        skipped=(),
    )
    assert_valid_report(JsonFormat().render(as_document([report])))


def test_get_format_knows_the_four_formats() -> None:
    assert set(FORMATS) == {"html", "json", "sarif", "text"}
    assert isinstance(get_format("json"), JsonFormat)


def test_get_format_rejects_unknown_names_listing_valid_ones() -> None:
    with pytest.raises(UsageError) as raised:
        get_format("xml")
    assert "unknown report format 'xml'" in raised.value.message
    assert raised.value.hint == "choose one of: html, json, sarif, text"


def test_tool_info_defaults_its_name() -> None:
    assert ToolInfo(version="1", analyzer="a").name == "airlock"
