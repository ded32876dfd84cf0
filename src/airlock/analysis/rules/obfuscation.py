"""Code written not to be read: obfuscator output, JSFuck, hidden or invisible text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "obfuscation"

OBFUSCATED = declare(
    "obfuscated-code",
    family=FAMILY,
    severity=Severity.MEDIUM,
    behaviour=Behaviour.CONCEALMENT,
    summary="javascript-obfuscator output (`_0x…` string-array rotators) or JSFuck.",
    why="Minifiers shorten names; obfuscators exist to defeat review. Alone it deserves a human look; with "
    "any payload rule it is part of the block.",
)
HIDDEN_CODE = declare(
    "hidden-code",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.CONCEALMENT,
    summary="Code placed after a long run of whitespace, off-screen in editors and diff views.",
    why="A classic trick to slip a payload past a reviewer who reads the file in a normal-width window.",
)
INVISIBLE = declare(
    "invisible-characters",
    family=FAMILY,
    severity=Severity.MEDIUM,
    behaviour=Behaviour.CONCEALMENT,
    summary="Bidirectional control or invisible characters in code (Trojan Source, Hangul-filler names).",
    why="They make code read differently from how it runs (CVE-2021-42574).",
    references=("https://trojansource.codes/",),
)
ENCODED_BLOB = declare(
    "encoded-blob",
    family=FAMILY,
    severity=Severity.INFO,
    behaviour=Behaviour.CONCEALMENT,
    summary="A long base64/hex literal in a file that also decodes data.",
    why="Bundles embed fonts and wasm this way; payloads too. Context for the payload rules.",
)

COMPILED_DATA_FILE = declare(
    "compiled-data-file",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="eval / Function / vm / Module#_compile runs the text of a data file of the package (`.txt`, "
    "`.d.ts`, `.json`, an image or font); that text is analysed as code and judged by every rule.",
    why="Code kept in a file no one reads as code passes review: 2024–2025 loaders hid their stage two in a "
    "`.d.ts`, a JSON field or the tail of an image and compiled it at install or on require. Code has no "
    "reason to live in a data file.",
    behaviour=Behaviour.CONCEALMENT,
)
_CODE_SUFFIXES = (".js", ".cjs", ".mjs")

_RULES = (
    (OBFUSCATED, (Indicator.OBFUSCATOR, Indicator.JSFUCK)),
    (HIDDEN_CODE, (Indicator.HIDDEN_CODE,)),
    (INVISIBLE, (Indicator.INVISIBLE,)),
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    # Here, not with the declarations: `airlock diff` reads these rules' ids, and facts loads the parsers.
    from airlock.analysis.facts import compiled_target

    for rule, indicators in _RULES:
        found = list(facts.signals(*indicators))
        if found:
            yield rule.finding(
                f"{found[0].detail} in {found[0].evidence.file}", *(s.evidence for s in found[:3])
            )
    for f in facts.files:
        for compiled in f.compiles:
            target = compiled_target(f, compiled.path, compiled.base, facts.paths)
            if target is None or (target.endswith(_CODE_SUFFIXES) and compiled.field is None):
                continue
            what = f"{target} (its {compiled.field!r} member)" if compiled.field else target
            yield COMPILED_DATA_FILE.finding(
                f"{f.path} compiles the text of {what} as code {facts.reach(f.path).phrase}",
                compiled.evidence,
            )
            break
        else:
            continue
        break
    for f in facts.files:
        kinds = {s.indicator for s in f.signals}
        if Indicator.ENCODED_BLOB in kinds and Indicator.DECODER in kinds:
            blob = next(s for s in f.signals if s.indicator is Indicator.ENCODED_BLOB)
            yield ENCODED_BLOB.finding(
                f"{f.path} holds a long encoded literal and decodes data", blob.evidence
            )
            break


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    OBFUSCATED,
    HIDDEN_CODE,
    INVISIBLE,
    ENCODED_BLOB,
    COMPILED_DATA_FILE,
)
