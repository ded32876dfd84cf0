"""Shell that runs at install or is spawned by code: lifecycle scripts, binding.gyp `<!(…)`, shell files,
constant child_process command lines. Parsed with a real shell grammar (analysis/scripts.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.manifest import SpecSource, spec_source
from airlock.analysis.rules import Behaviour, declare
from airlock.analysis.scripts import describe_shell
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts, ShellSource

FAMILY = "shell"
_MAX_CHAIN = 32

FETCH_AND_RUN = declare(
    "shell-fetch-and-run",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.REMOTE_CODE,
    summary="Shell downloads something and runs it (`curl … | sh`, download then chmod/execute).",
    why="The code that runs is not in the package, so nothing reviewed is what executes; ua-parser-js, coa "
    "and rc fetched miners and stealers this way from preinstall. Critical at install time, when loading the "
    "package runs it, or when the package writes it into a shell profile or crontab; high when only a "
    "function a caller may call would spawn it.",
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
    summary="Recursive deletion of `/`, the home directory, a system tree or a drive root (also behind `sudo`, "
    "`--no-preserve-root` or a `/*` wildcard), or of everything in an install script's working directory.",
    why="A wiper; no package needs to delete the user's home or the filesystem root. `rm -rf *` with no `cd` "
    "before it in an install script deletes the package's own directory (high: sabotage or the installer "
    "erasing itself).",
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
REMOTE_PACKAGE = declare(
    "shell-runs-remote-package",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="Install-time shell runs a package fetched on the spot (`npx`, `pnpm dlx`, `yarn dlx`, `bunx`, `npm "
    "exec`) from a URL or git, or one that is not a dependency of the package; or `npm install`s a URL.",
    why="The package that runs is not in this package and not in the lockfile: it runs with the user's full "
    "authority at install, and its owner can change it at will. Critical for a URL, git repository or "
    "tarball (nothing pins what it serves); medium for a registry package the manifest does not depend on "
    "(npx fetches whatever version is current). npx of the package's own dependency (`npx husky install`) "
    "runs the installed copy.",
    behaviour=Behaviour.REMOTE_CODE,
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
    manifest = facts.manifest
    own = {
        *manifest.dependencies,
        *manifest.optional_dependencies,
        *manifest.peer_dependencies,
        *manifest.dev_dependencies,
        *(n for n in (manifest.name,) if n),
    }
    for source in facts.shells:
        yield from _check_source(source)
        if source.install_time:
            yield from _remote_packages(source, frozenset(own))
    yield from _split_chains(facts)


def _split_chains(facts: PackageFacts) -> Iterator[Finding]:
    """A download, a `chmod +x` and a run spread over separate child_process calls of one file
    (`execSync('curl -o /tmp/x …'); execSync('chmod +x /tmp/x'); spawn('/tmp/x')`): judged as one script."""
    by_file: dict[str, list[ShellSource]] = {}
    for source in facts.shells:
        if source.origin == "spawn":
            by_file.setdefault(source.evidence.file, []).append(source)
    for path, sources in sorted(by_file.items()):
        if len(sources) < 2 or any(s.facts.fetches_and_runs for s in sources):
            continue  # one command already tells (and is reported on its own)
        ordered = sorted(sources, key=lambda s: (s.evidence.line, s.evidence.column or 0))[:_MAX_CHAIN]
        joined = describe_shell("\n".join(s.text.replace("\n", " ") for s in ordered))
        if joined.fetches_and_runs:
            install_time = any(s.install_time for s in ordered)
            unasked = any(s.runs_unasked for s in ordered)
            when = " at install time" if install_time else " when the package is loaded" if unasked else ""
            what = (joined.pipe_to_interpreter or joined.executes_download)[0]
            yield FETCH_AND_RUN.finding(
                f"{path} downloads and then runs it through separate commands{when}: {what}",
                ordered[0].evidence,
                *(s.evidence for s in ordered[1:3]),
                severity=None if unasked else Severity.HIGH,
            )
            return


def _remote_packages(source: ShellSource, own: frozenset[str]) -> Iterator[Finding]:
    for spec, command in source.facts.remote_packages:
        kind = spec_source(spec)
        if kind is SpecSource.FILE and not spec.lower().startswith(("file:", "link:")):
            continue  # `npx ./bin/x.js`: the package's own file, analysed where it is
        if kind is not None:
            yield REMOTE_PACKAGE.finding(
                f"{_where(source)} fetches and runs a package from a {kind.value}: {command}", source.evidence
            )
            return
        name = _package_name(spec)
        if name and name not in own:
            yield REMOTE_PACKAGE.finding(
                f"{_where(source)} fetches and runs {name!r}, which is not a dependency of this package: "
                f"{command}",
                source.evidence,
                severity=Severity.MEDIUM,
            )
            return


def _package_name(spec: str) -> str:
    """`@scope/pkg@^1` → `@scope/pkg`, `pkg@1.2.3` → `pkg`; `npm:` aliases name what they alias."""
    spec = spec.strip().removeprefix("npm:")
    if spec.startswith("@"):
        scope, _, rest = spec.partition("/")
        return f"{scope}/{rest.split('@', 1)[0]}" if rest else ""
    return spec.split("@", 1)[0]


def _check_source(source: ShellSource) -> Iterator[Finding]:
    shell = source.facts
    where = _where(source)
    evidence = source.evidence
    if shell.fetches_and_runs:
        what = (shell.pipe_to_interpreter or shell.executes_download)[0]
        yield FETCH_AND_RUN.finding(
            f"{where} downloads and runs code: {what}",
            evidence,
            severity=None if source.runs_unasked else Severity.HIGH,
        )
    if shell.reverse_shell:
        yield REVERSE_SHELL.finding(f"{where} opens a reverse shell: {shell.reverse_shell[0]}", evidence)
    if shell.dns_beacon:
        yield DNS_BEACON.finding(f"{where} beacons identity over DNS: {shell.dns_beacon[0]}", evidence)
    if shell.destructive:
        yield DESTRUCTIVE.finding(f"{where} deletes recursively: {shell.destructive[0]}", evidence)
    elif shell.wipes_cwd and source.install_time:
        yield DESTRUCTIVE.finding(
            f"{where} deletes everything in its working directory (the package's own directory at install): "
            f"{shell.wipes_cwd[0]}",
            evidence,
            severity=Severity.HIGH,
        )
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
            severity=None if source.runs_unasked else Severity.MEDIUM,
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
    if source.origin == "planted":
        return (
            f"shell written into {source.target} by {source.evidence.file}"
            + (
                " at install time"
                if source.install_time
                else " when the package is loaded"
                if source.load_time
                else ""
            )
            + " (it runs at every login or on schedule)"
        )
    if source.install_time:
        return "a spawned command in install-time code"
    return "a spawned command" + (" in code that runs when the package is loaded" if source.load_time else "")


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
    REMOTE_PACKAGE,
)
