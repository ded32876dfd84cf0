"""The inputs of a two-target diff, from the one pipeline: both versions scanned as `scan` scans them, the
files they ship (the listing stored for their bytes, else read from the verified download cache or the
local target), what the registry says about who maintains them, and a scan of every dependency the new
version adds."""

from __future__ import annotations

from collections.abc import Mapping

from airlock.contents import read_directory
from airlock.diff.compare import PackageSide, added_dependencies, compare, dependency_summary
from airlock.diff.listing import PackageListing, listing_of, stored_after_reading, stored_listing
from airlock.diff.model import DependencyAdded, DiffDocument
from airlock.diff.score import ordered
from airlock.errors import AirlockError, BadInputError, UsageError
from airlock.integrity import sri_of
from airlock.model import PackageReport
from airlock.pipeline import Pipeline
from airlock.pipeline.requests import FromDirectory, FromRegistry, FromTarball, FromUrl
from airlock.pipeline.results import PackageResult
from airlock.registry.packument import Maintainer, Packument, VersionManifest
from airlock.scan import ScanSource
from airlock.store import AnalysisStore


def _listing(pipeline: Pipeline, result: PackageResult) -> PackageListing:
    """The files the version ships: the listing stored for its bytes, else read again from where the
    pipeline got them (verified bytes) and stored for the next diff."""
    locator = result.request.locator
    label = result.request.label
    store = pipeline.store
    if isinstance(locator, FromRegistry):
        manifest = result.registry.manifest
        if manifest is None:
            return PackageListing()
        # The hash the download cache verifies the tarball against: the listing's key names those bytes.
        integrity = manifest.dist.digest().sri()
        stored = stored_listing(store, integrity)
        if stored is not None:
            return stored
        # A verified read (a damaged cache entry is removed and downloaded again): the listing is stored
        # under `integrity`, so it must be made from exactly those bytes.
        return stored_after_reading(store, integrity, pipeline.client.fetch_tarball(manifest), label)
    if isinstance(locator, FromTarball):
        try:
            data = locator.path.read_bytes()
        except OSError as exc:  # the pipeline just read it: only a file changed under us gets here
            raise BadInputError(f"cannot read {locator.path}: {exc.strerror}") from None
        return _listing_of_bytes(store, data, label)
    if isinstance(locator, FromUrl):
        return _listing_of_bytes(store, pipeline.client.fetch_url_tarball(locator.url), label)
    if isinstance(locator, FromDirectory):
        # No integrity to key a listing by, and local files are cheap to read: listed afresh each time.
        return listing_of(read_directory(locator.path))
    return PackageListing()


def _listing_of_bytes(store: AnalysisStore, data: bytes, label: str) -> PackageListing:
    # Keyed by the digest of the bytes in hand, not the one the pipeline computed: the file may have
    # changed since.
    integrity = sri_of(data)
    stored = stored_listing(store, integrity)
    return stored if stored is not None else stored_after_reading(store, integrity, data, label)


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
    listing = _listing(pipeline, result)
    dependencies, bins = dict(listing.dependencies), dict(listing.bin)
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
    return PackageSide(report, listing.files, dependencies, bins, maintainers), packument


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
    that failed, or whose files could not be read, still lists the dependency, with why (`not_analysed`)."""
    packument: Packument | None = None
    side = PackageSide(report, failure=result.failure)
    if result.failure is None:
        try:
            side, packument = package_side(pipeline, result, report)
        except AirlockError as error:
            side = PackageSide(report, failure=error)
    return side_dependency(spec, side, packument)


def side_dependency(spec: str, side: PackageSide, packument: Packument | None) -> DependencyAdded:
    """`dependency_summary` of a side already read (`package_side`), dated by its packument."""
    report = side.report
    published = packument.time.get(report.version) if packument is not None and report.version else None
    return dependency_summary(
        spec,
        PackageSide(report, side.files, maintainers=side.maintainers, failure=side.failure),
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
