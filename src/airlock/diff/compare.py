"""Two versions of one package → the `PackageChange` between them: a pure function of two stored results.

Everything compared here was already computed by the one pipeline (`scan`'s reports, the registry's
manifests, the package files): diff reads results, it never analyses. `airlock.diff.gather` collects the
inputs; `airlock.diff.score` rates the change."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from airlock.analysis.rules import obfuscation
from airlock.diff.model import (
    Attention,
    BinChange,
    ChangeKind,
    DependencyAdded,
    FileChange,
    MaintainersChange,
    NotAnalysed,
    PackageChange,
    ScriptChange,
    Side,
)
from airlock.diff.score import rate
from airlock.errors import AirlockError
from airlock.model import Capabilities, Evidence, Finding, PackageContents, PackageReport
from airlock.verdict import failure_finding, with_failures

_CODE_SUFFIXES = (".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts")
_CONCEALMENT_RULES = frozenset(
    {obfuscation.OBFUSCATED.id, obfuscation.HIDDEN_CODE.id, obfuscation.INVISIBLE.id}
)
"""The obfuscation family's findings that say a file was written not to be read."""
MINIFIED_MIN_BYTES = 2048
MINIFIED_LINE_LENGTH = 300
"""A code file of at least 2 KB whose lines average 300+ characters is minified (or bundled into one line):
a reviewer cannot read a diff of it."""


DIGEST_BYTES = 16
"""Length of the digests that stand for a file's or a line's text (BLAKE2b): 128 bits, so two different
texts a package author crafts cannot pass for one (a birthday search would need about 2**64 tries)."""


def text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=DIGEST_BYTES).digest()


class ComparedFile(Protocol):
    """One file as the comparison needs it: read in full (`FileInfo`) or summarised and stored
    (`airlock.diff.listing.ListedFile`); both give the same answers for the same bytes."""

    @property
    def path(self) -> str: ...

    @property
    def size(self) -> int: ...

    @property
    def content(self) -> bytes | None:
        """A digest of the text (None for a binary file): equal digests, same text."""
        ...

    @property
    def minified(self) -> bool: ...

    @property
    def line_count(self) -> int: ...

    def line_multiset(self) -> Mapping[bytes, int]:
        """How often each non-blank line occurs, by the line's digest (empty for a binary file)."""
        ...


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One file of a package as the diff needs it: its size and, for text, its content."""

    path: str
    size: int
    text: str | None = None
    """None for binary files (a NUL byte or not UTF-8)."""

    @property
    def content(self) -> bytes | None:
        return None if self.text is None else text_digest(self.text)

    @property
    def minified(self) -> bool:
        if self.text is None or not self.path.endswith(_CODE_SUFFIXES) or self.size < MINIFIED_MIN_BYTES:
            return False
        lines = self.text.count("\n") + 1
        return len(self.text) / lines >= MINIFIED_LINE_LENGTH

    @property
    def line_count(self) -> int:
        if not self.text:
            return 0
        return self.text.count("\n") + (0 if self.text.endswith("\n") else 1)

    def line_multiset(self) -> Counter[bytes]:
        if self.text is None:
            return Counter()
        lines = Counter(line for line in self.text.splitlines() if line.strip())
        # Each distinct line hashed once: hashing is most of the cost of listing a large package.
        return Counter({text_digest(line): count for line, count in lines.items()})


def files_of(contents: PackageContents) -> tuple[FileInfo, ...]:
    infos = []
    for f in contents.files:
        text: str | None = None
        if b"\0" not in f.data:
            try:
                text = f.data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        infos.append(FileInfo(f.path, f.size if f.size is not None else len(f.data), text))
    return tuple(sorted(infos, key=lambda i: i.path))


def _frozen(m: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True, slots=True)
class PackageSide:
    """One side of the diff: the version's report and what it ships and declares."""

    report: PackageReport
    files: tuple[ComparedFile, ...] = ()
    dependencies: Mapping[str, str] = field(default_factory=_frozen)
    """name → spec, as npm installs them (the registry's manifest when there is one)."""
    bin: Mapping[str, str] = field(default_factory=_frozen)
    maintainers: tuple[str, ...] | None = None
    """None: not known (a local target, or a registry document without maintainers)."""
    failure: AirlockError | None = None
    """Why the version could not be fetched, verified or read (None: it was). Such a side is known by its
    name and version only; `report` is the pipeline's, with the failure's finding when the scan failed."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dependencies", _frozen(self.dependencies))
        object.__setattr__(self, "bin", _frozen(self.bin))

    def not_analysed(self, side: Side) -> NotAnalysed | None:
        if self.failure is None:
            return None
        return NotAnalysed(self.report.name or self.report.target, self.report.version, side, self.failure)

    def failure_findings(self) -> tuple[Finding, ...]:
        """The finding that says why this side has no analysis (as `check` reports a failed target): the
        report's own when the scan failed (with the project's severity overrides applied)."""
        if self.failure is None:
            return ()
        finding = failure_finding(self.failure)
        return tuple(f for f in self.report.findings if f.rule == finding.rule) or (finding,)


def _unknown(side: PackageSide) -> PackageSide:
    """A version that could not be analysed, as the comparison counts it: nothing known of it, so
    everything the other version has counts as new."""
    report = replace(side.report, capabilities=Capabilities(), findings=(), install_scripts={}, skipped=())
    return PackageSide(report)


def declared_manifest(files: Sequence[FileInfo]) -> tuple[dict[str, str], dict[str, str]]:
    """`dependencies` (with `optionalDependencies`, as npm merges them) and `bin` of the package's own
    package.json, for targets the registry says nothing about (tarballs, directories)."""
    root = next((f for f in files if f.path == "package.json"), None)
    if root is None or root.text is None:
        return {}, {}
    try:
        data = json.loads(root.text)
    except ValueError:
        return {}, {}
    if not isinstance(data, dict):
        return {}, {}
    dependencies: dict[str, str] = {}
    for key in ("dependencies", "optionalDependencies"):
        value = data.get(key)
        if isinstance(value, dict):
            dependencies.update({k: v for k, v in value.items() if isinstance(v, str)})
    raw_bin = data.get("bin")
    name = data.get("name")
    bins: dict[str, str] = {}
    if isinstance(raw_bin, str) and isinstance(name, str):
        bins[name.rsplit("/", 1)[-1]] = raw_bin
    elif isinstance(raw_bin, dict):
        bins = {k: v for k, v in raw_bin.items() if isinstance(v, str)}
    return dependencies, bins


def capability_map(capabilities: Capabilities) -> dict[str, tuple[Evidence, ...]]:
    """The capabilities a report shows, flattened to one key space: builtin members (`child_process.exec`),
    powerful globals (`process.env`), `dynamic` (code from strings) and `native` (compiled addons)."""
    keys: dict[str, tuple[Evidence, ...]] = {**capabilities.builtin, **capabilities.globals}
    if capabilities.dynamic:
        keys["dynamic"] = capabilities.dynamic
    if capabilities.native:
        keys["native"] = ()
    return keys


def _finding_key(finding: Finding) -> tuple[str, tuple[str, ...]]:
    # Rule and files, not message or line: a finding that moved down a file, or whose message names the
    # version, is the same finding in both versions.
    return finding.rule, tuple(sorted({e.file for e in finding.evidence}))


def _finding_delta(
    old: Iterable[Finding], new: Iterable[Finding]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    old_t, new_t = tuple(old), tuple(new)
    old_keys = {_finding_key(f) for f in old_t}
    new_keys = {_finding_key(f) for f in new_t}
    return (
        tuple(f for f in new_t if _finding_key(f) not in old_keys),
        tuple(f for f in old_t if _finding_key(f) not in new_keys),
    )


def _entry_delta(
    old: Mapping[str, str], new: Mapping[str, str]
) -> list[tuple[str, ChangeKind, str | None, str | None]]:
    """Each key whose value differs: (key, added/removed/changed, old value, new value), sorted by key."""
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        kind = (
            ChangeKind.ADDED
            if before is None
            else ChangeKind.REMOVED
            if after is None
            else ChangeKind.CHANGED
        )
        changes.append((key, kind, before, after))
    return changes


def _scripts_delta(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[ScriptChange, ...]:
    return tuple(ScriptChange(*change) for change in _entry_delta(old, new))


def _new_lines(old: ComparedFile, new: ComparedFile) -> int:
    """Non-blank lines of `new` that `old` does not have (as multisets): what a reviewer reads in a changed
    file. A line `old` has k times is read from its (k+1)th occurrence in `new` on."""
    before = old.line_multiset()
    return sum(max(0, count - before.get(line, 0)) for line, count in new.line_multiset().items())


def _file_delta(old: Sequence[ComparedFile], new: Sequence[ComparedFile]) -> tuple[FileChange, ...]:
    before = {f.path: f for f in old}
    after = {f.path: f for f in new}
    changes = []
    for path in sorted(set(before) | set(after)):
        o, n = before.get(path), after.get(path)
        if n is None:
            assert o is not None
            changes.append(FileChange(path, ChangeKind.REMOVED, o.size, None))
        elif o is None:
            changes.append(FileChange(path, ChangeKind.ADDED, None, n.size, n.line_count))
        elif (o.content, o.size) != (n.content, n.size):
            lines = _new_lines(o, n) if o.content is not None and n.content is not None else 0
            changes.append(FileChange(path, ChangeKind.CHANGED, o.size, n.size, lines))
    return tuple(changes)


def _concealed_files(findings: Iterable[Finding]) -> set[str]:
    return {e.file for f in findings if f.rule in _CONCEALMENT_RULES for e in f.evidence}


def _bin_delta(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[BinChange, ...]:
    return tuple(BinChange(*change) for change in _entry_delta(old, new))


def _maintainers_delta(old: tuple[str, ...] | None, new: tuple[str, ...] | None) -> MaintainersChange:
    if old is None or new is None:
        return MaintainersChange()
    return MaintainersChange(
        added=tuple(sorted(set(new) - set(old))), removed=tuple(sorted(set(old) - set(new)))
    )


def compare(
    old: PackageSide, new: PackageSide, dependencies_added: Sequence[DependencyAdded] = ()
) -> PackageChange:
    """The change from `old` to `new`, rated (`score.rate`). `dependencies_added` are the scans of the
    dependencies `new` declares and `old` does not (see `added_dependencies`).

    A side that could not be analysed (`PackageSide.failure`) is never compared as if it were empty and
    fine: its failure is a finding the change adds, the change lists it under `not_analysed`, and `rate`
    sends it to review with high attention. An old version not analysed counts as nothing (all of the new
    one is new to read); a new one not analysed leaves no delta to show but the failure."""
    not_analysed = tuple(
        n
        for n in (
            old.not_analysed(Side.OLD),
            new.not_analysed(Side.NEW),
            *(d.not_analysed for d in dependencies_added),
        )
        if n is not None
    )
    failures = (*old.failure_findings(), *new.failure_findings())
    name = new.report.name or old.report.name or new.report.target
    verdict = with_failures(new.report.verdict, failures)
    dependencies = tuple(sorted(dependencies_added, key=lambda d: d.name))
    if old.failure is not None:
        old = _unknown(old)
    findings_added, findings_removed = _finding_delta(old.report.findings, new.report.findings)
    findings_added = tuple(dict.fromkeys((*failures, *findings_added)))
    # What is known whatever happened to the new side; the rest only when it was analysed.
    known = PackageChange(
        name=name,
        from_version=old.report.version,
        to_version=new.report.version,
        verdict=verdict,
        attention=Attention.LOW,
        score=0,
        findings_added=findings_added,
        dependencies_added=dependencies,
        paths=new.report.paths,
        not_analysed=not_analysed,
    )
    if new.failure is not None:
        return rate(known)
    old_caps, new_caps = capability_map(old.report.capabilities), capability_map(new.report.capabilities)
    old_minified = {f.path for f in old.files if f.minified}
    old_concealed = _concealed_files(old.report.findings)
    change = replace(
        known,
        capabilities_added={k: v for k, v in new_caps.items() if k not in old_caps},
        capabilities_removed={k: v for k, v in old_caps.items() if k not in new_caps},
        findings_removed=findings_removed,
        scripts_changed=_scripts_delta(old.report.install_scripts, new.report.install_scripts),
        dependencies_removed=tuple(sorted(set(old.dependencies) - set(new.dependencies))),
        maintainers_changed=_maintainers_delta(old.maintainers, new.maintainers),
        files=_file_delta(old.files, new.files),
        became_minified=tuple(f.path for f in new.files if f.minified and f.path not in old_minified),
        became_obfuscated=tuple(sorted(_concealed_files(new.report.findings) - old_concealed)),
        bin_changes=_bin_delta(old.bin, new.bin),
    )
    return rate(change)


def added_dependencies(old: PackageSide, new: PackageSide) -> dict[str, str]:
    """name → spec of the dependencies `new` declares and `old` does not."""
    return {name: spec for name, spec in sorted(new.dependencies.items()) if name not in old.dependencies}


def dependency_summary(
    spec: str,
    side: PackageSide,
    *,
    first_published: datetime | None = None,
    version_published: datetime | None = None,
) -> DependencyAdded:
    """A new dependency's own scan, as its parent's change lists it; one that could not be analysed says
    why, in its findings too, and is never allowed."""
    report = side.report
    failures = side.failure_findings()
    return DependencyAdded(
        name=report.name or report.target,
        spec=spec,
        version=report.version,
        verdict=with_failures(report.verdict, failures),
        findings=tuple(dict.fromkeys((*report.findings, *failures))),
        capabilities=tuple(sorted(capability_map(report.capabilities))),
        install_scripts=report.install_scripts,
        lines=sum(f.line_count for f in side.files if f.path.endswith(_CODE_SUFFIXES)),
        first_published=first_published,
        version_published=version_published,
        maintainers=side.maintainers,
        not_analysed=side.not_analysed(Side.DEPENDENCY),
    )


__all__ = [
    "DIGEST_BYTES",
    "ComparedFile",
    "FileInfo",
    "PackageSide",
    "added_dependencies",
    "capability_map",
    "compare",
    "declared_manifest",
    "dependency_summary",
    "files_of",
    "text_digest",
]
