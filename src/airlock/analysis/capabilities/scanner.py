"""One file's scanner: the seed, flow and sink parts put together, run over the file's seeds; code
compiled from strings (`eval`, `Function`, `vm`) is parsed and scanned by a nested scanner, within the
same step budget and up to MAX_NESTED_CODE_DEPTH levels."""

from __future__ import annotations

import re

from tree_sitter import Node

from airlock.analysis.capabilities.flow import FlowMixin
from airlock.analysis.capabilities.seeds import NOT_CODE, SeedsMixin
from airlock.analysis.capabilities.sinks import SinksMixin
from airlock.analysis.js import Dialect, SourceText, parse
from airlock.analysis.resolve import (
    GLOBAL_OBJECT,
    MAX_STRING,
    UNKNOWN,
    Value,
)
from airlock.model import Evidence, Skipped

MAX_NESTED_CODE_DEPTH = 3
MAX_NESTED_CODE_BYTES = 1 << 20


class FileScanner(SeedsMixin, FlowMixin, SinksMixin):
    """Finds what one file (or one string of code compiled by it) can reach."""

    # ---- entry ----------------------------------------------------------------------------------
    def run(self) -> None:
        for start, end in self._seed_positions():
            self._tick()
            node = self.root.descendant_for_byte_range(start, end)
            if node is None or node.type in NOT_CODE:
                continue
            self._seed(node)

    # ---- code compiled from strings -----------------------------------------------------------------
    def read_hidden_code(self) -> list[Evidence]:
        """Bytes hidden as runs of invisible Unicode variation selectors (U+FE00–FE0F, U+E0100–E01EF: one
        byte each, the encoding os-info-checker-es6 and the 2025 GlassWorm extensions used) decoded and
        analysed as the code they are. Returns where each run starts."""
        found: list[Evidence] = []
        for count, run in enumerate(_VARIATION_RUN.finditer(self.source)):
            if count >= MAX_HIDDEN_RUNS:
                break
            self.steps.search(run.end() - run.start())
            site = self.root.descendant_for_byte_range(run.start(), run.end()) or self.root
            found.append(self.text.evidence(site))
            self._on_code(decode_variation_selectors(run.group(0)).decode("utf-8", "replace"), site)
        return found

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
        nested = FileScanner(nested_text, tree.root_node, self.out, steps=self.steps, depth=self.depth + 1)
        # Code compiled by Function/eval runs as a sloppy-mode script: its top-level `this` is the global object.
        nested.resolver.top_level_this = GLOBAL_OBJECT
        nested.outer_on_load = self.runs_on_load(site)
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


_VARIATION_RUN = re.compile(rb"(?:\xef\xb8[\x80-\x8f]|\xf3\xa0[\x84-\x87][\x80-\xbf]){16,}")
MAX_HIDDEN_RUNS = 8


def decode_variation_selectors(run: bytes) -> bytes:
    """UTF-8 variation selectors back to the bytes they stand for: U+FE00+n → n, U+E0100+n → n + 16."""
    out = bytearray()
    i = 0
    while i < len(run):
        if run[i] == 0xEF:
            out.append(run[i + 2] - 0x80)
            i += 3
        else:
            point = (
                ((run[i + 2] & 0x3F) << 6)
                | (run[i + 3] & 0x3F)
                | ((run[i + 1] & 0x3F) << 12)
                | ((run[i] & 0x07) << 18)
            )
            out.append(point - 0xE0100 + 16)
            i += 4
    return bytes(out)
