"""Human-readable report for a terminal, rendered with rich.

Everything a package controls (names, file paths, snippets, script bodies, capability keys, messages that
quote them) is attacker-chosen text. It only ever reaches the console as `rich.text.Text` segments, which
rich never parses as markup, and after `neutralize`, which makes control and formatting characters (ANSI
escapes, C1 controls, bidi overrides, zero-width characters) visible instead of letting them act on the
terminal or hide text from the reviewer.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from airlock.lifecycle import script_label
from airlock.model import Capabilities, Evidence, PackageReport, Severity, Verdict
from airlock.report.document import ReportDocument
from airlock.report.summary import WORST_FIRST, count_verdicts
from airlock.report.triage import (
    TriageEntry,
    earliest_blocked,
    leading_finding,
    next_step,
    riskiest_first,
    triage,
)

VERDICT_STYLE = {Verdict.ALLOW: "bold green", Verdict.REVIEW: "bold yellow", Verdict.BLOCK: "bold red"}
SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
EVIDENCE_SHOWN = 3
"""Evidence entries shown per capability key in verbose mode before "+N more"."""
FINDING_EVIDENCE_SHOWN = 5
KEY_WIDTH_MAX = 36
LABEL_WIDTH = len("integrity")
"""Both verbose grids share the label width, so their columns line up."""

# Cc: C0/C1 controls (ESC, CSI 0x9b, BEL, CR...), Cf: format characters (bidi overrides, zero-width),
# Zl/Zp: line and paragraph separators, Cs: lone surrogates (which cannot even be encoded for output).
_NEUTRALIZED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def neutralize(text: str, *, keep_newlines: bool = False) -> str:
    """Replace control and invisible formatting characters with visible `\\xNN` / `\\uNNNN` escapes."""
    if text.isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in _NEUTRALIZED_CATEGORIES:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _plain(text: str, style: str = "", *, keep_newlines: bool = False) -> Text:
    return Text(neutralize(text, keep_newlines=keep_newlines), style=style)


def capability_summary(capabilities: Capabilities, install_scripts: Iterable[str]) -> list[str]:
    """Short groups for the one-line view: modules, globals, dynamic count, native, install scripts."""
    groups: list[str] = []
    if capabilities.modules:
        groups.append(" ".join(sorted(capabilities.modules)))
    if capabilities.globals:
        groups.append(" ".join(sorted(capabilities.globals)))
    if capabilities.dynamic:
        groups.append(f"{len(capabilities.dynamic)} dynamic")
    if capabilities.native:
        groups.append("native")
    scripts = list(install_scripts)
    if scripts:
        groups.append("install: " + ",".join(script_label(s) for s in scripts))
    return groups


def where(evidence: Evidence) -> str:
    """`file:line[:column]`, as every view names a place in a package."""
    column = f":{evidence.column}" if evidence.column is not None else ""
    return f"{evidence.file}:{evidence.line}{column}"


def _more(total: int, shown: int) -> str:
    return f"+{total - shown} more" if total > shown else ""


UNLIMITED_WIDTH = 1_000_000
"""The width used when no width is given (output piped or written to a file): lines never wrap."""
INDENT = 8
"""Where a flagged package's reason, action and details start (under its name, past the verdict)."""
ALSO_SHOWN = 10
"""Packages named in a folded entry's "(also in …)" before "+N more"."""
ALSO_CHARS = 160
"""…and no more names than fit in about this many characters (git-URL labels run to a hundred each)."""
MORE_RULES_SHOWN = 6
PATHS_SHOWN = 3
"""Dependency paths ("via") shown under a package, flagged or verbose (the JSON report has them all)."""


NOTE_CHARS_SHOWN = 400
"""Without -v a note stops near this length at an item boundary (the JSON report keeps every note whole)."""


def shorten_note(
    note: str, limit: int = NOTE_CHARS_SHOWN, *, where: str = "-v or --format json shows them all"
) -> str:
    """A long note (a list of 40 platform binaries, say) cut after its last whole "; "-separated item that
    fits, saying how many items were left out and `where` to see them."""
    if len(note) <= limit:
        return note
    cut = note.rfind("; ", 0, limit)
    if cut <= 0:
        return note
    left = note[cut + 2 :].count("; ") + 1
    return f"{note[:cut]}; … +{left} more ({where})"


def _fitting(labels: Sequence[str], limit: int) -> list[str]:
    """The first labels whose ", "-joined length stays within `limit` (always at least one)."""
    shown: list[str] = []
    length = 0
    for label in labels:
        length += len(label) + (2 if shown else 0)
        if shown and length > limit:
            break
        shown.append(label)
    return shown


class TextFormat:
    """Triage first: blocks, then reviews, each led by the finding that decided it and one line of what to
    do (`airlock.report.triage`), then what it can do and where it comes from; allowed packages last, one
    line each (a tree's only as a count unless verbose). `width=None` never wraps a line."""

    def __init__(self, *, color: bool = False, width: int | None = None) -> None:
        self.color = color
        self.width = width

    def _console(self, buffer: io.StringIO) -> Console:
        return Console(
            file=buffer,
            width=self.width or UNLIMITED_WIDTH,
            force_terminal=self.color,
            color_system="standard" if self.color else None,
            highlight=False,
            markup=False,
            emoji=False,
            legacy_windows=False,
        )

    def render(self, document: ReportDocument, *, verbose: bool = False) -> str:
        buffer = io.StringIO()
        console = self._console(buffer)
        tree = document.tree
        if tree is not None:
            for line in tree.header.splitlines():
                console.print(_plain(line, "bold"), soft_wrap=True)
        for note in document.notes:
            shown = note if verbose else shorten_note(note)
            console.print(Text.assemble(("note: ", "dim"), _plain(shown)), soft_wrap=True)
        printed = tree is not None or bool(document.notes)
        earliest = earliest_blocked(document.packages)
        ordered = [document.packages[i] for i in riskiest_first(document.packages)]
        for verdict in (Verdict.BLOCK, Verdict.REVIEW):
            for entry in triage(ordered, verdict, fold=not verbose):
                if printed:
                    console.print()
                printed = True
                self._flagged(console, entry, earliest, verbose=verbose, provenance=tree is None)
        allowed = [r for r in ordered if r.verdict is Verdict.ALLOW]
        # A tree's allowed packages are counted, not listed, unless verbose; those with accepted findings
        # are always listed (an accepted finding is never hidden).
        listed = [r for r in allowed if verbose or tree is None or r.accepted]
        for n, report in enumerate(listed):
            if printed and (verbose or n == 0):
                console.print()
            printed = True
            # soft_wrap: one package is one line, whatever the width, so the output stays greppable.
            console.print(self.summary_line(report), soft_wrap=True)
            for accepted in self.accepted_lines(report):
                console.print(accepted, soft_wrap=True)
            if verbose:
                for path in report.paths[:PATHS_SHOWN] if tree is not None else ():
                    self._field(console, "via", _plain(path))
                self._details(console, report, provenance=tree is None)
        if len(listed) < len(allowed):
            if printed and not listed:
                console.print()
            rest = len(allowed) - len(listed)
            noun = "package" if rest == 1 else "packages"
            count = Text(f"{Verdict.ALLOW.value.upper():<6}", style=VERDICT_STYLE[Verdict.ALLOW])
            count.append(f"  {rest} {'more ' if listed else ''}{noun} with nothing to act on (-v lists them)")
            console.print(count, soft_wrap=True)
        if printed:
            console.print()
        console.print(self.totals(document.packages), soft_wrap=True)
        for line in tree.overview if tree is not None else ():
            console.print(_plain(line), soft_wrap=True)
        # Grids pad cells with spaces; trailing blanks only get in the way of diffs and copy-paste.
        return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"

    def _flagged(
        self,
        console: Console,
        entry: TriageEntry,
        earliest: Mapping[str, str],
        *,
        verbose: bool,
        provenance: bool,
    ) -> None:
        """A block or review: verdict and name, why, what to do, other findings, capabilities, paths."""
        report = entry.report
        head = Text(f"{report.verdict.value.upper():<6}", style=VERDICT_STYLE[report.verdict])
        head.append("  ")
        head.append_text(_plain(report.label, "bold"))
        if entry.also:
            fitting = _fitting([r.label for r in entry.also[:ALSO_SHOWN]], ALSO_CHARS)
            names = ", ".join(fitting)
            more = _more(len(entry.also), len(fitting))
            head.append("  ")
            head.append_text(_plain(f"(also in {names}{' ' + more if more else ''})", "dim"))
        console.print(head, soft_wrap=True)
        leading = leading_finding(report.findings)
        if leading is not None:
            style = SEVERITY_STYLE[leading.severity]
            why = Text.assemble((f"[{leading.severity.value}] ", style), _plain(leading.rule, style), ": ")
            why.append_text(_plain(leading.message, keep_newlines=True))
            if leading.location is not None:
                why.append("  ")
                why.append_text(_plain(where(leading.location), "dim"))
            self._field(console, "why", why)
        step = next_step(report, earliest=earliest)
        if step is not None:
            self._field(console, "do", _plain(step))
        others = [f for f in report.findings if f is not leading]
        if others:
            shown = ", ".join(f"[{f.severity.value}] {f.rule}" for f in others[:MORE_RULES_SHOWN])
            more = _more(len(others), MORE_RULES_SHOWN)
            self._field(console, "more", _plain(shown + (f" {more}" if more else "")))
        groups = capability_summary(report.capabilities, report.install_scripts)
        if groups:
            self._field(console, "can", _plain("  ".join(groups)))
        for path in report.paths[:PATHS_SHOWN]:
            self._field(console, "via", _plain(path))
        for accepted in self.accepted_lines(report):
            console.print(accepted, soft_wrap=True)
        if verbose:
            self._details(console, report, provenance=provenance)

    @staticmethod
    def _field(console: Console, label: str, value: Text) -> None:
        """`label  value` under the package name; continuation lines of a multi-line value line up."""
        pad = " " * INDENT
        lines = value.split("\n")
        for n, line in enumerate(lines):
            prefix = Text(pad + (f"{label:<4}  " if n == 0 else " " * 6), style="dim")
            console.print(Text.assemble(prefix, line), soft_wrap=True)

    def _details(self, console: Console, report: PackageReport, *, provenance: bool) -> None:
        grids = (self.provenance(report), self.details(report)) if provenance else (self.details(report),)
        for grid in grids:
            if grid.row_count:
                # expand=False: padding to the console width would write a million blanks when unlimited.
                console.print(Padding(grid, (0, 0, 0, INDENT), expand=False))

    def summary_line(self, report: PackageReport) -> Text:
        line = Text()
        line.append(f"{report.verdict.value.upper():<6}", style=VERDICT_STYLE[report.verdict])
        line.append("  ")
        line.append_text(_plain(report.label, "bold"))
        for group in capability_summary(report.capabilities, report.install_scripts):
            line.append("  ")
            line.append_text(_plain(group))
        top = leading_finding(report.findings)
        if top is not None:
            line.append("  ")
            line.append(f"[{top.severity.value}]", style=SEVERITY_STYLE[top.severity])
            line.append(" ")
            line.append_text(_plain(top.rule, SEVERITY_STYLE[top.severity]))
            more = len(report.findings) - 1
            if more:
                line.append(f" (+{more} more)", style="dim")
        return line

    @staticmethod
    def accepted_lines(report: PackageReport) -> list[Text]:
        """One line per finding airlock.toml accepts: it no longer counts, but it is never hidden."""
        lines = []
        for accepted in report.accepted:
            finding = accepted.finding
            line = Text.assemble(
                ("        accepted ", "dim"),
                (f"[{finding.severity.value}] ", "dim"),
                _plain(finding.rule),
                ": ",
                _plain(accepted.reason),
            )
            if accepted.expires is not None:
                line.append(f" (until {accepted.expires.isoformat()})", style="dim")
            lines.append(line)
        return lines

    def provenance(self, report: PackageReport) -> Table:
        """Where the entry came from. A grid of its own: long values (an integrity) must not widen the
        key column of the details below."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True, min_width=LABEL_WIDTH)
        grid.add_column(overflow="fold")
        if report.target != report.label:
            grid.add_row("target", _plain(report.target))
        if report.integrity is not None:
            integrity = _plain(report.integrity)
            if report.from_store:
                integrity.append(" (from store)", style="dim")
            grid.add_row("integrity", integrity)
        for path in report.paths:
            grid.add_row("path", _plain(path))
        return grid

    def details(self, report: PackageReport) -> Table:
        """Capabilities with evidence, install scripts, findings, skipped: section, key, value."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True, min_width=LABEL_WIDTH)
        # Capped: a long key (capability paths and file names are package-chosen) folds instead of
        # squeezing the evidence column.
        grid.add_column(overflow="fold", max_width=KEY_WIDTH_MAX)
        grid.add_column(overflow="fold")

        caps = report.capabilities
        for section, mapping in (("builtin", caps.builtin), ("globals", caps.globals)):
            for n, (key, evidence) in enumerate(mapping.items()):
                shown = [where(e) for e in evidence[:EVIDENCE_SHOWN]]
                more = _more(len(evidence), len(shown))
                places = _plain(", ".join(shown))
                if more:
                    places.append(f" {more}", style="dim")
                grid.add_row(section if n == 0 else "", _plain(key), places)
        if caps.dynamic:
            grid.add_row("dynamic", f"{len(caps.dynamic)} unresolved", self._evidence_lines(caps.dynamic))
        if caps.native:
            grid.add_row("native", "yes", "")

        for n, (script, command) in enumerate(report.install_scripts.items()):
            grid.add_row("install" if n == 0 else "", _plain(script_label(script)), _plain(command))

        for finding in report.findings:
            style = SEVERITY_STYLE[finding.severity]
            head = Text.assemble((f"[{finding.severity.value}] ", style), _plain(finding.rule, style))
            body = _plain(finding.message, keep_newlines=True)
            if finding.evidence:
                body.append("\n")
                body.append_text(self._evidence_lines(finding.evidence, FINDING_EVIDENCE_SHOWN))
            grid.add_row("finding", head, body)

        for n, skipped in enumerate(report.skipped):
            grid.add_row("skipped" if n == 0 else "", _plain(skipped.file or "-"), _plain(skipped.reason))
        return grid

    @staticmethod
    def _evidence_lines(evidence: Sequence[Evidence], limit: int = EVIDENCE_SHOWN) -> Text:
        lines = Text()
        for n, e in enumerate(evidence[:limit]):
            if n:
                lines.append("\n")
            lines.append_text(_plain(where(e)))
            if e.snippet:
                lines.append("  ")
                lines.append_text(_plain(e.snippet, "italic"))
        more = _more(len(evidence), min(len(evidence), limit))
        if more:
            lines.append(f"\n{more}", style="dim")
        return lines

    @staticmethod
    def totals(reports: Sequence[PackageReport]) -> Text:
        """The counts `summary.verdict_counts` writes, each verdict that occurs in its colour."""
        counts = count_verdicts(reports)
        noun = "package" if len(reports) == 1 else "packages"
        line = Text(f"{len(reports)} {noun}: ")
        for n, verdict in enumerate(WORST_FIRST):
            if n:
                line.append(", ")
            count = counts[verdict]
            line.append(f"{count} {verdict.value}", style=VERDICT_STYLE[verdict] if count else "")
        accepted = sum(len(r.accepted) for r in reports)
        if accepted:
            line.append(f"; {accepted} accepted finding{'' if accepted == 1 else 's'}", style="dim")
        return line
