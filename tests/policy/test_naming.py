"""LavaMoat canonical names: hand-made trees for each rule, and a real npm project named by LavaMoat itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airlock.policy.naming import ROOT_NAME, canonical_names, project_dependency_names
from airlock.tree import LockfileInput, read_lockfile
from airlock.tree.model import DependencyTree, Edge, EdgeKind, LockedPackage
from tests.tree.conftest import fixture_input

FIXTURES = Path(__file__).parent / "fixtures"
SAME_PROJECT_IN_EVERY_FORMAT = ["npm-v1", "npm-v2", "npm-v3", "yarn-v1", "yarn-berry", "pnpm-v6", "pnpm-v9"]

Deps = tuple[tuple[str, str] | tuple[str, str, EdgeKind], ...]


def _edge(spec: tuple[str, str] | tuple[str, str, EdgeKind]) -> Edge:
    return Edge(spec[0], spec[1], spec[2] if len(spec) == 3 else EdgeKind.PROD)


def tree_of(roots: Deps, packages: dict[str, Deps]) -> DependencyTree:
    """A tree whose keys are also the packages' names (what the names are made of is the edges' names)."""
    return DependencyTree(
        file="package-lock.json",
        format="test",
        roots=tuple(_edge(r) for r in roots),
        packages={
            key: LockedPackage(
                key=key, name=key.split("#")[0], version="1.0.0", dependencies=tuple(map(_edge, deps))
            )
            for key, deps in packages.items()
        },
    )


def test_each_copy_is_named_by_its_shortest_path() -> None:
    tree = tree_of(
        roots=(("ms", "ms#3"), ("a", "a")),
        packages={
            "ms#3": (),
            "a": (("b", "b"),),
            "b": (("ms", "ms#2"), ("c", "c")),
            "ms#2": (),
            "c": (("ms", "ms#2"), ("ms-old", "ms#1")),
            "ms#1": (),
        },
    )
    assert dict(canonical_names(tree)) == {
        "ms#3": "ms",
        "a": "a",
        "b": "a>b",
        "ms#2": "a>b>ms",
        "c": "a>b>c",
        "ms#1": "a>b>c>ms-old",
    }


def test_fewer_parts_win_over_a_shorter_string() -> None:
    tree = tree_of(
        roots=(("a", "a"), ("a-very-long-name", "long")),
        packages={"a": (("b", "b"),), "b": (("x", "x"),), "long": (("x", "x"),), "x": ()},
    )
    assert canonical_names(tree)["x"] == "a-very-long-name>x"


def test_a_tie_goes_to_the_shorter_name_before_the_alphabetically_first() -> None:
    tree = tree_of(
        roots=(("finalhandler", "f"), ("http-errors", "h")),
        packages={"f": (("statuses", "s"),), "h": (("statuses", "s"),), "s": ()},
    )
    assert canonical_names(tree)["s"] == "http-errors>statuses"


def test_a_tie_between_names_of_equal_length_goes_to_the_alphabetically_first() -> None:
    tree = tree_of(
        roots=(("@hapi/topo", "topo"), ("@hapi/boom", "boom")),
        packages={"topo": (("@hapi/hoek", "hoek"),), "boom": (("@hapi/hoek", "hoek"),), "hoek": ()},
    )
    assert canonical_names(tree)["hoek"] == "@hapi/boom>@hapi/hoek"


def test_the_first_differing_part_decides_whatever_follows() -> None:
    # Joined, "ab>b>x" is the shorter string; part by part, "aa" beats "ab" first.
    tree = tree_of(
        roots=(("ab", "ab"), ("aa", "aa")),
        packages={
            "ab": (("b", "b"),),
            "aa": (("zz", "zz"),),
            "b": (("x", "x"),),
            "zz": (("x", "x"),),
            "x": (),
        },
    )
    assert canonical_names(tree)["x"] == "aa>zz>x"


def test_a_tie_at_a_later_part_is_broken_there() -> None:
    tree = tree_of(
        roots=(("a", "a"),),
        packages={"a": (("cc", "cc"), ("bb", "bb")), "cc": (("x", "x"),), "bb": (("x", "x"),), "x": ()},
    )
    assert canonical_names(tree)["x"] == "a>bb>x"


def test_a_better_path_found_later_in_a_level_also_names_the_packages_below() -> None:
    tree = tree_of(
        roots=(("zz", "zz"), ("b", "b")),
        packages={"zz": (("y", "y"),), "b": (("y", "y"),), "y": (("w", "w"),), "w": (("v", "v"),), "v": ()},
    )
    names = canonical_names(tree)
    assert (names["y"], names["w"], names["v"]) == ("b>y", "b>y>w", "b>y>w>v")


def test_scoped_names_are_one_part_and_order_by_their_characters() -> None:
    # "@" sorts before letters, and the scope counts towards the name's length.
    tree = tree_of(
        roots=(("aaaaa", "plain"), ("@s/bb", "scoped"), ("@scope/z", "long-scoped")),
        packages={
            "plain": (("x", "x"),),
            "scoped": (("x", "x"),),
            "long-scoped": (("x", "x"), ("y", "y")),
            "x": (),
            "y": (),
        },
    )
    names = canonical_names(tree)
    assert (names["x"], names["y"]) == ("@s/bb>x", "@scope/z>y")


def test_an_alias_is_named_by_the_alias() -> None:
    tree = tree_of(roots=(("my-ms", "ms#2"), ("a", "a")), packages={"ms#2": (), "a": (("ms", "ms#2"),)})
    assert canonical_names(tree)["ms#2"] == "my-ms"


def test_dev_dependencies_are_followed_only_from_the_project_and_only_when_asked() -> None:
    tree = tree_of(
        roots=(("a", "a"), ("tool", "tool", EdgeKind.DEV)),
        packages={"a": (("a-tool", "a-tool", EdgeKind.DEV),), "tool": (("t", "t"),), "a-tool": (), "t": ()},
    )
    assert dict(canonical_names(tree)) == {"a": "a", "tool": "tool", "t": "tool>t"}
    assert dict(canonical_names(tree, include_dev=False)) == {"a": "a"}


def test_optional_and_peer_dependencies_are_followed() -> None:
    tree = tree_of(
        roots=(("a", "a"),),
        packages={"a": (("o", "o", EdgeKind.OPTIONAL), ("p", "p", EdgeKind.PEER)), "o": (), "p": ()},
    )
    assert dict(canonical_names(tree)) == {"a": "a", "o": "a>o", "p": "a>p"}


def test_cycles_end_and_unreachable_or_missing_packages_get_no_name() -> None:
    tree = tree_of(
        roots=(("a", "a"), ("gone", "not-in-the-lockfile")),
        packages={"a": (("b", "b"),), "b": (("a", "a"), ("c", "c")), "c": (("b", "b"),), "orphan": ()},
    )
    assert dict(canonical_names(tree)) == {"a": "a", "b": "a>b", "c": "a>b>c"}


def _npm_fixture(name: str) -> tuple[DependencyTree, dict[str, str], dict[str, str]]:
    """The fixture's tree, the names LavaMoat gave its directories, and the lockfile's links (link key →
    the folder it points to)."""
    root = FIXTURES / name
    lockfile = root / "package-lock.json"
    manifests = {
        ("" if m.parent == root else m.parent.relative_to(root).as_posix()): json.loads(m.read_text())
        for m in root.rglob("package.json")
    }
    tree = read_lockfile(LockfileInput(lockfile.name, lockfile.read_text(), manifests))
    entries = json.loads(lockfile.read_text())["packages"]
    links = {key: entry["resolved"] for key, entry in entries.items() if entry.get("link")}
    return tree, json.loads((root / "lavamoat-names.json").read_text()), links


def _declared(name: str) -> frozenset[str]:
    return project_dependency_names(json.loads((FIXTURES / name / "package.json").read_text()))


def test_names_match_lavamoats_own_for_a_real_npm_install() -> None:
    tree, lavamoat, links = _npm_fixture("npm-canonical")
    assert lavamoat.pop(".") == ROOT_NAME
    assert not links
    # LavaMoat keys directories relative to the project; npm's lockfile keys are those directories.
    assert dict(canonical_names(tree, declared=_declared("npm-canonical"))) == lavamoat
    assert dict(canonical_names(tree)) == lavamoat
    assert len(lavamoat) == len(tree.packages) == 31


def test_workspaces_are_named_as_lavamoat_names_them_and_the_unreached_ones_after() -> None:
    tree, lavamoat, links = _npm_fixture("npm-workspaces-canonical")
    assert lavamoat.pop(".") == ROOT_NAME
    # LavaMoat names a workspace's link in node_modules and its real folder alike.
    for link, folder in links.items():
        if link in lavamoat:
            assert lavamoat.pop(link) == lavamoat[folder]
    names = dict(canonical_names(tree, declared=_declared("npm-workspaces-canonical")))
    assert {key: names.get(key) for key in lavamoat} == lavamoat
    assert lavamoat["packages/b"] == "a>b"
    # What LavaMoat leaves unnamed: workspace c, which nothing declares, and what only it reaches;
    # workspace a's dev dependency depd stays unnamed in both.
    assert {k: v for k, v in names.items() if k not in lavamoat} == {
        "packages/c": "c",
        "node_modules/inherits": "c>inherits",
    }
    assert "node_modules/depd" in tree.packages
    # Without what the project declares, the reader's root edge to workspace b would name it `b`.
    assert canonical_names(tree)["packages/b"] == "b"


@pytest.mark.parametrize("fixture", SAME_PROJECT_IN_EVERY_FORMAT)
def test_every_lockfile_format_names_the_same_project_alike(fixture: str) -> None:
    # tests/tree/fixtures: one project locked by each package manager; names depend on edges, not keys.
    tree = read_lockfile(fixture_input(fixture))
    names = canonical_names(tree)
    assert {tree.packages[key].label: name for key, name in names.items()} == {
        "debug@4.3.4": "debug",
        "ms@2.1.2": "debug>ms",
        "ms@2.0.0": "my-ms",
        "once@1.4.0": "once",
        "wrappy@1.0.2": "once>wrappy",
        "is-odd@3.0.1": "is-odd",
        "is-number@6.0.0": "is-odd>is-number",
        "is-number@7.0.0": "is-number",
    }
    assert len(names) == len(tree.packages)
