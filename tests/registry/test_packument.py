"""Packument parsing: real shapes, mirror omissions, odd legacy shapes, malformed bodies."""

from __future__ import annotations

import contextlib
import json
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airlock.errors import BadInputError
from airlock.integrity import compute, from_shasum, parse_sri
from airlock.registry.packument import Dist, Maintainer, parse_packument

SOURCE = "https://registry.example/left-pad"
SRI = compute(b"tarball").sri()
SHASUM = compute(b"tarball", "sha1").hex


def _body(doc: Any) -> bytes:
    return json.dumps(doc).encode()


# Shaped like the registry's full document for left-pad (trimmed).
FULL = {
    "_id": "left-pad",
    "name": "left-pad",
    "dist-tags": {"latest": "1.3.0"},
    "versions": {
        "1.3.0": {
            "name": "left-pad",
            "version": "1.3.0",
            "main": "index.js",
            "scripts": {"test": "node test", "postinstall": "node x.js"},
            "dependencies": {"a": "^1.0.0", "bad": 3},
            "bin": "./cli.js",
            "maintainers": [{"name": "Cameron Westland", "email": "camwest@gmail.com"}],
            "_npmUser": {"name": "stevemao", "email": "s@example.com"},
            "dist": {
                "integrity": SRI,
                "shasum": SHASUM,
                "tarball": "https://registry.example/left-pad/-/left-pad-1.3.0.tgz",
            },
        },
        "1.2.0": {
            "name": "left-pad",
            "version": "1.2.0",
            "deprecated": "use String.prototype.padStart()",
            "dist": {"shasum": SHASUM, "tarball": "https://registry.example/left-pad/-/left-pad-1.2.0.tgz"},
        },
        "0.0.1": {"name": "left-pad", "version": "0.0.1", "dist": {"shasum": SHASUM}},
    },
    "time": {
        "created": "2014-03-19T00:00:00.000Z",
        "1.3.0": "2018-04-09T01:24:08.835Z",
        "1.2.0": "2024-12-04T22:47:07.925000+00:00",
        "0.0.1": "not a date",
    },
    "maintainers": ["Cameron Westland <camwest@gmail.com> (https://example.com)", {"name": "azer"}, 7],
}

ABBREVIATED = {
    "name": "@scope/tool",
    "modified": "2024-01-01T00:00:00.000Z",
    "dist-tags": {"latest": "2.0.0", "next": "3.0.0-rc.1"},
    "versions": {
        "2.0.0": {
            "name": "@scope/tool",
            "version": "2.0.0",
            "hasInstallScript": True,
            "bin": {"tool": "bin/tool.js", "broken": None},
            "optionalDependencies": {"fsevents": "^2"},
            "peerDependencies": {"react": ">=16"},
            "dist": {"integrity": SRI, "tarball": "https://registry.example/@scope/tool/-/tool-2.0.0.tgz"},
        },
        "3.0.0-rc.1": {
            "name": "@scope/tool",
            "version": "3.0.0-rc.1",
            "dist": {
                "integrity": SRI,
                "tarball": "https://registry.example/@scope/tool/-/tool-3.0.0-rc.1.tgz",
            },
        },
    },
}


def test_full_document() -> None:
    p = parse_packument(_body(FULL), source=SOURCE, name="left-pad")
    assert p.name == "left-pad"
    assert not p.abbreviated
    assert dict(p.dist_tags) == {"latest": "1.3.0"}
    assert set(p.versions) == {"1.3.0", "1.2.0"}
    assert p.dropped_versions == ("0.0.1",)
    assert p.time["1.3.0"] == datetime(2018, 4, 9, 1, 24, 8, 835000, tzinfo=UTC)
    assert p.time["1.2.0"].tzinfo is not None
    assert "0.0.1" not in p.time
    assert p.maintainers == (
        Maintainer("Cameron Westland", "camwest@gmail.com"),
        Maintainer("azer", None),
    )

    v = p.versions["1.3.0"]
    assert v.name == "left-pad" and v.version == "1.3.0"
    assert dict(v.scripts) == {"test": "node test", "postinstall": "node x.js"}
    assert dict(v.install_scripts) == {"postinstall": "node x.js"}
    assert v.has_install_script
    assert dict(v.dependencies) == {"a": "^1.0.0"}
    assert dict(v.bin) == {"left-pad": "./cli.js"}
    assert v.maintainers == (Maintainer("Cameron Westland", "camwest@gmail.com"),)
    assert v.publisher == Maintainer("stevemao", "s@example.com")
    assert v.deprecated is None

    old = p.versions["1.2.0"]
    assert old.deprecated == "use String.prototype.padStart()"
    assert old.maintainers is None
    assert not old.has_install_script


def test_abbreviated_document() -> None:
    p = parse_packument(_body(ABBREVIATED), source=SOURCE)
    assert p.abbreviated
    assert p.time == {}
    assert p.maintainers is None
    v = p.versions["2.0.0"]
    assert v.has_install_script  # told by hasInstallScript, though scripts are not listed
    assert dict(v.scripts) == {}
    assert dict(v.bin) == {"tool": "bin/tool.js"}
    assert dict(v.optional_dependencies) == {"fsevents": "^2"}
    assert dict(v.peer_dependencies) == {"react": ">=16"}
    assert dict(p.versions["3.0.0-rc.1"].bin) == {}


def test_scoped_string_bin_uses_unscoped_name() -> None:
    doc = {
        "name": "@s/cli",
        "versions": {"1.0.0": {"bin": "x.js", "dist": {"tarball": "https://r/x.tgz", "integrity": SRI}}},
    }
    assert dict(parse_packument(_body(doc), source=SOURCE).versions["1.0.0"].bin) == {"cli": "x.js"}


def test_minimal_mirror_document() -> None:
    doc = {
        "name": "x",
        "versions": {"1.0.0": {"dist": {"tarball": "https://r/x-1.0.0.tgz", "shasum": SHASUM}}},
    }
    p = parse_packument(_body(doc), source=SOURCE)
    assert dict(p.dist_tags) == {}
    assert p.maintainers is None
    v = p.versions["1.0.0"]
    assert v.dist == Dist("https://r/x-1.0.0.tgz", None, SHASUM)
    assert v.dist.digest() == from_shasum(SHASUM)


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"name": "x", "versions": []},
        {"name": "x", "versions": {"1.0.0": None}},
        {"name": "x", "versions": {"1.0.0": {"dist": "nope"}}},
        {"name": "x", "versions": {"1.0.0": {"dist": {"tarball": ""}}}},
        {"name": "x", "dist-tags": ["latest"], "time": [], "maintainers": 3},
        {
            "name": "x",
            "versions": {"1.0.0": {"dist": {"tarball": "u"}, "scripts": [], "bin": 3, "maintainers": {}}},
        },
        {"name": "x", "versions": {"1.0.0": {"dist": {"tarball": "u"}, "deprecated": True}}},
    ],
)
def test_odd_shapes_degrade(doc: dict[str, Any]) -> None:
    p = parse_packument(_body(doc), source=SOURCE)
    for v in p.versions.values():
        assert v.dist.tarball


def test_deprecated_true_and_empty() -> None:
    doc = {
        "name": "x",
        "versions": {
            "1.0.0": {"dist": {"tarball": "u"}, "deprecated": True},
            "1.0.1": {"dist": {"tarball": "u"}, "deprecated": ""},
        },
    }
    p = parse_packument(_body(doc), source=SOURCE)
    assert p.versions["1.0.0"].deprecated
    assert p.versions["1.0.1"].deprecated is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"name": "x",', "line 1 column 14"),
        (b"<html>Bad gateway</html>", "line 1 column 1"),
        (b"[1, 2]", "expected a JSON object, got list"),
        (b'"just a string"', "got str"),
        (b"\xff\xfe\x00garbage", "malformed packument"),
        (b"[" * 100_000, "malformed packument"),
    ],
)
def test_malformed_bodies(body: bytes, fragment: str) -> None:
    with pytest.raises(BadInputError) as caught:
        parse_packument(body, source="https://user:pw@registry.example/x?token=abc")
    message = caught.value.message
    assert fragment in message
    assert "https://registry.example/x" in message
    assert "pw" not in message and "token=abc" not in message
    assert caught.value.hint


def test_document_for_another_package_is_refused() -> None:
    with pytest.raises(BadInputError, match="not 'left-pad'"):
        parse_packument(_body({"name": "evil"}), source=SOURCE, name="left-pad")


def test_dist_digest_prefers_integrity_and_falls_back() -> None:
    assert Dist("u", SRI, SHASUM).digest() == parse_sri(SRI)
    assert Dist("u", "sha512-notbase64!!", SHASUM).digest() == from_shasum(SHASUM)
    assert Dist("u", "md5-abc", SHASUM).digest().algorithm == "sha1"
    with pytest.raises(BadInputError) as caught:
        Dist("https://u:p@r.example/x.tgz", None, "zz").digest()
    assert "https://r.example/x.tgz" in caught.value.message
    assert caught.value.hint


def test_manifests_and_packuments_pickle() -> None:
    p = parse_packument(_body(FULL), source=SOURCE)
    again = pickle.loads(pickle.dumps(p))
    assert again == p
    assert again.versions["1.3.0"].scripts["postinstall"] == "node x.js"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
_FIELD_NAMES = st.sampled_from(
    [
        "name",
        "versions",
        "dist-tags",
        "time",
        "maintainers",
        "dist",
        "tarball",
        "integrity",
        "shasum",
        "bin",
        "scripts",
        "deprecated",
        "hasInstallScript",
        "1.0.0",
        "_npmUser",
        "modified",
    ]
)
_SHAPED = st.recursive(
    st.none() | st.booleans() | st.text(max_size=10) | st.just("https://r/x.tgz"),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_FIELD_NAMES, children, max_size=6),
    max_leaves=40,
)


@given(st.one_of(_JSON, _SHAPED))
def test_never_crashes_on_any_json(doc: Any) -> None:
    try:
        parse_packument(_body(doc), source=SOURCE)
    except BadInputError:
        assert not isinstance(doc, dict)


@given(st.binary(max_size=200))
def test_never_crashes_on_any_bytes(body: bytes) -> None:
    with contextlib.suppress(BadInputError):
        parse_packument(body, source=SOURCE)


def test_platform_specific_versions_are_marked() -> None:
    body = json.dumps(
        {
            "name": "@next/swc-linux-x64-gnu",
            "versions": {
                "15.0.0": {
                    "dist": {"tarball": "https://r.example.com/a.tgz"},
                    "os": ["linux"],
                    "cpu": ["x64"],
                },
                "15.0.1": {"dist": {"tarball": "https://r.example.com/b.tgz"}},
            },
        }
    ).encode()
    doc = parse_packument(body, source="https://r.example.com/x")
    assert doc.versions["15.0.0"].platform_specific
    assert not doc.versions["15.0.1"].platform_specific
