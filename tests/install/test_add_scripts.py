"""Accepting an install with `--yes` accepts the new packages' install scripts: they are recorded
(airlock-policy.json when the project has one, else package.json `lavamoat.allowScripts`) in the bytes the
install is handed, so they run in this very install, in the sandbox; a failed install records nothing."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from airlock.install import add
from airlock.install.plan import InstallPlan
from airlock.policy.document import POLICY_FILENAME, Policy, Resource, dumps, loads
from airlock.registry.cache import default_cache_dir
from tests.install.conftest import Project
from tests.install.test_add_plan import _lock
from tests.test_cli import run


def _built(project: Project) -> bool:
    """builder's postinstall writes built.txt into its own package directory."""
    return (project.root / "node_modules" / "builder" / "built.txt").is_file()


@pytest.mark.requires_node
@pytest.mark.requires_bwrap
def test_accepted_scripts_are_recorded_in_package_json_and_run_sandboxed(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    code, out, err = run(["install", "builder", "--yes", "-C", "app", "-j", "1", "-v"], monkeypatch, capsys)
    assert code == 0, err + out
    assert "output of builder@1.0.0 postinstall:\n  builder: built" in out  # -v: what the script printed
    manifest = project.manifest()
    assert manifest["lavamoat"] == {"allowScripts": {"builder#1.0.0": True}}
    assert manifest["dependencies"] == {"calm": "1.0.0", "builder": "^1.0.0"}
    assert _built(project)
    assert "ran: builder@1.0.0 postinstall" in out and "sandboxed" in out
    assert 'recorded in package.json (lavamoat.allowScripts): "builder#1.0.0": true' in out


@pytest.mark.requires_node
@pytest.mark.requires_bwrap
def test_accepted_scripts_are_recorded_in_the_policy_file_when_there_is_one(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    (project.root / POLICY_FILENAME).write_text(dumps(Policy(resources={"calm": Resource()})))
    code, out, err = run(["install", "builder", "--yes", "-C", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err + out
    policy = loads((project.root / POLICY_FILENAME).read_bytes())
    assert policy.allow_scripts == {"builder#1.0.0": True}
    assert set(policy.resources) == {"calm", "builder"}
    assert policy.resources["calm"] == Resource()  # the rest of the document as it was
    assert "lavamoat" not in project.manifest()
    assert _built(project)
    # the policy still holds for the whole tree afterwards
    code, out, err = run(["policy", "check", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 0, err + out


@pytest.mark.requires_node
def test_a_failed_install_records_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    before = project.snapshot()
    prepare = add.prepare_install

    def then_the_tarball_goes(*args: Any, **kwargs: Any) -> InstallPlan:
        # The plan passed (builder's script accepted); then the registry loses the tarball and the
        # verified cache is cleared, so the install itself fails.
        plan = prepare(*args, **kwargs)
        assert [p.pattern for p in plan.scripts_to_accept] == ["builder#1.0.0"]
        project.registry.fail(project.registry.tarball_path("builder", "1.0.0"), status=404, times=1000)
        shutil.rmtree(default_cache_dir())
        return plan

    monkeypatch.setattr(add, "prepare_install", then_the_tarball_goes)
    code, out, err = run(["install", "builder", "--yes", "-C", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 3, err + out
    # The plan was shown, then the install's own check could not fetch the tarball.
    assert "builder ∅ → 1.0.0" in out and "has no tarball" in err
    assert project.snapshot() == before  # no lavamoat.allowScripts record, no lockfile, no node_modules


@pytest.mark.requires_node
@pytest.mark.requires_bwrap
def test_a_failing_accepted_script_changes_nothing_and_records_nothing_in_the_policy(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(project)
    (project.root / POLICY_FILENAME).write_text(dumps(Policy(resources={"calm": Resource()})))
    run(["install", "--yes", "-C", "app", "-j", "1"], monkeypatch, capsys)  # node_modules to keep
    before = project.snapshot()
    assert "node_modules/calm/package.json" in before
    code, out, err = run(["install", "failer", "--yes", "-C", "app", "-j", "1"], monkeypatch, capsys)
    assert code == 1, err + out
    assert "error: failer@1.0.0 postinstall `node fail.js` failed (exit 1)" in err
    assert project.snapshot() == before  # policy, package.json, lockfile and node_modules as they were
