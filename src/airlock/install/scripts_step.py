"""The scripts step of `airlock ci` on the sandbox seam (`install.scripts`): plan which lifecycle scripts may
run, refuse when one must and no sandbox is available, run them, and say what ran and what was skipped."""

from __future__ import annotations

from collections.abc import Callable

from airlock.install.ci import ScriptFailure, ScriptRun, ScriptsInput, ScriptSkip, ScriptsOutcome
from airlock.install.scripts import ScriptsRequest, default_sandbox, plan_scripts, run_scripts


def sandboxed_scripts_step(request: ScriptsInput, progress: Callable[[str], None] | None) -> ScriptsOutcome:
    plan = plan_scripts(
        ScriptsRequest(
            request.project,
            request.node_modules,
            request.allow_network,
            request.unsandboxed,
            request.timeout,
            manifest=request.manifest,
            policy=request.policy,
        )
    )
    skipped = tuple(
        ScriptSkip(f"{s.label} ({', '.join(s.events)})", s.reason, s.accept) for s in plan.skipped
    )
    network = tuple(f"{g.label} ({g.source})" for g in plan.network_grants)
    if not plan.needs_sandbox:
        return ScriptsOutcome(skipped=skipped, network=network)
    # Raises SandboxUnavailableError (why, and how to fix it) before any script runs: nothing changed.
    sandbox = default_sandbox(plan.request)
    summary = run_scripts(plan, sandbox, progress)
    ran = tuple(
        ScriptRun(
            r.script.label,
            r.script.event,
            r.outcome.duration,
            sandboxed=not request.unsandboxed,
            network=r.script.network,
            output=r.outcome.output,
        )
        for r in summary.ran
    )
    failed = summary.failed
    failures = (
        (ScriptFailure(failed.script.label, failed.script.event, failed.message, failed.outcome.output),)
        if failed is not None
        else ()
    )
    return ScriptsOutcome(
        ran=ran, skipped=skipped, failed=failures, network=network, unsandboxed=request.unsandboxed
    )


__all__ = ["sandboxed_scripts_step"]
