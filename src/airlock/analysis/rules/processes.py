"""Process-level behaviour: silent detached children, internal bindings without native code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.facts import evidence_near, spawns
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "processes"

DETACHED = declare(
    "detached-process",
    family=FAMILY,
    severity=Severity.LOW,
    behaviour=Behaviour.PROCESS,
    summary="Spawns a detached child process (it outlives the parent, often with output discarded).",
    why="update-notifier does this to check versions in the background; at install it is how miners and "
    "stealers keep running after npm returns (medium there).",
)
PROCESS_BINDING = declare(
    "process-binding-without-native",
    family=FAMILY,
    severity=Severity.LOW,
    behaviour=Behaviour.CONCEALMENT,
    summary="`process.binding` / internal bindings used by a package that ships no native code.",
    why="Internal bindings bypass the documented API surface (and policy tools that hook it); lodash uses "
    "`process.binding('util')` for type checks, so this is context, not a verdict.",
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    yield from check_reverse_shell(facts)
    for f in facts.files:
        detached = [s for s in f.signals if s.indicator is Indicator.DETACHED]
        spawn = spawns(f)
        if detached and spawn is not None:
            at_install = f.path in facts.install_time
            yield DETACHED.finding(
                f"{f.path} spawns a detached process" + (" at install" if at_install else ""),
                detached[0].evidence,
                spawn,
                severity=Severity.MEDIUM if at_install else None,
            )
            break
    for source in facts.shells:
        if source.install_time and source.facts.hidden:
            yield DETACHED.finding(
                f"{source.label} starts a hidden/background process: {source.facts.hidden[0]}",
                source.evidence,
                severity=Severity.MEDIUM,
            )
            break
    if not facts.native:
        for f in facts.files:
            bindings = [e for key, ev in f.globals.items() if key.startswith("process.binding") for e in ev]
            bindings += [
                e for key, ev in f.globals.items() if key.startswith("process._linkedBinding") for e in ev
            ]
            if bindings:
                yield PROCESS_BINDING.finding(f"{f.path} uses process.binding", bindings[0])
                break


JS_REVERSE_SHELL = declare(
    "js-reverse-shell",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.PROCESS,
    summary="Code opens a raw socket and spawns a shell (`sh`, `bash`, `cmd.exe`, `powershell`) next to it.",
    why="Piping a socket into a shell hands the machine to whoever listens; terminal emulators use ptys, "
    "not raw sockets.",
)
_SOCKETS = ("net.Socket", "net.connect", "net.createConnection", "tls.connect", "dgram")
_SHELL_NAMES = frozenset(
    {"sh", "bash", "zsh", "dash", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"}
)


def check_reverse_shell(facts: PackageFacts) -> Iterator[Finding]:
    for f in facts.files:
        sockets = [e for key, ev in f.builtin.items() if key.startswith(_SOCKETS) for e in ev]
        shells = [
            evidence
            for evidence, command in f.commands
            if command.split() and command.split()[0].rsplit("/", 1)[-1].lower() in _SHELL_NAMES
        ]
        pair = next(((s, h) for s in sockets for h in shells if evidence_near(s, h)), None)
        if pair is not None:
            yield JS_REVERSE_SHELL.finding(
                f"{f.path} connects a socket and spawns a shell next to it ({facts.reach(f.path).phrase})",
                *pair,
            )
            return


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    DETACHED,
    PROCESS_BINDING,
    JS_REVERSE_SHELL,
)
