"""`airlock scan PKG --with-deps`: npm resolves a temporary project depending on the targets (against the
loopback registry; resolving a lockfile runs no package code), and the tree is reported like `check`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from airlock.errors import UsageError
from airlock.scan import with_deps_dependencies
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.report.schema import assert_valid_report
from tests.test_cli import run

OLD = datetime.now(UTC) - timedelta(days=100)


@pytest.fixture
def registry(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeRegistry:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)

    def publish(name: str, version: str, dependencies: dict[str, str] | None = None) -> None:
        files = {"index.js": "".join(f"require('{d}');\n" for d in dependencies or {})}
        tarball = build_package(name, version, files, dependencies=dependencies or {})
        manifest = {"dependencies": dependencies} if dependencies else None
        fake_registry.publish(name, version, tarball, manifest=manifest, time=OLD)

    publish("wrappy", "1.0.2")
    publish("inherits", "2.0.4")
    publish("once", "1.4.0", {"wrappy": "1", "inherits": "^2.0.0"})
    publish("calm", "1.0.0")
    return fake_registry


@pytest.mark.requires_node
def test_the_package_and_its_dependencies_are_reported_with_paths(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    code, out, err = run(["scan", "once@^1.4.0", "--with-deps", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    assert "resolving the dependencies of once@^1.4.0 with npm" in " ".join(err.split())
    packages = assert_valid_report(out)["packages"]
    assert [(p["name"], p["version"], p["paths"]) for p in packages] == [
        ("once", "1.4.0", ["once"]),
        ("inherits", "2.0.4", ["once>inherits"]),
        ("wrappy", "1.0.2", ["once>wrappy"]),
    ]
    assert {p["verdict"] for p in packages} == {"allow"}
    # nothing left behind in the working directory
    assert list(tmp_path.iterdir()) == []


@pytest.mark.requires_node
def test_several_targets_share_one_temporary_project_and_come_first(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["scan", "once", "calm@1.0.0", "--with-deps", "-f", "text"], monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "once@latest calm@1.0.0 with dependencies: 4 packages (4 registry)"
    assert (
        "note: once@latest, calm@1.0.0 with dependencies: resolved with `npm install --package-lock-only"
        in out
    )
    code, out, _ = run(["scan", "once", "calm@1.0.0", "--with-deps", "-f", "json"], monkeypatch, capsys)
    names = [p["name"] for p in json.loads(out)["packages"]]
    assert sorted(names[:2]) == ["calm", "once"] and sorted(names[2:]) == ["inherits", "wrappy"]


@pytest.mark.requires_node
def test_a_package_the_registry_does_not_have_is_an_operational_error(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["scan", "no-such-package", "--with-deps"], monkeypatch, capsys)
    assert code == 3
    assert "npm resolving no-such-package@latest failed" in err
    assert "check the names and versions" in err


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (["./pkg.tgz"], "--with-deps resolves registry packages, and './pkg.tgz' is a local path"),
        (["./dir"], "is a local path"),
        (["https://example.com/pkg.tgz"], "'https://example.com/pkg.tgz' is a tarball URL"),
        (["x@github:user/repo"], "--with-deps takes a version, range or tag, not 'github:user/repo'"),
        (["x@npm:y@1"], "not 'npm:y@1'"),
        (["x@1", "x@2"], "--with-deps: x is given twice"),
    ],
)
def test_targets_npm_should_not_resolve_are_usage_errors(targets: list[str], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        with_deps_dependencies(targets)
    assert message in raised.value.message
    assert raised.value.hint


def test_dependencies_of_the_temporary_project() -> None:
    assert with_deps_dependencies(["left-pad", "@scope/x@^2", "react@next"]) == {
        "left-pad": "latest",
        "@scope/x": "^2",
        "react": "next",
    }


def test_offline_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["scan", "once", "--with-deps", "--offline"], monkeypatch, capsys)
    assert code == 2 and "--offline forbids it" in err
