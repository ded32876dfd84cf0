"""What each stage hands the next: frozen values returned from threads and processes, never shared state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from airlock.errors import AirlockError
from airlock.model import Finding, PackageAnalysis
from airlock.pipeline.executor import AnalysisJob
from airlock.pipeline.requests import PackageRequest
from airlock.registry.packument import VersionManifest


@dataclass(frozen=True, slots=True)
class RegistryView:
    """What the registry said about one request's version, and what the context stage made of it in the
    fetch thread (metadata findings, notes). Travels with the acquisition; nothing is written elsewhere."""

    manifest: VersionManifest | None = None
    """The registry's manifest of the version (None: not a registry package, or not found)."""
    abbreviated: bool = False
    """`manifest` comes from an abbreviated document (no `scripts`; only `hasInstallScript`)."""
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()
    added_dependencies: tuple[str, ...] = ()
    """Dependencies this version added over the previous one (the event-stream shape)."""
    created: datetime | None = None
    """When the package was first published (None: the document has no times, e.g. abbreviated)."""
    unavailable: tuple[str, ...] = ()
    """Rules the registry's document could not feed for this version (it lacks `time` or `maintainers`)."""


NO_REGISTRY = RegistryView()


@dataclass(frozen=True, slots=True)
class Identity:
    name: str | None = None
    version: str | None = None
    integrity: str | None = None


@dataclass(frozen=True, slots=True)
class ToAnalyse:
    identity: Identity
    registry: RegistryView
    job: AnalysisJob
    fetched_bytes: int = 0
    heavy: bool = False
    """Analysed one at a time: a big archive that is mostly code (next, typescript take ~0.5 GB each)."""
    holds_slot: bool = False
    """Took an in-flight download slot, freed when its analysis ends."""
    store_key: str | None = None
    """The analysis store's key (`airlock.patches.store_key`: the integrity, bound to the patches when there
    are any); None stores the analysis under `identity.integrity`."""


@dataclass(frozen=True, slots=True)
class Stored:
    identity: Identity
    registry: RegistryView
    analysis: PackageAnalysis


@dataclass(frozen=True, slots=True)
class Failed:
    identity: Identity
    registry: RegistryView
    error: AirlockError


@dataclass(frozen=True, slots=True)
class Unanalysed:
    """Reported, not fetched (git, tarball-URL, `file:` dependencies)."""

    identity: Identity
    registry: RegistryView = NO_REGISTRY


Acquired = ToAnalyse | Stored | Failed | Unanalysed


@dataclass(frozen=True, slots=True)
class PackageResult:
    """One request after acquisition and analysis, with the context stage's findings: verdict.py's input."""

    request: PackageRequest
    identity: Identity
    registry: RegistryView = NO_REGISTRY
    analysis: PackageAnalysis | None = None
    failure: AirlockError | None = None
    from_store: bool = False
    context_findings: tuple[Finding, ...] = ()


__all__ = [
    "NO_REGISTRY",
    "Acquired",
    "Failed",
    "Identity",
    "PackageResult",
    "RegistryView",
    "Stored",
    "ToAnalyse",
    "Unanalysed",
]
