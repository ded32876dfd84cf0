"""Accepting drift: widening airlock-policy.json with the lines drift names."""

from __future__ import annotations

import pytest

from airlock.policy.document import PackageGrants, dumps, grants_for, parse
from airlock.policy.drift import PolicyLine, drift
from airlock.policy.merge import merge
from airlock.policy.widen import widen
from tests.policy.schema import assert_valid_policy as assert_valid

POLICY = parse(
    {
        "version": 1,
        "resources": {
            "a": {"builtin": {"fs.readFile": True, "fs.stat": False}, "globals": {"console": True}}
        },
        "allowScripts": {"a": False},
    }
)
OBSERVED = PackageGrants(
    "a",
    "2.0.0",
    builtin={"fs": True, "net": True},
    globals={"console": True, "process.exitCode": "write"},
    packages={"a>b": True},
    native=True,
    scripts=True,
)


def test_widening_with_every_excess_line_accepts_the_drift() -> None:
    before = drift(grants_for(POLICY, "a", "2.0.0"), OBSERVED)
    assert len(before.excesses) == 6
    widened = widen(POLICY, (e.line for e in before.excesses))
    after = drift(grants_for(widened, "a", "2.0.0"), OBSERVED)
    assert after.excesses == ()
    assert_valid(dumps(widened))
    assert widened.allow_scripts == {"a": False, "a#2.0.0": True}


def test_a_whole_module_grant_replaces_its_field_grants() -> None:
    widened = widen(POLICY, [PolicyLine(("resources", "a", "builtin", "fs"), True)])
    assert dict(widened.resources["a"].builtin) == {"fs": True}


def test_a_new_package_gets_an_entry() -> None:
    widened = widen(POLICY, [PolicyLine(("resources", "z", "packages", "z>y"), True)])
    assert dict(widened.resources["z"].packages) == {"z>y": True}
    assert widened.resources["a"] == POLICY.resources["a"]


def test_the_override_still_decides_after_widening() -> None:
    # LavaMoat applies policy-override.json last: a false there beats a grant written into the policy.
    override = parse({"version": 1, "resources": {"a": {"builtin": {"net": False}}}})
    widened = widen(POLICY, [PolicyLine(("resources", "a", "builtin", "net"), True)])
    still = drift(grants_for(merge(widened, override), "a", None), PackageGrants("a", builtin={"net": True}))
    assert [e.key for e in still.excesses] == ["net"]


def test_a_line_airlock_does_not_write_is_refused() -> None:
    with pytest.raises(ValueError, match="not a policy line"):
        widen(POLICY, [PolicyLine(("resources", "a", "meta", "x"), True)])
