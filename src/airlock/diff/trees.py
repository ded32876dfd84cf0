"""`airlock diff --lockfile OLD NEW` and `--base REV`: the tree diff of two lockfiles (`diff_trees`), each
top-level change scanned on both sides through the one pipeline, as `check` would fetch it (the exact
version the lockfile pins, its integrity held against the registry's: a mismatch is check's critical
lockfile-integrity-mismatch finding, so the change blocks), then compared as `diff OLD NEW` compares two
targets. The packages an update pulls in are its `dependencies_added`, not changes of their own."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from airlock.check.lockfile import evidence_for, integrity_finding, source_findings
from airlock.check.run import TreeEntry, entry_request
from airlock.diff.compare import PackageSide, compare
from airlock.diff.gather import package_side, side_dependency
from airlock.diff.git import lockfile_at_revision
from airlock.diff.lockfile import TreeChange, TreeDiff, diff_trees
from airlock.diff.model import DiffDocument, PackageChange
from airlock.diff.score import ordered
from airlock.errors import AirlockError, UsageError
from airlock.model import Capabilities, Evidence, PackageReport, Verdict
from airlock.pipeline import Pipeline
from airlock.pipeline.context import ContextStage, PackageContext
from airlock.pipeline.requests import PackageRequest
from airlock.pipeline.results import PackageResult, RegistryView
from airlock.registry.packument import Packument, VersionManifest
from airlock.tree import read_lockfile
from airlock.tree.model import DependencyTree, LockedPackage
from airlock.tree.project import find_lockfile

_Key = tuple[str, str | None, str, str | None, str | None]


def _key(package: LockedPackage) -> _Key:
    return (package.name, package.version, package.source.value, package.resolved, package.integrity)


_Origin = tuple[DependencyTree, LockedPackage]
"""The lockfile a request comes from, and its entry there."""


class _LockedContext(PackageContext):
    """The shared package context, plus what `check` finds in the lockfile entry itself: a pinned hash
    other than the registry's for that version (the fetch verifies the registry's; comparing the two is
    the lockfile's finding), and where the entry says the package is fetched from."""

    def __init__(self, origins: Sequence[_Origin], pipeline: Pipeline) -> None:
        def full_manifest(name: str, version: str) -> VersionManifest | None:
            return pipeline.client.packument(name, full=True).versions.get(version)

        def first_published(name: str) -> datetime | None:
            return pipeline.client.packument(name, full=True).created

        super().__init__(full_manifest, first_published=first_published)
        self._origins = tuple(origins)
        self._config = pipeline.client.config

    def registry(
        self, index: int, request: PackageRequest, packument: Packument, manifest: VersionManifest | None
    ) -> RegistryView:
        view = super().registry(index, request, packument, manifest)
        tree, package = self._origins[index]
        mismatch = integrity_finding(tree, package, manifest) if manifest is not None else None
        return view if mismatch is None else replace(view, findings=(*view.findings, mismatch))

    def name_evidence(self, index: int, result: PackageResult, name: str) -> Evidence:
        return evidence_for(*self._origins[index])

    def finish(self, results: Sequence[PackageResult]) -> tuple[PackageResult, ...]:
        return tuple(
            replace(
                result,
                context_findings=(
                    *result.context_findings,
                    *source_findings(*self._origins[index], self._config),
                ),
            )
            for index, result in enumerate(super().finish(results))
        )


class _LockedSource:
    """Every package the changes need, once each, as exact lockfile requests."""

    def __init__(
        self, requests: Sequence[PackageRequest], origins: Sequence[_Origin], pipeline: Pipeline
    ) -> None:
        self._requests = tuple(requests)
        self._context = _LockedContext(origins, pipeline)

    def requests(self) -> Sequence[PackageRequest]:
        return self._requests

    @property
    def context(self) -> ContextStage:
        return self._context


def _request(package: LockedPackage, paths: tuple[str, ...]) -> PackageRequest:
    # Through check's own request builder, so a registry package is fetched at its exact version and
    # verified against the lockfile's integrity, and any other source is not fetched, as in `check`.
    entry = TreeEntry(package.name, package.version, package.source, (package,), paths)
    return entry_request(entry)


def _empty(name: str) -> PackageSide:
    """The side a package added or removed is compared with: nothing shipped, nothing declared."""
    report = PackageReport(
        target=name,
        name=name,
        version=None,
        integrity=None,
        verdict=Verdict.ALLOW,
        capabilities=Capabilities(),
        findings=(),
        install_scripts={},
        skipped=(),
    )
    return PackageSide(report)


def _wanted(
    diff: TreeDiff, old_tree: DependencyTree, new_tree: DependencyTree
) -> list[tuple[DependencyTree, LockedPackage, tuple[str, ...]]]:
    wanted: list[tuple[DependencyTree, LockedPackage, tuple[str, ...]]] = []
    for change in diff.changes:
        if change.old is not None:
            wanted.append((old_tree, change.old, change.old_paths or change.paths))
        if change.new is not None:
            wanted.append((new_tree, change.new, change.paths))
        wanted.extend((new_tree, p.new, p.paths) for p in change.pulled_in if p.new is not None)
    return wanted


_SIDE_READERS = 8
"""Threads reading the packages' files for the comparison: mostly gzip inflation, which runs outside the
GIL, so a tree diff of large packages (native binaries) is not read one tarball at a time."""


def _read_sides(
    pipeline: Pipeline, scanned: Sequence[tuple[PackageResult, PackageReport]]
) -> list[tuple[PackageSide, Packument | None]]:
    """Every scanned package's side, in request order (each read once, whichever changes share it). A
    package the pipeline could not analyse, or whose files cannot be read, is a side with its failure."""

    def read(pair: tuple[PackageResult, PackageReport]) -> tuple[PackageSide, Packument | None]:
        result, report = pair
        if result.failure is not None:
            return PackageSide(report, failure=result.failure), None
        try:
            return package_side(pipeline, result, report)
        except AirlockError as error:
            return PackageSide(report, failure=error), None

    if len(scanned) <= 1:
        return [read(pair) for pair in scanned]
    pool = ThreadPoolExecutor(max_workers=min(_SIDE_READERS, len(scanned)), thread_name_prefix="airlock-diff")
    try:
        return list(pool.map(read, scanned))
    finally:
        # On Ctrl-C, reads not started are dropped rather than waited for.
        pool.shutdown(wait=False, cancel_futures=True)


def _spec(pulled: TreeChange, declared: Sequence[PackageSide]) -> str:
    """The range the update declares for a package it pulls in (its own version when only another
    pulled-in package declares it)."""
    for side in declared:
        if pulled.name in side.dependencies:
            return side.dependencies[pulled.name]
    return pulled.to_version or ""


def diff_lockfiles(
    pipeline: Pipeline,
    old_tree: DependencyTree,
    new_tree: DependencyTree,
    *,
    production: bool = False,
    labels: tuple[str, str] | None = None,
) -> DiffDocument:
    """The changes from `old_tree` to `new_tree`, riskiest first, every package they involve scanned in one
    pipeline run (`labels`: how the notes name the two lockfiles, default their file names). A package
    that could not be fetched, verified or read fails only the change it belongs to, as `check` fails one
    target: that change carries the failure (a finding, `not_analysed`) and goes to review at least, with
    high attention (bytes that did not match their hash block it); the rest of the diff is produced."""
    tree_diff = diff_trees(old_tree, new_tree, production=production)
    requests: list[PackageRequest] = []
    origins: list[_Origin] = []
    index: dict[_Key, int] = {}
    for tree, package, paths in _wanted(tree_diff, old_tree, new_tree):
        if _key(package) not in index:
            index[_key(package)] = len(requests)
            requests.append(_request(package, paths))
            origins.append((tree, package))
    outcome = pipeline.run(_LockedSource(requests, origins, pipeline))
    scanned: list[tuple[PackageResult, PackageReport]] = list(
        zip(outcome.results, outcome.reports, strict=True)
    )
    sides = _read_sides(pipeline, scanned)

    def side(package: LockedPackage) -> PackageSide:
        return sides[index[_key(package)]][0]

    changes: list[PackageChange] = []
    for change in tree_diff.changes:
        old = side(change.old) if change.old is not None else _empty(change.name)
        new = side(change.new) if change.new is not None else _empty(change.name)
        declared = [new, *(side(p.new) for p in change.pulled_in if p.new is not None)]
        dependencies = tuple(
            side_dependency(_spec(p, declared), *sides[index[_key(p.new)]])
            for p in change.pulled_in
            if p.new is not None
        )
        changes.append(replace(compare(old, new, dependencies), paths=change.paths))
    return DiffDocument(ordered(changes), _notes(tree_diff, labels))


def _notes(tree_diff: TreeDiff, labels: tuple[str, str] | None) -> tuple[str, ...]:
    old_label, new_label = labels or (tree_diff.old_file, tree_diff.new_file)
    pulled = sum(len(c.pulled_in) for c in tree_diff.changes)
    dropped = sum(len(c.dropped) for c in tree_diff.changes)
    note = (
        f"{old_label} → {new_label}: {len(tree_diff.changes)} top-level "
        f"change{'s' if len(tree_diff.changes) != 1 else ''}, {tree_diff.unchanged} package"
        f"{'s' if tree_diff.unchanged != 1 else ''} unchanged"
    )
    if pulled:
        note += f", {pulled} added with the update that pulls them in"
    if dropped:
        note += f", {dropped} removed with the update that drops them"
    return (note,)


@dataclass(frozen=True, slots=True)
class LockfilePair:
    """The two trees `diff --lockfile` or `diff --base` compares, with how to name them."""

    old: DependencyTree
    new: DependencyTree
    old_label: str
    new_label: str


def _work_tree_lockfile(path: Path) -> tuple[DependencyTree, str]:
    # Never resolved with npm: a diff compares lockfiles that exist, it does not invent one.
    found = find_lockfile(path, resolve=False)
    return read_lockfile(found.input), str(found.path or path)


def lockfile_pair(old: Path, new: Path) -> LockfilePair:
    """`--lockfile OLD NEW`: two lockfiles (or project directories) on disk, read as `check` reads them."""
    old_tree, old_label = _work_tree_lockfile(old)
    new_tree, new_label = _work_tree_lockfile(new)
    return LockfilePair(old_tree, new_tree, old_label, new_label)


def base_pair(revision: str, project: Path) -> LockfilePair:
    """`--base REV [PATH]`: the lockfile committed at `revision` against the one in the work tree."""
    committed = lockfile_at_revision(revision, project)
    new_tree, new_label = _work_tree_lockfile(project)
    return LockfilePair(read_lockfile(committed.input), new_tree, committed.label, new_label)


def requested_pair(
    old: str | None, new: str | None, *, lockfile: bool, base: str | None, production: bool = False
) -> LockfilePair | None:
    """Which form of `airlock diff` its arguments ask for: None for two targets (`diff OLD NEW`), else the two
    lockfile trees, read. Wrong combinations are usage errors that show the right ones."""
    if production and not lockfile and base is None:
        raise UsageError(
            "--production leaves out dev-only packages of a lockfile: it needs --lockfile or --base",
            hint="airlock diff --lockfile OLD_LOCK NEW_LOCK --production, or airlock diff --base main --production",
        )
    if lockfile and base is not None:
        raise UsageError(
            "--lockfile and --base are two ways to name the old lockfile; give one",
            hint="airlock diff --lockfile OLD_LOCK NEW_LOCK, or airlock diff --base main [PROJECT]",
        )
    if base is not None:
        if new is not None:
            raise UsageError(
                f"--base {base} compares the work tree's lockfile with the committed one: it takes one "
                f"PATH, not two ({old} {new})",
                hint=f"airlock diff --base {base} [PROJECT_DIR_OR_LOCKFILE], or --lockfile OLD NEW for two files",
            )
        return base_pair(base, Path(old or "."))
    if old is None or new is None:
        what = "--lockfile takes two lockfiles" if lockfile else "diff compares two versions"
        raise UsageError(
            f"{what}: OLD and NEW are both required",
            hint="airlock diff event-stream@3.3.5 event-stream@3.3.6, airlock diff --lockfile old/package-lock.json "
            "package-lock.json, or airlock diff --base main",
        )
    return lockfile_pair(Path(old), Path(new)) if lockfile else None


__all__ = ["LockfilePair", "base_pair", "diff_lockfiles", "lockfile_pair", "requested_pair"]
