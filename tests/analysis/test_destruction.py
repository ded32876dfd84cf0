"""Destruction shapes by reach: what each new rule reports, at which severity, and what it leaves alone.
The incident replicas (tests/incidents/replicas/destruction.py) cover the real-world shapes; these pin the
severity matrix and the windows."""

from __future__ import annotations

from typing import Any

import pytest

from airlock.analysis import analyze
from airlock.contents import read_tarball
from airlock.model import Severity
from tests.fakes.tarballs import build_package


def _findings(files: dict[str, str | bytes], **manifest: Any) -> dict[str, Severity]:
    analysis = analyze(read_tarball(build_package("x", "1.0.0", files, **manifest), subject="x"))
    return {f.rule: f.severity for f in analysis.findings}


@pytest.mark.parametrize(
    ("script", "severity"),
    [("kill -9 -1", Severity.CRITICAL), ("pkill -f node || true", Severity.HIGH)],
)
def test_install_scripts_that_kill_processes(script: str, severity: Severity) -> None:
    found = _findings({"index.js": "module.exports = {};\n"}, scripts={"preinstall": script})
    assert found.get("process-killing") == severity


def test_killing_by_name_in_library_code_is_context() -> None:
    code = "const cp = require('child_process');\nexports.close = () => cp.execSync('killall Safari');\n"
    assert _findings({"lib/launcher.js": code}).get("process-killing") == Severity.LOW


def test_killing_everything_from_library_code_is_high() -> None:
    assert (
        _findings({"lib/x.js": "exports.f = () => process.kill(-1);\n"}).get("process-killing")
        == Severity.HIGH
    )


def test_killing_own_pids_and_process_groups_is_silent() -> None:
    code = "exports.stop = (child) => { process.kill(child.pid); process.kill(-child.pid, 'SIGTERM'); };\n"
    assert "process-killing" not in _findings({"index.js": code})


@pytest.mark.parametrize(
    ("path", "severity"),
    [("index.js", Severity.CRITICAL), ("lib/tools.js", Severity.HIGH)],
)
def test_recursive_wipe_of_home_by_reach(path: str, severity: Severity) -> None:
    code = "const fs = require('fs'), os = require('os');\nfs.rmSync(os.homedir(), { recursive: true });\n"
    assert _findings({path: code}).get("recursive-wipe") == severity


def test_removing_subdirectories_of_home_and_cwd_is_silent() -> None:
    code = (
        "const fs = require('fs'), os = require('os'), path = require('path');\n"
        "fs.rmSync(path.join(os.homedir(), '.cache', 'tool'), { recursive: true });\n"
        "fs.rmSync(path.resolve(process.cwd(), 'dist'), { recursive: true, force: true });\n"
    )
    found = _findings({"index.js": code})
    assert "recursive-wipe" not in found
    assert "conditioned-destruction" not in found


def test_a_gate_far_from_the_wipe_is_not_its_gate() -> None:
    filler = "".join(f"var v{i} = {i};\n" for i in range(400))
    code = (
        "const fs = require('fs'), os = require('os');\n"
        "if (os.hostname() === 'build-01') console.log('hi');\n"
        + filler
        + "exports.clean = (d) => fs.rmSync(d, { recursive: true });\n"
    )
    assert "conditioned-destruction" not in _findings({"index.js": code})
    near = code.replace(filler, "")
    assert _findings({"index.js": near}).get("conditioned-destruction") == Severity.CRITICAL


def test_endless_loop_is_high_at_load_time_and_low_in_library() -> None:
    loop = "module.exports = {};\nwhile (true) { console.log('x'); }\n"
    assert _findings({"index.js": loop}).get("module-level-endless-loop") == Severity.HIGH
    assert _findings({"lib/spin.js": loop}).get("module-level-endless-loop") == Severity.LOW
