"""The policy schema check any test can use: `assert_valid_policy(text)`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "schema" / "airlock-policy-v1.schema.json"


@cache
def policy_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def assert_valid_policy(text: str) -> None:
    errors = sorted(policy_validator().iter_errors(json.loads(text)), key=str)
    assert not errors, [e.message for e in errors]
