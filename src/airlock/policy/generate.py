"""A whole tree's policy: what every package observes (from a `check` run), the policy `init` writes, the
drift `policy check` and `airlock check` report (`drifts`, via `airlock.policy.enforce` for check) and the policy
`--update` writes.

One entry per canonical name. One name@version installed at several places of the tree is one analysis
(one `TreeEntry`) and one policy entry per place, each resolving its dependencies from where it sits.
A bundled dependency has no analysis of its own (its code was analysed inside the tarball that ships it),
so it gets that tarball's grants: at least what it needs, since the tarball's inventory includes its code.
Packages that were not analysed (a failed download, git/tarball/`file:` sources) get no entry and no drift:
nothing is known about them, so their grants are neither written nor taken away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from airlock.analysis.rules import package as package_rules
from airlock.check.run import CheckOutcome
from airlock.model import Evidence, PackageReport
from airlock.policy.document import PackageGrants, Policy, Resource, grants_for, script_pattern
from airlock.policy.drift import Drift, Excess, GrantKind, Narrowing, PolicyLine, drift
from airlock.policy.merge import merge
from airlock.policy.observe import EvidenceKey, Observed, observe
from airlock.policy.widen import narrow, widen
from airlock.tree.model import DependencyTree, Source

_NOT_ANALYSED = frozenset({package_rules.TARGET_FAILED.id, package_rules.INTEGRITY_MISMATCH.id})


@dataclass(frozen=True, slots=True)
class PolicyPackage:
    """One node of the tree under its canonical name, with what it was observed to do."""

    name: str
    """The canonical name (`a>b>c`)."""
    key: str
    label: str
    """name@version, as reports show it."""
    report: PackageReport
    observed: Observed | None
    """None when the package was not analysed."""

    @property
    def version(self) -> str | None:
        return self.observed.grants.version if self.observed is not None else self.report.version


@dataclass(frozen=True, slots=True)
class ObservedTree:
    packages: tuple[PolicyPackage, ...]
    """In tree order, one per canonical name."""
    present: frozenset[str]
    """Every canonical name of the tree, checked or not (dev-only under --production, other platforms):
    a policy entry for one of these is not stale."""
    notes: tuple[str, ...] = ()

    @property
    def not_analysed(self) -> tuple[PolicyPackage, ...]:
        return tuple(p for p in self.packages if p.observed is None)


def analysed(report: PackageReport, source: Source) -> bool:
    """Whether the report holds an analysis of the package's bytes (registry packages that did not fail)."""
    return source is Source.REGISTRY and not any(f.rule in _NOT_ANALYSED for f in report.findings)


def observe_tree(outcome: CheckOutcome, names: Mapping[str, str]) -> ObservedTree:
    """Every checked package of `outcome` under its canonical name (`canonical_names(outcome.tree)`)."""
    tree = outcome.tree
    packages: list[PolicyPackage] = []
    notes: list[str] = []
    report_of: dict[str, tuple[PackageReport, bool]] = {}
    for entry, report in zip(outcome.entries, outcome.reports, strict=True):
        ok = analysed(report, entry.source)
        for node in entry.nodes:
            report_of[node.key] = (report, ok)
            if node.key not in names:
                notes.append(
                    f"{entry.label} at {node.key} is reached by no dependency LavaMoat follows: no entry"
                )
                continue
            packages.append(_package(tree, node.key, names, report, ok=ok, label=entry.label))
    for key, node in tree.packages.items():
        if node.source is not Source.BUNDLED or key not in names:
            continue
        shipper = _shipping_package(tree, key)
        if shipper is None or shipper not in report_of:
            continue
        report, ok = report_of[shipper]
        packages.append(_package(tree, key, names, report, ok=ok, label=node.label))
    for package in packages:
        if package.observed is not None:
            notes.extend(package.observed.notes)
    return ObservedTree(
        tuple(packages), frozenset(names[k] for k in tree.packages if k in names), tuple(dict.fromkeys(notes))
    )


def _package(
    tree: DependencyTree, key: str, names: Mapping[str, str], report: PackageReport, *, ok: bool, label: str
) -> PolicyPackage:
    return PolicyPackage(names[key], key, label, report, observe(report, tree, key, names) if ok else None)


def _shipping_package(tree: DependencyTree, key: str) -> str | None:
    """The nearest enclosing package directory of a bundled node that is not bundled itself: the tarball
    that ships it (`node_modules/a/node_modules/b` → `node_modules/a`)."""
    directory = key
    while (cut := directory.rfind("/node_modules/")) > 0:
        directory = directory[:cut]
        package = tree.packages.get(directory)
        if package is not None and package.source is not Source.BUNDLED:
            return directory
    return None


def resource_of(grants: PackageGrants) -> Resource:
    return Resource(
        builtin=grants.builtin,
        globals=grants.globals,
        packages=grants.packages,
        native=True if grants.native else None,
    )


def generate(observed: ObservedTree) -> Policy:
    """The policy `airlock policy init` writes: every analysed package's observed grants, and every install
    script recorded as not allowed (`false`), since running one is a person's decision
    (`airlock policy scripts --accept-benign`, or `true` by hand)."""
    resources: dict[str, Resource] = {}
    allow_scripts: dict[str, bool] = {}
    for package in observed.packages:
        if package.observed is None:
            continue
        grants = package.observed.grants
        resources[package.name] = resource_of(grants)
        if grants.scripts:
            allow_scripts[script_pattern(package.name, grants.version)] = False
    return Policy(resources=resources, allow_scripts=allow_scripts)


def drifts(observed: ObservedTree, policy: Policy, override: Policy | None = None) -> tuple[Drift, ...]:
    """Each package's drift from `policy` with `override` applied, in tree order, with the evidence of every
    excess; then the policy's entries for packages no longer in the tree (only narrowings)."""
    merged = merge(policy, override) if override is not None else policy
    results: list[Drift] = []
    current_patterns: set[str] = set()
    live_patterns: set[str] = set()
    live_names: set[str] = set()
    unknown: set[str] = set()
    for package in observed.packages:
        if package.observed is None:
            unknown.add(package.name)
            continue
        grants = package.observed.grants
        current_patterns.add(script_pattern(package.name, grants.version))
        if grants.scripts:
            live_patterns.add(script_pattern(package.name, grants.version))
            live_names.add(package.name)
        found = drift(grants_for(merged, package.name, grants.version), grants)
        evidence = package.observed.evidence
        results.append(
            replace(
                found,
                excesses=tuple(_with_evidence(e, evidence) for e in found.excesses),
                denied=tuple(_with_evidence(e, evidence) for e in found.denied),
                listed=package.name in policy.resources,
            )
        )
    stale: dict[str, list[Narrowing]] = {}
    for name in policy.resources:
        if name not in observed.present:
            gone = drift(grants_for(merged, name, None), PackageGrants(name))
            stale.setdefault(name, []).extend(gone.narrowings)
    for pattern, value in policy.allow_scripts.items():
        name, _, version = pattern.partition("#")
        if name in unknown or (pattern in current_patterns and value is True):
            continue  # not analysed, or drift() already judged this version's entry
        if (pattern in live_patterns) if version else (name in live_names):
            continue
        line = PolicyLine((GrantKind.INSTALL_SCRIPT.value, pattern), value)
        stale.setdefault(name, []).append(Narrowing(GrantKind.INSTALL_SCRIPT, None, line))
    by_name = {d.name: i for i, d in enumerate(results)}
    for name, narrowings in stale.items():
        in_tree = name in observed.present
        if name in by_name:
            index = by_name[name]
            results[index] = replace(results[index], narrowings=(*results[index].narrowings, *narrowings))
        else:
            # A package of the tree that this run did not check (dev-only under --production, another
            # platform) keeps its entry as it is: `listed` so that --update adds nothing for it either.
            listed = in_tree or name in policy.resources
            results.append(Drift(name, narrowings=tuple(narrowings), listed=listed, in_tree=in_tree))
    return tuple(results)


def _with_evidence(excess: Excess, evidence: Mapping[EvidenceKey, tuple[Evidence, ...]]) -> Excess:
    return replace(excess, evidence=evidence.get((excess.kind, excess.key), ()))


def updated(policy: Policy, found: Iterable[Drift]) -> Policy:
    """`policy` (airlock-policy.json, never the override) with the drift accepted: each excess's line
    written, each narrowed grant taken out, an entry for each new package, none for packages that left."""
    found = tuple(found)
    widened = widen(policy, (e.line for d in found for e in d.excesses))
    narrowed = narrow(widened, (n for d in found for n in d.narrowings))
    resources = dict(narrowed.resources)
    for d in found:
        if not d.in_tree:
            resources.pop(d.name, None)
        elif d.name not in resources:
            resources[d.name] = Resource()
    return replace(policy, resources=resources, allow_scripts=narrowed.allow_scripts)


__all__ = [
    "ObservedTree",
    "PolicyPackage",
    "analysed",
    "drifts",
    "generate",
    "observe_tree",
    "resource_of",
    "updated",
]
