"""`airlock check` of a project as the commands that build on it run it (check, policy, ci): settings,
lockfile, platforms, the pipeline run, and the policy enforced when the project has one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from airlock.check.run import CheckOptions, CheckOutcome, check_tree
from airlock.compose import Runtime
from airlock.config import Settings, load_settings
from airlock.errors import BadInputError
from airlock.model import Verdict
from airlock.pipeline.progress import Progress
from airlock.policy.document import Policy
from airlock.tree.model import DependencyTree
from airlock.tree.project import ProjectLockfile


@dataclass(frozen=True, slots=True)
class ProjectCheck:
    """A `check` run as the commands that build on it need it."""

    outcome: CheckOutcome
    runtime: Runtime
    settings: Settings
    lockfile_path: Path
    lockfile_notes: tuple[str, ...]
    manifest: Mapping[str, object]
    """The project's package.json (what LavaMoat walks from the project)."""


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """What the caller asks of the check (flags); None leaves the setting to airlock.toml / env / default."""

    production: bool = False
    offline: bool | None = None
    jobs: int | None = None
    no_store: bool = False
    all_platforms: bool = False
    target_platform: str | None = None
    fail_on: Verdict | None = None
    min_age: float | None = None
    public_registry: str | None = None
    check_public_registry: bool = True


@dataclass(frozen=True, slots=True)
class PreparedCheck:
    """Everything settled before the pipeline runs: a caller can act on the tree (start an install) first."""

    runtime: Runtime
    settings: Settings
    lockfile: ProjectLockfile
    lockfile_path: Path
    tree: DependencyTree
    manifest: Mapping[str, object]
    options: CheckOptions


def prepare_check(
    path: Path,
    wanted: CheckSettings,
    *,
    status: Callable[[str], None] | None = None,
    lockfile: ProjectLockfile | None = None,
) -> PreparedCheck:
    """Settings, lockfile (`lockfile` when the caller read or made it, e.g. `airlock install`'s new one),
    tree and platforms, before anything is fetched."""
    from airlock.check.platform import Platform, current_platform, project_platforms
    from airlock.tree import read_lockfile
    from airlock.tree.project import find_lockfile

    if wanted.all_platforms and wanted.target_platform is not None:
        raise BadInputError(
            "--platform and --all-platforms exclude each other",
            hint="--platform checks one other machine's tree; --all-platforms checks every binary",
        )
    here = (
        Platform.parse(wanted.target_platform) if wanted.target_platform is not None else current_platform()
    )
    project = path if path.is_dir() else path.parent
    settings = load_settings(
        project,
        flags={
            "offline": wanted.offline,
            "jobs": wanted.jobs,
            "fail_on": wanted.fail_on,
            "min_release_age_days": wanted.min_age,
        },
        raw_flags={"public-registry": wanted.public_registry},
    )
    runtime = Runtime.for_project(project, settings, no_store=wanted.no_store)
    if lockfile is None:
        lockfile = find_lockfile(path, resolve=not settings.offline, status=status)
    tree = read_lockfile(lockfile.input)
    manifest = lockfile.input.manifests.get("", {})
    platforms = (
        None
        if wanted.all_platforms
        else project_platforms(
            tree.format,
            lockfile.path.parent if lockfile.path is not None else None,
            manifest,
            here,
            pnpm_workspace=lockfile.input.pnpm_workspace,
        )
    )
    lockfile_path = lockfile.path or project / lockfile.input.file
    options = CheckOptions(
        production=wanted.production,
        min_release_age=timedelta(days=settings.min_release_age_days),
        check_public_registry=wanted.check_public_registry and not settings.offline,
        platforms=platforms,
        project=lockfile_path.parent,
    )
    return PreparedCheck(runtime, settings, lockfile, lockfile_path, tree, manifest, options)


def run_prepared(prepared: PreparedCheck, progress: Progress | None = None) -> ProjectCheck:
    runtime = prepared.runtime
    with runtime.pipeline(progress) as pipeline:
        outcome = check_tree(
            pipeline,
            prepared.tree,
            runtime.npm_config,
            options=prepared.options,
            public_client=runtime.public_client_factory(),
        )
    return ProjectCheck(
        outcome,
        runtime,
        prepared.settings,
        prepared.lockfile_path,
        tuple(prepared.lockfile.notes),
        prepared.manifest,
    )


def run_project_check(
    path: Path,
    wanted: CheckSettings,
    *,
    progress: Progress | None = None,
    status: Callable[[str], None] | None = None,
) -> ProjectCheck:
    """The wiring of `airlock check`, shared with `airlock policy` and `airlock ci`."""
    return run_prepared(prepare_check(path, wanted, status=status), progress)


_POLICY_NOTES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class PolicyEnforcement:
    outcome: CheckOutcome
    """With `policy-exceeded` findings when the project has an airlock-policy.json."""
    notes: tuple[str, ...]
    violations: int
    """How many packages exceed their grants."""
    warnings: tuple[str, ...] = ()
    """Override refusals that have no effect under LavaMoat's merge."""


def enforce_project_policy(checked: ProjectCheck, *, policy: Policy | None = None) -> PolicyEnforcement:
    """The outcome with `policy-exceeded` findings when the project has an airlock-policy.json (beside the
    lockfile), a note saying what the policy found, and how many packages exceed their grants. `policy`
    replaces the file's document (`airlock install`: the policy as accepting the install leaves it)."""
    from airlock.policy.document import POLICY_FILENAME
    from airlock.policy.enforce import enforce
    from airlock.policy.files import read_override, read_policy
    from airlock.policy.merge import lost_refusals
    from airlock.policy.naming import canonical_names, project_dependency_names

    project = checked.lockfile_path.parent
    if policy is None and not (project / POLICY_FILENAME).is_file():
        return PolicyEnforcement(checked.outcome, (), 0)
    names = canonical_names(checked.outcome.tree, declared=project_dependency_names(checked.manifest))
    policy, override = policy if policy is not None else read_policy(project), read_override(project)
    warnings = tuple(lost_refusals(policy, override)) if override is not None else ()
    enforced = enforce(checked.outcome, policy, names, override)
    count = enforced.violations
    if not count:
        return PolicyEnforcement(
            enforced.outcome,
            (f"policy: {POLICY_FILENAME} read; every package stays within its grants",),
            0,
            warnings,
        )
    notes = [
        f"policy: {POLICY_FILENAME} read; {count} package{' exceeds its' if count == 1 else 's exceed their'} "
        "grants (policy-exceeded; --fail-on policy exits 1 on it; `airlock policy check --update` accepts):"
    ]
    exceeded = [
        (report, finding)
        for report in enforced.outcome.reports
        for finding in report.findings
        if finding.rule == "policy-exceeded"
    ]
    for report, finding in exceeded[:_POLICY_NOTES_SHOWN]:
        where = f" ({finding.evidence[0].file}:{finding.evidence[0].line})" if finding.evidence else ""
        notes.append(f"  {report.name}@{report.version}: {finding.message}{where}")
    if len(exceeded) > _POLICY_NOTES_SHOWN:
        notes.append(f"  +{len(exceeded) - _POLICY_NOTES_SHOWN} more (`airlock policy check` lists them all)")
    return PolicyEnforcement(enforced.outcome, tuple(notes), count, warnings)


__all__ = [
    "CheckSettings",
    "PolicyEnforcement",
    "PreparedCheck",
    "ProjectCheck",
    "enforce_project_policy",
    "prepare_check",
    "run_prepared",
    "run_project_check",
]
