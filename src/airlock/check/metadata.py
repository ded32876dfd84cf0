"""Registry-metadata signals for one locked version: how old it is, and what changed since the version
before it (maintainers, install scripts, bins, dependencies). Pure functions of packuments and a clock.

Fields a registry or mirror leaves out (`time`, `maintainers`) make the matching signal "unavailable":
no finding, and the caller can say so; they never fail the check."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from airlock.analysis.rules import metadata as rules
from airlock.model import Evidence, Finding
from airlock.registry.packument import Packument, VersionManifest
from airlock.registry.semver import PrecedenceKey, precedence_key

SECURITY_PLACEHOLDER_VERSION = "0.0.1-security"
_SHADOWED_COMMANDS = frozenset({"node", "npm", "npx", "git", "sh", "bash", "yarn", "pnpm", "python", "curl"})


@dataclass(frozen=True, slots=True)
class MetadataContext:
    now: datetime
    min_age: timedelta
    evidence: Evidence
    """Where the finding points (the package's lockfile entry)."""


def _is_prerelease(version: str) -> bool:
    return "-" in version.split("+", 1)[0]


def previous_version(packument: Packument, version: str) -> VersionManifest | None:
    """The highest version below `version` (stable versions only, unless `version` is a prerelease); of
    versions of equal precedence (differing in build metadata), the first in the document."""
    key = precedence_key(version)
    if key is None:
        return None
    prerelease = _is_prerelease(version)
    order = packument.version_order
    if order is None or version not in packument.versions:
        return _previous_by_scan(packument, version, key, prerelease)
    # Sorted ascending: the answer is the nearest earlier entry that passes the filter and is strictly
    # below `version`, moved back to the first of its equal-precedence run.
    index = order.index(version)
    for position in range(index - 1, -1, -1):
        candidate = order[position]
        if not prerelease and _is_prerelease(candidate):
            continue
        candidate_key = precedence_key(candidate)
        if candidate_key is None or candidate_key >= key:
            continue
        first = position
        while first > 0 and precedence_key(order[first - 1]) == candidate_key:
            first -= 1
        return packument.versions.get(order[first])
    return None


def _previous_by_scan(
    packument: Packument, version: str, key: PrecedenceKey, prerelease: bool
) -> VersionManifest | None:
    best: str | None = None
    best_key: PrecedenceKey | None = None
    for candidate in packument.versions:
        if candidate == version or (not prerelease and _is_prerelease(candidate)):
            continue
        candidate_key = precedence_key(candidate)
        if (
            candidate_key is not None
            and candidate_key < key
            and (best_key is None or candidate_key > best_key)
        ):
            best, best_key = candidate, candidate_key
    return packument.versions.get(best) if best is not None else None


def _maintainer_names(manifest: VersionManifest) -> frozenset[tuple[str, str]] | None:
    """(name, e-mail) per maintainer, lower-cased (the e-mail is empty when the registry gives none)."""
    if manifest.maintainers is None:
        return None
    return frozenset((m.name.strip().lower(), (m.email or "").strip().lower()) for m in manifest.maintainers)


def _known(name: str, email: str, people: frozenset[tuple[str, str]]) -> bool:
    """The same maintainer under a new display name or a new e-mail is not a new maintainer (issue 11): a
    person is known when either their name or their e-mail was there before."""
    return any(name == n or (email and email == e) for n, e in people)


def age_finding(packument: Packument, version: str, context: MetadataContext) -> Finding | None:
    published = packument.time.get(version)
    if published is None:
        return None
    age = context.now - published
    if age >= context.min_age:
        return None
    days = max(age.total_seconds(), 0) / 86400
    return rules.YOUNG_VERSION.finding(
        f"{packument.name}@{version} was published {published:%Y-%m-%d %H:%M} UTC, {days:.1f} days ago "
        f"(minimum release age: {context.min_age.total_seconds() / 86400:g} days)",
        context.evidence,
    )


@dataclass(frozen=True, slots=True)
class VersionSignals:
    findings: tuple[Finding, ...]
    added_dependencies: tuple[str, ...]
    """Dependencies this version has that the version before it did not (for cross-package checks)."""


def version_signals(packument: Packument, version: str, context: MetadataContext) -> VersionSignals:
    """Every metadata signal for `packument.name@version`, comparing against the previous version once."""
    findings: list[Finding] = []
    if packument.dist_tags.get("latest") == SECURITY_PLACEHOLDER_VERSION:
        # npm's security team replaced the package as a whole; an old 0.0.1-security among other versions
        # (tslib has one) is a name reclaimed long ago, not a takedown.
        pinned = "" if version == SECURITY_PLACEHOLDER_VERSION else f"; the lockfile pins {version}"
        findings.append(
            rules.SECURITY_PLACEHOLDER.finding(
                f"npm replaced {packument.name} with the {SECURITY_PLACEHOLDER_VERSION} placeholder "
                f"(removed as malware){pinned}",
                context.evidence,
            )
        )
    manifest = packument.versions.get(version)
    if manifest is None:
        return VersionSignals(tuple(findings), ())
    young = age_finding(packument, version, context)
    if young is not None:
        findings.append(young)
    if manifest.deprecated:
        findings.append(
            rules.DEPRECATED.finding(
                f"{packument.name}@{version} is deprecated: {manifest.deprecated[:200]}", context.evidence
            )
        )
    previous = previous_version(packument, version)
    if previous is None:
        return VersionSignals(tuple(findings), ())
    added = tuple(
        sorted(
            (set(manifest.dependencies) | set(manifest.optional_dependencies))
            - (set(previous.dependencies) | set(previous.optional_dependencies))
        )
    )
    findings.extend(_changes(manifest, previous, added, context))
    return VersionSignals(tuple(findings), added)


def _changes(
    manifest: VersionManifest,
    previous: VersionManifest,
    added_deps: tuple[str, ...],
    context: MetadataContext,
) -> Iterator[Finding]:
    """What changed from `previous` to `manifest`: maintainers, install scripts, bins, dependencies."""
    label = f"{manifest.name}@{manifest.version}"
    before = f"{previous.name}@{previous.version}"
    old_people, new_people = _maintainer_names(previous), _maintainer_names(manifest)
    if old_people is not None and new_people is not None:
        added = sorted(name for name, account in new_people if not _known(name, account, old_people))
        removed = sorted(name for name, account in old_people if not _known(name, account, new_people))
        if added or removed:
            yield rules.MAINTAINERS_CHANGED.finding(
                f"maintainers of {label} differ from {before}: added {', '.join(added) or 'none'}; "
                f"removed {', '.join(removed) or 'none'}",
                context.evidence,
            )
    new_scripts = sorted(set(manifest.install_scripts) - set(previous.install_scripts))
    if new_scripts and not previous.install_scripts and not previous.has_install_script:
        shown = "; ".join(f"{k}: {manifest.install_scripts[k][:80]}" for k in new_scripts)
        yield rules.INSTALL_SCRIPT_ADDED.finding(
            f"{label} adds install scripts that {before} did not have ({shown})", context.evidence
        )
    elif manifest.has_install_script and not previous.has_install_script and not previous.install_scripts:
        yield rules.INSTALL_SCRIPT_ADDED.finding(
            f"{label} runs an install script; {before} did not", context.evidence
        )
    new_bins = sorted(set(manifest.bin) - set(previous.bin))
    if new_bins:
        shadowing = [b for b in new_bins if b in _SHADOWED_COMMANDS]
        yield rules.BIN_ADDED.finding(
            f"{label} adds executables {', '.join(new_bins)} (not in {before})"
            + (f"; {', '.join(shadowing)} shadows a common command" if shadowing else ""),
            context.evidence,
            severity=rules.INSTALL_SCRIPT_ADDED.severity if shadowing else None,
        )
    if added_deps:
        yield rules.DEPENDENCY_ADDED.finding(
            f"{label} adds dependencies not in {before}: {', '.join(added_deps[:10])}"
            + (f" and {len(added_deps) - 10} more" if len(added_deps) > 10 else ""),
            context.evidence,
        )
