"""One pipeline for every command (DESIGN.md, "The pipeline"):

    PackageSource ─► acquire ─► AnalysisExecutor.analyze ─► context ─► verdict ─► ReportDocument ─► format

`requests.py` what a source asks for · `acquire.py` verified bytes or a stored analysis (fetch threads) ·
`executor.py` the pure analysis function and the executor seam (`inprocess.py`, `processpool.py`) ·
`context.py` what the bytes cannot tell (installed name, registry manifest; a tree adds its lockfile) ·
`results.py` the frozen values stages hand each other · `run.py` the orchestration · verdicts in
`airlock.verdict`, formats in `airlock.report`.
"""

from __future__ import annotations

from airlock.pipeline.run import Pipeline, PipelineOptions, RunOutcome, exit_code

__all__ = ["Pipeline", "PipelineOptions", "RunOutcome", "exit_code"]
