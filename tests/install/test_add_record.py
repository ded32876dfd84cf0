"""Accepted install scripts written into package.json's `lavamoat.allowScripts` as npm edits package.json:
key order, indentation and line endings kept; a malformed entry is an error, not overwritten."""

from __future__ import annotations

import json

import pytest

from airlock.errors import BadInputError
from airlock.install.record import manifest_scripts_policy, with_allowed_scripts


def test_the_accepted_patterns_are_added_and_everything_else_is_kept() -> None:
    manifest = b'{\n    "name": "app",\n    "version": "1.0.0",\n    "lavamoat": {"allowScripts": {"old#1.0.0": false}}\n}\n'
    written = with_allowed_scripts(manifest, ["builder#1.0.0", "builder#1.0.0", "a>b#2.0.0"])
    data = json.loads(written)
    assert list(data) == ["name", "version", "lavamoat"]
    assert data["lavamoat"]["allowScripts"] == {"old#1.0.0": False, "builder#1.0.0": True, "a>b#2.0.0": True}
    assert written.startswith(b'{\n    "name": "app",')  # four spaces, as the file had
    assert written.endswith(b"}\n") and not written.endswith(b"\n\n")


def test_crlf_and_tabs_are_kept() -> None:
    manifest = b'{\r\n\t"name": "app"\r\n}\r\n'
    written = with_allowed_scripts(manifest, ["x#1.0.0"])
    assert (
        written == b'{\r\n\t"name": "app",\r\n\t"lavamoat": {\r\n\t\t"allowScripts": {\r\n'
        b'\t\t\t"x#1.0.0": true\r\n\t\t}\r\n\t}\r\n}\r\n'
    )


def test_nothing_to_add_leaves_the_bytes_as_they_are() -> None:
    manifest = b'{"name":"app"}'
    assert with_allowed_scripts(manifest, []) is manifest


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (b'{"lavamoat": []}', '"lavamoat" is not an object'),
        (b'{"lavamoat": {"allowScripts": {"x": true}}}', "allows install scripts without a version"),
        (b'{"lavamoat": {"allowScripts": {"x#1": "yes"}}}', "not true or false"),
        (b"[1]", "not a JSON object"),
        (b"{", "not valid JSON"),
    ],
)
def test_malformed_documents_are_errors_with_the_reason(manifest: bytes, message: str) -> None:
    with pytest.raises(BadInputError) as raised:
        with_allowed_scripts(manifest, ["y#1.0.0"])
    assert message in raised.value.message
    assert raised.value.hint


def test_the_scripts_policy_of_a_package_json() -> None:
    policy = manifest_scripts_policy(b'{"lavamoat": {"allowScripts": {"a#1.0.0": true, "b": false}}}')
    assert policy.scripts_decision("a", "1.0.0") is True
    assert policy.scripts_decision("a", "2.0.0") is None
    assert policy.scripts_decision("b", "1.0.0") is False
    assert manifest_scripts_policy(b'{"name": "app"}').allow_scripts == {}
