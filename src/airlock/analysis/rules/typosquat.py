"""Names that imitate popular packages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from airlock.analysis.rules import declare
from airlock.data import popular_downloads
from airlock.model import Evidence, Finding, Severity
from airlock.names import imitated

FAMILY = "typosquat"
ESTABLISHED_AGE = timedelta(days=365)
"""A name first published at least this long ago is established: squats are reported and removed within
days or weeks (crossenv lived two weeks), so a look-alike that has been on the registry for a year is a
package in its own right (ansicolor, clap, pepjs)."""

TYPOSQUAT = declare(
    "typosquat-name",
    family=FAMILY,
    action="check that {name} is the package you meant, not a look-alike of a popular name",
    severity=Severity.MEDIUM,
    summary="The package name is one edit, a transposition, or a separator/scope change away from a "
    "popular package, and the package is young (first published less than a year ago) or its age is "
    "unknown.",
    why="crossenv imitated cross-env (2017) and stole environments from whoever mistyped; the popular list "
    "ships with airlock (data/popular.tsv), and popular names never match themselves. The candidate's own "
    "age is weighed from the registry's `time.created`: a name first published a year or more ago, or "
    "before the package it resembles, is an established package, not a squat (immediato, clap, "
    "oniguruma-to-js). Without the registry's document (a tarball, an abbreviated or offline document) "
    "the age is unknown and the message says so.",
    references=("https://blog.npmjs.org/post/163723642530/crossenv-malware-on-the-npm-registry",),
)


@dataclass(frozen=True, slots=True)
class NameAges:
    """What is known about when names were first published, for weighing a look-alike."""

    now: datetime
    candidate: datetime | None = None
    """When the judged package was first published (None: unknown)."""
    known: Mapping[str, datetime] = field(default_factory=dict)
    """First-publish times of other packages (those of the same tree), to compare with the imitated name."""


def imitation_finding(name: str, evidence: Evidence, ages: NameAges | None = None) -> Finding | None:
    """Judged by the context stage on the name the registry or lockfile installs: the name inside a tarball
    is the publisher's claim (a `cross-envv` tarball can say "cross-env")."""
    imitation = imitated(name, popular_downloads())
    if imitation is None:
        return None
    said = f"{name!r} looks like the popular {imitation.target!r} ({imitation.technique})"
    created = ages.candidate if ages is not None else None
    if ages is None or created is None:
        return TYPOSQUAT.finding(
            f"{said}; its first publish date is unknown here (no registry document with publish times), "
            "so its age was not weighed",
            evidence,
        )
    age = ages.now - created
    if age >= ESTABLISHED_AGE:
        return None
    target_created = ages.known.get(imitation.target)
    if target_created is not None and created < target_created:
        return None  # it was there first: the popular name resembles it, not the other way round
    return TYPOSQUAT.finding(
        f"{said}; {name} was first published {created:%Y-%m-%d}, "
        f"{max(age.total_seconds(), 0) / 86400:.0f} days ago",
        evidence,
    )


name = FAMILY
rules = (TYPOSQUAT,)
