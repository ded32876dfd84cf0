"""Which packages of a tree npm would install on a platform, decided the way npm decides it.

npm skips a package whose `os` / `cpu` / `libc` exclude the platform only when the package is optional
(every chain to it passes an optional edge); the packages only it pulls in go with it. A non-optional
package for another platform is not skipped: npm stops with EBADPLATFORM, so airlock still checks it and
says so. The lists use npm's notation: `["darwin", "linux"]` allows those, `["!win32"]` allows all but
that; `libc` means something only on linux.
"""

from __future__ import annotations

import platform as host
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from airlock.errors import BadInputError
from airlock.tree.graph import reachable
from airlock.tree.model import DependencyTree, EdgeKind, LockedPackage, LockfileError
from airlock.tree.yaml_doc import load_mapping

# Python's names → Node's `process.platform` / `process.arch`.
_OS_NAMES = {"win32": "win32", "cygwin": "win32", "darwin": "darwin", "sunos5": "sunos"}
_OS_PREFIXES = ("linux", "freebsd", "openbsd", "netbsd", "aix", "android")
_CPU_NAMES = {
    "x86_64": "x64",
    "amd64": "x64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "ia32",
    "i686": "ia32",
    "x86": "ia32",
    "ppc64le": "ppc64",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loong64",
    "mips64": "mips64el",
}
LIBC_NAMES = ("glibc", "musl")


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform in Node's names: os `linux`/`darwin`/`win32`…, cpu `x64`/`arm64`/`ia32`/`arm`…, libc
    `glibc`/`musl` on linux (None elsewhere, or when unknown: then `libc` constraints skip nothing)."""

    os: str
    cpu: str
    libc: str | None = None

    def __str__(self) -> str:
        return "/".join(part for part in (self.os, self.cpu, self.libc) if part)

    @classmethod
    def parse(cls, text: str) -> Platform:
        """`OS/CPU[/LIBC]` as given to `--platform`, e.g. `darwin/arm64` or `linux/x64/musl`."""
        parts = [p.strip() for p in text.strip().split("/")]
        if len(parts) not in (2, 3) or not all(parts):
            raise BadInputError(
                f"--platform {text!r}: expected OS/CPU or OS/CPU/LIBC",
                hint="use Node's names, e.g. --platform darwin/arm64, win32/x64 or linux/x64/musl",
            )
        libc = parts[2] if len(parts) == 3 else None
        if libc is not None and (parts[0] != "linux" or libc not in LIBC_NAMES):
            raise BadInputError(
                f"--platform {text!r}: a libc is given only for linux, as glibc or musl",
                hint="e.g. --platform linux/arm64/musl",
            )
        return cls(parts[0], parts[1], libc)


def current_platform() -> Platform:
    """This machine, as Node would name it."""
    os_name = _OS_NAMES.get(sys.platform) or next(
        (prefix for prefix in _OS_PREFIXES if sys.platform.startswith(prefix)), sys.platform
    )
    machine = host.machine().lower()
    cpu = _CPU_NAMES.get(machine) or ("arm" if machine.startswith("arm") else machine)
    return Platform(os_name, cpu, _current_libc() if os_name == "linux" else None)


def _current_libc() -> str | None:
    family, _ = host.libc_ver()
    if family == "glibc":
        return "glibc"
    if any(Path("/lib").glob("ld-musl-*.so.1")):
        return "musl"
    return None


def _allows(value: str | None, allowed: tuple[str, ...]) -> bool:
    """npm-install-checks' checkList: no negated entry matches, and a plain entry does if there is one."""
    if not allowed or allowed == ("any",):
        return True
    plain = [a for a in allowed if not a.startswith("!")]
    if any(a.startswith("!") and a[1:] == value for a in allowed):
        return False
    return not plain or value in plain


def foreign(package: LockedPackage, target: Platform) -> bool:
    """True when the package's constraints exclude the platform."""
    libc_ok = True
    if package.libc:
        if target.os != "linux":
            libc_ok = False
        elif target.libc is not None:
            libc_ok = _allows(target.libc, package.libc)
    return not (_allows(target.os, package.os) and _allows(target.cpu, package.cpu) and libc_ok)


def names(platforms: Sequence[Platform] | None) -> str:
    """`linux/x64/glibc`, or `linux/x64/glibc, darwin/arm64` for several."""
    return ", ".join(map(str, platforms or ()))


def supported_architectures(settings: object, here: Platform) -> tuple[Platform, ...]:
    """The platforms a yarn berry (`.yarnrc.yml`) or pnpm (`pnpm.supportedArchitectures`) project installs
    for: `{os: [current, darwin], cpu: [current, arm64], libc: [current, glibc]}`, every combination, with
    `current` meaning `here` and a missing field meaning `[current]`. Anything else: just `here`."""
    if not isinstance(settings, Mapping):
        return (here,)

    def values(field: str, current: str | None) -> list[str | None]:
        raw = settings.get(field)
        items = raw if isinstance(raw, list) and raw else ["current"]
        out: list[str | None] = []
        for item in items:
            value = current if item == "current" else str(item)
            if value not in out:
                out.append(value)
        return out

    combinations = (
        Platform(os_name, cpu, libc if os_name == "linux" else None)
        for os_name in values("os", here.os)
        for cpu in values("cpu", here.cpu)
        for libc in values("libc", here.libc)
        if os_name is not None and cpu is not None
    )
    return tuple(dict.fromkeys(combinations)) or (here,)


def project_platforms(
    tree_format: str,
    directory: Path | None,
    root_manifest: Mapping[str, object],
    here: Platform,
    *,
    pnpm_workspace: Mapping[str, object] | None = None,
) -> tuple[Platform, ...]:
    """The platforms the project's package manager installs for: `here`, widened by yarn berry's
    `.yarnrc.yml` (read from `directory`) or pnpm's `supportedArchitectures` (package.json `pnpm.*`, else
    the `pnpm_workspace` document the lockfile was read with)."""
    settings: object = None
    if tree_format.startswith("yarn.lock berry") and directory is not None:
        settings = _yaml_setting(directory / ".yarnrc.yml")
    elif tree_format.startswith("pnpm-lock.yaml"):
        pnpm = root_manifest.get("pnpm")
        settings = pnpm.get("supportedArchitectures") if isinstance(pnpm, Mapping) else None
        if settings is None and pnpm_workspace is not None:
            settings = pnpm_workspace.get("supportedArchitectures")
    return supported_architectures(settings, here) if settings is not None else (here,)


def _yaml_setting(path: Path) -> object:
    if not path.is_file():
        return None
    try:
        doc = load_mapping(path.read_text(encoding="utf-8"), path.name)
    except (OSError, UnicodeDecodeError, LockfileError) as error:
        problem = error.problem if isinstance(error, LockfileError) else str(error)
        raise BadInputError(
            f"{path.name}: {problem}", hint=f"fix {path.name}; its package manager cannot read it either"
        ) from None
    return doc.get("supportedArchitectures")


def describe_target(package: LockedPackage) -> str:
    """What the package is for, as its constraints say: `os darwin, cpu arm64`."""
    parts = [
        f"{field} {','.join(values)}"
        for field, values in (("os", package.os), ("cpu", package.cpu), ("libc", package.libc))
        if values
    ]
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class PlatformSelection:
    """What a platform leaves out of a tree."""

    platforms: tuple[Platform, ...]
    skipped: dict[str, str]
    """Node key → why npm would not install it here (its constraints, or the skipped package it needs)."""
    mismatched: tuple[str, ...]
    """Keys of non-optional packages for another platform: npm fails with EBADPLATFORM; still checked."""


def optional_only(tree: DependencyTree) -> set[str]:
    """Keys npm treats as optional: every chain to them passes an optional edge (for a package no chain
    reaches, the lockfile's own `optional` flag is all there is to go on)."""
    everything = reachable(tree, lambda kind, key: True)
    required = reachable(tree, lambda kind, key: kind is not EdgeKind.OPTIONAL)
    return {
        key
        for key, package in tree.packages.items()
        if (key not in required if key in everything else package.optional)
    }


def skips_dependencies_of_skipped(tree_format: str) -> bool:
    """npm, pnpm and yarn classic leave out what only a skipped package pulls in; yarn berry still fetches
    and installs it unless it has os/cpu conditions itself (yarnpkg/berry#3575)."""
    return not tree_format.startswith("yarn.lock berry")


def select_for_platform(
    tree: DependencyTree, targets: Sequence[Platform], *, with_dependencies: bool = True
) -> PlatformSelection:
    """The packages npm would install on none of `targets` (with what only they pull in, unless
    `with_dependencies` is False), and the non-optional ones it would refuse."""
    everything = reachable(tree, lambda kind, key: True)
    optional = optional_only(tree)
    skipped: dict[str, str] = {}
    mismatched: list[str] = []
    for key, package in tree.packages.items():
        if not all(foreign(package, target) for target in targets):
            continue
        if key in optional:
            skipped[key] = f"for {describe_target(package)}"
        else:
            mismatched.append(key)
    if skipped and with_dependencies:
        # What only skipped packages pull in is not installed either (npm removes the optional set).
        still = reachable(tree, lambda kind, key: key not in skipped)
        foreign_keys = tuple(skipped)
        for key in [k for k in tree.packages if k in everything and k not in still and k not in skipped]:
            needed_by = _needed_by(tree, key, foreign_keys)
            skipped[key] = f"needed only by {needed_by}" if needed_by else "needed only by skipped packages"
    return PlatformSelection(tuple(targets), skipped, tuple(mismatched))


def _needed_by(tree: DependencyTree, key: str, foreign_keys: Sequence[str]) -> str | None:
    """The first package skipped for its own constraints that depends on `key` directly."""
    return next(
        (
            tree.packages[k].label
            for k in foreign_keys
            if any(e.target == key for e in tree.packages[k].dependencies)
        ),
        None,
    )


__all__ = [
    "Platform",
    "PlatformSelection",
    "current_platform",
    "describe_target",
    "foreign",
    "names",
    "optional_only",
    "project_platforms",
    "select_for_platform",
    "skips_dependencies_of_skipped",
    "supported_architectures",
]
