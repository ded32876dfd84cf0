"""A self-contained HTML report: one file that loads nothing (inline CSS and JS, a CSP that forbids every
network load), riskiest packages first, client-side filters by verdict / capability / rule / name, a
capability matrix of the whole tree, each finding with its evidence and each package with the dependency
paths that pull it in, plus the tool, analyzer and every note and skipped item.

Every string a package controls (names, versions, paths, snippets, messages, script bodies, capability
keys) is attacker-chosen. It reaches the page only through `_text` (control and bidi characters made
visible by `neutralize`, then HTML-escaped for text and attributes alike) or through `_script_json` (JSON
inside `<script type="application/json">` with `<`, `>`, `&`, U+2028 and U+2029 escaped, which the page's
script reads with textContent + JSON.parse). The page's script never writes markup. On top of that the CSP
allows only the page's own script and style by hash, so even a markup injection could neither run code nor
load anything.

The renderer reads only `ReportDocument` and `PackageReport`; it orders its view riskiest first, as the text
view does (`triage.riskiest_first`), and keeps each package's position in the given order (`#n`), so
nothing is dropped or hidden by the order.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from airlock.lifecycle import script_label
from airlock.model import Evidence, PackageReport, Severity, Verdict
from airlock.report.document import ReportDocument
from airlock.report.summary import CAPABILITY_GROUPS as SUMMARY_GROUPS
from airlock.report.summary import WORST_FIRST, CapabilityGroup, count_verdicts
from airlock.report.text import neutralize, shorten_note, where
from airlock.report.triage import leading_finding, riskiest_first

FINDING_EVIDENCE_SHOWN = 10
"""Evidence entries per finding before "+N more" (all of them with verbose)."""
CAPABILITY_EVIDENCE_SHOWN = 3
PATHS_SHOWN = 10
LEAD_MESSAGE_MAX = 160
_ASSETS = "assets"


def _skipped(r: PackageReport) -> tuple[str, ...]:
    return tuple(f"{s.file}: {s.reason}" if s.file else s.reason for s in r.skipped)


SKIPPED = CapabilityGroup(
    "skipped", "not fully analysed", "was not fully analysed", "were not fully analysed", _skipped
)
CAPABILITY_GROUPS: tuple[CapabilityGroup, ...] = (*SUMMARY_GROUPS, SKIPPED)
"""The summary's groups, plus a column for what was not fully analysed."""


# --- escaping -----------------------------------------------------------------------------------------


def _text(value: str, *, keep_newlines: bool = False) -> str:
    """Package-controlled text for an HTML text node or a quoted attribute value."""
    return html.escape(neutralize(value, keep_newlines=keep_newlines), quote=True)


def _script_json(value: object) -> str:
    """JSON that can sit inside a <script> element: no `</script>`, `<!--`, entity or line-terminator
    tricks (ensure_ascii already escapes U+2028/U+2029; the explicit replaces keep that true if it goes)."""
    encoded = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        encoded = encoded.replace(raw, escaped)
    return encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _csp_source(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


@cache
def _asset(name: str) -> str:
    text = resources.files("airlock.report").joinpath(_ASSETS, name).read_text(encoding="utf-8")
    # The asset is inlined verbatim (its hash is in the CSP): it must not be able to close its element.
    if "</" in text:
        raise ValueError(f"report asset {name} must not contain '</'")
    return text


def content_security_policy(script: str, style: str) -> str:
    """Nothing may load (default-src 'none' covers fetch, images, fonts, frames...); only this page's own
    script and style run, by hash, so injected markup could neither execute nor load anything."""
    return (
        f"default-src 'none'; script-src {_csp_source(script)}; style-src {_csp_source(style)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


# --- rendering ----------------------------------------------------------------------------------------


def _note(note: str) -> str:
    """A note; a long one folded to its first items, the whole of it one click away."""
    short = shorten_note(note, where="expand to see them all")
    if short == note:
        return _text(note, keep_newlines=True)
    return f"<details><summary>{_text(short)}</summary>{_text(note, keep_newlines=True)}</details>"


def _more(total: int, shown: int) -> str:
    return f'<li class="more">+{total - shown} more</li>' if total > shown else ""


def _evidence_list(evidence: Sequence[Evidence], limit: int | None) -> str:
    shown = evidence if limit is None else evidence[:limit]
    items = []
    for e in shown:
        snippet = f' <code class="snippet wrap">{_text(e.snippet)}</code>' if e.snippet else ""
        items.append(f'<li><code class="where">{_text(where(e))}</code>{snippet}</li>')
    return f'<ul class="evidence">{"".join(items)}{_more(len(evidence), len(shown))}</ul>'


def _severity(severity: Severity) -> str:
    return f'<span class="sev {severity.value}">{severity.value}</span>'


def _verdict(verdict: Verdict) -> str:
    return f'<span class="verdict {verdict.value}">{verdict.value}</span>'


@dataclass(frozen=True, slots=True)
class _Row:
    index: int
    """Position in the given order (tree order for a check)."""
    report: PackageReport
    reasons: tuple[tuple[CapabilityGroup, tuple[str, ...]], ...]
    """Each capability group the package is in, with the capability keys that put it there."""
    entry: str | None
    """Where the lockfile brings the package in (`package-lock.json:42`), for a check."""

    @property
    def groups(self) -> tuple[CapabilityGroup, ...]:
        return tuple(group for group, _ in self.reasons)

    @property
    def anchor(self) -> str:
        return f"pkg-{self.index}"


class HtmlFormat:
    def render(self, document: ReportDocument, *, verbose: bool = False) -> str:
        style = _asset("report.css")
        script = _asset("report.js")
        rows = [self._row(document, i) for i in riskiest_first(document.packages)]
        in_group = Counter(g.key for row in rows for g in row.groups)
        kind = document.kind.value
        title = f"airlock {kind} report"
        if document.tree is not None:
            title += f": {document.tree.lockfile}"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(script, style)}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_text(title)}</title>",
            f"<style>{style}</style>",
            "</head>",
            "<body>",
            self._header(document, in_group, title),
            "<main>",
            self._filters(rows, in_group),
            '<section id="packages" aria-label="packages">',
            *(self._package(row, verbose=verbose) for row in rows),
            "</section>",
            self._matrix(rows, in_group),
            "</main>",
            self._footer(document),
            f'<script type="application/json" id="airlock-data">{self._data(rows)}</script>',
            f"<script>{script}</script>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"

    @staticmethod
    def _row(document: ReportDocument, index: int) -> _Row:
        report = document.packages[index]
        entry = None
        tree = document.tree
        if tree is not None and index < len(tree.entry_lines) and tree.entry_lines[index] is not None:
            entry = f"{tree.lockfile}:{tree.entry_lines[index]}"
        reasons = tuple((g, why) for g in CAPABILITY_GROUPS if (why := g.reasons(report)))
        return _Row(index, report, reasons, entry)

    @staticmethod
    def _header(document: ReportDocument, in_group: Counter[str], title: str) -> str:
        counts = count_verdicts(document.packages)
        tool = document.tool
        lines = [
            "<header>",
            f"<h1>{_text(title)}</h1>",
            f'<div class="muted">{_text(tool.name)} {_text(tool.version)} · analyzer '
            f"{_text(tool.analyzer)}</div>",
        ]
        if document.tree is not None:
            lines.append(f'<div class="mono wrap">{_text(document.tree.header, keep_newlines=True)}</div>')
        lines.append(
            '<nav><a href="#packages">packages</a> · <a href="#matrix-title">capability matrix</a></nav>'
        )
        lines.append('<div class="totals">')
        noun = "package" if len(document.packages) == 1 else "packages"
        lines.append(f'<span class="total">{len(document.packages)} {noun}</span>')
        for verdict in WORST_FIRST:
            lines.append(f'<span class="total {verdict.value}">{counts[verdict]} {verdict.value}</span>')
        lines.append("</div>")
        incomplete = in_group[SKIPPED.key]
        notes = [_note(note) for note in document.notes]
        if incomplete:
            noun = "package was" if incomplete == 1 else "packages were"
            notes.append(
                f"{incomplete} {noun} not fully analysed: see each package's <em>skipped</em> section "
                "(capability filter “not fully analysed”)."
            )
        if notes:
            items = "".join(f'<li class="wrap">{note}</li>' for note in notes)
            lines.append(f'<h2>Notes</h2><ul class="notes" id="notes">{items}</ul>')
        reach = [
            f'<button type="button" class="chip" data-group="{g.key}">{_text(g.label)} '
            f"<strong>{in_group[g.key]}</strong></button>"
            for g in CAPABILITY_GROUPS
            if in_group[g.key]
        ]
        if reach:
            lines.append(f'<div class="reach">Packages that can reach: {"".join(reach)}</div>')
        if document.tree is not None and document.tree.overview:
            items = "".join(f'<li class="wrap">{_text(line)}</li>' for line in document.tree.overview)
            lines.append(
                f'<details class="overview"><summary>What the tree can do ({len(document.tree.overview)})'
                f'</summary><ul class="notes" id="overview">{items}</ul></details>'
            )
        lines.append("</header>")
        return "\n".join(lines)

    @staticmethod
    def _filters(rows: Sequence[_Row], in_group: Counter[str]) -> str:
        capability_options = "".join(
            f'<option value="{g.key}">{_text(g.label)}</option>' for g in CAPABILITY_GROUPS if in_group[g.key]
        )
        # `_text` neutralizes as `_data` does, so an option's value equals the rule ids a row carries.
        rules = sorted({f.rule for row in rows for f in row.report.findings})
        rule_options = "".join(f'<option value="{_text(r)}">{_text(r)}</option>' for r in rules)
        verdicts = "".join(
            f'<label><input type="checkbox" name="verdict" value="{v.value}" checked> {v.value}</label>'
            for v in WORST_FIRST
        )
        return (
            '<form class="filters" id="filters" role="search" aria-label="filters">'
            f"{verdicts}"
            '<label>capability <select id="filter-capability"><option value="">any</option>'
            f"{capability_options}</select></label>"
            '<label>rule <select id="filter-rule"><option value="">any</option>'
            f"{rule_options}</select></label>"
            '<label>name <input type="search" id="filter-name" placeholder="filter by name"></label>'
            '<button type="button" id="filter-reset">reset</button>'
            '<button type="button" id="expand-all">expand all</button>'
            '<button type="button" id="collapse-all">collapse all</button>'
            f'<span id="shown-count">{len(rows)} of {len(rows)} packages shown</span>'
            "</form>"
        )

    @staticmethod
    def _package(row: _Row, *, verbose: bool) -> str:
        report = row.report
        verdict = report.verdict.value
        opened = " open" if report.verdict is not Verdict.ALLOW else ""
        summary = [_verdict(report.verdict), f'<span class="name">{_text(report.label)}</span>']
        lead = leading_finding(report.findings)
        if lead is not None:
            first_line = lead.message.split("\n", 1)[0]
            if len(first_line) > LEAD_MESSAGE_MAX:
                first_line = first_line[: LEAD_MESSAGE_MAX - 1] + "…"
            summary.append(f"{_severity(lead.severity)} <code>{_text(lead.rule)}</code>")
            summary.append(f'<span class="lead">{_text(first_line)}</span>')
            if len(report.findings) > 1:
                summary.append(f'<span class="more">+{len(report.findings) - 1} more</span>')
        summary.append(
            "<span>" + "".join(f'<span class="chip">{_text(g.label)}</span>' for g in row.groups) + "</span>"
        )
        body = [
            HtmlFormat._findings(report, verbose=verbose),
            HtmlFormat._accepted(report),
            HtmlFormat._paths(report, verbose=verbose),
            HtmlFormat._scripts(report),
            HtmlFormat._capabilities(report, verbose=verbose),
            HtmlFormat._skipped(report),
            HtmlFormat._provenance(row),
        ]
        return (
            f'<details class="package {verdict}" id="{row.anchor}"{opened}>'
            f"<summary>{' '.join(summary)}</summary>"
            f'<div class="body">{"".join(body)}</div></details>'
        )

    @staticmethod
    def _findings(report: PackageReport, *, verbose: bool) -> str:
        if not report.findings:
            return ""
        ranked = sorted(report.findings, key=lambda f: -f.severity.rank)
        limit = None if verbose else FINDING_EVIDENCE_SHOWN
        items = []
        for finding in ranked:
            evidence = _evidence_list(finding.evidence, limit) if finding.evidence else ""
            items.append(
                f'<div class="finding">{_severity(finding.severity)} <code class="rule">{_text(finding.rule)}'
                f'</code><div class="message wrap">{_text(finding.message, keep_newlines=True)}</div>'
                f"{evidence}</div>"
            )
        return f"<h3>Findings ({len(report.findings)})</h3>{''.join(items)}"

    @staticmethod
    def _accepted(report: PackageReport) -> str:
        """Findings the project accepted in airlock.toml: shown with the reason, not counted."""
        if not report.accepted:
            return ""
        items = "".join(
            f'<div class="finding accepted">{_severity(a.finding.severity)} <code class="rule">'
            f"{_text(a.finding.rule)}</code> accepted: {_text(a.reason)}"
            f"{f' (until {a.expires.isoformat()})' if a.expires else ''}"
            f'<div class="message wrap">{_text(a.finding.message, keep_newlines=True)}</div></div>'
            for a in report.accepted
        )
        return f"<h3>Accepted in airlock.toml ({len(report.accepted)}, not counted)</h3>{items}"

    @staticmethod
    def _paths(report: PackageReport, *, verbose: bool) -> str:
        if not report.paths:
            return ""
        shown = report.paths if verbose else report.paths[:PATHS_SHOWN]
        items = "".join(f'<li><code class="wrap">{_text(p)}</code></li>' for p in shown)
        return (
            f"<h3>Dependency paths ({len(report.paths)})</h3>"
            f'<ul class="paths">{items}{_more(len(report.paths), len(shown))}</ul>'
        )

    @staticmethod
    def _scripts(report: PackageReport) -> str:
        if not report.install_scripts:
            return ""
        rows = "".join(
            f"<tr><td><code>{_text(script_label(name))}</code></td>"
            f'<td><code class="wrap">{_text(command, keep_newlines=True)}</code></td></tr>'
            for name, command in report.install_scripts.items()
        )
        return f'<h3>Install scripts</h3><table class="kv">{rows}</table>'

    @staticmethod
    def _capabilities(report: PackageReport, *, verbose: bool) -> str:
        caps = report.capabilities
        limit = None if verbose else CAPABILITY_EVIDENCE_SHOWN
        rows = []
        for section, mapping in (("builtin", caps.builtin), ("globals", caps.globals)):
            for key, evidence in mapping.items():
                rows.append(
                    f'<tr><td class="muted">{section}</td><td><code class="wrap">{_text(key)}</code></td>'
                    f"<td>{_evidence_list(evidence, limit) if evidence else ''}</td></tr>"
                )
        if caps.dynamic:
            rows.append(
                f'<tr><td class="muted">dynamic</td><td>{len(caps.dynamic)} unresolved</td>'
                f"<td>{_evidence_list(caps.dynamic, limit)}</td></tr>"
            )
        if caps.native:
            rows.append('<tr><td class="muted">native</td><td>ships native code</td><td></td></tr>')
        if not rows:
            return ""
        # Folded: the findings are what a reviewer reads first; the capability list of a bundle runs long.
        return (
            f'<details class="capabilities"><summary><h3>Capabilities ({len(rows)})</h3></summary>'
            f'<table class="kv">{"".join(rows)}</table></details>'
        )

    @staticmethod
    def _skipped(report: PackageReport) -> str:
        if not report.skipped:
            return ""
        items = "".join(
            f"<li>{f'<code>{_text(s.file)}</code>: ' if s.file else ''}{_text(s.reason)}</li>"
            for s in report.skipped
        )
        return f'<h3>Skipped (not analysed)</h3><ul class="plain skipped">{items}</ul>'

    @staticmethod
    def _provenance(row: _Row) -> str:
        report = row.report
        parts = [f"#{row.index + 1} in the given order"]
        if report.target != report.label:
            parts.append(f'target <code class="wrap">{_text(report.target)}</code>')
        if row.entry is not None:
            parts.append(f"<code>{_text(row.entry)}</code>")
        if report.integrity is not None:
            stored = " (from store)" if report.from_store else ""
            parts.append(f'<code class="wrap">{_text(report.integrity)}</code>{stored}')
        return f'<p class="provenance muted">{" · ".join(parts)}</p>'

    @staticmethod
    def _matrix(rows: Sequence[_Row], in_group: Counter[str]) -> str:
        head = "".join(
            f'<th scope="col"><button type="button" data-group="{g.key}" title="show only packages with '
            f'{_text(g.label)}">{_text(g.label)}</button></th>'
            for g in CAPABILITY_GROUPS
        )
        body = []
        for row in rows:
            cells = []
            found = dict(row.reasons)
            for group in CAPABILITY_GROUPS:
                reasons = found.get(group)
                if reasons:
                    tip = _text(", ".join(reasons))
                    cells.append(f'<td class="has" data-group="{group.key}" title="{tip}">●</td>')
                else:
                    cells.append(f'<td data-group="{group.key}"></td>')
            body.append(
                f'<tr><td>{_verdict(row.report.verdict)} <a href="#{row.anchor}">{_text(row.report.label)}'
                f"</a></td>{''.join(cells)}</tr>"
            )
        totals = "".join(f'<td data-group="{g.key}">{in_group[g.key]}</td>' for g in CAPABILITY_GROUPS)
        return (
            '<h2 id="matrix-title">Capability matrix</h2>'
            '<p class="muted">Every package of the report (riskiest first) against what it can reach; hover a '
            "mark for the capabilities behind it, click a column to filter the list above.</p>"
            f'<table class="matrix" id="matrix" aria-labelledby="matrix-title"><thead><tr><th scope="col">package'
            f"</th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            f"<tfoot><tr><td>{len(rows)} packages</td>{totals}</tr></tfoot></table>"
        )

    @staticmethod
    def _footer(document: ReportDocument) -> str:
        tool = document.tool
        return (
            f"<footer>Generated by {_text(tool.name)} {_text(tool.version)} (analyzer {_text(tool.analyzer)}). "
            "Static analysis only: no package code was run. This page loads nothing from the network.</footer>"
        )

    @staticmethod
    def _data(rows: Sequence[_Row]) -> str:
        return _script_json(
            {
                "rows": [
                    {
                        "id": row.anchor,
                        "verdict": row.report.verdict.value,
                        "label": neutralize(row.report.label),
                        "groups": [g.key for g in row.groups],
                        # As the rule filter's options carry them (neutralized), so the two compare equal.
                        "rules": sorted({neutralize(f.rule) for f in row.report.findings}),
                    }
                    for row in rows
                ]
            }
        )


__all__ = ["CAPABILITY_GROUPS", "CapabilityGroup", "HtmlFormat", "content_security_policy"]
