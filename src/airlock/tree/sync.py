"""Does the lockfile still match the package.json files next to it? `npm ci` refuses a lockfile whose locked
tree no longer answers package.json; `yarn --frozen-lockfile` and `pnpm install --frozen-lockfile` refuse
one whose recorded ranges differ. A check of such a lockfile checks something other than what gets
installed, so each reader lists the differences and this module words them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from airlock.registry.semver import is_valid_range, satisfies
from airlock.tree.model import DependencyTree, LockedPackage, OutOfSync, Source
from airlock.tree.sources import split_alias
from airlock.tree.workspaces import MANIFEST_EDGE_FIELDS

INSTALLED_FIELDS = tuple(field for field, _ in MANIFEST_EDGE_FIELDS)
"""package.json fields a package manager installs for the project (peers are npm's alone, see npm.py)."""
SHOWN = 5


def declared_specs(
    document: Mapping[str, object], fields: Sequence[str] = INSTALLED_FIELDS
) -> dict[str, str]:
    """name → spec over `fields` (the first field naming a dependency wins), in document order."""
    out: dict[str, str] = {}
    for field in fields:
        specs = document.get(field)
        if isinstance(specs, dict):
            for name, spec in specs.items():
                if isinstance(name, str) and isinstance(spec, str):
                    out.setdefault(name, spec)
    return out


def manifest_path(directory: str) -> str:
    return "package.json" if directory in ("", ".") else f"{directory}/package.json"


def still_satisfied(spec: str, package: LockedPackage | None) -> bool:
    """Whether the locked registry package still answers `spec` (npm then keeps it, and `npm ci` passes)."""
    if package is None or package.version is None or package.source is not Source.REGISTRY:
        return False
    alias = split_alias(spec)
    if alias is not None:
        name, spec = alias
        if name != package.name:
            return False
    return is_valid_range(spec) and satisfies(package.version, spec)


def with_sync_note(tree: DependencyTree, problems: Sequence[OutOfSync], fix: str) -> DependencyTree:
    """The tree with its differences and a note naming them; `fix` is the command that regenerates it."""
    if not problems:
        return tree
    shown = "; ".join(p.describe() for p in problems[:SHOWN])
    more = f"; and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    count = "1 dependency" if len(problems) == 1 else f"{len(problems)} dependencies"
    note = (
        f"{tree.file} is out of sync with package.json ({count}): {shown}{more}. A frozen install "
        "(`npm ci`, `--frozen-lockfile`) refuses it and a plain install resolves the difference afresh, so "
        f"what gets installed is not what was checked: regenerate the lockfile (`{fix}`) and check again"
    )
    return replace(tree, out_of_sync=(*tree.out_of_sync, *problems), notes=(*tree.notes, note))
