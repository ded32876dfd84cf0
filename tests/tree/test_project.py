"""Finding a project's lockfile and manifests on disk (the readers themselves take data)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from airlock.errors import OperationalError, UsageError
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


# --------------------------------------------------------------------------------------------------
# Confinement: nothing a project file names makes airlock read or write outside the project


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path holds the project, a neighbour directory `outside` with a package.json, the system temp
    dir (so `<scratch>/../x` lands here too) and airlock's cache; an `npm` that fails without writing."""
    (tmp_path / "project").mkdir()
    (tmp_path / "outside" / "x").mkdir(parents=True)
    (tmp_path / "outside" / "x" / "package.json").write_text('{"name": "secret"}')
    (tmp_path / "outside" / "package.json").write_text('{"name": "secret-root"}')
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setenv("AIRLOCK_CACHE_DIR", str(tmp_path / "cache"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text("#!/bin/sh\necho 'fake npm: not resolving' >&2\nexit 1\n")
    (bin_dir / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


def _snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under `root` with its bytes (None for directories), symlinks by their target."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[key] = str(path.readlink()).encode()
        else:
            found[key] = path.read_bytes() if path.is_file() else None
    return found


def _manifest_with(workspaces: object) -> str:
    return json.dumps({"name": "app", "version": "1.0.0", "workspaces": workspaces})


ESCAPING_WORKSPACES = [
    ["../outside/x"],
    ["../outside"],
    ["../*"],
    ["../outside/*"],
    ["packages/../../outside/x"],
    ["packages/*/../../../outside/x"],
    ["./../outside/x"],
    ["..//outside/x"],
    [".."],
    ["/abs/outside"],
    ["//server/share"],
    ["..\\outside\\x"],
    ["packages\\..\\..\\outside"],
    ["C:\\outside"],
    ["c:/outside"],
    ["\\\\server\\share"],
    {"packages": ["../outside/x"]},
    {"packages": ["packages/*", "../outside/*"], "nohoist": ["**"]},
]


@pytest.mark.parametrize("workspaces", ESCAPING_WORKSPACES, ids=json.dumps)
def test_workspaces_outside_the_project_are_refused_and_nothing_is_written(
    sandbox: Path, workspaces: object
) -> None:
    project = sandbox / "project"
    (project / "packages" / "a").mkdir(parents=True)
    (project / "packages" / "a" / "package.json").write_text('{"name": "a"}')
    (project / "package.json").write_text(_manifest_with(workspaces))
    (sandbox / "outside" / "x" / "x").mkdir()  # `packages/*/../..` style globs have something to match
    before = _snapshot(sandbox)
    with pytest.raises(UsageError) as caught:
        find_lockfile(project)
    assert "outside the project" in caught.value.message
    assert caught.value.hint is not None and "inside the project" in caught.value.hint
    assert _snapshot(sandbox) == before


@pytest.mark.parametrize(
    "entry", ["../outside/x", "../*", "/abs", "..\\outside", "packages/../../outside", "C:\\x"]
)
def test_pnpm_workspace_yaml_entries_outside_the_project_are_refused(sandbox: Path, entry: str) -> None:
    project = sandbox / "project"
    (project / "package.json").write_text('{"name": "app"}')
    (project / "pnpm-workspace.yaml").write_text(yaml.safe_dump({"packages": ["packages/*", entry]}))
    before = _snapshot(sandbox)
    with pytest.raises(UsageError, match="outside the project"):
        find_lockfile(project)
    assert _snapshot(sandbox) == before


def test_exclusions_are_not_read_as_paths(sandbox: Path) -> None:
    project = sandbox / "project"
    (project / "packages" / "a").mkdir(parents=True)
    (project / "packages" / "a" / "package.json").write_text('{"name": "a"}')
    (project / "package.json").write_text(_manifest_with(["packages/*", "!../outside"]))
    assert set(read_manifests(project)) == {"", "packages/a"}


@pytest.mark.parametrize(
    "link",
    [
        ("packages/evil", "../../outside/x"),  # a symlinked workspace directory, matched by the glob
        ("packages", "../outside"),  # a symlinked parent directory
        ("packages/a/package.json", "../../../outside/package.json"),  # a symlinked manifest
    ],
)
@pytest.mark.parametrize("pattern", ["packages/*", "packages/**", "*/*"])
def test_workspaces_symlinked_outside_the_project_are_refused(
    sandbox: Path, link: tuple[str, str], pattern: str
) -> None:
    project = sandbox / "project"
    name, target = link
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    if name.endswith("package.json"):
        (project / name).symlink_to(target)
    else:
        (project / name).symlink_to(target, target_is_directory=True)
    assert (project / name).resolve().is_relative_to(sandbox / "outside")
    (project / "package.json").write_text(_manifest_with([pattern]))
    before = _snapshot(sandbox)
    try:
        find_lockfile(project)
    except UsageError as refused:
        assert "outside the project" in refused.message and refused.hint is not None
    except OperationalError:  # the fake npm ran: then the glob did not follow the link (`**` never does)
        assert all(m.get("name") not in ("secret", "secret-root") for m in read_manifests(project).values())
    assert _snapshot(sandbox) == before


def test_symlinks_that_stay_inside_the_project_are_workspaces(sandbox: Path) -> None:
    project = sandbox / "project"
    (project / "real" / "a").mkdir(parents=True)
    (project / "real" / "a" / "package.json").write_text('{"name": "a"}')
    (project / "packages").mkdir()
    (project / "packages" / "a").symlink_to("../real/a", target_is_directory=True)
    (project / "package.json").write_text(_manifest_with({"packages": ["packages/*", "./real/*", "**"]}))
    assert set(read_manifests(project)) == {"", "packages/a", "real/a"}


def test_workspaces_inside_reach_npm_in_the_scratch_copy_only(sandbox: Path) -> None:
    project = sandbox / "project"
    (project / "packages" / "a").mkdir(parents=True)
    (project / "packages" / "a" / "package.json").write_text('{"name": "a"}')
    (project / "package.json").write_text(_manifest_with(["packages/*"]))
    before = _snapshot(sandbox)
    with pytest.raises(OperationalError, match="fake npm: not resolving"):
        find_lockfile(project)
    assert _snapshot(sandbox) == before  # the scratch copy is gone, the project untouched


@pytest.mark.requires_node
def test_npmrc_cannot_send_npms_cache_logs_or_install_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text('{"name": "app", "version": "1.0.0"}')  # no dependencies: offline
    (project / ".npmrc").write_text(
        f"cache={outside / 'cache'}\nlogs-dir={outside / 'logs'}\nglobal=true\nlocation=global\n"
        f"prefix={outside / 'prefix'}\ngit={outside / 'git'}\n"
    )
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setenv("AIRLOCK_CACHE_DIR", str(tmp_path / "cache"))
    before = _snapshot(project)
    found = find_lockfile(project)
    assert found.path is None and json.loads(found.input.text)["name"] == "app"
    assert list(outside.iterdir()) == []
    assert _snapshot(project) == before
    assert list((tmp_path / "tmp").iterdir()) == []
    home = Path(os.environ["HOME"])
    assert not (home / ".npm").exists()  # npm's own cache went to airlock's


def test_a_workspace_package_json_may_start_with_a_utf8_bom(tmp_path: Path) -> None:
    # vite's repository has one (issue 11): npm and pnpm read it, airlock exited 2 on it.
    npm = _copy("npm-workspaces-bom", tmp_path)
    assert (npm / "packages" / "a" / "package.json").read_bytes().startswith(b"\xef\xbb\xbf")
    assert set(read_manifests(npm)) == {"", "packages/a", "packages/b"}
    found = find_lockfile(npm)
    assert read_lockfile(found.input).packages


def test_a_status_line_is_given_before_npm_resolves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import airlock.tree.project

    (tmp_path / "package.json").write_text('{"name": "app"}')
    heard: list[str] = []

    def resolve(root: Path, manifests: object) -> str:
        heard.append("npm ran")
        return '{"lockfileVersion": 3, "packages": {}}'

    monkeypatch.setattr(airlock.tree.project, "resolve_with_npm", resolve)
    find_lockfile(tmp_path, status=heard.append)
    assert len(heard) == 2
    assert "resolving the dependency tree with `npm install --package-lock-only" in heard[0]
    assert heard[1] == "npm ran"
