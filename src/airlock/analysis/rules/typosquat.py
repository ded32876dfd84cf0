"""Names that imitate popular packages."""

from __future__ import annotations

from airlock.analysis.rules import declare
from airlock.data import popular_downloads
from airlock.model import Evidence, Finding, Severity
from airlock.names import imitated

FAMILY = "typosquat"

TYPOSQUAT = declare(
    "typosquat-name",
    family=FAMILY,
    action="check that {name} is the package you meant, not a look-alike of a popular name",
    severity=Severity.MEDIUM,
    summary="The package name is one edit, a transposition, or a separator/scope change away from a "
    "popular package.",
    why="crossenv imitated cross-env (2017) and stole environments from whoever mistyped; the popular list "
    "ships with airlock (data/popular.tsv), and popular names never match themselves.",
    references=("https://blog.npmjs.org/post/163723642530/crossenv-malware-on-the-npm-registry",),
)


def imitation_finding(name: str, evidence: Evidence) -> Finding | None:
    """Judged by the context stage on the name the registry or lockfile installs: the name inside a tarball
    is the publisher's claim (a `cross-envv` tarball can say "cross-env")."""
    imitation = imitated(name, popular_downloads())
    if imitation is None:
        return None
    return TYPOSQUAT.finding(
        f"{name!r} looks like the popular {imitation.target!r} ({imitation.technique})", evidence
    )


name = FAMILY
rules = (TYPOSQUAT,)
