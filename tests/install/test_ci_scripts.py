"""Lifecycle scripts through `airlock ci`: allowed ones run in the sandbox on the staged tree before the
swap; a hostile one (accepted by a reviewer, so the check lets it through) reaches nothing; an
esbuild-style one installs its platform binary, which works afterwards; a failing one changes nothing."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from airlock.check.project import CheckSettings
from airlock.exit import ExitCode
from airlock.install.ci import CiRequest, ScriptsFailedError, run_ci
from airlock.install.scripts_step import sandboxed_scripts_step
from airlock.sandbox import SandboxUnavailableError
from tests.fakes.registry import FakeRegistry
from tests.install.projects import EXFIL, WRAPPY, Dep, publish, tree_hash, write_project
from tests.test_cli import run

pytestmark = [pytest.mark.requires_node, pytest.mark.requires_bwrap]


class Listener:
    """A loopback TCP listener counting the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _hostile(home: Path, project: Path, port: int) -> Dep:
    script = f"""
const fs = require('fs'), net = require('net'), dns = require('dns'), path = require('path')
const result = {{}}
function attempt (key, fn) {{ try {{ fn(); result[key] = 'ok' }} catch (e) {{ result[key] = 'fail:' + e.code }} }}
attempt('read-npmrc', () => fs.readFileSync({json.dumps(str(home / ".npmrc"))}, 'utf8'))
attempt('read-canary', () => fs.readFileSync({json.dumps(str(home / "canary.txt"))}, 'utf8'))
attempt('write-home', () => fs.writeFileSync({json.dumps(str(home / "pwned.txt"))}, 'x'))
attempt('write-canary', () => fs.appendFileSync({json.dumps(str(home / "canary.txt"))}, 'x'))
attempt('write-project', () => fs.writeFileSync({json.dumps(str(project / "pwned.txt"))}, 'x'))
attempt('write-sibling', () => fs.writeFileSync(path.join(__dirname, '..', 'pwned.txt'), 'x'))
let pending = 2
function done () {{ if (--pending === 0) fs.writeFileSync(path.join(__dirname, 'attempts.json'), JSON.stringify(result)) }}
const socket = net.connect({port}, '127.0.0.1')
socket.on('connect', () => {{ result.tcp = 'ok'; socket.destroy(); done() }})
socket.on('error', (e) => {{ result.tcp = 'fail:' + e.code; done() }})
dns.lookup('example.com', (e) => {{ result.dns = e ? 'fail:' + e.code : 'ok'; done() }})
"""
    return Dep(
        "grabby",
        "1.0.0",
        {"index.js": "module.exports = 1\n", "install.js": script},
        scripts={"postinstall": "node install.js"},
    )


FASTBUILD = Dep(
    "fastbuild",
    "0.19.0",
    {
        "index.js": "module.exports = require('path').join(__dirname, 'bin', 'fastbuild')\n",
        "platform/linux-x64": "#!/bin/sh\necho fastbuild 0.19.0 ok\n",
        "install.js": (
            "const fs = require('fs'), path = require('path')\n"
            "const target = path.join(__dirname, 'bin', 'fastbuild')\n"
            "fs.mkdirSync(path.dirname(target), { recursive: true })\n"
            "fs.copyFileSync(path.join(__dirname, 'platform', 'linux-x64'), target)\n"
            "fs.chmodSync(target, 0o755)\n"
        ),
    },
    scripts={"postinstall": "node install.js"},
)


def _allow_scripts(root: Path, allowed: dict[str, bool]) -> None:
    manifest = json.loads((root / "package.json").read_text())
    manifest["lavamoat"] = {"allowScripts": allowed}
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")


def _request(root: Path) -> CiRequest:
    return CiRequest(root, check=CheckSettings(jobs=1), npm_timeout=120, script_timeout=60)


@pytest.fixture
def registry(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch) -> FakeRegistry:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    publish(fake_registry, WRAPPY)
    return fake_registry


def test_esbuild_style_postinstall_runs_sandboxed_and_the_binary_works(
    registry: FakeRegistry, tmp_path: Path
) -> None:
    publish(registry, FASTBUILD)
    root = tmp_path / "app"
    write_project(root, registry, [FASTBUILD, WRAPPY], top=["fastbuild", "wrappy"])
    _allow_scripts(root, {"fastbuild#0.19.0": True})
    outcome = run_ci(_request(root), scripts_step=sandboxed_scripts_step)
    assert outcome.exit_code is ExitCode.OK
    assert outcome.scripts is not None
    assert [(r.package, r.event, r.sandboxed) for r in outcome.scripts.ran] == [
        ("fastbuild@0.19.0", "postinstall", True)
    ]
    binary = root / "node_modules" / "fastbuild" / "bin" / "fastbuild"
    ran = subprocess.run([str(binary)], capture_output=True, text=True, timeout=10, check=True)
    assert ran.stdout.strip() == "fastbuild 0.19.0 ok"


def test_a_script_not_allowed_is_skipped_with_the_line_that_allows_it(
    registry: FakeRegistry, tmp_path: Path
) -> None:
    publish(registry, FASTBUILD)
    root = tmp_path / "app"
    write_project(root, registry, [FASTBUILD, WRAPPY], top=["fastbuild", "wrappy"])
    outcome = run_ci(_request(root), scripts_step=sandboxed_scripts_step)
    assert outcome.exit_code is ExitCode.OK and outcome.scripts is not None
    assert outcome.scripts.ran == ()
    [skip] = outcome.scripts.skipped
    assert skip.package.startswith("fastbuild@0.19.0") and "not allowed" in skip.reason
    assert not (root / "node_modules" / "fastbuild" / "bin").exists()


def test_hostile_postinstall_reaches_nothing(
    registry: FakeRegistry, tmp_path: Path, home: Path, listener: Listener
) -> None:
    (home / ".npmrc").write_text("//registry.npmjs.org/:_authToken=npm_CANARYTOKEN\n")
    (home / "canary.txt").write_text("canary\n")
    canaries = ((home / ".npmrc").read_bytes(), (home / "canary.txt").read_bytes())
    root = tmp_path / "app"
    hostile = _hostile(home, root, listener.port)
    publish(registry, hostile)
    write_project(root, registry, [hostile, WRAPPY], top=["grabby", "wrappy"])
    _allow_scripts(root, {"grabby#1.0.0": True})
    first = run_ci(_request(root), scripts_step=sandboxed_scripts_step)
    if first.exit_code is not ExitCode.OK:
        # The check sees what it is; a reviewer accepting every finding is what lets it reach the sandbox.
        [report] = [r for r in first.outcome.reports if r.name == "grabby"]
        entries = "".join(
            f'[[accept]]\npackage = "grabby"\nversion = "1.0.0"\nrule = "{rule}"\nreason = "test: the sandbox must hold"\n\n'
            for rule in sorted({f.rule for f in report.findings})
        )
        (root / "airlock.toml").write_text(entries)
    outcome = run_ci(_request(root), scripts_step=sandboxed_scripts_step)
    assert outcome.exit_code is ExitCode.OK, [r.findings for r in outcome.outcome.reports]
    assert outcome.scripts is not None and [r.package for r in outcome.scripts.ran] == ["grabby@1.0.0"]
    attempts = json.loads((root / "node_modules" / "grabby" / "attempts.json").read_text())
    assert set(attempts) == {
        "read-npmrc", "read-canary", "write-home", "write-canary", "write-project", "write-sibling", "tcp", "dns",
    }  # fmt: skip
    assert all(value.startswith("fail") for value in attempts.values()), attempts
    assert listener.accepted == 0
    assert ((home / ".npmrc").read_bytes(), (home / "canary.txt").read_bytes()) == canaries
    assert not (home / "pwned.txt").exists() and not (root / "pwned.txt").exists()
    assert not (root / "node_modules" / "pwned.txt").exists()


FAILING = Dep(
    "brittle",
    "2.0.0",
    {
        "index.js": "module.exports = 1\n",
        "install.js": "console.error('cannot build brittle'); process.exit(3)\n",
    },
    scripts={"postinstall": "node install.js"},
)


def test_a_failing_script_changes_nothing_and_shows_its_output(
    registry: FakeRegistry, tmp_path: Path
) -> None:
    root = tmp_path / "app"
    write_project(root, registry, [WRAPPY], top=["wrappy"])
    assert run_ci(_request(root)).exit_code is ExitCode.OK
    publish(registry, FAILING)
    write_project(root, registry, [FAILING, WRAPPY], top=["brittle", "wrappy"])
    _allow_scripts(root, {"brittle#2.0.0": True})
    before = ((root / "package.json").read_bytes(), tree_hash(root / "node_modules"))
    with pytest.raises(ScriptsFailedError) as caught:
        run_ci(_request(root), scripts_step=sandboxed_scripts_step)
    assert caught.value.exit_code is ExitCode.ACTION
    assert "cannot build brittle" in caught.value.message and "nothing was changed" in caught.value.message
    assert ((root / "package.json").read_bytes(), tree_hash(root / "node_modules")) == before
    assert not list(root.glob(".airlock-staging-*"))


def test_cli_summary_names_the_scripts_that_ran_and_loud_opt_outs(
    registry: FakeRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish(registry, FASTBUILD)
    root = tmp_path / "app"
    write_project(root, registry, [FASTBUILD, WRAPPY], top=["fastbuild", "wrappy"])
    _allow_scripts(root, {"fastbuild#0.19.0": True})
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["ci", "app", "-f", "text", "-j", "1"], monkeypatch, capsys)
    assert code == 0, out
    assert "ran: fastbuild@0.19.0 postinstall (" in out and "sandboxed)" in out
    assert "UNSANDBOXED" not in out
    shutil.rmtree(root / "node_modules")
    code, out, _ = run(["ci", "app", "-f", "text", "-j", "1", "--unsandboxed-scripts"], monkeypatch, capsys)
    assert code == 0, out
    assert "!! UNSANDBOXED: install scripts ran with your full authority" in out
    assert "ran: fastbuild@0.19.0 postinstall (" in out and "UNSANDBOXED)" in out


def test_cli_blocked_run_shows_the_report_and_changes_nothing(
    registry: FakeRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish(registry, EXFIL)
    root = tmp_path / "app"
    write_project(root, registry, [EXFIL, WRAPPY], top=["env-helper", "wrappy"])
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["ci", "app", "-f", "text", "-j", "1"], monkeypatch, capsys)
    assert code == 1
    assert "env-helper" in out and "airlock ci: nothing installed, nothing changed — 1 blocked" in out
    assert not (root / "node_modules").exists()


def test_no_sandbox_while_a_script_must_run_refuses_and_changes_nothing(
    registry: FakeRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airlock.sandbox import availability

    publish(registry, FASTBUILD)
    root = tmp_path / "app"
    write_project(root, registry, [FASTBUILD, WRAPPY], top=["fastbuild", "wrappy"])
    _allow_scripts(root, {"fastbuild#0.19.0": True})
    real_probe = availability.probe
    monkeypatch.setattr(availability, "probe", lambda path=None: real_probe(path=str(tmp_path / "no-bin")))
    with pytest.raises(SandboxUnavailableError) as caught:
        run_ci(_request(root), scripts_step=sandboxed_scripts_step)
    assert "bwrap" in caught.value.diagnostics() and caught.value.hint
    assert not (root / "node_modules").exists()
    assert not list(root.glob(".airlock-staging-*"))
