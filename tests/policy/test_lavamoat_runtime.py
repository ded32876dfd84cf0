"""The exported policy on the real LavaMoat runtime (issue 12): an app with a benign dependency and a planted
one that requires `child_process` and reads `process.env` when it is loaded. airlock writes the policy
from its analysis (`policy init`), the override refuses the planted capabilities, `policy export
--lavamoat` writes LavaMoat's files, and `lavamoat index.js` runs the app: the benign dependency works and
LavaMoat denies the planted one.

The `lavamoat` tool (11.1.4) is installed with npm into a temporary directory: it is a tool, not a scanned
package, and the one thing in the suite that needs the internet. The two test packages are defanged (the
planted one reports what it reached and runs nothing); the app's node_modules is written by the test from
the same files the loopback registry serves, so what LavaMoat runs is what airlock analysed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NodeTools
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package, package_json
from tests.policy.app import policy_cmd

LAVAMOAT_VERSION = "11.1.4"

CALM = {"index.js": "const path = require('path')\nmodule.exports = (a, b) => path.join(a, b)\n"}
PLANTED = {
    "index.js": "const cp = require('child_process')\nconst home = process.env.HOME\n"
    "module.exports = { run: cp.execSync, home }\n"
}
APP = """
console.log('calm: ' + require('calm')('a', 'b'))
try {
  const planted = require('planted')
  console.log('planted: ' + typeof planted.run + ' ' + typeof planted.home)
} catch (error) {
  console.log('planted denied: ' + error.message)
}
"""


@pytest.fixture(scope="module")
def lavamoat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import node_tools

    tools = node_tools()
    if tools is None:
        pytest.skip("needs node and npm on PATH to install and run the lavamoat tool")
    where = tmp_path_factory.mktemp("lavamoat-tool")
    (where / "package.json").write_text('{"name": "tool", "version": "1.0.0", "private": true}')
    done = subprocess.run(
        [tools.npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", f"lavamoat@{LAVAMOAT_VERSION}"],
        cwd=where,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PATH": str(Path(tools.npm).parent),
            "HOME": str(where),
            "npm_config_cache": str(where / ".npm"),
        },
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return where / "node_modules" / "lavamoat" / "src" / "cli.js"


def _app(root: Path, registry: FakeRegistry) -> None:
    manifest = {"name": "app", "version": "1.0.0", "dependencies": {"calm": "1.0.0", "planted": "1.0.0"}}
    (root / "package.json").write_text(json.dumps(manifest))
    (root / "index.js").write_text(APP)
    packages: dict[str, object] = {"": manifest}
    for name, files in (("calm", CALM), ("planted", PLANTED)):
        registry.publish(name, "1.0.0", build_package(name, "1.0.0", files, main="index.js"))
        dist = registry.packument(name)["versions"]["1.0.0"]["dist"]
        packages[f"node_modules/{name}"] = {
            "version": "1.0.0",
            "resolved": dist["tarball"],
            "integrity": dist["integrity"],
        }
        installed = root / "node_modules" / name
        installed.mkdir(parents=True)
        (installed / "package.json").write_text(package_json(name, "1.0.0", main="index.js"))
        for path, text in files.items():
            (installed / path).write_text(text)
    lock = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2))


def _run(node: NodeTools, lavamoat: Path, root: Path) -> str:
    done = subprocess.run(
        [node.node, str(lavamoat), "index.js"],
        check=False,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.requires_node
def test_lavamoat_runs_the_app_with_the_exported_policy_and_denies_what_the_override_refuses(
    *,
    node: NodeTools,
    lavamoat: Path,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "app"
    root.mkdir()
    _app(root, fake_registry)
    code, out, err = policy_cmd(["init", "app"], monkeypatch, capsys)
    assert code == 0, err
    policy = json.loads((root / "airlock-policy.json").read_text())
    assert policy["resources"]["calm"] == {"builtin": {"path.join": True}}
    assert policy["resources"]["planted"]["builtin"] == {"child_process.execSync": True}

    assert policy_cmd(["export", "--lavamoat", "app"], monkeypatch, capsys)[0] == 0
    ran = _run(node, lavamoat, root)
    assert "calm: a/b" in ran
    if "process.env" not in policy["resources"]["planted"].get("globals", {}):
        # Known gap, said out loud: until the analysis fills `all_globals`, the policy grants no globals,
        # so LavaMoat hides `process` from the planted package and it cannot load even unrefused.
        assert "planted denied" in ran
    else:
        assert "planted: function string" in ran

    (root / "airlock-policy-override.json").write_text(
        json.dumps(
            {
                "version": 1,
                "resources": {
                    "planted": {"builtin": {"child_process": False}, "globals": {"process.env": False}}
                },
            }
        )
    )
    assert policy_cmd(["export", "--lavamoat", "app"], monkeypatch, capsys)[0] == 0
    ran = _run(node, lavamoat, root)
    assert "calm: a/b" in ran
    assert (
        'planted denied: LavaMoat - required node builtin package not in allowlist: package "planted"' in ran
    )
    # airlock itself reports the refusal as a decision taken, not as drift.
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 0, out
    assert (
        "planted@1.0.0: builtin child_process.execSync  index.js:3  module.exports = { run: cp.execSync, home }"
        in out
    )
