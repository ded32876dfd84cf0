"""The tree side of `airlock diff --lockfile`: which packages two lockfiles add, remove and change.

Works over `DependencyTree`, so npm, pnpm and yarn lockfiles alike. Packages are compared as check sees
them (`tree_entries`: one entry per name, version and source), matched by name, because only npm's node
keys name a place in the tree (pnpm's and yarn's keys carry the version).

An update that pulls in new packages is one change, not several: every added package is attributed to the
changed (or top-level added) package whose new version depends on it, directly or through other added
packages, and listed under it (`pulled_in`). Only an added package that nothing changed pulls in (a new
direct dependency of the project, or one only unchanged packages depend on) is a change of its own.
Removed packages are attributed the same way in the old tree (`dropped`): event-stream 3.3.6 → 3.3.7 is
one change that drops flatmap-stream.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from airlock.check.run import TreeEntry, tree_entries
from airlock.registry.semver import precedence_key
from airlock.tree.graph import TreeWalk
from airlock.tree.model import DependencyTree, LockedPackage, Source


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Difference(StrEnum):
    """What differs between the old and the new package of a CHANGED change."""

    VERSION = "version"
    SOURCE = "source"
    """Another kind of source (registry → git), or another git/tarball/file location at the same version."""
    INTEGRITY = "integrity"
    """Same version, other recorded integrity: other bytes under the same name and version."""
    RESOLVED = "resolved"
    """Same version and integrity, fetched from another URL (a registry mirror, or a lockfile injection)."""
    PATCHES = "patches"
    """Other patch files applied at install (yarn `patch:`, pnpm `patchedDependencies`)."""


@dataclass(frozen=True, slots=True)
class TreeChange:
    """One package added, removed or changed between two lockfiles."""

    name: str
    old: LockedPackage | None
    """The package in the old tree (None when added)."""
    new: LockedPackage | None
    """The package in the new tree (None when removed)."""
    paths: tuple[str, ...]
    """Dependency chains to it in the new tree (in the old tree when removed), e.g. `a>event-stream`."""
    old_paths: tuple[str, ...] = ()
    """Chains to it in the old tree, for a CHANGED change (hoisting may have moved it)."""
    differences: tuple[Difference, ...] = ()
    pulled_in: tuple[TreeChange, ...] = ()
    """ADDED packages that come with this change: its new version depends on them (directly or through
    other pulled-in packages), by name."""
    dropped: tuple[TreeChange, ...] = ()
    """REMOVED packages that go with this change: only its old version depended on them, by name."""

    @property
    def kind(self) -> ChangeKind:
        if self.old is None:
            return ChangeKind.ADDED
        if self.new is None:
            return ChangeKind.REMOVED
        return ChangeKind.CHANGED

    @property
    def from_version(self) -> str | None:
        return self.old.version if self.old is not None else None

    @property
    def to_version(self) -> str | None:
        return self.new.version if self.new is not None else None

    @property
    def label(self) -> str:
        if self.old is not None and self.new is not None:
            if self.old.version != self.new.version:
                return f"{self.name} {self.old.version} → {self.new.version}"
            return self.new.label
        package = self.new or self.old
        assert package is not None  # a change has at least one side
        return package.label


@dataclass(frozen=True, slots=True)
class TreeDiff:
    """The top-level changes between two lockfiles, by name then versions."""

    old_file: str
    new_file: str
    changes: tuple[TreeChange, ...]
    unchanged: int
    """Packages in both trees as they were."""

    def all_added(self) -> tuple[TreeChange, ...]:
        """Every added package, top-level or pulled in, once each, by name."""
        return _distinct(
            c for top in self.changes for c in (top, *top.pulled_in) if c.kind is ChangeKind.ADDED
        )

    def all_removed(self) -> tuple[TreeChange, ...]:
        return _distinct(
            c for top in self.changes for c in (top, *top.dropped) if c.kind is ChangeKind.REMOVED
        )


def _distinct(changes: Iterable[TreeChange]) -> tuple[TreeChange, ...]:
    seen: dict[tuple[str, str | None, str | None], TreeChange] = {}
    for change in changes:
        seen.setdefault((change.name, change.from_version, change.to_version), change)
    return tuple(sorted(seen.values(), key=_order))


def _order(change: TreeChange) -> tuple[str, str, str, tuple[str, ...]]:
    return (change.name, change.from_version or "", change.to_version or "", change.paths)


_Identity = tuple[str, str | None, Source, str | None, tuple[str, ...]]


def _identity(entry: TreeEntry) -> _Identity:
    """What makes two entries the same package (check's grouping): name, version, source, the location of
    non-registry bytes and the patches applied."""
    node = entry.nodes[0]
    where = None if entry.source is Source.REGISTRY else node.resolved
    return (entry.name, entry.version, entry.source, where, entry.patches)


class _Side:
    """One tree's entries, and which entry each lockfile node belongs to."""

    def __init__(self, tree: DependencyTree, *, production: bool) -> None:
        self.tree = tree
        self.walk = TreeWalk(tree)
        entries, _ = tree_entries(tree, production=production, walk=self.walk)
        self.entries = entries
        self.by_key: dict[str, int] = {n.key: i for i, e in enumerate(entries) for n in e.nodes}
        self.by_name: dict[str, list[int]] = {}
        for i, entry in enumerate(entries):
            self.by_name.setdefault(entry.name, []).append(i)

    def direct(self) -> set[int]:
        """Entries the project (its root or a workspace) depends on directly."""
        found = {self.by_key[e.target] for e in self.tree.roots if e.target in self.by_key}
        for package in self.tree.packages.values():
            if package.source is Source.WORKSPACE:
                found.update(self.by_key[e.target] for e in package.dependencies if e.target in self.by_key)
        return found

    def targets(self, index: int) -> list[int]:
        """Entries the nodes of entry `index` depend on, in edge order."""
        out: dict[int, None] = {}
        for node in self.entries[index].nodes:
            for edge in node.dependencies:
                target = self.by_key.get(edge.target)
                if target is not None and target != index:
                    out[target] = None
        return list(out)


def _version_key(entry: TreeEntry) -> tuple[int, object, str]:
    key = precedence_key(entry.version) if entry.version else None
    return (0, key, "") if key is not None else (1, (), entry.version or "")


def _pair(old: _Side, new: _Side, olds: list[int], news: list[int]) -> list[tuple[int, int]]:
    """Old and new entries of one name that are the same package at another version or source: first those
    found at a shared dependency path, then the rest newest with newest."""
    pairs: list[tuple[int, int]] = []
    free_old, free_new = list(olds), list(news)
    scored = sorted(
        (
            (-len(set(old.entries[o].paths) & set(new.entries[n].paths)), a, b)
            for a, o in enumerate(olds)
            for b, n in enumerate(news)
        )
    )
    for overlap, a, b in scored:
        if overlap == 0:
            break
        if olds[a] in free_old and news[b] in free_new:
            pairs.append((olds[a], news[b]))
            free_old.remove(olds[a])
            free_new.remove(news[b])
    # Newest with newest: an update most often replaces the highest version a tree had.
    free_old.sort(key=lambda i: _version_key(old.entries[i]), reverse=True)
    free_new.sort(key=lambda i: _version_key(new.entries[i]), reverse=True)
    pairs.extend(zip(free_old, free_new, strict=False))
    return pairs


def _node_values(entry: TreeEntry, field: str) -> frozenset[str]:
    return frozenset(v for n in entry.nodes if (v := getattr(n, field)) is not None)


def _family(tree: DependencyTree) -> str:
    """The lockfile format regardless of its version (`package-lock.json`, `yarn.lock berry`)."""
    return f"{tree.format.split()[0]} berry" if "berry" in tree.format else tree.format.split()[0]


def _differences(old: TreeEntry, new: TreeEntry, *, compare_resolved: bool) -> tuple[Difference, ...]:
    found: list[Difference] = []
    if old.version != new.version:
        found.append(Difference.VERSION)
    if old.source is not new.source or (
        new.source is not Source.REGISTRY and _identity(old)[3] != _identity(new)[3]
    ):
        found.append(Difference.SOURCE)
    old_integrity, new_integrity = _node_values(old, "integrity"), _node_values(new, "integrity")
    # A side that records no integrity (yarn berry, some git entries) says nothing about the bytes.
    if old.version == new.version and old_integrity and new_integrity and old_integrity != new_integrity:
        found.append(Difference.INTEGRITY)
    if (
        not found
        and compare_resolved
        and new.source is Source.REGISTRY
        and _node_values(old, "resolved") != _node_values(new, "resolved")
        and _node_values(new, "resolved")
    ):
        found.append(Difference.RESOLVED)
    if old.patches != new.patches:
        found.append(Difference.PATCHES)
    return tuple(found)


def _attribute(side: _Side, owners: Iterable[int], novel: set[int]) -> tuple[dict[int, set[int]], set[int]]:
    """Which `novel` entries (added, or removed when `side` is the old tree) each owner brings: those it
    reaches through novel entries only. Novel entries the project depends on directly, or that no owner or
    novel entry depends on, are owners themselves (returned second)."""
    dependents: dict[int, set[int]] = {}
    for index in range(len(side.entries)):
        for target in side.targets(index):
            if target in novel:
                dependents.setdefault(target, set()).add(index)
    owner_set = set(owners)
    direct = side.direct()
    own = {n for n in novel if n in direct or not (dependents.get(n, set()) & (owner_set | novel))}
    owner_set |= own
    brought: dict[int, set[int]] = {}

    def sweep(owner: int) -> None:
        reached = brought.setdefault(owner, set())
        queue = deque(side.targets(owner))
        while queue:
            index = queue.popleft()
            if index in novel and index not in own and index not in reached:
                reached.add(index)
                queue.extend(side.targets(index))

    for owner in sorted(owner_set):
        sweep(owner)
    claimed = set().union(*brought.values()) if brought else set()
    # Novel entries depended on only by one another in a cycle no owner reaches: the first, in tree order,
    # stands for the cycle.
    for index in sorted(novel - own - claimed):
        if index not in claimed:
            own.add(index)
            sweep(index)
            claimed |= brought[index]
    return brought, own


def diff_trees(old_tree: DependencyTree, new_tree: DependencyTree, *, production: bool = False) -> TreeDiff:
    """The changes from `old_tree` to `new_tree`, added packages under the change that pulls them in.
    `production` leaves out the packages only dev dependencies need (as `check --production` does)."""
    old, new = _Side(old_tree, production=production), _Side(new_tree, production=production)
    # Each format spells a registry URL its own way (yarn's registry host and `#sha1` suffix, pnpm's none):
    # across formats only versions, sources and integrity say whether the bytes changed.
    compare_resolved = _family(old_tree) == _family(new_tree)
    changed: list[tuple[int, int, tuple[Difference, ...]]] = []
    added: set[int] = set()
    removed: set[int] = set()
    unchanged = 0
    for name in sorted(set(old.by_name) | set(new.by_name)):
        olds, news = old.by_name.get(name, []), new.by_name.get(name, [])
        old_ids = {_identity(old.entries[i]): i for i in olds}
        new_ids = {_identity(new.entries[i]): i for i in news}
        for identity, o in old_ids.items():  # in tree order, not a set's: ties keep one order
            if identity not in new_ids:
                continue
            n = new_ids[identity]
            differences = _differences(old.entries[o], new.entries[n], compare_resolved=compare_resolved)
            if differences:
                changed.append((o, n, differences))
            else:
                unchanged += 1
        left_old = [i for identity, i in old_ids.items() if identity not in new_ids]
        left_new = [i for identity, i in new_ids.items() if identity not in old_ids]
        pairs = _pair(old, new, left_old, left_new)
        for o, n in pairs:
            changed.append(
                (o, n, _differences(old.entries[o], new.entries[n], compare_resolved=compare_resolved))
            )
        added.update(set(left_new) - {n for _, n in pairs})
        removed.update(set(left_old) - {o for o, _ in pairs})

    brings, own_added = _attribute(new, (n for _, n, _ in changed), added)
    drops, own_removed = _attribute(old, (o for o, _, _ in changed), removed)

    def added_change(index: int) -> TreeChange:
        entry = new.entries[index]
        return TreeChange(entry.name, None, entry.nodes[0], entry.paths)

    def removed_change(index: int) -> TreeChange:
        entry = old.entries[index]
        return TreeChange(entry.name, entry.nodes[0], None, entry.paths)

    def under(indices: set[int], make: Mapping[int, TreeChange]) -> tuple[TreeChange, ...]:
        return tuple(sorted((make[i] for i in indices), key=_order))

    plain_added = {i: added_change(i) for i in added}
    plain_removed = {i: removed_change(i) for i in removed}
    changes: list[TreeChange] = []
    for o, n, differences in changed:
        old_entry, new_entry = old.entries[o], new.entries[n]
        changes.append(
            TreeChange(
                new_entry.name,
                old_entry.nodes[0],
                new_entry.nodes[0],
                new_entry.paths,
                old_paths=old_entry.paths,
                differences=differences,
                pulled_in=under(brings.get(n, set()), plain_added),
                dropped=under(drops.get(o, set()), plain_removed),
            )
        )
    for index in own_added:
        change = plain_added[index]
        changes.append(
            TreeChange(
                change.name,
                None,
                change.new,
                change.paths,
                pulled_in=under(brings.get(index, set()), plain_added),
            )
        )
    for index in own_removed:
        change = plain_removed[index]
        changes.append(
            TreeChange(
                change.name,
                change.old,
                None,
                change.paths,
                dropped=under(drops.get(index, set()), plain_removed),
            )
        )
    return TreeDiff(old_tree.file, new_tree.file, tuple(sorted(changes, key=_order)), unchanged)
