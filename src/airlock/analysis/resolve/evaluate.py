"""The folding evaluator: `Resolver.evaluate(node)` computes the abstract value of an expression.

It sees through string concatenation, template literals, escapes, local constants and small local helper
functions (inlined), aliases of `require` and of the global object, `.call`/`.apply`/`.bind`, and code built
from strings (`eval`, `Function`), which it hands to `on_code` to be analysed as code. What builtins do to
values is looked up in the tables of `builtins` and `methods`; names are resolved by `scopes`. Every
expression evaluated costs one step of the file's budget (`steps.Steps`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from tree_sitter import Node

from airlock.analysis.resolve.builtins import (
    ARITHMETIC,
    BUILTIN_CALLS,
    GLOBAL_FUNCTIONS,
    WRAPPER_PARAMETERS,
    global_named,
    import_value,
    member,
    require_value,
)
from airlock.analysis.resolve.interpret import Interpreter, MutArr, Returns, Slot, to_number
from airlock.analysis.resolve.methods import method
from airlock.analysis.resolve.obfuscator import accessor_value, rotation_calls
from airlock.analysis.resolve.scopes import Binding, Scopes
from airlock.analysis.resolve.steps import Steps
from airlock.analysis.resolve.syntax import (
    INLINE_FUNCTION_TYPES,
    INTEROP_HELPER,
    TRANSPARENT,
    decode_escape,
    first_named,
    parse_number,
    pattern_identifiers,
    strip_transparent,
)
from airlock.analysis.resolve.values import (
    GLOBAL_OBJECT,
    MAX_ARRAY,
    UNKNOWN,
    Applied,
    Arr,
    Bytes,
    Code,
    Num,
    Promised,
    Ref,
    Space,
    Str,
    Unknown,
    Value,
    as_text,
    clip,
    index_of,
    plus,
)

MAX_DEPTH = 60
"""How many expressions may be under evaluation at once (nesting and recursion through bindings)."""

Env = dict[str, Value] | None
"""Values of a helper's parameters (and `this`) while its body is inlined; None outside any inlining."""

CodeHandler = Callable[[str, Node], Value]
"""Called with code that `eval`/`Function` would compile; returns the completion value of that code."""


class Resolver(Scopes):
    """Evaluates expressions of one parsed file. Caches scope tables and results per node."""

    def __init__(self, source: bytes, root: Node, steps: Steps, on_code: CodeHandler | None = None) -> None:
        super().__init__(source, root, steps)
        self.on_code = on_code
        self._values: dict[int, Value] = {}
        self._active: set[int] = set()
        self._mutations: dict[int, bool] = {}
        self.top_level_this: Value = UNKNOWN
        """What `this` means outside any function (module.exports in CommonJS; the global in eval'd code)."""
        self.interpreter = Interpreter(self)
        self._interpreted: dict[tuple[int, tuple[Value, ...]], Value] = {}
        self._rotated: dict[int, Value] = {}
        self._function_arrays: dict[int, Arr | None] = {}
        self._rotates = b"shift" in source
        """Whether anything in the file could rotate an array (javascript-obfuscator's string array)."""

    def property_name(self, node: Node) -> str | None:
        """The static name accessed by a member or subscript expression, if it folds to a constant."""
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            return self.text(prop) if prop is not None else None
        if node.type == "subscript_expression":
            index = node.child_by_field_name("index")
            if index is None:
                return None
            return as_text(self.evaluate(index))
        return None

    # ---- evaluation ---------------------------------------------------------------------------
    def evaluate(self, node: Node, env: Env = None) -> Value:
        if env is None:
            cached = self._values.get(node.id)
            if cached is not None:
                return cached
        if node.id in self._active or len(self._active) > MAX_DEPTH:
            return UNKNOWN
        self.steps.tick()
        self._active.add(node.id)
        try:
            value = self._evaluate(node, env)
        except (RecursionError, MemoryError, OverflowError, ValueError):
            value = UNKNOWN  # ValueError: int() of a NaN or an infinity somewhere in a fold
        finally:
            self._active.discard(node.id)
        if env is None:
            self._values[node.id] = value
        return value

    def _evaluate(self, node: Node, env: Env) -> Value:
        fold = _NODE_FOLDERS.get(node.type)
        return fold(self, node, env) if fold is not None else UNKNOWN

    # ---- one folder per expression type (see _NODE_FOLDERS) ------------------------------------------
    def _number(self, node: Node, env: Env) -> Value:
        number = parse_number(self.text(node))
        return UNKNOWN if number is None else Num(number)

    def _identifier(self, node: Node, env: Env) -> Value:
        return self.identifier(node, env)

    def _transparent(self, node: Node, env: Env) -> Value:
        inner = first_named(node, skip_types=True)
        return self.evaluate(inner, env) if inner is not None else UNKNOWN

    def _sequence(self, node: Node, env: Env) -> Value:
        inner = node.named_children[-1] if node.named_child_count else None
        return self.evaluate(inner, env) if inner is not None else UNKNOWN

    def _await(self, node: Node, env: Env) -> Value:
        inner = node.named_children[0] if node.named_child_count else None
        value = self.evaluate(inner, env) if inner is not None else UNKNOWN
        return value.value if isinstance(value, Promised) else value

    def _member(self, node: Node, env: Env) -> Value:
        obj_node = node.child_by_field_name("object")
        if obj_node is None:
            return UNKNOWN
        obj = self.evaluate(obj_node, env)
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            name = self.text(prop) if prop is not None else None
        else:
            index = node.child_by_field_name("index")
            key = self.evaluate(index, env) if index is not None else UNKNOWN
            if isinstance(obj, Arr | Str) and isinstance(key, Num):
                return index_of(obj, key)
            name = as_text(key)
        return member(obj, name) if name is not None else UNKNOWN

    def _assignment(self, node: Node, env: Env) -> Value:
        right = node.child_by_field_name("right")
        return self.evaluate(right, env) if right is not None else UNKNOWN

    def _ternary(self, node: Node, env: Env) -> Value:
        consequence = node.child_by_field_name("consequence")
        alternative = node.child_by_field_name("alternative")
        if consequence is None or alternative is None:
            return UNKNOWN
        a = self.evaluate(consequence, env)
        return a if a == self.evaluate(alternative, env) else UNKNOWN

    def _this(self, node: Node, env: Env) -> Value:
        if env is not None and "this" in env:
            return env["this"]
        return self.top_level_this if not self.inside_function(node) else UNKNOWN

    def identifier(self, node: Node, env: Env = None) -> Value:
        name = self.text(node)
        if env is not None and name in env:
            return env[name]
        if name == "undefined":
            return UNKNOWN
        binding = self.lookup(node)
        if binding is None or (binding.parameter and name in WRAPPER_PARAMETERS):
            return global_named(name)
        return self.binding_value(binding)

    def binding_value(self, binding: Binding) -> Value:
        if binding.specifier is not None:
            return import_value(binding.specifier, binding.imported)
        if binding.value is None:
            return UNKNOWN
        value = self.evaluate(binding.value)
        if binding.key is not None:
            return member(value, binding.key)
        if isinstance(value, Arr) and self._rotates:
            value = self._after_rotation(binding, value)
        if isinstance(value, Str | Num | Arr | Bytes) and self._mutated(binding):
            # `let s = ''; s += 'child_'; …` : the initialiser is not the value at the use.
            return UNKNOWN
        return value

    def _after_rotation(self, binding: Binding, value: Arr) -> Value:
        """javascript-obfuscator's string array as its rotation IIFE leaves it: `(function(a, n){ … a.push(
        a.shift()) … })(arr, 0x1f3)` is run on the constant array (bounded; see `interpret`). An array handed
        to such a function that cannot be run is UNKNOWN: its stored order is not the order it is used in."""
        cached = self._rotated.get(binding.identity)
        if cached is not None:
            return cached
        result: Value = value
        self._rotated[binding.identity] = value  # guards recursion through the rotation itself
        for fn, args, position in rotation_calls(self, binding):
            rotated = MutArr(list(value.items))
            slots: list[Slot] = [rotated if i == position else self.evaluate(a) for i, a in enumerate(args)]
            if not self.interpreter.run_with(fn, slots):
                result = UNKNOWN
                break
            result = value = Arr(tuple(rotated.items))
        self._rotated[binding.identity] = result
        return result

    def _mutated(self, binding: Binding) -> bool:
        """Whether the variable is assigned or mutated anywhere in its scope besides its declaration."""
        cached = self._mutations.get(binding.identity)
        if cached is not None:
            return cached
        scope = self.scope_of(binding)
        name = re.escape(binding.name.encode())
        pattern = re.compile(
            rb"(?<![\w$.])" + name + rb"\s*(?:(?:[-+*/%&|^]|<<|>>>?|\*\*|\?\?|&&|\|\|)?=(?!=)|\+\+|--)"
            rb"|(?:\+\+|--)\s*" + name + rb"(?![\w$])"
            rb"|(?<![\w$.])"
            + name
            + rb"\s*(?:\.\s*(?:push|unshift|splice|reverse|sort|fill|concat)\s*\(|\[[^\]]*\]\s*=(?!=))"
        )
        site = binding.site
        mutated = False
        self.steps.search(scope.end_byte - scope.start_byte)
        for match in pattern.finditer(self.source, scope.start_byte, scope.end_byte):
            self.steps.tick()
            if site.start_byte <= match.start() < site.end_byte:
                continue
            node = self.root.descendant_for_byte_range(match.start(), match.start() + len(binding.name))
            found = self.lookup(node) if node is not None and node.type == "identifier" else None
            if found is not None and found.identity == binding.identity:
                mutated = True
                break
        self._mutations[binding.identity] = mutated
        return mutated

    def _string(self, node: Node, env: Env) -> Value:
        raw = self.source[node.start_byte + 1 : node.end_byte - 1]
        if b"\\" not in raw:
            return clip(raw.decode("utf-8", "replace"))
        parts: list[str] = []
        for child in node.children:
            if child.type == "string_fragment":
                parts.append(self.text(child))
            elif child.type == "escape_sequence":
                parts.append(decode_escape(self.text(child)))
        return clip("".join(parts))

    def _template(self, node: Node, env: Env) -> Value:
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(self.text(child))
            elif child.type == "escape_sequence":
                parts.append(decode_escape(self.text(child)))
            elif child.type == "template_substitution":
                inner = child.named_children[0] if child.named_child_count else None
                text = as_text(self.evaluate(inner, env)) if inner is not None else None
                if text is None:
                    return UNKNOWN
                parts.append(text)
        return clip("".join(parts))

    def _binary(self, node: Node, env: Env) -> Value:
        left_node = node.child_by_field_name("left")
        right_node = node.child_by_field_name("right")
        op_node = node.child_by_field_name("operator")
        if left_node is None or right_node is None or op_node is None:
            return UNKNOWN
        op = op_node.type
        if op in {"||", "??"}:
            left = self.evaluate(left_node, env)
            return left if isinstance(left, Ref) else UNKNOWN
        if op != "+" and op not in ARITHMETIC:
            return UNKNOWN
        left = self.evaluate(left_node, env)
        if isinstance(left, Unknown):
            return UNKNOWN
        right = self.evaluate(right_node, env)
        if op == "+":
            joined = plus(left, right)
            return UNKNOWN if joined is None else joined
        x, y = to_number(left), to_number(right)
        if x is None or y is None or math.isnan(x) or math.isnan(y):
            return UNKNOWN
        try:
            return ARITHMETIC[op](x, y)
        except (OverflowError, ValueError):
            return UNKNOWN

    def _array(self, node: Node, env: Env) -> Value:
        items: list[Value] = []
        for child in node.named_children:
            if child.type == "spread_element":
                inner = child.named_children[0] if child.named_child_count else None
                value = self.evaluate(inner, env) if inner is not None else UNKNOWN
                if isinstance(value, Arr):
                    items.extend(value.items)
                elif isinstance(value, Str):
                    items.extend(Str(c) for c in value.value)
                else:
                    return UNKNOWN
            elif child.type != "comment":
                items.append(self.evaluate(child, env))
            if len(items) > MAX_ARRAY:
                return UNKNOWN
        return Arr(tuple(items))

    def arguments(self, call: Node, env: Env = None) -> list[Value]:
        args = call.child_by_field_name("arguments")
        if args is None:
            return []
        if args.type == "template_string":  # tagged template: fn`...`
            return [self.evaluate(args, env)]
        values: list[Value] = []
        for child in args.named_children:
            if child.type == "comment":
                continue
            if child.type == "spread_element":
                inner = child.named_children[0] if child.named_child_count else None
                value = self.evaluate(inner, env) if inner is not None else UNKNOWN
                if isinstance(value, Arr):
                    values.extend(value.items)
                    continue
                values.append(UNKNOWN)
                continue
            values.append(self.evaluate(child, env))
        return values

    def _call(self, node: Node, env: Env) -> Value:
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        if callee is None:
            return UNKNOWN
        if callee.type == "import":
            args = self.arguments(node, env)
            return Promised(require_value(args[0])) if args else UNKNOWN
        inner_callee = strip_transparent(callee)
        if inner_callee.type in {"member_expression", "subscript_expression"}:
            obj_node = inner_callee.child_by_field_name("object")
            name = self.property_name(inner_callee)
            if obj_node is not None and name is not None:
                obj = self.evaluate(obj_node, env)
                if isinstance(obj, Str | Arr | Bytes):
                    return self._method(obj, name, node, env)
                if INTEROP_HELPER.match(name):
                    args = self.arguments(node, env)
                    return args[0] if args else UNKNOWN
                return self.call(member(obj, name), self.arguments(node, env), node)
        if inner_callee.type == "identifier":
            if INTEROP_HELPER.match(self.text(inner_callee)):
                args = self.arguments(node, env)
                return args[0] if args else UNKNOWN
            local = self._local_function(inner_callee, env)
            if local is not None:
                return self._inline(local, self.arguments(node, env))
        elif inner_callee.type in INLINE_FUNCTION_TYPES:
            return self._inline(inner_callee, self.arguments(node, env))
        return self.call(self.evaluate(callee, env), self.arguments(node, env), node)

    def local_function(self, ident: Node) -> Node | None:
        """The function a local name is declared as, if it is one (for the interpreter)."""
        return self._local_function(ident, None)

    def _local_function(self, ident: Node, env: Env) -> Node | None:
        """The function a local name is declared as (`function e(x){…}` or `const e = x => …`), through
        up to two aliases (`const _0x12ab = _0x3f2e;`, as obfuscators write before every use)."""
        for _ in range(3):
            if env is not None and self.text(ident) in env:
                return None
            binding = self.lookup(ident)
            if binding is None or binding.parameter:
                return None
            site_parent = self.parent(binding.site)
            if (
                site_parent is not None
                and site_parent.type == "function_declaration"
                and binding.value is None
            ):
                return site_parent
            if binding.value is None or binding.key is not None:
                return None
            if binding.value.type in INLINE_FUNCTION_TYPES:
                return binding.value
            if binding.value.type != "identifier":
                return None
            ident = binding.value
        return None

    def function_array(self, fn: Node) -> Arr | None:
        """What a parameterless function returns when that is a constant array (javascript-obfuscator's
        string-array function), after the rotations that receive the function; None otherwise."""
        if fn.id in self._function_arrays:
            return self._function_arrays[fn.id]
        self._function_arrays[fn.id] = None  # guards recursion while it is computed
        name = fn.child_by_field_name("name")
        binding = self.lookup(name) if name is not None and fn.type == "function_declaration" else None
        value = self.interpreter.call(fn, [])
        if not isinstance(value, Arr) or binding is None:
            return None
        result: Arr | None = value
        if self._rotates:
            for rotation, args, position in rotation_calls(self, binding):
                shared = MutArr(list(value.items))
                self.interpreter.overrides[fn.id] = Returns(shared)
                try:
                    slots: list[Slot] = [
                        Returns(shared) if i == position else self.evaluate(a) for i, a in enumerate(args)
                    ]
                    ran = self.interpreter.run_with(rotation, slots)
                finally:
                    del self.interpreter.overrides[fn.id]
                if not ran:
                    result = None
                    break
                result = value = Arr(tuple(shared.items))
        self._function_arrays[fn.id] = result
        return result

    def _inline(self, fn: Node, args: list[Value]) -> Value:
        """Fold a call to a small local helper (a decoder, typically) whose body is one `return expr`."""
        body = fn.child_by_field_name("body")
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        if body is None or fn.id in self._active:
            return UNKNOWN
        if body.type == "statement_block":
            statements = [c for c in body.named_children if c.type != "comment"]
            if (
                len(statements) != 1
                or statements[0].type != "return_statement"
                or not statements[0].named_child_count
            ):
                return self._interpret(fn, args)
            body = statements[0].named_children[0]
        names: list[str] = []
        if params is not None:
            if params.type == "identifier":
                names = [self.text(params)]
            else:
                for p in params.named_children:
                    if p.type == "identifier":
                        names.append(self.text(p))
                    elif p.type in {"required_parameter", "optional_parameter"}:
                        pattern = p.child_by_field_name("pattern")
                        names.append(self.text(pattern) if pattern is not None else "")
                    else:
                        return UNKNOWN  # defaults, rest, destructuring: not worth modelling
        env = {name: (args[i] if i < len(args) else UNKNOWN) for i, name in enumerate(names)}
        if fn.type != "arrow_function":
            env["this"] = (
                GLOBAL_OBJECT  # a plain call of a sloppy-mode function: `(function(){return this})()`
            )
        self._active.add(fn.id)
        try:
            return self.evaluate(body, env)
        finally:
            self._active.discard(fn.id)

    def _interpret(self, fn: Node, args: list[Value]) -> Value:
        """A helper with a statement body (a decoder loop, an obfuscator accessor), run on constant
        arguments by the bounded interpreter; at least one argument must be known."""
        params = fn.child_by_field_name("parameters")
        if not args and params is not None and not params.named_child_count:
            array = self.function_array(fn)
            return array if array is not None else UNKNOWN
        if not args or all(isinstance(a, Unknown) for a in args):
            return UNKNOWN
        key = (fn.id, tuple(args))
        cached = self._interpreted.get(key)
        if cached is not None:
            return cached
        self._interpreted[key] = UNKNOWN
        self._active.add(fn.id)
        try:
            value = accessor_value(self, fn, args)
            if isinstance(value, Unknown):
                value = self.interpreter.call(fn, list(args))
        finally:
            self._active.discard(fn.id)
        self._interpreted[key] = value
        return value

    def call(self, fn: Value, args: list[Value], site: Node) -> Value:
        """The value of calling `fn` (a folded callee) with folded `args`."""
        if isinstance(fn, Applied):
            if fn.mode == "call":
                return self.call(fn.target, args[1:], site)
            if fn.mode == "apply":
                spread = args[1] if len(args) > 1 else Arr(())
                return self.call(
                    fn.target, list(spread.items) if isinstance(spread, Arr) else [UNKNOWN], site
                )
            return fn.target  # bind returns the same function (for our purposes)
        if isinstance(fn, Code):
            return self._run_code(f"(function(){{{fn.source}\n}})()", site, function_body=fn.source)
        if not isinstance(fn, Ref):
            return UNKNOWN
        if fn.space is Space.REQUIRE:
            return require_value(args[0]) if args else UNKNOWN
        if fn.space is Space.BUILTIN:
            return BUILTIN_CALLS.get(fn.path, UNKNOWN)
        path = fn.path
        if path in {"process.binding", "process._linkedBinding"} and args:
            # An internal binding by name (`process.binding('spawn_sync')`): its methods are followed like a
            # module's, so a spawn through it is seen as one.
            name = as_text(args[0])
            return (
                Ref(Space.GLOBAL, f"process.binding.{name}")
                if name is not None and name.isidentifier()
                else UNKNOWN
            )
        if path == "eval":
            code = as_text(args[0]) if args else None
            return self._run_code(code, site) if code is not None else UNKNOWN
        if path == "Function":
            body = as_text(args[-1]) if args else ""
            return Code(body) if body is not None else UNKNOWN
        fold = GLOBAL_FUNCTIONS.get(path)
        return fold(args) if fold is not None else UNKNOWN

    def _run_code(self, code: str | None, site: Node, *, function_body: str | None = None) -> Value:
        if code is None or self.on_code is None:
            return UNKNOWN
        return self.on_code(function_body if function_body is not None else code, site)

    def _method(self, obj: Str | Arr | Bytes, name: str, node: Node, env: Env) -> Value:
        if name == "map" and isinstance(obj, Arr):
            return self._map(obj, node, env)
        args = self.arguments(node, env)
        return method(obj, name, args)

    def _map(self, obj: Arr, node: Node, env: Env) -> Value:
        args_node = node.child_by_field_name("arguments")
        fn = args_node.named_children[0] if args_node is not None and args_node.named_child_count else None
        if fn is None:
            return UNKNOWN
        if fn.type in {"arrow_function", "function_expression", "function"}:
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
            names = [self.text(i) for i in pattern_identifiers(params)] if params is not None else []
            body = fn.child_by_field_name("body")
            if body is None or not names:
                return UNKNOWN
            if body.type == "statement_block":
                returns = [c for c in body.named_children if c.type == "return_statement"]
                if len(returns) != 1 or not returns[0].named_child_count:
                    return UNKNOWN
                body = returns[0].named_children[0]
            out: list[Value] = []
            for i, item in enumerate(obj.items):
                scope = dict(env or {})
                scope[names[0]] = item
                if len(names) > 1:
                    scope[names[1]] = Num(float(i))
                out.append(self.evaluate(body, scope))
            return Arr(tuple(out))
        callee = self.evaluate(fn, env)
        return Arr(tuple(self.call(callee, [item], node) for item in obj.items))


_NodeFolder = Callable[[Resolver, Node, Env], Value]
# Expression node type → how it folds. A type not listed folds to UNKNOWN.
_NODE_FOLDERS: dict[str, _NodeFolder] = {
    "string": Resolver._string,
    "template_string": Resolver._template,
    "number": Resolver._number,
    "identifier": Resolver._identifier,
    **dict.fromkeys(TRANSPARENT, Resolver._transparent),
    "sequence_expression": Resolver._sequence,
    "await_expression": Resolver._await,
    "binary_expression": Resolver._binary,
    "array": Resolver._array,
    "member_expression": Resolver._member,
    "subscript_expression": Resolver._member,
    "call_expression": Resolver._call,
    "new_expression": Resolver._call,
    "assignment_expression": Resolver._assignment,
    "ternary_expression": Resolver._ternary,
    "this": Resolver._this,
}
