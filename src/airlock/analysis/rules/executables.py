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

INSTALL_NATIVE_ADDON = declare(
    "install-loads-native-addon",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="Code that runs at install loads a native `.node` addon (`require('./x.node')`, `process.dlopen`, "
    "`bindings`/`node-gyp-build`).",
    why="An addon is machine code with the process's full authority, and nothing about it can be reviewed "
    "from source; loaded from an install script it runs before anyone uses the package. Addons are loaded "
    "when the package is used, not while npm installs it. High for a prebuilt `.node` shipped in the "
    "package; low (context) when the addon is built at install or comes from another package (a load check "
    "after the build, a platform package), which is reviewed where it is.",
    behaviour=Behaviour.PROCESS,
)
_ADDON_LOADERS = frozenset(
    {"bindings", "node-gyp-build", "node-gyp-build-optional-packages", "@mapbox/node-pre-gyp", "node-pre-gyp"}
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
    yield from _install_addons(facts)
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
                    f"{source.label} runs {path} ({facts.executables.get(path, 'executable')}): {command[:100]}",
                    source.evidence,
                    Evidence(path, 1),
                )
                return
    loaded = _loader_runs_shipped_library(facts)
    if loaded is not None:
        yield loaded
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


_WINDOWS_LOADERS = frozenset(
    {"rundll32", "regsvr32", "odbcconf", "msiexec", "regasm", "regsvcs", "installutil"}
)


def _loader_runs_shipped_library(facts: PackageFacts) -> Finding | None:
    """Install-time code hands something to a Windows loader (rundll32, regsvr32 …) while the package ships a
    PE: the only library there is to load is the shipped one, whatever the folded argument shows
    (eslint-config-prettier 8.10.1, 2025: `rundll32 node-gyp.dll,main`, the names split by concatenation)."""
    libraries = sorted(p for p, kind in facts.executables.items() if kind == "PE")
    if not libraries:
        return None
    for source in facts.shells:
        if not source.install_time:
            continue
        for command in source.facts.commands:
            words = command.replace("\\", "/").split()
            program = posixpath.basename(words[0]).lower().removesuffix(".exe") if words else ""
            if program in _WINDOWS_LOADERS:
                return RUNS_BUNDLED_BINARY.finding(
                    f"{source.label} hands {libraries[0]} (PE) to {program} at install: {command[:100]}",
                    source.evidence,
                    Evidence(libraries[0], 1),
                )
    return None


def _install_addons(facts: PackageFacts) -> Iterator[Finding]:
    shipped_addons = sorted(p for p in facts.paths if p.endswith(".node"))
    for f in sorted((f for f in facts.files if f.path in facts.install_time), key=lambda f: f.path):
        loads = [spec for spec in f.imports if spec.endswith(".node") or spec in _ADDON_LOADERS]
        dlopen = [e for key, ev in f.globals.items() if key.startswith("process.dlopen") for e in ev]
        if not loads and not dlopen:
            continue
        base = posixpath.dirname(f.path)
        shipped = [
            spec
            for spec in loads
            if spec.endswith(".node")
            and posixpath.normpath(posixpath.join(base, spec)).removeprefix("./") in facts.paths
        ]
        # A loader or dlopen in a package that ships prebuilt addons loads one of them.
        if not shipped and shipped_addons and (dlopen or any(s in _ADDON_LOADERS for s in loads)):
            shipped = shipped_addons[:1]
        what = shipped[0] if shipped else (loads[0] if loads else "process.dlopen")
        yield INSTALL_NATIVE_ADDON.finding(
            f"{f.path} runs at install and loads native code ({what})"
            + (
                ", a prebuilt addon shipped in the package"
                if shipped
                else ", built at install or provided by another package"
            ),
            dlopen[0] if dlopen else Evidence(f.path, 1, None, what),
            severity=None if shipped else Severity.LOW,
        )
        return


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    RUNS_BUNDLED_BINARY,
    BUNDLED_EXECUTABLE,
    DISGUISED_EXECUTABLE,
    INSTALL_NATIVE_ADDON,
)
