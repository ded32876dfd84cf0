"""The context stage: what the bytes cannot tell. A `PackageSource` says what to analyse and supplies the
`ContextStage` that knows the installed name, the registry's manifest, and (for a tree) the lockfile.

`ContextStage.registry` runs in a fetch thread and returns a `RegistryView`; `ContextStage.finish` runs once
in the main thread over every result. Neither writes shared state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from airlock.analysis.rules import lockfile as lockfile_rules
from airlock.analysis.rules import manifest as manifest_rules
from airlock.analysis.rules.typosquat import NameAges, imitation_finding
from airlock.errors import AirlockError
from airlock.lifecycle import REGISTRY_INSTALL_SCRIPTS
from airlock.model import DeclaredManifest, Evidence, Finding
from airlock.pipeline.requests import FromUrl, PackageRequest
from airlock.pipeline.results import PackageResult, RegistryView
from airlock.registry.npmrc import redact_url
from airlock.registry.packument import Packument, VersionManifest


class ContextStage(Protocol):
    @property
    def full_packuments(self) -> bool:
        """Whether registry requests need the full document (times, maintainers, scripts)."""
        ...

    def registry(
        self, index: int, request: PackageRequest, packument: Packument, manifest: VersionManifest | None
    ) -> RegistryView:
        """In a fetch thread: what the registry's document says about request `index`."""
        ...

    def finish(self, results: Sequence[PackageResult]) -> tuple[PackageResult, ...]:
        """Once, over all results (in request order): add the findings only the context knows."""
        ...


class PackageSource(Protocol):
    """Where requests come from: scan targets, a lockfile tree; later diff pairs, policy trees, install
    plans. Each is one implementation of this Protocol, with its own context stage."""

    def requests(self) -> Sequence[PackageRequest]: ...

    @property
    def context(self) -> ContextStage: ...


FullManifest = Callable[[str, str], VersionManifest | None]
"""Fetch a version's manifest from the full document, for confirming what an abbreviated one omits."""
FirstPublished = Callable[[str], datetime | None]
"""When a package was first published, from its full document (for weighing a look-alike name's age)."""


class PackageContext:
    """Context every source shares: typosquats judged on the name that is installed (not the one the tarball
    claims) and manifest confusion between the registry's manifest and the tarball's package.json."""

    def __init__(
        self,
        full_manifest: FullManifest | None = None,
        *,
        first_published: FirstPublished | None = None,
        now: datetime | None = None,
    ) -> None:
        self._full_manifest = full_manifest
        self._first_published = first_published
        self._clock = now

    @property
    def full_packuments(self) -> bool:
        return False

    def registry(
        self, index: int, request: PackageRequest, packument: Packument, manifest: VersionManifest | None
    ) -> RegistryView:
        return RegistryView(manifest=manifest, abbreviated=packument.abbreviated, created=packument.created)

    def finish(self, results: Sequence[PackageResult]) -> tuple[PackageResult, ...]:
        # A look-alike that was published before the name it resembles (both in this run) imitates nothing.
        created = {
            r.identity.name: r.registry.created
            for r in results
            if r.identity.name and r.registry.created is not None
        }
        now = self._clock or datetime.now(UTC)
        return tuple(self.package_findings(i, r, NameAges(now, known=created)) for i, r in enumerate(results))

    def name_evidence(self, index: int, result: PackageResult, name: str) -> Evidence:
        """Where the installed name is written (the lockfile entry for a tree; package.json otherwise)."""
        return Evidence("package.json", 1, None, f'"name": "{name}"')

    def package_findings(
        self, index: int, result: PackageResult, ages: NameAges | None = None
    ) -> PackageResult:
        findings: list[Finding] = []
        locator = result.request.locator
        if isinstance(locator, FromUrl) and result.identity.integrity is not None:
            findings.append(_unverifiable_url(locator.url, result.identity.integrity))
        name = result.identity.name or (result.analysis.name if result.analysis else None)
        if name:
            evidence = self.name_evidence(index, result, name)
            if ages is not None:
                ages = replace(ages, candidate=result.registry.created)
            squat = imitation_finding(name, evidence, ages)
            if squat is not None and ages is not None and ages.candidate is None:
                # Only a look-alike is worth the full document (abbreviated ones carry no publish times).
                created = self._created(name) if result.registry.manifest is not None else None
                if created is not None:
                    squat = imitation_finding(name, evidence, replace(ages, candidate=created))
            if squat is not None:
                findings.append(squat)
        manifest = result.registry.manifest
        declared = result.analysis.declared if result.analysis is not None else None
        if manifest is not None and declared is not None:
            findings.extend(self._confusion(manifest, declared, abbreviated=result.registry.abbreviated))
        if not findings:
            return result
        return replace(result, context_findings=(*result.context_findings, *findings))

    def _created(self, name: str) -> datetime | None:
        if self._first_published is None:
            return None
        try:
            return self._first_published(name)
        except AirlockError:
            return None  # judged as of unknown age, and the message says so

    def _confusion(
        self, manifest: VersionManifest, declared: DeclaredManifest, *, abbreviated: bool
    ) -> list[Finding]:
        findings = manifest_differences(manifest, declared)
        suspect = hidden_install_scripts(manifest, declared, abbreviated=abbreviated) or _unlisted_build(
            manifest, declared, abbreviated=abbreviated
        )
        if suspect and abbreviated and self._full_manifest is not None:
            # An abbreviated document carries only `hasInstallScript`: confirm against the full manifest
            # before calling a script hidden.
            try:
                full = self._full_manifest(manifest.name, manifest.version)
            except AirlockError:
                full = None
            if full is not None:
                manifest, abbreviated = full, False
        if _unlisted_build(manifest, declared, abbreviated=abbreviated):
            findings.append(
                manifest_rules.MANIFEST_MISMATCH.finding(
                    f"{manifest.name}@{manifest.version}: the tarball ships binding.gyp, so npm builds native "
                    "code at install (`node-gyp rebuild`), but the registry's manifest lists no install step",
                    Evidence("binding.gyp", 1),
                )
            )
        for script, command in hidden_install_scripts(manifest, declared, abbreviated=abbreviated):
            said = (
                f"says `{script}: {manifest.scripts[script]}`"
                if script in manifest.scripts
                else "lists no such script"
            )
            findings.append(
                manifest_rules.HIDDEN_INSTALL_SCRIPT.finding(
                    f"the tarball's package.json runs `{script}: {command}` at install, but the registry's "
                    f"manifest of {manifest.name}@{manifest.version} {said}",
                    Evidence("package.json", 1, None, f'"{script}": "{command}"'),
                )
            )
        return findings


def _unverifiable_url(url: str, integrity: str) -> Finding:
    return lockfile_rules.UNVERIFIABLE_SOURCE.finding(
        f"{redact_url(url)} is a tarball URL, not a registry package: there is no published integrity to "
        f"verify the download against (what was downloaded and analysed: {integrity})",
        Evidence(redact_url(url), 1),
    )


def _unlisted_build(manifest: VersionManifest, declared: DeclaredManifest, *, abbreviated: bool) -> bool:
    """npm runs `node-gyp rebuild` for a tarball with binding.gyp and no install/preinstall script; the
    registry's manifest of such a version lists that install step (npm adds it when publishing)."""
    if not declared.has_binding_gyp or declared.gypfile is False:
        return False
    if any(s in ("install", "preinstall") for s, _ in declared.scripts):
        return False
    if abbreviated:
        return not manifest.has_install_script
    return not manifest.gypfile and not ({"install", "preinstall"} & set(manifest.scripts))


def hidden_install_scripts(
    manifest: VersionManifest, declared: DeclaredManifest, *, abbreviated: bool
) -> list[tuple[str, str]]:
    """Install scripts the tarball declares that the registry's manifest does not (npm runs the tarball's)."""
    scripts = dict(declared.scripts)
    explicit = [(s, scripts[s]) for s in REGISTRY_INSTALL_SCRIPTS if s in scripts]
    if abbreviated:
        # Only `hasInstallScript` to go on: any install script is fine when it says so.
        return [] if manifest.has_install_script else explicit
    return [(s, command) for s, command in explicit if manifest.scripts.get(s, "").strip() != command.strip()]


_VERSION_PREFIX = re.compile(r"^[=v\s]+")


def manifest_differences(manifest: VersionManifest, declared: DeclaredManifest) -> list[Finding]:
    """Differences npm's own publishing never produces (it derives the registry's manifest from the
    tarball's package.json, normalising version prefixes, bin strings and optional dependencies)."""
    where = Evidence("package.json", 1)
    subject = f"{manifest.name}@{manifest.version}"
    out: list[Finding] = []

    def differ(what: str) -> None:
        out.append(manifest_rules.MANIFEST_MISMATCH.finding(f"{subject}: {what}", where))

    if declared.name is not None and declared.name != manifest.name:
        differ(
            f"the tarball's package.json is named {declared.name!r}, the registry installs {manifest.name!r}"
        )
    if declared.version is not None and _VERSION_PREFIX.sub("", declared.version) != manifest.version:
        differ(f"the tarball's package.json says version {declared.version!r}")
    registry_deps = {*manifest.dependencies, *manifest.optional_dependencies}
    only_registry = sorted(registry_deps - set(declared.dependencies))
    only_tarball = sorted(set(declared.dependencies) - registry_deps)
    if only_registry:
        differ(
            "the registry's manifest has dependencies the tarball's package.json does not declare "
            f"(npm installs them): {', '.join(only_registry)}"
        )
    if only_tarball:
        differ(
            "the tarball's package.json declares dependencies the registry's manifest does not "
            f"(npm will not install them; readers of the tarball see them): {', '.join(only_tarball)}"
        )
    registry_bins = dict(manifest.bin)
    changed_bins = sorted(
        name for name, target in declared.bin if _bin_path(registry_bins.get(name)) != _bin_path(target)
    )
    if changed_bins:
        differ(
            "the tarball's package.json links commands the registry's manifest does not list (or points them "
            f"elsewhere): {', '.join(changed_bins)}"
        )
    return out


def _bin_path(path: str | None) -> str | None:
    if path is None:
        return None
    return path.removeprefix("./")


__all__ = [
    "ContextStage",
    "FirstPublished",
    "FullManifest",
    "PackageContext",
    "PackageSource",
    "hidden_install_scripts",
    "manifest_differences",
]
