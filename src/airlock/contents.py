"""A package's contents, from an archive or a directory: the files npm would install, hostile members as
findings (through the tarball rule family) and `Skipped` entries for what was not read.

The readers in `airlock.tarball` know nothing of rules: they report typed issues. This module is where those
become findings, so a reader change cannot alter a rule's id or severity, and the reader package never
imports the rule catalogue.
"""

from __future__ import annotations

from pathlib import Path

from airlock.analysis.rules import tarball as tarball_rules
from airlock.model import PackageContents
from airlock.tarball import DEFAULT_LIMITS, ReadResult, TarLimits, read_archive, walk_directory

__all__ = ["read_directory", "read_tarball"]


def read_tarball(data: bytes, *, subject: str, limits: TarLimits = DEFAULT_LIMITS) -> PackageContents:
    """The files of a package archive (gzip-compressed tar as the registry serves it, or plain tar).

    Hostile members become findings and are not read; caps stop reading with a finding; an archive that
    is truncated, corrupt or not a tar at all raises `BadInputError` naming `subject`.
    """
    return _contents(read_archive(data, subject=subject, limits=limits))


def read_directory(path: Path, *, limits: TarLimits = DEFAULT_LIMITS) -> PackageContents:
    """The files of a package directory, as `npm pack` would take them (without `node_modules/`, `.git/`).

    Regular files are read; directories are walked (never through a link); a symbolic link is followed
    once when it resolves to a regular file inside the directory (a package used from a checkout or via
    `npm link` runs through its links, so what they point at is analysed under the link's path) and
    reported as `tar-link-escape` when it resolves outside (never read); a link to a directory is not
    descended into (what it points at inside the package is read at its real place). FIFOs, sockets and
    devices are reported and never opened; unreadable files become `Skipped` entries. Sorted by path.
    """
    return _contents(walk_directory(path, limits=limits))


def _contents(result: ReadResult) -> PackageContents:
    return PackageContents(result.files, tarball_rules.findings(result), result.skipped)
