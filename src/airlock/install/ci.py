"""`airlock ci`: nothing reaches node_modules unchecked.

1. Under a per-project lock (what killed runs left finished or rolled back, their staging directories
   removed), read the npm lockfile and
   refuse what cannot be verified (git/file/URL dependencies) or staged cleanly (a workspace's own
   node_modules). npm workspaces are staged as their package.json at the same relative path.
2. Start the verified view and `npm ci --ignore-scripts` in a staging directory inside the project while
   the check runs: the view serves only bytes matching the lockfile's integrity (or, unpinned, the
   integrity the check analysed, once it has), and nothing leaves staging before the check has passed.
3. The check (policy included): blocked, exceeding the policy or reaching `--fail-on` → exit 1, npm is
   stopped, staging removed, nothing changed.
4. Gate: every package npm installed (its hidden lockfile) is one the check analysed, with the integrity
   analysed; the view refused nothing.
5. The allowed install scripts, sandboxed (`ScriptsStep`); a failure → exit 1, nothing changed.
6. Swap the staged node_modules into place (`staging.swap_into_place`), then write the new package.json,
   lockfile and policy when `airlock install` gave them; a journal written before the swap lets the next
   run finish those writes (or know that nothing changed) when this one is killed in between (`journal`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from airlock.check.project import (
    CheckSettings,
    PolicyEnforcement,
    PreparedCheck,
    ProjectCheck,
    enforce_project_policy,
    prepare_check,
    run_prepared,
)
from airlock.check.run import CheckOutcome
from airlock.errors import AirlockError, OperationalError, UsageError
from airlock.exit import ExitCode
from airlock.install import journal
from airlock.install.journal import Recovery
from airlock.install.npm import NpmInstall, NpmResult, tree_settings
from airlock.install.staging import (
    Interrupted,
    ProjectLock,
    Staging,
    Swapped,
    clean_up_interrupted,
    new_staging,
    swap_into_place,
)
from airlock.install.view import VerifiedView, ViewEntry
from airlock.integrity import parse_sri
from airlock.lifecycle import registry_install_scripts
from airlock.model import PackageReport
from airlock.pipeline.progress import Progress
from airlock.policy.document import POLICY_FILENAME, loads
from airlock.registry.cache import Cache, default_cache_dir
from airlock.tree.model import DependencyTree, LockfileInput, Source
from airlock.tree.project import ProjectLockfile, read_manifests, read_pnpm_workspace

NPM_LOCKFILES = ("npm-shrinkwrap.json", "package-lock.json")
OTHER_LOCKFILES = {"yarn.lock": "yarn", "pnpm-lock.yaml": "pnpm", "bun.lock": "bun", "bun.lockb": "bun"}
DEFAULT_SCRIPT_TIMEOUT = 300.0
DEFAULT_NPM_TIMEOUT = 900.0
_NPM_OUTPUT_SHOWN = 40


# ---- the seam for `airlock install` ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CiRequest:
    project: Path
    manifest: bytes | None = None
    """package.json bytes to install from instead of the project's (`airlock install`); written into
    place after the swap."""
    lockfile: bytes | None = None
    """Likewise for the lockfile (package-lock.json unless the project has an npm-shrinkwrap.json)."""
    check: CheckSettings = field(default_factory=CheckSettings)
    allow_network: frozenset[str] = frozenset()
    unsandboxed_scripts: bool = False
    script_timeout: float = DEFAULT_SCRIPT_TIMEOUT
    npm_timeout: float = DEFAULT_NPM_TIMEOUT
    policy: bytes | None = None
    """airlock-policy.json bytes to enforce and take script permissions from instead of the project's file
    (`airlock install`: the accepted scripts and the new packages' grants recorded in it); written into
    place after the swap, like manifest and lockfile."""


_NEW_POLICY = f"the new {POLICY_FILENAME}"


# ---- the seam for the scripts step (the sandbox helper's plan_scripts / run_scripts) --------------------
@dataclass(frozen=True, slots=True)
class ScriptsInput:
    project: Path
    """The real project root."""
    node_modules: Path
    """The staged node_modules (installed with --ignore-scripts)."""
    allow_network: frozenset[str]
    unsandboxed: bool
    timeout: float
    with_scripts: tuple[str, ...] = ()
    """`name@version` of every installed package the check saw install scripts in."""
    manifest: bytes | None = None
    """`airlock install`: the new package.json (not yet in the project), which decides like the project's."""
    policy: bytes | None = None
    """`airlock install`: the new airlock-policy.json (not yet in the project)."""


@dataclass(frozen=True, slots=True)
class ScriptRun:
    package: str
    event: str
    seconds: float
    sandboxed: bool = True
    network: bool = False
    output: str = ""


@dataclass(frozen=True, slots=True)
class ScriptSkip:
    package: str
    reason: str
    accepting_line: str | None = None
    """The policy / package.json line that would let it run."""


@dataclass(frozen=True, slots=True)
class ScriptFailure:
    package: str
    event: str
    reason: str
    output: str = ""


@dataclass(frozen=True, slots=True)
class ScriptsOutcome:
    ran: tuple[ScriptRun, ...] = ()
    skipped: tuple[ScriptSkip, ...] = ()
    failed: tuple[ScriptFailure, ...] = ()
    network: tuple[str, ...] = ()
    """Packages granted the network (--allow-network)."""
    unsandboxed: bool = False


class ScriptsStep(Protocol):
    def __call__(self, request: ScriptsInput, progress: Callable[[str], None] | None) -> ScriptsOutcome: ...


def no_scripts_step(request: ScriptsInput, progress: Callable[[str], None] | None) -> ScriptsOutcome:
    """Install scripts stay off (as with `npm ci --ignore-scripts`): each one is listed as skipped."""
    reason = "install scripts are not run by this build (no sandbox step)"
    return ScriptsOutcome(skipped=tuple(ScriptSkip(label, reason) for label in request.with_scripts))


# ---- the outcome ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class InstallFacts:
    npm_seconds: float
    check_seconds: float
    installed: int
    """Packages npm put into node_modules (its hidden lockfile's entries)."""
    view_requests: int
    view_served: int
    swapped: Swapped


@dataclass(frozen=True, slots=True)
class CiOutcome:
    exit_code: ExitCode
    checked: ProjectCheck
    """The check (its outcome carries policy-exceeded findings when a policy exists)."""
    outcome: CheckOutcome
    policy: PolicyEnforcement
    stopped_by_check: bool
    """True when the check's verdict ended the run (nothing installed)."""
    install: InstallFacts | None = None
    """None when nothing was installed."""
    scripts: ScriptsOutcome | None = None
    stale_removed: tuple[Path, ...] = ()
    recovered: tuple[Recovery, ...] = ()
    """Installs killed earlier, finished or rolled back before this run started."""
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.install is not None


class InstallRefusedError(AirlockError):
    """Bytes that are not the checked ones, or a tree the check did not cover: nothing was changed."""

    exit_code = ExitCode.ACTION


class ScriptsFailedError(AirlockError):
    exit_code = ExitCode.ACTION


class WritesUnfinishedError(OperationalError):
    """node_modules was swapped in but a file could not be written: the journal stays for the next run."""


# ---- reading the project --------------------------------------------------------------------------------
def project_lockfile(request: CiRequest) -> ProjectLockfile:
    """The npm lockfile `ci` installs from (the request's bytes for `airlock install`), with the manifests."""
    project = request.project
    if not project.is_dir():
        raise UsageError(
            f"no such project directory: {project}", hint="pass the directory holding package.json"
        )
    present = [name for name in NPM_LOCKFILES if (project / name).is_file()]
    name = present[0] if present else "package-lock.json"
    if request.lockfile is not None:
        text = request.lockfile.decode("utf-8-sig")
    elif present:
        text = (project / name).read_text(encoding="utf-8-sig")
    else:
        others = [f"{f} ({tool})" for f, tool in OTHER_LOCKFILES.items() if (project / f).is_file()]
        if others:
            raise UsageError(
                f"airlock ci installs with npm, and {project} has no npm lockfile, only {', '.join(others)}",
                hint="yarn/pnpm/bun projects: `airlock check` verifies the tree, then install with that tool "
                "(its own frozen-lockfile mode); or create a package-lock.json with "
                "`npm install --package-lock-only --ignore-scripts`",
            )
        raise UsageError(
            f"{project} has no package-lock.json or npm-shrinkwrap.json: airlock ci, like npm ci, installs "
            "exactly what a lockfile pins",
            hint="`airlock install` resolves and checks a new tree; or create the lockfile with "
            "`npm install --package-lock-only --ignore-scripts`, then run airlock ci",
        )
    pnpm_workspace = read_pnpm_workspace(project)
    manifests: dict[str, Mapping[str, object]] = dict(read_manifests(project, pnpm_workspace))
    if request.manifest is not None:
        document = json.loads(request.manifest)
        if not isinstance(document, dict):
            raise UsageError("the new package.json must hold a JSON object")
        manifests[""] = document
    if "" not in manifests:
        raise UsageError(f"{project} has no package.json", hint="run airlock ci in the project's root")
    return ProjectLockfile(LockfileInput(name, text, manifests, pnpm_workspace), project / name)


_REFUSED_SOURCES = {
    Source.GIT: "a git dependency",
    Source.TARBALL: "a tarball URL",
    Source.FILE: "a local file: dependency",
    Source.LINK: "a link: dependency",
}


def workspace_folders(tree: DependencyTree) -> tuple[str, ...]:
    """The npm workspaces the lockfile installs (`packages/a`), linked from the root's node_modules."""
    return tuple(sorted(p.key for p in tree.packages.values() if p.source is Source.WORKSPACE))


def refuse_unsupported(tree: DependencyTree, manifests: Mapping[str, object]) -> None:
    """What `ci` cannot install from verified bytes, or stage and swap in one step, refused before anything
    starts."""
    workspaces = workspace_folders(tree)
    unlocked = sorted(k for k in manifests if k and k not in workspaces)
    if unlocked:
        raise UsageError(
            f"workspace {unlocked[0]} has a package.json but no entry in the lockfile",
            hint="bring the lockfile in line: `npm install --package-lock-only --ignore-scripts` (or "
            "airlock install), then airlock ci",
        )
    for package in tree.packages.values():
        folder, sep, _ = package.key.partition("/node_modules/")
        if sep and folder in workspaces:
            raise UsageError(
                f"airlock ci does not install packages inside a workspace's own node_modules yet: workspace "
                f"{folder} gets {package.label} at {package.key} (npm could not hoist it to the root, "
                "usually because the root or another workspace needs another version of it); only the "
                "root node_modules is staged and swapped atomically",
                hint=f"let npm hoist it: require the same version of {package.name} everywhere (then "
                "`npm install --package-lock-only --ignore-scripts`); or `airlock check` the tree and "
                "install it with `npm ci --ignore-scripts`",
            )
    unverifiable = [
        f"{p.label} ({_REFUSED_SOURCES[p.source]})"
        for p in tree.packages.values()
        if p.source in _REFUSED_SOURCES
    ]
    if unverifiable:
        listed = "; ".join(unverifiable[:5]) + (
            f" and {len(unverifiable) - 5} more" if len(unverifiable) > 5 else ""
        )
        raise UsageError(
            f"airlock ci installs only registry packages, whose bytes the check verifies and analyses: {listed}",
            hint="publish the package to a registry (a private one is fine) and depend on it by version",
        )


@dataclass(frozen=True, slots=True)
class ViewPlan:
    entries: dict[str, ViewEntry]
    """Path npm will request → the tarball it must get."""
    documents: dict[str, dict[str, str]]
    """name → version → tarball path, for packages locked without a `resolved` URL."""


def view_plan(tree: DependencyTree) -> ViewPlan:
    """Where npm will ask for each tarball: the `resolved` URL's path (`--replace-registry-host=always`
    keeps it); for an entry without one (npm's omit-lockfile-registry-resolved), the registry's usual
    tarball path, announced in a document npm asks for first."""
    entries: dict[str, ViewEntry] = {}
    documents: dict[str, dict[str, str]] = {}
    for package in tree.packages.values():
        if package.source is not Source.REGISTRY or not package.version:
            continue
        if package.resolved:
            path = unquote(urlsplit(package.resolved).path)
        else:
            path = f"/{package.name}/-/{package.name.rsplit('/', 1)[-1]}-{package.version}.tgz"
            documents.setdefault(package.name, {})[package.version] = path
        entries.setdefault(path, ViewEntry(package.name, package.version, package.integrity))
    return ViewPlan(entries, documents)


# ---- the gate between staging and the project -----------------------------------------------------------
def _same_bytes(installed: str, checked: str | None) -> bool:
    """Do two SRI strings name the same bytes (equal on every algorithm both give, at least one)?"""
    if not checked:
        return False
    mine: dict[str, bytes] = {}
    theirs: dict[str, bytes] = {}
    for sri, into in ((installed, mine), (checked, theirs)):
        for part in sri.split():
            try:
                digest = parse_sri(part)
            except AirlockError:
                continue
            into[digest.algorithm] = digest.value
    shared = set(mine) & set(theirs)
    return bool(shared) and all(mine[a] == theirs[a] for a in shared)


def installed_packages(node_modules: Path) -> dict[str, Mapping[str, object]]:
    """npm's hidden lockfile of the staged tree: what it installed, with the integrity it verified."""
    hidden = node_modules / ".package-lock.json"
    if not hidden.is_file():
        return {}
    document = json.loads(hidden.read_text(encoding="utf-8"))
    packages = document.get("packages", {}) if isinstance(document, dict) else {}
    return {k: v for k, v in packages.items() if isinstance(v, dict) and k}


def verify_installed(
    node_modules: Path,
    outcome: CheckOutcome,
    tree: DependencyTree,
    served: Collection[tuple[str, str]] = (),
) -> tuple[int, list[str]]:
    """How many packages npm installed, and each one that is not a package the check analysed with these
    bytes (empty when all are). npm records no integrity for a package the lockfile pins none for: those
    must be among the `served` ones (the view served them only as the check analysed them)."""
    checked: dict[tuple[str, str], PackageReport] = {}
    for report in outcome.reports:
        if report.name and report.version:
            checked[(report.name, report.version)] = report
    locked = {(p.name, p.version): p.integrity for p in tree.packages.values()}
    problems = []
    installed = installed_packages(node_modules)
    workspaces = set(workspace_folders(tree))
    count = 0
    for key, entry in installed.items():
        if entry.get("inBundle") or entry.get("link") or key in workspaces:
            continue
        count += 1
        name = entry.get("name") or key.rsplit("node_modules/", 1)[-1]
        version, integrity = entry.get("version"), entry.get("integrity")
        if not isinstance(name, str) or not isinstance(version, str):
            problems.append(f"{key}: npm recorded no name or version for it")
            continue
        found = checked.get((name, version))
        if found is None:
            problems.append(f"{name}@{version} ({key}) was installed but not checked")
            continue
        if integrity is None and locked.get((name, version)) is None and (name, version) in served:
            continue
        if not isinstance(integrity, str):
            problems.append(
                f"{name}@{version} ({key}): npm recorded no integrity and the view did not serve it"
            )
            continue
        pinned = locked.get((name, version))
        sha1_pin = pinned is not None and _same_bytes(integrity, pinned)
        if not (_same_bytes(integrity, found.integrity) or sha1_pin):
            problems.append(
                f"{name}@{version}: npm installed {integrity[:60]}, the check analysed {str(found.integrity)[:60]}"
            )
    return count, problems


# ---- the run --------------------------------------------------------------------------------------------
def _bin_files(manifest: Mapping[str, object]) -> list[str]:
    """The files a package.json's `bin` names (npm links them into node_modules/.bin)."""
    declared = manifest.get("bin")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, dict):
        return [v for v in declared.values() if isinstance(v, str)]
    return []


def _stage_workspace(project: Path, staging: Staging, folder: str, manifest: Mapping[str, object]) -> None:
    """The workspace's package.json at the same relative path, so npm ci links `node_modules/<name>` to it
    with the same relative link (`../packages/a`), which after the swap reaches the real folder; and the
    files its `bin` names, so npm links them into node_modules/.bin as npm ci in the project would."""
    source, staged = project / folder, staging.root / folder
    staged.mkdir(parents=True, exist_ok=True)
    (staged / "package.json").write_bytes((source / "package.json").read_bytes())
    real = source.resolve()
    for name in _bin_files(manifest):
        path = (source / name).resolve()
        if not path.is_file() or not path.is_relative_to(real):
            continue  # npm skips a missing target too; one outside the workspace is not copied
        target = staged / path.relative_to(real)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        target.chmod(0o755)


def _stage_files(staging: Staging, lockfile: ProjectLockfile, request: CiRequest) -> None:
    manifest = request.manifest
    if manifest is None:
        manifest = (request.project / "package.json").read_bytes()
    (staging.root / "package.json").write_bytes(manifest)
    for folder, workspace in lockfile.input.manifests.items():
        if folder:
            _stage_workspace(request.project, staging, folder, workspace)
    (staging.root / lockfile.input.file).write_text(lockfile.input.text, encoding="utf-8")
    settings = tree_settings(request.project / ".npmrc")
    if settings:
        (staging.root / ".npmrc").write_text(settings, encoding="utf-8")


def _with_scripts(outcome: CheckOutcome) -> tuple[str, ...]:
    return tuple(
        f"{r.name}@{r.version}" for r in outcome.reports if registry_install_scripts(r.install_scripts)
    )


def _npm_failure(result: NpmResult, view: VerifiedView) -> AirlockError:
    tail = "\n".join(result.output.strip().splitlines()[-_NPM_OUTPUT_SHOWN:])
    if view.integrity_refused:
        refused = "; ".join(f"{r.label}: {r.reason}" for r in view.refusals if r.integrity)
        return InstallRefusedError(
            f"the registry served other bytes than were checked, so they were not installed ({refused}); "
            "nothing was changed",
            hint="the tarball changed after it was published or in a mirror; do not install it. "
            "`airlock cache clear` and `airlock check` again to see what the registry serves now",
        )
    if result.timed_out:
        return OperationalError(
            f"npm ci did not finish within {result.seconds:.0f} s; nothing was changed\n{tail}",
            hint="check the registry's reachability (airlock fetches what npm asks for)",
        )
    refused = "".join(f"\n  view: {r.label}: {r.reason}" for r in view.refusals)
    return OperationalError(
        f"npm ci failed in the staging directory (exit {result.returncode}); nothing was changed{refused}\n{tail}",
        hint="npm's output is above; the lockfile must be in sync with package.json (`npm ci` refuses it "
        "otherwise)",
    )


def _clean_up(project: Path, say: Callable[[str], None]) -> Interrupted:
    interrupted = clean_up_interrupted(project)
    for recovery in interrupted.recovered:
        say(recovery.describe())
    stale = len(interrupted.removed)
    if stale:
        say(f"removed {stale} staging director{'y' if stale == 1 else 'ies'} a killed run left")
    return interrupted


def finish_interrupted(project: Path, say: Callable[[str], None] | None = None) -> Interrupted:
    """Under the project lock, finish or roll back an install a killed run left half done, and remove the
    staging directories killed runs left (`airlock install` does this before it reads the project)."""
    if not project.is_dir():
        return Interrupted()
    with ProjectLock(project):
        return _clean_up(project.resolve(), say or (lambda line: None))


def _remove_workspace_node_modules(project: Path, staging: Staging, workspaces: Collection[str]) -> None:
    """A workspace's own node_modules from an earlier install: the lockfile installs nothing there (ci
    refuses that case), so npm ci would remove it, and left in place its unchecked packages would shadow
    the verified ones. Moved into the staging directory, which goes with the run."""
    for index, folder in enumerate(sorted(workspaces)):
        stale = project / folder / "node_modules"
        if stale.is_dir() and not stale.is_symlink():
            stale.rename(staging.root / f"workspace-node_modules-{index}")


def _swap_and_write(
    request: CiRequest, staging: Staging, lockfile_name: str, workspaces: Collection[str] = ()
) -> Swapped:
    """The swap, then the new files `airlock install` gave: one step for whoever comes next, through the
    journal written before the swap (`journal.py`)."""
    files = {
        name: data
        for name, data in (
            ("package.json", request.manifest),
            (lockfile_name, request.lockfile),
            (POLICY_FILENAME, request.policy),
        )
        if data is not None
    }
    project = request.project
    pending = (
        journal.begin(staging.root, staging.node_modules, journal.pending_files(project, files))
        if files
        else None
    )
    journal.crash_point("before-swap")
    swapped = swap_into_place(staging.node_modules, project / "node_modules", staging.previous)
    journal.crash_point("after-swap")
    if pending is not None:
        try:
            journal.finish(project, staging.root, pending)
        except OSError as error:
            raise WritesUnfinishedError(
                f"node_modules was swapped in, but writing the new files failed ({error}); the next "
                "airlock ci or airlock install finishes the writes",
                hint=f"fix the cause (permissions, disk space), then run airlock ci in {project}",
            ) from None
        except OperationalError as error:
            raise WritesUnfinishedError(error.message, hint=error.hint) from None
    try:
        _remove_workspace_node_modules(project, staging, workspaces)
    except OSError as error:
        raise OperationalError(
            f"the new node_modules is in place, but a workspace's old node_modules could not be removed "
            f"({error}): its packages were not checked and shadow the installed ones",
            hint="delete node_modules inside each workspace folder (npm ci would), or run airlock ci again",
        ) from None
    return swapped


def run_ci(
    request: CiRequest,
    progress: Callable[[str], None] | None = None,
    *,
    check_progress: Progress | None = None,
    scripts_step: ScriptsStep = no_scripts_step,
    view_delay: Callable[[str], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> CiOutcome:
    """`progress` hears each step (a terminal shows them); `notice` what the run did that must be heard
    even when nobody watches: an interrupted install finished or rolled back, stale staging removed
    (default: `progress`). Both are also in the outcome."""
    say = progress or (lambda line: None)
    project_lockfile(request)  # usage errors before any lock or clean-up
    project = request.project.resolve()
    request = replace(request, project=project)
    with ProjectLock(project):
        interrupted = _clean_up(project, notice or say)
        lockfile = project_lockfile(request)  # read again: finishing an interrupted install writes it
        prepared = prepare_check(project, request.check, lockfile=lockfile)
        refuse_unsupported(prepared.tree, lockfile.input.manifests)
        staging = new_staging(project)
        keep_staging = False
        try:
            return _install(
                request=request,
                prepared=prepared,
                lockfile=lockfile,
                staging=staging,
                interrupted=interrupted,
                say=say,
                check_progress=check_progress,
                scripts_step=scripts_step,
                view_delay=view_delay,
            )
        except WritesUnfinishedError:
            keep_staging = True  # its journal: the next run finishes the writes
            raise
        finally:
            if not keep_staging:
                staging.remove()


def _install(
    *,
    request: CiRequest,
    prepared: PreparedCheck,
    lockfile: ProjectLockfile,
    staging: Staging,
    interrupted: Interrupted,
    say: Callable[[str], None],
    check_progress: Progress | None,
    scripts_step: ScriptsStep,
    view_delay: Callable[[str], None] | None,
) -> CiOutcome:
    tree = prepared.tree
    _stage_files(staging, lockfile, request)
    runtime = prepared.runtime
    plan = view_plan(tree)
    view = VerifiedView(
        plan.entries,
        Cache(default_cache_dir()),
        runtime.client_factory(),
        delay=view_delay,
        documents=plan.documents,
    )
    with view:
        say(f"npm ci --ignore-scripts into {staging.root.name} (from the verified view), while checking")
        npm = NpmInstall(staging.root, view.url, timeout=request.npm_timeout)
        try:
            started = time.monotonic()
            checked = run_prepared(prepared, check_progress)
            check_seconds = time.monotonic() - started
            policy = enforce_project_policy(
                checked, policy=None if request.policy is None else loads(request.policy, source=_NEW_POLICY)
            )
            outcome = policy.outcome
            code = outcome.exit_code(fail_on=checked.settings.fail_on)
            if code is ExitCode.OK and policy.violations:
                code = ExitCode.ACTION
            if code is not ExitCode.OK:
                npm.stop()
                return CiOutcome(
                    code,
                    checked,
                    outcome,
                    policy,
                    stopped_by_check=True,
                    stale_removed=interrupted.removed,
                    recovered=interrupted.recovered,
                )
            view.checked(
                (r.name, r.version, r.integrity)
                for r in outcome.reports
                if r.name and r.version and r.integrity
            )
            say("check passed; waiting for npm")
            result = npm.wait()
        finally:
            npm.stop()
        if result.returncode != 0 or view.integrity_refused:
            raise _npm_failure(result, view)
        installed, problems = verify_installed(staging.node_modules, outcome, tree, view.served_packages)
        if problems:
            raise InstallRefusedError(
                f"npm installed {len(problems)} package(s) the check did not analyse as installed: "
                + "; ".join(problems[:5])
                + "; nothing was changed",
                hint="report this: the verified view should make it impossible",
            )
        facts_view = (view.requests, sum(view.served.values()))
    scripts = scripts_step(
        ScriptsInput(
            request.project,
            staging.node_modules,
            request.allow_network,
            request.unsandboxed_scripts,
            request.script_timeout,
            _with_scripts(outcome),
            manifest=request.manifest,
            policy=request.policy,
        ),
        say,
    )
    if scripts.failed:
        failure = scripts.failed[0]
        raise ScriptsFailedError(
            (f"{failure.output.strip()}\n" if failure.output.strip() else "")
            + f"{failure.reason}; nothing was changed",
            hint="the previous node_modules is untouched; a script that needs the network needs "
            "--allow-network PKG (and the policy's consent)",
        )
    if not staging.node_modules.is_dir():
        staging.node_modules.mkdir()  # npm writes none for a project without dependencies
    swapped = _swap_and_write(request, staging, lockfile.input.file, workspace_folders(tree))
    say("node_modules swapped into place")
    facts = InstallFacts(result.seconds, check_seconds, installed, facts_view[0], facts_view[1], swapped)
    notes = (swapped.note,) if swapped.note else ()
    return CiOutcome(
        ExitCode.OK,
        checked,
        outcome,
        policy,
        stopped_by_check=False,
        install=facts,
        scripts=scripts,
        stale_removed=interrupted.removed,
        recovered=interrupted.recovered,
        notes=notes,
    )


__all__ = [
    "CiOutcome",
    "CiRequest",
    "InstallFacts",
    "InstallRefusedError",
    "ScriptFailure",
    "ScriptRun",
    "ScriptSkip",
    "ScriptsFailedError",
    "ScriptsInput",
    "ScriptsOutcome",
    "ScriptsStep",
    "WritesUnfinishedError",
    "finish_interrupted",
    "no_scripts_step",
    "run_ci",
]
