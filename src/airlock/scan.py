"""`airlock scan`: each target (registry spec, local tarball, directory) is one request of the pipeline;
one report entry per target, in the order given."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from airlock.errors import AirlockError, UsageError
from airlock.pipeline import Pipeline, RunOutcome
from airlock.pipeline.context import ContextStage, PackageContext
from airlock.pipeline.requests import (
    FromDirectory,
    FromRegistry,
    FromTarball,
    FromUrl,
    Invalid,
    PackageRequest,
)
from airlock.registry.packument import VersionManifest
from airlock.targets import LocalDirectory, LocalTarball, RegistryTarget, RemoteTarball, parse_target

if TYPE_CHECKING:
    from airlock.check.run import CheckOutcome
    from airlock.compose import Runtime
    from airlock.pipeline.progress import Progress
    from airlock.report.document import ReportDocument, ToolInfo


def target_request(raw: str) -> PackageRequest:
    try:
        target = parse_target(raw)
    except AirlockError as error:
        return PackageRequest(raw, Invalid(error))
    if isinstance(target, RegistryTarget):
        return PackageRequest(raw, FromRegistry(target), name=target.name)
    if isinstance(target, LocalTarball):
        return PackageRequest(raw, FromTarball(target.path))
    if isinstance(target, RemoteTarball):
        return PackageRequest(raw, FromUrl(target.url))
    assert isinstance(target, LocalDirectory)
    return PackageRequest(raw, FromDirectory(target.path))


class ScanSource:
    """Targets as the user gave them. Context: the shared package context (installed-name typosquats,
    manifest confusion, confirmed against the full registry document when the abbreviated one is vague)."""

    def __init__(self, targets: Sequence[str], pipeline: Pipeline) -> None:
        self._targets = tuple(targets)

        def full_manifest(name: str, version: str) -> VersionManifest | None:
            return pipeline.client.packument(name, full=True).versions.get(version)

        def first_published(name: str) -> datetime | None:
            return pipeline.client.packument(name, full=True).created

        self._context = PackageContext(full_manifest, first_published=first_published)

    def requests(self) -> Sequence[PackageRequest]:
        return [target_request(raw) for raw in self._targets]

    @property
    def context(self) -> ContextStage:
        return self._context


def scan(pipeline: Pipeline, targets: Sequence[str]) -> RunOutcome:
    return pipeline.run(ScanSource(targets, pipeline))


def with_deps_dependencies(targets: Sequence[str]) -> dict[str, str]:
    """`scan --with-deps`: the `dependencies` of the temporary project npm resolves (name → version spec).
    Registry packages only: a local directory is a project (`airlock check DIR` resolves it), and a git,
    URL or alias spec would make npm fetch from elsewhere than the registry."""
    dependencies: dict[str, str] = {}
    for raw in targets:
        target = parse_target(raw)
        if not isinstance(target, RegistryTarget):
            what = "a tarball URL" if isinstance(target, RemoteTarball) else "a local path"
            raise UsageError(
                f"--with-deps resolves registry packages, and {raw!r} is {what}",
                hint="for a project directory, `airlock check DIR` analyses it with its dependencies; "
                "scan a tarball without --with-deps",
            )
        if ":" in target.selector or "/" in target.selector:
            raise UsageError(
                f"--with-deps takes a version, range or tag, not {target.selector!r} ({raw!r})",
                hint="e.g. left-pad, left-pad@1.3.0, 'express@^4', react@next",
            )
        if target.name in dependencies:
            raise UsageError(
                f"--with-deps: {target.name} is given twice",
                hint="one project depends on each package once; scan the versions in separate runs",
            )
        dependencies[target.name] = target.selector or "latest"
    return dependencies


def scan_with_deps(
    runtime: Runtime,
    project: Path,
    targets: Sequence[str],
    tool: ToolInfo,
    progress: Progress | None = None,
    *,
    status: Callable[[str], None] | None = None,
) -> tuple[ReportDocument, CheckOutcome]:
    """`scan --with-deps`: npm resolves a temporary project depending on the targets (scripts off), and the
    tree is checked like a project's. The targets are the project's direct dependencies, so they come
    first in tree order, each with itself as its path."""
    from airlock.check.document import check_document
    from airlock.check.run import CheckOptions, check_tree
    from airlock.tree import read_lockfile
    from airlock.tree.project import resolve_packages

    settings = runtime.settings
    if settings.offline:
        raise UsageError(
            "--with-deps needs npm to resolve the dependency tree from the registry, and --offline forbids it",
            hint="drop --offline, or scan the packages without --with-deps",
        )
    dependencies = with_deps_dependencies(targets)
    lockfile = resolve_packages(dependencies, project, status=status)
    tree = read_lockfile(lockfile.input)
    options = CheckOptions(min_release_age=timedelta(days=settings.min_release_age_days))
    with runtime.pipeline(progress) as pipeline:
        outcome = check_tree(
            pipeline, tree, runtime.npm_config, options=options, public_client=runtime.public_client_factory()
        )
    title = " ".join(f"{name}@{spec}" for name, spec in dependencies.items()) + " with dependencies"
    notes = (*lockfile.notes, *runtime.acceptances.notes(outcome.reports, whole_project=False))
    document = check_document(
        outcome, tool, notes=notes, lockfile_uri=Path(lockfile.input.file).as_posix(), title=title
    )
    return document, outcome


__all__ = ["ScanSource", "scan", "scan_with_deps", "target_request", "with_deps_dependencies"]
