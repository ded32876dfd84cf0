"""Names that imitate popular packages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.rules import declare
from airlock.data import popular_downloads
from airlock.model import Evidence, Finding, Severity
from airlock.names import imitated

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "typosquat"

TYPOSQUAT = declare(
    "typosquat-name",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="The package name is one edit, a transposition, or a separator/scope change away from a "
    "popular package.",
    why="crossenv imitated cross-env (2017) and stole environments from whoever mistyped; the popular list "
    "ships with airlock (data/popular.tsv), and popular names never match themselves.",
    references=("https://blog.npmjs.org/post/163723642530/crossenv-malware-on-the-npm-registry",),
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    if not facts.name:
        return
    imitation = imitated(facts.name, popular_downloads())
    if imitation is not None:
        yield TYPOSQUAT.finding(
            f"{facts.name!r} looks like the popular {imitation.target!r} ({imitation.technique})",
            Evidence("package.json", 1, None, f'"name": "{facts.name}"'),
        )


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (TYPOSQUAT,)
