"""A small, bounded interpreter for pure helper functions over constants: the decoders malware hides its
strings behind (`for` loops XOR-ing char codes into an accumulator, char-code shifts) and the rotation that
javascript-obfuscator applies to its string array (`while(--n) arr.push(arr.shift())`).

It runs one function body statement by statement on folded values, in a local environment. Anything it
does not model — an object literal, a write to a variable outside the function, a branch on a value it does
not know, a `for…in` — aborts the run, and the call folds to `UNKNOWN` as before: the interpreter only ever
*adds* constants, never guesses. Work is bounded three ways: every node evaluated costs one step of the
file's budget (`Steps`), one run may use MAX_RUN_STEPS, and a file may use MAX_FILE_STEPS in all (after
that, helpers are no longer interpreted — deterministic, since the count follows the bytes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tree_sitter import Node

from airlock.analysis.resolve.builtins import ARITHMETIC, member
from airlock.analysis.resolve.methods import method
from airlock.analysis.resolve.syntax import parse_number, strip_transparent
from airlock.analysis.resolve.values import (
    MAX_ARRAY,
    UNKNOWN,
    Arr,
    Bytes,
    Num,
    Str,
    Unknown,
    Value,
    as_text,
    clip,
    index_of,
    plus,
)

if TYPE_CHECKING:
    from airlock.analysis.resolve.evaluate import Resolver

MAX_RUN_STEPS = 20_000
MAX_ROTATION_STEPS = 400_000
"""A checksum rotation evaluates a dozen accessor calls per turn, up to one turn per array entry."""
MAX_FILE_STEPS = 600_000
MAX_BODY_BYTES = 4096
"""Only small functions are interpreted: decoders and rotators are a few hundred bytes (array literals in
the body are data and not counted)."""
MAX_CALL_DEPTH = 4


class _AbortError(Exception):
    """Something the interpreter does not model: the call folds to UNKNOWN."""


class _ReturnError(Exception):
    def __init__(self, value: Slot) -> None:
        self.value = value


class _BreakError(Exception):
    pass


class _ContinueError(Exception):
    pass


class _ThrowError(Exception):
    pass


# Everything that ends an interpretation without a value: the run is abandoned and the value stays unknown.
_GAVE_UP = (
    _AbortError,
    _BreakError,
    _ContinueError,
    _ThrowError,
    RecursionError,
    OverflowError,
    ValueError,
    MemoryError,
)


@dataclass(eq=False)
class MutArr:
    """An array being built or rotated by the interpreted code (`push`, `shift`, `a[i] = v`)."""

    items: list[Value]


@dataclass(eq=False)
class Closure:
    """A function defined inside the interpreted code, with the environment it closes over."""

    node: Node
    env: dict[str, Slot] = field(default_factory=dict)


@dataclass(eq=False)
class Returns:
    """A function that returns one fixed value: javascript-obfuscator's string-array function while its
    rotation runs (`function F(){ var a = […]; F = function(){ return a; }; return F(); }`)."""

    value: MutArr


Slot = Value | MutArr | Closure | Returns


def freeze(value: Slot) -> Value:
    if isinstance(value, MutArr):
        return Arr(tuple(value.items))
    if isinstance(value, Closure | Returns):
        return UNKNOWN
    return value


def to_number(value: Value) -> float | None:
    """JavaScript's ToNumber on a folded constant (strings as `'0x1' - 0` reads them)."""
    if isinstance(value, Num):
        return value.value
    if isinstance(value, Str):
        text = value.value.strip()
        if not text:
            return 0.0
        number = parse_number(text) if text[0].isdigit() or text[0] == "." else None
        if number is None and text[:1] in "+-" and text[1:2].isdigit():
            number = parse_number(text[1:])
            number = -number if number is not None and text[0] == "-" else number
        return number if number is not None else math.nan
    return None


def _truthy(value: Slot) -> bool:
    if isinstance(value, MutArr | Closure | Returns | Arr | Bytes):
        return True
    if isinstance(value, Num):
        return value.value != 0 and not math.isnan(value.value)
    if isinstance(value, Str):
        return value.value != ""
    raise _AbortError


def _js_equal(a: Value, b: Value) -> bool:
    # Only constants compare: `process.platform === 'darwin'` is not known to be false.
    if not isinstance(a, Str | Num) or not isinstance(b, Str | Num):
        raise _AbortError
    return a == b


_COMPARE = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


class Interpreter:
    """Runs small pure functions of one file on folded values. One per `Resolver` (it counts the file's
    interpretation work)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.used = 0
        self._run_left = 0
        self._depth = 0
        self.overrides: dict[int, Slot] = {}
        """Local functions (by node id) that stand for a fixed value while a rotation runs."""

    # ---- entry --------------------------------------------------------------------------------------
    def call(self, fn: Node, args: list[Slot]) -> Value:
        """The value `fn(...args)` returns, or UNKNOWN when the body does something not modelled."""
        if self.used >= MAX_FILE_STEPS or _code_bytes(fn) > MAX_BODY_BYTES:
            return UNKNOWN
        outer, self._run_left = self._run_left, MAX_RUN_STEPS  # re-entered through the resolver: restore
        try:
            return freeze(self._invoke(Closure(fn), args))
        except _GAVE_UP:
            return UNKNOWN
        finally:
            self._run_left = outer

    def run_with(self, fn: Node, args: list[Slot]) -> bool:
        """Run `fn(...args)` for its effects on `args` (a `MutArr` rotated in place); False if aborted."""
        if self.used >= MAX_FILE_STEPS or _code_bytes(fn) > MAX_BODY_BYTES:
            return False
        outer, self._run_left = self._run_left, MAX_ROTATION_STEPS
        try:
            self._invoke(Closure(fn), args)
        except _GAVE_UP:
            return False
        finally:
            self._run_left = outer
        return True

    # ---- functions ----------------------------------------------------------------------------------
    def _invoke(self, closure: Closure, args: list[Slot]) -> Slot:
        if self._depth >= MAX_CALL_DEPTH:
            raise _AbortError
        fn = closure.node
        env: dict[str, Slot] = dict(closure.env)
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        names: list[str] = []
        if params is not None:
            if params.type == "identifier":
                names = [self.resolver.text(params)]
            else:
                for p in params.named_children:
                    if p.type != "identifier":
                        raise _AbortError
                    names.append(self.resolver.text(p))
        for i, name in enumerate(names):
            env[name] = args[i] if i < len(args) else UNKNOWN
        own = fn.child_by_field_name("name")
        if own is not None and fn.type == "function_declaration":
            # `F = function(){…}` inside F memoises by replacing F: modelled as a local rebinding.
            env.setdefault(self.resolver.text(own), closure)
        body = fn.child_by_field_name("body")
        if body is None:
            raise _AbortError
        self._depth += 1
        try:
            if body.type != "statement_block":
                return self._ev(body, env)
            self._hoist(body, env)
            try:
                self._block(body, env)
            except _ReturnError as done:
                return done.value
            return UNKNOWN
        finally:
            self._depth -= 1

    def _hoist(self, block: Node, env: dict[str, Slot]) -> None:
        for stmt in block.named_children:
            if stmt.type == "function_declaration":
                name = stmt.child_by_field_name("name")
                if name is not None:
                    env[self.resolver.text(name)] = Closure(stmt, env)

    # ---- statements ---------------------------------------------------------------------------------
    def _tick(self) -> None:
        self.used += 1
        self._run_left -= 1
        if self._run_left < 0 or self.used > MAX_FILE_STEPS:
            raise _AbortError
        self.resolver.steps.tick()

    def _block(self, block: Node, env: dict[str, Slot]) -> None:
        for stmt in block.named_children:
            self._exec(stmt, env)

    def _exec(self, stmt: Node, env: dict[str, Slot]) -> None:
        self._tick()
        kind = stmt.type
        if kind == "expression_statement":
            inner = stmt.named_children[0] if stmt.named_child_count else None
            if inner is not None:
                self._ev(inner, env)
        elif kind in {"lexical_declaration", "variable_declaration"}:
            self._declare(stmt, env)
        elif kind == "statement_block":
            self._block(stmt, env)
        elif kind == "return_statement":
            inner = stmt.named_children[0] if stmt.named_child_count else None
            raise _ReturnError(self._ev(inner, env) if inner is not None else UNKNOWN)
        elif kind == "if_statement":
            self._if(stmt, env)
        elif kind == "for_statement":
            self._for(stmt, env)
        elif kind in {"while_statement", "do_statement"}:
            self._while(stmt, env, do=kind == "do_statement")
        elif kind == "break_statement" and not stmt.named_child_count:
            raise _BreakError
        elif kind == "continue_statement" and not stmt.named_child_count:
            raise _ContinueError
        elif kind == "try_statement":
            self._try(stmt, env)
        elif kind == "throw_statement":
            raise _ThrowError
        elif kind == "function_declaration":
            pass  # hoisted
        elif kind not in {"empty_statement", "comment"}:
            raise _AbortError

    def _declare(self, stmt: Node, env: dict[str, Slot]) -> None:
        for declarator in stmt.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            if name is None or name.type != "identifier":
                raise _AbortError
            value = declarator.child_by_field_name("value")
            env[self.resolver.text(name)] = self._ev(value, env) if value is not None else UNKNOWN

    def _if(self, stmt: Node, env: dict[str, Slot]) -> None:
        condition = stmt.child_by_field_name("condition")
        if condition is None:
            raise _AbortError
        if _truthy(self._ev(condition, env)):
            consequence = stmt.child_by_field_name("consequence")
            if consequence is not None:
                self._exec(consequence, env)
            return
        alternative = stmt.child_by_field_name("alternative")
        if alternative is not None:
            for child in alternative.named_children:
                self._exec(child, env)

    def _for(self, stmt: Node, env: dict[str, Slot]) -> None:
        init = stmt.child_by_field_name("initializer")
        if init is not None:
            if init.type in {"lexical_declaration", "variable_declaration"}:
                self._declare(init, env)
            elif init.type == "expression_statement":
                self._exec(init, env)
            elif init.type != "empty_statement":
                self._ev(init, env)
        condition = next(
            (
                c
                for c in stmt.children_by_field_name("condition")
                if c.is_named and c.type != "empty_statement"
            ),
            None,
        )
        if condition is not None and condition.type == "expression_statement":
            condition = condition.named_children[0] if condition.named_child_count else None
        increment = stmt.child_by_field_name("increment")
        body = stmt.child_by_field_name("body")
        while True:
            self._tick()
            if condition is not None and not _truthy(self._ev(condition, env)):
                return
            if body is not None:
                try:
                    self._exec(body, env)
                except _BreakError:
                    return
                except _ContinueError:
                    pass
            if increment is not None:
                self._ev(increment, env)

    def _while(self, stmt: Node, env: dict[str, Slot], *, do: bool) -> None:
        condition = stmt.child_by_field_name("condition")
        body = stmt.child_by_field_name("body")
        if condition is None or body is None:
            raise _AbortError
        first = do
        while True:
            self._tick()
            if not first and not _truthy(self._ev(condition, env)):
                return
            first = False
            try:
                self._exec(body, env)
            except _BreakError:
                return
            except _ContinueError:
                pass

    def _try(self, stmt: Node, env: dict[str, Slot]) -> None:
        body = stmt.child_by_field_name("body")
        handler = stmt.child_by_field_name("handler")
        if stmt.child_by_field_name("finalizer") is not None or body is None:
            raise _AbortError
        try:
            self._block(body, env)
        except _ThrowError:
            if handler is None:
                raise
            param = handler.child_by_field_name("parameter")
            if param is not None:
                env[self.resolver.text(param)] = UNKNOWN
            inner = handler.child_by_field_name("body")
            if inner is not None:
                self._block(inner, env)

    # ---- expressions --------------------------------------------------------------------------------
    def _ev(self, node: Node, env: dict[str, Slot]) -> Slot:
        self._tick()
        node = strip_transparent(node)
        kind = node.type
        if kind == "identifier":
            name = self.resolver.text(node)
            if name in env:
                return env[name]
            if name == "undefined":
                return UNKNOWN
            local = self.resolver.local_function(node)
            if local is not None:
                return self._function(local)
            return self.resolver.evaluate(node)
        if kind in {"string", "number", "template_string"}:
            if kind == "template_string" and any(
                c.type == "template_substitution" for c in node.named_children
            ):
                return self._template(node, env)
            return self.resolver.evaluate(node)
        if kind == "true":
            return Num(1.0)
        if kind == "false":
            return Num(0.0)
        if kind in {"null", "undefined"}:
            return UNKNOWN
        if kind == "array":
            items: list[Value] = []
            for child in node.named_children:
                if child.type == "spread_element":
                    raise _AbortError
                if child.type != "comment":
                    items.append(freeze(self._ev(child, env)))
            return MutArr(items)
        if kind in {"function_expression", "arrow_function", "function"}:
            return Closure(node, env)
        if kind == "sequence_expression":
            result: Slot = UNKNOWN
            for child in node.named_children:
                result = self._ev(child, env)
            return result
        if kind == "assignment_expression":
            return self._assign(node, env)
        if kind == "augmented_assignment_expression":
            return self._augmented(node, env)
        if kind == "update_expression":
            return self._update(node, env)
        if kind == "binary_expression":
            return self._binary(node, env)
        if kind == "unary_expression":
            return self._unary(node, env)
        if kind == "ternary_expression":
            condition = node.child_by_field_name("condition")
            branch = node.child_by_field_name(
                "consequence"
                if condition is not None and _truthy(self._ev(condition, env))
                else "alternative"
            )
            if condition is None or branch is None:
                raise _AbortError
            return self._ev(branch, env)
        if kind in {"member_expression", "subscript_expression"}:
            obj_node = node.child_by_field_name("object")
            if obj_node is None:
                raise _AbortError
            return self._member(self._ev(obj_node, env), self._key(node, env))
        if kind in {"call_expression", "new_expression"}:
            return self._call(node, env)
        raise _AbortError

    def _template(self, node: Node, env: dict[str, Slot]) -> Value:
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "template_substitution":
                inner = child.named_children[0] if child.named_child_count else None
                text = as_text(freeze(self._ev(inner, env))) if inner is not None else None
                if text is None:
                    raise _AbortError
                parts.append(text)
            else:
                text = as_text(self.resolver.evaluate(child)) if child.type != "string_fragment" else None
                parts.append(self.resolver.text(child) if text is None else text)
        return clip("".join(parts))

    def _key(self, node: Node, env: dict[str, Slot]) -> Value:
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            return Str(self.resolver.text(prop)) if prop is not None else UNKNOWN
        index = node.child_by_field_name("index")
        return freeze(self._ev(index, env)) if index is not None else UNKNOWN

    def _member(self, obj: Slot, key: Value) -> Slot:
        if isinstance(obj, MutArr):
            if isinstance(key, Str) and key.value == "length":
                return Num(float(len(obj.items)))
            number = to_number(key)
            if number is None or math.isnan(number):
                raise _AbortError
            i = int(number)
            return obj.items[i] if 0 <= i < len(obj.items) else UNKNOWN
        if isinstance(obj, Closure | Returns):
            raise _AbortError
        if isinstance(obj, Str | Arr) and isinstance(key, Num):
            return index_of(obj, key)
        name = as_text(key)
        return member(obj, name) if name is not None else UNKNOWN

    def _set(self, target: Node, value: Slot, env: dict[str, Slot]) -> None:
        target = strip_transparent(target)
        if target.type == "identifier":
            name = self.resolver.text(target)
            if name not in env:
                raise _AbortError  # writes outside the function: not pure
            env[name] = value
            return
        if target.type == "subscript_expression":
            obj_node = target.child_by_field_name("object")
            obj = self._ev(obj_node, env) if obj_node is not None else UNKNOWN
            number = to_number(self._key(target, env))
            if isinstance(obj, MutArr) and number is not None and 0 <= number < MAX_ARRAY:
                i = int(number)
                obj.items.extend([UNKNOWN] * (i + 1 - len(obj.items)))
                obj.items[i] = freeze(value)
                return
        raise _AbortError

    def _assign(self, node: Node, env: dict[str, Slot]) -> Slot:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            raise _AbortError
        value = self._ev(right, env)
        self._set(left, value, env)
        return value

    def _augmented(self, node: Node, env: dict[str, Slot]) -> Slot:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        op = node.child_by_field_name("operator")
        if left is None or right is None or op is None:
            raise _AbortError
        value = self._apply(
            op.type.removesuffix("="), freeze(self._ev(left, env)), freeze(self._ev(right, env))
        )
        self._set(left, value, env)
        return value

    def _update(self, node: Node, env: dict[str, Slot]) -> Slot:
        target = node.child_by_field_name("argument")
        op = node.child_by_field_name("operator")
        if target is None or op is None:
            raise _AbortError
        old = to_number(freeze(self._ev(target, env)))
        if old is None:
            raise _AbortError
        new = Num(old + 1 if op.type == "++" else old - 1)
        self._set(target, new, env)
        prefix = node.children[0].type in {"++", "--"}
        return new if prefix else Num(old)

    def _binary(self, node: Node, env: dict[str, Slot]) -> Slot:
        left_node, right_node = node.child_by_field_name("left"), node.child_by_field_name("right")
        op_node = node.child_by_field_name("operator")
        if left_node is None or right_node is None or op_node is None:
            raise _AbortError
        op = op_node.type
        left = self._ev(left_node, env)
        if op == "&&":
            return self._ev(right_node, env) if _truthy(left) else left
        if op == "||":
            return left if _truthy(left) else self._ev(right_node, env)
        return self._apply(op, freeze(left), freeze(self._ev(right_node, env)))

    def _apply(self, op: str, a: Value, b: Value) -> Value:
        if isinstance(a, Unknown) or isinstance(b, Unknown):
            raise _AbortError
        if op == "+":
            joined = plus(a, b)
            if joined is None:
                raise _AbortError
            return joined
        if op in {"===", "=="}:
            return Num(1.0 if _js_equal(a, b) else 0.0)
        if op in {"!==", "!="}:
            return Num(0.0 if _js_equal(a, b) else 1.0)
        if op in _COMPARE:
            if isinstance(a, Str) and isinstance(b, Str):
                return Num(1.0 if _COMPARE[op](a.value, b.value) else 0.0)
            x_num, y_num = to_number(a), to_number(b)
            if x_num is None or y_num is None:
                raise _AbortError
            return Num(1.0 if _COMPARE[op](x_num, y_num) else 0.0)
        if op == ">>>":
            x_num, y_num = to_number(a), to_number(b)
            if x_num is None or y_num is None:
                raise _AbortError
            return Num(float((int(x_num) & 0xFFFFFFFF) >> (int(y_num) & 31)))
        fold = ARITHMETIC.get(op)
        x_num, y_num = to_number(a), to_number(b)
        if fold is None or x_num is None or y_num is None:
            raise _AbortError
        if math.isnan(x_num) or math.isnan(y_num):
            if op in {"-", "*", "/", "%"}:
                return Num(math.nan)  # parseInt of a wrong entry, while a checksum rotation searches
            raise _AbortError
        result = fold(x_num, y_num)
        if isinstance(result, Unknown):
            raise _AbortError
        return _int32(op, result)

    def _unary(self, node: Node, env: dict[str, Slot]) -> Slot:
        op = node.child_by_field_name("operator")
        arg = node.child_by_field_name("argument")
        if op is None or arg is None:
            raise _AbortError
        value = self._ev(arg, env)
        if op.type == "!":
            return Num(0.0 if _truthy(value) else 1.0)
        number = to_number(freeze(value))
        if number is None or (math.isnan(number) and op.type == "~"):
            raise _AbortError
        if op.type == "-":
            return Num(-number)
        if op.type == "+":
            return Num(number)
        if op.type == "~":
            return Num(float(_signed32(~int(number))))
        raise _AbortError

    def _call(self, node: Node, env: dict[str, Slot]) -> Slot:
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        args_node = node.child_by_field_name("arguments")
        if callee is None or (args_node is not None and args_node.type != "arguments"):
            raise _AbortError
        arg_nodes = (
            [c for c in args_node.named_children if c.type != "comment"] if args_node is not None else []
        )
        callee = strip_transparent(callee)
        if callee.type in {"member_expression", "subscript_expression"}:
            obj_node = callee.child_by_field_name("object")
            if obj_node is None:
                raise _AbortError
            obj = self._ev(obj_node, env)
            name = as_text(self._key(callee, env))
            if name is None:
                raise _AbortError
            args = [self._ev(a, env) for a in arg_nodes]
            if isinstance(obj, MutArr):
                return self._array_method(obj, name, args)
            if isinstance(obj, Closure | Returns):
                raise _AbortError
            if isinstance(obj, Str | Arr | Bytes):
                if any(isinstance(a, Closure) for a in args):
                    raise _AbortError  # callbacks (map, replace with a function): not modelled here
                return method(obj, name, [freeze(a) for a in args])
            return self.resolver.call(member(obj, name), [freeze(a) for a in args], node)
        target = self._ev(callee, env)
        args = [self._ev(a, env) for a in arg_nodes]
        if isinstance(target, Returns):
            return target.value
        if isinstance(target, Closure):
            return self._invoke(target, args)
        if isinstance(target, MutArr | Returns):
            raise _AbortError
        frozen = [freeze(a) for a in args]
        if any(isinstance(a, Closure) for a in args):
            raise _AbortError
        return self.resolver.call(target, frozen, node)

    def _function(self, fn: Node) -> Slot:
        """A local function named in the interpreted code: a fixed string array while its rotation runs or
        once rotated, else a closure to run."""
        override = self.overrides.get(fn.id)
        if override is not None:
            return override
        params = fn.child_by_field_name("parameters")
        if params is not None and not params.named_child_count:
            array = self.resolver.function_array(fn)
            if array is not None:
                return Returns(MutArr(list(array.items)))
        return Closure(fn)

    def _array_method(self, obj: MutArr, name: str, args: list[Slot]) -> Slot:
        items = obj.items
        if name == "push":
            if len(items) + len(args) > MAX_ARRAY:
                raise _AbortError
            items.extend(freeze(a) for a in args)
            return Num(float(len(items)))
        if name == "shift":
            return items.pop(0) if items else UNKNOWN
        if name == "pop":
            return items.pop() if items else UNKNOWN
        if name == "unshift":
            if len(items) + len(args) > MAX_ARRAY:
                raise _AbortError
            items[0:0] = [freeze(a) for a in args]
            return Num(float(len(items)))
        if any(isinstance(a, Closure) for a in args):
            raise _AbortError
        return method(Arr(tuple(items)), name, [freeze(a) for a in args])


def _code_bytes(fn: Node) -> int:
    """A function's size without the array literals its top-level declarations hold (data, not code)."""
    size = fn.end_byte - fn.start_byte
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return size
    for stmt in body.named_children:
        if stmt.type in {"variable_declaration", "lexical_declaration"}:
            for declarator in stmt.named_children:
                value = declarator.child_by_field_name("value")
                if value is not None and value.type == "array":
                    size -= value.end_byte - value.start_byte
    return size


def _signed32(n: int) -> int:
    n &= 0xFFFFFFFF
    return n - (1 << 32) if n & 0x80000000 else n


def _int32(op: str, value: Value) -> Value:
    """Bitwise operators give signed 32-bit results in JavaScript."""
    if op in {"^", "|", "&", "<<", ">>"} and isinstance(value, Num):
        return Num(float(_signed32(int(value.value))))
    return value
