"""`airlock install` killed with SIGKILL at each point between its swap and its writes (a real kill, at a
named crash point): the next `airlock ci` or `airlock install` finishes the install or rolls it back, never
leaves new node_modules with old files or a mix of files, and says what it did."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from airlock.install.journal import CRASH_ENV, SWAP_MARKER
from tests.install.conftest import Project
from tests.install.test_add_plan import _lock
from tests.test_cli import run

pytestmark = pytest.mark.requires_node


def _killed_install(project: Project, point: str) -> None:
    child = subprocess.run(
        [sys.executable, "-m", "airlock", "install", "netty", "--yes", "-C", "app", "-j", "1"],
        env={**os.environ, CRASH_ENV: point},
        capture_output=True,
        timeout=240,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]


def _dependencies(project: Project) -> dict[str, str]:
    deps = project.manifest()["dependencies"]
    assert isinstance(deps, dict)
    return deps


def _locked(project: Project) -> set[str]:
    return set(json.loads((project.root / "package-lock.json").read_text())["packages"])


def _consistent_with_netty(project: Project) -> None:
    assert _dependencies(project) == {"calm": "1.0.0", "netty": "^2.0.0"}
    assert "node_modules/netty" in _locked(project)
    installed = json.loads((project.root / "node_modules" / "netty" / "package.json").read_text())
    assert installed["version"] == "2.0.0"
    assert not (project.root / "node_modules" / SWAP_MARKER).exists()
    assert not list(project.root.glob(".airlock-staging-*"))


def test_killed_after_the_swap_the_next_ci_finishes_the_writes(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    _killed_install(project, "after-swap")
    # The state the journal is for: the new node_modules, the old package.json and lockfile.
    assert (project.root / "node_modules" / "netty").is_dir()
    assert _dependencies(project) == {"calm": "1.0.0"}
    code, out, err = run(["ci", "app", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    [recovered] = json.loads(out)["interrupted_installs"]
    assert recovered["action"] == "finished"
    assert recovered["written"] == ["package.json", "package-lock.json"]
    assert "finished an interrupted install" in err
    _consistent_with_netty(project)


def test_killed_between_two_writes_the_next_install_finishes_them(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    _killed_install(project, "between-writes")
    assert _dependencies(project) == {"calm": "1.0.0", "netty": "^2.0.0"}  # package.json written…
    assert "node_modules/netty" not in _locked(project)  # …the lockfile not
    code, out, err = run(["install", "--yes", "-C", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err + out
    assert "finished an interrupted install" in out and "wrote package-lock.json of" in out
    _consistent_with_netty(project)


def test_killed_before_the_swap_the_next_ci_rolls_back(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    assert run(["ci", "app", "-f", "json", "-j", "1"], monkeypatch, capsys)[0] == 0
    before = project.snapshot()
    _killed_install(project, "before-swap")
    after = project.snapshot()
    assert any(k.endswith("/airlock-journal.json") for k in after)
    # Only the staging directory (with its journal) was added: node_modules and the files as they were.
    assert {k: v for k, v in after.items() if not k.startswith(".airlock-staging-")} == before
    code, out, err = run(["ci", "app", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    [recovered] = json.loads(out)["interrupted_installs"]
    assert recovered["action"] == "rolled back" and recovered["written"] == []
    assert "nothing had changed" in err
    assert _dependencies(project) == {"calm": "1.0.0"}
    assert not (project.root / "node_modules" / "netty").exists()
    assert (project.root / "node_modules" / "calm").is_dir()
    assert not list(project.root.glob(".airlock-staging-*"))


def test_a_file_edited_after_the_kill_is_not_overwritten(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    _killed_install(project, "after-swap")
    edited = (project.root / "package.json").read_text().replace('"app"', '"app-edited"')
    (project.root / "package.json").write_text(edited)
    code, _, err = run(["ci", "app", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 3, err
    assert "changed after an interrupted airlock install" in err and "airlock-journal.json" in err
    assert (project.root / "package.json").read_text() == edited
