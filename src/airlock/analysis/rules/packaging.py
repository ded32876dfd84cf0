"""Packaging tricks: what the package's own manifest makes npm do beyond installing reviewed registry code —
dependencies fetched from URLs or git, `bin` names that hijack system commands — and install-time code that
erases its own traces."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.facts import network_evidence, spawns
from airlock.analysis.indicators import Indicator
from airlock.analysis.manifest import SpecSource, spec_source
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "packaging"

REMOTE_DEPENDENCY = declare(
    "remote-dependency",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="A dependency (or optional dependency) is fetched from an http(s) tarball URL, a git repository or a "
    "local path instead of the registry.",
    why="PhantomRaven (2025, 126 packages) hid its payload in 'remote dynamic dependencies': the registry copy "
    "of the package is clean and a scanner of it sees nothing, while npm downloads `http://…/x.tgz` at "
    "install and runs its lifecycle scripts; the URL's owner can change what it serves at any time, and no "
    "integrity pins it. High for a tarball URL, medium for git and local paths (forks pinned to a commit "
    "exist); critical for a tarball URL when the package also runs install scripts. devDependencies are "
    "not installed with a registry package and are not judged.",
    references=("https://www.koi.ai/blog/phantomraven-npm-malware-hidden-in-invisible-dependencies",),
    behaviour=Behaviour.REMOTE_CODE,
)
BIN_SHADOWS = declare(
    "bin-shadows-system-command",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="A `bin` entry is named like a system or toolchain command (`npm`, `node`, `git`, `sh`, `curl`…).",
    why="npm links every bin into node_modules/.bin, which `npm run`, npx and most tool runners put first on "
    "PATH: a bin called `node` or `git` runs the package's code in place of the real command in every "
    "script of the project. Not reported when the command is the package's own name (the `yarn` package "
    "provides `yarn`), nor for the companions of a toolchain that is itself such a command (pnpm's `pnpx`).",
    behaviour=Behaviour.PERSISTENCE,
)
ANTI_FORENSICS = declare(
    "install-anti-forensics",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="Install-time code deletes the file it ran, or rewrites, renames onto or deletes its own package.json.",
    why="Erasing the installer and swapping the manifest (`node setup.js && del setup.js && ren package.md "
    "package.json`) leaves node_modules looking clean to whoever inspects it after the fact; a legitimate "
    "installer has nothing to hide once it has run.",
    behaviour=Behaviour.CONCEALMENT,
)

# Commands a project's scripts and tools run by name; a bin of that name in node_modules/.bin replaces them.
SYSTEM_COMMANDS = frozenset(
    {"npm", "npx", "node", "nodejs", "yarn", "yarnpkg", "pnpm", "pnpx", "bun", "bunx", "deno", "corepack", "git",
     "sh", "bash", "zsh", "dash", "fish", "cmd", "powershell", "pwsh", "sudo", "su", "doas", "curl", "wget", "ssh",
     "scp", "python", "python3", "pip", "pip3", "env", "ls", "cp", "mv", "rm", "cat", "chmod", "chown", "tar",
     "make", "gcc", "cc", "docker", "kubectl", "gh", "which", "where", "whoami", "open", "xdg-open"}
)  # fmt: skip


def check(facts: PackageFacts) -> Iterator[Finding]:
    yield from _remote_dependencies(facts)
    yield from _shadowing_bins(facts)
    yield from _anti_forensics(facts)


def _remote_dependencies(facts: PackageFacts) -> Iterator[Finding]:
    manifest = facts.manifest
    runs_scripts = any(s.origin.startswith("scripts.") for s in facts.shells if s.install_time)
    seen: set[str] = set()
    for field, deps in (
        ("dependencies", manifest.dependencies),
        ("optionalDependencies", manifest.optional_dependencies),
    ):
        for dep, spec in sorted(deps.items()):
            source = spec_source(spec)
            if source is None or dep in seen:
                continue
            seen.add(dep)
            severity = Severity.HIGH if source is SpecSource.URL else Severity.MEDIUM
            tail = ""
            if source is SpecSource.URL and runs_scripts:
                severity = Severity.CRITICAL
                tail = "; the package also runs install scripts"
            yield REMOTE_DEPENDENCY.finding(
                f"{field}.{dep} is fetched from a {source.value}, not the registry: {spec[:160]} — npm downloads "
                f"it and runs its install scripts, and what it serves is not what was reviewed{tail}",
                _manifest_evidence(facts, field, dep, f"{dep}: {spec}"),
                severity=severity,
            )


def _shadowing_bins(facts: PackageFacts) -> Iterator[Finding]:
    name = (facts.manifest.name or "").lower()
    scope = name[1:].split("/", 1)[0] if name.startswith("@") and "/" in name else ""
    unscoped = name.rsplit("/", 1)[-1]
    # A toolchain that is itself one of these commands (npm: npm + npx, pnpm: pnpm + pnpx, corepack: the
    # package managers) provides its companions by design: that is what installing it asks for.
    toolchain = unscoped in SYSTEM_COMMANDS and unscoped in {c.lower() for c in facts.manifest.bin}
    if toolchain:
        return
    for command, target in sorted(facts.manifest.bin.items()):
        lowered = command.lower().removesuffix(".cmd").removesuffix(".exe")
        # The command is what the package is (`yarn` of yarn, `pnpm` of @pnpm/exe, `yarn` of @yarnpkg/…).
        if lowered not in SYSTEM_COMMANDS or lowered == unscoped or (scope and scope.startswith(lowered)):
            continue
        yield BIN_SHADOWS.finding(
            f"bin {command!r} ({target}) takes the name of the system command {lowered!r}: npm links it into "
            "node_modules/.bin, where every `npm run` script and npx find it before the real one",
            _manifest_evidence(facts, "bin", command, f"{command}: {target}"),
        )
        return


def _anti_forensics(facts: PackageFacts) -> Iterator[Finding]:
    # What the erased installer did decides the weight: a dropper that downloads or starts processes and then
    # hides itself is critical; erasing a harmless script is high.
    install_files = [f for f in facts.files if f.path in facts.install_time]
    dropper = next(
        (e for f in install_files for e in (network_evidence(f), spawns(f)) if e is not None), None
    ) or next((s.evidence for s in facts.shells if s.install_time and s.facts.downloads), None)
    severity = Severity.CRITICAL if dropper is not None else None
    tail = " — and the install-time code it hides uses the network or starts processes" if dropper else ""
    extra = (dropper,) if dropper is not None else ()
    for finding in _erasures(facts):
        yield ANTI_FORENSICS.finding(finding[0] + tail, finding[1], *extra, severity=severity)
        return


def _erasures(facts: PackageFacts) -> Iterator[tuple[str, Evidence]]:
    for source in facts.shells:
        if not source.install_time:
            continue
        ran = {posixpath.basename(p.replace("\\", "/")).lower() for p in source.facts.runs_files}
        for target, command in source.facts.deletes:
            base = posixpath.basename(target.replace("\\", "/").strip("'\"")).lower()
            if base and (base in ran or base == "package.json"):
                yield (
                    f"{source.label} deletes {target!r} after running it: {command[:120]}",
                    source.evidence,
                )
                return
        for target, command in source.facts.renames:
            cleaned = target.replace("\\", "/").strip("'\"").removeprefix("./").lower()
            if cleaned == "package.json":
                yield (
                    f"{source.label} replaces the package's own package.json at install: {command[:120]}",
                    source.evidence,
                )
                return
    for f in facts.files:
        if f.path not in facts.install_time:
            continue
        for signal in f.signals:
            if signal.indicator is Indicator.SELF_ERASE:
                yield (f"{f.path} runs at install and deletes itself: {signal.detail}", signal.evidence)
                return
            if signal.indicator is Indicator.MANIFEST_REWRITE:
                yield (
                    f"{f.path} runs at install and rewrites the package's own package.json: {signal.detail}",
                    signal.evidence,
                )
                return


def _manifest_evidence(facts: PackageFacts, section: str, key: str, snippet: str) -> Evidence:
    """The line of `"key":` after `"section"` in package.json (line 1 when it cannot be found)."""
    data = facts.text.get("package.json", b"")
    start = data.find(json.dumps(section).encode())
    at = data.find(json.dumps(key).encode() + b":", max(start, 0)) if start != -1 else -1
    if at == -1:
        at = data.find(json.dumps(key).encode())
    line = data.count(b"\n", 0, at) + 1 if at != -1 else 1
    return Evidence("package.json", line, None, snippet[:160])


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    REMOTE_DEPENDENCY,
    BIN_SHADOWS,
    ANTI_FORENSICS,
)
