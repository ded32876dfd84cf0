"""Finding a project's lockfile and manifests on disk (the readers themselves take data)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from airlock.errors import UsageError
from airlock.tree import read_lockfile
from airlock.tree.project import find_lockfile, read_manifests
from tests.tree.conftest import FIXTURES


def _copy(fixture: str, tmp_path: Path) -> Path:
    target = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, target)
    return target


def test_a_directory_with_one_lockfile(tmp_path: Path) -> None:
    project = _copy("pnpm-v9", tmp_path)
    found = find_lockfile(project)
    assert found.path == project / "pnpm-lock.yaml" and found.notes == ()
    assert set(found.input.manifests) == {""}


def test_shrinkwrap_wins_over_package_lock_and_says_so(tmp_path: Path) -> None:
    project = _copy("npm-v3", tmp_path)
    shutil.copy(project / "package-lock.json", project / "npm-shrinkwrap.json")
    (project / "yarn.lock").write_text("# yarn lockfile v1\n")
    found = find_lockfile(project)
    assert found.path == project / "npm-shrinkwrap.json"
    assert "several lockfiles present (npm-shrinkwrap.json, package-lock.json, yarn.lock)" in found.notes[0]
    assert read_lockfile(found.input).format == "package-lock.json v3"


def test_a_lockfile_path_is_accepted_directly(tmp_path: Path) -> None:
    project = _copy("yarn-v1", tmp_path)
    found = find_lockfile(project / "yarn.lock")
    assert found.input.file == "yarn.lock" and "" in found.input.manifests


def test_workspace_manifests_come_from_package_json_and_pnpm_workspace_yaml(tmp_path: Path) -> None:
    npm = _copy("npm-workspaces", tmp_path)
    assert set(read_manifests(npm)) == {"", "packages/a", "packages/b"}
    pnpm = _copy("pnpm-workspace-v9", tmp_path)
    assert set(read_manifests(pnpm)) == {"", "packages/a", "packages/b"}


def test_node_modules_never_counts_as_a_workspace(tmp_path: Path) -> None:
    project = _copy("npm-workspaces", tmp_path)
    (project / "root.json").write_text("{}")
    manifest = json.loads((project / "package.json").read_text())
    manifest["workspaces"] = ["*", "packages/*"]
    (project / "package.json").write_text(json.dumps(manifest))
    (project / "node_modules" / "x").mkdir(parents=True)
    (project / "node_modules" / "x" / "package.json").write_text("{}")
    assert "node_modules/x" not in read_manifests(project)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "neither a lockfile nor a package.json"),
        (lambda p: (p / "package.json").write_text("{"), "is not valid JSON"),
        (lambda p: (p / "Gemfile.lock").write_text(""), "neither a lockfile nor a package.json"),
    ],
)
def test_what_is_not_a_project(tmp_path: Path, setup: object, message: str) -> None:
    assert callable(setup)
    setup(tmp_path)
    with pytest.raises(UsageError) as caught:
        find_lockfile(tmp_path)
    assert message in caught.value.message


def test_an_unknown_file_is_not_a_lockfile(tmp_path: Path) -> None:
    (tmp_path / "deps.txt").write_text("")
    with pytest.raises(UsageError, match="is not a lockfile airlock reads"):
        find_lockfile(tmp_path / "deps.txt")


def test_no_lockfile_offline_does_not_resolve(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')
    with pytest.raises(UsageError, match="has no lockfile"):
        find_lockfile(tmp_path, resolve=False)
