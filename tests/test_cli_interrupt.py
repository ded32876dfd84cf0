"""Ctrl-C in the middle of a cold run: the process ends within 2 s with one line and exit 130, leaves no
worker process behind, and the cache and store it was filling still serve the next run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

FAST = [f"fast-{n}" for n in range(6)]
SLOW = [f"slow-{n}" for n in range(24)]
_CLI = [sys.executable, "-c", "from airlock.cli import main; main()"]


def _session_members(session: int) -> list[int]:
    """Processes whose session is `session` (the CLI was started as a session leader, so this is it and
    every process it started: the forkserver and the analysis workers included)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state, ppid, pgrp, session, …
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == session:
            members.append(int(entry.name))
    return members


def _write_project(registry: FakeRegistry, directory: Path, names: list[str]) -> None:
    """package.json and the package-lock.json v3 npm would write for `names` at 1.0.0."""
    dependencies = dict.fromkeys(names, "1.0.0")
    packages: dict[str, object] = {"": {"name": "app", "dependencies": dependencies}}
    for name in names:
        dist = registry.packument(name)["versions"]["1.0.0"]["dist"]
        packages[f"node_modules/{name}"] = {
            "version": "1.0.0", "resolved": dist["tarball"], "integrity": dist["integrity"]
        }  # fmt: skip
    lock = {"name": "app", "lockfileVersion": 3, "requires": True, "packages": packages}
    (directory / "package.json").write_text(json.dumps({"name": "app", "dependencies": dependencies}))
    (directory / "package-lock.json").write_text(json.dumps(lock))


def _wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find child processes")
@pytest.mark.parametrize(
    "processes_before",
    [
        2,  # early: the forkserver (or multiprocessing's resource tracker) is starting, no worker yet
        4,  # later: main, resource tracker, forkserver and analysis workers all running
    ],
)
@pytest.mark.parametrize("command_name", ["scan", "check"])
def test_ctrl_c_during_a_cold_run_exits_at_once_and_leaves_nothing_behind(
    fake_registry: FakeRegistry, tmp_path: Path, processes_before: int, command_name: str
) -> None:
    for name in FAST + SLOW:
        code = "; ".join(f"exports.f{i} = require('fs').readFileSync('{name}-{i}')" for i in range(200))
        fake_registry.publish(name, "1.0.0", build_package(name, "1.0.0", {"index.js": code}))
    # The slow tarballs keep fetch threads in socket reads (and the analysis slots full) when Ctrl-C comes.
    fake_registry.delay("/slow-", 20.0, times=len(SLOW) * 2)
    env = {**os.environ, "NPM_CONFIG_REGISTRY": fake_registry.url}
    if command_name == "scan":
        command = [*_CLI, "scan", *FAST, *SLOW, "--format", "json", "-j", "2"]
    else:  # a project whose lockfile holds the same packages
        _write_project(fake_registry, tmp_path, FAST + SLOW)
        command = [*_CLI, "check", ".", "--format", "json", "-j", "2"]

    cli = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        # Mid-run: the fast packages fetched, the slow ones asked for, pool processes starting or running.
        _wait_for(
            lambda: (
                len(fake_registry.requests_to("/slow-")) >= 4
                and len(fake_registry.requests_to("/fast-")) >= 2 * len(FAST)
                and len(_session_members(cli.pid)) >= processes_before
            ),
            timeout=60,
            what=f"the {command_name} to be mid-run",
        )
        interrupted = time.monotonic()
        os.killpg(cli.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        try:
            _out, err = cli.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("airlock did not exit within 10 s of Ctrl-C")
        took = time.monotonic() - interrupted
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()

    stderr = err.decode()
    assert took < 2.0, f"exit took {took:.1f}s"
    assert cli.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == ["interrupted"], stderr
    # Nothing it started outlives it (the forkserver notices its parent is gone within moments).
    _wait_for(lambda: not _session_members(cli.pid), timeout=2, what="no process of the session left")

    # The cache and store are intact: a second run (registry fast again) completes and reuses what the
    # first one finished caching (a download cut short leaves at most a temp file, never an entry).
    cached = [
        p for p in (Path(os.environ["XDG_CACHE_HOME"]) / "airlock" / "tarballs").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    ]  # fmt: skip
    fake_registry.clear_delays()
    fetched_before = len(fake_registry.requests_to("/-/"))
    second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False)
    assert second.returncode == 0, second.stderr.decode()
    report = json.loads(second.stdout)
    assert sorted(p["name"] for p in report["packages"]) == sorted(FAST + SLOW)
    downloads = len(fake_registry.requests_to("/-/")[fetched_before:])
    assert downloads == len(FAST + SLOW) - len(cached), "cached tarballs were downloaded again"
