"""pnpm's `pnpm-lock.yaml`, lockfileVersion 6.x and 9.x.

v6 keys packages `/name@version(peers)` and lists their dependencies inline; v9 splits metadata
(`packages`, keyed `name@version`) from the dependency graph (`snapshots`, keyed with the peer suffix).
Importers (`.` and workspace directories) hold the project's direct dependencies; v6 single projects put
them at the top level.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import replace
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
    OutOfSync,
    Source,
)
from airlock.tree.sources import classify, split_name
from airlock.tree.sync import INSTALLED_FIELDS, declared_specs, manifest_path, with_sync_note
from airlock.tree.workspaces import (
    MANIFEST_EDGE_FIELDS,
    PACKAGE_EDGE_FIELDS,
    workspace_key,
    workspace_package,
)
from airlock.tree.yaml_doc import YamlDocument, load_documents


def _strip_peers(key: str) -> str:
    at = key.find("(")
    return key if at < 0 else key[:at]


def _name_version(key: str) -> tuple[str, str]:
    return split_name(_strip_peers(key).lstrip("/"))


class PnpmLockfile:
    file_names: tuple[str, ...] = ("pnpm-lock.yaml",)

    def read(self, data: LockfileInput) -> DependencyTree:
        environment, project = _roles(load_documents(data.text, data.file), data.file)
        if project is not None:
            tree = self._read_document(data, project, MANIFEST_EDGE_FIELDS)
            locked: Mapping[Any, Any] = project.mapping
        else:  # pnpm wrote the environment and an empty project document (nothing locked yet)
            assert environment is not None
            version = environment.mapping.get("lockfileVersion", "")
            tree = DependencyTree(data.file, f"pnpm-lock.yaml v{version}", ())
            locked = {}
        tree = with_sync_note(tree, list(_out_of_sync(data, locked, tree)), "pnpm install --lockfile-only")
        if environment is not None:
            tree = _with_environment(
                tree, environment, self._read_document(data, environment, ENVIRONMENT_FIELDS)
            )
        return with_derived_flags(tree)

    def _read_document(
        self,
        data: LockfileInput,
        document: YamlDocument,
        importer_fields: tuple[tuple[str, EdgeKind], ...],
    ) -> DependencyTree:
        """One pnpm lockfile document as a tree (flags not derived yet); `importer_fields` are the importer
        fields that hold its direct dependencies."""
        file = data.file
        doc = document.mapping
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
        importers = _importers(doc, file)
        prefix = "" if v9 else "/"
        patched = _PatchedDependencies.of(
            _mapping(doc.get("patchedDependencies"), file, "patchedDependencies"),
            file,
            data.pnpm_workspace.get("patchedDependencies"),
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
            found = list(edges(f"importers: {directory}", entry, importer_fields, directory))
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
        lines = {
            k: line + document.first_line
            for k, line in lines_of(
                document.text,
                {
                    k: (f"\n  {k}:", f"\n  '{k}':", f'\n  "{k}":')
                    for k in packages
                    if not k.startswith("workspace:")
                },
            ).items()
        }
        return DependencyTree(
            file=file,
            format=f"pnpm-lock.yaml v{raw_version}",
            roots=tuple(roots),
            packages={k: p.at_line(lines.get(_strip_peers(k)) or lines.get(k)) for k, p in packages.items()},
        )


def _out_of_sync(data: LockfileInput, doc: Mapping[Any, Any], tree: DependencyTree) -> Iterator[OutOfSync]:
    """What `pnpm install --frozen-lockfile` refuses: an importer whose recorded specifiers differ from its
    package.json (ranges compared as written, as pnpm does; overridden names left to the override)."""
    overrides = doc.get("overrides")
    overridden = {split_name(str(k))[0] for k in overrides} if isinstance(overrides, dict) else set()
    for raw_directory, importer in _importers(doc, tree.file).items():
        directory = str(raw_directory)
        manifest = data.manifests.get("" if directory == "." else directory)
        if manifest is None or not isinstance(importer, dict):
            continue
        workspace = tree.packages.get(workspace_key(directory))
        owner = tree.roots if directory == "." else workspace.dependencies if workspace else ()
        targets = {e.name: e.target for e in owner}
        declared = declared_specs(manifest)
        peers = declared_specs(manifest, ("peerDependencies",))  # locked too with autoInstallPeers
        recorded = _importer_specifiers(importer)
        for name in dict.fromkeys([*declared, *recorded]):
            written = recorded.get(name)
            wanted = declared.get(name, peers.get(name) if written is not None else None)
            if wanted == written or name in overridden:
                continue
            package = tree.packages.get(targets.get(name, ""))
            locked = written
            if written is not None and package is not None and package.version not in (None, written):
                locked = f"{written} (locked {package.version})"
            yield OutOfSync(
                manifest_path(directory), name, wanted, locked, package.key if package is not None else None
            )


def _importer_specifiers(importer: Mapping[Any, Any]) -> dict[str, str]:
    """name → specifier: `{specifier, version}` values (v6 importers, v9), or the `specifiers` map (v6 single
    project)."""
    listed = importer.get("specifiers")
    out = {str(k): str(v) for k, v in listed.items()} if isinstance(listed, dict) else {}
    for field in INSTALLED_FIELDS:
        deps = importer.get(field)
        if isinstance(deps, dict):
            for name, value in deps.items():
                if isinstance(value, dict) and "specifier" in value:
                    out.setdefault(str(name), str(value["specifier"]))
    return out


ENVIRONMENT_FIELDS = (
    ("configDependencies", EdgeKind.PROD),
    ("packageManagerDependencies", EdgeKind.PROD),
)
"""The importer fields of pnpm 11's environment document: packages pnpm itself installs and loads (config
dependencies: hooks, plugins) or runs (the package manager version the project pins)."""
ENVIRONMENT_PREFIX = "env:"
"""Keeps the environment document's keys apart from the project's (both may lock `x@1.0.0`)."""


def _roles(documents: list[YamlDocument], file: str) -> tuple[YamlDocument | None, YamlDocument | None]:
    """(environment document, project document), either None when absent. pnpm 11 writes the environment
    document first, then `---` and the project's lockfile (empty when there is nothing to install)."""
    if len(documents) == 1:
        if _is_environment(documents[0].mapping):
            return documents[0], None
        return None, documents[0]
    if len(documents) == 2 and _is_environment(documents[0].mapping):
        return documents[0], documents[1]
    raise LockfileError(
        file,
        f"{len(documents)} YAML documents, but airlock knows only pnpm's project document, optionally "
        "preceded by its environment document (importers with only configDependencies and "
        "packageManagerDependencies)",
    )


def _is_environment(doc: Mapping[Any, Any]) -> bool:
    importers = doc.get("importers")
    fields = {f for f, _ in ENVIRONMENT_FIELDS}
    return (
        isinstance(importers, dict)
        and bool(importers)
        and all(isinstance(i, dict) and set(i) <= fields for i in importers.values())
    )


def _with_environment(
    tree: DependencyTree, environment: YamlDocument, locked: DependencyTree
) -> DependencyTree:
    def moved(key: str) -> str:
        return ENVIRONMENT_PREFIX + key

    packages = dict(tree.packages)
    for package in locked.packages.values():
        packages[moved(package.key)] = replace(
            package,
            key=moved(package.key),
            dependencies=tuple(replace(e, target=moved(e.target)) for e in package.dependencies),
        )
    roots = (*tree.roots, *(replace(e, target=moved(e.target)) for e in locked.roots))
    described = []
    for field, what in (
        ("configDependencies", "config dependencies"),
        ("packageManagerDependencies", "the package manager"),
    ):
        names = sorted(
            f"{name}@{locked_as['version']}" if isinstance(locked_as, dict) else str(name)
            for importer in environment.mapping["importers"].values()
            for name, locked_as in _mapping(importer.get(field), tree.file, field).items()
        )
        if names:
            described.append(f"{what} ({', '.join(names)})")
    one_or_many = len(locked.packages)
    note = (
        f"{tree.file}: its environment document (the first of two) locks what pnpm itself installs and "
        f"runs: {'; '.join(described) or 'nothing'}; its {_count(one_or_many)} "
        f"{'joins' if one_or_many == 1 else 'join'} the project's tree and {'is' if one_or_many == 1 else 'are'} "
        "checked like the rest (what is for another platform is left out as usual)"
    )
    return replace(tree, roots=roots, packages=packages, notes=(*tree.notes, note))


def _count(packages: int) -> str:
    return f"{packages} package" if packages == 1 else f"{packages} packages"


class _PatchedDependencies:
    """`patchedDependencies`: `name@version` (or, since pnpm 9.x/10, a bare `name` or `name@range`) → the
    patch file, relative to the project. pnpm picks an exact version first, then a range, then the bare
    name. Up to pnpm 10 the lockfile records `{hash, path}`; pnpm 11 records only the hash, and the path is
    where the patch is configured (pnpm-workspace.yaml's `patchedDependencies`, same selectors)."""

    def __init__(self, entries: list[tuple[str, str | None, str]]) -> None:
        self._entries = entries

    @classmethod
    def of(cls, raw: Mapping[Any, Any], file: str, configured: object) -> _PatchedDependencies:
        configured_paths = configured if isinstance(configured, dict) else {}
        entries: list[tuple[str, str | None, str]] = []
        for raw_key, value in raw.items():
            key = str(raw_key)
            path = value.get("path") if isinstance(value, dict) else configured_paths.get(key, value)
            if not isinstance(path, str) or not path:
                raise LockfileError(file, "a patched dependency without a `path`", entry=key)
            name, selector = split_name(key)
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


def _importers(doc: Mapping[Any, Any], file: str) -> dict[Any, Any]:
    """The `importers` by directory; a v6 single project has none and its importer's fields (and the
    `specifiers` map) at the top level, so the whole document is the importer `.`."""
    return _mapping(doc.get("importers"), file, "importers") or {".": doc}


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
