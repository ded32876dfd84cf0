"""Native executables shipped inside the package and run at install."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.rules import Behaviour, declare
from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "executables"

RUNS_BUNDLED_BINARY = declare(
    "install-runs-bundled-binary",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.PROCESS,
    summary="An install script or install-time command runs an ELF/PE/Mach-O executable shipped in the package.",
    why="A binary cannot be reviewed from source; run at install it gets the user's full authority before "
    "anyone looks. Prebuilt-binary packages load `.node` addons or run their binary when the user calls "
    "them, not from install scripts.",
)
BUNDLED_EXECUTABLE = declare(
    "bundled-executable",
    family=FAMILY,
    severity=Severity.INFO,
    summary="The package ships native executables (not `.node` addons).",
    why="Normal for platform packages (@esbuild/linux-x64); context for reviewers and other rules.",
)
DISGUISED_EXECUTABLE = declare(
    "disguised-executable",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.CONCEALMENT,
    summary="An executable hidden behind a non-executable extension (.png, .txt, .js, .json …).",
    why="Disguise only makes sense to evade review or scanners.",
)

_DATA_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".txt",
    ".md",
    ".json",
    ".js",
    ".css",
    ".html",
    ".svg",
    ".ico",
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    if not facts.executables:
        return
    names = {posixpath.basename(p): p for p in facts.executables}
    for source in facts.shells:
        if not source.install_time:
            continue
        for command in source.facts.commands:
            words = command.replace("\\", "/").split()
            hits = [w for w in words if w.lstrip("./") in facts.executables or posixpath.basename(w) in names]
            if hits:
                path = facts.executables.get(hits[0].lstrip("./")) or names[posixpath.basename(hits[0])]
                yield RUNS_BUNDLED_BINARY.finding(
                    f"{source.origin} runs {path} ({facts.executables.get(path, 'executable')}): {command[:100]}",
                    source.evidence,
                    Evidence(path, 1),
                )
                return
    disguised = [p for p in facts.executables if p.lower().endswith(_DATA_SUFFIXES)]
    if disguised:
        yield DISGUISED_EXECUTABLE.finding(
            f"{disguised[0]} is a {facts.executables[disguised[0]]} executable", Evidence(disguised[0], 1)
        )
    listed = ", ".join(sorted(facts.executables)[:5])
    yield BUNDLED_EXECUTABLE.finding(
        f"ships executables: {listed}", Evidence(sorted(facts.executables)[0], 1)
    )


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    RUNS_BUNDLED_BINARY,
    BUNDLED_EXECUTABLE,
    DISGUISED_EXECUTABLE,
)
