"""The diff as JSON: `{"schema_version": 1, "kind": "diff", "changes": [...]}`, riskiest change first.

A documented contract like the scan report's: the schema ships in the package
(`airlock/data/diff-v1.schema.json`), and `docs/schema/diff-v1.schema.json` is the same file for readers
of the repository (a test keeps them identical). Adding keys is allowed; changing or removing one needs a
new schema version."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from airlock.diff.model import DIFF_SCHEMA_VERSION, DependencyAdded, DiffDocument, NotAnalysed, PackageChange
from airlock.diff.score import new_capabilities, new_install_code
from airlock.report.document import ToolInfo
from airlock.report.json import packaged_schema_text
from airlock.serialize import JSONObject, evidence_to_json, finding_to_json

SCHEMA_RESOURCE = "diff-v1.schema.json"


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _dependency(dependency: DependencyAdded) -> JSONObject:
    return {
        "name": dependency.name,
        "spec": dependency.spec,
        "version": dependency.version,
        "verdict": dependency.verdict.value,
        "findings": [finding_to_json(f) for f in dependency.findings],
        "capabilities": list(dependency.capabilities),
        "install_scripts": dict(dependency.install_scripts),
        "lines": dependency.lines,
        "first_published": _time(dependency.first_published),
        "version_published": _time(dependency.version_published),
        "maintainers": None if dependency.maintainers is None else list(dependency.maintainers),
        "not_analysed": None if dependency.not_analysed is None else dependency.not_analysed.reason,
    }


def _not_analysed(missing: NotAnalysed) -> JSONObject:
    return {
        "name": missing.name,
        "version": missing.version,
        "side": missing.side.value,
        "reason": missing.reason,
    }


def change_to_json(change: PackageChange) -> JSONObject:
    return {
        "name": change.name,
        "from_version": change.from_version,
        "to_version": change.to_version,
        "verdict": change.verdict.value,
        "attention": change.attention.value,
        "score": change.score,
        "new_install_code": new_install_code(change),
        "new_capabilities": list(new_capabilities(change)),
        "capabilities_added": {
            key: [evidence_to_json(e) for e in evidence]
            for key, evidence in change.capabilities_added.items()
        },
        "capabilities_removed": {
            key: [evidence_to_json(e) for e in evidence]
            for key, evidence in change.capabilities_removed.items()
        },
        "findings_added": [finding_to_json(f) for f in change.findings_added],
        "findings_removed": [finding_to_json(f) for f in change.findings_removed],
        "scripts_changed": [
            {"hook": s.hook, "change": s.kind.value, "old": s.old_command, "new": s.new_command}
            for s in change.scripts_changed
        ],
        "dependencies_added": [_dependency(d) for d in change.dependencies_added],
        "dependencies_removed": list(change.dependencies_removed),
        "maintainers_changed": {
            "added": list(change.maintainers_changed.added),
            "removed": list(change.maintainers_changed.removed),
        },
        "files": [
            {
                "path": f.path,
                "change": f.kind.value,
                "old_size": f.old_size,
                "new_size": f.new_size,
                "size_delta": f.size_delta,
                "lines": f.lines,
            }
            for f in change.files
        ],
        "became_minified": list(change.became_minified),
        "became_obfuscated": list(change.became_obfuscated),
        "bin_changed": [
            {"name": b.name, "change": b.kind.value, "old": b.old_path, "new": b.new_path}
            for b in change.bin_changes
        ],
        "paths": list(change.paths),
        "reasons": list(change.reasons),
        "not_analysed": [_not_analysed(n) for n in change.not_analysed],
    }


def diff_json(document: DiffDocument, tool: ToolInfo) -> JSONObject:
    data: JSONObject = {
        "schema_version": DIFF_SCHEMA_VERSION,
        "kind": "diff",
        "tool": {"name": tool.name, "version": tool.version, "analyzer": tool.analyzer},
        "verdict": document.verdict.value,
        "changes": [change_to_json(c) for c in document.changes],
    }
    if document.notes:
        data["notes"] = list(document.notes)
    return data


def render_json(document: DiffDocument, tool: ToolInfo) -> str:
    # ensure_ascii: strings come from packages; escaping keeps control characters off a terminal.
    return json.dumps(diff_json(document, tool), indent=2, ensure_ascii=True) + "\n"


def schema() -> dict[str, Any]:
    """The diff's JSON Schema (draft 2020-12), as shipped in the package (a fresh copy)."""
    loaded: dict[str, Any] = json.loads(packaged_schema_text(SCHEMA_RESOURCE))
    return loaded


__all__ = ["SCHEMA_RESOURCE", "change_to_json", "diff_json", "render_json", "schema"]
