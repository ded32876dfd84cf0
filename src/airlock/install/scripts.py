"""Running the lifecycle scripts of a staged install: which run (permissions), in which order
(dependencies first, then the project's own), with which environment, inside which sandbox.

The seam `airlock ci` codes against: `plan_scripts` (reads files, decides, runs nothing), `default_sandbox`
(bubblewrap after its availability probe, or the loud opt-out), `run_scripts` (runs the plan, stops at the
first failure as npm does).

Paths. npm installed the tree into `<staging>/node_modules`, which becomes `<project>/node_modules` by a
rename afterwards. A sandbox that remaps paths (bubblewrap) shows the staged tree at `<project>/node_modules`,
so scripts run at, and record, the final paths; the unsandboxed runner cannot, so there scripts run at the
staged paths (and the project's own scripts find the staged packages through `NODE_PATH` and `PATH`).

The project's own scripts (`preinstall` … `postprepare`, as `npm ci` runs them) are the project's code: they
need no `allowScripts` entry, but run in the same sandbox, with the project directory writable.
Workspace packages and `file:` folders are the project's code too, but airlock does not run their scripts
yet: they are listed as skipped, with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from airlock.errors import BadInputError
from airlock.install.environment import base_environment, script_environment
from airlock.install.installed import (
    PROJECT_SCRIPTS,
    InstalledPackage,
    lifecycle_scripts,
    read_installed,
    read_json_object,
)
from airlock.install.permissions import PermissionSource, ScriptPermissions, read_permissions
from airlock.sandbox import Bind, Sandbox, SandboxedCommand, SandboxOutcome
from airlock.tree.model import Source

SANDBOX_HOME = "/airlock/home"
"""HOME inside bubblewrap: a fresh tmpfs at a path no project uses."""
SHELL = "/bin/sh"
"""npm runs scripts with `sh -c` on POSIX (@npmcli/run-script `scriptShell`)."""
HIDDEN_IN_PROJECT = (".npmrc", ".env", ".git/config")
"""Project files that may hold credentials: empty inside the sandbox."""
_NETWORK_SIGNS = re.compile(
    r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|getaddrinfo|Could not resolve host|"
    r"Temporary failure in name resolution|Network is unreachable|socket hang up|fetch failed|ETIMEDOUT",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ScriptsRequest:
    project: Path
    """The real project root (package.json, lockfile, maybe airlock-policy.json)."""
    node_modules: Path
    """The staged node_modules directory (installed with --ignore-scripts)."""
    allow_network: frozenset[str] = frozenset()
    """Package names (or canonical names) granted the network for this run by --allow-network."""
    unsandboxed: bool = False
    """--unsandboxed-scripts."""
    timeout: float = 600.0
    """Per script, seconds."""
    manifest: bytes | None = None
    """`airlock install`: the new package.json (accepted scripts recorded in it), not yet in the project;
    read instead of the project's for permissions, canonical names and the project's own scripts."""
    policy: bytes | None = None
    """`airlock install`: the new airlock-policy.json, read instead of the project's."""

    def project_manifest(self) -> dict[str, object]:
        if self.manifest is None:
            return read_json_object(self.project / "package.json", "the project's package.json")
        try:
            data = json.loads(self.manifest)
        except ValueError as exc:
            raise BadInputError(f"the new package.json is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise BadInputError("the new package.json is not a JSON object")
        return data


@dataclass(frozen=True, slots=True)
class PlannedScript:
    label: str
    """`name@version`, or `name@version (project)` for the project's own scripts."""
    name: str
    version: str | None
    canonical: str | None
    key: str
    """Its path in the tree (`node_modules/a`); '' for the project."""
    event: str
    command: str
    network: bool
    project: bool = False
    implicit: bool = False
    """`node-gyp rebuild`, which npm implies for a binding.gyp."""
    manifest: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "manifest", MappingProxyType(dict(self.manifest)))


@dataclass(frozen=True, slots=True)
class SkippedScripts:
    label: str
    key: str
    events: tuple[str, ...]
    reason: str
    accept: str | None = None
    """What to add to let them run, when a line would."""


@dataclass(frozen=True, slots=True)
class NetworkGrant:
    label: str
    source: str
    """`airlock-policy.json allowNetwork` or `--allow-network NAME`."""


@dataclass(frozen=True, slots=True)
class NodeTools:
    """What scripts run with: node, and npm's node-gyp when npm ships one."""

    node: str
    node_gyp_bin: str | None = None
    """npm's directory with the `node-gyp` shim (@npmcli/run-script/lib/node-gyp-bin)."""
    node_gyp: str | None = None
    """npm's node-gyp.js (`npm_config_node_gyp`)."""
    nodedir: str | None = None
    """node's prefix when it has its headers (include/node/node.h): node-gyp then builds offline."""
    readable: tuple[Path, ...] = ()
    """Install directories outside /usr that scripts must be able to read."""


@dataclass(frozen=True, slots=True)
class ScriptPlan:
    request: ScriptsRequest
    permissions: PermissionSource
    scripts: tuple[PlannedScript, ...]
    skipped: tuple[SkippedScripts, ...]
    network_grants: tuple[NetworkGrant, ...]
    base_env: Mapping[str, str]
    tools: NodeTools

    @property
    def needs_sandbox(self) -> bool:
        """False when nothing is to run: then no sandbox is needed (and none is probed)."""
        return bool(self.scripts)


@dataclass(frozen=True, slots=True)
class ScriptRun:
    script: PlannedScript
    outcome: SandboxOutcome

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    @property
    def message(self) -> str:
        """One line for the summary; a failure says why and how to see the output."""
        s, o = self.script, self.outcome
        if o.ok:
            return f"{s.label} {s.event}: ok ({o.duration:.1f} s)"
        what = f"timed out after {o.duration:.0f} s" if o.timed_out else f"failed (exit {o.exit_code})"
        text = f"{s.label} {s.event} `{s.command}` {what}"
        if not s.network and network_attempt(o.output):
            name = s.name if s.project else (s.canonical or s.name)
            text += (
                f"; its output suggests it tried to reach the network, which the sandbox denies: if it must "
                f"download at install time, run again with --allow-network {name} (or add "
                f'"allowNetwork": {{"{name}#{s.version}": true}} to airlock-policy.json)'
            )
        return text + "; the output is shown above (always with -v)"


@dataclass(frozen=True, slots=True)
class ScriptsSummary:
    sandbox: str
    ran: tuple[ScriptRun, ...]
    skipped: tuple[SkippedScripts, ...]
    not_run: tuple[PlannedScript, ...] = ()
    """Scripts after a failure, which did not run (npm stops at the first failing script too)."""
    network_grants: tuple[NetworkGrant, ...] = ()

    @property
    def failed(self) -> ScriptRun | None:
        return next((run for run in self.ran if not run.ok), None)


def network_attempt(output: str) -> bool:
    """Whether a script's output suggests it failed reaching the network."""
    return _NETWORK_SIGNS.search(output) is not None


# --- planning -------------------------------------------------------------------------------------


def plan_scripts(request: ScriptsRequest, *, environ: Mapping[str, str] | None = None) -> ScriptPlan:
    """Which scripts run, in order, and which are skipped and why; reads files, runs nothing."""
    parent = os.environ if environ is None else environ
    manifest = request.project_manifest()
    permissions = read_permissions(request.project, manifest=manifest, policy=request.policy)
    packages = read_installed(request.project, request.node_modules, manifest=manifest)
    planned: list[PlannedScript] = []
    skipped: list[SkippedScripts] = []
    grants: list[NetworkGrant] = []
    for package in packages:
        if not package.scripts:
            continue
        events = tuple(package.scripts)
        if package.source in (Source.WORKSPACE, Source.FILE, Source.LINK):
            reason = "a workspace or local folder: airlock does not run its scripts yet (run them with npm)"
            skipped.append(SkippedScripts(package.label, package.key, events, reason))
            continue
        decision = permissions.decision(package.canonical, package.version)
        if decision is not True:
            skipped.append(_not_allowed(package, permissions, decision, events))
            continue
        network = _network_grant(package, permissions, request.allow_network)
        if network is not None:
            grants.append(network)
        for event, command in package.scripts.items():
            planned.append(
                PlannedScript(
                    label=package.label,
                    name=package.name,
                    version=package.version,
                    canonical=package.canonical,
                    key=package.key,
                    event=event,
                    command=command,
                    network=network is not None,
                    implicit=package.implicit_install and event == "install",
                    manifest=package.manifest,
                )
            )
    planned += _project_scripts(request, grants)
    return ScriptPlan(
        request=request,
        permissions=permissions.source,
        scripts=tuple(planned),
        skipped=tuple(skipped),
        network_grants=tuple(grants),
        base_env=MappingProxyType(base_environment(parent)),
        tools=find_node_tools(parent.get("PATH", os.defpath)),
    )


def _not_allowed(
    package: InstalledPackage, permissions: ScriptPermissions, decision: bool | None, events: tuple[str, ...]
) -> SkippedScripts:
    if package.canonical is None:
        reason = "no dependency of the project reaches it, so it has no canonical name to allow"
        return SkippedScripts(package.label, package.key, events, reason)
    pattern = f"{package.canonical}#{package.version}"
    if decision is False:
        reason = f"{permissions.source.value} keeps its install scripts off ({pattern}: false)"
    elif permissions.source is PermissionSource.NONE:
        reason = "not allowed: the project has no airlock-policy.json and no lavamoat.allowScripts"
    else:
        reason = f"not allowed: {permissions.source.value} has no entry for {pattern}"
    accept = permissions.accepting_line(package.canonical, package.version)
    return SkippedScripts(package.label, package.key, events, reason, accept)


def _network_grant(
    package: InstalledPackage, permissions: ScriptPermissions, cli: frozenset[str]
) -> NetworkGrant | None:
    if permissions.network_from_policy(package.canonical, package.version):
        return NetworkGrant(package.label, f"{permissions.source.value} allowNetwork")
    for name in (package.name, package.canonical):
        if name is not None and name in cli:
            return NetworkGrant(package.label, f"--allow-network {name}")
    return None


def _project_scripts(request: ScriptsRequest, grants: list[NetworkGrant]) -> list[PlannedScript]:
    manifest = request.project_manifest()
    scripts, implicit = lifecycle_scripts(manifest, request.project, PROJECT_SCRIPTS)
    name = str(manifest.get("name") or request.project.name)
    version = str(manifest["version"]) if isinstance(manifest.get("version"), str) else None
    label = f"{name}@{version} (project)" if version else f"{name} (project)"
    network = name in request.allow_network
    if scripts and network:
        grants.append(NetworkGrant(label, f"--allow-network {name}"))
    return [
        PlannedScript(
            label=label,
            name=name,
            version=version,
            canonical=None,
            key="",
            event=event,
            command=command,
            network=network,
            project=True,
            implicit=implicit and event == "install",
            manifest=manifest,
        )
        for event, command in scripts.items()
    ]


def find_node_tools(path: str) -> NodeTools:
    """node (resolved through links) and npm's node-gyp, found on `path` as npm would run them."""
    node = shutil.which("node", path=path)
    if node is None:
        return NodeTools(node="node")
    real_node = Path(node).resolve()
    readable: list[Path] = []
    prefix = real_node.parent.parent
    if not _under_usr(prefix):
        readable.append(prefix)
    nodedir = str(prefix) if (prefix / "include" / "node" / "node.h").is_file() else None
    node_gyp_bin = node_gyp = None
    npm = shutil.which("npm", path=path)
    if npm is not None:
        npm_root = Path(npm).resolve().parent.parent  # <npm>/bin/npm-cli.js
        shim = npm_root / "node_modules" / "@npmcli" / "run-script" / "lib" / "node-gyp-bin"
        gyp = npm_root / "node_modules" / "node-gyp" / "bin" / "node-gyp.js"
        node_gyp_bin = str(shim) if shim.is_dir() else None
        node_gyp = str(gyp) if gyp.is_file() else None
        if not _under_usr(npm_root) and npm_root not in readable:
            readable.append(npm_root)
    return NodeTools(str(real_node), node_gyp_bin, node_gyp, nodedir, tuple(readable))


def _under_usr(path: Path) -> bool:
    return path == Path("/usr") or Path("/usr") in path.parents


# --- running --------------------------------------------------------------------------------------


def default_sandbox(request: ScriptsRequest) -> Sandbox:
    """bubblewrap once its probe passed; the unsandboxed runner for --unsandboxed-scripts.
    Raises SandboxUnavailable (message: why; hint: how to fix it)."""
    if request.unsandboxed:
        from airlock.sandbox.unsandboxed import Unsandboxed

        return Unsandboxed()
    from airlock.sandbox.availability import probe

    return probe()


def run_scripts(
    plan: ScriptPlan, sandbox: Sandbox, progress: Callable[[str], None] | None = None
) -> ScriptsSummary:
    """Run the plan's scripts in order in `sandbox`; stop at the first that fails."""
    ran: list[ScriptRun] = []
    for index, script in enumerate(plan.scripts):
        if progress is not None:
            progress(f"{script.label} {script.event}: {script.command}")
        outcome = sandbox.run(command_for(plan, script, sandbox.remaps_paths))
        run = ScriptRun(script, outcome)
        ran.append(run)
        if progress is not None:
            progress(run.message)
        if not run.ok:
            return ScriptsSummary(
                sandbox.name, tuple(ran), plan.skipped, plan.scripts[index + 1 :], plan.network_grants
            )
    return ScriptsSummary(sandbox.name, tuple(ran), plan.skipped, (), plan.network_grants)


def command_for(plan: ScriptPlan, script: PlannedScript, remaps_paths: bool) -> SandboxedCommand:
    """The sandboxed command for one script: what it reads, where it writes, its environment."""
    request = plan.request
    project = request.project.resolve()
    staged = request.node_modules.resolve()
    final_modules = project / "node_modules"
    modules = final_modules if remaps_paths else staged
    directory = project if script.project else modules.parent / script.key
    tools = plan.tools
    extra: dict[str, str] = {}
    if tools.node_gyp is not None:
        extra["npm_config_node_gyp"] = tools.node_gyp
    if tools.nodedir is not None and not any(k.lower() == "npm_config_nodedir" for k in plan.base_env):
        extra["npm_config_nodedir"] = tools.nodedir
    if not remaps_paths:
        extra["NODE_PATH"] = str(staged)
    env = script_environment(
        base=plan.base_env,
        manifest=script.manifest,
        directory=directory,
        project=project,
        event=script.event,
        script=script.command,
        node=tools.node,
        home=SANDBOX_HOME,
        tmpdir="/tmp",
        extra_path=[
            *([str(staged / ".bin")] if not remaps_paths and script.project else []),
            *([tools.node_gyp_bin] if tools.node_gyp_bin else []),
        ],
        extra=extra,
    )
    readable = (project, *tools.readable)
    # npm's global config of a node installed outside /usr (nvm: `<prefix>/etc/npmrc`) may hold tokens.
    candidates = [project / name for name in HIDDEN_IN_PROJECT] + [
        p / "etc" / "npmrc" for p in tools.readable
    ]
    hidden = tuple(path for path in candidates if path.exists())
    binds: tuple[Bind, ...] = ()
    writable: tuple[Path, ...]
    if remaps_paths:
        binds = (Bind(staged, final_modules, writable=False),)
        if script.project:
            # The project is writable, its node_modules the staged one (read-only but for nothing).
            writable = (project,)
            binds = (Bind(staged, final_modules, writable=False),)
        else:
            binds += (Bind(staged / script.key.removeprefix("node_modules/"), directory, writable=True),)
            writable = ()
    else:
        readable = (*readable, staged)
        writable = (directory,)
    return SandboxedCommand(
        argv=(SHELL, "-c", script.command),
        cwd=directory,
        env=env,
        timeout=request.timeout,
        readable=readable,
        writable=writable,
        binds=binds,
        hidden=hidden,
        allow_network=script.network,
    )


__all__ = [
    "NetworkGrant",
    "NodeTools",
    "PlannedScript",
    "ScriptPlan",
    "ScriptRun",
    "ScriptsRequest",
    "ScriptsSummary",
    "SkippedScripts",
    "command_for",
    "default_sandbox",
    "find_node_tools",
    "network_attempt",
    "plan_scripts",
    "run_scripts",
]
