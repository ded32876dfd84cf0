"""Rules about the package as a whole (its manifest, its shape)."""

from __future__ import annotations

from airlock.analysis.rules import declare
from airlock.model import Severity

FAMILY = "package"

MANIFEST_INVALID = declare(
    "manifest-invalid",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="package.json is missing, not JSON, or not an object.",
    why="npm refuses such a package, so a registry tarball without a readable manifest was not produced by "
    "`npm publish`; it may be a hand-crafted archive aimed at tools that read it differently.",
)

TARGET_FAILED = declare(
    "target-failed",
    family=FAMILY,
    action="fix the failure shown and run airlock again: this package was not analysed",
    severity=Severity.MEDIUM,
    summary="The target could not be fetched or read, so it was not analysed.",
    why="A package nobody could analyse must not pass as clean: it is reported for review with the reason "
    "(network, registry, malformed archive) instead of being dropped from the report.",
)
INTEGRITY_MISMATCH = declare(
    "integrity-mismatch",
    acceptable=False,
    family=FAMILY,
    action="do not install: the bytes differ from the published hash; clear the cache, fetch again "
    "and report it if it persists",
    severity=Severity.CRITICAL,
    summary="The tarball's bytes do not match the integrity the registry or lockfile promised.",
    why="Either the registry, a mirror, a proxy or the cache served altered bytes: the package must not be "
    "installed until the discrepancy is explained.",
)


# The family as `airlock.analysis.rules.RuleDeclarations` (listed in registry.py).
name = FAMILY
rules = (
    MANIFEST_INVALID,
    TARGET_FAILED,
    INTEGRITY_MISMATCH,
)
