"""Packument digests: what a warm check reads instead of the registry's body. A digest must give back
exactly what parsing the body gives, and the version order it carries must agree with semver."""

from __future__ import annotations

import itertools
import json
import pickle
from datetime import UTC, datetime, timedelta
from functools import cmp_to_key

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airlock.check.metadata import previous_version
from airlock.integrity import compute
from airlock.registry.digest import DigestError, decode_digest, encode_digest
from airlock.registry.packument import Dist, LazyMapping, Packument, VersionManifest, parse_packument
from airlock.registry.semver import compare_versions, is_valid_version, precedence_key, version_order

SRI = compute(b"tarball").sri()


def _version_doc(version: str, **extra: object) -> dict[str, object]:
    return {
        "name": "pkg",
        "version": version,
        "dist": {"integrity": SRI, "tarball": f"https://r.example.com/pkg/-/pkg-{version}.tgz"},
        **extra,
    }


BODY = json.dumps(
    {
        "name": "pkg",
        "dist-tags": {"latest": "1.1.0", "next": "2.0.0-rc.1"},
        "maintainers": ["Ann <ann@example.com>", {"name": "bob"}],
        "time": {"created": "2020-01-01T00:00:00Z", "1.0.0": "2020-01-02T03:04:05.678Z", "1.1.0": "bad"},
        "versions": {
            "1.1.0": _version_doc(
                "1.1.0",
                scripts={"install": "node-gyp rebuild", "prepare": "tsc", "test": 3},
                gypfile=True,
                dependencies={"a": "^1"},
                optionalDependencies={"b": "2"},
                peerDependencies={"react": "*"},
                bin="cli.js",
                deprecated=True,
                maintainers=[{"name": "Ann", "email": "ann@example.com"}],
                _npmUser="bob <bob@example.com>",
                os=["linux"],
                hasInstallScript=True,
            ),
            "1.0.0": _version_doc("1.0.0"),
            "2.0.0-rc.1": _version_doc("2.0.0-rc.1", gypfile=False),
            "not-a-version": _version_doc("not-a-version"),
            "0.0.1": {"name": "pkg", "dist": {}},
        },
    }
).encode()


def test_a_digest_holds_what_the_body_parses_to() -> None:
    parsed = parse_packument(BODY, source="https://r.example.com/pkg")
    digested = decode_digest(encode_digest(parsed), name="pkg")
    assert isinstance(digested.versions, LazyMapping)
    assert dict(digested.versions) == dict(parsed.versions)
    assert list(digested.versions) == list(parsed.versions)
    assert dict(digested.time) == dict(parsed.time)
    for field in ("name", "dist_tags", "maintainers", "abbreviated", "dropped_versions"):
        assert getattr(digested, field) == getattr(parsed, field), field
    assert digested.version_order == ("1.0.0", "1.1.0", "2.0.0-rc.1")
    manifest = digested.versions["1.1.0"]
    assert manifest.gypfile is True and digested.versions["2.0.0-rc.1"].gypfile is False
    assert digested.versions["1.0.0"].gypfile is None
    assert dict(manifest.install_scripts) == {"install": "node-gyp rebuild"}
    assert dict(manifest.scripts) == {"install": "node-gyp rebuild", "prepare": "tsc"}
    assert manifest.platform_specific and manifest.deprecated == "deprecated"
    assert digested.time["1.0.0"] == datetime(2020, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def test_a_digested_packument_pickles_as_plain_values() -> None:
    digested = decode_digest(encode_digest(parse_packument(BODY, source="x")), name="pkg")
    restored = pickle.loads(pickle.dumps(digested))
    assert restored == digested
    assert not isinstance(restored.versions, LazyMapping)


def test_a_digest_of_another_package_or_damaged_is_refused() -> None:
    data = encode_digest(parse_packument(BODY, source="x"))
    with pytest.raises(DigestError):
        decode_digest(data, name="other")
    with pytest.raises(DigestError):
        decode_digest(data[:-7], name="pkg")
    with pytest.raises(DigestError):
        decode_digest(b"\x93\x01\x02", name="pkg")


# ---- version order ----------------------------------------------------------------------------------------

_IDENT = st.one_of(st.integers(0, 12).map(str), st.sampled_from(["alpha", "beta", "rc", "x-y", "a1", "01"]))
_VERSION = st.builds(
    lambda core, pre, build, prefix: f"{prefix}{core[0]}.{core[1]}.{core[2]}{pre}{build}",
    st.tuples(st.integers(0, 3), st.integers(0, 11), st.integers(0, 3)),
    st.one_of(st.just(""), st.lists(_IDENT, min_size=1, max_size=3).map(lambda ids: "-" + ".".join(ids))),
    st.sampled_from(["", "+build.5", "+sha.abc"]),
    st.sampled_from(["", "", "", "v", "="]),
)


@given(_VERSION, _VERSION)
def test_precedence_key_orders_like_compare_versions(a: str, b: str) -> None:
    key_a, key_b = precedence_key(a), precedence_key(b)
    assert key_a is not None and key_b is not None
    expected = compare_versions(a, b)
    assert ((key_a > key_b) - (key_a < key_b)) == expected


@given(st.lists(st.one_of(_VERSION, st.sampled_from(["nope", "1.2", "1.2.3.4", ""])), max_size=20))
def test_version_order_is_semver_order_of_the_valid_versions(versions: list[str]) -> None:
    ordered = version_order(versions)
    assert sorted(ordered) == sorted(v for v in versions if is_valid_version(v))
    for a, b in itertools.pairwise(ordered):
        assert compare_versions(a, b) <= 0
    assert ordered == sorted(ordered, key=cmp_to_key(compare_versions))  # stable: ties keep input order


def _reference_previous(versions: list[str], version: str) -> str | None:
    """The former implementation: compare against every version."""
    prerelease = "-" in version.split("+", 1)[0]
    best: str | None = None
    for candidate in versions:
        if candidate == version or not is_valid_version(candidate):
            continue
        if not prerelease and "-" in candidate.split("+", 1)[0]:
            continue
        if compare_versions(candidate, version) < 0 and (
            best is None or compare_versions(candidate, best) > 0
        ):
            best = candidate
    return best


@given(st.lists(_VERSION, min_size=1, max_size=25, unique=True), st.data())
def test_previous_version_from_the_order_matches_a_full_scan(
    versions: list[str], data: st.DataObject
) -> None:
    version = data.draw(st.sampled_from(versions))
    manifests = {v: VersionManifest("pkg", v, Dist(f"https://r.example.com/{v}.tgz")) for v in versions}
    scanned = Packument("pkg", {}, manifests)
    digested = decode_digest(encode_digest(scanned), name="pkg")
    assert digested.version_order is not None
    expected = _reference_previous(versions, version)
    for packument in (scanned, digested):
        found = previous_version(packument, version)
        assert (found.version if found is not None else None) == expected


def test_publish_times_are_parsed_on_access() -> None:
    stamps = {f"1.0.{i}": datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=i) for i in range(3)}
    packument = Packument("pkg", {}, {}, stamps)
    digested = decode_digest(encode_digest(packument), name="pkg")
    assert isinstance(digested.time, LazyMapping) and len(digested.time) == 3
    assert digested.time.get("1.0.2") == stamps["1.0.2"] and "1.0.9" not in digested.time
