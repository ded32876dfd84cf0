"""yarn classic's `yarn.lock` (v1): a YAML-like format that is not YAML.

Each entry's header lists the descriptors (`name@range`) it satisfies; the body has `version`, `resolved`,
`integrity` and dependency maps. The file has no project section, so direct dependencies come from the
package.json files (root and workspaces) next to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from airlock.integrity import from_shasum
from airlock.tree.graph import with_derived_flags
from airlock.tree.model import (
    DependencyTree,
    Edge,
    EdgeKind,
    LockedPackage,
    LockfileError,
    LockfileInput,
    OutOfSync,
    Source,
)
from airlock.tree.sources import classify, split_alias, split_name
from airlock.tree.sync import declared_specs, manifest_path, with_sync_note
from airlock.tree.workspaces import MANIFEST_EDGE_FIELDS, PACKAGE_EDGE_FIELDS, workspace_nodes

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s:"]+(?::[^\s"]+)*')


EdgeReader = Callable[[str, Mapping[str, object], tuple[tuple[str, EdgeKind], ...]], Iterator[Edge]]


@dataclass(frozen=True, slots=True)
class _Entry:
    descriptors: tuple[str, ...]
    fields: dict[str, object]
    line: int


def _unquote(token: str, file: str, line: int) -> str:
    if token.startswith('"'):
        try:
            value = json.loads(token)
        except json.JSONDecodeError:
            raise LockfileError(file, f"line {line}: bad quoted string {token}") from None
        assert isinstance(value, str)
        return value
    return token


def parse(text: str, file: str) -> list[_Entry]:
    """The entries of a yarn v1 lockfile, each with its header line. Raises LockfileError naming the line."""
    entries: list[_Entry] = []
    # Open blocks of the entry being read: [header indent, mapping, indent of its children once known].
    stack: list[list[Any]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if "\t" in raw[: indent + 1]:
            raise LockfileError(file, f"line {number}: tabs are not allowed for indentation")
        if indent == 0:
            if not stripped.endswith(":"):
                raise LockfileError(
                    file, f"line {number}: expected an entry header ending in ':', got {stripped!r}"
                )
            descriptors = tuple(
                _unquote(part.strip(), file, number) for part in _split_header(stripped[:-1], file, number)
            )
            fields: dict[str, object] = {}
            entries.append(_Entry(descriptors, fields, number))
            stack = [[0, fields, None]]
            continue
        if not stack:
            raise LockfileError(file, f"line {number}: indented line outside an entry")
        while len(stack) > 1 and indent <= stack[-1][0]:
            stack.pop()
        block = stack[-1]
        if block[2] is None and indent > block[0]:
            block[2] = indent
        if indent != block[2]:
            raise LockfileError(file, f"line {number}: unexpected indentation")
        parent: dict[str, object] = block[1]
        if stripped.endswith(":") and " " not in stripped.rstrip(":").strip('"'):
            key = _unquote(stripped[:-1], file, number)
            child: dict[str, object] = {}
            parent[key] = child
            stack.append([indent, child, None])
            continue
        tokens = _TOKEN.findall(stripped)
        if len(tokens) != 2:
            raise LockfileError(file, f"line {number}: expected `key value`, got {stripped!r}")
        parent[_unquote(tokens[0], file, number)] = _unquote(tokens[1], file, number)
    return entries


def _split_header(header: str, file: str, line: int) -> Iterator[str]:
    parts = [p for p in re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', header) if p.strip()]
    if not parts:
        raise LockfileError(file, f"line {line}: an entry header without descriptors")
    yield from parts


class YarnClassicLockfile:
    file_names: tuple[str, ...] = ("yarn.lock",)

    def read(self, data: LockfileInput) -> DependencyTree:
        file = data.file
        entries = parse(data.text, file)
        by_descriptor: dict[str, str] = {}
        for entry in entries:
            for descriptor in entry.descriptors:
                by_descriptor[descriptor] = entry.descriptors[0]
        workspaces = workspace_nodes(data.manifests)
        workspace_by_name = {node.name: node.key for node in workspaces.values()}

        def target(name: str, spec: str) -> str | None:
            found = by_descriptor.get(f"{name}@{spec}")
            if found is None and (spec.startswith("workspace:") or name in workspace_by_name):
                return workspace_by_name.get(name)
            return found

        def edges(
            owner: str, deps: Mapping[str, object], fields: tuple[tuple[str, EdgeKind], ...]
        ) -> Iterator[Edge]:
            for field, kind in fields:
                specs = deps.get(field) or {}
                if not isinstance(specs, dict):
                    raise LockfileError(file, f"`{field}` must be a block of `name range` lines", entry=owner)
                for name, spec in specs.items():
                    found = target(name, str(spec))
                    if found is not None:
                        yield Edge(name, found, kind)

        packages: dict[str, LockedPackage] = {}
        sha1_only: list[str] = []
        for entry in entries:
            key = entry.descriptors[0]
            name, spec = split_name(key)
            alias = split_alias(spec)
            if alias is not None:
                name = alias[0]
            version = entry.fields.get("version")
            if not isinstance(version, str):
                raise LockfileError(file, "missing `version`", entry=key)
            resolved = entry.fields.get("resolved")
            resolved = resolved if isinstance(resolved, str) else None
            integrity = entry.fields.get("integrity")
            source = classify(spec) if classify(spec) is not Source.REGISTRY else classify(resolved)
            if not isinstance(integrity, str) and source is Source.REGISTRY:
                integrity = _url_sha1(resolved)
                if integrity is not None:
                    sha1_only.append(key)
            packages[key] = LockedPackage(
                key=key,
                name=name,
                version=version,
                source=source,
                resolved=resolved,
                integrity=integrity if isinstance(integrity, str) else None,
                dependencies=tuple(edges(key, entry.fields, PACKAGE_EDGE_FIELDS)),
                line=entry.line,
            )
        for node in workspaces.values():
            manifest = data.manifests[node.resolved or ""]
            packages[node.key] = LockedPackage(
                key=node.key,
                name=node.name,
                version=node.version,
                source=Source.WORKSPACE,
                resolved=node.resolved,
                dependencies=tuple(edges(node.key, manifest, MANIFEST_EDGE_FIELDS)),
            )
        roots = _roots(data, packages, edges)
        notes: tuple[str, ...] = ()
        if sha1_only:
            notes = (
                f"{file}: {len(sha1_only)} of its entries have no `integrity` (yarn before 1.10, 2018) and are "
                "pinned only by the sha1 in their `resolved` URL, which yarn checks; airlock compares that "
                "sha1 with the registry's, but sha1 is a weaker pin than sha512 (chosen-prefix collisions "
                "are practical): regenerate the lockfile with a current yarn to record sha512 integrity",
            )
        tree = with_derived_flags(
            DependencyTree(
                file=file, format="yarn.lock v1 (classic)", roots=roots, packages=packages, notes=notes
            )
        )
        problems = _out_of_sync(data, entries, by_descriptor, set(workspace_by_name), packages)
        return with_sync_note(tree, problems, "yarn install --ignore-scripts")


def _out_of_sync(
    data: LockfileInput,
    entries: list[_Entry],
    by_descriptor: Mapping[str, str],
    workspace_names: set[str],
    packages: Mapping[str, LockedPackage],
) -> list[OutOfSync]:
    """What `yarn install --frozen-lockfile` refuses: a `name@range` a package.json asks for that no entry's
    header lists. (A dependency removed from package.json leaves an entry yarn would prune; not detected.)"""
    locked_by_name: dict[str, str] = {}
    for entry in entries:
        for descriptor in entry.descriptors:
            locked_by_name.setdefault(split_name(descriptor)[0], entry.descriptors[0])
    problems = []
    for directory, manifest in data.manifests.items():
        for name, spec in declared_specs(manifest).items():
            if f"{name}@{spec}" in by_descriptor or name in workspace_names or spec.startswith("workspace:"):
                continue
            other = packages.get(locked_by_name.get(name, ""))
            problems.append(
                OutOfSync(
                    manifest_path(directory),
                    name,
                    spec,
                    f"only {other.key} (version {other.version})" if other is not None else None,
                    other.key if other is not None else None,
                )
            )
    return problems


_URL_SHA1 = re.compile(r"#([0-9a-fA-F]{40})$")


def _url_sha1(resolved: str | None) -> str | None:
    """The sha1 yarn classic appends to a registry URL (`…/x-1.0.0.tgz#<40 hex>`), as an SRI string."""
    found = _URL_SHA1.search(resolved or "")
    return from_shasum(found.group(1)).sri() if found else None


def _roots(data: LockfileInput, packages: Mapping[str, LockedPackage], edges: EdgeReader) -> tuple[Edge, ...]:
    root = data.manifests.get("")
    if root is not None:
        found: list[Edge] = list(edges("(root package.json)", root, MANIFEST_EDGE_FIELDS))
        found.extend(
            Edge(p.name, p.key, EdgeKind.PROD) for p in packages.values() if p.source is Source.WORKSPACE
        )
        return tuple(found)
    # Without package.json, the entries nothing depends on are the direct dependencies.
    depended = {e.target for p in packages.values() for e in p.dependencies}
    return tuple(
        Edge(split_name(p.key)[0], p.key, EdgeKind.PROD) for p in packages.values() if p.key not in depended
    )
