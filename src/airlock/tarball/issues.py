"""What the readers report instead of findings: typed issues about members, and what they kept.

The readers know tar and the file system, not the rule catalogue: they say *what* is wrong with a member
(an `IssueKind`, the member's name, a sentence of detail) and `airlock.analysis.rules.tarball` decides
which rule that is, its severity and how it reads in a report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from airlock.model import PackageFile, Skipped

__all__ = [
    "MAX_ISSUES_PER_KIND",
    "CapError",
    "Collector",
    "IssueKind",
    "MalformedError",
    "ReadResult",
    "TarIssue",
    "shown",
]

MAX_ISSUES_PER_KIND = 100
_SHOWN_MAX = 200


class IssueKind(StrEnum):
    """One kind of hostile or over-the-cap member; each is reported by one rule of the tarball family."""

    ABSOLUTE_PATH = "absolute-path"
    PATH_TRAVERSAL = "path-traversal"
    LINK_ESCAPE = "link-escape"
    SPECIAL_MEMBER = "special-member"
    AMBIGUOUS_NAME = "ambiguous-name"
    DUPLICATE_MEMBER = "duplicate-member"
    TOO_MANY_MEMBERS = "too-many-members"
    TOO_LARGE = "too-large"
    COMPRESSION_BOMB = "compression-bomb"


@dataclass(frozen=True, slots=True)
class TarIssue:
    kind: IssueKind
    member: str
    """The member's name as the archive (or directory) has it, unescaped; `(archive)` when none was read."""
    detail: str
    """The whole sentence for the report: the reader is the one that knows what it saw."""
    target: str | None = None
    """For a link: where it points."""


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The regular files npm would install, the issues met, and what was not read."""

    files: tuple[PackageFile, ...]
    issues: tuple[TarIssue, ...]
    omitted: tuple[tuple[IssueKind, int], ...]
    """Issues past MAX_ISSUES_PER_KIND, counted but not kept (a million bad members stay a short report)."""
    skipped: tuple[Skipped, ...]


class MalformedError(Exception):
    """Not a well-formed archive (or one npm would read differently): becomes a `BadInputError`."""


class CapError(Exception):
    """A cap was reached: reading stops and the issue is reported."""

    def __init__(self, kind: IssueKind, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.name = name


def shown(text: str, limit: int = _SHOWN_MAX) -> str:
    """A member name fit for a report: control characters escaped, clipped."""
    out = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


class Collector:
    """Files, issues and skips of one package; issues capped per kind so memory stays bounded."""

    def __init__(self) -> None:
        self.files: dict[str, PackageFile] = {}
        self.issues: list[TarIssue] = []
        self.skipped: list[Skipped] = []
        self._counts: Counter[IssueKind] = Counter()

    def add_file(self, file: PackageFile) -> None:
        # Re-adding moves the path to the end: files come out in the order npm last wrote them.
        self.files.pop(file.path, None)
        self.files[file.path] = file

    def flag(self, kind: IssueKind, detail: str, member: str, target: str | None = None) -> None:
        self._counts[kind] += 1
        if self._counts[kind] <= MAX_ISSUES_PER_KIND:
            self.issues.append(TarIssue(kind, member, detail, target))

    def result(self) -> ReadResult:
        omitted = tuple(
            (kind, count - MAX_ISSUES_PER_KIND)
            for kind, count in self._counts.items()
            if count > MAX_ISSUES_PER_KIND
        )
        return ReadResult(tuple(self.files.values()), tuple(self.issues), omitted, tuple(self.skipped))
