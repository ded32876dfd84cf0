"""`airlock scan`: targets → verified bytes → analysis → verdicts, one report entry per target, in order.

Fetching runs in threads (network-bound) and analysis in a process pool (CPU-bound) so the two overlap;
the store serves analyses of bytes seen before, keyed by (integrity, analyzer version).
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from airlock.analysis import ANALYZER_VERSION, analyze
from airlock.analysis.rules import package as package_rules
from airlock.errors import AirlockError, OperationalError, UsageError
from airlock.exit import ExitCode
from airlock.integrity import IntegrityError, parse_sri, sri_of, verify
from airlock.memory import limit_heap_growth, release_free_memory
from airlock.model import (
    EMPTY_CAPABILITIES,
    Finding,
    PackageAnalysis,
    PackageContents,
    PackageReport,
    Severity,
    Verdict,
)
from airlock.registry.cache import CacheWriteError
from airlock.registry.client import RegistryClient
from airlock.registry.packument import VersionManifest
from airlock.store import AnalysisStore
from airlock.tarball import read_directory, read_tarball
from airlock.targets import LocalDirectory, LocalTarball, RegistryTarget, parse_target
from airlock.verdict import adjust, decide

logger = logging.getLogger(__name__)

MAX_LOCAL_TARBALL_BYTES = 512 * 2**20
HEAVY_ARCHIVE_BYTES = 3 * 2**20
"""Archives at least this big (compressed) are analysed one at a time (see `Scanner.run`), unless the
registry marks them platform-specific (os/cpu): those are prebuilt binaries, which analysis barely reads."""


class Progress(Protocol):
    """Where long work reports how far it got (a rich progress bar in a terminal, nothing otherwise)."""

    def start(self, total: int) -> None: ...
    def fetched(self, label: str, size: int) -> None: ...
    def advance(self, label: str) -> None: ...
    def finish(self) -> None: ...


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def fetched(self, label: str, size: int) -> None:
        pass

    def advance(self, label: str) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class ScanOptions:
    jobs: int = os.cpu_count() or 1
    """Analysis processes; 1 analyses in this process."""
    fetch_threads: int = 8
    rule_severity: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Acquired:
    """A target whose bytes are in hand (or whose analysis the store already had)."""

    target: str
    name: str | None
    version: str | None
    integrity: str | None
    tarball: bytes | None = None
    tarball_file: str | None = None
    """A cached tarball the analysis process reads (and verifies against `integrity`) itself, so large
    archives never travel through the main process or the pool's pipes."""
    fetched_bytes: int = 0
    """Bytes downloaded for this target (0 when the cache or store had it)."""
    holds_slot: bool = False
    """Acquired through `Scanner.acquire_tarball`, which took an in-flight slot; freed when the analysis ends."""
    heavy: bool = False
    """Analysed one at a time (see `Scanner.run`): a big archive that is mostly code."""
    contents: PackageContents | None = None
    stored: PackageAnalysis | None = None


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    reports: tuple[PackageReport, ...]
    failures: tuple[AirlockError, ...]

    def exit_code(self, *, fail_on: Verdict = Verdict.BLOCK) -> ExitCode:
        """1 if anything reached `fail_on` (block beats failures), else 3/2 for failures, else 0."""
        if any(r.verdict.rank >= fail_on.rank and r.verdict is not Verdict.ALLOW for r in self.reports):
            return ExitCode.ACTION
        codes = {f.exit_code for f in self.failures}
        if ExitCode.ACTION in codes:
            return ExitCode.ACTION
        if ExitCode.OPERATIONAL in codes:
            return ExitCode.OPERATIONAL
        if ExitCode.USAGE in codes:
            return ExitCode.USAGE
        return ExitCode.OK


TRIM_AFTER_BYTES = 1 * 2**20


def analyze_archive(data: bytes, subject: str) -> PackageAnalysis:
    """Worker entry point: read a (verified) tarball safely and analyse it. Pure; runs in any process."""
    try:
        return analyze(read_tarball(data, subject=subject))
    finally:
        if len(data) >= TRIM_AFTER_BYTES:
            release_free_memory()


def analyze_tarball_file(path: str, integrity: str, subject: str) -> PackageAnalysis:
    """Worker entry point for a cached tarball: read it, verify it against `integrity`, analyse it."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise OperationalError(
            f"cannot read the cached tarball of {subject}: {error.strerror}",
            hint="`airlock cache clear` and retry",
        ) from None
    try:
        verify(data, parse_sri(integrity), subject=subject)
    except IntegrityError:
        # The registry's bytes were verified when cached; a mismatch now is the cache, not the package.
        Path(path).unlink(missing_ok=True)
        raise OperationalError(
            f"the cached tarball of {subject} no longer matches {integrity[:20]}…; it was removed",
            hint="retry: it will be downloaded again (disk corruption, or something edited the cache)",
        ) from None
    return analyze_archive(data, subject)


def analyze_contents(contents: PackageContents) -> PackageAnalysis:
    return analyze(contents)


def report_from_analysis(
    acquired: Acquired,
    analysis: PackageAnalysis,
    *,
    from_store: bool,
    rule_severity: Mapping[str, Severity],
    paths: tuple[str, ...] = (),
) -> PackageReport:
    findings = adjust(analysis.findings, rule_severity)
    return PackageReport(
        target=acquired.target,
        name=acquired.name or analysis.name,
        version=acquired.version or analysis.version,
        integrity=acquired.integrity,
        verdict=decide(findings),
        capabilities=analysis.capabilities,
        findings=findings,
        install_scripts=analysis.install_scripts,
        skipped=analysis.skipped,
        paths=paths,
        from_store=from_store,
    )


def failed_report(
    target: str,
    error: AirlockError,
    *,
    name: str | None = None,
    version: str | None = None,
    integrity: str | None = None,
) -> PackageReport:
    """A target that could not be analysed still gets an entry, with a finding saying why."""
    finding: Finding
    if isinstance(error, IntegrityError):
        finding = package_rules.INTEGRITY_MISMATCH.finding(error.message)
    else:
        finding = package_rules.TARGET_FAILED.finding(error.diagnostics())
    return PackageReport(
        target=target,
        name=name,
        version=version,
        integrity=integrity,
        verdict=Verdict.BLOCK if isinstance(error, IntegrityError) else Verdict.REVIEW,
        capabilities=EMPTY_CAPABILITIES,
        findings=(finding,),
        install_scripts={},
        skipped=(),
    )


class TargetFailedError(Exception):
    """Raised by an acquirer: the target failed, with what was known about it by then."""

    def __init__(
        self, error: AirlockError, name: str | None, version: str | None, integrity: str | None
    ) -> None:
        super().__init__(error.message)
        self.error = error
        self.name = name
        self.version = version
        self.integrity = integrity


class Scanner:
    """Runs scans. The registry client is created on first use, so local-only scans never need a network."""

    def __init__(
        self,
        *,
        client_factory: Callable[[], RegistryClient],
        store: AnalysisStore,
        options: ScanOptions = ScanOptions(),
        progress: Progress | None = None,
    ) -> None:
        self._client_factory = client_factory
        self._client: RegistryClient | None = None
        self._client_lock = threading.Lock()
        self._store = store
        self._store_lock = threading.Lock()
        self._options = options
        self._progress = progress or NoProgress()
        # Tarballs fetched but not yet analysed. They wait as cache files, so this bounds queued work (and
        # the rare in-memory fallback), not memory: deep enough that heavy archives queued for their turn
        # do not stall the downloads behind them.
        self._slots = threading.BoundedSemaphore(max(4, options.jobs * 4))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> Scanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def client(self) -> RegistryClient:
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    # ---- acquisition (threads) -----------------------------------------------------------------
    @property
    def options(self) -> ScanOptions:
        return self._options

    def stored(self, integrity: str) -> PackageAnalysis | None:
        """The store's analysis of these bytes, if any (thread-safe)."""
        with self._store_lock:
            return self._store.get(integrity, ANALYZER_VERSION)

    def acquire(self, raw: str) -> Acquired:
        name = version = integrity = None
        try:
            target = parse_target(raw)
            if isinstance(target, RegistryTarget):
                manifest = self.client.resolve(target)
                name, version = manifest.name, manifest.version
                integrity = manifest.dist.digest().sri()
                stored = self.stored(integrity)
                if stored is not None:
                    return Acquired(raw, name, version, integrity, stored=stored)
                return self.acquire_tarball(raw, manifest)
            if isinstance(target, LocalTarball):
                data = _read_local_tarball(target.path)
                integrity = sri_of(data)
                stored = self.stored(integrity)
                if stored is not None:
                    return Acquired(raw, None, None, integrity, stored=stored)
                return Acquired(
                    raw, None, None, integrity, tarball=data,
                    heavy=len(data) >= HEAVY_ARCHIVE_BYTES,
                )  # fmt: skip
            assert isinstance(target, LocalDirectory)
            return Acquired(raw, None, None, None, contents=read_directory(target.path))
        except AirlockError as error:
            raise TargetFailedError(error, name, version, integrity) from error

    # ---- the whole scan ------------------------------------------------------------------------
    def scan(self, targets: Sequence[str]) -> ScanOutcome:
        return self.run([(raw, functools.partial(self.acquire, raw)) for raw in targets])

    def acquire_tarball(self, target: str, manifest: VersionManifest) -> Acquired:
        """A registry version's tarball as a verified cache file (streamed there when missing), handed to
        analysis by path. Holds an in-flight slot until its analysis ends."""
        client = self.client
        integrity = manifest.dist.digest().sri()
        self._slots.acquire()
        try:
            try:
                path, fetched = client.fetch_tarball_file(manifest)
            except CacheWriteError as error:
                # The cache is not writable: fall back to verified bytes in memory.
                logger.warning("%s; analysing %s from memory", error.message, target)
                data = client.fetch_tarball(manifest)
                return Acquired(
                    target, manifest.name, manifest.version, integrity, tarball=data,
                    fetched_bytes=len(data), holds_slot=True,
                    heavy=len(data) >= HEAVY_ARCHIVE_BYTES and not manifest.platform_specific,
                )  # fmt: skip
        except BaseException:
            self._slots.release()
            raise
        size = path.stat().st_size
        return Acquired(
            target, manifest.name, manifest.version, integrity, tarball_file=str(path), fetched_bytes=fetched,
            holds_slot=True,
            heavy=size >= HEAVY_ARCHIVE_BYTES and not manifest.platform_specific,
        )  # fmt: skip

    def run(self, jobs: Sequence[tuple[str, Callable[[], Acquired]]]) -> ScanOutcome:
        """Acquire each job's bytes in threads and analyse them in the pool as they arrive; one report per
        job, in the order given. An acquirer signals failure by raising `TargetFailedError`."""
        targets = [label for label, _ in jobs]
        results: list[PackageReport | None] = [None] * len(targets)
        failures: list[AirlockError] = []
        progress = self._progress
        progress.start(len(targets))
        analysis_pool = self._analysis_pool(len(targets))

        def fail(
            index: int, error: AirlockError, name: str | None, version: str | None, integrity: str | None
        ) -> None:
            failures.append(error)
            results[index] = failed_report(
                targets[index], error, name=name, version=version, integrity=integrity
            )

        try:
            with ThreadPoolExecutor(
                max_workers=max(1, min(self._options.fetch_threads, len(targets)))
            ) as fetchers:
                acquisitions = {fetchers.submit(self._acquire_job, job): i for i, job in enumerate(jobs)}
                analyses: dict[Future[PackageAnalysis], tuple[int, Acquired]] = {}
                waiting: set[Future[Any]] = set(acquisitions)
                # One heavy archive analysed at a time: next and typescript each take ~0.5 GB in a worker,
                # and two at once would double the peak for little gain.
                heavy_waiting: deque[tuple[int, Acquired]] = deque()
                heavy_running = 0

                def start(index: int, acquired: Acquired) -> None:
                    nonlocal heavy_running
                    analysis_future = self._submit(analysis_pool, acquired)
                    analyses[analysis_future] = (index, acquired)
                    waiting.add(analysis_future)
                    heavy_running += acquired.heavy

                # Analysis starts as soon as each target's bytes arrive, whatever order they arrive in, and
                # finished analyses free their slot so the next tarball can be fetched.
                while waiting:
                    done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                    for future in done:
                        if future in acquisitions:
                            # pop: a finished future keeps its result (the tarball) alive while it is referenced
                            index = acquisitions.pop(future)
                            try:
                                acquired: Acquired = future.result()
                            except TargetFailedError as failed:
                                fail(index, failed.error, failed.name, failed.version, failed.integrity)
                                progress.advance(targets[index])
                                continue
                            if acquired.stored is not None:
                                results[index] = report_from_analysis(
                                    acquired,
                                    acquired.stored,
                                    from_store=True,
                                    rule_severity=self._options.rule_severity,
                                )
                                progress.advance(targets[index])
                                continue
                            if acquired.heavy and heavy_running:
                                heavy_waiting.append((index, acquired))
                            else:
                                start(index, acquired)
                            continue
                        index, acquired = analyses.pop(future)
                        if acquired.holds_slot:
                            self._slots.release()
                        if acquired.heavy:
                            heavy_running -= 1
                            if heavy_waiting:
                                start(*heavy_waiting.popleft())
                        try:
                            analysis = _analysis_result(future, acquired.target)
                        except AirlockError as error:
                            fail(index, error, acquired.name, acquired.version, acquired.integrity)
                        else:
                            if acquired.integrity is not None:
                                with self._store_lock:
                                    self._store.put(acquired.integrity, analysis)
                            results[index] = report_from_analysis(
                                acquired,
                                analysis,
                                from_store=False,
                                rule_severity=self._options.rule_severity,
                            )
                        progress.advance(acquired.target)
        finally:
            if analysis_pool is not None:
                analysis_pool.shutdown(cancel_futures=True)
            progress.finish()
        reports = tuple(r for r in results if r is not None)
        assert len(reports) == len(targets)
        return ScanOutcome(reports, tuple(failures))

    def _acquire_job(self, job: tuple[str, Callable[[], Acquired]]) -> Acquired:
        label, acquire = job
        acquired = acquire()
        if acquired.fetched_bytes:
            self._progress.fetched(label, acquired.fetched_bytes)
        return acquired

    def _analysis_pool(self, count: int) -> Executor | None:
        jobs = min(self._options.jobs, count)
        if jobs <= 1:
            return None
        # forkserver: forking a process that runs fetch threads is unsafe; spawn would re-import per worker.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["airlock.scan"])
        return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=limit_heap_growth)

    @staticmethod
    def _submit(pool: Executor | None, acquired: Acquired) -> Future[PackageAnalysis]:
        if pool is None:
            future: Future[PackageAnalysis] = Future()
            try:
                future.set_result(_analyze_acquired(acquired))
            except Exception as error:  # judged per target in _analysis_result, as a pool would
                future.set_exception(error)
            return future
        if acquired.tarball_file is not None and acquired.integrity is not None:
            return pool.submit(
                analyze_tarball_file, acquired.tarball_file, acquired.integrity, acquired.target
            )
        if acquired.tarball is not None:
            return pool.submit(analyze_archive, acquired.tarball, acquired.target)
        assert acquired.contents is not None
        return pool.submit(analyze_contents, acquired.contents)


def _analysis_result(future: Future[PackageAnalysis], target: str) -> PackageAnalysis:
    """The analysis, or an AirlockError: a crash in one package's analysis (a bug, a worker killed by the
    OOM killer) must cost that package's entry, not the whole report."""
    try:
        return future.result()
    except AirlockError:
        raise
    except Exception as error:
        raise OperationalError(
            f"analysis of {target} failed: {type(error).__name__}: {error}",
            hint="this is a bug in airlock (or the worker ran out of memory); please report it with the target",
        ) from error


def _analyze_acquired(acquired: Acquired) -> PackageAnalysis:
    if acquired.tarball_file is not None and acquired.integrity is not None:
        return analyze_tarball_file(acquired.tarball_file, acquired.integrity, acquired.target)
    if acquired.tarball is not None:
        return analyze_archive(acquired.tarball, acquired.target)
    assert acquired.contents is not None
    return analyze(acquired.contents)


def _read_local_tarball(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UsageError(
            f"no such file: {path}", hint="check the path; local tarballs are given as ./name.tgz"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_LOCAL_TARBALL_BYTES:
        raise UsageError(
            f"{path} is {size} bytes, over the {MAX_LOCAL_TARBALL_BYTES}-byte cap for a package tarball"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror}") from None


__all__ = [
    "Acquired",
    "NoProgress",
    "Progress",
    "ScanOptions",
    "ScanOutcome",
    "Scanner",
    "TargetFailedError",
    "analyze_archive",
    "failed_report",
    "report_from_analysis",
]
