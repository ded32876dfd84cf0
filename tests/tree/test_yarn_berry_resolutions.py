"""yarn berry links edges through the root manifest's `resolutions`: the dependent keeps its declared range
(`debug` lists `ms: npm:2.0.0`) while the lockfile holds only the override (`ms@npm:2.1.2`)."""

from __future__ import annotations

from airlock.check.run import tree_entries
from airlock.tree import DependencyTree, read_lockfile
from airlock.tree.graph import TreeWalk
from tests.tree.conftest import fixture_input


def _tree() -> DependencyTree:
    return read_lockfile(fixture_input("yarn-berry-resolutions"))


def _targets(tree: DependencyTree, key: str) -> dict[str, str]:
    return {e.name: e.target for e in tree.packages[key].dependencies}


def test_a_parent_scoped_resolution_links_the_overridden_edge() -> None:
    tree = _tree()
    # "debug/ms": "2.1.2" while debug declares ms 2.0.0
    assert _targets(tree, "debug@npm:2.6.9")["ms"] == "ms@npm:2.1.2"
    walk = TreeWalk(tree)
    assert walk.paths("ms@npm:2.1.2") == ("debug>ms",)
    assert not tree.packages["ms@npm:2.1.2"].dev


def test_a_parent_with_version_and_a_plain_name_resolution_apply_to_their_edges() -> None:
    tree = _tree()
    targets = _targets(tree, "http-errors@npm:2.0.0")
    assert targets["statuses"] == "statuses@npm:2.0.0"  # "http-errors@2.0.0/statuses"
    assert targets["toidentifier"] == "toidentifier@npm:1.0.0"  # "toidentifier"
    # `**/inherits` is a glob, which yarn berry ignores (YN0057): the declared 2.0.4 stays.
    assert targets["inherits"] == "inherits@npm:2.0.4"
    walk = TreeWalk(tree)
    assert walk.paths("statuses@npm:2.0.0") == ("http-errors>statuses",)
    assert walk.paths("toidentifier@npm:1.0.0") == ("http-errors>toidentifier",)


def test_a_name_and_range_resolution_applies_to_the_projects_own_dependency() -> None:
    tree = _tree()
    roots = {e.name: e.target for e in tree.roots}
    assert roots["encodeurl"] == "encodeurl@npm:1.0.1"  # "encodeurl@~1.0.2" and the root declares ~1.0.2


def test_every_locked_package_is_reachable() -> None:
    tree = _tree()
    walk = TreeWalk(tree)
    unreachable = [k for k in tree.packages if not walk.reachable(k)]
    assert unreachable == []


def test_production_keeps_a_runtime_dependency_reached_through_a_resolution() -> None:
    entries, skipped_dev = tree_entries(_tree(), production=True)
    labels = {e.label: e for e in entries}
    assert "ms@2.1.2" in labels
    assert labels["ms@2.1.2"].paths == ("debug>ms",)
    assert "statuses@2.0.0" in labels and "toidentifier@1.0.0" in labels
    # the root's dev dependency ms@2.1.3 is the only one left out
    assert "ms@2.1.3" not in labels
    assert skipped_dev == 1


def test_scoped_names_and_versions_parse_as_yarns_grammar_does() -> None:
    from airlock.tree.yarn_berry import _parse_resolution

    resolution = _parse_resolution("@babel/core@npm:7.0.0/@babel/generator", "7.1.0")
    assert resolution is not None
    assert resolution.applies(("@babel/core", "npm:7.0.0"), "@babel/generator", "npm:^7.0.0")
    assert not resolution.applies(("@babel/core", "npm:7.2.0"), "@babel/generator", "npm:^7.0.0")
    assert not resolution.applies(("@babel/core", "npm:7.0.0"), "@babel/types", "npm:^7.0.0")
    scoped = _parse_resolution("@types/node@^18", "18.19.0")
    assert scoped is not None and scoped.parent is None
    assert scoped.applies(("anything", "npm:1.0.0"), "@types/node", "npm:^18")
    assert not scoped.applies(("anything", "npm:1.0.0"), "@types/node", "npm:^20")
    assert _parse_resolution("**/ms", "2.1.3") is None
