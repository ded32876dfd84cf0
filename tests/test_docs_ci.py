"""docs/ci.md cannot drift: its workflow is valid YAML of a GitHub Actions workflow's shape, and every
`airlock …` command it runs parses with the real CLI (options, values and all)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.core import TyperGroup
from typer.main import get_command

from airlock.cli import app

CI_DOC = Path(__file__).resolve().parents[1] / "docs" / "ci.md"
_YAML_BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _workflows() -> list[dict[Any, Any]]:
    blocks = _YAML_BLOCK.findall(CI_DOC.read_text(encoding="utf-8"))
    assert blocks, "docs/ci.md has no ```yaml block"
    return [yaml.safe_load(block) for block in blocks]


def _steps(workflow: dict[Any, Any]) -> Iterator[dict[str, Any]]:
    for job in workflow["jobs"].values():
        yield from job["steps"]


def _airlock_commands(workflow: dict[Any, Any]) -> list[list[str]]:
    commands = []
    for step in _steps(workflow):
        for line in str(step.get("run", "")).splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "airlock":
                commands.append(words[1:])
    return commands


def _parse(argv: list[str]) -> None:
    """What the CLI would make of `argv`, without running anything: walk down the command groups, then build
    the leaf command's context (this converts and validates every option and argument)."""
    command = get_command(app)
    name = "airlock"
    args = list(argv)
    while isinstance(command, TyperGroup) and args and not args[0].startswith("-"):
        name = args.pop(0)
        assert name in command.commands, f"no such command: {name}"
        command = command.commands[name]
    try:
        command.make_context(name, args)
    except typer.Exit as done:  # an eager option such as --version finished the command: fine
        assert done.exit_code == 0


def test_the_workflow_has_the_shape_of_a_github_actions_workflow() -> None:
    for workflow in _workflows():
        # PyYAML reads the bare key `on` as the boolean true (YAML 1.1); GitHub reads it as "on".
        assert "on" in workflow or True in workflow
        assert isinstance(workflow["jobs"], dict) and workflow["jobs"]
        for job in workflow["jobs"].values():
            assert "runs-on" in job
            assert isinstance(job["steps"], list) and job["steps"]
            for step in job["steps"]:
                assert ("uses" in step) != ("run" in step), step
        used = {step["uses"].split("@")[0] for step in _steps(workflow) if "uses" in step}
        assert {
            "actions/checkout",
            "actions/setup-python",
            "actions/setup-node",
            "github/codeql-action/upload-sarif",
        } <= used
        assert any(u.startswith("actions/cache") for u in used)


def test_the_workflow_runs_the_documented_check_and_uploads_even_on_failure() -> None:
    for workflow in _workflows():
        commands = _airlock_commands(workflow)
        assert ["check", "--fail-on", "review", "-f", "sarif", "-o", "airlock.sarif"] in commands
        upload = next(s for s in _steps(workflow) if s.get("uses", "").startswith("github/codeql-action"))
        assert "always()" in upload["if"]
        assert upload["with"]["sarif_file"] == "airlock.sarif"
        # The cache placement the workflow relies on is what airlock reads.
        assert {"AIRLOCK_CACHE_DIR", "AIRLOCK_STORE"} <= set(workflow["env"])


def test_every_airlock_command_in_the_doc_parses_with_the_real_cli() -> None:
    commands = [c for w in _workflows() for c in _airlock_commands(w)]
    assert len(commands) >= 3
    text = CI_DOC.read_text(encoding="utf-8")
    # Commands quoted in the prose too (`airlock check ./web …`).
    commands += [shlex.split(m)[1:] for m in re.findall(r"`(airlock [^`]+)`", text)]
    for argv in commands:
        _parse(argv)


def test_the_parse_check_catches_a_drifted_command() -> None:
    with pytest.raises(typer.BadParameter):
        _parse(["check", "--fail-on", "sometimes"])
    with pytest.raises(Exception, match="No such option"):
        _parse(["check", "--sarif-output", "x.sarif"])
