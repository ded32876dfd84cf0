"""The diff's values: one `PackageChange` per changed package, gathered in a `DiffDocument`.

Frozen, like every value that crosses a module boundary; `compare` builds them, `score` ranks them, the
formats only read them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from airlock.errors import AirlockError
from airlock.exit import ExitCode, failure_exit_code
from airlock.model import Evidence, Finding, Verdict
from airlock.pipeline.failures import fold_failures

DIFF_SCHEMA_VERSION = 1


class Attention(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {Attention.LOW: 0, Attention.MEDIUM: 1, Attention.HIGH: 2}[self]


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


def _frozen_evidence(
    m: Mapping[str, tuple[Evidence, ...]] | None = None,
) -> Mapping[str, tuple[Evidence, ...]]:
    return MappingProxyType(dict(sorted((m or {}).items())))


class Side(StrEnum):
    """Which package of a change a `NotAnalysed` is about."""

    OLD = "old"
    NEW = "new"
    DEPENDENCY = "dependency"
    """A package the update pulls in (listed under `dependencies_added`)."""


@dataclass(frozen=True, slots=True)
class NotAnalysed:
    """A package of a change that could not be fetched, verified or read: what it would have added or taken
    away is unknown, so the change goes to review (at least) with high attention, never passes as clean."""

    name: str
    version: str | None
    side: Side
    error: AirlockError

    @property
    def reason(self) -> str:
        """The failure, as a person reads it (the error's message, without its hint)."""
        return self.error.message

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name


@dataclass(frozen=True, slots=True)
class ScriptChange:
    """An install-time script (`preinstall`, `install`, `postinstall`) added, changed or removed."""

    hook: str
    kind: ChangeKind
    old_command: str | None
    new_command: str | None


@dataclass(frozen=True, slots=True)
class FileChange:
    """A file added, removed or changed; sizes in bytes (None on the side it is absent from)."""

    path: str
    kind: ChangeKind
    old_size: int | None
    new_size: int | None
    lines: int = 0
    """Lines a reviewer reads: every line of an added text file, the lines new to a changed one."""

    @property
    def size_delta(self) -> int:
        return (self.new_size or 0) - (self.old_size or 0)


@dataclass(frozen=True, slots=True)
class BinChange:
    name: str
    kind: ChangeKind
    old_path: str | None
    new_path: str | None


@dataclass(frozen=True, slots=True)
class MaintainersChange:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True, slots=True)
class DependencyAdded:
    """A dependency the new version brings in, with its own scan: it belongs to its parent's change."""

    name: str
    spec: str
    version: str | None
    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    capabilities: tuple[str, ...] = ()
    """Its capability keys (all of them are new to the parent's tree)."""
    install_scripts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    lines: int = 0
    """Lines of code it ships (text files): all of it is new to read."""
    first_published: datetime | None = None
    version_published: datetime | None = None
    maintainers: tuple[str, ...] | None = None
    """None when the registry did not say (a local target, an abbreviated document)."""
    not_analysed: NotAnalysed | None = None
    """Why it has no scan (its findings say so too); None when it was analysed."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "install_scripts", MappingProxyType(dict(self.install_scripts)))


@dataclass(frozen=True, slots=True)
class PackageChange:
    name: str
    from_version: str | None
    to_version: str | None
    verdict: Verdict
    attention: Attention
    score: int
    capabilities_added: Mapping[str, tuple[Evidence, ...]] = field(default_factory=_frozen_evidence)
    """Capability key → evidence in the new version."""
    capabilities_removed: Mapping[str, tuple[Evidence, ...]] = field(default_factory=_frozen_evidence)
    """Capability key → evidence in the old version."""
    findings_added: tuple[Finding, ...] = ()
    findings_removed: tuple[Finding, ...] = ()
    scripts_changed: tuple[ScriptChange, ...] = ()
    dependencies_added: tuple[DependencyAdded, ...] = ()
    dependencies_removed: tuple[str, ...] = ()
    maintainers_changed: MaintainersChange = MaintainersChange()
    files: tuple[FileChange, ...] = ()
    became_minified: tuple[str, ...] = ()
    became_obfuscated: tuple[str, ...] = ()
    bin_changes: tuple[BinChange, ...] = ()
    paths: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    """Why the change's verdict is above both versions' own (see `airlock.diff.score.rate`)."""
    not_analysed: tuple[NotAnalysed, ...] = ()
    """The change's packages (either version, or a dependency it pulls in) that could not be analysed."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "capabilities_added", _frozen_evidence(self.capabilities_added))
        object.__setattr__(self, "capabilities_removed", _frozen_evidence(self.capabilities_removed))

    @property
    def label(self) -> str:
        return f"{self.name} {self.from_version or '∅'} → {self.to_version or '∅'}"


@dataclass(frozen=True, slots=True)
class DiffDocument:
    changes: tuple[PackageChange, ...]
    """Riskiest first (see `airlock.diff.score.ordered`)."""
    notes: tuple[str, ...] = ()

    @property
    def failures(self) -> tuple[AirlockError, ...]:
        """Why packages could not be analysed, one per cause (each change says which of its packages)."""
        return fold_failures(tuple(n.error for c in self.changes for n in c.not_analysed))

    @property
    def verdict(self) -> Verdict:
        return max((c.verdict for c in self.changes), key=lambda v: v.rank, default=Verdict.ALLOW)

    def exit_code(self, *, fail_on: Verdict = Verdict.BLOCK) -> ExitCode:
        """As `check` decides it (DESIGN.md: Commands): 1 when a change is blocked or reaches `fail_on`,
        else the failures' own code (3 for a network or registry failure), else 0."""
        worst = self.verdict
        if worst is not Verdict.ALLOW and worst.rank >= fail_on.rank:
            return ExitCode.ACTION
        return failure_exit_code(f.exit_code for f in self.failures)


__all__ = [
    "DIFF_SCHEMA_VERSION",
    "Attention",
    "BinChange",
    "ChangeKind",
    "DependencyAdded",
    "DiffDocument",
    "FileChange",
    "MaintainersChange",
    "NotAnalysed",
    "PackageChange",
    "ScriptChange",
    "Side",
]
