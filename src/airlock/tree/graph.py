"""Walks over a `DependencyTree`: the order to report packages in, the chains that pull each one in, and
the dev/optional/peer flags for formats that do not record them (derived from the edges, as npm does)."""

from __future__ import annotations

import bisect
import re
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace

from airlock.tree.model import DependencyTree, Edge, EdgeKind, LockedPackage

PATHS_PER_PACKAGE = 3
_NEWLINE = re.compile("\n")
SEPARATOR = ">"


def _segment(edge: Edge, target: LockedPackage) -> str:
    return edge.name if edge.name == target.name else f"{edge.name}@npm:{target.name}"


def reachable(tree: DependencyTree, follow: Callable[[EdgeKind, str], bool]) -> set[str]:
    """Keys reachable from the roots through the edges `follow(kind, target key)` accepts."""
    seen: set[str] = set()
    queue = deque(e.target for e in tree.roots if e.target in tree.packages and follow(e.kind, e.target))
    while queue:
        key = queue.popleft()
        if key in seen:
            continue
        seen.add(key)
        queue.extend(
            e.target
            for e in tree.packages[key].dependencies
            if e.target in tree.packages and e.target not in seen and follow(e.kind, e.target)
        )
    return seen


def _reachable(tree: DependencyTree, skip: EdgeKind) -> set[str]:
    """Keys reachable from the roots without following an edge of kind `skip`."""
    return reachable(tree, lambda kind, _key: kind is not skip)


def with_derived_flags(tree: DependencyTree) -> DependencyTree:
    """The tree with dev/optional/peer set from reachability: a package is `dev` when only dev edges lead to
    it, `optional` when every chain to it passes an optional edge, `peer` likewise for peer edges."""
    not_dev = _reachable(tree, EdgeKind.DEV)
    not_optional = _reachable(tree, EdgeKind.OPTIONAL)
    not_peer = _reachable(tree, EdgeKind.PEER)
    packages = {
        key: replace(
            package,
            dev=key not in not_dev,
            optional=key not in not_optional,
            peer=key not in not_peer,
        )
        for key, package in tree.packages.items()
    }
    return replace(tree, packages=packages)


class TreeWalk:
    """Breadth-first walk from the roots: tree order, and shortest chains to every package."""

    def __init__(self, tree: DependencyTree) -> None:
        self._tree = tree
        depth: dict[str, int] = {}
        # (parent key or None for a root, segment) for each parent one level closer to the root
        parents: dict[str, list[tuple[str | None, str]]] = {}
        order: list[str] = []
        queue: deque[str] = deque()
        for edge in tree.roots:
            target = tree.packages.get(edge.target)
            if target is None:
                continue
            if edge.target not in depth:
                depth[edge.target] = 0
                order.append(edge.target)
                queue.append(edge.target)
            if depth[edge.target] == 0:
                parents.setdefault(edge.target, []).append((None, _segment(edge, target)))
        while queue:
            key = queue.popleft()
            for edge in tree.packages[key].dependencies:
                target = tree.packages.get(edge.target)
                if target is None:
                    continue
                if edge.target not in depth:
                    depth[edge.target] = depth[key] + 1
                    order.append(edge.target)
                    queue.append(edge.target)
                if depth[edge.target] == depth[key] + 1:
                    parents.setdefault(edge.target, []).append((key, _segment(edge, target)))
        self._parents = parents
        self._order = order
        self._paths: dict[str, tuple[str, ...]] = {}

    @property
    def order(self) -> list[str]:
        """Reachable keys in breadth-first order, then unreachable ones in lockfile order."""
        seen = set(self._order)
        return self._order + [k for k in self._tree.packages if k not in seen]

    def reachable(self, key: str) -> bool:
        return key in self._parents

    def paths(self, key: str, limit: int = PATHS_PER_PACKAGE) -> tuple[str, ...]:
        """Up to `limit` shortest chains from the project to `key`, e.g. `jest>@jest/core>micromatch`."""
        cached = self._paths.get(key)
        if cached is not None:
            return cached[:limit]
        found: list[str] = []
        for parent, segment in self._parents.get(key, ()):
            if parent is None:
                found.append(segment)
            else:
                found.extend(f"{p}{SEPARATOR}{segment}" for p in self.paths(parent, PATHS_PER_PACKAGE))
            if len(found) >= PATHS_PER_PACKAGE:
                break
        result = tuple(dict.fromkeys(found))[:PATHS_PER_PACKAGE]
        self._paths[key] = result
        return result[:limit]


def lines_of(text: str, needles: Mapping[str, str | tuple[str, ...]]) -> dict[str, int]:
    """1-based line of the first occurrence of a key's needle (the first of its needles that occurs); keys
    with no needle in the text are left out."""
    starts = [0]
    starts.extend(m.end() for m in _NEWLINE.finditer(text))
    out: dict[str, int] = {}
    for key, options in needles.items():
        for needle in (options,) if isinstance(options, str) else options:
            at = text.find(needle)
            if at >= 0:
                out[key] = bisect.bisect_right(starts, at + (1 if needle.startswith("\n") else 0))
                break
    return out
