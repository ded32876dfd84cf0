"""`make demo` on a fresh checkout spends a minute in a quiet pip install: it says so first."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_quiet_dependency_install_is_announced(tmp_path: Path) -> None:
    dry_run = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "demo", f"STAMP={tmp_path / 'not-installed'}"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    lines = dry_run.stdout.splitlines()
    install = next(i for i, line in enumerate(lines) if "pip install" in line and "-e" in line)
    announced = [line for line in lines[:install] if line.startswith("echo") and "install" in line]
    assert announced, dry_run.stdout
