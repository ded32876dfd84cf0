"""Schema checks any test can use on what airlock prints.

from tests.report.schema import assert_valid_report
doc = assert_valid_report(result.stdout)   # str or parsed object; returns the parsed document
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

# No stubs ship with jsonschema and the test extras do not add types-jsonschema.
from jsonschema import Draft7Validator, Draft202012Validator

from airlock.report.json import schema as report_schema

SARIF_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "sarif-schema-2.1.0.json"


@cache
def report_validator() -> Draft202012Validator:
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def sarif_validator() -> Draft7Validator:
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _parse(text_or_obj: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    # A plain-JSON copy of a mapping: tuples etc. fail loudly here.
    source = text_or_obj if isinstance(text_or_obj, str | bytes) else json.dumps(text_or_obj)
    parsed = json.loads(source)
    assert isinstance(parsed, dict), f"expected a JSON object, got {type(parsed).__name__}"
    return parsed


def _errors(validator: Draft7Validator | Draft202012Validator, doc: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]


def assert_valid_report(text_or_obj: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """Assert the JSON report is valid against the packaged report-v1 schema; return it parsed."""
    doc = _parse(text_or_obj)
    errors = _errors(report_validator(), doc)
    assert not errors, "report does not match report-v1.schema.json:\n  " + "\n  ".join(errors)
    return doc


def assert_valid_sarif(text_or_obj: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """Assert the SARIF log is valid against the official SARIF 2.1.0 schema; return it parsed."""
    doc = _parse(text_or_obj)
    errors = _errors(sarif_validator(), doc)
    assert not errors, "log does not match sarif-schema-2.1.0.json:\n  " + "\n  ".join(errors)
    return doc
