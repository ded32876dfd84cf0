"""Where packages come from: `.npmrc` (npmrc), registry documents (packument), npm's version choice (semver),
the download cache (cache) and the HTTP client (client).

The seam is `RegistrySource`: `client.RegistryClient` implements it against a live registry; a registry
firewall or a mirror reader can be another module behind the same Protocol. The client module (and httpx)
is not imported here, so code that only needs semver or packument parsing stays light.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from airlock.registry.packument import Dist, Maintainer, Packument, VersionManifest
from airlock.targets import RegistryTarget

__all__ = ["Dist", "Maintainer", "Packument", "RegistrySource", "VersionManifest"]


@runtime_checkable
class RegistrySource(Protocol):
    """Resolves `name@selector` to a version and hands out that version's verified tarball bytes."""

    def packument(self, name: str, *, full: bool = False) -> Packument: ...

    def resolve(self, target: RegistryTarget, *, before: datetime | None = None) -> VersionManifest: ...

    def fetch_tarball(self, manifest: VersionManifest) -> bytes:
        """Bytes verified against `manifest.dist` (raises `airlock.integrity.IntegrityError` otherwise)."""
        ...

    def close(self) -> None: ...
