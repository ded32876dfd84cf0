"""The acquire stage: a request becomes verified bytes to analyse, a stored analysis, or a failure.

Runs in fetch threads. Everything it learns is returned in the `Acquired` value; the only state it touches
is thread-safe by construction (the lazily created client, the store behind a lock, the slot semaphore).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from airlock.analysis import ANALYZER_VERSION
from airlock.contents import read_directory
from airlock.errors import AirlockError, OperationalError, UsageError
from airlock.integrity import Digest, compute, parse_sri, sri_of, verify
from airlock.model import PackageAnalysis
from airlock.patches import store_key
from airlock.pipeline.context import ContextStage
from airlock.pipeline.executor import DirectoryContents, TarballBytes, TarballFile
from airlock.pipeline.requests import (
    FromDirectory,
    FromRegistry,
    FromTarball,
    FromUrl,
    Invalid,
    NotFetched,
    PackageRequest,
)
from airlock.pipeline.results import (
    NO_REGISTRY,
    Acquired,
    Failed,
    Identity,
    RegistryView,
    Stored,
    ToAnalyse,
    Unanalysed,
)
from airlock.registry.cache import CacheWriteError
from airlock.registry.client import RegistryClient
from airlock.registry.semver import pick_version
from airlock.store import AnalysisStore

logger = logging.getLogger(__name__)

MAX_LOCAL_TARBALL_BYTES = 512 * 2**20
HEAVY_ARCHIVE_BYTES = 3 * 2**20
"""Archives at least this big (compressed) are analysed one at a time, unless the registry marks them
platform-specific (os/cpu): those are prebuilt binaries, which analysis barely reads."""
_SLOT_POLL_SECONDS = 0.2


class Acquirer:
    """Turns requests into `Acquired` values. The registry client is created on first use, so local-only
    scans never need a network."""

    def __init__(
        self,
        *,
        client: Callable[[], RegistryClient],
        store: AnalysisStore,
        slots: threading.BoundedSemaphore,
    ) -> None:
        self._client_factory = client
        self._client: RegistryClient | None = None
        self._client_lock = threading.Lock()
        self._store = store
        self._store_lock = threading.Lock()
        self._slots = slots
        self._cancelled = threading.Event()
        self._prefetched: Mapping[str, PackageAnalysis] = {}

    @property
    def client(self) -> RegistryClient:
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def prefetch(self, integrities: list[str]) -> None:
        """One batched store lookup for integrities known before any download (a lockfile's). Call before
        the fetch threads start; they only read the result."""
        if integrities:
            with self._store_lock:
                self._prefetched = self._store.get_many(integrities, ANALYZER_VERSION)

    def stored(self, integrity: str) -> PackageAnalysis | None:
        hit = self._prefetched.get(integrity)
        if hit is not None:
            return hit
        with self._store_lock:
            return self._store.get(integrity, ANALYZER_VERSION)

    def put(self, integrity: str, analysis: PackageAnalysis) -> None:
        with self._store_lock:
            self._store.put(integrity, analysis)

    def release(self) -> None:
        self._slots.release()

    def cancel(self) -> None:
        """The run is over (interrupted): threads waiting for a slot give up instead of waiting forever."""
        self._cancelled.set()

    def _take_slot(self) -> None:
        while not self._slots.acquire(timeout=_SLOT_POLL_SECONDS):
            if self._cancelled.is_set():
                raise OperationalError("cancelled: the run was interrupted")

    # ---- one request, in a fetch thread ----------------------------------------------------------------
    def acquire(self, index: int, request: PackageRequest, context: ContextStage) -> Acquired:
        locator = request.locator
        identity = Identity(request.name, request.version, request.integrity)
        if isinstance(locator, Invalid):
            return Failed(identity, NO_REGISTRY, locator.error)
        if isinstance(locator, NotFetched):
            return Unanalysed(identity)
        try:
            if isinstance(locator, FromRegistry):
                return self._from_registry(index, request, locator, context)
            if isinstance(locator, FromTarball | FromUrl):
                data = (
                    _read_local_tarball(locator.path)
                    if isinstance(locator, FromTarball)
                    else self.client.fetch_url_tarball(locator.url)
                )
                identity = Identity(request.name, request.version, sri_of(data))
                assert identity.integrity is not None
                stored = self.stored(identity.integrity)
                if stored is not None:
                    return Stored(identity, NO_REGISTRY, stored)
                return ToAnalyse(
                    identity, NO_REGISTRY, TarballBytes(data, request.label),
                    heavy=len(data) >= HEAVY_ARCHIVE_BYTES,
                )  # fmt: skip
            assert isinstance(locator, FromDirectory)
            contents = read_directory(locator.path)
            return ToAnalyse(identity, NO_REGISTRY, DirectoryContents(contents, request.label))
        except AirlockError as error:
            return Failed(identity, NO_REGISTRY, error)

    def _from_registry(
        self, index: int, request: PackageRequest, locator: FromRegistry, context: ContextStage
    ) -> Acquired:
        target = locator.target
        identity = Identity(target.name, request.version, request.integrity)
        view = NO_REGISTRY
        try:
            client = self.client
            packument = client.packument(target.name, full=context.full_packuments)
            manifest = (
                packument.versions.get(target.selector)
                if locator.exact
                else pick_version(packument, target.selector)
            )
            view = context.registry(index, request, packument, manifest)
            if manifest is None:
                raise UsageError(
                    f"{request.label} is not in the registry ({client.config.registry_for(target.name)})",
                    hint="it may have been unpublished (npm removes malware this way) or the lockfile "
                    "names a version that never existed",
                )
            integrity = manifest.dist.digest().sri()
            identity = Identity(manifest.name, manifest.version, integrity)
            key = store_key(integrity, request.patches)
            pinned = _other_pin(request.integrity, integrity)
            if pinned is None:
                stored = self.stored(key)
                if stored is not None:
                    return Stored(identity, view, stored)
            return self._download(identity, view, request, key, pinned)
        except AirlockError as error:
            return Failed(identity, view, error)

    def fetch_again(self, request: PackageRequest, acquired: ToAnalyse) -> Acquired:
        """`acquired` once more, after its cache file failed verification when analysed (and was removed):
        the tarball downloaded again, without asking for the registry's document again."""
        identity, view = acquired.identity, acquired.registry
        assert identity.integrity is not None and acquired.store_key is not None
        try:
            pinned = _other_pin(request.integrity, identity.integrity)
            return self._download(identity, view, request, acquired.store_key, pinned)
        except AirlockError as error:
            return Failed(identity, view, error)

    def _download(
        self, identity: Identity, view: RegistryView, request: PackageRequest, key: str, pinned: Digest | None
    ) -> ToAnalyse | Stored:
        """The tarball as a verified cache file (streamed there when missing), handed to analysis by path.
        Holds an in-flight slot until its analysis ends.

        `pinned` is the lockfile's own hash when it uses another algorithm than the registry's (a pre-2018
        yarn lockfile pins sha1): the bytes must match it too, as they must for yarn, before a stored
        analysis of the registry's bytes is trusted for them."""
        manifest = view.manifest
        assert manifest is not None and identity.integrity is not None
        label, patches = request.label, request.patches
        client = self.client
        self._take_slot()
        try:
            try:
                path, fetched = client.fetch_tarball_file(manifest)
            except CacheWriteError as error:
                # The cache is not writable: fall back to verified bytes in memory.
                logger.warning("%s; analysing %s from memory", error.message, label)
                data = client.fetch_tarball(manifest)
                if pinned is not None:
                    verify(data, pinned, subject=label)
                return ToAnalyse(
                    identity, view, TarballBytes(data, label, patches), fetched_bytes=len(data),
                    holds_slot=True, heavy=len(data) >= HEAVY_ARCHIVE_BYTES and not manifest.platform_specific,
                    store_key=key,
                )  # fmt: skip
            if pinned is not None:
                data = path.read_bytes()
                if compute(data, pinned.algorithm).value != pinned.value:
                    # Other bytes than the lockfile pins, or a damaged cache entry (never verified on a
                    # hit): a verified read tells which, removing a damaged entry and downloading it again.
                    data = client.fetch_tarball(manifest)
                    verify(data, pinned, subject=label)
                stored = self.stored(key)
                if stored is not None:
                    self._slots.release()
                    return Stored(identity, view, stored)
        except BaseException:
            self._slots.release()
            raise
        size = path.stat().st_size
        return ToAnalyse(
            identity, view, TarballFile(str(path), identity.integrity, label, patches),
            fetched_bytes=fetched, holds_slot=True,
            heavy=size >= HEAVY_ARCHIVE_BYTES and not manifest.platform_specific, store_key=key,
        )  # fmt: skip


def _other_pin(locked: str | None, registry: str) -> Digest | None:
    """The lockfile's digest when it pins the bytes with another algorithm than the registry's strongest
    hash (then both must hold); None when there is nothing more to check. Comparing the two hashes of the
    same algorithm is the lockfile check's job (lockfile-integrity-mismatch), not the fetch's."""
    if not locked:
        return None
    try:
        pin, served = parse_sri(locked), parse_sri(registry)
    except AirlockError:
        return None  # a malformed lockfile integrity is lockfile-integrity-malformed's finding
    return pin if pin.algorithm != served.algorithm else None


def _read_local_tarball(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UsageError(
            f"no such file: {path}", hint="check the path; local tarballs are given as ./name.tgz"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_LOCAL_TARBALL_BYTES:
        raise UsageError(
            f"{path} is {size} bytes, over the {MAX_LOCAL_TARBALL_BYTES}-byte cap for a package tarball"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise OperationalError(f"cannot read {path}: {exc.strerror}") from None


__all__ = ["HEAVY_ARCHIVE_BYTES", "MAX_LOCAL_TARBALL_BYTES", "Acquirer"]
