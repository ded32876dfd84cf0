"""The packages npm installed into a (staged) node_modules, read from the installed bytes: npm's hidden
lockfile (`node_modules/.package-lock.json`, the tree npm actually wrote) for the package list and the
edges, each package's own package.json for its scripts, and their build order.

Order: dependencies before dependents (a topological order of the installed edges, ties broken by path,
so every run gives the same order); a cycle is broken at its smallest path. npm starts a phase's scripts
deepest first and runs them in parallel; airlock runs them one at a time, each package's scripts after
all of its dependencies' scripts, which is the order every npm ordering is an approximation of.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from airlock.errors import BadInputError
from airlock.lifecycle import IMPLICIT_GYP_SCRIPT, REGISTRY_INSTALL_SCRIPTS
from airlock.policy.naming import canonical_names, project_dependency_names
from airlock.tree.model import EdgeKind, LockfileInput, Source
from airlock.tree.npm import NpmLockfile

HIDDEN_LOCKFILE = ".package-lock.json"
PROJECT_SCRIPTS = (
    "preinstall",
    "install",
    "postinstall",
    "prepublish",
    "preprepare",
    "prepare",
    "postprepare",
)
"""What `npm ci` runs for the project itself after the tree is built, in order (npm lib/commands/ci.js)."""


@dataclass(frozen=True, slots=True)
class InstalledPackage:
    key: str
    """Its path in the tree (`node_modules/a/node_modules/b`)."""
    name: str
    version: str | None
    canonical: str | None
    """LavaMoat's canonical name (`a>b`), how permissions name it; None when no dependency reaches it."""
    source: Source
    manifest: Mapping[str, object] = field(default_factory=dict)
    scripts: Mapping[str, str] = field(default_factory=dict)
    """The lifecycle scripts npm would run for it, in order (with `install: node-gyp rebuild` implied)."""
    implicit_install: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "manifest", MappingProxyType(dict(self.manifest)))
        object.__setattr__(self, "scripts", MappingProxyType(dict(self.scripts)))

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name


def read_json_object(path: Path, what: str) -> dict[str, object]:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise BadInputError(f"{path} does not exist", hint=f"{what} is missing: reinstall") from None
    except (OSError, ValueError) as exc:
        raise BadInputError(f"cannot read {path}: {exc}", hint=f"{what} is unreadable: reinstall") from None
    if not isinstance(data, dict):
        raise BadInputError(f"{path} is not a JSON object", hint=f"{what} is damaged: reinstall")
    return data


def lifecycle_scripts(
    manifest: Mapping[str, object], directory: Path, events: tuple[str, ...]
) -> tuple[dict[str, str], bool]:
    """The scripts of `events` the manifest declares, in order, with npm's implied `install: node-gyp
    rebuild` for a binding.gyp without install/preinstall (unless `"gypfile": false`); and whether that
    implied one is among them."""
    declared = manifest.get("scripts")
    scripts = declared if isinstance(declared, Mapping) else {}
    found = {e: scripts[e] for e in events if isinstance(scripts.get(e), str) and scripts[e].strip()}
    implicit = (
        "install" in events
        and "install" not in found
        and "preinstall" not in found
        and manifest.get("gypfile") is not False
        and (directory / "binding.gyp").is_file()
    )
    if implicit:
        found["install"] = IMPLICIT_GYP_SCRIPT
        found = {e: found[e] for e in events if e in found}
    return found, implicit


def read_installed(
    project: Path, node_modules: Path, *, manifest: Mapping[str, object] | None = None
) -> tuple[InstalledPackage, ...]:
    """Every package in `node_modules` (the hidden lockfile's entries that are installed), build order.
    `manifest`: the project's package.json document when the caller has it (`airlock install`: the new
    one, not yet written), else read from `project`."""
    hidden = node_modules / HIDDEN_LOCKFILE
    document = read_json_object(hidden, "npm's record of the installed tree")
    packages = document.get("packages")
    if not isinstance(packages, dict):
        raise BadInputError(f"{hidden} has no `packages`", hint="reinstall with npm 7 or later")
    if manifest is None:
        manifest = _project_manifest(project)
    root = {field: manifest[field] for field in _ROOT_FIELDS if isinstance(manifest.get(field), dict)}
    # The hidden lockfile leaves the project out; its entry is what the project's package.json declares.
    text = json.dumps({**document, "packages": {"": root, **packages}})
    tree = NpmLockfile().read(LockfileInput(file=str(hidden), text=text))
    names = canonical_names(tree, declared=project_dependency_names(manifest))
    installed: dict[str, InstalledPackage] = {}
    for key, locked in tree.packages.items():
        directory = node_modules.parent / key
        if not key.startswith("node_modules/") or not (directory / "package.json").is_file():
            continue  # a workspace or local folder (the project's own code), or not installed here
        own = read_json_object(directory / "package.json", f"the package.json of {key}")
        scripts, implicit = lifecycle_scripts(own, directory, REGISTRY_INSTALL_SCRIPTS)
        installed[key] = InstalledPackage(
            key=key,
            name=str(own.get("name") or locked.name),
            version=str(own["version"]) if isinstance(own.get("version"), str) else locked.version,
            canonical=names.get(key),
            source=locked.source,
            manifest=own,
            scripts=scripts,
            implicit_install=implicit,
        )
    edges = {
        key: {e.target for e in tree.packages[key].dependencies if e.kind is not EdgeKind.DEV}
        for key in installed
    }
    return tuple(installed[key] for key in build_order(edges))


_ROOT_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


def _project_manifest(project: Path) -> dict[str, object]:
    return read_json_object(project / "package.json", "the project's package.json")


def build_order(edges: Mapping[str, set[str]]) -> list[str]:
    """Keys with every dependency (edge target) before its dependents; ties and cycles by smallest key."""
    waiting = {key: {d for d in deps if d in edges and d != key} for key, deps in edges.items()}
    dependents: dict[str, set[str]] = {key: set() for key in edges}
    for key, deps in waiting.items():
        for dep in deps:
            dependents[dep].add(key)
    ready = [key for key, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(edges):
        if not ready:  # a cycle: break it at its smallest key
            heapq.heappush(ready, min(k for k in edges if k not in done))
        key = heapq.heappop(ready)
        if key in done:
            continue
        done.add(key)
        order.append(key)
        for dependent in sorted(dependents[key]):
            deps = waiting[dependent]
            deps.discard(key)
            if not deps and dependent not in done:
                heapq.heappush(ready, dependent)
    return order


__all__ = [
    "HIDDEN_LOCKFILE",
    "PROJECT_SCRIPTS",
    "InstalledPackage",
    "build_order",
    "lifecycle_scripts",
    "read_installed",
    "read_json_object",
]
