"""LavaMoat's canonical package names: how a LavaMoat policy keys each package of a tree.

LavaMoat (`@lavamoat/aa` 5.0.1, `src/index.js`: `loadCanonicalNameMap`,
`walkDependencyTreeForBestLogicalPaths`, `processOnePackageInLogicalTree`, `getDependencies`,
`comparePackageLogicalPaths`, `comparePreferredPackageName`) names a package directory by the best
*logical path* to it from the project: the dependency names along the way, joined with `>` (`a>b>c`).

- The walk starts at the project, which itself is named `$root$` (`ROOT_NAME`); it is not a package of the
  tree here, so it gets no entry.
- From every package it follows the names in `dependencies`, `optionalDependencies` and
  `peerDependencies`; `devDependencies` only from the project itself, and only with `includeDevDeps`
  (the children are queued with `includeDevDeps: false`, so a workspace's dev dependencies are not
  followed either). A name that does not resolve on disk is skipped.
- A path part is the name the dependent declares, so an `npm:` alias is named by its alias (`my-ms`, not
  `ms`), and a scoped name is one part (`@hapi/boom>@hapi/hoek`).
- Best path: fewer parts wins; between paths of equal length, the first part that differs decides, the
  shorter name winning and, at equal length, the smaller string (JavaScript `<`, UTF-16 code units: the
  same as Python's order for the ASCII names npm allows). So `http-errors>statuses` beats
  `finalhandler>statuses` although `f < h`, and `@hapi/boom>@hapi/hoek` beats `@hapi/topo>@hapi/hoek`.
- The walk is breadth-first and only re-walks a package when a strictly better path reaches it, which
  makes the result the best path over all acyclic paths; that is what the level-by-level walk below
  computes directly.
- Bundled dependencies are directories like any other (`node_modules/a/node_modules/b`) and are named the
  same way; a workspace linked from `node_modules` gets the name of its link, and LavaMoat also maps its
  real directory to that name.

Where this module departs from LavaMoat, on purpose:
- LavaMoat resolves names on disk, so a locked package the install left out (an optional dependency for
  another platform) has no name there; here it is named from the lockfile's edges, as if installed.
- The readers make each workspace a root even when the project does not declare it
  (`DependencyTree.roots`); LavaMoat reaches a workspace only through a declared dependency (`a`, then
  `a>b` for a workspace `b` that `a` depends on), and leaves a workspace nothing declares unnamed, with
  its dependencies. Given what the project declares, the walk first names what LavaMoat names, exactly,
  then names the rest through those workspace roots (`c`, `c>inherits`), which only airlock uses.
- A workspace's dev dependencies are not walked, as in LavaMoat: they get no name unless something
  else reaches them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType

from airlock.tree.model import DependencyTree, Edge, EdgeKind

ROOT_NAME = "$root$"
"""LavaMoat's name for the project itself (`loadCanonicalNameMap`)."""
SEPARATOR = ">"
_PROJECT_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies", "devDependencies")

_PartKey = tuple[int, str]
_PathKey = tuple[_PartKey, ...]


def _part_key(name: str) -> _PartKey:
    # comparePreferredPackageName: the shorter name first, then string order.
    return (len(name), name)


def _followed(tree: DependencyTree, edges: Iterable[Edge], *, dev: bool) -> Iterable[Edge]:
    # An edge to a key the tree lacks resolves to nothing, which LavaMoat skips.
    return (e for e in edges if (dev or e.kind is not EdgeKind.DEV) and e.target in tree.packages)


def project_dependency_names(manifest: Mapping[str, object]) -> frozenset[str]:
    """The names a project's package.json declares, in the fields LavaMoat walks from the project
    (`getDependencies` with `includeDevDeps`)."""
    names: set[str] = set()
    for field in _PROJECT_FIELDS:
        declared = manifest.get(field)
        if isinstance(declared, Mapping):
            names.update(str(name) for name in declared)
    return frozenset(names)


def canonical_names(
    tree: DependencyTree, *, include_dev: bool = True, declared: Collection[str] | None = None
) -> Mapping[str, str]:
    """Node key → LavaMoat canonical name (`a>b>c`) for every package reachable from the roots.

    `include_dev` is LavaMoat's `includeDevDeps`: whether the project's own dev dependencies are walked
    (the `lavamoat` 11.1.4 runtime and its policy generation both pass true: `src/index.js`,
    `src/parseForPolicy.js`; a dev dependency can give a production package a better path).
    `declared` is what the project's package.json declares (`project_dependency_names`); the root edges
    with other names are the ones a reader adds for workspaces, which LavaMoat does not walk: the packages
    only they reach are named through them afterwards, never displacing a name LavaMoat gives. None takes
    every root edge as declared. Packages no followed edge reaches have no name (as in LavaMoat).
    """
    roots = list(_followed(tree, tree.roots, dev=include_dev))
    best: dict[str, _PathKey] = {}
    _walk(tree, [e for e in roots if declared is None or e.name in declared], best)
    _walk(tree, [e for e in roots if declared is not None and e.name not in declared], best)
    names = {key: SEPARATOR.join(name for _, name in best[key]) for key in tree.packages if key in best}
    return MappingProxyType(names)


def _walk(tree: DependencyTree, roots: Iterable[Edge], best: dict[str, _PathKey]) -> None:
    """Level by level from `roots`, the best path to every package `best` does not have yet."""
    level: dict[str, _PathKey] = {}
    for edge in roots:
        _offer(level, best, edge, ())
    while level:
        best.update(level)
        next_level: dict[str, _PathKey] = {}
        for key, path in level.items():
            for edge in _followed(tree, tree.packages[key].dependencies, dev=False):
                _offer(next_level, best, edge, path)
        level = next_level


def _offer(level: dict[str, _PathKey], named: Mapping[str, _PathKey], edge: Edge, parent: _PathKey) -> None:
    """Record `parent + edge` as the path to the edge's target if it is the best at this level so far;
    a package named at a shallower level keeps its shorter path."""
    if edge.target in named:
        return
    path = (*parent, _part_key(edge.name))
    current = level.get(edge.target)
    if current is None or path < current:
        level[edge.target] = path
