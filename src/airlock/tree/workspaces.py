"""The project's own packages (the root and its workspaces), from the package.json documents next to a
lockfile: the formats that do not list them (yarn classic) or do not say which dependencies are dev ones
(yarn berry) need them."""

from __future__ import annotations

from collections.abc import Mapping

from airlock.tree.model import Edge, EdgeKind, LockedPackage, Source

PACKAGE_EDGE_FIELDS = (("dependencies", EdgeKind.PROD), ("optionalDependencies", EdgeKind.OPTIONAL))
"""What an installed package's dependencies install (its devDependencies never are)."""
MANIFEST_EDGE_FIELDS = (*PACKAGE_EDGE_FIELDS, ("devDependencies", EdgeKind.DEV))
"""What the project's own manifests (root, workspaces) install."""


def workspace_key(directory: str) -> str:
    return f"workspace:{directory}"


def workspace_package(
    directory: str, manifest: Mapping[str, object], dependencies: tuple[Edge, ...] = ()
) -> LockedPackage:
    """The WORKSPACE package for `directory`, named by its manifest (else by the directory)."""
    name = manifest.get("name")
    version = manifest.get("version")
    return LockedPackage(
        key=workspace_key(directory),
        name=name if isinstance(name, str) and name else directory.rsplit("/", 1)[-1],
        version=version if isinstance(version, str) else None,
        source=Source.WORKSPACE,
        resolved=directory,
        dependencies=dependencies,
    )


def workspace_nodes(manifests: Mapping[str, Mapping[str, object]]) -> dict[str, LockedPackage]:
    """A WORKSPACE package (without edges) for each manifest except the root's, by directory."""
    return {d: workspace_package(d, manifest) for d, manifest in manifests.items() if d}


def dev_names(manifest: Mapping[str, object] | None) -> frozenset[str]:
    """Names a manifest lists only under devDependencies."""
    if manifest is None:
        return frozenset()
    dev = manifest.get("devDependencies")
    prod: set[str] = set()
    for field in ("dependencies", "optionalDependencies"):
        value = manifest.get(field)
        if isinstance(value, dict):
            prod.update(value)
    return frozenset(n for n in dev if n not in prod) if isinstance(dev, dict) else frozenset()
