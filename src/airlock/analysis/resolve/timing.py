"""Whether a call runs when its file runs (on `require`/`import`, or when install-time code starts), or only
when something later calls the function around it.

Load-time code is what every consumer runs just by depending on the package: a spawn there needs no caller.
The answer is a conservative reading of the syntax, the same the data-flow pass gives its sinks
(`dataflow.file`): the top level, an IIFE, a callback handed to a call that itself runs at load
(`setTimeout(fn)`, `https.get(u, res => …)`), an event-handler property set at load (`ws.onopen = fn`), and
a function declared in the file and called from load-time code. Anything else (an exported function, a
method) is "later", which never makes a finding stronger.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from airlock.analysis.resolve import Resolver
from airlock.analysis.resolve.syntax import FUNCTION_TYPES

MAX_DEPTH = 6
MAX_CALL_SITES = 8
_HANDLER_PROPERTY = re.compile(r"on[a-z]{3,24}")
"""Event-handler properties (onopen, onmessage, onload, onreadystatechange): what the event runs."""


def assigned_as_handler(resolver: Resolver, assignment: Node, fn: Node) -> bool:
    """Whether `fn` is assigned to an event-handler property (`ws.onopen = fn`): the event runs it.
    `exports.onerror = fn` is an API a caller may or may not use, not an event."""
    if assignment.type != "assignment_expression" or assignment.child_by_field_name("right") != fn:
        return False
    left = assignment.child_by_field_name("left")
    if left is None or left.type != "member_expression":
        return False
    receiver = left.child_by_field_name("object")
    if receiver is None or resolver.text(receiver, 40).split(".", 1)[0] in {"exports", "module"}:
        return False
    name = resolver.property_name(left)
    return name is not None and _HANDLER_PROPERTY.fullmatch(name) is not None


class LoadTiming:
    def __init__(self, resolver: Resolver, source: bytes, root: Node) -> None:
        self.resolver = resolver
        self.source = source
        self.root = root
        self._functions: dict[int, bool] = {}

    def runs_on_load(self, node: Node, depth: int = 0) -> bool:
        fn = self._owner(node)
        if fn is None:
            return True
        cached = self._functions.get(fn.id)
        if cached is not None:
            return cached
        if depth > MAX_DEPTH:
            return False
        self._functions[fn.id] = False  # a cycle through recursion runs nothing at load by itself
        result = self._function_runs(fn, depth)
        self._functions[fn.id] = result
        return result

    def _function_runs(self, fn: Node, depth: int) -> bool:
        holder = self.resolver.parent(fn)
        while holder is not None and holder.type == "parenthesized_expression":
            holder = self.resolver.parent(holder)
        if holder is None:
            return False
        if holder.type == "call_expression":  # (function () { … })() or (() => …)()
            return self.runs_on_load(holder, depth + 1)
        if holder.type == "arguments":  # a callback
            call = self.resolver.parent(holder)
            return call is not None and self.runs_on_load(call, depth + 1)
        if assigned_as_handler(self.resolver, holder, fn):
            return self.runs_on_load(holder, depth + 1)
        name = self._declared_name(fn, holder)
        return name is not None and any(
            self.runs_on_load(call, depth + 1) for call in self._call_sites(name, fn)
        )

    def _owner(self, node: Node) -> Node | None:
        current = self.resolver.parent(node)
        while current is not None and current.type not in FUNCTION_TYPES:
            current = self.resolver.parent(current)
        return current

    def _declared_name(self, fn: Node, holder: Node) -> str | None:
        """`function go() {…}` → go; `const go = () => {…}` → go."""
        if fn.type in {"function_declaration", "generator_function_declaration"}:
            name = fn.child_by_field_name("name")
            return self.resolver.text(name, 100) if name is not None else None
        if holder.type == "variable_declarator" and holder.child_by_field_name("value") == fn:
            name = holder.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                return self.resolver.text(name, 100)
        return None

    def _call_sites(self, name: str, fn: Node) -> list[Node]:
        """Calls `name(…)` outside `fn` itself (its own recursion runs nothing first)."""
        pattern = re.compile(rb"(?<![\w$.])" + re.escape(name.encode()) + rb"\s*\(")
        found: list[Node] = []
        for match in pattern.finditer(self.source):
            if len(found) >= MAX_CALL_SITES:
                break
            if fn.start_byte <= match.start() < fn.end_byte:
                continue
            node = self.root.descendant_for_byte_range(match.start(), match.start() + len(name))
            call = self.resolver.parent(node) if node is not None else None
            if (
                call is not None
                and call.type == "call_expression"
                and call.child_by_field_name("function") == node
            ):
                found.append(call)
        return found


__all__ = ["LoadTiming", "assigned_as_handler"]
