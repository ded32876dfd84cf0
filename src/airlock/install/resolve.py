"""Step 1 of `airlock install`: what npm would change, learned without touching the project.

package.json, the npm lockfile, the workspace manifests and the project's .npmrc (resolution talks to the
user's registry) are copied into a temporary directory, and npm runs there with `install --package-lock-only
--ignore-scripts`: it resolves the new tree and writes the new package.json and lockfile, and installs
nothing and runs nothing. The bytes it writes are read back; the project is never written here.

Only npm's own lockfiles are updated this way: a project locked by pnpm or yarn is refused, since npm
would resolve a different tree from a different lockfile.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from airlock.errors import OperationalError, UsageError
from airlock.tree.project import (
    LOCKFILE_NAMES,
    NPM_RESOLVE_COMMAND,
    NpmFailureWords,
    project_copy,
    read_manifests,
    read_pnpm_workspace,
    run_npm_resolving,
)

NPM_LOCKFILES = ("npm-shrinkwrap.json", "package-lock.json")
"""npm's lockfiles, in npm's precedence: with a shrinkwrap, npm updates the shrinkwrap."""
INSTALL_RESOLVE_TIMEOUT = 600.0


@dataclass(frozen=True, slots=True)
class SaveOptions:
    """How npm records the packages in package.json: the few `npm install` flags `airlock install` passes on."""

    dev: bool = False
    """--save-dev: under devDependencies."""
    exact: bool = False
    """--save-exact: the exact version instead of a `^` range."""

    def npm_flags(self) -> tuple[str, ...]:
        return (*(("--save-dev",) if self.dev else ()), *(("--save-exact",) if self.exact else ()))


@dataclass(frozen=True, slots=True)
class Resolution:
    """The project's package.json and lockfile before and after npm resolved the install."""

    lockfile_name: str
    """The lockfile npm writes (package-lock.json, or npm-shrinkwrap.json when the project has one)."""
    old_manifest: bytes
    old_lockfile: bytes | None
    """None: the project had no lockfile yet."""
    new_manifest: bytes
    new_lockfile: bytes
    command: tuple[str, ...]
    """The npm command as run, without the options airlock pins (for notes and messages)."""

    @property
    def changes_files(self) -> bool:
        return self.old_manifest != self.new_manifest or self.old_lockfile != self.new_lockfile


def _is_local_path(spec: str) -> bool:
    # The specs resolve in a temporary directory, where a relative path names nothing (or the wrong thing).
    value = spec.split("@npm:", 1)[0]
    return value.startswith((".", "/", "~", "file:", "link:")) or (
        "@" in spec[1:] and spec[1:].split("@", 1)[1].startswith((".", "/", "~", "file:", "link:"))
    )


def check_specs(specs: Sequence[str]) -> None:
    """Usage errors for specs `airlock install` cannot resolve the way npm would in the project."""
    for spec in specs:
        if not spec or spec.startswith("-"):
            raise UsageError(
                f"{spec!r} is not a package spec", hint="airlock install NAME[@VERSION|@RANGE|@TAG] …"
            )
        if _is_local_path(spec):
            raise UsageError(
                f"airlock install resolves registry packages, and {spec!r} is a local path",
                hint="scan it with `airlock scan PATH`; add local packages with npm itself",
            )


def npm_lockfile(project: Path) -> str | None:
    """The npm lockfile the project has (None: none yet). A pnpm or yarn lockfile alone is a usage error."""
    for name in NPM_LOCKFILES:
        if (project / name).is_file():
            return name
    others = [name for name in LOCKFILE_NAMES if name not in NPM_LOCKFILES and (project / name).is_file()]
    if others:
        raise UsageError(
            f"{project} is locked by {others[0]}: airlock install updates npm's package-lock.json only",
            hint="use `airlock check` after installing with your package manager",
        )
    return None


def install_command(specs: Sequence[str], save: SaveOptions) -> tuple[str, ...]:
    return (*NPM_RESOLVE_COMMAND, *save.npm_flags(), *specs)


def resolve_install(
    project: Path,
    specs: Sequence[str],
    *,
    save: SaveOptions = SaveOptions(),
    timeout: float = INSTALL_RESOLVE_TIMEOUT,
) -> Resolution:
    """The package.json and lockfile `npm install SPECS` would write in `project` (no SPECS: the lockfile
    brought in line with package.json), resolved in a temporary copy, scripts off."""
    check_specs(specs)
    if not (project / "package.json").is_file():
        raise UsageError(f"{project} has no package.json", hint="run airlock install in the project's root")
    lockfile_name = npm_lockfile(project)
    npm = shutil.which("npm")
    if npm is None:
        raise UsageError(
            "airlock install needs npm to resolve the new tree, and npm is not installed",
            hint="install Node.js/npm",
        )
    manifests = read_manifests(project, read_pnpm_workspace(project))  # refuses workspaces outside it
    old_manifest = (project / "package.json").read_bytes()
    old_lockfile = (project / lockfile_name).read_bytes() if lockfile_name is not None else None
    command = install_command(specs, save)
    with project_copy(project, manifests, prefix="airlock-install-") as work:
        # The root package.json as read above: the bytes compared with npm's result are the bytes npm read.
        (work / "package.json").write_bytes(old_manifest)
        if lockfile_name is not None and old_lockfile is not None:
            (work / lockfile_name).write_bytes(old_lockfile)
        words = NpmFailureWords(
            f"`{' '.join(command)}`",
            failure_hint="check the names and versions (and the registry settings in .npmrc)",
        )
        run_npm_resolving(npm, command[1:], work, timeout, words)
        written = lockfile_name or "package-lock.json"
        if not (work / written).is_file():
            raise OperationalError(
                f"npm succeeded but wrote no {written}", hint="is package-lock=false set in .npmrc?"
            )
        return Resolution(
            lockfile_name=written,
            old_manifest=old_manifest,
            old_lockfile=old_lockfile,
            new_manifest=(work / "package.json").read_bytes(),
            new_lockfile=(work / written).read_bytes(),
            command=command,
        )


__all__ = [
    "INSTALL_RESOLVE_TIMEOUT",
    "NPM_LOCKFILES",
    "Resolution",
    "SaveOptions",
    "check_specs",
    "install_command",
    "npm_lockfile",
    "resolve_install",
]
