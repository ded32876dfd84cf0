"""A lexical reading of code the parser does not faithfully describe (`js.Region`s): module specifiers
given to `require`/`import`, `child_process` calls, and string literals that look like shell commands.

This is the floor under the tree-based analysis, not a substitute for it: it sees only literals (and
literals joined with `+`), never data flow. Its job is that a region the parser gave up on still shows
what it loads and what it would run, so the rules (and the install-time shell analysis) see it too.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from airlock.analysis.js import Region, SourceText
from airlock.analysis.vocabulary import builtin_name
from airlock.model import Evidence, Skipped

_STRING = rb"(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|`(?:[^`\\$]|\\.|\$(?!\{))*`)"
_STRINGS = re.compile(_STRING + rb"(?:\s*\+\s*" + _STRING + rb")*", re.DOTALL)
_ONE_STRING = re.compile(_STRING, re.DOTALL)
_LOADER = re.compile(rb"(?<![A-Za-z0-9_$])(?:require|import)\s*\(\s*$|(?<![A-Za-z0-9_$.])(?:from|import)\s*$")
_SPAWN = re.compile(
    rb"(?<![A-Za-z0-9_$])(execSync|execFileSync|execFile|exec|spawnSync|spawn|fork)\s*\(",
)
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|[0-7]{1,3}|\r\n|[\s\S])")
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
# Programs whose name in a string literal makes it worth reading as a command line.
_COMMAND = re.compile(
    r"(?:^|[\s;&|(`'\"/])(?:curl|wget|sh|bash|zsh|dash|nc|ncat|netcat|socat|powershell|pwsh|cmd|cmd\.exe|"
    r"python3?|perl|ruby|chmod|nohup|certutil|bitsadmin|osascript)(?=$|[\s;&|)])"
)


@dataclass(frozen=True, slots=True)
class Fallback:
    """What the lexical reading of a file's regions found."""

    builtin: tuple[tuple[str, Evidence], ...]
    imports: tuple[tuple[str, Evidence], ...]
    """Module specifiers loaded by name, each with where."""
    commands: tuple[tuple[Evidence, str], ...]
    skipped: tuple[Skipped, ...]
    evidence: tuple[Evidence, ...]
    """Where each region starts: what rules cite."""


def _unescape(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        seq = match.group(1)
        head = seq[0]
        try:
            if head == "x":
                return chr(int(seq[1:], 16))
            if head == "u":
                return chr(int(seq[2:-1] if seq[1] == "{" else seq[1:], 16))
            if head in "01234567":
                return chr(int(seq, 8))
        except (ValueError, OverflowError):
            return ""
        if head in "\r\n\u2028\u2029":
            return ""  # line continuation
        return _SIMPLE.get(head, seq)

    return _ESCAPE.sub(one, body)


def string_value(literals: bytes) -> str:
    """The value of string literals joined with `+` (template literals without substitutions)."""
    return "".join(
        _unescape(m.group(0)[1:-1].decode("utf-8", "replace")) for m in _ONE_STRING.finditer(literals)
    )


def read_region(
    text: SourceText, start: int, end: int, *, spawner: bool
) -> tuple[list[tuple[str, Evidence]], list[tuple[str, Evidence]], list[tuple[Evidence, str]]]:
    """Capability keys, non-builtin specifiers and command strings in `text.data[start:end]`.
    `spawner`: the file already reaches `child_process`, so bare `exec(…)` calls count as its."""
    data = text.data
    builtin: list[tuple[str, Evidence]] = []
    imports: list[tuple[str, Evidence]] = []
    commands: list[tuple[Evidence, str]] = []
    for match in _STRINGS.finditer(data, start, end):
        value = string_value(match.group(0))
        before = data[max(start, match.start() - 40) : match.start()]
        if _LOADER.search(before):
            name = builtin_name(value)
            if name is not None:
                builtin.append((name, text.evidence_at_byte(match.start(), match.end())))
                spawner = spawner or name == "child_process"
            elif value:
                imports.append((value, text.evidence_at_byte(match.start(), match.end())))
        elif _COMMAND.search(value):
            commands.append((text.evidence_at_byte(match.start(), match.end()), value))
    if spawner:
        for match in _SPAWN.finditer(data, start, end):
            key = f"child_process.{match.group(1).decode()}"
            builtin.append((key, text.evidence_at_byte(match.start(), match.end())))
    return builtin, imports, commands


def fallback(
    text: SourceText,
    regions: tuple[Region, ...],
    *,
    known: Collection[str],
    known_commands: Collection[tuple[Evidence, str]] = (),
) -> Fallback:
    """The lexical reading of every region of one file, with a `Skipped` entry per region. `known`: the
    capability keys the tree found; `known_commands`: the command lines it found (not repeated)."""
    builtin: list[tuple[str, Evidence]] = []
    imports: list[tuple[str, Evidence]] = []
    commands: list[tuple[Evidence, str]] = []
    skipped: list[Skipped] = []
    evidence: list[Evidence] = []
    spawner = any(key.startswith("child_process") for key in known)
    escaped = False
    for region in regions:
        found, specifiers, lines = read_region(text, region.start_byte, region.end_byte, spawner=spawner)
        if any(key == "child_process" for key, _ in found):
            spawner = escaped = True
        builtin.extend(found)
        imports.extend(specifiers)
        commands.extend(lines)
        first = text.evidence_at_byte(region.start_byte, region.end_byte)
        last = text.evidence_at_byte(max(region.start_byte, region.end_byte - 1))
        span = f"line {first.line}" if first.line == last.line else f"lines {first.line}-{last.line}"
        skipped.append(
            Skipped(
                f"{span}: {region.reason}; read lexically (module specifiers, child_process calls and "
                "command strings only)",
                text.path,
            )
        )
        evidence.append(first)
    if escaped:
        # `child_process` was loaded where the tree could not follow it: its uses may be anywhere in the
        # file, so the whole file's spawn calls and command strings count.
        found, _, lines = read_region(text, 0, len(text.data), spawner=True)
        builtin.extend((key, at) for key, at in found if key != "child_process")
        seen = {(at.line, at.column) for at, _ in commands} | {
            (at.line, at.column) for at, _ in known_commands
        }
        commands.extend((at, line) for at, line in lines if (at.line, at.column) not in seen)
    return Fallback(tuple(builtin), tuple(imports), tuple(commands), tuple(skipped), tuple(evidence))
