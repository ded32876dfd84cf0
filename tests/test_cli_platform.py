"""`airlock check` on a tree with per-platform optional binaries: `--platform`, `--all-platforms`, and what
the text and JSON reports say about the packages left out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.report.schema import assert_valid_report
from tests.test_cli import run

OLD = datetime.now(UTC) - timedelta(days=100)
BINARIES = {"@esbuild/linux-x64": ("linux", "x64"), "@esbuild/darwin-arm64": ("darwin", "arm64")}


@pytest.fixture
def project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    optional = dict.fromkeys(BINARIES, "0.20.2")
    packages: dict[str, object] = {
        "": {"name": "app", "version": "1.0.0", "dependencies": {"esbuild": "0.20.2"}},
    }
    for name, (os_name, cpu) in {**BINARIES, "esbuild": ("", "")}.items():
        manifest: dict[str, Any] = (
            {"os": [os_name], "cpu": [cpu]} if os_name else {"optionalDependencies": optional}
        )
        fake_registry.publish(
            name, "0.20.2", build_package(name, "0.20.2", **manifest), manifest=manifest, time=OLD
        )
        dist = fake_registry.packument(name)["versions"]["0.20.2"]["dist"]
        packages[f"node_modules/{name}"] = {
            "version": "0.20.2",
            "resolved": dist["tarball"],
            "integrity": dist["integrity"],
            **manifest,
            **({"optional": True} if os_name else {}),
        }
    root = tmp_path / "app"
    root.mkdir()
    (root / "package.json").write_text(json.dumps(packages[""]))
    lock = {"name": "app", "lockfileVersion": 3, "requires": True, "packages": packages}
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2))
    return root


def _fetched(registry: FakeRegistry) -> set[str]:
    return {n for n in (*BINARIES, "esbuild") if registry.requests_to(registry.tarball_path(n, "0.20.2"))}


def test_platform_flag_checks_another_machines_tree(
    project: Path,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        ["check", "app", "--platform", "darwin/arm64", "--format", "text", "-j", "1"], monkeypatch, capsys
    )
    assert code == 0, out
    assert _fetched(fake_registry) == {"esbuild", "@esbuild/darwin-arm64"}
    header = " ".join(out.split("\n\n")[0].splitlines())
    assert "2 packages" in header
    assert "1 for other platforms than darwin/arm64 not checked (--all-platforms)" in header
    assert "@esbuild/linux-x64@0.20.2 (for os linux, cpu x64)" in out


def test_json_lists_what_was_left_out_in_notes(
    project: Path,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        ["check", "app", "--platform", "linux/x64/glibc", "--format", "json", "-j", "1"], monkeypatch, capsys
    )
    assert code == 0, out
    doc = assert_valid_report(out)
    assert [p["name"] for p in doc["packages"]] == ["esbuild", "@esbuild/linux-x64"]
    (note,) = [n for n in doc["notes"] if n.startswith("platform:")]
    assert "@esbuild/darwin-arm64@0.20.2 (for os darwin, cpu arm64)" in note
    assert "--all-platforms" in note


def test_all_platforms_checks_every_binary(
    project: Path,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        ["check", "app", "--all-platforms", "--format", "json", "-j", "1"], monkeypatch, capsys
    )
    assert code == 0, out
    assert _fetched(fake_registry) == {"esbuild", *BINARIES}
    doc = json.loads(out)
    assert len(doc["packages"]) == 3
    assert not [n for n in doc.get("notes", []) if n.startswith("platform:")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--platform", "darwin"], "expected OS/CPU"),
        (["--platform", "darwin/arm64/glibc"], "only for linux"),
        (["--platform", "darwin/arm64", "--all-platforms"], "exclude each other"),
    ],
)
def test_bad_platform_is_a_usage_error(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code, out, err = run(["check", "app", *args], monkeypatch, capsys)
    assert code == 2
    assert message in " ".join((out + err).split())
