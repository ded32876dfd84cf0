"""The pipeline every command runs: source → acquire (threads) → analyse (executor) → context → verdict.

Fetching is network-bound and runs in threads; analysis is CPU-bound and runs in an `AnalysisExecutor`, so
the two overlap: analysis starts as soon as a package's bytes arrive, whatever order they arrive in. Each
stage hands the next a frozen value; the only shared objects are the client, the store and a semaphore.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from airlock.accept import NO_ACCEPTANCES, Acceptances
from airlock.errors import AirlockError, OperationalError
from airlock.exit import ExitCode, failure_exit_code
from airlock.model import PackageAnalysis, PackageReport, Severity, Verdict
from airlock.pipeline.acquire import Acquirer
from airlock.pipeline.context import ContextStage, PackageSource
from airlock.pipeline.executor import AnalysisExecutor, CorruptCacheError
from airlock.pipeline.failures import fold_failures
from airlock.pipeline.inprocess import InProcessExecutor
from airlock.pipeline.processpool import ProcessPoolAnalysisExecutor
from airlock.pipeline.progress import NoProgress, Progress
from airlock.pipeline.requests import PackageRequest
from airlock.pipeline.results import Acquired, Failed, PackageResult, Stored, ToAnalyse, Unanalysed
from airlock.registry.client import RegistryClient
from airlock.store import AnalysisStore
from airlock.verdict import judge


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    jobs: int = os.cpu_count() or 1
    """Analysis processes; 1 analyses in this process."""
    fetch_threads: int = 8
    rule_severity: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    acceptances: Acceptances = NO_ACCEPTANCES
    """Accepted findings (airlock.toml `[[accept]]`), applied when judging, never stored."""


ExecutorFactory = Callable[[int], AnalysisExecutor]


def local_executor(workers: int) -> AnalysisExecutor:
    """The default: in this process for one worker, a process pool otherwise."""
    return InProcessExecutor() if workers <= 1 else ProcessPoolAnalysisExecutor(workers)


@dataclass(frozen=True, slots=True)
class RunOutcome:
    results: tuple[PackageResult, ...]
    reports: tuple[PackageReport, ...]
    """Aligned with `results` (and with the source's requests)."""

    @property
    def failures(self) -> tuple[AirlockError, ...]:
        """One per cause (see `fold_failures`); each package's own failure stays in its result."""
        return fold_failures(tuple(r.failure for r in self.results if r.failure is not None))

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(sorted({note for r in self.results for note in r.registry.notes}))

    def exit_code(self, *, fail_on: Verdict = Verdict.BLOCK) -> ExitCode:
        return exit_code(self.reports, self.failures, fail_on=fail_on)


def exit_code(
    reports: tuple[PackageReport, ...], failures: tuple[AirlockError, ...], *, fail_on: Verdict
) -> ExitCode:
    """1 if anything reached `fail_on` (a block beats failures), else 3/2 for failures, else 0."""
    if any(r.verdict.rank >= fail_on.rank and r.verdict is not Verdict.ALLOW for r in reports):
        return ExitCode.ACTION
    return failure_exit_code(f.exit_code for f in failures)


class Pipeline:
    """Runs package sources through the stages with one client, store and executor per run."""

    def __init__(
        self,
        *,
        client_factory: Callable[[], RegistryClient],
        store: AnalysisStore,
        options: PipelineOptions = PipelineOptions(),
        progress: Progress | None = None,
        executor_factory: ExecutorFactory = local_executor,
    ) -> None:
        self._options = options
        self._progress = progress or NoProgress()
        self._executor_factory = executor_factory
        # Tarballs fetched but not yet analysed. They wait as cache files, so this bounds queued work (and
        # the rare in-memory fallback), not memory: deep enough that heavy archives queued for their turn
        # do not stall the downloads behind them.
        slots = threading.BoundedSemaphore(max(4, options.jobs * 4))
        self._store = store
        self._acquirer = Acquirer(client=client_factory, store=store, slots=slots)

    @property
    def options(self) -> PipelineOptions:
        return self._options

    @property
    def store(self) -> AnalysisStore:
        """The run's store, for what is derived from the same bytes after the run (the diff's listings)."""
        return self._store

    @property
    def client(self) -> RegistryClient:
        return self._acquirer.client

    def close(self) -> None:
        self._acquirer.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, source: PackageSource) -> RunOutcome:
        requests = list(source.requests())
        context = source.context
        self._acquirer.prefetch([r.integrity for r in requests if r.integrity])
        analysed = self._acquire_and_analyse(requests, context)
        results = context.finish(analysed)
        options = self._options
        reports = tuple(judge(r, options.rule_severity, options.acceptances) for r in results)
        return RunOutcome(results, reports)

    def _acquire_and_analyse(
        self, requests: list[PackageRequest], context: ContextStage
    ) -> tuple[PackageResult, ...]:
        results: list[PackageResult | None] = [None] * len(requests)
        progress = self._progress
        progress.start(len(requests))
        workers = min(self._options.jobs, max(1, len(requests)))
        executor = self._executor_factory(workers)
        acquirer = self._acquirer
        fetchers = ThreadPoolExecutor(max_workers=max(1, min(self._options.fetch_threads, len(requests))))
        finished = False
        try:
            acquisitions = {
                fetchers.submit(self._acquire, i, request, context): i for i, request in enumerate(requests)
            }
            analyses: dict[Future[PackageAnalysis], tuple[int, ToAnalyse]] = {}
            waiting: set[Future[Any]] = set(acquisitions)
            # One heavy archive analysed at a time: next and typescript each take ~0.5 GB in a worker,
            # and two at once would double the peak for little gain.
            heavy_waiting: deque[tuple[int, ToAnalyse]] = deque()
            heavy_running = 0
            refetched: set[int] = set()

            def start(index: int, acquired: ToAnalyse) -> None:
                nonlocal heavy_running
                future = executor.submit(acquired.job)
                analyses[future] = (index, acquired)
                waiting.add(future)
                heavy_running += acquired.heavy

            while waiting:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for future in done:
                    if future in acquisitions:
                        # pop: a finished future keeps its result (the tarball) alive while referenced
                        index = acquisitions.pop(future)
                        acquired: Acquired = future.result()
                        request = requests[index]
                        if isinstance(acquired, ToAnalyse):
                            if acquired.heavy and heavy_running:
                                heavy_waiting.append((index, acquired))
                            else:
                                start(index, acquired)
                            continue
                        results[index] = _settled(request, acquired)
                        progress.advance(request.label)
                        continue
                    index, to_analyse = analyses.pop(future)
                    if to_analyse.holds_slot:
                        acquirer.release()
                    if to_analyse.heavy:
                        heavy_running -= 1
                        if heavy_waiting:
                            start(*heavy_waiting.popleft())
                    request = requests[index]
                    try:
                        analysis = _analysis_result(future, request.label)
                    except CorruptCacheError as error:
                        if index in refetched:
                            results[index] = PackageResult(
                                request, to_analyse.identity, to_analyse.registry, failure=error
                            )
                            progress.advance(request.label)
                            continue
                        # The bad file is gone: downloading again verifies a fresh copy.
                        refetched.add(index)
                        again = fetchers.submit(self._fetch_again, request, to_analyse)
                        acquisitions[again] = index
                        waiting.add(again)
                        continue
                    except AirlockError as error:
                        results[index] = PackageResult(
                            request, to_analyse.identity, to_analyse.registry, failure=error
                        )
                    else:
                        key = to_analyse.store_key or to_analyse.identity.integrity
                        if key is not None:
                            acquirer.put(key, analysis)
                        results[index] = PackageResult(
                            request, to_analyse.identity, to_analyse.registry, analysis=analysis
                        )
                    progress.advance(request.label)
            finished = True
        finally:
            if finished:
                fetchers.shutdown()
                executor.close()
            else:
                # Interrupted (Ctrl-C) or broken: stop at once. Waiting would hang: fetch threads wait for
                # analysis slots nobody will free, and a worker may be minutes into one big archive.
                acquirer.cancel()
                fetchers.shutdown(wait=False, cancel_futures=True)
                executor.abort()
            progress.finish()
        settled = tuple(r for r in results if r is not None)
        assert len(settled) == len(requests)
        return settled

    def _acquire(self, index: int, request: PackageRequest, context: ContextStage) -> Acquired:
        return self._fetched(request, self._acquirer.acquire(index, request, context))

    def _fetch_again(self, request: PackageRequest, acquired: ToAnalyse) -> Acquired:
        return self._fetched(request, self._acquirer.fetch_again(request, acquired))

    def _fetched(self, request: PackageRequest, acquired: Acquired) -> Acquired:
        if isinstance(acquired, ToAnalyse) and acquired.fetched_bytes:
            self._progress.fetched(request.label, acquired.fetched_bytes)
        return acquired


def _settled(request: PackageRequest, acquired: Stored | Failed | Unanalysed) -> PackageResult:
    if isinstance(acquired, Stored):
        return PackageResult(
            request, acquired.identity, acquired.registry, analysis=acquired.analysis, from_store=True
        )
    if isinstance(acquired, Failed):
        return PackageResult(request, acquired.identity, acquired.registry, failure=acquired.error)
    return PackageResult(request, acquired.identity, acquired.registry)


def _analysis_result(future: Future[PackageAnalysis], label: str) -> PackageAnalysis:
    """The analysis, or an AirlockError: a crash in one package's analysis (a bug, a worker killed by the
    OOM killer) must cost that package's entry, not the whole report."""
    try:
        return future.result()
    except AirlockError:
        raise
    except Exception as error:
        raise OperationalError(
            f"analysis of {label} failed: {type(error).__name__}: {error}",
            hint="this is a bug in airlock (or the worker ran out of memory); please report it with the target",
        ) from error


__all__ = ["ExecutorFactory", "Pipeline", "PipelineOptions", "RunOutcome", "exit_code", "local_executor"]
