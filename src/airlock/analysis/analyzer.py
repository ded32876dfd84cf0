"""`analyze`: one package's bytes → its `PackageAnalysis` (see the package's docstring). Imports the
parsers (tree-sitter grammars, the resolver, every rule family): only a process that analyses loads it.
"""

from __future__ import annotations

from airlock.analysis.capabilities import DEFAULT_BUDGET, Budget, FileCapabilities, analyze_source
from airlock.analysis.capabilities.inventory import MAX_SITES_PER_KEY, reduce_sites, reduce_topmost
from airlock.analysis.facts import gather
from airlock.analysis.js import dialect_for
from airlock.analysis.manifest import Manifest, declared, install_scripts, parse_manifest
from airlock.analysis.rules import evaluate
from airlock.analysis.rules import package as package_rules
from airlock.lifecycle import registry_install_scripts
from airlock.model import Capabilities, Evidence, Finding, PackageAnalysis, PackageContents, Skipped
from airlock.revision import ANALYZER_VERSION

MAX_EVIDENCE_PER_KEY = 10
MAX_DYNAMIC_EVIDENCE = 25
_NATIVE_LOADERS = frozenset(
    {
        "bindings",
        "node-gyp-build",
        "node-gyp-build-optional-packages",
        "@mapbox/node-pre-gyp",
        "node-pre-gyp",
        "prebuild-install",
    }
)


def analyze(contents: PackageContents, *, budget: Budget = DEFAULT_BUDGET) -> PackageAnalysis:
    return analyze_traced(contents, budget=budget)[0]


def analyze_traced(
    contents: PackageContents, *, budget: Budget = DEFAULT_BUDGET
) -> tuple[PackageAnalysis, tuple[FileCapabilities, ...]]:
    """`analyze`, plus each analysed file's capabilities (with the steps it used), for benchmarks and tests."""
    manifest = parse_manifest(_data(contents, "package.json"))
    findings: list[Finding] = list(contents.findings)
    skipped: list[Skipped] = list(contents.skipped)
    if manifest.error:
        findings.append(package_rules.MANIFEST_INVALID.finding(manifest.error, Evidence("package.json", 1)))

    files: list[FileCapabilities] = []
    for f in contents.files:
        dialect = dialect_for(f.path, f.data[:128])
        if dialect is None:
            continue
        files.append(analyze_source(f.path, f.data, dialect, budget=budget))

    paths = {f.path for f in contents.files}
    has_binding_gyp = "binding.gyp" in paths
    native = (
        has_binding_gyp
        or any(p.endswith(".node") for p in paths)
        or any(spec.endswith(".node") or spec in _NATIVE_LOADERS for f in files for spec in f.imports)
    )
    scripts = install_scripts(manifest, has_binding_gyp=has_binding_gyp)
    # `prepare` stays in the report but is not install-time code: npm never runs it for a registry tarball.
    facts = gather(contents, manifest, files, registry_install_scripts(scripts), native=native, budget=budget)
    # Every analysed file's cuts, `node -e` code of install scripts included (gather analyses that).
    skipped.extend(s for f in facts.files for s in f.skipped)
    findings.extend(evaluate(facts))
    analysis = PackageAnalysis(
        name=manifest.name,
        version=manifest.version,
        capabilities=merge_capabilities(files, native=native),
        findings=tuple(findings),
        install_scripts=scripts,
        skipped=tuple(skipped),
        analyzer=ANALYZER_VERSION,
        declared=declared(manifest, has_binding_gyp=has_binding_gyp),
    )
    return analysis, facts.files


def _data(contents: PackageContents, path: str) -> bytes | None:
    f = contents.file(path)
    return f.data if f is not None else None


def _cap(evidence: list[Evidence], limit: int) -> tuple[Evidence, ...]:
    evidence.sort(key=lambda e: (e.file, e.line, e.column or 0))
    return tuple(evidence[:limit])


_NOT_LOADED_DIRS = frozenset(
    {"test", "tests", "__tests__", "__mocks__", "spec", "specs", "fixture", "fixtures", "__fixtures__",
     "example", "examples", "bench", "benchmark", "benchmarks"}
)  # fmt: skip


def _test_only(path: str) -> bool:
    """A file of the package's own tests, fixtures, examples or benchmarks: no dependent loads it."""
    *dirs, base = path.split("/")
    return any(d in _NOT_LOADED_DIRS for d in dirs) or ".test." in base or ".spec." in base


def merge_capabilities(files: list[FileCapabilities], *, native: bool) -> Capabilities:
    """One package's capabilities from its files' (evidence sorted, and capped per key for readability).

    The globals inventory is merged as LavaMoat merges a package's modules: the union of the files' keys
    reduced to the topmost (`process` subsumes `process.env`); a key is written when some file assigns to
    exactly that key. (LavaMoat's own merge can turn a write back into a read depending on the order it
    meets its modules; a write grant is the wider one, so the policy still runs.) A write in a test,
    fixture, example or benchmark file counts as a read: LavaMoat only records the files an app reaches,
    and a top-level `"write"` replaces the real global with an empty slot under its runtime (pino's test
    fixtures assign `global.process`; a write grant from them would break every `process` read).

    Builtin members only tested with `typeof` (`builtin_probes`) are kept apart from `builtin`: they grant
    nothing, but a LavaMoat policy must name them or the runtime refuses the module's require."""
    builtin: dict[str, list[Evidence]] = {}
    globals_: dict[str, list[Evidence]] = {}
    all_globals: dict[str, list[Evidence]] = {}
    writes: set[str] = set()
    probes: dict[str, list[Evidence]] = {}
    packages: dict[str, list[Evidence]] = {}
    dynamic: list[Evidence] = []
    for f in files:
        for key, ev in f.builtin.items():
            builtin.setdefault(key, []).extend(ev)
        for key, ev in f.globals.items():
            globals_.setdefault(key, []).extend(ev)
        for key, ev in f.all_globals.items():
            all_globals.setdefault(key, []).extend(ev)
        if not _test_only(f.path):
            writes.update(f.global_writes)
        for key, ev in f.builtin_probes.items():
            probes.setdefault(key, []).extend(ev)
        for key, ev in f.packages.items():
            packages.setdefault(key, []).extend(ev)
        dynamic.extend(f.dynamic)
    inventory = reduce_topmost(all_globals, MAX_SITES_PER_KEY)
    return Capabilities(
        all_globals=inventory,
        global_writes=tuple(k for k in writes if k in inventory),
        imports=reduce_sites(packages, MAX_SITES_PER_KEY),
        builtin_probes=reduce_sites(probes, MAX_SITES_PER_KEY),
        builtin={k: _cap(v, MAX_EVIDENCE_PER_KEY) for k, v in builtin.items()},
        globals={k: _cap(v, MAX_EVIDENCE_PER_KEY) for k, v in globals_.items()},
        dynamic=_cap(dynamic, MAX_DYNAMIC_EVIDENCE),
        native=native,
    )


__all__ = [
    "Budget",
    "FileCapabilities",
    "Manifest",
    "analyze",
    "analyze_traced",
    "merge_capabilities",
]
