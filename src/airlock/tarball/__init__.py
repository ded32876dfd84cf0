"""Read npm package archives and local package directories safely, in memory.

The readers return a `ReadResult`: the regular files npm would install, typed issues for every hostile
member, and `Skipped` entries for what was not read (`airlock.contents` turns the issues into findings).
The package is split along its seams:

- `limits`: `TarLimits`, the resource caps (and why they are where they are);
- `stream`: the uncompressed byte stream (plain, or gzip inflated in bounded steps, bomb ratio check);
- `headers`: tar header and pax decoding, the way node-tar reads them;
- `paths`: path rules (absolute, `..`, links leaving the package) and where npm installs a member;
- `reader`: the archive reader, members in memory, caps, duplicates (`read_archive`);
- `directory`: the directory walker (`walk_directory`);
- `issues`: what the readers report (`TarIssue`, `IssueKind`) and keep (`ReadResult`).

None of them knows the rule catalogue.
"""

from __future__ import annotations

from airlock.tarball.directory import walk_directory
from airlock.tarball.issues import ReadResult
from airlock.tarball.limits import DEFAULT_LIMITS, TarLimits
from airlock.tarball.reader import read_archive

__all__ = ["DEFAULT_LIMITS", "ReadResult", "TarLimits", "read_archive", "walk_directory"]
