"""Path rules: which member names are hostile, where npm installs the rest, and which links escape.

Backslashes count as separators for the hostile checks: the same tarball may be installed on Windows.
"""

from __future__ import annotations

import re

from airlock.tarball.issues import IssueKind

__all__ = ["classify", "is_absolute", "link_escapes"]

_DRIVE = re.compile(r"[A-Za-z]:")
_SEPARATORS = re.compile(r"[\\/]")


def is_absolute(path: str) -> bool:
    """Absolute on POSIX or on Windows (`/x`, `\\x`, `\\\\server\\share`, `C:\\x`, drive-relative `C:x`)."""
    return path.startswith(("/", "\\")) or _DRIVE.match(path) is not None


def _is_dotdot(component: str) -> bool:
    """`..`, and what Windows reads as `..` after trimming trailing dots and spaces (`...`, `.. `)."""
    core = component.strip(" ")
    return len(core) >= 2 and core.strip(".") == ""


def classify(name: str) -> tuple[IssueKind | None, str | None]:
    """(kind, None) for a hostile member path; else (None, the path npm installs it at, or None if npm
    installs nothing there: the package root itself, or a top-level member that `strip: 1` empties)."""
    if is_absolute(name):
        return IssueKind.ABSOLUTE_PATH, None
    if ".." in name and any(_is_dotdot(part) for part in _SEPARATORS.split(name)):
        return IssueKind.PATH_TRAVERSAL, None
    parts = name.split("/")[1:]  # npm strips the first component, whatever it is (node-tar `strip: 1`)
    if is_absolute("/".join(parts)):  # `package//etc/passwd`, `package/C:/x`
        return IssueKind.ABSOLUTE_PATH, None
    kept = [p for p in parts if p not in ("", ".")]
    return None, "/".join(kept) or None


def link_escapes(target: str, base: list[str]) -> bool:
    """Does `target`, resolved from directory `base` (components below the package root), leave it?"""
    if is_absolute(target):
        return True
    depth = len(base)
    for part in _SEPARATORS.split(target):
        if part in ("", "."):
            continue
        if _is_dotdot(part):
            depth -= 1
            if depth < 0:
                return True
        else:
            depth += 1
    return False
