"""The verified view: a loopback HTTP server npm installs from, serving at each path npm will request
exactly the tarball bytes airlock checked, and nothing else (404).

Bytes come from airlock's tarball cache (re-hashed on every read) or, when a warm check never needed
them, from the registry through airlock's own client (verified against the registry's integrity). Either
way they are served only when they match the integrity the lockfile pins; an entry whose lockfile pins no
integrity waits until the check has named the bytes it analysed. Bytes that match neither are refused
and recorded: `ci` then exits 1 without touching the project.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from airlock.errors import AirlockError
from airlock.integrity import Digest, IntegrityError, compute, parse_sri
from airlock.registry.cache import Cache
from airlock.registry.client import RegistryClient

logger = logging.getLogger(__name__)

_WAIT_FOR_CHECK = 3600.0
"""How long a request for a package whose lockfile pins no integrity may wait for the check (npm's own
fetch timeout ends it first)."""


@dataclass(frozen=True, slots=True)
class ViewEntry:
    """One tarball npm will ask for."""

    name: str
    version: str
    locked: str | None
    """The integrity the lockfile pins (what npm verifies); None when it pins none."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request the view would not answer with bytes, and why."""

    path: str
    label: str
    reason: str
    integrity: bool
    """True when bytes were refused for not matching what was checked (an integrity swap)."""


def _digests(sri: str) -> list[Digest]:
    """Every usable digest of an SRI string (an entry may name several algorithms: all must hold)."""
    found = []
    for part in sri.split():
        try:
            found.append(parse_sri(part))
        except AirlockError:
            continue
    return found


def matches(data: bytes, sri: str) -> bool:
    digests = _digests(sri)
    return bool(digests) and all(compute(data, d.algorithm).value == d.value for d in digests)


class VerifiedView:
    """Start with `start()` (or as a context manager); `url` is where npm's registry points."""

    def __init__(
        self,
        entries: Mapping[str, ViewEntry],
        cache: Cache,
        client: Callable[[], RegistryClient],
        *,
        delay: Callable[[str], None] | None = None,
        documents: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self._entries = dict(entries)
        # name → version → tarball path: packages the lockfile names without a `resolved` URL (npm's
        # omit-lockfile-registry-resolved), for which npm asks the registry's document first.
        self._documents = {name: dict(versions) for name, versions in (documents or {}).items()}
        self._cache = cache
        self._client_factory = client
        self._client: RegistryClient | None = None
        self._client_lock = threading.Lock()
        self._lock = threading.Lock()
        self._checked: dict[tuple[str, str], str] = {}
        self._check_done = threading.Event()
        self._closing = threading.Event()
        self._delay = delay
        self.refusals: list[Refusal] = []
        self.served: dict[str, int] = {}
        """Path → how many times its bytes were served."""
        self.served_packages: set[tuple[str, str]] = set()
        """(name, version) of every package whose checked bytes were served."""
        self.requests = 0
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="airlock-view", daemon=True
        )

    def start(self) -> VerifiedView:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        self._check_done.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        with self._client_lock:
            if self._client is not None:
                self._client.close()

    def __enter__(self) -> VerifiedView:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- what the check found ------------------------------------------------------------------------
    def checked(self, integrities: Iterable[tuple[str, str, str]]) -> None:
        """The check is over: (name, version, integrity analysed) for every package it analysed. Requests
        for entries without a locked integrity are answered from now on (those not listed: 404)."""
        with self._lock:
            for name, version, integrity in integrities:
                self._checked[(name, version)] = integrity
        self._check_done.set()

    @property
    def integrity_refused(self) -> bool:
        with self._lock:
            return any(r.integrity for r in self.refusals)

    # ---- serving (handler threads) -------------------------------------------------------------------
    def _refuse(self, path: str, label: str, reason: str, *, integrity: bool) -> None:
        with self._lock:
            self.refusals.append(Refusal(path, label, reason, integrity))

    def document(self, raw_path: str) -> bytes | None:
        """A registry document listing only the locked versions of a package the lockfile gives no URL
        for, each pointing at its tarball here (with the locked integrity); None for anything else."""
        name = unquote(urlsplit(raw_path).path).lstrip("/")
        versions = self._documents.get(name)
        if versions is None:
            return None
        listed = {}
        for version, path in versions.items():
            entry = self._entries[path]
            dist = {"tarball": self.url.rstrip("/") + path}
            if entry.locked is not None:
                dist["integrity"] = entry.locked
            listed[version] = {"name": name, "version": version, "dist": dist}
        latest = next(iter(versions))
        return json.dumps({"name": name, "dist-tags": {"latest": latest}, "versions": listed}).encode()

    def pinned(self, raw_path: str) -> bool:
        entry = self._entries.get(unquote(urlsplit(raw_path).path))
        return entry is not None and entry.locked is not None

    def bytes_for(self, raw_path: str) -> bytes | None:
        path = unquote(urlsplit(raw_path).path)
        with self._lock:
            self.requests += 1
        entry = self._entries.get(path)
        if entry is None:
            return None
        if self._delay is not None:
            self._delay(path)
        label = f"{entry.name}@{entry.version}"
        expected = entry.locked
        if expected is None:
            # Nothing pins these bytes but the check: wait for it to say which bytes it analysed.
            self._check_done.wait(_WAIT_FOR_CHECK)
            with self._lock:
                expected = self._checked.get((entry.name, entry.version))
            if expected is None:
                self._refuse(path, label, "the check did not analyse it", integrity=False)
                return None
        if not _digests(expected):
            self._refuse(path, label, f"unusable integrity {expected[:60]!r}", integrity=False)
            return None
        data = self._from_cache(expected)
        if data is None:
            data = self._from_registry(path, entry, label)
            if data is None:
                return None
        if not matches(data, expected):
            actual = compute(data, _digests(expected)[0].algorithm)
            self._refuse(
                path,
                label,
                f"the bytes are not the ones checked: expected {expected[:80]}, got {actual.sri()[:80]}",
                integrity=True,
            )
            return None
        with self._lock:
            self.served[path] = self.served.get(path, 0) + 1
            self.served_packages.add((entry.name, entry.version))
        return data

    def _from_cache(self, expected: str) -> bytes | None:
        for digest in _digests(expected):
            data = self._cache.get_tarball(digest)  # re-hashed on read
            if data is not None:
                return data
        return None

    def _from_registry(self, path: str, entry: ViewEntry, label: str) -> bytes | None:
        try:
            client = self._registry_client()
            manifest = client.packument(entry.name).versions.get(entry.version)
            if manifest is None:
                self._refuse(path, label, "the registry no longer lists this version", integrity=False)
                return None
            return client.fetch_tarball(manifest)  # verified against the registry's integrity
        except IntegrityError as error:
            self._refuse(path, label, error.message, integrity=True)
        except AirlockError as error:
            self._refuse(path, label, error.message, integrity=False)
        return None

    def _registry_client(self) -> RegistryClient:
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # npm hanging up (it is killed when the check blocks) is not news.
        logger.debug("view: connection from %s ended with an error", client_address)


def _handler_for(view: VerifiedView) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30

        def do_GET(self) -> None:
            try:
                document = view.document(self.path)
                if document is not None:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(document)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(document)
                    return
                data = view.bytes_for(self.path)
                if data is None:
                    body = b'{"error":"Not found"}'
                    self.send_response(404)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                if not view.pinned(self.path):
                    # npm's HTTP cache must not keep bytes no integrity pins under their URL: they would be
                    # answered from that cache next time, unverified. Pinned ones npm re-verifies on read.
                    self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


__all__ = ["Refusal", "VerifiedView", "ViewEntry", "matches"]
