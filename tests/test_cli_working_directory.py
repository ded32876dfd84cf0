"""The directory airlock runs in is the project under check, i.e. files an attacker may have written: no
Python module in it is ever imported, by the CLI or by the analysis processes it starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

# The console script users run (an installed airlock), not `python -c`, which itself puts the working
# directory on the main process's path.
AIRLOCK = Path(sys.executable).with_name("airlock")
NAMES = [f"pkg-{n}" for n in range(6)]
SHADOW = """\
import pathlib
pathlib.Path(__file__).with_name("IMPORTED-" + __name__).write_text("a module of the project ran")
raise ImportError("a project file shadowed a standard module")
"""


@pytest.mark.skipif(not AIRLOCK.exists(), reason=f"no console script at {AIRLOCK} (pip install -e .)")
def test_modules_in_the_working_directory_never_run(fake_registry: FakeRegistry, tmp_path: Path) -> None:
    for name in NAMES:
        fake_registry.publish(
            name, "1.0.0", build_package(name, "1.0.0", {"index.js": "module.exports = 1\n"})
        )
    # Modules the analysis processes' start-up imports (found by a first-time user's stray copy.py).
    for shadowed in ("copy", "json", "signal", "threading", "types"):
        (tmp_path / f"{shadowed}.py").write_text(SHADOW)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    env["NPM_CONFIG_REGISTRY"] = fake_registry.url
    result = subprocess.run(
        [str(AIRLOCK), "scan", *NAMES, "--format", "json", "-j", "2", "--no-store"],
        cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert sorted(p.name for p in tmp_path.glob("IMPORTED-*")) == []
    assert result.returncode == 0, result.stderr.decode()
    assert [p["verdict"] for p in json.loads(result.stdout)["packages"]] == ["allow"] * len(NAMES)


def test_starting_the_helpers_leaves_this_process_environment_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The safe path is for the helpers' start only: a process this one starts later (a test's own
    # `python -c`, npm) must see the environment it had.
    from airlock.pipeline.processpool import _start_forkserver

    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    _start_forkserver()
    assert "PYTHONSAFEPATH" not in os.environ
    monkeypatch.setenv("PYTHONSAFEPATH", "")
    _start_forkserver()
    assert os.environ["PYTHONSAFEPATH"] == ""
