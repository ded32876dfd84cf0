"""Tar header decoding, after node-tar's src/header.ts and src/pax.ts.

Wherever node-tar would skip or reinterpret a header (a bad checksum, a header without a name, a link
without a target, a pax record it would drop), this raises `MalformedError` instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from airlock.tarball.issues import MalformedError

__all__ = [
    "AMBIGUOUS",
    "BLOCK",
    "DIRECTORY",
    "DIRECTORY_LIKE",
    "HARDLINK",
    "LONG_PATH",
    "MAX_META_BYTES",
    "META",
    "PAX_GLOBAL",
    "PAX_LOCAL",
    "REGULAR",
    "SPECIAL",
    "SYMLINK",
    "Header",
    "dec_string",
    "decode_header",
    "entry_size",
    "is_ambiguous",
    "parse_pax",
]

BLOCK = 512
MAX_META_BYTES = 1024 * 1024  # node-tar's maxMetaEntrySize: bigger pax/GNU headers are ignored by npm
_MAX_SAFE_INTEGER = 2**53 - 1  # node-tar numbers are JavaScript doubles

# node-tar entry type codes (src/types.ts).
REGULAR = frozenset({"0", "7"})  # File (and OldFile, NUL, mapped to '0'), ContiguousFile
HARDLINK, SYMLINK, DIRECTORY = "1", "2", "5"
DIRECTORY_LIKE = frozenset({DIRECTORY, "D"})  # GNUDumpDir: a directory with a listing as its body
SPECIAL = {"3": "character device", "4": "block device", "6": "FIFO"}
PAX_LOCAL, PAX_GLOBAL = frozenset({"x", "X"}), "g"
LONG_PATH, _LONG_LINK = frozenset({"L", "N"}), "K"
META = PAX_LOCAL | LONG_PATH | {PAX_GLOBAL, _LONG_LINK}
_KNOWN = frozenset({"0", "1", "2", "3", "4", "5", "6", "7", "A", "D", "I", "M", "S", "V"}) | META
_UNSUPPORTED = "?"  # node-tar's 'Unsupported': not a type code at all
# Types that may carry a linkpath in the header without node-tar rejecting the block ('linkpath forbidden').
_LINKPATH_ALLOWED = frozenset({HARDLINK, SYMLINK, "x", "g"})

# JavaScript's `.` does not match these, which matters for node-tar's `replace(/\0.*/, '')`.
_JS_LINE_TERMINATOR = re.compile("[\n\r\u2028\u2029]")
_PAX_LENGTH = re.compile(rb"[1-9][0-9]* ")
# parseInt(text.trim(), 8): leading whitespace, an optional sign, octal digits; the rest is ignored.
_OCTAL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-7]*)")
AMBIGUOUS = "\0ambiguous"  # key in the extended-header map: a GNU long name read differently by others


def _js_cut_nul(text: str) -> str:
    """node-tar's `replace(/\\0.*/, '')`: drop from the first NUL up to (not including) a line terminator."""
    nul = text.find("\0")
    if nul < 0:
        return text
    end = _JS_LINE_TERMINATOR.search(text, nul)
    return text[:nul] + (text[end.start() :] if end else "")


def dec_string(raw: bytes) -> str:
    """node-tar's decString: the field as UTF-8 (invalid bytes replaced), cut at NUL the JavaScript way."""
    nul = raw.find(b"\0")
    if nul >= 0 and raw.find(b"\n", nul) < 0 and raw.find(b"\r", nul) < 0 and raw.find(b"\xe2", nul) < 0:
        return raw[:nul].decode("utf-8", "replace")  # fast path: no line terminator after the NUL
    return _js_cut_nul(raw.decode("utf-8", "replace"))


def is_ambiguous(raw: bytes) -> bool:
    """Do node-tar (cut from a NUL to the next line terminator) and C-style readers (cut at the NUL)
    read this name field differently?"""
    nul = raw.find(b"\0")
    return nul >= 0 and _JS_LINE_TERMINATOR.search(raw[nul:].decode("utf-8", "replace")) is not None


def _check_number(raw: bytes, offset: int, field: str) -> None:
    """Refuse a numeric field node-tar's decoder would throw on (its value is not needed)."""
    if raw.translate(None, b"01234567 \0"):
        _dec_number(raw, offset, field)


def _dec_number(raw: bytes, offset: int, field: str) -> int | None:
    """node-tar's decNumber: base-256 if the high bit is set, else `parseInt(trimmed, 8)` (None for NaN).

    Raises where node-tar's decoder throws (and so skips the block), and where a non-ASCII byte could make
    our reading of the field differ from JavaScript's.
    """
    if raw[0] & 0x80:
        if raw[0] == 0x80:
            value = int.from_bytes(raw[1:], "big")
        elif raw[0] == 0xFF:
            value = int.from_bytes(raw, "big", signed=True)
        else:
            raise MalformedError(f"corrupt tar header at offset {offset} (invalid base-256 {field})")
        if abs(value) > _MAX_SAFE_INTEGER:
            raise MalformedError(f"corrupt tar header at offset {offset} ({field} out of range)")
        return value
    match = _OCTAL.match(raw)
    assert match is not None  # the pattern matches the empty string
    first = match.start(1)  # after JavaScript's trim() of ASCII whitespace
    if first < len(raw) and raw[first] >= 0x80:  # JavaScript would trim Unicode spaces; we will not guess
        raise MalformedError(f"corrupt tar header at offset {offset} (non-ASCII {field})")
    sign, digits = match.groups()
    if not digits:
        return None
    value = int(digits, 8)
    return -value if sign == b"-" else value


@dataclass(frozen=True, slots=True)
class Header:
    offset: int
    type: str  # node-tar type code ('0' for files), or _UNSUPPORTED
    path: str  # header.path: (ustar prefix + '/') + (pax/GNU path or name field)
    linkname: str  # the raw linkname field
    size: int | None  # the size field (None when node-tar reads NaN)
    mode: int
    ambiguous: bool  # the name or prefix field reads differently in node-tar and C-style readers


def decode_header(block: bytes, offset: int, ex: dict[str, str | int]) -> Header | None:
    """One 512-byte header, or None for a null block; `MalformedError` where node-tar would skip it."""
    size = _dec_number(block[124:136], offset, "size")
    mode = _dec_number(block[100:108], offset, "mode")
    for start, end, field in ((108, 116, "uid"), (116, 124, "gid"), (136, 148, "mtime")):
        _check_number(block[start:end], offset, field)
    checksum = _dec_number(block[148:160], offset, "checksum")
    total = sum(block) - sum(block[148:156]) + 8 * 0x20
    if checksum is None and total == 8 * 0x20:
        return None
    if checksum != total:
        raise MalformedError(f"corrupt tar header at offset {offset} (checksum mismatch)")

    pax_path = ex.get("path")
    path = str(pax_path) if pax_path is not None else dec_string(block[0:100])
    ambiguous = pax_path is None and is_ambiguous(block[0:100])
    type_byte = block[156]
    code = "" if type_byte == 0 else chr(type_byte) if type_byte < 0x80 else "\ufffd"
    kind = (code or "0") if code in _KNOWN or code == "" else _UNSUPPORTED
    if kind == "0" and path.endswith("/"):
        kind = DIRECTORY
    if block[257:265] == b"ustar\x0000":
        for start, end, field in ((329, 337, "devmajor"), (337, 345, "devminor")):
            _check_number(block[start:end], offset, field)
        if block[475] != 0:
            path = dec_string(block[345:500]) + "/" + path
            ambiguous = ambiguous or is_ambiguous(block[345:500])
        else:
            for start, end, field in ((476, 488, "atime"), (488, 500, "ctime")):
                _check_number(block[start:end], offset, field)
            prefix = dec_string(block[345:475])
            if prefix:
                path = prefix + "/" + path
                ambiguous = ambiguous or is_ambiguous(block[345:475])
    if not path:
        raise MalformedError(f"corrupt tar header at offset {offset} (member without a name)")
    linkname = dec_string(block[157:257])
    if kind in (HARDLINK, SYMLINK) and not linkname:
        raise MalformedError(f"corrupt tar header at offset {offset} (link without a target)")
    if kind not in _LINKPATH_ALLOWED and linkname:
        raise MalformedError(f"corrupt tar header at offset {offset} (link target on a non-link member)")
    return Header(offset, kind, path, linkname, size, mode or 0, ambiguous)


def parse_pax(raw: bytes, offset: int) -> dict[str, str | int]:
    """The path/linkpath/size records of a pax header, read strictly.

    node-tar decodes the header as UTF-8, splits it on newlines and drops any line whose length prefix does
    not match; POSIX (and `tarfile`) read records by length. The two agree only on well-formed UTF-8
    records with a canonical length and no newline inside a value, so anything else is refused.
    """
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedError(f"pax header at offset {offset} is not UTF-8") from None
    records: dict[str, str | int] = {}
    pos = 0
    while pos < len(raw):
        match = _PAX_LENGTH.match(raw, pos)
        length = int(match.group()[:-1]) if match else 0
        record = raw[pos : pos + length]
        if (
            match is None
            or len(record) != length
            or length <= len(match.group())
            or not record.endswith(b"\n")
            or b"\n" in record[:-1]
        ):
            raise MalformedError(f"malformed pax record at offset {offset + pos}")
        key, _, value = record[len(match.group()) : -1].decode("utf-8").partition("=")
        pos += length
        if key in ("path", "linkpath"):
            records[key] = value
        elif key == "size":
            if not value.isascii() or not value.isdigit() or int(value) > _MAX_SAFE_INTEGER:
                raise MalformedError(f"malformed pax size {value[:40]!r} at offset {offset}")
            records[key] = int(value)
    return records


def entry_size(header: Header, ex: dict[str, str | int], gex: dict[str, str | int]) -> int:
    """node-tar's body length: pax size (local, then global) over the header field; none for directories."""
    if "size" in ex and "size" in gex and ex["size"] != gex["size"]:
        # node-tar sizes the body by the local value but judges meta entries by the global one.
        raise MalformedError(f"conflicting pax sizes for the member at offset {header.offset}")
    if header.type == DIRECTORY:
        return 0
    size = ex.get("size", gex.get("size", header.size))
    if size is None:
        return 0
    size = int(size)
    if size < 0:
        raise MalformedError(f"corrupt tar header at offset {header.offset} (negative size)")
    return size
