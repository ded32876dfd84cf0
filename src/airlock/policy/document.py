"""`airlock-policy.json`: the policy document, parsed from JSON data and written deterministically.

The grants per package mirror LavaMoat's policy `resources` format exactly so that export is a copy
(LavaMoat/LavaMoat `docs/policy.md`, `packages/types/src/policy-schema/lavamoat-policy.v0-0-1.schema.ts`):

- `resources` is keyed by LavaMoat's canonical package name (`a>b>c`, the shortest dependency path);
- each entry has `builtin` (Node builtins, dot paths allowed: `"fs.readFile": true`; values are booleans),
  `globals` (dot paths: `"process.env": true`; `true` reads, `"write"` writes, `"redefine"` may
  `Object.defineProperty` it, `false` denies), `packages` (canonical names of dependencies it may require;
  booleans) and `native` (may load native addons; absent means "not said", which LavaMoat treats as false).

`allowNetwork` is airlock's own (no LavaMoat counterpart): `name#version` or a bare name → true lets that
package's allowed install scripts use the network (they run in a sandbox without it otherwise).

`allowScripts` mirrors `lavamoat.allowScripts` in package.json (LavaMoat `packages/allow-scripts/README.md`,
`src/config.js`): keys are `canonical-name#version` or a bare `canonical-name`; `true` runs the package's
install scripts, `false` keeps them off. allow-scripts (since v5) only honours an allowed entry pinned to a
version, so a bare name set to `true` is rejected here rather than silently meaning nothing.

Beyond LavaMoat, the document carries `"version": 1` so later formats can be told apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeAlias, TypeVar

from airlock.errors import BadInputError

POLICY_VERSION = 1
POLICY_FILENAME = "airlock-policy.json"

GlobalAccess: TypeAlias = bool | Literal["write", "redefine"]
"""A `globals` value: LavaMoat's `GlobalPolicyValue` without the deprecated `"read"` (use `true`)."""

GLOBAL_ACCESS_STRINGS: tuple[str, ...] = ("write", "redefine")
RESOURCE_FIELDS: tuple[str, ...] = ("builtin", "globals", "packages", "native")
TOP_LEVEL_FIELDS: tuple[str, ...] = ("version", "resources", "allowScripts", "allowNetwork")


_V = TypeVar("_V")


class PolicyError(BadInputError):
    """A policy document (or override) that cannot be used as written."""


def _frozen(items: Mapping[str, _V] | None) -> Mapping[str, _V]:
    # Sorted so that equal policies iterate (and serialise) identically; read-only like every model map.
    return MappingProxyType(dict(sorted((items or {}).items())))


@dataclass(frozen=True, slots=True)
class Resource:
    """One package's entry under `resources`: LavaMoat's `ResourcePolicy` without `meta`/`env`."""

    builtin: Mapping[str, bool] = field(default_factory=dict)
    globals: Mapping[str, GlobalAccess] = field(default_factory=dict)
    packages: Mapping[str, bool] = field(default_factory=dict)
    native: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "builtin", _frozen(self.builtin))
        object.__setattr__(self, "globals", _frozen(self.globals))
        object.__setattr__(self, "packages", _frozen(self.packages))


@dataclass(frozen=True, slots=True)
class Policy:
    """A whole `airlock-policy.json` (or an override file: same shape, LavaMoat's convention)."""

    resources: Mapping[str, Resource] = field(default_factory=dict)
    allow_scripts: Mapping[str, bool] = field(default_factory=dict)
    version: int = POLICY_VERSION
    allow_network: Mapping[str, bool] = field(default_factory=dict)
    """airlock's addition: whose allowed install scripts run with the network (`name#version` or a bare
    name for every version; `true` grants). Without an entry, scripts run in a sandbox without network."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "resources", _frozen(self.resources))
        object.__setattr__(self, "allow_scripts", _frozen(self.allow_scripts))
        object.__setattr__(self, "allow_network", _frozen(self.allow_network))

    def network_allowed(self, name: str, version: str | None) -> bool:
        """Whether `name`'s install scripts may use the network: a `name#version` entry decides, else a
        bare `name` entry; nothing said is no."""
        if version is not None and script_pattern(name, version) in self.allow_network:
            return self.allow_network[script_pattern(name, version)] is True
        return self.allow_network.get(name) is True

    def scripts_allowed(self, name: str, version: str | None) -> bool:
        """Whether `name`'s install scripts may run, as allow-scripts' `isAllowed` decides.

        allow-scripts checks the pattern `name#version`; a pattern without a version is never allowed
        (LavaMoat `packages/allow-scripts/src/config.js`, `versionAwareMatcher`, without --skip-versions).
        """
        if version is None:
            return False
        return self.allow_scripts.get(script_pattern(name, version)) is True

    def scripts_decision(self, name: str, version: str | None) -> bool | None:
        """True: the install scripts run; False: the policy keeps them off; None: the policy says nothing
        about this version (allow-scripts' "missing policy", which `allow-scripts run` refuses).

        As `isCorrectlyConfigured` in allow-scripts' `versionAwareMatcher`: a bare name set to false
        decides every version; a pinned entry decides only its own version.
        """
        if self.scripts_allowed(name, version):
            return True
        if self.allow_scripts.get(name) is False:
            return False
        if version is not None and script_pattern(name, version) in self.allow_scripts:
            return False
        return None


def script_pattern(name: str, version: str | None) -> str:
    """The `allowScripts` key for a package: `canonical-name#version`, or the bare name without a version."""
    return f"{name}#{version}" if version else name


# --- parsing -------------------------------------------------------------------------------------


def loads(text: str | bytes, *, source: str = POLICY_FILENAME) -> Policy:
    """Parse the text of a policy file; `source` names it in errors."""
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(
            f"{source} is not valid JSON: {exc}",
            hint=f"fix the JSON syntax of {source}, or delete it and run `airlock policy init` again",
        ) from exc
    except _DuplicateKeyError as exc:
        raise PolicyError(
            f"{source} has the key {json.dumps(exc.args[0])} twice in one object",
            hint="keep one of them: JSON readers disagree on which one counts",
        ) from exc
    return parse(data, source=source)


class _DuplicateKeyError(ValueError):
    pass


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # json keeps the last of two equal keys; in a policy that would silently drop a grant or a denial.
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKeyError(key)
        seen[key] = value
    return seen


def parse(data: object, *, source: str = POLICY_FILENAME) -> Policy:
    """Build a Policy from decoded JSON data (what `json.load` returns), checking every field."""
    document = _object(data, source, "the document")
    unknown = sorted(set(document) - set(TOP_LEVEL_FIELDS))
    if unknown:
        raise PolicyError(
            f"{source}: unknown top-level field {unknown[0]!r}",
            hint=f"an airlock policy has only {', '.join(TOP_LEVEL_FIELDS)}",
        )
    if "version" not in document:
        raise PolicyError(
            f'{source}: "version" is missing',
            hint=f'add "version": {POLICY_VERSION} (the format this airlock reads)',
        )
    version = document["version"]
    if type(version) is not int or version != POLICY_VERSION:
        raise PolicyError(
            f'{source}: "version" is {json.dumps(version)}, this airlock reads version {POLICY_VERSION}',
            hint="a newer airlock wrote this file: upgrade airlock"
            if type(version) is int and version > POLICY_VERSION
            else f'set "version": {POLICY_VERSION}',
        )
    resources_data = _object(document.get("resources", {}), source, '"resources"')
    resources = {name: _parse_resource(entry, source, name) for name, entry in resources_data.items()}
    allow_scripts = _parse_allow_scripts(document.get("allowScripts", {}), source)
    allow_network = _parse_allow_network(document.get("allowNetwork", {}), source)
    return Policy(
        resources=resources, allow_scripts=allow_scripts, version=version, allow_network=allow_network
    )


def _parse_resource(data: object, source: str, name: str) -> Resource:
    where = f'resources["{name}"]'
    if not name or name != name.strip():
        raise PolicyError(
            f"{source}: resources has a package named {json.dumps(name)}",
            hint="keys of resources are LavaMoat canonical names such as `a>b>c`",
        )
    entry = _object(data, source, where)
    unknown = sorted(set(entry) - set(RESOURCE_FIELDS))
    if unknown:
        raise PolicyError(
            f"{source}: {where} has unknown field {unknown[0]!r}",
            hint=f"a package's grants are {', '.join(RESOURCE_FIELDS)} (LavaMoat's resources format)",
        )
    native = entry.get("native")
    if native is not None and type(native) is not bool:
        raise PolicyError(
            f"{source}: {where}.native is {json.dumps(native)}, not true or false",
            hint="native is true (may load native addons) or false",
        )
    return Resource(
        builtin=_booleans(entry.get("builtin", {}), source, f"{where}.builtin"),
        globals=_globals(entry.get("globals", {}), source, f"{where}.globals"),
        packages=_booleans(entry.get("packages", {}), source, f"{where}.packages"),
        native=native,
    )


def _booleans(data: object, source: str, where: str) -> dict[str, bool]:
    parsed: dict[str, bool] = {}
    for key, value in _object(data, source, where).items():
        if not isinstance(value, bool):
            raise PolicyError(
                f'{source}: {where}["{key}"] is {json.dumps(value)}, not true or false',
                hint="true grants it, false denies it",
            )
        parsed[key] = value
    return parsed


def _globals(data: object, source: str, where: str) -> dict[str, GlobalAccess]:
    grants = _object(data, source, where)
    parsed: dict[str, GlobalAccess] = {}
    for key, value in grants.items():
        if type(value) is bool:
            parsed[key] = value
        elif value == "write":
            parsed[key] = "write"
        elif value == "redefine":
            parsed[key] = "redefine"
        else:
            hint = (
                'LavaMoat deprecated "read": write true'
                if value == "read"
                else 'true reads, "write" writes, "redefine" may redefine, false denies'
            )
            raise PolicyError(f'{source}: {where}["{key}"] is {json.dumps(value)}', hint=hint)
    return parsed


def _parse_allow_scripts(data: object, source: str) -> dict[str, bool]:
    scripts = _booleans(data, source, "allowScripts")
    for pattern, allowed in scripts.items():
        name, _, version = pattern.partition("#")
        if not name or "#" in version or pattern.endswith("#"):
            raise PolicyError(
                f"{source}: allowScripts has a malformed key {json.dumps(pattern)}",
                hint="keys are `canonical-name#version` (or a bare canonical name to deny every version)",
            )
        if allowed and not version:
            raise PolicyError(
                f'{source}: allowScripts["{pattern}"] allows install scripts without a version',
                hint=f'pin it as "{pattern}#<version>": allow-scripts only runs allowed entries '
                "pinned to the installed version",
            )
    return scripts


def _parse_allow_network(data: object, source: str) -> dict[str, bool]:
    grants = _booleans(data, source, "allowNetwork")
    for pattern in grants:
        name, _, version = pattern.partition("#")
        if not name or "#" in version or pattern.endswith("#"):
            raise PolicyError(
                f"{source}: allowNetwork has a malformed key {json.dumps(pattern)}",
                hint="keys are `canonical-name#version`, or a bare canonical name for every version",
            )
    return grants


def _object(data: object, source: str, where: str) -> dict[str, object]:
    if not isinstance(data, dict):
        kind = "an array" if isinstance(data, list) else json.dumps(data)
        raise PolicyError(
            f"{source}: {where} is {kind}, not an object",
            hint="see docs/schema/airlock-policy-v1.schema.json for the format",
        )
    return data


# --- writing -------------------------------------------------------------------------------------


def to_data(policy: Policy) -> dict[str, object]:
    """The JSON data of a policy; empty grant sections are left out, as LavaMoat writes them."""
    data: dict[str, object] = {
        "version": policy.version,
        "resources": {name: resource_data(resource) for name, resource in policy.resources.items()},
        "allowScripts": dict(policy.allow_scripts),
    }
    if policy.allow_network:  # written only when used, so policies without it keep their bytes
        data["allowNetwork"] = dict(policy.allow_network)
    return data


def resource_data(resource: Resource) -> dict[str, object]:
    """One `resources` entry as LavaMoat's policy.json spells it."""
    data: dict[str, object] = {}
    if resource.builtin:
        data["builtin"] = dict(resource.builtin)
    if resource.globals:
        data["globals"] = dict(resource.globals)
    if resource.packages:
        data["packages"] = dict(resource.packages)
    if resource.native is not None:
        data["native"] = resource.native
    return data


def dumps(policy: Policy) -> str:
    """The file text: sorted keys, two-space indent, UTF-8 as is, one trailing newline; same policy, same bytes."""
    return json.dumps(to_data(policy), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- one package's grants ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageGrants:
    """What one package may do (from a policy) or does (from the analysis), in the same shape.

    `native` is "loads native code", `scripts` is "has install scripts"; `version` picks the
    `allowScripts` entry (`name#version`). From a policy, None says "not decided" (no `native` key; no
    `allowScripts` entry for this version) and False "explicitly denied"; observed values are booleans.
    """

    name: str
    version: str | None = None
    builtin: Mapping[str, bool] = field(default_factory=dict)
    globals: Mapping[str, GlobalAccess] = field(default_factory=dict)
    packages: Mapping[str, bool] = field(default_factory=dict)
    native: bool | None = False
    scripts: bool | None = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "builtin", _frozen(self.builtin))
        object.__setattr__(self, "globals", _frozen(self.globals))
        object.__setattr__(self, "packages", _frozen(self.packages))


def grants_for(policy: Policy, name: str, version: str | None) -> PackageGrants:
    """The grants `policy` gives package `name` (a canonical name); a package it does not list gets none."""
    resource = policy.resources.get(name, Resource())
    return PackageGrants(
        name=name,
        version=version,
        builtin=resource.builtin,
        globals=resource.globals,
        packages=resource.packages,
        native=resource.native,
        scripts=policy.scripts_decision(name, version),
    )
