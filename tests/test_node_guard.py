"""The `requires_node` marker: CI never skips a test that needs node, a developer machine may."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import NodeTools, pytest_runtest_setup


@pytest.fixture
def no_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> pytest.Item:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: neither node nor npm
    item = request.node
    assert isinstance(item, pytest.Item)
    item.add_marker(pytest.mark.requires_node)
    return item


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_missing_node_fails_under_ci(no_node: pytest.Item, monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        pytest_runtest_setup(no_node)


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_missing_node_skips_elsewhere(
    no_node: pytest.Item, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="needs node"):
        pytest_runtest_setup(no_node)


def test_unmarked_tests_are_left_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    assert isinstance(request.node, pytest.Item)
    pytest_runtest_setup(request.node)  # neither fails nor skips


@pytest.mark.requires_node
def test_node_and_npm_are_found_when_present(node: NodeTools) -> None:
    assert Path(node.node).name.startswith("node") and Path(node.npm).name.startswith("npm")
