"""Credential and environment harvesting, and the network sinks that carry it away."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.dataflow.judge import is_exfiltration, is_identity_beacon, is_remote_command
from airlock.analysis.dataflow.labels import Kind
from airlock.analysis.facts import Reach, has_network, network_evidence
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.dataflow import Flow
    from airlock.analysis.facts import PackageFacts

FAMILY = "exfiltration"

CREDENTIAL_EXFILTRATION = declare(
    "credential-exfiltration",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="Secrets (the whole environment, credential files, shell history, private keys or seeds, or a "
    "token sent to a host that is not its service) flow into a network request in code that runs at "
    "install time or when the package is loaded; or install-time code reads secrets and names a webhook, "
    "pastebin, OAST or tunnel host or a raw IP.",
    why="The shape of every npm stealer: Discord token grabbers post to Discord webhooks, dependency-"
    "confusion probes report to OAST hosts, eslint-scope sent npm tokens out, stealers post ~/.ssh and "
    "~/.aws at module load. The data-flow analysis follows the secret to the request (through variables, "
    "objects, encoders, helper functions, class fields and relative modules); a token sent to its own "
    "service or to a configured endpoint is a client, not a flow to report.",
    behaviour=Behaviour.EXFILTRATION,
)
SECRET_FLOW_IN_FUNCTION = declare(
    "secret-flow-in-function",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="Secrets flow into a network request inside a function (library API) rather than at load or "
    "install time: private keys, seeds, the environment or credential files sent out when called.",
    why="@solana/web3.js 1.95.6 sent private keys from Keypair code through a helper in a request "
    "header; xrpl.js 4.2.1 sent seeds from a wallet function. The code runs only when the application "
    "calls it, so a human should read it before it does.",
    behaviour=Behaviour.EXFILTRATION,
)
REMOTE_COMMAND = declare(
    "remote-command-execution",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="Data received from a socket, WebSocket, socket.io client or HTTP response flows into a "
    "child_process command or eval (critical where it runs at install or load time; high inside a function).",
    why="A bot or remote shell: the package connects out and runs what it is sent. Declared with the data-flow "
    "rules because it is found by the same source-to-sink analysis.",
    behaviour=Behaviour.REMOTE_CODE,
)
LOAD_IDENTITY_BEACON = declare(
    "load-identity-beacon",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="Code that runs when the package is loaded sends the host's identity (hostname, user name, "
    "network interfaces) to a host written in the code.",
    why="The dependency-confusion probe in a package's main file: every `require` reports which machine and "
    "company ran it. Telemetry SDKs send such data when the application calls them, to an endpoint it "
    "configures. Critical when the file names a webhook, OAST or tunnel host or a raw IP; install-time code "
    "is `install-identity-beacon`.",
    behaviour=Behaviour.EXFILTRATION,
)
SECRETS_WITH_NETWORK = declare(
    "secrets-with-network",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="A file the data-flow analysis could not finish (its step budget or sink cap was reached) "
    "reads credential stores or serialises the whole environment and uses the network (or names an "
    "exfiltration host outside install-time code).",
    why="Where the flow was followed, it decides; where it was cut, the co-occurrence is worth a look.",
    behaviour=Behaviour.EXFILTRATION,
)
EXFIL_HOST = declare(
    "exfiltration-host",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="The package names a webhook, pastebin, interaction (OAST) or tunnel host.",
    why="These services receive stolen data and serve second stages; few libraries have reason to name them.",
    behaviour=Behaviour.EXFILTRATION,
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
    early: list[Flow] = []
    late: list[Flow] = []
    for flow in facts.flows:
        if not is_exfiltration(flow):
            continue
        reach = facts.reach(flow.origin)
        if (flow.sink.load_time and reach in {Reach.INSTALL, Reach.LOAD}) or _stolen_keys(flow):
            early.append(flow)
        else:
            late.append(flow)
    remote = [f for f in facts.flows if is_remote_command(f)]
    if remote:
        flow = remote[0]
        reach = facts.reach(flow.origin)
        at_load = flow.sink.load_time and reach in {Reach.INSTALL, Reach.LOAD}
        yield REMOTE_COMMAND.finding(
            flow.describe(reach.phrase if at_load else "when its function is called"),
            *_evidence(remote),
            severity=None if at_load else Severity.HIGH,
        )
    yield from _load_beacon(facts)
    if early:
        reported_exfil = True
        leading = early[0]
        at_load = leading.sink.load_time and facts.reach(leading.origin) in {Reach.INSTALL, Reach.LOAD}
        yield CREDENTIAL_EXFILTRATION.finding(
            leading.describe(
                facts.reach(leading.origin).phrase if at_load else "when its function is called"
            ),
            *_evidence(early),
        )
    if late:
        flow = late[0]
        phrase = "when its function is called" if not flow.sink.load_time else "when that file is loaded"
        yield SECRET_FLOW_IN_FUNCTION.finding(flow.describe(phrase), *_evidence(late))
    reported_network = False
    for f in facts.files:
        secrets = [s for s in f.signals if s.indicator in _SECRETS]
        if not secrets:
            continue
        exfil = [s for s in f.signals if s.indicator in _EXFIL]
        install = facts.reach(f.path) is Reach.INSTALL
        # Install-time code that reads secrets and names an exfiltration host has no benign reading.
        if install and exfil and not reported_exfil:
            reported_exfil = True
            yield CREDENTIAL_EXFILTRATION.finding(
                f"{f.path} runs at install time, reads {secrets[0].detail!r} and names {exfil[0].detail!r}",
                secrets[0].evidence,
                exfil[0].evidence,
            )
            continue
        if f.flows.complete or reported_network:
            continue  # the flow analysis followed this file: it decides
        # Bundles enumerate process.env for config (`Object.keys(process.env)`); serialising it whole, or
        # reading credential files, is what a stealer does.
        harvest = [
            s
            for s in secrets
            if s.indicator is Indicator.SECRET_FILE
            or (s.indicator is Indicator.ENV_DUMP and s.detail.startswith("stringify"))
        ]
        if (harvest or exfil) and has_network(f):
            reported_network = True
            net = network_evidence(f)
            first = harvest[0] if harvest else secrets[0]
            yield SECRETS_WITH_NETWORK.finding(
                f"{f.path} reads {first.detail!r} and uses the network; the data-flow analysis of the file "
                "was cut, so where the data goes was not followed",
                first.evidence,
                *((net,) if net is not None else ()),
            )
    hosts = list(facts.signals(Indicator.EXFIL_HOST))
    if hosts and not reported_exfil:
        yield EXFIL_HOST.finding(f"names {hosts[0].detail!r}", *(s.evidence for s in hosts[:3]))
    secrets = list(facts.signals(*_SECRETS))
    if secrets:
        yield SECRET_ACCESS.finding(f"reads {secrets[0].detail!r}", *(s.evidence for s in secrets[:3]))


def _load_beacon(facts: PackageFacts) -> Iterator[Finding]:
    for flow in facts.flows:
        if is_identity_beacon(flow) and flow.sink.load_time and facts.reach(flow.origin) is Reach.LOAD:
            exfil = facts.exfiltration_hosts(flow.origin)
            yield LOAD_IDENTITY_BEACON.finding(
                flow.describe(Reach.LOAD.phrase),
                flow.source.evidence,
                flow.sink.evidence,
                *(s.evidence for s in exfil[:1]),
                severity=Severity.CRITICAL if exfil else None,
            )
            return


def _stolen_keys(flow: Flow) -> bool:
    """Private keys, seeds and mnemonics sent to a host written in the code: critical wherever the code sits.
    A wallet library signs locally and never transmits key material; the function that does is the theft
    (@solana/web3.js 1.95.6 `addToQueue` in Keypair code, xrpl.js 4.2.1 `checkValidityOfSeed`), and it runs
    as soon as the application uses its wallet. Other secrets inside a function stay high: a CLI may upload
    diagnostics when asked."""
    return flow.source.kind is Kind.KEY_MATERIAL and flow.sink.destination is not None


def _evidence(flows: list[Flow]) -> list[Evidence]:
    out: list[Evidence] = []
    for flow in flows[:3]:
        for evidence in (flow.source.evidence, flow.sink.evidence):
            if evidence not in out:
                out.append(evidence)
    return out


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    CREDENTIAL_EXFILTRATION,
    SECRET_FLOW_IN_FUNCTION,
    REMOTE_COMMAND,
    LOAD_IDENTITY_BEACON,
    SECRETS_WITH_NETWORK,
    EXFIL_HOST,
    SECRET_ACCESS,
)
