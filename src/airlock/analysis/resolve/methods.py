"""Constant folding of string, array and Buffer methods, as tables from method name to a small pure
function of the receiver and the folded arguments.

A method missing from its table folds to `UNKNOWN`; so does one whose arguments are not the constants it
needs. Adding a method is adding one entry. `Array.prototype.map` is not here: it calls back into the
evaluator (see `evaluate.Resolver._map`).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from airlock.analysis.resolve.values import (
    MAX_ARRAY,
    MAX_STRING,
    UNKNOWN,
    Arr,
    Bytes,
    Num,
    Str,
    Value,
    as_text,
    clip,
)

StringMethod = Callable[[str, list[Value]], Value]
ArrayMethod = Callable[[Arr, list[Value]], Value]
BytesMethod = Callable[[bytes, list[Value]], Value]


# ---- encodings (Buffer.from / buf.toString / atob) -------------------------------------------------


def b64decode(text: str) -> bytes | None:
    """Node's forgiving base64 (and base64url) decoding: stray characters are dropped, padding is optional."""
    cleaned = re.sub(r"[^A-Za-z0-9+/\-_]", "", text).replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned)
    except (binascii.Error, ValueError):
        return None


def decode_bytes(data: bytes, encoding: str) -> str | None:
    enc = encoding.lower().replace("-", "")
    if enc in {"utf8", ""}:
        return data.decode("utf-8", "replace")
    if enc in {"latin1", "binary"}:
        return data.decode("latin-1")
    if enc == "ascii":
        return bytes(b & 0x7F for b in data).decode("ascii")
    if enc == "hex":
        return data.hex()
    if enc == "base64":
        return base64.b64encode(data).decode("ascii")
    if enc in {"utf16le", "ucs2"}:
        return data.decode("utf-16-le", "replace")
    return None


def encode_text(text: str, encoding: str) -> bytes | None:
    enc = encoding.lower().replace("-", "")
    try:
        if enc in {"utf8", ""}:
            return text.encode("utf-8", "surrogatepass")
        if enc in {"latin1", "binary", "ascii"}:
            return text.encode("latin-1", "replace")
        if enc == "hex":
            clean = text[: len(text) - len(text) % 2]
            return bytes.fromhex(clean)
        if enc in {"base64", "base64url"}:
            return b64decode(text)
        if enc in {"utf16le", "ucs2"}:
            return text.encode("utf-16-le", "surrogatepass")
    except (ValueError, UnicodeError):
        return None
    return None


def buffer_from(args: list[Value]) -> Value:
    """`Buffer.from(x[, encoding])` of a string, an array of bytes or another Buffer."""
    if not args:
        return UNKNOWN
    first = args[0]
    if isinstance(first, Bytes):
        return first
    if isinstance(first, Arr):
        out = bytearray()
        for item in first.items:
            if not isinstance(item, Num):
                return UNKNOWN
            out.append(int(item.value) & 0xFF)
        return Bytes(bytes(out))
    text = as_text(first)
    if text is None:
        return UNKNOWN
    encoding = as_text(args[1]) if len(args) > 1 else "utf8"
    data = encode_text(text, encoding or "utf8")
    return Bytes(data[:MAX_STRING]) if data is not None else UNKNOWN


def slice_bounds(args: list[Value], length: int) -> tuple[int, int] | None:
    """Bounds of `slice(a, b)`; None when a bound is given but not a known number."""
    if any(not isinstance(a, Num) for a in args[:2]):
        return None

    def bound(v: Value | None, default: int) -> int:
        if not isinstance(v, Num):
            return default
        i = int(v.value)
        return max(0, length + i) if i < 0 else min(i, length)

    return bound(args[0] if args else None, 0), bound(args[1] if len(args) > 1 else None, length)


# ---- Buffer ------------------------------------------------------------------------------------------


def _bytes_to_string(data: bytes, args: list[Value]) -> Value:
    enc = as_text(args[0]) if args else "utf8"
    text = decode_bytes(data, enc or "utf8")
    return clip(text) if text is not None else UNKNOWN


BYTES_METHODS: dict[str, BytesMethod] = {
    "toString": _bytes_to_string,
    "reverse": lambda data, args: Bytes(data[::-1]),
}


# ---- arrays ------------------------------------------------------------------------------------------


def _array_join(obj: Arr, args: list[Value]) -> Value:
    sep = as_text(args[0]) if args else ","
    parts = [as_text(i) for i in obj.items]
    if sep is None or any(p is None for p in parts):
        return UNKNOWN
    return clip(sep.join(p or "" for p in parts))


def _array_concat(obj: Arr, args: list[Value]) -> Value:
    items = list(obj.items)
    for a in args:
        items.extend(a.items if isinstance(a, Arr) else (a,))
    return Arr(tuple(items))


def _array_slice(obj: Arr, args: list[Value]) -> Value:
    bounds = slice_bounds(args, len(obj.items))
    return UNKNOWN if bounds is None else Arr(obj.items[bounds[0] : bounds[1]])


def _array_to_string(obj: Arr, args: list[Value]) -> Value:
    text = as_text(obj)
    return Str(text) if text is not None else UNKNOWN


ARRAY_METHODS: dict[str, ArrayMethod] = {
    "join": _array_join,
    "reverse": lambda obj, args: Arr(obj.items[::-1]),
    "toReversed": lambda obj, args: Arr(obj.items[::-1]),
    "concat": _array_concat,
    "slice": _array_slice,
    "toString": _array_to_string,
}


# ---- strings -----------------------------------------------------------------------------------------


def _texts(args: list[Value]) -> list[str | None]:
    return [as_text(a) for a in args]


def _string_split(s: str, args: list[Value]) -> Value:
    texts = _texts(args)
    sep = texts[0] if texts else None
    if args and sep is None:
        return UNKNOWN
    if sep is None:
        return Arr((Str(s),))
    pieces = list(s) if sep == "" else s.split(sep)
    return Arr(tuple(Str(p) for p in pieces[:MAX_ARRAY]))


def _string_concat(s: str, args: list[Value]) -> Value:
    texts = _texts(args)
    if any(t is None for t in texts):
        return UNKNOWN
    return clip(s + "".join(t or "" for t in texts))


def _string_slice(s: str, args: list[Value]) -> Value:
    bounds = slice_bounds(args, len(s))
    return UNKNOWN if bounds is None else Str(s[bounds[0] : bounds[1]])


def _string_substring(s: str, args: list[Value]) -> Value:
    bounds = slice_bounds(args, len(s))
    if bounds is None:
        return UNKNOWN
    start, end = bounds
    if start > end:
        start, end = end, start
    return Str(s[start:end])


def _string_substr(s: str, args: list[Value]) -> Value:
    bounds = slice_bounds(args[:1], len(s))
    if bounds is None or (len(args) > 1 and not isinstance(args[1], Num)):
        return UNKNOWN
    start = bounds[0]
    length = int(args[1].value) if len(args) > 1 and isinstance(args[1], Num) else len(s)
    return Str(s[start : start + max(0, length)])


def _string_replacer(count: int) -> StringMethod:
    """`replace` (first occurrence, count 1) or `replaceAll` (count -1) with a constant pattern string."""

    def fold(s: str, args: list[Value]) -> Value:
        texts = _texts(args)
        if len(texts) >= 2 and texts[0] is not None and texts[1] is not None:
            return clip(s.replace(texts[0], texts[1], count))
        return UNKNOWN

    return fold


def _string_repeat(s: str, args: list[Value]) -> Value:
    if not (args and isinstance(args[0], Num)):
        return UNKNOWN
    times = int(args[0].value)
    if times >= 0 and len(s) * times <= MAX_STRING:
        return Str(s * times)
    return UNKNOWN


def _string_char_at(*, from_end: bool) -> StringMethod:
    """`charAt(i)`, or `at(i)` (`from_end`: a negative index counts from the end)."""

    def fold(s: str, args: list[Value]) -> Value:
        if not (args and isinstance(args[0], Num)):
            return UNKNOWN
        i = int(args[0].value)
        if from_end and i < 0:
            i += len(s)
        return Str(s[i]) if 0 <= i < len(s) else Str("")

    return fold


def _string_char_code_at(s: str, args: list[Value]) -> Value:
    if not (args and isinstance(args[0], Num)):
        return UNKNOWN
    i = int(args[0].value)
    return Num(float(ord(s[i]))) if 0 <= i < len(s) else UNKNOWN


def _string_pad_start(s: str, args: list[Value]) -> Value:
    if not (args and isinstance(args[0], Num)):
        return UNKNOWN
    texts = _texts(args)
    return Str(s.rjust(int(args[0].value), (texts[1] or " ")[:1] if len(texts) > 1 else " "))


def _string_unary(transform: Callable[[str], str]) -> StringMethod:
    """A method that ignores its arguments: `toLowerCase`, `trim`, `toString`, …"""
    return lambda s, args: Str(transform(s))


STRING_METHODS: dict[str, StringMethod] = {
    "split": _string_split,
    "concat": _string_concat,
    "slice": _string_slice,
    "substring": _string_substring,
    "substr": _string_substr,
    "toLowerCase": _string_unary(str.lower),
    "toUpperCase": _string_unary(str.upper),
    "toLocaleLowerCase": _string_unary(str.lower),
    "toLocaleUpperCase": _string_unary(str.upper),
    "trim": _string_unary(str.strip),
    "trimStart": _string_unary(str.lstrip),
    "trimEnd": _string_unary(str.rstrip),
    "toString": _string_unary(str),
    "valueOf": _string_unary(str),
    "normalize": _string_unary(str),
    "replace": _string_replacer(1),
    "replaceAll": _string_replacer(-1),
    "repeat": _string_repeat,
    "charAt": _string_char_at(from_end=False),
    "at": _string_char_at(from_end=True),
    "charCodeAt": _string_char_code_at,
    "padStart": _string_pad_start,
}


def method(obj: Str | Arr | Bytes, name: str, args: list[Value]) -> Value:
    """Constant-fold a string, array or Buffer method call."""
    if isinstance(obj, Bytes):
        on_bytes = BYTES_METHODS.get(name)
        return on_bytes(obj.value, args) if on_bytes is not None else UNKNOWN
    if isinstance(obj, Arr):
        on_array = ARRAY_METHODS.get(name)
        return on_array(obj, args) if on_array is not None else UNKNOWN
    on_string = STRING_METHODS.get(name)
    return on_string(obj.value, args) if on_string is not None else UNKNOWN
