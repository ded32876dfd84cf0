"""`airlock install PKG --yes` end to end: npm resolves against the loopback registry, the plan passes, and
the install goes through `airlock ci`'s path (verified view, staging, swap); package.json and the lockfile
are written only after node_modules is in place."""

from __future__ import annotations

import json

import pytest

from tests.install.conftest import Project
from tests.install.test_add_plan import _lock
from tests.test_cli import run


@pytest.mark.requires_node
def test_install_yes_adds_the_package(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    code, out, err = run(["install", "netty", "--yes", "-C", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err + out
    manifest = project.manifest()
    assert manifest["dependencies"] == {"calm": "1.0.0", "netty": "^2.0.0"}
    assert "lavamoat" not in manifest  # netty has no install script: nothing to record
    lock = json.loads((project.root / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/netty"]["version"] == "2.0.0"
    installed = json.loads((project.root / "node_modules" / "netty" / "package.json").read_text())
    assert installed["version"] == "2.0.0"
    assert (project.root / "node_modules" / "calm" / "index.js").is_file()
    assert "netty ∅ → 2.0.0" in out and "+ https.get" in out
    assert "2 installed from the verified bytes" in out
    assert "written after the swap: package.json, package-lock.json" in out


@pytest.mark.requires_node
def test_install_without_packages_installs_the_locked_tree(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # no lockfile yet: npm writes one from package.json, and the tree is installed
    code, out, err = run(["install", "--yes", "-C", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err + out
    assert json.loads((project.root / "package-lock.json").read_text())["packages"]["node_modules/calm"]
    assert (project.root / "node_modules" / "calm" / "package.json").is_file()
    assert "calm ∅ → 1.0.0" in out
