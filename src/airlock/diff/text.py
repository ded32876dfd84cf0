"""The diff for a terminal, rendered with rich: one block per change, riskiest first.

Names, paths, commands and snippets come from packages: they reach the console only as `rich.text.Text`
segments (never parsed as markup), after `neutralize` (control and invisible characters made visible)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from airlock.diff.model import Attention, ChangeKind, DependencyAdded, DiffDocument, PackageChange
from airlock.diff.score import new_capabilities
from airlock.model import Evidence, Finding
from airlock.report.text import SEVERITY_STYLE, VERDICT_STYLE, neutralize

ATTENTION_STYLE = {Attention.HIGH: "bold red", Attention.MEDIUM: "yellow", Attention.LOW: "green"}
EVIDENCE_SHOWN = 2
FILES_SHOWN = 10
_SIGN = {ChangeKind.ADDED: "+", ChangeKind.REMOVED: "-", ChangeKind.CHANGED: "~"}


def _where(evidence: Evidence) -> str:
    where = f"{neutralize(evidence.file)}:{evidence.line}"
    return f"{where}  {neutralize(evidence.snippet)}" if evidence.snippet else where


def finding_lines(finding: Finding, indent: str) -> Iterable[Text]:
    """One finding with its first evidence, for the text renderings of a diff and of `airlock install`."""
    yield Text.assemble(
        indent,
        (f"{finding.severity.value:<8}", SEVERITY_STYLE[finding.severity]),
        (f" {finding.rule}", "bold"),
        f"  {neutralize(finding.message)}",
    )
    for evidence in finding.evidence[:EVIDENCE_SHOWN]:
        yield Text(f"{indent}    at {_where(evidence)}", style="dim")


def _dependency(dependency: DependencyAdded) -> Iterable[Text]:
    facts = [f"{neutralize(dependency.spec)} → {neutralize(dependency.version or '?')}"]
    if dependency.first_published is not None:
        facts.append(f"first published {dependency.first_published.date().isoformat()}")
    if dependency.version_published is not None:
        facts.append(f"this version {dependency.version_published.date().isoformat()}")
    if dependency.maintainers is not None:
        facts.append("maintainers " + (", ".join(map(neutralize, dependency.maintainers)) or "none"))
    facts.append(f"{dependency.lines} lines of code")
    yield Text.assemble(
        "    + ",
        (neutralize(dependency.name), "bold"),
        "  ",
        (dependency.verdict.value.upper(), VERDICT_STYLE[dependency.verdict]),
        "  " + " · ".join(facts),
    )
    if dependency.capabilities:
        yield Text("        can: " + ", ".join(map(neutralize, dependency.capabilities)))
    for hook, command in dependency.install_scripts.items():
        yield Text(f"        {hook}: {neutralize(command)}", style="red")
    for finding in dependency.findings:
        yield from finding_lines(finding, "        ")


def change_lines(change: PackageChange) -> Iterable[Text]:
    yield Text.assemble(
        (neutralize(change.label), "bold"),
        "  ",
        (change.verdict.value.upper(), VERDICT_STYLE[change.verdict]),
        "  ",
        (f"{change.attention.value} attention", ATTENTION_STYLE[change.attention]),
        f"  score {change.score}",
    )
    for reason in change.reasons:
        yield Text(f"  {neutralize(reason)}", style="yellow")
    added = change.maintainers_changed.added
    removed = change.maintainers_changed.removed
    if added or removed:
        parts = [f"+{neutralize(n)}" for n in added] + [f"-{neutralize(n)}" for n in removed]
        yield Text("  maintainers: " + " ".join(parts), style="yellow")
    if change.scripts_changed:
        yield Text("  install scripts:")
        for script in change.scripts_changed:
            command = script.new_command if script.new_command is not None else script.old_command
            yield Text(f"    {_SIGN[script.kind]} {script.hook}: {neutralize(command or '')}", style="red")
    if change.dependencies_added:
        yield Text("  dependencies added:")
        for dependency in change.dependencies_added:
            yield from _dependency(dependency)
    if change.dependencies_removed:
        yield Text("  dependencies removed: " + ", ".join(map(neutralize, change.dependencies_removed)))
    if change.capabilities_added:
        yield Text("  capabilities added:")
        for key, evidence in change.capabilities_added.items():
            shown = f"  at {_where(evidence[0])}" if evidence else ""
            yield Text(f"    + {neutralize(key)}{shown}")
    if change.capabilities_removed:
        yield Text("  capabilities removed: " + ", ".join(map(neutralize, change.capabilities_removed)))
    if change.findings_added:
        yield Text("  new findings:")
        for finding in change.findings_added:
            yield from finding_lines(finding, "    ")
    if change.findings_removed:
        yield Text("  findings gone: " + ", ".join(sorted({f.rule for f in change.findings_removed})))
    for what, paths in (
        ("became minified", change.became_minified),
        ("obfuscated", change.became_obfuscated),
    ):
        if paths:
            yield Text(f"  {what}: " + ", ".join(map(neutralize, paths)), style="yellow")
    for entry in change.bin_changes:
        yield Text(
            f"  bin {_SIGN[entry.kind]} {neutralize(entry.name)}: {neutralize(entry.new_path or entry.old_path or '')}"
        )
    if change.files:
        yield Text(f"  files ({len(change.files)} changed):")
        for file in change.files[:FILES_SHOWN]:
            delta = f"{file.size_delta:+d} B"
            lines = f", {file.lines} lines to read" if file.lines else ""
            yield Text(f"    {_SIGN[file.kind]} {neutralize(file.path)}  ({delta}{lines})", style="dim")
        if len(change.files) > FILES_SHOWN:
            yield Text(f"    … and {len(change.files) - FILES_SHOWN} more", style="dim")
    if change.attention is Attention.LOW and not new_capabilities(change):
        yield Text("  no new capability and no new install code", style="green")


def render_lines(lines: Iterable[Text], *, color: bool = False, width: int | None = None) -> str:
    """Rich lines as text (ANSI styles when `color`); `width=None` never wraps a line."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width or 10_000,
        highlight=False,
        soft_wrap=width is None,
    )
    for line in lines:
        console.print(line)
    return buffer.getvalue()


def _document_lines(document: DiffDocument) -> Iterable[Text]:
    if not document.changes:
        yield Text("no package changed")
    for index, change in enumerate(document.changes):
        if index:
            yield Text("")
        yield from change_lines(change)
    for note in document.notes:
        yield Text(f"note: {neutralize(note)}", style="dim")


def render_text(document: DiffDocument, *, color: bool = False, width: int | None = None) -> str:
    return render_lines(_document_lines(document), color=color, width=width)


__all__ = ["finding_lines", "render_lines", "render_text"]
