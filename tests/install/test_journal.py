"""The journal on its own: a run killed after the swap is finished, one killed before it is rolled back,
and a file someone changed since is never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airlock.errors import OperationalError
from airlock.install import journal
from airlock.install.staging import clean_up_interrupted, new_staging, swap_into_place


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "node_modules" / "old").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "app"}\n')
    (root / "package-lock.json").write_text('{"old": true}\n')
    return root


def _interrupted_run(root: Path, *, swap: bool) -> journal.Journal:
    """What a run killed right after (or right before) its swap leaves."""
    staging = new_staging(root)
    (staging.node_modules / "new").mkdir(parents=True)
    files = {"package.json": b'{"name": "app", "new": 1}\n', "package-lock.json": b'{"new": true}\n'}
    started = journal.begin(staging.root, staging.node_modules, journal.pending_files(root, files))
    if swap:
        swap_into_place(staging.node_modules, root / "node_modules", staging.previous)
    return started


def test_killed_after_the_swap_the_writes_are_finished(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _interrupted_run(root, swap=True)
    assert (root / "node_modules" / "new").is_dir()  # the mix the journal exists for
    assert json.loads((root / "package.json").read_text()) == {"name": "app"}
    interrupted = clean_up_interrupted(root)
    [recovery] = interrupted.recovered
    assert recovery.swapped and recovery.written == ("package.json", "package-lock.json")
    assert "finished an interrupted install" in recovery.describe()
    assert json.loads((root / "package.json").read_text()) == {"name": "app", "new": 1}
    assert json.loads((root / "package-lock.json").read_text()) == {"new": True}
    assert not (root / "node_modules" / journal.SWAP_MARKER).exists()
    assert not list(root.glob(".airlock-staging-*"))


def test_killed_between_two_writes_only_the_rest_is_written(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _interrupted_run(root, swap=True)
    (root / "package.json").write_text('{"name": "app", "new": 1}\n')  # the first write happened
    [recovery] = clean_up_interrupted(root).recovered
    assert recovery.written == ("package-lock.json",)
    assert json.loads((root / "package-lock.json").read_text()) == {"new": True}


def test_killed_before_the_swap_nothing_changes(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = {p: p.read_bytes() for p in root.glob("*.json")}
    _interrupted_run(root, swap=False)
    [recovery] = clean_up_interrupted(root).recovered
    assert not recovery.swapped and recovery.written == ()
    assert "rolled back" in recovery.describe() and "nothing had changed" in recovery.describe()
    assert {p: p.read_bytes() for p in root.glob("*.json")} == before
    assert (root / "node_modules" / "old").is_dir()
    assert not list(root.glob(".airlock-staging-*"))


def test_a_file_changed_since_is_not_overwritten(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _interrupted_run(root, swap=True)
    (root / "package.json").write_text('{"name": "app", "edited": "by hand"}\n')
    with pytest.raises(OperationalError) as caught:
        clean_up_interrupted(root)
    assert "changed after an interrupted airlock install" in caught.value.message
    assert caught.value.hint is not None and journal.JOURNAL in caught.value.hint
    assert json.loads((root / "package.json").read_text()) == {"name": "app", "edited": "by hand"}
    assert list(root.glob(f".airlock-staging-*/{journal.JOURNAL}"))  # kept: nothing decided for the user


def test_a_journal_naming_another_file_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _interrupted_run(root, swap=True)
    [path] = root.glob(f".airlock-staging-*/{journal.JOURNAL}")
    document = json.loads(path.read_text())
    document["files"][0]["name"] = "../../.bashrc"
    path.write_text(json.dumps(document))
    with pytest.raises(OperationalError, match="cannot read the journal"):
        clean_up_interrupted(root)
    assert not (tmp_path / ".bashrc").exists()


def test_a_stray_marker_without_a_journal_is_removed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "node_modules" / journal.SWAP_MARKER).write_text("abc\n")
    assert clean_up_interrupted(root).recovered == ()
    assert not (root / "node_modules" / journal.SWAP_MARKER).exists()
