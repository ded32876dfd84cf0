"""A version's `os` / `cpu` / `libc` as published, read from the packument and kept by the digest (what
`check` uses to leave out other platforms' binaries where the lockfile does not record them)."""

from __future__ import annotations

import json

from airlock.registry.digest import decode_digest, encode_digest
from airlock.registry.packument import parse_packument

DIST = {"tarball": "https://r.example.com/x.tgz", "integrity": "sha512-" + "A" * 86 + "=="}
BODY = json.dumps(
    {
        "name": "@rollup/rollup-linux-x64-musl",
        "dist-tags": {"latest": "4.40.0"},
        "versions": {
            "4.40.0": {"os": ["linux"], "cpu": ["x64"], "libc": ["musl"], "dist": DIST},
            "4.39.0": {"os": "linux", "cpu": ["!ia32", 7], "dist": DIST},
            "4.38.0": {"dist": DIST},
        },
    }
).encode()


def test_packument_versions_carry_their_platform_constraints() -> None:
    versions = parse_packument(BODY, source="https://r.example.com/x").versions
    assert (versions["4.40.0"].os, versions["4.40.0"].cpu, versions["4.40.0"].libc) == (
        ("linux",),
        ("x64",),
        ("musl",),
    )
    # npm's single-string form is a list of one; what is not a string is dropped
    assert (versions["4.39.0"].os, versions["4.39.0"].cpu) == (("linux",), ("!ia32",))
    assert (versions["4.38.0"].os, versions["4.38.0"].cpu, versions["4.38.0"].libc) == ((), (), ())


def test_the_digest_keeps_them() -> None:
    parsed = parse_packument(BODY, source="https://r.example.com/x")
    again = decode_digest(encode_digest(parsed), name=parsed.name)
    for version in ("4.40.0", "4.39.0", "4.38.0"):
        assert again.versions[version] == parsed.versions[version]
