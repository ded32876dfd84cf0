"""Parsing JavaScript and TypeScript with tree-sitter, within a time budget, and locating nodes for evidence.

Parsers are created lazily once per process (they are not picklable), so this module works the same in
the CLI, a process pool or a remote worker.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from enum import Enum
from functools import cache

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


@cache
def _parser(dialect: Dialect) -> tree_sitter.Parser:
    return tree_sitter.Parser(_language(dialect))


@dataclass(frozen=True, slots=True)
class ParseResult:
    tree: tree_sitter.Tree
    seconds: float

    @property
    def has_errors(self) -> bool:
        return self.tree.root_node.has_error


def parse(source: bytes, dialect: Dialect) -> ParseResult:
    """Parse `source` whole. There is no time cut-off: py-tree-sitter (0.26) never frees what a read
    callback returns or receives, so the chunked parse that enforced one leaked every large file's bytes
    for the life of the worker. The per-file byte cap (`Budget.max_file_bytes`) bounds the parse instead;
    tree-sitter's parse time grows linearly with input."""
    parser = _parser(dialect)
    started = time.perf_counter()
    tree = parser.parse(source)
    return ParseResult(tree, time.perf_counter() - started)


class SourceText:
    """The bytes of one file with line lookup, for evidence. Lines and columns are 1-based."""

    __slots__ = ("_line_starts", "data", "line_offset", "path")

    def __init__(self, path: str, data: bytes, *, line_offset: int = 0) -> None:
        self.path = path
        self.data = data
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
        prefix = self.data[line_start:start].decode("utf-8", "replace")
        # A window around the node keeps snippets useful inside minified one-line bundles.
        window_start = max(line_start, start - 40)
        window_end = min(line_end, max(start + 120, min(end_byte or start, start + 120)))
        snippet = self.data[window_start:window_end].decode("utf-8", "replace")
        return Evidence(
            file=self.path,
            line=row + 1 + self.line_offset,
            column=len(prefix) + 1,
            snippet=clip_snippet(snippet) if snippet.strip() else None,
        )


def node_text(source: bytes, node: tree_sitter.Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")
