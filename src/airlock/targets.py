"""What the user asked to scan: parse `name`, `name@range`, `@scope/name@tag`, `./pkg.tgz`, `./dir`,
`https://host/pkg.tgz`.

Parsers take strings; whether a local path exists is checked by the caller that reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from airlock.errors import UsageError

# npm's validate-npm-package-name, for new packages: lower case, URL-safe, at most 214 characters.
# Legacy names with capitals exist on the registry, so capitals are accepted when reading.
_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9._~-][a-z0-9._~-]*$", re.IGNORECASE)
_TARBALL_SUFFIXES = (".tgz", ".tar.gz", ".tar")


@dataclass(frozen=True, slots=True)
class RegistryTarget:
    """`name` with a selector: an exact version, a semver range or a dist-tag ('' means the `latest` tag)."""

    raw: str
    name: str
    selector: str


@dataclass(frozen=True, slots=True)
class LocalTarball:
    raw: str
    path: Path


@dataclass(frozen=True, slots=True)
class LocalDirectory:
    raw: str
    path: Path


@dataclass(frozen=True, slots=True)
class RemoteTarball:
    """An `https://…` (or `http://…`) tarball URL: fetched by the registry client, but with no registry
    integrity to verify it against."""

    raw: str
    url: str


Target = RegistryTarget | LocalTarball | LocalDirectory | RemoteTarball


def validate_package_name(name: str) -> str:
    if not name or len(name) > 214 or not _NAME.match(name) or name.startswith((".", "_")):
        raise UsageError(
            f"not a valid npm package name: {name!r}",
            hint="names are like 'left-pad' or '@scope/name'; local files must start with ./ or /",
        )
    return name


def _looks_local(raw: str) -> bool:
    return (
        raw.startswith(("./", "../", "/", "~", ".\\"))
        or raw in {".", ".."}
        or raw.endswith(_TARBALL_SUFFIXES)
        or raw.startswith("file:")
    )


def parse_target(raw: str) -> Target:
    """Parse one command-line target. A path must look like one (./x, /x, x.tgz); `x` alone is a package."""
    text = raw.strip()
    if not text:
        raise UsageError("empty target", hint="give a package name, name@version, ./pkg.tgz or ./dir")
    if "\x00" in text:
        # No path or package name holds a NUL byte; the OS would refuse it later with a bare ValueError.
        raise UsageError(f"target {raw!r} contains a NUL byte", hint="check how the argument was quoted")
    if text.lower().startswith(("https://", "http://")):
        if not _hostname(text):
            raise UsageError(f"not a tarball URL: {raw!r}", hint="write it as https://host/path/name.tgz")
        return RemoteTarball(raw, text)
    if _looks_local(text):
        try:
            path = Path(text.removeprefix("file:")).expanduser()
        except RuntimeError:  # `~user` for a user this machine does not know
            raise UsageError(
                f"cannot expand {raw!r}: no such user's home directory", hint="write the path out in full"
            ) from None
        if path.suffix in {".tgz", ".tar"} or path.name.endswith(".tar.gz"):
            return LocalTarball(raw, path)
        return LocalDirectory(raw, path)
    if text.startswith("@"):
        scope_and_name, sep, selector = text[1:].partition("@")
        name = "@" + scope_and_name
        if "/" not in scope_and_name:
            raise UsageError(f"scoped package name without '/': {raw!r}", hint="write @scope/name")
    else:
        name, sep, selector = text.partition("@")
    return RegistryTarget(raw, validate_package_name(name), selector.strip() if sep else "")


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
