"""Where the report goes: the one-line summary on stderr when it goes to a file, and text width (the
terminal's, or unlimited when piped)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.report.schema import assert_valid_report
from tests.test_cli import run

LONG_FILE = "lib/" + "deeply_nested_module_name_" * 6 + "end.js"


@pytest.fixture
def registry(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeRegistry:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    fake_registry.publish("calm", "1.0.0", build_package("calm", "1.0.0", {"index.js": "module.exports = 1"}))
    fake_registry.publish("longy", "1.0.0", build_package("longy", "1.0.0", {LONG_FILE: "require('https')"}))
    return fake_registry


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_output_file_prints_one_summary_line_on_stderr(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fmt: str,
) -> None:
    target = tmp_path / f"report.{fmt}"
    code, out, err = run(
        ["scan", "calm", "longy", "-f", fmt, "-o", str(target), "-j", "1"], monkeypatch, capsys
    )
    assert code == 0 and out == ""
    assert err.splitlines() == [
        f"2 packages: 0 block, 0 review, 2 allow; wrote {target}; exit 0: nothing reached --fail-on block"
    ]
    if fmt == "json":
        assert_valid_report(target.read_text())


def test_output_file_summary_names_the_exit_reason(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    registry.set_tarball("calm", "1.0.0", build_package("calm", "1.0.0", {"index.js": "evil()"}))
    target = tmp_path / "r.json"
    code, _, err = run(["scan", "calm", "-f", "json", "-o", str(target), "-j", "1"], monkeypatch, capsys)
    assert code == 1
    assert err.splitlines()[0] == (
        f"1 package: 1 block, 0 review, 0 allow; wrote {target}; exit 1: 1 package at --fail-on block or worse"
    )
    code, _, err = run(["scan", "calm", "nope-nope", "-f", "json", "-o", str(target)], monkeypatch, capsys)
    assert code == 1  # a block beats the failure
    code, _, err = run(["scan", "longy", "nope-nope", "-f", "json", "-o", str(target)], monkeypatch, capsys)
    assert code == 2
    assert err.splitlines()[0].endswith("exit 2: bad input (see the warnings)")
    assert "nope-nope" in err


def test_piped_text_is_never_wrapped(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not sys.stdout.isatty()
    code, out, _ = run(["scan", "longy", "-f", "text", "-v", "-j", "1"], monkeypatch, capsys)
    assert code == 0
    (line,) = [line for line in out.splitlines() if "https" in line and "end.js" in line]
    assert f"{LONG_FILE}:1" in line


def test_text_on_a_terminal_follows_its_width(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = run(["scan", "longy", "-f", "text", "-v", "-j", "1"], monkeypatch, capsys)
    assert code == 0
    assert LONG_FILE not in out  # folded to the terminal's width
    assert max(len(line) for line in out.splitlines()) <= 70


def test_output_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # `-o /dev/null` or a FIFO a CI step reads: an atomic rename over it would replace the device or pipe
    # with a regular file (as root, /dev/null for every process on the machine)
    import json
    import os
    import stat
    import threading

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, _ = run(["scan", "calm", "-f", "json", "-o", str(fifo), "-j", "1"], monkeypatch, capsys)
    reader.join(timeout=30)
    assert code == 0
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["packages"][0]["name"] == "calm"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report")) == []
