"""Property tests: random dependency graphs, written out in each lockfile format and read back.

Invariants: no entry is lost, every key appears once in tree order, and every path starts at a direct
dependency of the project and follows real edges down to the package it belongs to."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from airlock.tree import DependencyTree, LockfileInput, read_lockfile
from airlock.tree.graph import SEPARATOR, TreeWalk

NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?", fullmatch=True) | st.from_regex(
    r"@[a-z]{1,4}/[a-z][a-z0-9]{0,5}", fullmatch=True
)
INTEGRITY = "sha512-" + "A" * 86 + "=="


@st.composite
def graphs(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, list[str]], list[str], set[str]]:
    """(name → version, name → dependency names, direct dependencies, dev-only direct ones); acyclic-free
    shapes are allowed: cycles happen in real trees."""
    names = draw(st.lists(NAMES, min_size=1, max_size=12, unique=True))
    versions = {
        n: f"{draw(st.integers(0, 3))}.{draw(st.integers(0, 9))}.{draw(st.integers(0, 9))}" for n in names
    }
    deps = {n: draw(st.lists(st.sampled_from(names), max_size=4, unique=True)) for n in names}
    direct = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    dev = set(draw(st.lists(st.sampled_from(direct), max_size=len(direct), unique=True)))
    return versions, deps, direct, dev


def _npm_v3(
    versions: dict[str, str], deps: dict[str, list[str]], direct: list[str], dev: set[str]
) -> LockfileInput:
    root = {
        "name": "project",
        "dependencies": {n: versions[n] for n in direct if n not in dev},
        "devDependencies": {n: versions[n] for n in direct if n in dev},
    }
    packages: dict[str, object] = {"": root}
    prod = _reachable([n for n in direct if n not in dev], deps)
    for name, version in versions.items():
        packages[f"node_modules/{name}"] = {
            "version": version,
            "dev": name not in prod,  # npm writes the flag; other formats leave it to the reader
            "resolved": f"https://registry.npmjs.org/{name}/-/{name.split('/')[-1]}-{version}.tgz",
            "integrity": INTEGRITY,
            "dependencies": {d: versions[d] for d in deps[name]},
        }
    text = json.dumps({"name": "project", "lockfileVersion": 3, "packages": packages}, indent=2)
    return LockfileInput("package-lock.json", text)


def _quote(text: str) -> str:
    return json.dumps(text) if text.startswith("@") else text


def _yarn_v1(
    versions: dict[str, str], deps: dict[str, list[str]], direct: list[str], dev: set[str]
) -> LockfileInput:
    lines = ["# yarn lockfile v1", ""]
    for name, version in versions.items():
        lines.append(f"{_quote(name + '@' + version)}:")
        lines.append(f'  version "{version}"')
        lines.append(
            f'  resolved "https://registry.yarnpkg.com/{name}/-/{name.split("/")[-1]}-{version}.tgz"'
        )
        lines.append(f"  integrity {INTEGRITY}")
        if deps[name]:
            lines.append("  dependencies:")
            lines.extend(f'    {_quote(d)} "{versions[d]}"' for d in deps[name])
        lines.append("")
    manifest = {
        "dependencies": {n: versions[n] for n in direct if n not in dev},
        "devDependencies": {n: versions[n] for n in direct if n in dev},
    }
    return LockfileInput("yarn.lock", "\n".join(lines), {"": manifest})


def _pnpm_v9(
    versions: dict[str, str], deps: dict[str, list[str]], direct: list[str], dev: set[str]
) -> LockfileInput:
    def key(name: str) -> str:
        return f"'{name}@{versions[name]}'"

    lines = ["lockfileVersion: '9.0'", "", "importers:", "  .:"]
    for field, names in (
        ("dependencies", [n for n in direct if n not in dev]),
        ("devDependencies", sorted(dev)),
    ):
        if names:
            lines.append(f"    {field}:")
            for n in names:
                lines += [
                    f"      '{n}':",
                    f"        specifier: {versions[n]}",
                    f"        version: {versions[n]}",
                ]
    lines += ["", "packages:"]
    for name in versions:
        lines += [f"  {key(name)}:", f"    resolution: {{integrity: {INTEGRITY}}}"]
    lines += ["", "snapshots:"]
    for name in versions:
        if deps[name]:
            lines += [f"  {key(name)}:", "    dependencies:"]
            lines += [f"      '{d}': {versions[d]}" for d in deps[name]]
        else:
            lines.append(f"  {key(name)}: {{}}")
    return LockfileInput("pnpm-lock.yaml", "\n".join(lines) + "\n")


def _reachable(start: list[str], deps: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(deps[name])
    return seen


WRITERS: dict[str, Callable[..., LockfileInput]] = {"npm": _npm_v3, "yarn": _yarn_v1, "pnpm": _pnpm_v9}


def _check_invariants(
    tree: DependencyTree, versions: dict[str, str], dev: set[str], direct: list[str]
) -> None:
    assert {(p.name, p.version) for p in tree.packages.values()} == set(versions.items())  # no entry lost
    walk = TreeWalk(tree)
    assert sorted(walk.order) == sorted(tree.packages)  # every key once
    roots = {e.name for e in tree.roots}
    assert roots == set(direct)
    by_name = {p.name: p for p in tree.packages.values()}
    for key in walk.order:
        package = tree.packages[key]
        paths = walk.paths(key)
        assert walk.reachable(key) == bool(paths)
        for path in paths:
            steps = path.split(SEPARATOR)
            assert steps[0] in roots
            assert steps[-1] == package.name
            for parent, child in itertools.pairwise(steps):
                assert child in {e.name for e in by_name[parent].dependencies}
    # dev: reachable only through dev roots
    reachable_from_prod = _reachable(
        [n for n in direct if n not in dev], {n: [e.name for e in p.dependencies] for n, p in by_name.items()}
    )
    for name, package in by_name.items():
        if walk.reachable(package.key):
            assert package.dev == (name not in reachable_from_prod), name


@settings(max_examples=60, deadline=None)
@given(graph=graphs(), writer=st.sampled_from(sorted(WRITERS)))
def test_written_trees_read_back_whole(
    graph: tuple[dict[str, str], dict[str, list[str]], list[str], set[str]], writer: str
) -> None:
    versions, deps, direct, dev = graph
    tree = read_lockfile(WRITERS[writer](versions, deps, direct, dev))
    _check_invariants(tree, versions, dev, direct)
