"""Patched packages in the tree model: yarn berry `patch:` locators and pnpm `patchedDependencies`, read from
lockfiles the real tools wrote after `yarn patch` / `pnpm patch` (fixtures/README.md)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from airlock.tree import DependencyTree, read_lockfile
from airlock.tree.graph import TreeWalk
from airlock.tree.project import find_lockfile
from tests.tree.conftest import FIXTURES, fixture_input

YARN_PATCH = ".yarn/patches/escape-html-npm-1.0.3-376c22ee74.patch"
PNPM_PATCH = "patches/escape-html@1.0.3.patch"


def _patches_by_label(tree: DependencyTree) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for package in tree.packages.values():
        out.setdefault(package.label, []).append(package.patches)
    return out


def test_yarn_berry_patch_locator_names_the_projects_patch_file() -> None:
    tree = read_lockfile(fixture_input("yarn-berry-patched"))
    patched = [p for p in tree.packages.values() if p.patches]
    assert [(p.label, p.patches) for p in patched] == [("escape-html@1.0.3", (YARN_PATCH,))]
    (node,) = patched
    # the patched package is what the project depends on; the unpatched original is only its source
    assert TreeWalk(tree).paths(node.key) == ("escape-html",)
    assert not node.dev
    assert _patches_by_label(tree)["ms@2.1.3"] == [()]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # relative paths start at the workspace named by `locator` (yarn 2/3 wrote these)
        (
            "#./.yarn/patches/x.patch::version=1.0.3&hash=4001ff&locator=a%40workspace%3Apackages%2Fa",
            ("packages/a/.yarn/patches/x.patch",),
        ),
        ("#./p/one.patch&~/p/two.patch::version=1.0.3&hash=4001ff", ("p/one.patch", "p/two.patch")),
        # kept as written so the check can refuse to read them
        ("#../../outside.patch::version=1.0.3&hash=4001ff", ("../../outside.patch",)),
        ("#/etc/passwd::version=1.0.3&hash=4001ff", ("/etc/passwd",)),
        # yarn's own compatibility patches ship inside yarn, not in the project
        ("#optional!builtin<compat/typescript>::version=1.0.3&hash=4001ff", ()),
    ],
)
def test_yarn_berry_patch_paths(written: str, expected: tuple[str, ...]) -> None:
    data = fixture_input("yarn-berry-patched")
    original = f"#~/{YARN_PATCH}::version=1.0.3&hash=4001ff"
    assert original in data.text
    tree = read_lockfile(replace(data, text=data.text.replace(original, written)))
    patched = {p.patches for p in tree.packages.values() if p.label == "escape-html@1.0.3"}
    assert expected in patched


@pytest.mark.parametrize("fixture", ["pnpm-patched-v9", "pnpm-patched-v6"])
def test_pnpm_patched_dependencies_name_the_patch_file(fixture: str) -> None:
    tree = read_lockfile(fixture_input(fixture))
    by_label = _patches_by_label(tree)
    assert by_label["escape-html@1.0.3"] == [(PNPM_PATCH,)]
    assert by_label["ms@2.1.3"] == [()]
    (key,) = [k for k, p in tree.packages.items() if p.patches]
    assert "patch_hash=" in key
    assert TreeWalk(tree).paths(key) == ("escape-html",)


def test_pnpm_11_patch_file_is_named_by_pnpm_workspace_yaml() -> None:
    # pnpm 11 writes only the patch's hash in the lockfile (`escape-html@1.0.3: 3b4e…`); the file is
    # named where the patch is configured, pnpm-workspace.yaml, which the project reader hands over.
    lockfile = find_lockfile(FIXTURES / "pnpm-patched-v11", resolve=False)
    tree = read_lockfile(lockfile.input)
    by_label = _patches_by_label(tree)
    assert by_label["escape-html@1.0.3"] == [(PNPM_PATCH,)]
    assert by_label["ms@2.1.3"] == [()]


@pytest.mark.parametrize(
    ("selector", "patched"),
    [("escape-html", True), ("escape-html@^1.0.0", True), ("escape-html@2.0.0", False)],
)
def test_pnpm_patched_dependencies_by_name_or_range(selector: str, patched: bool) -> None:
    data = fixture_input("pnpm-patched-v9")
    written = "patchedDependencies:\n  escape-html@1.0.3:\n"
    assert written in data.text
    tree = read_lockfile(
        replace(data, text=data.text.replace(written, f"patchedDependencies:\n  '{selector}':\n"))
    )
    assert _patches_by_label(tree)["escape-html@1.0.3"] == [(PNPM_PATCH,) if patched else ()]


def test_yarn_berry_patch_of_a_transitive_dependency_is_what_its_parent_gets() -> None:
    # `yarn patch ms` + `patch-commit -s` for a dependency of `debug` writes a root `resolutions` entry
    # ("ms@npm:2.0.0": "patch:…"); debug still declares `ms: npm:2.0.0`, which also names the unpatched
    # original in the lockfile. yarn installs the patched one for debug, and so must the tree.
    tree = read_lockfile(fixture_input("yarn-berry-patched-transitive"))
    (debug_ms,) = [e.target for e in tree.packages["debug@npm:2.6.9"].dependencies if e.name == "ms"]
    patched = tree.packages[debug_ms]
    assert patched.patches == (".yarn/patches/ms-npm-2.0.0-9e1101a471.patch",)
    walk = TreeWalk(tree)
    assert walk.paths(debug_ms) == ("debug>ms",)
    assert not patched.dev
    # the unpatched original is only the patch's source: nothing installs it, so --production leaves it out
    assert tree.packages["ms@npm:2.0.0"].dev and not walk.reachable("ms@npm:2.0.0")


def test_yarn_3_style_relative_patch_bound_to_its_workspace() -> None:
    # yarn 2/3 wrote `./`-relative patch paths and bound the descriptor to the declaring workspace with
    # `::locator=…`, so the lockfile key is longer than what `resolutions` says.
    data = fixture_input("yarn-berry-patched-transitive")
    new = "#~/.yarn/patches/ms-npm-2.0.0-9e1101a471.patch"
    old = "#./.yarn/patches/ms-npm-2.0.0-9e1101a471.patch"
    locator = "::locator=berry-tpatch%40workspace%3A."
    text = data.text.replace(f'{new}":', f'{old}{locator}":').replace(
        f"{new}::version=2.0.0&hash=1ebf4e",
        f"{old}::version=2.0.0&hash=1ebf4e&locator=berry-tpatch%40workspace%3A.",
    )
    resolutions = {"ms@npm:2.0.0": f"patch:ms@npm%3A2.0.0{old}"}
    manifests = {"": {**data.manifests[""], "resolutions": resolutions}}
    tree = read_lockfile(replace(data, text=text, manifests=manifests))
    (debug_ms,) = [e.target for e in tree.packages["debug@npm:2.6.9"].dependencies if e.name == "ms"]
    assert tree.packages[debug_ms].patches == (".yarn/patches/ms-npm-2.0.0-9e1101a471.patch",)
