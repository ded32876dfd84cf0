"""The rule registry: every family module is listed once, every rule belongs to one listed family, and
`evaluate` runs every evaluated family, in registry order, then the combining families on their findings."""

from __future__ import annotations

import pkgutil
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import cast

import pytest

import airlock.analysis.rules
from airlock.analysis.facts import PackageFacts
from airlock.analysis.rules import RULES, RuleDeclarations, all_rules, evaluate
from airlock.analysis.rules.registry import COMBINING, DECLARED, EVALUATED, families
from airlock.model import Finding, Severity

_NOT_FAMILIES = {"docs", "registry"}


def _module(family: RuleDeclarations) -> ModuleType:
    assert isinstance(family, ModuleType)
    return family


def test_every_family_module_is_registered_once() -> None:
    package = airlock.analysis.rules
    on_disk = {info.name for info in pkgutil.iter_modules(package.__path__)} - _NOT_FAMILIES
    registered = [_module(f).__name__.rsplit(".", 1)[1] for f in families()]
    assert sorted(registered) == sorted(on_disk)  # a module left out would have its rules never run
    assert len(set(registered)) == len(registered)


def test_family_names_are_unique_and_rules_carry_their_familys_name() -> None:
    names = [f.name for f in families()]
    assert len(set(names)) == len(names)
    for family in families():
        assert family.rules, family.name
        assert {rule.family for rule in family.rules} == {family.name}


def test_every_declared_rule_belongs_to_exactly_one_family() -> None:
    listed = [rule.id for family in families() for rule in family.rules]
    assert len(set(listed)) == len(listed)
    declared = [rule.id for rule in all_rules()]
    assert sorted(listed) == sorted(declared)
    assert set(declared) == set(RULES)


def test_declaration_only_families_have_nothing_to_evaluate() -> None:
    # A `check` here would never run: the family belongs in EVALUATED.
    assert [f.name for f in DECLARED if hasattr(f, "check") or hasattr(f, "combine")] == []


def test_combining_families_only_combine() -> None:
    # A `check` on a combining family would never run: `evaluate` calls `combine` there.
    assert [f.name for f in COMBINING if hasattr(f, "check")] == []


def test_evaluated_families_are_listed_alphabetically_by_module() -> None:
    modules = [_module(f).__name__ for f in EVALUATED]
    assert modules == sorted(modules)  # the order of findings in a report follows this tuple


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Each evaluated family's `check` replaced by one yielding a marker finding named after it."""
    calls: list[str] = []

    def spy(name: str) -> Callable[[PackageFacts], Iterator[Finding]]:
        def check(facts: PackageFacts) -> Iterator[Finding]:
            calls.append(name)
            yield Finding(f"marker-{name}", Severity.INFO, name)

        return check

    def combining_spy(name: str) -> Callable[[PackageFacts, Sequence[Finding]], Iterator[Finding]]:
        def combine(facts: PackageFacts, findings: Sequence[Finding]) -> Iterator[Finding]:
            calls.append(name)
            yield Finding(f"marker-{name}", Severity.INFO, f"{name} saw {len(findings)}")

        return combine

    for family in EVALUATED:
        monkeypatch.setattr(_module(family), "check", spy(family.name))
    for combining in COMBINING:
        monkeypatch.setattr(_module(combining), "combine", combining_spy(combining.name))
    yield calls


def test_evaluate_runs_every_evaluated_family_in_registry_order(spied: list[str]) -> None:
    findings = evaluate(cast(PackageFacts, object()))  # the spies never look at the facts
    expected = [family.name for family in EVALUATED]
    assert spied == [*expected, *(c.name for c in COMBINING)]
    # Combining families run last and see every evaluated family's findings, not each other's.
    assert [f.message for f in findings] == [*expected, *(f"{c.name} saw {len(expected)}" for c in COMBINING)]
