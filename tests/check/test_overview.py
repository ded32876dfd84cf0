"""The check overview counts install scripts the way npm runs them for registry packages."""

from __future__ import annotations

from airlock.check.overview import capability_overview
from airlock.model import EMPTY_CAPABILITIES, PackageReport, Verdict


def _report(name: str, scripts: dict[str, str]) -> PackageReport:
    return PackageReport(
        target=f"{name}@1.0.0",
        name=name,
        version="1.0.0",
        integrity=None,
        verdict=Verdict.ALLOW,
        capabilities=EMPTY_CAPABILITIES,
        findings=(),
        install_scripts=scripts,
        skipped=(),
    )


def test_prepare_alone_does_not_count_as_running_install_scripts() -> None:
    reports = [
        _report("husky-like", {"prepare": "husky install"}),
        _report("native", {"install": "node-gyp rebuild"}),
        _report("both", {"postinstall": "node x.js", "prepare": "tsc"}),
    ]
    lines = {line.what: line.names for line in capability_overview(reports)}
    assert lines["run install scripts"] == ("native@1.0.0", "both@1.0.0")


def test_no_install_scripts_no_line() -> None:
    lines = capability_overview([_report("plain", {"prepare": "tsc"})])
    assert all(line.what != "run install scripts" for line in lines)
