"""Value flow: following a value forward from a seed, through member chains, calls, awaits, destructuring
and variable bindings, to where it is used — and reporting it there (or as `dynamic` where it escapes)."""

from __future__ import annotations

from tree_sitter import Node

from airlock.analysis.capabilities.sinks import EXEC_FUNCTIONS
from airlock.analysis.capabilities.state import IDENT_BYTES, MAX_CLIMB, ScanBase, is_binding_position
from airlock.analysis.resolve import (
    INTEROP_HELPER,
    AnyConstructor,
    Applied,
    Code,
    Promised,
    Ref,
    Space,
    Value,
    as_text,
    member,
    strip_transparent,
)
from airlock.analysis.vocabulary import (
    CALL_ONLY_GLOBALS,
    GLOBAL_CAPABILITIES,
)

# References that stand for many capabilities; a computed member on one of them is `dynamic`.
_CONTAINER_GLOBALS = frozenset(
    {"", "process", "process.mainModule", "module", "module.constructor", "Reflect"}
)


class FlowMixin(ScanBase):
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
                self._note_import(value, parent)
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
                    # `typeof cp.exec` grants nothing, but the module was still loaded: a LavaMoat policy
                    # must name it or the runtime refuses the require.
                    if isinstance(value, Ref) and value.space is Space.BUILTIN:
                        self.out.add("probes", value.path, self.text.evidence(parent))
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
        ident_bytes = IDENT_BYTES
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
                ) and not is_binding_position(node):
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
            or value.path in EXEC_FUNCTIONS
        )
    return (
        value.path in _CONTAINER_GLOBALS
        or value.path.startswith("process.binding.")
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
