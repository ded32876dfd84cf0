"""The `os` / `cpu` / `libc` constraints a lockfile records for a package, read into plain lists in npm's
notation (`["linux"]`, `["!win32"]`), whatever shape the format writes them in. What the lists mean for
a platform is decided elsewhere (airlock.check.platform); here they are only read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

CONSTRAINT_FIELDS = ("os", "cpu", "libc")
_CONDITION_TOKEN = re.compile(r"^(!?)(os|cpu|libc)=(\S+)$")


@dataclass(frozen=True, slots=True)
class PlatformConstraints:
    os: tuple[str, ...] = ()
    cpu: tuple[str, ...] = ()
    libc: tuple[str, ...] = ()


def _as_list(value: object) -> tuple[str, ...]:
    # npm accepts a single string as well as a list (package.json `"os": "darwin"`).
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, (str, int, float)) and str(v))
    return ()


def constraints_of(entry: Mapping[str, object]) -> PlatformConstraints:
    """npm and pnpm lockfiles: `os`, `cpu` and `libc` copied from the package's manifest."""
    return PlatformConstraints(
        _as_list(entry.get("os")), _as_list(entry.get("cpu")), _as_list(entry.get("libc"))
    )


def constraints_of_conditions(conditions: object) -> PlatformConstraints:
    """yarn berry's `conditions: os=darwin & cpu=arm64`: yarn writes each manifest field's values joined
    with ` | ` (a negation as `!os=win32`) and the fields joined with ` & `, so the tokens give the lists
    back. A condition airlock cannot read gives no constraints, so the package is checked, never skipped."""
    if not isinstance(conditions, str):
        return PlatformConstraints()
    lists: dict[str, list[str]] = {field: [] for field in CONSTRAINT_FIELDS}
    for raw in re.split(r"[&|()]", conditions):
        token = raw.strip()
        if not token:
            continue
        match = _CONDITION_TOKEN.match(token)
        if match is None:
            return PlatformConstraints()
        negation, field, value = match.groups()
        lists[field].append(negation + value)
    return PlatformConstraints(tuple(lists["os"]), tuple(lists["cpu"]), tuple(lists["libc"]))


__all__ = ["CONSTRAINT_FIELDS", "PlatformConstraints", "constraints_of", "constraints_of_conditions"]
