"""Accepting drift: the policy with the lines that accept each excess written in, and the grants no longer
used taken out (for `policy check --update`).

Only airlock-policy.json is widened; the override file is the user's and is never rewritten. A grant of a
whole builtin or global replaces the grants of its fields (LavaMoat would drop them on load anyway:
`reduceToTopmostApiCalls` in `mergePolicy`), so the file stays free of entries that mean nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TypeVar

from airlock.policy.document import Policy, Resource
from airlock.policy.drift import GrantKind, Narrowing, PolicyLine

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
    return replace(policy, resources=resources, allow_scripts=allow_scripts)


def _set(grants: Mapping[str, _V], path: str, value: _V) -> dict[str, _V]:
    kept = {key: v for key, v in grants.items() if not key.startswith(path + ".")}
    kept[path] = value
    return kept


def narrow(policy: Policy, narrowings: Iterable[Narrowing]) -> Policy:
    """`policy` without the entries the narrowings name (a `"write"` grant now only read becomes `true`).

    An entry the narrowing names but the file lacks (it came from the override) is left alone: the override
    is the user's."""
    resources = dict(policy.resources)
    allow_scripts = dict(policy.allow_scripts)
    for narrowing in narrowings:
        line = narrowing.line
        match line.path:
            case (GrantKind.INSTALL_SCRIPT.value, pattern):
                allow_scripts.pop(pattern, None)
            case ("resources", name, GrantKind.NATIVE.value) if name in resources:
                resources[name] = replace(resources[name], native=None)
            case ("resources", name, GrantKind.BUILTIN.value, key) if name in resources:
                current = resources[name]
                builtin = {k: v for k, v in current.builtin.items() if k != key}
                resources[name] = replace(current, builtin=builtin)
            case ("resources", name, GrantKind.GLOBAL.value, key) if name in resources:
                current = resources[name]
                globals_ = {k: v for k, v in current.globals.items() if k != key}
                if narrowing.keep is not None and key in current.globals:
                    globals_[key] = narrowing.keep
                resources[name] = replace(current, globals=globals_)
            case ("resources", name, GrantKind.PACKAGE.value, key) if name in resources:
                current = resources[name]
                packages = {k: v for k, v in current.packages.items() if k != key}
                resources[name] = replace(current, packages=packages)
            case ("resources", _, *_):
                continue
            case _:
                raise ValueError(f"not a policy line airlock writes: {line}")
    return replace(policy, resources=resources, allow_scripts=allow_scripts)
