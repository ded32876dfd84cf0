"""`airlock diff OLD NEW` end to end in-process, against the loopback registry: argv → exit code and the
document on stdout, validated against docs/schema/diff-v1.schema.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.diff.scenarios import publish_benign, publish_event_stream, publish_takeover
from tests.diff.schema import assert_valid_diff
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.test_cli import run


@pytest.fixture
def registry(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeRegistry:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    return fake_registry


def diff_json(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    code, out, err = run(["diff", *argv, "--format", "json", "--jobs", "1"], monkeypatch, capsys)
    assert out, err
    return code, assert_valid_diff(out)


def test_event_stream_update_is_blocked_with_its_new_dependency_and_maintainer(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_event_stream(registry)
    code, document = diff_json(["event-stream@3.3.5", "event-stream@3.3.6"], monkeypatch, capsys)
    assert code == 1
    assert document["kind"] == "diff" and document["schema_version"] == 1
    (change,) = document["changes"]
    assert (change["name"], change["from_version"], change["to_version"]) == (
        "event-stream",
        "3.3.5",
        "3.3.6",
    )
    assert change["verdict"] == "block" and change["attention"] == "high"
    assert change["maintainers_changed"] == {"added": ["right9ctrl"], "removed": []}
    (flatmap,) = change["dependencies_added"]
    assert flatmap["name"] == "flatmap-stream" and flatmap["version"] == "0.1.1"
    assert flatmap["verdict"] == "block"
    assert flatmap["maintainers"] == ["right9ctrl"]
    # published days before the parent's update, and the package is that young
    first = flatmap["first_published"]
    assert first is not None and first == flatmap["version_published"]
    assert timedelta(days=2) < datetime.now(UTC) - datetime.fromisoformat(first) < timedelta(days=4)
    rules = {f["rule"] for f in flatmap["findings"]}
    assert {"eval-decoded-payload", "package-keyed-payload"} <= rules
    evidence = [e for f in flatmap["findings"] for e in f.get("evidence", [])]
    assert any("npm_package_description" in (e.get("snippet") or "") for e in evidence)
    assert "crypto.createDecipher" in flatmap["capabilities"]
    # the parent's own code gained nothing but a require: the block comes from the dependency it adds
    assert change["capabilities_added"] == {} and change["scripts_changed"] == []

    code, out, _ = run(
        ["diff", "event-stream@3.3.5", "event-stream@3.3.6", "--format", "text"], monkeypatch, capsys
    )
    assert code == 1
    assert "event-stream 3.3.5 → 3.3.6  BLOCK  high attention" in out
    assert "+ flatmap-stream  BLOCK" in out and "maintainers right9ctrl" in out
    assert "maintainers: +right9ctrl" in out
    assert "npm_package_description" in out


def test_benign_update_is_low_attention_and_allowed(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_benign(registry)
    code, document = diff_json(["calm-pad@1.2.0", "calm-pad@1.3.0"], monkeypatch, capsys)
    assert code == 0
    (change,) = document["changes"]
    assert change["verdict"] == "allow" and change["attention"] == "low"
    assert change["capabilities_added"] == {} and change["scripts_changed"] == []
    assert change["dependencies_added"] == [] and change["maintainers_changed"] == {
        "added": [],
        "removed": [],
    }
    added = [f for f in change["files"] if f["change"] == "added"]
    assert [f["path"] for f in added] == ["lib/right.js"] and added[0]["size_delta"] > 0


def test_takeover_shape_needs_review_and_outranks_the_benign_update(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_benign(registry)
    publish_takeover(registry)
    code, takeover = diff_json(
        ["ui-widget@2.0.1", "ui-widget@2.0.2", "--fail-on", "review"], monkeypatch, capsys
    )
    (change,) = takeover["changes"]
    assert change["verdict"] in {"review", "block"} and code == 1
    assert change["attention"] == "high" and change["new_install_code"] is True
    assert change["reasons"] and "postinstall" in change["reasons"][0] and "https.get" in change["reasons"][0]
    assert change["scripts_changed"] == [
        {"hook": "postinstall", "change": "added", "old": None, "new": "node setup.js"}
    ]
    assert change["capabilities_added"]["https.get"][0]["file"] == "setup.js"
    assert change["dependencies_added"] == []
    _, benign = diff_json(["calm-pad@1.2.0", "calm-pad@1.3.0"], monkeypatch, capsys)
    assert change["score"] > benign["changes"][0]["score"]


def test_two_tarballs_and_two_directories(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    old = tmp_path / "old.tgz"
    new = tmp_path / "new.tgz"
    old.write_bytes(
        build_package("lib", "1.0.0", {"index.js": "module.exports = 1;\n"}, bin={"lib": "cli.js"})
    )
    new.write_bytes(
        build_package(
            "lib", "1.0.1", {"index.js": "module.exports = require('child_process').execSync('id');\n"}
        )
    )
    code, document = diff_json([str(old), str(new)], monkeypatch, capsys)
    (change,) = document["changes"]
    assert (change["from_version"], change["to_version"]) == ("1.0.0", "1.0.1")
    assert "child_process.execSync" in change["capabilities_added"]
    assert change["bin_changed"] == [{"name": "lib", "change": "removed", "old": "cli.js", "new": None}]
    assert change["attention"] == "high"
    assert change["maintainers_changed"] == {"added": [], "removed": []}  # unknown for local targets

    for name, files in (
        ("a", {"index.js": "module.exports = 1;\n"}),
        ("b", {"index.js": "module.exports = 2;\n"}),
    ):
        directory = tmp_path / name
        directory.mkdir()
        (directory / "package.json").write_text(
            json.dumps({"name": "dirpkg", "version": "1.0.0" if name == "a" else "1.1.0"})
        )
        for path, text in files.items():
            (directory / path).write_text(text)
    code, document = diff_json([str(tmp_path / "a"), str(tmp_path / "b")], monkeypatch, capsys)
    (change,) = document["changes"]
    assert code == 0 and change["attention"] == "low"
    assert [(f["path"], f["change"], f["lines"]) for f in change["files"]] == [
        ("index.js", "changed", 1),
        ("package.json", "changed", 1),
    ]


def test_two_different_packages_is_a_usage_error(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_benign(registry)
    publish_takeover(registry)
    code, _, err = run(
        ["diff", "calm-pad@1.2.0", "ui-widget@2.0.2", "-f", "json", "-j", "1"], monkeypatch, capsys
    )
    assert code == 2 and "two versions of one package" in err


def test_a_missing_version_fails_with_its_own_exit_code(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_benign(registry)
    code, out, err = run(
        ["diff", "calm-pad@1.2.0", "calm-pad@9.9.9", "-f", "json", "-j", "1"], monkeypatch, capsys
    )
    assert code == 2 and out == "" and "no version of calm-pad matches" in err
