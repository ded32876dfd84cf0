"""A lockfile out of sync with package.json (issue 11): `npm ci` and frozen installs refuse it, so the
check would cover something else than what gets installed. Positive cases edit package.json next to a
lockfile the real tool wrote (what a person does when they forget to re-lock); the benign ones are the
real tools' output as written."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from airlock.tree import LockfileInput, read_lockfile
from airlock.tree.model import DependencyTree, OutOfSync
from airlock.tree.project import read_manifests
from tests.tree.conftest import FIXTURES, LOCKFILE_NAMES, fixture_input


def _edited(fixture: str, directory: str = "", **fields: Mapping[str, str] | None) -> DependencyTree:
    """The fixture's lockfile with package.json in `directory` given new dependency fields (None drops
    the field)."""
    data = fixture_input(fixture)
    manifest: dict[str, object] = dict(data.manifests[directory])
    for field, value in fields.items():
        if value is None:
            manifest.pop(field, None)
        else:
            manifest[field] = dict(value)
    return read_lockfile(LockfileInput(data.file, data.text, {**data.manifests, directory: manifest}))


IN_SYNC = sorted(d.name for d in FIXTURES.iterdir() if d.is_dir() and d.name != "pnpm-v11-package-manager")


@pytest.mark.parametrize("fixture", IN_SYNC)
def test_lockfiles_as_the_tools_wrote_them_are_in_sync(fixture: str) -> None:
    root = FIXTURES / fixture
    lockfile = next(root / n for n in LOCKFILE_NAMES if (root / n).is_file())
    # package.json files as the CLI reads them (workspace globs, a BOM allowed)
    tree = read_lockfile(LockfileInput(lockfile.name, lockfile.read_text(), read_manifests(root)))
    assert tree.out_of_sync == ()
    assert not any("out of sync" in n for n in tree.notes)


@pytest.mark.parametrize("fixture", ["npm-v2", "npm-v3"])
def test_npm_added_removed_and_unsatisfied(fixture: str) -> None:
    tree = _edited(
        fixture,
        dependencies={"once": "^2.0.0", "my-ms": "npm:ms@2.0.0", "left-pad": "1.3.0"},  # debug removed
    )
    assert set(tree.out_of_sync) == {
        OutOfSync("package.json", "once", "^2.0.0", "^1.4.0 (locked 1.4.0)", "node_modules/once"),
        OutOfSync("package.json", "left-pad", "1.3.0", None, None),
        OutOfSync("package.json", "debug", None, "4.3.4", "node_modules/debug"),
    }
    (note,) = [n for n in tree.notes if "out of sync" in n]
    assert "3 dependencies" in note and "once ^2.0.0" in note and "left-pad 1.3.0" in note
    assert "npm install --package-lock-only" in note


@pytest.mark.parametrize("spec", ["^1.3.0", "1.x", ">=1.0.0 <2"], ids=["caret", "x-range", "comparators"])
def test_npm_an_edited_range_the_locked_version_still_satisfies_is_in_sync(spec: str) -> None:
    # npm ci compares the locked tree with what package.json needs, not the range text
    data = fixture_input("npm-v3")
    deps = {**data.manifests[""]["dependencies"], "once": spec}  # type: ignore[dict-item]
    assert _edited("npm-v3", dependencies=deps).out_of_sync == ()


def test_npm_a_dependency_added_that_the_tree_already_has_at_a_satisfying_version_is_in_sync() -> None:
    data = fixture_input("npm-v3")
    deps = {**data.manifests[""]["dependencies"], "wrappy": "^1.0.0"}  # type: ignore[dict-item]
    assert _edited("npm-v3", dependencies=deps).out_of_sync == ()
    deps["wrappy"] = "^2.0.0"
    (problem,) = _edited("npm-v3", dependencies=deps).out_of_sync
    assert problem.locked == "only 1.0.2, which another package pulls in"
    assert problem.package == "node_modules/wrappy"


def test_npm_workspace_manifest_is_compared_with_its_own_entry() -> None:
    tree = _edited("npm-workspaces", "packages/b", dependencies={"ms": "^1.0.0"})
    (problem,) = tree.out_of_sync
    assert (problem.manifest, problem.dependency, problem.declared) == (
        "packages/b/package.json",
        "ms",
        "^1.0.0",
    )
    assert problem.package is not None and tree.packages[problem.package].version == "2.1.3"


@pytest.mark.parametrize("fixture", ["pnpm-v6", "pnpm-v9"])
def test_pnpm_specifiers_are_compared_as_written(fixture: str) -> None:
    data = fixture_input(fixture)
    deps = {**data.manifests[""]["dependencies"], "once": "^1.3.0"}  # type: ignore[dict-item]
    tree = _edited(fixture, dependencies=deps, devDependencies=None)
    # pnpm compares the specifier text: an edited range is a difference even when 1.4.0 satisfies it
    assert set(tree.out_of_sync) == {
        _problem(tree, "once", "^1.3.0", "^1.4.0"),
        _problem(tree, "is-number", None, "7.0.0"),  # devDependencies removed from package.json
    }


def _problem(tree: DependencyTree, name: str, declared: str | None, written: str) -> OutOfSync:
    (edge,) = [e for e in tree.roots if e.name == name]
    version = tree.packages[edge.target].version
    locked = written if version == written else f"{written} (locked {version})"
    return OutOfSync("package.json", name, declared, locked, edge.target)


def test_pnpm_workspace_importer() -> None:
    tree = _edited("pnpm-workspace-v9", "packages/b", dependencies={"ms": "^1.0.0"})
    (problem,) = tree.out_of_sync
    assert (problem.manifest, problem.declared, problem.locked) == (
        "packages/b/package.json",
        "^1.0.0",
        "2.1.3",
    )


def test_pnpm_11_lockfile_whose_project_document_is_empty() -> None:
    # real: pnpm wrote the environment document, then failed before locking the project's dependencies
    tree = read_lockfile(fixture_input("pnpm-v11-package-manager"))
    assert tree.out_of_sync == (OutOfSync("package.json", "once", "^1.4.0", None, None),)


def test_yarn_classic_range_no_entry_lists() -> None:
    data = fixture_input("yarn-v1")
    deps = {**data.manifests[""]["dependencies"], "once": "^1.3.0"}  # type: ignore[dict-item]
    tree = _edited("yarn-v1", dependencies=deps)
    (problem,) = tree.out_of_sync
    assert (problem.dependency, problem.declared, problem.package) == ("once", "^1.3.0", "once@^1.4.0")
    assert problem.locked == "only once@^1.4.0 (version 1.4.0)"
    (note,) = [n for n in tree.notes if "out of sync" in n]
    assert "yarn install" in note


def test_npm_root_peers_are_compared_except_optional_ones_npm_does_not_install() -> None:
    tree = _edited("npm-peers", peerDependencies={"ms": "^3.0.0", "left-pad": "^2.0.0"})
    (problem,) = tree.out_of_sync  # left-pad is an optional peer nothing installs
    assert (problem.dependency, problem.declared, problem.locked) == ("ms", "^3.0.0", "^2.0.0 (locked 2.1.3)")


def test_pnpm_peers_it_installs_itself_are_in_sync_until_their_range_changes() -> None:
    # autoInstallPeers locks the project's peer `ms` under the importer's dependencies
    assert read_lockfile(fixture_input("pnpm-peers")).out_of_sync == ()
    (problem,) = _edited("pnpm-peers", peerDependencies={"ms": "^3.0.0"}).out_of_sync
    assert (problem.dependency, problem.declared, problem.locked) == ("ms", "^3.0.0", "^2.1.0 (locked 2.1.3)")
