"""The done-when of issue 14's sandbox: an allowed postinstall that tries everything a credential
stealer does gets nothing — and an esbuild-style postinstall that builds inside its own package works."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from airlock.install.scripts import ScriptsRequest, default_sandbox, plan_scripts, run_scripts
from tests.install.trees import Pkg, write_staged
from tests.sandbox.test_bubblewrap import Listener

HOSTILE = r"""
const fs = require('fs'), net = require('net'), dns = require('dns'), path = require('path');
const seen = {env: process.env, home: process.env.HOME, attempts: {}};
function attempt(name, fn) {
  try { seen.attempts[name] = 'OK ' + String(fn()).slice(0, 80); }
  catch (e) { seen.attempts[name] = 'DENIED ' + (e.code || e.message); }
}
attempt('read ~/.npmrc', () => fs.readFileSync(path.join(process.env.HOME, '.npmrc'), 'utf8'));
attempt('read real ~/.npmrc', () => fs.readFileSync(REAL_HOME + '/.npmrc', 'utf8'));
attempt('read real canary', () => fs.readFileSync(REAL_HOME + '/canary.txt', 'utf8'));
attempt('read project .npmrc', () => fs.readFileSync(PROJECT + '/.npmrc', 'utf8'));
attempt('read /etc/shadow', () => fs.readFileSync('/etc/shadow', 'utf8'));
attempt('write real home', () => fs.writeFileSync(REAL_HOME + '/pwned', 'x'));
attempt('write canary', () => fs.appendFileSync(REAL_HOME + '/canary.txt', 'x'));
attempt('write project', () => fs.writeFileSync(PROJECT + '/pwned', 'x'));
attempt('write project package.json', () => fs.appendFileSync(PROJECT + '/package.json', ' '));
attempt('write sibling', () => fs.writeFileSync(path.join(__dirname, '..', 'sibling', 'index.js'), 'pwned'));
attempt('write host tmp', () => fs.writeFileSync(HOST_TMP, 'x'));
attempt('write own dir', () => { fs.writeFileSync(path.join(__dirname, 'own.txt'), 'x'); return 'written'; });
function done() { fs.writeFileSync(path.join(__dirname, 'observed.json'), JSON.stringify(seen)); }
const socket = net.connect({port: PORT, host: '127.0.0.1'});
socket.setTimeout(3000);
socket.on('connect', () => { seen.attempts['tcp loopback'] = 'OK connected'; socket.end(); next(); });
socket.on('error', e => { seen.attempts['tcp loopback'] = 'DENIED ' + e.code; next(); });
socket.on('timeout', () => { seen.attempts['tcp loopback'] = 'DENIED timeout'; socket.destroy(); next(); });
let left = 1;
function next() {
  if (--left > 0) return;
  dns.lookup('registry.npmjs.org', (err, address) => {
    seen.attempts['dns'] = err ? 'DENIED ' + err.code : 'OK ' + address;
    done();
  });
}
"""


@pytest.mark.requires_bwrap
def test_a_hostile_postinstall_reaches_no_secret_no_file_and_no_network(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / ".npmrc").write_text("//registry.npmjs.org/:_authToken=npm_HOME_SECRET\n")
    (home / "canary.txt").write_text("canary\n")
    monkeypatch.setenv("NPM_TOKEN", "npm_ENV_SECRET")
    monkeypatch.setenv("npm_config__authToken", "npm_CONFIG_SECRET")
    monkeypatch.setenv("npm_config_//registry.npmjs.org/:_authToken", "npm_SCOPED_SECRET")
    monkeypatch.setenv("npm_config_registry", "https://user:pass@registry.example.com/")
    monkeypatch.setenv("npm_config_loglevel", "warn")
    host_tmp = Path("/tmp") / f"airlock-hostile-{uuid.uuid4().hex}"
    listener = Listener()
    try:
        staged = write_staged(tmp_path, [], policy={"allowScripts": {"evil#1.0.0": True}})
        script = (
            HOSTILE.replace("REAL_HOME", json.dumps(str(home)))
            .replace("PROJECT", json.dumps(str(staged.project.resolve())))
            .replace("HOST_TMP", json.dumps(str(host_tmp)))
            .replace("PORT", str(listener.port))
        )
        staged = write_staged(
            tmp_path / "t",
            [
                Pkg(
                    "node_modules/evil", scripts={"postinstall": "node hostile.js"}, files={"hostile.js": ""}
                ),
                Pkg("node_modules/sibling", files={"index.js": "module.exports = 1\n"}),
            ],
            policy={"allowScripts": {"evil#1.0.0": True}},
        )
        script = script.replace(
            json.dumps(str((tmp_path / "project").resolve())), json.dumps(str(staged.project.resolve()))
        )
        (staged.node_modules / "evil" / "hostile.js").write_text(script)
        (staged.project / ".npmrc").write_text("//registry.example.com/:_authToken=npm_PROJECT_SECRET\n")
        before = {
            p: p.read_bytes() for p in (home / ".npmrc", home / "canary.txt", staged.project / "package.json")
        }
        request = ScriptsRequest(staged.project, staged.node_modules, timeout=60)
        plan = plan_scripts(request)
        summary = run_scripts(plan, default_sandbox(request))
        assert summary.sandbox == "bubblewrap"
        assert summary.failed is None, summary.ran[-1].outcome.output
        observed = json.loads((staged.node_modules / "evil" / "observed.json").read_text())
    finally:
        listener.close()
    attempts = observed["attempts"]
    for name, result in attempts.items():
        if name in ("write own dir", "read ~/.npmrc", "write host tmp"):
            continue
        assert result.startswith("DENIED"), (name, result)
    assert attempts["write own dir"] == "OK written"
    # The fresh HOME has no .npmrc; a write to /tmp lands in the sandbox's own tmpfs, never the host's.
    assert attempts["read ~/.npmrc"].startswith("DENIED ENOENT")
    assert not host_tmp.exists()
    assert attempts["dns"] in ("DENIED EAI_AGAIN", "DENIED ENOTFOUND"), attempts["dns"]
    assert listener.connections == 0
    assert {p: p.read_bytes() for p in before} == before
    assert not (home / "pwned").exists() and not (staged.project / "pwned").exists()
    assert (staged.node_modules / "sibling" / "index.js").read_text() == "module.exports = 1\n"
    assert not (staged.project / "node_modules").exists()  # the mount point bwrap needed is gone again
    env = observed["env"]
    assert observed["home"] != str(home)
    assert "NPM_TOKEN" not in env and not any("auth" in k.lower() for k in env)
    assert "npm_config_registry" not in env and env["npm_config_loglevel"] == "warn"
    assert not any("SECRET" in v or "pass@" in v for v in env.values())
    # The script saw its final path, not the staging one.
    assert env["npm_package_json"] == str(staged.project.resolve() / "node_modules" / "evil" / "package.json")
    assert env["npm_lifecycle_event"] == "postinstall" and env["INIT_CWD"] == str(staged.project.resolve())


INSTALL_JS = r"""
const fs = require('fs'), path = require('path');
const platform = `${process.platform}-${process.arch}`;
const source = path.join(__dirname, 'platforms', 'native-binary');
const target = path.join(__dirname, 'bin', 'esb');
fs.mkdirSync(path.dirname(target), {recursive: true});
fs.copyFileSync(source, target);
fs.chmodSync(target, 0o755);
console.log(`installed the ${platform} binary`);
"""


@pytest.mark.requires_bwrap
def test_an_esbuild_style_postinstall_builds_inside_its_package_and_the_package_works(tmp_path: Path) -> None:
    staged = write_staged(
        tmp_path,
        [
            Pkg(
                "node_modules/esb",
                version="0.20.0",
                scripts={"postinstall": "node install.js"},
                files={
                    "install.js": INSTALL_JS,
                    "platforms/native-binary": '#!/bin/sh\necho "esb works: $1"\n',
                },
            )
        ],
        policy={"allowScripts": {"esb#0.20.0": True}},
    )
    request = ScriptsRequest(staged.project, staged.node_modules, timeout=60)
    summary = run_scripts(plan_scripts(request), default_sandbox(request))
    assert summary.failed is None and [r.script.label for r in summary.ran] == ["esb@0.20.0"]
    assert "installed the linux-" in summary.ran[0].outcome.output
    binary = staged.node_modules / "esb" / "bin" / "esb"
    assert os.access(binary, os.X_OK)
    done = subprocess.run([str(binary), "hello"], capture_output=True, text=True, timeout=10, check=True)
    assert done.stdout == "esb works: hello\n"


@pytest.mark.requires_bwrap
def test_the_project_scripts_run_last_with_the_project_writable_and_the_staged_tree_in_place(
    tmp_path: Path,
) -> None:
    staged = write_staged(
        tmp_path,
        [Pkg("node_modules/dep", version="2.3.4", files={"index.js": "module.exports = 'dep 2.3.4'\n"})],
        project_manifest={
            "scripts": {
                "postinstall": "node -e \"require('fs').writeFileSync('built.txt', require('dep'))\"",
                "prepare": "echo prepared >> built.txt; echo x > node_modules/dep/pwned || true",
            }
        },
    )
    request = ScriptsRequest(staged.project, staged.node_modules, timeout=60)
    plan = plan_scripts(request)
    assert [(s.label, s.event) for s in plan.scripts] == [
        ("app@0.1.0 (project)", "postinstall"),
        ("app@0.1.0 (project)", "prepare"),
    ]
    summary = run_scripts(plan, default_sandbox(request))
    assert summary.failed is None, summary.ran[-1].outcome.output
    assert (staged.project / "built.txt").read_text() == "dep 2.3.4prepared\n"
    assert not (staged.node_modules / "dep" / "pwned").exists()  # dependencies stay read-only
    assert "Read-only file system" in summary.ran[-1].outcome.output
    assert not (staged.project / "node_modules").exists()


@pytest.mark.requires_bwrap
def test_a_script_that_needs_the_network_fails_naming_allow_network(tmp_path: Path) -> None:
    fetch = (
        "node -e \"require('dns').lookup('registry.npmjs.org', "
        'e => { if (e) { console.error(e.message); process.exit(1) } })"'
    )
    staged = write_staged(
        tmp_path,
        [Pkg("node_modules/browser-dl", scripts={"postinstall": fetch})],
        policy={"allowScripts": {"browser-dl#1.0.0": True}},
    )
    request = ScriptsRequest(staged.project, staged.node_modules, timeout=60)
    summary = run_scripts(plan_scripts(request), default_sandbox(request))
    assert summary.failed is not None
    assert "--allow-network browser-dl" in summary.failed.message and "-v" in summary.failed.message
