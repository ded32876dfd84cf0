"""`airlock ci` end to end: the check first, npm installing from the verified view into staging, the gate,
the swap; and every way it must leave the project as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airlock.check.project import CheckSettings
from airlock.exit import ExitCode
from airlock.install.ci import CiRequest, run_ci
from tests.fakes.registry import FakeRegistry
from tests.install.projects import ONCE, WRAPPY, publish, tree_hash, write_project

pytestmark = pytest.mark.requires_node


@pytest.fixture
def project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    for dep in (WRAPPY, ONCE):
        publish(fake_registry, dep)
    root = tmp_path / "app"
    write_project(root, fake_registry, [ONCE, WRAPPY], top=["once"])
    return root


def _request(root: Path) -> CiRequest:
    return CiRequest(root, check=CheckSettings(jobs=1), npm_timeout=120)


def test_clean_project_installs_from_the_view_only(project: Path, fake_registry: FakeRegistry) -> None:
    outcome = run_ci(_request(project))
    assert outcome.exit_code is ExitCode.OK
    assert outcome.install is not None
    assert outcome.install.installed == 2
    assert (project / "node_modules" / "once" / "index.js").is_file()
    assert json.loads((project / "node_modules" / "wrappy" / "package.json").read_text())["version"] == "1.0.2"
    # npm fetched both tarballs from the view; the fake registry saw only airlock's own client.
    assert outcome.install.view_served == 2
    agents = {r.headers.get("user-agent", "") for r in fake_registry.requests}
    assert agents and all(a.startswith("airlock/") for a in agents), agents
    assert not list(project.glob(".airlock-staging-*"))
