"""The registry client against the loopback fake registry: the production code path, no internet."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from airlock.errors import BadInputError, OperationalError, UsageError
from airlock.integrity import IntegrityError, compute, sri_of
from airlock.registry import RegistrySource
from airlock.registry.cache import Cache
from airlock.registry.client import (
    ABBREVIATED_ACCEPT,
    UNREACHABLE_AFTER,
    PackageNotFoundError,
    RegistryAuthError,
    RegistryClient,
    RegistryUnreachableError,
)
from airlock.registry.npmrc import NpmConfig
from airlock.registry.packument import Dist, VersionManifest
from airlock.registry.semver import NoMatchingVersionError
from airlock.targets import RegistryTarget, parse_target
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

TOKEN = "npm_TopSecretTokenValue1234"

ClientFactory = Callable[..., RegistryClient]


def target(raw: str) -> RegistryTarget:
    parsed = parse_target(raw)
    assert isinstance(parsed, RegistryTarget)
    return parsed


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


@pytest.fixture
def make_client(fake_registry: FakeRegistry, cache: Cache) -> Iterator[ClientFactory]:
    clients: list[RegistryClient] = []

    def make(*, config: NpmConfig | None = None, **options: Any) -> RegistryClient:
        settings: dict[str, Any] = {"timeout": 0.5, "retries": 2, "backoff": 0.01}
        settings.update(options)
        client = RegistryClient(config or NpmConfig(registry=fake_registry.url), cache, **settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def publish(fake: FakeRegistry, name: str, version: str, **options: Any) -> bytes:
    data = build_package(name, version, {"index.js": f"module.exports = '{name}@{version}'\n"})
    fake.publish(name, version, data, **options)
    return data


@pytest.fixture
def populated(fake_registry: FakeRegistry) -> FakeRegistry:
    for version in ("1.0.0", "1.1.0", "1.3.0", "2.0.0-beta.1"):
        publish(fake_registry, "left-pad", version)
    fake_registry.set_tag("left-pad", "latest", "1.3.0")
    fake_registry.set_tag("left-pad", "next", "2.0.0-beta.1")
    publish(fake_registry, "@scope/tool", "3.2.1")
    return fake_registry


# ---- resolving -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "version"),
    [
        ("left-pad", "1.3.0"),
        ("left-pad@1.1.0", "1.1.0"),
        ("left-pad@~1.0", "1.0.0"),
        ("left-pad@^1.0.0", "1.3.0"),
        ("left-pad@next", "2.0.0-beta.1"),
        ("left-pad@>=2.0.0-beta.0", "2.0.0-beta.1"),
        ("@scope/tool", "3.2.1"),
        ("@scope/tool@^3", "3.2.1"),
    ],
)
def test_resolve(populated: FakeRegistry, make_client: ClientFactory, raw: str, version: str) -> None:
    manifest = make_client().resolve(target(raw))
    assert manifest.version == version
    assert manifest.name == target(raw).name


def test_requests_abbreviated_documents_with_encoded_scopes(
    populated: FakeRegistry, make_client: ClientFactory
) -> None:
    client = make_client()
    client.resolve(target("@scope/tool"))
    (request,) = populated.requests
    assert request.path == "/@scope%2ftool"
    assert request.headers["accept"] == ABBREVIATED_ACCEPT
    assert request.headers["user-agent"].startswith("airlock/")
    packument = client.packument("@scope/tool")
    assert packument.abbreviated
    assert len(populated.requests) == 1  # memoised for the client's lifetime


def test_full_documents_carry_time_and_maintainers(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    publish(fake_registry, "pkg", "1.0.0", maintainers=[{"name": "alice", "email": "a@example.com"}])
    packument = make_client().packument("pkg", full=True)
    assert not packument.abbreviated
    assert "1.0.0" in packument.time
    assert packument.maintainers is not None and packument.maintainers[0].name == "alice"
    assert fake_registry.requests[-1].headers["accept"] == "application/json"


def test_no_matching_version(populated: FakeRegistry, make_client: ClientFactory) -> None:
    with pytest.raises(NoMatchingVersionError) as caught:
        make_client().resolve(target("left-pad@^9"))
    assert "left-pad" in caught.value.message
    assert caught.value.hint is not None and "latest=1.3.0" in caught.value.hint


def test_not_found(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    with pytest.raises(PackageNotFoundError) as caught:
        make_client().resolve(target("no-such-package"))
    error = caught.value
    assert isinstance(error, UsageError)
    assert "no-such-package" in error.message
    assert "127.0.0.1" in error.message
    with pytest.raises(PackageNotFoundError) as scoped:
        make_client().resolve(target("@private/thing"))
    assert scoped.value.hint is not None and "@private:registry" in scoped.value.hint
    assert len(fake_registry.requests) == 2  # a 404 is an answer, not a failure to retry


def test_invalid_name_is_rejected_before_any_request(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    with pytest.raises(UsageError):
        make_client().packument("../../etc/passwd")
    assert fake_registry.requests == []


# ---- tarballs ------------------------------------------------------------------------------------------


def test_fetch_tarball_verifies_and_caches(
    fake_registry: FakeRegistry, make_client: ClientFactory, cache: Cache
) -> None:
    data = publish(fake_registry, "left-pad", "1.3.0")
    client = make_client()
    manifest = client.resolve(target("left-pad@1.3.0"))
    assert client.fetch_tarball(manifest) == data
    assert cache.get_tarball(compute(data)) == data
    before = len(fake_registry.requests)
    assert make_client().fetch_tarball(manifest) == data
    assert len(fake_registry.requests) == before  # served from the cache


def test_integrity_mismatch_names_both_digests_and_caches_nothing(
    fake_registry: FakeRegistry, make_client: ClientFactory, cache: Cache, tmp_path: Path
) -> None:
    claimed = sri_of(b"what the packument promises")
    data = publish(fake_registry, "evil", "1.0.0", integrity=claimed)
    client = make_client()
    manifest = client.resolve(target("evil"))
    with pytest.raises(IntegrityError) as caught:
        client.fetch_tarball(manifest)
    message = caught.value.message
    assert claimed in message
    assert sri_of(data) in message
    assert "evil@1.0.0" in message
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and "tarballs" in p.parts]
    assert cache.get_tarball(compute(data)) is None


def test_swapped_tarball_is_caught(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "pkg", "1.0.0")
    fake_registry.set_tarball(
        "pkg", "1.0.0", build_package("pkg", "1.0.0", {"index.js": "require('child_process')"})
    )
    client = make_client()
    with pytest.raises(IntegrityError):
        client.fetch_tarball(client.resolve(target("pkg")))


def test_sha1_only_packuments_are_verified_with_shasum(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    data = build_package("old", "0.1.0")
    fake_registry.publish("old", "0.1.0", data, manifest={"dist": {"integrity": None}})
    client = make_client()
    manifest = client.resolve(target("old"))
    assert manifest.dist.integrity is None
    assert manifest.dist.digest().algorithm == "sha1"
    assert client.fetch_tarball(manifest) == data
    tampered = VersionManifest(
        "old", "0.1.0", Dist(manifest.dist.tarball, None, compute(b"other", "sha1").hex)
    )
    with pytest.raises(IntegrityError, match="expected sha1-"):
        client.fetch_tarball(tampered)


def test_manifest_without_usable_integrity_is_refused_before_download(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    manifest = VersionManifest("x", "1.0.0", Dist(fake_registry.url + "x/-/x-1.0.0.tgz", None, None))
    with pytest.raises(BadInputError):
        make_client().fetch_tarball(manifest)
    assert fake_registry.requests == []


def test_non_http_tarball_url_is_refused(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    manifest = VersionManifest("x", "1.0.0", Dist("file:///etc/passwd", sri_of(b"x")))
    with pytest.raises(BadInputError, match="non-http"):
        make_client().fetch_tarball(manifest)


def test_size_cap(fake_registry: FakeRegistry, make_client: ClientFactory, cache: Cache) -> None:
    data = publish(fake_registry, "big", "1.0.0")
    client = make_client(max_tarball_bytes=len(data) - 1)
    manifest = client.resolve(target("big"))
    with pytest.raises(BadInputError, match="limit") as caught:
        client.fetch_tarball(manifest)
    assert caught.value.hint
    assert cache.get_tarball(compute(data)) is None
    assert len(fake_registry.requests_to("/-/")) == 1  # not retried


def test_replace_registry_host_keeps_npmjs_links_on_the_configured_registry(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    data = build_package("mirrored", "1.0.0")
    npmjs_url = "https://registry.npmjs.org/mirrored/-/mirrored-1.0.0.tgz"
    fake_registry.publish("mirrored", "1.0.0", data, manifest={"dist": {"tarball": npmjs_url}})
    client = make_client()
    manifest = client.resolve(target("mirrored"))
    assert manifest.dist.tarball == npmjs_url
    assert client.tarball_url(manifest) == fake_registry.tarball_url("mirrored", "1.0.0")
    assert client.fetch_tarball(manifest) == data


# ---- failures and retries ------------------------------------------------------------------------------


def test_timeout_then_error(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "slow", "1.0.0")
    fake_registry.delay("/slow", 3.0, times=10)
    client = make_client(timeout=0.2, retries=1)
    started = time.monotonic()
    with pytest.raises(OperationalError) as caught:
        client.packument("slow")
    elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert "after 2 attempts" in caught.value.message
    assert "timed out" in caught.value.message
    assert caught.value.hint


def test_timeout_then_success(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "slow", "1.0.0")
    fake_registry.delay("/slow", 1.0, times=1)
    assert make_client(timeout=0.2).resolve(target("slow")).version == "1.0.0"


def test_server_errors_then_success(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "flaky", "1.0.0")
    fake_registry.fail("/flaky", 503, times=2)
    client = make_client(retries=2)
    manifest = client.resolve(target("flaky"))
    assert len(fake_registry.requests) == 3
    fake_registry.fail("/flaky/-/", 502, times=1)
    assert client.fetch_tarball(manifest)


def test_server_errors_exhaust_retries(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "down", "1.0.0")
    fake_registry.fail("/down", 500, times=10)
    with pytest.raises(OperationalError) as caught:
        make_client(retries=2).packument("down")
    assert "after 3 attempts" in caught.value.message
    assert "HTTP 500" in caught.value.message
    assert len(fake_registry.requests) == 3


def test_429_honours_retry_after(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "limited", "1.0.0")
    fake_registry.fail("/limited", 429, times=1, headers={"Retry-After": "1"})
    started = time.monotonic()
    make_client().packument("limited")
    assert time.monotonic() - started >= 0.9


def test_retry_after_is_capped(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "limited", "1.0.0")
    fake_registry.fail("/limited", 429, times=1, headers={"Retry-After": "3600"})
    started = time.monotonic()
    make_client(max_retry_after=0.05).packument("limited")
    assert time.monotonic() - started < 1.0


def test_truncated_tarball_is_retried(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    data = publish(fake_registry, "cut", "1.0.0")
    client = make_client()
    manifest = client.resolve(target("cut"))
    fake_registry.truncate("/cut/-/", times=1)
    assert client.fetch_tarball(manifest) == data
    assert len(fake_registry.requests_to("/cut/-/")) == 2


def test_truncated_tarball_gives_up(
    fake_registry: FakeRegistry, make_client: ClientFactory, cache: Cache
) -> None:
    data = publish(fake_registry, "cut", "1.0.0")
    client = make_client(retries=1)
    manifest = client.resolve(target("cut"))
    fake_registry.truncate("/cut/-/", times=10)
    with pytest.raises(OperationalError) as caught:
        client.fetch_tarball(manifest)
    assert "after 2 attempts" in caught.value.message
    assert cache.get_tarball(compute(data)) is None


def test_connection_refused(tmp_path: Path, cache: Cache) -> None:
    with FakeRegistry() as gone:
        url = gone.url
    with (
        RegistryClient(NpmConfig(registry=url), cache, timeout=0.5, retries=1, backoff=0.01) as client,
        pytest.raises(OperationalError) as caught,
    ):
        client.packument("anything")
    assert "ConnectError" in caught.value.message


def test_one_registry_spelled_with_and_without_its_default_port_is_one_origin(cache: Cache) -> None:
    attempts: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(str(request.url))
        raise httpx.ConnectError("connection refused", request=request)

    # The registry as .npmrc spells it (with :443) and a tarball URL on the same host without the port.
    config = NpmConfig(registry="https://registry.example:443/")
    with RegistryClient(config, cache, transport=httpx.MockTransport(refuse), retries=0) as client:
        for name in ("a", "b"):
            with pytest.raises(OperationalError):
                client.packument(name)
        with pytest.raises(OperationalError):
            client.fetch_url_tarball("https://registry.example/c/-/c-1.0.0.tgz")
        assert len(attempts) == UNREACHABLE_AFTER
        with pytest.raises(RegistryUnreachableError):
            client.packument("d")
    assert len(attempts) == UNREACHABLE_AFTER, attempts


def test_malformed_packument(fake_registry: FakeRegistry, make_client: ClientFactory, cache: Cache) -> None:
    fake_registry.set_packument_raw("broken", b'{"name": "broken", "versions": {')
    with pytest.raises(BadInputError) as caught:
        make_client().packument("broken")
    assert fake_registry.url + "broken" in caught.value.message
    assert "line 1 column" in caught.value.message
    assert cache.get_packument(fake_registry.url, "broken") is None


def test_packument_of_another_package_is_refused(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    fake_registry.set_packument_raw("wanted", b'{"name": "other", "versions": {}}')
    with pytest.raises(BadInputError, match="other"):
        make_client().packument("wanted")


def test_unexpected_status(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    fake_registry.set_packument_raw("teapot", b"{}", status=418)
    with pytest.raises(OperationalError, match="418"):
        make_client().packument("teapot")


def test_redirect_to_another_host_drops_credentials(cache: Cache) -> None:
    with FakeRegistry() as home, FakeRegistry() as elsewhere:
        data = publish(elsewhere, "moved", "1.0.0")
        publish(home, "moved", "1.0.0")
        home.fail("/moved/-/", 302, times=1, headers={"Location": elsewhere.tarball_url("moved", "1.0.0")})
        config = NpmConfig.from_settings(
            {"registry": home.url, f"//{home.url.split('//')[1]}:_authToken": TOKEN}
        )
        with RegistryClient(config, cache, timeout=0.5, retries=0) as client:
            assert client.fetch_tarball(client.resolve(target("moved"))) == data
        assert all(r.authorization == f"Bearer {TOKEN}" for r in home.requests)
        assert [r.authorization for r in elsewhere.requests] == [None]


def test_https_to_http_redirect_is_refused(cache: Cache) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "http://registry.example/x"})

    config = NpmConfig(registry="https://registry.example/")
    with (
        RegistryClient(config, cache, transport=httpx.MockTransport(handler), retries=0) as client,
        pytest.raises(OperationalError, match="refusing a redirect"),
    ):
        client.packument("x")


def test_secrets_in_registry_url_are_redacted(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    host = fake_registry.url.split("//")[1]
    client = make_client(config=NpmConfig(registry=f"http://user:hunter2@{host}"))
    with pytest.raises(PackageNotFoundError) as caught:
        client.packument("missing")
    assert "hunter2" not in caught.value.diagnostics()
    assert "hunter2" not in repr(client)


# ---- auth ----------------------------------------------------------------------------------------------


def _auth_config(fake: FakeRegistry, token: str = TOKEN, **extra: str) -> NpmConfig:
    dart = "//" + fake.url.split("//")[1]
    return NpmConfig.from_settings({"registry": fake.url, f"{dart}:_authToken": token, **extra})


def test_token_is_sent_to_its_registry(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "private", "1.0.0")
    fake_registry.require_auth(f"Bearer {TOKEN}")
    client = make_client(config=_auth_config(fake_registry))
    client.fetch_tarball(client.resolve(target("private")))
    assert [r.authorization for r in fake_registry.requests] == [f"Bearer {TOKEN}"] * 2


def test_token_is_not_sent_to_a_tarball_on_another_host(cache: Cache) -> None:
    with FakeRegistry() as registry, FakeRegistry() as cdn:
        data = publish(cdn, "split", "1.0.0")
        registry.publish(
            "split", "1.0.0", data, manifest={"dist": {"tarball": cdn.tarball_url("split", "1.0.0")}}
        )
        with RegistryClient(_auth_config(registry), cache, timeout=0.5, retries=0) as client:
            assert client.fetch_tarball(client.resolve(target("split"))) == data
        assert [r.authorization for r in registry.requests] == [f"Bearer {TOKEN}"]
        assert [r.authorization for r in cdn.requests] == [None]


def test_scoped_registry_gets_only_its_own_token(cache: Cache) -> None:
    with FakeRegistry() as public, FakeRegistry() as corp:
        publish(public, "left-pad", "1.0.0")
        publish(corp, "@corp/lib", "1.0.0")
        corp_dart = "//" + corp.url.split("//")[1]
        config = NpmConfig.from_settings(
            {"registry": public.url, "@corp:registry": corp.url, f"{corp_dart}:_authToken": TOKEN}
        )
        with RegistryClient(config, cache, timeout=0.5, retries=0) as client:
            for raw in ("left-pad", "@corp/lib"):
                client.fetch_tarball(client.resolve(target(raw)))
        assert [r.authorization for r in public.requests] == [None, None]
        assert [r.authorization for r in corp.requests] == [f"Bearer {TOKEN}"] * 2
        assert corp.requests[0].path == "/@corp%2flib"


def test_basic_auth(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "private", "1.0.0")
    dart = "//" + fake_registry.url.split("//")[1]
    password = base64.b64encode(b"pw").decode()
    expected = "Basic " + base64.b64encode(b"alice:pw").decode()
    fake_registry.require_auth(expected)
    config = NpmConfig.from_settings(
        {"registry": fake_registry.url, f"{dart}:username": "alice", f"{dart}:_password": password}
    )
    assert make_client(config=config).resolve(target("private")).version == "1.0.0"


def test_401_without_credentials(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "private", "1.0.0")
    fake_registry.require_auth(f"Bearer {TOKEN}")
    with pytest.raises(RegistryAuthError) as caught:
        make_client().packument("private")
    error = caught.value
    assert isinstance(error, OperationalError)
    assert "401" in error.message and "requires credentials" in error.message
    dart = "//" + fake_registry.url.split("//")[1]
    assert error.hint is not None and f"{dart}:_authToken" in error.hint
    assert len(fake_registry.requests) == 1


def test_403_with_a_refused_token_never_shows_it(
    fake_registry: FakeRegistry, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    publish(fake_registry, "private", "1.0.0")
    fake_registry.require_auth("Bearer the-right-one")
    client = make_client(config=_auth_config(fake_registry))
    with caplog.at_level(logging.DEBUG, logger="airlock"), pytest.raises(RegistryAuthError) as caught:
        client.packument("private")
    error = caught.value
    assert "403" in error.message and "refused" in error.message
    for text in (
        error.diagnostics(),
        repr(error),
        str(error),
        repr(client),
        repr(client.config),
        caplog.text,
    ):
        assert TOKEN not in text


def test_no_token_in_debug_logs(
    fake_registry: FakeRegistry, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    publish(fake_registry, "private", "1.0.0")
    client = make_client(config=_auth_config(fake_registry))
    with caplog.at_level(logging.DEBUG):
        client.fetch_tarball(client.resolve(target("private")))
    assert "GET" in caplog.text
    assert TOKEN not in caplog.text


# ---- cache, offline, revalidation ----------------------------------------------------------------------


def test_etag_revalidation(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    publish(fake_registry, "pkg", "1.0.0")
    first = make_client().packument("pkg")
    second = make_client().packument("pkg")
    assert second == first
    initial, revalidation = fake_registry.requests
    assert "if-none-match" not in initial.headers
    etag = revalidation.headers.get("if-none-match")
    assert etag
    # A new publish changes the document: the stale ETag no longer matches and the new body is used.
    publish(fake_registry, "pkg", "1.1.0")
    third = make_client().packument("pkg")
    assert "1.1.0" in third.versions
    assert fake_registry.requests[-1].headers.get("if-none-match") == etag


def test_offline_hit_and_miss(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    data = publish(fake_registry, "pkg", "1.0.0")
    online = make_client()
    online.fetch_tarball(online.resolve(target("pkg")))
    requests = len(fake_registry.requests)

    offline = make_client(offline=True)
    manifest = offline.resolve(target("pkg"))
    assert offline.fetch_tarball(manifest) == data
    assert len(fake_registry.requests) == requests

    with pytest.raises(OperationalError) as caught:
        offline.resolve(target("never-fetched"))
    assert caught.value.hint is not None and "without --offline" in caught.value.hint
    other = VersionManifest("pkg", "9.9.9", Dist(fake_registry.url + "x.tgz", sri_of(b"never fetched")))
    with pytest.raises(OperationalError) as caught:
        offline.fetch_tarball(other)
    assert caught.value.hint is not None and "without --offline" in caught.value.hint
    assert len(fake_registry.requests) == requests


def test_offline_uses_a_cached_full_document_for_abbreviated_requests(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    publish(fake_registry, "pkg", "1.0.0")
    make_client().packument("pkg", full=True)
    assert make_client(offline=True).packument("pkg").versions["1.0.0"]


def test_corrupt_cached_tarball_is_fetched_again(
    fake_registry: FakeRegistry, make_client: ClientFactory, tmp_path: Path
) -> None:
    data = publish(fake_registry, "pkg", "1.0.0")
    client = make_client()
    manifest = client.resolve(target("pkg"))
    client.fetch_tarball(manifest)
    (entry,) = (p for p in (tmp_path / "cache" / "tarballs").rglob("*") if p.is_file())
    entry.write_bytes(b"bit rot")
    assert make_client().fetch_tarball(manifest) == data
    assert entry.read_bytes() == data
    assert len(fake_registry.requests_to("/-/")) == 2


def test_corrupt_cached_packument_is_fetched_again(
    fake_registry: FakeRegistry, make_client: ClientFactory, tmp_path: Path
) -> None:
    publish(fake_registry, "pkg", "1.0.0")
    make_client().packument("pkg")
    (entry,) = _packument_files(tmp_path)
    entry.write_bytes(entry.read_bytes()[:-5])
    assert make_client().packument("pkg").versions["1.0.0"]
    assert "if-none-match" not in fake_registry.requests[-1].headers


# ---- packument digests -----------------------------------------------------------------------------------


def _packument_files(tmp_path: Path, suffix: str = "") -> list[Path]:
    return [
        p
        for p in (tmp_path / "cache" / "packuments").rglob("*")
        if p.is_file() and p.suffix == suffix and not p.name.startswith(".")
    ]


def _no_body_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the packument body was decoded")

    monkeypatch.setattr("airlock.registry.client.parse_packument", refuse)


def test_a_warm_read_uses_the_digest_not_the_body(
    populated: FakeRegistry, make_client: ClientFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = make_client().packument("left-pad", full=True)
    assert len(_packument_files(tmp_path, ".digest")) == 1
    _no_body_decoding(monkeypatch)
    requests = len(populated.requests)
    warm = make_client(packument_max_age=300).packument("left-pad", full=True)
    assert len(populated.requests) == requests  # fresh: not even revalidated
    assert warm == cold
    assert warm.version_order == ("1.0.0", "1.1.0", "1.3.0", "2.0.0-beta.1")
    # revalidated (304): still the digest
    assert make_client().packument("left-pad", full=True) == cold
    assert populated.requests[-1].headers.get("if-none-match")
    # offline: the digest too
    assert make_client(offline=True).packument("left-pad", full=True) == cold


def test_a_changed_packument_gets_a_new_digest(
    populated: FakeRegistry, make_client: ClientFactory, tmp_path: Path
) -> None:
    assert "1.4.0" not in make_client().packument("left-pad", full=True).versions
    publish(populated, "left-pad", "1.4.0")
    changed = make_client().packument("left-pad", full=True)
    assert "1.4.0" in changed.versions and changed.version_order is not None
    assert changed.version_order[-2:] == ("1.4.0", "2.0.0-beta.1")
    assert make_client(offline=True).packument("left-pad", full=True) == changed


def test_a_stale_digest_is_not_used(
    populated: FakeRegistry, make_client: ClientFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_client().packument("left-pad", full=True)
    (digest,) = _packument_files(tmp_path, ".digest")
    old = digest.read_bytes()
    publish(populated, "left-pad", "1.4.0")
    make_client().packument("left-pad", full=True)
    digest.write_bytes(old)  # a digest of the previous revision beside the new body
    assert "1.4.0" in make_client(offline=True).packument("left-pad", full=True).versions


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_a_damaged_digest_falls_back_to_the_body_and_is_rewritten(
    populated: FakeRegistry, make_client: ClientFactory, tmp_path: Path, damage: str
) -> None:
    cold = make_client().packument("left-pad", full=True)
    (digest,) = _packument_files(tmp_path, ".digest")
    data = digest.read_bytes()
    damaged = {
        "truncate": data[:-3],
        "flip": data[:-1] + bytes([data[-1] ^ 0xFF]),
        "garbage": b"not a digest at all",
    }[damage]
    digest.write_bytes(damaged)
    assert make_client(offline=True).packument("left-pad", full=True) == cold
    assert digest.read_bytes() == data


def test_a_digest_of_another_format_is_a_miss(
    populated: FakeRegistry, make_client: ClientFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = make_client().packument("left-pad", full=True)
    monkeypatch.setattr("airlock.registry.digest.DIGEST_FORMAT", 99)
    assert make_client(offline=True).packument("left-pad", full=True) == cold


def test_thread_pool(fake_registry: FakeRegistry, make_client: ClientFactory) -> None:
    expected = {f"pkg-{i}": publish(fake_registry, f"pkg-{i}", "1.0.0") for i in range(12)}
    client = make_client()

    def fetch(name: str) -> bytes:
        return client.fetch_tarball(client.resolve(target(name)))

    with ThreadPoolExecutor(6) as pool:
        results = dict(zip(expected, pool.map(fetch, expected), strict=True))
    assert results == expected


def test_client_is_a_registry_source(make_client: ClientFactory) -> None:
    assert isinstance(make_client(), RegistrySource)


# ---- streaming tarballs into the cache (what `airlock check` and `scan` use) ------------------------------


def _cache_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and "tarballs" in p.parts]


def test_fetch_tarball_file_streams_verifies_and_reuses(
    fake_registry: FakeRegistry, make_client: ClientFactory, tmp_path: Path
) -> None:
    data = publish(fake_registry, "left-pad", "1.3.0")
    client = make_client()
    manifest = client.resolve(target("left-pad@1.3.0"))
    path, fetched = client.fetch_tarball_file(manifest)
    assert path.read_bytes() == data and fetched == len(data)
    before = len(fake_registry.requests)
    assert make_client().fetch_tarball_file(manifest) == (path, 0)
    assert len(fake_registry.requests) == before
    assert _cache_files(tmp_path) == [path]  # no temp files left behind


def test_streamed_mismatch_keeps_nothing(
    fake_registry: FakeRegistry, make_client: ClientFactory, tmp_path: Path
) -> None:
    claimed = sri_of(b"what the packument promises")
    publish(fake_registry, "evil", "1.0.0", integrity=claimed)
    client = make_client()
    with pytest.raises(IntegrityError) as caught:
        client.fetch_tarball_file(client.resolve(target("evil")))
    assert claimed in caught.value.message
    assert _cache_files(tmp_path) == []


@pytest.mark.parametrize("fault", ["truncate", "503"])
def test_streamed_download_recovers_from_a_bad_attempt(
    fake_registry: FakeRegistry, make_client: ClientFactory, tmp_path: Path, fault: str
) -> None:
    data = publish(fake_registry, "cut", "1.0.0")
    if fault == "truncate":
        fake_registry.truncate("/cut/-/", times=1)
    else:
        fake_registry.fail("/cut/-/", 503, times=1)
    client = make_client()
    path, _ = client.fetch_tarball_file(client.resolve(target("cut")))
    assert path.read_bytes() == data
    assert _cache_files(tmp_path) == [path]


def test_streamed_404_is_an_operational_error(
    fake_registry: FakeRegistry, make_client: ClientFactory
) -> None:
    publish(fake_registry, "gone", "1.0.0")
    fake_registry.fail("/gone/-/", 404, times=5)
    client = make_client()
    with pytest.raises(OperationalError, match="has no tarball"):
        client.fetch_tarball_file(client.resolve(target("gone")))


def test_a_revalidated_packument_is_fresh_again_without_rewriting_its_body(
    populated: FakeRegistry, make_client: ClientFactory, cache: Cache, tmp_path: Path
) -> None:
    make_client().packument("left-pad", full=True)
    entry = cache.get_packument(populated.url, "left-pad", full=True)
    assert entry is not None and entry.etag
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    cache.put_packument(populated.url, "left-pad", entry.body, etag=entry.etag, full=True, fetched=long_ago)
    (body_file,) = _packument_files(tmp_path)
    written = body_file.stat().st_mtime_ns

    requests = len(populated.requests)
    make_client(packument_max_age=300).packument("left-pad", full=True)
    assert len(populated.requests) == requests + 1  # stale: revalidated (304)
    assert populated.requests[-1].headers.get("if-none-match") == entry.etag
    make_client(packument_max_age=300).packument("left-pad", full=True)
    assert len(populated.requests) == requests + 1  # fresh from the 304, no request
    assert body_file.stat().st_mtime_ns == written

    # a new body supersedes the stamp: it was for the old revision
    cache.put_packument(
        populated.url, "left-pad", entry.body + b" ", etag="other", full=True, fetched=long_ago
    )
    make_client(packument_max_age=300).packument("left-pad", full=True)
    assert len(populated.requests) == requests + 2
