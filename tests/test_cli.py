"""The console entry point, end to end in-process: argv → exit code, stdout report, stderr messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airlock import __version__
from airlock.cli import main
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.report.schema import assert_valid_report


def run(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["airlock", *argv])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.fixture
def registry(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeRegistry:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    fake_registry.publish("calm", "1.0.0", build_package("calm", "1.0.0", {"index.js": "module.exports = 1"}))
    fake_registry.publish(
        "netty", "2.0.0", build_package("netty", "2.0.0", {"lib/a.js": "require('https').get(u)"})
    )
    return fake_registry


def test_version_and_help(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], monkeypatch, capsys)
    assert code == 0
    assert out.startswith(f"airlock {__version__} (analyzer ")
    code, out, _ = run(["scan", "--help"], monkeypatch, capsys)
    assert code == 0
    assert "Examples" in out
    assert "Exit codes" in out


def test_json_report_is_the_contract(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["scan", "netty", "calm@1", "--format", "json", "--jobs", "1"], monkeypatch, capsys)
    assert code == 0
    assert_valid_report(out)
    document = json.loads(out)
    assert [(p["name"], p["version"]) for p in document["packages"]] == [
        ("netty", "2.0.0"),
        ("calm", "1.0.0"),
    ]
    assert document["packages"][0]["capabilities"]["builtin"]["https.get"][0]["file"] == "lib/a.js"


def test_output_file_and_sarif(
    registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.sarif"
    code, out, _ = run(["scan", "netty", "-f", "sarif", "-o", str(target), "-j", "1"], monkeypatch, capsys)
    assert code == 0
    assert out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.sarif")] == []  # no temp left


def test_text_format_names_verdict_and_capabilities(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["scan", "netty", "-f", "text", "-j", "1"], monkeypatch, capsys)
    assert code == 0
    assert "netty" in out
    assert "2.0.0" in out
    assert "allow" in out
    assert "https" in out


def test_missing_package_exits_2_with_an_entry_and_a_warning(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["scan", "calm", "nope-nope", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 2
    document = json.loads(out)
    assert document["packages"][1]["findings"][0]["rule"] == "target-failed"
    assert "nope-nope" in err


def test_tampered_tarball_exits_1(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.set_tarball("calm", "1.0.0", build_package("calm", "1.0.0", {"index.js": "evil()"}))
    code, out, _ = run(["scan", "calm", "-f", "json", "-j", "1"], monkeypatch, capsys)
    assert code == 1
    assert json.loads(out)["packages"][0]["verdict"] == "block"


def test_fail_on_review(
    registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(["scan", "nope-nope", "-f", "json", "--fail-on", "review"], monkeypatch, capsys)
    assert code == 1


def test_bad_usage_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["scan", "x", "--format", "yaml"], monkeypatch, capsys)
    assert code == 2
    code, _, err = run(["scan", "@noslash", "-f", "json"], monkeypatch, capsys)
    assert code == 2
    assert "@scope/name" in err


def test_unknown_setting_in_airlock_toml_is_an_error_with_its_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "airlock.toml").write_text("fail_onn = 'review'\n")
    code, _, err = run(["scan", "x", "--project", str(tmp_path)], monkeypatch, capsys)
    assert code == 2
    assert "fail_onn" in err


def test_cache_path_and_clear(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["cache", "path"], monkeypatch, capsys)
    assert code == 0
    assert "airlock" in out
    code, out, _ = run(["cache", "clear"], monkeypatch, capsys)
    assert code == 0
