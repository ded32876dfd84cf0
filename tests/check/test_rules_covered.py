"""Every lockfile and metadata rule is asserted on by name somewhere in tests/check (positive cases);
a rule added without a test fails here."""

from __future__ import annotations

from pathlib import Path

from airlock.analysis.rules import all_rules


def test_every_check_rule_is_asserted_in_these_tests() -> None:
    here = Path(__file__).parent
    text = "\n".join(p.read_text() for p in here.glob("test_*.py") if p.name != Path(__file__).name)
    rules = [r.id for r in all_rules() if r.family in {"lockfile", "metadata"}]
    assert len(rules) >= 15
    missing = [rule for rule in rules if f'"{rule}"' not in text]
    assert missing == []
