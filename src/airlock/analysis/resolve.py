"""Static evaluation of JavaScript expressions: what an attacker hides, folded back to constants.

`Resolver.evaluate(node)` computes an abstract value for an expression: a constant string/number/array,
a reference to something with authority (`require`, a builtin module, a global such as `process.env`),
a function built from a string, or `UNKNOWN`. It sees through string concatenation, template literals,
escapes, `String.fromCharCode`, `Buffer.from(…, 'base64'|'hex')`, `atob`, array `join`/`reverse`,
`split('')`, local constants, aliases of `require` and the global object, and `Function('return this')`.

Scopes are looked up lazily: only identifiers that matter are ever resolved, which keeps the analysis
within a small factor of the parse itself (see bench/scan_throughput.py).
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

from tree_sitter import Node

from airlock.errors import AirlockError

MAX_STRING = 1 << 20
MAX_ARRAY = 1 << 16
MAX_DEPTH = 60
MAX_PATH_SEGMENTS = 6


class StepBudgetExhaustedError(AirlockError):
    """A file's analysis used up its step budget. Caught per file and recorded as `Skipped`."""


class Steps:
    """One file's analysis step budget, shared by its scanner, its resolver and the code it compiles from
    strings. A step is one unit of work the walk decides to do (a seed, a climb, a use followed, an
    expression evaluated, a scope ancestor walked, BYTES_PER_STEP bytes searched or parsed), so the count
    follows the work done whatever the input's shape, the same bytes use the same steps on any machine
    under any load, and a cut falls at the same place every time."""

    __slots__ = ("limit", "used")

    BYTES_PER_STEP = 16 * 1024
    """Searching this many bytes (`bytes.find`, a regex, a parse) costs about what one walk step does."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def tick(self) -> None:
        self.add(1)

    def add(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise StepBudgetExhaustedError(f"analysis step budget ({self.limit:,} steps) exhausted")

    def search(self, byte_count: int) -> None:
        """Charge for a linear pass over `byte_count` bytes."""
        self.add(1 + byte_count // self.BYTES_PER_STEP)


class Space(Enum):
    BUILTIN = "builtin"  # a Node builtin module or a member of one: 'fs', 'fs.promises.readFile'
    GLOBAL = "global"  # the global object ('') or a path under it: 'process.env', 'eval', 'String'
    REQUIRE = "require"  # a function that loads modules by name


@dataclass(frozen=True, slots=True)
class Str:
    value: str


@dataclass(frozen=True, slots=True)
class Num:
    value: float


@dataclass(frozen=True, slots=True)
class Arr:
    items: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Bytes:
    value: bytes


@dataclass(frozen=True, slots=True)
class Ref:
    space: Space
    path: str = ""

    def member(self, name: str) -> Ref:
        path = f"{self.path}.{name}" if self.path else name
        if path.count(".") >= MAX_PATH_SEGMENTS:
            return self
        return Ref(self.space, path)


@dataclass(frozen=True, slots=True)
class Code:
    """A function whose body is a known string: `Function('return this')`, `new Function('a', src)`."""

    source: str


@dataclass(frozen=True, slots=True)
class Imported:
    """A non-builtin module: `require('express')`, `import x from './lib'`."""

    specifier: str


@dataclass(frozen=True, slots=True)
class Promised:
    """The promise of a value, as `import('fs')` returns."""

    value: Value


@dataclass(frozen=True, slots=True)
class AnyConstructor:
    """`x.constructor` for an unknown x: its `.constructor` is `Function`."""


@dataclass(frozen=True, slots=True)
class Applied:
    """`f.call` / `f.apply` / `f.bind(thisArg)`: calling it calls `target` with shifted arguments."""

    target: Value
    mode: str


@dataclass(frozen=True, slots=True)
class Unknown:
    pass


Value = Str | Num | Arr | Bytes | Ref | Code | Imported | Promised | AnyConstructor | Applied | Unknown
UNKNOWN = Unknown()
REQUIRE = Ref(Space.REQUIRE)
GLOBAL_OBJECT = Ref(Space.GLOBAL)

# Names that denote the global object itself.
GLOBAL_OBJECT_NAMES = frozenset({"global", "globalThis", "window", "self", "frames"})


@dataclass(frozen=True, slots=True)
class PowerfulGlobal:
    """A global, or a path under one, that grants authority: reported as a `globals` capability under `key`."""

    key: str
    network: bool = False
    """It sends or fetches over the network (rules pair it with secrets, identity and install time)."""
    call_only: bool = False
    """It grants authority only when called: `x instanceof Function` or `typeof eval` grant nothing."""
    seed: str | None = None
    """The word the capability scan starts from when not the key's first segment."""

    @property
    def root(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def seed_word(self) -> str:
        return self.seed or self.root


# The one declaration of the powerful-globals vocabulary: the resolver's known globals, the scan's seed
# words, the reported capability keys, the call-only set and the network set all derive from it, so a
# global added here is seen, followed and reported everywhere at once.
POWERFUL_GLOBALS: tuple[PowerfulGlobal, ...] = (
    PowerfulGlobal("process.env"),
    PowerfulGlobal("process.binding"),
    PowerfulGlobal("process._linkedBinding"),
    PowerfulGlobal("process.dlopen"),
    PowerfulGlobal("process.kill"),
    PowerfulGlobal("process.chdir"),
    PowerfulGlobal("process.setuid"),
    PowerfulGlobal("process.setgid"),
    PowerfulGlobal("process.seteuid"),
    PowerfulGlobal("process.setegid"),
    PowerfulGlobal("process.setgroups"),
    PowerfulGlobal("process.initgroups"),
    PowerfulGlobal("fetch", network=True),
    PowerfulGlobal("XMLHttpRequest", network=True),
    PowerfulGlobal("WebSocket", network=True),
    PowerfulGlobal("EventSource", network=True),
    PowerfulGlobal("navigator.sendBeacon", network=True),
    PowerfulGlobal("importScripts", network=True),
    PowerfulGlobal("WebAssembly"),
    PowerfulGlobal("Worker"),
    PowerfulGlobal("SharedWorker"),
    PowerfulGlobal("document.cookie"),
    PowerfulGlobal("localStorage"),
    PowerfulGlobal("sessionStorage"),
    PowerfulGlobal("indexedDB"),
    # `module` is in every CommonJS file (`module.exports`): seeding on it would climb each of those.
    PowerfulGlobal("module._compile", seed="_compile"),
    PowerfulGlobal("eval", call_only=True),
    PowerfulGlobal("Function", call_only=True),
)
# Globals without authority of their own that the resolver folds (decoders, `Reflect.get`, timers' code).
_FOLDED_GLOBALS = frozenset(
    {
        "String",
        "Buffer",
        "atob",
        "btoa",
        "decodeURIComponent",
        "decodeURI",
        "unescape",
        "Reflect",
        "Array",
        "Object",
        "JSON",
        "setTimeout",
        "setInterval",
    }
)
# Free identifiers we give meaning to when no local declaration binds them.
_KNOWN_GLOBALS = frozenset(g.root for g in POWERFUL_GLOBALS) | {"module"} | _FOLDED_GLOBALS
# Bundlers wrap modules as `function (require, module, exports)`: a parameter with one of these names
# still denotes the real thing.
_WRAPPER_PARAMETERS = frozenset({"require", "module", "process", "global"})
# Interop helpers from Babel, TypeScript, SWC and esbuild return their argument (or wrap it as .default).
INTEROP_HELPER = re.compile(
    r"^_*(?:interopRequire(?:Default|Wildcard)|interop_require_(?:default|wildcard)|importDefault|importStar|"
    r"toESM|toCommonJS|esModuleInterop|requireDefault)\d*$",
    re.IGNORECASE,
)

_SCOPE_TYPES = frozenset(
    {
        "program",
        "statement_block",
        "class_body",
        "switch_body",
        "function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "generator_function_declaration",
        "arrow_function",
        "method_definition",
        "for_statement",
        "for_in_statement",
        "catch_clause",
    }
)
_FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "generator_function_declaration",
        "arrow_function",
        "method_definition",
    }
)
_INLINE_FUNCTION_TYPES = frozenset({"arrow_function", "function_expression", "function"})
_IDENTIFIER_TYPES = frozenset(
    {
        "identifier",
        "property_identifier",
        "shorthand_property_identifier",
        "shorthand_property_identifier_pattern",
    }
)
_IDENTIFIER_ESCAPE = re.compile(r"\\u(?:\{[0-9a-fA-F]+\}|[0-9a-fA-F]{4})")
_TRANSPARENT = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
    }
)


@dataclass(frozen=True, slots=True)
class Binding:
    """What a name refers to in some scope.

    `value` is the initialiser expression (None for parameters, functions, classes, `let x;`),
    `key` a destructuring key applied to it (`const {exec} = require(...)`), `specifier`/`imported` for
    ES imports (`imported` is '*' for a namespace or default import of a builtin).
    """

    name: str
    site: Node
    value: Node | None = None
    key: str | None = None
    specifier: str | None = None
    imported: str | None = None
    parameter: bool = False

    @property
    def identity(self) -> int:
        return self.site.id


CodeHandler = Callable[[str, Node], Value]
"""Called with code that `eval`/`Function` would compile; returns the completion value of that code."""


def _decode_escape(seq: str) -> str:
    body = seq[1:]
    if not body:
        return ""
    head = body[0]
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    if head in simple and not (head == "0" and len(body) > 1):
        return simple[head]
    try:
        if head == "x" and len(body) >= 3:
            return chr(int(body[1:3], 16))
        if head == "u":
            if body.startswith("u{"):
                return chr(int(body[2:-1], 16))
            return chr(int(body[1:5], 16))
        if head.isdigit():
            return chr(int(body, 8) if all(c in "01234567" for c in body) else int(body))
    except (ValueError, OverflowError):
        return ""
    if head in "\r\n\u2028\u2029":
        return ""  # line continuation
    return body


def _number(text: str) -> float | None:
    t = text.replace("_", "").rstrip("n")
    try:
        lower = t.lower()
        if lower.startswith("0x"):
            return float(int(t[2:], 16))
        if lower.startswith("0o"):
            return float(int(t[2:], 8))
        if lower.startswith("0b"):
            return float(int(t[2:], 2))
        if len(t) > 1 and t.startswith("0") and t.isdigit():
            return float(int(t, 8)) if all(c in "01234567" for c in t) else float(t)
        return float(t)
    except ValueError:
        return None


def as_text(value: Value) -> str | None:
    """JavaScript's string conversion of a folded constant, when it is one."""
    if isinstance(value, Str):
        return value.value
    if isinstance(value, Num):
        v = value.value
        return str(int(v)) if v == int(v) and abs(v) < 1e21 else repr(v)
    if isinstance(value, Arr):
        parts = [as_text(i) for i in value.items]
        if any(p is None for p in parts):
            return None
        return ",".join(p for p in parts if p is not None)
    return None


def _decode_bytes(data: bytes, encoding: str) -> str | None:
    enc = encoding.lower().replace("-", "")
    if enc in {"utf8", ""}:
        return data.decode("utf-8", "replace")
    if enc in {"latin1", "binary"}:
        return data.decode("latin-1")
    if enc == "ascii":
        return bytes(b & 0x7F for b in data).decode("ascii")
    if enc == "hex":
        return data.hex()
    if enc == "base64":
        return base64.b64encode(data).decode("ascii")
    if enc in {"utf16le", "ucs2"}:
        return data.decode("utf-16-le", "replace")
    return None


def _encode_text(text: str, encoding: str) -> bytes | None:
    enc = encoding.lower().replace("-", "")
    try:
        if enc in {"utf8", ""}:
            return text.encode("utf-8", "surrogatepass")
        if enc in {"latin1", "binary", "ascii"}:
            return text.encode("latin-1", "replace")
        if enc == "hex":
            clean = text[: len(text) - len(text) % 2]
            return bytes.fromhex(clean)
        if enc in {"base64", "base64url"}:
            return _b64(text)
        if enc in {"utf16le", "ucs2"}:
            return text.encode("utf-16-le", "surrogatepass")
    except (ValueError, UnicodeError):
        return None
    return None


def _b64(text: str) -> bytes | None:
    cleaned = re.sub(r"[^A-Za-z0-9+/\-_]", "", text).replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned)
    except (binascii.Error, ValueError):
        return None


def _clip(text: str) -> Str:
    return Str(text[:MAX_STRING])


class Resolver:
    """Evaluates expressions of one parsed file. Caches scope tables and results per node."""

    def __init__(self, source: bytes, root: Node, steps: Steps, on_code: CodeHandler | None = None) -> None:
        self.source = source
        self.root = root
        self.steps = steps
        self.on_code = on_code
        self._scopes: dict[int, dict[str, Binding]] = {}
        self._values: dict[int, Value] = {}
        self._active: set[int] = set()
        self._parents: dict[int, Node | None] = {}
        self._lookups: dict[tuple[int, str], Binding | None] = {}
        self._mutations: dict[int, bool] = {}
        self.top_level_this: Value = UNKNOWN
        """What `this` means outside any function (module.exports in CommonJS; the global in eval'd code)."""

    # ---- tree navigation ----------------------------------------------------------------------
    def parent(self, node: Node) -> Node | None:
        """`node.parent`, cached: tree-sitter finds a parent by descending from the root (O(depth))."""
        key = node.id
        try:
            return self._parents[key]
        except KeyError:
            parent = node.parent
            self._parents[key] = parent
            return parent

    def inside_function(self, node: Node) -> bool:
        current = self.parent(node)
        while current is not None:
            self.steps.tick()
            if current.type in _FUNCTION_TYPES and current.type != "arrow_function":
                return True
            current = self.parent(current)
        return False

    # ---- text ---------------------------------------------------------------------------------
    def text(self, node: Node, limit: int | None = None) -> str:
        """The node's source text; with `limit`, at most that many characters, decoding no more than needed
        (a callee can be a whole bundle, and reading it whole per use would make the walk quadratic)."""
        end = node.end_byte if limit is None else min(node.end_byte, node.start_byte + 4 * limit)
        raw = self.source[node.start_byte : end]
        if limit is not None:
            return self._decoded(raw, node)[:limit]
        return self._decoded(raw, node)

    def _decoded(self, raw: bytes, node: Node) -> str:
        if b"\\" in raw and node.type in _IDENTIFIER_TYPES:
            return _IDENTIFIER_ESCAPE.sub(
                lambda m: _decode_escape(m.group(0)), raw.decode("utf-8", "replace")
            )
        return raw.decode("utf-8", "replace")

    def property_name(self, node: Node) -> str | None:
        """The static name accessed by a member or subscript expression, if it folds to a constant."""
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            return self.text(prop) if prop is not None else None
        if node.type == "subscript_expression":
            index = node.child_by_field_name("index")
            if index is None:
                return None
            return as_text(self.evaluate(index))
        return None

    # ---- scopes -------------------------------------------------------------------------------
    def _table(self, scope: Node) -> dict[str, Binding]:
        table = self._scopes.get(scope.id)
        if table is None:
            table = {}
            self._collect(scope, table)
            self._scopes[scope.id] = table
        return table

    def _collect(self, scope: Node, table: dict[str, Binding]) -> None:
        kind = scope.type
        if kind in _FUNCTION_TYPES:
            params = scope.child_by_field_name("parameters") or scope.child_by_field_name("parameter")
            if params is not None:
                for ident in _pattern_identifiers(params):
                    table.setdefault(self.text(ident), Binding(self.text(ident), ident, parameter=True))
            name = scope.child_by_field_name("name")
            if name is not None and kind in {"function_expression", "function", "generator_function"}:
                table.setdefault(self.text(name), Binding(self.text(name), name))
            return
        if kind == "catch_clause":
            param = scope.child_by_field_name("parameter")
            if param is not None:
                for ident in _pattern_identifiers(param):
                    table.setdefault(self.text(ident), Binding(self.text(ident), ident, parameter=True))
            return
        if kind in {"for_statement", "for_in_statement"}:
            for field in ("initializer", "left"):
                child = scope.child_by_field_name(field)
                if child is not None:
                    self._declarations(child, table, loop=kind == "for_in_statement")
            return
        for child in scope.named_children:
            self._declarations(child, table)

    def _declarations(self, stmt: Node, table: dict[str, Binding], *, loop: bool = False) -> None:
        kind = stmt.type
        if kind in {"lexical_declaration", "variable_declaration"}:
            for declarator in stmt.named_children:
                if declarator.type != "variable_declarator":
                    continue
                name = declarator.child_by_field_name("name")
                value = None if loop else declarator.child_by_field_name("value")
                if name is None:
                    continue
                if name.type == "identifier":
                    table.setdefault(self.text(name), Binding(self.text(name), name, value))
                elif name.type == "object_pattern" and value is not None:
                    for ident, key in self._object_pattern(name):
                        table.setdefault(self.text(ident), Binding(self.text(ident), ident, value, key=key))
                else:
                    for ident in _pattern_identifiers(name):
                        table.setdefault(self.text(ident), Binding(self.text(ident), ident))
        elif kind in {"function_declaration", "generator_function_declaration", "class_declaration"}:
            name = stmt.child_by_field_name("name")
            if name is not None:
                table.setdefault(self.text(name), Binding(self.text(name), name))
        elif kind == "export_statement":
            declaration = stmt.child_by_field_name("declaration")
            if declaration is not None:
                self._declarations(declaration, table)
        elif kind == "import_statement":
            self._imports(stmt, table)
        elif kind == "expression_statement":
            expr = stmt.named_children[0] if stmt.named_child_count else None
            if expr is not None and expr.type == "assignment_expression":
                left = expr.child_by_field_name("left")
                right = expr.child_by_field_name("right")
                if left is not None and left.type == "identifier":
                    table.setdefault(self.text(left), Binding(self.text(left), left, right))
        elif loop or kind in {"identifier"}:
            for ident in _pattern_identifiers(stmt):
                table.setdefault(self.text(ident), Binding(self.text(ident), ident))

    def _object_pattern(self, pattern: Node) -> Iterator[tuple[Node, str]]:
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                yield prop, self.text(prop)
            elif prop.type == "pair_pattern":
                key = prop.child_by_field_name("key")
                value = prop.child_by_field_name("value")
                if key is None or value is None:
                    continue
                key_text = self._key_text(key)
                if value.type == "assignment_pattern":
                    value = value.child_by_field_name("left") or value
                if key_text is not None and value.type == "identifier":
                    yield value, key_text
            elif prop.type == "object_assignment_pattern":
                left = prop.child_by_field_name("left")
                if left is not None and left.type == "shorthand_property_identifier_pattern":
                    yield left, self.text(left)

    def _key_text(self, key: Node) -> str | None:
        if key.type in {"property_identifier", "identifier"}:
            return self.text(key)
        if key.type == "string":
            return as_text(self.evaluate(key))
        if key.type == "computed_property_name" and key.named_child_count:
            return as_text(self.evaluate(key.named_children[0]))
        return None

    def _imports(self, stmt: Node, table: dict[str, Binding]) -> None:
        source = stmt.child_by_field_name("source")
        if source is None:
            # TypeScript `import x = require('y')`
            for child in stmt.named_children:
                if child.type == "import_require_clause":
                    ident = child.named_children[0] if child.named_child_count else None
                    src = child.child_by_field_name("source")
                    if ident is not None and src is not None:
                        spec = as_text(self.evaluate(src))
                        table.setdefault(
                            self.text(ident), Binding(self.text(ident), ident, specifier=spec, imported="*")
                        )
            return
        spec = as_text(self.evaluate(source))
        for clause in stmt.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    table.setdefault(
                        self.text(part), Binding(self.text(part), part, specifier=spec, imported="*")
                    )
                elif part.type == "namespace_import":
                    for ident in part.named_children:
                        table.setdefault(
                            self.text(ident), Binding(self.text(ident), ident, specifier=spec, imported="*")
                        )
                elif part.type == "named_imports":
                    for spec_node in part.named_children:
                        if spec_node.type != "import_specifier":
                            continue
                        name = spec_node.child_by_field_name("name")
                        alias = spec_node.child_by_field_name("alias") or name
                        if name is None or alias is None:
                            continue
                        imported = as_text(self.evaluate(name)) if name.type == "string" else self.text(name)
                        if imported == "default":
                            imported = "*"
                        table.setdefault(
                            self.text(alias),
                            Binding(self.text(alias), alias, specifier=spec, imported=imported),
                        )

    def lookup(self, ident: Node) -> Binding | None:
        """The innermost declaration of `ident`'s name visible from it (hoisting approximated by blocks)."""
        name = self.text(ident)
        node: Node | None = self.parent(ident)
        visited: list[int] = []
        memo = self._lookups
        result: Binding | None = None
        while node is not None:
            key = (node.id, name)
            if key in memo:
                result = memo[key]
                break
            self.steps.tick()
            visited.append(node.id)
            if node.type in _SCOPE_TYPES:
                binding = self._table(node).get(name)
                if binding is not None:
                    result = binding
                    break
            node = self.parent(node)
        # Every ancestor walked sees the same answer: later lookups below them stop early.
        for node_id in visited:
            memo[(node_id, name)] = result
        return result

    def scope_of(self, binding: Binding) -> Node:
        """The node whose subtree can see `binding`."""
        node: Node | None = self.parent(binding.site)
        while node is not None:
            self.steps.tick()
            if node.type in _SCOPE_TYPES:
                bound = self._table(node).get(binding.name)
                if bound is not None and bound.identity == binding.identity:
                    return node
            node = self.parent(node)
        return self.root

    # ---- evaluation ---------------------------------------------------------------------------
    def evaluate(self, node: Node, env: dict[str, Value] | None = None) -> Value:
        if env is None:
            cached = self._values.get(node.id)
            if cached is not None:
                return cached
        if node.id in self._active or len(self._active) > MAX_DEPTH:
            return UNKNOWN
        self.steps.tick()
        self._active.add(node.id)
        try:
            value = self._evaluate(node, env)
        except (RecursionError, MemoryError, OverflowError):
            value = UNKNOWN
        finally:
            self._active.discard(node.id)
        if env is None:
            self._values[node.id] = value
        return value

    def _evaluate(self, node: Node, env: dict[str, Value] | None) -> Value:
        kind = node.type
        if kind == "string":
            return self._string(node)
        if kind == "template_string":
            return self._template(node, env)
        if kind == "number":
            number = _number(self.text(node))
            return UNKNOWN if number is None else Num(number)
        if kind == "identifier":
            return self.identifier(node, env)
        if kind in _TRANSPARENT:
            inner = _last_named(node, skip_types=True)
            return self.evaluate(inner, env) if inner is not None else UNKNOWN
        if kind == "sequence_expression":
            inner = node.named_children[-1] if node.named_child_count else None
            return self.evaluate(inner, env) if inner is not None else UNKNOWN
        if kind == "await_expression":
            inner = node.named_children[0] if node.named_child_count else None
            value = self.evaluate(inner, env) if inner is not None else UNKNOWN
            return value.value if isinstance(value, Promised) else value
        if kind == "binary_expression":
            return self._binary(node, env)
        if kind == "array":
            return self._array(node, env)
        if kind in {"member_expression", "subscript_expression"}:
            obj_node = node.child_by_field_name("object")
            if obj_node is None:
                return UNKNOWN
            obj = self.evaluate(obj_node, env)
            if kind == "member_expression":
                prop = node.child_by_field_name("property")
                name = self.text(prop) if prop is not None else None
            else:
                index = node.child_by_field_name("index")
                key = self.evaluate(index, env) if index is not None else UNKNOWN
                if isinstance(obj, Arr | Str) and isinstance(key, Num):
                    return index_of(obj, key)
                name = as_text(key)
            return member(obj, name) if name is not None else UNKNOWN
        if kind in {"call_expression", "new_expression"}:
            return self._call(node, env)
        if kind == "assignment_expression":
            right = node.child_by_field_name("right")
            return self.evaluate(right, env) if right is not None else UNKNOWN
        if kind == "ternary_expression":
            consequence = node.child_by_field_name("consequence")
            alternative = node.child_by_field_name("alternative")
            if consequence is None or alternative is None:
                return UNKNOWN
            a = self.evaluate(consequence, env)
            return a if a == self.evaluate(alternative, env) else UNKNOWN
        if kind == "this":
            if env is not None and "this" in env:
                return env["this"]
            return self.top_level_this if not self.inside_function(node) else UNKNOWN
        return UNKNOWN

    def identifier(self, node: Node, env: dict[str, Value] | None = None) -> Value:
        name = self.text(node)
        if env is not None and name in env:
            return env[name]
        if name == "undefined":
            return UNKNOWN
        binding = self.lookup(node)
        if binding is None or (binding.parameter and name in _WRAPPER_PARAMETERS):
            return global_named(name)
        return self.binding_value(binding)

    def binding_value(self, binding: Binding) -> Value:
        if binding.specifier is not None:
            return import_value(binding.specifier, binding.imported)
        if binding.value is None:
            return UNKNOWN
        value = self.evaluate(binding.value)
        if binding.key is not None:
            return member(value, binding.key)
        if isinstance(value, Str | Num | Arr | Bytes) and self._mutated(binding):
            # `let s = ''; s += 'child_'; …` : the initialiser is not the value at the use.
            return UNKNOWN
        return value

    def _mutated(self, binding: Binding) -> bool:
        """Whether the variable is assigned or mutated anywhere in its scope besides its declaration."""
        cached = self._mutations.get(binding.identity)
        if cached is not None:
            return cached
        scope = self.scope_of(binding)
        name = re.escape(binding.name.encode())
        pattern = re.compile(
            rb"(?<![\w$.])" + name + rb"\s*(?:(?:[-+*/%&|^]|<<|>>>?|\*\*|\?\?|&&|\|\|)?=(?!=)|\+\+|--)"
            rb"|(?:\+\+|--)\s*" + name + rb"(?![\w$])"
            rb"|(?<![\w$.])"
            + name
            + rb"\s*(?:\.\s*(?:push|unshift|splice|reverse|sort|fill|concat)\s*\(|\[[^\]]*\]\s*=(?!=))"
        )
        site = binding.site
        mutated = False
        self.steps.search(scope.end_byte - scope.start_byte)
        for match in pattern.finditer(self.source, scope.start_byte, scope.end_byte):
            self.steps.tick()
            if site.start_byte <= match.start() < site.end_byte:
                continue
            node = self.root.descendant_for_byte_range(match.start(), match.start() + len(binding.name))
            found = self.lookup(node) if node is not None and node.type == "identifier" else None
            if found is not None and found.identity == binding.identity:
                mutated = True
                break
        self._mutations[binding.identity] = mutated
        return mutated

    def _string(self, node: Node) -> Value:
        raw = self.source[node.start_byte + 1 : node.end_byte - 1]
        if b"\\" not in raw:
            return _clip(raw.decode("utf-8", "replace"))
        parts: list[str] = []
        for child in node.children:
            if child.type == "string_fragment":
                parts.append(self.text(child))
            elif child.type == "escape_sequence":
                parts.append(_decode_escape(self.text(child)))
        return _clip("".join(parts))

    def _template(self, node: Node, env: dict[str, Value] | None) -> Value:
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(self.text(child))
            elif child.type == "escape_sequence":
                parts.append(_decode_escape(self.text(child)))
            elif child.type == "template_substitution":
                inner = child.named_children[0] if child.named_child_count else None
                text = as_text(self.evaluate(inner, env)) if inner is not None else None
                if text is None:
                    return UNKNOWN
                parts.append(text)
        return _clip("".join(parts))

    def _binary(self, node: Node, env: dict[str, Value] | None) -> Value:
        left_node = node.child_by_field_name("left")
        right_node = node.child_by_field_name("right")
        op_node = node.child_by_field_name("operator")
        if left_node is None or right_node is None or op_node is None:
            return UNKNOWN
        op = op_node.type
        if op in {"||", "??"}:
            left = self.evaluate(left_node, env)
            return left if isinstance(left, Ref) else UNKNOWN
        if op not in {"+", "-", "*", "/", "%", "^", "|", "&", "<<", ">>"}:
            return UNKNOWN
        left = self.evaluate(left_node, env)
        if isinstance(left, Unknown):
            return UNKNOWN
        right = self.evaluate(right_node, env)
        if op == "+":
            if isinstance(left, Num) and isinstance(right, Num):
                return Num(left.value + right.value)
            a, b = as_text(left), as_text(right)
            if a is None or b is None:
                return UNKNOWN
            return _clip(a + b)
        if not (isinstance(left, Num) and isinstance(right, Num)):
            return UNKNOWN
        a_num, b_num = left.value, right.value
        try:
            if op == "-":
                return Num(a_num - b_num)
            if op == "*":
                return Num(a_num * b_num)
            if op == "/":
                return Num(a_num / b_num) if b_num else UNKNOWN
            if op == "%":
                return Num(a_num % b_num) if b_num else UNKNOWN
            ia, ib = int(a_num), int(b_num)
            if op == "^":
                return Num(float(ia ^ ib))
            if op == "|":
                return Num(float(ia | ib))
            if op == "&":
                return Num(float(ia & ib))
            if op == "<<":
                return Num(float((ia << (ib & 31)) & 0xFFFFFFFF))
            if op == ">>":
                return Num(float(ia >> (ib & 31)))
        except (OverflowError, ValueError):
            return UNKNOWN
        return UNKNOWN

    def _array(self, node: Node, env: dict[str, Value] | None) -> Value:
        items: list[Value] = []
        for child in node.named_children:
            if child.type == "spread_element":
                inner = child.named_children[0] if child.named_child_count else None
                value = self.evaluate(inner, env) if inner is not None else UNKNOWN
                if isinstance(value, Arr):
                    items.extend(value.items)
                elif isinstance(value, Str):
                    items.extend(Str(c) for c in value.value)
                else:
                    return UNKNOWN
            elif child.type != "comment":
                items.append(self.evaluate(child, env))
            if len(items) > MAX_ARRAY:
                return UNKNOWN
        return Arr(tuple(items))

    def arguments(self, call: Node, env: dict[str, Value] | None = None) -> list[Value]:
        args = call.child_by_field_name("arguments")
        if args is None:
            return []
        if args.type == "template_string":  # tagged template: fn`...`
            return [self.evaluate(args, env)]
        values: list[Value] = []
        for child in args.named_children:
            if child.type == "comment":
                continue
            if child.type == "spread_element":
                inner = child.named_children[0] if child.named_child_count else None
                value = self.evaluate(inner, env) if inner is not None else UNKNOWN
                if isinstance(value, Arr):
                    values.extend(value.items)
                    continue
                values.append(UNKNOWN)
                continue
            values.append(self.evaluate(child, env))
        return values

    def _call(self, node: Node, env: dict[str, Value] | None) -> Value:
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        if callee is None:
            return UNKNOWN
        if callee.type == "import":
            args = self.arguments(node, env)
            return Promised(require_value(args[0])) if args else UNKNOWN
        inner_callee = _strip(callee)
        if inner_callee.type in {"member_expression", "subscript_expression"}:
            obj_node = inner_callee.child_by_field_name("object")
            name = self.property_name(inner_callee)
            if obj_node is not None and name is not None:
                obj = self.evaluate(obj_node, env)
                if isinstance(obj, Str | Arr | Bytes):
                    return self._method(obj, name, node, env)
                if INTEROP_HELPER.match(name):
                    args = self.arguments(node, env)
                    return args[0] if args else UNKNOWN
                return self.call(member(obj, name), self.arguments(node, env), node)
        if inner_callee.type == "identifier":
            if INTEROP_HELPER.match(self.text(inner_callee)):
                args = self.arguments(node, env)
                return args[0] if args else UNKNOWN
            local = self._local_function(inner_callee, env)
            if local is not None:
                return self._inline(local, self.arguments(node, env))
        elif inner_callee.type in _INLINE_FUNCTION_TYPES:
            return self._inline(inner_callee, self.arguments(node, env))
        return self.call(self.evaluate(callee, env), self.arguments(node, env), node)

    def _local_function(self, ident: Node, env: dict[str, Value] | None) -> Node | None:
        """The function a local name is declared as (`function e(x){…}` or `const e = x => …`)."""
        if env is not None and self.text(ident) in env:
            return None
        binding = self.lookup(ident)
        if binding is None or binding.parameter:
            return None
        site_parent = self.parent(binding.site)
        if site_parent is not None and site_parent.type == "function_declaration" and binding.value is None:
            return site_parent
        if binding.value is not None and binding.key is None and binding.value.type in _INLINE_FUNCTION_TYPES:
            return binding.value
        return None

    def _inline(self, fn: Node, args: list[Value]) -> Value:
        """Fold a call to a small local helper (a decoder, typically) whose body is one `return expr`."""
        body = fn.child_by_field_name("body")
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        if body is None or fn.id in self._active:
            return UNKNOWN
        if body.type == "statement_block":
            statements = [c for c in body.named_children if c.type != "comment"]
            if (
                len(statements) != 1
                or statements[0].type != "return_statement"
                or not statements[0].named_child_count
            ):
                return UNKNOWN
            body = statements[0].named_children[0]
        names: list[str] = []
        if params is not None:
            if params.type == "identifier":
                names = [self.text(params)]
            else:
                for p in params.named_children:
                    if p.type == "identifier":
                        names.append(self.text(p))
                    elif p.type in {"required_parameter", "optional_parameter"}:
                        pattern = p.child_by_field_name("pattern")
                        names.append(self.text(pattern) if pattern is not None else "")
                    else:
                        return UNKNOWN  # defaults, rest, destructuring: not worth modelling
        env = {name: (args[i] if i < len(args) else UNKNOWN) for i, name in enumerate(names)}
        if fn.type != "arrow_function":
            env["this"] = (
                GLOBAL_OBJECT  # a plain call of a sloppy-mode function: `(function(){return this})()`
            )
        self._active.add(fn.id)
        try:
            return self.evaluate(body, env)
        finally:
            self._active.discard(fn.id)

    def call(self, fn: Value, args: list[Value], site: Node) -> Value:
        """The value of calling `fn` (a folded callee) with folded `args`."""
        if isinstance(fn, Applied):
            if fn.mode == "call":
                return self.call(fn.target, args[1:], site)
            if fn.mode == "apply":
                spread = args[1] if len(args) > 1 else Arr(())
                return self.call(
                    fn.target, list(spread.items) if isinstance(spread, Arr) else [UNKNOWN], site
                )
            return fn.target  # bind returns the same function (for our purposes)
        if isinstance(fn, Code):
            return self._run_code(f"(function(){{{fn.source}\n}})()", site, function_body=fn.source)
        if not isinstance(fn, Ref):
            return UNKNOWN
        if fn.space is Space.REQUIRE:
            return require_value(args[0]) if args else UNKNOWN
        if fn.space is Space.BUILTIN:
            if fn.path in {
                "module.createRequire",
                "module.createRequireFromPath",
                "module.Module.createRequire",
            }:
                return REQUIRE
            if fn.path in {"module", "module.Module"}:
                return Ref(Space.GLOBAL, "module")  # new Module(): a module object
            return UNKNOWN
        path = fn.path
        if path == "eval":
            code = as_text(args[0]) if args else None
            return self._run_code(code, site) if code is not None else UNKNOWN
        if path == "Function":
            body = as_text(args[-1]) if args else ""
            return Code(body) if body is not None else UNKNOWN
        if path in {"String.fromCharCode", "String.fromCodePoint"}:
            codes: list[str] = []
            for a in args:
                if not isinstance(a, Num):
                    return UNKNOWN
                try:
                    codes.append(chr(int(a.value) & (0xFFFF if path.endswith("CharCode") else 0x10FFFF)))
                except (ValueError, OverflowError):
                    return UNKNOWN
            return _clip("".join(codes))
        if path in {"String", "String.raw"}:
            text = as_text(args[0]) if args else ""
            return _clip(text) if text is not None else UNKNOWN
        if path == "atob":
            text = as_text(args[0]) if args else None
            data = _b64(text) if text is not None else None
            return Str(data.decode("latin-1")) if data is not None else UNKNOWN
        if path == "btoa":
            text = as_text(args[0]) if args else None
            return (
                Str(base64.b64encode(text.encode("latin-1", "replace")).decode())
                if text is not None
                else UNKNOWN
            )
        if path in {"decodeURIComponent", "decodeURI", "unescape"}:
            text = as_text(args[0]) if args else None
            return _clip(urllib.parse.unquote(text)) if text is not None else UNKNOWN
        if path in {"Buffer.from", "Buffer"}:
            return _buffer(args)
        if path == "Reflect.get" and len(args) >= 2:
            name = as_text(args[1])
            return member(args[0], name) if name is not None else UNKNOWN
        if path in {"module.constructor", "module.constructor.Module"}:
            return Ref(Space.GLOBAL, "module")
        if path in {"module.constructor.createRequire", "module.constructor.createRequireFromPath"}:
            return REQUIRE
        if path == "process.getBuiltinModule":
            return require_value(args[0]) if args else UNKNOWN
        return UNKNOWN

    def _run_code(self, code: str | None, site: Node, *, function_body: str | None = None) -> Value:
        if code is None or self.on_code is None:
            return UNKNOWN
        return self.on_code(function_body if function_body is not None else code, site)

    def _method(self, obj: Str | Arr | Bytes, name: str, node: Node, env: dict[str, Value] | None) -> Value:
        if name == "map" and isinstance(obj, Arr):
            return self._map(obj, node, env)
        args = self.arguments(node, env)
        return method(obj, name, args)

    def _map(self, obj: Arr, node: Node, env: dict[str, Value] | None) -> Value:
        args_node = node.child_by_field_name("arguments")
        fn = args_node.named_children[0] if args_node is not None and args_node.named_child_count else None
        if fn is None:
            return UNKNOWN
        if fn.type in {"arrow_function", "function_expression", "function"}:
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
            names = [self.text(i) for i in _pattern_identifiers(params)] if params is not None else []
            body = fn.child_by_field_name("body")
            if body is None or not names:
                return UNKNOWN
            if body.type == "statement_block":
                returns = [c for c in body.named_children if c.type == "return_statement"]
                if len(returns) != 1 or not returns[0].named_child_count:
                    return UNKNOWN
                body = returns[0].named_children[0]
            out: list[Value] = []
            for i, item in enumerate(obj.items):
                scope = dict(env or {})
                scope[names[0]] = item
                if len(names) > 1:
                    scope[names[1]] = Num(float(i))
                out.append(self.evaluate(body, scope))
            return Arr(tuple(out))
        callee = self.evaluate(fn, env)
        return Arr(tuple(self.call(callee, [item], node) for item in obj.items))


# ---- pure helpers over values ----------------------------------------------------------------------


def global_named(name: str) -> Value:
    if name in GLOBAL_OBJECT_NAMES:
        return GLOBAL_OBJECT
    if name == "require":
        return REQUIRE
    if name in _KNOWN_GLOBALS:
        return Ref(Space.GLOBAL, name)
    return UNKNOWN


def builtin_name(specifier: str) -> str | None:
    from airlock.analysis.capabilities import BUILTIN_MODULES

    name = specifier.removeprefix("node:")
    if name in BUILTIN_MODULES or (
        specifier.startswith("node:") and re.fullmatch(r"[a-z_]+(/[a-z_]+)?", name)
    ):
        return name
    return None


def require_value(arg: Value) -> Value:
    spec = as_text(arg)
    if spec is None:
        return UNKNOWN
    builtin = builtin_name(spec)
    if builtin is not None:
        return Ref(Space.BUILTIN, builtin)
    return Imported(spec)


def import_value(specifier: str | None, imported: str | None) -> Value:
    if specifier is None:
        return UNKNOWN
    module = require_value(Str(specifier))
    if isinstance(module, Ref) and imported not in {None, "*"}:
        return module.member(imported or "")
    return module


def member(obj: Value, name: str) -> Value:
    """`obj[name]` for a folded object and a constant property name."""
    if isinstance(obj, Ref):
        return _ref_member(obj, name)
    if isinstance(obj, Str):
        if name == "length":
            return Num(float(len(obj.value)))
        if name.isdigit():
            return index_of(obj, Num(float(name)))
        return UNKNOWN
    if isinstance(obj, Arr):
        if name == "length":
            return Num(float(len(obj.items)))
        if name.isdigit():
            return index_of(obj, Num(float(name)))
        return UNKNOWN
    if name == "constructor":
        return Ref(Space.GLOBAL, "Function") if isinstance(obj, AnyConstructor | Code) else AnyConstructor()
    if isinstance(obj, Code | Promised) and name in {"call", "apply", "bind"}:
        return Applied(obj, name)
    return UNKNOWN


def _ref_member(ref: Ref, name: str) -> Value:
    if name in {"call", "apply", "bind"} and (ref.space is Space.REQUIRE or ref.path in _CALLABLE_GLOBALS):
        return Applied(ref, name)
    if ref.space is Space.REQUIRE:
        return Ref(Space.GLOBAL, "module") if name == "main" else UNKNOWN
    if ref.space is Space.BUILTIN:
        if name == "default":
            return ref
        if ref.path == "module" and name == "_load":
            return REQUIRE
        if ref.path in {"module.prototype", "module.Module.prototype"} and name == "require":
            return REQUIRE
        return ref.member(name)
    path = ref.path
    if not path:
        if name in GLOBAL_OBJECT_NAMES:
            return ref
        if name == "require":
            return REQUIRE
        return Ref(Space.GLOBAL, name)
    if path in {"process.mainModule", "module"}:
        if name == "require":
            return REQUIRE
        if name == "constructor":
            return Ref(Space.GLOBAL, "module.constructor")
    if path == "module.constructor" and name == "_load":
        return REQUIRE
    if path == "module.constructor" and name == "prototype":
        return Ref(Space.GLOBAL, "module")
    if path == "Function" and name == "constructor":
        return ref
    if name == "constructor":
        return AnyConstructor()
    return ref.member(name)


_CALLABLE_GLOBALS = frozenset({"eval", "Function", "String.fromCharCode", "Reflect.get"})


def index_of(obj: Str | Arr, key: Num) -> Value:
    i = int(key.value)
    if isinstance(obj, Str):
        return Str(obj.value[i]) if 0 <= i < len(obj.value) else UNKNOWN
    return obj.items[i] if 0 <= i < len(obj.items) else UNKNOWN


def _buffer(args: list[Value]) -> Value:
    if not args:
        return UNKNOWN
    first = args[0]
    if isinstance(first, Bytes):
        return first
    if isinstance(first, Arr):
        out = bytearray()
        for item in first.items:
            if not isinstance(item, Num):
                return UNKNOWN
            out.append(int(item.value) & 0xFF)
        return Bytes(bytes(out))
    text = as_text(first)
    if text is None:
        return UNKNOWN
    encoding = as_text(args[1]) if len(args) > 1 else "utf8"
    data = _encode_text(text, encoding or "utf8")
    return Bytes(data[:MAX_STRING]) if data is not None else UNKNOWN


def method(obj: Str | Arr | Bytes, name: str, args: list[Value]) -> Value:
    """Constant-fold a string, array or Buffer method call."""
    if isinstance(obj, Bytes):
        if name == "toString":
            enc = as_text(args[0]) if args else "utf8"
            text = _decode_bytes(obj.value, enc or "utf8")
            return _clip(text) if text is not None else UNKNOWN
        if name == "reverse":
            return Bytes(obj.value[::-1])
        return UNKNOWN
    if isinstance(obj, Arr):
        return _array_method(obj, name, args)
    return _string_method(obj.value, name, args)


def _array_method(obj: Arr, name: str, args: list[Value]) -> Value:
    if name == "join":
        sep = as_text(args[0]) if args else ","
        parts = [as_text(i) for i in obj.items]
        if sep is None or any(p is None for p in parts):
            return UNKNOWN
        return _clip(sep.join(p or "" for p in parts))
    if name in {"reverse", "toReversed"}:
        return Arr(obj.items[::-1])
    if name == "concat":
        items = list(obj.items)
        for a in args:
            items.extend(a.items if isinstance(a, Arr) else (a,))
        return Arr(tuple(items))
    if name == "slice":
        bounds = _slice_bounds(args, len(obj.items))
        return UNKNOWN if bounds is None else Arr(obj.items[bounds[0] : bounds[1]])
    if name == "toString":
        text = as_text(obj)
        return Str(text) if text is not None else UNKNOWN
    return UNKNOWN


def _slice_bounds(args: list[Value], length: int) -> tuple[int, int] | None:
    """Bounds of `slice(a, b)`; None when a bound is given but not a known number."""
    if any(not isinstance(a, Num) for a in args[:2]):
        return None

    def bound(v: Value | None, default: int) -> int:
        if not isinstance(v, Num):
            return default
        i = int(v.value)
        return max(0, length + i) if i < 0 else min(i, length)

    return bound(args[0] if args else None, 0), bound(args[1] if len(args) > 1 else None, length)


def _string_method(s: str, name: str, args: list[Value]) -> Value:
    texts = [as_text(a) for a in args]
    if name == "split":
        sep = texts[0] if texts else None
        if args and sep is None:
            return UNKNOWN
        if sep is None:
            return Arr((Str(s),))
        pieces = list(s) if sep == "" else s.split(sep)
        return Arr(tuple(Str(p) for p in pieces[:MAX_ARRAY]))
    if name == "concat":
        if any(t is None for t in texts):
            return UNKNOWN
        return _clip(s + "".join(t or "" for t in texts))
    if name in {"slice", "substring"}:
        bounds = _slice_bounds(args, len(s))
        if bounds is None:
            return UNKNOWN
        start, end = bounds
        if name == "substring" and start > end:
            start, end = end, start
        return Str(s[start:end])
    if name == "substr":
        bounds = _slice_bounds(args[:1], len(s))
        if bounds is None or (len(args) > 1 and not isinstance(args[1], Num)):
            return UNKNOWN
        start = bounds[0]
        length = int(args[1].value) if len(args) > 1 and isinstance(args[1], Num) else len(s)
        return Str(s[start : start + max(0, length)])
    simple: dict[str, Callable[[str], str]] = {
        "toLowerCase": str.lower,
        "toUpperCase": str.upper,
        "toLocaleLowerCase": str.lower,
        "toLocaleUpperCase": str.upper,
        "trim": str.strip,
        "trimStart": str.lstrip,
        "trimEnd": str.rstrip,
        "toString": str,
        "valueOf": str,
        "normalize": str,
    }
    if name in simple:
        return Str(simple[name](s))
    if (
        name in {"replace", "replaceAll"}
        and len(texts) >= 2
        and texts[0] is not None
        and texts[1] is not None
    ):
        count = 1 if name == "replace" else -1
        return _clip(s.replace(texts[0], texts[1], count))
    if name == "repeat" and args and isinstance(args[0], Num):
        times = int(args[0].value)
        if times >= 0 and len(s) * times <= MAX_STRING:
            return Str(s * times)
        return UNKNOWN
    if name in {"charAt", "at"} and args and isinstance(args[0], Num):
        i = int(args[0].value)
        if name == "at" and i < 0:
            i += len(s)
        return Str(s[i]) if 0 <= i < len(s) else Str("")
    if name == "charCodeAt" and args and isinstance(args[0], Num):
        i = int(args[0].value)
        return Num(float(ord(s[i]))) if 0 <= i < len(s) else UNKNOWN
    if name == "padStart" and args and isinstance(args[0], Num):
        return Str(s.rjust(int(args[0].value), (texts[1] or " ")[:1] if len(texts) > 1 else " "))
    return UNKNOWN


def _strip(node: Node) -> Node:
    while node.type in _TRANSPARENT:
        inner = _last_named(node, skip_types=True)
        if inner is None:
            break
        node = inner
    return node


def strip_transparent(node: Node) -> Node:
    """Skip parentheses and TypeScript type wrappers around an expression."""
    return _strip(node)


def _last_named(node: Node, *, skip_types: bool) -> Node | None:
    for child in node.named_children:
        if skip_types and child.type in {
            "type_arguments",
            "predefined_type",
            "type_identifier",
            "generic_type",
        }:
            continue
        if child.type == "comment":
            continue
        return child
    return None


def _pattern_identifiers(node: Node) -> Iterator[Node]:
    """Every identifier a binding pattern (or parameter list) introduces."""
    stack = [node]
    while stack:
        n = stack.pop()
        kind = n.type
        if kind in {"identifier", "shorthand_property_identifier_pattern"}:
            yield n
            continue
        if kind in {"pair_pattern"}:
            value = n.child_by_field_name("value")
            if value is not None:
                stack.append(value)
            continue
        if kind in {"assignment_pattern", "object_assignment_pattern"}:
            left = n.child_by_field_name("left")
            if left is not None:
                stack.append(left)
            continue
        if kind in {"required_parameter", "optional_parameter"}:
            pattern = n.child_by_field_name("pattern")
            if pattern is not None:
                stack.append(pattern)
            continue
        if kind in {
            "formal_parameters",
            "object_pattern",
            "array_pattern",
            "rest_pattern",
            "variable_declarator",
        }:
            stack.extend(reversed(n.named_children))
