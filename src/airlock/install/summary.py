"""What `airlock ci` tells at the end: packages checked and installed, scripts ran / skipped (and why, with
the line that would accept them), network grants and unsandboxed runs (loud), or why nothing changed."""

from __future__ import annotations

import json
from typing import Any

from airlock.install.ci import CiOutcome, ScriptsOutcome
from airlock.model import Verdict


def _stop_reason(outcome: CiOutcome, fail_on: Verdict) -> str:
    reports = outcome.outcome.reports
    blocked = [r.target for r in reports if r.verdict is Verdict.BLOCK]
    parts = []
    if blocked:
        parts.append(f"{len(blocked)} blocked ({', '.join(blocked[:5])}{' …' if len(blocked) > 5 else ''})")
    if outcome.policy.violations:
        count = outcome.policy.violations
        parts.append(
            f"{count} package{'s' if count != 1 else ''} exceed{'s' if count == 1 else ''} the policy"
        )
    if fail_on is Verdict.REVIEW:
        review = sum(1 for r in reports if r.verdict is Verdict.REVIEW)
        if review:
            parts.append(f"{review} at review (--fail-on review)")
    if outcome.outcome.failures:
        parts.append(f"{len(outcome.outcome.failures)} could not be checked")
    return "; ".join(parts) or "the check did not pass"


def _scripts_lines(scripts: ScriptsOutcome, verbose: bool) -> list[str]:
    lines = []
    if scripts.unsandboxed:
        lines.append("!! UNSANDBOXED: install scripts ran with your full authority (--unsandboxed-scripts)")
    for name in scripts.network:
        lines.append(
            f"!! NETWORK: {name}'s install scripts were allowed to reach the network (--allow-network)"
        )
    if not scripts.ran:
        lines.append("scripts: none ran")
    for run in scripts.ran:
        how = "sandboxed" if run.sandboxed else "UNSANDBOXED"
        if run.network:
            how += ", with network"
        lines.append(f"ran: {run.package} {run.event} ({run.seconds:.1f} s, {how})")
        if verbose and run.output.strip():
            lines.extend(f"    {line}" for line in run.output.rstrip().splitlines())
    for skip in scripts.skipped:
        accept = f" — to allow: {skip.accepting_line}" if skip.accepting_line else ""
        lines.append(f"skipped: {skip.package}: {skip.reason}{accept}")
    return lines


def summary_text(outcome: CiOutcome, fail_on: Verdict, *, verbose: bool = False) -> str:
    checked = len(outcome.outcome.entries)
    lines = [recovery.describe() for recovery in outcome.recovered]
    lines.extend(f"removed a stale staging directory: {p.name}" for p in outcome.stale_removed)
    if outcome.install is None:
        lines.append(
            f"airlock ci: nothing installed, nothing changed — {_stop_reason(outcome, fail_on)} "
            f"(exit {int(outcome.exit_code)})"
        )
        return "\n".join(lines)
    install = outcome.install
    lines.append(
        f"airlock ci: {checked} package{'s' if checked != 1 else ''} checked, {install.installed} installed "
        f"from the verified bytes ({install.view_served} served to npm by the view, the rest from npm's "
        f"verified cache); node_modules replaced ({install.swapped.how})"
    )
    lines.append(
        f"time: check {install.check_seconds:.1f} s, npm ci {install.npm_seconds:.1f} s (in parallel)"
    )
    if outcome.scripts is not None:
        lines.extend(_scripts_lines(outcome.scripts, verbose))
    lines.extend(f"note: {n}" for n in outcome.notes)
    return "\n".join(lines)


def summary_json(outcome: CiOutcome, report: str) -> str:
    """The outcome as JSON, the check's report (schema_version 1) embedded under `report`."""
    install = outcome.install
    scripts = outcome.scripts
    document: dict[str, Any] = {
        "kind": "ci",
        "exit_code": int(outcome.exit_code),
        "changed": outcome.changed,
        "checked": len(outcome.outcome.entries),
        "installed": install.installed if install is not None else 0,
        "swap": install.swapped.how if install is not None else None,
        "stale_staging_removed": [p.name for p in outcome.stale_removed],
        "interrupted_installs": [
            {
                "staging": r.staging,
                "action": "finished" if r.swapped else "rolled back",
                "files": list(r.pending),
                "written": list(r.written),
            }
            for r in outcome.recovered
        ],
        "scripts": None
        if scripts is None
        else {
            "ran": [
                {
                    "package": r.package,
                    "event": r.event,
                    "seconds": round(r.seconds, 3),
                    "sandboxed": r.sandboxed,
                }
                for r in scripts.ran
            ],
            "skipped": [
                {"package": s.package, "reason": s.reason, "accepting_line": s.accepting_line}
                for s in scripts.skipped
            ],
            "network": list(scripts.network),
            "unsandboxed": scripts.unsandboxed,
        },
        "notes": list(outcome.notes),
        "report": json.loads(report),
    }
    return json.dumps(document, indent=2)


__all__ = ["summary_json", "summary_text"]
