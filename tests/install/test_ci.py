"""`airlock ci` end to end: the check first, npm installing from the verified view into staging, the gate,
the swap; and every way it must leave the project as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from airlock.check.project import CheckSettings
from airlock.exit import ExitCode
from airlock.install.ci import CiRequest, InstallRefusedError, run_ci
from airlock.install.npm import npm_cache_dir
from airlock.registry.cache import default_cache_dir
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.install.projects import EXFIL, ONCE, WRAPPY, publish, tree_hash, write_project

pytestmark = pytest.mark.requires_node


@pytest.fixture
def project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    for dep in (WRAPPY, ONCE):
        publish(fake_registry, dep)
    root = tmp_path / "app"
    write_project(root, fake_registry, [ONCE, WRAPPY], top=["once"])
    return root


def _request(root: Path) -> CiRequest:
    return CiRequest(root, check=CheckSettings(jobs=1), npm_timeout=120)


def test_clean_project_installs_from_the_view_only(project: Path, fake_registry: FakeRegistry) -> None:
    outcome = run_ci(_request(project))
    assert outcome.exit_code is ExitCode.OK
    assert outcome.install is not None
    assert outcome.install.installed == 2
    assert (project / "node_modules" / "once" / "index.js").is_file()
    assert (
        json.loads((project / "node_modules" / "wrappy" / "package.json").read_text())["version"] == "1.0.2"
    )
    # npm fetched both tarballs from the view; the fake registry saw only airlock's own client.
    assert outcome.install.view_served == 2
    agents = {r.headers.get("user-agent", "") for r in fake_registry.requests}
    assert agents and all(a.startswith("airlock/") for a in agents), agents
    assert not list(project.glob(".airlock-staging-*"))


def _snapshot(root: Path) -> tuple[bytes, bytes, str]:
    return (
        (root / "package.json").read_bytes(),
        (root / "package-lock.json").read_bytes(),
        tree_hash(root / "node_modules"),
    )


def test_blocked_package_changes_nothing(project: Path, fake_registry: FakeRegistry) -> None:
    assert run_ci(_request(project)).exit_code is ExitCode.OK  # a previous node_modules to keep
    publish(fake_registry, EXFIL)
    write_project(project, fake_registry, [ONCE, WRAPPY, EXFIL], top=["once", "env-helper"])
    before = _snapshot(project)
    outcome = run_ci(_request(project))
    assert outcome.exit_code is ExitCode.ACTION
    assert outcome.stopped_by_check and not outcome.changed
    blocked = [r for r in outcome.outcome.reports if r.verdict.value == "block"]
    assert [r.name for r in blocked] == ["env-helper"]
    assert _snapshot(project) == before
    assert not (project / "node_modules" / "env-helper").exists()
    assert not list(project.glob(".airlock-staging-*"))


def test_integrity_swap_after_a_warm_check_is_never_installed(
    project: Path, fake_registry: FakeRegistry
) -> None:
    assert run_ci(_request(project)).exit_code is ExitCode.OK  # analyses stored: the next check is warm
    before = _snapshot(project)
    # The warm check will not download wrappy again; the registry now serves other bytes for it (its
    # document still names the checked integrity), and no cache holds the checked ones.
    shutil.rmtree(default_cache_dir() / "tarballs")
    shutil.rmtree(npm_cache_dir())
    evil = build_package("wrappy", "1.0.2", {"index.js": "require('child_process').exec('id')\n"})
    fake_registry.set_tarball("wrappy", "1.0.2", evil)
    with pytest.raises(InstallRefusedError) as caught:
        run_ci(_request(project))
    assert caught.value.exit_code is ExitCode.ACTION
    assert "wrappy@1.0.2" in caught.value.message and "nothing was changed" in caught.value.message
    assert _snapshot(project) == before
    assert not list(project.glob(".airlock-staging-*"))


def test_existing_node_modules_is_exchanged_and_old_files_go(project: Path) -> None:
    (project / "node_modules" / "left-over").mkdir(parents=True)
    (project / "node_modules" / "left-over" / "x.js").write_text("old\n")
    outcome = run_ci(_request(project))
    assert outcome.install is not None
    assert outcome.install.swapped.how == "exchange"
    assert not (project / "node_modules" / "left-over").exists()
    assert (project / "node_modules" / "once" / "index.js").is_file()


def test_stale_staging_of_a_killed_run_is_removed(project: Path) -> None:
    stale = project / ".airlock-staging-99999-deadbeef"
    (stale / "node_modules" / "half").mkdir(parents=True)
    outcome = run_ci(_request(project))
    assert outcome.exit_code is ExitCode.OK
    assert outcome.stale_removed == (stale,)
    assert not stale.exists()


def _unpin(root: Path, name: str) -> None:
    lock = json.loads((root / "package-lock.json").read_text())
    del lock["packages"][f"node_modules/{name}"]["integrity"]
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")


def test_unpinned_entry_gets_the_bytes_the_check_analysed(project: Path) -> None:
    _unpin(project, "wrappy")
    outcome = run_ci(_request(project))
    assert outcome.exit_code is ExitCode.OK
    [wrappy] = [r for r in outcome.outcome.reports if r.name == "wrappy"]
    assert any(f.rule == "lockfile-missing-integrity" for f in wrappy.findings)
    installed = (project / "node_modules" / "wrappy" / "index.js").read_text()
    assert installed == WRAPPY.files["index.js"]
    assert outcome.install is not None and outcome.install.view_served == 2


def test_unpinned_entry_whose_registry_bytes_change_is_never_installed(
    project: Path, fake_registry: FakeRegistry
) -> None:
    _unpin(project, "wrappy")
    assert run_ci(_request(project)).exit_code is ExitCode.OK
    before = _snapshot(project)
    shutil.rmtree(default_cache_dir() / "tarballs")
    shutil.rmtree(npm_cache_dir())
    fake_registry.set_tarball("wrappy", "1.0.2", build_package("wrappy", "1.0.2", {"index.js": "// other\n"}))
    with pytest.raises(InstallRefusedError):
        run_ci(_request(project))
    assert _snapshot(project) == before


def test_lockfile_without_resolved_urls_installs_through_the_views_documents(
    project: Path, fake_registry: FakeRegistry
) -> None:
    # npm's omit-lockfile-registry-resolved: npm asks the registry for the document, then the tarball.
    lock = json.loads((project / "package-lock.json").read_text())
    for key, entry in lock["packages"].items():
        if key:
            del entry["resolved"]
    (project / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")
    outcome = run_ci(_request(project))
    assert outcome.exit_code is ExitCode.OK
    assert outcome.install is not None and outcome.install.view_served == 2
    assert (project / "node_modules" / "once" / "index.js").is_file()
    agents = {r.headers.get("user-agent", "") for r in fake_registry.requests}
    assert all(a.startswith("airlock/") for a in agents), agents
    # npm records no loopback URL that outlives the view.
    assert "127.0.0.1" not in (project / "node_modules" / ".package-lock.json").read_text().replace(
        fake_registry.url.rstrip("/"), ""
    )
