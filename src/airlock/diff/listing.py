"""A package's file listing as the diff compares it, and its stored form.

What `compare` needs of a version's files (paths, sizes, digests of the text, line counts, which files are
minified, each file's non-blank lines as digests) and of its own package.json (dependencies, `bin`) depends
only on the tarball's bytes. So it is stored once, keyed by the tarball's integrity and `LISTING_FORMAT`
(not by the analyzer version: no analysis goes into it), and a warm diff reads it instead of inflating
both tarballs of every changed package again.

A stored listing is trusted only for the bytes it was made from: the body names the integrity it was
computed for, and `decode_listing` answers None for a body it cannot read in full or that names other
bytes, and the caller reads the tarball again.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from airlock.contents import read_tarball
from airlock.diff.compare import DIGEST_BYTES, FileInfo, declared_manifest, files_of
from airlock.errors import OperationalError
from airlock.model import PackageContents
from airlock.store import AnalysisStore

logger = logging.getLogger(__name__)

LISTING_FORMAT = 1
"""Version of what a listing holds and how it is encoded; change it whenever either changes (or how
`compare` derives any field), so listings stored by an older airlock are misses, never misread."""

MAX_LISTING_BYTES = 256 * 1024 * 1024
"""Cap on a decompressed listing body: a damaged or planted row must not exhaust memory. A listing larger
than this (millions of distinct lines) is never read back, only recomputed."""


def _frozen(m: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True, slots=True)
class ListedFile:
    """One file, summarised: a `compare.ComparedFile` that answers as the `FileInfo` it was made from."""

    path: str
    size: int
    content: bytes | None
    """Digest of the text; None for a binary file."""
    line_count: int
    minified: bool
    line_digests: bytes = b""
    """The distinct non-blank lines' digests (`DIGEST_BYTES` each, in order of first occurrence);
    `line_counts` is aligned with them."""
    line_counts: tuple[int, ...] = ()

    @classmethod
    def of(cls, info: FileInfo) -> ListedFile:
        multiset = info.line_multiset().items()
        return cls(
            info.path,
            info.size,
            info.content,
            info.line_count,
            info.minified,
            b"".join(digest for digest, _ in multiset),
            tuple(count for _, count in multiset),
        )

    def line_multiset(self) -> dict[bytes, int]:
        digests = self.line_digests
        return {
            digests[i * DIGEST_BYTES : (i + 1) * DIGEST_BYTES]: count
            for i, count in enumerate(self.line_counts)
        }


@dataclass(frozen=True, slots=True)
class PackageListing:
    """A version's files (sorted by path) and what its own package.json declares (`dependencies` with
    `optionalDependencies`, and `bin`), as `compare.declared_manifest` reads them."""

    files: tuple[ListedFile, ...] = ()
    dependencies: Mapping[str, str] = field(default_factory=_frozen)
    bin: Mapping[str, str] = field(default_factory=_frozen)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dependencies", _frozen(self.dependencies))
        object.__setattr__(self, "bin", _frozen(self.bin))


def listing_of(contents: PackageContents) -> PackageListing:
    """The listing of a package read in full."""
    infos = files_of(contents)
    dependencies, bins = declared_manifest(infos)
    return PackageListing(tuple(ListedFile.of(info) for info in infos), dependencies, bins)


def stored_listing(store: AnalysisStore, integrity: str) -> PackageListing | None:
    """The listing stored for the bytes with this `integrity`, or None (never stored, stored in another
    format, or not readable in full: the caller reads the bytes)."""
    body = store.get_listing(integrity, LISTING_FORMAT)
    return None if body is None else decode_listing(integrity, body)


def stored_after_reading(store: AnalysisStore, integrity: str, data: bytes, subject: str) -> PackageListing:
    """The listing of the tarball `data` (whose integrity the caller verified or computed), stored for the
    next diff. Storing is best effort: a store that cannot be written costs the next diff a read, not
    this one its answer."""
    listing = listing_of(read_tarball(data, subject=subject))
    try:
        store.put_listing(integrity, LISTING_FORMAT, encode_listing(integrity, listing))
    except OperationalError as error:
        logger.warning("not storing the file listing of %s: %s", subject, error.message)
    return listing


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def encode_listing(integrity: str, listing: PackageListing) -> bytes:
    """The stored body of `listing`, computed from the bytes with this `integrity`."""
    document = {
        "format": LISTING_FORMAT,
        "integrity": integrity,
        "files": [
            [f.path, f.size, _b64(f.content), f.line_count, f.minified, _b64(f.line_digests), f.line_counts]
            for f in listing.files
        ],
        "dependencies": dict(listing.dependencies),
        "bin": dict(listing.bin),
    }
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    # Level 1: the bulk is line digests, which no level compresses much, and a large package has millions.
    return zlib.compress(text.encode("utf-8"), 1)


class _MalformedError(Exception):
    pass


def _expect(condition: bool) -> None:
    if not condition:
        raise _MalformedError


def _text_map(value: Any) -> dict[str, str]:
    _expect(isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))
    return dict(value)


def _digest(value: Any, *, multiple: bool = False) -> bytes:
    _expect(isinstance(value, str))
    raw = base64.b64decode(value, validate=True)
    _expect(len(raw) % DIGEST_BYTES == 0 if multiple else len(raw) == DIGEST_BYTES)
    return raw


def _count(value: Any) -> int:
    _expect(type(value) is int and value >= 0)
    result: int = value
    return result


def _file(entry: Any) -> ListedFile:
    _expect(isinstance(entry, list) and len(entry) == 7)
    path, size, content, line_count, minified, digests, counts = entry
    _expect(isinstance(path, str) and type(minified) is bool and isinstance(counts, list))
    listed = ListedFile(
        path,
        _count(size),
        None if content is None else _digest(content),
        _count(line_count),
        minified,
        _digest(digests, multiple=True),
        tuple(_count(c) for c in counts),
    )
    _expect(len(listed.line_digests) == DIGEST_BYTES * len(listed.line_counts))
    _expect(listed.content is not None or not listed.line_counts)
    return listed


def decode_listing(integrity: str, body: bytes) -> PackageListing | None:
    """The listing in a stored body, or None when the body is not a complete listing in this format of
    the bytes with this `integrity` (damaged, written by another airlock, or stored under the wrong key)."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(body, MAX_LISTING_BYTES)
        _expect(inflater.eof and not inflater.unconsumed_tail)
        document = json.loads(raw.decode("utf-8"))
        _expect(isinstance(document, dict))
        _expect(document.get("format") == LISTING_FORMAT and document.get("integrity") == integrity)
        files = document.get("files")
        _expect(isinstance(files, list))
        listed = tuple(_file(entry) for entry in files)
        _expect(all(a.path <= b.path for a, b in pairwise(listed)))
        return PackageListing(listed, _text_map(document.get("dependencies")), _text_map(document.get("bin")))
    except (_MalformedError, zlib.error, ValueError, TypeError, RecursionError, binascii.Error):
        # ValueError covers bad UTF-8 and bad JSON.
        return None


__all__ = [
    "LISTING_FORMAT",
    "ListedFile",
    "PackageListing",
    "decode_listing",
    "encode_listing",
    "listing_of",
    "stored_after_reading",
    "stored_listing",
]
