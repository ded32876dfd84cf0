"""Read a local package directory as `npm pack` would take it, in memory, without following links out."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from airlock.errors import UsageError
from airlock.model import PackageFile, Skipped
from airlock.tarball.issues import CapError, Collector, IssueKind, ReadResult, shown
from airlock.tarball.limits import DEFAULT_LIMITS, TarLimits
from airlock.tarball.stream import OUT_STEP

__all__ = ["walk_directory"]

_EXCLUDED_DIRS = frozenset({"node_modules", ".git"})


def walk_directory(path: Path, *, limits: TarLimits = DEFAULT_LIMITS) -> ReadResult:
    """The files of a package directory, as `npm pack` would take them (without `node_modules/`, `.git/`).

    Regular files are read; directories are walked (never through a link); a symbolic link is followed
    once when it resolves to a regular file inside the directory (a package used from a checkout or via
    `npm link` runs through its links, so what they point at is analysed under the link's path) and
    reported as a link escape when it resolves outside (never read); a link to a directory is not
    descended into (what it points at inside the package is read at its real place). FIFOs, sockets and
    devices are reported and never opened; unreadable files become `Skipped` entries. Sorted by path.
    """
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        raise UsageError(
            f"no such directory: {path}",
            hint="check the path; a local package is given as ./dir or ./pkg.tgz",
        ) from None
    except OSError as error:
        raise UsageError(f"cannot open {path}: {error.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(
            f"not a directory: {path}", hint="give a package directory (with package.json) or a .tgz tarball"
        )
    walker = _DirectoryWalker(Path(path), limits)
    walker.run()
    return walker.result()


def _display(name: str) -> str:
    """A file name from the OS (undecodable bytes kept as surrogates) as text, like tar names."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class _DirectoryWalker:
    def __init__(self, root: Path, limits: TarLimits) -> None:
        self.root = root
        self.limits = limits
        self.out = Collector()
        self._real_root = os.path.realpath(root)
        self._members = 0
        self._total = 0

    def result(self) -> ReadResult:
        result = self.out.result()
        files = tuple(sorted(result.files, key=lambda f: f.path))
        return ReadResult(files, result.issues, result.omitted, result.skipped)

    def run(self) -> None:
        try:
            self._walk()
        except CapError as hit:
            self.out.flag(hit.kind, f"{hit.message}; the rest was not read", hit.name or ".")
            self.out.skipped.append(Skipped(f"directory not fully read: {hit.message}"))

    def _walk(self) -> None:
        stack: list[tuple[str, str]] = [(os.fspath(self.root), "")]  # (OS path, package-relative path)
        while stack:
            directory, rel_dir = stack.pop()
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as error:
                if not rel_dir:
                    raise UsageError(f"cannot read directory {self.root}: {error.strerror}") from None
                self.out.skipped.append(Skipped(f"cannot list directory: {error.strerror}", rel_dir))
                continue
            subdirs: list[tuple[str, str]] = []
            for entry in entries:
                if entry.name in _EXCLUDED_DIRS:
                    continue
                rel = f"{rel_dir}/{_display(entry.name)}" if rel_dir else _display(entry.name)
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as error:
                    self.out.skipped.append(Skipped(f"cannot stat: {error.strerror}", rel))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    subdirs.append((entry.path, rel))
                    continue
                self._members += 1
                if self._members > self.limits.max_members:
                    raise CapError(
                        IssueKind.TOO_MANY_MEMBERS,
                        f"the directory has more than {self.limits.max_members:,} files",
                    )
                if stat.S_ISLNK(st.st_mode):
                    self._link(entry.path, rel)
                elif stat.S_ISREG(st.st_mode):
                    self._file(entry.path, rel, st.st_size)
                else:
                    self._special(rel, st.st_mode)
            stack.extend(reversed(subdirs))

    def _special(self, rel: str, mode: int) -> None:
        kinds = (
            (stat.S_ISFIFO, "FIFO"),
            (stat.S_ISSOCK, "socket"),
            (stat.S_ISCHR, "character device"),
            (stat.S_ISBLK, "block device"),
        )
        what = next((name for test, name in kinds if test(mode)), "special file")
        self.out.flag(IssueKind.SPECIAL_MEMBER, f"{shown(rel, 80)!r} is a {what}; it was not read", rel)

    def _link(self, os_path: str, rel: str) -> None:
        try:
            target = os.fspath(Path(os_path).readlink())
        except OSError as error:
            self.out.skipped.append(Skipped(f"cannot read symbolic link: {error.strerror}", rel))
            return
        real = os.path.realpath(os_path)
        if os.path.commonpath([self._real_root, real]) != self._real_root:
            shown_target = _display(target)
            self.out.flag(
                IssueKind.LINK_ESCAPE,
                f"symbolic link {shown(rel, 80)!r} points outside the package, to "
                f"{shown(shown_target, 80)!r}; it was not followed",
                rel,
                target=shown_target,
            )
            return
        try:
            st = Path(real).stat()
        except FileNotFoundError:
            self.out.skipped.append(Skipped("dangling symbolic link", rel))
            return
        except OSError as error:  # a loop, or a component we may not search
            self.out.skipped.append(Skipped(f"unresolvable symbolic link: {error.strerror}", rel))
            return
        if stat.S_ISDIR(st.st_mode):
            return  # its files are read where they really are (links to directories are not descended into)
        if stat.S_ISREG(st.st_mode):
            self._file(real, rel, st.st_size)
        else:
            self._special(rel, st.st_mode)

    def _file(self, os_path: str, rel: str, size: int) -> None:
        cap = self.limits.max_member_bytes
        if size > cap:
            self._too_big(rel, size)
            return
        try:
            # O_NONBLOCK: a FIFO swapped in after the stat must not hang us; O_NOFOLLOW: nor a new link.
            fd = os.open(os_path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            self.out.skipped.append(Skipped(f"cannot read: {error.strerror}", rel))
            return
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self._special(rel, st.st_mode)
                return
            data = _read_fd(fd, st.st_size, cap)
        except OSError as error:
            self.out.skipped.append(Skipped(f"cannot read: {error.strerror}", rel))
            return
        finally:
            os.close(fd)
        if len(data) > cap:
            self._too_big(rel, len(data))
            return
        self._total += len(data)
        if self._total > self.limits.max_total_bytes:
            raise CapError(
                IssueKind.TOO_LARGE,
                f"the directory holds more than {self.limits.max_total_bytes:,} bytes",
                rel,
            )
        self.out.add_file(PackageFile(rel, data, executable=bool(st.st_mode & 0o111)))

    def _too_big(self, rel: str, size: int) -> None:
        cap = self.limits.max_member_bytes
        self.out.flag(
            IssueKind.TOO_LARGE,
            f"{shown(rel, 80)!r} is {size:,} bytes, over the {cap:,}-byte cap; it was not read",
            rel,
        )
        self.out.skipped.append(Skipped(f"larger than the {cap:,}-byte cap for one file", rel))


def _read_fd(fd: int, expected: int, cap: int) -> bytes:
    """The file's bytes, but at most `cap + 1` (one more than allowed shows a file that grew past the cap)."""
    parts: list[bytes] = []
    total = 0
    step = min(expected, cap) + 1  # one read for a file that is as big as fstat said
    while total <= cap:
        block = os.read(fd, min(step, cap + 1 - total))
        if not block:
            break
        parts.append(block)
        total += len(block)
        step = OUT_STEP
    return parts[0] if len(parts) == 1 else b"".join(parts)
