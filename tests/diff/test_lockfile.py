"""The tree diff: added, removed and changed packages, new dependencies under the update that brings them."""

from __future__ import annotations

import pytest

from airlock.diff.lockfile import ChangeKind, Difference, TreeChange, TreeDiff, diff_trees
from airlock.tree import LockfileInput, read_lockfile
from tests.diff.lockfiles import FORMATS, integrity, lockfile, npm_lock
from tests.tree.conftest import fixture_input

ES_DEPS = {"through": "2.3.8", "map-stream": "0.1.0"}
BASE: dict[str, dict[str, str]] = {"through@2.3.8": {}, "map-stream@0.1.0": {}, "ms@2.1.3": {}}
OLD_ES = {**BASE, "event-stream@3.3.5": ES_DEPS}
NEW_ES = {
    **BASE,
    "event-stream@3.3.6": {**ES_DEPS, "flatmap-stream": "0.1.1"},
    "flatmap-stream@0.1.1": {},
}
ROOT_OLD = {"event-stream": "3.3.5", "ms": "2.1.3"}
ROOT_NEW = {"event-stream": "3.3.6", "ms": "2.1.3"}


def _diff(old: LockfileInput, new: LockfileInput) -> TreeDiff:
    return diff_trees(read_lockfile(old), read_lockfile(new))


def _names(changes: tuple[TreeChange, ...]) -> list[str]:
    return [c.name for c in changes]


@pytest.mark.parametrize("fmt", FORMATS)
def test_event_stream_update_is_one_change_with_flatmap_stream_under_it(fmt: str) -> None:
    diff = _diff(lockfile(fmt, ROOT_OLD, OLD_ES), lockfile(fmt, ROOT_NEW, NEW_ES))
    (change,) = diff.changes
    assert change.name == "event-stream"
    assert change.kind is ChangeKind.CHANGED
    assert (change.from_version, change.to_version) == ("3.3.5", "3.3.6")
    assert change.differences == (Difference.VERSION,)
    assert change.paths == ("event-stream",)
    (flatmap,) = change.pulled_in
    assert flatmap.kind is ChangeKind.ADDED
    assert flatmap.new is not None and flatmap.new.label == "flatmap-stream@0.1.1"
    assert flatmap.paths == ("event-stream>flatmap-stream",)
    assert _names(diff.all_added()) == ["flatmap-stream"]
    assert diff.unchanged == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_update_that_drops_a_dependency_carries_the_removal(fmt: str) -> None:
    diff = _diff(lockfile(fmt, ROOT_NEW, NEW_ES), lockfile(fmt, ROOT_OLD, OLD_ES))
    (change,) = diff.changes
    assert change.name == "event-stream"
    assert _names(change.dropped) == ["flatmap-stream"]
    assert change.dropped[0].paths == ("event-stream>flatmap-stream",)
    assert change.pulled_in == ()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_new_direct_dependency_is_one_change_with_its_own_dependencies(fmt: str) -> None:
    new_packages = {
        **OLD_ES,
        "chalk@5.0.0": {"ansi-styles": "6.0.0"},
        "ansi-styles@6.0.0": {"color-convert": "2.0.1"},
        "color-convert@2.0.1": {},
    }
    diff = _diff(lockfile(fmt, ROOT_OLD, OLD_ES), lockfile(fmt, {**ROOT_OLD, "chalk": "5.0.0"}, new_packages))
    (change,) = diff.changes
    assert change.kind is ChangeKind.ADDED
    assert change.name == "chalk" and change.paths == ("chalk",)
    assert _names(change.pulled_in) == ["ansi-styles", "color-convert"]
    by_name = {c.name: c for c in change.pulled_in}
    assert by_name["color-convert"].paths == ("chalk>ansi-styles>color-convert",)
    assert _names(diff.all_added()) == ["ansi-styles", "chalk", "color-convert"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_removed_direct_dependency_drops_its_own_dependencies(fmt: str) -> None:
    diff = _diff(lockfile(fmt, ROOT_OLD, OLD_ES), lockfile(fmt, {"ms": "2.1.3"}, {"ms@2.1.3": {}}))
    (change,) = diff.changes
    assert change.kind is ChangeKind.REMOVED
    assert change.name == "event-stream" and change.paths == ("event-stream",)
    assert _names(change.dropped) == ["map-stream", "through"]
    assert _names(diff.all_removed()) == ["event-stream", "map-stream", "through"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_identical_trees_have_no_changes(fmt: str) -> None:
    diff = _diff(lockfile(fmt, ROOT_OLD, OLD_ES), lockfile(fmt, ROOT_OLD, OLD_ES))
    assert diff.changes == ()
    assert diff.unchanged == 4


NESTED_OLD: dict[str, dict[str, object]] = {
    "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "^1.0.0", "c": "^1.0.0"}},
    "node_modules/a/node_modules/b": {"version": "1.0.0"},
    "node_modules/c": {"version": "1.0.0"},
    "node_modules/b": {"version": "2.0.0"},
    "node_modules/x": {"version": "1.0.0", "dependencies": {"y": "^1.0.0"}},
    "node_modules/x/node_modules/y": {"version": "1.0.0"},
}


def test_nested_changes_keep_their_paths_and_their_place() -> None:
    new_nodes: dict[str, dict[str, object]] = {
        # a 2.0.0 moves its nested b to 1.1.0, no longer needs c, and needs d (which needs e)
        "node_modules/a": {"version": "2.0.0", "dependencies": {"b": "^1.1.0", "d": "^1.0.0"}},
        "node_modules/a/node_modules/b": {"version": "1.1.0"},
        "node_modules/a/node_modules/d": {"version": "1.0.0", "dependencies": {"e": "^1.0.0"}},
        "node_modules/e": {"version": "1.0.0"},
        "node_modules/b": {"version": "2.0.0"},
        "node_modules/x": {"version": "1.0.0", "dependencies": {"y": "^1.0.0"}},
        # same version, other bytes
        "node_modules/x/node_modules/y": {"version": "1.0.0", "integrity": integrity("y@1.0.0", "evil")},
    }
    root = {"a": "^1.0.0", "b": "^2.0.0", "x": "^1.0.0"}
    diff = _diff(npm_lock(root, NESTED_OLD), npm_lock(root, new_nodes))
    assert _names(diff.changes) == ["a", "b", "y"]
    a, b, y = diff.changes
    assert a.differences == (Difference.VERSION,)
    assert _names(a.pulled_in) == ["d", "e"]
    assert [c.paths for c in a.pulled_in] == [("a>d",), ("a>d>e",)]
    assert _names(a.dropped) == ["c"]
    # the nested b changed; the hoisted b 2.0.0 did not
    assert (b.from_version, b.to_version, b.paths, b.old_paths) == ("1.0.0", "1.1.0", ("a>b",), ("a>b",))
    assert y.differences == (Difference.INTEGRITY,)
    assert y.kind is ChangeKind.CHANGED and y.paths == ("x>y",)
    assert diff.unchanged == 2  # b 2.0.0 and x


def test_same_version_from_another_url_is_a_change() -> None:
    root = {"a": "^1.0.0"}
    old = npm_lock(root, {"node_modules/a": {"version": "1.0.0"}})
    moved: dict[str, object] = {"version": "1.0.0", "resolved": "https://mirror.example.com/a/-/a-1.0.0.tgz"}
    (change,) = _diff(old, npm_lock(root, {"node_modules/a": moved})).changes
    assert change.differences == (Difference.RESOLVED,)


def test_a_git_dependency_replacing_a_registry_one_is_a_source_change() -> None:
    root = {"a": "^1.0.0"}
    old = npm_lock(root, {"node_modules/a": {"version": "1.0.0"}})
    git: dict[str, object] = {
        "version": "1.0.0",
        "resolved": "git+ssh://git@example.com/a.git#abc",
        "integrity": None,
    }
    (change,) = _diff(old, npm_lock(root, {"node_modules/a": git})).changes
    assert change.differences == (Difference.SOURCE,)


def test_a_package_new_for_two_updates_is_listed_under_both() -> None:
    old: dict[str, dict[str, str]] = {"p@1.0.0": {}, "q@1.0.0": {}}
    new = {"p@1.1.0": {"shared": "1.0.0"}, "q@1.1.0": {"shared": "1.0.0"}, "shared@1.0.0": {}}
    diff = _diff(
        lockfile("pnpm", {"p": "1.0.0", "q": "1.0.0"}, old),
        lockfile("pnpm", {"p": "1.1.0", "q": "1.1.0"}, new),
    )
    assert _names(diff.changes) == ["p", "q"]
    assert all(_names(c.pulled_in) == ["shared"] for c in diff.changes)
    assert _names(diff.all_added()) == ["shared"]


def test_a_new_direct_dependency_also_pulled_in_by_an_update_is_its_own_change() -> None:
    old: dict[str, dict[str, str]] = {"p@1.0.0": {}}
    new = {"p@1.1.0": {"shared": "1.0.0"}, "shared@1.0.0": {}}
    diff = _diff(
        lockfile("npm", {"p": "1.0.0"}, old), lockfile("npm", {"p": "1.1.0", "shared": "1.0.0"}, new)
    )
    assert _names(diff.changes) == ["p", "shared"]
    assert diff.changes[0].pulled_in == ()


def test_an_added_package_only_unchanged_packages_need_is_its_own_change() -> None:
    # A hand-edited (or injected) lockfile: u did not change, yet it now depends on z.
    root = {"u": "1.0.0"}
    old = npm_lock(root, {"node_modules/u": {"version": "1.0.0"}})
    new = npm_lock(
        root,
        {
            "node_modules/u": {"version": "1.0.0", "dependencies": {"z": "1.0.0"}},
            "node_modules/z": {"version": "1.0.0"},
        },
    )
    (change,) = _diff(old, new).changes
    assert change.kind is ChangeKind.ADDED and change.name == "z" and change.paths == ("u>z",)


def test_versions_of_one_name_pair_by_where_they_are() -> None:
    old = npm_lock(
        {"a": "1", "b": "1", "ms": "2.0.0"},
        {
            "node_modules/a": {"version": "1.0.0", "dependencies": {"ms": "2.1.2"}},
            "node_modules/a/node_modules/ms": {"version": "2.1.2"},
            "node_modules/b": {"version": "1.0.0", "dependencies": {"ms": "3.0.0"}},
            "node_modules/b/node_modules/ms": {"version": "3.0.0"},
            "node_modules/ms": {"version": "2.0.0"},
        },
    )
    new = npm_lock(
        {"a": "1", "b": "1", "ms": "2.0.0"},
        {
            "node_modules/a": {"version": "1.0.0", "dependencies": {"ms": "2.1.3"}},
            "node_modules/a/node_modules/ms": {"version": "2.1.3"},
            "node_modules/b": {"version": "1.0.0", "dependencies": {"ms": "3.0.1"}},
            "node_modules/b/node_modules/ms": {"version": "3.0.1"},
            "node_modules/ms": {"version": "2.0.0"},
        },
    )
    diff = _diff(old, new)
    pairs = sorted((c.from_version, c.to_version, c.paths) for c in diff.changes)
    assert pairs == [("2.1.2", "2.1.3", ("a>ms",)), ("3.0.0", "3.0.1", ("b>ms",))]


def test_the_diff_is_deterministic() -> None:
    old, new = lockfile("yarn", ROOT_OLD, OLD_ES), lockfile("yarn", ROOT_NEW, NEW_ES)
    assert _diff(old, new) == _diff(old, new)


SAME_PROJECT = ["npm-v1", "npm-v2", "npm-v3", "yarn-v1", "yarn-berry", "pnpm-v6", "pnpm-v9"]


@pytest.mark.parametrize("old", SAME_PROJECT)
@pytest.mark.parametrize("new", SAME_PROJECT)
def test_one_project_locked_by_any_two_tools_has_no_changes(old: str, new: str) -> None:
    # Moving from npm to pnpm (or yarn) changes how URLs are spelled, not which bytes are installed.
    diff = _diff(fixture_input(old), fixture_input(new))
    assert diff.changes == ()
    assert diff.unchanged == 8


def test_workspace_dependencies_are_direct_ones() -> None:
    # The workspace project: packages/b depends on ms 2.1.3, nothing depends on debug, is-odd nor my-ms.
    diff = _diff(fixture_input("pnpm-v9"), fixture_input("pnpm-workspace-v9"))
    summary = [(c.kind, c.label, c.paths, [d.label for d in c.dropped]) for c in diff.changes]
    assert summary == [
        (ChangeKind.REMOVED, "debug@4.3.4", ("debug",), []),
        (ChangeKind.REMOVED, "is-number@7.0.0", ("is-number",), []),
        (ChangeKind.REMOVED, "is-odd@3.0.1", ("is-odd",), ["is-number@6.0.0"]),
        (ChangeKind.REMOVED, "ms@2.0.0", ("my-ms@npm:ms",), []),
        # the newest ms the tree had is the one that moved up, now a dependency of workspace b
        (ChangeKind.CHANGED, "ms 2.1.2 → 2.1.3", ("b>ms",), []),
    ]
    assert diff.changes[-1].old_paths == ("debug>ms",)


def test_added_packages_in_a_cycle_nothing_changed_pulls_in_are_one_change() -> None:
    # u did not change but now needs z1, and z1 and z2 need each other: no update owns them, so the first
    # in tree order stands for both.
    root = {"u": "1.0.0"}
    old = npm_lock(root, {"node_modules/u": {"version": "1.0.0"}})
    new = npm_lock(
        root,
        {
            "node_modules/u": {"version": "1.0.0", "dependencies": {"z1": "1.0.0"}},
            "node_modules/z1": {"version": "1.0.0", "dependencies": {"z2": "1.0.0"}},
            "node_modules/z2": {"version": "1.0.0", "dependencies": {"z1": "1.0.0"}},
        },
    )
    (change,) = _diff(old, new).changes
    assert (change.name, change.paths, _names(change.pulled_in)) == ("z1", ("u>z1",), ["z2"])


def test_production_leaves_out_what_only_dev_dependencies_need() -> None:
    # fixture-app's only dev dependency is is-number 7.0.0; the same project with is-number 7.0.1:
    old = fixture_input("npm-v3")
    new = LockfileInput(
        old.file, old.text.replace("is-number-7.0.0.tgz", "is-number-7.0.1.tgz"), old.manifests
    )
    new = LockfileInput(new.file, new.text.replace('"version": "7.0.0"', '"version": "7.0.1"'), new.manifests)
    assert [c.label for c in _diff(old, new).changes] == ["is-number 7.0.0 → 7.0.1"]
    assert diff_trees(read_lockfile(old), read_lockfile(new), production=True).changes == ()
