"""`airlock install [PKG…]`: `npm install` with the check in front of it.

1. resolve: npm writes the new package.json and lockfile in a temporary copy, scripts off (`resolve`);
2. plan: what changes, the new tree's check, what accepting records (`plan`), shown by `present`;
3. the caller asks (or `--yes`) — a blocked tree, --fail-on or (with --fail-on policy) a policy violation
   stops before that, with nothing changed;
4. install: `run_ci` with the new package.json, lockfile and (with one) policy bytes: the same
   verified-bytes, sandboxed-scripts, atomic-swap path as `airlock ci`, which writes them into place only
   after node_modules is swapped in. The accepted scripts are in those bytes, so they run in this install,
   and a failed install writes no record (step 5, `record`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from airlock.check.project import CheckSettings
from airlock.install.ci import DEFAULT_SCRIPT_TIMEOUT
from airlock.install.plan import InstallPlan, plan_install
from airlock.install.resolve import INSTALL_RESOLVE_TIMEOUT, SaveOptions, resolve_install
from airlock.model import Verdict

if TYPE_CHECKING:
    from airlock.install.ci import CiOutcome, ScriptsStep
    from airlock.pipeline.progress import Progress


@dataclass(frozen=True, slots=True)
class InstallRequest:
    """What `airlock install` was asked to do."""

    project: Path
    specs: tuple[str, ...] = ()
    save: SaveOptions = field(default_factory=SaveOptions)
    fail_on: Verdict | None = None
    """--fail-on (None: airlock.toml, AIRLOCK_FAIL_ON, default block)."""
    allow_network: frozenset[str] = field(default_factory=frozenset)
    unsandboxed_scripts: bool = False
    jobs: int | None = None
    no_store: bool = False
    resolve_timeout: float = INSTALL_RESOLVE_TIMEOUT
    script_timeout: float = DEFAULT_SCRIPT_TIMEOUT

    def check_settings(self) -> CheckSettings:
        """How the new tree is checked, by the plan and again by the install: as `airlock ci` checks."""
        return CheckSettings(jobs=self.jobs, no_store=self.no_store, fail_on=self.fail_on)


def prepare_install(
    request: InstallRequest,
    *,
    status: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> InstallPlan:
    """Steps 1 and 2: resolve and plan. Writes nothing into the project, except to finish an install a
    killed run left half done (before reading it: `ci.finish_interrupted`)."""
    from airlock.install.ci import finish_interrupted

    interrupted = finish_interrupted(request.project)
    if status is not None:
        wanted = " ".join(request.specs) or "package.json"
        status(f"resolving {wanted} with npm in a temporary copy (scripts off)…")
    resolution = resolve_install(
        request.project, request.specs, save=request.save, timeout=request.resolve_timeout
    )
    if status is not None:
        status("checking the new tree…")
    plan = plan_install(request.project, resolution, request.check_settings(), progress=progress)
    return replace(plan, recovered=interrupted.recovered)


def install_accepted(
    plan: InstallPlan,
    request: InstallRequest,
    *,
    status: Callable[[str], None] | None = None,
    scripts_step: ScriptsStep | None = None,
    check_progress: Progress | None = None,
) -> CiOutcome:
    """Step 4: install the accepted plan through `airlock ci`'s path, handing it the new package.json,
    lockfile and policy bytes (the accepted scripts recorded in them). `run_ci` checks the tree again (the
    store answers for every package the plan analysed), installs the verified bytes in staging, runs the
    allowed scripts sandboxed, swaps node_modules into place and only then writes the three files: a
    failure at any step leaves the project as it was, the record included."""
    from airlock.install.ci import CiRequest, no_scripts_step, run_ci

    ci_request = CiRequest(
        request.project,
        manifest=plan.manifest,
        lockfile=plan.lockfile,
        policy=plan.policy,
        check=request.check_settings(),
        allow_network=request.allow_network,
        unsandboxed_scripts=request.unsandboxed_scripts,
        script_timeout=request.script_timeout,
    )
    return run_ci(
        ci_request, status, check_progress=check_progress, scripts_step=scripts_step or no_scripts_step
    )


__all__ = ["InstallRequest", "install_accepted", "prepare_install"]
