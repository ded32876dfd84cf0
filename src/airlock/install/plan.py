"""Steps 2, 3 and 5 of `airlock install`: from npm's resolution to what the user is asked to accept.

- What changes: the packages added, updated and removed between the old and the new lockfile, each scanned
  and compared (`airlock diff --lockfile`'s machinery, `airlock.diff.trees.diff_lockfiles`).
- Whether the new tree passes: the whole new tree checked as `airlock check` checks it (the store makes the
  packages analysed before a cache hit), judged against the policy *as it would be after accepting*.
- What accepting records: the install scripts of the packages this install brings (added, or at a new
  version) that no `allowScripts` entry decides yet, set to `true`; with an airlock-policy.json also the
  grants those packages need (the lines `policy check --update` would write for them), so that the policy
  still holds after the install. Excesses of packages the install does not bring are not the user's to
  accept here: they stay violations (`airlock policy check --update` accepts them).

A package's scripts the policy already decides are left as decided: `true` runs them, `false` (the user's
earlier refusal) keeps them off; accepting an install never overturns a decision.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from airlock.check.project import CheckSettings, prepare_check, run_prepared
from airlock.check.run import CheckOutcome, tree_entries
from airlock.diff.model import DiffDocument
from airlock.diff.trees import diff_lockfiles
from airlock.errors import BadInputError
from airlock.exit import ExitCode
from airlock.install.ci import CiRequest, project_lockfile, refuse_unsupported
from airlock.install.journal import Recovery
from airlock.install.record import manifest_scripts_policy, with_allowed_scripts
from airlock.install.resolve import Resolution
from airlock.lifecycle import registry_install_scripts
from airlock.model import Finding, PackageReport, Verdict
from airlock.pipeline.progress import Progress
from airlock.policy.document import POLICY_FILENAME, Policy, Resource, dumps, script_pattern
from airlock.policy.drift import Drift, GrantKind, PolicyLine
from airlock.policy.enforce import enforce
from airlock.policy.files import read_override, read_policy
from airlock.policy.generate import PolicyPackage, drifts, observe_tree
from airlock.policy.merge import merge
from airlock.policy.naming import canonical_names, project_dependency_names
from airlock.policy.widen import widen
from airlock.tree import LockfileInput, read_lockfile
from airlock.tree.model import DependencyTree
from airlock.tree.project import read_manifests, read_pnpm_workspace

INSTALL_TIME_FAMILY = "install-time"
"""The rule family that judges what install scripts do (`airlock.analysis.rules.install`)."""

_EMPTY_LOCKFILE = '{"lockfileVersion": 3, "requires": true, "packages": {"": {}}}'
"""The tree a project without a lockfile had: nothing installed."""


@dataclass(frozen=True, slots=True)
class NewPackage:
    """A package the install brings (added, or at a version the old tree did not have), under its LavaMoat
    canonical name, with its install scripts and what the scripts policy says of them before accepting."""

    name: str
    """The canonical name (`a>b`), the key `allowScripts` uses."""
    label: str
    """name@version as reports show it."""
    version: str | None
    report: PackageReport
    scripts: Mapping[str, str]
    """The install scripts npm runs from a registry (preinstall, install, postinstall), in order."""
    decision: bool | None
    """The scripts policy's decision before this install: True runs, False keeps off, None undecided."""

    @property
    def pattern(self) -> str:
        return script_pattern(self.name, self.version)

    @property
    def script_findings(self) -> tuple[Finding, ...]:
        """What the analysis found in the install-time code."""
        from airlock.analysis.rules import declared

        return tuple(
            f
            for f in self.report.findings
            if (rule := declared(f.rule)) is not None and rule.family == INSTALL_TIME_FAMILY
        )


@dataclass(frozen=True, slots=True)
class InstallPlan:
    """Everything `airlock install` shows and decides before it asks, and the bytes it installs from."""

    resolution: Resolution
    fail_on: Verdict
    """The verdict that stops the install (--fail-on, airlock.toml, default block)."""
    diff: DiffDocument
    outcome: CheckOutcome
    """The new tree's check, with `policy-exceeded` findings against the policy as accepting leaves it."""
    new_packages: tuple[NewPackage, ...]
    """Packages the install brings, in tree order (one per canonical name)."""
    scripts_to_accept: tuple[NewPackage, ...]
    """New packages with install scripts no entry decides: accepting records each as `true`."""
    records_in: str
    """Where accepting records them: airlock-policy.json, or package.json (`lavamoat.allowScripts`)."""
    policy_lines: tuple[PolicyLine, ...]
    """With an airlock-policy.json, every line accepting writes (grants of the new packages, scripts)."""
    manifest: bytes
    """The package.json to install with: npm's, plus the accepted scripts when package.json records them."""
    policy: bytes | None
    """The airlock-policy.json to install with (None: the project has none)."""
    violations: tuple[Drift, ...]
    """Packages the install does not bring that still exceed their grants."""
    recovered: tuple[Recovery, ...] = ()
    """Installs killed earlier, finished or rolled back before this one read the project."""

    @property
    def lockfile(self) -> bytes:
        return self.resolution.new_lockfile

    @property
    def changes_anything(self) -> bool:
        return bool(self.diff.changes) or self.resolution.changes_files

    def exit_code(self) -> ExitCode:
        """1 when the new tree is blocked, reaches `fail_on`, or a package the install does not bring
        exceeds its grants (as `airlock ci` refuses it): then nothing is asked and nothing installed."""
        code = self.outcome.exit_code(fail_on=self.fail_on)
        if code is ExitCode.OK and self.violations:
            return ExitCode.ACTION
        return code


def _json(data: bytes, what: str) -> dict[str, object]:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadInputError(f"{what} is not a JSON object")
    return value


def _old_tree(project: Path, resolution: Resolution) -> DependencyTree:
    """The tree before the install (an empty one when the project had no lockfile)."""
    workspace = read_pnpm_workspace(project)
    manifests: dict[str, Mapping[str, object]] = dict(read_manifests(project, workspace))
    old_root = _json(resolution.old_manifest, "package.json")
    old_text = (
        resolution.old_lockfile.decode("utf-8-sig")
        if resolution.old_lockfile is not None
        else _EMPTY_LOCKFILE
    )
    return read_lockfile(LockfileInput(resolution.lockfile_name, old_text, {**manifests, "": old_root}))


_Identity = tuple[str, str | None, str, frozenset[str]]


def _identities(tree: DependencyTree) -> set[_Identity]:
    entries, _ = tree_entries(tree, production=False)
    return {
        (e.name, e.version, e.source.value, frozenset(n.integrity for n in e.nodes if n.integrity))
        for e in entries
    }


def _new_keys(outcome: CheckOutcome, old: DependencyTree) -> set[str]:
    """Node keys of the new tree whose package the old tree did not have (name, version, source, bytes),
    with the packages bundled inside them."""
    before = _identities(old)
    keys: set[str] = set()
    for entry in outcome.entries:
        identity = (
            entry.name,
            entry.version,
            entry.source.value,
            frozenset(n.integrity for n in entry.nodes if n.integrity),
        )
        if identity not in before:
            keys.update(n.key for n in entry.nodes)
    bundled = {k for k in outcome.tree.packages if any(k.startswith(new + "/node_modules/") for new in keys)}
    return keys | bundled


def _new_packages(
    packages: Sequence[PolicyPackage], new_keys: Collection[str], scripts_policy: Policy
) -> tuple[NewPackage, ...]:
    found: dict[str, NewPackage] = {}
    for package in packages:
        if package.key not in new_keys or package.name in found:
            continue
        scripts = registry_install_scripts(package.report.install_scripts)
        found[package.name] = NewPackage(
            name=package.name,
            label=package.label,
            version=package.version,
            report=package.report,
            scripts=scripts,
            decision=scripts_policy.scripts_decision(package.name, package.version) if scripts else None,
        )
    return tuple(found.values())


def plan_install(
    project: Path, resolution: Resolution, wanted: CheckSettings, *, progress: Progress | None = None
) -> InstallPlan:
    """Diff, check and the record accepting writes, for `resolution` in `project`. Reads the project's
    files; writes nothing. The new tree is checked exactly as `airlock ci` will check it (the same
    wiring and settings, `airlock.check.project`), and what ci refuses to install is refused here, before
    anything is asked."""
    old_tree = _old_tree(project, resolution)
    new_root = _json(resolution.new_manifest, "the package.json npm wrote")
    lockfile = project_lockfile(
        CiRequest(project, manifest=resolution.new_manifest, lockfile=resolution.new_lockfile)
    )
    prepared = prepare_check(project, wanted, lockfile=lockfile)
    refuse_unsupported(prepared.tree, lockfile.input.manifests)
    checked_project = run_prepared(prepared, progress)
    checked = checked_project.outcome
    with prepared.runtime.pipeline() as pipeline:
        diff = diff_lockfiles(
            pipeline,
            old_tree,
            prepared.tree,
            labels=(resolution.lockfile_name, f"{resolution.lockfile_name} (new)"),
        )
    names = canonical_names(checked.tree, declared=project_dependency_names(new_root))
    observed = observe_tree(checked, names)
    new_keys = _new_keys(checked, old_tree)
    has_policy = (project / POLICY_FILENAME).is_file()
    if has_policy:
        policy, override = read_policy(project), read_override(project)
        merged = merge(policy, override) if override is not None else policy
        new_packages = _new_packages(observed.packages, new_keys, merged)
        new_names = {p.name for p in new_packages}
        found = drifts(observed, policy, override)
        # Accepting the install accepts what the new packages do: their excesses become grants, their
        # undecided install scripts `true` (drift's line for them is `false`: "seen, not yet allowed").
        lines = tuple(
            PolicyLine(e.line.path, True) if e.kind is GrantKind.INSTALL_SCRIPT else e.line
            for d in found
            if d.name in new_names
            for e in d.excesses
        )
        accepted = widen(policy, lines)
        resources = dict(accepted.resources)
        for package in new_packages:
            if package.report.version is not None and package.name not in resources:
                resources[package.name] = Resource()  # listed: its grants were looked at, and are none
        accepted = Policy(resources=resources, allow_scripts=accepted.allow_scripts, version=policy.version)
        enforced = enforce(checked, accepted, names, override)
        manifest = resolution.new_manifest
        records_in = POLICY_FILENAME
        outcome = enforced.outcome
        violations = tuple(d for d in enforced.drifts if d.exceeds)
        policy_out = dumps(accepted).encode("utf-8") if accepted != policy else None
    else:
        scripts_policy = manifest_scripts_policy(resolution.new_manifest)
        new_packages = _new_packages(observed.packages, new_keys, scripts_policy)
        lines = ()
        manifest = with_allowed_scripts(
            resolution.new_manifest,
            (p.pattern for p in new_packages if p.scripts and p.decision is None and p.version),
        )
        records_in = "package.json (lavamoat.allowScripts)"
        outcome = checked
        violations = ()
        policy_out = None
    to_accept = tuple(p for p in new_packages if p.scripts and p.decision is None and p.version)
    return InstallPlan(
        resolution=resolution,
        fail_on=checked_project.settings.fail_on,
        diff=diff,
        outcome=outcome,
        new_packages=new_packages,
        scripts_to_accept=to_accept,
        records_in=records_in,
        policy_lines=lines,
        manifest=manifest,
        policy=policy_out,
        violations=violations,
    )


__all__ = ["INSTALL_TIME_FAMILY", "InstallPlan", "NewPackage", "plan_install"]
