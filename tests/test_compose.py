"""The composition root: the store is opened through `open_store` (one place maps a location to an
implementation), and `--no-store` never touches the disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlock.compose import Runtime
from airlock.config import Settings
from airlock.errors import UsageError
from airlock.store import STORE_ENV, MemoryStore, SQLiteStore


def _runtime(tmp_path: Path, *, no_store: bool = False) -> Runtime:
    return Runtime.for_project(tmp_path, Settings(), no_store=no_store)


def test_a_postgresql_store_url_is_refused_and_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(STORE_ENV, "postgresql://db.example.com/airlock")
    with pytest.raises(UsageError, match="PostgreSQL"):
        _runtime(tmp_path).open_store()
    assert list(tmp_path.iterdir()) == []


def test_the_store_location_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "s.sqlite3"))
    with _runtime(tmp_path).open_store() as store:
        assert isinstance(store, SQLiteStore)
    assert (tmp_path / "s.sqlite3").exists()


def test_no_store_is_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "s.sqlite3"))
    with _runtime(tmp_path, no_store=True).open_store() as store:
        assert isinstance(store, MemoryStore)
    assert not (tmp_path / "s.sqlite3").exists()
