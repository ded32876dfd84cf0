"""Patch files a package manager applies to a package at install (yarn `patch:`, pnpm
`patchedDependencies`): read from the project without ever leaving it, and applied in memory to the
package's files before analysis, so what is analysed is what would run.

Both yarn and pnpm write git-style unified diffs with paths relative to the package root (`a/index.js`).
A hunk applies where its context and removed lines match exactly, at the line it names or, as `patch`
does, at the nearest offset; yarn and pnpm refuse to install when a hunk does not apply, so such a hunk
is reported (`patch-not-applied` and a `Skipped` entry), never dropped silently.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from airlock.analysis.rules import patches as patch_rules
from airlock.model import Evidence, Finding, PackageContents, PackageFile, Skipped

MAX_PATCH_BYTES = 4 * 2**20
"""Larger patch files are not read (a patch is a reviewed source change; megabytes of one is not)."""

_HUNK_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_LINE = re.compile(rb"[^\n]*\n|[^\n]+$")


def _lines(data: bytes) -> list[bytes]:
    """Lines with their `\n` (the last without one when the data does not end in one)."""
    return _LINE.findall(data)


@dataclass(frozen=True, slots=True)
class PatchFile:
    """A patch file's bytes and its path relative to the project, as the lockfile names it."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class UnreadablePatch:
    path: str
    reason: str


def read_patch_file(project: Path, path: str) -> PatchFile | UnreadablePatch:
    """The patch file at `path` (relative to `project`), read only when it is a regular file inside the
    project reached without a symbolic link; otherwise the reason it was not read."""
    if not path or path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        return UnreadablePatch(path, "the path is absolute, outside the project; it was not read")
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        return UnreadablePatch(path, "the path leaves the project (`..`); it was not read")
    if not parts:
        return UnreadablePatch(path, "not a regular file")
    current = project
    mode = 0
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return UnreadablePatch(path, "the file is missing from the project")
        except OSError as error:
            return UnreadablePatch(path, f"the file cannot be examined ({error.strerror})")
        if stat.S_ISLNK(mode):
            return UnreadablePatch(
                path,
                f"{'/'.join(parts[: index + 1])} is a symbolic link, which may lead outside the project; "
                "it was not followed",
            )
    if not stat.S_ISREG(mode):
        return UnreadablePatch(path, "not a regular file")
    try:
        descriptor = os.open(current, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        return UnreadablePatch(path, f"the file cannot be opened ({error.strerror})")
    with os.fdopen(descriptor, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_PATCH_BYTES:
            return UnreadablePatch(
                path, f"{size} bytes, over the {MAX_PATCH_BYTES}-byte cap for a patch file"
            )
        return PatchFile(path, handle.read(MAX_PATCH_BYTES + 1))


def store_key(integrity: str, patches: Sequence[PatchFile]) -> str:
    """The analysis store's key for a package's bytes with `patches` applied: the tarball's integrity when
    unpatched, else that integrity bound to the patches' paths and bytes (so an unpatched analysis is never
    reused for a patched package, nor one patch's for another's)."""
    if not patches:
        return integrity
    digest = hashlib.sha256()
    for patch in patches:
        for part in (patch.path.encode(), patch.data):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return f"{integrity}+patched-sha256-{digest.hexdigest()}"


# ---- parsing ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Hunk:
    old_start: int
    old_count: int
    new_count: int
    lines: list[tuple[bytes, bytes]] = field(default_factory=list)
    """(' ' | '-' | '+', the line with its line end, or without when the diff says there is none)."""
    complete: bool = True
    """False when the diff ends before the hunk has the lines its header counts (a cut or edited patch)."""

    @property
    def old(self) -> list[bytes]:
        return [text for op, text in self.lines if op in (b" ", b"-")]

    @property
    def new(self) -> list[bytes]:
        return [text for op, text in self.lines if op in (b" ", b"+")]


@dataclass(slots=True)
class _FilePatch:
    old_path: str | None = None
    new_path: str | None = None
    new_file: bool = False
    deleted: bool = False
    executable: bool | None = None
    unsupported: str | None = None
    hunks: list[_Hunk] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or "?"


def _diff_path(raw: bytes) -> str | None:
    text = raw.decode("utf-8", "replace").rstrip("\r\n").split("\t", 1)[0]
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        text = text[1:-1]
    if text == "/dev/null":
        return None
    for prefix in ("a/", "b/"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _parse(data: bytes) -> list[_FilePatch]:
    files: list[_FilePatch] = []
    current: _FilePatch | None = None
    lines = _lines(data)
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith(b"diff --git "):
            current = _FilePatch()
            files.append(current)
            continue
        if line.startswith(b"--- ") and index < len(lines) and lines[index].startswith(b"+++ "):
            if current is None or current.hunks:
                current = _FilePatch()
                files.append(current)
            current.old_path = _diff_path(line[4:])
            current.new_path = _diff_path(lines[index][4:])
            current.new_file = current.new_file or current.old_path is None
            current.deleted = current.deleted or current.new_path is None
            index += 1
            continue
        if current is None:
            continue
        if line.startswith(b"new file mode "):
            current.new_file = True
            current.executable = line.strip().endswith(b"755")
        elif line.startswith(b"deleted file mode "):
            current.deleted = True
        elif line.startswith(b"new mode "):
            current.executable = line.strip().endswith(b"755")
        elif line.startswith((b"rename from ", b"copy from ")):
            current.unsupported = "renames and copies a file, which airlock does not apply"
        elif line.startswith((b"GIT binary patch", b"Binary files ")):
            current.unsupported = "changes a binary file, which airlock does not apply"
        elif match := _HUNK_HEADER.match(line):
            old_start, old_count, _new_start, new_count = match.groups()
            hunk = _Hunk(
                int(old_start),
                1 if old_count is None else int(old_count),
                1 if new_count is None else int(new_count),
            )
            current.hunks.append(hunk)
            index = _read_hunk(lines, index, hunk)
    return files


def _read_hunk(lines: list[bytes], index: int, hunk: _Hunk) -> int:
    old_left, new_left = hunk.old_count, hunk.new_count
    while index < len(lines) and (old_left > 0 or new_left > 0 or lines[index].startswith(b"\\")):
        line = lines[index]
        if line.startswith(b"\\"):  # "\ No newline at end of file": the previous line has no line end
            if hunk.lines:
                op, text = hunk.lines[-1]
                hunk.lines[-1] = (op, text.rstrip(b"\r\n"))
            index += 1
            continue
        op, text = (b" ", line) if line in (b"\n", b"\r\n") else (line[:1], line[1:])
        if op not in (b" ", b"-", b"+"):
            break
        hunk.lines.append((op, text))
        old_left -= op in (b" ", b"-")
        new_left -= op in (b" ", b"+")
        index += 1
    hunk.complete = old_left <= 0 and new_left <= 0
    return index


# ---- applying --------------------------------------------------------------------------------------------


def _apply_hunks(original: bytes, hunks: Sequence[_Hunk]) -> tuple[bytes, list[int]]:
    """The file with every hunk that matches applied, and the 1-based numbers of those that did not."""
    lines = _lines(original)
    failed: list[int] = []
    offset = 0
    floor = 0
    for number, hunk in enumerate(hunks, start=1):
        old = hunk.old
        expected = hunk.old_start - 1 + offset if hunk.old_count else hunk.old_start + offset
        at = _find(lines, old, max(expected, floor), floor) if hunk.complete else None
        if at is None:
            failed.append(number)
            continue
        lines[at : at + len(old)] = hunk.new
        offset += len(hunk.new) - len(old)
        floor = at + len(hunk.new)
    return b"".join(lines), failed


def _find(lines: list[bytes], old: list[bytes], expected: int, floor: int) -> int | None:
    """Where `old` occurs: at `expected`, else at the nearest position at or after `floor`."""
    width = len(old)
    limit = len(lines) - width
    if limit < floor:
        return None
    expected = min(max(expected, floor), limit)
    for distance in range(max(expected - floor, limit - expected) + 1):
        for at in (expected - distance, expected + distance) if distance else (expected,):
            if floor <= at <= limit and lines[at : at + width] == old:
                return at
    return None


def apply_patches(contents: PackageContents, patches: Sequence[PatchFile]) -> PackageContents:
    """`contents` with each patch applied in order. What does not apply is left as it was and reported: a
    `patch-not-applied` finding (evidence: the patch file) and a `Skipped` entry for the package file."""
    files = {f.path: f for f in contents.files}
    order = [f.path for f in contents.files]
    findings: list[Finding] = []
    skipped: list[Skipped] = []

    def not_applied(patch: PatchFile, target: str, why: str) -> None:
        message = f"patch {patch.path}: {why}; the package was analysed without that change"
        findings.append(patch_rules.PATCH_NOT_APPLIED.finding(message, _evidence(patch)))
        skipped.append(Skipped(f"the project's patch {patch.path} {why}", target))

    for patch in patches:
        parsed = _parse(patch.data)
        if not parsed:
            not_applied(patch, patch.path, "is not a unified diff (no file changes found)")
            continue
        for change in parsed:
            target = change.path
            existing = files.get(change.old_path or "")
            if change.unsupported:
                not_applied(patch, target, change.unsupported)
            elif change.deleted:
                if existing is None:
                    not_applied(patch, target, f"deletes {target}, which the package does not have")
                else:
                    del files[target]
            elif change.new_file and existing is None:
                new_path = change.new_path or target
                files[new_path] = PackageFile(
                    new_path, b"".join(b for h in change.hunks for b in h.new), bool(change.executable)
                )
                order.append(new_path)
            elif existing is None or existing.truncated:
                what = "does not have" if existing is None else "was only partly read (too large)"
                not_applied(patch, target, f"changes {target}, which the package {what}")
            else:
                patched, failed = _apply_hunks(existing.data, change.hunks)
                if failed:
                    hunks = ", ".join(str(n) for n in failed)
                    not_applied(patch, target, f"hunk {hunks} for {target} does not match the package's file")
                executable = existing.executable if change.executable is None else change.executable
                files[target] = replace(existing, data=patched, executable=executable)
    kept = tuple(files[p] for p in dict.fromkeys(order) if p in files)
    return replace(
        contents,
        files=kept,
        findings=(*contents.findings, *findings),
        skipped=(*contents.skipped, *skipped),
    )


def _evidence(patch: PatchFile) -> Evidence:
    return Evidence(patch.path, 1)


__all__ = [
    "MAX_PATCH_BYTES",
    "PatchFile",
    "UnreadablePatch",
    "apply_patches",
    "read_patch_file",
    "store_key",
]
