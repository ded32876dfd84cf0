"""The per-file driver: `analyze_source` reads one file's bytes within its `Budget`, runs the scanner, adds
what the lexical fallback finds in regions the parser did not read, and returns `FileCapabilities`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from tree_sitter import Node

from airlock.analysis.capabilities.inventory import EMPTY_INVENTORY, GlobalsInventory, inventory, reduce_sites
from airlock.analysis.capabilities.scanner import FileScanner
from airlock.analysis.capabilities.state import CodeSink, Collector, CompiledFile, FileWrite, PlantedShell
from airlock.analysis.dataflow import EMPTY, FileFlowPass, FileFlows
from airlock.analysis.indicators import Indicator
from airlock.analysis.js import Dialect, SourceText, module_kind, read
from airlock.analysis.lexical import fallback
from airlock.analysis.resolve import (
    StepBudgetExhaustedError,
    Steps,
)
from airlock.analysis.signals import Signal, scan_code_string, scan_indicators
from airlock.analysis.vocabulary import builtin_name
from airlock.model import Evidence, Skipped


@dataclass(frozen=True, slots=True)
class Budget:
    """Per-file caps, counted in bytes and steps, never seconds: the same bytes give the same result on any
    machine under any load. A file over them is still analysed as far as the budget goes, and the cut is
    recorded as `Skipped` (which the `analysis-incomplete` rule reports)."""

    max_file_bytes: int = 16 * 2**20
    """Also what bounds parse time (see `js.parse`)."""
    max_flow_steps: int = 400_000
    """Steps of the data-flow pass (`dataflow.FileFlowPass`), counted apart from the capability scan so
    that one cannot starve the other; an overrun keeps the flows found and is recorded as `Skipped`."""
    max_inventory_steps: int = 4_000_000
    """Steps of the globals inventory (`inventory`): one per identifier, binding site or scope the query
    returns, plus one per free reference climbed. Counted apart so that a file whose scan ran out still
    gets its inventory; the biggest real bundles need well under a million (plotly.min.js: about 1.2M
    captured nodes per 4.6 MB), so a file over it is about 15 MB of dense code, and is recorded as
    `Skipped`: its inventory is then empty, never silently partial."""
    max_steps: int = 1_500_000
    """Analysis steps per file (see `resolve.Steps`), code compiled from its strings included. Sized by
    bench/determinism.py on the biggest real packages: the most any file needed was 428,980 steps
    (plotly.js-dist-min's 4.6 MB plotly.min.js; monaco-editor 98,485, @tensorflow/tfjs 151,840, next
    24,262, typescript 3,763), so 3.5x headroom. A hostile 12 MB file whose every line is a seed reaches
    the cap after about 55 s of one core on an idle machine (109 s at 3M steps): the price of a result
    that does not depend on the machine, and still bounded."""


DEFAULT_BUDGET = Budget()


@dataclass(frozen=True, slots=True)
class FileCapabilities:
    """What one file can reach. `imports` lists non-builtin module specifiers it loads."""

    path: str
    builtin: Mapping[str, tuple[Evidence, ...]]
    globals: Mapping[str, tuple[Evidence, ...]]
    dynamic: tuple[Evidence, ...]
    imports: tuple[str, ...]
    evaluated_code: tuple[tuple[Evidence, str], ...]
    """Code strings that eval/Function/vm would compile, with where (analysed as code too)."""
    commands: tuple[tuple[Evidence, str], ...] = ()
    """Command lines given to child_process, where they fold to constants (shell-analysed by rules)."""
    commands_on_load: tuple[Evidence, ...] = ()
    """Where the spawns of `commands` run when the file runs (not only when a caller calls a function)."""
    planted: tuple[PlantedShell, ...] = ()
    """Text written into shell profiles, crontab, services or startup entries: shell that runs later."""
    sinks: tuple[CodeSink, ...] = ()
    signals: tuple[Signal, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    """Everything not fully analysed: budget cuts and regions the parser did not understand."""
    cuts: tuple[Skipped, ...] = ()
    """The budget cuts among `skipped` (steps, nesting, byte cap): code the analysis never looked at. Parser
    regions are not cuts: they are read lexically, and judged where they run at install time."""
    unparsed: tuple[Evidence, ...] = ()
    """Where regions start that the parser did not faithfully read (see `js.read`, `lexical`)."""
    writes: tuple[FileWrite, ...] = ()
    """Files the code writes, with their folded paths (tampering rules judge where they go)."""
    compiles: tuple[CompiledFile, ...] = ()
    """Files of the package whose text is compiled as code (`facts.gather` analyses them)."""
    steps: int = 0
    """Analysis steps used (for budget sizing; not part of the result)."""
    flows: FileFlows = EMPTY
    """Source → sink data flow in this file, and its ends for the package-level join (`dataflow`)."""
    all_globals: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)
    """Every non-intrinsic global the file refers to, at LavaMoat's depth, reduced to the topmost keys, with
    its first sites (`inventory`)."""
    global_writes: tuple[str, ...] = ()
    """The keys of `all_globals` the file assigns to."""
    builtin_probes: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)
    """Builtin members the file only tests with `typeof` (`typeof cp.exec`), which grant nothing."""
    packages: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)
    """The packages the file loads by name (`require('@s/x/sub')` → `@s/x`), with where (from `imports`'
    sites: relative paths and builtins left out)."""


def analyze_source(
    path: str,
    data: bytes,
    dialect: Dialect,
    *,
    budget: Budget = DEFAULT_BUDGET,
) -> FileCapabilities:
    """Capabilities of one file's bytes. Never raises for hostile input; overruns become `skipped`."""
    skipped: list[Skipped] = []
    if len(data) > budget.max_file_bytes:
        skipped.append(
            Skipped(
                f"file is {len(data)} bytes, over the {budget.max_file_bytes}-byte analysis cap; "
                f"analysed the first {budget.max_file_bytes} bytes",
                path,
            )
        )
        data = data[: budget.max_file_bytes]
    collector = Collector()
    # The bytes as Node reads them (js.read), evidence still showing the file's own (issue 9).
    result = read(data, dialect, module=module_kind(path))
    text = SourceText(path, result.source, display=data)
    steps = Steps(budget.max_steps)
    scanner = FileScanner(
        text,
        result.tree.root_node,
        collector,
        steps=steps,
        typescript=dialect is not Dialect.JAVASCRIPT,
    )
    hidden: list[Evidence] = []
    try:
        scanner.run()
        hidden = scanner.read_hidden_code()
    except StepBudgetExhaustedError:
        skipped.append(
            Skipped(
                f"analysis step budget ({budget.max_steps:,} steps) exhausted; the rest of the file was "
                "not analysed",
                path,
            )
        )
    except RecursionError:
        skipped.append(Skipped("expression nesting too deep to analyse; the rest was not analysed", path))
    skipped.extend(collector.skipped)
    flows = _flows(
        text, root=result.tree.root_node, scanner=scanner, collector=collector, budget=budget, skipped=skipped
    )
    if flows.complete and any(_reaches_authority(code) for _, code in collector.evaluated_code):
        # Code compiled from strings (eval, `node -e`, a written .js file) was scanned, not flow-followed:
        # the file is not covered, so rules that defer to flows must not take their silence as an answer.
        # (`Function('return this')` and template bodies reach nothing and keep the file covered.)
        flows = replace(flows, complete=False)
    cuts = tuple(dict.fromkeys(skipped))
    # --- issue 9: what the parser does not understand is read lexically and reported, never silent.
    lexical = fallback(text, result.regions, known=collector.builtin, known_commands=collector.commands)
    for key, evidence in lexical.builtin:
        collector.add("builtin", key, evidence)
    collector.imports.extend(spec for spec, _ in lexical.imports)
    collector.import_sites.extend(lexical.imports)
    collector.commands.extend(lexical.commands)
    skipped.extend(lexical.skipped)
    # --- end issue 9
    globals_inventory = _inventory(
        text, result.tree.root_node, dialect, path=path, budget=budget, skipped=skipped
    )
    signals = list(scan_indicators(text, result.tree.root_node))
    signals.extend(
        Signal(Indicator.INVISIBLE, "code hidden in invisible variation selectors", evidence)
        for evidence in hidden
    )
    for evidence, code in collector.evaluated_code:
        signals.extend(scan_code_string(code, evidence))
    return FileCapabilities(
        path=path,
        commands=tuple(collector.commands),
        commands_on_load=tuple(collector.commands_on_load),
        planted=tuple(collector.planted),
        sinks=tuple(collector.sinks),
        writes=tuple(collector.writes),
        compiles=tuple(collector.compiles),
        signals=tuple(signals),
        builtin={k: tuple(v) for k, v in collector.builtin.items()},
        globals={k: tuple(v) for k, v in collector.globals.items()},
        dynamic=tuple(collector.dynamic),
        imports=tuple(dict.fromkeys(collector.imports)),
        evaluated_code=tuple(collector.evaluated_code),
        skipped=tuple(dict.fromkeys(skipped)),
        cuts=cuts,
        unparsed=lexical.evidence,
        steps=steps.used,
        flows=flows,
        all_globals=globals_inventory.globals,
        global_writes=globals_inventory.writes,
        builtin_probes={k: tuple(v) for k, v in collector.probes.items()},
        packages=package_sites(collector.import_sites),
    )


def _inventory(
    text: SourceText, root: Node, dialect: Dialect, *, path: str, budget: Budget, skipped: list[Skipped]
) -> GlobalsInventory:
    steps = Steps(budget.max_inventory_steps)
    try:
        return inventory(text, root, dialect, steps, module=module_kind(path))
    except StepBudgetExhaustedError:
        skipped.append(
            Skipped(
                f"globals inventory step budget ({budget.max_inventory_steps:,} steps) exhausted; the "
                "globals this file uses were not inventoried",
                path,
            )
        )
    except RecursionError:
        skipped.append(Skipped("expression nesting too deep for the globals inventory", path))
    return EMPTY_INVENTORY


_PACKAGE_NAME = re.compile(r"(?:@[A-Za-z0-9~][A-Za-z0-9._~-]*/)?[A-Za-z0-9~][A-Za-z0-9._~-]*")


def package_name(specifier: str) -> str | None:
    """The package a module specifier loads by name (`'@s/x/sub'` → `@s/x`, `'x/y.js'` → `x`), or None for
    a relative or absolute path, a builtin, a URL or a package-internal `#import`."""
    if builtin_name(specifier) is not None or specifier.startswith((".", "/", "#")) or ":" in specifier:
        return None
    parts = specifier.split("/")
    name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
    return name if _PACKAGE_NAME.fullmatch(name) else None


def package_sites(sites: list[tuple[str, Evidence]]) -> dict[str, tuple[Evidence, ...]]:
    """Package name → its first sites (sorted, capped at MAX_SITES_PER_KEY)."""
    found: dict[str, list[Evidence]] = {}
    for specifier, evidence in sites:
        name = package_name(specifier)
        if name is not None:
            found.setdefault(name, []).append(evidence)
    return reduce_sites(found)


_AUTHORITY_WORDS = ("require", "process", "import(", "fetch", "XMLHttpRequest", "WebSocket")


def _reaches_authority(code: str) -> bool:
    return any(word in code for word in _AUTHORITY_WORDS)


def _flows(
    text: SourceText,
    *,
    root: Node,
    scanner: FileScanner,
    collector: Collector,
    budget: Budget,
    skipped: list[Skipped],
) -> FileFlows:
    """The data-flow pass over the same tree, with the scanner's resolver (scopes and folded values are
    shared, not recomputed)."""
    steps = Steps(budget.max_flow_steps)
    scanner.resolver.steps = steps
    flow_pass = FileFlowPass(text, root, scanner.resolver, steps)
    try:
        flows = flow_pass.run(collector.network_at)
        if flow_pass.cut is not None:
            skipped.append(Skipped(flow_pass.cut, text.path))
        return flows
    except StepBudgetExhaustedError:
        skipped.append(
            Skipped(
                f"data-flow step budget ({budget.max_flow_steps:,} steps) exhausted; source-to-sink flows "
                "past that point were not followed",
                text.path,
            )
        )
    except RecursionError:
        skipped.append(Skipped("expression nesting too deep for data-flow analysis", text.path))
    return flow_pass.partial()
