"""The lockfile at a git revision, read from a temporary repository with two committed lockfiles."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from airlock.diff import git as diff_git
from airlock.diff.git import (
    GitError,
    NoLockfileAtRevisionError,
    NotAGitRepositoryError,
    UnknownRevisionError,
    lockfile_at_revision,
)
from airlock.diff.lockfile import diff_trees
from airlock.errors import OperationalError, UsageError
from airlock.tree import LockfileInput, read_lockfile
from airlock.tree.project import find_lockfile
from tests.diff.lockfiles import lockfile
from tests.diff.test_lockfile import NEW_ES, OLD_ES, ROOT_NEW, ROOT_OLD


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, timeout=30
    ).stdout.strip()


def _write(project: Path, data: LockfileInput) -> None:
    project.mkdir(parents=True, exist_ok=True)
    (project / data.file).write_text(data.text)
    for directory, manifest in data.manifests.items():
        target = project / directory / "package.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(manifest, indent=2))


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # git must not find a repository above the temporary directory, nor read the user's config.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Airlock Tests")
    _git(root, "config", "user.email", "tests@example.com")
    return root


@pytest.mark.parametrize("fmt", ["npm", "pnpm", "yarn"])
def test_the_base_lockfile_diffs_against_the_work_tree(repo: Path, fmt: str) -> None:
    _write(repo, lockfile(fmt, ROOT_OLD, OLD_ES))
    base = _commit(repo, "event-stream 3.3.5")
    _write(repo, lockfile(fmt, ROOT_NEW, NEW_ES))
    _commit(repo, "event-stream 3.3.6")

    at = lockfile_at_revision("HEAD~1", repo)
    assert at.commit == base and at.revision == "HEAD~1"
    assert at.path == lockfile(fmt, ROOT_OLD, OLD_ES).file
    assert at.input.manifests[""]["dependencies"] == ROOT_OLD
    current = find_lockfile(repo).input
    diff = diff_trees(read_lockfile(at.input), read_lockfile(current))
    (change,) = diff.changes
    assert (change.name, change.from_version, change.to_version) == ("event-stream", "3.3.5", "3.3.6")
    assert [c.name for c in change.pulled_in] == ["flatmap-stream"]


def test_the_work_tree_is_left_as_it_was(repo: Path) -> None:
    _write(repo, lockfile("npm", ROOT_OLD, OLD_ES))
    _commit(repo, "base")
    _write(repo, lockfile("npm", ROOT_NEW, NEW_ES))  # uncommitted edit
    status = _git(repo, "status", "--porcelain")
    text = (repo / "package-lock.json").read_text()

    at = lockfile_at_revision("HEAD", repo / "package-lock.json")
    assert "3.3.5" in at.input.text and "3.3.6" not in at.input.text
    assert _git(repo, "status", "--porcelain") == status
    assert (repo / "package-lock.json").read_text() == text


def test_a_project_in_a_subdirectory_with_workspaces(repo: Path) -> None:
    project = repo / "web"
    data = lockfile("npm", ROOT_OLD, OLD_ES)
    _write(project, data)
    manifest = {**data.manifests[""], "workspaces": ["packages/*", "packages/**"]}
    (project / "package.json").write_text(json.dumps(manifest))
    for name in ("a", "b"):
        _write(project / "packages" / name, LockfileInput("README.md", name, {"": {"name": name}}))
    # a package.json the globs do not name, and one inside node_modules: neither is read
    _write(project / "tools" / "x", LockfileInput("README.md", "x", {"": {"name": "x"}}))
    _write(project / "packages" / "node_modules" / "c", LockfileInput("README.md", "c", {"": {"name": "c"}}))
    _commit(repo, "web project")
    (project / "packages" / "b" / "package.json").write_text(json.dumps({"name": "b-renamed"}))

    at = lockfile_at_revision("main", project)
    assert at.path == "web/package-lock.json"
    assert sorted(at.input.manifests) == ["", "packages/a", "packages/b"]
    assert at.input.manifests["packages/b"] == {"name": "b"}


def test_a_workspace_glob_outside_the_project_is_refused(repo: Path) -> None:
    project = repo / "web"
    data = lockfile("npm", ROOT_OLD, OLD_ES)
    _write(project, data)
    (project / "package.json").write_text(json.dumps({**data.manifests[""], "workspaces": ["../*"]}))
    _commit(repo, "web project")
    with pytest.raises(UsageError, match="outside the project"):
        lockfile_at_revision("HEAD", project)


def test_the_lockfile_named_is_the_one_read(repo: Path) -> None:
    _write(repo, lockfile("npm", ROOT_OLD, OLD_ES))
    _write(repo, lockfile("yarn", ROOT_OLD, OLD_ES))
    _commit(repo, "two lockfiles")
    assert lockfile_at_revision("HEAD", repo).path == "package-lock.json"
    assert lockfile_at_revision("HEAD", repo / "yarn.lock").path == "yarn.lock"


def test_no_lockfile_at_the_revision(repo: Path) -> None:
    (repo / "package.json").write_text("{}")
    _commit(repo, "no lockfile yet")
    _write(repo, lockfile("npm", ROOT_OLD, OLD_ES))
    _commit(repo, "lockfile")
    with pytest.raises(NoLockfileAtRevisionError, match=r"HEAD~1 has no .*package-lock\.json") as caught:
        lockfile_at_revision("HEAD~1", repo)
    assert caught.value.hint and "revision" in caught.value.hint
    # A lockfile named by path is looked for under its own name only (yarn.lock was never committed).
    (repo / "yarn.lock").write_text("# yarn lockfile v1\n")
    with pytest.raises(NoLockfileAtRevisionError, match=r"HEAD has no yarn\.lock"):
        lockfile_at_revision("HEAD", repo / "yarn.lock")


@pytest.mark.parametrize("revision", ["no-such-branch", "--output=/tmp/x", "HEAD~5", ""])
def test_an_unknown_revision(repo: Path, revision: str) -> None:
    _write(repo, lockfile("npm", ROOT_OLD, OLD_ES))
    _commit(repo, "base")
    with pytest.raises(UnknownRevisionError) as caught:
        lockfile_at_revision(revision, repo)
    assert caught.value.hint and "git log" in caught.value.hint


def test_a_blob_is_not_a_commit(repo: Path) -> None:
    _write(repo, lockfile("npm", ROOT_OLD, OLD_ES))
    _commit(repo, "base")
    blob = _git(repo, "rev-parse", "HEAD:package.json")
    with pytest.raises(UnknownRevisionError):
        lockfile_at_revision(blob, repo)


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    _write(plain, lockfile("npm", ROOT_OLD, OLD_ES))
    with pytest.raises(NotAGitRepositoryError, match="not in a git repository") as caught:
        lockfile_at_revision("HEAD", plain)
    assert caught.value.hint and "--lockfile" in caught.value.hint


def test_git_taking_too_long_is_an_operational_error(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*args: object, **kwargs: object) -> object:
        raise subprocess.TimeoutExpired("git", diff_git.GIT_TIMEOUT)

    monkeypatch.setattr(subprocess, "run", slow)
    with pytest.raises(OperationalError, match="did not finish"):
        lockfile_at_revision("HEAD", repo)


def test_git_missing_is_a_usage_error(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "nowhere"))
    with pytest.raises(UsageError, match="git is not installed"):
        lockfile_at_revision("HEAD", repo)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to hand the repo away"
)
def test_a_repository_of_another_user_says_how_to_trust_it(repo: Path) -> None:
    _write(repo, lockfile("npm", ROOT_OLD, OLD_ES))
    _commit(repo, "base")
    for path in [repo, *repo.rglob("*")]:
        os.chown(path, 12345, 12345, follow_symlinks=False)
    with pytest.raises(GitError, match="dubious ownership") as caught:
        lockfile_at_revision("HEAD", repo)
    assert caught.value.hint and "safe.directory" in caught.value.hint
    assert not isinstance(caught.value, NotAGitRepositoryError)


def test_a_file_git_cannot_read_is_a_git_error(repo: Path) -> None:
    data = lockfile("npm", ROOT_OLD, OLD_ES)
    _write(repo, data)
    (repo / "package.json").write_text(json.dumps({**data.manifests[""], "workspaces": ["packages/*"]}))
    _git(repo, "add", "-A")
    # packages/a/package.json committed as a submodule whose commit this repository does not have
    _git(repo, "update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},packages/a/package.json")
    _git(repo, "commit", "-q", "-m", "a gitlink where a manifest should be")
    with pytest.raises(GitError, match="git could not read the project at HEAD") as caught:
        lockfile_at_revision("HEAD", repo)
    assert caught.value.hint
