"""Shell that runs at install or is spawned by code: lifecycle scripts, binding.gyp `<!(…)`, shell files,
constant child_process command lines. Parsed with a real shell grammar (analysis/scripts.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.rules import Behaviour, declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts, ShellSource

FAMILY = "shell"

FETCH_AND_RUN = declare(
    "shell-fetch-and-run",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.REMOTE_CODE,
    summary="Shell downloads something and runs it (`curl … | sh`, download then chmod/execute).",
    why="The code that runs is not in the package, so nothing reviewed is what executes; ua-parser-js, coa "
    "and rc fetched miners and stealers this way from preinstall. Critical at install time; high when only "
    "library code would spawn it.",
    references=("https://github.com/advisories/GHSA-pjwm-rvh2-c87w",),
)
REVERSE_SHELL = declare(
    "shell-reverse-shell",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.PROCESS,
    summary="A shell bound to a network socket (`/dev/tcp/…`, `nc -e`, `socat exec:`).",
    why="Gives a remote party interactive control of the machine; it has no benign reading in a package.",
)
DNS_BEACON = declare(
    "shell-dns-beacon",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.EXFILTRATION,
    summary="A DNS lookup whose name embeds `$(whoami)`, `$(hostname)` or similar.",
    why="The dependency-confusion beacon: identity leaves the network through DNS, which egress filters "
    "rarely block.",
    references=("https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610",),
)
DESTRUCTIVE = declare(
    "shell-destructive",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.DESTRUCTION,
    summary="Recursive deletion of `/`, the home directory or a drive root.",
    why="A wiper; no package needs to delete the user's home or the filesystem root.",
)
ENCODED = declare(
    "shell-encoded-command",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.CONCEALMENT,
    summary="Encoded commands decoded straight into an interpreter (`base64 -d | sh`, `powershell -enc`).",
    why="Encoding exists here only to hide the command from review.",
)
ENV_EXFIL = declare(
    "shell-env-exfiltration",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.EXFILTRATION,
    summary="Shell dumps the environment (`env`, `printenv`) while also talking to the network.",
    why="CI and developer environments hold registry, cloud and VCS tokens; dumping them next to a "
    "download/upload is credential theft.",
)
PERSISTENCE = declare(
    "shell-persistence",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.PERSISTENCE,
    summary="Shell writes to shell profiles, crontab, systemd units or startup folders.",
    why="Persistence survives the install and runs again at every login or on a schedule.",
)
LOLBIN = declare(
    "shell-lolbin",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.PROCESS,
    summary="Windows living-off-the-land binaries (regsvr32, rundll32, mshta, certutil -decode…).",
    why="These proxy execution of downloaded DLLs and scripts past application allow-lists (coa/rc 2021).",
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    for source in facts.shells:
        yield from _check_source(source)


def _check_source(source: ShellSource) -> Iterator[Finding]:
    shell = source.facts
    where = _where(source)
    evidence = source.evidence
    if shell.fetches_and_runs:
        what = (shell.pipe_to_interpreter or shell.executes_download)[0]
        yield FETCH_AND_RUN.finding(
            f"{where} downloads and runs code: {what}",
            evidence,
            severity=None if source.install_time else Severity.HIGH,
        )
    if shell.reverse_shell:
        yield REVERSE_SHELL.finding(f"{where} opens a reverse shell: {shell.reverse_shell[0]}", evidence)
    if shell.dns_beacon:
        yield DNS_BEACON.finding(f"{where} beacons identity over DNS: {shell.dns_beacon[0]}", evidence)
    if shell.destructive:
        yield DESTRUCTIVE.finding(f"{where} deletes recursively: {shell.destructive[0]}", evidence)
    if shell.encoded:
        yield ENCODED.finding(f"{where} runs an encoded command: {shell.encoded[0]}", evidence)
    if shell.env_dump and (shell.downloads or shell.urls):
        yield ENV_EXFIL.finding(
            f"{where} dumps the environment near network use: {shell.env_dump[0]}", evidence
        )
    if shell.persistence:
        yield PERSISTENCE.finding(
            f"{where} installs persistence: {shell.persistence[0]}",
            evidence,
            severity=None if source.install_time else Severity.MEDIUM,
        )
    if shell.lolbins:
        yield LOLBIN.finding(f"{where} uses {shell.lolbins[0]}", evidence)


def _where(source: ShellSource) -> str:
    if source.origin.startswith("scripts."):
        return f"the {source.origin.removeprefix('scripts.')} script"
    if source.origin == "binding.gyp":
        return "a binding.gyp command expansion (run by node-gyp at install)"
    if source.origin == "file":
        return f"shell file {source.evidence.file}" + (" (run at install)" if source.install_time else "")
    return "a spawned command" + (" in install-time code" if source.install_time else "")


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    FETCH_AND_RUN,
    REVERSE_SHELL,
    DNS_BEACON,
    DESTRUCTIVE,
    ENCODED,
    ENV_EXFIL,
    PERSISTENCE,
    LOLBIN,
)
