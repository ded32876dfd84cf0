"""`airlock check` reads airlock-policy.json when the project has one: a package exceeding its grants gets a
`policy-exceeded` finding (the verdict is the code's, not the policy's), and `--fail-on policy` exits 1."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policy.app import READER, Project, policy_cmd
from tests.test_cli import run


def check_json(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any], str]:
    code, out, err = run(["check", "app", "-j", "1", "--format", "json", *args], monkeypatch, capsys)
    return code, json.loads(out) if out.strip() else {}, err


def _findings(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    packages = document["packages"]
    assert isinstance(packages, list)
    entry = next(p for p in packages if p["name"] == name)
    return [f for f in entry["findings"] if f["rule"] == "policy-exceeded"]


def test_a_package_within_its_grants_passes_fail_on_policy(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    code, document, err = check_json(["--fail-on", "policy"], monkeypatch, capsys)
    assert code == 0, err
    assert all(not _findings(document, n) for n in ("reader", "calm", "gyp"))
    assert any("every package stays within its grants" in n for n in document["notes"])


def test_an_exceeding_package_is_reported_with_the_policy_line_and_fail_on_policy_exits_1(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    files = {"index.js": READER["index.js"] + "require('child_process').exec('id')\n"}
    project.publish("reader", "1.0.1", files, {"calm": "1.0.0"})

    code, document, err = check_json([], monkeypatch, capsys)
    assert code == 0, err  # reported, but only --fail-on policy fails on it
    (finding,) = _findings(document, "reader")
    assert finding["severity"] == "low"
    assert 'resources["reader"]["builtin"]["child_process.exec"]: true' in finding["message"]
    assert finding["evidence"][0]["file"] == "index.js" and finding["evidence"][0]["line"] == 3
    assert any("1 package exceeds its grants" in n for n in document["notes"])
    assert any(
        n.startswith("  reader@1.0.1: reader exceeds") and "(index.js:3)" in n for n in document["notes"]
    )

    code, _, err = check_json(["--fail-on", "policy"], monkeypatch, capsys)
    assert code == 1, err
    # With another threshold as well, both apply.
    code, _, err = check_json(["--fail-on", "block", "--fail-on", "policy"], monkeypatch, capsys)
    assert code == 1, err


def test_a_refusal_in_the_override_is_not_a_violation(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    files = {"index.js": READER["index.js"] + "require('child_process').exec('id')\n"}
    project.publish("reader", "1.0.1", files, {"calm": "1.0.0"})
    override = {"version": 1, "resources": {"reader": {"builtin": {"child_process.exec": False}}}}
    (project.root / "airlock-policy-override.json").write_text(json.dumps(override))
    code, document, err = check_json(["--fail-on", "policy"], monkeypatch, capsys)
    assert code == 0, err
    assert not _findings(document, "reader")


def test_fail_on_policy_without_a_policy_is_a_usage_error(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["check", "app", "-j", "1", "--fail-on", "policy"], monkeypatch, capsys)
    assert code == 2, out + err
    assert "airlock-policy.json does not exist" in err
    assert "airlock policy init" in err


def test_without_a_policy_check_reports_nothing_about_one(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document, err = check_json([], monkeypatch, capsys)
    assert code == 0, err
    assert not any("policy" in n for n in document.get("notes", []))
