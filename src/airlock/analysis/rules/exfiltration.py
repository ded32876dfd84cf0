"""Credential and environment harvesting, and the network sinks that carry it away."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.facts import has_network, network_evidence
from airlock.analysis.rules import Behaviour, declare
from airlock.analysis.signals import Indicator
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "exfiltration"

CREDENTIAL_EXFILTRATION = declare(
    "credential-exfiltration",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.EXFILTRATION,
    summary="Code that reads credential stores or the whole environment also names a webhook, pastebin, "
    "interaction (OAST) or tunnel host, or a raw public IP.",
    why="The shape of every npm stealer: Discord token grabbers post to Discord webhooks, dependency-"
    "confusion probes report to OAST hosts, eslint-scope sent npm tokens out. A legitimate library that "
    "reads ~/.npmrc or ~/.aws talks to the registry or the cloud, never to a webhook or a bare IP.",
)
SECRETS_WITH_NETWORK = declare(
    "secrets-with-network",
    family=FAMILY,
    severity=Severity.MEDIUM,
    behaviour=Behaviour.EXFILTRATION,
    summary="One file reads credential stores or serialises the whole environment and uses the network.",
    why="Registry and cloud clients do this legitimately; a human should confirm where the data goes.",
)
EXFIL_HOST = declare(
    "exfiltration-host",
    family=FAMILY,
    severity=Severity.MEDIUM,
    behaviour=Behaviour.EXFILTRATION,
    summary="The package names a webhook, pastebin, interaction (OAST) or tunnel host.",
    why="These services receive stolen data and serve second stages; few libraries have reason to name them.",
)
SECRET_ACCESS = declare(
    "secret-access",
    family=FAMILY,
    severity=Severity.LOW,
    summary="The package reads credential stores (.npmrc, .ssh, .aws, browser or wallet data) or token "
    "variables.",
    why="Context: npm and cloud tooling read these; combined with a sink it is theft.",
)

_SECRETS = (Indicator.SECRET_FILE, Indicator.SECRET_ENV, Indicator.ENV_DUMP)
_EXFIL = (Indicator.EXFIL_HOST, Indicator.RAW_IP_URL)


def check(facts: PackageFacts) -> Iterator[Finding]:
    reported_exfil = False
    reported_network = False
    for f in facts.files:
        secrets = [s for s in f.signals if s.indicator in _SECRETS]
        exfil = [s for s in f.signals if s.indicator in _EXFIL]
        if secrets and exfil and not reported_exfil:
            reported_exfil = True
            yield CREDENTIAL_EXFILTRATION.finding(
                f"{f.path} reads {secrets[0].detail!r} and names {exfil[0].detail!r}",
                secrets[0].evidence,
                exfil[0].evidence,
            )
        # Bundles enumerate process.env for config (`Object.keys(process.env)`); serialising it whole, or
        # reading credential files, is what a stealer does.
        harvest = [
            s
            for s in secrets
            if s.indicator is Indicator.SECRET_FILE
            or (s.indicator is Indicator.ENV_DUMP and s.detail.startswith("stringify"))
        ]
        if harvest and has_network(f) and not reported_network:
            reported_network = True
            net = network_evidence(f)
            yield SECRETS_WITH_NETWORK.finding(
                f"{f.path} reads {harvest[0].detail!r} and uses the network",
                harvest[0].evidence,
                *((net,) if net is not None else ()),
            )
    hosts = list(facts.signals(Indicator.EXFIL_HOST))
    if hosts and not reported_exfil:
        yield EXFIL_HOST.finding(f"names {hosts[0].detail!r}", *(s.evidence for s in hosts[:3]))
    secrets = list(facts.signals(*_SECRETS))
    if secrets:
        yield SECRET_ACCESS.finding(f"reads {secrets[0].detail!r}", *(s.evidence for s in secrets[:3]))


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    CREDENTIAL_EXFILTRATION,
    SECRETS_WITH_NETWORK,
    EXFIL_HOST,
    SECRET_ACCESS,
)
