"""What a whole tree can do, in a few lines: how many packages can spawn processes, reach the network,
run install scripts... each with the first few names, for the end of `airlock check`'s text output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from airlock.analysis.facts import NETWORK_GLOBALS, NETWORK_MODULES
from airlock.lifecycle import registry_install_scripts
from airlock.model import PackageReport

NAMES_SHOWN = 5
_CODE_GLOBALS = frozenset({"eval", "Function"})


@dataclass(frozen=True, slots=True)
class OverviewLine:
    what: str
    names: tuple[str, ...]
    """Labels of every package with the capability, in tree order."""


def _globals(report: PackageReport) -> set[str]:
    return {key.split(".", 1)[0] for key in report.capabilities.globals}


_CATEGORIES: tuple[tuple[str, Callable[[PackageReport], bool]], ...] = (
    ("run install scripts", lambda r: bool(registry_install_scripts(r.install_scripts))),
    ("can spawn processes", lambda r: "child_process" in r.capabilities.modules),
    (
        "can reach the network",
        lambda r: (
            bool(r.capabilities.modules & NETWORK_MODULES)
            or any(
                k in NETWORK_GLOBALS or k.split(".", 1)[0] in NETWORK_GLOBALS for k in r.capabilities.globals
            )
        ),
    ),
    ("can use the file system", lambda r: "fs" in r.capabilities.modules),
    (
        "read environment variables",
        lambda r: any(k.startswith("process.env") for k in r.capabilities.globals),
    ),
    (
        "evaluate code at run time",
        lambda r: bool(_globals(r) & _CODE_GLOBALS) or "vm" in r.capabilities.modules,
    ),
    ("ship native code", lambda r: r.capabilities.native),
    ("have unresolved dynamic access", lambda r: bool(r.capabilities.dynamic)),
)


def capability_overview(reports: Sequence[PackageReport]) -> list[OverviewLine]:
    lines = []
    for what, has in _CATEGORIES:
        names = tuple(r.label for r in reports if has(r))
        if names:
            lines.append(OverviewLine(what, names))
    return lines


def describe(line: OverviewLine) -> str:
    count = len(line.names)
    noun = "package" if count == 1 else "packages"
    shown = ", ".join(line.names[:NAMES_SHOWN])
    more = f" +{count - NAMES_SHOWN} more" if count > NAMES_SHOWN else ""
    return f"{count} {noun} {line.what}: {shown}{more}"
