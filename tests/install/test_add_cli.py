"""`airlock install` from the command line: the question, its refusals, and nothing changed unless the
install happens (npm against the loopback registry; the project's .npmrc points at it)."""

from __future__ import annotations

import io
import json

import pytest

from tests.install.conftest import Project
from tests.install.test_add_plan import _lock
from tests.test_cli import run


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal, holding what the user types."""

    def isatty(self) -> bool:
        return True


def test_without_a_terminal_and_without_yes_it_refuses_before_any_work(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = project.snapshot()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = run(["install", "netty", "-C", "app"], monkeypatch, capsys)
    assert code == 2
    assert "airlock install asks before it installs, and standard input is not a terminal" in err
    assert "hint: pass --yes" in err
    assert out == ""
    assert project.snapshot() == before
    assert project.registry.requests == []  # not even resolved


@pytest.mark.requires_node
@pytest.mark.parametrize("yes", [False, True])
def test_a_blocked_new_package_exits_1_without_asking_and_changes_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], yes: bool
) -> None:
    _lock(project)
    before = project.snapshot()
    # a terminal that would answer yes: the question must never be asked
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    argv = ["install", "env-setup-helper", "-C", "app", "-j", "1", *(["--yes"] if yes else [])]
    code, out, err = run(argv, monkeypatch, capsys)
    assert code == 1, err
    assert "env-setup-helper ∅ → 1.0.0  BLOCK" in out
    assert "BLOCK  env-setup-helper@1.0.0" in out
    assert "nothing was installed and nothing changed" in out
    assert "Install" not in out and "?" not in out.splitlines()[-1]
    assert project.snapshot() == before
    assert not (project.root / "node_modules").exists()


@pytest.mark.requires_node
def test_declining_at_the_question_changes_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    before = project.snapshot()
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    code, out, err = run(["install", "builder", "-C", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    assert 'builder@1.0.0  ALLOW  accept: allowScripts["builder#1.0.0"] = true' in out
    assert "\nInstall, allow 1 install script and write package.json, package-lock.json? [y/N]:" in out
    assert "declined: nothing was installed and nothing changed" in out
    assert project.snapshot() == before


@pytest.mark.requires_node
def test_the_default_answer_is_no(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = project.snapshot()
    monkeypatch.setattr("sys.stdin", _Terminal("\n"))
    code, out, _ = run(["install", "netty", "-C", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 0 and "declined" in out
    assert project.snapshot() == before
    assert json.loads(before["package.json"])["dependencies"] == {"calm": "1.0.0"}
