"""Observed grants of one package and of a whole tree, from reports built by hand (the analysis's
`all_globals`, `global_writes` and `imports` as the inventory fills them); then the tree's drift and update."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from airlock.check.run import CheckOutcome, TreeEntry
from airlock.model import Capabilities, Evidence, Finding, PackageReport, Severity, Verdict
from airlock.policy.document import Policy, Resource, dumps, parse
from airlock.policy.drift import GrantKind
from airlock.policy.generate import drifts, generate, observe_tree, updated
from airlock.policy.naming import canonical_names
from airlock.policy.observe import observe, resolve_import
from airlock.tree.model import DependencyTree, Edge, LockedPackage, Source
from tests.policy.schema import assert_valid_policy

E = Evidence("index.js", 1)


def report(name: str, version: str = "1.0.0", **capabilities: Any) -> PackageReport:
    scripts = capabilities.pop("install_scripts", {})
    findings = capabilities.pop("findings", ())
    return PackageReport(
        target=f"{name}@{version}",
        name=name,
        version=version,
        integrity=None,
        verdict=Verdict.ALLOW,
        capabilities=Capabilities(**capabilities),
        findings=findings,
        install_scripts=scripts,
        skipped=(),
    )


def node(key: str, name: str, *deps: tuple[str, str], source: Source = Source.REGISTRY) -> LockedPackage:
    return LockedPackage(key, name, "1.0.0", source, dependencies=tuple(Edge(n, t) for n, t in deps))


# app → a, c; a → b (nested copy of b@1 under a), c → b (the hoisted b), a ships bundled d.
TREE = DependencyTree(
    file="package-lock.json",
    format="test",
    roots=(Edge("a", "node_modules/a"), Edge("c", "node_modules/c")),
    packages={
        "node_modules/a": node(
            "node_modules/a",
            "a",
            ("b", "node_modules/a/node_modules/b"),
            ("d", "node_modules/a/node_modules/d"),
        ),
        "node_modules/a/node_modules/b": node("node_modules/a/node_modules/b", "b"),
        "node_modules/a/node_modules/d": node("node_modules/a/node_modules/d", "d", source=Source.BUNDLED),
        "node_modules/c": node("node_modules/c", "c", ("b", "node_modules/b")),
        "node_modules/b": node("node_modules/b", "b"),
        "node_modules/e": node("node_modules/e", "e"),
    },
)
NAMES = canonical_names(TREE)


def test_names_of_the_fixture() -> None:
    assert dict(NAMES) == {
        "node_modules/a": "a",
        "node_modules/a/node_modules/b": "a>b",
        "node_modules/a/node_modules/d": "a>d",
        "node_modules/c": "c",
        "node_modules/b": "c>b",
    }


def test_builtins_and_globals_at_the_analysis_depth_reduced_to_the_topmost() -> None:
    seen = observe(
        report(
            "a",
            builtin={"fs.readFile": (E,), "fs": (Evidence("x.js", 2),), "net.connect": (E,)},
            all_globals={"process.env": (E,), "process.nextTick": (E,), "setTimeout": (E,), "foo": (E,)},
            global_writes=("foo",),
        ),
        TREE,
        "node_modules/a",
        NAMES,
    )
    assert dict(seen.grants.builtin) == {"fs": True, "net.connect": True}
    assert dict(seen.grants.globals) == {
        "process.env": True,
        "process.nextTick": True,
        "setTimeout": True,
        "foo": "write",
    }
    # The kept parent carries the evidence of the field it absorbed.
    assert seen.evidence[(GrantKind.BUILTIN, "fs")] == (Evidence("x.js", 2), E)


def test_imports_resolve_from_this_node_of_the_tree() -> None:
    imports = {"b": (E,), "d": (E,), "fs": (E,), "a": (E,), "ghost": (E,)}
    seen = observe(report("a", imports=imports), TREE, "node_modules/a", NAMES)
    # Its own b (the nested copy) and its bundled d; the builtin and itself need no package grant.
    assert dict(seen.grants.packages) == {"a>b": True, "a>d": True}
    assert seen.notes == (
        "a: loads 'ghost', which does not resolve from its place in the tree "
        "(no such dependency installed): no grant written for it",
    )
    # A package named like a builtin (tr46 loads the `punycode` package as 'punycode/') when the tree has it.
    tree = replace(
        TREE,
        packages={
            **TREE.packages,
            "node_modules/punycode": LockedPackage("node_modules/punycode", "punycode", "2.3.1"),
        },
    )
    names = {**NAMES, "node_modules/punycode": "punycode"}
    assert dict(
        observe(report("c", imports={"punycode": (E,)}), tree, "node_modules/c", names).grants.packages
    ) == {"punycode": True}
    # c requires b through its edge to the hoisted copy.
    assert dict(observe(report("c", imports={"b": (E,)}), TREE, "node_modules/c", NAMES).grants.packages) == {
        "c>b": True
    }


def test_a_name_without_an_edge_resolves_as_node_would() -> None:
    # From a's nested b: a/node_modules/<name> (a sibling), then the top of node_modules.
    assert resolve_import(TREE, "node_modules/a/node_modules/b", "d") == "node_modules/a/node_modules/d"
    assert resolve_import(TREE, "node_modules/a/node_modules/b", "c") == "node_modules/c"
    assert resolve_import(TREE, "node_modules/c", "e") == "node_modules/e"
    assert resolve_import(TREE, "node_modules/c", "nothing") is None


def test_native_and_install_scripts() -> None:
    seen = observe(
        report("a", native=True, install_scripts={"install": "node-gyp rebuild", "prepare": "tsc"}),
        TREE,
        "node_modules/a",
        NAMES,
    )
    assert seen.grants.native is True and seen.grants.scripts is True
    only_prepare = observe(report("a", install_scripts={"prepare": "tsc"}), TREE, "node_modules/a", NAMES)
    assert only_prepare.grants.scripts is False  # npm never runs prepare for a registry tarball


def outcome(reports: dict[str, PackageReport]) -> CheckOutcome:
    """One entry per distinct name@version: b@1.0.0 sits at two places, one analysis."""
    entries, aligned = [], []
    for name, r in reports.items():
        nodes = tuple(p for p in TREE.packages.values() if p.name == name and p.source is Source.REGISTRY)
        entries.append(TreeEntry(name, "1.0.0", Source.REGISTRY, nodes, ()))
        aligned.append(r)
    return CheckOutcome(TREE, tuple(entries), tuple(aligned), ())


REPORTS = {
    "a": report(
        "a",
        builtin={"fs.readFile": (E,)},
        imports={"b": (E,), "d": (E,)},
        install_scripts={"postinstall": "node x"},
    ),
    "b": report("b", all_globals={"process.env": (E,)}),
    "c": report("c", imports={"b": (E,)}, native=True),
}


def test_init_gives_every_canonical_name_its_entry() -> None:
    policy = generate(observe_tree(outcome(REPORTS), NAMES))
    assert_valid_policy(dumps(policy))
    assert dumps(policy) == dumps(
        parse(
            {
                "version": 1,
                "resources": {
                    "a": {"builtin": {"fs.readFile": True}, "packages": {"a>b": True, "a>d": True}},
                    "a>b": {"globals": {"process.env": True}},
                    "c>b": {"globals": {"process.env": True}},
                    # The bundled d was analysed inside a's tarball: it gets a's grants.
                    "a>d": {"builtin": {"fs.readFile": True}, "packages": {"a>b": True}},
                    "c": {"packages": {"c>b": True}, "native": True},
                },
                "allowScripts": {"a#1.0.0": False, "a>d#1.0.0": False},
            }
        )
    )
    assert not any(
        d.exceeds or d.narrowings or d.changed for d in drifts(observe_tree(outcome(REPORTS), NAMES), policy)
    )


def test_tree_drift_new_global_and_dependency_then_update_accepts_them() -> None:
    policy = generate(observe_tree(outcome(REPORTS), NAMES))
    changed = {
        **REPORTS,
        "b": report("b", all_globals={"process.env": (E,), "fetch": (Evidence("net.js", 7),)}),
        "c": report("c", imports={"b": (E,), "e": (E,)}, native=True),
    }
    found = drifts(observe_tree(outcome(changed), NAMES), policy)
    excess = {(d.name, str(e.line)): e.evidence for d in found for e in d.excesses}
    assert excess == {
        ("a>b", 'resources["a>b"]["globals"]["fetch"]: true'): (Evidence("net.js", 7),),
        ("c>b", 'resources["c>b"]["globals"]["fetch"]: true'): (Evidence("net.js", 7),),
    }
    # e is no dependency of c in the lockfile; Node finds it at the top of node_modules, but nothing
    # declares it, so it has no canonical name: noted, no grant.
    assert any("loads 'e'" in note for note in observe_tree(outcome(changed), NAMES).notes)
    after = updated(policy, found)
    assert not any(d.exceeds for d in drifts(observe_tree(outcome(changed), NAMES), after))


def test_stale_entries_are_narrowings_and_update_removes_them() -> None:
    policy = Policy(
        resources={
            **generate(observe_tree(outcome(REPORTS), NAMES)).resources,
            "gone": Resource(native=True),
        },
        allow_scripts={"a#1.0.0": False, "a>d#1.0.0": False, "a#0.9.0": True, "gone": False},
    )
    found = drifts(observe_tree(outcome(REPORTS), NAMES), policy)
    stale = {(d.name, d.in_tree, str(n.line)) for d in found for n in d.narrowings}
    assert stale == {
        ("gone", False, 'resources["gone"]["native"]: true'),
        ("gone", False, 'allowScripts["gone"]: false'),
        ("a", True, 'allowScripts["a#0.9.0"]: true'),
    }
    after = updated(policy, found)
    assert "gone" not in after.resources
    assert dict(after.allow_scripts) == {"a#1.0.0": False, "a>d#1.0.0": False}


def test_a_package_that_was_not_analysed_keeps_its_entry_and_has_no_drift() -> None:
    failed = report("c", findings=(Finding("target-failed", Severity.HIGH, "registry down"),))
    tree = observe_tree(outcome({**REPORTS, "c": failed}), NAMES)
    assert [p.label for p in tree.not_analysed] == ["c@1.0.0"]
    policy = generate(observe_tree(outcome(REPORTS), NAMES))
    found = drifts(tree, policy)
    assert "c" not in {d.name for d in found}
    assert updated(policy, found).resources["c"] == policy.resources["c"]
    assert "c" not in generate(tree).resources


def test_titles_name_the_package_and_its_canonical_path() -> None:
    from airlock.policy.render import _title

    labels = {"@s/x": "@s/x@1.0.0", "a>@s/y": "@s/y@2.0.0", "a>b": "b@1.0.0", "b": "b@1.0.0"}
    assert _title("@s/x", labels) == "@s/x@1.0.0"
    assert _title("a>@s/y", labels) == "a>@s/y (@s/y@2.0.0)"
    assert _title("a>b", labels) == "a>b (b@1.0.0)"
    assert _title("b", labels) == "b@1.0.0"
    assert _title("gone", labels) == "gone"


def test_a_builtin_only_tested_with_typeof_is_granted_so_its_require_loads() -> None:
    # on-headers: `typeof http.ServerResponse.prototype.appendHeader`; no capability, still a require.
    probe = {"http.ServerResponse.prototype.appendHeader": (E,)}
    seen = observe(report("a", builtin_probes=probe), TREE, "node_modules/a", NAMES)
    assert dict(seen.grants.builtin) == {"http.ServerResponse.prototype.appendHeader": True}
    both = observe(
        report("a", builtin={"http": (E,)}, builtin_probes=probe), TREE, "node_modules/a", NAMES
    ).grants
    assert dict(both.builtin) == {"http": True}


def test_a_powerful_global_reached_through_a_computed_name_is_observed() -> None:
    # `Function('return this')()['pro' + 'cess'].env`: the syntactic inventory has no `process`, the
    # capability analysis resolves `process.env`; eval/Function are intrinsics, never grants.
    seen = observe(
        report(
            "a",
            globals={"process.env": (E,), "Function": (E,), "fetch": (E,)},
            all_globals={"setTimeout": (E,), "fetch": (E,)},
        ),
        TREE,
        "node_modules/a",
        NAMES,
    )
    assert dict(seen.grants.globals) == {"process.env": True, "setTimeout": True, "fetch": True}
    assert seen.evidence[(GrantKind.GLOBAL, "process.env")] == (E,)
    # Where the inventory has the access at LavaMoat's depth, that depth stands.
    deeper = report("a", globals={"process.env": (E,)}, all_globals={"process.env.HOME": (E,)})
    assert dict(observe(deeper, TREE, "node_modules/a", NAMES).grants.globals) == {"process.env.HOME": True}
