"""Packument digests: what airlock reads from a packument, compact and ready, for one revision of it.

A full packument is large (`next`: 20 MB of JSON, thousands of versions) and `airlock check` reads one or
two versions of it. Decoding it whole on every run dominated a warm check, so the first decode of each
revision writes a digest beside the cached body (see `Cache.put_packument_digest`, keyed by the body's
sha256), and later runs read the digest instead:

* only the fields `Packument`/`VersionManifest` carry (dist-tags, publish times, per-version dist,
  scripts, dependencies, bin, maintainers, publisher, deprecation, os/cpu/libc and gypfile flags);
* each version stored as its own msgpack value, decoded into a `VersionManifest` on first access
  (`LazyMapping`), publish times parsed on first access too;
* the valid versions in semver order (`Packument.version_order`), so the version before another is a
  step back in a list instead of a comparison with every version.

The digest is a cache: a digest that does not decode, names another package or has another format is a
miss, and the body is decoded again. Bump `DIGEST_FORMAT` whenever what is stored or how it is derived
changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from airlock.errors import BadInputError
from airlock.registry.packument import Dist, LazyMapping, Maintainer, Packument, VersionManifest
from airlock.registry.semver import version_order

DIGEST_FORMAT = 3

_Person = tuple[str, str | None]


class _Version(msgspec.Struct, array_like=True, omit_defaults=True, frozen=True):
    tarball: str
    integrity: str | None = None
    shasum: str | None = None
    scripts: dict[str, str] = msgspec.field(default_factory=dict)
    dependencies: dict[str, str] = msgspec.field(default_factory=dict)
    optional_dependencies: dict[str, str] = msgspec.field(default_factory=dict)
    peer_dependencies: dict[str, str] = msgspec.field(default_factory=dict)
    bin: dict[str, str] = msgspec.field(default_factory=dict)
    deprecated: str | None = None
    maintainers: list[_Person] | None = None
    has_install_script: bool = False
    publisher: _Person | None = None
    gypfile: bool | None = None
    os: list[str] = msgspec.field(default_factory=list)
    cpu: list[str] = msgspec.field(default_factory=list)
    libc: list[str] = msgspec.field(default_factory=list)


class _Digest(msgspec.Struct, frozen=True):
    format: int
    name: str
    abbreviated: bool
    dist_tags: dict[str, str]
    time: dict[str, str]
    """ISO 8601, parsed on access."""
    maintainers: list[_Person] | None
    dropped: list[str]
    order: list[str]
    versions: dict[str, msgspec.Raw]
    """Each an encoded `_Version`, decoded on access."""


_ENCODER = msgspec.msgpack.Encoder()
_DIGEST_DECODER = msgspec.msgpack.Decoder(_Digest)
_VERSION_DECODER = msgspec.msgpack.Decoder(_Version)


class DigestError(BadInputError):
    """A stored digest this airlock cannot use (damaged, another format, another package)."""


def _person(person: Maintainer | None) -> _Person | None:
    return None if person is None else (person.name, person.email)


def _people(people: tuple[Maintainer, ...] | None) -> list[_Person] | None:
    return None if people is None else [(p.name, p.email) for p in people]


def _version(manifest: VersionManifest) -> _Version:
    return _Version(
        tarball=manifest.dist.tarball,
        integrity=manifest.dist.integrity,
        shasum=manifest.dist.shasum,
        scripts=dict(manifest.scripts),
        dependencies=dict(manifest.dependencies),
        optional_dependencies=dict(manifest.optional_dependencies),
        peer_dependencies=dict(manifest.peer_dependencies),
        bin=dict(manifest.bin),
        deprecated=manifest.deprecated,
        maintainers=_people(manifest.maintainers),
        has_install_script=manifest.has_install_script,
        publisher=_person(manifest.publisher),
        gypfile=manifest.gypfile,
        os=list(manifest.os),
        cpu=list(manifest.cpu),
        libc=list(manifest.libc),
    )


def encode_digest(packument: Packument) -> bytes:
    """The digest of a packument parsed from a registry body (every version is read once, here)."""
    order = packument.version_order
    digest = _Digest(
        format=DIGEST_FORMAT,
        name=packument.name,
        abbreviated=packument.abbreviated,
        dist_tags=dict(packument.dist_tags),
        time={key: stamp.isoformat() for key, stamp in packument.time.items()},
        maintainers=_people(packument.maintainers),
        dropped=list(packument.dropped_versions),
        order=list(order) if order is not None else version_order(packument.versions),
        versions={v: msgspec.Raw(_ENCODER.encode(_version(m))) for v, m in packument.versions.items()},
    )
    return _ENCODER.encode(digest)


def _maintainers(people: list[_Person] | None) -> tuple[Maintainer, ...] | None:
    return None if people is None else tuple(Maintainer(name, email) for name, email in people)


def decode_digest(data: bytes, *, name: str) -> Packument:
    """The packument a digest holds, its versions and times built on access; `DigestError` when the
    digest cannot be used."""
    try:
        digest = _DIGEST_DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise DigestError(f"unusable packument digest for {name}: {error}") from None
    if digest.format != DIGEST_FORMAT or digest.name != name:
        raise DigestError(f"packument digest for {name} has format {digest.format} for {digest.name!r}")

    def build_version(version: str, raw: msgspec.Raw) -> VersionManifest:
        stored = _VERSION_DECODER.decode(raw)
        publisher = stored.publisher
        return VersionManifest(
            name=name,
            version=version,
            dist=Dist(stored.tarball, stored.integrity, stored.shasum),
            scripts=stored.scripts,
            dependencies=stored.dependencies,
            optional_dependencies=stored.optional_dependencies,
            peer_dependencies=stored.peer_dependencies,
            bin=stored.bin,
            deprecated=stored.deprecated,
            maintainers=_maintainers(stored.maintainers),
            has_install_script=stored.has_install_script,
            publisher=None if publisher is None else Maintainer(*publisher),
            gypfile=stored.gypfile,
            os=tuple(stored.os),
            cpu=tuple(stored.cpu),
            libc=tuple(stored.libc),
        )

    def build_time(_: str, stamp: Any) -> datetime:
        return datetime.fromisoformat(stamp)

    return Packument(
        name=digest.name,
        dist_tags=digest.dist_tags,
        versions=LazyMapping(digest.versions, build_version),
        time=LazyMapping(digest.time, build_time),
        maintainers=_maintainers(digest.maintainers),
        abbreviated=digest.abbreviated,
        dropped_versions=tuple(digest.dropped),
        version_order=tuple(digest.order),
    )
