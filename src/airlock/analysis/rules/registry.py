"""Every rule family, listed once. Adding a family is one line in one of the three tuples below.

`EVALUATED` families run on each package's facts, in this order (keep it alphabetical: the order of their
findings in a report follows it). `COMBINING` families run after them, on the facts and the findings of
the `EVALUATED` families (evidence that adds up across families). `DECLARED` families only declare rules
that other code reports: the tarball reader's issues (`airlock.tarball`), lockfile and registry-metadata
checks (`airlock.check`), and whole-package outcomes (`airlock.analysis`, `airlock.verdict`), and what the
pipeline's context stage judges (manifest confusion, typosquats on the installed name:
`airlock.pipeline.context`). mypy checks each module against its protocol;
tests/analysis/test_rule_registry.py checks that no family module is missing and no rule is orphaned.
"""

from __future__ import annotations

from airlock.analysis.rules import (
    CombiningFamily,
    RuleDeclarations,
    RuleFamily,
    browser,
    combined,
    coverage,
    destruction,
    executables,
    exfiltration,
    install,
    lockfile,
    manifest,
    metadata,
    miner,
    obfuscation,
    package,
    packaging,
    parsing,
    patches,
    persistence,
    policy,
    processes,
    propagation,
    remote_code,
    remote_control,
    shell,
    tampering,
    tarball,
    typosquat,
)

__all__ = ["COMBINING", "DECLARED", "EVALUATED", "families"]

EVALUATED: tuple[RuleFamily, ...] = (
    browser,
    coverage,
    destruction,
    executables,
    exfiltration,
    install,
    miner,
    obfuscation,
    packaging,
    parsing,
    persistence,
    processes,
    propagation,
    remote_code,
    remote_control,
    shell,
    tampering,
)

COMBINING: tuple[CombiningFamily, ...] = (combined,)

DECLARED: tuple[RuleDeclarations, ...] = (
    lockfile,
    manifest,
    metadata,
    package,
    patches,
    policy,
    tarball,
    typosquat,
)


def families() -> tuple[RuleDeclarations, ...]:
    """Every registered family, evaluated or not."""
    return (*EVALUATED, *COMBINING, *DECLARED)
