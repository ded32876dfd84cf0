"""Report formats: one module per format behind the `ReportFormat` Protocol.

A new format (markdown, html) is one new module plus one line in `FORMATS`. Formats only render what they
are given: they never sort, filter or drop packages — the order is the order the targets were given (for
`check`: tree order), and a failed target is an entry like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from airlock.errors import UsageError
from airlock.report.document import ReportDocument, ReportKind, ToolInfo, TreeInfo
from airlock.report.html import HtmlFormat
from airlock.report.json import JsonFormat
from airlock.report.sarif import SarifFormat
from airlock.report.text import TextFormat


class ReportFormat(Protocol):
    def render(self, document: ReportDocument, *, verbose: bool = False) -> str:
        """The whole report as text, ending with a newline: write it out as is."""
        ...


FORMATS: Mapping[str, ReportFormat] = MappingProxyType(
    {
        "html": HtmlFormat(),
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


__all__ = [
    "FORMATS",
    "HtmlFormat",
    "JsonFormat",
    "ReportDocument",
    "ReportFormat",
    "ReportKind",
    "SarifFormat",
    "TextFormat",
    "ToolInfo",
    "TreeInfo",
    "get_format",
]
