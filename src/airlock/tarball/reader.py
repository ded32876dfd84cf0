"""Read npm package archives safely, in memory: the members npm would install, and typed issues.

Nothing here writes to disk, extracts, follows a link out of the package or runs anything. Input is the
(already integrity-verified) tarball bytes; output is a `ReadResult`: the regular files npm would install,
an issue for every hostile member and `Skipped` entries for what was not read.

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

So this package reads the stream the way node-tar does (`src/header.ts`, `src/parse.ts`, `src/pax.ts`,
`src/read-entry.ts` of npm/node-tar) and, wherever node-tar would *skip or reinterpret* something (a bad
checksum, a header without a name, a link without a target, a pax record it would drop, a truncated member),
refuses the archive with `BadInputError` instead of guessing: refusing is always safe, agreeing is the only
other safe answer. tests/tarball/ checks the agreement against the node-tar bundled with npm on a corpus of
mutated archives (and ~100,000 more were compared while writing this, without a difference).

What npm installs from an archive (pacote `lib/fetcher.js`, `#tarxOptions`, and node-tar `Unpack`):
the first path component is stripped (`strip: 1`), whatever it is called; members whose type matches
`/Link$/` are dropped by pacote's filter (`if (/Link$/.test(entry.type)) return false`, see also
npm/cli#7608), so links never reach the disk; directories, devices, FIFOs and unknown types are skipped;
regular files (types `0`, NUL and `7`) are written, over any earlier file of the same path (node-tar
reuses the file), and a directory member replaces an earlier file of its path (node-tar unlinks it). We keep
exactly the files npm ends up with, and report the rest.
"""

from __future__ import annotations

import io

from airlock.errors import BadInputError
from airlock.model import PackageFile, Skipped
from airlock.tarball.headers import (
    AMBIGUOUS,
    BLOCK,
    DIRECTORY_LIKE,
    HARDLINK,
    LONG_PATH,
    MAX_META_BYTES,
    META,
    PAX_GLOBAL,
    PAX_LOCAL,
    REGULAR,
    SPECIAL,
    SYMLINK,
    Header,
    dec_string,
    decode_header,
    entry_size,
    is_ambiguous,
    parse_pax,
)
from airlock.tarball.issues import CapError, Collector, IssueKind, MalformedError, ReadResult, shown
from airlock.tarball.limits import DEFAULT_LIMITS, PREFIX_ONLY_SUFFIXES, TarLimits
from airlock.tarball.paths import classify, link_escapes
from airlock.tarball.stream import GZIP_MAGIC, OUT_STEP, GzipSource, PlainSource, Source

__all__ = ["read_archive"]

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_HINT = (
    "the archive is damaged or was not produced by `npm pack`; fetch it again (it is not analysed, and npm "
    "may read it differently), or list it with `tar -tvzf` to see what it holds"
)


def read_archive(data: bytes, *, subject: str, limits: TarLimits = DEFAULT_LIMITS) -> ReadResult:
    """The files of a package archive (gzip-compressed tar as the registry serves it, or plain tar).

    Hostile members become issues and are not read; caps stop reading with an issue; an archive that
    is truncated, corrupt or not a tar at all raises `BadInputError` naming `subject`.
    """
    if not data:
        raise BadInputError(
            f"cannot read {subject}: empty input (0 bytes), not a package archive", hint=_HINT
        )
    source: Source
    if data[:2] == GZIP_MAGIC:
        source = GzipSource(data, limits)
    elif data[:4] == _ZSTD_MAGIC:
        raise BadInputError(
            f"cannot read {subject}: zstd-compressed archives are not supported",
            hint="the npm registry serves gzip; recompress the tar with gzip to scan it",
        )
    else:
        source = PlainSource(data, limits)
    reader = _TarReader(source, limits)
    try:
        reader.run()
    except MalformedError as error:
        raise BadInputError(f"cannot read {subject}: {error}", hint=_HINT) from None
    return reader.result()


class _TarReader:
    def __init__(self, source: Source, limits: TarLimits) -> None:
        self.source = source
        self.limits = limits
        self.out = Collector()
        self._last = ""  # the last member name seen, for evidence of archive-level findings
        self._names: dict[str, str] = {}  # package path -> member name that last wrote it (names both copies)

    def result(self) -> ReadResult:
        return self.out.result()

    def run(self) -> None:
        try:
            ended = self._read_members()
        except CapError as hit:
            self.out.flag(hit.kind, f"{hit.message}; the rest was not read", self._last or "(archive)")
            self.out.skipped.append(Skipped(f"archive not fully read: {hit.message}"))
            return
        if not ended:
            return
        try:
            self.source.drain()
        except CapError as hit:
            # Every member was read; what follows the tar's end marker is inflated by npm all the same.
            self.out.flag(
                hit.kind, f"{hit.message} (after the end of the tar data)", self._last or "(archive)"
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
            block = source.read(BLOCK)
            if len(block) < BLOCK:
                if any(block):
                    raise MalformedError(
                        self._bad_start() if headers == 0 else f"truncated tar header at offset {offset}"
                    )
                if entries == 0:
                    raise MalformedError("empty archive (no members)")
                return False
            try:
                header = decode_header(block, offset, ex)
            except MalformedError as error:
                raise MalformedError(self._bad_start() if headers == 0 else str(error)) from None
            headers += 1
            if header is None:  # node-tar ends the archive at two null blocks in a row, not one
                if saw_null:
                    if entries == 0:
                        raise MalformedError("empty archive (no members)")
                    return True
                saw_null = True
                continue
            saw_null = False
            size = entry_size(header, ex, gex)
            if header.type in META:
                self._read_meta(header, size, ex, gex)
                continue
            # As node-tar's ReadEntry: a pax/GNU path replaces the header's; global linkpath beats local.
            path = str(ex.get("path", header.path))
            linkpath = str(gex.get("linkpath", ex.get("linkpath", header.linkname)))
            ambiguous = AMBIGUOUS in ex if "path" in ex else header.ambiguous
            ex = {}  # node-tar drops the extended header once any entry consumed it
            self._last = path
            entries += 1
            if entries > self.limits.max_members:
                raise CapError(
                    IssueKind.TOO_MANY_MEMBERS,
                    f"the archive has more than {self.limits.max_members:,} members",
                )
            self._entry(header, path, linkpath, size, ambiguous=ambiguous or "\0" in path)

    def _bad_start(self) -> str:
        if isinstance(self.source, GzipSource):
            return "the gzip stream does not hold a tar archive (corrupt tar header at offset 0)"
        return "not a gzip or tar archive"

    def _read_meta(
        self, header: Header, size: int, ex: dict[str, str | int], gex: dict[str, str | int]
    ) -> None:
        if size > MAX_META_BYTES:
            raise MalformedError(
                f"extended header of {size:,} bytes at offset {header.offset} (npm ignores those)"
            )
        if size == 0:
            return
        raw = self._body(header, size, keep=True)
        assert raw is not None
        if header.type in PAX_LOCAL:
            records = parse_pax(raw, header.offset + BLOCK)
            if "path" in records:
                ex.pop(AMBIGUOUS, None)
            ex.update(records)
        elif header.type == PAX_GLOBAL:
            gex.update(parse_pax(raw, header.offset + BLOCK))
        elif header.type in LONG_PATH:
            ex["path"] = dec_string(raw)
            if is_ambiguous(raw):
                ex[AMBIGUOUS] = 1
            else:
                ex.pop(AMBIGUOUS, None)
        else:
            ex["linkpath"] = dec_string(raw)

    def _body(self, header: Header, size: int, *, keep: bool, prefix: int | None = None) -> bytes | None:
        """Consume a member's body and its padding to the next block; the data (its first `prefix` bytes
        when given) if `keep`."""
        padding = -size % BLOCK
        data: bytes | None = None
        if keep and prefix is not None and prefix < size:
            data = self.source.read(prefix)
            got = len(data)
            if got == prefix:
                got += self.source.copy(size - prefix, None)
        elif keep and size <= OUT_STEP:
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
            raise MalformedError(
                f"truncated tar archive: {shown(header.path, 80)!r} at offset {header.offset} needs "
                f"{size + padding:,} bytes, only {got:,} left"
            )
        return data

    def _entry(self, header: Header, name: str, linkpath: str, size: int, *, ambiguous: bool) -> None:
        out = self.out
        if ambiguous:
            # node-tar cuts a name from its first NUL to the next newline, C-style readers at the NUL, and
            # a NUL left in the name makes npm's write fail: not one file, whoever reads it.
            out.flag(
                IssueKind.AMBIGUOUS_NAME,
                f"archive member {shown(name, 80)!r} has a NUL byte in its name, which tar readers "
                "disagree on; it was not read",
                name,
            )
            self._body(header, size, keep=False)
            return
        hostile, path = classify(name)
        if hostile is not None:
            what = "an absolute path" if hostile is IssueKind.ABSOLUTE_PATH else "'..' components"
            out.flag(hostile, f"archive member {shown(name, 80)!r} has {what}; it was not read", name)
            self._body(header, size, keep=False)
            return
        kind = header.type
        if kind in (HARDLINK, SYMLINK):
            # pacote drops every link before extraction, so links are never part of the package; one
            # whose target leaves the package is still a finding (other extractors would follow it).
            hard = kind == HARDLINK
            if hard:  # a hard link names another member: judge it from the archive root, before and after
                escapes = link_escapes(linkpath, []) or link_escapes("/".join(linkpath.split("/")[1:]), [])
            else:  # a symbolic link resolves from its own directory inside the package
                escapes = link_escapes(linkpath, path.split("/")[:-1] if path else [])
            if escapes:
                what = "hard link" if hard else "symbolic link"
                out.flag(
                    IssueKind.LINK_ESCAPE,
                    f"{what} {shown(name, 80)!r} points outside the package, to {shown(linkpath, 80)!r}",
                    name,
                    target=linkpath,
                )
            self._body(header, size, keep=False)
            return
        if kind in SPECIAL or (kind not in REGULAR and kind not in DIRECTORY_LIKE):
            what = SPECIAL.get(kind) or f"member of unsupported type {kind!r}"
            out.flag(
                IssueKind.SPECIAL_MEMBER,
                f"archive member {shown(name, 80)!r} is a {what}; it was not read",
                name,
            )
            self._body(header, size, keep=False)
            return
        if path is None:
            self._body(header, size, keep=False)
            return
        if kind in DIRECTORY_LIKE:
            if path in out.files:  # node-tar unlinks the file to make the directory
                del out.files[path]
                out.flag(
                    IssueKind.DUPLICATE_MEMBER,
                    f"archive member {shown(name, 80)!r} is a directory where an earlier member put the file "
                    f"{shown(path, 80)!r}; npm replaces the file with the directory, so the file was not "
                    "analysed",
                    name,
                )
            self._body(header, size, keep=False)
            return
        # npm writes every copy over the last: the earlier bytes are not what it installs. A repeat with the
        # same bytes (some packers write `package/./x` and `package/x`) shows nobody a decoy.
        earlier = out.files.pop(path, None)

        first_name = self._names.get(path, name) if earlier is not None else name
        self._names[path] = name

        def repeated() -> None:
            out.flag(
                IssueKind.DUPLICATE_MEMBER,
                f"archive members {shown(first_name, 80)!r} and {shown(name, 80)!r} both install at "
                f"{shown(path, 80)!r} with other bytes; npm installs the last copy ({shown(name, 80)!r}) and "
                f"that is the one analysed; the earlier copy ({shown(first_name, 80)!r}, what a reader that "
                "keeps the first member shows) was not analysed",
                name,
            )

        cap = self.limits.max_member_bytes
        if size > cap:
            if earlier is not None:
                repeated()
            out.flag(
                IssueKind.TOO_LARGE,
                f"archive member {shown(name, 80)!r} is {size:,} bytes, over the {cap:,}-byte cap; "
                "it was not read",
                name,
            )
            out.skipped.append(Skipped(f"larger than the {cap:,}-byte cap for one file", path))
            self._body(header, size, keep=False)
            return
        prefix = self.limits.prefix_only_bytes if path.lower().endswith(PREFIX_ONLY_SUFFIXES) else None
        data = self._body(header, size, keep=True, prefix=prefix)
        assert data is not None
        if earlier is not None and (earlier.data != data or (earlier.size or len(earlier.data)) != size):
            repeated()
        out.add_file(PackageFile(path, data, executable=bool(header.mode & 0o111), size=size))
