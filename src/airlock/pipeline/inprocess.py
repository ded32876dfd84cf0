"""Analysis in the calling process (one job, `-j 1`, tests): the same pure function, no pool."""

from __future__ import annotations

from concurrent.futures import Future

from airlock.model import PackageAnalysis
from airlock.pipeline.executor import AnalysisJob, analyze_job


class InProcessExecutor:
    def submit(self, job: AnalysisJob) -> Future[PackageAnalysis]:
        future: Future[PackageAnalysis] = Future()
        try:
            future.set_result(analyze_job(job))
        except Exception as error:  # judged per package by the pipeline, as a pool's would be
            future.set_exception(error)
        return future

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass
