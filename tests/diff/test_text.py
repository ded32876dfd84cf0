"""The diff for a terminal: package-chosen text is shown, never acted on."""

from __future__ import annotations

from airlock.diff.model import Attention, ChangeKind, DiffDocument, FileChange, PackageChange
from airlock.diff.text import render_text
from airlock.model import Verdict


def test_control_characters_in_package_text_are_made_visible() -> None:
    hostile = "lib/\x1b[2Jx.js"
    change = PackageChange(
        "pkg",
        "1.0.0",
        "1.0.1",
        Verdict.ALLOW,
        Attention.LOW,
        3,
        files=(FileChange(hostile, ChangeKind.ADDED, None, 9, 3),),
    )
    out = render_text(DiffDocument((change,)), color=False)
    assert "\x1b" not in out and "lib/\\x1b[2Jx.js" in out
    assert "pkg 1.0.0 → 1.0.1  ALLOW  low attention  score 3" in out
    assert "no new capability and no new install code" in out


def test_an_empty_diff_says_so() -> None:
    assert render_text(DiffDocument(())) == "no package changed\n"
