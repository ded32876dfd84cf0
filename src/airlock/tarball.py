"""Read npm package archives and local package directories safely, in memory.

Nothing here writes to disk, extracts, follows a link out of the package or runs anything. Input is the
(already integrity-verified) tarball bytes; output is a `PackageContents`: the regular files npm would
install, plus findings for every hostile member and `Skipped` entries for what was not read.

Why a tar reader of our own instead of `tarfile`
-----------------------------------------------
A scanner is only as good as its agreement with the installer: if an archive means one thing to the
scanner and another to npm, an attacker ships the benign reading to the scanner and the payload to npm.
npm reads packages with node-tar (through pacote), whose reading differs from `tarfile`'s in ways an
attacker can use:

* `tarfile` stops at the *first* all-zero block; node-tar needs *two* in a row, so members after a single
  zero block are installed by npm but invisible to `tarfile`.
* A block with a bad checksum ends a `tarfile` listing silently; node-tar skips that one block and
  resynchronises on the next, installing what follows.
* node-tar gives links, devices and FIFOs a body of `size` bytes; `tarfile` gives them none, so the two
  disagree on where the next header starts.
* `tarfile` applies the ustar `prefix` field to GNU-format headers, node-tar only to POSIX ustar ones;
  node-tar splits pax records on newlines, `tarfile` by their length.
* node-tar cuts a name at NUL only up to the next newline (`replace(/\0.*/, '')`), C readers at the NUL:
  such a name is a `tar-ambiguous-name` finding, since yarn, pnpm or a scanner would see another file.

So this module reads the stream the way node-tar does (`src/header.ts`, `src/parse.ts`, `src/pax.ts`,
`src/read-entry.ts` of npm/node-tar) and, wherever node-tar would *skip or reinterpret* something (a bad
checksum, a header without a name, a link without a target, a pax record it would drop, a truncated member),
refuses the archive with `BadInputError` instead of guessing: refusing is always safe, agreeing is the only
other safe answer. tests/test_tarball.py checks the agreement against the node-tar bundled with npm on a
corpus of mutated archives (and ~100,000 more were compared while writing this, without a difference).

Streaming also keeps memory bounded: gzip is inflated with `zlib.decompressobj` in steps of at most
`_OUT_STEP` output bytes fed `_IN_STEP` input bytes at a time, and the parser pulls from that stream, so
memory is the files kept plus one step -- never the whole uncompressed tar -- and a bomb is caught by its
running compression ratio before anything near the caps is allocated.

What npm installs from an archive (pacote `lib/fetcher.js`, `#tarxOptions`, and node-tar `Unpack`):
the first path component is stripped (`strip: 1`), whatever it is called; members whose type matches
`/Link$/` are dropped by pacote's filter (`if (/Link$/.test(entry.type)) return false`, see also
npm/cli#7608), so links never reach the disk; directories, devices, FIFOs and unknown types are skipped;
regular files (types `0`, NUL and `7`) are written. We keep exactly those files and report the rest.

Caps (`TarLimits`) were set against real packages (`npm pack`, measured 2026-11): the most members seen
was 89,814 (material-design-icons 3.0.1; @mui/icons-material 9.5.0 has 43,010); the largest unpacked
size 486 MB (@iconify/json 2.2.535; next 16.4.6: 199 MB); the largest single file 107 MB
(@oven/bun-linux-x64 1.4.5; @next/swc-linux-x64-gnu: 101 MB); the highest running compression ratio past
16 MiB was 29.6 (@mui/icons-material; typescript 5.5, lodash 7.3, date-fns 9.4). Defaults leave at least
2x headroom on each (5x on the ratio), and a zero-filled gzip bomb (ratio ~1000) is stopped within its
first 16 MiB. Reading the largest of those takes 1-2 s (material-design-icons, @iconify/json) and memory
close to the bytes kept.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from airlock.analysis.rules import RULES, Rule
from airlock.analysis.rules import tarball as rules
from airlock.errors import BadInputError, UsageError
from airlock.model import Evidence, Finding, PackageContents, PackageFile, Skipped

__all__ = ["DEFAULT_LIMITS", "TarLimits", "read_directory", "read_tarball"]


@dataclass(frozen=True, slots=True)
class TarLimits:
    """Resource caps for reading one package. Exceeding one is a finding, never a crash."""

    max_members: int = 200_000
    """Entries (files, directories, links...) read before giving up; real packages reach ~90,000."""
    max_total_bytes: int = 2**30
    """Uncompressed tar bytes (or, for a directory, file bytes) read before giving up."""
    max_member_bytes: int = 256 * 2**20
    """Largest single file kept; larger ones are reported and skipped."""
    max_ratio: float = 150.0
    """Uncompressed/compressed ratio beyond which the archive is a bomb; checked past `bomb_floor_bytes`."""
    bomb_floor_bytes: int = 16 * 2**20
    prefix_only_bytes: int = 64 * 1024
    """Files analysis never parses (PREFIX_ONLY_SUFFIXES: binaries, media, archives, source maps) keep only
    this many leading bytes, enough for the executable-format check: platform binaries of 100+ MB
    (@next/swc-*) and next's 60 MB of source maps would otherwise sit in memory whole. `PackageFile.size`
    keeps the real size."""


DEFAULT_LIMITS = TarLimits()
PREFIX_ONLY_SUFFIXES = (
    ".node", ".wasm", ".so", ".dylib", ".dll", ".exe", ".a", ".lib", ".jar",
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".bmp", ".avif",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".mp3", ".mp4", ".webm", ".ogg", ".wav", ".pdf",
    ".zip", ".gz", ".tgz", ".br", ".xz", ".7z",
    ".map",
)  # fmt: skip

_BLOCK = 512
_IN_STEP = 64 * 1024
_OUT_STEP = 256 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_MAX_META_BYTES = 1024 * 1024  # node-tar's maxMetaEntrySize: bigger pax/GNU headers are ignored by npm
_MAX_SAFE_INTEGER = 2**53 - 1  # node-tar numbers are JavaScript doubles
_MAX_FINDINGS_PER_RULE = 100
_SHOWN_MAX = 200

_HINT = (
    "the archive is damaged or was not produced by `npm pack`; fetch it again (it is not analysed, and npm "
    "may read it differently), or list it with `tar -tvzf` to see what it holds"
)

# node-tar entry type codes (src/types.ts).
_REGULAR = frozenset({"0", "7"})  # File (and OldFile, NUL, mapped to '0'), ContiguousFile
_HARDLINK, _SYMLINK, _DIRECTORY = "1", "2", "5"
_DIRECTORY_LIKE = frozenset({_DIRECTORY, "D"})  # GNUDumpDir: a directory with a listing as its body
_SPECIAL = {"3": "character device", "4": "block device", "6": "FIFO"}
_PAX_LOCAL, _PAX_GLOBAL = frozenset({"x", "X"}), "g"
_LONG_PATH, _LONG_LINK = frozenset({"L", "N"}), "K"
_META = _PAX_LOCAL | _LONG_PATH | {_PAX_GLOBAL, _LONG_LINK}
_KNOWN = frozenset({"0", "1", "2", "3", "4", "5", "6", "7", "A", "D", "I", "M", "S", "V"}) | _META
_UNSUPPORTED = "?"  # node-tar's 'Unsupported': not a type code at all
# Types that may carry a linkpath in the header without node-tar rejecting the block ('linkpath forbidden').
_LINKPATH_ALLOWED = frozenset({_HARDLINK, _SYMLINK, "x", "g"})

# JavaScript's `.` does not match these, which matters for node-tar's `replace(/\0.*/, '')`.
_JS_LINE_TERMINATOR = re.compile("[\n\r\u2028\u2029]")
_PAX_LENGTH = re.compile(rb"[1-9][0-9]* ")
_DRIVE = re.compile(r"[A-Za-z]:")
_SEPARATORS = re.compile(r"[\\/]")
# parseInt(text.trim(), 8): leading whitespace, an optional sign, octal digits; the rest is ignored.
_OCTAL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-7]*)")
_EXCLUDED_DIRS = frozenset({"node_modules", ".git"})
_AMBIGUOUS = "\0ambiguous"  # key in the extended-header map: a GNU long name read differently by others


class _MalformedError(Exception):
    """Not a well-formed archive (or one npm would read differently): becomes a `BadInputError`."""


class _CapError(Exception):
    """A cap was reached: reading stops and the rule's finding is reported."""

    def __init__(self, rule: Rule, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.name = name


# --------------------------------------------------------------------------------------------------
# Public API


def read_tarball(data: bytes, *, subject: str, limits: TarLimits = DEFAULT_LIMITS) -> PackageContents:
    """The files of a package archive (gzip-compressed tar as the registry serves it, or plain tar).

    Hostile members become findings and are not read; caps stop reading with a finding; an archive that
    is truncated, corrupt or not a tar at all raises `BadInputError` naming `subject`.
    """
    if not data:
        raise BadInputError(
            f"cannot read {subject}: empty input (0 bytes), not a package archive", hint=_HINT
        )
    source: _Source
    if data[:2] == _GZIP_MAGIC:
        source = _GzipSource(data, limits)
    elif data[:4] == _ZSTD_MAGIC:
        raise BadInputError(
            f"cannot read {subject}: zstd-compressed archives are not supported",
            hint="the npm registry serves gzip; recompress the tar with gzip to scan it",
        )
    else:
        source = _PlainSource(data, limits)
    reader = _TarReader(source, limits)
    try:
        reader.run()
    except _MalformedError as error:
        raise BadInputError(f"cannot read {subject}: {error}", hint=_HINT) from None
    return reader.contents()


def read_directory(path: Path, *, limits: TarLimits = DEFAULT_LIMITS) -> PackageContents:
    """The files of a package directory, as `npm pack` would take them (without `node_modules/`, `.git/`).

    Regular files are read; directories are walked (never through a link); a symbolic link is followed
    once when it resolves to a regular file inside the directory (a package used from a checkout or via
    `npm link` runs through its links, so what they point at is analysed under the link's path) and
    reported as `tar-link-escape` when it resolves outside (never read); a link to a directory is not
    descended into (what it points at inside the package is read at its real place). FIFOs, sockets and
    devices are reported and never opened; unreadable files become `Skipped` entries. Sorted by path.
    """
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        raise UsageError(
            f"no such directory: {path}",
            hint="check the path; a local package is given as ./dir or ./pkg.tgz",
        ) from None
    except OSError as error:
        raise UsageError(f"cannot open {path}: {error.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(
            f"not a directory: {path}", hint="give a package directory (with package.json) or a .tgz tarball"
        )
    walker = _DirectoryWalker(Path(path), limits)
    walker.run()
    return walker.contents()


# --------------------------------------------------------------------------------------------------
# Findings


def _shown(text: str, limit: int = _SHOWN_MAX) -> str:
    """A member name fit for a report: control characters escaped, clipped."""
    out = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


class _Collector:
    """Files, findings and skips of one package; findings capped per rule so a hostile archive of a
    million bad members yields a readable report."""

    def __init__(self) -> None:
        self.files: dict[str, PackageFile] = {}
        self.findings: list[Finding] = []
        self.skipped: list[Skipped] = []
        self._counts: Counter[str] = Counter()

    def add_file(self, file: PackageFile) -> None:
        # Duplicate paths: the last member wins, as when tar (and npm) extract over an earlier one.
        self.files.pop(file.path, None)
        self.files[file.path] = file

    def flag(self, rule: Rule, message: str, name: str, snippet: str | None = None) -> None:
        self._counts[rule.id] += 1
        if self._counts[rule.id] <= _MAX_FINDINGS_PER_RULE:
            shown = _shown(name)
            self.findings.append(rule.finding(message, Evidence(shown, 1, snippet=snippet or shown)))

    def contents(self) -> PackageContents:
        findings = list(self.findings)
        for rule_id, count in sorted(self._counts.items()):
            if count > _MAX_FINDINGS_PER_RULE:
                rule = RULES[rule_id]
                extra = count - _MAX_FINDINGS_PER_RULE
                findings.append(rule.finding(f"{extra} more members like the above were not listed"))
        return PackageContents(tuple(self.files.values()), tuple(findings), tuple(self.skipped))


def _is_absolute(path: str) -> bool:
    """Absolute on POSIX or on Windows (`/x`, `\\x`, `\\\\server\\share`, `C:\\x`, drive-relative `C:x`)."""
    return path.startswith(("/", "\\")) or _DRIVE.match(path) is not None


def _is_dotdot(component: str) -> bool:
    """`..`, and what Windows reads as `..` after trimming trailing dots and spaces (`...`, `.. `)."""
    core = component.strip(" ")
    return len(core) >= 2 and core.strip(".") == ""


def _classify(name: str) -> tuple[Rule | None, str | None]:
    """(rule, None) for a hostile member path; else (None, the path npm installs it at, or None if npm
    installs nothing there: the package root itself, or a top-level member that `strip: 1` empties).

    Backslashes count as separators for the hostile checks: the same tarball may be installed on Windows.
    """
    if _is_absolute(name):
        return rules.ABSOLUTE_PATH, None
    if ".." in name and any(_is_dotdot(part) for part in _SEPARATORS.split(name)):
        return rules.PATH_TRAVERSAL, None
    parts = name.split("/")[1:]  # npm strips the first component, whatever it is (node-tar `strip: 1`)
    if _is_absolute("/".join(parts)):  # `package//etc/passwd`, `package/C:/x`
        return rules.ABSOLUTE_PATH, None
    kept = [p for p in parts if p not in ("", ".")]
    return None, "/".join(kept) or None


def _link_escapes(target: str, base: list[str]) -> bool:
    """Does `target`, resolved from directory `base` (components below the package root), leave it?"""
    if _is_absolute(target):
        return True
    depth = len(base)
    for part in _SEPARATORS.split(target):
        if part in ("", "."):
            continue
        if _is_dotdot(part):
            depth -= 1
            if depth < 0:
                return True
        else:
            depth += 1
    return False


# --------------------------------------------------------------------------------------------------
# The byte stream


class _Source:
    """The uncompressed tar stream, produced on demand. `offset` counts bytes handed to the parser."""

    def __init__(self, limits: TarLimits) -> None:
        self.limits = limits
        self.offset = 0
        self._chunk = memoryview(b"")
        self._pos = 0

    def _next_chunk(self) -> memoryview | None:
        raise NotImplementedError

    def _reserve(self, n: int) -> None:
        cap = self.limits.max_total_bytes
        if self.offset + n > cap:
            raise _CapError(rules.TOO_LARGE, f"the archive unpacks to more than {cap:,} bytes")

    def _take(self, need: int) -> memoryview | None:
        """Up to `need` bytes of the current chunk (a view), or None at the end of the stream."""
        while self._pos >= len(self._chunk):
            chunk = self._next_chunk()
            if chunk is None:
                return None
            self._chunk, self._pos = chunk, 0
        view = self._chunk[self._pos : self._pos + need]
        self._pos += len(view)
        self.offset += len(view)
        return view

    def read(self, n: int) -> bytes:
        """`n` bytes, or fewer only where the stream ends."""
        self._reserve(n)
        parts: list[memoryview] = []
        need = n
        while need:
            view = self._take(need)
            if view is None:
                break
            parts.append(view)
            need -= len(view)
        return parts[0].tobytes() if len(parts) == 1 else b"".join(parts)

    def copy(self, n: int, sink: io.BytesIO | None) -> int:
        """Move `n` bytes into `sink` (or drop them); returns how many there were."""
        self._reserve(n)
        need = n
        while need:
            view = self._take(need)
            if view is None:
                break
            if sink is not None:
                sink.write(view)
            need -= len(view)
        return n - need

    def drain(self) -> None:
        """After the tar's end marker: check the rest of the container is well-formed (npm inflates it)."""


class _PlainSource(_Source):
    def __init__(self, data: bytes, limits: TarLimits) -> None:
        super().__init__(limits)
        self._data: memoryview | None = memoryview(data)

    def _next_chunk(self) -> memoryview | None:
        data, self._data = self._data, None
        return data


class _GzipSource(_Source):
    """Inflates gzip (possibly several concatenated members, like Node's zlib) in bounded steps."""

    def __init__(self, data: bytes, limits: TarLimits) -> None:
        super().__init__(limits)
        self._data = memoryview(data)
        self._fed = 0  # compressed bytes handed to zlib (some may sit in unconsumed_tail/unused_data)
        self._produced = 0
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._done = False

    def _next_chunk(self) -> memoryview | None:
        while not self._done:
            inflater = self._inflater
            if inflater.eof:
                self._next_member()
                continue
            if inflater.unconsumed_tail:
                data: bytes | memoryview = inflater.unconsumed_tail
            else:
                data = self._data[self._fed : self._fed + _IN_STEP]
                self._fed += len(data)
            try:
                out = inflater.decompress(data, _OUT_STEP)
            except zlib.error as error:
                raise _MalformedError(f"corrupt gzip stream ({error})") from None
            if out:
                self._produced += len(out)
                self._check_ratio()
                return memoryview(out)
            if not data and not inflater.eof:
                raise _MalformedError("truncated gzip stream")
        return None

    def _next_member(self) -> None:
        # Node's zlib keeps inflating while bytes remain after a member and the next one is not 0x00
        # (zero padding is ignored); anything else must be another gzip member, or npm fails.
        self._fed -= len(self._inflater.unused_data)
        rest = self._data[self._fed : self._fed + 2]
        if not rest or rest[0] == 0:
            self._done = True
        elif rest.tobytes() == _GZIP_MAGIC:
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            raise _MalformedError(f"trailing garbage after the gzip stream at byte {self._fed}")

    def _check_ratio(self) -> None:
        limits = self.limits
        if self._produced <= limits.bomb_floor_bytes:
            return
        consumed = self._fed - len(self._inflater.unconsumed_tail) - len(self._inflater.unused_data)
        ratio = self._produced / max(consumed, 1)
        if ratio > limits.max_ratio:
            raise _CapError(
                rules.COMPRESSION_BOMB,
                f"the archive inflates {ratio:,.0f}:1 ({consumed:,} compressed bytes gave "
                f"{self._produced:,}), beyond the {limits.max_ratio:g}:1 any real package reaches",
            )

    def drain(self) -> None:
        while self._next_chunk() is not None:
            if self._produced > self.limits.max_total_bytes:
                cap = self.limits.max_total_bytes
                raise _CapError(rules.TOO_LARGE, f"the archive unpacks to more than {cap:,} bytes")


# --------------------------------------------------------------------------------------------------
# Header decoding, after node-tar's src/header.ts


def _js_cut_nul(text: str) -> str:
    """node-tar's `replace(/\\0.*/, '')`: drop from the first NUL up to (not including) a line terminator."""
    nul = text.find("\0")
    if nul < 0:
        return text
    end = _JS_LINE_TERMINATOR.search(text, nul)
    return text[:nul] + (text[end.start() :] if end else "")


def _dec_string(raw: bytes) -> str:
    """node-tar's decString: the field as UTF-8 (invalid bytes replaced), cut at NUL the JavaScript way."""
    nul = raw.find(b"\0")
    if nul >= 0 and raw.find(b"\n", nul) < 0 and raw.find(b"\r", nul) < 0 and raw.find(b"\xe2", nul) < 0:
        return raw[:nul].decode("utf-8", "replace")  # fast path: no line terminator after the NUL
    return _js_cut_nul(raw.decode("utf-8", "replace"))


def _is_ambiguous(raw: bytes) -> bool:
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
            raise _MalformedError(f"corrupt tar header at offset {offset} (invalid base-256 {field})")
        if abs(value) > _MAX_SAFE_INTEGER:
            raise _MalformedError(f"corrupt tar header at offset {offset} ({field} out of range)")
        return value
    match = _OCTAL.match(raw)
    assert match is not None  # the pattern matches the empty string
    first = match.start(1)  # after JavaScript's trim() of ASCII whitespace
    if first < len(raw) and raw[first] >= 0x80:  # JavaScript would trim Unicode spaces; we will not guess
        raise _MalformedError(f"corrupt tar header at offset {offset} (non-ASCII {field})")
    sign, digits = match.groups()
    if not digits:
        return None
    value = int(digits, 8)
    return -value if sign == b"-" else value


@dataclass(frozen=True, slots=True)
class _Header:
    offset: int
    type: str  # node-tar type code ('0' for files), or _UNSUPPORTED
    path: str  # header.path: (ustar prefix + '/') + (pax/GNU path or name field)
    linkname: str  # the raw linkname field
    size: int | None  # the size field (None when node-tar reads NaN)
    mode: int
    ambiguous: bool  # the name or prefix field reads differently in node-tar and C-style readers


def _decode_header(block: bytes, offset: int, ex: dict[str, str | int]) -> _Header | None:
    """One 512-byte header, or None for a null block; `_MalformedError` where node-tar would skip it."""
    size = _dec_number(block[124:136], offset, "size")
    mode = _dec_number(block[100:108], offset, "mode")
    for start, end, field in ((108, 116, "uid"), (116, 124, "gid"), (136, 148, "mtime")):
        _check_number(block[start:end], offset, field)
    checksum = _dec_number(block[148:160], offset, "checksum")
    total = sum(block) - sum(block[148:156]) + 8 * 0x20
    if checksum is None and total == 8 * 0x20:
        return None
    if checksum != total:
        raise _MalformedError(f"corrupt tar header at offset {offset} (checksum mismatch)")

    pax_path = ex.get("path")
    path = str(pax_path) if pax_path is not None else _dec_string(block[0:100])
    ambiguous = pax_path is None and _is_ambiguous(block[0:100])
    type_byte = block[156]
    code = "" if type_byte == 0 else chr(type_byte) if type_byte < 0x80 else "\ufffd"
    kind = (code or "0") if code in _KNOWN or code == "" else _UNSUPPORTED
    if kind == "0" and path.endswith("/"):
        kind = _DIRECTORY
    if block[257:265] == b"ustar\x0000":
        for start, end, field in ((329, 337, "devmajor"), (337, 345, "devminor")):
            _check_number(block[start:end], offset, field)
        if block[475] != 0:
            path = _dec_string(block[345:500]) + "/" + path
            ambiguous = ambiguous or _is_ambiguous(block[345:500])
        else:
            for start, end, field in ((476, 488, "atime"), (488, 500, "ctime")):
                _check_number(block[start:end], offset, field)
            prefix = _dec_string(block[345:475])
            if prefix:
                path = prefix + "/" + path
                ambiguous = ambiguous or _is_ambiguous(block[345:475])
    if not path:
        raise _MalformedError(f"corrupt tar header at offset {offset} (member without a name)")
    linkname = _dec_string(block[157:257])
    if kind in (_HARDLINK, _SYMLINK) and not linkname:
        raise _MalformedError(f"corrupt tar header at offset {offset} (link without a target)")
    if kind not in _LINKPATH_ALLOWED and linkname:
        raise _MalformedError(f"corrupt tar header at offset {offset} (link target on a non-link member)")
    return _Header(offset, kind, path, linkname, size, mode or 0, ambiguous)


def _parse_pax(raw: bytes, offset: int) -> dict[str, str | int]:
    """The path/linkpath/size records of a pax header, read strictly.

    node-tar decodes the header as UTF-8, splits it on newlines and drops any line whose length prefix does
    not match; POSIX (and `tarfile`) read records by length. The two agree only on well-formed UTF-8
    records with a canonical length and no newline inside a value, so anything else is refused.
    """
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _MalformedError(f"pax header at offset {offset} is not UTF-8") from None
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
            raise _MalformedError(f"malformed pax record at offset {offset + pos}")
        key, _, value = record[len(match.group()) : -1].decode("utf-8").partition("=")
        pos += length
        if key in ("path", "linkpath"):
            records[key] = value
        elif key == "size":
            if not value.isascii() or not value.isdigit() or int(value) > _MAX_SAFE_INTEGER:
                raise _MalformedError(f"malformed pax size {value[:40]!r} at offset {offset}")
            records[key] = int(value)
    return records


# --------------------------------------------------------------------------------------------------
# The archive reader


class _TarReader:
    def __init__(self, source: _Source, limits: TarLimits) -> None:
        self.source = source
        self.limits = limits
        self.out = _Collector()
        self._last = ""  # the last member name seen, for evidence of archive-level findings

    def contents(self) -> PackageContents:
        return self.out.contents()

    def run(self) -> None:
        try:
            ended = self._read_members()
        except _CapError as hit:
            self.out.flag(hit.rule, f"{hit.message}; the rest was not read", self._last or "(archive)")
            self.out.skipped.append(Skipped(f"archive not fully read: {hit.message}"))
            return
        if not ended:
            return
        try:
            self.source.drain()
        except _CapError as hit:
            # Every member was read; what follows the tar's end marker is inflated by npm all the same.
            self.out.flag(
                hit.rule, f"{hit.message} (after the end of the tar data)", self._last or "(archive)"
            )

    def _read_members(self) -> bool:
        """Read members until the end of the stream; True if the tar's end marker was reached."""
        source = self.source
        ex: dict[str, str | int] = {}  # pax 'x' / GNU 'L', 'K': for the next entry only
        gex: dict[str, str | int] = {}  # pax 'g': for every entry after it
        saw_null = False
        entries = 0
        headers = 0
        while True:
            offset = source.offset
            block = source.read(_BLOCK)
            if len(block) < _BLOCK:
                if any(block):
                    raise _MalformedError(
                        self._bad_start() if headers == 0 else f"truncated tar header at offset {offset}"
                    )
                if entries == 0:
                    raise _MalformedError("empty archive (no members)")
                return False
            try:
                header = _decode_header(block, offset, ex)
            except _MalformedError as error:
                raise _MalformedError(self._bad_start() if headers == 0 else str(error)) from None
            headers += 1
            if header is None:  # node-tar ends the archive at two null blocks in a row, not one
                if saw_null:
                    if entries == 0:
                        raise _MalformedError("empty archive (no members)")
                    return True
                saw_null = True
                continue
            saw_null = False
            size = _entry_size(header, ex, gex)
            if header.type in _META:
                self._read_meta(header, size, ex, gex)
                continue
            # As node-tar's ReadEntry: a pax/GNU path replaces the header's; global linkpath beats local.
            path = str(ex.get("path", header.path))
            linkpath = str(gex.get("linkpath", ex.get("linkpath", header.linkname)))
            ambiguous = _AMBIGUOUS in ex if "path" in ex else header.ambiguous
            ex = {}  # node-tar drops the extended header once any entry consumed it
            self._last = path
            entries += 1
            if entries > self.limits.max_members:
                raise _CapError(
                    rules.TOO_MANY_MEMBERS, f"the archive has more than {self.limits.max_members:,} members"
                )
            self._entry(header, path, linkpath, size, ambiguous=ambiguous or "\0" in path)

    def _bad_start(self) -> str:
        if isinstance(self.source, _GzipSource):
            return "the gzip stream does not hold a tar archive (corrupt tar header at offset 0)"
        return "not a gzip or tar archive"

    def _read_meta(
        self, header: _Header, size: int, ex: dict[str, str | int], gex: dict[str, str | int]
    ) -> None:
        if size > _MAX_META_BYTES:
            raise _MalformedError(
                f"extended header of {size:,} bytes at offset {header.offset} (npm ignores those)"
            )
        if size == 0:
            return
        raw = self._body(header, size, keep=True)
        assert raw is not None
        if header.type in _PAX_LOCAL:
            records = _parse_pax(raw, header.offset + _BLOCK)
            if "path" in records:
                ex.pop(_AMBIGUOUS, None)
            ex.update(records)
        elif header.type == _PAX_GLOBAL:
            gex.update(_parse_pax(raw, header.offset + _BLOCK))
        elif header.type in _LONG_PATH:
            ex["path"] = _dec_string(raw)
            if _is_ambiguous(raw):
                ex[_AMBIGUOUS] = 1
            else:
                ex.pop(_AMBIGUOUS, None)
        else:
            ex["linkpath"] = _dec_string(raw)

    def _body(self, header: _Header, size: int, *, keep: bool, prefix: int | None = None) -> bytes | None:
        """Consume a member's body and its padding to the next block; the data (its first `prefix` bytes
        when given) if `keep`."""
        padding = -size % _BLOCK
        data: bytes | None = None
        if keep and prefix is not None and prefix < size:
            data = self.source.read(prefix)
            got = len(data)
            if got == prefix:
                got += self.source.copy(size - prefix, None)
        elif keep and size <= _OUT_STEP:
            data = self.source.read(size)
            got = len(data)
        elif keep:
            sink = io.BytesIO()
            got = self.source.copy(size, sink)
            data = sink.getvalue()
        else:
            got = self.source.copy(size, None)
        if got == size:
            got += self.source.copy(padding, None)
        if got < size + padding:
            raise _MalformedError(
                f"truncated tar archive: {_shown(header.path, 80)!r} at offset {header.offset} needs "
                f"{size + padding:,} bytes, only {got:,} left"
            )
        return data

    def _entry(self, header: _Header, name: str, linkpath: str, size: int, *, ambiguous: bool) -> None:
        out = self.out
        if ambiguous:
            # node-tar cuts a name from its first NUL to the next newline, C-style readers at the NUL, and
            # a NUL left in the name makes npm's write fail: not one file, whoever reads it.
            out.flag(
                rules.AMBIGUOUS_NAME,
                f"archive member {_shown(name, 80)!r} has a NUL byte in its name, which tar readers "
                "disagree on; it was not read",
                name,
            )
            self._body(header, size, keep=False)
            return
        rule, path = _classify(name)
        if rule is not None:
            what = "an absolute path" if rule is rules.ABSOLUTE_PATH else "'..' components"
            out.flag(rule, f"archive member {_shown(name, 80)!r} has {what}; it was not read", name)
            self._body(header, size, keep=False)
            return
        kind = header.type
        if kind in (_HARDLINK, _SYMLINK):
            # pacote drops every link before extraction, so links are never part of the package; one
            # whose target leaves the package is still a finding (other extractors would follow it).
            hard = kind == _HARDLINK
            if hard:  # a hard link names another member: judge it from the archive root, before and after
                escapes = _link_escapes(linkpath, []) or _link_escapes("/".join(linkpath.split("/")[1:]), [])
            else:  # a symbolic link resolves from its own directory inside the package
                escapes = _link_escapes(linkpath, path.split("/")[:-1] if path else [])
            if escapes:
                what = "hard link" if hard else "symbolic link"
                out.flag(
                    rules.LINK_ESCAPE,
                    f"{what} {_shown(name, 80)!r} points outside the package, to {_shown(linkpath, 80)!r}",
                    name,
                    snippet=f"{_shown(name, 70)} -> {_shown(linkpath, 70)}",
                )
            self._body(header, size, keep=False)
            return
        if kind in _SPECIAL or (kind not in _REGULAR and kind not in _DIRECTORY_LIKE):
            what = _SPECIAL.get(kind) or f"member of unsupported type {kind!r}"
            out.flag(
                rules.SPECIAL_MEMBER,
                f"archive member {_shown(name, 80)!r} is a {what}; it was not read",
                name,
            )
            self._body(header, size, keep=False)
            return
        if kind in _DIRECTORY_LIKE or path is None:
            self._body(header, size, keep=False)
            return
        cap = self.limits.max_member_bytes
        if size > cap:
            out.flag(
                rules.TOO_LARGE,
                f"archive member {_shown(name, 80)!r} is {size:,} bytes, over the {cap:,}-byte cap; "
                "it was not read",
                name,
            )
            out.skipped.append(Skipped(f"larger than the {cap:,}-byte cap for one file", path))
            self._body(header, size, keep=False)
            return
        prefix = self.limits.prefix_only_bytes if path.lower().endswith(PREFIX_ONLY_SUFFIXES) else None
        data = self._body(header, size, keep=True, prefix=prefix)
        assert data is not None
        out.add_file(PackageFile(path, data, executable=bool(header.mode & 0o111), size=size))


def _entry_size(header: _Header, ex: dict[str, str | int], gex: dict[str, str | int]) -> int:
    """node-tar's body length: pax size (local, then global) over the header field; none for directories."""
    if "size" in ex and "size" in gex and ex["size"] != gex["size"]:
        # node-tar sizes the body by the local value but judges meta entries by the global one.
        raise _MalformedError(f"conflicting pax sizes for the member at offset {header.offset}")
    if header.type == _DIRECTORY:
        return 0
    size = ex.get("size", gex.get("size", header.size))
    if size is None:
        return 0
    size = int(size)
    if size < 0:
        raise _MalformedError(f"corrupt tar header at offset {header.offset} (negative size)")
    return size


# --------------------------------------------------------------------------------------------------
# Directories


def _display(name: str) -> str:
    """A file name from the OS (undecodable bytes kept as surrogates) as text, like tar names."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class _DirectoryWalker:
    def __init__(self, root: Path, limits: TarLimits) -> None:
        self.root = root
        self.limits = limits
        self.out = _Collector()
        self._real_root = os.path.realpath(root)
        self._members = 0
        self._total = 0

    def contents(self) -> PackageContents:
        contents = self.out.contents()
        files = tuple(sorted(contents.files, key=lambda f: f.path))
        return PackageContents(files, contents.findings, contents.skipped)

    def run(self) -> None:
        try:
            self._walk()
        except _CapError as hit:
            self.out.flag(hit.rule, f"{hit.message}; the rest was not read", hit.name or ".")
            self.out.skipped.append(Skipped(f"directory not fully read: {hit.message}"))

    def _walk(self) -> None:
        stack: list[tuple[str, str]] = [(os.fspath(self.root), "")]  # (OS path, package-relative path)
        while stack:
            directory, rel_dir = stack.pop()
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as error:
                if not rel_dir:
                    raise UsageError(f"cannot read directory {self.root}: {error.strerror}") from None
                self.out.skipped.append(Skipped(f"cannot list directory: {error.strerror}", rel_dir))
                continue
            subdirs: list[tuple[str, str]] = []
            for entry in entries:
                if entry.name in _EXCLUDED_DIRS:
                    continue
                rel = f"{rel_dir}/{_display(entry.name)}" if rel_dir else _display(entry.name)
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as error:
                    self.out.skipped.append(Skipped(f"cannot stat: {error.strerror}", rel))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    subdirs.append((entry.path, rel))
                    continue
                self._members += 1
                if self._members > self.limits.max_members:
                    raise _CapError(
                        rules.TOO_MANY_MEMBERS,
                        f"the directory has more than {self.limits.max_members:,} files",
                    )
                if stat.S_ISLNK(st.st_mode):
                    self._link(entry.path, rel)
                elif stat.S_ISREG(st.st_mode):
                    self._file(entry.path, rel, st.st_size)
                else:
                    self._special(rel, st.st_mode)
            stack.extend(reversed(subdirs))

    def _special(self, rel: str, mode: int) -> None:
        kinds = (
            (stat.S_ISFIFO, "FIFO"),
            (stat.S_ISSOCK, "socket"),
            (stat.S_ISCHR, "character device"),
            (stat.S_ISBLK, "block device"),
        )
        what = next((name for test, name in kinds if test(mode)), "special file")
        self.out.flag(rules.SPECIAL_MEMBER, f"{_shown(rel, 80)!r} is a {what}; it was not read", rel)

    def _link(self, os_path: str, rel: str) -> None:
        try:
            target = os.fspath(Path(os_path).readlink())
        except OSError as error:
            self.out.skipped.append(Skipped(f"cannot read symbolic link: {error.strerror}", rel))
            return
        real = os.path.realpath(os_path)
        if os.path.commonpath([self._real_root, real]) != self._real_root:
            shown_target = _display(target)
            self.out.flag(
                rules.LINK_ESCAPE,
                f"symbolic link {_shown(rel, 80)!r} points outside the package, to "
                f"{_shown(shown_target, 80)!r}; it was not followed",
                rel,
                snippet=f"{_shown(rel, 70)} -> {_shown(shown_target, 70)}",
            )
            return
        try:
            st = Path(real).stat()
        except FileNotFoundError:
            self.out.skipped.append(Skipped("dangling symbolic link", rel))
            return
        except OSError as error:  # a loop, or a component we may not search
            self.out.skipped.append(Skipped(f"unresolvable symbolic link: {error.strerror}", rel))
            return
        if stat.S_ISDIR(st.st_mode):
            return  # its files are read where they really are (links to directories are not descended into)
        if stat.S_ISREG(st.st_mode):
            self._file(real, rel, st.st_size)
        else:
            self._special(rel, st.st_mode)

    def _file(self, os_path: str, rel: str, size: int) -> None:
        cap = self.limits.max_member_bytes
        if size > cap:
            self._too_big(rel, size)
            return
        try:
            # O_NONBLOCK: a FIFO swapped in after the stat must not hang us; O_NOFOLLOW: nor a new link.
            fd = os.open(os_path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            self.out.skipped.append(Skipped(f"cannot read: {error.strerror}", rel))
            return
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self._special(rel, st.st_mode)
                return
            data = _read_fd(fd, st.st_size, cap)
        except OSError as error:
            self.out.skipped.append(Skipped(f"cannot read: {error.strerror}", rel))
            return
        finally:
            os.close(fd)
        if len(data) > cap:
            self._too_big(rel, len(data))
            return
        self._total += len(data)
        if self._total > self.limits.max_total_bytes:
            raise _CapError(
                rules.TOO_LARGE, f"the directory holds more than {self.limits.max_total_bytes:,} bytes", rel
            )
        self.out.add_file(PackageFile(rel, data, executable=bool(st.st_mode & 0o111)))

    def _too_big(self, rel: str, size: int) -> None:
        cap = self.limits.max_member_bytes
        self.out.flag(
            rules.TOO_LARGE,
            f"{_shown(rel, 80)!r} is {size:,} bytes, over the {cap:,}-byte cap; it was not read",
            rel,
        )
        self.out.skipped.append(Skipped(f"larger than the {cap:,}-byte cap for one file", rel))


def _read_fd(fd: int, expected: int, cap: int) -> bytes:
    """The file's bytes, but at most `cap + 1` (one more than allowed shows a file that grew past the cap)."""
    parts: list[bytes] = []
    total = 0
    step = min(expected, cap) + 1  # one read for a file that is as big as fstat said
    while total <= cap:
        block = os.read(fd, min(step, cap + 1 - total))
        if not block:
            break
        parts.append(block)
        total += len(block)
        step = _OUT_STEP
    return parts[0] if len(parts) == 1 else b"".join(parts)
