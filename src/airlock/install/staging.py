"""Where `airlock ci` builds the new node_modules, and how it reaches the project.

The staging directory sits inside the project (`.airlock-staging-<pid>-<random>/`), so it is on the same
file system and the swap is a rename. One run per project at a time: a lock file in airlock's cache dir,
held with flock (released by the kernel when the process dies, even by SIGKILL), names the holder's pid.
Holding it, a run first finishes or rolls back an install a killed run left half done (`journal.py`),
then removes the staging directories earlier runs left behind.

The swap exchanges the staged node_modules with the project's in one `renameat2(RENAME_EXCHANGE)` (Linux
3.15+, glibc 2.28+): at every instant the project has a whole node_modules, the old or the new. Without
it (another OS, an old kernel, a file system that refuses the flag) the old tree is first renamed aside,
then the new one renamed in: two renames, with an instant in between where node_modules is missing, but
the old tree is never deleted until the new one is in place.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import cast

from airlock.errors import OperationalError
from airlock.install.journal import Recovery, recover, remove_stray_marker
from airlock.registry.cache import default_cache_dir

STAGING_PREFIX = ".airlock-staging-"
PREVIOUS = "previous-node_modules"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class ProjectBusyError(OperationalError):
    """Another `airlock ci` / `airlock install` runs on the same project."""


class ProjectLock:
    """An exclusive, non-blocking flock on a per-project lock file in airlock's cache dir."""

    def __init__(self, project: Path, lock_dir: Path | None = None) -> None:
        real = project.resolve()
        key = hashlib.sha256(str(real).encode()).hexdigest()[:24]
        directory = lock_dir or default_cache_dir() / "locks"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = directory / f"ci-{key}.lock"
        self._project = real
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = ""
            with contextlib.suppress(OSError, ValueError):
                holder = os.pread(fd, 64, 0).decode().strip()
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise ProjectBusyError(
                    f"another airlock ci/install is running in {self._project}"
                    + (f" (pid {holder})" if holder else ""),
                    hint="wait for it to finish; two installs into one node_modules would fight",
                ) from None
            raise OperationalError(f"cannot lock {self.path}: {error.strerror}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the flock
            self._fd = None

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _stale_directories(project: Path) -> list[Path]:
    return [
        path for path in sorted(project.glob(f"{STAGING_PREFIX}*")) if path.is_dir() and not path.is_symlink()
    ]


def _restore_fallback(project: Path, path: Path) -> None:
    previous = path / PREVIOUS
    target = project / "node_modules"
    if previous.is_dir() and not target.exists() and not target.is_symlink():
        # Killed between the two renames of the fallback swap: put the old tree back.
        previous.rename(target)


@dataclass(frozen=True, slots=True)
class Interrupted:
    """What runs killed earlier left, and what this run did about it."""

    recovered: tuple[Recovery, ...] = ()
    """Journals of interrupted installs: finished (node_modules was swapped in) or rolled back."""
    removed: tuple[Path, ...] = ()
    """Their staging directories, removed."""


def clean_up_interrupted(project: Path) -> Interrupted:
    """Finish or roll back what killed runs left (`journal.recover`), then remove their staging
    directories. Call with the lock held (then none of them belongs to a live run), before reading the
    project's package.json or lockfile: finishing an install writes them."""
    stale = _stale_directories(project)
    recovered = []
    for path in stale:
        _restore_fallback(project, path)
        found = recover(project, path)
        if found is not None:
            recovered.append(found)
    remove_stray_marker(project)
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return Interrupted(tuple(recovered), tuple(stale))


def remove_stale_staging(project: Path) -> list[Path]:
    """Staging directories earlier runs left behind (killed before cleaning up), removed after undoing or
    finishing what they left half done (`clean_up_interrupted`)."""
    return list(clean_up_interrupted(project).removed)


@dataclass(frozen=True, slots=True)
class Staging:
    root: Path

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def previous(self) -> Path:
        """Where the fallback swap parks the project's old node_modules."""
        return self.root / PREVIOUS

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def new_staging(project: Path) -> Staging:
    root = project / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        root.mkdir(mode=0o700)
    except OSError as error:
        raise OperationalError(
            f"cannot create the staging directory {root}: {error.strerror}",
            hint="airlock ci stages the new node_modules inside the project: the project must be writable",
        ) from None
    return Staging(root)


@dataclass(frozen=True, slots=True)
class Swapped:
    how: str
    """`exchange` (one atomic renameat2), `rename` (there was no node_modules), or `two-renames`."""
    note: str | None = None


def _renameat2() -> Callable[..., int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    libc = ctypes.CDLL(name, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return cast("Callable[..., int]", function)


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (renameat2 RENAME_EXCHANGE); False when the system cannot."""
    function = _renameat2()
    if function is None:
        return False
    result = function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def swap_into_place(staged: Path, target: Path, aside: Path) -> Swapped:
    """Put `staged` at `target`. The old `target` (if any) ends up at `staged` (exchange) or `aside`
    (fallback); the caller deletes it with the staging directory."""
    try:
        if not target.exists() and not target.is_symlink():
            staged.rename(target)
            return Swapped("rename")
        if exchange(staged, target):
            return Swapped("exchange")
        target.rename(aside)
        try:
            staged.rename(target)
        except OSError:
            aside.rename(target)  # the old tree back before the staging directory (holding it) goes
            raise
    except OSError as error:
        raise OperationalError(
            f"cannot move the new node_modules into {target.parent}: {error.strerror}",
            hint="the previous node_modules is unchanged; check the permissions of the project directory",
        ) from None
    return Swapped(
        "two-renames",
        "renameat2(RENAME_EXCHANGE) is not available here: node_modules was replaced with two renames "
        "(missing for an instant in between)",
    )


__all__ = [
    "STAGING_PREFIX",
    "Interrupted",
    "ProjectBusyError",
    "ProjectLock",
    "Staging",
    "Swapped",
    "clean_up_interrupted",
    "exchange",
    "new_staging",
    "remove_stale_staging",
    "swap_into_place",
]
