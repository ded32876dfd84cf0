"""`airlock check`: a dependency tree as a pipeline source. One request per distinct package, in tree
order, with its paths; the tree's context stage adds what only the lockfile and the registry's full
documents tell (lockfile injection, metadata signals, dependency confusion, the event-stream shape)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from airlock.analysis.rules import metadata as metadata_rules
from airlock.analysis.rules import patches as patch_rules
from airlock.check.lockfile import PUBLIC_REGISTRY_HOSTS, evidence_for, integrity_finding, source_findings
from airlock.check.metadata import MetadataContext, version_signals
from airlock.check.platform import (
    Platform,
    current_platform,
    describe_target,
    names,
    optional_only,
    select_for_platform,
    skips_dependencies_of_skipped,
)
from airlock.errors import AirlockError
from airlock.exit import ExitCode
from airlock.model import Evidence, Finding, PackageReport, Severity, Verdict
from airlock.patches import PatchFile, UnreadablePatch, read_patch_file
from airlock.pipeline import Pipeline, exit_code
from airlock.pipeline.context import ContextStage, PackageContext
from airlock.pipeline.requests import FromRegistry, NotFetched, PackageRequest
from airlock.pipeline.results import PackageResult, RegistryView
from airlock.registry.client import PackageNotFoundError, RegistryClient
from airlock.registry.npmrc import NpmConfig
from airlock.registry.packument import Packument, VersionManifest
from airlock.targets import RegistryTarget
from airlock.tree.graph import TreeWalk
from airlock.tree.model import DependencyTree, LockedPackage, Source


@dataclass(frozen=True, slots=True)
class CheckOptions:
    production: bool = False
    """Leave out packages only dev dependencies pull in."""
    min_release_age: timedelta = timedelta(days=7)
    now: datetime | None = None
    """The clock for release ages (None: now)."""
    check_public_registry: bool = True
    """When the default registry is private, ask the public one whether unscoped names exist there too."""
    platforms: tuple[Platform, ...] | None = field(default_factory=lambda: (current_platform(),))
    """Leave out the optional packages npm would install on none of these platforms (this machine's, or
    a yarn/pnpm project's `supportedArchitectures`); None checks every package."""
    project: Path | None = None
    """The project directory, where the lockfile's patch files are read (None: patches are not read)."""


@dataclass(frozen=True, slots=True)
class PlatformSkip:
    """A package npm would not install on the checked platform, so not fetched nor analysed."""

    label: str
    reason: str
    """`for os darwin, cpu arm64`, or `needed only by <the skipped package that pulls it in>`."""


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One distinct package of the tree (all lockfile nodes with the same name, version and source)."""

    name: str
    version: str | None
    source: Source
    nodes: tuple[LockedPackage, ...]
    paths: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name

    @property
    def line(self) -> int | None:
        return next((n.line for n in self.nodes if n.line is not None), None)

    @property
    def patches(self) -> tuple[str, ...]:
        return self.nodes[0].patches


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    tree: DependencyTree
    entries: tuple[TreeEntry, ...]
    reports: tuple[PackageReport, ...]
    """Aligned with `entries`."""
    failures: tuple[AirlockError, ...]
    notes: tuple[str, ...] = ()
    """What could not be checked and why (e.g. the registry gives no maintainers)."""
    skipped_dev: int = 0
    platforms: tuple[Platform, ...] | None = None
    """The platforms the tree was checked for (None: every platform)."""
    not_for_platform: tuple[PlatformSkip, ...] = ()
    """Packages left out because npm would not install them on `platforms`, in tree order."""

    def exit_code(self, *, fail_on: Verdict = Verdict.BLOCK) -> ExitCode:
        code = exit_code(self.reports, self.failures, fail_on=fail_on)
        # A dependency package.json declares and the lockfile lacks has no entry to carry the review-level
        # lockfile-out-of-sync finding, and was not analysed at all: it still counts for --fail-on review.
        unlocked = any(problem.package is None for problem in self.tree.out_of_sync)
        if code is ExitCode.OK and unlocked and fail_on.rank <= Verdict.REVIEW.rank:
            return ExitCode.ACTION
        return code


def tree_entries(
    tree: DependencyTree,
    *,
    production: bool,
    exclude: Collection[str] = (),
    walk: TreeWalk | None = None,
) -> tuple[list[TreeEntry], int]:
    """Distinct packages in tree order, and how many dev-only ones `production` left out. Workspaces (the
    project itself), bundled dependencies (analysed inside their parent's tarball) and the `exclude`d keys
    (for another platform) get no entry. `walk` is the tree's walk when the caller has one already."""
    walk = walk or TreeWalk(tree)
    groups: dict[tuple[str, str | None, Source, str | None, tuple[str, ...]], list[LockedPackage]] = {}
    dev_only: set[tuple[str, str | None]] = set()
    for key in walk.order:
        package = tree.packages[key]
        if package.source in (Source.WORKSPACE, Source.BUNDLED) or key in exclude:
            continue
        if production and package.dev:
            dev_only.add((package.name, package.version))
            continue
        where = None if package.source is Source.REGISTRY else package.resolved
        group = (package.name, package.version, package.source, where, package.patches)
        groups.setdefault(group, []).append(package)
    entries = []
    for (name, version, source, _, _), nodes in groups.items():
        paths: list[str] = []
        for node in nodes:
            paths.extend(walk.paths(node.key))
        entries.append(TreeEntry(name, version, source, tuple(nodes), tuple(dict.fromkeys(paths))[:5]))
    return entries, len(dev_only)


def entry_request(entry: TreeEntry, patches: tuple[PatchFile, ...] = ()) -> PackageRequest:
    node = entry.nodes[0]
    if entry.source is Source.REGISTRY:
        target = RegistryTarget(entry.label, entry.name, entry.version or "")
        locator: FromRegistry | NotFetched = FromRegistry(target, exact=True)
    else:
        locator = NotFetched()
    return PackageRequest(
        entry.label,
        locator,
        name=entry.name,
        version=entry.version,
        integrity=node.integrity,
        paths=entry.paths,
        patches=patches if entry.source is Source.REGISTRY else (),
    )


class TreeSource:
    """The distinct packages of a lockfile tree, with the tree's context stage."""

    def __init__(
        self,
        tree: DependencyTree,
        config: NpmConfig,
        *,
        options: CheckOptions = CheckOptions(),
        public_client: Callable[[], RegistryClient] | None = None,
    ) -> None:
        self.tree = tree
        self.platforms = options.platforms
        excluded: dict[str, str] = {}
        self.platform_notes: tuple[str, ...] = ()
        if options.platforms is not None:
            selection = select_for_platform(
                tree, options.platforms, with_dependencies=skips_dependencies_of_skipped(tree.format)
            )
            excluded = selection.skipped
            self.platform_notes = tuple(
                f"platform: {tree.packages[key].label} ({describe_target(tree.packages[key])}) is not "
                f"optional, so npm would refuse to install it on {names(options.platforms)} (EBADPLATFORM); it was "
                "checked"
                for key in selection.mismatched
            )
        walk = TreeWalk(tree)
        entries, self.skipped_dev = tree_entries(
            tree, production=options.production, exclude=excluded, walk=walk
        )
        self.entries = tuple(entries)
        self._patches = _read_patches(self.entries, options.project)
        self.not_for_platform = _platform_skips(tree, excluded, walk.order)
        self._context = TreeContext(tree, self.entries, config, options, public_client, patches=self._patches)

    def requests(self) -> Sequence[PackageRequest]:
        return [
            entry_request(e, tuple(p for p in map(self._patches.get, e.patches) if isinstance(p, PatchFile)))
            for e in self.entries
        ]

    @property
    def context(self) -> ContextStage:
        return self._context

    def close(self) -> None:
        self._context.close()


class TreeContext(PackageContext):
    """Registry metadata and lockfile findings for each entry, then the tree-wide event-stream shape."""

    def __init__(
        self,
        tree: DependencyTree,
        entries: Sequence[TreeEntry],
        config: NpmConfig,
        options: CheckOptions,
        public_client: Callable[[], RegistryClient] | None,
        *,
        patches: Mapping[str, PatchFile | UnreadablePatch],
    ) -> None:
        super().__init__(now=options.now)
        self._patches = patches  # every patch file the entries name (`_read_patches`)
        self._tree = tree
        self._entries = entries
        self._config = config
        self._options = options
        self._now = options.now or datetime.now(UTC)
        self._public_client_factory = public_client
        self._public: RegistryClient | None = None
        self._public_lock = threading.Lock()

    @property
    def full_packuments(self) -> bool:
        return True

    def close(self) -> None:
        if self._public is not None:
            self._public.close()

    # ---- per package, in a fetch thread: returns what it found ----------------------------------------
    def registry(
        self, index: int, request: PackageRequest, packument: Packument, manifest: VersionManifest | None
    ) -> RegistryView:
        tree, entry = self._tree, self._entries[index]
        node = entry.nodes[0]
        context = MetadataContext(self._now, self._options.min_release_age, evidence_for(tree, node))
        signals = version_signals(packument, entry.version or "", context)
        findings = list(signals.findings)
        notes: list[str] = []
        confusion, note = self._dependency_confusion(
            entry, manifest.dist.integrity if manifest is not None else None
        )
        findings.extend(confusion)
        notes.extend(note)
        if manifest is not None:
            mismatch = next(
                (m for m in (integrity_finding(tree, n, manifest) for n in entry.nodes) if m is not None),
                None,
            )
            if mismatch is not None:
                findings.append(mismatch)
        return RegistryView(
            manifest=manifest,
            abbreviated=packument.abbreviated,
            findings=tuple(findings),
            notes=tuple(notes),
            added_dependencies=signals.added_dependencies,
            created=packument.created,
            unavailable=signals.unavailable,
        )

    def _dependency_confusion(
        self, entry: TreeEntry, integrity: str | None
    ) -> tuple[list[Finding], list[str]]:
        name, tree, config = entry.name, self._tree, self._config
        if name.startswith("@"):
            scope = name.split("/", 1)[0].lower()
            if scope not in config.scoped_registries:
                return [], []
            private_host = urlsplit(config.scoped_registries[scope]).hostname
            for node in entry.nodes:
                host = urlsplit(node.resolved or "").hostname
                if host and host in PUBLIC_REGISTRY_HOSTS and host != private_host:
                    finding = metadata_rules.DEPENDENCY_CONFUSION.finding(
                        f"{scope} is routed to {config.scoped_registries[scope]} by .npmrc, but {tree.file} "
                        f"resolved {entry.label} from the public registry ({host})",
                        evidence_for(tree, node, f"resolved: {node.resolved}"),
                    )
                    return [finding], []
            return [], []
        if (urlsplit(config.registry).hostname or "") in PUBLIC_REGISTRY_HOSTS:
            return [], []
        public = self._public_registry()
        if public is None:
            return [], []
        try:
            published = public.packument(name)
        except PackageNotFoundError:
            return [], []
        except AirlockError as error:
            return [], [f"dependency confusion: the public registry could not be asked ({error.message})"]
        # A private registry that proxies the public one serves the same bytes: that is not confusion.
        mirrored = published.versions.get(entry.version or "")
        if mirrored is not None and integrity is not None and mirrored.dist.integrity == integrity:
            return [], []
        newest = published.dist_tags.get("latest", "?")
        finding = metadata_rules.DEPENDENCY_CONFUSION.finding(
            f"{name}@{entry.version} comes from the private registry {config.registry}, and someone else's "
            f"{name} exists on the public registry (latest {newest}) without these bytes: a client that "
            "falls back to it, or a misrouted install, gets that package instead",
            evidence_for(tree, entry.nodes[0]),
        )
        return [finding], []

    def _public_registry(self) -> RegistryClient | None:
        if not self._options.check_public_registry or self._public_client_factory is None:
            return None
        with self._public_lock:
            if self._public is None:
                self._public = self._public_client_factory()
            return self._public

    def _patch_findings(self, entry: TreeEntry) -> list[Finding]:
        """Which patch files the package manager applies to this package, and each one that was not read
        (so the package was analysed without it)."""
        findings: list[Finding] = []
        for path in entry.patches:
            patch = self._patches[path]
            applied = isinstance(patch, PatchFile) and entry.source is Source.REGISTRY
            findings.append(
                patch_rules.PATCHED_PACKAGE.finding(
                    f"{entry.label} is installed with the project's patch {path} applied"
                    + ("; it was analysed with the patch applied" if applied else ""),
                    Evidence(path, 1),
                )
            )
            if isinstance(patch, UnreadablePatch):
                findings.append(
                    patch_rules.PATCH_NOT_APPLIED.finding(
                        f"patch {path} of {entry.label}: {patch.reason}; the package was analysed without it",
                        evidence_for(self._tree, entry.nodes[0], f"{entry.label} ← {path}"),
                    )
                )
        return findings

    # ---- once, over the whole tree -------------------------------------------------------------------
    def name_evidence(self, index: int, result: PackageResult, name: str) -> Evidence:
        return evidence_for(self._tree, self._entries[index].nodes[0])

    def finish(self, results: Sequence[PackageResult]) -> tuple[PackageResult, ...]:
        finished = [
            replace(
                result,
                context_findings=(
                    *result.context_findings,
                    *(
                        f
                        for node in self._entries[index].nodes
                        for f in source_findings(self._tree, node, self._config)
                    ),
                    *self._patch_findings(self._entries[index]),
                ),
            )
            for index, result in enumerate(super().finish(results))
        ]
        return _escalate_new_dependencies(finished)


def _platform_skips(
    tree: DependencyTree, excluded: Mapping[str, str], order: Sequence[str]
) -> tuple[PlatformSkip, ...]:
    """One per distinct package, in tree `order`."""
    skips: dict[str, PlatformSkip] = {}
    for key in order:
        if key in excluded:
            label = tree.packages[key].label
            skips.setdefault(label, PlatformSkip(label, excluded[key]))
    return tuple(skips.values())


def platform_note(outcome: CheckOutcome) -> str | None:
    """The note listing what was left out for another platform, or None when nothing was."""
    skips = outcome.not_for_platform
    if not skips:
        return None
    noun = "package" if len(skips) == 1 else "packages"
    listed = "; ".join(f"{s.label} ({s.reason})" for s in skips)
    return (
        f"platform: {len(skips)} optional {noun} for other platforms than {names(outcome.platforms)} not fetched or "
        f"checked, as npm would not install them here (--all-platforms checks them): {listed}"
    )


def _read_patches(
    entries: Sequence[TreeEntry], project: Path | None
) -> dict[str, PatchFile | UnreadablePatch]:
    """Every patch file the tree applies, read once (several versions may share one)."""
    paths = dict.fromkeys(p for e in entries for p in e.patches)
    if project is None:
        return {
            p: UnreadablePatch(p, "the project directory is not known, so it was not read") for p in paths
        }
    return {p: read_patch_file(project, p) for p in paths}


def _escalate_new_dependencies(results: list[PackageResult]) -> tuple[PackageResult, ...]:
    """The event-stream shape: a version adds a dependency whose own locked version is brand new."""
    young_rules = {metadata_rules.YOUNG_VERSION.id, metadata_rules.YOUNG_VERSION_CHANGES.id}
    young = {r.request.name for r in results if any(f.rule in young_rules for f in r.registry.findings)}
    escalated = []
    for result in results:
        new_and_young = [n for n in result.registry.added_dependencies if n in young]
        if not new_and_young:
            escalated.append(result)
            continue
        findings = tuple(
            replace(
                f,
                severity=Severity.MEDIUM,
                message=f"{f.message} ({', '.join(new_and_young)}: newly published itself)",
            )
            if f.rule == metadata_rules.DEPENDENCY_ADDED.id and f.severity.rank < Severity.MEDIUM.rank
            else f
            for f in result.registry.findings
        )
        escalated.append(replace(result, registry=replace(result.registry, findings=findings)))
    return tuple(escalated)


UNRECORDED_PLATFORM_FORMATS = ("yarn.lock v1",)
"""Lockfile formats that record no `os`/`cpu`: the registry's manifests tell instead. (npm v1 records
none either, but its `requires` edges do not say which are optional, so there every package is checked.)"""
_CONSTRAINT_LOOKUPS = 8


def with_registry_constraints(client: RegistryClient, tree: DependencyTree) -> tuple[DependencyTree, int]:
    """The tree with each optional registry package's `os`/`cpu`/`libc` read from its registry manifest
    (the full packument the check reads anyway, so nothing is fetched twice), and how many were asked.
    A package the registry cannot answer for keeps no constraints: it is checked, never skipped."""
    asked = [
        key
        for key in optional_only(tree)
        if (package := tree.packages[key]).source is Source.REGISTRY
        and package.version
        and not (package.os or package.cpu or package.libc)
    ]

    def lookup(key: str) -> LockedPackage | None:
        package = tree.packages[key]
        try:
            manifest = client.packument(package.name, full=True).versions.get(package.version or "")
        except AirlockError:
            return None
        if manifest is None or not (manifest.os or manifest.cpu or manifest.libc):
            return None
        return replace(package, os=manifest.os, cpu=manifest.cpu, libc=manifest.libc)

    pool = ThreadPoolExecutor(max_workers=_CONSTRAINT_LOOKUPS, thread_name_prefix="airlock-platform")
    try:
        found = {p.key: p for p in pool.map(lookup, sorted(asked)) if p is not None}
    finally:
        # On Ctrl-C, queued look-ups are dropped rather than waited for.
        pool.shutdown(wait=False, cancel_futures=True)
    if not found:
        return tree, len(asked)
    return replace(tree, packages={k: found.get(k, p) for k, p in tree.packages.items()}), len(asked)


def check_tree(
    pipeline: Pipeline,
    tree: DependencyTree,
    config: NpmConfig,
    *,
    options: CheckOptions = CheckOptions(),
    public_client: Callable[[], RegistryClient] | None = None,
) -> CheckOutcome:
    lookup_note: tuple[str, ...] = ()
    if options.platforms is not None and tree.format.startswith(UNRECORDED_PLATFORM_FORMATS):
        tree, asked = with_registry_constraints(pipeline.client, tree)
        if asked:
            lookup_note = (
                f"platform: {tree.format} records no os/cpu, so they were read from the registry for the "
                f"{asked} optional package{'s' if asked != 1 else ''}",
            )
    source = TreeSource(tree, config, options=options, public_client=public_client)
    try:
        outcome = pipeline.run(source)
    finally:
        source.close()
    checked = CheckOutcome(
        tree,
        source.entries,
        outcome.reports,
        outcome.failures,
        (
            *tree.notes,
            *lookup_note,
            *source.platform_notes,
            *outcome.notes,
            *unavailable_notes(source.entries, outcome.results),
        ),
        source.skipped_dev,
        source.platforms,
        source.not_for_platform,
    )
    note = platform_note(checked)
    return checked if note is None else replace(checked, notes=(note, *checked.notes))


_UNAVAILABLE_WHY = {
    metadata_rules.YOUNG_VERSION.id: (
        "release ages",
        "the registry gives no publish time (`time`)",
        "young-version and young-version-changes",
    ),
    metadata_rules.MAINTAINERS_CHANGED.id: (
        "maintainer changes",
        "the registry gives no per-version maintainers for the version or the one before it",
        "maintainers-changed",
    ),
}


def unavailable_notes(entries: Sequence[TreeEntry], results: Sequence[PackageResult]) -> tuple[str, ...]:
    """One note per signal the registry could not feed, counting and naming the packages it concerns:
    a signal missing for some versions is not missing for all (issue 11)."""
    notes = []
    for rule, (topic, why, signal) in _UNAVAILABLE_WHY.items():
        labels = [e.label for e, r in zip(entries, results, strict=True) if rule in r.registry.unavailable]
        if not labels:
            continue
        named = ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
        count = f"{len(labels)} of {len(entries)} package{'s' if len(entries) != 1 else ''}"
        notes.append(f"{topic}: for {count} ({named}) {why}, so {signal} could not be judged for them")
    return tuple(notes)


__all__ = [
    "CheckOptions",
    "CheckOutcome",
    "PlatformSkip",
    "TreeContext",
    "TreeEntry",
    "TreeSource",
    "check_tree",
    "platform_note",
    "tree_entries",
    "with_registry_constraints",
]
