"""The HTML report as text: what it holds, its order, and that attacker-chosen strings never become markup.

The same page in a real browser: tests/report/test_html_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airlock.model import Capabilities, Evidence, Finding, PackageReport, Severity, Skipped, Verdict
from airlock.report import FORMATS, HtmlFormat, ReportDocument, ReportKind, TreeInfo, get_format
from airlock.report.html import FINDING_EVIDENCE_SHOWN, _script_json
from airlock.report.text import neutralize
from tests.fakes.registry import FakeRegistry
from tests.report.samples import TOOL, allowed, as_document, blocked, ev, review, sample_reports
from tests.test_cli import run

HOSTILE = "</script><img src=x onerror=alert(1)>\u202eevil\u2028<!--"
"""Closes a script element, injects an element with a handler, reverses the text after it (bidi override),
ends a JavaScript line (U+2028) and opens an HTML comment."""
HOSTILE_ATTRIBUTE = "\"'><svg onload=alert(2)>"


def hostile_report(HOSTILE: str = HOSTILE, HOSTILE_ATTRIBUTE: str = HOSTILE_ATTRIBUTE) -> PackageReport:  # noqa: N803
    """Every package-controlled string of a report set to markup, quotes and bidi controls (or, given
    plain words, the same report without them)."""
    where = Evidence(f"{HOSTILE}.js", 3, 1, f"{HOSTILE}{HOSTILE_ATTRIBUTE}")
    return PackageReport(
        target=f"{HOSTILE}@1",
        name=f"{HOSTILE}{HOSTILE_ATTRIBUTE}",
        version="1.0.0",
        integrity=f"sha512-{HOSTILE}",
        verdict=Verdict.BLOCK,
        capabilities=Capabilities(
            builtin={f"child_process.{HOSTILE}": (where,)},
            globals={f"process.env.{HOSTILE_ATTRIBUTE}": (where,)},
            dynamic=(where,),
        ),
        findings=(
            Finding(f"rule-{HOSTILE_ATTRIBUTE}\u202e", Severity.CRITICAL, f"message {HOSTILE}", (where,)),
        ),
        install_scripts={"postinstall": f"curl {HOSTILE} | sh"},
        skipped=(Skipped(f"reason {HOSTILE}", f"{HOSTILE}.min.js"),),
        paths=(f"app>{HOSTILE}",),
    )


def check_document(reports: list[PackageReport], *, notes: tuple[str, ...] = ()) -> ReportDocument:
    """A check's document: tree header, lockfile lines, overview, notes."""
    return ReportDocument(
        kind=ReportKind.CHECK,
        tool=TOOL,
        packages=tuple(reports),
        notes=notes,
        tree=TreeInfo(
            header="package-lock.json (package-lock.json v3): 4 packages",
            lockfile="package-lock.json",
            lockfile_uri="package-lock.json",
            entry_lines=tuple(10 * (i + 1) for i in range(len(reports))),
            overview=("1 package can spawn processes: evil-pkg@1.0.0",),
        ),
    )


@dataclass
class Page(HTMLParser):
    """The page as a browser's tokenizer sees it: elements, attributes, and the raw text of scripts/styles."""

    elements: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    raw: dict[str, list[str]] = field(default_factory=dict)
    _open: str | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._open = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.raw.setdefault(self._open, []).append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def shape(self) -> list[tuple[str, tuple[str, ...]]]:
        """Element names with their attribute names: what markup an input could add or remove."""
        return [(tag, tuple(sorted(attrs))) for tag, attrs in self.elements]


def parse(page: str) -> Page:
    parsed = Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def package_order(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<details class="package \w+" id="pkg-(\d+)"', page)]


def data_block(page: str) -> dict[str, list[dict[str, object]]]:
    match = re.search(r'<script type="application/json" id="airlock-data">(.*?)</script>', page, re.S)
    assert match is not None
    loaded: dict[str, list[dict[str, object]]] = json.loads(match.group(1))
    return loaded


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_registered_as_a_format() -> None:
    assert isinstance(get_format("html"), HtmlFormat)
    assert "html" in FORMATS


def test_page_loads_nothing_and_its_policy_allows_only_its_own_script_and_style() -> None:
    page = parse(HtmlFormat().render(check_document(sample_reports())))
    for tag, attrs in page.elements:
        assert tag not in ("link", "img", "iframe", "object", "embed", "base", "form-action")
        assert "src" not in attrs, tag
        href = attrs.get("href")
        assert href is None or href.startswith("#"), (tag, href)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    (csp,) = [a["content"] for a in page.tags("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp is not None
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "'none'"
    (code,) = [text for text in page.raw["script"] if "JSON.parse" in text]
    (style,) = page.raw["style"]
    assert directives["script-src"] == sha256_source(code)
    assert directives["style-src"] == sha256_source(style)


def test_riskiest_first_then_the_given_order() -> None:
    # allowed, review (medium), blocked (critical), failed (review, high): block, then reviews by severity.
    assert package_order(HtmlFormat().render(as_document(sample_reports()))) == [2, 3, 1, 0]
    second_review = replace(review(), name="@scope/other")
    page = HtmlFormat().render(as_document([allowed(), review(), second_review, allowed()]))
    assert package_order(page) == [1, 2, 0, 3]


def test_every_finding_evidence_path_script_and_skipped_item_is_in_the_page() -> None:
    page = HtmlFormat().render(check_document(sample_reports(), notes=("signals unavailable: metadata",)))
    for report in sample_reports():
        for finding in report.findings:
            assert f'<code class="rule">{finding.rule}</code>' in page
            for e in finding.evidence:
                assert f"{e.file}:{e.line}" in page
        for path in report.paths:
            assert f'<code class="wrap">{path.replace(">", "&gt;")}</code>' in page
        for skipped in report.skipped:
            assert skipped.reason in page
    assert "JSON.stringify(process.env)" in page
    assert "node steal.js" in page
    assert "signals unavailable: metadata" in page
    assert "1 package can spawn processes: evil-pkg@1.0.0" in page
    assert "1 package was not fully analysed" in page
    assert "airlock 0.1.0 · analyzer 0.1.0+a1" in page
    assert "package-lock.json:30" in page  # blocked() is the third entry of the lockfile
    assert "(from store)" in page


def test_filter_data_names_verdicts_capabilities_and_rules() -> None:
    rows = {
        row["label"]: row for row in data_block(HtmlFormat().render(as_document(sample_reports())))["rows"]
    }
    assert rows["evil-pkg@1.0.0"] == {
        "id": "pkg-2",
        "label": "evil-pkg@1.0.0",
        "verdict": "block",
        "groups": ["install_scripts", "child_process", "network", "env"],
        "rules": ["exfiltrate-env", "hostile-snippet", "install-script-network"],
    }
    assert rows["left-pad@1.3.0"]["groups"] == ["fs"]
    assert rows["@scope/native-thing@2.0.0"]["groups"] == [
        "install_scripts",
        "fs",
        "env",
        "eval",
        "native",
        "dynamic",
        "skipped",
    ]


def test_evidence_is_capped_unless_verbose() -> None:
    many = tuple(ev("x.js", n + 1, 1, f"call{n}()") for n in range(FINDING_EVIDENCE_SHOWN + 5))
    report = replace(blocked(), findings=(Finding("r", Severity.HIGH, "m", many),))
    short = HtmlFormat().render(as_document([report]))
    assert f"call{FINDING_EVIDENCE_SHOWN - 1}()" in short
    assert f"call{FINDING_EVIDENCE_SHOWN}()" not in short
    assert "+5 more" in short
    full = HtmlFormat().render(as_document([report]), verbose=True)
    assert f"call{FINDING_EVIDENCE_SHOWN + 4}()" in full
    assert "+5 more" not in full


def test_hostile_strings_are_text_not_markup() -> None:
    page = HtmlFormat().render(check_document([hostile_report()], notes=(HOSTILE,)))
    plain = HtmlFormat().render(check_document([hostile_report("markup", "quote")], notes=("markup",)))
    assert "<img" not in page
    assert "<svg" not in page
    assert "<!--" not in page
    assert "\u202e" not in page
    assert "\u2028" not in page
    parsed = parse(page)
    assert len(parsed.tags("script")) == 2
    assert not parsed.tags("img")
    assert not parsed.tags("svg")
    assert not any(name.startswith("on") for _, attrs in parsed.elements for name in attrs)
    # Visible, escaped: the reviewer sees exactly what the package says, controls spelled out.
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;\\u202eevil\\u2028&lt;!--" in page
    # The filter data holds the name as the page shows it, and nothing that could end its element.
    (row,) = data_block(page)["rows"]
    assert row["label"] == neutralize(f"{HOSTILE}{HOSTILE_ATTRIBUTE}@1.0.0")
    assert row["rules"] == [neutralize(f"rule-{HOSTILE_ATTRIBUTE}\u202e")]
    # Same markup as a package with plain names: hostile text added no element and no attribute.
    assert parsed.shape() == parse(plain).shape()


# Any text, weighted towards markup pieces: plain st.text() almost never spells a tag.
_any_text = st.lists(
    st.sampled_from(["<script>", "</script>", "<img src=x onerror=alert(1)>", "<!--", "-->", "<a", "&amp;"])
    | st.characters(),
    max_size=12,
).map("".join)


def _page_for(texts: tuple[str, str, str, str, str, str]) -> Page:
    name, snippet, file, message, script, path = (t or "x" for t in texts)
    where = Evidence(file, 1, 1, snippet)
    report = replace(
        blocked(),
        name=name,
        target=name,
        integrity=snippet,
        capabilities=Capabilities(builtin={"fs.readFileSync": (where,)}, dynamic=(where,)),
        findings=(Finding("rule", Severity.HIGH, message, (where,)),),
        install_scripts={"postinstall": script},
        skipped=(Skipped(message, file),),
        paths=(path,),
    )
    return parse(HtmlFormat().render(check_document([report], notes=(message,))))


@settings(max_examples=60, deadline=None)
@given(texts=st.tuples(_any_text, _any_text, _any_text, _any_text, _any_text, _any_text))
def test_no_text_changes_the_markup(texts: tuple[str, str, str, str, str, str]) -> None:
    """Name, snippet, file, message, script and path: whatever they hold, the page has the same elements
    and attributes as with plain words, and the same script."""
    hostile = _page_for(texts)
    plain = _page_for(("n", "s", "f", "m", "c", "p"))
    assert hostile.shape() == plain.shape()
    assert hostile.raw["script"][-1] == plain.raw["script"][-1]


def test_script_json_cannot_leave_its_element() -> None:
    value = {"s": "</script><!-- & \u2028\u2029 <script>"}
    encoded = _script_json(value)
    assert not set(encoded) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(encoded) == value


def test_cli_writes_html_to_a_file_or_stdout(
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from tests.fakes.tarballs import build_package

    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    fake_registry.publish(
        "netty", "2.0.0", build_package("netty", "2.0.0", {"lib/a.js": "require('https').get(u)"})
    )
    target = tmp_path / "report.html"
    code, out, _ = run(
        ["scan", "netty", "--format", "html", "-o", str(target), "-j", "1"], monkeypatch, capsys
    )
    assert code == 0
    assert out == ""
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "netty@2.0.0" in page
    assert "https.get" in page
    code, out, _ = run(["scan", "netty", "-f", "html", "-j", "1"], monkeypatch, capsys)
    assert code == 0
    assert out.startswith("<!DOCTYPE html>")


def test_a_header_of_several_lines_keeps_its_lines_and_a_long_note_folds() -> None:
    items = [f"@img/sharp-linux-{n}@0.35.5 (for os linux, cpu {n})" for n in range(40)]
    note = "platform: 40 optional packages not checked: " + "; ".join(items)
    document = replace(
        check_document(sample_reports()),
        tree=TreeInfo(
            header="package-lock.json (package-lock.json v3): 4 packages\n33 for other platforms not checked",
            lockfile="package-lock.json",
            lockfile_uri="package-lock.json",
            entry_lines=(None,) * len(sample_reports()),
        ),
        notes=(note,),
    )
    page = HtmlFormat().render(document)
    assert "4 packages\n33 for other platforms" in page and "\\x0a" not in page
    folded = re.search(r"<details><summary>(.*?)</summary>(.*?)</details>", page, flags=re.S)
    assert folded is not None
    assert folded.group(1).endswith("more (expand to see them all)")
    assert "@img/sharp-linux-39@0.35.5" in folded.group(2) and "@img/sharp-linux-39" not in folded.group(1)
