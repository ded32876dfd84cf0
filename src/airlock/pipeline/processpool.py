"""Analysis in a local process pool: CPU-bound work on every core while fetch threads keep downloading."""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import Future, ProcessPoolExecutor

from airlock.memory import limit_heap_growth
from airlock.model import PackageAnalysis
from airlock.pipeline.executor import AnalysisJob, analyze_job

_TERMINATE_WAIT = 0.5


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group; the main process decides what it means and stops the
    # workers itself, so a worker must not die mid-job with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_heap_growth()


class ProcessPoolAnalysisExecutor:
    def __init__(self, workers: int) -> None:
        self._workers = workers
        # Made on the first job: a warm run whose analyses all come from the store starts no process.
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, job: AnalysisJob) -> Future[PackageAnalysis]:
        if self._pool is None:
            # forkserver: forking a process that runs fetch threads is unsafe; spawn would re-import per
            # worker. Preloaded once in the server, so every worker starts with the parsers (and the shell
            # parser, which airlock imports lazily elsewhere) already imported.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["airlock.pipeline.executor", "bashlex"])
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=context, initializer=_start_worker
            )
        return self._pool.submit(analyze_job, job)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def abort(self) -> None:
        pool = self._pool
        if pool is None:
            return
        # Python 3.14 has ProcessPoolExecutor.terminate_workers(); before it, the processes are only
        # reachable through this private mapping. A running analysis cannot be cancelled otherwise, and
        # shutdown() would wait for it.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(_TERMINATE_WAIT)
            if process.is_alive():
                process.kill()
