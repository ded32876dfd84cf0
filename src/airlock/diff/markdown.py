"""The diff as a pull-request comment (the one a Dependabot or Renovate update should carry): a summary
table first, riskiest change first, then one collapsible `<details>` block per change; low-attention
changes are grouped in one block at the end.

Everything a package chose (names, paths, snippets, commands, maintainer names, finding messages that
quote them) is untrusted text in someone else's pull request. It is rendered so it can neither change the
comment's structure nor act on GitHub:
- as a code span (`code`) in markdown, or `<code>` with HTML escaping inside the HTML summaries: no
  markdown, HTML, autolink, emoji, `@mention` or `#123` reference is interpreted there;
- `|` is escaped as `\\|` in table cells (GFM applies that escape even inside code spans);
- control and invisible characters are made visible (`neutralize`), so a newline cannot end a table row
  or a block;
- free text outside code (finding messages) has markdown punctuation backslash-escaped, `<`/`&` escaped,
  and `@`, `#`, `://` and `www.` broken with a zero-width space so GitHub neither notifies a user or team
  (`@org/team` is a scoped package's name), nor links an issue, nor turns a URL into a link.

GitHub rejects a comment over 65,536 characters: details that do not fit are left out, with a note saying
how many and how to see everything.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from airlock.diff.model import Attention, ChangeKind, DependencyAdded, DiffDocument, FileChange, PackageChange
from airlock.diff.score import new_capabilities, new_install_code, risky
from airlock.model import Evidence, Finding, Verdict
from airlock.report.text import neutralize

COMMENT_LIMIT = 65_536
"""GitHub's limit on a comment's body."""
EVIDENCE_SHOWN = 3
FILES_SHOWN = 25
ITEMS_SHOWN = 25
"""Findings, capabilities or dependencies listed per change before "and N more": one noisy change must not
push every other change's details out of the comment."""
SUMMARY_ITEMS = 3
"""Items of one kind listed in a summary row before "and N more"."""
TEXT_MAX = 200
"""Longest package-chosen string shown (an install command, a path); longer ones are clipped."""

_ZWSP = "&#8203;"
_VERDICT = {Verdict.BLOCK: "⛔ **BLOCK**", Verdict.REVIEW: "⚠️ **REVIEW**", Verdict.ALLOW: "✅ allow"}
_VERDICT_HTML = {
    Verdict.BLOCK: "⛔ <b>BLOCK</b>",
    Verdict.REVIEW: "⚠️ <b>REVIEW</b>",
    Verdict.ALLOW: "✅ allow",
}
_SIGN = {ChangeKind.ADDED: "added", ChangeKind.REMOVED: "removed", ChangeKind.CHANGED: "changed"}
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~!])")
"""What can start emphasis, code, a link or an image, or split a table cell, anywhere in a line (prose never
starts a line, so list, heading and quote markers need no escape; `<` and `&` are HTML-escaped)."""
_BREAK_ACTIVE = re.compile(r"(@|#|://|www\.)", re.IGNORECASE)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _clip(text: str) -> str:
    text = neutralize(text)
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def code(text: str, *, in_table: bool = False) -> str:
    """Package text as a markdown code span: a fence longer than any backtick run inside it."""
    text = _clip(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or not text.strip() else text
    span = f"{fence}{padded}{fence}"
    return span.replace("|", "\\|") if in_table else span


def html_code(text: str) -> str:
    """Package text inside HTML (a `<summary>`): escaped, in `<code>` (mentions are not processed there)."""
    return f"<code>{html.escape(_clip(text), quote=True)}</code>"


def prose(text: str) -> str:
    """Free text that may quote a package (a finding's message), as inert markdown (see the docstring)."""
    # neutralize leaves no control character, so NUL can mark where a zero-width space goes.
    text = _BREAK_ACTIVE.sub(lambda m: m.group(0)[0] + "\x00" + m.group(0)[1:], neutralize(text))
    text = html.escape(text, quote=False)
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    return text.replace("\x00", _ZWSP)


def _size(delta: int) -> str:
    sign = "+" if delta >= 0 else "−"
    magnitude = abs(delta)
    if magnitude < 1024:
        return f"{sign}{magnitude} B"
    return f"{sign}{magnitude / 1024:.1f} kB"


def _listed(items: list[str], limit: int = SUMMARY_ITEMS) -> str:
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def _where(evidence: Evidence) -> str:
    where = code(f"{evidence.file}:{evidence.line}")
    return f"{where} {code(evidence.snippet)}" if evidence.snippet else where


def what_changed(change: PackageChange) -> str:
    """The summary row's one line: new capabilities, install scripts, new dependencies, maintainers."""
    parts: list[str] = []
    if change.not_analysed:
        # First: whatever else the row says, it is incomplete.
        parts.append(
            "**not analysed** " + _listed([code(n.label, in_table=True) for n in change.not_analysed])
        )
    capabilities = new_capabilities(change)
    if capabilities:
        ordered = sorted(capabilities, key=lambda k: (not risky(k), k))
        parts.append("new capabilities " + _listed([code(k, in_table=True) for k in ordered]))
    scripts = [f"{code(s.hook, in_table=True)} {_SIGN[s.kind]}" for s in change.scripts_changed]
    if scripts:
        parts.append("install script " + _listed(scripts))
    if change.dependencies_added:
        deps = [
            f"{code(d.name, in_table=True)} ({d.verdict.value.upper()})" for d in change.dependencies_added
        ]
        parts.append("new deps " + _listed(deps))
    maintainers = change.maintainers_changed
    if maintainers:
        people = [f"+{code(n, in_table=True)}" for n in maintainers.added]
        people += [f"−{code(n, in_table=True)}" for n in maintainers.removed]
        parts.append("maintainers " + _listed(people))
    if change.findings_added:
        parts.append(_plural(len(change.findings_added), "new finding"))
    if change.became_obfuscated:
        parts.append(f"{len(change.became_obfuscated)} file(s) became obfuscated")
    if not parts and change.files:
        delta = sum(f.size_delta for f in change.files)
        parts.append(f"{_plural(len(change.files), 'file')} ({_size(delta)})")
    if change.attention is Attention.LOW and not capabilities and not new_install_code(change):
        parts.append("no new capability or install code")
    return "; ".join(parts) or "—"


def _versions(change: PackageChange) -> str:
    return (
        f"{code(change.from_version or '∅', in_table=True)} → {code(change.to_version or '∅', in_table=True)}"
    )


def summary_table(changes: Iterable[PackageChange]) -> list[str]:
    lines = [
        "| Package | Update | Verdict | Attention | Score | What changed |",
        "|---|---|---|---|--:|---|",
    ]
    for change in changes:
        lines.append(
            f"| {code(change.name, in_table=True)} | {_versions(change)} | {_VERDICT[change.verdict]} "
            f"| {change.attention.value} | {change.score} | {what_changed(change)} |"
        )
    return lines


def _finding(finding: Finding, indent: str = "") -> Iterable[str]:
    yield f"{indent}- **{finding.severity.value}** {code(finding.rule)}: {prose(finding.message)}"
    for evidence in finding.evidence[:EVIDENCE_SHOWN]:
        yield f"{indent}  - at {_where(evidence)}"
    if len(finding.evidence) > EVIDENCE_SHOWN:
        yield f"{indent}  - … and {len(finding.evidence) - EVIDENCE_SHOWN} more places"


def _age(moment: datetime, now: datetime) -> str:
    days = max((now - moment).days, 0)  # a registry clock ahead of ours is not "-1 days ago"
    return f"{moment.date().isoformat()} ({_plural(days, 'day')} ago)"


def _dependency(dependency: DependencyAdded, now: datetime) -> Iterable[str]:
    facts = [f"{code(dependency.spec)} → {code(dependency.version or '?')}", _VERDICT[dependency.verdict]]
    if dependency.first_published is not None:
        facts.append(f"first published {_age(dependency.first_published, now)}")
    if (
        dependency.version_published is not None
        and dependency.version_published != dependency.first_published
    ):
        facts.append(f"this version {_age(dependency.version_published, now)}")
    if dependency.maintainers is not None:
        facts.append("maintainers " + (", ".join(map(code, dependency.maintainers)) or "none"))
    facts.append(_plural(dependency.lines, "line") + " of code")
    yield f"- {code(dependency.name)}: " + " · ".join(facts)
    if dependency.capabilities:
        yield "  - can: " + ", ".join(map(code, dependency.capabilities))
    for hook, command in dependency.install_scripts.items():
        yield f"  - install script {code(hook)}: {code(command)}"
    for finding in dependency.findings[:ITEMS_SHOWN]:
        yield from _finding(finding, "  ")
    yield from _more(len(dependency.findings), "findings", "  ")


def _more(total: int, what: str, indent: str = "") -> list[str]:
    hidden = total - ITEMS_SHOWN
    return [f"{indent}- … and {hidden} more {what} (all of them: `--format json`)"] if hidden > 0 else []


def _file(file: FileChange) -> str:
    lines = f", {_plural(file.lines, 'line')} to read" if file.lines else ""
    return f"| {_SIGN[file.kind]} | {code(file.path, in_table=True)} | {_size(file.size_delta)}{lines} |"


def _section(title: str, body: list[str]) -> list[str]:
    return [f"**{title}**", "", *body, ""] if body else []


def change_details(change: PackageChange, now: datetime) -> str:
    """One change as a collapsible block: the summary line says what and how bad; the body has evidence."""
    summary = (
        f"{html_code(change.name)} {html_code(change.from_version or '∅')} → "
        f"{html_code(change.to_version or '∅')} · {_VERDICT_HTML[change.verdict]} · "
        f"{change.attention.value} attention · score {change.score}"
    )
    body: list[str] = [f"- {prose(reason)}" for reason in change.reasons]
    if body:
        body.append("")
    capabilities: list[str] = []
    for key, evidence in list(change.capabilities_added.items())[:ITEMS_SHOWN]:
        capabilities.append(f"- ➕ {code(key)}" + (" (risky)" if risky(key) else ""))
        capabilities.extend(f"  - at {_where(e)}" for e in evidence[:EVIDENCE_SHOWN])
        if len(evidence) > EVIDENCE_SHOWN:
            capabilities.append(f"  - … and {len(evidence) - EVIDENCE_SHOWN} more places")
    capabilities.extend(_more(len(change.capabilities_added), "capabilities added"))
    capabilities.extend(f"- ➖ {code(key)}" for key in list(change.capabilities_removed)[:ITEMS_SHOWN])
    capabilities.extend(_more(len(change.capabilities_removed), "capabilities removed"))
    body += _section("Capabilities gained and lost", capabilities)
    findings = [line for f in change.findings_added[:ITEMS_SHOWN] for line in _finding(f)]
    findings.extend(_more(len(change.findings_added), "findings"))
    if change.findings_removed:
        gone = sorted({f.rule for f in change.findings_removed})
        findings.append("- gone: " + ", ".join(map(code, gone)))
    body += _section("Findings added", findings)
    scripts = []
    for script in change.scripts_changed:
        old = code(script.old_command) if script.old_command is not None else "∅"
        new = code(script.new_command) if script.new_command is not None else "∅"
        scripts.append(f"- {code(script.hook)} {_SIGN[script.kind]}: {old} → {new}")
    body += _section("Install scripts", scripts)
    dependencies = [line for d in change.dependencies_added[:ITEMS_SHOWN] for line in _dependency(d, now)]
    dependencies.extend(_more(len(change.dependencies_added), "dependencies added"))
    if change.dependencies_removed:
        dependencies.append("- removed: " + ", ".join(map(code, change.dependencies_removed)))
    body += _section("Dependencies added", dependencies)
    maintainers = [f"- ➕ {code(n)}" for n in change.maintainers_changed.added]
    maintainers += [f"- ➖ {code(n)}" for n in change.maintainers_changed.removed]
    body += _section("Maintainers", maintainers)
    packed = [f"- became minified: {code(p)}" for p in change.became_minified]
    packed += [f"- became obfuscated: {code(p)}" for p in change.became_obfuscated]
    body += _section("Minified or obfuscated", packed)
    bins = [
        f"- {code(b.name)} {_SIGN[b.kind]}: {code(b.old_path or '∅')} → {code(b.new_path or '∅')}"
        for b in change.bin_changes
    ]
    body += _section("`bin`", bins)
    if change.files:
        rows = ["| | File | Size |", "|---|---|--:|", *map(_file, change.files[:FILES_SHOWN])]
        if len(change.files) > FILES_SHOWN:
            rows.append(f"| | … and {len(change.files) - FILES_SHOWN} more files | |")
        body += _section(f"Files ({len(change.files)})", rows)
    if change.paths:
        body += _section("Dependency paths", [f"- {code(p)}" for p in change.paths[:FILES_SHOWN]])
    if not body:
        body = ["Nothing to show beyond the version.", ""]
    # The blank line after </summary> makes GitHub render the body as markdown.
    return "\n".join(["<details>", f"<summary>{summary}</summary>", "", *body, "</details>", ""])


def _header(document: DiffDocument) -> list[str]:
    counts = {a: sum(c.attention is a for c in document.changes) for a in Attention}
    n = len(document.changes)
    attention = ", ".join(f"{counts[a]} {a.value}" for a in (Attention.HIGH, Attention.MEDIUM, Attention.LOW))
    return [
        f"### airlock diff: {_VERDICT[document.verdict]}",
        "",
        f"{n} package change{'s' * (n != 1)}, riskiest first ({attention} attention).",
        "",
    ]


def _width(text: str) -> int:
    # GitHub counts the body's characters; UTF-16 units never undercount them (emoji are two).
    return len(text.encode("utf-16-le")) // 2


def render_markdown(
    document: DiffDocument, *, now: datetime | None = None, limit: int = COMMENT_LIMIT
) -> str:
    """The comment body. `now` dates the dependencies' ages (fixed in tests); `limit` is GitHub's."""
    now = now or datetime.now(UTC)
    if not document.changes:
        return "### airlock diff: no package changed\n"
    head = "\n".join(_header(document)) + "\n"
    notes = "".join(f"\n> {prose(note)}\n" for note in document.notes)
    reserve = 400  # room for the truncation note
    budget = limit - reserve - _width(notes)
    rows = summary_table(document.changes)
    table = rows[:2]
    for row in rows[2:]:
        if _width(head) + _width("\n".join([*table, row])) > budget // 2:
            break  # the table gets at most half: the details of the riskiest changes matter more
        table.append(row)
    out = head + "\n".join(table) + "\n"
    left_out_rows = len(rows) - len(table)
    if left_out_rows:
        out += f"\n_… and {left_out_rows} more changes not listed here._\n"
    out += "\n"
    attentive = [c for c in document.changes if c.attention is not Attention.LOW]
    quiet = [c for c in document.changes if c.attention is Attention.LOW]
    shown = 0
    for change in attentive:
        block = change_details(change, now) + "\n"
        if _width(out + block) > budget:
            break
        out += block
        shown += 1
    if quiet and shown == len(attentive):
        opening = (
            f"<details>\n<summary>{len(quiet)} low-attention change{'s' * (len(quiet) != 1)} "
            "(no new capability, no new install code)</summary>\n\n"
        )
        inner = ""
        for change in quiet:
            block = change_details(change, now) + "\n"
            if _width(out + opening + inner + block + "</details>\n") > budget:
                break
            inner += block
            shown += 1
        if inner:
            out += opening + inner + "</details>\n"
    missing = len(document.changes) - shown
    if missing:
        out += (
            f"\n_The details of {missing} more change{'s' * (missing != 1)} do not fit in a comment "
            "(GitHub's 65,536-character limit): run `airlock diff --format text` or `--format json` "
            "for all of them._\n"
        )
    return out + notes


__all__ = [
    "COMMENT_LIMIT",
    "change_details",
    "code",
    "html_code",
    "prose",
    "render_markdown",
    "summary_table",
    "what_changed",
]
