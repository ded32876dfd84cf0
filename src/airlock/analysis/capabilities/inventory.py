"""The complete globals inventory of one file: every global its code refers to that is not a JavaScript
intrinsic, at the depth LavaMoat's static analysis records, so that a policy built from it lets the package
run under LavaMoat (issue 12).

The semantics are LavaMoat 11.1.4's (lavamoat-tofu `inspectGlobals` with the options lavamoat-core's
`generatePolicy` gives it), re-derived here on tree-sitter trees:

- a *free* identifier is one no enclosing scope declares (var/let/const, function and class names,
  parameters, catch parameters, imports; `var` hoisted to its function, let/const/class/function
  declarations scoped to their block as Babel scopes them). An assignment to an undeclared name binds
  nothing: `x = 1; x` refers to the global `x` twice;
- its key is the name plus the unbroken run of non-computed members after it (`process.env.NODE_ENV`),
  with a leading global-object name dropped (`window.fetch` → `fetch`; a bare `window` gives nothing);
- `const {env, argv} = process` gives `process.env` and `process.argv` (array patterns give indices; a rest
  element or computed key gives the whole value);
- intrinsics (`Array`, `JSON`, …), `this`/`arguments`/`undefined`, the module's own references
  (`require`/`module`/`exports` in a script, and in every file `arguments`) and `Object.prototype`'s
  property names are not globals;
- the target of an assignment is a write when it is a name or one member below it (`foo = 1`,
  `window.foo = 1`, `foo.bar = 1`; LavaMoat reads a deeper target's chain as a read); a write below the top
  (`foo.bar = 1`) also grants the top-level name (LavaMoat's "temporary fix" in lavamoat-core's
  `generatePolicy`, LavaMoat issue 1554);
- in TypeScript, identifiers in type positions are not references.

One deliberate difference, wider than LavaMoat: a computed key (`{ [k]: v }`, `const { [k]: v } = o`) is a
reference here; Babel-based findGlobals skips every property key, computed or not. An extra grant never
stops a package from running.

A file is a module (for the module references above) when it has an import or export statement, as
Babel's `sourceType: 'unambiguous'` decides. Keys are cut where a segment stops being an ASCII identifier,
because the report contract names keys with ASCII segments: `π.x` has no key and is dropped, `a.ü` is `a`.

Cost: one tree-sitter query walk (in C) collects identifiers, binding sites and scopes; scopes become byte
intervals per declared name, so deciding whether an identifier is free is a bisect, never a climb through
parents. Only the free ones (a few per file) are climbed, to read their member chains.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache

import tree_sitter
from tree_sitter import Node

from airlock.analysis.js import Dialect, SourceText, language
from airlock.analysis.resolve import Steps
from airlock.analysis.resolve.syntax import (
    IDENTIFIER_ESCAPE,
    decode_escape,
    import_bindings,
    pattern_identifiers,
)
from airlock.model import Evidence

MAX_SITES_PER_KEY = 3
"""Evidence kept per key: where a global is first used is enough to review it."""

# ECMAScript's own globals (LavaMoat's `globalPropertyNames`, from SES's whitelist): never granted.
INTRINSICS = frozenset(
    {
        "eval", "isFinite", "isNaN", "parseFloat", "parseInt", "decodeURI", "decodeURIComponent", "encodeURI",
        "encodeURIComponent", "Array", "ArrayBuffer", "Boolean", "DataView", "Date", "Error", "EvalError",
        "Float32Array", "Float64Array", "Function", "Int8Array", "Int16Array", "Int32Array", "Map", "Number",
        "Object", "Promise", "Proxy", "RangeError", "ReferenceError", "RegExp", "Set", "SharedArrayBuffer",
        "String", "Symbol", "SyntaxError", "TypeError", "Uint8Array", "Uint8ClampedArray", "Uint16Array",
        "Uint32Array", "URIError", "WeakMap", "WeakSet", "Atomics", "JSON", "Math", "Reflect", "escape",
        "unescape", "BigInt", "BigInt64Array", "BigUint64Array", "NaN", "Infinity",
    }
)  # fmt: skip
LANGUAGE_REFS = frozenset({"this", "arguments", "undefined"})
# `Object.getOwnPropertyNames(Object.prototype)`: reachable from any object, so never a grant.
OBJECT_PROTOTYPE_NAMES = frozenset(
    {
        "constructor", "__defineGetter__", "__defineSetter__", "hasOwnProperty", "__lookupGetter__",
        "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable", "toString", "valueOf", "__proto__",
        "toLocaleString",
    }
)  # fmt: skip
# What looks like a global but belongs to the module (lavamoat-core MODULE_REFS), by source type.
MODULE_REFS = {
    True: frozenset({"arguments", "import", "export"}),
    False: frozenset({"arguments", "require", "module", "exports"}),
}
# Names of the global object itself: `window.fetch` is `fetch` (lavamoat-core DEFAULT_GLOBAL_THIS_REFS).
GLOBAL_THIS_REFS = frozenset({"window", "self", "global", "globalThis", "top", "frames", "parent"})

# `await`: tree-sitter's JavaScript grammar reads `await (0, f)(x)` as a call of an identifier `await`;
# no real code names a global so.
_NEVER = INTRINSICS | LANGUAGE_REFS | OBJECT_PROTOTYPE_NAMES | {"await"}
_NEVER_BYTES = frozenset(n.encode() for n in _NEVER | {"arguments"})

_FUNCTION_SCOPES = (
    "function_declaration", "function_expression", "generator_function_declaration", "generator_function",
    "arrow_function", "method_definition", "class_static_block",
)  # fmt: skip
_BLOCK_SCOPES = (
    "statement_block",
    "for_statement",
    "for_in_statement",
    "catch_clause",
    "switch_body",
    "class",
)
_DECLARATIONS = (
    "function_declaration", "generator_function_declaration", "class_declaration", "abstract_class_declaration",
    "enum_declaration",
)  # fmt: skip
_SELF_NAMED = ("function_expression", "generator_function", "class")
# Whole subtrees whose identifiers are not references: TypeScript types and `declare`d things (erased at
# compile time), export lists (LavaMoat does not count `export { x }`), JSX tag names (JSXIdentifier).
_NOT_REFERENCES = (
    "type_annotation", "type_arguments", "type_parameters", "type_alias_declaration", "interface_declaration",
    "ambient_declaration", "type_query", "abstract_method_signature", "index_signature", "function_signature",
    "method_signature", "property_signature", "implements_clause", "type_predicate_annotation",
    "asserts_annotation", "export_specifier", "namespace_export", "import_statement", "import_alias",
)  # fmt: skip
_JSX_ELEMENTS = ("jsx_opening_element", "jsx_closing_element", "jsx_self_closing_element")
_SEGMENT_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$")
_SEGMENT_CHARS = _SEGMENT_START | frozenset("0123456789")


@cache
def _query(dialect: Dialect) -> tree_sitter.Query:
    """One query for everything the inventory needs, so the tree is walked once."""
    return _possible_query(language(dialect), _patterns(dialect))


def _patterns(dialect: Dialect) -> list[str]:
    """The query's patterns, one a line. Patterns for node types a grammar lacks (TypeScript's in
    JavaScript, JSX's in TypeScript) are left out here or by `_possible_query`."""
    lang = language(dialect)

    def has(kind: str) -> bool:
        return lang.id_for_node_kind(kind, True) is not None

    patterns = [
        "(identifier) @ref",
        "(shorthand_property_identifier) @ref",
        "(shorthand_property_identifier_pattern) @ref",
        # Simple bindings are captured as identifiers; only patterns are taken apart in Python.
        "(variable_declaration (variable_declarator name: (identifier) @var))",
        "(variable_declaration (variable_declarator name: [(object_pattern) (array_pattern)] @var.pattern))",
        "(lexical_declaration (variable_declarator name: (identifier) @let))",
        "(lexical_declaration (variable_declarator name: [(object_pattern) (array_pattern)] @let.pattern))",
        "(formal_parameters (identifier) @param)",
        "(formal_parameters [(object_pattern) (array_pattern) (assignment_pattern) (rest_pattern)] @param.pattern)",
        "(arrow_function parameter: (identifier) @param)",
        "(catch_clause parameter: (_) @catch)",
        "(for_in_statement) @forin",
        "(import_statement) @import",
    ]
    if has("import_alias"):
        patterns.append("(import_alias) @import")
    if has("required_parameter"):
        patterns.append("(formal_parameters [(required_parameter) (optional_parameter)] @param.pattern)")
    patterns.append("[" + " ".join(f"({k})" for k in _FUNCTION_SCOPES if has(k)) + "] @function")
    patterns.append("[" + " ".join(f"({k})" for k in _BLOCK_SCOPES if has(k)) + "] @block")
    patterns.append("[" + " ".join(f"({k})" for k in _DECLARATIONS if has(k)) + "] @declaration")
    patterns.append("[" + " ".join(f"({k})" for k in _SELF_NAMED if has(k)) + "] @named")
    patterns.append("[" + " ".join(f"({k})" for k in _NOT_REFERENCES if has(k)) + "] @skip")
    patterns.extend(f"({k} name: (_) @skip)" for k in _JSX_ELEMENTS if has(k))
    return patterns


def _possible_query(lang: tree_sitter.Language, patterns: list[str]) -> tree_sitter.Query:
    """The query of the patterns the grammar can match (TypeScript wraps every parameter, JavaScript has
    none of its types). Each compile costs milliseconds, so the whole is compiled and only a pattern the
    error points at is dropped, rather than each pattern compiled alone to test it."""
    kept = list(patterns)
    while True:
        try:
            return tree_sitter.Query(lang, "\n".join(kept))
        except tree_sitter.QueryError as error:
            row = _error_row(str(error))
            if row is None or not 0 <= row < len(kept):
                # Not told which pattern: test each alone (the slow way, never taken by our grammars).
                return tree_sitter.Query(lang, "\n".join(p for p in kept if _possible(lang, p)))
            del kept[row]


def _error_row(message: str) -> int | None:
    match = re.search(r"row:? *(\d+)", message, re.IGNORECASE)
    return None if match is None else int(match.group(1))


def _possible(lang: tree_sitter.Language, pattern: str) -> bool:
    """Whether the grammar can match `pattern`."""
    try:
        tree_sitter.Query(lang, pattern)
    except tree_sitter.QueryError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class GlobalsInventory:
    """One file's globals: each key (reduced to the topmost, see `reduce_topmost`) with its first sites,
    and the keys it assigns to."""

    globals: Mapping[str, tuple[Evidence, ...]]
    writes: tuple[str, ...]


EMPTY_INVENTORY = GlobalsInventory({}, ())


def inventory(
    text: SourceText, root: Node, dialect: Dialect, steps: Steps, *, module: bool | None = None
) -> GlobalsInventory:
    """The globals `root` (the tree of `text`) refers to. `module`: the file's source type when known
    (None: decided from the presence of import/export statements, as LavaMoat's parser does). Charges
    `steps` per node captured; raises `StepBudgetExhaustedError` past it."""
    walk = _Walk(text, root, steps)
    if dialect is not Dialect.JAVASCRIPT:
        # TypeScript is compiled, to CommonJS as often as not: `require` in it is the module's, whatever
        # the file's import statements say.
        return walk.run(_query(dialect), MODULE_REFS[True] | MODULE_REFS[False])
    if module is None:
        module = any(c.type in {"import_statement", "export_statement"} for c in root.children)
    return walk.run(_query(dialect), MODULE_REFS[module])


class _Walk:
    def __init__(self, text: SourceText, root: Node, steps: Steps) -> None:
        self.text = text
        self.source = text.data
        self.root = root
        self.steps = steps
        self.found: dict[str, list[Evidence]] = {}
        self.writes: set[str] = set()

    def run(self, query: tree_sitter.Query, module_refs: frozenset[str]) -> GlobalsInventory:
        captures = tree_sitter.QueryCursor(query).captures(self.root)
        refs = captures.get("ref", [])
        self.steps.search(len(self.source))
        self.steps.add(sum(len(nodes) for nodes in captures.values()))
        skip = _intervals(captures.get("skip", []))
        source = self.source
        # Grouped by text with their start offsets, read once here: the scope test below needs only the
        # offsets, and the nodes only of the few references that turn out free.
        by_text: dict[bytes, tuple[list[int], list[Node]]] = {}
        for node in refs:
            start = node.start_byte
            raw = source[start : node.end_byte]
            group = by_text.get(raw)
            if group is None:
                by_text[raw] = ([start], [node])
            else:
                group[0].append(start)
                group[1].append(node)
        candidates: dict[str, tuple[list[int], list[Node]]] = {}
        for raw, group in by_text.items():
            if raw in _NEVER_BYTES:
                continue
            name = _name(raw)
            if name not in _NEVER and name not in module_refs:
                known = candidates.get(name)
                if known is None:
                    candidates[name] = group
                else:  # the same name spelt with escapes
                    known[0].extend(group[0])
                    known[1].extend(group[1])
        if not candidates:
            return EMPTY_INVENTORY
        bound = _Scopes(self.root, captures).bindings(source, candidates.keys())
        for name, (offsets, uses) in candidates.items():
            nodes = uses
            name_bound = bound.get(name)
            if name_bound is not None:
                if name_bound.everywhere:
                    continue  # declared at the top of the file: bound wherever it is used
                starts = sorted(offsets)
                if starts != offsets:  # the query's patterns interleave: put the nodes in order too
                    nodes = [uses[i] for i in sorted(range(len(offsets)), key=offsets.__getitem__)]
                # The references outside the name's scopes, found by bisecting the (sorted) references
                # at each scope's ends rather than testing every reference.
                nodes = [nodes[i] for i in name_bound.outside(starts)]
            for node in nodes:
                start = node.start_byte
                if skip.contains(start) or (name_bound is not None and start in name_bound.sites):
                    continue
                self.steps.tick()
                self._reference(name, node, module_refs)
        return self._result()

    def _text(self, node: Node) -> str:
        return _name(self.source[node.start_byte : node.end_byte])

    # ---- one free reference ---------------------------------------------------------------------------
    def _reference(self, name: str, node: Node, module_refs: frozenset[str]) -> None:
        path = [name]
        top = node
        parent = node.parent
        while parent is not None:
            self.steps.tick()
            kind = parent.type
            if kind == "parenthesized_expression" and parent.named_child_count == 1:
                top, parent = parent, parent.parent  # `(process).env`: Babel has no parentheses
                continue
            if kind != "member_expression" or not _same(parent.child_by_field_name("object"), top):
                break
            prop = parent.child_by_field_name("property")
            if prop is None or prop.type != "property_identifier":
                break
            path.append(self._text(prop))
            top, parent = parent, parent.parent
        write = False
        paths: list[list[str]] = [path]
        if parent is not None:
            kind = parent.type
            if kind in {"assignment_expression", "augmented_assignment_expression"}:
                # LavaMoat counts a write only for `x = …` and `x.y = …`: deeper (`x.y.z = …`) it sets a
                # property of an object it reads, and records a read of `x.y.z`.
                write = len(path) <= 2 and _same(parent.child_by_field_name("left"), top)
            elif kind == "variable_declarator" and _same(parent.child_by_field_name("value"), top):
                pattern = parent.child_by_field_name("name")
                if pattern is not None and pattern.type in {"object_pattern", "array_pattern"}:
                    paths = [path + tail for tail in self._pattern_keys(pattern)]
        evidence = self.text.evidence(node)
        for full in paths:
            keys = full[1:] if full[0] in GLOBAL_THIS_REFS else full
            if not keys:
                continue  # the global object itself, used only to test for it
            head = keys[0]
            if head in _NEVER or head in module_refs:
                continue
            key = contract(keys)
            if key is None:
                continue
            self.found.setdefault(key, []).append(evidence)
            if write and key == ".".join(keys):
                self.writes.add(key)
                if len(keys) > 1:
                    # LavaMoat grants the top-level name of a deep write (no writable deep globals yet).
                    self.found.setdefault(keys[0], []).append(evidence)

    def _pattern_keys(self, pattern: Node) -> list[list[str]]:
        """The paths a destructuring pattern reads from its value (`{env, argv}` → [env], [argv]); [[]]
        when it takes the value whole (a rest element or a computed key)."""
        self.steps.tick()
        kind = pattern.type
        if kind == "object_pattern":
            props = pattern.named_children
            if any(
                p.type == "rest_pattern"
                or (
                    p.type == "pair_pattern"
                    and _kind(p.child_by_field_name("key")) == "computed_property_name"
                )
                for p in props
            ):
                return [[]]
            keys: list[list[str]] = []
            for prop in props:
                if prop.type == "shorthand_property_identifier_pattern":
                    keys.append([self._text(prop)])
                elif prop.type == "object_assignment_pattern":
                    left = prop.child_by_field_name("left")
                    if left is not None:
                        keys.append([self._text(left)])
                elif prop.type == "pair_pattern":
                    key = prop.child_by_field_name("key")
                    value = prop.child_by_field_name("value")
                    if key is None or value is None or key.type != "property_identifier":
                        continue  # a string or number key names nothing LavaMoat records
                    keys.extend([self._text(key), *tail] for tail in self._pattern_keys(value))
            return keys
        if kind == "array_pattern":
            if any(c.type == "rest_pattern" for c in pattern.named_children):
                return [[]]
            keys = []
            index = 0
            for child in pattern.children:
                if child.type == ",":
                    index += 1
                elif child.is_named and child.type != "comment":
                    keys.extend([str(index), *tail] for tail in self._pattern_keys(child))
            return keys
        return [[]]

    def _result(self) -> GlobalsInventory:
        reduced = reduce_topmost(self.found)
        writes = tuple(sorted(k for k in self.writes if k in reduced))
        return GlobalsInventory(reduced, writes)


def _start(node: Node) -> int:
    return node.start_byte


def _kind(node: Node | None) -> str | None:
    return None if node is None else node.type


def _same(a: Node | None, b: Node) -> bool:
    return a is not None and a.start_byte == b.start_byte and a.end_byte == b.end_byte and a.type == b.type


def _name(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if "\\" in text:  # `\u0070rocess` is `process`
        return IDENTIFIER_ESCAPE.sub(lambda m: decode_escape(m.group(0)), text)
    return text


def contract(keys: list[str]) -> str | None:
    """The key for a path, cut before its first segment that is not an ASCII identifier (the report
    contract's key pattern); None when even the first is not."""
    kept: list[str] = []
    for i, segment in enumerate(keys):
        if (
            not segment
            or not all(c in _SEGMENT_CHARS for c in segment)
            or (i == 0 and segment[0] not in _SEGMENT_START)
        ):
            break
        kept.append(segment)
    return ".".join(kept) if kept else None


def reduce_topmost(
    found: Mapping[str, Iterable[Evidence]], cap: int = MAX_SITES_PER_KEY
) -> dict[str, tuple[Evidence, ...]]:
    """Keep only keys no other key is a prefix of (`process` subsumes `process.env`, as LavaMoat's
    `reduceToTopmostApiCalls`); a subsumed key's sites count for the key that subsumes it. Sites sorted by
    (file, line, column) and capped; keys in sorted order."""
    keys = set(found)
    merged: dict[str, list[Evidence]] = {}
    for key in sorted(keys):
        parts = key.split(".")
        owner = next((p for p in (".".join(parts[:i]) for i in range(1, len(parts))) if p in keys), key)
        merged.setdefault(owner, []).extend(found[key])
    return reduce_sites(merged, cap)


def reduce_sites(
    found: Mapping[str, Iterable[Evidence]], cap: int = MAX_SITES_PER_KEY
) -> dict[str, tuple[Evidence, ...]]:
    """Each key's distinct sites sorted by (file, line, column) and capped; keys in sorted order."""
    return {key: tuple(sorted(set(sites), key=_site_order)[:cap]) for key, sites in sorted(found.items())}


def _site_order(evidence: Evidence) -> tuple[str, int, int, str]:
    return (evidence.file, evidence.line, evidence.column or 0, evidence.snippet or "")


# ---- scopes as byte intervals ----------------------------------------------------------------------------
class _Intervals:
    """A union of byte ranges, for `contains` by bisection."""

    __slots__ = ("ends", "everywhere", "sites", "starts")

    def __init__(
        self, ranges: Iterable[tuple[int, int]], sites: Iterable[int] = (), everywhere_end: int = -1
    ) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(ranges):
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        self.starts = starts
        self.ends = ends
        self.sites = frozenset(sites)
        """Where the name is declared (those identifiers are not references either)."""
        self.everywhere = bool(self.starts) and self.starts[0] == 0 and self.ends[0] > everywhere_end
        """One range covers the whole file."""

    def outside(self, offsets: list[int]) -> Iterator[int]:
        """The indices of the sorted `offsets` that no range contains."""
        i = 0
        for start, end in zip(self.starts, self.ends, strict=True):
            low = bisect.bisect_left(offsets, start, i)
            yield from range(i, low)
            i = bisect.bisect_left(offsets, end, low)
        yield from range(i, len(offsets))

    def contains(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]


def _intervals(nodes: Iterable[Node]) -> _Intervals:
    return _Intervals((n.start_byte, n.end_byte) for n in nodes)


class _Scopes:
    """Function and block scopes as byte ranges; each binding site is resolved to the range its
    declaration covers by one sweep over sites and scopes in source order."""

    def __init__(self, root: Node, captures: Mapping[str, list[Node]]) -> None:
        self.root = root
        self.captures = captures

    def bindings(self, source: bytes, wanted: AbstractSet[str]) -> dict[str, _Intervals]:
        wanted_raw = {name.encode(): name for name in wanted}
        requests: list[tuple[int, int, bool, str, int]] = []
        # (position, order, function scope?, name, identifier start): a `var` or a parameter binds in its
        # function, let/const/class/function declarations and catch parameters in their block.

        def want(ident: Node) -> str | None:
            raw = source[ident.start_byte : ident.end_byte]
            name = wanted_raw.get(raw)
            if name is None and b"\\" in raw:
                name = _name(raw)
                return name if name in wanted else None
            return name

        def request(idents: Iterable[Node], function: bool) -> None:
            for ident in idents:
                start = ident.start_byte
                raw = source[start : ident.end_byte]
                name = wanted_raw.get(raw)
                if name is None and b"\\" in raw:
                    decoded = _name(raw)
                    name = decoded if decoded in wanted else None
                if name is not None:
                    requests.append((start, 1, function, name, start))

        captures = self.captures
        request(captures.get("var", ()), True)
        request(captures.get("param", ()), True)
        request(captures.get("let", ()), False)
        for pattern in captures.get("var.pattern", ()):
            request(pattern_identifiers(pattern), True)
        for pattern in captures.get("param.pattern", ()):
            request(pattern_identifiers(pattern), True)
        for pattern in captures.get("let.pattern", ()):
            request(pattern_identifiers(pattern), False)
        for param in captures.get("catch", ()):
            request(pattern_identifiers(param), False)
        for loop in captures.get("forin", ()):
            kind = next((c.type for c in loop.children if c.type in {"var", "let", "const"}), None)
            left = loop.child_by_field_name("left")
            if kind is None or left is None:
                continue  # `for (x in o)` assigns x, declares nothing
            request(pattern_identifiers(left), kind == "var")
        for decl in captures.get("declaration", ()):
            ident = decl.child_by_field_name("name")
            name = None if ident is None else want(ident)
            if ident is not None and name is not None:
                # Positioned at the declaration's start: its own scope (a function's) is not yet open.
                requests.append((decl.start_byte, 0, False, name, ident.start_byte))
        ranges: dict[str, list[tuple[int, int]]] = {}
        sites: dict[str, list[int]] = {}

        def bind(name: str, site: int, start: int, end: int) -> None:
            spans = ranges.get(name)
            if spans is None:
                ranges[name] = [(start, end)]
                sites[name] = [site]
            else:
                spans.append((start, end))
                sites[name].append(site)

        for node in captures.get("named", ()):
            ident = node.child_by_field_name("name")
            name = None if ident is None else want(ident)
            if ident is not None and name is not None:
                bind(name, ident.start_byte, node.start_byte, node.end_byte)
        for stmt in captures.get("import", ()):
            for ident in _imported(stmt):
                name = want(ident)
                if name is not None:
                    bind(name, ident.start_byte, 0, self.root.end_byte + 1)
        scopes = [(n.start_byte, -n.end_byte, True) for n in self.captures.get("function", [])]
        scopes.extend([(n.start_byte, -n.end_byte, False) for n in self.captures.get("block", [])])
        scopes.sort()
        # Ties on (position, order) are one identifier requested twice; the ranges it gets are a union,
        # so the order among them does not matter and the tuples sort as they are.
        requests.sort()
        program = (0, self.root.end_byte + 1, True)
        stack: list[tuple[int, int, bool]] = [program]
        i = 0
        count = len(scopes)
        for position, order, want_function, name, site in requests:
            while i < count:
                start, neg_end, is_function = scopes[i]
                if start > position or (start == position and not order):
                    break
                while stack[-1][1] <= start:
                    stack.pop()
                stack.append((start, -neg_end, is_function))
                i += 1
            while stack[-1][1] <= position:
                stack.pop()
            for scope in reversed(stack):
                if scope[2] == want_function or scope == program:
                    bind(name, site, scope[0], scope[1])
                    break
        end = self.root.end_byte
        return {name: _Intervals(spans, sites.get(name, ()), end) for name, spans in ranges.items()}


def _imported(stmt: Node) -> Iterator[Node]:
    for child in stmt.named_children:
        if child.type == "import_clause":
            for bound in import_bindings(child, lambda _: None):
                yield bound.local
        elif child.type == "import_require_clause" and child.named_child_count:
            yield child.named_children[0]
    if stmt.type == "import_alias" and stmt.named_child_count:  # TypeScript `import x = a.b`
        yield stmt.named_children[0]
