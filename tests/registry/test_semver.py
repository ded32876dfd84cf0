"""npm semver semantics: npm's documented range table, npm-pick-manifest's choice, and properties."""

from __future__ import annotations

import contextlib
import itertools
import json
from datetime import UTC, datetime, timedelta
from functools import cmp_to_key
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from airlock.errors import UsageError
from airlock.registry.packument import Packument, parse_packument
from airlock.registry.semver import (
    InvalidRangeError,
    InvalidVersionError,
    NoMatchingVersionError,
    clean_version,
    compare_versions,
    is_valid_range,
    is_valid_version,
    max_satisfying,
    pick_version,
    satisfies,
    sort_versions,
)

# (version, range, satisfies?) — from npm's semver documentation and node-semver's range tests.
TABLE = [
    # caret
    ("1.2.3", "^1.2.3", True),
    ("1.9.9", "^1.2.3", True),
    ("2.0.0", "^1.2.3", False),
    ("1.2.2", "^1.2.3", False),
    ("0.2.3", "^0.2.3", True),
    ("0.2.9", "^0.2.3", True),
    ("0.3.0", "^0.2.3", False),
    ("0.0.3", "^0.0.3", True),
    ("0.0.4", "^0.0.3", False),
    ("1.2.3-beta.4", "^1.2.3-beta.2", True),
    ("1.2.4-beta.2", "^1.2.3-beta.2", False),
    ("0.0.3-pr.2", "^0.0.3-beta", True),
    ("1.2.0", "^1.2.x", True),
    ("0.0.9", "^0.0.x", True),
    ("0.1.0", "^0.0.x", False),
    ("0.9.0", "^0.x", True),
    ("1.0.0", "^0.x", False),
    # tilde
    ("1.2.9", "~1.2", True),
    ("1.3.0", "~1.2", False),
    ("1.2.3", "~1.2.3", True),
    ("1.2.99", "~1.2.3", True),
    ("1.3.0", "~1.2.3", False),
    ("1.9.0", "~1", True),
    ("2.0.0", "~1", False),
    ("0.2.5", "~0.2", True),
    ("1.2.3-beta.4", "~1.2.3-beta.2", True),
    ("1.2.4-beta.2", "~1.2.3-beta.2", False),
    # x-ranges and unions
    ("1.5.0", "1.x || >=2.5.0", True),
    ("2.4.0", "1.x || >=2.5.0", False),
    ("2.5.0", "1.x || >=2.5.0", True),
    ("3.0.0", "1.x || >=2.5.0", True),
    ("1.2.0", "1.2.x", True),
    ("1.3.0", "1.2.x", False),
    ("7.0.0", "*", True),
    ("7.0.0", "", True),
    ("1.0.0", "1", True),
    ("2.0.0", "1", False),
    # hyphen ranges
    ("1.2.3", "1.2.3 - 2.3.4", True),
    ("2.3.4", "1.2.3 - 2.3.4", True),
    ("2.3.5", "1.2.3 - 2.3.4", False),
    ("1.2.2", "1.2.3 - 2.3.4", False),
    ("2.3.9", "1.2.3 - 2.3", True),
    ("2.4.0", "1.2.3 - 2.3", False),
    ("2.9.9", "1.2.3 - 2", True),
    ("3.0.0", "1.2.3 - 2", False),
    ("1.2.0", "1.2 - 2.3.4", True),
    # comparators
    ("1.2.7", ">=1.2.7", True),
    ("1.2.6", ">=1.2.7", False),
    ("1.2.8", ">=1.2.7 <1.3.0", True),
    ("1.3.0", ">=1.2.7 <1.3.0", False),
    ("1.2.7", "1.2.7 || >=1.2.9 <2.0.0", True),
    ("1.2.8", "1.2.7 || >=1.2.9 <2.0.0", False),
    ("1.4.6", "1.2.7 || >=1.2.9 <2.0.0", True),
    ("1.2.3", "=1.2.3", True),
    ("1.2.3", "v1.2.3", True),
    # prereleases match only when the range names one on the same [major, minor, patch]
    ("1.2.3-alpha.7", ">1.2.3-alpha.3", True),
    ("3.4.5-alpha.9", ">1.2.3-alpha.3", False),
    ("3.4.5", ">1.2.3-alpha.3", True),
    ("1.0.0-beta", "*", False),
    ("1.0.0-beta", "^1.0.0", False),
    ("2.0.0-rc.1", "^1.0.0", False),
    ("2.4.0-alpha", "1.2.3 - 2.3", False),
    ("1.0.0-rc.1", "1.0.0-rc.1", True),
    # build metadata is ignored
    ("1.2.3+build.5", "1.2.3", True),
    ("1.2.3+build.5", "^1.2.0", True),
]


@pytest.mark.parametrize(("version", "range_", "expected"), TABLE)
def test_range_table(version: str, range_: str, expected: bool) -> None:
    assert satisfies(version, range_) is expected


@pytest.mark.parametrize(
    ("version", "cleaned"),
    [
        ("1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("=1.2.3", "1.2.3"),
        (" 1.2.3 ", "1.2.3"),
        ("1.2.3-beta.01", "1.2.3-beta.1"),
        ("1.2.3+build", "1.2.3"),
        ("1.2.3.4", None),
        ("1.2", None),
        ("1.2.3-", "1.2.3--"),  # node-semver's loose grammar reads a lone "-" as a prerelease too
        ("latest", None),
        ("", None),
        ("9007199254740992.0.0", None),
        ("1." * 200 + "1", None),
    ],
)
def test_clean_version(version: str, cleaned: str | None) -> None:
    assert clean_version(version) == cleaned
    assert is_valid_version(version) is (cleaned is not None)


def test_invalid_inputs() -> None:
    assert not satisfies("not-a-version", "*")
    assert not is_valid_range("latest")
    assert not is_valid_range(">=")
    assert is_valid_range("^1.0.0 || ~2.1")
    with pytest.raises(InvalidRangeError) as caught:
        satisfies("1.0.0", ">=foo")
    assert isinstance(caught.value, UsageError)
    assert caught.value.hint
    with pytest.raises(InvalidVersionError):
        sort_versions(["1.0.0", "nope"])
    with pytest.raises(InvalidVersionError):
        compare_versions("1.0.0", "1.0")


def test_sort_and_max() -> None:
    versions = [
        "1.0.0",
        "1.0.0-alpha",
        "0.9.0",
        "1.0.0-alpha.1",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
    ]
    assert sort_versions(versions) == [
        "0.9.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
    ]
    assert max_satisfying(["1.0.0", "1.2.0", "2.0.0", "junk"], "^1") == "1.2.0"
    assert max_satisfying(["2.0.0"], "^1") is None


# ---- pick_version --------------------------------------------------------------------------------------


def packument(
    versions: list[str],
    *,
    tags: dict[str, str] | None = None,
    deprecated: tuple[str, ...] = (),
    times: dict[str, datetime] | None = None,
    name: str = "pkg",
) -> Packument:
    doc: dict[str, Any] = {
        "name": name,
        "dist-tags": tags if tags is not None else ({"latest": versions[-1]} if versions else {}),
        "versions": {
            v: {
                "version": v,
                "dist": {"tarball": f"https://r/{name}-{v}.tgz"},
                **({"deprecated": "do not use"} if v in deprecated else {}),
            }
            for v in versions
        },
    }
    if times:
        doc["time"] = {v: t.isoformat() for v, t in times.items()}
    return parse_packument(json.dumps(doc).encode(), source="https://r/pkg")


VERSIONS = ["0.9.0", "1.0.0", "1.1.0", "1.2.0", "2.0.0-beta.1", "2.0.0", "2.1.0", "3.0.0-rc.1"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", "2.0.0"),  # latest tag
        ("latest", "2.0.0"),
        ("next", "3.0.0-rc.1"),
        ("*", "2.0.0"),
        ("1.1.0", "1.1.0"),
        ("v1.1.0", "1.1.0"),
        ("=1.1.0", "1.1.0"),
        ("^1", "1.2.0"),
        ("~1.1", "1.1.0"),
        (">=2", "2.0.0"),  # latest satisfies, so latest wins over the highest (2.1.0)
        ("^2.1", "2.1.0"),
        ("1.x || >=2.5.0", "1.2.0"),
        ("1.0.0 - 1.1.9", "1.1.0"),
        ("^2.0.0-beta.0", "2.0.0"),
        ("2.0.0-beta.1", "2.0.0-beta.1"),
        (">=3.0.0-rc.0", "3.0.0-rc.1"),
        ("0.x", "0.9.0"),
    ],
)
def test_pick_version(selector: str, expected: str) -> None:
    p = packument(VERSIONS, tags={"latest": "2.0.0", "next": "3.0.0-rc.1"})
    assert pick_version(p, selector).version == expected


def test_deprecated_versions_are_avoided() -> None:
    p = packument(["1.0.0", "1.1.0", "1.2.0"], tags={"latest": "1.2.0"}, deprecated=("1.2.0",))
    assert pick_version(p, "").version == "1.1.0"
    assert pick_version(p, "^1").version == "1.1.0"
    assert pick_version(p, "1.2.0").version == "1.2.0"  # asked for exactly: that one
    assert pick_version(p, "latest").version == "1.2.0"  # an explicit tag too
    everything = packument(["1.0.0", "1.1.0"], deprecated=("1.0.0", "1.1.0"))
    assert pick_version(everything, "^1.0.0").version == "1.1.0"


def test_prerelease_latest_is_used_for_star_and_empty_only() -> None:
    p = packument(["1.0.0", "2.0.0-beta.1"], tags={"latest": "2.0.0-beta.1"})
    assert pick_version(p, "").version == "2.0.0-beta.1"
    assert pick_version(p, "*").version == "2.0.0-beta.1"
    assert pick_version(p, ">=1").version == "1.0.0"


def test_no_latest_tag_falls_back_to_highest() -> None:
    p = packument(["1.0.0", "1.5.0"], tags={})
    assert pick_version(p, "").version == "1.5.0"


def test_before_excludes_newer_versions() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    times = {v: start + timedelta(days=i) for i, v in enumerate(["1.0.0", "1.1.0", "1.2.0"])}
    p = packument(["1.0.0", "1.1.0", "1.2.0"], times=times)
    cutoff = start + timedelta(days=1, hours=1)
    assert pick_version(p, "", before=cutoff).version == "1.1.0"
    assert pick_version(p, "latest", before=cutoff).version == "1.1.0"
    assert pick_version(p, "^1", before=cutoff).version == "1.1.0"
    with pytest.raises(NoMatchingVersionError):
        pick_version(p, "1.2.0", before=cutoff)


def test_no_match_message_and_hint() -> None:
    p = packument(
        ["1.0.0", "1.1.0", "2.0.0-rc.1"], tags={"latest": "1.1.0", "next": "2.0.0-rc.1"}, name="left-pad"
    )
    with pytest.raises(NoMatchingVersionError) as caught:
        pick_version(p, "^3")
    error = caught.value
    assert isinstance(error, UsageError)
    assert "left-pad" in error.message and "'^3'" in error.message
    assert error.hint is not None
    assert "latest=1.1.0" in error.hint and "next=2.0.0-rc.1" in error.hint
    assert "2.0.0-rc.1, 1.1.0, 1.0.0" in error.hint
    for selector in ("9.9.9", "nosuchtag"):
        with pytest.raises(NoMatchingVersionError, match=selector):
            pick_version(p, selector)


def test_no_versions_at_all() -> None:
    with pytest.raises(NoMatchingVersionError) as caught:
        pick_version(packument([]), "")
    assert caught.value.hint and "no installable versions" in caught.value.hint


@pytest.mark.parametrize("selector", [">=foo", "^", "a tag with spaces", "ta/g"])
def test_invalid_selectors(selector: str) -> None:
    with pytest.raises(UsageError) as caught:
        pick_version(packument(["1.0.0"]), selector)
    assert not isinstance(caught.value, NoMatchingVersionError)
    assert caught.value.hint


# ---- properties ----------------------------------------------------------------------------------------

_PRE = st.sampled_from(["", "-alpha", "-alpha.1", "-beta.2", "-rc.1", "-0"])
_VERSION = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}{pre}",
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(0, 3),
    _PRE,
)
_PARTIAL = st.one_of(
    _VERSION,
    st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 3), st.integers(0, 3)),
    st.builds(str, st.integers(0, 3)),
    st.builds(lambda a: f"{a}.x", st.integers(0, 3)),
)
_COMPARATOR = st.builds(
    lambda op, v: f"{op}{v}", st.sampled_from(["", "^", "~", ">=", "<=", ">", "<", "="]), _PARTIAL
)
_RANGE = st.one_of(
    st.just("*"),
    _COMPARATOR,
    st.builds(lambda a, b: f"{a} {b}", _COMPARATOR, _COMPARATOR),
    st.builds(lambda a, b: f"{a} || {b}", _COMPARATOR, _COMPARATOR),
    st.builds(lambda a, b: f"{a} - {b}", _PARTIAL, _PARTIAL),
)


@given(st.lists(_VERSION, min_size=1, max_size=12, unique=True), _RANGE, st.data())
def test_pick_satisfies_range(versions: list[str], range_: str, data: st.DataObject) -> None:
    assume(is_valid_range(range_))
    latest = data.draw(st.sampled_from(versions))
    deprecated = tuple(data.draw(st.lists(st.sampled_from(versions), max_size=3)))
    p = packument(versions, tags={"latest": latest}, deprecated=deprecated)
    matching = [v for v in versions if satisfies(v, range_)]
    try:
        chosen = pick_version(p, range_).version
    except NoMatchingVersionError:
        assert not matching
        return
    if range_ == "*" and chosen == latest:
        return  # npm takes a non-deprecated `latest` for `*` even when it is a prerelease
    assert chosen in matching
    if latest in matching and latest not in deprecated:
        assert chosen == latest
    else:
        preferred = [v for v in matching if v not in deprecated] or matching
        assert chosen == sort_versions(preferred)[-1]


@given(st.lists(_VERSION, min_size=1, max_size=12, unique=True), st.data())
def test_exact_versions_pick_themselves(versions: list[str], data: st.DataObject) -> None:
    wanted = data.draw(st.sampled_from(versions))
    p = packument(versions, deprecated=tuple(versions))
    assert pick_version(p, wanted).version == wanted


@given(st.lists(_VERSION, max_size=15))
def test_sort_is_consistent_with_compare(versions: list[str]) -> None:
    ordered = sort_versions(versions)
    assert sorted(ordered, key=cmp_to_key(compare_versions)) == ordered
    for a, b in itertools.pairwise(ordered):
        assert compare_versions(a, b) <= 0
        assert compare_versions(b, a) >= 0


@given(_VERSION, _VERSION)
def test_compare_is_antisymmetric(a: str, b: str) -> None:
    assert compare_versions(a, b) == -compare_versions(b, a)
    assert (compare_versions(a, b) == 0) is (a == b)


@given(st.lists(_VERSION, max_size=12), _RANGE)
def test_max_satisfying_is_the_highest_match(versions: list[str], range_: str) -> None:
    assume(is_valid_range(range_))
    best = max_satisfying(versions, range_)
    matching = [v for v in versions if satisfies(v, range_)]
    assert best == (sort_versions(matching)[-1] if matching else None)


@given(st.text(max_size=60))
def test_classification_never_crashes(text: str) -> None:
    is_valid_version(text)
    is_valid_range(text)
    with contextlib.suppress(UsageError):
        pick_version(packument(["1.0.0"]), text)
