"""Which scripts run, in which order, and why the others do not (no sandbox needed: nothing runs here but
a recording fake)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from airlock.install.permissions import PermissionSource
from airlock.install.scripts import (
    ScriptsRequest,
    command_for,
    plan_scripts,
    run_scripts,
)
from airlock.policy.document import PolicyError
from airlock.sandbox import SandboxedCommand, SandboxOutcome
from tests.install.trees import Pkg, write_staged

ALLOW_ALL: dict[str, Any] = {"allowScripts": {"a#1.0.0": True, "a>b#1.0.0": True, "a>b>c#1.0.0": True}}


def chain(tmp_path: Path, policy: dict[str, Any] | None = ALLOW_ALL, **project: object) -> ScriptsRequest:
    # a -> b -> c, every one with a postinstall; z has none.
    staged = write_staged(
        tmp_path,
        [
            Pkg("node_modules/a", scripts={"postinstall": "echo a"}, dependencies={"b": "1.0.0"}),
            Pkg(
                "node_modules/b",
                scripts={"preinstall": "echo b0", "postinstall": "echo b"},
                dependencies={"c": "1.0.0"},
            ),
            Pkg("node_modules/c", scripts={"install": "echo c"}),
            Pkg("node_modules/z"),
        ],
        project_manifest={"dependencies": {"a": "1.0.0"}, **project},
        policy=policy,
    )
    return ScriptsRequest(project=staged.project, node_modules=staged.node_modules)


def test_dependencies_run_before_dependents_then_the_project(tmp_path: Path) -> None:
    request = chain(tmp_path, scripts={"postinstall": "echo p", "prepare": "echo prep", "test": "x"})
    plan = plan_scripts(request, environ={})
    assert [(s.label, s.event) for s in plan.scripts] == [
        ("c@1.0.0", "install"),
        ("b@1.0.0", "preinstall"),
        ("b@1.0.0", "postinstall"),
        ("a@1.0.0", "postinstall"),
        ("app@0.1.0 (project)", "postinstall"),
        ("app@0.1.0 (project)", "prepare"),
    ]
    assert plan.permissions is PermissionSource.POLICY
    assert not plan.skipped


def test_a_package_without_an_entry_is_skipped_with_the_line_that_allows_it(tmp_path: Path) -> None:
    plan = plan_scripts(chain(tmp_path, {"allowScripts": {"a#1.0.0": True, "a>b": False}}), environ={})
    assert [s.label for s in plan.scripts] == ["a@1.0.0"]
    by_label = {s.label: s for s in plan.skipped}
    assert (
        by_label["b@1.0.0"].reason == "airlock-policy.json keeps its install scripts off (a>b#1.0.0: false)"
    )
    assert by_label["b@1.0.0"].events == ("preinstall", "postinstall")
    # c is reached through a>b: its canonical name is a>b>c, which is what allows it.
    assert by_label["c@1.0.0"].reason == "not allowed: airlock-policy.json has no entry for a>b>c#1.0.0"
    assert by_label["c@1.0.0"].accept == 'add "a>b>c#1.0.0": true to "allowScripts" in airlock-policy.json'


def test_without_any_permissions_nothing_runs_and_no_sandbox_is_needed(tmp_path: Path) -> None:
    plan = plan_scripts(chain(tmp_path, policy=None), environ={})
    assert plan.permissions is PermissionSource.NONE
    assert not plan.scripts and not plan.needs_sandbox
    assert {s.label for s in plan.skipped} == {"a@1.0.0", "b@1.0.0", "c@1.0.0"}
    assert all("no airlock-policy.json" in s.reason for s in plan.skipped)
    summary = run_scripts(plan, Recording())
    assert summary.ran == () and summary.failed is None


def test_package_json_lavamoat_allow_scripts_counts_only_without_a_policy_file(tmp_path: Path) -> None:
    lavamoat = {"lavamoat": {"allowScripts": {"a": True, "a>b": False, "a>b>c#1.0.0": True}}}
    with pytest.raises(PolicyError, match="without a version"):
        plan_scripts(chain(tmp_path / "bad", policy=None, **lavamoat), environ={})
    lavamoat = {"lavamoat": {"allowScripts": {"a#1.0.0": True, "a>b>c#1.0.0": True}}}
    plan = plan_scripts(chain(tmp_path / "pj", policy=None, **lavamoat), environ={})
    assert plan.permissions is PermissionSource.PACKAGE_JSON
    assert [s.label for s in plan.scripts] == ["c@1.0.0", "a@1.0.0"]
    skipped_b = next(s for s in plan.skipped if s.label == "b@1.0.0")
    assert skipped_b.accept is not None and "lavamoat" in skipped_b.accept
    # With a policy file, package.json's entries mean nothing.
    plan = plan_scripts(chain(tmp_path / "both", policy={"allowScripts": {}}, **lavamoat), environ={})
    assert plan.permissions is PermissionSource.POLICY and not plan.scripts


def test_binding_gyp_without_install_scripts_implies_node_gyp_rebuild(tmp_path: Path) -> None:
    staged = write_staged(
        tmp_path,
        [
            Pkg("node_modules/native", files={"binding.gyp": "{}"}),
            Pkg("node_modules/off", files={"binding.gyp": "{}"}, extra={"gypfile": False}),
            Pkg("node_modules/own", files={"binding.gyp": "{}"}, scripts={"preinstall": "echo own"}),
        ],
        policy={"allowScripts": {"native#1.0.0": True, "own#1.0.0": True}},
    )
    plan = plan_scripts(ScriptsRequest(staged.project, staged.node_modules), environ={})
    assert [(s.label, s.event, s.command, s.implicit) for s in plan.scripts] == [
        ("native@1.0.0", "install", "node-gyp rebuild", True),
        ("own@1.0.0", "preinstall", "echo own", False),
    ]


def test_network_grants_come_from_the_policy_and_the_command_line_and_are_listed(tmp_path: Path) -> None:
    policy: dict[str, Any] = {"allowScripts": ALLOW_ALL["allowScripts"], "allowNetwork": {"a>b#1.0.0": True}}
    request = chain(tmp_path, policy)
    request = ScriptsRequest(request.project, request.node_modules, allow_network=frozenset({"c"}))
    plan = plan_scripts(request, environ={})
    assert {(s.label, s.network) for s in plan.scripts} == {
        ("a@1.0.0", False),
        ("b@1.0.0", True),
        ("c@1.0.0", True),
    }
    assert [(g.label, g.source) for g in plan.network_grants] == [
        ("c@1.0.0", "--allow-network c"),
        ("b@1.0.0", "airlock-policy.json allowNetwork"),
    ]


@dataclass
class Recording:
    """A fake sandbox: records commands, fails the ones whose script contains `fail`."""

    name: str = "recording"
    remaps_paths: bool = True
    commands: list[SandboxedCommand] = field(default_factory=list)

    def run(self, command: SandboxedCommand) -> SandboxOutcome:
        self.commands.append(command)
        if "fail" in command.argv[-1]:
            return SandboxOutcome(1, False, "Error: getaddrinfo ENOTFOUND example.com", 0.1)
        return SandboxOutcome(0, False, "", 0.1)


def test_the_first_failure_stops_the_run_and_says_how_to_see_the_output(tmp_path: Path) -> None:
    staged = write_staged(
        tmp_path,
        [
            Pkg("node_modules/a", scripts={"postinstall": "fail"}),
            Pkg("node_modules/b", scripts={"postinstall": "echo b"}),
        ],
        policy={"allowScripts": {"a#1.0.0": True, "b#1.0.0": True}},
    )
    plan = plan_scripts(ScriptsRequest(staged.project, staged.node_modules), environ={})
    seen: list[str] = []
    summary = run_scripts(plan, Recording(), seen.append)
    assert summary.failed is not None and summary.failed.script.label == "a@1.0.0"
    assert [s.label for s in summary.not_run] == ["b@1.0.0"]
    message = summary.failed.message
    assert "failed (exit 1)" in message and "-v" in message
    assert "--allow-network a" in message and '"a#1.0.0": true' in message
    assert seen[0] == "a@1.0.0 postinstall: fail" and seen[-1] == message


def test_commands_see_final_paths_with_the_staged_tree_bound_there(tmp_path: Path) -> None:
    staged = write_staged(
        tmp_path,
        [Pkg("node_modules/a", scripts={"postinstall": "node x.js"})],
        project_manifest={"scripts": {"prepare": "tsc"}},
        policy={"allowScripts": {"a#1.0.0": True}},
    )
    (staged.project / ".npmrc").write_text("//registry.example.com/:_authToken=secret\n")
    plan = plan_scripts(
        ScriptsRequest(staged.project, staged.node_modules, timeout=7),
        environ={"PATH": "/usr/bin", "npm_config__authToken": "x", "npm_config_loglevel": "warn"},
    )
    project, final = staged.project.resolve(), staged.project.resolve() / "node_modules"
    package, root = (command_for(plan, s, remaps_paths=True) for s in plan.scripts)
    assert package.argv == ("/bin/sh", "-c", "node x.js") and package.timeout == 7
    assert package.cwd == final / "a" and package.writable == ()
    assert [(b.source, b.target, b.writable) for b in package.binds] == [
        (staged.node_modules.resolve(), final, False),
        (staged.node_modules.resolve() / "a", final / "a", True),
    ]
    assert project / ".npmrc" in package.hidden
    assert package.env["PATH"].startswith(f"{final}/a/node_modules/.bin:{final}/node_modules/.bin:")
    assert package.env["npm_config_loglevel"] == "warn" and "npm_config__authToken" not in package.env
    assert root.cwd == project and root.writable == (project,)
    unsandboxed = command_for(plan, plan.scripts[0], remaps_paths=False)
    assert unsandboxed.cwd == staged.node_modules.resolve() / "a" and unsandboxed.binds == ()
    assert unsandboxed.writable == (staged.node_modules.resolve() / "a",)


def test_a_missing_hidden_lockfile_says_what_to_do(tmp_path: Path) -> None:
    staged = write_staged(tmp_path, [Pkg("node_modules/a")])
    (staged.node_modules / ".package-lock.json").unlink()
    with pytest.raises(Exception, match=r"\.package-lock\.json does not exist") as caught:
        plan_scripts(ScriptsRequest(staged.project, staged.node_modules), environ={})
    assert json.dumps(str(caught.value))


def test_a_node_outside_usr_is_readable_and_its_global_npmrc_hidden(tmp_path: Path) -> None:
    prefix = tmp_path / "nvm" / "versions" / "node" / "v20"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "node").write_text("#!/bin/sh\n")
    (prefix / "bin" / "node").chmod(0o755)
    (prefix / "etc").mkdir()
    (prefix / "etc" / "npmrc").write_text("//registry.npmjs.org/:_authToken=secret\n")
    staged = write_staged(
        tmp_path / "t",
        [Pkg("node_modules/a", scripts={"postinstall": "node x.js"})],
        policy={"allowScripts": {"a#1.0.0": True}},
    )
    plan = plan_scripts(
        ScriptsRequest(staged.project, staged.node_modules), environ={"PATH": str(prefix / "bin")}
    )
    assert plan.tools.node == str(prefix.resolve() / "bin" / "node")
    built = command_for(plan, plan.scripts[0], remaps_paths=True)
    assert prefix.resolve() in built.readable
    assert prefix.resolve() / "etc" / "npmrc" in built.hidden
    assert built.env["NODE"] == plan.tools.node and f"{prefix.resolve()}/bin" in built.env["PATH"].split(":")
