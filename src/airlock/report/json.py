"""The JSON report: the contract other tools depend on (DESIGN.md, schema_version 1).

Change the shape only by bumping `SCHEMA_VERSION`; adding keys is allowed, changing or removing one is not.
The schema ships inside the package (`airlock/data/report-v1.schema.json`) so consumers and tests can
validate against exactly what this version promises; `docs/schema/report-v1.schema.json` is the same file
for readers of the repository (a test keeps them identical).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from airlock.model import PackageReport
from airlock.report.document import ReportDocument, ToolInfo
from airlock.report.summary import summarize, summary_json
from airlock.serialize import JSONObject, report_to_json

SCHEMA_VERSION = 1
SCHEMA_RESOURCE = "report-v1.schema.json"


def report_json(reports: Sequence[PackageReport], tool: ToolInfo) -> JSONObject:
    """The report as JSON-ready data: packages in the order given, never re-sorted, never dropped."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": tool.name, "version": tool.version, "analyzer": tool.analyzer},
        "summary": summary_json(summarize(reports)),
        "packages": [report_to_json(r) for r in reports],
    }


@cache
def packaged_schema_text(resource: str) -> str:
    """The text of a JSON Schema shipped in the package (`airlock/data/<resource>`)."""
    return resources.files("airlock").joinpath("data", resource).read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of this report version, as shipped in the package (a fresh copy)."""
    loaded: dict[str, Any] = json.loads(packaged_schema_text(SCHEMA_RESOURCE))
    return loaded


class JsonFormat:
    def render(self, document: ReportDocument, *, verbose: bool = False) -> str:
        # `verbose` changes nothing: the contract always carries every detail.
        # ensure_ascii: strings come from packages; \u-escaping keeps C1 controls, bidi overrides and the
        # like from acting on a terminal when someone cats the report.
        data = report_json(document.packages, document.tool)
        if document.notes:  # what was not checked and why (e.g. packages for other platforms)
            data["notes"] = list(document.notes)
        return json.dumps(data, indent=2, ensure_ascii=True) + "\n"
