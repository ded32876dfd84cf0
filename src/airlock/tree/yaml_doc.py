"""Load the YAML lockfiles (yarn berry, pnpm) safely: no tags, no anchors' billion laughs beyond a cap."""

from __future__ import annotations

from typing import Any

import yaml

from airlock.tree.model import LockfileError

try:  # libyaml is ten times faster on big lockfiles; pure Python is the fallback
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_ALIASES = 0
"""Lockfile writers never emit anchors or aliases; refusing them rules out alias-expansion bombs."""


def load_mapping(text: str, file: str) -> dict[Any, Any]:
    if "*" in text and _has_alias(text):
        raise LockfileError(file, "YAML aliases (`*name`) are not used by lockfile writers and are refused")
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise LockfileError(file, f"not valid YAML{where}: {problem}") from None
    if not isinstance(doc, dict):
        raise LockfileError(file, "expected a YAML mapping at the top level")
    return doc


def _has_alias(text: str) -> bool:
    # An alias is `*name` where a value starts; `'*'` (a quoted star range) is not one.
    for line in text.splitlines():
        stripped = line.split("#", 1)[0]
        for marker in (": *", "- *", "[*", ", *"):
            at = stripped.find(marker)
            if at >= 0 and len(stripped) > at + len(marker) and stripped[at + len(marker)] not in " '\"":
                return True
    return False
