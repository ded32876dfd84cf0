"""yarn berry's (v2+) `yarn.lock`: YAML with `__metadata`, entries keyed by descriptor lists, a
`resolution` locator per entry and a `checksum` of yarn's own zip archive (not comparable with npm's
`dist.integrity`, so the tarball is verified against the registry's integrity instead)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

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

        def resolve(name: str, spec: str) -> str | None:
            for candidate in (f"{name}@{spec}", f"{name}@npm:{spec}"):
                found = by_descriptor.get(candidate)
                if found is not None:
                    return found
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
            edges = list(self._edges(file, header, entry, resolve, dev))
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
