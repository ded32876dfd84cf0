"""Failures that hit every package at once are said once: an unreachable registry fails fast with one line
naming it, and an offline run with a cold cache says how many packages it is missing in one line."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from airlock.integrity import sri_of
from tests.test_cli import run

PACKAGES = [f"pkg-{n}" for n in range(40)]


def _closed_port() -> int:
    """A loopback port nothing listens on: bound, then closed, so connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _project(root: Path, registry: str) -> Path:
    app = root / "app"
    app.mkdir()
    (app / ".npmrc").write_text(f"registry={registry}\n")
    dependencies = dict.fromkeys(PACKAGES, "^1.0.0")
    (app / "package.json").write_text(
        json.dumps({"name": "app", "version": "1.0.0", "dependencies": dependencies})
    )
    packages: dict[str, object] = {"": {"name": "app", "version": "1.0.0", "dependencies": dependencies}}
    for name in PACKAGES:
        packages[f"node_modules/{name}"] = {
            "version": "1.0.0",
            "resolved": f"{registry}{name}/-/{name}-1.0.0.tgz",
            "integrity": sri_of(name.encode()),
        }
    lock = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    (app / "package-lock.json").write_text(json.dumps(lock))
    return app


def test_an_unreachable_registry_fails_fast_with_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = f"http://127.0.0.1:{_closed_port()}/"
    _project(tmp_path, registry)
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    code, out, err = run(["check", "app", "--format", "json", "-j", "1"], monkeypatch, capsys)
    took = time.monotonic() - started
    assert code == 3, err
    assert took < 5, f"took {took:.1f}s"
    warnings = [line for line in err.splitlines() if line.startswith(("warning:", "error:"))]
    assert len(warnings) == 1, err
    assert registry in warnings[0]
    assert "hint:" in err
    # One message per line, never wrapped mid-word into a log.
    assert all(line.startswith(("warning: ", "error: ", "hint: ")) for line in err.splitlines() if line), err
    # Each package still says, in the report, that it was not analysed and why.
    packages = json.loads(out)["packages"]
    assert len(packages) == len(PACKAGES)
    assert all(p["verdict"] != "allow" for p in packages)


def test_offline_with_an_empty_cache_says_so_once_with_the_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, "http://127.0.0.1:9/")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["check", "app", "--offline", "--format", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 3, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, err
    assert f"{len(PACKAGES)} packages are not in the cache" in warnings[0]
    assert "without --offline" in err
