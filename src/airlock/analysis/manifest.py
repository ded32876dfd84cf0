"""The package's own `package.json`: identity, lifecycle scripts, entry points. Parsed from bytes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from airlock.lifecycle import IMPLICIT_GYP_SCRIPT, REPORTED_SCRIPTS
from airlock.model import DeclaredManifest


def _str_map(value: object) -> Mapping[str, str]:
    if not isinstance(value, dict):
        return MappingProxyType({})
    return MappingProxyType({str(k): v for k, v in value.items() if isinstance(v, str)})


@dataclass(frozen=True, slots=True)
class Manifest:
    name: str | None = None
    version: str | None = None
    scripts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    bin: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    main: str | None = None
    dependencies: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    optional_dependencies: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    peer_dependencies: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    dev_dependencies: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Not installed with a registry package; read only to know which names the author chose."""
    gypfile: bool | None = None
    config: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """The `config` object flattened as npm exports it to scripts: `{"a": {"b": 1}}` → `a_b` = `1`, for
    `$npm_package_config_a_b`."""
    entry_points: tuple[str, ...] = ()
    """Files Node or a bundler loads when the package is required or imported: `main` (or `index.js`), every
    string in `exports` (every condition), `module`, `browser` and `bin` targets, in declaration order."""
    error: str | None = None
    """Why package.json could not be read, if it could not."""


def parse_manifest(data: bytes | None) -> Manifest:
    if data is None:
        return Manifest(error="the package has no package.json")
    try:
        doc = json.loads(data.decode("utf-8-sig", "replace"))
    except json.JSONDecodeError as exc:
        return Manifest(
            error=f"package.json is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        )
    if not isinstance(doc, dict):
        return Manifest(error="package.json is not a JSON object")
    name = doc.get("name")
    version = doc.get("version")
    raw_bin = doc.get("bin")
    if isinstance(raw_bin, str) and isinstance(name, str):
        bin_map: Mapping[str, str] = MappingProxyType({name.rsplit("/", 1)[-1]: raw_bin})
    else:
        bin_map = _str_map(raw_bin)
    main = doc.get("main")
    gypfile = doc.get("gypfile")
    entries: list[str] = [main if isinstance(main, str) and main.strip() else "index.js"]
    entries.extend(_strings(doc.get("exports")))
    entries.extend(_strings(doc.get("module")))
    entries.extend(_strings(doc.get("browser")))
    entries.extend(bin_map.values())
    return Manifest(
        name=name if isinstance(name, str) else None,
        version=version if isinstance(version, str) else None,
        scripts=_str_map(doc.get("scripts")),
        bin=bin_map,
        main=main if isinstance(main, str) else None,
        dependencies=_str_map(doc.get("dependencies")),
        optional_dependencies=_str_map(doc.get("optionalDependencies")),
        peer_dependencies=_str_map(doc.get("peerDependencies")),
        dev_dependencies=_str_map(doc.get("devDependencies")),
        gypfile=gypfile if isinstance(gypfile, bool) else None,
        config=MappingProxyType(dict(sorted(_flat_config(doc.get("config")).items()))),
        entry_points=tuple(dict.fromkeys(e for e in entries if e)),
    )


class SpecSource(StrEnum):
    """Where a dependency spec (or an `npx` package spec) makes npm fetch code from, if not the registry."""

    URL = "tarball URL"
    GIT = "git repository"
    FILE = "local path"


_GIT_PREFIXES = ("git+", "git://", "git@", "ssh://", "github:", "gitlab:", "bitbucket:", "gist:")
_GITHUB_SHORTHAND = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(?:#\S*)?$")


def spec_source(spec: str) -> SpecSource | None:
    """What a `package.json` dependency value (or an `npx` package spec) points npm at. None for the
    registry: semver ranges, dist-tags, `npm:` aliases, `workspace:`/`catalog:` protocols."""
    value = spec.strip()
    lowered = value.lower()
    if lowered.startswith(("http://", "https://")):
        return SpecSource.URL
    if lowered.startswith(_GIT_PREFIXES):
        return SpecSource.GIT
    if lowered.startswith(("file:", "link:", "./", "../", "/", "~/")):
        return SpecSource.FILE
    if not lowered.startswith("@") and _GITHUB_SHORTHAND.match(value):
        return SpecSource.GIT  # `user/repo`: npm reads it as github:user/repo
    return None


def _flat_config(value: object, prefix: str = "", depth: int = 0) -> dict[str, str]:
    """`config` as npm puts it in the environment of scripts: nested keys joined by `_`, scalars as text."""
    out: dict[str, str] = {}
    if not isinstance(value, dict) or depth > 8:
        return out
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            out.update(_flat_config(item, f"{name}_", depth + 1))
        elif isinstance(item, bool):
            out[name] = "true" if item else "false"
        elif isinstance(item, str | int | float):
            out[name] = str(item)
    return out


def _strings(value: object, depth: int = 0) -> list[str]:
    """Every string leaf of an `exports`/`browser` value (conditions nest; the depth cap bounds hostile
    nesting, which `json.loads` already limits)."""
    if isinstance(value, str):
        return [value]
    if depth > 16:
        return []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v, depth + 1)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, depth + 1)]
    return []


def declared(manifest: Manifest, *, has_binding_gyp: bool) -> DeclaredManifest | None:
    """What npm will act on from this package.json, for comparison with the registry's manifest."""
    if manifest.error:
        return None
    return DeclaredManifest(
        name=manifest.name,
        version=manifest.version,
        scripts=tuple(sorted(manifest.scripts.items())),
        dependencies=tuple(sorted({*manifest.dependencies, *manifest.optional_dependencies})),
        peer_dependencies=tuple(sorted(manifest.peer_dependencies)),
        bin=tuple(sorted(manifest.bin.items())),
        gypfile=manifest.gypfile,
        has_binding_gyp=has_binding_gyp,
    )


def install_scripts(manifest: Manifest, *, has_binding_gyp: bool) -> dict[str, str]:
    """The lifecycle scripts a report lists (`lifecycle.REPORTED_SCRIPTS`: `prepare` too), including the
    implicit `node-gyp rebuild`. Which of them run at a registry install is `lifecycle.registry_install_scripts`.

    npm adds `install: node-gyp rebuild` when a package ships binding.gyp and defines neither `install`
    nor `preinstall` (and has not set `gypfile: false`).
    """
    scripts = {name: manifest.scripts[name] for name in REPORTED_SCRIPTS if name in manifest.scripts}
    if (
        has_binding_gyp
        and "install" not in scripts
        and "preinstall" not in scripts
        and manifest.gypfile is not False
    ):
        scripts["install"] = IMPLICIT_GYP_SCRIPT
    return dict(sorted(scripts.items(), key=lambda kv: REPORTED_SCRIPTS.index(kv[0])))
