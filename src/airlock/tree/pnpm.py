"""pnpm's `pnpm-lock.yaml`, lockfileVersion 6.x and 9.x.

v6 keys packages `/name@version(peers)` and lists their dependencies inline; v9 splits metadata
(`packages`, keyed `name@version`) from the dependency graph (`snapshots`, keyed with the peer suffix).
Importers (`.` and workspace directories) hold the project's direct dependencies; v6 single projects put
them at the top level.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from airlock.registry.semver import is_valid_range, satisfies
from airlock.tree.constraints import constraints_of
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
from airlock.tree.workspaces import (
    MANIFEST_EDGE_FIELDS,
    PACKAGE_EDGE_FIELDS,
    workspace_key,
    workspace_package,
)
from airlock.tree.yaml_doc import load_mapping


def _strip_peers(key: str) -> str:
    at = key.find("(")
    return key if at < 0 else key[:at]


def _name_version(key: str) -> tuple[str, str]:
    return split_name(_strip_peers(key).lstrip("/"))


class PnpmLockfile:
    file_names: tuple[str, ...] = ("pnpm-lock.yaml",)

    def read(self, data: LockfileInput) -> DependencyTree:
        file = data.file
        doc = load_mapping(data.text, file)
        raw_version = str(doc.get("lockfileVersion", ""))
        major = raw_version.split(".", 1)[0]
        if major not in ("6", "7", "8", "9"):
            raise LockfileError(
                file,
                f"unsupported lockfileVersion {raw_version!r} (airlock reads 6.x and 9.x)",
                hint="regenerate it with pnpm 8 or later (`pnpm install --lockfile-only --ignore-scripts`)",
            )
        v9 = major != "6"
        metadata = _mapping(doc.get("packages"), file, "packages")
        graph = _mapping(doc.get("snapshots"), file, "snapshots") if v9 else metadata
        importers = _mapping(doc.get("importers"), file, "importers")
        if not importers:  # v6 single project: the importer's fields are at the top level
            importers = {".": {f: doc[f] for f, _ in MANIFEST_EDGE_FIELDS if f in doc}}
        prefix = "" if v9 else "/"
        patched = _PatchedDependencies.of(
            _mapping(doc.get("patchedDependencies"), file, "patchedDependencies"), file
        )

        def resolve(importer_dir: str | None, name: str, value: object) -> str | None:
            if isinstance(value, dict):  # v6 importers: {specifier, version}
                value = value.get("version")
            if not isinstance(value, (str, int, float)):
                return None
            text = str(value)
            if text.startswith("link:"):
                base = importer_dir if importer_dir is not None else "."
                return workspace_key(posixpath.normpath(posixpath.join(base, text[5:])))
            if text.startswith("/"):
                return text if text in graph else None
            plain = _strip_peers(text)
            key = text if ("@" in plain[1:]) else f"{name}@{text}"
            key = prefix + key if not key.startswith(prefix) else key
            return key if key in graph else None

        def edges(
            owner: str,
            entry: Mapping[str, Any],
            fields: tuple[tuple[str, EdgeKind], ...],
            importer_dir: str | None = None,
        ) -> Iterator[Edge]:
            for field, kind in fields:
                deps = _mapping(entry.get(field), file, f"{owner}: {field}")
                for dep, value in deps.items():
                    target = resolve(importer_dir, str(dep), value)
                    if target is not None:
                        yield Edge(str(dep), target, kind)

        packages: dict[str, LockedPackage] = {}
        for raw_key, raw in graph.items():
            key = str(raw_key)
            entry = _mapping(raw, file, key)
            meta = _mapping(metadata.get(_strip_peers(key)), file, key) if v9 else entry
            if v9 and _strip_peers(key) not in metadata:
                raise LockfileError(file, "in `snapshots` but not in `packages`", entry=key)
            name, version = _name_version(key)
            resolution = _mapping(meta.get("resolution"), file, key)
            source, resolved = _source(resolution, version)
            if isinstance(meta.get("name"), str):
                name = meta["name"]
            if isinstance(meta.get("version"), str):
                version = meta["version"]
            integrity = resolution.get("integrity")
            if source is Source.REGISTRY and not version:
                raise LockfileError(file, "cannot tell the version from the key", entry=key)
            platform = constraints_of(meta)
            packages[key] = LockedPackage(
                key=key,
                name=name,
                version=version,
                source=source,
                resolved=resolved,
                integrity=integrity if isinstance(integrity, str) else None,
                dependencies=tuple(edges(key, entry, PACKAGE_EDGE_FIELDS)),
                os=platform.os,
                cpu=platform.cpu,
                libc=platform.libc,
                patches=patched.files_for(name, version),
            )
        roots: list[Edge] = []
        for raw_directory, raw in importers.items():
            directory = str(raw_directory)
            entry = _mapping(raw, file, f"importers: {directory}")
            found = list(edges(f"importers: {directory}", entry, MANIFEST_EDGE_FIELDS, directory))
            if directory == ".":
                roots.extend(found)
                continue
            workspace = workspace_package(directory, data.manifests.get(directory, {}), tuple(found))
            packages[workspace.key] = workspace
            roots.append(Edge(workspace.name, workspace.key, EdgeKind.PROD))
        # `link:` targets that are not importers are plain local directories.
        for package in list(packages.values()):
            for edge in package.dependencies:
                _add_link(packages, edge)
        for edge in roots:
            _add_link(packages, edge)
        lines = lines_of(
            data.text,
            {
                k: (f"\n  {k}:", f"\n  '{k}':", f'\n  "{k}":')
                for k in packages
                if not k.startswith("workspace:")
            },
        )
        return with_derived_flags(
            DependencyTree(
                file=file,
                format=f"pnpm-lock.yaml v{raw_version}",
                roots=tuple(roots),
                packages={
                    k: p.at_line(lines.get(_strip_peers(k)) or lines.get(k)) for k, p in packages.items()
                },
            )
        )


class _PatchedDependencies:
    """`patchedDependencies`: `name@version` (or, since pnpm 9.x/10, a bare `name` or `name@range`) → the
    patch file, relative to the project. pnpm picks an exact version first, then a range, then the bare
    name."""

    def __init__(self, entries: list[tuple[str, str | None, str]]) -> None:
        self._entries = entries

    @classmethod
    def of(cls, raw: Mapping[Any, Any], file: str) -> _PatchedDependencies:
        entries: list[tuple[str, str | None, str]] = []
        for raw_key, value in raw.items():
            key = str(raw_key)
            path = value.get("path") if isinstance(value, dict) else value
            if not isinstance(path, str) or not path:
                raise LockfileError(file, "a patched dependency without a `path`", entry=key)
            at = key.find("@", 1)
            name, selector = (key, None) if at < 0 else (key[:at], key[at + 1 :])
            entries.append((name, selector or None, path))
        return cls(entries)

    def files_for(self, name: str, version: str) -> tuple[str, ...]:
        candidates = [(selector, path) for n, selector, path in self._entries if n == name]
        if not candidates:
            return ()
        exact = next((p for s, p in candidates if s == version), None)
        in_range = next(
            (
                p
                for s, p in candidates
                if s is not None and s != version and is_valid_range(s) and satisfies(version, s)
            ),
            None,
        )
        any_version = next((p for s, p in candidates if s is None), None)
        chosen = exact or in_range or any_version
        return () if chosen is None else (chosen,)


def _add_link(packages: dict[str, LockedPackage], edge: Edge) -> None:
    if edge.target.startswith("workspace:") and edge.target not in packages:
        directory = edge.target.removeprefix("workspace:")
        packages[edge.target] = LockedPackage(
            key=edge.target, name=edge.name, version=None, source=Source.LINK, resolved=directory
        )


def _mapping(value: object, file: str, entry: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LockfileError(file, f"expected a mapping, got {type(value).__name__}", entry=entry)
    return value


def _source(resolution: Mapping[str, Any], version: str) -> tuple[Source, str | None]:
    if resolution.get("type") == "git" or "repo" in resolution:
        repo = resolution.get("repo")
        commit = resolution.get("commit")
        return Source.GIT, f"{repo}#{commit}" if repo else None
    if "directory" in resolution:
        return Source.FILE, str(resolution["directory"])
    tarball = resolution.get("tarball")
    if isinstance(tarball, str):
        if tarball.startswith("file:"):
            return Source.FILE, tarball
        return classify(tarball), tarball
    if version.startswith(("file:", "link:")):
        return classify(version), version
    return Source.REGISTRY, None
