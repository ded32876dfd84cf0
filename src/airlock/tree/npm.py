"""npm's `package-lock.json` (lockfileVersion 1, 2, 3) and `npm-shrinkwrap.json` (same format).

v2/v3 list every installed folder under `packages`, keyed by its path (`node_modules/a/node_modules/b`);
v1 nests `dependencies` objects. Both become the same node ids, and a dependency resolves the way Node
does: the nearest `node_modules/<name>` walking up from the dependent's folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from fnmatch import fnmatch
from typing import Any

from airlock.tree.constraints import constraints_of
from airlock.tree.graph import lines_of
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
from airlock.tree.sources import classify, split_alias
from airlock.tree.sync import INSTALLED_FIELDS, declared_specs, manifest_path, still_satisfied, with_sync_note

_EDGE_FIELDS = (
    ("dependencies", EdgeKind.PROD),
    ("optionalDependencies", EdgeKind.OPTIONAL),
    ("peerDependencies", EdgeKind.PEER),
)
_ROOT_EDGE_FIELDS = (*_EDGE_FIELDS, ("devDependencies", EdgeKind.DEV))


class NpmLockfile:
    """Reader for package-lock.json / npm-shrinkwrap.json."""

    file_names: tuple[str, ...] = ("npm-shrinkwrap.json", "package-lock.json")

    def read(self, data: LockfileInput) -> DependencyTree:
        try:
            doc = json.loads(data.text)
        except json.JSONDecodeError as exc:
            raise LockfileError(data.file, f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(doc, dict):
            raise LockfileError(data.file, "expected a JSON object at the top level")
        version = doc.get("lockfileVersion")
        if version not in (1, 2, 3):
            raise LockfileError(
                data.file,
                f"unsupported lockfileVersion {version!r} (airlock reads 1, 2 and 3)",
                hint="regenerate it with npm 7 or later (`npm install --package-lock-only --ignore-scripts`)",
            )
        if isinstance(doc.get("packages"), dict):
            return _read_packages(data, doc["packages"], version)
        if version != 1:
            raise LockfileError(data.file, f"lockfileVersion {version} but no `packages` object")
        return _read_v1(data, doc.get("dependencies", {}))


def _object(value: object, file: str, entry: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LockfileError(file, f"expected an object, got {type(value).__name__}", entry=entry)
    return value


def _opt_str(entry: Mapping[str, Any], field: str, file: str, key: str) -> str | None:
    value = entry.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise LockfileError(file, f"`{field}` must be a string, got {type(value).__name__}", entry=key)
    return value


def _spec_map(entry: Mapping[str, Any], field: str, file: str, key: str) -> dict[str, str]:
    value = entry.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise LockfileError(file, f"`{field}` must map names to version specs", entry=key)
    return value


def _name_from_path(path: str) -> str:
    tail = path.rsplit("node_modules/", 1)[-1]
    return tail


def _parent_folder(folder: str) -> str | None:
    """The folder whose node_modules holds `folder` ('' for the top), or None above the top."""
    if not folder:
        return None
    at = folder.rfind("/node_modules/")
    return folder[:at] if at >= 0 else ""


def _resolver(entries: Mapping[str, object], links: Mapping[str, str]) -> Callable[[str, str], str | None]:
    def resolve(folder: str, name: str) -> str | None:
        base: str | None = folder
        while base is not None:
            candidate = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
            if candidate in links:
                return links[candidate]
            if candidate in entries:
                return candidate
            base = _parent_folder(base)
        return None

    return resolve


def _read_packages(data: LockfileInput, packages: dict[str, Any], version: int) -> DependencyTree:
    file = data.file
    links: dict[str, str] = {}
    entries: dict[str, dict[str, Any]] = {}
    for path, raw in packages.items():
        entry = _object(raw, file, path or "(root)")
        if path and entry.get("link"):
            target = _opt_str(entry, "resolved", file, path)
            if target is None:
                raise LockfileError(file, "a link without `resolved` (where does it point?)", entry=path)
            links[path] = target
            continue
        entries[path] = entry
    resolve = _resolver(entries, links)
    # A workspace folder's entry may omit `name`; the top-level link to it carries the name.
    link_names = {
        t: k.removeprefix("node_modules/") for k, t in links.items() if k.count("node_modules/") == 1
    }
    root_workspaces = _workspace_globs(entries.get("", {}))

    def edges(
        folder: str, entry: Mapping[str, Any], fields: tuple[tuple[str, EdgeKind], ...]
    ) -> Iterator[Edge]:
        for field, kind in fields:
            for name in _spec_map(entry, field, file, folder or "(root)"):
                target = resolve(folder, name)
                if target is not None and target != "":
                    yield Edge(name, target, kind)

    locked: dict[str, LockedPackage] = {}
    for path, entry in entries.items():
        if not path:
            continue
        # Folders outside node_modules are workspaces, or `file:` directories the root links to.
        is_workspace = "node_modules/" not in path and _in_workspaces(path, root_workspaces)
        is_local_folder = "node_modules/" not in path and not is_workspace
        version_field = _opt_str(entry, "version", file, path)
        resolved = _opt_str(entry, "resolved", file, path)
        name = _opt_str(entry, "name", file, path) or link_names.get(path) or _name_from_path(path)
        source = Source.WORKSPACE if is_workspace else Source.FILE if is_local_folder else classify(resolved)
        if entry.get("inBundle") and _inside_a_tarball(path, entries):
            source = Source.BUNDLED
        elif "node_modules/" in path and version_field and classify(version_field) is not Source.REGISTRY:
            source = classify(version_field)
        if source is Source.REGISTRY and not version_field:
            raise LockfileError(file, "a registry package without `version`", entry=path)
        platform = constraints_of(entry)
        locked[path] = LockedPackage(
            key=path,
            name=name,
            version=version_field,
            source=source,
            resolved=resolved,
            integrity=_opt_str(entry, "integrity", file, path),
            dependencies=tuple(edges(path, entry, _ROOT_EDGE_FIELDS if is_workspace else _EDGE_FIELDS)),
            dev=bool(entry.get("dev")) or bool(entry.get("devOptional")),
            optional=bool(entry.get("optional")) or bool(entry.get("devOptional")),
            peer=bool(entry.get("peer")),
            os=platform.os,
            cpu=platform.cpu,
            libc=platform.libc,
        )
    root_entry = entries.get("", {})
    roots = list(edges("", root_entry, _ROOT_EDGE_FIELDS))
    declared = {e.name for e in roots}
    # Workspaces are linked at the top even when the root does not depend on them.
    for link, target in links.items():
        name = link.removeprefix("node_modules/")
        if "node_modules/" not in name and name not in declared and target in locked:
            roots.append(Edge(name, target, EdgeKind.PROD))
    lines = lines_of(data.text, {k: json.dumps(k) + ":" for k in locked})
    tree = DependencyTree(
        file=file,
        format=f"package-lock.json v{version}",
        roots=tuple(roots),
        packages={k: p.at_line(lines.get(k)) for k, p in locked.items()},
    )
    folders = ["", *(k for k, p in locked.items() if p.source is Source.WORKSPACE)]
    problems = [p for folder in folders for p in _out_of_sync(data, folder, entries, locked, resolve)]
    return with_sync_note(tree, problems, "npm install --package-lock-only --ignore-scripts")


_SYNC_FIELDS = (*INSTALLED_FIELDS, "peerDependencies")


def _out_of_sync(
    data: LockfileInput,
    folder: str,
    entries: Mapping[str, Mapping[str, Any]],
    locked: Mapping[str, LockedPackage],
    resolve: Callable[[str, str], str | None],
) -> Iterator[OutOfSync]:
    """What `npm ci` would refuse: package.json (root or a workspace) against the lockfile's copy of it.
    A range that changed but is still satisfied by the locked version is no difference to npm ci."""
    manifest = data.manifests.get(folder)
    if manifest is None or folder not in entries:
        return
    declared = declared_specs(manifest, _SYNC_FIELDS)
    recorded = declared_specs(entries[folder], _SYNC_FIELDS)
    meta = manifest.get("peerDependenciesMeta")
    optional_peers = {
        name
        for name, flags in (meta.items() if isinstance(meta, dict) else ())
        if isinstance(flags, dict) and flags.get("optional")
    }
    for name in dict.fromkeys([*declared, *recorded]):
        wanted, written = declared.get(name), recorded.get(name)
        if wanted == written:
            continue
        target = resolve(folder, name)
        package = locked.get(target) if target is not None else None
        if wanted is not None and still_satisfied(wanted, package):
            continue
        if package is None and name in optional_peers:  # npm installs none: nothing for npm ci to compare
            continue
        version = package.version if package is not None else None
        if written is None:
            shown = f"only {version}, which another package pulls in" if version else None
        else:
            shown = written if version in (None, written) else f"{written} (locked {version})"
        yield OutOfSync(
            manifest_path(folder), name, wanted, shown, package.key if package is not None else None
        )


def _read_v1(data: LockfileInput, dependencies: object) -> DependencyTree:
    file = data.file
    raw_entries: dict[str, dict[str, Any]] = {}
    order: list[str] = []

    def collect(folder: str, deps: object) -> None:
        for name, raw in _object(deps, file, folder or "(root)").items():
            path = f"{folder}/node_modules/{name}" if folder else f"node_modules/{name}"
            entry = _object(raw, file, path)
            raw_entries[path] = entry
            order.append(path)
            if "dependencies" in entry:
                collect(path, entry["dependencies"])

    collect("", dependencies)
    resolve = _resolver(raw_entries, {})
    locked: dict[str, LockedPackage] = {}
    for path in order:
        entry = raw_entries[path]
        spec = _opt_str(entry, "version", file, path)
        if spec is None:
            raise LockfileError(file, "missing `version`", entry=path)
        installed_as = _name_from_path(path)
        name, version = installed_as, spec
        alias = split_alias(spec)
        if alias is not None:
            name, version = alias
        resolved = _opt_str(entry, "resolved", file, path)
        source = classify(spec) if classify(spec) is not Source.REGISTRY else classify(resolved)
        requires = _spec_map(entry, "requires", file, path)
        edges = tuple(
            Edge(dep, target, EdgeKind.PROD) for dep in requires if (target := resolve(path, dep)) is not None
        )
        locked[path] = LockedPackage(
            key=path,
            name=name,
            version=version if source is Source.REGISTRY else spec,
            source=source,
            resolved=resolved,
            integrity=_opt_str(entry, "integrity", file, path),
            dependencies=edges,
            dev=bool(entry.get("dev")),
            optional=bool(entry.get("optional")),
        )
    roots: list[Edge] = []
    manifest = data.manifests.get("")
    if manifest is not None:
        for field, kind in _ROOT_EDGE_FIELDS:
            specs = manifest.get(field)
            if isinstance(specs, dict):
                roots.extend(
                    Edge(name, target, kind) for name in specs if (target := resolve("", name)) is not None
                )
    if not roots:  # no package.json: the top-level entries nothing requires are the direct dependencies
        required = {e.target for p in locked.values() for e in p.dependencies}
        for path in order:
            if path.count("node_modules/") == 1 and path not in required:
                package = locked[path]
                kind = (
                    EdgeKind.DEV if package.dev else EdgeKind.OPTIONAL if package.optional else EdgeKind.PROD
                )
                roots.append(Edge(_name_from_path(path), path, kind))
    return DependencyTree(
        file=file,
        format="package-lock.json v1",
        roots=tuple(roots),
        packages=_v1_lines(data.text, locked),
    )


def _v1_lines(text: str, locked: dict[str, LockedPackage]) -> dict[str, LockedPackage]:
    # JSON keeps document order, so each nested entry's `"name": {` follows the previous entry's.
    out: dict[str, LockedPackage] = {}
    offset = 0
    line = 1
    for key, package in locked.items():
        needle = json.dumps(_name_from_path(key)) + ": {"
        at = text.find(needle, offset)
        if at < 0:
            out[key] = package
            continue
        line += text.count("\n", offset, at)
        offset = at
        out[key] = package.at_line(line)
    return out


def _inside_a_tarball(path: str, entries: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether an `inBundle` entry ships inside a package tarball. The project and its workspaces have no
    tarball: what they bundle, npm fetches from the registry like any dependency (npm/cli's own lockfile).
    An entry nested in another bundled entry belongs to that one's tarball only when it bundles the entry
    itself; otherwise it is part of the same bundle as its holder."""
    holder = _parent_folder(path)
    while holder is not None and "node_modules/" in holder:
        entry = entries.get(holder, {})
        if not entry.get("inBundle") or _bundles(entry, _name_from_path(path)):
            return True
        path, holder = holder, _parent_folder(holder)
    return False


def _bundles(entry: Mapping[str, Any], name: str) -> bool:
    declared = entry.get("bundleDependencies", entry.get("bundledDependencies"))
    return declared is True or (isinstance(declared, list) and name in declared)


def _workspace_globs(root: Mapping[str, Any]) -> tuple[str, ...]:
    value = root.get("workspaces")
    if isinstance(value, dict):  # {"packages": [...]} (yarn's shape, accepted by npm)
        value = value.get("packages")
    if isinstance(value, list):
        return tuple(g.rstrip("/") for g in value if isinstance(g, str))
    return ()


def _in_workspaces(path: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatch(path, g) or path == g for g in globs)
