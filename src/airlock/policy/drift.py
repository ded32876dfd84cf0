"""Drift: how what a package does (observed) differs from what its policy grants.

An excess (a capability observed but not granted) is what `airlock policy check` fails on; each carries the
exact policy line that would accept it. A narrowing (granted but no longer observed) is only reported.

Whether a dot path is granted follows LavaMoat's rule for nested grants (`docs/policy.md`, "Unsupported
deny-list style policy"): the deepest listed path on the chain decides, so with `"a": true, "a.b": false,
"a.b.c": true` the paths `a.z` and `a.b.c` are granted and `a.b.y` is not. LavaMoat's docs also say that
`"a": true, "a.b": false` leaves `a.b` reachable at run time; drift takes the stricter reading (the deeper
`false` decides) so that it never calls a capability granted that the policy's author meant to deny.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass

from airlock.policy.document import GlobalAccess, PackageGrants, script_pattern


class GrantKind(enum.StrEnum):
    BUILTIN = "builtin"
    GLOBAL = "globals"
    PACKAGE = "packages"
    NATIVE = "native"
    INSTALL_SCRIPT = "allowScripts"


@dataclass(frozen=True, slots=True)
class PolicyLine:
    """One entry of airlock-policy.json: where it is (JSON keys from the top) and its value."""

    path: tuple[str, ...]
    value: GlobalAccess

    @property
    def pointer(self) -> str:
        """The RFC 6901 JSON pointer of the entry, e.g. `/resources/a>b/builtin/fs`."""
        return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in self.path)

    def __str__(self) -> str:
        # resources["a>b"]["builtin"]["fs.readFile"]: true — each key as JSON, then the value.
        head, *rest = self.path
        return head + "".join(f"[{json.dumps(key)}]" for key in rest) + f": {json.dumps(self.value)}"


@dataclass(frozen=True, slots=True)
class Excess:
    """A capability the package has and its grants do not cover."""

    kind: GrantKind
    key: str | None  # the builtin, global or package; None for native code and install scripts
    line: PolicyLine  # the policy entry that would accept it


@dataclass(frozen=True, slots=True)
class Narrowing:
    """A grant the package no longer uses: reported so the policy can shrink, never an error."""

    kind: GrantKind
    key: str | None
    line: PolicyLine  # the policy entry that is now wider than needed


@dataclass(frozen=True, slots=True)
class Drift:
    name: str
    excesses: tuple[Excess, ...] = ()
    narrowings: tuple[Narrowing, ...] = ()

    @property
    def exceeds(self) -> bool:
        """True when the package does something its policy does not grant."""
        return bool(self.excesses)


def drift(granted: PackageGrants, observed: PackageGrants) -> Drift:
    """Compare one package's observed capabilities with its grants (same canonical name)."""
    if granted.name != observed.name:
        raise ValueError(
            f"drift compares one package: grants of {granted.name!r}, observed {observed.name!r}"
        )
    if observed.scripts and not observed.version:
        # allow-scripts only honours a version-pinned `true`, so no line could accept unversioned scripts.
        raise ValueError(f"observed install scripts of {observed.name!r} need the package's version")
    name = observed.name
    excesses: list[Excess] = []
    narrowings: list[Narrowing] = []
    resource = ("resources", name)
    for kind, grants, seen in (
        (GrantKind.BUILTIN, granted.builtin, observed.builtin),
        (GrantKind.GLOBAL, granted.globals, observed.globals),
    ):
        for path, access in seen.items():
            if access is not False and not _covers(grants, path, access):
                excesses.append(Excess(kind, path, PolicyLine((*resource, kind.value, path), access)))
        for path, access in grants.items():
            if access is not False and not _used(seen, path, access):
                narrowings.append(Narrowing(kind, path, PolicyLine((*resource, kind.value, path), access)))
    kind = GrantKind.PACKAGE
    for dependency, used in observed.packages.items():
        if used and granted.packages.get(dependency) is not True:
            excesses.append(Excess(kind, dependency, PolicyLine((*resource, kind.value, dependency), True)))
    for dependency, allowed in granted.packages.items():
        if allowed and observed.packages.get(dependency) is not True:
            narrowings.append(
                Narrowing(kind, dependency, PolicyLine((*resource, kind.value, dependency), True))
            )
    native = PolicyLine((*resource, GrantKind.NATIVE.value), True)
    if observed.native and not granted.native:
        excesses.append(Excess(GrantKind.NATIVE, None, native))
    elif granted.native and not observed.native:
        narrowings.append(Narrowing(GrantKind.NATIVE, None, native))
    scripts = PolicyLine((GrantKind.INSTALL_SCRIPT.value, script_pattern(name, observed.version)), True)
    if observed.scripts and not granted.scripts:
        excesses.append(Excess(GrantKind.INSTALL_SCRIPT, None, scripts))
    elif granted.scripts and not observed.scripts:
        narrowings.append(Narrowing(GrantKind.INSTALL_SCRIPT, None, scripts))
    return Drift(name=name, excesses=tuple(excesses), narrowings=tuple(narrowings))


def _chain(path: str) -> list[str]:
    # 'x.y.z' → ['x.y.z', 'x.y', 'x']: the path itself, then its parents from the deepest.
    parts = path.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


def _covers(grants: Mapping[str, GlobalAccess], path: str, access: GlobalAccess) -> bool:
    decisive = next((grants[p] for p in _chain(path) if p in grants), False)
    if decisive is False:
        return False
    # A read is covered by any grant; "write"/"redefine" only by the same grant.
    return access is True or decisive == access


def _used(seen: Mapping[str, GlobalAccess], granted_path: str, granted: GlobalAccess) -> bool:
    # A "write"/"redefine" grant that is now only read is a narrowing too.
    return any(
        access is not False
        and (path == granted_path or path.startswith(granted_path + "."))
        and (granted is True or access == granted)
        for path, access in seen.items()
    )
