"""Rules about the archive itself: members that try to escape the package or exhaust the reader."""

from __future__ import annotations

from airlock.analysis.rules import declare
from airlock.model import Severity

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
