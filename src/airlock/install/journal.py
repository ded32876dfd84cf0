"""The journal that makes `airlock install`'s swap and its file writes one step, even across SIGKILL.

`airlock install` changes four things: node_modules (one rename, atomic) and package.json, the lockfile and
airlock-policy.json (one atomic write each). A run killed between them would leave the new node_modules
with the old files, or a mix of old and new files. So, before the swap:

1. a marker (`SWAP_MARKER`) holding a random token is written into the staged node_modules: wherever that
   tree ends up, it says which run staged it;
2. the journal (`JOURNAL`, in the staging directory, written atomically) holds the token and the new bytes
   of every file, with the hash of each file's bytes before the run.

After the swap the files are written, then the journal is removed, then the marker. The next run, holding
the project lock (before it reads anything of the project), finds a journal left in a staging directory
(`recover`): when the project's node_modules carries the journal's token the swap happened, and it
finishes the writes; otherwise nothing had changed and it discards the journal. A file changed by someone
else since (neither its old nor its new bytes) is never overwritten: the run stops and says so.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path

from airlock.errors import OperationalError
from airlock.files import write_atomic

JOURNAL = "airlock-journal.json"
SWAP_MARKER = ".airlock-swap"
_FORMAT = 1
WRITABLE = frozenset({"package.json", "package-lock.json", "npm-shrinkwrap.json", "airlock-policy.json"})
"""The only files a journal may name (relative to the project): what `airlock install` writes."""

CRASH_ENV = "AIRLOCK_TEST_CRASH_AT"
"""Tests: the name of a `crash_point` at which the process kills itself with SIGKILL."""


def crash_point(name: str) -> None:
    """Die here with SIGKILL when the tests ask for it (`AIRLOCK_TEST_CRASH_AT=name`): the journal's
    recovery is tested against a real kill at each point, not a simulation."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class PendingFile:
    name: str
    """Relative to the project, one of `WRITABLE`."""
    data: bytes
    before: str | None
    """sha256 of the file's bytes when the run started (None: it did not exist)."""


@dataclass(frozen=True, slots=True)
class Journal:
    token: str
    files: tuple[PendingFile, ...]


@dataclass(frozen=True, slots=True)
class Recovery:
    """What a run found of an interrupted one, and did about it."""

    staging: str
    """The staging directory's name."""
    swapped: bool
    """True: its node_modules was in place, and the writes were finished; False: discarded."""
    written: tuple[str, ...]
    """The files written to finish (those not yet holding their new bytes)."""
    pending: tuple[str, ...]
    """Every file the journal named."""

    def describe(self) -> str:
        names = ", ".join(self.pending)
        if self.swapped:
            done = ", ".join(self.written) or "none (all were already written)"
            return (
                f"finished an interrupted install ({self.staging}): its node_modules was already in place; "
                f"wrote {done} of {names}"
            )
        return (
            f"rolled back an interrupted install ({self.staging}): it was killed before its node_modules "
            f"was swapped in, so nothing had changed; {names} left as they were"
        )


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def pending_files(project: Path, files: dict[str, bytes]) -> tuple[PendingFile, ...]:
    for name in files:
        if name not in WRITABLE:
            raise ValueError(f"a journal cannot write {name}")
    return tuple(PendingFile(name, data, _sha256(project / name)) for name, data in files.items())


def begin(staging_root: Path, staged_node_modules: Path, files: tuple[PendingFile, ...]) -> Journal:
    """Mark the staged node_modules and write the journal; call just before the swap."""
    journal = Journal(secrets.token_hex(16), files)
    (staged_node_modules / SWAP_MARKER).write_text(journal.token + "\n", encoding="ascii")
    document = {
        "format": _FORMAT,
        "token": journal.token,
        "files": [
            {"name": f.name, "before": f.before, "data": base64.b64encode(f.data).decode("ascii")}
            for f in files
        ],
    }
    write_atomic(staging_root / JOURNAL, json.dumps(document).encode(), mode=0o600, durable=True)
    return journal


def _write_files(project: Path, journal: Journal) -> tuple[str, ...]:
    written = []
    for index, pending in enumerate(journal.files):
        target = project / pending.name
        now = _sha256(target)
        if now == hashlib.sha256(pending.data).hexdigest():
            continue
        if now != pending.before:
            raise OperationalError(
                f"{target} changed after an interrupted airlock install swapped in its node_modules; "
                "it was not overwritten",
                hint=f"to finish that install, restore the file or delete it and run again; to keep your "
                f"version, delete {JOURNAL} from the .airlock-staging-* directory of {project} (node_modules "
                "then holds the interrupted install's tree: run airlock ci)",
            )
        write_atomic(target, pending.data)
        written.append(pending.name)
        if index < len(journal.files) - 1:
            crash_point("between-writes")
    return tuple(written)


def finish(project: Path, staging_root: Path, journal: Journal) -> tuple[str, ...]:
    """After the swap: write the files, then remove the journal, then the marker."""
    written = _write_files(project, journal)
    (staging_root / JOURNAL).unlink()
    with contextlib.suppress(FileNotFoundError):
        (project / "node_modules" / SWAP_MARKER).unlink()
    return written


def _read(path: Path) -> Journal:
    try:
        document = json.loads(path.read_bytes())
        if document.get("format") != _FORMAT:
            raise ValueError(f"format {document.get('format')!r}")
        token = document["token"]
        files = []
        for entry in document["files"]:
            name, before = entry["name"], entry["before"]
            if name not in WRITABLE or not (before is None or isinstance(before, str)):
                raise ValueError(f"names {name!r}")
            files.append(PendingFile(name, base64.b64decode(entry["data"], validate=True), before))
        if not isinstance(token, str) or not token:
            raise ValueError("no token")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise OperationalError(
            f"cannot read the journal of an interrupted airlock install, {path}: {error}",
            hint="it is written atomically by airlock, so something else changed it; check package.json, "
            "the lockfile and node_modules, then delete its directory and run airlock ci",
        ) from None
    return Journal(token, tuple(files))


def recover(project: Path, staging_root: Path) -> Recovery | None:
    """Finish or discard the journal an interrupted run left in `staging_root` (None: it left none). Call
    holding the project lock, after a fallback swap's half was undone (`staging.restore_fallback`)."""
    path = staging_root / JOURNAL
    if not path.is_file():
        return None
    journal = _read(path)
    marker = project / "node_modules" / SWAP_MARKER
    try:
        swapped = marker.read_text(encoding="ascii").strip() == journal.token
    except (OSError, UnicodeDecodeError):
        swapped = False
    names = tuple(f.name for f in journal.files)
    if swapped:
        written = finish(project, staging_root, journal)
        return Recovery(staging_root.name, True, written, names)
    path.unlink()
    return Recovery(staging_root.name, False, (), names)


def remove_stray_marker(project: Path) -> None:
    """A run killed after removing its journal, before its marker: the marker alone means nothing."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        (project / "node_modules" / SWAP_MARKER).unlink()


__all__ = [
    "CRASH_ENV",
    "JOURNAL",
    "SWAP_MARKER",
    "Journal",
    "PendingFile",
    "Recovery",
    "begin",
    "crash_point",
    "finish",
    "pending_files",
    "recover",
    "remove_stray_marker",
]
