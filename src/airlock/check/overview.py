"""What a whole tree can do, in a few lines: how many packages can spawn processes, reach the network,
run install scripts... each with the first few names, for the end of `airlock check`'s text output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from airlock.model import PackageReport
from airlock.report.summary import CAPABILITY_GROUPS, CapabilityGroup

NAMES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class OverviewLine:
    group: CapabilityGroup
    names: tuple[str, ...]
    """Labels of every package with the capability, in tree order."""

    @property
    def what(self) -> str:
        return self.group.many


def capability_overview(reports: Sequence[PackageReport]) -> list[OverviewLine]:
    lines = []
    for group in CAPABILITY_GROUPS:
        names = tuple(r.label for r in reports if group.has(r))
        if names:
            lines.append(OverviewLine(group, names))
    return lines


def describe(line: OverviewLine) -> str:
    count = len(line.names)
    shown = ", ".join(line.names[:NAMES_SHOWN])
    more = f" +{count - NAMES_SHOWN} more" if count > NAMES_SHOWN else ""
    return f"{line.group.describe(count)}: {shown}{more}"
