"""Tampering: code that writes into *other* software on the machine — another installed package's files or
an application's — so that its payload runs later, inside something the user trusts."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.capabilities.state import FileWrite
from airlock.analysis.facts import Reach, writes_files
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "tampering"

OTHER_PACKAGE = declare(
    "tamper-other-package",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="Writes into another installed package's directory (`node_modules/<x>/`, `require.resolve('x')`, "
    "`../x/`); critical at install and load time, high in library code.",
    why="A package has no business changing another one's code: the change survives the removal of the "
    "package that made it and runs with the victim's trust. ethers-provider2 / ethers-providers (2025) "
    "patched the installed `ethers` package's provider-jsonrpc.js with a reverse shell from a "
    "postinstall; patches of this kind are how a dependency becomes a backdoor in code no one re-reads.",
    references=("https://www.reversinglabs.com/blog/malicious-npm-patch-delivers-reverse-shell",),
    behaviour=Behaviour.PERSISTENCE,
)
APPLICATION = declare(
    "tamper-application",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="Writes into an installed application's files (Electron `app.asar` / `resources/app`, "
    "`/Applications/*.app`, `%LOCALAPPDATA%\\Programs`, editor or browser extension directories); critical "
    "at install and load time, high in library code.",
    why="pdf-to-office (2025) replaced the `app.asar` of the Atomic and Exodus wallet apps so that they "
    "swap the recipient address of every transfer; editor and browser extensions are patched the same way "
    "to steal what the user types. No library writes into other applications.",
    references=(
        "https://www.reversinglabs.com/blog/atomic-and-exodus-crypto-wallets-targeted-in-malicious-npm-campaign",
    ),
    behaviour=Behaviour.PERSISTENCE,
)

# A file inside an installed package (`node_modules/<name>/<file>`); a whole package directory moved or
# copied into node_modules is an installation (@swc/core's wasm fallback), not a patch.
_NODE_MODULES = re.compile(r"(?:^|/)node_modules/((?:@[^/<>%]+/)?[^/<>%@]+)/[^/]")
_PACKAGE_PLACE = re.compile(r"<pkg:([^>]+)>")
# Application install locations and application code bundles.
_APPLICATION = re.compile(
    r"(?:^|/)app\.asar(?:$|/|\.unpacked)|/resources/app(?:$|/)|/Applications/[^/]+\.app/|"
    r"(?:%LOCALAPPDATA%|AppData/Local)/Programs/|(?:^|/)\.(?:vscode|vscode-server|vscode-insiders|cursor|"
    r"windsurf)/extensions/|/(?:User Data|Chrome|Chromium|Brave-Browser|Edge)/[^<>]*Extensions/",
    re.IGNORECASE,
)
# Where an application lives outside any project: a path anchored there is never the package's own output.
_SYSTEM_ANCHOR = re.compile(
    r"^(?:%(?:LOCALAPPDATA|APPDATA|PROGRAMFILES|PROGRAMFILES\(X86\)|USERPROFILE|HOME)%|~|/Applications/|"
    r"/opt/|/usr/|[A-Za-z]:/)",
    re.IGNORECASE,
)


def other_package(write: FileWrite, writer: str, own: str | None) -> str | None:
    """The other package whose directory `write` goes into, if it does."""
    path = write.path.replace("\\", "/")
    for pattern in (_PACKAGE_PLACE, _NODE_MODULES):
        for match in pattern.finditer(path):
            name = match.group(1)
            if name != own and not name.startswith((".", "<")) and name != UNKNOWN:
                return name
    if path.startswith("../"):
        path = "<cwd>/" + path  # relative paths are relative to the working directory: the package at install
    head, _, rest = path.partition("/")
    if head not in {"<dir>", "<cwd>"}:
        return None
    start = posixpath.dirname(writer.split("#", 1)[0]) if head == "<dir>" else ""
    relative = posixpath.normpath(posixpath.join(start, rest))
    parts = relative.split("/")
    # `../x/file`: a sibling of this package in node_modules (a file inside it, not the directory itself).
    if len(parts) >= 3 and parts[0] == ".." and parts[1] not in {"..", ".", ""} and "<" not in parts[1]:
        if parts[1].startswith("@") and len(parts) >= 4:
            return f"{parts[1]}/{parts[2]}"
        if not parts[1].startswith((".", "@")):
            return parts[1]
    return None


UNKNOWN = "<?>"


def application(write: FileWrite, reach: Reach) -> bool:
    """Whether `write` goes into an application's files (anywhere at install; elsewhere only when the path
    is anchored at a user or system location, so a build tool's own `dist/resources/app` is not one)."""
    path = write.path.replace("\\", "/")
    if not _APPLICATION.search(path):
        return False
    return reach is Reach.INSTALL or bool(_SYSTEM_ANCHOR.match(path))


_COPIERS = frozenset({"cp", "mv", "install", "rsync", "tee", "copy", "xcopy", "move", "ln"})


def shell_targets(command: str) -> list[str]:
    """Files a shell command writes: the last operand of cp/mv/tee/…, and redirect targets."""
    words = command.split()
    targets = [words[i + 1] for i, w in enumerate(words[:-1]) if w in {">", ">>"}]
    operands = [w for w in words[1:] if not w.startswith("-")]
    if words and words[0].rsplit("/", 1)[-1] in _COPIERS and operands:
        targets.append(operands[-1])
    return [t.strip("'\"").replace("\\", "/") for t in targets]


def _shell_writes(facts: PackageFacts) -> Iterator[tuple[str, FileWrite]]:
    """(writer, write) for what install-time shell commands write; the working directory is the package."""
    for source in facts.shells:
        if not source.install_time:
            continue
        for command in source.facts.commands:
            for target in shell_targets(command):
                path = target if target.startswith(("/", "~", "%", "$")) else "<cwd>/" + target
                yield "package.json", FileWrite(source.evidence, path.replace("$HOME", "~"), False)


def check(facts: PackageFacts) -> Iterator[Finding]:
    reported: set[str] = set()
    for writer, write in _shell_writes(facts):
        if (
            OTHER_PACKAGE.id not in reported
            and (name := other_package(write, writer, facts.name)) is not None
        ):
            reported.add(OTHER_PACKAGE.id)
            yield OTHER_PACKAGE.finding(
                f"an install-time shell command writes into the installed package {name!r} ({write.path})",
                write.evidence,
                severity=Severity.CRITICAL,
            )
        if APPLICATION.id not in reported and application(write, Reach.INSTALL):
            reported.add(APPLICATION.id)
            yield APPLICATION.finding(
                f"an install-time shell command writes into an application's files ({write.path})",
                write.evidence,
                severity=Severity.CRITICAL,
            )
    for f in facts.files:
        if not f.writes:
            continue
        reach = facts.reach(f.path)
        # Install and load time run with no one choosing to call the code: critical; library code, high.
        severity = Severity.CRITICAL if reach in {Reach.INSTALL, Reach.LOAD} else None
        writes_something = writes_files(f) is not None or any(not w.named for w in f.writes)
        for write in f.writes:
            if write.named and not writes_something:
                continue
            if OTHER_PACKAGE.id not in reported and not write.named:
                name = other_package(write, f.path, facts.name)
                if name is not None:
                    reported.add(OTHER_PACKAGE.id)
                    yield OTHER_PACKAGE.finding(
                        f"{f.path} writes into the installed package {name!r} ({write.path}) {reach.phrase}"
                        + (" and what it writes is code" if write.code else ""),
                        write.evidence,
                        severity=severity,
                    )
            if APPLICATION.id not in reported and application(write, reach):
                reported.add(APPLICATION.id)
                yield APPLICATION.finding(
                    f"{f.path} writes into an application's files ({write.path}) {reach.phrase}",
                    write.evidence,
                    severity=severity,
                )


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (OTHER_PACKAGE, APPLICATION)
