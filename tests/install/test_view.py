"""The verified view on its own: only the paths npm will ask for, only the checked bytes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from airlock.install.view import VerifiedView, ViewEntry
from airlock.integrity import sri_of
from airlock.registry.cache import Cache
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import NpmConfig
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

GOOD = build_package("calm", "1.0.0", {"index.js": "module.exports = 1\n"})
PATH = "/calm/-/calm-1.0.0.tgz"


def _view(registry: FakeRegistry, cache_dir: Path, locked: str | None) -> VerifiedView:
    config = NpmConfig(registry=registry.url)
    return VerifiedView(
        {PATH: ViewEntry("calm", "1.0.0", locked)},
        Cache(cache_dir),
        lambda: RegistryClient(config, Cache(cache_dir), retries=0),
    )


def test_serves_the_pinned_bytes_and_nothing_else(fake_registry: FakeRegistry, tmp_path: Path) -> None:
    fake_registry.publish("calm", "1.0.0", GOOD)
    with _view(fake_registry, tmp_path, sri_of(GOOD)) as view:
        assert httpx.get(view.url + PATH.lstrip("/")).content == GOOD
        assert httpx.get(view.url + "calm").status_code == 404  # no packuments
        assert httpx.get(view.url + "other/-/other-1.0.0.tgz").status_code == 404
        assert view.served == {PATH: 1} and view.refusals == []


def test_bytes_other_than_the_pinned_ones_are_refused(fake_registry: FakeRegistry, tmp_path: Path) -> None:
    other = build_package("calm", "1.0.0", {"index.js": "module.exports = 2\n"})
    fake_registry.publish("calm", "1.0.0", other)  # the registry is consistent with itself, not the pin
    with _view(fake_registry, tmp_path, sri_of(GOOD)) as view:
        assert httpx.get(view.url + PATH.lstrip("/")).status_code == 404
        assert view.integrity_refused
        [refusal] = view.refusals
        assert refusal.label == "calm@1.0.0" and "not the ones checked" in refusal.reason


def test_an_unpinned_entry_waits_for_the_check(fake_registry: FakeRegistry, tmp_path: Path) -> None:
    fake_registry.publish("calm", "1.0.0", GOOD)
    with _view(fake_registry, tmp_path, None) as view:
        answers: list[int] = []
        request = threading.Thread(
            target=lambda: answers.append(httpx.get(view.url + PATH.lstrip("/"), timeout=10).status_code)
        )
        request.start()
        time.sleep(0.3)
        assert answers == []  # held until the check names the bytes it analysed
        view.checked([("calm", "1.0.0", sri_of(GOOD))])
        request.join(timeout=10)
        assert answers == [200]
