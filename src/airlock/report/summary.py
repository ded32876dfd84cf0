"""Counts over a report's packages: by verdict, by capability group, by rule. The JSON report's `summary`
block, the one line `-o FILE` prints on stderr and the overview at the end of `check`'s text all count
with these, so they never disagree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from airlock.analysis.vocabulary import NETWORK_GLOBALS, NETWORK_MODULES
from airlock.exit import ExitCode
from airlock.lifecycle import registry_install_scripts
from airlock.model import PackageReport, Verdict
from airlock.serialize import JSONObject

_CODE_GLOBALS = frozenset({"eval", "Function"})

WORST_FIRST = (Verdict.BLOCK, Verdict.REVIEW, Verdict.ALLOW)
"""The order every count line and verdict filter lists the verdicts in."""


def _module(key: str) -> str:
    return key.split(".", 1)[0]


def _install(r: PackageReport) -> tuple[str, ...]:
    return tuple(registry_install_scripts(r.install_scripts))


def _child_process(r: PackageReport) -> tuple[str, ...]:
    return tuple(k for k in r.capabilities.builtin if _module(k) == "child_process")


def _network(r: PackageReport) -> tuple[str, ...]:
    modules = tuple(k for k in r.capabilities.builtin if _module(k) in NETWORK_MODULES)
    globals_ = tuple(
        k for k in r.capabilities.globals if k in NETWORK_GLOBALS or _module(k) in NETWORK_GLOBALS
    )
    return modules + globals_


def _fs(r: PackageReport) -> tuple[str, ...]:
    # `fs/promises` is the file system too.
    return tuple(k for k in r.capabilities.builtin if _module(k) == "fs" or k.startswith("fs/"))


def _env(r: PackageReport) -> tuple[str, ...]:
    return tuple(k for k in r.capabilities.globals if k.startswith("process.env"))


def _eval(r: PackageReport) -> tuple[str, ...]:
    globals_ = tuple(k for k in r.capabilities.globals if _module(k) in _CODE_GLOBALS)
    return globals_ + tuple(k for k in r.capabilities.builtin if _module(k) == "vm")


def _native(r: PackageReport) -> tuple[str, ...]:
    return ("native code",) if r.capabilities.native else ()


def _dynamic(r: PackageReport) -> tuple[str, ...]:
    n = len(r.capabilities.dynamic)
    return (f"{n} unresolved dynamic access{'es' if n > 1 else ''}",) if n else ()


@dataclass(frozen=True, slots=True)
class CapabilityGroup:
    key: str
    """The group's key in the JSON summary, and the HTML matrix column's id (a fixed token, never package
    text)."""
    label: str
    """A column or filter label ("eval / vm")."""
    one: str
    """What one package of the group does ("runs install scripts")."""
    many: str
    """What several do ("run install scripts")."""
    reasons: Callable[[PackageReport], tuple[str, ...]]
    """What puts a package in the group (the capability keys); empty: not in the group."""

    def has(self, report: PackageReport) -> bool:
        return bool(self.reasons(report))

    def describe(self, count: int) -> str:
        noun = "package" if count == 1 else "packages"
        return f"{count} {noun} {self.one if count == 1 else self.many}"


CAPABILITY_GROUPS: tuple[CapabilityGroup, ...] = (
    CapabilityGroup(
        "install_scripts", "install scripts", "runs install scripts", "run install scripts", _install
    ),
    CapabilityGroup(
        "child_process", "child_process", "can spawn processes", "can spawn processes", _child_process
    ),
    CapabilityGroup("network", "network", "can reach the network", "can reach the network", _network),
    CapabilityGroup("fs", "fs", "can use the file system", "can use the file system", _fs),
    CapabilityGroup("env", "env", "reads environment variables", "read environment variables", _env),
    CapabilityGroup("eval", "eval / vm", "evaluates code at run time", "evaluate code at run time", _eval),
    CapabilityGroup("native", "native", "ships native code", "ship native code", _native),
    CapabilityGroup(
        "dynamic", "dynamic", "has unresolved dynamic access", "have unresolved dynamic access", _dynamic
    ),
)
"""In the order the overview lists them: what runs by itself first, then what code can reach."""


@dataclass(frozen=True, slots=True)
class ReportSummary:
    packages: int
    verdicts: tuple[tuple[Verdict, int], ...]
    """Every verdict with its count (zeros included), allow, review, block."""
    capabilities: tuple[tuple[str, int], ...]
    """Every capability group's key with how many packages are in it (zeros included)."""
    rules: tuple[tuple[str, int], ...]
    """Each rule that fired with how many packages it fired on, by rule id."""

    def count(self, verdict: Verdict) -> int:
        return dict(self.verdicts)[verdict]


def count_verdicts(reports: Sequence[PackageReport]) -> dict[Verdict, int]:
    """How many packages have each verdict, zeros included (allow, review, block)."""
    counted = Counter(r.verdict for r in reports)
    return {v: counted[v] for v in (Verdict.ALLOW, Verdict.REVIEW, Verdict.BLOCK)}


def summarize(reports: Sequence[PackageReport]) -> ReportSummary:
    rules = Counter(rule for r in reports for rule in dict.fromkeys(f.rule for f in r.findings))
    return ReportSummary(
        packages=len(reports),
        verdicts=tuple(count_verdicts(reports).items()),
        capabilities=tuple((g.key, sum(1 for r in reports if g.has(r))) for g in CAPABILITY_GROUPS),
        rules=tuple(sorted(rules.items())),
    )


def summary_json(summary: ReportSummary) -> JSONObject:
    """The JSON report's `summary` block (docs/schema/report-v1.schema.json, `$defs/summary`)."""
    return {
        "packages": summary.packages,
        "verdicts": {verdict.value: n for verdict, n in summary.verdicts},
        "capabilities": dict(summary.capabilities),
        "rules": dict(summary.rules),
    }


def verdict_counts(summary: ReportSummary) -> str:
    """ "1 package: 0 block, 0 review, 1 allow" — the worst verdict first."""
    noun = "package" if summary.packages == 1 else "packages"
    counts = ", ".join(f"{summary.count(v)} {v.value}" for v in WORST_FIRST)
    return f"{summary.packages} {noun}: {counts}"


def written_line(summary: ReportSummary, *, written: str, exit_code: ExitCode, fail_on: Verdict) -> str:
    """The one line a command prints on stderr when its report went to a file: counts, the file, and why
    it exits as it does."""
    if exit_code is ExitCode.ACTION:
        reached = sum(n for v, n in summary.verdicts if v is not Verdict.ALLOW and v.rank >= fail_on.rank)
        noun = "package" if reached == 1 else "packages"
        why = f"{reached} {noun} at --fail-on {fail_on.value} or worse" if reached else "see the warnings"
    elif exit_code is ExitCode.OPERATIONAL:
        why = "some packages could not be fetched or analysed (see the warnings)"
    elif exit_code is ExitCode.USAGE:
        why = "bad input (see the warnings)"
    else:
        why = f"nothing reached --fail-on {fail_on.value}"
    return f"{verdict_counts(summary)}; wrote {written}; exit {int(exit_code)}: {why}"


__all__ = [
    "CAPABILITY_GROUPS",
    "WORST_FIRST",
    "CapabilityGroup",
    "ReportSummary",
    "count_verdicts",
    "summarize",
    "summary_json",
    "verdict_counts",
    "written_line",
]
