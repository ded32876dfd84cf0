"""`airlock check` through the console entry point: formats, SARIF locations in the lockfile, exit codes,
malformed lockfiles, and resolving a lockfile with npm when the project has none."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from airlock.integrity import sri_of
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.report.schema import assert_valid_report
from tests.test_cli import run

OLD = datetime.now(UTC) - timedelta(days=100)


@pytest.fixture
def project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    fake_registry.publish(
        "wrappy", "1.0.2", build_package("wrappy", "1.0.2", {"index.js": "module.exports = 1"}), time=OLD
    )
    fake_registry.publish(
        "once",
        "1.4.0",
        build_package("once", "1.4.0", {"index.js": "require('wrappy')"}, dependencies={"wrappy": "1"}),
        manifest={"dependencies": {"wrappy": "1"}},
        time=OLD,
    )
    root = tmp_path / "app"
    root.mkdir()
    (root / "package.json").write_text(
        json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"once": "^1.4.0"}})
    )
    return root


def _write_lock(root: Path, registry: FakeRegistry, *, once_integrity: str | None = None) -> None:
    def entry(name: str, version: str, **extra: object) -> dict[str, object]:
        dist = registry.packument(name)["versions"][version]["dist"]
        return {"version": version, "resolved": dist["tarball"], "integrity": dist["integrity"], **extra}

    once = entry("once", "1.4.0", dependencies={"wrappy": "1"})
    if once_integrity:
        once["integrity"] = once_integrity
    lock = {
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"name": "app", "version": "1.0.0", "dependencies": {"once": "^1.4.0"}},
            "node_modules/once": once,
            "node_modules/wrappy": entry("wrappy", "1.0.2"),
        },
    }
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2))


def test_json_report_lists_every_package_with_paths(
    project: FakeRegistry,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write_lock(project, fake_registry)  # type: ignore[arg-type]
    code, out, _ = run(["check", "app", "--format", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 0, out
    assert_valid_report(out)
    packages = json.loads(out)["packages"]
    assert [(p["name"], p["paths"]) for p in packages] == [("once", ["once"]), ("wrappy", ["once>wrappy"])]


def test_text_summary_counts_and_overview(
    project: Path,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write_lock(project, fake_registry)
    code, out, _ = run(["check", "app", "--format", "text", "-j", "1"], monkeypatch, capsys)
    assert code == 0
    assert out.startswith("package-lock.json v3: 2 packages (2 registry)"), out
    assert "2 packages: 0 block, 0 review, 2 allow" in out


def test_swapped_integrity_blocks_and_sarif_points_into_the_lockfile(
    project: Path,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write_lock(project, fake_registry, once_integrity=sri_of(b"not the published bytes"))
    code, out, _ = run(["check", "app", "--format", "sarif", "-j", "1"], monkeypatch, capsys)
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    mismatch = next(r for r in results if r["ruleId"] == "lockfile-integrity-mismatch")
    location = mismatch["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/package-lock.json"
    line = (project / "package-lock.json").read_text().splitlines()[location["region"]["startLine"] - 1]
    assert '"node_modules/once"' in line


def test_fail_on_review(
    project: Path,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write_lock(project, fake_registry)
    lock = json.loads((project / "package-lock.json").read_text())
    del lock["packages"]["node_modules/wrappy"]["integrity"]
    (project / "package-lock.json").write_text(json.dumps(lock, indent=2))
    code, _, _ = run(["check", "app", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 0
    code, _, _ = run(["check", "app", "-f", "json", "-j", "1", "--fail-on", "review"], monkeypatch, capsys)
    assert code == 1


def test_malformed_lockfile_is_bad_input_naming_file_and_entry(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "package-lock.json").write_text(
        json.dumps({"lockfileVersion": 3, "packages": {"node_modules/x": {"version": 7}}})
    )
    code, out, err = run(["check", "app", "-f", "json"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert "package-lock.json: entry 'node_modules/x': `version` must be a string" in err
    assert "hint:" in err


def test_not_a_project(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["check", "nowhere"], monkeypatch, capsys)
    assert code == 2 and "no such project directory" in err
    (tmp_path / "empty").mkdir()
    code, _, err = run(["check", "empty"], monkeypatch, capsys)
    assert code == 2 and "neither a lockfile nor a package.json" in err


@pytest.mark.requires_node
def test_without_a_lockfile_npm_resolves_one_in_a_temporary_copy(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "package.json").write_text(
        json.dumps(
            {
                "name": "app",
                "version": "1.0.0",
                "dependencies": {"once": "^1.4.0"},
                "scripts": {"preinstall": "touch PWNED"},
            }
        )
    )
    before = sorted(p.name for p in project.iterdir())
    code, out, err = run(["check", "app", "-f", "text", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    assert "resolving the dependency tree with `npm install --package-lock-only" in " ".join(err.split())
    assert "no lockfile in app: resolved one with `npm install --package-lock-only --ignore-scripts" in out
    assert "2 packages: 0 block, 0 review, 2 allow" in out
    # nothing written to the user's project, no script run
    assert sorted(p.name for p in project.iterdir()) == before
