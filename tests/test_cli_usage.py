"""Usage errors a person reads: plain metavars in help, plain wording for bad values (no `<bool>`,
`<list[str]>`, "Value error, …" from the libraries underneath), and a report path that cannot be written
refused before any work is done."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry
from tests.test_cli import run

_PYTHON_TYPE = re.compile(r"<(bool|int|float|str|path|list\[[^\]]*\]|[a-z]+ range)>")


@pytest.mark.parametrize(
    "command", [[], ["scan"], ["check"], ["cache"], ["cache", "clear"], ["cache", "path"]]
)
def test_help_shows_no_python_types(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = run([*command, "--help"], monkeypatch, capsys)
    assert "Usage:" in out
    assert not _PYTHON_TYPE.findall(out), out


def test_scan_usage_names_its_targets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = run(["scan", "--help"], monkeypatch, capsys)
    assert "Usage: airlock scan [OPTIONS] TARGET..." in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check", "-j", "x"], "expected a whole number"),
        (["check", "-j", "0"], "must be at least 1"),
        (["check", "--min-age", "-1"], "must be at least 0"),
        (["check", "--min-age", "soon"], "expected a number"),
        (["check", "--fail-on", "maybe"], "'maybe' is not one of 'block', 'review'"),
        (["scan", "x", "--format", "xml"], "'xml' is not one of"),
    ],
)
def test_bad_values_are_said_plainly(
    argv: list[str], expected: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, _, err = run(argv, monkeypatch, capsys)
    assert code == 2
    assert expected in err
    for jargon in ("Value error", "Input should", "unable to parse"):
        assert jargon not in err


@pytest.mark.parametrize("command", [["scan", "calm"], ["check", "."]])
def test_output_into_a_missing_directory_is_a_usage_error_before_any_work(
    command: list[str],
    fake_registry: FakeRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    code, _, err = run([*command, "-o", "missing/dir/report.json"], monkeypatch, capsys)
    said = " ".join(err.split())
    assert code == 2, err
    assert "missing/dir does not exist" in said
    assert "hint: create it first" in said
    assert fake_registry.requests == []
