"""The abstract values the resolver folds expressions to, and JavaScript's string conversion of them.

A value is a constant (`Str`, `Num`, `Arr`, `Bytes`), a reference to something with authority (`Ref`: a
builtin module path, a global path, or `require`), a function built from a string (`Code`), a non-builtin
module (`Imported`), a promise (`Promised`), a call/apply/bind wrapper (`Applied`), or `UNKNOWN`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

MAX_STRING = 1 << 20
MAX_ARRAY = 1 << 16
MAX_PATH_SEGMENTS = 6


class Space(Enum):
    BUILTIN = "builtin"  # a Node builtin module or a member of one: 'fs', 'fs.promises.readFile'
    GLOBAL = "global"  # the global object ('') or a path under it: 'process.env', 'eval', 'String'
    REQUIRE = "require"  # a function that loads modules by name


@dataclass(frozen=True, slots=True)
class Str:
    value: str


@dataclass(frozen=True, slots=True)
class Num:
    value: float


@dataclass(frozen=True, slots=True)
class Arr:
    items: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Bytes:
    value: bytes


@dataclass(frozen=True, slots=True)
class Ref:
    space: Space
    path: str = ""

    def member(self, name: str) -> Ref:
        path = f"{self.path}.{name}" if self.path else name
        if path.count(".") >= MAX_PATH_SEGMENTS:
            return self
        return Ref(self.space, path)


@dataclass(frozen=True, slots=True)
class Code:
    """A function whose body is a known string: `Function('return this')`, `new Function('a', src)`."""

    source: str


@dataclass(frozen=True, slots=True)
class Imported:
    """A non-builtin module: `require('express')`, `import x from './lib'`."""

    specifier: str


@dataclass(frozen=True, slots=True)
class Promised:
    """The promise of a value, as `import('fs')` returns."""

    value: Value


@dataclass(frozen=True, slots=True)
class AnyConstructor:
    """`x.constructor` for an unknown x: its `.constructor` is `Function`."""


@dataclass(frozen=True, slots=True)
class Applied:
    """`f.call` / `f.apply` / `f.bind(thisArg)`: calling it calls `target` with shifted arguments."""

    target: Value
    mode: str


@dataclass(frozen=True, slots=True)
class Unknown:
    pass


Value = Str | Num | Arr | Bytes | Ref | Code | Imported | Promised | AnyConstructor | Applied | Unknown
UNKNOWN = Unknown()
REQUIRE = Ref(Space.REQUIRE)
GLOBAL_OBJECT = Ref(Space.GLOBAL)


def as_text(value: Value) -> str | None:
    """JavaScript's string conversion of a folded constant, when it is one."""
    if isinstance(value, Str):
        return value.value
    if isinstance(value, Num):
        v = value.value
        if math.isnan(v):  # parseInt of text, arithmetic on it
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return str(int(v)) if v == int(v) and abs(v) < 1e21 else repr(v)
    if isinstance(value, Arr):
        parts = [as_text(i) for i in value.items]
        if any(p is None for p in parts):
            return None
        return ",".join(p for p in parts if p is not None)
    return None


def clip(text: str) -> Str:
    """A string value, cut at MAX_STRING so hostile folding cannot grow without bound."""
    return Str(text[:MAX_STRING])


def index_of(obj: Str | Arr, key: Num) -> Value:
    i = int(key.value)
    if isinstance(obj, Str):
        return Str(obj.value[i]) if 0 <= i < len(obj.value) else UNKNOWN
    return obj.items[i] if 0 <= i < len(obj.items) else UNKNOWN


def plus(a: Value, b: Value) -> Value | None:
    """JavaScript's `+` on two known values: numbers add, anything else joins as text (None: unknown)."""
    if isinstance(a, Num) and isinstance(b, Num):
        return Num(a.value + b.value)
    x, y = as_text(a), as_text(b)
    if x is None or y is None:
        return None
    return clip(x + y)
