"""Classify where a lockfile entry's bytes come from, and read what a registry tarball URL names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from airlock.tree.model import Source

_GIT_PREFIXES = ("git+", "git://", "git@", "github:", "gitlab:", "bitbucket:", "gist:", "ssh://")
_VERSION_IN_FILE = re.compile(r"^(?P<name>.*?)-(?P<version>\d+\.\d+\.\d+.*)$")


def classify(spec: str | None) -> Source:
    """The source a `resolved` URL or a version spec points at (None: the registry, as npm assumes)."""
    if not spec:
        return Source.REGISTRY
    lowered = spec.lower()
    if lowered.startswith(_GIT_PREFIXES):
        return Source.GIT
    if lowered.startswith("file:"):
        return Source.FILE
    if lowered.startswith("link:"):
        return Source.LINK
    if lowered.startswith("workspace:"):
        return Source.WORKSPACE
    if lowered.startswith(("http://", "https://")):
        return Source.REGISTRY if tarball_path(spec) is not None else Source.TARBALL
    if re.match(r"^[\w.-]+/[\w.-]+(#.*)?$", spec) and not spec.startswith("@"):
        return Source.GIT  # `user/repo` GitHub shorthand
    return Source.REGISTRY


@dataclass(frozen=True, slots=True)
class TarballPath:
    """What a registry-shaped tarball URL (`…/<name>/-/<file>-<version>.tgz`) names."""

    name: str
    file_name: str
    version: str


def tarball_path(url: str) -> TarballPath | None:
    """Parse a registry tarball URL; None when it is not registry-shaped (no `/-/`, not `.tgz`)."""
    path = unquote(urlsplit(url).path)
    if "/-/" not in path:
        return None
    left, _, file = path.rpartition("/-/")
    segments = [s for s in left.split("/") if s]
    base = file.rsplit("/", 1)[-1]
    if not segments or not base.endswith(".tgz"):
        return None
    scoped = len(segments) >= 2 and segments[-2].startswith("@")
    name = f"{segments[-2]}/{segments[-1]}" if scoped else segments[-1]
    stem = base[: -len(".tgz")]
    short = name.rsplit("/", 1)[-1]
    if stem.startswith(short + "-"):
        return TarballPath(name, short, stem[len(short) + 1 :])
    match = _VERSION_IN_FILE.match(stem)
    if match:
        return TarballPath(name, match["name"], match["version"])
    return TarballPath(name, stem, "")


def split_name(descriptor: str) -> tuple[str, str]:
    """A package name and what follows its `@`: `@scope/x@^1` → ('@scope/x', '^1'),
    `my-ms@npm:ms@2.0.0` → ('my-ms', 'npm:ms@2.0.0'), `left-pad` → ('left-pad', '')."""
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


def split_alias(spec: str) -> tuple[str, str] | None:
    """`npm:ms@2.0.0` → ('ms', '2.0.0'); `npm:@s/x@1` → ('@s/x', '1'); anything else → None."""
    if not spec.startswith("npm:"):
        return None
    return split_name(spec[4:])
