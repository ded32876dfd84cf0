"""The download cache: tarballs addressed by their digest, packuments by (registry, name).

Layout under the root (directories 0o700, files 0o600, every write a same-directory temp file + os.replace,
so a crash never leaves a half-written entry under a real name):

    tarballs/<algorithm>/<hex[:2]>/<hex>
    packuments/<sha256(registry, name, variant)[:2]>/<sha256…>
    packuments/<…same…>/<sha256…>.digest    what airlock reads of that body (registry/digest.py)
    packuments/<…same…>/<sha256…>.checked   when the registry last confirmed that body (a 304)

A tarball is re-hashed on every read: the cache is a convenience, never a source of trust. A corrupt entry
is deleted and reported as a miss.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import platformdirs

from airlock.errors import BadInputError, OperationalError
from airlock.files import write_atomic
from airlock.integrity import Digest, IntegrityError, compute
from airlock.registry.npmrc import redact_url

logger = logging.getLogger(__name__)

CACHE_DIR_ENV = "AIRLOCK_CACHE_DIR"
_DIGEST_SIZES = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}
_PACKUMENT_MAGIC = b"airlock-packument 1\n"
_DIGEST_MAGIC = b"airlock-packument-digest 1\n"
_MAX_HEADER = 64 * 1024
_DIR_MODE = 0o700
_FILE_MODE = 0o600
_ABANDONED_AFTER = 3600.0
"""Seconds a download's temp file may go unmodified before it counts as abandoned: its process ended
without cleaning up (Ctrl-C exits at once), while a live download writes at least once per request timeout."""


def default_cache_dir() -> Path:
    """`$AIRLOCK_CACHE_DIR`, else the platform's user cache dir (`$XDG_CACHE_HOME/airlock` on Linux)."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("airlock", appauthor=False))


@dataclass(frozen=True, slots=True)
class PackumentHeader:
    """What the cache knows about a stored packument without reading its body."""

    etag: str | None
    fetched: datetime
    revision: str
    """sha256 (hex) of the body: what a digest of it is keyed by."""
    size: int


@dataclass(frozen=True, slots=True)
class CachedPackument:
    body: bytes
    etag: str | None
    fetched: datetime
    revision: str = ""
    """sha256 (hex) of the body."""


class CacheWriteError(OperationalError):
    """The cache directory cannot be written."""


def _cannot_write(path: Path, error: OSError) -> CacheWriteError:
    return CacheWriteError(
        f"cannot write the cache at {path}: {error.strerror or error}",
        hint=f"set {CACHE_DIR_ENV} to a writable directory, or free some disk space",
    )


class TarballWriter:
    """A download on its way into the cache: hashed as it is written, moved into place only when the
    bytes match the digest, so the tarball never has to sit in memory whole."""

    def __init__(self, digest: Digest, target: Path, temp: Path, handle: BinaryIO) -> None:
        self._digest = digest
        self._target = target
        self._temp = temp
        self._handle = handle
        self._hash = hashlib.new(digest.algorithm)
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._handle.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def commit(self, subject: str) -> Path:
        """Move the verified file into place; `IntegrityError` (and nothing kept) if it does not match."""
        try:
            self._handle.close()
            actual = Digest(self._digest.algorithm, self._hash.digest())
            if actual.value != self._digest.value:
                raise IntegrityError(subject, self._digest.sri(), actual.sri())
            self._temp.chmod(_FILE_MODE)
            self._temp.replace(self._target)
        except BaseException:
            self.discard()
            raise
        return self._target

    def discard(self) -> None:
        self._handle.close()
        with contextlib.suppress(OSError):
            self._temp.unlink()


class Cache:
    """Content-addressed, atomic, safe to share between threads and processes."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._packument_paths: dict[tuple[str, str, bool], Path] = {}
        try:
            root.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        except OSError as error:
            raise OperationalError(
                f"cannot create the cache directory {root}: {error.strerror or error}",
                hint=f"set {CACHE_DIR_ENV} to a writable directory",
            ) from None
        if not root.is_dir():
            raise OperationalError(
                f"the cache path {root} exists but is not a directory",
                hint=f"remove it, or set {CACHE_DIR_ENV} to a directory",
            )

    @property
    def root(self) -> Path:
        return self._root

    # ---- paths ---------------------------------------------------------------------------------------
    def _tarball_path(self, digest: Digest) -> Path:
        # Digest is a plain dataclass anyone can build; only known algorithms and exact lengths make paths.
        if _DIGEST_SIZES.get(digest.algorithm) != len(digest.value):
            raise BadInputError(
                f"not a cacheable digest: {digest.algorithm} with {len(digest.value)} bytes",
                hint="tarballs are cached by sha1/sha256/sha384/sha512 digests",
            )
        hexdigest = digest.hex
        return self._root / "tarballs" / digest.algorithm / hexdigest[:2] / hexdigest

    def _packument_path(self, registry: str, name: str, full: bool) -> Path:
        # Memoised: a warm run asks for each entry's body, digest and check stamp paths.
        path = self._packument_paths.get((registry, name, full))
        if path is None:
            key = hashlib.sha256(
                "\0".join((registry, name, "full" if full else "abbreviated")).encode()
            ).hexdigest()
            path = self._root / "packuments" / key[:2] / key
            self._packument_paths[(registry, name, full)] = path
        return path

    def _digest_path(self, registry: str, name: str, full: bool) -> Path:
        path = self._packument_path(registry, name, full)
        return path.with_name(path.name + ".digest")

    def _checked_path(self, registry: str, name: str, full: bool) -> Path:
        path = self._packument_path(registry, name, full)
        return path.with_name(path.name + ".checked")

    # ---- writing -------------------------------------------------------------------------------------
    def _ensure_dir(self, directory: Path) -> None:
        missing: list[Path] = []
        current = directory
        while not current.is_dir():
            missing.append(current)
            if current == self._root:
                break  # the root itself was removed (e.g. `airlock cache clear` meanwhile): recreate it
            current = current.parent
        for path in reversed(missing):
            with contextlib.suppress(FileExistsError):
                path.mkdir(mode=_DIR_MODE)

    def _write_atomic(self, target: Path, data: bytes) -> None:
        try:
            self._ensure_dir(target.parent)
            # No fsync: every read re-verifies, so an entry torn by a power cut is just a miss.
            write_atomic(target, data, mode=_FILE_MODE)
        except OSError as error:
            raise _cannot_write(target, error) from None

    # ---- tarballs ------------------------------------------------------------------------------------
    def get_tarball(self, digest: Digest) -> bytes | None:
        """The cached bytes for `digest`, re-verified; None on a miss or on a corrupt entry (now removed)."""
        path = self._tarball_path(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("cannot read cache entry %s: %s", path, error.strerror or error)
            return None
        if compute(data, digest.algorithm).value != digest.value:
            logger.warning("cache entry %s does not match its digest; removing it", path)
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return data

    def tarball_file(self, digest: Digest) -> Path | None:
        """Where the cached tarball for `digest` is, if it is; not verified here (readers verify)."""
        path = self._tarball_path(digest)
        return path if path.is_file() else None

    def tarball_writer(self, digest: Digest) -> TarballWriter:
        """A writer that streams a download into the cache entry for `digest` (see `TarballWriter`)."""
        target = self._tarball_path(digest)
        try:
            self._ensure_dir(target.parent)
            _remove_abandoned(target)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        except OSError as error:
            raise _cannot_write(target, error) from None
        return TarballWriter(digest, target, Path(temp), os.fdopen(fd, "wb"))

    def put_tarball(self, digest: Digest, data: bytes) -> None:
        """Store verified bytes. Bytes that do not hash to `digest` are refused (the cache must not lie)."""
        path = self._tarball_path(digest)
        if compute(data, digest.algorithm).value != digest.value:
            raise BadInputError(
                f"refusing to cache bytes that do not match {digest.sri()}",
                hint="verify tarballs before caching them",
            )
        self._write_atomic(path, data)

    # ---- packuments ----------------------------------------------------------------------------------
    def get_packument(self, registry: str, name: str, *, full: bool = False) -> CachedPackument | None:
        path = self._packument_path(registry, name, full)
        raw = _read_entry(path)
        if raw is None:
            return None
        entry = _decode_packument(raw, registry, name)
        if entry is None:
            logger.warning("cache entry %s is corrupt; removing it", path)
            self.discard_packument(registry, name, full=full)
        return entry

    def put_packument(
        self,
        registry: str,
        name: str,
        body: bytes,
        *,
        etag: str | None,
        full: bool = False,
        fetched: datetime | None = None,
    ) -> str:
        """Store a packument body; returns its revision (sha256 hex), the key of digests made from it."""
        revision = hashlib.sha256(body).hexdigest()
        header = {
            "registry": redact_url(registry),
            "name": name,
            "etag": etag,
            "fetched": (fetched or datetime.now(UTC)).isoformat(),
            "size": len(body),
            "sha256": revision,
        }
        data = _PACKUMENT_MAGIC + json.dumps(header).encode() + b"\n" + body
        self._write_atomic(self._packument_path(registry, name, full), data)
        return revision

    def packument_header(self, registry: str, name: str, *, full: bool = False) -> PackumentHeader | None:
        """The stored packument's etag, fetch time and revision, reading only its first line (the body is
        checked for length, not re-hashed: what reads the body, `get_packument`, re-hashes it)."""
        path = self._packument_path(registry, name, full)
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                magic = handle.read(len(_PACKUMENT_MAGIC))
                line = handle.readline(_MAX_HEADER)
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("cannot read cache entry %s: %s", path, error.strerror or error)
            return None
        header = _packument_header(line, registry, name) if magic == _PACKUMENT_MAGIC else None
        if header is None or size != len(magic) + len(line) + header.size or not line.endswith(b"\n"):
            logger.warning("cache entry %s is corrupt; removing it", path)
            self.discard_packument(registry, name, full=full)
            return None
        checked = self._checked(registry, name, full, header.revision)
        if checked is not None and checked > header.fetched:
            return replace(header, fetched=checked)
        return header

    def _checked(self, registry: str, name: str, full: bool, revision: str) -> datetime | None:
        try:
            stamp = json.loads(self._checked_path(registry, name, full).read_bytes())
            if stamp["revision"] == revision:
                return datetime.fromisoformat(stamp["checked"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # missing or unreadable: the body's own fetch time stands
        return None

    def mark_packument_checked(
        self, registry: str, name: str, *, revision: str, full: bool = False, when: datetime | None = None
    ) -> None:
        """Record that the registry confirmed (304) this revision of the packument at `when`: the entry's
        freshness counts from then, without rewriting a body of tens of MB."""
        stamp = {"revision": revision, "checked": (when or datetime.now(UTC)).isoformat()}
        self._write_atomic(self._checked_path(registry, name, full), json.dumps(stamp).encode())

    def discard_packument(self, registry: str, name: str, *, full: bool = False) -> None:
        for path in (
            self._packument_path(registry, name, full),
            self._digest_path(registry, name, full),
            self._checked_path(registry, name, full),
        ):
            with contextlib.suppress(OSError):
                path.unlink()

    # ---- packument digests ---------------------------------------------------------------------------
    def get_packument_digest(
        self, registry: str, name: str, *, revision: str, full: bool = False
    ) -> bytes | None:
        """The digest stored for this revision (body sha256) of the packument, or None: missing, made from
        another revision (the body changed since), or damaged (then removed)."""
        path = self._digest_path(registry, name, full)
        raw = _read_entry(path)
        if raw is None:
            return None
        header_line, sep, payload = raw[len(_DIGEST_MAGIC) :].partition(b"\n")
        try:
            header = json.loads(header_line) if raw.startswith(_DIGEST_MAGIC) and sep else None
        except ValueError:
            header = None
        if (
            not isinstance(header, dict)
            or header.get("name") != name
            or header.get("registry") != redact_url(registry)
        ):
            logger.warning("cache entry %s is corrupt; removing it", path)
            self.discard_packument_digest(registry, name, full=full)
            return None
        if header.get("revision") != revision:
            return None  # stale, not damaged: the next put replaces it
        if header.get("size") != len(payload) or header.get("sha256") != hashlib.sha256(payload).hexdigest():
            logger.warning("cache entry %s does not match its checksum; removing it", path)
            self.discard_packument_digest(registry, name, full=full)
            return None
        return payload

    def put_packument_digest(
        self, registry: str, name: str, payload: bytes, *, revision: str, full: bool = False
    ) -> None:
        header = {
            "registry": redact_url(registry),
            "name": name,
            "revision": revision,
            "size": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
        data = _DIGEST_MAGIC + json.dumps(header).encode() + b"\n" + payload
        self._write_atomic(self._digest_path(registry, name, full), data)

    def discard_packument_digest(self, registry: str, name: str, *, full: bool = False) -> None:
        with contextlib.suppress(OSError):
            self._digest_path(registry, name, full).unlink()


def _remove_abandoned(target: Path) -> None:
    """Earlier downloads of `target` cut short, left as temp files beside it; fetching it again sweeps them."""
    cutoff = time.time() - _ABANDONED_AFTER
    for temp in target.parent.glob(f".{glob.escape(target.name)}.*"):
        with contextlib.suppress(OSError):
            if temp.stat().st_mtime < cutoff:
                temp.unlink()


def _packument_header(line: bytes, registry: str, name: str) -> PackumentHeader | None:
    try:
        header = json.loads(line)
        fetched = datetime.fromisoformat(header["fetched"])
        etag = header["etag"]
        size = header["size"]
        checksum = header["sha256"]
    except (ValueError, KeyError, TypeError):
        return None
    if (
        header.get("name") != name
        or header.get("registry") != redact_url(registry)
        or not isinstance(size, int)
        or not isinstance(checksum, str)
        or not (etag is None or isinstance(etag, str))
    ):
        return None
    return PackumentHeader(etag, fetched, checksum, size)


def _decode_packument(raw: bytes, registry: str, name: str) -> CachedPackument | None:
    if not raw.startswith(_PACKUMENT_MAGIC):
        return None
    header_line, sep, body = raw[len(_PACKUMENT_MAGIC) :].partition(b"\n")
    if not sep:
        return None
    header = _packument_header(header_line, registry, name)
    if header is None or header.size != len(body) or header.revision != hashlib.sha256(body).hexdigest():
        return None
    return CachedPackument(body, header.etag, header.fetched, header.revision)


def _read_entry(path: Path) -> bytes | None:
    """A cache file's bytes; None when it is missing or unreadable (a cache miss, logged)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning("cannot read cache entry %s: %s", path, error.strerror or error)
        return None
