"""docs/rules.md is generated; its "How evidence adds up" section comes from the behaviour enum, the rule
declarations and the combination module, so it names every class and every classed rule."""

from __future__ import annotations

from airlock.analysis.rules import Behaviour, all_rules, combined
from airlock.analysis.rules.docs import behaviour_descriptions, render


def test_every_behaviour_class_has_a_description() -> None:
    described = behaviour_descriptions()
    assert set(described) == set(Behaviour)
    assert all(described.values())


def test_evidence_section_lists_classes_rules_and_scheme() -> None:
    text = render()
    section = text[text.index("## How evidence adds up") :]
    for behaviour in Behaviour:
        row = next(line for line in section.splitlines() if line.startswith(f"| {behaviour.value} |"))
        for rule in all_rules():
            if rule.behaviour is behaviour:
                assert f"`{rule.id}`" in row, (behaviour, rule.id)
    assert (combined.__doc__ or "").split("\n", 1)[0] in section
