"""What `airlock install` shows before it asks: the changes (as `airlock diff --lockfile` shows them), the
new tree's verdicts, every install script accepting would allow with what the analysis found in it, and the
policy lines accepting writes. Also the lines for a refusal (blocked, --fail-on, policy).

Names, commands and snippets come from packages: they reach the console only as `rich.text.Text`
segments, after `neutralize` (as in every text format)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text

from airlock.diff.text import change_lines, finding_lines, render_lines
from airlock.install.plan import InstallPlan, NewPackage
from airlock.model import Severity, Verdict
from airlock.policy.document import POLICY_FILENAME
from airlock.report.summary import summarize, verdict_counts
from airlock.report.text import VERDICT_STYLE, neutralize

if TYPE_CHECKING:
    from airlock.install.ci import CiOutcome

VIOLATIONS_SHOWN = 10


def _script_package(package: NewPackage, state: str) -> Iterable[Text]:
    yield Text.assemble(
        "  ",
        (neutralize(package.label), "bold"),
        "  ",
        (package.report.verdict.value.upper(), VERDICT_STYLE[package.report.verdict]),
        f"  {state}",
    )
    if package.name != package.report.name:
        yield Text(f"    allowScripts key: {neutralize(package.pattern)}", style="dim")
    for hook, command in package.scripts.items():
        yield Text(f"    {hook}: {neutralize(command)}", style="red")
    findings = package.script_findings
    if not findings:
        yield Text("    the analysis finds nothing in this install-time code", style="green")
    for finding in findings:
        yield from finding_lines(finding, "    ")


def headline(plan: InstallPlan) -> str:
    added = sum(1 for c in plan.diff.changes if c.from_version is None)
    removed = sum(1 for c in plan.diff.changes if c.to_version is None)
    updated = len(plan.diff.changes) - added - removed
    pulled = sum(len(c.dependencies_added) for c in plan.diff.changes)
    with_deps = f" (+{pulled} they pull in)" if pulled else ""
    return (
        f"airlock install: {added} to add{with_deps}, {updated} to update, {removed} to remove — resolved with "
        f"`{' '.join(plan.resolution.command)}` in a temporary copy, no script run"
    )


def plan_lines(plan: InstallPlan) -> Iterable[Text]:
    """The whole review: what changes, the new tree, the scripts and policy lines accepting records."""
    for recovery in plan.recovered:
        yield Text(neutralize(recovery.describe()), style="yellow")
    yield Text(neutralize(headline(plan)), style="bold")
    yield Text("")
    if not plan.changes_anything:
        yield Text("no package changes: package.json and the lockfile are as npm would leave them")
    for index, change in enumerate(plan.diff.changes):
        if index:
            yield Text("")
        yield from change_lines(change)
    yield Text("")
    yield Text(f"new tree: {verdict_counts(summarize(plan.outcome.reports))}")
    scripted = [p for p in plan.new_packages if p.scripts]
    if scripted:
        yield Text("")
        yield Text(
            f"install scripts of the new packages (allowed ones run in the sandbox; accepting records them in "
            f"{plan.records_in}):",
            style="bold",
        )
        for package in scripted:
            if package in plan.scripts_to_accept:
                state = f'accept: allowScripts["{neutralize(package.pattern)}"] = true'
            elif package.decision is True:
                state = "already allowed"
            else:
                state = "kept off: the policy says false"
            yield from _script_package(package, state)
    other_lines = [line for line in plan.policy_lines if line.path[0] != "allowScripts"]
    if other_lines:
        yield Text("")
        yield Text(f"grants accepting writes into {plan.records_in} for the new packages:", style="bold")
        for line in other_lines:
            yield Text(f"  {neutralize(str(line))}")
    yield from violation_lines(plan)
    yield Text("")


def violation_lines(plan: InstallPlan) -> Iterable[Text]:
    if not plan.violations:
        return
    count = len(plan.violations)
    yield Text("")
    which = (
        "package the install does not bring exceeds its"
        if count == 1
        else "packages the install does not bring exceed their"
    )
    yield Text(
        f"{count} {which} grants (`airlock policy check --update` accepts them):",
        style="yellow",
    )
    for drift in plan.violations[:VIOLATIONS_SHOWN]:
        for excess in drift.excesses:
            yield Text(f"  {neutralize(drift.name)}: {neutralize(str(excess.line))}", style="yellow")
    if count > VIOLATIONS_SHOWN:
        yield Text(f"  +{count - VIOLATIONS_SHOWN} more", style="yellow")


def refusal_lines(plan: InstallPlan) -> Iterable[Text]:
    """Why the install stops before asking: the packages at `fail_on` or worse, and the policy violations
    of packages the install does not bring (shown with the plan already)."""
    fail_on = plan.fail_on
    bad = [
        r for r in plan.outcome.reports if r.verdict is not Verdict.ALLOW and r.verdict.rank >= fail_on.rank
    ]
    for report in bad:
        yield Text.assemble(
            (f"{report.verdict.value.upper()}", VERDICT_STYLE[report.verdict]),
            "  ",
            (neutralize(f"{report.name}@{report.version}"), "bold"),
            f"  ({', '.join(map(neutralize, report.paths[:2]))})" if report.paths else "",
        )
        for finding in report.findings:
            if finding.severity.at_least(Severity.MEDIUM):
                yield from finding_lines(finding, "    ")
    failed = plan.outcome.failures
    for failure in failed:
        yield Text(f"could not check: {neutralize(failure.message)}", style="red")
    yield Text("nothing was installed and nothing changed", style="bold")


def render_plan(plan: InstallPlan, *, color: bool = False, width: int | None = None) -> str:
    return render_lines(plan_lines(plan), color=color, width=width)


def outcome_text(plan: InstallPlan, outcome: CiOutcome, *, verbose: bool = False) -> str:
    """What the install did (`airlock ci`'s summary: installed and swapped, scripts ran or skipped and why,
    network grants and unsandboxed runs), and where the accepted scripts were recorded; `verbose` adds what
    each script printed (a failing script's output is in its error already)."""
    from airlock.install.summary import summary_text

    lines = [summary_text(outcome, plan.fail_on)]
    if verbose and outcome.scripts is not None:
        for run in outcome.scripts.ran:
            printed = run.output.strip()
            lines.append(f"output of {neutralize(run.package)} {run.event}:" + ("" if printed else " (none)"))
            lines.extend(f"  {neutralize(line)}" for line in printed.splitlines())
    if outcome.install is not None:
        lines.append(f"written after the swap: {', '.join(written_files(plan))}")
        if plan.scripts_to_accept:
            recorded = ", ".join(f'"{neutralize(p.pattern)}": true' for p in plan.scripts_to_accept)
            lines.append(f"recorded in {plan.records_in}: {recorded}")
    return "\n".join(lines)


def written_files(plan: InstallPlan) -> list[str]:
    """The project files accepting writes (after the node_modules swap)."""
    files = ["package.json", plan.resolution.lockfile_name]
    return [*files, POLICY_FILENAME] if plan.policy is not None else files


def question(plan: InstallPlan) -> str:
    scripts = len(plan.scripts_to_accept)
    accept = f", allow {scripts} install script{'s' if scripts != 1 else ''}" if scripts else ""
    return f"Install{accept} and write {', '.join(written_files(plan))}?"


__all__ = ["headline", "outcome_text", "plan_lines", "question", "refusal_lines", "render_plan"]
