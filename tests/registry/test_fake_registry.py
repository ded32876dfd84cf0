"""The fake registry itself: other engineers' tests rely on it behaving like the real one."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from airlock.integrity import sri_of
from tests.fakes.registry import ABBREVIATED_TYPE, FakeRegistry
from tests.fakes.tarballs import build_package


def test_documents_by_accept_header(fake_registry: FakeRegistry) -> None:
    data = build_package("pkg", "1.0.0", scripts={"postinstall": "node x.js"})
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    fake_registry.publish(
        "pkg",
        "1.0.0",
        data,
        manifest={"scripts": {"postinstall": "node x.js"}, "deprecated": "old"},
        time=when,
        maintainers=[{"name": "alice"}],
    )
    full = httpx.get(fake_registry.packument_url("pkg")).json()
    assert full["time"]["1.0.0"] == "2024-01-02T03:04:05.000Z"
    assert full["maintainers"] == [{"name": "alice"}]
    version = full["versions"]["1.0.0"]
    assert version["dist"]["integrity"] == sri_of(data)
    assert version["dist"]["tarball"] == fake_registry.tarball_url("pkg", "1.0.0")
    assert version["scripts"] == {"postinstall": "node x.js"}

    response = httpx.get(fake_registry.packument_url("pkg"), headers={"Accept": ABBREVIATED_TYPE})
    assert response.headers["content-type"] == ABBREVIATED_TYPE
    short = response.json()
    assert "time" not in short and "modified" in short
    assert short["versions"]["1.0.0"]["hasInstallScript"] is True
    assert "scripts" not in short["versions"]["1.0.0"]
    assert short["versions"]["1.0.0"]["deprecated"] == "old"

    assert httpx.get(fake_registry.tarball_url("pkg", "1.0.0")).content == data


def test_latest_follows_the_highest_publish_unless_tagged(fake_registry: FakeRegistry) -> None:
    for version in ("1.0.0", "2.0.0", "1.5.0"):
        fake_registry.publish("pkg", version, b"x")
    assert fake_registry.packument("pkg")["dist-tags"] == {"latest": "2.0.0"}
    fake_registry.publish("pkg", "3.0.0-beta.1", b"x", tags={"next": "3.0.0-beta.1"})
    assert fake_registry.packument("pkg")["dist-tags"] == {"latest": "2.0.0", "next": "3.0.0-beta.1"}
    fake_registry.publish("first", "0.1.0-rc.1", b"x", tags={"beta": "0.1.0-rc.1"})
    assert fake_registry.packument("first")["dist-tags"]["latest"] == "0.1.0-rc.1"


def test_scoped_names_and_404(fake_registry: FakeRegistry) -> None:
    fake_registry.publish("@s/x", "1.0.0", b"data")
    assert httpx.get(fake_registry.url + "@s%2fx").json()["name"] == "@s/x"
    assert httpx.get(fake_registry.url + "@s/x").json()["name"] == "@s/x"
    assert fake_registry.tarball_url("@s/x", "1.0.0").endswith("/@s/x/-/x-1.0.0.tgz")
    assert httpx.get(fake_registry.url + "nope").status_code == 404
    assert httpx.get(fake_registry.url + "@s/x/-/x-9.9.9.tgz").status_code == 404


def test_etag_and_304(fake_registry: FakeRegistry) -> None:
    fake_registry.publish("pkg", "1.0.0", b"x")
    first = httpx.get(fake_registry.packument_url("pkg"))
    etag = first.headers["etag"]
    again = httpx.get(fake_registry.packument_url("pkg"), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    fake_registry.publish("pkg", "1.0.1", b"x")
    changed = httpx.get(fake_registry.packument_url("pkg"), headers={"If-None-Match": etag})
    assert changed.status_code == 200


def test_scripted_faults(fake_registry: FakeRegistry) -> None:
    fake_registry.publish("pkg", "1.0.0", b"0123456789")
    fake_registry.fail("/pkg", 503, times=1, headers={"Retry-After": "7"})
    failed = httpx.get(fake_registry.packument_url("pkg"))
    assert failed.status_code == 503 and failed.headers["retry-after"] == "7"
    assert httpx.get(fake_registry.packument_url("pkg")).status_code == 200
    fake_registry.truncate("/-/", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(fake_registry.tarball_url("pkg", "1.0.0"))
    assert httpx.get(fake_registry.tarball_url("pkg", "1.0.0")).content == b"0123456789"
    fake_registry.delay("/pkg", 2.0, times=1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(fake_registry.packument_url("pkg"), timeout=0.1)
    fake_registry.set_packument_raw("raw", b"not json", status=200)
    assert httpx.get(fake_registry.packument_url("raw")).content == b"not json"
    recorded = fake_registry.requests_to("/pkg")
    assert [r.method for r in recorded] == ["GET"] * 5


def test_require_auth(fake_registry: FakeRegistry) -> None:
    fake_registry.publish("pkg", "1.0.0", b"x")
    fake_registry.require_auth("Bearer t")
    assert httpx.get(fake_registry.packument_url("pkg")).status_code == 401
    assert (
        httpx.get(fake_registry.packument_url("pkg"), headers={"Authorization": "Bearer u"}).status_code
        == 403
    )
    ok = httpx.get(fake_registry.packument_url("pkg"), headers={"Authorization": "Bearer t"})
    assert json.loads(ok.content)["name"] == "pkg"
    assert fake_registry.requests[-1].authorization == "Bearer t"
