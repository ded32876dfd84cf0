"""What the `airlock policy` commands print: plain text (one fact per line, nothing wrapped) or JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from airlock.lifecycle import registry_install_scripts
from airlock.model import Evidence, Finding, PackageReport, Verdict
from airlock.policy.document import Policy, script_pattern
from airlock.policy.drift import Drift, Excess, GrantKind, Narrowing
from airlock.policy.generate import ObservedTree, PolicyPackage

_WHAT = {
    GrantKind.BUILTIN: "builtin",
    GrantKind.GLOBAL: "global",
    GrantKind.PACKAGE: "dependency",
    GrantKind.NATIVE: "native code",
    GrantKind.INSTALL_SCRIPT: "install scripts",
}
_EVIDENCE_SHOWN = 3
_NOTES_SHOWN = 5


def where(evidence: Evidence) -> str:
    text = f"{evidence.file}:{evidence.line}"
    return text + (f"  {evidence.snippet}" if evidence.snippet else "")


def subject(kind: GrantKind, key: str | None) -> str:
    """What a grant is about, in words: `builtin fs.readFile`, `native code`."""
    return _WHAT[kind] + (f" {key}" if key is not None else "")


def _labels(observed: ObservedTree) -> dict[str, str]:
    return {p.name: p.label for p in observed.packages}


def _title(name: str, labels: Mapping[str, str]) -> str:
    """`name@version` when the canonical name is the package's name, else `a>b (b@1.0.0)`."""
    label = labels.get(name)
    if label is None:
        return name
    package = label.rpartition("@")[0] or label  # `@scope/x@1.0.0` → `@scope/x`
    return label if package == name else f"{name} ({label})"


def init_summary(policy: Policy, observed: ObservedTree, written: str) -> str:
    resources = policy.resources.values()
    with_builtin = sum(1 for r in resources if r.builtin)
    with_globals = sum(1 for r in resources if r.globals)
    native = sum(1 for r in resources if r.native)
    lines = [
        f"wrote {written}: {len(policy.resources)} packages ({with_builtin} with builtin modules, "
        f"{with_globals} with globals, {native} with native code); {len(policy.allow_scripts)} with install "
        "scripts, all kept off (see `airlock policy scripts`)"
    ]
    lines.extend(_not_analysed(observed))
    return "\n".join(lines)


def _not_analysed(observed: ObservedTree) -> list[str]:
    missing = observed.not_analysed
    if not missing:
        return []
    listed = ", ".join(p.label for p in missing[:5]) + (
        f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    )
    return [
        f"not analysed, so no grants written or checked: {listed} "
        "(grant what they need in airlock-policy-override.json)"
    ]


def check_text(found: Sequence[Drift], observed: ObservedTree, *, updated: str | None = None) -> str:
    labels = _labels(observed)
    exceeding = [d for d in found if d.excesses]
    narrowed = [d for d in found if d.narrowings]
    denied = [d for d in found if d.denied]
    new = [d for d in found if d.in_tree and not d.listed]
    gone = [d for d in found if not d.in_tree]
    checked = sum(1 for p in observed.packages if p.observed is not None)
    lines = [
        f"policy check: {checked} packages, {len(exceeding)} exceed their grants, {len(narrowed)} narrowed, "
        f"{len(denied)} with capabilities the policy denies"
    ]
    for d in exceeding:
        listed = "" if d.listed else " (not in the policy)"
        lines.append(f"✗ {_title(d.name, labels)} exceeds its grants{listed}:")
        for excess in d.excesses:
            lines.extend(_excess_lines(excess))
    if narrowed:
        lines.append("narrowed (not an error; --update takes these grants out):")
        for d in narrowed:
            for narrowing in d.narrowings:
                lines.append(f"  {_title(d.name, labels)}: {_narrowing_text(narrowing, d)}")
    if denied:
        lines.append("denied by the policy (not an error: the LavaMoat runtime refuses these):")
        for d in denied:
            for excess in d.denied:
                seen = f"  {where(excess.evidence[0])}" if excess.evidence else ""
                lines.append(f"  {_title(d.name, labels)}: {subject(excess.kind, excess.key)}{seen}")
    for d in new:
        if not d.excesses:
            lines.append(f"new package without capabilities: {_title(d.name, labels)} (--update lists it)")
    for d in gone:
        lines.append(f"no longer in the tree: {d.name} (--update removes its entry)")
    lines.extend(_not_analysed(observed))
    lines.extend(f"note: {note}" for note in observed.notes[:_NOTES_SHOWN])
    if len(observed.notes) > _NOTES_SHOWN:
        lines.append(f"note: +{len(observed.notes) - _NOTES_SHOWN} more (--format json lists them all)")
    if updated is not None:
        lines.append(f"updated {updated}" if any(d.changed for d in found) else f"{updated} is up to date")
    elif exceeding or narrowed or new or gone:
        lines.append("hint: `airlock policy check --update` accepts these changes into airlock-policy.json")
    return "\n".join(lines)


def _excess_lines(excess: Excess) -> list[str]:
    lines = [f"  + {subject(excess.kind, excess.key)}"]
    for evidence in excess.evidence[:_EVIDENCE_SHOWN]:
        lines.append(f"      {where(evidence)}")
    if len(excess.evidence) > _EVIDENCE_SHOWN:
        lines.append(f"      +{len(excess.evidence) - _EVIDENCE_SHOWN} more")
    suffix = (
        "   (records them, kept off; true lets them run)" if excess.kind is GrantKind.INSTALL_SCRIPT else ""
    )
    lines.append(f"    accept: {excess.line}{suffix}")
    return lines


def _narrowing_text(narrowing: Narrowing, d: Drift) -> str:
    if not d.in_tree:
        return f"{subject(narrowing.kind, narrowing.key)} (package gone): {narrowing.line}"
    if narrowing.kind is GrantKind.INSTALL_SCRIPT:
        return (
            f"allowScripts entry for a version not in the tree or without install scripts: {narrowing.line}"
        )
    if narrowing.keep is not None:
        return f"{subject(narrowing.kind, narrowing.key)} is now only read: {narrowing.line}"
    return f"{subject(narrowing.kind, narrowing.key)} is no longer used: {narrowing.line}"


def _excess_data(excess: Excess) -> dict[str, object]:
    return {
        "kind": excess.kind.value,
        "key": excess.key,
        "line": str(excess.line),
        "pointer": excess.line.pointer,
        "value": excess.line.value,
        "evidence": [
            {"file": e.file, "line": e.line, **({"snippet": e.snippet} if e.snippet else {})}
            for e in excess.evidence
        ],
    }


def check_json(found: Sequence[Drift], observed: ObservedTree) -> str:
    labels = _labels(observed)
    data = {
        "exceeds": any(d.exceeds for d in found),
        "packages": [
            {
                "name": d.name,
                "label": labels.get(d.name),
                "listed": d.listed,
                "in_tree": d.in_tree,
                "excesses": [_excess_data(e) for e in d.excesses],
                "denied": [_excess_data(e) for e in d.denied],
                "narrowings": [
                    {"kind": n.kind.value, "key": n.key, "line": str(n.line), "pointer": n.line.pointer}
                    for n in d.narrowings
                ],
            }
            for d in found
            if d.excesses or d.narrowings or d.denied or d.changed
        ],
        "not_analysed": [p.label for p in observed.not_analysed],
        "notes": list(observed.notes),
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


# --- install scripts ------------------------------------------------------------------------------


def benign(report: PackageReport) -> bool:
    """The analysis finds nothing to review or block in the package (verdict allow)."""
    return report.verdict is Verdict.ALLOW


def install_findings(report: PackageReport) -> list[Finding]:
    """Findings about install-time code: the install-time rules, and any finding that says it runs at
    install, worst first."""
    picked = [f for f in report.findings if f.rule.startswith("install") or "install" in f.message.lower()]
    return sorted(picked, key=lambda f: -f.severity.rank)


def scripts_text(
    packages: Sequence[PolicyPackage], policy: Policy, *, accepted: Sequence[PolicyPackage] = ()
) -> str:
    with_scripts = [p for p in packages if registry_install_scripts(p.report.install_scripts)]
    if not with_scripts:
        return "no package of the tree has install scripts"
    count = len(with_scripts)
    lines = [f"{count} package{'s' if count != 1 else ''} with install scripts:"]
    for package in with_scripts:
        decision = policy.scripts_decision(package.name, package.version)
        state = {True: "allowed", False: "kept off", None: "not in the policy"}[decision]
        verdict = package.report.verdict.value
        lines.append(f"{_title(package.name, {package.name: package.label})}: {state} · analysis: {verdict}")
        for script, command in registry_install_scripts(package.report.install_scripts).items():
            lines.append(f"    {script}: {command}")
        for finding in install_findings(package.report)[:5]:
            place = f"  {where(finding.location)}" if finding.location else ""
            lines.append(f"    [{finding.severity.value}] {finding.rule}: {finding.message}{place}")
        if package.observed is not None:
            grants = package.observed.grants
            reach = sorted({k.split(".", 1)[0] for k in grants.builtin})
            if reach:
                lines.append(f"    package code reaches: {' '.join(reach)}")
        key = script_pattern(package.name, package.version)
        if decision is not True:
            if benign(package.report):
                lines.append(f"    benign by the analysis: `--accept-benign` sets {key}: true")
            else:
                lines.append("    the analysis has findings to review first")
    if accepted:
        lines.append("accepted (install scripts now allowed):")
        lines.extend(f'  allowScripts["{script_pattern(p.name, p.version)}"]: true' for p in accepted)
    elif any(
        policy.scripts_decision(p.name, p.version) is not True and benign(p.report) for p in with_scripts
    ):
        lines.append("hint: `airlock policy scripts --accept-benign` allows the benign ones (your decision)")
    return "\n".join(lines)


__all__ = [
    "benign",
    "check_json",
    "check_text",
    "init_summary",
    "install_findings",
    "scripts_text",
]
