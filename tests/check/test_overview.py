"""The check overview counts install scripts the way npm runs them for registry packages."""

from __future__ import annotations

from airlock.check.overview import capability_overview, describe
from airlock.model import EMPTY_CAPABILITIES, PackageReport, Verdict
from airlock.report.summary import CAPABILITY_GROUPS


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


def test_one_package_reads_as_singular() -> None:
    one = describe(capability_overview([_report("native", {"install": "node-gyp rebuild"})])[0])
    assert one == "1 package runs install scripts: native@1.0.0"
    two = capability_overview([_report("a", {"install": "x"}), _report("b", {"postinstall": "y"})])
    assert describe(two[0]) == "2 packages run install scripts: a@1.0.0, b@1.0.0"


def test_every_group_has_a_singular_and_a_plural_wording() -> None:
    for group in CAPABILITY_GROUPS:
        assert group.describe(1).startswith("1 package ") and group.describe(3).startswith("3 packages ")
        if group.one != group.many:
            assert group.one.split()[0] != group.many.split()[0], group.key
