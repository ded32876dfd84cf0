"""Parsing JavaScript and TypeScript with tree-sitter, and locating nodes for evidence.

Parsers are created lazily once per process (they are not picklable), so this module works the same in
the CLI, a process pool or a remote worker.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache

import re2
import tree_sitter
import tree_sitter_javascript
import tree_sitter_typescript

from airlock.model import Evidence, clip_snippet


class Dialect(Enum):
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    TSX = "tsx"


_SUFFIX_DIALECT = {
    ".js": Dialect.JAVASCRIPT,
    ".cjs": Dialect.JAVASCRIPT,
    ".mjs": Dialect.JAVASCRIPT,
    ".jsx": Dialect.JAVASCRIPT,
    ".ts": Dialect.TYPESCRIPT,
    ".mts": Dialect.TYPESCRIPT,
    ".cts": Dialect.TYPESCRIPT,
    ".tsx": Dialect.TSX,
}
# Declaration files hold types only; nothing in them runs.
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")


def dialect_for(path: str, head: bytes = b"") -> Dialect | None:
    """Which grammar reads `path`; None if it is not code we analyse.

    Extension-less files with a `node` shebang (typical `bin/` entries) are JavaScript too: they run.
    """
    lower = path.lower()
    if lower.endswith(_DECLARATION_SUFFIXES):
        return None
    dot = lower.rfind(".")
    slash = lower.rfind("/")
    if dot > slash:
        return _SUFFIX_DIALECT.get(lower[dot:])
    if head.startswith(b"#!") and b"node" in head.split(b"\n", 1)[0]:
        return Dialect.JAVASCRIPT
    return None


@cache
def _language(dialect: Dialect) -> tree_sitter.Language:
    if dialect is Dialect.JAVASCRIPT:
        return tree_sitter.Language(tree_sitter_javascript.language())
    if dialect is Dialect.TYPESCRIPT:
        return tree_sitter.Language(tree_sitter_typescript.language_typescript())
    return tree_sitter.Language(tree_sitter_typescript.language_tsx())


def language(dialect: Dialect) -> tree_sitter.Language:
    """The tree-sitter grammar of `dialect` (for queries over its trees)."""
    return _language(dialect)


@cache
def _parser(dialect: Dialect) -> tree_sitter.Parser:
    return tree_sitter.Parser(_language(dialect))


@dataclass(frozen=True, slots=True)
class ParseResult:
    tree: tree_sitter.Tree


def parse(source: bytes, dialect: Dialect) -> ParseResult:
    """Parse `source` whole. There is no time cut-off: py-tree-sitter (0.26) never frees what a read
    callback returns or receives, so the chunked parse that enforced one leaked every large file's bytes
    for the life of the worker. The per-file byte cap (`Budget.max_file_bytes`) bounds the parse instead;
    tree-sitter's parse time grows linearly with input."""
    return ParseResult(_parser(dialect).parse(source))


class SourceText:
    """The bytes of one file with line lookup, for evidence. Lines and columns are 1-based."""

    __slots__ = ("_line_starts", "data", "display", "line_offset", "path")

    def __init__(self, path: str, data: bytes, *, line_offset: int = 0, display: bytes | None = None) -> None:
        self.path = path
        self.data = data
        # Snippets show the file's own bytes when `data` is a `read` rewrite of them (same offsets).
        self.display = data if display is None or len(display) != len(data) else display
        self.line_offset = line_offset
        self._line_starts: list[int] | None = None

    def _line_bounds(self, row: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            find = self.data.find
            i = find(b"\n")
            while i != -1:
                starts.append(i + 1)
                i = find(b"\n", i + 1)
            self._line_starts = starts
        starts = self._line_starts
        start = starts[row] if row < len(starts) else len(self.data)
        end = starts[row + 1] - 1 if row + 1 < len(starts) else len(self.data)
        return start, end

    def evidence_at_byte(self, start: int, end: int | None = None) -> Evidence:
        """Evidence for a byte offset (a text match rather than a node)."""
        self._line_bounds(0)
        assert self._line_starts is not None
        row = bisect.bisect_right(self._line_starts, start) - 1
        return self.evidence_at(row, start - self._line_starts[row], end)

    def evidence(self, node: tree_sitter.Node) -> Evidence:
        return self.evidence_at(node.start_point[0], node.start_point[1], node.end_byte)

    def evidence_at(self, row: int, byte_column: int, end_byte: int | None = None) -> Evidence:
        line_start, line_end = self._line_bounds(row)
        start = line_start + byte_column
        prefix = self.display[line_start:start].decode("utf-8", "replace")
        # A window around the node keeps snippets useful inside minified one-line bundles.
        window_start = max(line_start, start - 40)
        window_end = min(line_end, max(start + 120, min(end_byte or start, start + 120)))
        snippet = self.display[window_start:window_end].decode("utf-8", "replace")
        return Evidence(
            file=self.path,
            line=row + 1 + self.line_offset,
            column=len(prefix) + 1,
            snippet=clip_snippet(snippet) if snippet.strip() else None,
        )


def node_text(source: bytes, node: tree_sitter.Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


# ---- Reading the JavaScript Node runs ---------------------------------------------------------------
#
# tree-sitter-javascript reads one grammar; Node reads `.js`/`.cjs` as sloppy-mode scripts with Annex B
# syntax and `.mjs` as strict modules. Where the two disagree on bytes Node accepts, an attacker gets code
# that runs but that airlock reads differently (`var yield = require('child_process'); yield.exec(…)` is
# a `yield` expression to tree-sitter). `read` closes those gaps by rewriting the bytes *in place* —
# every edit keeps byte length and line breaks, so node offsets and evidence lines stay those of the file —
# and re-parsing; what the parser still does not understand comes back as `Region`s for the lexical
# fallback and for the report.


@dataclass(frozen=True, slots=True)
class Region:
    """Bytes the tree does not faithfully describe: read lexically instead, and reported."""

    start_byte: int
    end_byte: int
    reason: str


@dataclass(frozen=True, slots=True)
class Reading:
    """A parse of the bytes Node would run, with what could not be modelled."""

    tree: tree_sitter.Tree
    source: bytes
    """What the tree was parsed from: the file's bytes with the length-preserving rewrites applied."""
    regions: tuple[Region, ...]
    rewrites: int


def module_kind(path: str) -> bool | None:
    """True for an ES module, False for a CommonJS script, None when only package.json#type would tell."""
    lower = path.lower()
    if lower.endswith(".mjs"):
        return True
    if lower.endswith(".cjs") or "#" in path:  # `package.json#scripts.x`: `node -e` code is a script
        return False
    return None


_MAX_ROUNDS = 3
_MAX_REGIONS = 20
# Words tree-sitter treats as keywords where sloppy-mode Node reads an identifier. `let`, `static`,
# `implements`, `interface`, `package`, `private`, `protected`, `public`, `async`, `of`, `get`, `set` were
# checked and parse as identifiers already (tests/analysis/test_parser_differential.py keeps them honest).
# RE2: one linear pass over large bundles (Python's `re` with look-behinds costs ~60 ms a MB here). The
# leading class stands in for a look-behind; the trailing boundary is checked by hand.
_CANDIDATES = re2.compile(
    rb"(?:^|[^A-Za-z0-9_$.\\])(yield|await|using|undefined)|(\\u(?:\{[0-9a-fA-F]+\}|[0-9a-fA-F]{4})|<!--|-->)"
)
_IDENT_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$\\")


def _candidates(source: bytes) -> Iterator[tuple[int, int, bytes]]:
    size = len(source)
    for match in _CANDIDATES.finditer(source):
        group = 1 if match.start(1) != -1 else 2
        start, end = match.start(group), match.end(group)
        if group == 1 and end < size and source[end] in _IDENT_BYTES:
            continue
        yield start, end, source[start:end]


_NOT_CODE_NODES = frozenset(
    {
        "string",
        "string_fragment",
        "escape_sequence",
        "template_string",
        "comment",
        "html_comment",
        "hash_bang_line",
        "regex",
        "regex_pattern",
        "regex_flags",
        "jsx_text",
    }
)
_ESCAPED_NAME_NODES = frozenset(
    {
        "identifier",
        "property_identifier",
        "shorthand_property_identifier",
        "shorthand_property_identifier_pattern",
        "statement_identifier",
        "private_property_identifier",
    }
)
_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function",
        "generator_function_declaration",
        "class_body",
    }
)
_IDENTIFIER_ESCAPE = re.compile(rb"\\u(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{4}))")


def _in_context(node: tree_sitter.Node, keyword: str) -> bool:
    """Whether `yield`/`await` at `node` is inside the function kind that makes it a keyword there."""
    current: tree_sitter.Node | None = node.parent
    while current is not None:
        kind = current.type
        if kind in _FUNCTIONS:
            if kind == "class_body":
                return True  # class bodies are strict code: these words are reserved there
            tokens = {child.type for child in current.children if not child.is_named}
            if keyword == "yield":
                return kind.startswith("generator_function") or "*" in tokens
            return "async" in tokens
        current = current.parent
    return False


def _is_code(node: tree_sitter.Node) -> bool:
    current: tree_sitter.Node | None = node
    while current is not None and current.type not in {"program", "template_substitution"}:
        if current.type in _NOT_CODE_NODES:
            return False
        if current.is_named and current.type not in {"ERROR", "identifier", "statement_identifier"}:
            break  # a named code node: the bytes are code
        current = current.parent
    return True


def _binds(node: tree_sitter.Node) -> bool:
    parent = node.parent
    if parent is None:
        return False
    kind = parent.type
    if kind in {"formal_parameters", "catch_clause"}:
        return True
    if kind in {"variable_declarator", "function_declaration", "function_expression"}:
        return parent.child_by_field_name("name") == node
    if kind in {"assignment_expression", "arrow_function"}:
        return parent.child_by_field_name("left" if kind != "arrow_function" else "parameter") == node
    return False


def _decode_name(raw: bytes) -> bytes | None:
    def one(match: re.Match[bytes]) -> bytes:
        digits = match.group(1) or match.group(2)
        return chr(int(digits, 16)).encode("utf-8", "surrogatepass")

    try:
        decoded = _IDENTIFIER_ESCAPE.sub(one, raw)
        text = decoded.decode("utf-8")
    except (ValueError, OverflowError):
        return None
    if "\\" in text or not text or not all(c.isalnum() or c in "_$\u200c\u200d" for c in text):
        return None
    return decoded


def _rewrites(
    source: bytes, root: tree_sitter.Node, module: bool | None, *, with_await: bool
) -> dict[int, bytes]:
    """Length-preserving edits (offset → replacement bytes) that make the tree read what Node runs."""
    edits: dict[int, bytes] = {}
    words: dict[bytes, list[tuple[int, tree_sitter.Node]]] = {}
    undefined_bound = False
    for start, end, token in _candidates(source):
        node = root.descendant_for_byte_range(start, end)
        if node is None:
            continue
        if node.type == "html_comment" and node.start_byte == start and module is not True:
            # tree-sitter ends these at `\n` only; Node also at `\r`, U+2028 and U+2029, as for `//`.
            edits[start] = b"//  " if token == b"<!--" else b"// "
            continue
        if token == b"-->" or not _is_code(node):
            continue
        if token == b"<!--":
            # A comment to the end of the line in a script; V8 rejects it in a module, so whatever
            # package.json#type says, the script reading is the only one that runs.
            if module is not True:
                edits[start] = b"//  "
            continue
        if token.startswith(b"\\u"):
            if node.type not in _ESCAPED_NAME_NODES or node.start_byte in edits:
                continue
            raw = source[node.start_byte : node.end_byte]
            decoded = _decode_name(raw)
            if decoded is not None and len(decoded) <= len(raw):
                edits[node.start_byte] = decoded + b" " * (len(raw) - len(decoded))
            continue
        if node.type in {"property_identifier", "shorthand_property_identifier"}:
            continue  # properties keep their names
        if module is True and token in {b"yield", b"await"}:
            continue  # reserved in modules
        if token == b"undefined" and not undefined_bound:
            undefined_bound = _binds(node)
        words.setdefault(token, []).append((start, node))
    for token, places in words.items():
        if token == b"undefined" and not undefined_bound:
            continue  # only a file that binds `undefined` can give it a value
        if token == b"await" and not with_await:
            continue
        renamed = token[:-1] + b"$"
        for start, node in places:
            if token in {b"yield", b"await"} and _in_context(node, token.decode()):
                continue
            edits[start] = renamed
    return edits


def _apply(source: bytes, edits: dict[int, bytes]) -> bytes:
    out = bytearray(source)
    for start, replacement in edits.items():
        out[start : start + len(replacement)] = replacement
    return bytes(out)


def read(source: bytes, dialect: Dialect, *, module: bool | None = None) -> Reading:
    """Parse `source` as Node reads it (JavaScript only; TypeScript is compiled before anything runs).

    `module`: True for an ES module, False for a script, None when unknown (read as a script, with the
    constructs whose meaning differs in a module reported as regions)."""
    parser = _parser(dialect)
    plain = parser.parse(source)
    tree, current, rewrites = plain, source, 0
    if dialect is Dialect.JAVASCRIPT:
        for with_await in (True, False):
            tree, current, rewrites = plain, source, 0
            for _ in range(_MAX_ROUNDS):
                edits = _rewrites(current, tree.root_node, module, with_await=with_await)
                edits = {k: v for k, v in edits.items() if current[k : k + len(v)] != v}
                if not edits:
                    break
                current = _apply(current, edits)
                rewrites += len(edits)
                tree = parser.parse(current)
            # An ES module read as a script (package.json#type) would lose top-level `await`: keep the
            # reading that understands more.
            if not (tree.root_node.has_error and not plain.root_node.has_error):
                break
        if tree.root_node.has_error and not plain.root_node.has_error:
            tree, current, rewrites = plain, source, 0
    regions = _merge([*_error_regions(tree.root_node), *_unmodelled(current, tree.root_node)])
    return Reading(tree, current, regions, rewrites)


_UNMODELLED = re2.compile(rb"(?:^|[^A-Za-z0-9_$.])(with\s*\(|for\s*\(\s*var\s)")


def _unmodelled(source: bytes, root: tree_sitter.Node) -> list[Region]:
    """Valid code the capability analysis cannot model: `with` makes every name inside it a possible
    member of an object (`with (require('child_process')) exec(…)`); Annex B's `for (var x = v in o)`
    assigns `v` before the loop."""
    found: list[Region] = []
    for match in _UNMODELLED.finditer(source):
        node = root.descendant_for_byte_range(match.start(1), match.start(1) + 3)
        statement = node.parent if node is not None else None
        if statement is None:
            continue
        if statement.type == "with_statement":
            reason = "`with` statement: names inside may resolve to members of its object"
        elif statement.type == "for_in_statement" and statement.child_by_field_name("value") is not None:
            reason = "`for (var x = … in …)` initialiser (Annex B)"
        else:
            continue
        found.append(Region(statement.start_byte, statement.end_byte, reason))
    return found


def _error_regions(root: tree_sitter.Node) -> list[Region]:
    """ERROR and MISSING nodes, visiting only subtrees that hold one."""
    found: list[Region] = []
    if not root.has_error:
        return found
    pending = [root]
    while pending and len(found) < 4 * _MAX_REGIONS:
        node = pending.pop()
        if node.is_error:
            found.append(Region(node.start_byte, node.end_byte, "the parser does not understand this code"))
            continue
        if node.is_missing:
            found.append(
                Region(node.start_byte, node.end_byte, f"the parser assumed a missing `{node.type}` here")
            )
            continue
        pending.extend(reversed([child for child in node.children if child.has_error]))
    return found


def _merge(regions: list[Region]) -> tuple[Region, ...]:
    """Overlapping regions joined (the first reason kept), at most `_MAX_REGIONS` (the last absorbs the rest)."""
    merged: list[Region] = []
    for region in sorted(regions, key=lambda r: (r.start_byte, r.end_byte)):
        if merged and region.start_byte <= merged[-1].end_byte:
            last = merged[-1]
            merged[-1] = Region(last.start_byte, max(last.end_byte, region.end_byte), last.reason)
        elif len(merged) == _MAX_REGIONS:
            last = merged[-1]
            merged[-1] = Region(last.start_byte, region.end_byte, last.reason)
        else:
            merged.append(region)
    return tuple(merged)
