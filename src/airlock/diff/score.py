"""How much a change needs a human: a review-effort score, an attention level and the diff's order.

The score counts lines to read, weighted by risk. Install-time code and new capabilities weigh most: they
are what a compromised release adds (a `postinstall`, a network call, code from strings), and they are
what a reviewer skimming a bot's pull request must not miss. A dependency the update brings in belongs to
its parent: all of its code is new to read, and its findings count in the parent's score and verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from airlock.diff.model import Attention, ChangeKind, DependencyAdded, NotAnalysed, PackageChange, Side
from airlock.model import Finding, Severity, Verdict

RISKY_MODULES = frozenset(
    {
        "child_process",
        "cluster",
        "dgram",
        "dns",
        "http",
        "http2",
        "https",
        "net",
        "tls",
        "vm",
        "worker_threads",
    }
)
"""Builtin modules that run programs, reach the network or compile code."""
RISKY_GLOBALS = frozenset({"process.env", "fetch", "WebSocket", "XMLHttpRequest", "eval", "Function"})
RISKY_KEYS = frozenset({"dynamic", "native"})

LINE = 1
"""Every line to read counts once."""
INSTALL_LINE = 5
"""A line of a file an install script runs counts five times: it runs on every `npm install`."""
RISKY_CAPABILITY = 120
CAPABILITY = 30
SCRIPT = 250
"""An install script added or changed: code that runs before anyone can look."""
NEW_DEPENDENCY = 50
MAINTAINER_ADDED = 100
MAINTAINER_REMOVED = 20
OBFUSCATED_FILE = 200
MINIFIED_FILE = 60
BIN = 30
FINDING = {
    Severity.CRITICAL: 1000,
    Severity.HIGH: 300,
    Severity.MEDIUM: 100,
    Severity.LOW: 20,
    Severity.INFO: 0,
}


def risky(key: str) -> bool:
    return key in RISKY_KEYS or key.split(".", 1)[0] in RISKY_MODULES or key in RISKY_GLOBALS


def _capabilities(keys: Iterable[str]) -> int:
    return sum(RISKY_CAPABILITY if risky(k) else CAPABILITY for k in keys)


def _findings(findings: Iterable[Finding]) -> int:
    return sum(FINDING[f.severity] for f in findings)


def _install_files(scripts: Mapping[str, str | None], paths: Iterable[str]) -> set[str]:
    """Files of the package an install command names (`node install.js`, `sh ./setup.sh`)."""
    commands = " ".join(c for c in scripts.values() if c)
    words = {w.removeprefix("./") for w in commands.replace("&&", " ").replace(";", " ").split()}
    return {p for p in paths if p in words}


def dependency_effort(dependency: DependencyAdded) -> int:
    return (
        NEW_DEPENDENCY
        + dependency.lines * LINE
        + _capabilities(dependency.capabilities)
        + _findings(dependency.findings)
        + SCRIPT * len(dependency.install_scripts)
    )


def effort(change: PackageChange) -> int:
    """Lines to read, weighted by risk (see the module's docstring and the constants above)."""
    new_scripts = {s.hook: s.new_command for s in change.scripts_changed if s.kind is not ChangeKind.REMOVED}
    install_files = _install_files(new_scripts, (f.path for f in change.files))
    lines = sum(f.lines * (INSTALL_LINE if f.path in install_files else LINE) for f in change.files)
    maintainers = change.maintainers_changed
    return (
        lines
        + _capabilities(change.capabilities_added)
        + _findings(change.findings_added)
        + SCRIPT * len(new_scripts)
        + sum(dependency_effort(d) for d in change.dependencies_added)
        + MAINTAINER_ADDED * len(maintainers.added)
        + MAINTAINER_REMOVED * len(maintainers.removed)
        + OBFUSCATED_FILE * len(change.became_obfuscated)
        + MINIFIED_FILE * len(change.became_minified)
        + BIN * len(change.bin_changes)
    )


def new_install_code(change: PackageChange) -> bool:
    return any(s.kind is not ChangeKind.REMOVED for s in change.scripts_changed) or any(
        d.install_scripts for d in change.dependencies_added
    )


def new_capabilities(change: PackageChange) -> tuple[str, ...]:
    """Capabilities the update adds to the tree: the package's own and every new dependency's."""
    keys = set(change.capabilities_added)
    for dependency in change.dependencies_added:
        keys.update(dependency.capabilities)
    return tuple(sorted(keys))


def raised_by_change(change: PackageChange) -> str | None:
    """Why the update itself needs a human even when neither version has a finding: install-time code
    and a risky capability arriving together (the maintainer-account takeover shape: a patch release adds
    a `postinstall` and a network call). Each alone is common; together they are what a review is for."""
    if not new_install_code(change):
        return None
    risky_keys = [k for k in new_capabilities(change) if risky(k)]
    if not risky_keys:
        return None
    hooks = sorted(
        {s.hook for s in change.scripts_changed if s.kind is not ChangeKind.REMOVED}
        | {f"{d.name}'s {hook}" for d in change.dependencies_added for hook in d.install_scripts}
    )
    return (
        f"the update adds install-time code ({', '.join(hooks)}) and a risky capability "
        f"({', '.join(risky_keys)})"
    )


_SIDE = {
    Side.OLD: "the old version",
    Side.NEW: "the new version",
    Side.DEPENDENCY: "which the update pulls in",
}
_UNKNOWN = {
    Side.OLD: "everything the new version has counts as added",
    Side.NEW: "what the update changes is unknown",
    Side.DEPENDENCY: "what it can do is unknown",
}


def not_analysed_reason(missing: NotAnalysed) -> str:
    return (
        f"{missing.label}, {_SIDE[missing.side]}, could not be analysed ({_UNKNOWN[missing.side]}): "
        f"{missing.reason}"
    )


def verdict(change: PackageChange) -> Verdict:
    """The new version's verdict, raised by any dependency it brings in, and to review at least when the
    update adds install-time code together with a risky capability (`raised_by_change`) or when one of its
    packages could not be analysed (not analysed is never clean)."""
    verdicts = [change.verdict, *(d.verdict for d in change.dependencies_added)]
    if raised_by_change(change) is not None or change.not_analysed:
        verdicts.append(Verdict.REVIEW)
    return max(verdicts, key=lambda v: v.rank)


def attention(change: PackageChange, decided: Verdict) -> Attention:
    """high: a block, new install-time code, a risky new capability or a package that could not be
    analysed (it may hide any of those); low: no new capability and no new install code (and nothing the
    verdict sends to a human); medium: everything between."""
    capabilities = new_capabilities(change)
    if (
        decided is Verdict.BLOCK
        or change.not_analysed
        or new_install_code(change)
        or any(risky(k) for k in capabilities)
    ):
        return Attention.HIGH
    if capabilities or decided is not Verdict.ALLOW:
        return Attention.MEDIUM
    return Attention.LOW


def rate(change: PackageChange) -> PackageChange:
    decided = verdict(change)
    raised = raised_by_change(change)
    reasons = tuple(not_analysed_reason(n) for n in change.not_analysed)
    return replace(
        change,
        verdict=decided,
        attention=attention(change, decided),
        score=effort(change),
        reasons=(*reasons, *((raised,) if raised is not None else ())),
    )


def ordered(changes: Iterable[PackageChange]) -> tuple[PackageChange, ...]:
    """Riskiest first: verdict, then attention, then score; the name breaks ties."""
    return tuple(sorted(changes, key=lambda c: (-c.verdict.rank, -c.attention.rank, -c.score, c.name)))


__all__ = [
    "attention",
    "dependency_effort",
    "effort",
    "new_capabilities",
    "new_install_code",
    "not_analysed_reason",
    "ordered",
    "raised_by_change",
    "rate",
    "risky",
    "verdict",
]
