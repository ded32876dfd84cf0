"""What one package of a tree does, in the shape of its policy grants (`PackageGrants`), with evidence.

From the package's analysis (`PackageReport.capabilities`) and its place in the tree:

- `builtin`: the builtin keys as the analysis gives them (module without `node:`, at LavaMoat's depth:
  the whole member chain, `fs.readFileSync`, `fs.promises.readFile`; a module whose use cannot be narrowed
  is the bare module, `fs`). LavaMoat's `inspectRequires` records the same chains, so these grants are as
  wide as the ones LavaMoat generates; export adds the `node:` spelling the runtime also needs. Members
  only tested with `typeof` (`builtin_probes`: `typeof http.ServerResponse.prototype.appendHeader`) are
  granted too, as LavaMoat does: the runtime refuses a require whose module the policy does not name.
- `globals`: every non-intrinsic global (`all_globals`), `"write"` for those assigned to (`global_writes`).
- `packages`: each package loaded by name, as the canonical name of the node it resolves to from *this*
  node of the tree (see `resolve_import`); a name that resolves nowhere is left out with a note.
- `native`: the package ships native code; `scripts`: it has install scripts npm runs from a registry.

Both maps are reduced as LavaMoat reduces them (`reduceToTopmostApiCalls`): a path under a listed parent
is dropped, so a policy never lists `fs` and `fs.readFile` together (LavaMoat rejects that on load).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from airlock.analysis.vocabulary import CALL_ONLY_GLOBALS, builtin_name
from airlock.lifecycle import registry_install_scripts
from airlock.model import Evidence, PackageReport
from airlock.policy.document import GlobalAccess, PackageGrants
from airlock.policy.drift import GrantKind
from airlock.tree.model import DependencyTree

EvidenceKey = tuple[GrantKind, str | None]


@dataclass(frozen=True, slots=True)
class Observed:
    """One package's observed grants, where each was seen, and what could not be placed."""

    grants: PackageGrants
    evidence: Mapping[EvidenceKey, tuple[Evidence, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", MappingProxyType(dict(self.evidence)))


def observe(report: PackageReport, tree: DependencyTree, key: str, names: Mapping[str, str]) -> Observed:
    """The grants package node `key` needs, from its analysis `report`; `names` maps node keys to
    canonical names (`canonical_names`)."""
    name = names[key]
    node = tree.packages[key]
    capabilities = report.capabilities
    evidence: dict[EvidenceKey, tuple[Evidence, ...]] = {}

    # A member only tested with `typeof` grants nothing, but without a key for it the runtime refuses
    # the module's require.
    builtin_seen = {**capabilities.builtin_probes, **capabilities.builtin}
    builtin = {
        path: True
        for path in _topmost(dict.fromkeys(builtin_seen, True), builtin_seen, GrantKind.BUILTIN, evidence)
    }
    writes = set(capabilities.global_writes)
    # The inventory is syntactic, as LavaMoat's; the powerful globals are also resolved through computed
    # names (`Function('return this')()['pro' + 'cess'].env`), which it misses. A powerful global the
    # inventory has no key for at any depth is added, so such a use is a grant to accept, never a
    # capability `policy check` does not see; where the inventory has one, its (LavaMoat) depth stands.
    # eval/Function are intrinsics LavaMoat never grants.
    inventory = capabilities.all_globals
    globals_seen = {
        **{
            k: v
            for k, v in capabilities.globals.items()
            if k not in CALL_ONLY_GLOBALS and not any(_related(k, a) for a in inventory)
        },
        **inventory,
    }
    seen_globals: dict[str, GlobalAccess] = {k: "write" if k in writes else True for k in globals_seen}
    globals_ = _topmost(seen_globals, globals_seen, GrantKind.GLOBAL, evidence)

    packages: dict[str, bool] = {}
    notes: list[str] = []
    for imported, seen in capabilities.imports.items():
        if imported == node.name:
            continue  # a package requiring itself needs no grant (LavaMoat drops it)
        target = resolve_import(tree, key, imported)
        if (target is None or target not in names) and builtin_name(imported) is not None:
            # A package named like a builtin (`punycode`, loaded as 'punycode/') when the tree has one;
            # otherwise the builtin itself, which `builtin` covers.
            continue
        if target is None or target not in names:
            notes.append(
                f"{name}: loads {imported!r}, which does not resolve from its place in the tree "
                "(no such dependency installed): no grant written for it"
            )
            continue
        if target == key:
            continue
        dependency = names[target]
        packages[dependency] = True
        evidence[(GrantKind.PACKAGE, dependency)] = evidence.get((GrantKind.PACKAGE, dependency), ()) + seen
    scripts = registry_install_scripts(report.install_scripts)
    if scripts:
        evidence[(GrantKind.INSTALL_SCRIPT, None)] = tuple(
            Evidence("package.json", 1, snippet=f'"{script}": {command}')
            for script, command in scripts.items()
        )
    grants = PackageGrants(
        name=name,
        version=report.version or node.version,
        builtin=builtin,
        globals=globals_,
        packages=packages,
        native=capabilities.native,
        scripts=bool(scripts),
    )
    return Observed(grants, evidence, tuple(notes))


def _related(a: str, b: str) -> bool:
    """Whether one dot path is the other or under it (`process.env` and `process.env.HOME`)."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _topmost(
    paths: Mapping[str, GlobalAccess],
    seen: Mapping[str, tuple[Evidence, ...]],
    kind: GrantKind,
    evidence: dict[EvidenceKey, tuple[Evidence, ...]],
) -> dict[str, GlobalAccess]:
    """`paths` without those under a listed parent (LavaMoat `reduceToTopmostApiCalls`); each kept path
    collects the evidence of the paths it absorbed."""
    kept: dict[str, GlobalAccess] = {}
    for path, access in sorted(paths.items()):
        parts = path.split(".")
        parent = next(
            (".".join(parts[:end]) for end in range(1, len(parts)) if ".".join(parts[:end]) in paths), None
        )
        owner = parent if parent is not None else path
        if parent is None:
            kept[path] = access
        evidence[(kind, owner)] = evidence.get((kind, owner), ()) + tuple(seen.get(path, ()))
    return kept


def resolve_import(tree: DependencyTree, key: str, name: str) -> str | None:
    """The node a `require(name)` from package node `key` loads, or None.

    First the node's own edges (what the lockfile resolved the name to). Then as Node resolves in an npm
    tree: the `node_modules` directory of each enclosing package, innermost first (a hoisted sibling),
    for keys that are npm install paths (`node_modules/a/node_modules/b`). Last the project's own
    dependency of that name (what sits at the top of `node_modules`).
    """
    package = tree.packages.get(key)
    if package is None:
        return None
    for edge in package.dependencies:
        if edge.name == name and edge.target in tree.packages:
            return edge.target
    if key.startswith("node_modules/"):
        directory = key
        while directory:
            candidate = f"{directory}/node_modules/{name}"
            if candidate in tree.packages:
                return candidate
            cut = directory.rfind("/node_modules/")
            directory = directory[:cut] if cut > 0 else ""
        if f"node_modules/{name}" in tree.packages:
            return f"node_modules/{name}"
    for edge in tree.roots:
        if edge.name == name and edge.target in tree.packages:
            return edge.target
    return None


__all__ = ["Observed", "observe", "resolve_import"]
