"""Analysis in a local process pool: CPU-bound work on every core while fetch threads keep downloading."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor

from airlock.memory import limit_heap_growth
from airlock.model import PackageAnalysis
from airlock.pipeline.executor import AnalysisJob, analyze_job


class ProcessPoolAnalysisExecutor:
    def __init__(self, workers: int) -> None:
        # forkserver: forking a process that runs fetch threads is unsafe; spawn would re-import per worker.
        context = multiprocessing.get_context("forkserver")
        # Preloaded once in the server, so every worker starts with the parsers (and the shell parser, which
        # airlock imports lazily elsewhere) already imported.
        context.set_forkserver_preload(["airlock.pipeline.executor", "bashlex"])
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=limit_heap_growth
        )

    def submit(self, job: AnalysisJob) -> Future[PackageAnalysis]:
        return self._pool.submit(analyze_job, job)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
