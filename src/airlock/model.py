"""Frozen dataclasses shared by every seam. Nothing else crosses a module boundary.

Everything here is picklable, so analysis runs the same in a process pool, a proxy worker or a Dask worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

SNIPPET_MAX = 160


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Verdict(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _VERDICT_RANK[self]


_VERDICT_RANK = {v: i for i, v in enumerate(Verdict)}


@dataclass(frozen=True, slots=True)
class PackageId:
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


def clip_snippet(text: str) -> str:
    """Collapse whitespace and clip to the contract's 160 characters."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_MAX:
        return flat
    return flat[: SNIPPET_MAX - 1] + "…"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where something was seen: a path inside the package (no leading `package/`), 1-based line/column."""

    file: str
    line: int
    column: int | None = None
    snippet: str | None = None

    def __post_init__(self) -> None:
        if self.line < 1:
            object.__setattr__(self, "line", 1)
        if self.column is not None and self.column < 1:
            object.__setattr__(self, "column", 1)
        if self.snippet is not None and len(self.snippet) > SNIPPET_MAX:
            object.__setattr__(self, "snippet", clip_snippet(self.snippet))


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    evidence: tuple[Evidence, ...] = ()

    @property
    def location(self) -> Evidence | None:
        return self.evidence[0] if self.evidence else None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or package that could not be (fully) analysed: data in the report, never a silent gap."""

    reason: str
    file: str | None = None


def _frozen_map(m: Mapping[str, tuple[Evidence, ...]] | None = None) -> Mapping[str, tuple[Evidence, ...]]:
    return MappingProxyType(dict(sorted((m or {}).items())))


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a package can reach, in LavaMoat's vocabulary, each key with its evidence."""

    builtin: Mapping[str, tuple[Evidence, ...]] = field(default_factory=_frozen_map)
    globals: Mapping[str, tuple[Evidence, ...]] = field(default_factory=_frozen_map)
    dynamic: tuple[Evidence, ...] = ()
    native: bool = False
    all_globals: Mapping[str, tuple[Evidence, ...]] = field(default_factory=_frozen_map)
    """Every global the code refers to that is not a JavaScript intrinsic, at the depth LavaMoat records
    (`process.env`, `process.nextTick`, `setTimeout`): the inventory a policy is built from. `globals` keeps
    only the powerful ones, which reports show."""
    global_writes: tuple[str, ...] = ()
    """The keys of `all_globals` the code assigns to (LavaMoat's `"write"`), sorted."""
    imports: Mapping[str, tuple[Evidence, ...]] = field(default_factory=_frozen_map)
    """The packages the code loads by name (`require('a/b')` → `a`), each with where."""
    builtin_probes: Mapping[str, tuple[Evidence, ...]] = field(default_factory=_frozen_map)
    """Builtin members the code only tests with `typeof` (`typeof cp.exec`): not a capability (reports
    leave them out), but the module is loaded, so a LavaMoat policy must name them."""

    def __post_init__(self) -> None:
        # Key order is part of a deterministic report; MappingProxyType keeps the maps read-only.
        object.__setattr__(self, "builtin", _frozen_map(self.builtin))
        object.__setattr__(self, "globals", _frozen_map(self.globals))
        object.__setattr__(self, "all_globals", _frozen_map(self.all_globals))
        object.__setattr__(self, "global_writes", tuple(sorted(set(self.global_writes))))
        object.__setattr__(self, "imports", _frozen_map(self.imports))
        object.__setattr__(self, "builtin_probes", _frozen_map(self.builtin_probes))

    def __reduce__(self) -> tuple[object, ...]:
        # MappingProxyType does not pickle; rebuild from plain dicts.
        return (
            Capabilities,
            (
                dict(self.builtin),
                dict(self.globals),
                self.dynamic,
                self.native,
                dict(self.all_globals),
                self.global_writes,
                dict(self.imports),
                dict(self.builtin_probes),
            ),
        )

    @property
    def modules(self) -> frozenset[str]:
        """Builtin module names reached, e.g. {'fs', 'child_process'} for keys 'fs.readFileSync', ..."""
        return frozenset(k.split(".", 1)[0] for k in self.builtin)


EMPTY_CAPABILITIES = Capabilities()


@dataclass(frozen=True, slots=True)
class PackageFile:
    """One regular file of a package, in memory. `path` is relative to the package root, `/`-separated."""

    path: str
    data: bytes
    executable: bool = False
    size: int | None = None
    """The file's real size when `data` holds only its first bytes (binary files; see TarLimits)."""

    @property
    def truncated(self) -> bool:
        return self.size is not None and self.size > len(self.data)


@dataclass(frozen=True, slots=True)
class PackageContents:
    """What a tarball or directory held, after the safety checks. Input of the pure analysis function."""

    files: tuple[PackageFile, ...]
    findings: tuple[Finding, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    def file(self, path: str) -> PackageFile | None:
        for f in self.files:
            if f.path == path:
                return f
        return None


@dataclass(frozen=True, slots=True)
class DeclaredManifest:
    """What the tarball's own package.json declares that npm acts on, for comparison with the registry's copy
    of the manifest (manifest confusion: npm installs by the registry's, then runs the tarball's scripts)."""

    name: str | None = None
    version: str | None = None
    scripts: tuple[tuple[str, str], ...] = ()
    dependencies: tuple[str, ...] = ()
    """Names of `dependencies` and `optionalDependencies` (npm's normalised manifest merges the two)."""
    peer_dependencies: tuple[str, ...] = ()
    bin: tuple[tuple[str, str], ...] = ()
    gypfile: bool | None = None
    has_binding_gyp: bool = False


@dataclass(frozen=True, slots=True)
class PackageAnalysis:
    """The result of analysing one package's bytes: a pure function of the bytes and the analyzer version."""

    name: str | None
    version: str | None
    capabilities: Capabilities
    findings: tuple[Finding, ...]
    install_scripts: Mapping[str, str]
    skipped: tuple[Skipped, ...]
    analyzer: str
    declared: DeclaredManifest | None = None
    """The tarball's package.json as npm reads it (None when it has none or it is not valid JSON)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "install_scripts", MappingProxyType(dict(self.install_scripts)))

    def __reduce__(self) -> tuple[object, ...]:
        return (
            PackageAnalysis,
            (
                self.name,
                self.version,
                self.capabilities,
                self.findings,
                dict(self.install_scripts),
                self.skipped,
                self.analyzer,
                self.declared,
            ),
        )


@dataclass(frozen=True, slots=True)
class AcceptedFinding:
    """A finding the project accepted (airlock.toml `[[accept]]`): shown in reports, not counted in verdicts."""

    finding: Finding
    reason: str
    expires: date | None = None


@dataclass(frozen=True, slots=True)
class PackageReport:
    """One entry of the report: a target's analysis plus what is known about where it came from."""

    target: str
    name: str | None
    version: str | None
    integrity: str | None
    verdict: Verdict
    capabilities: Capabilities
    findings: tuple[Finding, ...]
    install_scripts: Mapping[str, str]
    skipped: tuple[Skipped, ...]
    paths: tuple[str, ...] = ()
    from_store: bool = False
    """True when the analysis was served from the store instead of computed (not part of the contract)."""
    accepted: tuple[AcceptedFinding, ...] = ()
    """Findings an `[[accept]]` entry silenced: left out of `findings` and of the verdict, still reported."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "install_scripts", MappingProxyType(dict(self.install_scripts)))

    def __reduce__(self) -> tuple[object, ...]:
        return (
            PackageReport,
            (
                self.target,
                self.name,
                self.version,
                self.integrity,
                self.verdict,
                self.capabilities,
                self.findings,
                dict(self.install_scripts),
                self.skipped,
                self.paths,
                self.from_store,
                self.accepted,
            ),
        )

    @property
    def label(self) -> str:
        if self.name and self.version:
            return f"{self.name}@{self.version}"
        return self.name or self.target
