"""Encoders and decoders between the model and JSON-ready data.

Two consumers with different needs share these encoders:

- the JSON report contract (DESIGN.md, schema_version 1): `report_to_json`;
- the analysis store, which needs `analysis_to_json` / `analysis_from_json` to be lossless, because a stored
  analysis is served instead of re-analysing the bytes.

Encoders build dicts in a fixed key order, so equal inputs give byte-identical JSON. Decoders check every
type they read: their input comes from disk (a store another process or an older airlock wrote) and must
not turn into a half-valid model object; anything malformed raises `SerializationError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airlock.errors import BadInputError
from airlock.model import (
    AcceptedFinding,
    Capabilities,
    DeclaredManifest,
    Evidence,
    Finding,
    PackageAnalysis,
    PackageReport,
    Severity,
    Skipped,
)

ANALYSIS_FORMAT = 1
"""Version of the stored encoding; a body with another value is not decoded (the store re-analyses)."""

JSONObject = dict[str, Any]


class SerializationError(BadInputError):
    """Data that should encode a model object does not (wrong type, missing key, unknown enum value)."""


# --- encoders -------------------------------------------------------------------------------------------


def evidence_to_json(evidence: Evidence) -> JSONObject:
    out: JSONObject = {"file": evidence.file, "line": evidence.line}
    # The contract omits unknown optional keys rather than writing null.
    if evidence.column is not None:
        out["column"] = evidence.column
    if evidence.snippet is not None:
        out["snippet"] = evidence.snippet
    return out


def _evidence_list(evidence: tuple[Evidence, ...]) -> list[JSONObject]:
    return [evidence_to_json(e) for e in evidence]


def finding_to_json(finding: Finding) -> JSONObject:
    """A finding as the contract shows it; `file`/`line` repeat the first evidence so simple consumers
    need not look into the list."""
    out: JSONObject = {"rule": finding.rule, "severity": finding.severity.value, "message": finding.message}
    first = finding.location
    if first is not None:
        out["file"] = first.file
        out["line"] = first.line
    if finding.evidence:
        out["evidence"] = _evidence_list(finding.evidence)
    return out


def accepted_to_json(accepted: AcceptedFinding) -> JSONObject:
    """An accepted finding: the finding as the contract shows it, with the project's reason and expiry."""
    out = finding_to_json(accepted.finding)
    out.pop("evidence", None)
    out["reason"] = accepted.reason
    out["expires"] = accepted.expires.isoformat() if accepted.expires is not None else None
    return out


def _capability_map(m: Mapping[str, tuple[Evidence, ...]]) -> JSONObject:
    return {key: _evidence_list(m[key]) for key in sorted(m)}


def capabilities_to_json(capabilities: Capabilities) -> JSONObject:
    return {
        "builtin": _capability_map(capabilities.builtin),
        "globals": _capability_map(capabilities.globals),
        "dynamic": _evidence_list(capabilities.dynamic),
        "native": capabilities.native,
        "all_globals": _capability_map(capabilities.all_globals),
        "global_writes": list(capabilities.global_writes),
        "imports": _capability_map(capabilities.imports),
        "builtin_probes": _capability_map(capabilities.builtin_probes),
    }


def skipped_to_json(skipped: Skipped) -> JSONObject:
    out: JSONObject = {"reason": skipped.reason}
    if skipped.file is not None:
        out["file"] = skipped.file
    return out


def analysis_to_json(analysis: PackageAnalysis) -> JSONObject:
    """Lossless encoding of an analysis, for the store. Not part of the report contract."""
    return {
        "format": ANALYSIS_FORMAT,
        "name": analysis.name,
        "version": analysis.version,
        "analyzer": analysis.analyzer,
        "capabilities": capabilities_to_json(analysis.capabilities),
        # Lifecycle order (preinstall, install, postinstall) is meaningful to a reader: keep it, don't sort.
        "install_scripts": dict(analysis.install_scripts),
        "findings": [finding_to_json(f) for f in analysis.findings],
        "skipped": [skipped_to_json(s) for s in analysis.skipped],
        "declared": None if analysis.declared is None else declared_to_json(analysis.declared),
    }


def declared_to_json(declared: DeclaredManifest) -> JSONObject:
    return {
        "name": declared.name,
        "version": declared.version,
        "scripts": [list(pair) for pair in declared.scripts],
        "dependencies": list(declared.dependencies),
        "peer_dependencies": list(declared.peer_dependencies),
        "bin": [list(pair) for pair in declared.bin],
        "gypfile": declared.gypfile,
        "has_binding_gyp": declared.has_binding_gyp,
    }


def report_to_json(report: PackageReport) -> JSONObject:
    """One entry of the report's `packages` array, keys exactly as the contract lists them."""
    out: JSONObject = {
        "name": report.name,
        "version": report.version,
        "integrity": report.integrity,
        "verdict": report.verdict.value,
        "capabilities": capabilities_to_json(report.capabilities),
        "install_scripts": dict(report.install_scripts),
        "findings": [finding_to_json(f) for f in report.findings],
        "skipped": [skipped_to_json(s) for s in report.skipped],
    }
    if report.paths:
        out["paths"] = list(report.paths)
    if report.accepted:
        # Additive: findings airlock.toml accepts, left out of `findings` and of the verdict.
        out["accepted"] = [accepted_to_json(a) for a in report.accepted]
    # Not in the original contract (additions are allowed): which input this entry answers, so a consumer
    # can match a failed target (name null) to what it asked for.
    out["target"] = report.target
    return out


# --- decoders -------------------------------------------------------------------------------------------


def _object(data: object, what: str) -> Mapping[str, object]:
    if not isinstance(data, dict):
        raise SerializationError(f"{what}: expected an object, got {type(data).__name__}")
    return data


def _list(data: object, what: str) -> list[object]:
    if not isinstance(data, list):
        raise SerializationError(f"{what}: expected an array, got {type(data).__name__}")
    return data


def _str(data: Mapping[str, object], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise SerializationError(f"{what}.{key}: expected a string, got {type(value).__name__}")
    return value


def _opt_str(data: Mapping[str, object], key: str, what: str) -> str | None:
    if data.get(key) is None:
        return None
    return _str(data, key, what)


def _int(data: Mapping[str, object], key: str, what: str) -> int:
    value = data.get(key)
    # bool is an int subclass; `true` is not a line number.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SerializationError(f"{what}.{key}: expected an integer, got {type(value).__name__}")
    return value


def _opt_int(data: Mapping[str, object], key: str, what: str) -> int | None:
    if data.get(key) is None:
        return None
    return _int(data, key, what)


def evidence_from_json(data: object) -> Evidence:
    obj = _object(data, "evidence")
    return Evidence(
        file=_str(obj, "file", "evidence"),
        line=_int(obj, "line", "evidence"),
        column=_opt_int(obj, "column", "evidence"),
        snippet=_opt_str(obj, "snippet", "evidence"),
    )


def _evidence_tuple(data: object, what: str) -> tuple[Evidence, ...]:
    return tuple(evidence_from_json(e) for e in _list(data, what))


def finding_from_json(data: object) -> Finding:
    """Inverse of `finding_to_json`. A contract finding with `file`/`line` but no `evidence` list (as a
    hand-written or older report may have) gets that location as its one piece of evidence."""
    obj = _object(data, "finding")
    severity_text = _str(obj, "severity", "finding")
    try:
        severity = Severity(severity_text)
    except ValueError:
        raise SerializationError(f"finding.severity: unknown severity {severity_text!r}") from None
    if "evidence" in obj:
        evidence = _evidence_tuple(obj["evidence"], "finding.evidence")
    elif obj.get("file") is not None:
        evidence = (Evidence(_str(obj, "file", "finding"), _int(obj, "line", "finding")),)
    else:
        evidence = ()
    return Finding(
        rule=_str(obj, "rule", "finding"),
        severity=severity,
        message=_str(obj, "message", "finding"),
        evidence=evidence,
    )


def _capability_map_from_json(data: object, what: str) -> dict[str, tuple[Evidence, ...]]:
    obj = _object(data, what)
    return {key: _evidence_tuple(value, f"{what}.{key}") for key, value in obj.items()}


def capabilities_from_json(data: object) -> Capabilities:
    obj = _object(data, "capabilities")
    native = obj.get("native", False)
    if not isinstance(native, bool):
        raise SerializationError(f"capabilities.native: expected a boolean, got {type(native).__name__}")
    return Capabilities(
        builtin=_capability_map_from_json(obj.get("builtin", {}), "capabilities.builtin"),
        globals=_capability_map_from_json(obj.get("globals", {}), "capabilities.globals"),
        dynamic=_evidence_tuple(obj.get("dynamic", []), "capabilities.dynamic"),
        native=native,
        all_globals=_capability_map_from_json(obj.get("all_globals", {}), "capabilities.all_globals"),
        global_writes=_strings(obj.get("global_writes", []), "capabilities.global_writes"),
        imports=_capability_map_from_json(obj.get("imports", {}), "capabilities.imports"),
        builtin_probes=_capability_map_from_json(
            obj.get("builtin_probes", {}), "capabilities.builtin_probes"
        ),
    )


def skipped_from_json(data: object) -> Skipped:
    obj = _object(data, "skipped")
    return Skipped(reason=_str(obj, "reason", "skipped"), file=_opt_str(obj, "file", "skipped"))


def _scripts_from_json(data: object) -> dict[str, str]:
    obj = _object(data, "install_scripts")
    scripts: dict[str, str] = {}
    for key, value in obj.items():
        if not isinstance(value, str):
            raise SerializationError(f"install_scripts.{key}: expected a string, got {type(value).__name__}")
        scripts[key] = value
    return scripts


def analysis_from_json(data: object) -> PackageAnalysis:
    """Inverse of `analysis_to_json`: `analysis_from_json(analysis_to_json(a)) == a`."""
    obj = _object(data, "analysis")
    if obj.get("format") != ANALYSIS_FORMAT:
        raise SerializationError(
            f"analysis: unsupported format {obj.get('format')!r} (expected {ANALYSIS_FORMAT})"
        )
    return PackageAnalysis(
        name=_opt_str(obj, "name", "analysis"),
        version=_opt_str(obj, "version", "analysis"),
        capabilities=capabilities_from_json(obj.get("capabilities")),
        findings=tuple(finding_from_json(f) for f in _list(obj.get("findings"), "analysis.findings")),
        install_scripts=_scripts_from_json(obj.get("install_scripts")),
        skipped=tuple(skipped_from_json(s) for s in _list(obj.get("skipped"), "analysis.skipped")),
        analyzer=_str(obj, "analyzer", "analysis"),
        declared=None if obj.get("declared") is None else declared_from_json(obj.get("declared")),
    )


def _pairs(data: object, what: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for item in _list(data, what):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise SerializationError(f"{what}: expected [string, string] pairs")
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _strings(data: object, what: str) -> tuple[str, ...]:
    items = _list(data, what)
    if not all(isinstance(x, str) for x in items):
        raise SerializationError(f"{what}: expected strings")
    return tuple(str(x) for x in items)


def declared_from_json(data: object) -> DeclaredManifest:
    obj = _object(data, "declared")
    gypfile = obj.get("gypfile")
    if gypfile is not None and not isinstance(gypfile, bool):
        raise SerializationError("declared.gypfile: expected a boolean or null")
    return DeclaredManifest(
        name=_opt_str(obj, "name", "declared"),
        version=_opt_str(obj, "version", "declared"),
        scripts=_pairs(obj.get("scripts"), "declared.scripts"),
        dependencies=_strings(obj.get("dependencies"), "declared.dependencies"),
        peer_dependencies=_strings(obj.get("peer_dependencies"), "declared.peer_dependencies"),
        bin=_pairs(obj.get("bin"), "declared.bin"),
        gypfile=gypfile,
        has_binding_gyp=obj.get("has_binding_gyp") is True,
    )
