"""npm's semver semantics, typed: validity, ranges, ordering, and npm-pick-manifest's choice of a version.

Range matching and ordering come from `nodesemver` (a port of node-semver), always in npm's `loose` mode.
Version validity is checked here with node-semver's anchored LOOSE grammar, because the port matches
unanchored (it would call "1.2.3.4" a version). Selectors are classified as npm-package-arg does: a valid
version, else a valid range, else a dist-tag (which must be URL-safe).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import cmp_to_key, lru_cache
from typing import Any

from airlock.errors import BadInputError, UsageError
from airlock.registry.packument import Packument, VersionManifest

DEFAULT_TAG = "latest"
MAX_LENGTH = 256
_MAX_RANGE_LENGTH = 1024
_MAX_SAFE_INTEGER = 2**53 - 1

# node-semver's LOOSE: `^[v=\s]*MAJOR.MINOR.PATCH(-?PRERELEASE)?(+BUILD)?$`.
_IDENT = r"(?:\d+|\d*[a-zA-Z-][a-zA-Z0-9-]*)"
_LOOSE = re.compile(
    r"^[v=\s]*(\d+)\.(\d+)\.(\d+)"
    rf"(?:-?({_IDENT}(?:\.{_IDENT})*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
# What survives `encodeURIComponent` unchanged: npm-package-arg's test for a valid tag name.
_TAG = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")


class InvalidVersionError(BadInputError):
    def __init__(self, version: str) -> None:
        super().__init__(
            f"not a valid semver version: {version[:100]!r}", hint="versions look like 1.2.3 or 1.2.3-beta.1"
        )
        self.version = version


class InvalidRangeError(UsageError):
    def __init__(self, selector: str, package: str | None = None) -> None:
        subject = f" for {package}" if package else ""
        super().__init__(
            f"not a valid version, range or dist-tag{subject}: {selector[:100]!r}",
            hint="use an exact version (1.2.3), a range (^1.2.0, ~1.2, 1.x, >=1.0.0 <2, 1.0.0 - 1.4.0) "
            "or a dist-tag (latest, next)",
        )
        self.selector = selector
        self.package = package


class NoMatchingVersionError(UsageError):
    """Nothing in the packument satisfies the selector."""

    def __init__(self, packument: Packument, selector: str) -> None:
        shown = selector or DEFAULT_TAG
        tags = ", ".join(f"{t}={v}" for t, v in sorted(packument.dist_tags.items())) or "none"
        newest = _newest(packument.versions, 8)
        if newest:
            hint = f"dist-tags: {tags}; newest versions: {', '.join(newest)}"
        else:
            hint = f"the registry lists no installable versions of {packument.name} (unpublished?)"
        super().__init__(f"no version of {packument.name} matches {shown!r}", hint=hint)
        self.package = packument.name
        self.selector = selector


# ---- versions ------------------------------------------------------------------------------------------


def clean_version(version: str) -> str | None:
    """node-semver's `clean(v, {loose: true})`: the canonical `1.2.3[-pre]` form, or None if not a version."""
    parsed = _loose(version)
    if parsed is None:
        return None
    numbers, pre = parsed
    out = ".".join(map(str, numbers))
    if pre:
        out += "-" + ".".join(str(int(p)) if p.isdigit() else p for p in pre.split("."))
    return out


def _loose(version: str) -> tuple[tuple[int, int, int], str | None] | None:
    """(major, minor, patch) and the prerelease text of a loose version, or None if it is not one."""
    text = version.strip()
    if len(text) > MAX_LENGTH:
        return None
    match = _LOOSE.match(text)
    if match is None:
        return None
    major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
    if max(major, minor, patch) > _MAX_SAFE_INTEGER:
        return None
    pre: str | None = match.group(4)
    return (major, minor, patch), pre


def is_valid_version(version: str) -> bool:
    return clean_version(version) is not None


@lru_cache(maxsize=8192)
def _semver(version: str) -> Any:
    import nodesemver  # here, not at import: a warm check orders versions by `precedence_key` only

    return nodesemver.make_semver(version, loose=True)


def _parsed(version: str) -> Any:
    if not is_valid_version(version):
        raise InvalidVersionError(version)
    return _semver(version.strip())


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1, by semver precedence (build metadata ignored)."""
    return int(_parsed(a).compare(_parsed(b)))


def sort_versions(versions: Iterable[str]) -> list[str]:
    """Ascending semver order; `InvalidVersionError` on anything that is not a version."""
    return sorted(versions, key=cmp_to_key(compare_versions))


PrecedenceKey = tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]


def precedence_key(version: str) -> PrecedenceKey | None:
    """A sort key that orders versions as `compare_versions` does (None for an invalid version): numbers
    compared numerically, a release above its prereleases, prerelease identifiers numeric-before-alphanumeric
    and a shorter prefix first, build metadata ignored. Computed once per version, so sorting thousands of
    versions costs no comparison calls into the semver library."""
    parsed = _loose(version)
    if parsed is None:
        return None
    (major, minor, patch), pre = parsed
    if not pre:
        return (major, minor, patch, 1, ())
    return (major, minor, patch, 0, tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")))


def version_order(versions: Iterable[str]) -> list[str]:
    """The valid versions among `versions` in ascending semver order; equal precedence (build metadata)
    keeps the given order."""
    keyed = [(key, v) for v in versions if (key := precedence_key(v)) is not None]
    keyed.sort(key=lambda item: item[0])
    return [v for _, v in keyed]


def _newest(versions: Iterable[str], count: int) -> list[str]:
    valid = [v for v in versions if is_valid_version(v)]
    return sort_versions(valid)[::-1][:count]


# ---- ranges --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _range(text: str) -> Any:
    if len(text) > _MAX_RANGE_LENGTH:
        return None
    import nodesemver

    try:
        if nodesemver.valid_range(text, True) is None:
            return None
        return nodesemver.make_range(text, loose=True)
    except (ValueError, TypeError, IndexError, AttributeError, KeyError, RecursionError):
        return None


def is_valid_range(text: str) -> bool:
    return _range(text) is not None


def _require_range(text: str) -> Any:
    compiled = _range(text)
    if compiled is None:
        raise InvalidRangeError(text)
    return compiled


def _test(compiled: Any, version: str) -> bool:
    if not is_valid_version(version):
        return False
    try:
        return bool(compiled.test(_semver(version.strip())))
    except (ValueError, TypeError, IndexError, AttributeError):
        return False


def satisfies(version: str, range_: str) -> bool:
    """npm's `semver.satisfies(version, range, {loose: true})`. An invalid version never satisfies;
    an invalid range raises `InvalidRangeError` (check with `is_valid_range` first if that is expected)."""
    return _test(_require_range(range_), version)


def max_satisfying(versions: Iterable[str], range_: str) -> str | None:
    """The highest of `versions` in `range_`, skipping strings that are not versions."""
    compiled = _require_range(range_)
    matching = [v for v in versions if _test(compiled, v)]
    return max(matching, key=cmp_to_key(compare_versions)) if matching else None


# ---- npm-pick-manifest ---------------------------------------------------------------------------------


def _published_before(packument: Packument, version: str, before: datetime | None) -> bool:
    # As npm's `--before`: versions without a known publish time are kept.
    if before is None:
        return True
    stamp = packument.time.get(version)
    return stamp is None or stamp <= before


def pick_version(packument: Packument, selector: str, *, before: datetime | None = None) -> VersionManifest:
    """The version npm would install for `name@selector` (npm-pick-manifest, without engines/staging):

    * '' → the `latest` dist-tag, unless it is deprecated (then as the range `*`);
    * an exact version → that version only;
    * a dist-tag → that tag's version only;
    * a range → `latest` if it satisfies the range and is not deprecated, else the highest satisfying
      non-deprecated version, else the highest satisfying one. Prereleases match only ranges that name a
      prerelease of the same major.minor.patch.

    `before` excludes versions published after it, like `npm install --before`.
    """
    wanted = selector.strip()
    versions = packument.versions

    if wanted and is_valid_version(wanted):
        cleaned = clean_version(wanted)
        manifest = versions.get(cleaned or "") or versions.get(wanted)
        if manifest is None or not _published_before(packument, manifest.version, before):
            raise NoMatchingVersionError(packument, selector)
        return manifest

    if wanted and _range(wanted) is None:
        if not _TAG.match(wanted):
            raise InvalidRangeError(wanted, packument.name)
        tagged = packument.dist_tags.get(wanted)
        if tagged is None or tagged not in versions:
            raise NoMatchingVersionError(packument, selector)
        if _published_before(packument, tagged, before):
            return versions[tagged]
        try:
            return pick_version(packument, f"<={tagged}", before=before)
        except NoMatchingVersionError:
            raise NoMatchingVersionError(packument, selector) from None

    range_ = wanted or "*"
    compiled = _require_range(range_)
    latest = packument.dist_tags.get(DEFAULT_TAG)
    if latest is not None and latest in versions and (range_ == "*" or _test(compiled, latest)):
        manifest = versions[latest]
        if manifest.deprecated is None and _published_before(packument, latest, before):
            return manifest

    candidates = [
        m for v, m in versions.items() if _published_before(packument, v, before) and _test(compiled, v)
    ]
    if not candidates:
        raise NoMatchingVersionError(packument, selector)

    def rank(a: VersionManifest, b: VersionManifest) -> int:
        not_deprecated = (a.deprecated is None) - (b.deprecated is None)
        return not_deprecated or compare_versions(a.version, b.version)

    return max(candidates, key=cmp_to_key(rank))
