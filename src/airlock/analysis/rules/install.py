"""Install-time code: what runs when `npm install` runs, weighed apart from library code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.dataflow.labels import Kind
from airlock.analysis.facts import has_network, identity_evidence, network_evidence
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "install-time"

INSTALL_SCRIPT = declare(
    "install-script",
    family=FAMILY,
    severity=Severity.INFO,
    summary="The package runs code at install (preinstall/install/postinstall, or node-gyp).",
    why="94 % of malicious npm packages act from install scripts, which only ~2 % of packages need. Context "
    "for every other rule; alone it is normal for native modules and binary downloaders. `prepare` is "
    "listed in the report but not judged: npm runs it only for git and local dependencies.",
)
INSTALL_NETWORK = declare(
    "install-network",
    family=FAMILY,
    severity=Severity.LOW,
    behaviour=Behaviour.REMOTE_CODE,
    summary="Code that runs at install uses the network.",
    why="Binary downloaders (esbuild, sharp, puppeteer) do this legitimately; combined with secrets or "
    "identity it is exfiltration.",
)
INSTALL_SECRETS_NETWORK = declare(
    "install-secrets-network",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.EXFILTRATION,
    summary="Install-time shell reads credentials or the whole environment and uses the network, or "
    "install-time JavaScript does so where the data-flow analysis could not follow it.",
    why="Credential theft at install: crossenv serialised process.env to its server, eslint-scope read "
    "~/.npmrc tokens. Where the data flow was followed, `credential-exfiltration` decides (a GITHUB_TOKEN "
    "sent only to api.github.com to fetch a release is a client); shell text and cut analyses keep this "
    "co-occurrence rule, since no installer needs both and nothing finer was seen.",
    references=("https://blog.npmjs.org/post/163723642530/crossenv-malware-on-the-npm-registry",),
)
INSTALL_IDENTITY_BEACON = declare(
    "install-identity-beacon",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.EXFILTRATION,
    summary="Install-time code collects host identity (hostname, user, interfaces) and uses the network.",
    why="The dependency-confusion probe: it proves which company installed the package. Critical when the "
    "data-flow analysis sees the hostname, user or interfaces reach the request (or, where it could not "
    "follow the file, when it names an interaction/exfiltration host or a raw IP).",
)
INSTALL_OBFUSCATED = declare(
    "install-obfuscated",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.CONCEALMENT,
    summary="Code that runs at install is obfuscated.",
    why="Installers have no reason to hide what they do; coa/rc's compile.js was obfuscator output.",
)
INSTALL_DYNAMIC = declare(
    "install-dynamic-code",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="Install-time code loads modules or compiles code the analysis could not resolve.",
    why="What it runs cannot be reviewed from the package text.",
)

# `require(path.join(__dirname, 'x'))`, `require(path.resolve(dir, 'package.json'))`: the package's own
# files or JSON data, not code chosen at runtime.
_LOCAL_PATH = re.compile(
    r"require(?:\.resolve)?\(\s*[\w$.]*(?:join|resolve)\(\s*__dirname\s*,"
    r"|require\(\s*[^;]*?(?:join|resolve)\([^;]*\.json['\"]\s*\)\s*\)"
)
_SECRETS = (Indicator.SECRET_FILE, Indicator.SECRET_ENV, Indicator.ENV_DUMP)
_EXFIL = (Indicator.EXFIL_HOST, Indicator.RAW_IP_URL)


def check(facts: PackageFacts) -> Iterator[Finding]:
    scripts = [s for s in facts.shells if s.origin.startswith("scripts.") or s.origin == "binding.gyp"]
    if scripts:
        listed = ", ".join(f"{s.origin.removeprefix('scripts.')}: {s.text[:80]}" for s in scripts)
        yield INSTALL_SCRIPT.finding(f"runs at install — {listed}", scripts[0].evidence)
    install_files = [f for f in facts.files if f.path in facts.install_time]
    for f in install_files:
        obfuscation = [s for s in f.signals if s.indicator in {Indicator.OBFUSCATOR, Indicator.JSFUCK}]
        if obfuscation:
            yield INSTALL_OBFUSCATED.finding(
                f"{f.path} runs at install and is obfuscated", obfuscation[0].evidence
            )
            break
    for f in install_files:
        unresolved = [e for e in f.dynamic if not _LOCAL_PATH.search(e.snippet or "")]
        if unresolved:
            yield INSTALL_DYNAMIC.finding(
                f"{f.path} runs at install and loads or compiles code that could not be resolved",
                f.dynamic[0],
            )
            break
    shell_network = [s for s in facts.shells if s.install_time and (s.facts.downloads or s.facts.urls)]
    networked = [f for f in install_files if has_network(f)]
    if networked or shell_network:
        evidence = network_evidence(networked[0]) if networked else shell_network[0].evidence
        assert evidence is not None
        yield INSTALL_NETWORK.finding("install-time code uses the network", evidence)
    if not (networked or shell_network):
        return
    shell_signals = [signal for source in facts.shells if source.install_time for signal in source.signals]
    # Where the data-flow analysis followed an install-time file to its end, it decides where secrets go
    # (a GITHUB_TOKEN sent only to api.github.com to fetch a release is a client, not theft); the text
    # co-occurrence stands for shell text and for files whose flow analysis was cut.
    secrets = [
        *(
            s
            for s in facts.signals(*_SECRETS, install_time=True)
            if not _flows_followed(facts, s.evidence.file)
        ),
        *(s for s in shell_signals if s.indicator in _SECRETS),
    ]
    exfil = [*facts.signals(*_EXFIL, install_time=True), *(s for s in shell_signals if s.indicator in _EXFIL)]
    if secrets:
        net = network_evidence(networked[0]) if networked else shell_network[0].evidence
        assert net is not None
        yield INSTALL_SECRETS_NETWORK.finding(
            f"install-time code reads {secrets[0].detail!r} and uses the network",
            secrets[0].evidence,
            net,
        )
    identity_flows = {
        flow.origin: flow
        for flow in facts.flows
        if flow.source.kind is Kind.IDENTITY and not flow.sink.executes and flow.origin in facts.install_time
    }
    for f in networked:
        # A followed file beacons only where host identity reaches a request (the dependency-confusion probe
        # posting hostname and user); an installer that puts its download in os.tmpdir() does not.
        flow = identity_flows.get(f.path)
        followed = flow.source.evidence if flow is not None else None
        identity = followed if f.flows.complete else identity_evidence(f)
        if identity is None:
            continue
        if flow is not None:
            sent = f"{flow.source.describe()} → {flow.sink.what}" + (
                f" to {flow.sink.destination}" if flow.sink.destination else ""
            )
            yield INSTALL_IDENTITY_BEACON.finding(
                f"{f.path} runs at install and sends the host's identity out ({sent})",
                identity,
                flow.sink.evidence,
                severity=Severity.CRITICAL,
            )
        else:
            yield INSTALL_IDENTITY_BEACON.finding(
                f"{f.path} runs at install, collects host identity and uses the network"
                + (f"; it names {exfil[0].detail!r}" if exfil else ""),
                identity,
                *(e for e in (network_evidence(f),) if e is not None),
                *(s.evidence for s in exfil[:1]),
                severity=Severity.CRITICAL if exfil else None,
            )
        break


def _flows_followed(facts: PackageFacts, path: str) -> bool:
    f = facts.file(path)
    return f is not None and f.flows.complete


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    INSTALL_SCRIPT,
    INSTALL_NETWORK,
    INSTALL_SECRETS_NETWORK,
    INSTALL_IDENTITY_BEACON,
    INSTALL_OBFUSCATED,
    INSTALL_DYNAMIC,
)
