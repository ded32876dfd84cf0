"""The policy files: reading with errors that say what to do, and LavaMoat's export format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airlock.policy.document import PolicyError, Resource, parse
from airlock.policy.files import export_lavamoat, lavamoat_resource, read_override, read_policy


def test_builtin_keys_are_also_written_with_the_node_scheme() -> None:
    exported = lavamoat_resource(Resource(builtin={"fs.readFile": True, "fs/promises": True, "net": False}))
    assert exported == {
        "builtin": {
            "fs.readFile": True,
            "node:fs.readFile": True,
            "fs/promises": True,
            "node:fs/promises": True,
            "net": False,
            "node:net": False,
        }
    }
    # A key already spelled with the scheme (written by hand in an override) is not doubled.
    assert lavamoat_resource(Resource(builtin={"node:fs": True})) == {"builtin": {"node:fs": True}}


def test_a_nested_write_becomes_a_read_of_its_top_level_global() -> None:
    exported = lavamoat_resource(
        Resource(globals={"process.exitCode": "write", "process.env": True, "foo": "write", "console": True})
    )
    assert exported == {"globals": {"process": True, "foo": "write", "console": True}}


def test_export_writes_both_files_and_an_empty_override_when_there_is_none(tmp_path: Path) -> None:
    policy = parse({"version": 1, "resources": {"a": {"native": True}}, "allowScripts": {"a#1.0.0": False}})
    primary, override = export_lavamoat(tmp_path, tmp_path, policy, None)
    assert json.loads(primary.read_text()) == {"resources": {"a": {"native": True}}}
    assert json.loads(override.read_text()) == {"resources": {}}
    assert primary == tmp_path / "lavamoat" / "node" / "policy.json"


def test_missing_policy_and_override(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        read_policy(tmp_path)
    assert caught.value.hint is not None and "airlock policy init" in caught.value.hint
    assert read_override(tmp_path) is None
    (tmp_path / "airlock-policy-override.json").write_text("{")
    with pytest.raises(PolicyError, match="is not valid JSON"):
        read_override(tmp_path)
