"""`airlock check`: a dependency tree as a pipeline source. One request per distinct package, in tree
order, with its paths; the tree's context stage adds what only the lockfile and the registry's full
documents tell (lockfile injection, metadata signals, dependency confusion, the event-stream shape)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from airlock.analysis.rules import metadata as metadata_rules
from airlock.check.lockfile import PUBLIC_REGISTRY_HOSTS, evidence_for, integrity_finding, source_findings
from airlock.check.metadata import MetadataContext, version_signals
from airlock.errors import AirlockError
from airlock.exit import ExitCode
from airlock.model import Evidence, Finding, PackageReport, Severity, Verdict
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

    def exit_code(self, *, fail_on: Verdict = Verdict.BLOCK) -> ExitCode:
        return exit_code(self.reports, self.failures, fail_on=fail_on)


def tree_entries(tree: DependencyTree, *, production: bool) -> tuple[list[TreeEntry], int]:
    """Distinct packages in tree order, and how many dev-only ones `production` left out. Workspaces (the
    project itself) and bundled dependencies (analysed inside their parent's tarball) get no entry."""
    walk = TreeWalk(tree)
    groups: dict[tuple[str, str | None, Source, str | None], list[LockedPackage]] = {}
    dev_only: set[tuple[str, str | None]] = set()
    for key in walk.order:
        package = tree.packages[key]
        if package.source in (Source.WORKSPACE, Source.BUNDLED):
            continue
        if production and package.dev:
            dev_only.add((package.name, package.version))
            continue
        where = None if package.source is Source.REGISTRY else package.resolved
        groups.setdefault((package.name, package.version, package.source, where), []).append(package)
    entries = []
    for (name, version, source, _), nodes in groups.items():
        paths: list[str] = []
        for node in nodes:
            paths.extend(walk.paths(node.key))
        entries.append(TreeEntry(name, version, source, tuple(nodes), tuple(dict.fromkeys(paths))[:5]))
    return entries, len(dev_only)


def entry_request(entry: TreeEntry) -> PackageRequest:
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
        entries, self.skipped_dev = tree_entries(tree, production=options.production)
        self.entries = tuple(entries)
        self._context = TreeContext(tree, self.entries, config, options, public_client)

    def requests(self) -> Sequence[PackageRequest]:
        return [entry_request(e) for e in self.entries]

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
    ) -> None:
        super().__init__()
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
        if not packument.time:
            notes.append(
                "release ages: the registry gives no publish times (`time`), so young-version is unavailable"
            )
        if manifest is not None and manifest.maintainers is None:
            notes.append(
                "maintainer changes: the registry gives no per-version maintainers, so maintainers-changed "
                "is unavailable"
            )
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
                ),
            )
            for index, result in enumerate(super().finish(results))
        ]
        return _escalate_new_dependencies(finished)


def _escalate_new_dependencies(results: list[PackageResult]) -> tuple[PackageResult, ...]:
    """The event-stream shape: a version adds a dependency whose own locked version is brand new."""
    young = {
        r.request.name
        for r in results
        if any(f.rule == metadata_rules.YOUNG_VERSION.id for f in r.registry.findings)
    }
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


def check_tree(
    pipeline: Pipeline,
    tree: DependencyTree,
    config: NpmConfig,
    *,
    options: CheckOptions = CheckOptions(),
    public_client: Callable[[], RegistryClient] | None = None,
) -> CheckOutcome:
    source = TreeSource(tree, config, options=options, public_client=public_client)
    try:
        outcome = pipeline.run(source)
    finally:
        source.close()
    return CheckOutcome(
        tree,
        source.entries,
        outcome.reports,
        outcome.failures,
        (*tree.notes, *outcome.notes),
        source.skipped_dev,
    )


__all__ = [
    "CheckOptions",
    "CheckOutcome",
    "TreeContext",
    "TreeEntry",
    "TreeSource",
    "check_tree",
    "tree_entries",
]
