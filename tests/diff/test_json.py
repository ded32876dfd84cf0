"""The diff document's contract: the shipped schema is the documented one, and documents validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import ValidationError

from airlock.diff.json import SCHEMA_RESOURCE, diff_json
from airlock.diff.model import Attention, DiffDocument, PackageChange
from airlock.model import Verdict
from airlock.report.document import ToolInfo
from tests.diff.schema import diff_validator

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schema" / SCHEMA_RESOURCE
TOOL = ToolInfo(name="airlock", version="0", analyzer="0")


def test_docs_copy_is_the_shipped_schema() -> None:
    from airlock.report.json import packaged_schema_text

    assert DOCS.read_text(encoding="utf-8") == packaged_schema_text(SCHEMA_RESOURCE)


def test_an_added_package_has_a_null_from_version_and_the_schema_rejects_a_missing_field() -> None:
    added = PackageChange("new", None, "1.0.0", Verdict.ALLOW, Attention.LOW, 0)
    data = json.loads(json.dumps(diff_json(DiffDocument((added,)), TOOL)))
    diff_validator().validate(data)
    assert data["changes"][0]["from_version"] is None and data["verdict"] == "allow"
    del data["changes"][0]["attention"]
    with pytest.raises(ValidationError):
        diff_validator().validate(data)
