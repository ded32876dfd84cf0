"""Parse registry documents ("packuments"), full or abbreviated, from whatever a registry or mirror sends.

Registries and mirrors omit things (`time`, `maintainers`, `integrity`), and old publishes carry odd shapes
(`bin` as a string, maintainers as "Name <mail>"). All of that degrades to `None`/empty; only a body that
is not a JSON object is an error. A version without a tarball URL cannot be fetched or verified, so it is
dropped and listed in `Packument.dropped_versions`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import msgspec

from airlock.errors import BadInputError
from airlock.integrity import Digest, from_shasum, parse_sri
from airlock.lifecycle import REGISTRY_INSTALL_SCRIPTS, registry_install_scripts
from airlock.registry.npmrc import redact_url

logger = logging.getLogger(__name__)

ABBREVIATED_MEDIA_TYPE = "application/vnd.npm.install-v1+json"

# "Name <email> (url)", each part optional, as npm's `person` fields are written in package.json.
_PERSON = re.compile(r"^\s*([^<(]*?)\s*(?:<([^>]*)>)?\s*(?:\(([^)]*)\))?\s*$")


_V = TypeVar("_V")


class LazyMapping(Mapping[str, _V], Generic[_V]):
    """A read-only mapping whose values are built from stored raw values on first access. A packument of
    thousands of versions is read for one or two of them; building all the rest is most of its cost."""

    __slots__ = ("_build", "_built", "_raw")

    def __init__(self, raw: Mapping[str, Any], build: Callable[[str, Any], _V]) -> None:
        self._raw = raw
        self._build = build
        self._built: dict[str, _V] = {}

    def __getitem__(self, key: str) -> _V:
        try:
            return self._built[key]
        except KeyError:
            pass
        value = self._build(key, self._raw[key])
        # Two threads may build the same value; both results are equal and one wins.
        self._built[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"LazyMapping({len(self._raw)} entries)"

    def __reduce__(self) -> tuple[object, ...]:
        return (dict, (dict(self.items()),))


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    if isinstance(mapping, LazyMapping):
        return mapping  # read-only already, and copying it would build every value
    return MappingProxyType(dict(mapping or {}))


def _reduce(obj: Any) -> tuple[object, ...]:
    # MappingProxyType does not pickle; rebuild from plain dicts (results may cross process pools).
    values = tuple(
        dict(v) if isinstance(v, MappingProxyType | LazyMapping) else v
        for v in (getattr(obj, f.name) for f in fields(obj))
    )
    return (type(obj), values)


@dataclass(frozen=True, slots=True)
class Dist:
    tarball: str
    integrity: str | None = None
    shasum: str | None = None

    def digest(self) -> Digest:
        """The digest to verify the tarball against: the strongest usable SRI hash, else the sha1 shasum."""
        if self.integrity:
            try:
                return parse_sri(self.integrity)
            except BadInputError:
                logger.debug("unusable dist.integrity for %s; trying shasum", redact_url(self.tarball))
        if self.shasum:
            try:
                return from_shasum(self.shasum)
            except BadInputError:
                pass
        raise BadInputError(
            f"the registry gives no usable integrity or shasum for {redact_url(self.tarball)}",
            hint="airlock will not fetch bytes it cannot verify; ask the registry (or mirror) to serve "
            "dist.integrity, or scan a local tarball you trust",
        )


@dataclass(frozen=True, slots=True)
class Maintainer:
    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class VersionManifest:
    """One entry of a packument's `versions`, with npm's field shapes normalised."""

    name: str
    version: str
    dist: Dist
    scripts: Mapping[str, str] = field(default_factory=_frozen)
    dependencies: Mapping[str, str] = field(default_factory=_frozen)
    optional_dependencies: Mapping[str, str] = field(default_factory=_frozen)
    peer_dependencies: Mapping[str, str] = field(default_factory=_frozen)
    bin: Mapping[str, str] = field(default_factory=_frozen)
    deprecated: str | None = None
    maintainers: tuple[Maintainer, ...] | None = None
    """`None` when the registry did not say (abbreviated documents never do)."""
    has_install_script: bool = False
    publisher: Maintainer | None = None
    """`_npmUser`: the account that published this version, when the registry says."""
    os: tuple[str, ...] = ()
    """`os` as published, in npm's notation (`darwin`, `!win32`); () when none."""
    cpu: tuple[str, ...] = ()
    libc: tuple[str, ...] = ()
    gypfile: bool | None = None
    """package.json's `gypfile` as published (npm sets it when it added `install: node-gyp rebuild`)."""

    def __post_init__(self) -> None:
        for name in ("scripts", "dependencies", "optional_dependencies", "peer_dependencies", "bin"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def platform_specific(self) -> bool:
        """The version declares `os` or `cpu`: typically a prebuilt binary for one platform."""
        return bool(self.os or self.cpu)

    def __reduce__(self) -> tuple[object, ...]:
        return _reduce(self)

    @property
    def install_scripts(self) -> Mapping[str, str]:
        """The scripts npm runs when it installs this version (not `prepare`: see `airlock.lifecycle`)."""
        return MappingProxyType(registry_install_scripts(self.scripts))


@dataclass(frozen=True, slots=True)
class Packument:
    name: str
    dist_tags: Mapping[str, str]
    versions: Mapping[str, VersionManifest]
    time: Mapping[str, datetime] = field(default_factory=_frozen)
    """Publish times by version (plus `created`/`modified` when given); tz-aware; empty when absent."""
    maintainers: tuple[Maintainer, ...] | None = None
    abbreviated: bool = False
    dropped_versions: tuple[str, ...] = ()
    """Versions listed by the registry but unusable (no `dist.tarball`)."""
    version_order: tuple[str, ...] | None = None
    """The valid versions of `versions` in ascending semver order (ties in document order), when known:
    a digest carries it (see `airlock.registry.digest`), so the version before another is found without
    comparing every version."""

    def __post_init__(self) -> None:
        for name in ("dist_tags", "versions", "time"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    @property
    def created(self) -> datetime | None:
        """When the package was first published: `time.created`, else its earliest version's time (the
        `time` map keeps unpublished versions too); None when the document has no times (abbreviated)."""
        stated = self.time.get("created")
        if stated is not None:
            return stated
        published = [moment for key, moment in self.time.items() if key != "modified"]
        return min(published, default=None)

    def __reduce__(self) -> tuple[object, ...]:
        return _reduce(self)


# ---- tolerant field readers ----------------------------------------------------------------------------


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _str_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _bin(value: object, package_name: str) -> dict[str, str]:
    # npm's normalize-package-bin: a string `bin` is installed under the unscoped package name.
    if isinstance(value, str):
        return {package_name.rsplit("/", 1)[-1]: value} if value else {}
    return _str_map(value)


def _person(value: object) -> Maintainer | None:
    if isinstance(value, dict):
        name = _str(value.get("name"))
        email = _str(value.get("email"))
        if name is None and email is None:
            return None
        return Maintainer(name or email or "", email)
    if isinstance(value, str):
        match = _PERSON.match(value)
        if match is None:
            return None
        name, email = match.group(1).strip(), (match.group(2) or "").strip() or None
        if not name and email is None:
            return None
        return Maintainer(name or email or "", email)
    return None


def _people(value: object) -> tuple[Maintainer, ...] | None:
    if value is None:
        return None
    if isinstance(value, dict | str):
        value = [value]
    if not isinstance(value, list):
        return None
    return tuple(p for p in (_person(v) for v in value) if p is not None)


def _deprecated(value: object) -> str | None:
    # npm treats any truthy `deprecated` as deprecated; an empty string is how a deprecation is lifted.
    if isinstance(value, str):
        return value or None
    if value is True:
        return "deprecated"
    return None


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _manifest(package_name: str, version: str, raw: object) -> VersionManifest | None:
    if not isinstance(raw, dict):
        return None
    dist = raw.get("dist")
    if not isinstance(dist, dict):
        return None
    tarball = _str(dist.get("tarball"))
    if tarball is None:
        return None
    scripts = _str_map(raw.get("scripts"))
    has_install = raw.get("hasInstallScript")
    return VersionManifest(
        name=package_name,
        version=version,
        dist=Dist(tarball, _str(dist.get("integrity")), _str(dist.get("shasum"))),
        scripts=scripts,
        dependencies=_str_map(raw.get("dependencies")),
        optional_dependencies=_str_map(raw.get("optionalDependencies")),
        peer_dependencies=_str_map(raw.get("peerDependencies")),
        bin=_bin(raw.get("bin"), package_name),
        deprecated=_deprecated(raw.get("deprecated")),
        maintainers=_people(raw.get("maintainers")),
        has_install_script=has_install
        if isinstance(has_install, bool)
        else any(k in scripts for k in REGISTRY_INSTALL_SCRIPTS),
        publisher=_person(raw.get("_npmUser")),
        os=_constraint(raw.get("os")),
        cpu=_constraint(raw.get("cpu")),
        libc=_constraint(raw.get("libc")),
        gypfile=gypfile if isinstance(gypfile := raw.get("gypfile"), bool) else None,
    )


def _constraint(value: object) -> tuple[str, ...]:
    # npm accepts one string as well as a list (`"os": "darwin"`).
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v)
    return ()


class _RawVersion(msgspec.Struct, frozen=True):
    """The fields of a version document airlock reads. Decoding into this skips everything else (readmes,
    descriptions, file lists) without building it, which is most of a big packument's size. Values stay
    `Any`: registries send odd shapes, and `_manifest` normalises them."""

    dist: Any = None
    scripts: Any = None
    dependencies: Any = None
    optionalDependencies: Any = None  # noqa: N815 - the JSON field name
    peerDependencies: Any = None  # noqa: N815
    bin: Any = None
    deprecated: Any = None
    maintainers: Any = None
    hasInstallScript: Any = None  # noqa: N815
    npm_user: Any = msgspec.field(default=None, name="_npmUser")
    os: Any = None
    cpu: Any = None
    libc: Any = None
    gypfile: Any = None


class _RawPackument(msgspec.Struct, frozen=True):
    name: Any = None
    id: Any = msgspec.field(default=None, name="_id")
    dist_tags: Any = msgspec.field(default=None, name="dist-tags")
    versions: dict[str, _RawVersion] | None = None
    time: Any = None
    modified: Any = None
    maintainers: Any = None


_DECODER = msgspec.json.Decoder(_RawPackument)


def _as_dict(raw: _RawVersion) -> dict[str, Any]:
    return {
        "dist": raw.dist,
        "scripts": raw.scripts,
        "dependencies": raw.dependencies,
        "optionalDependencies": raw.optionalDependencies,
        "peerDependencies": raw.peerDependencies,
        "bin": raw.bin,
        "deprecated": raw.deprecated,
        "maintainers": raw.maintainers,
        "hasInstallScript": raw.hasInstallScript,
        "_npmUser": raw.npm_user,
        "os": raw.os,
        "cpu": raw.cpu,
        "libc": raw.libc,
        "gypfile": raw.gypfile,
    }


def _load(body: bytes, source: str) -> dict[str, Any]:
    """The parts of a packument airlock reads, as plain values. The typed decoder is the fast path; a
    document whose shape it rejects (a version that is not an object) goes through the lenient one."""
    try:
        typed = _DECODER.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return _load_lenient(body, source)
    doc: dict[str, Any] = {}
    for key, value in (
        ("name", typed.name),
        ("_id", typed.id),
        ("dist-tags", typed.dist_tags),
        ("time", typed.time),
        ("modified", typed.modified),
        ("maintainers", typed.maintainers),
    ):
        if value is not None:
            doc[key] = value
    if typed.versions is not None:
        doc["versions"] = {version: _as_dict(raw) for version, raw in typed.versions.items()}
    return doc


def _load_lenient(body: bytes, source: str) -> dict[str, Any]:
    where = redact_url(source)
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as error:
        raise BadInputError(
            f"malformed packument from {where}: {error.msg} at line {error.lineno} column {error.colno} "
            f"(char {error.pos})",
            hint="the registry or a proxy in between sent something that is not JSON; retry, "
            "and check the registry URL in .npmrc",
        ) from None
    except (ValueError, RecursionError) as error:
        # UnicodeDecodeError, over-long integers, pathological nesting.
        raise BadInputError(
            f"malformed packument from {where}: {error}",
            hint="the registry or a proxy in between sent something that is not a JSON document",
        ) from None
    if not isinstance(doc, dict):
        raise BadInputError(
            f"malformed packument from {where}: expected a JSON object, got {type(doc).__name__}",
            hint="the registry or a proxy in between sent something that is not a package document",
        )
    return doc


def parse_packument(
    body: bytes, *, source: str, name: str | None = None, abbreviated: bool | None = None
) -> Packument:
    """Parse a packument. `source` (a URL) names it in errors; `name` is what was asked for, used when the
    document does not say. `abbreviated=None` infers it from the document's shape."""
    doc = _load(body, source)
    package_name = _str(doc.get("name")) or _str(doc.get("_id")) or name or ""
    if name is not None and package_name != name:
        raise BadInputError(
            f"the registry answered {redact_url(source)} with the document of {package_name!r}, not {name!r}",
            hint="a misconfigured or hostile registry or proxy; check the registry URL in .npmrc",
        )
    versions: dict[str, VersionManifest] = {}
    dropped: list[str] = []
    raw_versions = doc.get("versions")
    if isinstance(raw_versions, dict):
        for version, raw in raw_versions.items():
            manifest = _manifest(package_name, version, raw)
            if manifest is None:
                dropped.append(version)
            else:
                versions[version] = manifest
    if dropped:
        logger.info("%s: ignoring %d version(s) without a tarball URL", package_name, len(dropped))

    raw_time = doc.get("time")
    time: dict[str, datetime] = {}
    if isinstance(raw_time, dict):
        for key, value in raw_time.items():
            stamp = _timestamp(value)
            if stamp is not None:
                time[key] = stamp

    if abbreviated is None:
        abbreviated = "time" not in doc and "modified" in doc
    return Packument(
        name=package_name,
        dist_tags={k: v for k, v in _str_map(doc.get("dist-tags")).items() if v},
        versions=versions,
        time=time,
        maintainers=_people(doc.get("maintainers")),
        abbreviated=abbreviated,
        dropped_versions=tuple(dropped),
    )
