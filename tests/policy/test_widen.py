"""Accepting drift: widening airlock-policy.json with the lines drift names."""

from __future__ import annotations

import pytest

from airlock.policy.document import PackageGrants, Policy, dumps, grants_for, parse
from airlock.policy.drift import PolicyLine, drift
from airlock.policy.merge import merge
from airlock.policy.widen import narrow, widen
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
    # The bare `"a": false` already decides every version's install scripts: no excess for them.
    assert len(before.excesses) == 5
    widened = widen(POLICY, (e.line for e in before.excesses))
    after = drift(grants_for(widened, "a", "2.0.0"), OBSERVED)
    assert after.excesses == ()
    assert_valid(dumps(widened))
    assert widened.allow_scripts == {"a": False}
    # Without it, the scripts are recorded for this version, kept off.
    undecided = Policy(resources=POLICY.resources)
    lines = [e.line for e in drift(grants_for(undecided, "a", "2.0.0"), OBSERVED).excesses]
    assert widen(undecided, lines).allow_scripts == {"a#2.0.0": False}


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
    assert [e.key for e in still.denied] == ["net"] and still.excesses == ()


def test_a_line_airlock_does_not_write_is_refused() -> None:
    with pytest.raises(ValueError, match="not a policy line"):
        widen(POLICY, [PolicyLine(("resources", "a", "meta", "x"), True)])


def test_narrowing_takes_unused_grants_out_and_keeps_a_write_now_read_as_a_read() -> None:
    policy = parse(
        {
            "version": 1,
            "resources": {
                "a": {
                    "builtin": {"fs.readFile": True, "net": True},
                    "globals": {"process.exitCode": "write", "console": True},
                    "packages": {"a>b": True},
                    "native": True,
                }
            },
            "allowScripts": {"a#1.0.0": True},
        }
    )
    now = PackageGrants("a", "1.0.0", builtin={"fs.readFile": True}, globals={"process.exitCode": True})
    found = drift(grants_for(policy, "a", "1.0.0"), now)
    narrowed = narrow(policy, found.narrowings)
    assert dumps(narrowed) == dumps(
        parse(
            {
                "version": 1,
                "resources": {"a": {"builtin": {"fs.readFile": True}, "globals": {"process.exitCode": True}}},
            }
        )
    )
    assert drift(grants_for(narrowed, "a", "1.0.0"), now).narrowings == ()


def test_narrowing_leaves_what_only_the_override_grants() -> None:
    override = parse({"version": 1, "resources": {"a": {"builtin": {"os": True}}, "z": {"native": True}}})
    found = drift(
        grants_for(merge(POLICY, override), "a", None), PackageGrants("a", builtin={"fs.readFile": True})
    )
    assert {n.key for n in found.narrowings} == {"os", "console"}
    gone = drift(grants_for(merge(POLICY, override), "z", None), PackageGrants("z"))
    narrowed = narrow(POLICY, (*found.narrowings, *gone.narrowings))
    assert dict(narrowed.resources["a"].builtin) == {"fs.readFile": True, "fs.stat": False}
    assert "z" not in narrowed.resources
