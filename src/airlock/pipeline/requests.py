"""What a `PackageSource` asks the pipeline to do: one typed request per report entry, in report order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from airlock.errors import AirlockError
from airlock.patches import PatchFile
from airlock.targets import RegistryTarget


@dataclass(frozen=True, slots=True)
class FromRegistry:
    """A registry package: `target.selector` is a range, tag or version (scan) or an exact version that must
    exist as written (`exact`, a lockfile entry)."""

    target: RegistryTarget
    exact: bool = False


@dataclass(frozen=True, slots=True)
class FromTarball:
    path: Path


@dataclass(frozen=True, slots=True)
class FromUrl:
    """A tarball URL: downloaded (timeout, size cap), analysed, and reported as unverifiable."""

    url: str


@dataclass(frozen=True, slots=True)
class FromDirectory:
    path: Path


@dataclass(frozen=True, slots=True)
class NotFetched:
    """An entry the pipeline reports but does not analyse (git, tarball-URL and `file:` dependencies): the
    context stage says why."""


@dataclass(frozen=True, slots=True)
class Invalid:
    """A target that could not even be understood (a malformed name): it still gets its entry."""

    error: AirlockError


Locator = FromRegistry | FromTarball | FromUrl | FromDirectory | NotFetched | Invalid


@dataclass(frozen=True, slots=True)
class PackageRequest:
    label: str
    """What the user or lockfile named; the report entry's `target`."""
    locator: Locator
    name: str | None = None
    """The name the registry or lockfile installs, when known before fetching."""
    version: str | None = None
    integrity: str | None = None
    """The integrity the lockfile expects (used for a store lookup before any download)."""
    paths: tuple[str, ...] = ()
    patches: tuple[PatchFile, ...] = ()
    """Patch files the package manager applies to a registry package at install (applied before analysis)."""


__all__ = [
    "FromDirectory",
    "FromRegistry",
    "FromTarball",
    "FromUrl",
    "Invalid",
    "Locator",
    "NotFetched",
    "PackageRequest",
]
