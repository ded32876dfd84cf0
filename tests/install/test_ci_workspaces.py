"""`airlock ci` on an npm workspaces project: each workspace's package.json staged at its relative path, so
npm ci's links (`node_modules/a` → `../packages/a`) reach the real folders after the swap; a workspace's
own node_modules (packages npm could not hoist) is refused with the reason."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from airlock.check.project import CheckSettings
from airlock.errors import UsageError
from airlock.exit import ExitCode
from airlock.install.ci import CiRequest, run_ci
from tests.fakes.registry import FakeRegistry
from tests.install.projects import ONCE, WRAPPY, Dep, publish

pytestmark = pytest.mark.requires_node

CLI = "#!/usr/bin/env node\nconsole.log('a-cli ran')\n"


def _entry(registry: FakeRegistry, dep: Dep) -> dict[str, object]:
    dist = registry.packument(dep.name)["versions"][dep.version]["dist"]
    entry: dict[str, object] = {
        "version": dep.version,
        "resolved": dist["tarball"],
        "integrity": dist["integrity"],
    }
    if dep.dependencies:
        entry["dependencies"] = dict(dep.dependencies)
    return entry


@pytest.fixture
def project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """`app` with workspace `packages/a` (depends on once, has a bin); the root depends on wrappy. npm
    hoists everything: the lockfile installs nothing inside packages/a."""
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    for dep in (WRAPPY, ONCE):
        publish(fake_registry, dep)
    root = tmp_path / "app"
    workspace = root / "packages" / "a"
    (workspace / "bin").mkdir(parents=True)
    root_manifest = {
        "name": "app",
        "version": "1.0.0",
        "workspaces": ["packages/*"],
        "dependencies": {"wrappy": "^1.0.2"},
    }
    a_manifest = {
        "name": "a",
        "version": "1.0.0",
        "bin": {"a-cli": "bin/cli.js"},
        "dependencies": {"once": "^1.4.0"},
    }
    (root / "package.json").write_text(json.dumps(root_manifest, indent=2) + "\n")
    (workspace / "package.json").write_text(json.dumps(a_manifest, indent=2) + "\n")
    (workspace / "index.js").write_text("module.exports = require('once')\n")
    (workspace / "bin" / "cli.js").write_text(CLI)
    (workspace / "bin" / "cli.js").chmod(0o755)
    packages: dict[str, object] = {
        "": dict(root_manifest),
        "node_modules/a": {"resolved": "packages/a", "link": True},
        "node_modules/once": _entry(fake_registry, ONCE),
        "node_modules/wrappy": _entry(fake_registry, WRAPPY),
        "packages/a": dict(a_manifest),
    }
    lock = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    return root


def _request(root: Path) -> CiRequest:
    return CiRequest(root, check=CheckSettings(jobs=1), npm_timeout=120)


def _node(root: Path, code: str) -> str:
    done = subprocess.run(
        ["node", "-e", code], cwd=root, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_hoisted_workspaces_install_and_link_to_the_real_folders(project: Path) -> None:
    outcome = run_ci(_request(project))
    assert outcome.exit_code is ExitCode.OK
    # The check saw the whole tree: once is reached only through the workspace.
    assert sorted(str(r.name) for r in outcome.outcome.reports) == ["once", "wrappy"]
    assert outcome.install is not None and outcome.install.installed == 2
    link = project / "node_modules" / "a"
    assert link.is_symlink() and str(link.readlink()) == "../packages/a"
    assert link.resolve() == (project / "packages" / "a").resolve()
    assert _node(project, "console.log(typeof require('a'))") == "function"
    assert _node(project / "packages" / "a", "console.log(require.resolve('once'))") == str(
        (project / "node_modules" / "once" / "index.js").resolve()
    )
    cli = project / "node_modules" / ".bin" / "a-cli"
    assert cli.resolve() == (project / "packages" / "a" / "bin" / "cli.js").resolve()
    ran = subprocess.run([str(cli)], capture_output=True, text=True, timeout=60, check=True)
    assert ran.stdout == "a-cli ran\n"
    assert (project / "packages" / "a" / "bin" / "cli.js").read_text() == CLI  # the real file, untouched
    assert not list(project.glob(".airlock-staging-*"))


def test_a_workspace_node_modules_left_by_an_earlier_install_goes(project: Path) -> None:
    stale = project / "packages" / "a" / "node_modules" / "once"
    stale.mkdir(parents=True)
    (stale / "package.json").write_text('{"name": "once", "version": "0.0.1"}\n')
    (stale / "index.js").write_text("module.exports = 'unchecked'\n")
    assert run_ci(_request(project)).exit_code is ExitCode.OK
    assert not (project / "packages" / "a" / "node_modules").exists()
    assert _node(project, "console.log(typeof require('a'))") == "function"


def test_a_package_inside_a_workspace_node_modules_is_refused_precisely(project: Path) -> None:
    lock = json.loads((project / "package-lock.json").read_text())
    lock["packages"]["packages/a/node_modules/wrappy"] = lock["packages"]["node_modules/wrappy"]
    (project / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    with pytest.raises(UsageError) as caught:
        run_ci(_request(project))
    message = caught.value.message
    assert "workspace packages/a gets wrappy@1.0.2 at packages/a/node_modules/wrappy" in message
    assert "could not hoist" in message
    assert caught.value.hint is not None and "same version of wrappy" in caught.value.hint
    assert not (project / "node_modules").exists()
    assert not list(project.glob(".airlock-staging-*"))


def test_airlock_check_analyses_the_workspaces_tree(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_cli import run

    code, out, err = run(["check", str(project), "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    document = json.loads(out)
    assert sorted(p["name"] for p in document["packages"]) == ["once", "wrappy"]
    assert not [n for n in document.get("notes", []) if "sync" in str(n)]
