"""One pass over a dependency tree: every registry package's packument, lockfile and metadata checks and
verified tarball are fetched in threads while the analysis pool works on what has arrived; the store
serves bytes seen before. One report entry per distinct package, in tree order, with its paths."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from airlock.analysis.rules import metadata as metadata_rules
from airlock.check.lockfile import PUBLIC_REGISTRY_HOSTS, evidence_for, integrity_finding, source_findings
from airlock.check.metadata import MetadataContext, version_signals
from airlock.errors import AirlockError, UsageError
from airlock.exit import ExitCode
from airlock.model import EMPTY_CAPABILITIES, Finding, PackageReport, Severity, Verdict
from airlock.registry.client import PackageNotFoundError, RegistryClient
from airlock.registry.npmrc import NpmConfig
from airlock.registry.packument import Packument
from airlock.scan import Acquired, Scanner, ScanOutcome, TargetFailedError
from airlock.tree.graph import TreeWalk
from airlock.tree.model import DependencyTree, LockedPackage, Source
from airlock.verdict import adjust, decide


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
        return ScanOutcome(self.reports, self.failures).exit_code(fail_on=fail_on)


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


class TreeChecker:
    """Runs `airlock check` over dependency trees with one scanner (its client, store and pool)."""

    def __init__(
        self,
        scanner: Scanner,
        config: NpmConfig,
        *,
        options: CheckOptions = CheckOptions(),
        public_client: Callable[[], RegistryClient] | None = None,
    ) -> None:
        self._scanner = scanner
        self._config = config
        self._options = options
        self._public_client_factory = public_client
        self._public: RegistryClient | None = None
        self._public_lock = threading.Lock()
        # Written by fetch threads, one key per entry index, read after the run.
        self._extra: dict[int, list[Finding]] = {}
        self._added: dict[int, tuple[str, ...]] = {}
        self._notes: set[str] = set()
        self._notes_lock = threading.Lock()

    def close(self) -> None:
        if self._public is not None:
            self._public.close()

    def check(self, tree: DependencyTree) -> CheckOutcome:
        """Check one tree (one call at a time per checker: the per-run state below is reset here)."""
        self._extra, self._added, self._notes = {}, {}, set()
        entries, skipped_dev = tree_entries(tree, production=self._options.production)
        now = self._options.now or datetime.now(UTC)
        registry_entries = [(i, e) for i, e in enumerate(entries) if e.source is Source.REGISTRY]
        jobs = [(entry.label, self._acquirer(tree, index, entry, now)) for index, entry in registry_entries]
        outcome = self._scanner.run(jobs)
        reports: list[PackageReport | None] = [None] * len(entries)
        for (index, _), report in zip(registry_entries, outcome.reports, strict=True):
            reports[index] = report
        collected: list[list[Finding]] = []
        for index, entry in enumerate(entries):
            findings = list((reports[index] or _unanalysed_report(entry)).findings)
            for node in entry.nodes:
                findings.extend(source_findings(tree, node, self._config))
            findings.extend(self._extra.get(index, ()))
            collected.append(_unique(findings))
        self._escalate_new_dependencies(entries, collected)
        finished = [
            self._finish(reports[i] or _unanalysed_report(entry), collected[i], entry.paths)
            for i, entry in enumerate(entries)
        ]
        notes = sorted(self._notes)
        return CheckOutcome(
            tree, tuple(entries), tuple(finished), outcome.failures, tuple(notes), skipped_dev
        )

    # ---- per package, in the scanner's fetch threads ----------------------------------------------------
    def _acquirer(
        self, tree: DependencyTree, index: int, entry: TreeEntry, now: datetime
    ) -> Callable[[], Acquired]:
        def acquire() -> Acquired:
            version = entry.version or ""
            client = self._scanner.client
            integrity: str | None = None
            try:
                packument = client.packument(entry.name, full=True)
                extra = self._registry_findings(tree, index, entry, packument, now)
                self._extra[index] = extra
                manifest = packument.versions.get(version)
                if manifest is None:
                    raise UsageError(
                        f"{entry.label} is not in the registry ({client.config.registry_for(entry.name)})",
                        hint="it may have been unpublished (npm removes malware this way) or the lockfile "
                        "names a version that never existed",
                    )
                for node in entry.nodes:
                    mismatch = integrity_finding(tree, node, manifest)
                    if mismatch is not None:
                        extra.append(mismatch)
                        break
                integrity = manifest.dist.digest().sri()
                stored = self._scanner.stored(integrity)
                if stored is not None:
                    return Acquired(entry.label, entry.name, version, integrity, stored=stored)
                acquired = self._scanner.acquire_tarball(entry.label, manifest)
                return replace(acquired, name=entry.name, version=version)
            except AirlockError as error:
                raise TargetFailedError(error, entry.name, version, integrity) from error

        return acquire

    def _note(self, text: str) -> None:
        with self._notes_lock:
            self._notes.add(text)

    def _registry_findings(
        self, tree: DependencyTree, index: int, entry: TreeEntry, packument: Packument, now: datetime
    ) -> list[Finding]:
        node = entry.nodes[0]
        context = MetadataContext(now, self._options.min_release_age, evidence_for(tree, node))
        signals = version_signals(packument, entry.version or "", context)
        findings = list(signals.findings)
        self._added[index] = signals.added_dependencies
        if not packument.time:
            self._note(
                "release ages: the registry gives no publish times (`time`), so young-version is unavailable"
            )
        manifest = packument.versions.get(entry.version or "")
        if manifest is not None and manifest.maintainers is None:
            self._note(
                "maintainer changes: the registry gives no per-version maintainers, so maintainers-changed "
                "is unavailable"
            )
        findings.extend(
            self._confusion(tree, entry, manifest.dist.integrity if manifest is not None else None)
        )
        return findings

    def _confusion(self, tree: DependencyTree, entry: TreeEntry, integrity: str | None) -> Iterable[Finding]:
        name = entry.name
        config = self._config
        if name.startswith("@"):
            scope = name.split("/", 1)[0].lower()
            if scope not in config.scoped_registries:
                return
            private_host = urlsplit(config.scoped_registries[scope]).hostname
            for node in entry.nodes:
                host = urlsplit(node.resolved or "").hostname
                if host and host in PUBLIC_REGISTRY_HOSTS and host != private_host:
                    yield metadata_rules.DEPENDENCY_CONFUSION.finding(
                        f"{scope} is routed to {config.scoped_registries[scope]} by .npmrc, but {tree.file} "
                        f"resolved {entry.label} from the public registry ({host})",
                        evidence_for(tree, node, f"resolved: {node.resolved}"),
                    )
                    return
            return
        if (urlsplit(config.registry).hostname or "") in PUBLIC_REGISTRY_HOSTS:
            return
        public = self._public_registry()
        if public is None:
            return
        try:
            published = public.packument(name)
        except PackageNotFoundError:
            return
        except AirlockError as error:
            self._note(f"dependency confusion: the public registry could not be asked ({error.message})")
            return
        # A private registry that proxies the public one serves the same bytes: that is not confusion.
        mirrored = published.versions.get(entry.version or "")
        if mirrored is not None and integrity is not None and mirrored.dist.integrity == integrity:
            return
        newest = published.dist_tags.get("latest", "?")
        yield metadata_rules.DEPENDENCY_CONFUSION.finding(
            f"{name}@{entry.version} comes from the private registry {config.registry}, and someone else's "
            f"{name} exists on the public registry (latest {newest}) without these bytes: a client that "
            "falls back to it, or a misrouted install, gets that package instead",
            evidence_for(tree, entry.nodes[0]),
        )

    def _public_registry(self) -> RegistryClient | None:
        if not self._options.check_public_registry or self._public_client_factory is None:
            return None
        with self._public_lock:
            if self._public is None:
                self._public = self._public_client_factory()
            return self._public

    # ---- merging ----------------------------------------------------------------------------------------
    def _finish(self, base: PackageReport, findings: list[Finding], paths: tuple[str, ...]) -> PackageReport:
        adjusted = adjust(findings, self._scanner.options.rule_severity)
        verdict = decide(adjusted)
        if base.verdict is Verdict.BLOCK:  # an integrity failure while fetching stays a block
            verdict = Verdict.BLOCK
        return replace(base, findings=adjusted, verdict=verdict, paths=paths)

    def _escalate_new_dependencies(
        self, entries: Sequence[TreeEntry], collected: list[list[Finding]]
    ) -> None:
        """The event-stream shape: a version adds a dependency whose own locked version is brand new."""
        young = {
            entries[i].name
            for i, findings in enumerate(collected)
            if any(f.rule == metadata_rules.YOUNG_VERSION.id for f in findings)
        }
        for index, findings in enumerate(collected):
            new_and_young = [n for n in self._added.get(index, ()) if n in young]
            if not new_and_young:
                continue
            for i, finding in enumerate(findings):
                if (
                    finding.rule == metadata_rules.DEPENDENCY_ADDED.id
                    and finding.severity.rank < Severity.MEDIUM.rank
                ):
                    findings[i] = replace(
                        finding,
                        severity=Severity.MEDIUM,
                        message=f"{finding.message} ({', '.join(new_and_young)}: newly published itself)",
                    )


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _unanalysed_report(entry: TreeEntry) -> PackageReport:
    return PackageReport(
        target=entry.label,
        name=entry.name,
        version=entry.version,
        integrity=entry.nodes[0].integrity,
        verdict=Verdict.ALLOW,
        capabilities=EMPTY_CAPABILITIES,
        findings=(),
        install_scripts={},
        skipped=(),
    )


__all__ = ["CheckOptions", "CheckOutcome", "TreeChecker", "TreeEntry", "tree_entries"]
