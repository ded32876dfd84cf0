"""yarn berry's (v2+) `yarn.lock`: YAML with `__metadata`, entries keyed by descriptor lists, a
`resolution` locator per entry and a `checksum` of yarn's own zip archive (not comparable with npm's
`dist.integrity`, so the tarball is verified against the registry's integrity instead).

The root manifest's `resolutions` change what a dependency resolves to without changing what the dependent
declares: `debug` still lists `ms: npm:2.0.0` while the lockfile holds only `ms@npm:2.1.2`. Edges are
therefore linked the way yarn links them, through the override (`_Resolution`)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import parse_qs, unquote

from airlock.tree.constraints import constraints_of_conditions
from airlock.tree.graph import lines_of, with_derived_flags
from airlock.tree.model import (
    DependencyTree,
    Edge,
    EdgeKind,
    LockedPackage,
    LockfileError,
    LockfileInput,
    Source,
)
from airlock.tree.sources import classify, split_name
from airlock.tree.workspaces import dev_names
from airlock.tree.yaml_doc import load_mapping


def _with_default_protocol(range_: str) -> str:
    """yarn's normalisation of a bare range, version or tag: the `npm:` protocol is implied."""
    if ":" in range_ or range_.startswith(("./", "../", "/", "~/")):
        return range_
    return f"npm:{range_}"


def _same_range(declared: str, written: str) -> bool:
    return _with_default_protocol(declared) == _with_default_protocol(written)


@dataclass(frozen=True, slots=True)
class _Specifier:
    name: str
    range: str | None


@dataclass(frozen=True, slots=True)
class _Resolution:
    """One `resolutions` entry: `[from/]name[@range]` → `reference` (yarn's resolution grammar)."""

    parent: _Specifier | None
    target: _Specifier
    reference: str

    def applies(self, dependent: tuple[str, str], name: str, declared: str) -> bool:
        """Whether this entry overrides `name@declared` as a dependency of the `dependent` locator."""
        if self.parent is not None:
            parent_name, parent_reference = dependent
            if self.parent.name != parent_name:
                return False
            if self.parent.range is not None and not _same_range(self.parent.range, parent_reference):
                return False
        if self.target.name != name:
            return False
        return self.target.range is None or _same_range(self.target.range, declared)


def _specifier(text: str) -> tuple[_Specifier, str] | None:
    """A `name[@range]` at the start of `text`, and the rest after it (from the `/` that ends it)."""
    name_end = 0
    if text.startswith("@"):
        slash = text.find("/")
        if slash <= 1:
            return None
        name_end = slash + 1
    match = re.match(r"[^/@]+", text[name_end:])
    if match is None:
        return None
    name_end += match.end()
    name, rest = text[:name_end], text[name_end:]
    if not rest.startswith("@"):
        return _Specifier(name, None), rest
    range_end = rest.find("/")
    range_end = len(rest) if range_end < 0 else range_end
    if range_end == 1:
        return None
    return _Specifier(name, rest[1:range_end]), rest[range_end:]


def _parse_resolution(pattern: str, reference: str) -> _Resolution | None:
    """None for what yarn berry rejects: glob patterns (`**/foo`: yarn warns YN0057 and ignores them, since
    globs have no effect in berry) and text its grammar does not accept."""
    if pattern.startswith("*"):
        return None
    first = _specifier(pattern)
    if first is None:
        return None
    specifier, rest = first
    if not rest:
        return _Resolution(None, specifier, reference)
    second = _specifier(rest[1:])
    if second is None or second[1]:
        return None
    return _Resolution(specifier, second[0], reference)


def _resolutions(root_manifest: Mapping[str, object] | None) -> tuple[_Resolution, ...]:
    raw = root_manifest.get("resolutions") if root_manifest is not None else None
    if not isinstance(raw, dict):
        return ()
    parsed = (
        _parse_resolution(str(pattern), reference)
        for pattern, reference in raw.items()
        if isinstance(reference, str)
    )
    return tuple(r for r in parsed if r is not None)


def _patch_files(reference: str) -> tuple[str, ...]:
    """The project's patch files a `patch:` locator applies (`patch:<source>#<path>[&<path>]::<params>`), as
    paths relative to the project: `~/` is the project root, other relative paths start at the workspace
    named by the `locator` parameter. yarn's built-in compatibility patches (`optional!builtin<compat/…>`)
    ship inside yarn itself, not in the repository, and are left out."""
    if not reference.startswith("patch:") or "#" not in reference:
        return ()
    paths_text, _, params = reference.split("#", 1)[1].partition("::")
    locator = (parse_qs(params).get("locator") or [""])[0]
    base = locator.split("@workspace:", 1)[1] if "@workspace:" in locator else "."
    out: list[str] = []
    for raw in paths_text.split("&"):
        path = unquote(raw)
        if not path or "builtin<" in path:
            continue
        if path.startswith("~/"):
            path = path[2:]
        elif not path.startswith("/"):
            path = posixpath.join(base, path)
        out.append(path if path.startswith("/") else posixpath.normpath(path))
    return tuple(out)


def _source_of(reference: str) -> Source:
    if reference.startswith("npm:"):
        return Source.REGISTRY
    if reference.startswith("workspace:"):
        return Source.WORKSPACE
    if reference.startswith(("link:", "portal:")):
        return Source.LINK
    if reference.startswith("file:"):
        return Source.FILE
    if reference.startswith("patch:"):
        return Source.REGISTRY if "npm%3A" in reference else Source.FILE
    if "#commit=" in reference or reference.startswith(("git", "github:")):
        return Source.GIT
    return classify(reference)


class YarnBerryLockfile:
    file_names: tuple[str, ...] = ("yarn.lock",)

    def read(self, data: LockfileInput) -> DependencyTree:
        file = data.file
        doc = load_mapping(data.text, file)
        metadata = doc.pop("__metadata", None)
        if not isinstance(metadata, dict):
            raise LockfileError(file, "no `__metadata` block: not a yarn berry lockfile")
        by_descriptor: dict[str, str] = {}
        raw: dict[str, dict[str, Any]] = {}
        headers: dict[str, str] = {}
        for raw_header, entry in doc.items():
            header = str(raw_header)
            if not isinstance(entry, dict):
                raise LockfileError(file, f"expected a mapping, got {type(entry).__name__}", entry=header)
            descriptors = [d.strip() for d in header.split(",") if d.strip()]
            if not descriptors:
                raise LockfileError(file, "an entry without descriptors", entry=header)
            resolution = entry.get("resolution")
            if not isinstance(resolution, str):
                raise LockfileError(file, "missing `resolution`", entry=header)
            for descriptor in descriptors:
                by_descriptor[descriptor] = resolution
            raw[resolution] = entry
            headers[resolution] = header

        resolutions = _resolutions(data.manifests.get(""))

        def resolve(dependent: tuple[str, str], name: str, spec: str) -> str | None:
            # yarn applies the first `resolutions` entry that matches, before looking the descriptor up.
            override = next((r for r in resolutions if r.applies(dependent, name, spec)), None)
            if override is not None:
                spec = override.reference
            for candidate in (f"{name}@{spec}", f"{name}@npm:{spec}"):
                found = by_descriptor.get(candidate)
                if found is not None:
                    return found
            if spec.startswith("patch:"):
                # A patch from `resolutions` is bound to the workspace that declares it: yarn appends
                # `::locator=<workspace>` to the descriptor it writes.
                bound = f"{name}@{spec}::"
                return next((r for d, r in by_descriptor.items() if d.startswith(bound)), None)
            return None

        packages: dict[str, LockedPackage] = {}
        roots: list[Edge] = []
        for resolution, entry in raw.items():
            header = headers[resolution]
            name, reference = split_name(resolution)
            source = _source_of(reference)
            version = entry.get("version")
            if not isinstance(version, (str, int, float)):
                raise LockfileError(file, "missing `version`", entry=header)
            workspace_dir = reference.removeprefix("workspace:") if source is Source.WORKSPACE else None
            manifest = data.manifests.get("" if workspace_dir == "." else workspace_dir or "\0")
            dev = dev_names(manifest) if source is Source.WORKSPACE else frozenset()
            edges = list(self._edges(file, header, entry, partial(resolve, (name, reference)), dev))
            if workspace_dir == ".":
                roots.extend(edges)
                continue
            platform = constraints_of_conditions(entry.get("conditions"))
            packages[resolution] = LockedPackage(
                key=resolution,
                name=name,
                version=str(version),
                source=source,
                resolved=reference if source is not Source.REGISTRY else None,
                integrity=None,
                dependencies=tuple(edges),
                os=platform.os,
                cpu=platform.cpu,
                libc=platform.libc,
                patches=_patch_files(reference),
            )
            if source is Source.WORKSPACE:
                roots.append(Edge(name, resolution, EdgeKind.PROD))
        lines = lines_of(data.text, {k: (f'\n"{headers[k]}":', f"\n{headers[k]}:") for k in packages})
        return with_derived_flags(
            DependencyTree(
                file=file,
                format=f"yarn.lock berry (metadata version {metadata.get('version')})",
                roots=tuple(roots),
                packages={k: p.at_line(lines.get(k)) for k, p in packages.items()},
                records_integrity=False,
            )
        )

    @staticmethod
    def _edges(
        file: str,
        header: str,
        entry: Mapping[str, Any],
        resolve: Callable[[str, str], str | None],
        dev: frozenset[str],
    ) -> Iterator[Edge]:
        meta = entry.get("dependenciesMeta") or {}
        for field, kind in (("dependencies", EdgeKind.PROD), ("peerDependencies", EdgeKind.PEER)):
            specs = entry.get(field) or {}
            if not isinstance(specs, dict):
                raise LockfileError(file, f"`{field}` must be a mapping", entry=header)
            for dep, spec in specs.items():
                target = resolve(str(dep), str(spec))
                if target is None:
                    continue
                edge_kind = kind
                if kind is EdgeKind.PROD and isinstance(meta.get(dep), dict) and meta[dep].get("optional"):
                    edge_kind = EdgeKind.OPTIONAL
                elif kind is EdgeKind.PROD and dep in dev:
                    edge_kind = EdgeKind.DEV
                yield Edge(str(dep), target, edge_kind)
