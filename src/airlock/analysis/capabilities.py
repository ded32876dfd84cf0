"""What a file can reach, in LavaMoat's vocabulary: builtin module paths and powerful globals, with evidence.

The scan is demand-driven: it starts only from the places where authority can enter a file (the words
`require`, `import`, `process`, `eval`, `constructor`, `fetch`, … found in the bytes), evaluates each with
the `Resolver`, and follows the value forward — through member chains, calls, destructuring and variable
bindings — to where it is used. Everything else in the file is never visited, which is why the analysis
costs little more than the parse.

A value we cannot follow is reported as `dynamic` with its evidence: that is a result, not a failure.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

import re2
from tree_sitter import Node

from airlock.analysis.js import Dialect, SourceText, module_kind, parse, read
from airlock.analysis.lexical import fallback
from airlock.analysis.resolve import (
    GLOBAL_OBJECT,
    INTEROP_HELPER,
    MAX_STRING,
    REQUIRE,
    UNKNOWN,
    AnyConstructor,
    Applied,
    Arr,
    Binding,
    Code,
    Imported,
    Promised,
    Ref,
    Resolver,
    Space,
    StepBudgetExhaustedError,
    Steps,
    Str,
    Value,
    as_text,
    member,
    require_value,
    strip_transparent,
)
from airlock.analysis.signals import Signal, scan_code_string, scan_indicators
from airlock.analysis.vocabulary import (
    BUILTIN_MODULES,
    CALL_ONLY_GLOBALS,
    GLOBAL_CAPABILITIES,
    POWERFUL_GLOBALS,
    builtin_name,
    contract_key,
    global_key,
)
from airlock.model import Evidence, Skipped

# vm entry points that compile a string argument as code.
_VM_COMPILERS = frozenset(
    {
        "vm.runInNewContext",
        "vm.runInThisContext",
        "vm.runInContext",
        "vm.compileFunction",
        "vm.Script",
        "vm.SourceTextModule",
    }
)
_EXEC_FUNCTIONS = frozenset(
    {
        "child_process.exec",
        "child_process.execSync",
        "child_process.spawn",
        "child_process.spawnSync",
        "child_process.execFile",
        "child_process.execFileSync",
        "child_process.fork",
    }
)
_SHELL_PROGRAMS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "cmd", "cmd.exe", "powershell"})
_FUNCTION_TYPES = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "function", "generator_function"}
)
_ORIGIN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("decode", re.compile(r"base64|['\"]hex['\"]|\batob\b|fromCharCode|\bunescape\(|\binflate|gunzip")),
    ("decipher", re.compile(r"createDecipher|\.final\(")),
    (
        "network",
        re.compile(
            r"\b(?:https?|http2|net|tls)\.(?:get|request|connect)\b|\bfetch\(|\baxios\b|"
            r"\.on\(\s*['\"](?:data|end|message)['\"]|\.text\(\)|\bXMLHttpRequest\b|responseText"
        ),
    ),
    ("file", re.compile(r"readFileSync|readFile\(|createReadStream")),
    ("env", re.compile(r"process\.env")),
)
# References that stand for many capabilities; a computed member on one of them is `dynamic`.
_CONTAINER_GLOBALS = frozenset(
    {"", "process", "process.mainModule", "module", "module.constructor", "Reflect"}
)

# Where authority can enter a file besides the powerful globals: module loading and the global object.
_STRUCTURAL_SEEDS = frozenset(
    {
        "require",
        "import",
        "export",
        "process",
        "global",
        "globalThis",
        "constructor",
        "createRequire",
        "_load",
        "getBuiltinModule",
        "Reflect",
    }
)
_SEED_WORDS: tuple[bytes, ...] = tuple(
    w.encode() for w in sorted(_STRUCTURAL_SEEDS | {g.seed_word for g in POWERFUL_GLOBALS})
)
# RE2: linear time on hostile input, and one pass for all words. The leading class stands in for a
# look-behind (RE2 has none); the trailing boundary is checked by hand.
# `globalThis` before `global`; ties in a fixed order, so the pattern is the same in every process.
_SEEDS_LONGEST_FIRST: list[bytes] = sorted(_SEED_WORDS, key=lambda w: (-len(w), w))
_SEED_PATTERN = re2.compile(rb"(?:^|[^A-Za-z0-9_$])(" + b"|".join(_SEEDS_LONGEST_FIRST) + rb")")
_BRACKET_SEEDS: tuple[bytes, ...] = (b"window", b"self", b"frames")
_IDENT_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
_NOT_CODE = frozenset(
    {"comment", "string_fragment", "regex_pattern", "escape_sequence", "jsx_text", "html_comment"}
)

MAX_NESTED_CODE_DEPTH = 3
# Real member/call chains are a few levels deep; the cap keeps hostile nesting linear.
MAX_CLIMB = 256
MAX_NESTED_CODE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Budget:
    """Per-file caps, counted in bytes and steps, never seconds: the same bytes give the same result on any
    machine under any load. A file over them is still analysed as far as the budget goes, and the cut is
    recorded as `Skipped` (which the `analysis-incomplete` rule reports)."""

    max_file_bytes: int = 16 * 2**20
    """Also what bounds parse time (see `js.parse`)."""
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
    sinks: tuple[CodeSink, ...] = ()
    signals: tuple[Signal, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    parse_errors: bool = False
    unparsed: tuple[Evidence, ...] = ()
    """Where regions start that the parser did not faithfully read (see `js.read`, `lexical`)."""
    steps: int = 0
    """Analysis steps used (for budget sizing; not part of the result)."""


@dataclass(frozen=True, slots=True)
class CodeSink:
    """Code compiled from a value the analysis could not fold (eval, Function, vm, Module#_compile), with
    where that value comes from as far as the text shows: `decode`, `decipher`, `network`, `file`, `env`."""

    evidence: Evidence
    kind: str
    origins: frozenset[str]


@dataclass
class _Collector:
    builtin: dict[str, list[Evidence]] = field(default_factory=dict)
    globals: dict[str, list[Evidence]] = field(default_factory=dict)
    dynamic: list[Evidence] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    evaluated_code: list[tuple[Evidence, str]] = field(default_factory=list)
    commands: list[tuple[Evidence, str]] = field(default_factory=list)
    sinks: list[CodeSink] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    seen: set[tuple[str, str, int, int | None]] = field(default_factory=set)

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
        else:
            self.dynamic.append(evidence)


class _FileScanner:
    def __init__(
        self,
        text: SourceText,
        root: Node,
        collector: _Collector,
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
        self._tracked: set[object] = set()
        self._code_results: dict[str, Value] = {}

    # ---- entry ----------------------------------------------------------------------------------
    def run(self) -> None:
        for start, end in self._seed_positions():
            self._tick()
            node = self.root.descendant_for_byte_range(start, end)
            if node is None or node.type in _NOT_CODE:
                continue
            self._seed(node)

    def _tick(self) -> None:
        self.steps.tick()

    def _seed_positions(self) -> list[tuple[int, int]]:
        src = self.source
        self.steps.search(len(src))
        find = src.find
        ident = _IDENT_BYTES
        size = len(src)
        positions: list[tuple[int, int]] = []
        for match in _SEED_PATTERN.finditer(src):
            end = match.end(1)
            if end >= size or src[end] not in ident:
                positions.append((match.start(1), end))
        for word in _BRACKET_SEEDS:
            n = len(word)
            i = find(word)
            while i != -1:
                end = i + n
                j = end
                while j < len(src) and src[j] in b" \t\r\n":
                    j += 1
                if (i == 0 or src[i - 1] not in ident) and j < len(src) and src[j] == 0x5B:  # '['
                    positions.append((i, end))
                i = find(word, end)
        # `\u0072equire` is the identifier `require`: escaped identifiers are seeds too.
        i = find(b"\\u")
        while i != -1:
            positions.append((i, i + 2))
            i = find(b"\\u", i + 2)
        positions.sort()
        return positions

    # ---- seeds ----------------------------------------------------------------------------------
    def _seed(self, node: Node) -> None:
        kind = node.type
        parent = self.resolver.parent(node)
        if parent is None or (self.typescript and self._in_type(node)):
            return
        if kind == "identifier":
            if _is_binding_position(node):
                return
            value = self.resolver.identifier(node)
            if isinstance(value, Ref | Code | AnyConstructor | Applied | Promised):
                self._climb(node, value)
            return
        if kind == "property_identifier":
            if parent.type == "member_expression" and parent.child_by_field_name("property") == node:
                value = self.resolver.evaluate(parent)
                if isinstance(value, Ref | Code | AnyConstructor | Applied):
                    self._climb(parent, value)
            return
        if kind == "import":
            grand = self.resolver.parent(parent)
            if parent.type == "import" and grand is not None:  # the keyword inside `import(…)`
                node, parent = parent, grand
            if parent.type == "call_expression":
                self._climb_from_call_target(node, parent)
            elif parent.type == "import_statement":
                self._import_statement(parent)
            return
        if kind == "export" and parent.type == "export_statement":
            self._reexport(parent)
            return
        if kind == "require" and parent.type == "import_require_clause":
            self._import_require(parent)

    def _in_type(self, node: Node) -> bool:
        """Inside a TypeScript type (`typeof import('fs')`, `declare …`): erased at compile time, grants nothing."""
        current = self.resolver.parent(node)
        while current is not None and current.type not in _STATEMENT_BOUNDARY:
            self._tick()
            if current.type in _TYPE_CONTEXTS:
                return True
            current = self.resolver.parent(current)
        return False

    def _climb_from_call_target(self, node: Node, call: Node) -> None:
        args = self.resolver.arguments(call)
        if not args or as_text(args[0]) is None:
            self._dynamic(call)
            return
        value = require_value(args[0])
        self._note_import(value)
        self._climb(call, Promised(value))

    def _import_statement(self, stmt: Node) -> None:
        if any(child.type == "type" for child in stmt.children):
            return  # `import type` has no runtime effect
        source = stmt.child_by_field_name("source")
        if source is None:
            return
        spec = as_text(self.resolver.evaluate(source))
        if spec is None:
            return
        module = require_value(Str(spec))
        self._note_import(module)
        if not isinstance(module, Ref):
            return
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if clause is None:
            self._report(module, stmt)  # side-effect import
            return
        for part in clause.named_children:
            if part.type == "identifier":
                self._track(part, module, stmt)
            elif part.type == "namespace_import":
                for ident in part.named_children:
                    self._track(ident, module, stmt)
            elif part.type == "named_imports":
                for spec_node in part.named_children:
                    if spec_node.type != "import_specifier":
                        continue
                    name = spec_node.child_by_field_name("name")
                    alias = spec_node.child_by_field_name("alias") or name
                    if name is None or alias is None:
                        continue
                    imported = self.resolver.text(name)
                    if imported == "default":
                        self._track(alias, module, stmt)
                    else:
                        self._report(module.member(imported), spec_node)

    def _reexport(self, stmt: Node) -> None:
        source = stmt.child_by_field_name("source")
        if source is None:
            return
        spec = as_text(self.resolver.evaluate(source))
        if spec is None:
            return
        module = require_value(Str(spec))
        self._note_import(module)
        if not isinstance(module, Ref):
            return
        clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
        if clause is None:
            self._report(module, stmt)
            return
        for spec_node in clause.named_children:
            name = spec_node.child_by_field_name("name")
            if name is not None:
                self._report(module.member(self.resolver.text(name)), spec_node)

    def _import_require(self, clause: Node) -> None:
        source = clause.child_by_field_name("source")
        ident = clause.named_children[0] if clause.named_child_count else None
        if source is None or ident is None:
            return
        module = require_value(self.resolver.evaluate(source))
        self._note_import(module)
        if isinstance(module, Ref):
            self._track(ident, module, clause)

    def _note_import(self, value: Value) -> None:
        if isinstance(value, Imported):
            self.out.imports.append(value.specifier)

    # ---- following a value forward ----------------------------------------------------------------
    def _climb(self, node: Node, value: Value) -> None:
        """Follow `value` (the value of `node`) up through the expressions that consume it."""
        parent_of = self.resolver.parent
        for _ in range(MAX_CLIMB):
            self._tick()
            parent = parent_of(node)
            if parent is None:
                break
            kind = parent.type
            if kind in {
                "parenthesized_expression",
                "as_expression",
                "satisfies_expression",
                "non_null_expression",
                "type_assertion",
            }:
                node = parent
                continue
            if kind == "sequence_expression":
                if parent.named_children[-1] != node:
                    return
                node = parent
                continue
            if kind == "await_expression":
                if isinstance(value, Promised):
                    value = value.value
                node = parent
                continue
            if kind in {"member_expression", "subscript_expression"}:
                if parent.child_by_field_name("object") != node:
                    return
                if isinstance(value, Promised):
                    self._promise_member(parent, value)
                    return
                name = self.resolver.property_name(parent)
                if name is None:
                    self._computed_member(parent, value)
                    return
                value = member(value, name)
                node = parent
                if not _followable(value):
                    return
                continue
            if kind in {"call_expression", "new_expression"}:
                callee = parent.child_by_field_name("function") or parent.child_by_field_name("constructor")
                if callee != node:
                    return self._as_argument(node, parent, value)
                args = self.resolver.arguments(parent)
                self._on_call(value, args, parent)
                value = self.resolver.call(value, args, parent)
                self._note_import(value)
                node = parent
                if not _followable(value):
                    return
                continue
            if kind == "arguments":
                call = self.resolver.parent(parent)
                if call is not None and call.type == "call_expression" and self._is_interop_call(call):
                    node = call
                    continue
                self._rest(value, node, escaped=True)
                return
            if kind == "variable_declarator":
                if parent.child_by_field_name("value") != node:
                    return
                declared = parent.child_by_field_name("name")
                if declared is not None:
                    self._bind(declared, value, parent)
                return
            if kind == "assignment_expression":
                if parent.child_by_field_name("right") != node:
                    return
                left = parent.child_by_field_name("left")
                if left is not None and left.type in {"identifier", "object_pattern"}:
                    self._bind(left, value, parent)
                else:
                    self._rest(value, node, escaped=True)
                return
            if kind == "ternary_expression":
                if parent.child_by_field_name("condition") == node:
                    break
                node = parent
                continue
            if kind == "binary_expression":
                op = parent.child_by_field_name("operator")
                if op is not None and op.type in {"||", "&&", "??"}:
                    node = parent
                    continue
                break
            if kind == "unary_expression":
                op = parent.child_by_field_name("operator")
                if op is not None and op.type == "typeof":
                    return
                break
            if kind in {
                "array",
                "pair",
                "return_statement",
                "spread_element",
                "shorthand_property_identifier",
            }:
                self._rest(value, node, escaped=True)
                return
            break
        self._rest(value, node, escaped=False)

    def _is_interop_call(self, call: Node) -> bool:
        callee = call.child_by_field_name("function")
        if callee is None:
            return False
        callee = strip_transparent(callee)
        name = self.resolver.text(callee, 200)
        if callee.type == "member_expression":
            prop = callee.child_by_field_name("property")
            name = self.resolver.text(prop, 200) if prop is not None else ""
        return bool(INTEROP_HELPER.match(name))

    def _as_argument(self, node: Node, call: Node, value: Value) -> None:
        self._rest(value, node, escaped=True)

    def _promise_member(self, member_node: Node, value: Promised) -> None:
        """`import('fs').then(fs => …)`: follow the module into the callback's parameter."""
        name = self.resolver.property_name(member_node)
        call = self.resolver.parent(member_node)
        inner = value.value
        if name == "then" and call is not None and call.type == "call_expression":
            args = call.child_by_field_name("arguments")
            callback = args.named_children[0] if args is not None and args.named_child_count else None
            if callback is not None and callback.type in {
                "arrow_function",
                "function_expression",
                "function",
            }:
                params = callback.child_by_field_name("parameters") or callback.child_by_field_name(
                    "parameter"
                )
                first = _first_parameter(params) if params is not None else None
                if first is not None:
                    self._bind(first, inner, callback)
                    return
        self._rest(inner, member_node, escaped=True)

    def _computed_member(self, subscript: Node, value: Value) -> None:
        if isinstance(value, Ref) and (
            value.space is Space.REQUIRE
            or (value.space is Space.GLOBAL and value.path in _CONTAINER_GLOBALS)
            or (value.space is Space.BUILTIN and "." not in value.path)
        ):
            self._dynamic(subscript)
            if value.space is Space.BUILTIN:
                self._report(value, subscript)
            return
        self._rest(value, subscript, escaped=False)

    def _on_call(self, callee: Value, args: list[Value], call: Node) -> None:
        """Record what calling `callee` means: a capability, a dynamic load, or code compiled from a string."""
        target = callee.target if isinstance(callee, Applied) else callee
        if isinstance(callee, Applied) and callee.mode in {"call", "apply"}:
            args = args[1:] if callee.mode == "call" else []
        if isinstance(target, Code):
            return
        if not isinstance(target, Ref):
            return
        if target.space is Space.REQUIRE:
            if not args or as_text(args[0]) is None:
                self._dynamic(call)
            return
        if target.space is Space.BUILTIN:
            self._report(target, call)
            if target.path in _VM_COMPILERS:
                self._compile(args[0] if args else UNKNOWN, call)
            elif target.path in _EXEC_FUNCTIONS:
                command = _command_line(target.path, args)
                if command is not None:
                    self.out.commands.append((self.text.evidence(call), command))
            elif target.path.endswith("_compile") or "._compile." in target.path:
                self._sink(target.path, call, args, argument=0)
            if target.path in {"module._load"} and (not args or as_text(args[0]) is None):
                self._dynamic(call)
            return
        path = target.path
        if path == "eval":
            self.out.add("globals", "eval", self.text.evidence(call))
            self._compile(args[0] if args else UNKNOWN, call)
        elif path == "Function":
            self.out.add("globals", "Function", self.text.evidence(call))
            self._compile(args[-1] if args else Str(""), call)
        elif path == "process.getBuiltinModule" and (not args or as_text(args[0]) is None):
            self._dynamic(call)
        else:
            self._report(target, call)
            if path.endswith("._compile"):
                self._sink(path, call, args, argument=0)

    def _compile(self, code: Value, call: Node) -> None:
        text = as_text(code)
        if text is not None:
            # Folded, so analysed as code below; still a sink when the text had to be decoded first.
            arguments = call.child_by_field_name("arguments")
            shown = self._origin_text(arguments, hops=2) if arguments is not None else ""
            if _ORIGIN_PATTERNS[0][1].search(shown):
                self.out.sinks.append(CodeSink(self.text.evidence(call), "eval", frozenset({"decode"})))
        else:
            self._dynamic(call)
            callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
            name = self.resolver.text(callee, 200) if callee is not None else "eval"
            self._sink(name, call, [code], argument=-1 if name.endswith("Function") else 0)
            return
        self.resolver.call(Ref(Space.GLOBAL, "eval"), [Str(text)], call)

    def _sink(self, kind: str, call: Node, args: list[Value], *, argument: int) -> None:
        if args and as_text(args[argument]) is not None:
            return
        arguments = call.child_by_field_name("arguments")
        nodes = [c for c in arguments.named_children if c.type != "comment"] if arguments is not None else []
        context: list[str] = []
        if nodes:
            chosen = nodes[argument] if -len(nodes) <= argument < len(nodes) else nodes[-1]
            context.append(self._origin_text(chosen, hops=2))
        context.extend(self._enclosing_callees(call))
        joined = "\n".join(context)
        origins = frozenset(tag for tag, pattern in _ORIGIN_PATTERNS if pattern.search(joined))
        self.out.sinks.append(CodeSink(self.text.evidence(call), kind[:60], origins))

    def _origin_text(self, node: Node, *, hops: int) -> str:
        """The expression's text plus, `hops` deep, the initialisers (or function bodies) of the names in it."""
        parts = [self.resolver.text(node, 600)]
        if hops <= 0:
            return parts[0]
        stack = [node]
        seen = 0
        while stack and seen < 64:
            self._tick()
            current = stack.pop()
            seen += 1
            if current.type == "identifier":
                binding = self.resolver.lookup(current)
                if binding is None:
                    continue
                if binding.value is not None:
                    parts.append(self._origin_text(binding.value, hops=hops - 1))
                else:
                    declaration = self.resolver.parent(binding.site)
                    if declaration is not None and declaration.type in _FUNCTION_TYPES:
                        parts.append(self.resolver.text(declaration, 600))
                parts.extend(self._assigned_texts(binding, hops=hops - 1))
                continue
            stack.extend(current.named_children)
        return "\n".join(parts)

    def _assigned_texts(self, binding: Binding, *, hops: int) -> list[str]:
        """Right-hand sides of `name = …` / `name += …` in the function around `use` (accumulated data)."""
        scope = self.resolver.scope_of(binding)
        word = binding.name.encode()
        texts: list[str] = []
        src = self.source
        self.steps.search(scope.end_byte - scope.start_byte)
        i = src.find(word, scope.start_byte, scope.end_byte)
        while i != -1 and len(texts) < 4:
            self._tick()
            node = self.root.descendant_for_byte_range(i, i + len(word))
            parent = self.resolver.parent(node) if node is not None else None
            if (
                parent is not None
                and parent.type in {"assignment_expression", "augmented_assignment_expression"}
                and parent.child_by_field_name("left") == node
            ):
                right = parent.child_by_field_name("right")
                if right is not None:
                    texts.append(self._origin_text(right, hops=hops)[:600])
            i = src.find(word, i + len(word), scope.end_byte)
        return texts

    def _enclosing_callees(self, node: Node) -> list[str]:
        """Callees of the calls whose callback contains `node` (`https.get(u, r => … eval(d))`)."""
        texts: list[str] = []
        current = self.resolver.parent(node)
        climbed = 0
        while current is not None and climbed < MAX_CLIMB and len(texts) < 6:
            self._tick()
            climbed += 1
            if current.type in _FUNCTION_TYPES:
                holder = self.resolver.parent(current)
                call = self.resolver.parent(holder) if holder is not None else None
                if holder is not None and holder.type == "arguments" and call is not None:
                    callee = call.child_by_field_name("function")
                    if callee is not None:
                        texts.append(self.resolver.text(callee, 200) + self.resolver.text(holder, 40))
            current = self.resolver.parent(current)
        return texts

    def _bind(self, name: Node, value: Value, site: Node) -> None:
        if name.type == "object_pattern":
            for ident, key in self._pattern_keys(name):
                self._bind(ident, member(value, key), site)
            return
        if name.type not in {"identifier", "shorthand_property_identifier_pattern"}:
            self._rest(value, site, escaped=True)
            return
        if _worth_tracking(value):
            self._track(name, value, site)
        else:
            self._rest(value, name if name.type != "identifier" else site, escaped=False)

    def _pattern_keys(self, pattern: Node) -> list[tuple[Node, str]]:
        keys: list[tuple[Node, str]] = []
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                keys.append((prop, self.resolver.text(prop)))
            elif prop.type == "pair_pattern":
                key = prop.child_by_field_name("key")
                value = prop.child_by_field_name("value")
                if key is None or value is None:
                    continue
                if value.type == "assignment_pattern":
                    value = value.child_by_field_name("left") or value
                key_text = (
                    self.resolver.text(key)
                    if key.type == "property_identifier"
                    else as_text(
                        self.resolver.evaluate(key.named_children[0] if key.named_child_count else key)
                    )
                )
                if key_text is not None:
                    keys.append((value, key_text))
            elif prop.type == "object_assignment_pattern":
                left = prop.child_by_field_name("left")
                if left is not None:
                    keys.append((left, self.resolver.text(left)))
        return keys

    def _track(self, ident: Node, value: Value, site: Node) -> None:
        """Follow every use of the variable `ident` binds to `value`; an unused import is still reported."""
        name = self.resolver.text(ident)
        binding = self.resolver.lookup(ident)
        identity: object = binding.identity if binding is not None else ("global", name)
        key = (identity, value)
        if key in self._tracked:
            return
        self._tracked.add(key)
        scope = self.resolver.scope_of(binding) if binding is not None else self.root
        word = name.encode()
        src = self.source
        find = src.find
        ident_bytes = _IDENT_BYTES
        uses = 0
        self.steps.search(scope.end_byte - scope.start_byte)
        i = find(word, scope.start_byte, scope.end_byte)
        while i != -1:
            self._tick()
            end = i + len(word)
            if (i == 0 or src[i - 1] not in ident_bytes) and (end >= len(src) or src[end] not in ident_bytes):
                node = self.root.descendant_for_byte_range(i, end)
                if (
                    node is not None
                    and node.id != ident.id
                    and node.type in {"identifier", "shorthand_property_identifier"}
                ) and not _is_binding_position(node):
                    other = self.resolver.lookup(node)
                    other_identity: object = other.identity if other is not None else ("global", name)
                    if other_identity == identity:
                        uses += 1
                        if node.type == "shorthand_property_identifier":
                            self._rest(value, node, escaped=True)
                        else:
                            self._climb(node, value)
            i = find(word, end, scope.end_byte)
        if uses == 0:
            self._rest(value, site, escaped=False)

    def _rest(self, value: Value, node: Node, *, escaped: bool) -> None:
        """`value` stops at `node`: report it if it is a capability; an escaping loader is dynamic."""
        if isinstance(value, Promised):
            value = value.value
        if isinstance(value, Applied):
            value = value.target
        if not isinstance(value, Ref):
            return
        if value.space is Space.REQUIRE:
            if escaped:
                self._dynamic(node)
            return
        if value.space is Space.GLOBAL and value.path in CALL_ONLY_GLOBALS:
            if escaped:
                self._dynamic(node)
            return
        self._report(value, node)

    def _report(self, ref: Ref, node: Node) -> None:
        if ref.space is Space.BUILTIN:
            self.out.add("builtin", ref.path, self.text.evidence(node))
        elif ref.space is Space.GLOBAL:
            key = global_key(ref.path)
            if key is not None:
                self.out.add("globals", key, self.text.evidence(node))

    def _dynamic(self, node: Node) -> None:
        self.out.add("dynamic", "", self.text.evidence(node))

    # ---- code compiled from strings -----------------------------------------------------------------
    def _on_code(self, code: str, site: Node) -> Value:
        """Analyse code that eval/Function/vm would compile; return its completion value."""
        cached = self._code_results.get(code)
        if cached is not None:
            return cached
        self._code_results[code] = UNKNOWN  # guards recursion through the same code
        evidence = self.text.evidence(site)
        self.out.evaluated_code.append((evidence, code[:4096]))
        data = code.encode("utf-8", "surrogatepass")
        cut = None
        if self.depth >= MAX_NESTED_CODE_DEPTH:
            cut = f"more than {MAX_NESTED_CODE_DEPTH} levels of code compiled from strings"
        elif len(data) > MAX_NESTED_CODE_BYTES or len(code) >= MAX_STRING:
            # At MAX_STRING the resolver may have clipped the text: analysing it would miss its tail.
            cut = f"code compiled from a string of {len(data):,} bytes or more, over the nested-code cap"
        if cut is not None:
            self._dynamic(site)
            self.out.skipped.append(
                Skipped(f"{cut} at line {evidence.line}; that code was not analysed", self.text.path)
            )
            return UNKNOWN
        self.steps.search(len(data))
        tree = parse(data, Dialect.JAVASCRIPT).tree
        nested_text = SourceText(self.text.path, data, line_offset=evidence.line - 1)
        nested = _FileScanner(nested_text, tree.root_node, self.out, steps=self.steps, depth=self.depth + 1)
        # Code compiled by Function/eval runs as a sloppy-mode script: its top-level `this` is the global object.
        nested.resolver.top_level_this = GLOBAL_OBJECT
        nested.run()
        result = nested.completion_value()
        self._code_results[code] = result
        return result

    def completion_value(self) -> Value:
        """The value a script evaluates to: its top-level `return` (function bodies) or last expression."""
        statements = [c for c in self.root.named_children if c.type != "comment"]
        for stmt in statements:
            if stmt.type == "return_statement" and stmt.named_child_count:
                return self.resolver.evaluate(stmt.named_children[0])
        if statements and statements[-1].type == "expression_statement" and statements[-1].named_child_count:
            return self.resolver.evaluate(statements[-1].named_children[0])
        return UNKNOWN


def _command_line(function: str, args: list[Value]) -> str | None:
    """The command line a child_process call runs, as shell text, when its parts fold to constants."""
    if not args:
        return None
    program = as_text(args[0])
    if program is None:
        return None
    if function in {"child_process.exec", "child_process.execSync"}:
        return program
    words: list[str] = []
    if len(args) > 1 and isinstance(args[1], Arr):
        words = [as_text(item) or "?" for item in args[1].items]
    if function == "child_process.fork":
        return shlex.join(["node", program, *words])
    if (
        program.lower() in _SHELL_PROGRAMS
        and len(words) >= 2
        and words[0].lower() in {"-c", "/c", "-command"}
    ):
        return words[1]
    return shlex.join([program, *words])


def _followable(value: Value) -> bool:
    return isinstance(value, Ref | Code | AnyConstructor | Applied | Promised)


def _worth_tracking(value: Value) -> bool:
    """Containers are followed to their uses; leaves (`fs.readFileSync`, `process.env`) are reported where bound."""
    if isinstance(value, Code | AnyConstructor | Applied | Promised):
        return True
    if not isinstance(value, Ref):
        return False
    if value.space is Space.REQUIRE:
        return True
    if value.space is Space.BUILTIN:
        # child_process functions are followed to their calls too: rules read the command lines.
        return (
            "." not in value.path
            or value.path.endswith((".promises", ".default", ".Module"))
            or value.path in _EXEC_FUNCTIONS
        )
    return (
        value.path in _CONTAINER_GLOBALS
        or value.path in CALL_ONLY_GLOBALS
        or any(key.startswith(value.path + ".") for key in GLOBAL_CAPABILITIES)
    )


def _first_parameter(params: Node) -> Node | None:
    if params.type == "identifier":
        return params
    for child in params.named_children:
        if child.type == "identifier":
            return child
        if child.type in {"required_parameter", "optional_parameter"}:
            pattern = child.child_by_field_name("pattern")
            if pattern is not None and pattern.type == "identifier":
                return pattern
        return None
    return None


_TYPE_CONTEXTS = frozenset(
    {
        "type_query",
        "type_annotation",
        "type_alias_declaration",
        "type_arguments",
        "interface_declaration",
        "generic_type",
        "lookup_type",
        "index_type_query",
        "ambient_declaration",
        "abstract_method_signature",
        "method_signature",
        "property_signature",
    }
)
_STATEMENT_BOUNDARY = frozenset(
    {"expression_statement", "lexical_declaration", "variable_declaration", "program"}
)


def _is_binding_position(node: Node) -> bool:
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
    collector = _Collector()
    # The bytes as Node reads them (js.read), evidence still showing the file's own (issue 9).
    result = read(data, dialect, module=module_kind(path))
    text = SourceText(path, result.source, display=data)
    steps = Steps(budget.max_steps)
    scanner = _FileScanner(
        text,
        result.tree.root_node,
        collector,
        steps=steps,
        typescript=dialect is not Dialect.JAVASCRIPT,
    )
    try:
        scanner.run()
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
    # --- issue 9: what the parser does not understand is read lexically and reported, never silent.
    lexical = fallback(text, result.regions, known=collector.builtin, known_commands=collector.commands)
    for key, evidence in lexical.builtin:
        collector.add("builtin", key, evidence)
    collector.imports.extend(lexical.imports)
    collector.commands.extend(lexical.commands)
    skipped.extend(lexical.skipped)
    # --- end issue 9
    signals = list(scan_indicators(text, result.tree.root_node))
    for evidence, code in collector.evaluated_code:
        signals.extend(scan_code_string(code, evidence))
    return FileCapabilities(
        path=path,
        commands=tuple(collector.commands),
        sinks=tuple(collector.sinks),
        signals=tuple(signals),
        builtin={k: tuple(v) for k, v in collector.builtin.items()},
        globals={k: tuple(v) for k, v in collector.globals.items()},
        dynamic=tuple(collector.dynamic),
        imports=tuple(dict.fromkeys(collector.imports)),
        evaluated_code=tuple(collector.evaluated_code),
        skipped=tuple(skipped),
        parse_errors=result.has_errors,
        unparsed=lexical.evidence,
        steps=steps.used,
    )


__all__ = [
    "BUILTIN_MODULES",
    "CALL_ONLY_GLOBALS",
    "DEFAULT_BUDGET",
    "GLOBAL_CAPABILITIES",
    "GLOBAL_OBJECT",
    "POWERFUL_GLOBALS",
    "REQUIRE",
    "Budget",
    "FileCapabilities",
    "analyze_source",
    "builtin_name",
    "global_key",
]
