"""Shared fixtures. Nothing here reaches the internet: the registry is a loopback fake."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry


@dataclass(frozen=True, slots=True)
class NodeTools:
    node: str
    npm: str


def node_tools() -> NodeTools | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    return NodeTools(node, npm) if node is not None and npm is not None else None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """`@pytest.mark.requires_node`: the differentials against npm's own code are what keep our readers
    honest, so CI (CI set, as .ci/run runs) fails without node instead of skipping them; a developer
    machine without node skips them with the reason."""
    _require_bubblewrap(item)
    if item.get_closest_marker("requires_node") is None or node_tools() is not None:
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail("node and npm are required under CI: .ci/run installs them", pytrace=False)
    pytest.skip("needs node and npm on PATH (CI installs them and never skips this)")


@cache
def bubblewrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox here (the availability probe's message), None when it can."""
    from airlock.sandbox import SandboxUnavailable
    from airlock.sandbox.availability import probe

    try:
        probe()
    except SandboxUnavailable as exc:
        return exc.diagnostics()
    return None


def _require_bubblewrap(item: pytest.Item) -> None:
    """`@pytest.mark.requires_bwrap`: the sandbox is the point of running scripts at all, so CI (which
    installs bubblewrap, see .ci/run) fails without it; elsewhere the test skips with the probe's reason."""
    if item.get_closest_marker("requires_bwrap") is None:
        return
    problem = bubblewrap_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"bubblewrap is required under CI (.ci/run installs it): {problem}", pytrace=False)
    pytest.skip(f"needs a working bubblewrap: {problem}")


@pytest.fixture
def node() -> NodeTools:
    """node and npm on PATH, for tests marked `requires_node` (the marker decides skip or fail)."""
    tools = node_tools()
    assert tools is not None, "mark the test @pytest.mark.requires_node"
    return tools


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
