"""Whether a flow is exfiltration: the credential's kind and where it goes."""

from __future__ import annotations

import pytest

from airlock.analysis.dataflow import Flow, Kind, Label, Sink
from airlock.analysis.dataflow.judge import is_exfiltration
from airlock.model import Evidence

HERE = Evidence("a.js", 1)


def flow(kind: Kind, detail: str, destination: str | None) -> Flow:
    return Flow(Label(kind, detail, HERE), Sink("fetch", HERE, destination, True), "a.js", "a.js")


@pytest.mark.parametrize(
    ("kind", "detail", "destination", "expected"),
    [
        (Kind.SECRET_ENV, "GITHUB_TOKEN", "api.github.com", False),
        (Kind.SECRET_ENV, "GH_TOKEN", "uploads.github.com", False),
        (Kind.SECRET_ENV, "NPM_TOKEN", "registry.npmjs.org", False),
        (Kind.SECRET_ENV, "CIRCLE_TOKEN", "circleci.com", False),
        (Kind.SECRET_ENV, "CI_JOB_TOKEN", "gitlab.com", False),
        (Kind.SECRET_ENV, "ACME_API_KEY", "ingest.acme.example.com", False),
        (Kind.SECRET_ENV, "ACME_API_KEY", None, False),
        (Kind.SECRET_ENV, "NPM_TOKEN", "npm-stats.example.com", True),
        (Kind.SECRET_ENV, "GITHUB_TOKEN", "github.com.example.com", True),
        (Kind.SECRET_FILE, "/.npmrc", None, False),
        (Kind.SECRET_FILE, "/.npmrc", "registry.npmjs.org", False),
        (Kind.SECRET_FILE, "/.npmrc", "collector.example.com", True),
        (Kind.SECRET_FILE, "/.ssh/id_rsa", None, True),
        (Kind.SECRET_FILE, "Local Storage", "discord.com", True),
        (Kind.ENV_DUMP, "process.env", None, True),
        (Kind.HISTORY, "/.bash_history", "a.example.com", True),
        (Kind.KEY_MATERIAL, "mnemonic", None, True),
        (Kind.IDENTITY, "os.hostname", "a.example.com", False),
    ],
)
def test_is_exfiltration(kind: Kind, detail: str, destination: str | None, expected: bool) -> None:
    assert is_exfiltration(flow(kind, detail, destination)) is expected


def test_secret_key_is_judged_as_a_credential() -> None:
    assert not is_exfiltration(flow(Kind.KEY_MATERIAL, "secretKey", None))
    assert is_exfiltration(flow(Kind.KEY_MATERIAL, "secretKey", "sol-rpc.invalid"))
    assert is_exfiltration(flow(Kind.KEY_MATERIAL, "privateKey", None))
