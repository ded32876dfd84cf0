from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry
from tests.policy.app import Project, make_project


@pytest.fixture
def project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Project:
    return make_project(fake_registry, monkeypatch, tmp_path)
