"""Report formats: one module per format behind the `ReportFormat` Protocol.

A new format (markdown, html) is one new module plus one line in `FORMATS`. Formats only render what they
are given: they never sort, filter or drop packages — the order is the order the targets were given (for
`check`: tree order), and a failed target is an entry like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from airlock.errors import UsageError
from airlock.model import PackageReport

# The implementations import `ToolInfo` from this module for type checking only, so this is not a cycle.
from airlock.report.json import JsonFormat
from airlock.report.sarif import SarifFormat
from airlock.report.text import TextFormat


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolInfo:
    """Who produced a report. `analyzer` changes whenever analysis results could (it keys the store)."""

    name: str = "airlock"
    version: str
    analyzer: str


class ReportFormat(Protocol):
    def render(self, reports: Sequence[PackageReport], tool: ToolInfo, *, verbose: bool = False) -> str:
        """The whole report as text, ending with a newline: write it out as is."""
        ...


FORMATS: Mapping[str, ReportFormat] = MappingProxyType(
    {
        "json": JsonFormat(),
        "sarif": SarifFormat(),
        # Plain text by default; the CLI builds its own TextFormat(color=..., width=...) for a terminal.
        "text": TextFormat(),
    }
)


def get_format(name: str) -> ReportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        valid = ", ".join(sorted(FORMATS))
        raise UsageError(f"unknown report format {name!r}", hint=f"choose one of: {valid}") from None


__all__ = ["FORMATS", "JsonFormat", "ReportFormat", "SarifFormat", "TextFormat", "ToolInfo", "get_format"]
