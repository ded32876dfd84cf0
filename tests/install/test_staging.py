"""The swap and the lock on their own: atomic exchange, the two-rename fallback, what a killed run leaves."""

from __future__ import annotations

from pathlib import Path

import pytest

from airlock.install import staging
from airlock.install.staging import (
    ProjectBusyError,
    ProjectLock,
    new_staging,
    remove_stale_staging,
    swap_into_place,
)


def _tree(path: Path, marker: str) -> Path:
    path.mkdir(parents=True)
    (path / "marker").write_text(marker)
    return path


def test_exchange_swaps_both_trees(tmp_path: Path) -> None:
    old = _tree(tmp_path / "node_modules", "old")
    stage = new_staging(tmp_path)
    new = _tree(stage.node_modules, "new")
    swapped = swap_into_place(new, old, stage.previous)
    assert swapped.how == "exchange" and swapped.note is None
    assert (old / "marker").read_text() == "new"
    assert (stage.node_modules / "marker").read_text() == "old"


def test_without_renameat2_two_renames_and_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "exchange", lambda first, second: False)
    old = _tree(tmp_path / "node_modules", "old")
    stage = new_staging(tmp_path)
    swapped = swap_into_place(_tree(stage.node_modules, "new"), old, stage.previous)
    assert swapped.how == "two-renames" and swapped.note and "renameat2" in swapped.note
    assert (old / "marker").read_text() == "new"
    assert (stage.previous / "marker").read_text() == "old"


def test_a_run_killed_between_the_two_renames_gets_its_old_tree_back(tmp_path: Path) -> None:
    stage = new_staging(tmp_path)
    _tree(stage.previous, "old")  # renamed aside, the new one never renamed in
    assert remove_stale_staging(tmp_path) == [stage.root]
    assert (tmp_path / "node_modules" / "marker").read_text() == "old"
    assert not stage.root.exists()


def test_no_node_modules_yet_is_a_plain_rename(tmp_path: Path) -> None:
    stage = new_staging(tmp_path)
    swapped = swap_into_place(_tree(stage.node_modules, "new"), tmp_path / "node_modules", stage.previous)
    assert swapped.how == "rename"
    assert (tmp_path / "node_modules" / "marker").read_text() == "new"


def test_a_second_run_on_the_same_project_is_refused_naming_the_first(tmp_path: Path) -> None:
    with ProjectLock(tmp_path, tmp_path / "locks"), pytest.raises(ProjectBusyError) as caught:
        ProjectLock(tmp_path, tmp_path / "locks").acquire()
    assert "another airlock ci/install is running" in caught.value.message and "pid" in caught.value.message
    ProjectLock(tmp_path, tmp_path / "locks").acquire()  # released: free again


def test_only_tree_settings_of_the_project_npmrc_reach_npm(tmp_path: Path) -> None:
    from airlock.install.npm import tree_settings

    npmrc = tmp_path / ".npmrc"
    npmrc.write_text(
        "registry=https://evil.example.com/\n//registry.npmjs.org/:_authToken=npm_SECRET\n"
        "legacy-peer-deps=true\nignore-scripts=false\nomit=dev\n"
    )
    assert tree_settings(npmrc) == "legacy-peer-deps=true\nomit=dev\n"
    assert tree_settings(tmp_path / "missing") == ""
