"""Registry-metadata signals for one locked version: how old it is, and what changed since the version
before it (maintainers, install scripts, bins, dependencies). Pure functions of packuments and a clock.

Fields a registry or mirror leaves out (`time`, `maintainers`) make the matching signal "unavailable":
no finding, and the caller can say so; they never fail the check."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from airlock.analysis.rules import metadata as rules
from airlock.model import Evidence, Finding
from airlock.registry.packument import Maintainer, Packument, VersionManifest
from airlock.registry.semver import PrecedenceKey, precedence_key

SECURITY_PLACEHOLDER_VERSION = "0.0.1-security"
YOUNG_PACKAGE_AGE = timedelta(days=30)
"""A package first published less than this long ago is young itself: a young version of it is reviewed."""
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


@dataclass(frozen=True, slots=True)
class _Account:
    """A maintainer as npm knows them: the account name and its e-mail, trimmed and lower-cased (whitespace
    runs collapsed), the e-mail empty when the registry gives none."""

    name: str
    email: str
    shown: str

    @classmethod
    def of(cls, person: Maintainer) -> _Account:
        return cls(" ".join(person.name.lower().split()), (person.email or "").strip().lower(), person.name)

    def same_as(self, other: _Account) -> bool:
        """One account under a changed display name or a changed e-mail is the same account (issue 11: chalk's
        maintainer changed display name, acorn's changed e-mail); only a change of both is someone else."""
        return (bool(self.name) and self.name == other.name) or (
            bool(self.email) and self.email == other.email
        )


def _accounts(people: tuple[Maintainer, ...] | None) -> tuple[_Account, ...] | None:
    return None if people is None else tuple(_Account.of(p) for p in people)


def _newcomers(people: tuple[_Account, ...], before: tuple[_Account, ...]) -> list[str]:
    return sorted({p.shown for p in people if not any(p.same_as(b) for b in before)})


def _day_count(days: str) -> str:
    return f"{days} day" if days == "1" else f"{days} days"


def _days(age: timedelta) -> str:
    return f"{_day_count(f'{max(age.total_seconds(), 0) / 86400:.1f}')} ago"


def age_finding(
    packument: Packument, version: str, context: MetadataContext, changes: VersionChanges | None = None
) -> Finding | None:
    """young-version (information) for a version younger than the minimum release age, or
    young-version-changes (review) when it also changes what matters or its package is young itself."""
    published = packument.time.get(version)
    if published is None:
        return None
    age = context.now - published
    if age >= context.min_age:
        return None
    said = (
        f"{packument.name}@{version} was published {published:%Y-%m-%d %H:%M} UTC, {_days(age)} "
        f"(minimum release age: {_day_count(f'{context.min_age.total_seconds() / 86400:g}')})"
    )
    reasons = list(changes.reasons) if changes is not None else []
    created = packument.created
    if created is not None and context.now - created < YOUNG_PACKAGE_AGE:
        reasons.append(
            f"the package itself was first published {created:%Y-%m-%d}, {_days(context.now - created)}"
        )
    if not reasons:
        return rules.YOUNG_VERSION.finding(said, context.evidence)
    return rules.YOUNG_VERSION_CHANGES.finding(f"{said}, and {'; '.join(reasons)}", context.evidence)


@dataclass(frozen=True, slots=True)
class VersionChanges:
    """What `version` changes since `previous`, from the two manifests of one packument."""

    version: VersionManifest
    previous: VersionManifest
    added_maintainers: tuple[str, ...] | None
    """None when either version's maintainers are unknown."""
    removed_maintainers: tuple[str, ...] | None
    new_publisher: str | None
    """The publishing account (`_npmUser`), when it neither published nor maintained the previous version."""
    install_scripts: Mapping[str, str]
    """Install scripts this version runs where the previous ran none (empty: none new)."""
    install_script_flag_only: bool
    """The registry says this version runs an install script (and the previous none) without saying which."""
    added_bins: tuple[str, ...]
    added_dependencies: tuple[str, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The changes that make a young version worth a review, as evidence."""
        before = f"{self.previous.name}@{self.previous.version}"
        out: list[str] = []
        if self.added_maintainers:
            out.append(f"adds maintainers not on {before}: {', '.join(self.added_maintainers)}")
        if self.new_publisher is not None:
            out.append(
                f"was published by {self.new_publisher}, who neither published nor maintained {before}"
            )
        if self.install_scripts:
            out.append(f"adds install scripts that {before} did not have ({', '.join(self.install_scripts)})")
        elif self.install_script_flag_only:
            out.append(f"runs an install script; {before} did not")
        if self.added_dependencies:
            out.append(f"adds dependencies not in {before}: {_listed(self.added_dependencies)}")
        return tuple(out)


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def changes_since(manifest: VersionManifest, previous: VersionManifest) -> VersionChanges:
    old_people, new_people = _accounts(previous.maintainers), _accounts(manifest.maintainers)
    added: tuple[str, ...] | None = None
    removed: tuple[str, ...] | None = None
    if old_people is not None and new_people is not None:
        added = tuple(_newcomers(new_people, old_people))
        removed = tuple(_newcomers(old_people, new_people))
    new_publisher = None
    known = (*([_Account.of(previous.publisher)] if previous.publisher else []), *(old_people or ()))
    if manifest.publisher is not None and known:
        publisher = _Account.of(manifest.publisher)
        if not any(publisher.same_as(k) for k in known):
            new_publisher = manifest.publisher.name
    scripts: dict[str, str] = {}
    flag_only = False
    if not previous.install_scripts and not previous.has_install_script:
        scripts = {k: manifest.install_scripts[k] for k in sorted(manifest.install_scripts)}
        flag_only = not scripts and manifest.has_install_script
    return VersionChanges(
        version=manifest,
        previous=previous,
        added_maintainers=added,
        removed_maintainers=removed,
        new_publisher=new_publisher,
        install_scripts=scripts,
        install_script_flag_only=flag_only,
        added_bins=tuple(sorted(set(manifest.bin) - set(previous.bin))),
        added_dependencies=tuple(
            sorted(
                (set(manifest.dependencies) | set(manifest.optional_dependencies))
                - (set(previous.dependencies) | set(previous.optional_dependencies))
            )
        ),
    )


@dataclass(frozen=True, slots=True)
class VersionSignals:
    findings: tuple[Finding, ...]
    added_dependencies: tuple[str, ...]
    """Dependencies this version has that the version before it did not (for cross-package checks)."""
    unavailable: tuple[str, ...] = ()
    """Rules that could not be judged for this version because the document lacks the field they need."""


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
    unavailable: list[str] = []
    if version not in packument.time:
        unavailable.append(rules.YOUNG_VERSION.id)
    previous = previous_version(packument, version)
    changes = changes_since(manifest, previous) if previous is not None else None
    young = age_finding(packument, version, context, changes)
    if young is not None:
        findings.append(young)
    if manifest.deprecated:
        findings.append(
            rules.DEPRECATED.finding(
                f"{packument.name}@{version} is deprecated: {manifest.deprecated[:200]}", context.evidence
            )
        )
    if changes is None:
        return VersionSignals(tuple(findings), (), tuple(unavailable))
    if changes.added_maintainers is None:
        unavailable.append(rules.MAINTAINERS_CHANGED.id)
    findings.extend(_change_findings(changes, context))
    return VersionSignals(tuple(findings), changes.added_dependencies, tuple(unavailable))


def _change_findings(changes: VersionChanges, context: MetadataContext) -> Iterator[Finding]:
    """What changed from the previous version: maintainers, install scripts, bins, dependencies."""
    manifest, previous = changes.version, changes.previous
    label = f"{manifest.name}@{manifest.version}"
    before = f"{previous.name}@{previous.version}"
    if changes.added_maintainers or changes.removed_maintainers:
        yield rules.MAINTAINERS_CHANGED.finding(
            f"maintainers of {label} differ from {before}: added "
            f"{', '.join(changes.added_maintainers or ()) or 'none'}; removed "
            f"{', '.join(changes.removed_maintainers or ()) or 'none'}",
            context.evidence,
        )
    if changes.install_scripts:
        shown = "; ".join(f"{k}: {v[:80]}" for k, v in changes.install_scripts.items())
        yield rules.INSTALL_SCRIPT_ADDED.finding(
            f"{label} adds install scripts that {before} did not have ({shown})", context.evidence
        )
    elif changes.install_script_flag_only:
        yield rules.INSTALL_SCRIPT_ADDED.finding(
            f"{label} runs an install script; {before} did not", context.evidence
        )
    if changes.added_bins:
        shadowing = [b for b in changes.added_bins if b in _SHADOWED_COMMANDS]
        yield rules.BIN_ADDED.finding(
            f"{label} adds executables {', '.join(changes.added_bins)} (not in {before})"
            + (f"; {', '.join(shadowing)} shadows a common command" if shadowing else ""),
            context.evidence,
            severity=rules.INSTALL_SCRIPT_ADDED.severity if shadowing else None,
        )
    if changes.added_dependencies:
        yield rules.DEPENDENCY_ADDED.finding(
            f"{label} adds dependencies not in {before}: {_listed(changes.added_dependencies)}",
            context.evidence,
        )
