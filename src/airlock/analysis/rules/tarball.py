"""Rules about the archive itself: members that try to escape the package or exhaust the reader.

Not evaluated on package facts: the readers of `airlock.tarball` report typed issues (`TarIssue`) and
`findings` turns them into this family's findings, one rule per `IssueKind`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from airlock.analysis.rules import Rule, declare
from airlock.model import Evidence, Finding, Severity
from airlock.tarball.issues import IssueKind, ReadResult, TarIssue, shown

FAMILY = "tarball"

ABSOLUTE_PATH = declare(
    "tar-absolute-path",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="An archive member has an absolute path.",
    why="An extractor that trusts member names would write outside the package directory "
    "(e.g. /etc/profile.d or ~/.bashrc); npm itself strips them, so a legitimate package never needs one.",
)
PATH_TRAVERSAL = declare(
    "tar-path-traversal",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="An archive member path contains `..` components that climb out of the package.",
    why="Path traversal ('zip slip') lets a tarball overwrite files of the project or the user on "
    "extraction.",
)
LINK_ESCAPE = declare(
    "tar-link-escape",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="A symbolic or hard link inside the archive points outside the package.",
    why="A link to ~/.ssh or /etc followed by a regular member of the same name writes through the link.",
)
SPECIAL_MEMBER = declare(
    "tar-special-member",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="An archive member is a device, FIFO or other special file.",
    why="npm packages contain regular files and directories; special files can hang or subvert extractors.",
)
TOO_MANY_MEMBERS = declare(
    "tar-too-many-members",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="The archive has more members than the reader's cap; the rest was not read.",
    why="Millions of tiny members exhaust memory and inodes (a resource-exhaustion bomb).",
)
TOO_LARGE = declare(
    "tar-too-large",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="The archive unpacks to more bytes than the reader's cap; the rest was not read.",
    why="Oversized packages exhaust disk and memory of installers and scanners.",
)
COMPRESSION_BOMB = declare(
    "tar-compression-bomb",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="The archive's compression ratio is beyond anything real packages reach.",
    why="A gzip bomb expands a few kilobytes into gigabytes to crash or stall whoever unpacks it.",
)
AMBIGUOUS_NAME = declare(
    "tar-ambiguous-name",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="An archive member's name contains a NUL byte, so tar readers disagree on what it is called.",
    why="node-tar (npm) keeps what follows a NUL up to the next newline, other readers stop at the NUL: the "
    "same member gets different names in npm, yarn, pnpm and scanners, a way to show a scanner one file "
    "and install another. No tool that packs npm packages writes such a name.",
)
DUPLICATE_MEMBER = declare(
    "tarball-duplicate-member",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="Two archive members install at the same path, or a directory member replaces an earlier file.",
    why="npm writes the members in order, so the last copy is the one installed; a reader that keeps the "
    "first shows a scanner or a reviewer one file while npm installs another. `npm pack` never writes a "
    "path twice.",
)

name = FAMILY
rules = (
    ABSOLUTE_PATH,
    PATH_TRAVERSAL,
    LINK_ESCAPE,
    SPECIAL_MEMBER,
    TOO_MANY_MEMBERS,
    TOO_LARGE,
    COMPRESSION_BOMB,
    AMBIGUOUS_NAME,
    DUPLICATE_MEMBER,
)

RULE_FOR: Mapping[IssueKind, Rule] = MappingProxyType(
    {
        IssueKind.ABSOLUTE_PATH: ABSOLUTE_PATH,
        IssueKind.PATH_TRAVERSAL: PATH_TRAVERSAL,
        IssueKind.LINK_ESCAPE: LINK_ESCAPE,
        IssueKind.SPECIAL_MEMBER: SPECIAL_MEMBER,
        IssueKind.AMBIGUOUS_NAME: AMBIGUOUS_NAME,
        IssueKind.DUPLICATE_MEMBER: DUPLICATE_MEMBER,
        IssueKind.TOO_MANY_MEMBERS: TOO_MANY_MEMBERS,
        IssueKind.TOO_LARGE: TOO_LARGE,
        IssueKind.COMPRESSION_BOMB: COMPRESSION_BOMB,
    }
)


def finding(issue: TarIssue) -> Finding:
    """One issue as a finding: the member (escaped, clipped) is the evidence; a link shows its target."""
    member = shown(issue.member)
    snippet = member if issue.target is None else f"{shown(issue.member, 70)} -> {shown(issue.target, 70)}"
    return RULE_FOR[issue.kind].finding(issue.detail, Evidence(member, 1, snippet=snippet))


def findings(result: ReadResult) -> tuple[Finding, ...]:
    """The issues in the order met, then one line per rule for the issues past the reader's cap."""
    out = [finding(issue) for issue in result.issues]
    for rule, extra in sorted(((RULE_FOR[kind], n) for kind, n in result.omitted), key=lambda r: r[0].id):
        out.append(rule.finding(f"{extra} more members like the above were not listed"))
    return tuple(out)
