"""Everything rules look at for one package, gathered once: manifest, per-file capabilities and indicators,
the shell that runs at install, which JS files run at install, and which files are executables.

"Install-time" follows what npm does: lifecycle scripts (and the implicit `node-gyp rebuild`), the files
they start (`node x.js`, `sh x.sh`), the code of `node -e`, the commands those files spawn, and every file
those files `require` relatively. Rules weigh install-time behaviour differently from library code.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from airlock.analysis.capabilities import Budget, FileCapabilities, analyze_source
from airlock.analysis.dataflow import Flow
from airlock.analysis.dataflow import join as join_flows
from airlock.analysis.indicators import Indicator
from airlock.analysis.js import Dialect
from airlock.analysis.manifest import Manifest
from airlock.analysis.scripts import ShellFacts, describe_shell, expand_package_config, gyp_commands
from airlock.analysis.signals import Signal, scan_code_string
from airlock.analysis.vocabulary import NETWORK_GLOBALS, NETWORK_MODULES
from airlock.model import Evidence, PackageContents

SHELL_SUFFIXES = (".sh", ".bash", ".bat", ".cmd", ".ps1")
_JS_SUFFIXES = ("", ".js", ".cjs", ".mjs", "/index.js", "/index.cjs")
_MAX_SHELL_FILE = 256 * 1024
EXFIL_INDICATORS = frozenset({Indicator.EXFIL_HOST, Indicator.RAW_IP_URL})
IDENTITY_KEYS = frozenset(
    {"os.hostname", "os.userInfo", "os.networkInterfaces", "os.homedir", "os.tmpdir", "process.cwd"}
)
_FS_WRITERS = re.compile(
    r"^fs(?:\.promises)?\.(?:write|append|rm|unlink|rmdir|truncate|copyFile|rename|createWriteStream|cp)"
)


class Reach(StrEnum):
    """When a file's code runs, as rules weigh it."""

    INSTALL = "install-time"
    """Started by npm install (lifecycle scripts, gyp actions, what they run and require)."""
    LOAD = "load-time"
    """Runs when the package is required or imported: the authority of the application that loads it."""
    LIBRARY = "library"
    """Runs only when something calls into it (a file no entry point reaches at load)."""

    @property
    def phrase(self) -> str:
        return {
            Reach.INSTALL: "at install time",
            Reach.LOAD: "when the package is loaded",
            Reach.LIBRARY: "in library code",
        }[self]


@dataclass(frozen=True, slots=True)
class ShellSource:
    """Shell that something runs: a lifecycle script, a binding.gyp expansion, a shell file, a spawn."""

    origin: str
    """`scripts.postinstall`, `binding.gyp`, `file`, `spawn`, or `planted` (written into a shell profile,
    crontab, service or startup entry by the package's code: it runs at the next login or on schedule)."""
    text: str
    facts: ShellFacts
    evidence: Evidence
    install_time: bool
    signals: tuple[Signal, ...]
    """Indicators in the shell text itself (hosts, secret paths, pools), scanned once here for all rules."""
    load_time: bool = False
    """Spawned (or planted) by code that runs when the package is required or imported: no caller needed."""
    target: str | None = None
    """`planted`: the file written."""

    @classmethod
    def of(
        cls,
        origin: str,
        text: str,
        evidence: Evidence,
        *,
        install_time: bool,
        load_time: bool = False,
        target: str | None = None,
    ) -> ShellSource:
        return cls(
            origin,
            text,
            describe_shell(text),
            evidence,
            install_time,
            scan_code_string(text, evidence),
            load_time,
            target,
        )

    @property
    def label(self) -> str:
        """What the shell is, for messages: its origin, or where a planted text goes."""
        return f"shell written into {self.target}" if self.origin == "planted" else self.origin

    @property
    def runs_unasked(self) -> bool:
        """Runs because the package was installed or loaded, whatever its consumer calls."""
        return self.install_time or self.load_time


@dataclass(frozen=True, slots=True)
class PackageFacts:
    name: str | None
    manifest: Manifest
    files: tuple[FileCapabilities, ...]
    shells: tuple[ShellSource, ...]
    install_time: frozenset[str]
    """Paths of JS files that run at install (including `package.json#scripts.*` for `node -e`)."""
    load_time: frozenset[str]
    """Paths of JS files that run when the package is required or imported: the entry points (`main`,
    every `exports` condition, `module`, `browser`, `bin`) and what they require relatively."""
    executables: dict[str, str]
    """Path → "ELF" / "PE" / "Mach-O" for native executables shipped in the package."""
    paths: frozenset[str]
    native: bool
    text: Mapping[str, bytes] = field(default_factory=dict)
    """Path → the package file's bytes, for rules that read the text around a capability's evidence."""
    flows: tuple[Flow, ...] = ()
    """Source → sink data flows, within files and across relative modules (`dataflow.join`)."""

    @property
    def has_install_code(self) -> bool:
        return any(s.install_time for s in self.shells)

    def reach(self, path: str) -> Reach:
        """When the code in `path` runs: install-time wins over load-time (it runs with no one watching)."""
        if path in self.install_time or path.startswith("package.json") or path == "binding.gyp":
            return Reach.INSTALL
        if path in self.load_time:
            return Reach.LOAD
        return Reach.LIBRARY

    def reach_of(self, files: Iterable[str]) -> Reach:
        """The earliest time any of `files` runs (install-time shell files included), for a finding's evidence."""
        install_shells = {s.evidence.file for s in self.shells if s.install_time}
        reaches = {Reach.INSTALL if f in install_shells else self.reach(f) for f in files}
        for reach in (Reach.INSTALL, Reach.LOAD):
            if reach in reaches:
                return reach
        return Reach.LIBRARY

    def file(self, path: str) -> FileCapabilities | None:
        for f in self.files:
            if f.path == path:
                return f
        return None

    def exfiltration_hosts(self, path: str) -> list[Signal]:
        """The webhook, OAST, tunnel hosts and raw IPs file `path` names: what makes a flow from it critical."""
        f = self.file(path)
        return [s for s in (f.signals if f is not None else ()) if s.indicator in EXFIL_INDICATORS]

    def signals(self, *indicators: Indicator, install_time: bool = False) -> Iterator[Signal]:
        wanted = set(indicators)
        for f in self.files:
            if install_time and f.path not in self.install_time:
                continue
            for signal in f.signals:
                if signal.indicator in wanted:
                    yield signal


def has_network(f: FileCapabilities) -> bool:
    return network_evidence(f) is not None


def network_evidence(f: FileCapabilities) -> Evidence | None:
    for key, evidence in f.builtin.items():
        if key.split(".", 1)[0] in NETWORK_MODULES and evidence:
            return evidence[0]
    for key, evidence in f.globals.items():
        if key in NETWORK_GLOBALS and evidence:
            return evidence[0]
    return None


def writes_files(f: FileCapabilities) -> Evidence | None:
    for key, evidence in f.builtin.items():
        if _FS_WRITERS.match(key) and evidence:
            return evidence[0]
    return None


def spawns(f: FileCapabilities) -> Evidence | None:
    for key, evidence in f.builtin.items():
        if key.startswith("child_process") and evidence:
            return evidence[0]
    return None


def identity_evidence(f: FileCapabilities) -> Evidence | None:
    for key, evidence in f.builtin.items():
        if key in IDENTITY_KEYS and evidence:
            return evidence[0]
    return None


NEAR_LINES = 40
NEAR_COLUMNS = 4000


def evidence_near(a: Evidence, b: Evidence) -> bool:
    """Close enough to be one piece of code (a few statements apart, or within a few KB of one minified line):
    what rules require before they read two signals as one behaviour. A bundle puts unrelated modules in one
    file, thousands of lines apart (vite's stdout socket and launch-editor's PowerShell query)."""
    if a.file != b.file:
        return False
    if a.line == b.line:
        return abs((a.column or 0) - (b.column or 0)) <= NEAR_COLUMNS
    return abs(a.line - b.line) <= NEAR_LINES


def executable_kind(data: bytes) -> str | None:
    if data[:4] == b"\x7fELF":
        return "ELF"
    if data[:2] == b"MZ" and b"PE\x00\x00" in data[:1024]:
        return "PE"
    if data[:4] in {b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"}:
        return "Mach-O"
    return None


def script_evidence(manifest_bytes: bytes | None, script: str, command: str) -> Evidence:
    """Where `"script": …` sits in package.json (line 1 if it cannot be found)."""
    if manifest_bytes:
        needle = json.dumps(script).encode()
        at = manifest_bytes.find(needle + b":")
        if at == -1:
            at = manifest_bytes.find(needle)
        if at != -1:
            return Evidence("package.json", manifest_bytes.count(b"\n", 0, at) + 1, None, command[:160])
    return Evidence("package.json", 1, None, command[:160])


def gather(
    contents: PackageContents,
    manifest: Manifest,
    files: list[FileCapabilities],
    scripts: dict[str, str],
    *,
    native: bool,
    budget: Budget,
) -> PackageFacts:
    paths = frozenset(f.path for f in contents.files)
    by_path = {f.path: f for f in files}
    manifest_file = contents.file("package.json")
    manifest_bytes = manifest_file.data if manifest_file is not None else None
    shells: list[ShellSource] = []
    install_js: set[str] = set()
    install_shell_files: set[str] = set()
    extra_files: list[FileCapabilities] = []

    def follow_runs(runs: tuple[str, ...], base: str) -> None:
        for run in runs:
            target = _resolve_file(run, base, paths)
            if target is None:
                continue
            if target.endswith(SHELL_SUFFIXES):
                install_shell_files.add(target)
            elif target in by_path:
                install_js.add(target)

    for lifecycle, command in scripts.items():
        script = ShellSource.of(
            f"scripts.{lifecycle}",
            # npm exports `config` to the script's environment: `$npm_package_config_url` is its value.
            expand_package_config(command, manifest.config),
            script_evidence(manifest_bytes, lifecycle, command),
            install_time=True,
        )
        shells.append(script)
        follow_runs(script.facts.runs_files, "")
        for index, code in enumerate(script.facts.node_inline):
            inline = analyze_source(
                f"package.json#scripts.{lifecycle}" + (f"[{index}]" if index else ""),
                code.encode("utf-8", "surrogatepass"),
                Dialect.JAVASCRIPT,
                budget=budget,
            )
            extra_files.append(inline)
            install_js.add(inline.path)
    gyp = contents.file("binding.gyp")
    if gyp is not None and manifest.gypfile is not False:
        text = gyp.data.decode("utf-8", "replace")
        for command in gyp_commands(text):
            at = text.find(command)
            if at == -1:  # an `actions` argv, joined: point at its first word
                at = text.find(command.split(" ", 1)[0].strip("'"))
            line = text.count("\n", 0, max(0, at)) + 1
            source = ShellSource.of(
                "binding.gyp", command, Evidence("binding.gyp", line, None, command), install_time=True
            )
            shells.append(source)
            follow_runs(source.facts.runs_files, "")

    # Install-time JS: the closure over relative requires and the commands those files spawn.
    install_js, spawned_shells = _closure(install_js, by_path, paths)
    install_shell_files |= spawned_shells
    # Load-time JS: what runs when the package is required or imported (its entry points' closure).
    load_js, _ = _closure(
        {t for e in manifest.entry_points if (t := _resolve_file(e, "", paths)) is not None and t in by_path},
        by_path,
        paths,
    )

    # Code compiled from the text of the package's own files (`eval(fs.readFileSync('x.txt'))`): that text
    # is analysed as JavaScript, with the reach of the file that compiles it.
    # A target that is itself a JS file (already analysed) only takes on that reach.
    for compiled in _compiled_sources(contents, [*files, *extra_files], by_path, paths, budget):
        if compiled.capabilities is not None:
            extra_files.append(compiled.capabilities)
        if compiled.by in install_js:
            install_js.add(compiled.path)
        if compiled.by in load_js:
            load_js.add(compiled.path)

    for f in [*files, *extra_files]:
        on_load = set(f.commands_on_load) if f.path in load_js else set()
        for evidence, command in f.commands:
            shells.append(
                ShellSource.of(
                    "spawn",
                    command,
                    evidence,
                    install_time=f.path in install_js,
                    load_time=evidence in on_load,
                )
            )
        for planted in f.planted:
            shells.append(
                ShellSource.of(
                    "planted",
                    planted.text,
                    planted.evidence,
                    install_time=f.path in install_js,
                    load_time=planted.on_load and f.path in load_js,
                    target=planted.target,
                )
            )
    for package_file in contents.files:
        if package_file.path.endswith(SHELL_SUFFIXES) and len(package_file.data) <= _MAX_SHELL_FILE:
            text = package_file.data.decode("utf-8", "replace")
            shells.append(
                ShellSource.of(
                    "file",
                    text,
                    Evidence(
                        package_file.path, 1, None, text.strip().splitlines()[0] if text.strip() else None
                    ),
                    install_time=package_file.path in install_shell_files,
                )
            )
    executables = {
        f.path: kind
        for f in contents.files
        if not f.path.endswith(".node") and (kind := executable_kind(f.data[:1024])) is not None
    }
    return PackageFacts(
        name=manifest.name,
        manifest=manifest,
        files=(*files, *extra_files),
        shells=tuple(shells),
        install_time=frozenset(install_js),
        load_time=frozenset(load_js),
        executables=executables,
        paths=paths,
        native=native,
        text={f.path: f.data for f in contents.files},
        flows=join_flows(
            {f.path: f.flows for f in (*files, *extra_files)},
            lambda specifier, base: _resolve_file(specifier, base, paths),
        ),
    )


@dataclass(frozen=True, slots=True)
class _Compiled:
    by: str
    path: str
    capabilities: FileCapabilities | None


COMPILED_SUFFIX = "#compiled"
"""Path suffix of the analysis of a package file whose text another file compiles as code."""
_MAX_COMPILED_FILES = 16
_MIN_TAIL = 24


def compiled_target(f: FileCapabilities, path: str, base: str, paths: frozenset[str]) -> str | None:
    """The package file a `CompiledFile` names, relative to the compiling file's directory or the root."""
    start = posixpath.dirname(f.path.split("#", 1)[0]) if base == "dir" else ""
    joined = posixpath.normpath(posixpath.join(start, path)).removeprefix("./")
    if joined.startswith("../") or joined == "..":
        return None
    for suffix in ("", ".json", ".js"):
        if joined + suffix in paths:
            return joined + suffix
    return None


def _compiled_sources(
    contents: PackageContents,
    files: list[FileCapabilities],
    by_path: dict[str, FileCapabilities],
    paths: frozenset[str],
    budget: Budget,
) -> Iterator[_Compiled]:
    done: set[str] = set()
    for f in files:
        for compiled in f.compiles:
            target = compiled_target(f, compiled.path, compiled.base, paths)
            if target is None or target in done or len(done) >= _MAX_COMPILED_FILES:
                continue
            if target in by_path and compiled.field is None:
                done.add(target)
                yield _Compiled(f.path, target, None)
                continue
            package_file = contents.file(target)
            if package_file is None:
                continue
            code = _compiled_text(package_file.data, compiled.field)
            if code is None:
                continue
            done.add(target)
            yield _Compiled(
                f.path,
                target + COMPILED_SUFFIX,
                analyze_source(
                    target + COMPILED_SUFFIX,
                    code.encode("utf-8", "surrogatepass"),
                    Dialect.JAVASCRIPT,
                    budget=budget,
                ),
            )


def _compiled_text(data: bytes, field: str | None) -> str | None:
    """The text a compiled file gives: a JSON member, the file's text, or the printable tail after binary
    data (a payload appended to an image or a font)."""
    if field is not None:
        try:
            value: object = json.loads(data)
        except ValueError:
            return None
        for key in field.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        return value if isinstance(value, str) else None
    if b"\x00" not in data[:8192] and b"\x00" not in data[-8192:]:
        return data.decode("utf-8", "replace")
    # Walk back from the end (linear; a regex anchored at the end would retry from every start).
    start = len(data)
    floor = max(0, len(data) - (1 << 20))
    while start > floor and (32 <= data[start - 1] < 127 or data[start - 1] in b"\t\n\r"):
        start -= 1
    return data[start:].decode("ascii") if len(data) - start >= _MIN_TAIL else None


def _closure(
    start: set[str], by_path: dict[str, FileCapabilities], paths: frozenset[str]
) -> tuple[set[str], set[str]]:
    """The JS files `start` reaches through relative requires and the `node x.js` commands they spawn, and
    the shell files those commands run."""
    reached = set(start)
    shell_files: set[str] = set()
    pending = sorted(reached)
    while pending:
        path = pending.pop()
        capabilities = by_path.get(path)
        if capabilities is None:
            continue
        base = posixpath.dirname(path)
        for specifier in capabilities.imports:
            if specifier.startswith((".", "/")):
                target = _resolve_file(specifier, base, paths)
                if target is not None and target in by_path and target not in reached:
                    reached.add(target)
                    pending.append(target)
        for _, command in capabilities.commands:
            facts = describe_shell(command)
            for run in facts.runs_files:
                target = _resolve_file(run, "", paths) or _resolve_file(run, base, paths)
                if target is None:
                    continue
                if target.endswith(SHELL_SUFFIXES):
                    shell_files.add(target)
                elif target in by_path and target not in reached:
                    reached.add(target)
                    pending.append(target)
    return reached, shell_files


def _resolve_file(reference: str, base: str, paths: frozenset[str]) -> str | None:
    cleaned = reference.strip().strip("'\"").replace("\\", "/")
    if not cleaned or cleaned.startswith(("-", "$")):
        return None
    joined = posixpath.normpath(posixpath.join(base, cleaned)) if not cleaned.startswith("/") else cleaned
    joined = joined.removeprefix("./")
    if joined.startswith("../"):
        return None
    for suffix in _JS_SUFFIXES:
        if joined + suffix in paths:
            return joined + suffix
    return None
