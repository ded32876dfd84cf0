"""Malformed lockfiles: the error names the file, the entry and what is wrong, and exits as bad input."""

from __future__ import annotations

import json

import pytest

from airlock.exit import ExitCode
from airlock.tree import LockfileError, LockfileInput, read_lockfile
from tests.tree.conftest import fixture_input


def _error(file: str, text: str) -> LockfileError:
    with pytest.raises(LockfileError) as caught:
        read_lockfile(LockfileInput(file, text))
    assert caught.value.exit_code is ExitCode.USAGE
    assert caught.value.hint  # every lockfile error says what to do
    return caught.value


def _npm(packages: dict[str, object], version: int = 3) -> str:
    return json.dumps({"name": "x", "lockfileVersion": version, "packages": {"": {}, **packages}})


@pytest.mark.parametrize(
    ("text", "entry", "problem"),
    [
        ("{not json", None, "not valid JSON"),
        ("[]", None, "expected a JSON object"),
        (json.dumps({"lockfileVersion": 4, "packages": {}}), None, "unsupported lockfileVersion 4"),
        (json.dumps({"lockfileVersion": 3}), None, "no `packages` object"),
        (_npm({"node_modules/a": []}), "node_modules/a", "expected an object, got list"),
        (_npm({"node_modules/a": {"version": 1}}), "node_modules/a", "`version` must be a string"),
        (
            _npm({"node_modules/a": {"resolved": "https://r/a/-/a-1.tgz"}}),
            "node_modules/a",
            "without `version`",
        ),
        (
            _npm({"node_modules/a": {"version": "1.0.0", "dependencies": ["b"]}}),
            "node_modules/a",
            "`dependencies`",
        ),
        (_npm({"node_modules/a": {"link": True}}), "node_modules/a", "a link without `resolved`"),
        (
            json.dumps({"lockfileVersion": 1, "dependencies": {"a": {"resolved": "x"}}}),
            "node_modules/a",
            "missing `version`",
        ),
    ],
)
def test_package_lock(text: str, entry: str | None, problem: str) -> None:
    error = _error("package-lock.json", text)
    assert error.message.startswith("package-lock.json: ")
    assert error.entry == entry
    if entry is not None:
        assert f"entry {entry!r}" in error.message
    assert problem in error.message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('a@^1:\n  version "1.0.0"\n    resolved "x"\n', "line 3: unexpected indentation"),
        ("a@^1\n  version 1\n", "line 1: expected an entry header ending in ':'"),
        ('  version "1.0.0"\n', "line 1: indented line outside an entry"),
        ('a@^1:\n  version "1.0.0" extra\n', "line 2: expected `key value`"),
        ('"a@^1:\n  version "1.0.0"\n', "bad quoted string"),
    ],
)
def test_yarn_classic_syntax(text: str, problem: str) -> None:
    error = _error("yarn.lock", text)
    assert error.message.startswith("yarn.lock: ")
    assert problem in error.message


def test_yarn_classic_entry_without_version_names_the_entry() -> None:
    error = _error(
        "yarn.lock",
        'left-pad@^1.3.0:\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz"\n',
    )
    assert error.entry == "left-pad@^1.3.0"
    assert "missing `version`" in error.message


@pytest.mark.parametrize(
    ("text", "entry", "problem"),
    [
        ('__metadata:\n  version: 8\n\n"a@npm:^1":\n  version: 1.0.0\n', "a@npm:^1", "missing `resolution`"),
        ('__metadata:\n  version: 8\n\n"a@npm:^1": 3\n', "a@npm:^1", "expected a mapping, got int"),
        ("__metadata: [\n", None, "not valid YAML at line"),
        ("__metadata:\n  version: 8\nx: &a {}\ny: *a\n", None, "YAML aliases"),
    ],
)
def test_yarn_berry(text: str, entry: str | None, problem: str) -> None:
    error = _error("yarn.lock", text)
    assert error.entry == entry
    assert problem in error.message


@pytest.mark.parametrize(
    ("text", "entry", "problem"),
    [
        ("lockfileVersion: '5.4'\n", None, "unsupported lockfileVersion '5.4'"),
        (
            "lockfileVersion: '9.0'\nsnapshots:\n  a@1.0.0: {}\n",
            "a@1.0.0",
            "in `snapshots` but not in `packages`",
        ),
        ("lockfileVersion: '9.0'\npackages: [1]\n", "packages", "expected a mapping, got list"),
        (
            "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0:\n    resolution: 7\n",
            "/a@1.0.0",
            "expected a mapping, got int",
        ),
        ("lockfileVersion: '9.0'\n  bad: [\n", None, "not valid YAML"),
        ("- just a list\n", None, "expected a YAML mapping"),
        (
            "lockfileVersion: '9.0'\nimporters: {}\n---\nlockfileVersion: '9.0'\nimporters: {}\n",
            None,
            "2 YAML documents, but airlock knows only pnpm's project document",
        ),
        (
            "---\nlockfileVersion: '9.0'\n---\nlockfileVersion: '9.0'\n---\nlockfileVersion: '9.0'\n",
            None,
            "3 YAML documents",
        ),
        ("lockfileVersion: '9.0'\n---\nlockfileVersion: '9.0'\n  bad: [\n", None, "not valid YAML at line 4"),
    ],
)
def test_pnpm(text: str, entry: str | None, problem: str) -> None:
    error = _error("pnpm-lock.yaml", text)
    assert error.entry == entry
    assert problem in error.message


def test_unknown_file_name() -> None:
    error = _error("Gemfile.lock", "x")
    assert "not a lockfile airlock knows" in error.message


def test_a_truncated_real_lockfile_fails_cleanly() -> None:
    data = fixture_input("npm-v3")
    error = _error("package-lock.json", data.text[: len(data.text) // 2])
    assert "not valid JSON" in error.message
