"""Triage-first text: blocks, then reviews, each led by its reason and what to do; identical findings folded;
allowed packages last; the JSON order untouched."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from airlock.analysis.rules import all_rules, declare
from airlock.check.document import _pack
from airlock.model import AcceptedFinding, Finding, Severity, Verdict
from airlock.report.json import JsonFormat
from airlock.report.text import TextFormat
from airlock.report.triage import earliest_blocked, next_step, triage
from tests.report.samples import exfiltrating, plain, tree_document, triage_tree, young


def _text(*, verbose: bool = False) -> list[str]:
    return TextFormat().render(tree_document(triage_tree()), verbose=verbose).splitlines()


def test_tree_text_shows_blocks_then_reviews_then_a_count_of_the_rest() -> None:
    assert _text() == [
        "package-lock.json (package-lock.json v3): 8 packages",
        "note: maintainer changes: unavailable",
        "",
        "BLOCK   stealer@1.0.0  (also in stealer@1.0.1, stealer@1.1.0)",
        "        why   [critical] credential-exfiltration: stealer@1.0.0 reads ~/.npmrc and sends it to"
        " collect.example.invalid (when the package is loaded)  index.js:3:5",
        "        do    do not install: remove it or pin stealer to a version before 1.0.0;"
        " see docs/rules.md#credential-exfiltration",
        "        can   https",
        "        via   app>stealer",
        "",
        "BLOCK   stealer@2.0.0",
        "        why   [critical] credential-exfiltration: stealer@2.0.0 reads ~/.npmrc and sends it to"
        " other.example.invalid (when the package is loaded)  index.js:3:5",
        "        do    do not install: remove it or pin stealer to a version before 1.0.0;"
        " see docs/rules.md#credential-exfiltration",
        "        can   https",
        "        via   app>stealer",
        "",
        "REVIEW  fresh@2.0.0",
        "        why   [medium] young-version-changes: fresh@2.0.0 was published 2026-12-01 10:00 UTC, 1.0 days ago"
        "  package-lock.json:40",
        "        do    wait until fresh@2.0.0 has aged past the minimum release age, or stay on the previous"
        " version; see docs/rules.md#young-version-changes",
        "        via   app>fresh",
        "",
        "ALLOW   3 packages with nothing to act on (-v lists them)",
        "",
        "8 packages: 4 block, 1 review, 3 allow",
    ]


def test_verbose_lists_every_package_unfolded_with_evidence() -> None:
    lines = _text(verbose=True)
    heads = [line for line in lines if line and not line.startswith(" ")][2:]
    assert heads == [
        "BLOCK   stealer@1.0.0",
        "BLOCK   stealer@1.0.1",
        "BLOCK   stealer@1.1.0",
        "BLOCK   stealer@2.0.0",
        "REVIEW  fresh@2.0.0",
        "ALLOW   alpha@1.0.0",
        "ALLOW   beta@1.0.0",
        "ALLOW   gamma@1.0.0",
        "8 packages: 4 block, 1 review, 3 allow",
    ]
    assert any("index.js:7:1  https.request(o)" in line for line in lines)
    at = lines.index("ALLOW   alpha@1.0.0")
    assert lines[at + 1] == "        via   alpha"


def test_json_keeps_tree_order() -> None:
    packages = json.loads(JsonFormat().render(tree_document(triage_tree())))["packages"]
    assert [f"{p['name']}@{p['version']}" for p in packages] == [r.label for r in triage_tree()]


def test_folding_needs_the_same_rule_severity_and_message() -> None:
    one, two = exfiltrating("1.0.0"), exfiltrating("1.0.1")
    assert [len(e.also) for e in triage([one, two], Verdict.BLOCK)] == [1]
    louder = replace(two, findings=tuple(replace(f, severity=Severity.HIGH) for f in two.findings))
    assert [len(e.also) for e in triage([one, louder], Verdict.BLOCK)] == [0, 0]
    other = exfiltrating("1.0.1", host="elsewhere.example.invalid")
    assert [len(e.also) for e in triage([one, other], Verdict.BLOCK)] == [0, 0]
    assert [len(e.also) for e in triage([one, two], Verdict.BLOCK, fold=False)] == [0, 0]


def test_folding_spans_packages_whose_message_differs_only_by_their_own_name() -> None:
    entries = triage([young("left", "1.0.0"), young("right", "1.0.0")], Verdict.REVIEW)
    assert [(e.report.label, [r.label for r in e.also]) for e in entries] == [("left@1.0.0", ["right@1.0.0"])]
    # only a package's own name and version are taken out: naming another package keeps them apart
    mentions = replace(
        young("right", "1.0.0"),
        findings=(
            Finding(
                "young-version-changes", Severity.MEDIUM, "left@1.0.0 was published 2026-12-01 10:00 UTC"
            ),
        ),
    )
    assert len(triage([young("left", "1.0.0"), mentions], Verdict.REVIEW)) == 2


def test_long_folds_are_capped_with_a_count() -> None:
    versions = [exfiltrating(f"1.0.{n}") for n in range(15)]
    head = TextFormat().render(tree_document(versions)).splitlines()[3]
    assert head.startswith("BLOCK   stealer@1.0.0  (also in stealer@1.0.1, ")
    assert head.endswith("stealer@1.0.10 +4 more)")


def test_pin_before_the_earliest_blocked_version() -> None:
    reports = [
        exfiltrating("2.0.0"),
        exfiltrating("1.10.0"),
        exfiltrating("1.9.0"),
        plain("stealer", "0.1.0"),
    ]
    assert earliest_blocked(reports) == {"stealer": "1.9.0"}
    step = next_step(reports[0], earliest=earliest_blocked(reports))
    assert step is not None and "pin stealer to a version before 1.9.0" in step


def test_the_earliest_blocked_version_only_goes_into_pin_before() -> None:
    # A declared action's {version} is the flagged package's own: stealer@3.0.0 is the young version to
    # wait for, not the blocked 1.0.0 another entry pins before.
    reports = [exfiltrating("1.0.0"), young("stealer", "3.0.0")]
    step = next_step(reports[1], earliest=earliest_blocked(reports))
    assert step is not None and step.startswith("wait until stealer@3.0.0 has aged"), step
    critical = Finding("lockfile-integrity-mismatch", Severity.CRITICAL, "integrity differs")
    tampered = replace(exfiltrating("2.0.0"), findings=(critical,))
    step = next_step(tampered, earliest=earliest_blocked([*reports, tampered]))
    assert step is not None and "restore the lockfile entry of stealer@2.0.0 from" in step, step


def test_what_to_do_comes_from_the_declaration_or_the_verdict_default() -> None:
    declared_action = next_step(young("fresh", "2.0.0"))
    assert declared_action is not None and declared_action.startswith("wait until fresh@2.0.0 has aged")
    evidence = replace(
        young("x", "1.0.0"), findings=(Finding("install-network", Severity.HIGH, "fetches at install"),)
    )
    step = next_step(evidence)
    assert step is not None and step.startswith("read the evidence (-v); if it is expected, accept it")
    assert step.endswith('(rule = "install-network"); see docs/rules.md#install-network')
    undeclared = replace(young("x", "1.0.0"), findings=(Finding("no-such-rule", Severity.HIGH, "m"),))
    step = next_step(undeclared)
    assert step is not None and "docs/rules.md" not in step  # no section to point at
    assert next_step(plain("ok")) is None


def test_every_declared_action_formats_and_points_at_an_existing_section() -> None:
    with_action = [r for r in all_rules() if r.action]
    assert with_action, "some rules declare their own action"
    for rule in with_action:
        finding = Finding(rule.id, Severity.CRITICAL, "m")
        report = replace(exfiltrating("1.0.0"), findings=(finding,))
        step = next_step(report)
        assert step is not None and step.endswith(f"see docs/rules.md#{rule.id}"), rule.id


@pytest.mark.parametrize("action", ["remove {package}", "two\nlines", "fix {0}"])
def test_declare_rejects_actions_naming_unknown_fields(action: str) -> None:
    with pytest.raises(ValueError, match="action"):
        declare(
            "triage-test-rule",
            family="test",
            severity=Severity.LOW,
            summary="s",
            why="w",
            action=action,
        )


def test_header_parts_are_packed_into_short_lines() -> None:
    parts = ["x" * 70, "12 dev-only left out (--production)", "159 bundled inside their parents' tarballs"]
    lines = _pack(parts, 100)
    assert lines == [
        "x" * 70,
        "12 dev-only left out (--production); 159 bundled inside their parents' tarballs",
    ]
    assert _pack(["short", "also short"], 100) == ["short; also short"]


def test_accepted_findings_stay_visible_in_the_triage_view() -> None:
    accepted = AcceptedFinding(Finding("install-script", Severity.MEDIUM, "runs a script"), "we build it")
    quiet = replace(plain("beta"), accepted=(accepted,))
    lines = TextFormat().render(tree_document([plain("alpha"), quiet, plain("gamma")])).splitlines()
    assert lines[3:] == [
        "ALLOW   beta@1.0.0",
        "        accepted [medium] install-script: we build it",
        "ALLOW   2 more packages with nothing to act on (-v lists them)",
        "",
        "3 packages: 0 block, 0 review, 3 allow; 1 accepted finding",
    ]
    # a version whose finding was accepted is not folded into one whose finding was not
    one, two = exfiltrating("1.0.0"), replace(exfiltrating("1.0.1"), accepted=(accepted,))
    assert [len(e.also) for e in triage([one, two], Verdict.BLOCK)] == [0, 0]


def test_long_labels_in_a_fold_stop_near_a_line_and_count_the_rest() -> None:
    # atom's lockfile folds ten git-URL dependencies (a hundred characters each) into one entry
    versions = [exfiltrating(f"1.0.{n}-{'x' * 90}") for n in range(12)]
    head = TextFormat().render(tree_document(versions)).splitlines()[3]
    assert head.startswith("BLOCK   stealer@1.0.0-")
    assert len(head) < 400
    assert head.endswith(" +10 more)")
