"""The policy airlock exports runs under the real LavaMoat runtime (issue 12, "Done when" item 2).

An app with two dependencies built here and published to the loopback registry: `benign-format` (formats a
file label with `path`) and `planted-probe`, a defanged load-time grab that reads `process.env` and requires
`child_process` and only records whether it got them (nothing is sent or run). npm installs them
(--ignore-scripts); `airlock policy init` and `airlock policy export --lavamoat` write the policy; the
`lavamoat` npm package (a tool, installed from the real registry into a temporary directory) starts the app.

What LavaMoat 11.1.4 does, as observed with this app and variations of it (kernelCoreTemplate.js,
endowmentsToolkit.js, mergePolicy.js of lavamoat-core 18.0.5):
- the app's own files are `$root$`: every global and every require, whatever the policy says; a package
  any other package requires needs `packages: {"<canonical name>": true}` in the requirer's entry;
- `require('node:x')` is checked against `node:x…` keys, `require('x')` against `x…` keys: each spelling
  needs its own grant (and its own denial);
- a require of a builtin the package is not granted throws `LavaMoat - required node builtin package not
  in allowlist: package "<canonical name>" requested "<module>" as "<specifier>"`;
- a global the package is not granted reads as `undefined` (no ReferenceError): `process.env` with
  `process` granted nowhere throws V8's TypeError for reading `env` of `undefined`;
- an override's `false` only denies at the depth it is written or above: a policy's `process: true` with
  the override's `process.env: false` leaves `process.env` readable (the deeper `false` is dropped);
- `"write"` on a top-level global is a slot shared by the packages granted it, not the platform's global:
  until one of them writes it, it reads as `undefined` (`process: "write"` breaks `process.hrtime`);
  globals values other than `true`, `false` and `"write"` (`"redefine"`, `"read"`) make the package fail to
  load ("unrecognizable policy value").
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NodeTools, node_tools
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

LAVAMOAT_VERSION = "11.1.4"
OLD = datetime.now(UTC) - timedelta(days=400)
POLICY_FILE = "airlock-policy.json"
OVERRIDE_FILE = "airlock-policy-override.json"

BENIGN = "benign-format"
PLANTED = "planted-probe"

BENIGN_SOURCE = """\
'use strict'
const path = require('path')

// "report.txt (/srv/app/data)": the file's name, then its folder with forward slashes.
module.exports = function label (file) {
  return path.basename(file) + ' (' + path.dirname(file).split(path.sep).join('/') + ')'
}
"""

# Defanged: it records whether the environment and child_process (by both specifiers) were reachable at
# load time; it reads no variable, runs nothing and talks to no host.
PLANTED_SOURCE = """\
'use strict'
const reached = { env: false, childProcess: false, nodeChildProcess: false, errors: [] }
try {
  const env = process.env
  reached.env = typeof env === 'object' && env !== null
} catch (error) {
  reached.errors.push(String(error.message))
}
try {
  reached.childProcess = Boolean(require('child_process').exec)
} catch (error) {
  reached.errors.push(String(error.message))
}
try {
  reached.nodeChildProcess = Boolean(require('node:child_process').exec)
} catch (error) {
  reached.errors.push(String(error.message))
}
module.exports = reached
"""

APP_SOURCE = f"""\
'use strict'
const label = require('{BENIGN}')
const reached = require('{PLANTED}')
process.stdout.write(JSON.stringify({{ label: label('/srv/app/data/report.txt'), reached }}) + '\\n')
"""

# The user refuses what the planted package reached for, in LavaMoat's override terms: `false` denies.
REFUSAL: Mapping[str, Any] = {
    "version": 1,
    "resources": {PLANTED: {"builtin": {"child_process": False}, "globals": {"process.env": False}}},
}


# V8's message for `process.env` where `process` reads as undefined (granted nowhere).
UNDEFINED_ENV = "Cannot read properties of undefined (reading 'env')"


# ---- the tool -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def lavamoat_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`lavamoat`'s cli.js, installed once per run (shared by the xdist workers, under a lock)."""
    tools = node_tools()
    assert tools is not None, "mark the test @pytest.mark.requires_node"
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's directory, shared by its workers
    tool = root / f"lavamoat-{LAVAMOAT_VERSION}"
    cli = tool / "node_modules" / "lavamoat" / "src" / "cli.js"
    with (root / f"lavamoat-{LAVAMOAT_VERSION}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (tool / ".installed").exists():
            tool.mkdir(exist_ok=True)
            (tool / "package.json").write_text('{"name": "lavamoat-tool", "private": true}\n')
            # The one step of the suite that uses the internet: npm, configured as on this machine.
            env = {
                **os.environ,
                "npm_config_cache": str(tool / ".npm-cache"),
                "npm_config_update_notifier": "false",
            }
            installed = subprocess.run(
                [
                    tools.npm,
                    "install",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    f"lavamoat@{LAVAMOAT_VERSION}",
                ],
                cwd=tool,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert installed.returncode == 0, f"npm could not install lavamoat:\n{installed.stderr}"
            (tool / ".installed").touch()
    manifest = json.loads((tool / "node_modules" / "lavamoat" / "package.json").read_text())
    assert manifest["version"] == LAVAMOAT_VERSION
    return cli


# ---- the airlock steps ----------------------------------------------------------------------------------


def _airlock(*argv: str, env: Mapping[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "airlock", *argv],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"airlock {' '.join(argv)} exited {done.returncode}:\n{done.stderr}"


def airlock_policy(project: Path, registry_url: str) -> None:
    """`airlock policy init PROJECT`, then `airlock policy export --lavamoat PROJECT`, as a user runs them,
    against `registry_url` (npm's own setting, which airlock reads like npm does)."""
    _airlock("policy", "init", str(project), env={**os.environ, "npm_config_registry": registry_url})
    airlock_export(project)


def airlock_export(project: Path) -> None:
    """`airlock policy export --lavamoat PROJECT` again (after the override changed)."""
    _airlock("policy", "export", "--lavamoat", str(project), env=os.environ)


# ---- the app --------------------------------------------------------------------------------------------


@pytest.fixture
def app(fake_registry: FakeRegistry, node: NodeTools, tmp_path: Path) -> Path:
    """The app, installed from the loopback registry with scripts off."""
    for name, source in ((BENIGN, BENIGN_SOURCE), (PLANTED, PLANTED_SOURCE)):
        tarball = build_package(name, "1.0.0", {"index.js": source}, main="index.js", license="MIT")
        fake_registry.publish(name, "1.0.0", tarball, time=OLD)
    project = tmp_path / "app"
    project.mkdir()
    (project / ".npmrc").write_text(f"registry={fake_registry.url}\n")
    manifest = {
        "name": "app",
        "version": "1.0.0",
        "private": True,
        "dependencies": {BENIGN: "^1.0.0", PLANTED: "^1.0.0"},
    }
    (project / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (project / "index.js").write_text(APP_SOURCE)
    installed = subprocess.run(
        [node.npm, "install", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=project,
        env={**os.environ, "npm_config_cache": str(tmp_path / "npm-cache")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    assert (project / "package-lock.json").exists()
    return project


def _run_under_lavamoat(node: NodeTools, cli: Path, project: Path) -> dict[str, Any]:
    ran = subprocess.run(
        [node.node, str(cli), "index.js"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, f"lavamoat exited {ran.returncode}:\n{ran.stderr}"
    result: dict[str, Any] = json.loads(ran.stdout.strip().splitlines()[-1])
    return result


# ---- the test -------------------------------------------------------------------------------------------


@pytest.mark.requires_node
def test_lavamoat_denies_what_the_override_refuses_and_runs_the_rest(
    app: Path, fake_registry: FakeRegistry, node: NodeTools, lavamoat_cli: Path
) -> None:
    # Airlock's policy as initialised: the app runs and each package gets what it uses, the planted one
    # included (it has not been refused yet). This also shows the refusal below is what denies it.
    airlock_policy(app, fake_registry.url)
    granted = _run_under_lavamoat(node, lavamoat_cli, app)
    assert granted == {
        "label": "report.txt (/srv/app/data)",
        "reached": {"env": True, "childProcess": True, "nodeChildProcess": True, "errors": []},
    }

    # The user refuses the planted capabilities in the override; airlock exports again.
    (app / OVERRIDE_FILE).write_text(json.dumps(REFUSAL, indent=2) + "\n")
    airlock_export(app)
    exported = json.loads((app / "lavamoat" / "node" / "policy-override.json").read_text())["resources"]
    for section, refused_paths in REFUSAL["resources"][PLANTED].items():
        assert refused_paths.items() <= exported[PLANTED][section].items()

    refused = _run_under_lavamoat(node, lavamoat_cli, app)
    assert refused == {
        "label": "report.txt (/srv/app/data)",
        "reached": {
            "env": False,
            "childProcess": False,
            "nodeChildProcess": False,
            "errors": [
                # `process` is granted nowhere once `process.env` is refused: it reads as undefined.
                UNDEFINED_ENV,
                "LavaMoat - required node builtin package not in allowlist: "
                f'package "{PLANTED}" requested "child_process" as "child_process"',
                # LavaMoat keys a `node:` require by its specifier: the export denies both spellings.
                "LavaMoat - required node builtin package not in allowlist: "
                f'package "{PLANTED}" requested "node:child_process" as "node:child_process"',
            ],
        },
    }
