from __future__ import annotations

from dataclasses import replace

import pytest

from airlock.model import Capabilities, Evidence, Finding, PackageReport, Severity, Verdict
from airlock.report import ReportDocument, ReportKind, get_format
from airlock.report.text import TextFormat, capability_summary, neutralize
from airlock.report.triage import leading_finding
from tests.report.samples import (
    HOSTILE_SNIPPET,
    TOOL,
    allowed,
    as_document,
    blocked,
    failed,
    review,
    sample_reports,
)


def _plain(reports: list[PackageReport], *, verbose: bool = False, width: int = 100) -> str:
    return TextFormat(color=False, width=width).render(as_document(reports), verbose=verbose)


def _lines(text: str) -> list[str]:
    return text.splitlines()


# --- one line per package -----------------------------------------------------------------------------


def test_scan_output_puts_blocks_then_reviews_first_each_with_reason_and_what_to_do() -> None:
    # Riskiest first, in the order the HTML view uses too: the high failure before the medium review.
    text = _plain(sample_reports())
    assert _lines(text) == [
        "BLOCK   evil-pkg@1.0.0",
        "        why   [critical] exfiltrate-env: Sends the environment to a remote host.  steal.js:2:14",
        "        do    do not install: remove it or pin evil-pkg to a version before 1.0.0",
        "        more  [high] install-script-network, [info] hostile-snippet",
        "        can   child_process https  process.env  install: postinstall",
        "",
        "REVIEW  ./vendor/[red]broken[/red].tgz",
        "        why   [high] target-failed: could not read the tarball",
        "              hint: re-download it",
        "        do    fix the failure shown and run airlock again: this package was not analysed;"
        " see docs/rules.md#target-failed",
        "",
        "REVIEW  @scope/native-thing@2.0.0",
        "        why   [medium] install-script: Runs an install script.  package.json:5",
        "        do    check the signal; if it is expected, accept it in airlock.toml with an [[accept]] entry"
        ' (rule = "install-script"); see docs/rules.md#install-script',
        "        more  [low] obfuscated-code",
        "        can   fs fs/promises  eval process.env  2 dynamic  native  install: preinstall,install",
        "        via   app>@scope/native-thing",
        "        via   app>other>@scope/native-thing",
        "",
        "ALLOW   left-pad@1.3.0  fs",
        "",
        "4 packages: 1 block, 2 review, 1 allow",
    ]


def test_no_color_means_no_escape_codes() -> None:
    text = _plain(sample_reports(), verbose=True)
    assert "\x1b" not in text


def test_color_output_styles_verdicts() -> None:
    text = TextFormat(color=True, width=100).render(as_document([blocked()]))
    assert "\x1b[" in text
    assert "\x1b[1;31mBLOCK" in text  # bold red


def test_narrow_width_never_breaks_a_line() -> None:
    wide = _lines(_plain([review(), allowed()], width=1000))
    assert _lines(_plain([review(), allowed()], width=40)) == wide
    assert wide[0] == "REVIEW  @scope/native-thing@2.0.0"
    assert wide[-3] == "ALLOW   left-pad@1.3.0  fs"


def test_no_width_never_wraps_even_verbose_details() -> None:
    long = "x" * 300
    report = PackageReport(
        target="p",
        name="p",
        version="1.0.0",
        integrity=None,
        verdict=Verdict.REVIEW,
        capabilities=Capabilities(),
        findings=(Finding("install-script", Severity.MEDIUM, f"runs {long} at install"),),
        install_scripts={"postinstall": f"node {long}.js"},
        skipped=(),
    )
    text = TextFormat(width=None).render(as_document([report]), verbose=True)
    assert f"runs {long} at install" in text
    assert f"node {long}.js" in text
    assert max(len(line) for line in _lines(text)) < 400, "no padding to a huge width"


def test_summary_counts_and_grammar() -> None:
    assert _lines(_plain([]))[-1] == "0 packages: 0 block, 0 review, 0 allow"
    assert _lines(_plain([allowed()]))[-1] == "1 package: 0 block, 0 review, 1 allow"


def test_leading_finding_prefers_severity_then_order() -> None:
    low = Finding("a", Severity.LOW, "m")
    high1 = Finding("b", Severity.HIGH, "m")
    high2 = Finding("c", Severity.HIGH, "m")
    assert leading_finding([low, high1, high2]) is high1
    assert leading_finding([]) is None


def test_capability_summary_groups() -> None:
    caps = Capabilities(
        builtin={"fs.readFileSync": (), "fs.writeFile": (), "child_process.spawn": ()},
        globals={"process.env": (), "eval": ()},
        dynamic=(Evidence("a.js", 1),) * 3,
        native=True,
    )
    assert capability_summary(caps, ["postinstall"]) == [
        "child_process fs",
        "eval process.env",
        "3 dynamic",
        "native",
        "install: postinstall",
    ]
    assert capability_summary(Capabilities(), []) == []


# --- verbose ------------------------------------------------------------------------------------------


def test_verbose_shows_capability_evidence_with_a_cap() -> None:
    text = _plain([review()], verbose=True)
    fs_line = next(line for line in _lines(text) if " fs  " in line)
    assert "lib/f0.js:1, lib/f1.js:2, lib/f2.js:3 +2 more" in fs_line
    assert "lib/f3.js" not in text
    assert "process.env" in text and "lib/env.js:1:1" in text
    assert "2 unresolved" in text and "lib/load.js:9:5  require(name)" in text
    assert "native" in text and "yes" in text


def test_verbose_shows_findings_scripts_skipped_and_provenance() -> None:
    text = _plain([review()], verbose=True)
    assert "[medium] install-script" in text and "Runs an install script." in text
    assert "package.json:5" in text
    assert "preinstall" in text and "echo hi" in text and "node-gyp rebuild" in text
    assert "dist/huge.min.js" in text and "larger than the per-file cap" in text
    assert "binary file" in text
    assert "app>other>@scope/native-thing" in text
    assert "(from store)" in text
    assert "target" in text and "@scope/native-thing@^2" in text


def test_verbose_finding_lists_its_evidence() -> None:
    text = _plain([blocked()], verbose=True)
    assert "[critical] exfiltrate-env" in text
    assert "steal.js:2:14  JSON.stringify(process.env)" in text
    assert "steal.js:10:1  https.request(opts)" in text


def test_verbose_keeps_multi_line_messages_readable() -> None:
    text = _plain([failed()], verbose=True)
    assert "could not read the tarball" in text and "hint: re-download it" in text
    assert "\\x0a" not in text


def test_verbose_packages_are_separated_and_end_with_summary() -> None:
    lines = _lines(_plain([allowed(), blocked()], verbose=True))
    assert lines[-1] == "2 packages: 1 block, 0 review, 1 allow"
    assert "" in lines


# --- attacker-controlled text -------------------------------------------------------------------------


@pytest.mark.parametrize("color", [False, True])
def test_markup_in_package_strings_is_printed_literally(color: bool) -> None:
    text = TextFormat(color=color, width=100).render(as_document([failed()]), verbose=True)
    assert "[red]broken[/red]" in text


@pytest.mark.parametrize("color", [False, True])
def test_ansi_and_control_characters_are_neutralised(color: bool) -> None:
    text = TextFormat(color=color, width=200).render(as_document([blocked()]), verbose=True)
    assert "[red]pwned[/red]" in text
    assert "\\x1b[31mRED\\x1b[0m" in text
    assert "\x1b[31mRED" not in text
    assert "\u202e" not in text and "\\u202e" in text
    assert "\x9b" not in text and "\\x9b" in text
    if not color:
        assert "\x1b" not in text


def test_hostile_names_and_messages_are_neutralised() -> None:
    report = PackageReport(
        target="x",
        name="evil\x1b]0;pwned\x07",
        version="1.0.0",
        integrity=None,
        verdict=Verdict.BLOCK,
        capabilities=Capabilities(),
        findings=(
            Finding(
                "r", Severity.HIGH, "bad \x1b[2J message", (Evidence("f\x1b.js", 1, None, HOSTILE_SNIPPET),)
            ),
        ),
        install_scripts={"postinstall": "curl x | sh\x1b[8m hidden"},
        skipped=(),
    )
    text = _plain([report], verbose=True)
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\\x1b]0;pwned\\x07@1.0.0" in text
    assert "curl x | sh\\x1b[8m hidden" in text


def test_neutralize() -> None:
    assert neutralize("plain text") == "plain text"
    assert neutralize("a\x1bb") == "a\\x1bb"
    assert neutralize("a\nb") == "a\\x0ab"
    assert neutralize("a\nb", keep_newlines=True) == "a\nb"
    assert neutralize("zero\u200bwidth") == "zero\\u200bwidth"
    assert neutralize("line\u2028sep") == "line\\u2028sep"
    assert neutralize("caf\u00e9 \u2026 \u4e2d") == "caf\u00e9 \u2026 \u4e2d"


def test_registered_text_format_is_plain() -> None:
    fmt = get_format("text")
    assert isinstance(fmt, TextFormat) and fmt.color is False
    assert "\x1b" not in fmt.render(as_document(sample_reports()), verbose=True)


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "TTY_COMPATIBLE", "COLORTERM"])
def test_environment_cannot_force_color_into_plain_output(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    # The CLI decides colour from the terminal; rich's own environment overrides must not undo that.
    monkeypatch.setenv(variable, "1")
    assert "\x1b" not in _plain(sample_reports(), verbose=True)


def test_verbose_marks_prepare_as_not_run_at_a_registry_install() -> None:
    # npm runs `prepare` only for git/local dependencies and the root project, never for a registry tarball.
    report = replace(allowed(), install_scripts={"postinstall": "node i.js", "prepare": "tsc"})
    lines = _lines(_plain([report], verbose=True))
    assert any("prepare (git/local only)" in line and "tsc" in line for line in lines), lines
    assert any("postinstall" in line and "node i.js" in line and "git/local" not in line for line in lines)


def test_a_long_note_is_cut_at_an_item_and_says_how_many_more_unless_verbose() -> None:
    items = [f"@img/sharp-linux-{n}@0.35.5 (for os linux, cpu {n})" for n in range(40)]
    note = "platform: 40 optional packages not checked: " + "; ".join(items)
    document = ReportDocument(ReportKind.SCAN, TOOL, (), (note,))
    short = TextFormat().render(document)
    [line] = [line for line in short.splitlines() if line.startswith("note: ")]
    assert len(line) < 500 and line.endswith("(-v or --format json shows them all)")
    shown = line.count("@img/sharp-linux-")
    assert f"+{40 - shown} more" in line and 0 < shown < 40
    assert note in TextFormat().render(document, verbose=True)
    assert "note: short one" in TextFormat().render(ReportDocument(ReportKind.SCAN, TOOL, (), ("short one",)))
