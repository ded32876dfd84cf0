"""What JavaScript's globals and Node's builtins do to folded values, as tables: member access on the
global object, `require` and builtin modules; calls of global functions (`String.fromCharCode`, `atob`,
`Buffer.from`, `Reflect.get`, …) and of builtin functions (`module.createRequire`); arithmetic operators.

Everything here is a pure function of values. What needs the evaluator (`eval`, `Function`, inlining local
helpers, `Array.prototype.map`) lives in `evaluate`.
"""

from __future__ import annotations

import base64
import math
import re
import urllib.parse
from collections.abc import Callable

from airlock.analysis.resolve.methods import b64decode, buffer_from
from airlock.analysis.resolve.values import (
    GLOBAL_OBJECT,
    REQUIRE,
    UNKNOWN,
    AnyConstructor,
    Applied,
    Arr,
    Code,
    Imported,
    Num,
    Promised,
    Ref,
    Space,
    Str,
    Value,
    as_text,
    clip,
    index_of,
)
from airlock.analysis.vocabulary import GLOBAL_OBJECT_NAMES, POWERFUL_GLOBALS, builtin_name

GlobalFunction = Callable[[list[Value]], Value]
Arithmetic = Callable[[float, float], Value]

# Globals without authority of their own that the resolver folds (decoders, `Reflect.get`, timers' code).
FOLDED_GLOBALS = frozenset(
    {
        "String",
        "Buffer",
        "atob",
        "btoa",
        "decodeURIComponent",
        "decodeURI",
        "unescape",
        "Reflect",
        "Array",
        "Object",
        "parseInt",
        "JSON",
        "setTimeout",
        "setInterval",
    }
)
# Free identifiers we give meaning to when no local declaration binds them.
KNOWN_GLOBALS = frozenset(g.root for g in POWERFUL_GLOBALS) | {"module"} | FOLDED_GLOBALS
# Bundlers wrap modules as `function (require, module, exports)`: a parameter with one of these names
# still denotes the real thing.
WRAPPER_PARAMETERS = frozenset({"require", "module", "process", "global"})
# Globals whose `.call` / `.apply` / `.bind` we follow to the call they make.
CALLABLE_GLOBALS = frozenset({"eval", "Function", "String.fromCharCode", "Reflect.get"})


# ---- names and modules -----------------------------------------------------------------------------


def global_named(name: str) -> Value:
    """The value of a free identifier: the global object, `require`, a known global, or UNKNOWN."""
    if name in GLOBAL_OBJECT_NAMES:
        return GLOBAL_OBJECT
    if name == "require":
        return REQUIRE
    if name in KNOWN_GLOBALS:
        return Ref(Space.GLOBAL, name)
    return UNKNOWN


def require_value(arg: Value) -> Value:
    """What `require(arg)` returns: a builtin module, a non-builtin `Imported`, or UNKNOWN."""
    spec = as_text(arg)
    if spec is None:
        return UNKNOWN
    builtin = builtin_name(spec)
    if builtin is not None:
        return Ref(Space.BUILTIN, builtin)
    return Imported(spec)


def import_value(specifier: str | None, imported: str | None) -> Value:
    """What an ES import binds (`imported` is '*' for a namespace or default import)."""
    if specifier is None:
        return UNKNOWN
    module = require_value(Str(specifier))
    if isinstance(module, Ref) and imported not in {None, "*"}:
        return module.member(imported or "")
    return module


# ---- member access ---------------------------------------------------------------------------------

# (module path, property) → what reading it gives, where that is not just the longer path.
_BUILTIN_MEMBERS: dict[tuple[str, str], Value] = {
    ("module", "_load"): REQUIRE,
    ("module.prototype", "require"): REQUIRE,
    ("module.Module.prototype", "require"): REQUIRE,
}
# (global path, property) → what reading it gives, where that is not just the longer path.
_GLOBAL_MEMBERS: dict[tuple[str, str], Value] = {
    ("process.mainModule", "require"): REQUIRE,
    ("module", "require"): REQUIRE,
    ("process.mainModule", "constructor"): Ref(Space.GLOBAL, "module.constructor"),
    ("module", "constructor"): Ref(Space.GLOBAL, "module.constructor"),
    ("module.constructor", "_load"): REQUIRE,
    ("module.constructor", "prototype"): Ref(Space.GLOBAL, "module"),
    ("Function", "constructor"): Ref(Space.GLOBAL, "Function"),
}


def member(obj: Value, name: str) -> Value:
    """`obj[name]` for a folded object and a constant property name."""
    if isinstance(obj, Ref):
        return _ref_member(obj, name)
    if isinstance(obj, Str):
        if name == "length":
            return Num(float(len(obj.value)))
        if name.isdigit():
            return index_of(obj, Num(float(name)))
        return UNKNOWN
    if isinstance(obj, Arr):
        if name == "length":
            return Num(float(len(obj.items)))
        if name.isdigit():
            return index_of(obj, Num(float(name)))
        return UNKNOWN
    if name == "constructor":
        return Ref(Space.GLOBAL, "Function") if isinstance(obj, AnyConstructor | Code) else AnyConstructor()
    if isinstance(obj, Code | Promised) and name in {"call", "apply", "bind"}:
        return Applied(obj, name)
    return UNKNOWN


def _ref_member(ref: Ref, name: str) -> Value:
    if name in {"call", "apply", "bind"} and (ref.space is Space.REQUIRE or ref.path in CALLABLE_GLOBALS):
        return Applied(ref, name)
    if ref.space is Space.REQUIRE:
        return Ref(Space.GLOBAL, "module") if name == "main" else UNKNOWN
    if ref.space is Space.BUILTIN:
        if name == "default":
            return ref
        special = _BUILTIN_MEMBERS.get((ref.path, name))
        return special if special is not None else ref.member(name)
    if not ref.path:  # the global object itself
        if name in GLOBAL_OBJECT_NAMES:
            return ref
        if name == "require":
            return REQUIRE
        return Ref(Space.GLOBAL, name)
    special = _GLOBAL_MEMBERS.get((ref.path, name))
    if special is not None:
        return special
    if name == "constructor":
        return AnyConstructor()
    return ref.member(name)


# ---- calls -------------------------------------------------------------------------------------------

# Builtin functions whose result we model; any other builtin call folds to UNKNOWN.
BUILTIN_CALLS: dict[str, Value] = {
    "module.createRequire": REQUIRE,
    "module.createRequireFromPath": REQUIRE,
    "module.Module.createRequire": REQUIRE,
    "module": Ref(Space.GLOBAL, "module"),  # new Module(): a module object
    "module.Module": Ref(Space.GLOBAL, "module"),
}


def _from_char_codes(mask: int) -> GlobalFunction:
    """`String.fromCharCode` (code units, mask 0xFFFF) or `String.fromCodePoint` (mask 0x10FFFF)."""

    def fold(args: list[Value]) -> Value:
        codes: list[str] = []
        for a in args:
            if not isinstance(a, Num):
                return UNKNOWN
            try:
                codes.append(chr(int(a.value) & mask))
            except (ValueError, OverflowError):
                return UNKNOWN
        return clip("".join(codes))

    return fold


def _string(args: list[Value]) -> Value:
    text = as_text(args[0]) if args else ""
    return clip(text) if text is not None else UNKNOWN


def _atob(args: list[Value]) -> Value:
    text = as_text(args[0]) if args else None
    data = b64decode(text) if text is not None else None
    return Str(data.decode("latin-1")) if data is not None else UNKNOWN


def _btoa(args: list[Value]) -> Value:
    text = as_text(args[0]) if args else None
    if text is None:
        return UNKNOWN
    return Str(base64.b64encode(text.encode("latin-1", "replace")).decode())


def _uri_decode(args: list[Value]) -> Value:
    text = as_text(args[0]) if args else None
    return clip(urllib.parse.unquote(text)) if text is not None else UNKNOWN


def _reflect_get(args: list[Value]) -> Value:
    if len(args) < 2:
        return UNKNOWN
    name = as_text(args[1])
    return member(args[0], name) if name is not None else UNKNOWN


def _returns(value: Value) -> GlobalFunction:
    return lambda args: value


def _get_builtin_module(args: list[Value]) -> Value:
    return require_value(args[0]) if args else UNKNOWN


def _parse_int(args: list[Value]) -> Value:
    """`parseInt(text[, radix])`: the leading integer, NaN when there is none (obfuscators' checksums)."""
    text = as_text(args[0]) if args else None
    radix = int(args[1].value) if len(args) > 1 and isinstance(args[1], Num) else 0
    if text is None:
        return Num(math.nan)
    match = _LEADING_INT.match(text)
    if match is None:
        return Num(math.nan)
    sign, prefix, digits = match.groups()
    base = radix or (16 if prefix else 10)
    if prefix and base != 16:
        digits = "0"
    valid = ""
    for ch in digits:
        if int(ch, 36) >= base:
            break
        valid += ch
    if not valid or not 2 <= base <= 36:
        return Num(math.nan)
    value = float(int(valid, base))
    return Num(-value if sign == "-" else value)


_LEADING_INT = re.compile(r"\s*([+-]?)(0[xX])?([0-9A-Za-z]*)")


# Global functions folded by value (`eval` and `Function` compile code: see `evaluate.Resolver.call`).
GLOBAL_FUNCTIONS: dict[str, GlobalFunction] = {
    "String.fromCharCode": _from_char_codes(0xFFFF),
    "String.fromCodePoint": _from_char_codes(0x10FFFF),
    "String": _string,
    "String.raw": _string,
    "atob": _atob,
    "btoa": _btoa,
    "decodeURIComponent": _uri_decode,
    "decodeURI": _uri_decode,
    "unescape": _uri_decode,
    "Buffer.from": buffer_from,
    "Buffer": buffer_from,
    "Reflect.get": _reflect_get,
    "parseInt": _parse_int,
    "Number.parseInt": _parse_int,
    "module.constructor": _returns(Ref(Space.GLOBAL, "module")),
    "module.constructor.Module": _returns(Ref(Space.GLOBAL, "module")),
    "module.constructor.createRequire": _returns(REQUIRE),
    "module.constructor.createRequireFromPath": _returns(REQUIRE),
    "process.getBuiltinModule": _get_builtin_module,
}


def _bitwise(op: Callable[[int, int], int]) -> Arithmetic:
    return lambda a, b: Num(float(op(int(a), int(b))))


# Numeric binary operators; `+` (which also concatenates) is folded by the evaluator. Callers catch
# OverflowError and ValueError (int() of an infinity or NaN) as UNKNOWN.
ARITHMETIC: dict[str, Arithmetic] = {
    "-": lambda a, b: Num(a - b),
    "*": lambda a, b: Num(a * b),
    "/": lambda a, b: Num(a / b) if b else UNKNOWN,
    "%": lambda a, b: Num(a % b) if b else UNKNOWN,
    "^": _bitwise(lambda a, b: a ^ b),
    "|": _bitwise(lambda a, b: a | b),
    "&": _bitwise(lambda a, b: a & b),
    "<<": _bitwise(lambda a, b: (a << (b & 31)) & 0xFFFFFFFF),
    ">>": _bitwise(lambda a, b: a >> (b & 31)),
}
