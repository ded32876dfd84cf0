"""What every lockfile reader produces: the packages a project would install and the edges between them.

Packages are keyed by a format-specific node id (`node_modules/a/node_modules/b`, `ms@2.1.2`, ...), unique
within one lockfile. Edges carry the name the dependent asks for, so an `npm:` alias keeps both names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from airlock.errors import BadInputError


class Source(StrEnum):
    """Where a locked package's bytes come from."""

    REGISTRY = "registry"
    TARBALL = "tarball"
    """A tarball URL that is not a registry's (`"x": "https://host/x.tgz"`)."""
    GIT = "git"
    FILE = "file"
    """A local directory or tarball (`file:`)."""
    LINK = "link"
    """A symlink to a local directory (`link:`)."""
    WORKSPACE = "workspace"
    """One of the project's own workspace packages."""
    BUNDLED = "bundled"
    """Shipped inside a dependency's tarball (`bundleDependencies`), so analysed as part of it. What the
    project or a workspace bundles has no tarball to ship in: it is fetched like any other package."""


class EdgeKind(StrEnum):
    PROD = "prod"
    DEV = "dev"
    OPTIONAL = "optional"
    PEER = "peer"


@dataclass(frozen=True, slots=True)
class Edge:
    name: str
    """The name the dependent requires: the alias for `"my-ms": "npm:ms@2.0.0"`."""
    target: str
    """Key of the package the lockfile resolved it to."""
    kind: EdgeKind = EdgeKind.PROD


@dataclass(frozen=True, slots=True)
class LockedPackage:
    key: str
    name: str
    """The real package name (for an alias, the aliased package)."""
    version: str | None
    source: Source = Source.REGISTRY
    resolved: str | None = None
    """The lockfile's URL or path for the bytes, as written (None when the lockfile omits it)."""
    integrity: str | None = None
    """SRI string as the lockfile records it (npm, yarn v1, pnpm); None when absent or not comparable."""
    dependencies: tuple[Edge, ...] = ()
    dev: bool = False
    optional: bool = False
    peer: bool = False
    line: int | None = None
    """1-based line of the entry in the lockfile, for locations a code-scanning UI can open."""
    os: tuple[str, ...] = ()
    """The package's `os` constraint as the lockfile records it (`linux`, `!win32`); () when none."""
    cpu: tuple[str, ...] = ()
    """The package's `cpu` constraint (`x64`, `arm64`, `!ia32`); () when none."""
    libc: tuple[str, ...] = ()
    """The package's `libc` constraint (`glibc`, `musl`), which npm applies only on linux; () when none."""
    patches: tuple[str, ...] = ()
    """Patch files the package manager applies to the bytes at install (yarn `patch:`, pnpm
    `patchedDependencies`), as the lockfile names them, relative to the project (`.yarn/patches/x.patch`)."""

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name

    def at_line(self, line: int | None) -> LockedPackage:
        return self if line is None else replace(self, line=line)


@dataclass(frozen=True, slots=True)
class OutOfSync:
    """A dependency on which a package.json and the lockfile disagree: `npm ci` (and frozen yarn/pnpm
    installs) refuse such a lockfile, and what it locks is not what package.json asks for."""

    manifest: str
    """The package.json, relative to the project (`package.json`, `packages/a/package.json`)."""
    dependency: str
    declared: str | None
    """The spec package.json gives, None when package.json no longer has the dependency."""
    locked: str | None
    """What the lockfile has for it (its spec or locked version), None when it has nothing."""
    package: str | None = None
    """Key of the locked package concerned, when the lockfile has one."""

    def describe(self) -> str:
        if self.locked is None:
            return f"{self.dependency} {self.declared} is in {self.manifest} but not in the lockfile"
        if self.declared is None:
            return f"{self.dependency} ({self.locked}) is in the lockfile but no longer in {self.manifest}"
        return f"{self.manifest} asks for {self.dependency} {self.declared}, the lockfile has {self.locked}"


@dataclass(frozen=True, slots=True)
class DependencyTree:
    """A whole lockfile. `roots` are the project's direct dependencies (workspaces' too, through their
    workspace package); `packages` keeps the lockfile's order."""

    file: str
    format: str
    roots: tuple[Edge, ...]
    packages: Mapping[str, LockedPackage] = field(default_factory=lambda: MappingProxyType({}))
    records_integrity: bool = True
    """False for formats whose checksums cannot be compared with the registry's (yarn berry)."""
    notes: tuple[str, ...] = ()
    """What the reader wants a person to know about the whole lockfile (shown with the report's notes)."""
    out_of_sync: tuple[OutOfSync, ...] = ()
    """Where the lockfile no longer matches the package.json files next to it (when they were read)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "packages", MappingProxyType(dict(self.packages)))

    def __reduce__(self) -> tuple[object, ...]:
        return (
            DependencyTree,
            (
                self.file,
                self.format,
                self.roots,
                dict(self.packages),
                self.records_integrity,
                self.notes,
                self.out_of_sync,
            ),
        )


class LockfileError(BadInputError):
    """A lockfile that cannot be read: names the file, the entry and what is wrong with it."""

    def __init__(self, file: str, problem: str, *, entry: str | None = None, hint: str | None = None) -> None:
        where = f"{file}: entry {entry!r}: " if entry is not None else f"{file}: "
        super().__init__(
            where + problem,
            hint=hint
            or "regenerate the lockfile with its package manager (or restore it from version control); "
            "a hand-edited lockfile is also how lockfile-injection attacks arrive",
        )
        self.file = file
        self.entry = entry
        self.problem = problem


@dataclass(frozen=True, slots=True)
class LockfileInput:
    """A lockfile's text plus the manifests next to it. Readers take data, never paths."""

    file: str
    text: str
    manifests: Mapping[str, Mapping[str, object]] = field(default_factory=lambda: MappingProxyType({}))
    """package.json documents by directory relative to the project ('' is the root, 'packages/a' ...)."""
    pnpm_workspace: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """pnpm-workspace.yaml's document (where pnpm 10+ reads its settings, such as `patchedDependencies`),
    empty when the project has none."""
