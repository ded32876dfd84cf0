"""Names and scopes: which declaration an identifier refers to, and where that declaration is visible.

`Scopes` builds a table of bindings per scope node lazily, the first time a lookup climbs through it, and
memoises each lookup for every ancestor it walked, so resolving the few identifiers that matter costs
little. Hoisting is approximated by blocks. The evaluator (`evaluate.Resolver`) extends this class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from airlock.analysis.resolve.steps import Steps
from airlock.analysis.resolve.syntax import (
    FUNCTION_TYPES,
    IDENTIFIER_ESCAPE,
    IDENTIFIER_TYPES,
    SCOPE_TYPES,
    decode_escape,
    import_bindings,
    pattern_identifiers,
)
from airlock.analysis.resolve.values import Value, as_text


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


class Scopes(ABC):
    """Scope tables, lookups and node text of one parsed file."""

    def __init__(self, source: bytes, root: Node, steps: Steps) -> None:
        self.source = source
        self.root = root
        self.steps = steps
        self._scopes: dict[int, dict[str, Binding]] = {}
        self._parents: dict[int, Node | None] = {}
        self._lookups: dict[tuple[int, str], Binding | None] = {}

    @abstractmethod
    def evaluate(self, node: Node, env: dict[str, Value] | None = None) -> Value:
        """The folded value of an expression (import sources and computed destructuring keys need it)."""

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
            if current.type in FUNCTION_TYPES and current.type != "arrow_function":
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
        if b"\\" in raw and node.type in IDENTIFIER_TYPES:
            return IDENTIFIER_ESCAPE.sub(lambda m: decode_escape(m.group(0)), raw.decode("utf-8", "replace"))
        return raw.decode("utf-8", "replace")

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
        if kind in FUNCTION_TYPES:
            params = scope.child_by_field_name("parameters") or scope.child_by_field_name("parameter")
            if params is not None:
                for ident in pattern_identifiers(params):
                    table.setdefault(self.text(ident), Binding(self.text(ident), ident, parameter=True))
            name = scope.child_by_field_name("name")
            if name is not None and kind in {"function_expression", "function", "generator_function"}:
                table.setdefault(self.text(name), Binding(self.text(name), name))
            return
        if kind == "catch_clause":
            param = scope.child_by_field_name("parameter")
            if param is not None:
                for ident in pattern_identifiers(param):
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
                    for ident in pattern_identifiers(name):
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
            for ident in pattern_identifiers(stmt):
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
            for bound in import_bindings(clause, self.imported_name):
                local = self.text(bound.local)
                table.setdefault(
                    local, Binding(local, bound.local, specifier=spec, imported=bound.imported or "*")
                )

    def imported_name(self, name: Node) -> str | None:
        """What an import specifier names: an identifier, or the string of `import { "a-b" as c }`."""
        return as_text(self.evaluate(name)) if name.type == "string" else self.text(name)

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
            if node.type in SCOPE_TYPES:
                binding = self._table(node).get(name)
                if binding is not None:
                    result = binding
                    break
            node = self.parent(node)
        # Every ancestor walked sees the same answer: later lookups below them stop early.
        for node_id in visited:
            memo[(node_id, name)] = result
        return result

    def outer_binding(self, binding: Binding) -> Binding | None:
        """A binding made by a bare assignment (`x = v` inside a function) stands for the variable an
        enclosing scope declares, when one does (`let buf = ''` outside, `buf = ''` inside): that one."""
        site_parent = self.parent(binding.site)
        if (
            site_parent is None
            or site_parent.type != "assignment_expression"
            or site_parent.child_by_field_name("left") != binding.site
        ):
            return None
        node: Node | None = self.parent(self.scope_of(binding))
        while node is not None:
            self.steps.tick()
            if node.type in SCOPE_TYPES:
                bound = self._table(node).get(binding.name)
                if bound is not None:
                    return bound
            node = self.parent(node)
        return None

    def scope_of(self, binding: Binding) -> Node:
        """The node whose subtree can see `binding`."""
        node: Node | None = self.parent(binding.site)
        while node is not None:
            self.steps.tick()
            if node.type in SCOPE_TYPES:
                bound = self._table(node).get(binding.name)
                if bound is not None and bound.identity == binding.identity:
                    return node
            node = self.parent(node)
        return self.root
