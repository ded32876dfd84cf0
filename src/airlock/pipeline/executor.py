"""The analysis stage's seam: an `AnalysisExecutor` runs the pure `analyze_job` somewhere.

Jobs and results are frozen and picklable and `analyze_job` has no state, so an executor is only a choice
of where it runs: this process (`inprocess.py`), a local process pool (`processpool.py`), later a Dask
cluster — one new module implementing `AnalysisExecutor`, nothing else.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from airlock.contents import read_tarball
from airlock.errors import OperationalError
from airlock.integrity import IntegrityError, parse_sri, verify
from airlock.memory import release_free_memory
from airlock.model import PackageAnalysis, PackageContents
from airlock.patches import PatchFile, apply_patches

TRIM_AFTER_BYTES = 1 * 2**20


@dataclass(frozen=True, slots=True)
class TarballFile:
    """A cached tarball the analysing process reads and verifies against `integrity` itself, so large
    archives never travel through the main process or a pool's pipes."""

    path: str
    integrity: str
    subject: str
    patches: tuple[PatchFile, ...] = ()
    """The project's patches the package manager applies at install: applied before analysis."""


@dataclass(frozen=True, slots=True)
class TarballBytes:
    data: bytes
    subject: str
    patches: tuple[PatchFile, ...] = ()


@dataclass(frozen=True, slots=True)
class DirectoryContents:
    contents: PackageContents
    subject: str


AnalysisJob = TarballFile | TarballBytes | DirectoryContents


class CorruptCacheError(OperationalError):
    """A cached tarball failed verification when read back, and was removed: fetching it again helps."""


def analyze_job(job: AnalysisJob) -> PackageAnalysis:
    """The analysis stage: verified bytes in, `PackageAnalysis` out. Pure; runs in any process."""
    # Imported here, not with this module: it loads the parsers, which a run that analyses nothing (every
    # result stored) never needs. Worker processes have it preloaded (`processpool`).
    from airlock.analysis.analyzer import analyze

    if isinstance(job, DirectoryContents):
        return analyze(job.contents)
    data = job.data if isinstance(job, TarballBytes) else _read_verified(job)
    try:
        contents = read_tarball(data, subject=job.subject)
        return analyze(apply_patches(contents, job.patches) if job.patches else contents)
    finally:
        if len(data) >= TRIM_AFTER_BYTES:
            release_free_memory()


def _read_verified(job: TarballFile) -> bytes:
    try:
        data = Path(job.path).read_bytes()
    except OSError as error:
        raise OperationalError(
            f"cannot read the cached tarball of {job.subject}: {error.strerror}",
            hint="`airlock cache clear` and retry",
        ) from None
    try:
        verify(data, parse_sri(job.integrity), subject=job.subject)
    except IntegrityError:
        # The registry's bytes were verified when cached; a mismatch now is the cache, not the package.
        Path(job.path).unlink(missing_ok=True)
        raise CorruptCacheError(
            f"the cached tarball of {job.subject} no longer matches {job.integrity[:20]}…; it was removed",
            hint="it is downloaded again once per run; if this repeats, check the disk (or what edits "
            "the cache) and run `airlock cache clear`",
        ) from None
    return data


class AnalysisExecutor(Protocol):
    def submit(self, job: AnalysisJob) -> Future[PackageAnalysis]:
        """Start analysing `job`; the future holds the analysis or the exception it raised."""
        ...

    def close(self) -> None:
        """Stop, cancelling what has not started."""
        ...

    def abort(self) -> None:
        """Stop now (Ctrl-C): cancel what has not started and kill what is running; never waits long."""
        ...


__all__ = [
    "AnalysisExecutor",
    "AnalysisJob",
    "CorruptCacheError",
    "DirectoryContents",
    "TarballBytes",
    "TarballFile",
    "analyze_job",
]
