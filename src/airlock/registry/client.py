"""Talk to an npm registry: packuments (abbreviated, ETag-revalidated) and tarballs (size-capped, verified).

Every request has a timeout and bounded retries (connect errors, timeouts, truncated bodies, 5xx, 429 with
its Retry-After) with exponential backoff. Redirects are followed by hand so that credentials are chosen
afresh for every hop by `NpmConfig.auth_headers` (never carried to another host) and https is never
downgraded. Tarball bytes are verified against the packument's integrity before anyone sees them, and
only verified bytes are cached. URLs in messages and logs are redacted; headers are never logged.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from airlock import __version__
from airlock.errors import BadInputError, OperationalError, UsageError
from airlock.integrity import verify
from airlock.registry.cache import Cache, PackumentHeader, TarballWriter
from airlock.registry.digest import DigestError, decode_digest, encode_digest
from airlock.registry.npmrc import NpmConfig, redact_url, url_origin
from airlock.registry.packument import Packument, VersionManifest, parse_packument
from airlock.registry.semver import pick_version
from airlock.targets import RegistryTarget, validate_package_name

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

ABBREVIATED_ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
FULL_ACCEPT = "application/json"
USER_AGENT = f"airlock/{__version__} (npm-airlock)"

MAX_PACKUMENT_BYTES = 256 * 2**20
MEMO_SIZE = 8
_MAX_REDIRECTS = 5
UNREACHABLE_AFTER = 3
"""Consecutive connection failures to one origin after which it counts as unreachable for the run."""
_MAX_BACKOFF = 30.0
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class PackageNotFoundError(UsageError):
    """The registry in use has no such package (or hides a private one from us)."""

    def __init__(self, name: str, registry: str) -> None:
        hint = (
            f"check the spelling of {name!r}; it was looked up on {redact_url(registry)} "
            "(set by `registry=` in .npmrc or npm_config_registry)"
        )
        if name.startswith("@"):
            scope = name.split("/", 1)[0]
            hint += (
                f". If {scope} packages live on another registry, map the scope with "
                f"`{scope}:registry=https://…/` in .npmrc; private packages look missing without credentials"
            )
        super().__init__(f"package {name} not found on {redact_url(registry)}", hint=hint)
        self.name = name
        self.registry = redact_url(registry)


class RegistryUnreachableError(OperationalError):
    """Several connection attempts in a row failed to reach one registry (refused, DNS, connect timeout):
    the client stops asking it for the rest of the run. One message per registry, whatever the package."""

    def __init__(self, origin: str, cause: str) -> None:
        super().__init__(
            f"cannot reach the registry {origin} ({cause}); stopped after "
            f"{UNREACHABLE_AFTER} failed connections in a row",
            hint="check the network or proxy and the registry URL (`registry=` in .npmrc, "
            "npm_config_registry); --offline works from what is already cached",
        )
        self.origin = origin


class NotCachedError(OperationalError):
    """Offline, and what was needed is not in the cache."""

    def __init__(self, message: str, subject: str) -> None:
        super().__init__(message, hint="run once without --offline to fill the cache")
        self.subject = subject


class RegistryAuthError(OperationalError):
    """401/403: missing or refused credentials. Never carries the credentials themselves."""


class _TruncatedError(Exception):
    """The body ended before its Content-Length: retry."""


@dataclass(frozen=True, slots=True)
class _Response:
    url: str
    status: int
    etag: str | None
    retry_after: str | None
    body: bytes
    auth_sent: bool
    sink: TarballWriter | None = None
    """Where a streamed 200 body went instead of `body`."""


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe(error: Exception) -> str:
    detail = str(error).strip()
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


# Parsing is GIL-bound, so parallel parses gain nothing, but each big document (next, typescript: 10-20 MB
# of JSON) briefly costs ~10x its size in Python objects; one at a time keeps a tree's peak memory bounded.
_PARSE_SLOTS = threading.BoundedSemaphore(1)


def _parse_packument(body: bytes, *, source: str, name: str) -> Packument:
    with _PARSE_SLOTS:
        return parse_packument(body, source=source, name=name)


class RegistryClient:
    """Fetch packuments and verified tarballs from the registries an `NpmConfig` names. Thread-safe."""

    def __init__(
        self,
        config: NpmConfig,
        cache: Cache,
        *,
        offline: bool = False,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_tarball_bytes: int = 256 * 2**20,
        max_retry_after: float = 60.0,
        packument_max_age: float = 0.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._config = config
        self._cache = cache
        self._offline = offline
        self._timeout = timeout
        self._retries = max(0, retries)
        self._backoff = max(0.0, backoff)
        self._max_tarball_bytes = max_tarball_bytes
        self._max_retry_after = max(0.0, max_retry_after)
        # Seconds a cached packument is used without asking the registry (npm's own cache uses the
        # registry's max-age=300); 0 revalidates every time (with If-None-Match).
        self._packument_max_age = max(0.0, packument_max_age)
        # Made on the first request: a warm run whose packuments are fresh and analyses stored sends none,
        # and importing httpx and loading the CA bundle cost ~0.1 s.
        self._transport = transport
        self._http_client: httpx.Client | None = None
        self._http_lock = threading.Lock()
        # One run asks for the same packument many times (a tree names a package at many places).
        self._memo: dict[tuple[str, str, bool], Packument] = {}
        self._memo_lock = threading.Lock()
        # Per origin: connection failures in a row, and the cause once it counts as unreachable. Without
        # this, every package of a tree would retry with backoff against a registry that is not there.
        self._connect_failures: dict[str, int] = {}
        self._unreachable: dict[str, str] = {}
        self._reachability_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RegistryClient({self._config!r}, offline={self._offline})"

    @property
    def config(self) -> NpmConfig:
        return self._config

    @property
    def _http(self) -> httpx.Client:
        client = self._http_client
        if client is None:
            with self._http_lock:
                client = self._http_client
                if client is None:
                    import httpx

                    client = httpx.Client(
                        timeout=httpx.Timeout(self._timeout),
                        transport=self._transport,
                        follow_redirects=False,
                        headers={"User-Agent": USER_AGENT},
                    )
                    self._http_client = client
        return client

    def close(self) -> None:
        with self._http_lock:
            if self._http_client is not None:
                self._http_client.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- HTTP ----------------------------------------------------------------------------------------
    def _read_capped(
        self, response: httpx.Response, cap: int, url: str, what: str, sink: TarballWriter | None = None
    ) -> bytes:
        declared_header = response.headers.get("content-length", "")
        declared = int(declared_header) if declared_header.isdigit() else None
        too_large = BadInputError(
            f"{what} at {redact_url(url)} is larger than the {cap:,}-byte limit",
            hint="a package this large is unusual (and a way to exhaust disk or memory); raise the limit "
            "only if you expect it",
        )
        if declared is not None and "content-encoding" not in response.headers and declared > cap:
            raise too_large
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > cap:
                raise too_large
            if sink is not None:
                sink.write(chunk)
            else:
                chunks.append(chunk)
        if declared is not None and response.num_bytes_downloaded != declared:
            raise _TruncatedError(f"received {response.num_bytes_downloaded} of {declared} bytes")
        return b"".join(chunks)

    def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        cap: int,
        what: str,
        sink_factory: Callable[[], TarballWriter] | None = None,
    ) -> _Response:
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            auth = self._config.auth_headers(current)
            logger.debug("GET %s", redact_url(current))
            with self._http.stream("GET", current, headers={**headers, **auth}) as response:
                status = response.status_code
                location = response.headers.get("location")
                if status in _REDIRECT_STATUSES and location:
                    target = urljoin(current, location)
                    if urlsplit(current).scheme == "https" and urlsplit(target).scheme != "https":
                        raise OperationalError(
                            f"refusing a redirect from {redact_url(current)} to {redact_url(target)}",
                            hint="the registry redirected from https to a non-https URL; "
                            "fix the registry or proxy configuration",
                        )
                    current = target
                    continue
                sink = sink_factory() if status == 200 and sink_factory is not None else None
                try:
                    body = self._read_capped(response, cap, current, what, sink) if status == 200 else b""
                except BaseException:
                    if sink is not None:
                        sink.discard()
                    raise
                logger.debug("GET %s -> %d (%d bytes)", redact_url(current), status, len(body))
                return _Response(
                    url=current,
                    status=status,
                    etag=response.headers.get("etag"),
                    retry_after=response.headers.get("retry-after"),
                    body=body,
                    auth_sent=bool(auth),
                    sink=sink,
                )
        raise OperationalError(
            f"too many redirects fetching {redact_url(url)}",
            hint="the registry or a proxy is redirecting in a loop; check the registry URL in .npmrc",
        )

    def _delay(self, attempt: int) -> float:
        base = min(self._backoff * 2 ** (attempt - 1), _MAX_BACKOFF)
        # Jitter keeps a pool of threads from retrying in lock-step.
        return float(base * random.uniform(1.0, 1.25))

    def _get(
        self,
        url: str,
        *,
        headers: dict[str, str],
        cap: int,
        what: str,
        sink_factory: Callable[[], TarballWriter] | None = None,
    ) -> _Response:
        import httpx  # loaded by the first request's client already

        attempts = self._retries + 1
        cause = "unknown error"
        origin = url_origin(url)
        for attempt in range(1, attempts + 1):
            self._raise_if_unreachable(origin)
            delay = self._delay(attempt)
            try:
                response = self._attempt(url, headers, cap, what, sink_factory)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                cause = self._connect_failed(origin, error)
            except httpx.TimeoutException as error:
                cause = f"timed out after {self._timeout:g}s ({type(error).__name__})"
            except httpx.UnsupportedProtocol:
                raise BadInputError(
                    f"unsupported URL scheme for {what}: {redact_url(url)}",
                    hint="registries and tarballs must be http(s) URLs",
                ) from None
            except httpx.InvalidURL as error:
                raise BadInputError(f"invalid URL for {what}: {redact_url(url)} ({error})") from None
            except (httpx.TransportError, httpx.DecodingError) as error:
                cause = _describe(error)
            except _TruncatedError as error:
                cause = f"truncated response ({error})"
            else:
                self._connected(origin)
                if response.status == 429 or response.status >= 500:
                    if response.sink is not None:
                        response.sink.discard()
                    cause = f"HTTP {response.status}"
                    waited = _retry_after_seconds(response.retry_after)
                    if waited is not None:
                        delay = min(waited, self._max_retry_after)
                else:
                    return response
            logger.debug("%s: attempt %d/%d failed: %s", redact_url(url), attempt, attempts, cause)
            if attempt < attempts:
                time.sleep(delay)
        self._raise_if_unreachable(origin)
        raise OperationalError(
            f"could not fetch {what} from {redact_url(url)} after {attempts} attempt"
            f"{'s' if attempts != 1 else ''}; last error: {cause}",
            hint="check the network and the registry's status, then retry; "
            "--offline works from what is already cached",
        )

    def _connect_failed(self, origin: str, error: Exception) -> str:
        cause = _describe(error)
        with self._reachability_lock:
            failures = self._connect_failures.get(origin, 0) + 1
            self._connect_failures[origin] = failures
            if failures >= UNREACHABLE_AFTER:
                self._unreachable.setdefault(origin, cause)
        return cause

    def _connected(self, origin: str) -> None:
        with self._reachability_lock:
            self._connect_failures[origin] = 0

    def _raise_if_unreachable(self, origin: str) -> None:
        with self._reachability_lock:
            cause = self._unreachable.get(origin)
        if cause is not None:
            raise RegistryUnreachableError(origin, cause)

    def _unexpected(self, response: _Response, what: str, registry: str) -> OperationalError:
        if response.status in (401, 403):
            refused = "refused the configured credentials" if response.auth_sent else "requires credentials"
            where = redact_url(response.url)
            return RegistryAuthError(
                f"HTTP {response.status} fetching {what} from {where}: the registry {refused}",
                hint=self._config.auth_hint(registry),
            )
        return OperationalError(
            f"unexpected HTTP {response.status} fetching {what} from {redact_url(response.url)}",
            hint="check the registry URL in .npmrc and the registry's status",
        )

    # ---- packuments ----------------------------------------------------------------------------------
    def packument(self, name: str, *, full: bool = False) -> Packument:
        """The registry's document for `name`: abbreviated (what npm install uses) unless `full`."""
        validate_package_name(name)
        registry = self._config.registry_for(name)
        key = (registry, name, full)
        with self._memo_lock:
            # A full document already in hand serves an abbreviated request too (it is a superset).
            memoised = self._memo.get(key) or self._memo.get((registry, name, True))
        if memoised is not None:
            return memoised
        result = self._load_packument(registry, name, full)
        with self._memo_lock:
            self._memo[key] = result
            # Bounded: a tree asks for a name again soon after (several versions), rarely much later, and
            # some documents are tens of MB parsed.
            while len(self._memo) > MEMO_SIZE:
                del self._memo[next(iter(self._memo))]
        return result

    def _cached_packument(self, registry: str, name: str, full: bool, url: str) -> Packument | None:
        # A cached full document is a superset of the abbreviated one, so it serves either request.
        for variant in (True,) if full else (False, True):
            header = self._cache.packument_header(registry, name, full=variant)
            packument = None if header is None else self._from_cache(registry, name, variant, header, url)
            if packument is not None:
                return packument
        return None

    def _from_cache(
        self, registry: str, name: str, full: bool, header: PackumentHeader, url: str
    ) -> Packument | None:
        """The cached packument: from its digest when one was made from this revision, else decoded from
        the cached body (and a digest written for the next run). None when the entry is unusable."""
        data = self._cache.get_packument_digest(registry, name, revision=header.revision, full=full)
        if data is not None:
            try:
                return decode_digest(data, name=name)
            except DigestError as error:
                logger.debug("%s", error.message)
                self._cache.discard_packument_digest(registry, name, full=full)
        entry = self._cache.get_packument(registry, name, full=full)
        if entry is None:
            return None
        try:
            packument = _parse_packument(entry.body, source=url, name=name)
        except BadInputError:
            self._cache.discard_packument(registry, name, full=full)
            return None
        return self._digested(registry, name, full, packument, entry.revision)

    def _digested(
        self, registry: str, name: str, full: bool, packument: Packument, revision: str
    ) -> Packument:
        """Write the digest of a freshly decoded packument and hand out what the digest holds, so a run
        reads the same thing whether the cache was cold or warm."""
        data = encode_digest(packument)
        try:
            self._cache.put_packument_digest(registry, name, data, revision=revision, full=full)
        except OperationalError as error:
            logger.warning("not caching the digest of the packument of %s: %s", name, error.message)
        return decode_digest(data, name=name)

    def _fresh(self, fetched: datetime) -> bool:
        return self._packument_max_age > 0 and datetime.now(UTC) - fetched < timedelta(
            seconds=self._packument_max_age
        )

    def _load_packument(self, registry: str, name: str, full: bool) -> Packument:
        url = registry + name.replace("/", "%2f")
        if self._offline:
            cached = self._cached_packument(registry, name, full, url)
            if cached is None:
                raise NotCachedError(f"{name} is not in the cache and airlock is offline", name)
            return cached

        headers = {"Accept": FULL_ACCEPT if full else ABBREVIATED_ACCEPT}
        header = self._cache.packument_header(registry, name, full=full)
        if header is not None and self._fresh(header.fetched):
            packument = self._from_cache(registry, name, full, header, url)
            if packument is not None:
                return packument
            header = None
        if header is not None and header.etag:
            headers["If-None-Match"] = header.etag
        response = self._get(url, headers=headers, cap=MAX_PACKUMENT_BYTES, what=f"the packument of {name}")

        if response.status == 304 and header is not None:
            packument = self._from_cache(registry, name, full, header, url)
            if packument is not None:
                logger.debug("%s: not modified, using the cached copy", name)
                try:
                    self._cache.mark_packument_checked(registry, name, revision=header.revision, full=full)
                except OperationalError as error:
                    logger.warning("not recording the revalidation of %s: %s", name, error.message)
                return packument
            headers.pop("If-None-Match", None)
            response = self._get(
                url, headers=headers, cap=MAX_PACKUMENT_BYTES, what=f"the packument of {name}"
            )
        if response.status == 404:
            raise PackageNotFoundError(name, registry)
        if response.status != 200:
            raise self._unexpected(response, f"the packument of {name}", registry)

        packument = _parse_packument(response.body, source=url, name=name)
        try:
            revision = self._cache.put_packument(registry, name, response.body, etag=response.etag, full=full)
        except OperationalError as error:
            logger.warning("not caching the packument of %s: %s", name, error.message)
            revision = hashlib.sha256(response.body).hexdigest()
        return self._digested(registry, name, full, packument, revision)

    def resolve(self, target: RegistryTarget, *, before: datetime | None = None) -> VersionManifest:
        """The version npm would pick for `target` (see `semver.pick_version`)."""
        return pick_version(self.packument(target.name), target.selector, before=before)

    # ---- tarballs ------------------------------------------------------------------------------------
    def tarball_url(self, manifest: VersionManifest) -> str:
        """Where the tarball is fetched from: `dist.tarball` after npm's `replace-registry-host`."""
        registry = self._config.registry_for(manifest.name)
        url = urljoin(registry, manifest.dist.tarball)
        if urlsplit(url).scheme not in ("http", "https"):
            raise BadInputError(
                f"{manifest.name}@{manifest.version} has a non-http(s) tarball URL: {redact_url(url)}",
                hint="the registry document is malformed or hostile; do not install this version",
            )
        return self._config.tarball_url(url, manifest.name)

    def cached_tarball_file(self, manifest: VersionManifest) -> Path | None:
        """The cache file holding this version's tarball, if present (its reader must verify it)."""
        return self._cache.tarball_file(manifest.dist.digest())

    def _download(
        self, manifest: VersionManifest, *, sink_factory: Callable[[], TarballWriter] | None = None
    ) -> _Response:
        """GET the tarball: a 200 whose body is in memory, or in the sink when one is given. Refuses when
        offline; 404 and other statuses become errors naming the version."""
        subject = f"{manifest.name}@{manifest.version}"
        if self._offline:
            raise NotCachedError(
                f"the tarball of {subject} is not in the cache and airlock is offline", subject
            )
        response = self._get(
            self.tarball_url(manifest),
            headers={"Accept": "*/*"},
            cap=self._max_tarball_bytes,
            what=f"the tarball of {subject}",
            sink_factory=sink_factory,
        )
        if response.status == 404:
            raise OperationalError(
                f"the registry lists {subject} but has no tarball at {redact_url(response.url)}",
                hint="the version may have been unpublished, or the mirror is incomplete; retry later",
            )
        if response.status != 200:
            raise self._unexpected(
                response, f"the tarball of {subject}", self._config.registry_for(manifest.name)
            )
        return response

    def fetch_tarball_file(self, manifest: VersionManifest) -> tuple[Path, int]:
        """The tarball as a verified cache file, streamed there from the registry when missing, and how
        many bytes were downloaded (0 from the cache). The bytes never sit in memory whole."""
        digest = manifest.dist.digest()
        cached = self._cache.tarball_file(digest)
        if cached is not None:
            return cached, 0
        response = self._download(manifest, sink_factory=lambda: self._cache.tarball_writer(digest))
        assert response.sink is not None
        size = response.sink.size
        return response.sink.commit(f"{manifest.name}@{manifest.version}"), size

    def fetch_url_tarball(self, url: str) -> bytes:
        """A tarball named only by its URL (a scan target): same timeout, retries and size cap as registry
        tarballs, credentials only for the host .npmrc gives them to. Not cached: nothing says which bytes
        the URL should hold, so the caller reports the digest of what came."""
        if self._offline:
            raise NotCachedError(f"{redact_url(url)} cannot be fetched: airlock is offline", redact_url(url))
        what = f"the tarball at {redact_url(url)}"
        response = self._get(url, headers={"Accept": "*/*"}, cap=self._max_tarball_bytes, what=what)
        if response.status == 404:
            raise UsageError(f"no tarball at {redact_url(url)} (HTTP 404)", hint="check the URL")
        if response.status != 200:
            raise self._unexpected(response, what, url)
        return response.body

    def fetch_tarball(self, manifest: VersionManifest) -> bytes:
        """The tarball's bytes, verified against the packument's integrity (cache first, then network)."""
        subject = f"{manifest.name}@{manifest.version}"
        digest = manifest.dist.digest()
        cached = self._cache.get_tarball(digest)
        if cached is not None:
            return cached
        response = self._download(manifest)
        verify(response.body, digest, subject=subject)
        try:
            self._cache.put_tarball(digest, response.body)
        except OperationalError as error:
            logger.warning("not caching the tarball of %s: %s", subject, error.message)
        return response.body
