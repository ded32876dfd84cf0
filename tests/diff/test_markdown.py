"""The diff as a pull-request comment: a golden file for a fixed diff, its shape (summary table first,
collapsible details, low attention last), package text that cannot inject markup or notify anyone, and
GitHub's size limit."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from airlock.diff.markdown import COMMENT_LIMIT, code, prose, render_markdown
from airlock.diff.model import (
    Attention,
    ChangeKind,
    DependencyAdded,
    DiffDocument,
    FileChange,
    MaintainersChange,
    PackageChange,
    ScriptChange,
)
from airlock.model import Evidence, Finding, Severity, Verdict
from tests.diff.documents import BENIGN, EVENT_STREAM, NOW, TAKEOVER, sample_diff

GOLDEN = Path(__file__).with_name("golden") / "pr_comment.md"
UPDATE_ENV = "UPDATE_GOLDEN"  # not AIRLOCK_*: conftest clears those


def _html(markdown: str) -> str:
    # GitHub's renderer is GFM: CommonMark with tables, raw HTML allowed (then sanitized).
    rendered: str = MarkdownIt("commonmark").enable("table").render(markdown)
    return rendered


def test_golden_comment() -> None:
    rendered = render_markdown(sample_diff(), now=NOW)
    if os.environ.get(UPDATE_ENV) == "1":
        GOLDEN.write_text(rendered, encoding="utf-8")
        pytest.skip(f"rewrote {GOLDEN.name}")
    assert rendered == GOLDEN.read_text(encoding="utf-8"), (
        f"the comment changed: check it, then {UPDATE_ENV}=1 .venv/bin/python -m pytest "
        "tests/diff/test_markdown.py"
    )


def test_summary_table_comes_first_riskiest_first() -> None:
    rendered = render_markdown(sample_diff(), now=NOW)
    table = rendered.index("| Package | Update | Verdict |")
    assert table < rendered.index("<details>")
    rows = [line for line in rendered.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == ["event-stream", "ui-widget", "calm-pad"]
    assert "new deps `flatmap-stream` (BLOCK)" in rows[0] and "maintainers +`right9ctrl`" in rows[0]
    assert "install script `postinstall` added" in rows[1] and "`https.get`" in rows[1]
    assert "no new capability or install code" in rows[2]
    html = _html(rendered)
    assert html.index("<table>") < html.index("<details>")
    assert html.count("<tr>") == (1 + 3) + (1 + 2) + (1 + 2) + (1 + 3)  # summary, each change's files


def test_every_change_is_collapsible_and_low_attention_is_grouped_last() -> None:
    rendered = render_markdown(sample_diff(), now=NOW)
    assert rendered.count("<details>") == rendered.count("</details>") == 4
    # each <summary> sits on its own line after <details>, and a blank line lets the body render as markdown
    for match in re.finditer(r"<details>\n<summary>.*</summary>\n", rendered):
        assert rendered[match.end()] == "\n"
    group = rendered.index("1 low-attention change")
    assert rendered.index("<code>ui-widget</code>") < group < rendered.index("<code>calm-pad</code>")
    details = rendered[rendered.index("<code>event-stream</code>") :]
    for expected in (
        "`index.min.js:1` `process.env.npm_package_description`",  # a new dependency's evidence
        "first published 2018-09-09 (78 days ago)",
        "maintainers `right9ctrl`",
        "- ➕ `right9ctrl`",
        "| changed | `index.js` | +48 B, 1 line to read |",
    ):
        assert expected in details, expected
    takeover = rendered[rendered.index("<code>ui-widget</code>") : group]
    assert "`setup.js:2` `https.get('https://telemetry" in takeover
    assert "- `postinstall` added: ∅ → `node setup.js`" in takeover
    assert "- `widget` added: `∅` → `setup.js`" in takeover


def test_only_low_attention_changes_are_still_grouped() -> None:
    rendered = render_markdown(DiffDocument((BENIGN,)), now=NOW)
    assert "1 low-attention change" in rendered and rendered.count("<details>") == 2


HOSTILE = (
    "x|y`<img src=x onerror=alert(1)>`</details></summary>\n| a | b |\n@octocat #1 [a](https://e.invalid)"
)


def _hostile_diff() -> DiffDocument:
    finding = Finding(
        "zz-test",
        Severity.HIGH,
        f"quotes the package: {HOSTILE}",
        (Evidence(f"lib/{HOSTILE}.js", 3, 1, f"require('{HOSTILE}')"),),
    )
    change = PackageChange(
        f"@evil/team{HOSTILE}",
        "1.0.0",
        "1.0.1",
        Verdict.REVIEW,
        Attention.HIGH,
        900,
        capabilities_added={"child_process.exec": (Evidence(HOSTILE, 1, None, HOSTILE),)},
        findings_added=(finding,),
        scripts_changed=(ScriptChange("postinstall", ChangeKind.ADDED, None, HOSTILE),),
        dependencies_added=(
            DependencyAdded(
                f"dep{HOSTILE}", HOSTILE, HOSTILE, Verdict.ALLOW, (finding,), maintainers=(HOSTILE,)
            ),
        ),
        maintainers_changed=MaintainersChange(added=("@octocat", HOSTILE)),
        files=(FileChange(HOSTILE, ChangeKind.ADDED, None, 10, 1),),
        reasons=(HOSTILE,),
    )
    return DiffDocument((change, BENIGN), notes=(HOSTILE,))


def _outside_code(html: str) -> str:
    return re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)


def test_package_text_cannot_inject_markup_mentions_or_links() -> None:
    rendered = render_markdown(_hostile_diff(), now=NOW)
    html = _html(rendered)
    # the structure is ours: a summary table of two rows of six cells, two changes and the low group
    assert html.count("<table>") == 3  # the summary and the two changes' files
    summary = html[html.index("<table>") : html.index("</table>")]
    assert summary.count("<tr>") == 3 and summary.count("<td") == 12
    assert html.count("<details>") == html.count("</details>") == 3
    assert html.count("<summary>") == html.count("</summary>") == 3
    # no element, link or image came from the package
    assert "<img" not in html and "<a " not in html and "&lt;img src=x onerror" in html
    # mentions and issue references are processed by GitHub outside code only
    outside = _outside_code(html)
    assert not re.search(r"@\w", outside), "an @mention would notify someone"
    assert not re.search(r"#\d", outside), "a #123 reference would link an issue"
    assert "https://" not in outside
    # the text itself is still there for the reviewer to read, in code
    assert "@evil/team" in html and "@octocat" in html and "&lt;img src=x" in html


def test_code_spans_and_prose_escape_what_markdown_would_act_on() -> None:
    assert code("a`b") == "``a`b``"
    assert code("`x") == "`` `x ``"
    assert code("a|b", in_table=True) == "`a\\|b`"
    assert code("line\nbreak") == "`line\\x0abreak`"
    assert prose("*a* [b](c) <i>") == "\\*a\\* \\[b\\](c) &lt;i&gt;"
    assert prose("@x #2 http://h www.h") == "@&#8203;x #&#8203;2 http:&#8203;//h w&#8203;ww.h"


def _big_change(i: int) -> PackageChange:
    files = tuple(FileChange(f"lib/file-{n:04d}.js", ChangeKind.ADDED, None, 100, 10) for n in range(30))
    capabilities = {
        f"mod{n}.call": (Evidence(f"lib/file-{n:04d}.js", 1, None, "x" * 150),) for n in range(10)
    }
    return replace(
        EVENT_STREAM, name=f"pkg-{i:04d}", files=files, capabilities_added=capabilities, score=10_000 - i
    )


def test_a_huge_diff_fits_in_a_comment_and_says_what_it_left_out() -> None:
    document = DiffDocument(tuple(_big_change(i) for i in range(500)))
    rendered = render_markdown(document, now=NOW)
    assert len(rendered.encode("utf-16-le")) // 2 <= COMMENT_LIMIT
    assert "more changes not listed here" in rendered
    assert re.search(r"The details of \d+ more changes do not fit", rendered)
    assert rendered.index("| Package |") < rendered.index("<details>")
    assert rendered.count("<details>") == rendered.count("</details>") >= 1
    # small documents are left whole
    assert "do not fit" not in render_markdown(sample_diff(), now=NOW)


def test_an_empty_diff_says_so() -> None:
    assert render_markdown(DiffDocument(())) == "### airlock diff: no package changed\n"


def test_takeover_reason_and_verdicts_are_shown() -> None:
    rendered = render_markdown(DiffDocument((TAKEOVER,)), now=NOW)
    assert "### airlock diff: ⚠️ **REVIEW**" in rendered
    assert "the update adds install-time code (postinstall) and a risky capability (https.get)" in rendered


def test_one_noisy_change_does_not_push_the_others_out() -> None:
    findings = tuple(Finding(f"rule-{n}", Severity.LOW, "m", (Evidence("a.js", n),)) for n in range(2000))
    noisy = replace(EVENT_STREAM, findings_added=findings)
    rendered = render_markdown(DiffDocument((noisy, TAKEOVER, BENIGN)), now=NOW)
    assert "- … and 1975 more findings (all of them: `--format json`)" in rendered
    assert "do not fit" not in rendered and "<code>calm-pad</code>" in rendered
