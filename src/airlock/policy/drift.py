"""Drift: how what a package does (observed) differs from what its policy grants.

An excess (a capability observed but not granted) is what `airlock policy check` fails on; each carries the
exact policy line that would accept it. A narrowing (granted but no longer observed) is only reported, and
so is a denial: a capability whose deciding entry is an explicit `false` (a decision already taken, which
the LavaMoat runtime enforces). Install scripts exceed only when no `allowScripts` entry decides the
version (allow-scripts' "missing policy"); the line that accepts them records them as `false`.

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

from airlock.model import Evidence
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
    evidence: tuple[Evidence, ...] = ()
    """Where the analysis saw it (filled by `generate.drifts`; `drift` sees grants only)."""


@dataclass(frozen=True, slots=True)
class Narrowing:
    """A grant the package no longer uses: reported so the policy can shrink, never an error."""

    kind: GrantKind
    key: str | None
    line: PolicyLine  # the policy entry that is now wider than needed
    keep: GlobalAccess | None = None
    """What the entry shrinks to instead of going away: `true` for a `"write"` grant that is now only read."""


@dataclass(frozen=True, slots=True)
class Drift:
    name: str
    excesses: tuple[Excess, ...] = ()
    narrowings: tuple[Narrowing, ...] = ()
    denied: tuple[Excess, ...] = ()
    """Capabilities the policy (or its override) explicitly denies with `false`: a decision already taken,
    which the LavaMoat runtime enforces, so reported and not an error. `line` is what would grant it."""
    version: str | None = None
    listed: bool = True
    """Whether the policy has an entry for the package (set by `generate.drifts`)."""
    in_tree: bool = True
    """False for a policy entry whose package is no longer in the tree (set by `generate.drifts`)."""

    @property
    def exceeds(self) -> bool:
        """True when the package does something its policy does not grant."""
        return bool(self.excesses)

    @property
    def changed(self) -> bool:
        """Anything `policy check --update` would write: excesses, narrowings, a new or removed entry."""
        return bool(self.excesses or self.narrowings) or (self.in_tree != self.listed)


def drift(granted: PackageGrants, observed: PackageGrants) -> Drift:
    """Compare one package's observed capabilities with its grants (same canonical name)."""
    if granted.name != observed.name:
        raise ValueError(
            f"drift compares one package: grants of {granted.name!r}, observed {observed.name!r}"
        )
    if observed.scripts and not observed.version:
        # allow-scripts only knows version-pinned entries, so no line could record unversioned scripts.
        raise ValueError(f"observed install scripts of {observed.name!r} need the package's version")
    name = observed.name
    excesses: list[Excess] = []
    denied: list[Excess] = []
    narrowings: list[Narrowing] = []
    resource = ("resources", name)
    for kind, grants, seen in (
        (GrantKind.BUILTIN, granted.builtin, observed.builtin),
        (GrantKind.GLOBAL, granted.globals, observed.globals),
    ):
        for path, access in seen.items():
            if access is False:
                continue
            decisive = _decisive(grants, path)
            excess = Excess(kind, path, PolicyLine((*resource, kind.value, path), access))
            if decisive is False:
                denied.append(excess)
            elif decisive is None or not (access is True or decisive == access):
                # A read is covered by any grant; "write"/"redefine" only by the same grant.
                excesses.append(excess)
        for path, access in grants.items():
            if access is not False and not _used(seen, path, access):
                keep: GlobalAccess | None = True if _used(seen, path, True) else None
                line = PolicyLine((*resource, kind.value, path), access)
                narrowings.append(Narrowing(kind, path, line, keep))
    kind = GrantKind.PACKAGE
    for dependency, used in observed.packages.items():
        allowed = granted.packages.get(dependency)
        if used and allowed is not True:
            excess = Excess(kind, dependency, PolicyLine((*resource, kind.value, dependency), True))
            (denied if allowed is False else excesses).append(excess)
    for dependency, allowed in granted.packages.items():
        if allowed and observed.packages.get(dependency) is not True:
            narrowings.append(
                Narrowing(kind, dependency, PolicyLine((*resource, kind.value, dependency), True))
            )
    native = PolicyLine((*resource, GrantKind.NATIVE.value), True)
    if observed.native and granted.native is not True:
        (denied if granted.native is False else excesses).append(Excess(GrantKind.NATIVE, None, native))
    elif granted.native is True and not observed.native:
        narrowings.append(Narrowing(GrantKind.NATIVE, None, native))
    pattern = script_pattern(name, observed.version)
    if observed.scripts and granted.scripts is None:
        # Install scripts the policy says nothing about (allow-scripts' "missing policy"). The line that
        # accepts them records them *off*: letting them run is a separate, explicit decision
        # (`airlock policy scripts`, or `true` by hand).
        line = PolicyLine((GrantKind.INSTALL_SCRIPT.value, pattern), False)
        excesses.append(Excess(GrantKind.INSTALL_SCRIPT, None, line))
    elif granted.scripts is True and not observed.scripts:
        line = PolicyLine((GrantKind.INSTALL_SCRIPT.value, pattern), True)
        narrowings.append(Narrowing(GrantKind.INSTALL_SCRIPT, None, line))
    return Drift(
        name=name,
        excesses=tuple(excesses),
        narrowings=tuple(narrowings),
        denied=tuple(denied),
        version=observed.version,
    )


def _chain(path: str) -> list[str]:
    # 'x.y.z' → ['x.y.z', 'x.y', 'x']: the path itself, then its parents from the deepest.
    parts = path.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


def _decisive(grants: Mapping[str, GlobalAccess], path: str) -> GlobalAccess | None:
    """The grant of the deepest listed path on `path`'s chain; None when nothing on it is listed."""
    return next((grants[p] for p in _chain(path) if p in grants), None)


def _used(seen: Mapping[str, GlobalAccess], granted_path: str, granted: GlobalAccess) -> bool:
    # A "write"/"redefine" grant that is now only read is a narrowing too.
    return any(
        access is not False
        and (path == granted_path or path.startswith(granted_path + "."))
        and (granted is True or access == granted)
        for path, access in seen.items()
    )
