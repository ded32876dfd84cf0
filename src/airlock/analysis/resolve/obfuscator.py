"""javascript-obfuscator's string array, folded: the rotation IIFE that reorders the array at start-up
(found here, run by `interpret`), and the accessor that decodes entries with `stringArrayEncoding`
`base64` or `rc4` (recognised by shape and modelled here: its lazy-initialisation code writes properties on
itself, which the interpreter rightly refuses to run). What the obfuscated file hides — `child_process`,
`exec`, hosts, commands — folds back to the constants it was made from.
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tree_sitter import Node

from airlock.analysis.resolve.interpret import to_number
from airlock.analysis.resolve.methods import b64decode
from airlock.analysis.resolve.syntax import INLINE_FUNCTION_TYPES, strip_transparent
from airlock.analysis.resolve.values import UNKNOWN, Arr, Str, Value, as_text, clip

if TYPE_CHECKING:
    from airlock.analysis.resolve.evaluate import Resolver
    from airlock.analysis.resolve.scopes import Binding

_ALPHABET = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/="
"""javascript-obfuscator's base64 alphabet (letter cases swapped from the standard one)."""
MAX_USES = 64
"""Uses of the array's name looked at for a rotation call (the obfuscator passes it once)."""


def rotation_calls(resolver: Resolver, binding: Binding) -> Iterator[tuple[Node, list[Node], int]]:
    """(function, argument nodes, position of the array) for each call that hands the array `binding`
    names to a function whose body shifts and pushes: `(function(a, n){…})(arr, 0x1f3)` or `f(arr, n)`."""
    scope = resolver.scope_of(binding)
    word = binding.name.encode()
    src = resolver.source
    resolver.steps.search(scope.end_byte - scope.start_byte)
    i = src.find(word, scope.start_byte, scope.end_byte)
    seen = 0
    while i != -1 and seen < MAX_USES:
        resolver.steps.tick()
        seen += 1
        node = resolver.root.descendant_for_byte_range(i, i + len(word))
        i = src.find(word, i + len(word), scope.end_byte)
        if node is None or node.type != "identifier" or resolver.text(node) != binding.name:
            continue
        holder = resolver.parent(node)
        call = resolver.parent(holder) if holder is not None else None
        if holder is None or holder.type != "arguments" or call is None or call.type != "call_expression":
            continue
        found = resolver.lookup(node)
        if found is None or found.identity != binding.identity:
            continue
        callee = call.child_by_field_name("function")
        if callee is None:
            continue
        callee = strip_transparent(callee)
        fn = callee if callee.type in INLINE_FUNCTION_TYPES else None
        if fn is None and callee.type == "identifier":
            fn = resolver.local_function(callee)
        if fn is None:
            continue
        body = resolver.source[fn.start_byte : fn.end_byte]
        if b"shift" not in body or b"push" not in body:
            continue
        args = [c for c in holder.named_children if c.type != "comment"]
        yield fn, args, next(k for k, a in enumerate(args) if a.id == node.id)


def accessor_value(resolver: Resolver, fn: Node, args: list[Value]) -> Value:
    """`_0xabc('0x1', 'key')` for an accessor with base64 or rc4 string encoding: `i = i - K; var v =
    ARR[i]; …decode v…`. UNKNOWN for any other function (the interpreter runs plain accessors)."""
    body = fn.child_by_field_name("body")
    params = fn.child_by_field_name("parameters")
    if body is None or params is None or body.type != "statement_block":
        return UNKNOWN
    text = resolver.source[body.start_byte : body.end_byte]
    if _ALPHABET not in text and b"base64DecodeUnicode" not in text:
        return UNKNOWN
    rc4 = b"'rc4'" in text or b'"rc4"' in text or b"0x100" in text
    inner = _self_replacing(resolver, body)
    if inner is not None:
        fn, body = inner, inner.child_by_field_name("body")
        params = fn.child_by_field_name("parameters")
        if body is None or params is None or body.type != "statement_block":
            return UNKNOWN
    names = [resolver.text(p) for p in params.named_children if p.type == "identifier"]
    statements = [c for c in body.named_children if c.type != "comment"]
    if not names or len(statements) < 2:
        return UNKNOWN
    offset = _offset(resolver, statements[0], names[0])
    array = _indexed_array(resolver, statements[1], names[0])
    index = to_number(args[0]) if args else None
    if offset is None or array is None or index is None or math.isnan(index):
        return UNKNOWN
    position = int(index - offset)
    if not 0 <= position < len(array.items):
        return UNKNOWN
    stored = as_text(array.items[position])
    if stored is None:
        return UNKNOWN
    data = b64decode(stored.swapcase())
    if data is None:
        return UNKNOWN
    if rc4:
        key = as_text(args[1]) if len(args) > 1 else None
        if key is None:
            return UNKNOWN
        data = _rc4(data, key)
    try:
        return clip(data.decode("utf-8"))
    except UnicodeDecodeError:
        return clip(urllib.parse.unquote(data.decode("latin-1")))


def _self_replacing(resolver: Resolver, body: Node) -> Node | None:
    """The accessor that javascript-obfuscator 2.x+ installs over itself: in `var c = F(); return G =
    function(i, k){…}, G(a, b);` the inner function."""
    statements = [c for c in body.named_children if c.type != "comment"]
    if (
        len(statements) != 2
        or statements[1].type != "return_statement"
        or not statements[1].named_child_count
    ):
        return None
    sequence = strip_transparent(statements[1].named_children[0])
    if sequence.type != "sequence_expression" or not sequence.named_child_count:
        return None
    first = sequence.named_children[0]
    right = first.child_by_field_name("right") if first.type == "assignment_expression" else None
    return right if right is not None and right.type in INLINE_FUNCTION_TYPES else None


def _offset(resolver: Resolver, stmt: Node, param: str) -> float | None:
    """K in `i = i - K;` or `i -= K;` (the accessor's first statement)."""
    if stmt.type != "expression_statement" or not stmt.named_child_count:
        return None
    expr = stmt.named_children[0]
    left = expr.child_by_field_name("left")
    right = expr.child_by_field_name("right")
    if left is None or right is None or resolver.text(left) != param:
        return None
    if expr.type == "augmented_assignment_expression":
        op = expr.child_by_field_name("operator")
        value = to_number(resolver.evaluate(right)) if op is not None and op.type == "-=" else None
        return value
    if expr.type != "assignment_expression" or right.type != "binary_expression":
        return None
    inner_left = right.child_by_field_name("left")
    op = right.child_by_field_name("operator")
    inner_right = right.child_by_field_name("right")
    if inner_left is None or op is None or inner_right is None or resolver.text(inner_left) != param:
        return None
    number = to_number(resolver.evaluate(inner_right))
    if number is None:
        return None
    return number if op.type == "-" else -number if op.type == "+" else None


def _indexed_array(resolver: Resolver, stmt: Node, param: str) -> Arr | None:
    """ARR in `var v = ARR[i];` (the accessor's second statement), folded (rotated) to constants."""
    if stmt.type not in {"variable_declaration", "lexical_declaration"} or not stmt.named_child_count:
        return None
    value = stmt.named_children[0].child_by_field_name("value")
    if value is None or value.type != "subscript_expression":
        return None
    obj = value.child_by_field_name("object")
    index = value.child_by_field_name("index")
    if obj is None or index is None or resolver.text(index) != param:
        return None
    array = resolver.evaluate(obj)
    return array if isinstance(array, Arr) and all(isinstance(i, Str) for i in array.items) else None


def _rc4(data: bytes, key: str) -> bytes:
    state = list(range(256))
    j = 0
    codes = [ord(c) & 0xFF for c in key] or [0]
    for i in range(256):
        j = (j + state[i] + codes[i % len(codes)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)
