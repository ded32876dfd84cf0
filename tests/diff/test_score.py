"""The review-effort score, attention and the diff's order."""

from __future__ import annotations

from airlock.diff.model import (
    Attention,
    ChangeKind,
    DependencyAdded,
    FileChange,
    MaintainersChange,
    PackageChange,
    ScriptChange,
)
from airlock.diff.score import INSTALL_LINE, SCRIPT, effort, ordered, rate, risky
from airlock.model import Evidence, Finding, Severity, Verdict


def change(name: str = "pkg", **fields: object) -> PackageChange:
    return rate(
        PackageChange(
            name=name,
            from_version="1.0.0",
            to_version="1.0.1",
            verdict=fields.pop("verdict", Verdict.ALLOW),  # type: ignore[arg-type]
            attention=Attention.LOW,
            score=0,
            **fields,  # type: ignore[arg-type]
        )
    )


def test_no_new_capability_and_no_install_code_is_low_attention() -> None:
    benign = change(files=(FileChange("lib/helper.js", ChangeKind.ADDED, None, 120, 4),))
    assert benign.attention is Attention.LOW and benign.verdict is Verdict.ALLOW
    assert benign.score == 4


def test_a_harmless_new_capability_is_medium_a_risky_one_high() -> None:
    assert change(capabilities_added={"fs.readFile": ()}).attention is Attention.MEDIUM
    assert change(capabilities_added={"child_process.spawn": ()}).attention is Attention.HIGH
    assert risky("dynamic") and risky("process.env") and not risky("fs.readFile")


def test_install_code_lines_weigh_more_than_library_lines() -> None:
    files = (FileChange("setup.js", ChangeKind.ADDED, None, 100, 10),)
    script = ScriptChange("postinstall", ChangeKind.ADDED, None, "node setup.js")
    library_only = change(files=files)
    at_install = change(files=files, scripts_changed=(script,))
    # the script's own weight, and setup.js's 10 lines counted INSTALL_LINE times instead of once
    assert at_install.score - library_only.score == SCRIPT + 10 * (INSTALL_LINE - 1)
    assert at_install.attention is Attention.HIGH


def test_install_code_with_a_risky_capability_needs_review_even_without_findings() -> None:
    script = ScriptChange("postinstall", ChangeKind.ADDED, None, "node setup.js")
    takeover = change(scripts_changed=(script,), capabilities_added={"https.get": (Evidence("setup.js", 2),)})
    assert takeover.verdict is Verdict.REVIEW
    assert takeover.reasons and "postinstall" in takeover.reasons[0]
    removed = change(scripts_changed=(ScriptChange("postinstall", ChangeKind.REMOVED, "node x.js", None),))
    assert removed.verdict is Verdict.ALLOW and removed.attention is Attention.LOW and not removed.reasons


def test_a_new_dependencys_code_and_findings_count_in_its_parent() -> None:
    payload = Finding("eval-decoded-payload", Severity.CRITICAL, "decrypts and runs a payload")
    dependency = DependencyAdded("flatmap-stream", "^0.1.0", "0.1.1", Verdict.BLOCK, (payload,), lines=12)
    parent = change(
        dependencies_added=(dependency,), maintainers_changed=MaintainersChange(added=("right9ctrl",))
    )
    assert parent.verdict is Verdict.BLOCK and parent.attention is Attention.HIGH
    assert parent.score == effort(parent) and parent.score > 1000 + 12


def test_ordered_riskiest_first() -> None:
    benign = change("benign", files=(FileChange("a.js", ChangeKind.ADDED, None, 10_000, 900),))
    script = ScriptChange("postinstall", ChangeKind.ADDED, None, "node setup.js")
    takeover = change("takeover", scripts_changed=(script,), capabilities_added={"https.get": ()})
    blocked = change("blocked", verdict=Verdict.BLOCK)
    # the benign change has more lines to read, and still comes last
    assert benign.score > takeover.score
    assert [c.name for c in ordered((benign, takeover, blocked))] == ["blocked", "takeover", "benign"]
