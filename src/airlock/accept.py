"""Accepted findings: `[[accept]]` entries of airlock.toml that silence one rule for one package range.

An acceptance is a reviewer's decision about a report, not a fact about the bytes, so it is applied when a
report entry is judged (verdict.py), after analysis and after the store: changing airlock.toml never needs
re-analysis and never changes what is stored. Silenced findings stay in the report as `accepted`, with
the reason. An entry past its expiry date silences nothing and says so; an entry that silenced nothing
is named, so stale ones get cleaned up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from airlock.model import AcceptedFinding, Finding, PackageReport
from airlock.registry.semver import satisfies


@dataclass(frozen=True, slots=True)
class Acceptance:
    """One `[[accept]]` entry: `rule` findings of `package` at versions in `version` are accepted."""

    package: str
    version: str
    """An npm semver range, validated when the config is read."""
    rule: str
    reason: str
    expires: date | None = None
    """The first day the entry no longer applies."""

    def covers(self, name: str | None, version: str | None, rule: str) -> bool:
        return (
            rule == self.rule
            and name == self.package
            and version is not None
            and satisfies(version, self.version)
        )

    def expired(self, today: date) -> bool:
        return self.expires is not None and today >= self.expires

    @property
    def label(self) -> str:
        """How warnings and notes name the entry."""
        return f"accept entry for {self.package}@{self.version} rule {self.rule}"


@dataclass(frozen=True, slots=True)
class Acceptances:
    """The project's entries as of `today` (the clock is injected, so expiry is testable)."""

    entries: tuple[Acceptance, ...] = ()
    today: date | None = None

    def _today(self) -> date:
        return self.today or date.today()

    def _active(self) -> Iterable[Acceptance]:
        today = self._today()
        return (e for e in self.entries if not e.expired(today))

    def split(
        self, name: str | None, version: str | None, findings: Sequence[Finding]
    ) -> tuple[tuple[Finding, ...], tuple[AcceptedFinding, ...]]:
        """The findings still active, and the ones an unexpired entry accepts (with its reason)."""
        active = tuple(self._active())
        if not active:
            return tuple(findings), ()
        remaining: list[Finding] = []
        accepted: list[AcceptedFinding] = []
        for finding in findings:
            entry = next((e for e in active if e.covers(name, version, finding.rule)), None)
            if entry is None:
                remaining.append(finding)
            else:
                accepted.append(AcceptedFinding(finding, entry.reason, entry.expires))
        return tuple(remaining), tuple(accepted)

    def expired_warnings(self) -> tuple[str, ...]:
        """One line per expired entry: shown on stderr and as a note, so an expiry is never missed."""
        today = self._today()
        return tuple(
            f"{e.label} expired on {e.expires}: the finding is active again"
            for e in self.entries
            if e.expired(today)
        )

    def notes(self, reports: Sequence[PackageReport], *, whole_project: bool) -> tuple[str, ...]:
        """Expired entries, then unexpired entries that accepted nothing in these reports. For a whole
        project (`check`) every entry should match something; a `scan` of a few packages only answers
        for the entries naming a package it reported."""
        reported = {r.name for r in reports}
        unused = [
            e
            for e in self._active()
            if (whole_project or e.package in reported)
            and not any(e.covers(r.name, r.version, a.finding.rule) for r in reports for a in r.accepted)
        ]
        return (
            *self.expired_warnings(),
            *(
                f"{e.label} matched no finding in this report (unused: remove it if the finding is gone)"
                for e in unused
            ),
        )


NO_ACCEPTANCES = Acceptances()

__all__ = ["NO_ACCEPTANCES", "Acceptance", "Acceptances"]
