"""Applying an override file to a policy, with the semantics of LavaMoat's `mergePolicy`.

Mirrors LavaMoat/LavaMoat `packages/core/src/mergePolicy.js` (tests: `packages/core/test/mergePolicy.spec.js`),
`reduceToTopmostApiCalls` and `validateHierarchy` in `packages/tofu/src/util.js`:

- every package of either file is in the result; a package only in the override is taken as written;
- `builtin`, `globals`, `packages`: the override's keys replace the policy's (shallow merge, override wins),
  so `false` in the override denies what the policy granted, `true` adds a grant;
- `native`: the override's value when it has one, otherwise the policy's;
- then `builtin` and `globals` are deduplicated: a dot path is dropped when any of its parents is a key
  (whatever that parent's value), so `"fs": false` in an override also removes a generated `"fs.readFile"`;
  afterwards the override's own non-false keys come back, so `"console": false, "console.log": true` leaves
  only `console.log`. `packages` are not deduplicated (whole packages, no dot paths);
- a truthy path under a truthy parent is an error ("`a.b` is invalid when `a` is also present"), reported
  with LavaMoat's advice to set the parent to false.

Key order is not part of the semantics here: maps are kept sorted, and the file is written with sorted keys.
`allowScripts` is airlock's addition (LavaMoat keeps it in package.json): the same shallow merge, override wins;
so is `allowNetwork`.
Neither input is changed; the override file is never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from airlock.policy.document import Policy, PolicyError, Resource

_V = TypeVar("_V")


def merge(policy: Policy, override: Policy, *, override_source: str = "policy-override.json") -> Policy:
    """The policy with `override` applied, as LavaMoat applies `policy-override.json` to `policy.json`."""
    resources: dict[str, Resource] = {}
    for name in sorted(set(policy.resources) | set(override.resources)):
        base = policy.resources.get(name)
        extra = override.resources.get(name)
        merged = _merge_resource(base, extra) if base is not None and extra is not None else (extra or base)
        assert merged is not None  # the name came from one of the two maps
        resources[name] = Resource(
            builtin=_dedupe(
                merged.builtin, extra.builtin if extra else None, name, "builtin", override_source
            ),
            globals=_dedupe(
                merged.globals, extra.globals if extra else None, name, "globals", override_source
            ),
            packages=merged.packages,
            native=merged.native,
        )
    allow_scripts = {**policy.allow_scripts, **override.allow_scripts}
    allow_network = {**policy.allow_network, **override.allow_network}
    return Policy(
        resources=resources, allow_scripts=allow_scripts, version=policy.version, allow_network=allow_network
    )


def lost_refusals(policy: Policy, override: Policy, merged: Policy | None = None) -> tuple[str, ...]:
    """The override's `false` entries that the merge drops because a parent path stays granted:
    `"process": true` in the policy and `"process.env": false` in the override leave `process.env`
    reachable under LavaMoat (its dedupe keeps the topmost path). Each as a sentence saying what to do."""
    merged = merged if merged is not None else merge(policy, override)
    lost: list[str] = []
    for name, extra in sorted(override.resources.items()):
        result = merged.resources.get(name, Resource())
        for section, refused, kept in (
            ("builtin", extra.builtin, result.builtin),
            ("globals", extra.globals, result.globals),
        ):
            for path, value in sorted(refused.items()):
                if value is not False:
                    continue
                parent = next((p for p in _parents(path) if kept.get(p) not in (None, False)), None)
                if parent is not None:
                    lost.append(
                        f'resources["{name}"]["{section}"]["{path}"]: false has no effect: the policy grants '
                        f'"{parent}", which LavaMoat keeps whole; refuse "{parent}" instead (and grant the '
                        "parts still needed), or narrow the grant in airlock-policy.json"
                    )
    return tuple(lost)


def _merge_resource(base: Resource, extra: Resource) -> Resource:
    # mergeResourcePolicy: dict fields shallow-merged with the override winning; native from the override
    # when present.
    return Resource(
        builtin={**base.builtin, **extra.builtin},
        globals={**base.globals, **extra.globals},
        packages={**base.packages, **extra.packages},
        native=extra.native if extra.native is not None else base.native,
    )


def _parents(path: str) -> list[str]:
    # 'x.y.z' has parents 'x' and 'x.y'
    parts = path.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts) - 1)]


def _dedupe(
    items: Mapping[str, _V], override_items: Mapping[str, _V] | None, name: str, section: str, source: str
) -> dict[str, _V]:
    # dedupePolicyPaths: reduceToTopmostApiCalls, re-add the override's non-false paths, validateHierarchy.
    kept = {path: value for path, value in items.items() if not any(p in items for p in _parents(path))}
    for path, value in (override_items or {}).items():
        if value is not False and path not in kept:
            kept[path] = value
    truthy = {path for path, value in kept.items() if value is not False}
    violations = [
        (path, parent)
        for path in sorted(truthy)
        for parent in [next((p for p in _parents(path) if p in truthy), None)]
        if parent is not None
    ]
    if violations:
        path, parent = violations[0]
        listed = "; ".join(f'"{p}" is invalid when "{q}" is also present' for p, q in violations)
        raise PolicyError(
            f'{source}: resources["{name}"].{section}: {listed} (a grant of "{parent}" already '
            f'covers "{path}")',
            hint=f'set "{parent}": false in {source} if you meant to narrow it to its listed fields, '
            f'or remove "{path}"',
        )
    return kept
