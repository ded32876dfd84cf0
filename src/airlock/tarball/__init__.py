"""Read npm package archives and local package directories safely, in memory.

The public entry points return `PackageContents`: the regular files npm would install, findings for every
hostile member, and `Skipped` entries for what was not read. The package is split along its seams:

- `limits`: `TarLimits`, the resource caps (and why they are where they are);
- `stream`: the uncompressed byte stream (plain, or gzip inflated in bounded steps, bomb ratio check);
- `headers`: tar header and pax decoding, the way node-tar reads them;
- `paths`: path rules (absolute, `..`, links leaving the package) and where npm installs a member;
- `reader`: the archive reader, members in memory, caps, duplicates (`read_archive`);
- `directory`: the directory walker (`walk_directory`);
- `issues`: what the readers report (`TarIssue`, `IssueKind`) and keep (`ReadResult`).

None of those knows the rule catalogue: they report typed issues, and this module alone turns them into
findings through the tarball rule family, so a reader change cannot alter a rule's id or severity.
"""

from __future__ import annotations

from pathlib import Path

# The rule family module, not its names: the family imports `airlock.tarball.issues`, and whichever of the
# two is imported first, the other's attributes are only read when a package is read.
from airlock.analysis.rules import tarball as tarball_rules
from airlock.model import PackageContents
from airlock.tarball.directory import walk_directory
from airlock.tarball.issues import ReadResult
from airlock.tarball.limits import DEFAULT_LIMITS, TarLimits
from airlock.tarball.reader import read_archive

__all__ = ["DEFAULT_LIMITS", "TarLimits", "read_directory", "read_tarball"]


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
