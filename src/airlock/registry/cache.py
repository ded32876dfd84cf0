"""The download cache: tarballs addressed by their digest, packuments by (registry, name).

Layout under the root (directories 0o700, files 0o600, every write a same-directory temp file + os.replace,
so a crash never leaves a half-written entry under a real name):

    tarballs/<algorithm>/<hex[:2]>/<hex>
    packuments/<sha256(registry, name, variant)[:2]>/<sha256…>

A tarball is re-hashed on every read: the cache is a convenience, never a source of trust. A corrupt entry
is deleted and reported as a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
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
_DIR_MODE = 0o700
_FILE_MODE = 0o600


def default_cache_dir() -> Path:
    """`$AIRLOCK_CACHE_DIR`, else the platform's user cache dir (`$XDG_CACHE_HOME/airlock` on Linux)."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("airlock", appauthor=False))


@dataclass(frozen=True, slots=True)
class CachedPackument:
    body: bytes
    etag: str | None
    fetched: datetime


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
        key = hashlib.sha256(
            "\0".join((registry, name, "full" if full else "abbreviated")).encode()
        ).hexdigest()
        return self._root / "packuments" / key[:2] / key

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
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("cannot read cache entry %s: %s", path, error.strerror or error)
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
    ) -> None:
        header = {
            "registry": redact_url(registry),
            "name": name,
            "etag": etag,
            "fetched": (fetched or datetime.now(UTC)).isoformat(),
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        data = _PACKUMENT_MAGIC + json.dumps(header).encode() + b"\n" + body
        self._write_atomic(self._packument_path(registry, name, full), data)

    def discard_packument(self, registry: str, name: str, *, full: bool = False) -> None:
        with contextlib.suppress(OSError):
            self._packument_path(registry, name, full).unlink()


def _decode_packument(raw: bytes, registry: str, name: str) -> CachedPackument | None:
    if not raw.startswith(_PACKUMENT_MAGIC):
        return None
    header_line, sep, body = raw[len(_PACKUMENT_MAGIC) :].partition(b"\n")
    if not sep:
        return None
    try:
        header = json.loads(header_line)
        fetched = datetime.fromisoformat(header["fetched"])
        etag = header["etag"]
        size = header["size"]
        checksum = header["sha256"]
    except (ValueError, KeyError, TypeError):
        return None
    if (
        header.get("name") != name
        or header.get("registry") != redact_url(registry)
        or size != len(body)
        or checksum != hashlib.sha256(body).hexdigest()
        or not (etag is None or isinstance(etag, str))
    ):
        return None
    return CachedPackument(body, etag, fetched)
