"""Accepting drift: the policy with the lines that accept each excess written in (for `policy check --update`).

Only airlock-policy.json is widened; the override file is the user's and is never rewritten. A grant of a
whole builtin or global replaces the grants of its fields (LavaMoat would drop them on load anyway:
`reduceToTopmostApiCalls` in `mergePolicy`), so the file stays free of entries that mean nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TypeVar

from airlock.policy.document import Policy, Resource
from airlock.policy.drift import GrantKind, PolicyLine

_V = TypeVar("_V")


def widen(policy: Policy, lines: Iterable[PolicyLine]) -> Policy:
    """`policy` with every line set as written (lines come from `Excess.line`)."""
    resources = dict(policy.resources)
    allow_scripts = dict(policy.allow_scripts)
    for line in lines:
        match line.path:
            case (GrantKind.INSTALL_SCRIPT.value, pattern) if isinstance(line.value, bool):
                allow_scripts[pattern] = line.value
            case ("resources", name, GrantKind.NATIVE.value) if isinstance(line.value, bool):
                resources[name] = replace(resources.get(name, Resource()), native=line.value)
            case ("resources", name, GrantKind.BUILTIN.value, key) if isinstance(line.value, bool):
                current = resources.get(name, Resource())
                resources[name] = replace(current, builtin=_set(current.builtin, key, line.value))
            case ("resources", name, GrantKind.GLOBAL.value, key):
                current = resources.get(name, Resource())
                resources[name] = replace(current, globals=_set(current.globals, key, line.value))
            case ("resources", name, GrantKind.PACKAGE.value, key) if isinstance(line.value, bool):
                current = resources.get(name, Resource())
                resources[name] = replace(current, packages={**current.packages, key: line.value})
            case _:
                raise ValueError(f"not a policy line airlock writes: {line}")
    return Policy(resources=resources, allow_scripts=allow_scripts, version=policy.version)


def _set(grants: Mapping[str, _V], path: str, value: _V) -> dict[str, _V]:
    kept = {key: v for key, v in grants.items() if not key.startswith(path + ".")}
    kept[path] = value
    return kept
