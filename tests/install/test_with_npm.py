"""The staged tree as real npm writes it (`npm install --ignore-scripts` from the loopback fake registry):
the hidden lockfile is read, the allowed postinstall runs in the sandbox at the final path and can
require its dependency."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from airlock.install.scripts import ScriptsRequest, default_sandbox, plan_scripts, run_scripts
from tests.conftest import NodeTools
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

INSTALL_JS = """
const fs = require('fs');
fs.writeFileSync(__dirname + '/done.txt', require('dep') + ' at ' + __dirname);
"""


@pytest.mark.requires_node
@pytest.mark.requires_bwrap
def test_scripts_of_a_tree_npm_installed(
    tmp_path: Path, fake_registry: FakeRegistry, node: NodeTools
) -> None:
    fake_registry.publish(
        "dep", "1.0.0", build_package("dep", "1.0.0", {"index.js": "module.exports='dep!'\n"})
    )
    fake_registry.publish(
        "nat",
        "2.0.0",
        build_package(
            "nat",
            "2.0.0",
            {"install.js": INSTALL_JS},
            scripts={"postinstall": "node install.js"},
            dependencies={"dep": "1.0.0"},
        ),
        manifest={"scripts": {"postinstall": "node install.js"}, "dependencies": {"dep": "1.0.0"}},
    )
    fake_registry.publish(
        "other", "1.0.0", build_package("other", "1.0.0", {}, scripts={"postinstall": "exit 1"}),
        manifest={"scripts": {"postinstall": "exit 1"}},
    )  # fmt: skip
    project = tmp_path / "project"
    project.mkdir()
    manifest = {"name": "app", "version": "1.0.0", "dependencies": {"nat": "2.0.0", "other": "1.0.0"}}
    (project / "package.json").write_text(json.dumps(manifest))
    (project / "airlock-policy.json").write_text(
        json.dumps({"version": 1, "allowScripts": {"nat#2.0.0": True}})
    )
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "package.json").write_text(json.dumps(manifest))
    env = {
        **os.environ,
        "npm_config_cache": str(tmp_path / "npm-cache"),
        "npm_config_registry": fake_registry.url,
    }
    subprocess.run(
        [node.npm, "install", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=staging, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    request = ScriptsRequest(project, staging / "node_modules", timeout=60)
    plan = plan_scripts(request)
    assert [(s.label, s.event) for s in plan.scripts] == [("nat@2.0.0", "postinstall")]
    assert [(s.label, s.reason) for s in plan.skipped] == [
        ("other@1.0.0", "not allowed: airlock-policy.json has no entry for other#1.0.0")
    ]
    summary = run_scripts(plan, default_sandbox(request))
    assert summary.failed is None, summary.ran[-1].outcome.output
    done = (staging / "node_modules" / "nat" / "done.txt").read_text()
    assert done == f"dep! at {project.resolve() / 'node_modules' / 'nat'}"
