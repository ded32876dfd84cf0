"""The inputs of a two-target diff, from the one pipeline: both versions scanned as `scan` scans them, the
files they ship (from the verified download cache or the local target), what the registry says about who
maintains them, and a scan of every dependency the new version adds."""

from __future__ import annotations

from collections.abc import Mapping

from airlock.contents import read_directory, read_tarball
from airlock.diff.compare import (
    FileInfo,
    PackageSide,
    added_dependencies,
    compare,
    declared_manifest,
    dependency_summary,
    files_of,
)
from airlock.diff.model import DependencyAdded, DiffDocument
from airlock.diff.score import ordered
from airlock.errors import AirlockError, BadInputError, UsageError
from airlock.model import PackageContents, PackageReport
from airlock.pipeline import Pipeline
from airlock.pipeline.requests import FromDirectory, FromRegistry, FromTarball, FromUrl
from airlock.pipeline.results import PackageResult
from airlock.registry.packument import Maintainer, Packument, VersionManifest
from airlock.scan import ScanSource


def _contents(pipeline: Pipeline, result: PackageResult) -> PackageContents:
    """The files the version ships, read again from where the pipeline got them (a cache hit for a
    registry package the pipeline just downloaded; verified bytes either way)."""
    locator = result.request.locator
    label = result.request.label
    if isinstance(locator, FromRegistry):
        manifest = result.registry.manifest
        if manifest is None:
            return PackageContents(())
        path, _ = pipeline.client.fetch_tarball_file(manifest)
        return read_tarball(path.read_bytes(), subject=label)
    if isinstance(locator, FromTarball):
        try:
            data = locator.path.read_bytes()
        except OSError as exc:  # the pipeline just read it: only a file changed under us gets here
            raise BadInputError(f"cannot read {locator.path}: {exc.strerror}") from None
        return read_tarball(data, subject=label)
    if isinstance(locator, FromUrl):
        return read_tarball(pipeline.client.fetch_url_tarball(locator.url), subject=label)
    if isinstance(locator, FromDirectory):
        return read_directory(locator.path)
    return PackageContents(())


def _people(people: tuple[Maintainer, ...] | None) -> tuple[str, ...] | None:
    if people is None:
        return None
    return tuple(sorted({p.name for p in people}))


def _full(pipeline: Pipeline, report: PackageReport) -> tuple[Packument | None, VersionManifest | None]:
    if report.name is None or report.version is None:
        return None, None
    try:
        packument = pipeline.client.packument(report.name, full=True)
    except AirlockError:
        return None, None
    return packument, packument.versions.get(report.version)


def package_side(
    pipeline: Pipeline, result: PackageResult, report: PackageReport
) -> tuple[PackageSide, Packument | None]:
    """One side of a diff from its scan: the files it ships, and for a registry package what the registry
    declares (dependencies, bin, maintainers), with the full packument it read them from."""
    files: tuple[FileInfo, ...] = files_of(_contents(pipeline, result))
    dependencies, bins = declared_manifest(files)
    packument: Packument | None = None
    maintainers: tuple[str, ...] | None = None
    if isinstance(result.request.locator, FromRegistry):
        packument, manifest = _full(pipeline, report)
        if manifest is not None:
            # npm installs what the registry's manifest declares, whatever the tarball's package.json says.
            dependencies = {**manifest.dependencies, **manifest.optional_dependencies}
            bins = dict(manifest.bin)
            maintainers = _people(manifest.maintainers)
        if maintainers is None and packument is not None:
            maintainers = _people(packument.maintainers)
    return PackageSide(report, files, dependencies, bins, maintainers), packument


def _scan(pipeline: Pipeline, targets: list[str]) -> list[tuple[PackageResult, PackageReport]]:
    outcome = pipeline.run(ScanSource(targets, pipeline))
    return list(zip(outcome.results, outcome.reports, strict=True))


def _dependencies(pipeline: Pipeline, wanted: Mapping[str, str]) -> tuple[DependencyAdded, ...]:
    if not wanted:
        return ()
    specs = list(wanted.items())
    scanned = _scan(pipeline, [f"{name}@{spec}" for name, spec in specs])
    return tuple(
        scanned_dependency(pipeline, spec, result, report)
        for (_, spec), (result, report) in zip(specs, scanned, strict=True)
    )


def scanned_dependency(
    pipeline: Pipeline, spec: str, result: PackageResult, report: PackageReport
) -> DependencyAdded:
    """A new dependency as its parent's change lists it: its own scan, size, age and maintainers. A scan
    that failed still lists the dependency (with what the report says), never drops it."""
    packument: Packument | None = None
    side = PackageSide(report)
    if result.failure is None:
        try:
            side, packument = package_side(pipeline, result, report)
        except AirlockError:
            side = PackageSide(report)
    return side_dependency(spec, side, packument)


def side_dependency(spec: str, side: PackageSide, packument: Packument | None) -> DependencyAdded:
    """`dependency_summary` of a side already read (`package_side`), dated by its packument."""
    report = side.report
    published = packument.time.get(report.version) if packument is not None and report.version else None
    return dependency_summary(
        spec,
        PackageSide(report, side.files, maintainers=side.maintainers),
        first_published=packument.created if packument is not None else None,
        version_published=published,
    )


def diff_targets(pipeline: Pipeline, old: str, new: str) -> DiffDocument:
    """`airlock diff OLD NEW`: both targets scanned as `scan` would, compared; the dependencies NEW adds
    scanned too and counted in its change."""
    (old_result, old_report), (new_result, new_report) = _scan(pipeline, [old, new])
    for result in (old_result, new_result):
        if result.failure is not None:
            # A side that could not be analysed has no capabilities to compare: nothing honest to show.
            raise result.failure
    old_side, _ = package_side(pipeline, old_result, old_report)
    new_side, _ = package_side(pipeline, new_result, new_report)
    if old_report.name and new_report.name and old_report.name != new_report.name:
        raise UsageError(
            f"{old} is {old_report.name} and {new} is {new_report.name}: diff compares two versions of one "
            "package",
            hint="give two versions of the same package, e.g. airlock diff left-pad@1.2.0 left-pad@1.3.0",
        )
    dependencies = _dependencies(pipeline, added_dependencies(old_side, new_side))
    change = compare(old_side, new_side, dependencies)
    return DiffDocument(ordered((change,)))


__all__ = ["diff_targets", "package_side", "scanned_dependency", "side_dependency"]
