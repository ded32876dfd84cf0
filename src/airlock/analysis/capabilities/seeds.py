"""Seeds: where a walk starts. Authority can enter a file only through a few words (`require`, `import`,
`process`, `eval`, the powerful globals' names, …); one linear RE2 pass finds them in the bytes, and each
one that is code starts a walk: its value is evaluated and handed to `flow`. ES `import`/`export … from`
statements are handled here too, since they bind modules without any expression to climb.
"""

from __future__ import annotations

import re2
from tree_sitter import Node

from airlock.analysis.capabilities.state import IDENT_BYTES, ScanBase, is_binding_position
from airlock.analysis.resolve import (
    AnyConstructor,
    Applied,
    Code,
    Promised,
    Ref,
    Str,
    as_text,
    require_value,
)
from airlock.analysis.resolve.syntax import import_bindings
from airlock.analysis.vocabulary import (
    POWERFUL_GLOBALS,
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
_BRACKET_SEEDS: tuple[bytes, ...] = (b"window", b"self", b"frames", b"module")
NOT_CODE = frozenset(
    {"comment", "string_fragment", "regex_pattern", "escape_sequence", "jsx_text", "html_comment"}
)


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


class SeedsMixin(ScanBase):
    def _seed_positions(self) -> list[tuple[int, int]]:
        src = self.source
        self.steps.search(len(src))
        find = src.find
        ident = IDENT_BYTES
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
            if is_binding_position(node):
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
        self._note_import(value, call)
        self._climb(call, Promised(value))

    def _import_statement(self, stmt: Node) -> None:
        if any(child.type == "type" for child in stmt.children):
            return  # `import type` has no runtime effect
        module = self._source_module(stmt)
        if module is None:
            return
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if clause is None:
            self._report(module, stmt)  # side-effect import
            return
        for bound in import_bindings(clause, self.resolver.imported_name):
            if bound.imported is None:
                self._track(bound.local, module, stmt)
            else:
                # As `const { exec: alias } = require(…)`: a function followed to its calls (so
                # child_process command lines are captured), a leaf reported where imported.
                self._bind(bound.local, module.member(bound.imported), bound.site)

    def _source_module(self, stmt: Node) -> Ref | None:
        """The module an import/export statement's `from '…'` names (noted as an import), when it is one the
        analysis follows."""
        source = stmt.child_by_field_name("source")
        if source is None:
            return None
        spec = as_text(self.resolver.evaluate(source))
        if spec is None:
            return None
        module = require_value(Str(spec))
        self._note_import(module, stmt)
        return module if isinstance(module, Ref) else None

    def _reexport(self, stmt: Node) -> None:
        module = self._source_module(stmt)
        if module is None:
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
        self._note_import(module, clause)
        if isinstance(module, Ref):
            self._track(ident, module, clause)
