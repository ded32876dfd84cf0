"""Shared fixtures. Nothing here reaches the internet: the registry is a loopback fake."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every test gets its own HOME, cache and config dirs, and no npm config leaks in from the machine."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for var in list(os.environ):
        if var.upper().startswith(("NPM_CONFIG_", "AIRLOCK_")):
            monkeypatch.delenv(var, raising=False)
    # `airlock check` asks the public registry about names from a private one; tests never go online
    # (the dependency-confusion tests pass a loopback "public" registry explicitly).
    monkeypatch.setenv("AIRLOCK_PUBLIC_REGISTRY", "none")
    yield


@pytest.fixture
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(os.environ["HOME"])


@pytest.fixture
def fake_registry() -> Iterator[FakeRegistry]:
    """A started loopback npm registry (tests/fakes/registry.py); closed after the test."""
    with FakeRegistry() as registry:
        yield registry
