"""`airlock ci` through the console entry point: the summary, JSON, refusals with hints, and a run killed
with SIGKILL in the middle of npm (a real subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry
from tests.install.projects import ONCE, WRAPPY, publish, tree_hash, write_project
from tests.report.schema import assert_valid_report
from tests.test_cli import run


@pytest.fixture
def project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    for dep in (WRAPPY, ONCE):
        publish(fake_registry, dep)
    root = tmp_path / "app"
    write_project(root, fake_registry, [ONCE, WRAPPY], top=["once"])
    return root


@pytest.mark.requires_node
def test_text_summary(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["ci", "app", "-f", "text", "-j", "1"], monkeypatch, capsys)
    assert code == 0, out
    assert "airlock ci: 2 packages checked, 2 installed" in out
    assert "node_modules replaced (rename)" in out
    assert (project / "node_modules" / "once").is_dir()


@pytest.mark.requires_node
def test_json_embeds_the_check_report(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["ci", "app", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 0, out
    document = json.loads(out)
    assert (document["kind"], document["changed"], document["installed"]) == ("ci", True, 2)
    assert_valid_report(json.dumps(document["report"]))


def test_yarn_project_is_refused_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "package.json").write_text('{"name": "y", "version": "1.0.0"}')
    (tmp_path / "yarn.lock").write_text("# yarn lockfile v1\n")
    code, _, err = run(["ci", "."], monkeypatch, capsys)
    assert code == 2
    assert "installs with npm" in err and "yarn.lock (yarn)" in err and "hint:" in err


def test_no_lockfile_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "package.json").write_text('{"name": "y", "version": "1.0.0"}')
    code, _, err = run(["ci", "."], monkeypatch, capsys)
    assert code == 2
    assert "has no package-lock.json" in err and "npm install --package-lock-only" in err


def test_git_dependency_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = json.loads((project / "package-lock.json").read_text())
    lock["packages"]["node_modules/wrappy"]["resolved"] = "git+ssh://git@github.com/npm/wrappy.git#abc123"
    del lock["packages"]["node_modules/wrappy"]["integrity"]
    (project / "package-lock.json").write_text(json.dumps(lock))
    code, _, err = run(["ci", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 2, err
    assert "installs only registry packages" in err and "wrappy" in err
    assert not (project / "node_modules").exists()


def test_a_workspace_missing_from_the_lockfile_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = json.loads((project / "package.json").read_text())
    manifest["workspaces"] = ["packages/*"]
    (project / "package.json").write_text(json.dumps(manifest))
    (project / "packages" / "a").mkdir(parents=True)
    (project / "packages" / "a" / "package.json").write_text('{"name": "a", "version": "1.0.0"}')
    code, _, err = run(["ci", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 2
    assert "workspace packages/a has a package.json but no entry in the lockfile" in err
    assert "hint:" in err and "--package-lock-only" in err


def _working_in(directory: Path) -> list[int]:
    """Processes whose working directory is `directory` (npm runs in the staging directory)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cwd").resolve() == directory.resolve():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _staging(root: Path) -> list[Path]:
    return sorted(root.glob(".airlock-staging-*"))


@pytest.mark.requires_node
def test_sigkill_while_npm_runs_keeps_the_previous_node_modules(
    project: Path,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    previous = project / "node_modules" / "wrappy"
    previous.mkdir(parents=True)
    (previous / "package.json").write_text('{"name": "wrappy", "version": "0.0.1"}\n')
    (previous / "index.js").write_text("module.exports = 'previous'\n")
    before = tree_hash(project / "node_modules")
    # The cold run's view (and check) fetch wrappy from the registry: slow, so npm waits on it.
    fake_registry.delay("wrappy-1.0.2.tgz", 30, times=10)
    child = subprocess.Popen(
        [sys.executable, "-m", "airlock", "ci", "app", "-f", "json", "-j", "1"],
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        staged: list[Path] = []
        while time.monotonic() < deadline:
            staged = _staging(project)
            npm_started = bool(staged) and (staged[0] / ".airlock-npm.log").exists()
            if npm_started and fake_registry.requests_to("wrappy-1.0.2.tgz"):
                break
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            time.sleep(0.05)
        else:
            pytest.fail("airlock ci never got to npm in staging")
        time.sleep(0.5)  # npm is fetching through the view now
        assert _working_in(staged[0]), "npm is not running in the staging directory"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    # npm dies with airlock (PR_SET_PDEATHSIG): nothing keeps writing into the staging directory.
    deadline = time.monotonic() + 10
    while _working_in(staged[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _working_in(staged[0]) == []
    assert tree_hash(project / "node_modules") == before
    assert _staging(project) == staged  # left behind, for the next run to remove

    fake_registry.clear_delays()
    code, out, err = run(["ci", "app", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["stale_staging_removed"] == [staged[0].name]
    assert _staging(project) == []
    assert (
        json.loads((project / "node_modules" / "wrappy" / "package.json").read_text())["version"] == "1.0.2"
    )


@pytest.mark.requires_node
def test_a_package_exceeding_the_policy_changes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["policy", "init", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    policy = json.loads((project / "airlock-policy.json").read_text())
    assert "once" in policy["resources"]
    del policy["resources"]["once"]  # once now reaches wrappy without a grant
    (project / "airlock-policy.json").write_text(json.dumps(policy, indent=2))
    code, out, _ = run(["ci", "app", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 1
    document = json.loads(out)
    assert document["changed"] is False
    findings = [
        f["rule"] for p in document["report"]["packages"] if p["name"] == "once" for f in p["findings"]
    ]
    assert "policy-exceeded" in findings
    assert not (project / "node_modules").exists()
    assert not list(project.glob(".airlock-staging-*"))


@pytest.mark.requires_node
def test_step_lines_only_on_a_terminal_the_summary_always(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from rich.console import Console

    from airlock import cli

    code, out, err = run(["ci", "app", "-f", "text", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err
    assert "airlock ci: 2 packages checked, 2 installed" in out
    assert "waiting for npm" not in err and "swapped into place" not in err  # stderr is not a terminal
    terminal = io.StringIO()
    monkeypatch.setattr(cli, "_stderr", Console(file=terminal, force_terminal=True, width=200))
    code, out, _ = run(["ci", "app", "-f", "text", "-j", "1"], monkeypatch, capsys)
    assert code == 0
    assert "airlock ci: 2 packages checked, 2 installed" in out
    shown = terminal.getvalue()
    assert "check passed; waiting for npm" in shown and "node_modules swapped into place" in shown
