"""A loopback npm registry for tests: a real HTTP server on 127.0.0.1, so the production client talks to it
through its normal code path (httpx, sockets, timeouts, retries).

It serves abbreviated or full packuments by `Accept`, tarballs at `{url}{name}/-/{basename}-{version}.tgz`,
ETag / If-None-Match → 304, and 404 for anything unknown. Faults are scripted per path substring:
`fail` (status N for the next `times` requests), `delay` (sleep before answering), `truncate` (announce a
Content-Length, send half, close). Every request is recorded (method, path, headers) so tests can assert
what the client sent — in particular where credentials went.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType, TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from airlock.integrity import sri_of
from airlock.registry.semver import compare_versions, is_valid_version

ABBREVIATED_TYPE = "application/vnd.npm.install-v1+json"
_ABBREVIATED_FIELDS = (
    "name",
    "version",
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "bundleDependencies",
    "bin",
    "directories",
    "dist",
    "engines",
    "deprecated",
    "cpu",
    "os",
    "_hasShrinkwrap",
)
_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    """As sent, still percent-encoded (e.g. `/@scope%2fname`)."""
    headers: Mapping[str, str]
    """Header names lower-cased."""

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


@dataclass(slots=True)
class _Rule:
    needle: str
    times: int
    status: int = 0
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, raw_path: str, decoded_path: str) -> bool:
        return self.times > 0 and (self.needle in raw_path or self.needle in decoded_path)


@dataclass(slots=True)
class _Package:
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    times: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    maintainers: list[dict[str, Any]] | None = None
    created: str = ""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class FakeRegistry:
    """Start on construction; `close()` (or use as a context manager) to stop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._packages: dict[str, _Package] = {}
        self._raw: dict[str, tuple[bytes, int]] = {}
        self._tarballs: dict[str, bytes] = {}
        self._fails: list[_Rule] = []
        self._delays: list[_Rule] = []
        self._truncations: list[_Rule] = []
        self._auth: tuple[str, str] | None = None
        self.requests: list[RecordedRequest] = []
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}/"
        # A short poll interval keeps shutdown (once per test) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="fake-registry", daemon=True
        )
        self._thread.start()

    # ---- lifecycle --------------------------------------------------------------------------------------
    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeRegistry:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- content ----------------------------------------------------------------------------------------
    def tarball_path(self, name: str, version: str) -> str:
        return f"/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"

    def tarball_url(self, name: str, version: str) -> str:
        return self.url.rstrip("/") + self.tarball_path(name, version)

    def packument_url(self, name: str) -> str:
        return self.url + name.replace("/", "%2f")

    def publish(
        self,
        name: str,
        version: str,
        tarball: bytes,
        *,
        manifest: Mapping[str, Any] | None = None,
        time: datetime | None = None,
        tags: Mapping[str, str] | None = None,
        integrity: str | None = None,
        maintainers: list[dict[str, Any]] | None = None,
    ) -> None:
        """Add `name@version`. `dist` is filled in (integrity, shasum, tarball URL) unless `manifest["dist"]`
        overrides parts of it; `integrity` overrides the computed SRI (for tamper tests). `latest` moves to
        the highest version published without `tags`; with `tags`, only those tags move (and `latest` is
        set if there is none yet)."""
        extra = dict(manifest or {})
        dist: dict[str, Any] = {
            "integrity": integrity if integrity is not None else sri_of(tarball),
            "shasum": hashlib.sha1(tarball).hexdigest(),
            "tarball": self.tarball_url(name, version),
        }
        dist.update(extra.pop("dist", {}) or {})
        document: dict[str, Any] = {"name": name, "version": version, **extra, "dist": dist}
        if maintainers is not None:
            document["maintainers"] = maintainers
        stamp = _iso(time or datetime.now(UTC))
        with self._lock:
            package = self._packages.setdefault(name, _Package(created=stamp))
            package.versions[version] = document
            package.times[version] = stamp
            if maintainers is not None:
                package.maintainers = maintainers
            if tags:
                package.tags.update(tags)
                package.tags.setdefault("latest", version)
            else:
                latest = package.tags.get("latest")
                if (
                    latest is None
                    or not (is_valid_version(latest) and is_valid_version(version))
                    or compare_versions(version, latest) > 0
                ):
                    package.tags["latest"] = version
            self._tarballs[self.tarball_path(name, version)] = tarball
            self._raw.pop(name, None)

    def set_tag(self, name: str, tag: str, version: str) -> None:
        with self._lock:
            self._packages[name].tags[tag] = version

    def set_tarball(self, name: str, version: str, data: bytes) -> None:
        """Serve different bytes for an already published version (the packument keeps its integrity)."""
        with self._lock:
            self._tarballs[self.tarball_path(name, version)] = data

    def set_packument_raw(self, name: str, body: bytes, status: int = 200) -> None:
        """Serve exactly `body` (with `status`) for `name`'s packument, whatever the Accept header."""
        with self._lock:
            self._raw[name] = (body, status)

    def packument(self, name: str, *, abbreviated: bool = False) -> dict[str, Any]:
        """The document the registry would serve for `name` (for assertions)."""
        with self._lock:
            return self._document(self._packages[name], name, abbreviated)

    # ---- faults and auth --------------------------------------------------------------------------------
    def fail(
        self, path_substring: str, status: int, times: int = 1, headers: Mapping[str, str] | None = None
    ) -> None:
        """Answer the next `times` matching requests with `status` (and `headers`, e.g. Retry-After)."""
        with self._lock:
            self._fails.append(_Rule(path_substring, times, status=status, headers=dict(headers or {})))

    def delay(self, path_substring: str, seconds: float, times: int = 1) -> None:
        """Sleep `seconds` before answering the next `times` matching requests."""
        with self._lock:
            self._delays.append(_Rule(path_substring, times, seconds=seconds))

    def clear_delays(self) -> None:
        """Answer at full speed again (delays already sleeping are not cut short)."""
        with self._lock:
            self._delays.clear()

    def truncate(self, path_substring: str, times: int = 1) -> None:
        """Announce the full Content-Length but send only half the body, then close the connection."""
        with self._lock:
            self._truncations.append(_Rule(path_substring, times))

    def require_auth(self, authorization: str) -> None:
        """From now on: 401 without an Authorization header, 403 with a different one."""
        with self._lock:
            self._auth = ("authorization", authorization)

    def requests_to(self, path_substring: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if path_substring in r.path or path_substring in unquote(r.path)]

    # ---- serving (called from handler threads) ----------------------------------------------------------
    def _take(self, rules: list[_Rule], raw: str, decoded: str) -> _Rule | None:
        for rule in rules:
            if rule.matches(raw, decoded):
                rule.times -= 1
                return rule
        return None

    def _document(self, package: _Package, name: str, abbreviated: bool) -> dict[str, Any]:
        modified = max(package.times.values(), default=package.created)
        if abbreviated:
            versions: dict[str, Any] = {}
            for version, doc in package.versions.items():
                short = {k: doc[k] for k in _ABBREVIATED_FIELDS if k in doc}
                scripts = doc.get("scripts")
                if isinstance(scripts, dict) and any(k in scripts for k in _INSTALL_SCRIPTS):
                    short["hasInstallScript"] = True
                versions[version] = short
            return {"name": name, "modified": modified, "dist-tags": dict(package.tags), "versions": versions}
        full: dict[str, Any] = {
            "_id": name,
            "name": name,
            "dist-tags": dict(package.tags),
            "versions": {v: dict(d) for v, d in package.versions.items()},
            "time": {"created": package.created, "modified": modified, **package.times},
        }
        if package.maintainers is not None:
            full["maintainers"] = package.maintainers
        return full

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        raw_path = urlsplit(handler.path).path
        decoded = unquote(raw_path)
        headers = MappingProxyType({k.lower(): v for k, v in handler.headers.items()})
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, handler.path, headers))
            delay = self._take(self._delays, raw_path, decoded)
        if delay is not None:
            self._closing.wait(delay.seconds)
        with self._lock:
            failure = self._take(self._fails, raw_path, decoded)
            auth = self._auth
        if failure is not None:
            scripted = b'{"error":"scripted failure"}'
            _send(handler, failure.status, scripted, "application/json", failure.headers)
            return
        if auth is not None:
            sent = headers.get(auth[0])
            if sent != auth[1]:
                status = 401 if sent is None else 403
                _send(handler, status, b'{"error":"unauthorized"}', "application/json", {})
                return

        body, status, content_type, etag = self._resolve(decoded, headers.get("accept", ""))
        if body is None:
            _send(handler, 404, b'{"error":"Not found"}', "application/json", {})
            return
        if etag is not None and status == 200 and _etag_matches(headers.get("if-none-match"), etag):
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        with self._lock:
            truncation = self._take(self._truncations, raw_path, decoded)
        extra = {"ETag": etag} if etag else {}
        if truncation is not None:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        _send(handler, status, body, content_type, extra)

    def _resolve(self, decoded: str, accept: str) -> tuple[bytes | None, int, str, str | None]:
        with self._lock:
            tarball = self._tarballs.get(decoded)
            if tarball is not None:
                return tarball, 200, "application/octet-stream", None
            name = decoded.lstrip("/")
            raw = self._raw.get(name)
            if raw is not None:
                return raw[0], raw[1], "application/json", _etag(raw[0])
            package = self._packages.get(name)
            if package is None:
                return None, 404, "", None
            abbreviated = ABBREVIATED_TYPE in accept
            body = json.dumps(self._document(package, name, abbreviated)).encode()
        content_type = ABBREVIATED_TYPE if abbreviated else "application/json"
        return body, 200, content_type, _etag(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out and hang up are part of the tests; their broken pipes are not news.
        pass


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


def _send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str, headers: Mapping[str, str]
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in headers.items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)


def _handler_for(registry: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Idle keep-alive connections release their thread after this long.
        timeout = 10

        def do_GET(self) -> None:
            try:
                registry._respond(self)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (a timeout test): nothing to answer.
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
