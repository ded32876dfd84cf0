"""Fixtures: lockfiles written by the real package managers (see fixtures/README.md), read as data."""

from __future__ import annotations

import json
from pathlib import Path

from airlock.tree import LockfileInput

FIXTURES = Path(__file__).parent / "fixtures"
LOCKFILE_NAMES = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml")


def fixture_input(name: str) -> LockfileInput:
    """The lockfile of fixture project `name`, with every package.json in it keyed by directory."""
    root = FIXTURES / name
    lockfile = next(root / n for n in LOCKFILE_NAMES if (root / n).is_file())
    manifests: dict[str, dict[str, object]] = {}
    for manifest in root.rglob("package.json"):
        relative = manifest.parent.relative_to(root).as_posix()
        manifests["" if relative == "." else relative] = json.loads(manifest.read_text())
    return LockfileInput(lockfile.name, lockfile.read_text(), manifests)
