"""The shared state of one file's scan: what it collects (`Collector`, `CodeSink`) and the base class of
the scanner's parts (`ScanBase`), which holds the file, its resolver and its step budget, reports what a
value reaches, and declares the methods the parts call across their seams:

- `seeds.SeedsMixin` finds where authority enters the file and starts a walk there;
- `flow.FlowMixin` follows a value forward through the expressions and variables that consume it;
- `sinks.SinksMixin` records what calling a value means (eval/Function/vm code, child_process commands);
- `scanner.FileScanner` puts them together and analyses code compiled from strings.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from tree_sitter import Node

from airlock.analysis.js import SourceText
from airlock.analysis.resolve import (
    Imported,
    Ref,
    Resolver,
    Space,
    Steps,
    Value,
)
from airlock.analysis.resolve.timing import LoadTiming
from airlock.analysis.vocabulary import (
    contract_key,
    global_key,
)
from airlock.model import Evidence, Skipped

# Real member/call chains are a few levels deep; the cap keeps hostile nesting linear.
MAX_CLIMB = 256
IDENT_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


_NETWORK_ROOTS = frozenset(
    {
        "http",
        "https",
        "http2",
        "net",
        "tls",
        "dgram",
        "dns",
        "undici",
        "fetch",
        "XMLHttpRequest",
        "WebSocket",
        "navigator",
        "child_process",  # command lines that run curl, wget or nc
    }
)


@dataclass(frozen=True, slots=True)
class CodeSink:
    """Code compiled from a value the analysis could not fold (eval, Function, vm, Module#_compile), with
    where that value comes from as far as the text shows: `decode`, `decipher`, `network`, `file`, `env`."""

    evidence: Evidence
    kind: str
    origins: frozenset[str]


@dataclass(frozen=True, slots=True)
class PlantedShell:
    """Text written into a shell profile, crontab, service unit or startup entry: shell that runs later, at
    every login or on a schedule (`fs.appendFileSync(~/.bashrc, 'curl … | sh')`)."""

    evidence: Evidence
    target: str
    """The written path, as folded."""
    text: str
    on_load: bool
    """Written by code that runs when the file runs."""


@dataclass(frozen=True, slots=True)
class FileWrite:
    """A file the code writes (`fs.writeFile*`, `appendFile*`, `copyFile*`, `createWriteStream`), with its
    path as `resolve.paths.fold_path` folds it and whether what is written was analysed as code."""

    evidence: Evidence
    path: str
    code: bool
    named: bool = False
    """Only named (an application location built with path.join), not seen written: the tampering rule
    counts it where the file also writes files (through a library such as asar, or a variable)."""


@dataclass(frozen=True, slots=True)
class CompiledFile:
    """Code compiled (eval/Function/vm/`_compile`, `node -e`) from the text of a file: `path` as folded
    (`<dir>/x.txt`, `./data.json`), `field` the JSON member taken from it (`require('./x.json').code`), `base`
    what a relative path is relative to: `dir` (the compiling file's directory) or `cwd` (the package root
    at install)."""

    evidence: Evidence
    path: str
    field: str | None
    base: str


@dataclass
class Collector:
    """What a file's scan has found so far, shared with the nested scans of code compiled from its strings."""

    builtin: dict[str, list[Evidence]] = field(default_factory=dict)
    globals: dict[str, list[Evidence]] = field(default_factory=dict)
    dynamic: list[Evidence] = field(default_factory=list)
    probes: dict[str, list[Evidence]] = field(default_factory=dict)
    """Builtin members only tested with `typeof` (`typeof cp.exec`): no capability, but the module is loaded."""
    imports: list[str] = field(default_factory=list)
    import_sites: list[tuple[str, Evidence]] = field(default_factory=list)
    """Each specifier of `imports` with where it is loaded."""
    evaluated_code: list[tuple[Evidence, str]] = field(default_factory=list)
    commands: list[tuple[Evidence, str]] = field(default_factory=list)
    commands_on_load: list[Evidence] = field(default_factory=list)
    planted: list[PlantedShell] = field(default_factory=list)
    sinks: list[CodeSink] = field(default_factory=list)
    writes: list[FileWrite] = field(default_factory=list)
    compiles: list[CompiledFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    seen: set[tuple[str, str, int, int | None]] = field(default_factory=set)
    network_at: list[int] = field(default_factory=list)
    """Byte offsets where network modules and globals (and child_process, whose commands may be curl) are
    used: where the data-flow pass looks for sinks."""

    def add(self, kind: str, key: str, evidence: Evidence) -> None:
        key = contract_key(key)
        marker = (kind, key, evidence.line, evidence.column)
        if marker in self.seen:
            return
        self.seen.add(marker)
        if kind == "builtin":
            self.builtin.setdefault(key, []).append(evidence)
        elif kind == "globals":
            self.globals.setdefault(key, []).append(evidence)
        elif kind == "probes":
            self.probes.setdefault(key, []).append(evidence)
        else:
            self.dynamic.append(evidence)


class ScanBase(ABC):
    """One file's (or one compiled string's) scan state. `_tracked` holds the (binding, value) pairs already
    followed, `_code_results` the completion values of code strings already analysed."""

    def __init__(
        self,
        text: SourceText,
        root: Node,
        collector: Collector,
        *,
        steps: Steps,
        depth: int = 0,
        typescript: bool = False,
    ) -> None:
        self.typescript = typescript
        self.text = text
        self.source = text.data
        self.root = root
        self.out = collector
        self.steps = steps
        self.depth = depth
        self.resolver = Resolver(self.source, root, steps, on_code=self._on_code)
        self.timing = LoadTiming(self.resolver, self.source, root)
        self.outer_on_load = True
        """Code compiled from a string: whether the eval that runs it runs at load (`runs_on_load`)."""
        self._tracked: set[object] = set()
        self._code_results: dict[str, Value] = {}

    def _tick(self) -> None:
        self.steps.tick()

    def runs_on_load(self, node: Node) -> bool:
        """Whether `node` runs when this file runs, not only when a caller calls a function around it."""
        return self.outer_on_load and self.timing.runs_on_load(node)

    def _note_import(self, value: Value, node: Node) -> None:
        if isinstance(value, Imported):
            self.out.imports.append(value.specifier)
            if self.depth == 0:  # code compiled from strings has no place in the file to point at
                self.out.import_sites.append((value.specifier, self.text.evidence(node)))

    def _report(self, ref: Ref, node: Node) -> None:
        if ref.path.split(".", 1)[0] in _NETWORK_ROOTS and self.depth == 0:
            self.out.network_at.append(node.start_byte)
        if ref.space is Space.BUILTIN:
            self.out.add("builtin", ref.path, self.text.evidence(node))
        elif ref.space is Space.GLOBAL:
            key = global_key(ref.path)
            if key is not None:
                self.out.add("globals", key, self.text.evidence(node))

    def _dynamic(self, node: Node) -> None:
        self.out.add("dynamic", "", self.text.evidence(node))

    # ---- the seams between the parts ------------------------------------------------------------------
    @abstractmethod
    def _climb(self, node: Node, value: Value) -> None:
        """Follow `value` (the value of `node`) forward (`flow`)."""

    @abstractmethod
    def _track(self, ident: Node, value: Value, site: Node) -> None:
        """Follow every use of the variable `ident` binds to `value` (`flow`)."""

    @abstractmethod
    def _bind(self, name: Node, value: Value, site: Node) -> None:
        """Follow `value` into the variable(s) `name` declares (`flow`)."""

    @abstractmethod
    def _rest(self, value: Value, node: Node, *, escaped: bool) -> None:
        """`value` stops at `node` (`flow`)."""

    @abstractmethod
    def _on_call(self, callee: Value, args: list[Value], call: Node) -> None:
        """Record what calling `callee` means (`sinks`)."""

    @abstractmethod
    def _on_code(self, code: str, site: Node) -> Value:
        """Analyse code that eval/Function/vm would compile; return its completion value (`scanner`)."""


def is_binding_position(node: Node) -> bool:
    parent = node.parent
    if parent is None:
        return True
    kind = parent.type
    if kind == "variable_declarator":
        return parent.child_by_field_name("name") == node
    if kind in {
        "formal_parameters",
        "required_parameter",
        "optional_parameter",
        "function_declaration",
        "function_expression",
        "function",
        "class_declaration",
        "generator_function_declaration",
        "array_pattern",
        "object_pattern",
        "rest_pattern",
        "import_specifier",
        "import_clause",
        "namespace_import",
        "export_specifier",
        "labeled_statement",
        "break_statement",
        "continue_statement",
        "catch_clause",
    }:
        return True
    if kind == "arrow_function":
        return parent.child_by_field_name("parameter") == node
    if kind in {"assignment_pattern", "pair_pattern"}:
        return parent.child_by_field_name("left") == node or parent.child_by_field_name("value") == node
    if kind == "method_definition":
        return parent.child_by_field_name("name") == node
    return False
