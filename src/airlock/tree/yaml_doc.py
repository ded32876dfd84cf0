"""Load the YAML lockfiles (yarn berry, pnpm) safely: no tags, no anchors' billion laughs beyond a cap."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


_DOCUMENT_START = re.compile(r"^---[ \t]*(?:#[^\r\n]*)?\r?$", re.MULTILINE)
"""A `---` line, also with a CRLF line end (a lockfile checked out with git's autocrlf)."""


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One document of a multi-document YAML file, with where its text starts."""

    mapping: dict[Any, Any]
    text: str
    first_line: int
    """0-based line of the file on which `text` starts (add it to a line found in `text`)."""


def load_documents(text: str, file: str) -> list[YamlDocument]:
    """Every non-empty document of the file (pnpm 11 writes two, separated by `---` lines), each a
    mapping. Writers put the separator at the start of a line, where no value of a mapping can be."""
    documents: list[YamlDocument] = []
    start, first_line = 0, 0
    for marker in [*_DOCUMENT_START.finditer(text), None]:
        end = marker.start() if marker is not None else len(text)
        chunk = text[start:end]
        if any(line.strip() and not line.lstrip().startswith("#") for line in chunk.splitlines()):
            # Padded so that a YAML error names the line of the file, not of the document.
            mapping = load_mapping("\n" * first_line + chunk, file)
            documents.append(YamlDocument(mapping, chunk, first_line))
        if marker is not None:
            first_line += chunk.count("\n") + text.count("\n", marker.start(), marker.end()) + 1
            start = marker.end() + 1
    if not documents:
        raise LockfileError(file, "expected a YAML mapping at the top level")
    return documents


def _has_alias(text: str) -> bool:
    # An alias is `*name` where a value starts; `'*'` (a quoted star range) is not one.
    for line in text.splitlines():
        stripped = line.split("#", 1)[0]
        for marker in (": *", "- *", "[*", ", *"):
            at = stripped.find(marker)
            if at >= 0 and len(stripped) > at + len(marker) and stripped[at + len(marker)] not in " '\"":
                return True
    return False
