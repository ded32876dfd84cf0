"""Every lockfile format, read from files the real tools wrote: same packages, flags, paths and lines."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import pytest

from airlock.tree import DependencyTree, LockfileInput, Source, read_lockfile
from airlock.tree.graph import TreeWalk
from tests.tree.conftest import fixture_input

SINGLE_PROJECT = ["npm-v1", "npm-v2", "npm-v3", "yarn-v1", "yarn-berry", "pnpm-v6", "pnpm-v9"]

# label → (dev, optional, shortest path)
EXPECTED = {
    "debug@4.3.4": (False, False, "debug"),
    "ms@2.1.2": (False, False, "debug>ms"),
    "ms@2.0.0": (False, False, "my-ms@npm:ms"),
    "once@1.4.0": (False, False, "once"),
    "wrappy@1.0.2": (False, False, "once>wrappy"),
    "is-odd@3.0.1": (False, True, "is-odd"),
    "is-number@6.0.0": (False, True, "is-odd>is-number"),
    "is-number@7.0.0": (True, False, "is-number"),
}

FORMATS = {
    "npm-v1": "package-lock.json v1",
    "npm-v2": "package-lock.json v2",
    "npm-v3": "package-lock.json v3",
    "yarn-v1": "yarn.lock v1 (classic)",
    "yarn-berry": "yarn.lock berry (metadata version 10)",
    "pnpm-v6": "pnpm-lock.yaml v6.0",
    "pnpm-v9": "pnpm-lock.yaml v9.0",
}


def _by_label(tree: DependencyTree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, package in tree.packages.items():
        out.setdefault(package.label, []).append(key)
    return out


@pytest.mark.parametrize("fixture", SINGLE_PROJECT)
def test_each_format_yields_the_same_tree(fixture: str) -> None:
    data = fixture_input(fixture)
    tree = read_lockfile(data)
    assert tree.format == FORMATS[fixture]
    walk = TreeWalk(tree)
    labels = _by_label(tree)
    assert set(labels) == set(EXPECTED)
    for label, (dev, optional, path) in EXPECTED.items():
        (key,) = labels[label]
        package = tree.packages[key]
        assert (package.dev, package.optional) == (dev, optional), label
        assert package.source is Source.REGISTRY
        assert walk.paths(key)[0] == path
        # The line points at the entry, so a SARIF result opens the right place in the lockfile.
        assert package.line is not None
        line_text = data.text.splitlines()[package.line - 1]
        assert package.name.split("/")[-1] in line_text or package.key in line_text, (label, line_text)
    aliased = tree.packages[labels["ms@2.0.0"][0]]
    assert aliased.name == "ms"
    assert {e.name for e in tree.roots} == {"debug", "my-ms", "once", "is-odd", "is-number"}


@pytest.mark.parametrize("fixture", [f for f in SINGLE_PROJECT if f != "yarn-berry"])
def test_formats_that_record_npm_integrity_keep_it(fixture: str) -> None:
    tree = read_lockfile(fixture_input(fixture))
    assert tree.records_integrity
    for package in tree.packages.values():
        assert package.integrity is not None and package.integrity.startswith(("sha512-", "sha1-"))


def test_yarn_berry_checksums_are_not_taken_for_npm_integrity() -> None:
    tree = read_lockfile(fixture_input("yarn-berry"))
    assert not tree.records_integrity
    assert all(p.integrity is None for p in tree.packages.values())


def test_resolved_urls_are_kept_as_written() -> None:
    yarn = read_lockfile(fixture_input("yarn-v1"))
    resolved = {p.label: p.resolved for p in yarn.packages.values()}
    assert resolved["ms@2.0.0"] is not None
    assert resolved["ms@2.0.0"].startswith("https://registry.yarnpkg.com/ms/-/ms-2.0.0.tgz")
    npm = read_lockfile(fixture_input("npm-v3"))
    assert {p.resolved for p in npm.packages.values() if p.label == "ms@2.0.0"} == {
        "https://registry.npmjs.org/ms/-/ms-2.0.0.tgz"
    }


@pytest.mark.parametrize(
    "fixture", ["npm-workspaces", "pnpm-workspace-v9", "yarn-v1-workspaces", "yarn-berry-workspaces"]
)
def test_workspaces_are_roots_and_their_dependencies_have_paths_through_them(fixture: str) -> None:
    tree = read_lockfile(fixture_input(fixture))
    walk = TreeWalk(tree)
    workspaces = {p.name for p in tree.packages.values() if p.source is Source.WORKSPACE}
    assert workspaces == {"a", "b"}
    paths = {tree.packages[k].label: walk.paths(k) for k in walk.order}
    assert paths["wrappy@1.0.2"] == ("a>once>wrappy",)
    assert paths["ms@2.1.3"][0] == "b>ms"
    # a depends on the workspace b, not on the public package called "b"
    a = next(p for p in tree.packages.values() if p.name == "a")
    b_edge = next(e for e in a.dependencies if e.name == "b")
    assert tree.packages[b_edge.target].source is Source.WORKSPACE


def test_yarn_classic_without_package_json_takes_unreferenced_entries_as_roots() -> None:
    data = fixture_input("yarn-v1")
    tree = read_lockfile(LockfileInput(data.file, data.text))
    assert {e.name for e in tree.roots} == {"debug", "my-ms", "once", "is-odd", "is-number"}


def test_npm_v1_without_package_json_uses_top_level_entries() -> None:
    data = fixture_input("npm-v1")
    tree = read_lockfile(LockfileInput(data.file, data.text))
    assert {e.name for e in tree.roots} == {"debug", "my-ms", "once", "is-odd", "is-number"}


def test_what_the_project_itself_bundles_is_fetched_like_any_dependency() -> None:
    # npm/cli's shape: the root's bundleDependencies are `inBundle` entries directly under the root, with
    # resolved and integrity; there is no parent tarball, so npm fetches them from the registry.
    tree = read_lockfile(fixture_input("npm-root-bundled"))
    by_label = {p.label: p for p in tree.packages.values()}
    assert {label: p.source for label, p in by_label.items()} == {
        "ms@2.1.3": Source.REGISTRY,
        "once@1.4.0": Source.REGISTRY,
        "wrappy@1.0.2": Source.REGISTRY,
    }
    assert by_label["once@1.4.0"].integrity is not None
    assert TreeWalk(tree).paths("node_modules/wrappy") == ("once>wrappy",)


def _with_entries(fixture: str, entries: dict[str, dict[str, object]]) -> DependencyTree:
    data = fixture_input(fixture)
    document = json.loads(data.text)
    document["packages"].update(entries)
    return read_lockfile(LockfileInput(data.file, json.dumps(document, indent=2), data.manifests))


def test_copies_inside_a_dependency_tarball_stay_covered_by_it() -> None:
    tree = _with_entries(
        "npm-root-bundled",
        {
            # inside ms's own tarball (ms is not bundled itself)
            "node_modules/ms/node_modules/inner": {"version": "1.0.0", "inBundle": True},
            # once is bundled by the project: what once's folder holds is part of the project's bundle...
            "node_modules/once/node_modules/hoisted": {
                "version": "1.0.0",
                "resolved": "https://registry.npmjs.org/hoisted/-/hoisted-1.0.0.tgz",
                "integrity": "sha512-" + "A" * 86 + "==",
                "inBundle": True,
            },
        },
    )
    assert tree.packages["node_modules/ms/node_modules/inner"].source is Source.BUNDLED
    assert tree.packages["node_modules/once/node_modules/hoisted"].source is Source.REGISTRY
    # ...unless once's own tarball bundles it
    document = json.loads(fixture_input("npm-root-bundled").text)
    once = {**document["packages"]["node_modules/once"], "bundleDependencies": ["hoisted"]}
    tree = _with_entries(
        "npm-root-bundled",
        {
            "node_modules/once": once,
            "node_modules/once/node_modules/hoisted": {"version": "1.0.0", "inBundle": True},
        },
    )
    assert tree.packages["node_modules/once/node_modules/hoisted"].source is Source.BUNDLED


def test_what_a_workspace_bundles_is_fetched_too() -> None:
    tree = _with_entries(
        "npm-workspaces",
        {
            "packages/a/node_modules/left-pad": {
                "version": "1.3.0",
                "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
                "integrity": "sha512-" + "A" * 86 + "==",
                "inBundle": True,
            }
        },
    )
    assert tree.packages["packages/a/node_modules/left-pad"].source is Source.REGISTRY


def test_pnpm_11_environment_document_is_read_and_its_packages_checked() -> None:
    # pnpm 11 writes the config dependencies first, `---`, then the project's lockfile
    data = fixture_input("pnpm-v11-config-deps")
    tree = read_lockfile(data)
    walk = TreeWalk(tree)
    by_label = {p.label: p for p in tree.packages.values()}
    assert set(by_label) == {"once@1.4.0", "wrappy@1.0.2", "is-odd@3.0.1"}
    assert walk.paths(by_label["wrappy@1.0.2"].key) == ("once>wrappy",)
    config = by_label["is-odd@3.0.1"]
    assert walk.paths(config.key) == ("is-odd",)
    assert (config.source, config.dev, config.integrity) == (
        Source.REGISTRY,
        False,
        "sha512-CQpnWPrDwmP1+SMHXZhtLtJv90yiyVfluGsX5iNCVkrhQtU3TQHsUWPG9wkdk9Lgd5yNpAg9jQEo90CBaXgWMA==",
    )
    lines = data.text.splitlines()
    for package in tree.packages.values():
        assert package.line is not None
        assert lines[package.line - 1] == f"  {package.label}:"
    # the project's entry is the second document's, not the environment's
    assert (by_label["once@1.4.0"].line or 0) > (config.line or 0)
    (note,) = tree.notes
    assert "config dependencies (is-odd@3.0.1)" in note
    assert note.endswith(
        "its 1 package joins the project's tree and is checked like the rest (what is for another platform "
        "is left out as usual)"
    )


def test_pnpm_11_two_documents_with_windows_line_ends() -> None:
    # git's autocrlf checks a lockfile out with CRLF line ends; the `---` between pnpm 11's documents is
    # then followed by `\r`, and must still separate them (pnpm reads such a file)
    data = fixture_input("pnpm-v11-config-deps")
    tree = read_lockfile(replace(data, text=data.text.replace("\n", "\r\n")))
    expected = read_lockfile(data)
    assert {k: (p.label, p.line) for k, p in tree.packages.items()} == {
        k: (p.label, p.line) for k, p in expected.packages.items()
    }


def test_pnpm_11_package_manager_document_alone() -> None:
    # pnpm 11 locking the pnpm version the project pins (devEngines.packageManager), before any dependency
    tree = read_lockfile(fixture_input("pnpm-v11-package-manager"))
    walk = TreeWalk(tree)
    by_label = {p.label: p for p in tree.packages.values()}
    assert {e.name for e in tree.roots} == {"@pnpm/exe", "pnpm"}
    assert len(by_label) == 13
    assert walk.paths(by_label["detect-libc@2.1.2"].key) == ("@pnpm/exe>detect-libc",)
    assert by_label["@pnpm/linux-x64@11.28.6"].optional
    assert any("the package manager (@pnpm/exe@11.28.6, pnpm@11.28.6)" in note for note in tree.notes)


def test_pre_2018_yarn_lockfile_is_pinned_by_the_sha1_in_its_urls() -> None:
    data = fixture_input("yarn-v1-sha1")
    tree = read_lockfile(data)
    by_label = {p.label: p for p in tree.packages.values()}
    assert set(by_label) == {"left-pad@1.3.0", "once@1.4.0", "wrappy@1.0.2"}
    for package in by_label.values():
        assert package.resolved is not None
        sha1 = bytes.fromhex(package.resolved.rsplit("#", 1)[1])
        assert package.integrity == "sha1-" + base64.b64encode(sha1).decode()
    (note,) = tree.notes
    assert "3 of its entries have no `integrity`" in note and "sha1" in note


def test_yarn_integrity_wins_over_the_url_sha1_and_no_note_is_written() -> None:
    tree = read_lockfile(fixture_input("yarn-v1"))
    assert all(p.integrity and p.integrity.startswith("sha512-") for p in tree.packages.values())
    assert tree.notes == ()
