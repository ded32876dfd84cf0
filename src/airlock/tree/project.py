"""Find a project's lockfile and manifests on disk, or resolve a lockfile with npm when there is none.

Resolution never touches the user's directory and never runs a script: package.json (plus workspace
manifests and .npmrc) are copied to a temporary directory and npm runs there with `--package-lock-only
--ignore-scripts`, which writes a lockfile without installing anything.

Confinement: the project's files are data, so nothing they name may make airlock (or the npm it runs)
read a manifest from, or write one to, a place outside the project and airlock's own temporary and cache
directories. Workspace entries that leave the project (`..`, absolute or drive paths, backslash spellings
of either, symlinks resolving outside) are refused; npm's cache, logs, `global`/`location` and `git`
settings, which a project .npmrc could point anywhere, are pinned on npm's command line, which wins.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from airlock.errors import OperationalError, UsageError
from airlock.registry.cache import default_cache_dir
from airlock.tree.model import LockfileError, LockfileInput

LOCKFILE_NAMES = ("npm-shrinkwrap.json", "package-lock.json", "pnpm-lock.yaml", "yarn.lock")
"""In npm's order of precedence (a shrinkwrap wins over package-lock), then pnpm, then yarn."""
MAX_LOCKFILE_BYTES = 256 * 2**20
MAX_WORKSPACES = 2000
NPM_RESOLVE_TIMEOUT = 600.0
NPM_OUTPUT_TAIL_LINES = 15
"""Lines of npm's output shown when it fails: its error block, not the whole log."""
NPM_RESOLVE_COMMAND = (
    "npm",
    "install",
    "--package-lock-only",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
)


@dataclass(frozen=True, slots=True)
class ProjectLockfile:
    input: LockfileInput
    path: Path | None
    """The lockfile on disk; None when airlock resolved one."""
    notes: tuple[str, ...] = field(default=())


def _read_text(path: Path, what: str) -> str:
    try:
        if path.stat().st_size > MAX_LOCKFILE_BYTES:
            raise UsageError(
                f"{path} is larger than {MAX_LOCKFILE_BYTES} bytes; refusing to read it as {what}"
            )
        return path.read_text(encoding="utf-8-sig")  # npm and pnpm accept a UTF-8 BOM (vite has one)
    except UnicodeDecodeError:
        raise LockfileError(str(path), "not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _manifest(path: Path) -> dict[str, object]:
    text = _read_text(path, "a package.json")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path} must hold a JSON object")
    return doc


_DRIVE = re.compile(r"^[A-Za-z]:")
_OUTSIDE_HINT = (
    "workspaces must be directories inside the project; run airlock check in the directory that "
    "holds all of them (the repository's root), or remove the entry"
)


def _confined_pattern(root: Path, source: str, pattern: str) -> str | None:
    """The glob `pattern` with `/` separators, None when it names nothing; a UsageError when it leaves `root`.

    Backslashes count as separators here: npm on Windows reads `..\\x` as `../x`, and a file that is
    data for us must not mean something else on another machine."""
    spelled = pattern.replace("\\", "/")
    parts = [part for part in spelled.split("/") if part not in ("", ".")]
    if spelled.startswith("/") or _DRIVE.match(spelled) or ".." in parts:
        raise UsageError(
            f"{source} names workspace {pattern!r}, which is outside the project {root}", hint=_OUTSIDE_HINT
        )
    return "/".join(parts) or None


def read_pnpm_workspace(root: Path) -> dict[str, object]:
    """The project's pnpm-workspace.yaml document, {} when there is none (or it holds no mapping)."""
    pnpm = root / "pnpm-workspace.yaml"
    if not pnpm.is_file():
        return {}
    try:
        doc = yaml.safe_load(_read_text(pnpm, "pnpm-workspace.yaml"))
    except yaml.YAMLError as exc:
        raise UsageError(f"{pnpm} is not valid YAML: {exc}") from None
    return doc if isinstance(doc, dict) else {}


def workspace_globs(
    root: Path, manifest: Mapping[str, object], pnpm_workspace: Mapping[str, object]
) -> list[str]:
    value = manifest.get("workspaces")
    if isinstance(value, dict):
        value = value.get("packages")
    declared = [("package.json", g) for g in value if isinstance(g, str)] if isinstance(value, list) else []
    packages = pnpm_workspace.get("packages")
    if isinstance(packages, list):
        declared.extend(("pnpm-workspace.yaml", g) for g in packages if isinstance(g, str))
    globs = []
    for source, pattern in declared:
        if pattern.startswith("!"):  # exclusions only narrow what the other entries match
            continue
        confined = _confined_pattern(root, f"{root / source}", pattern)
        if confined is not None:
            globs.append(confined)
    return globs


def _inside(path: Path, real_root: Path) -> bool:
    return path.resolve().is_relative_to(real_root)


def read_manifests(
    root: Path, pnpm_workspace: Mapping[str, object] | None = None
) -> dict[str, dict[str, object]]:
    """package.json documents of the project and its workspaces, by directory relative to `root`
    (`pnpm_workspace`: its pnpm-workspace.yaml document when the caller has read it already)."""
    manifests: dict[str, dict[str, object]] = {}
    root_manifest = root / "package.json"
    if not root_manifest.is_file():
        return manifests
    manifests[""] = _manifest(root_manifest)
    real_root = root.resolve()
    if pnpm_workspace is None:
        pnpm_workspace = read_pnpm_workspace(root)
    for pattern in workspace_globs(root, manifests[""], pnpm_workspace):
        for directory in sorted(root.glob(pattern)):
            relative = directory.relative_to(root).as_posix()
            if relative == "." or "node_modules" in relative.split("/"):
                continue  # the root is manifests[""] already
            if not (directory / "package.json").is_file():
                continue
            if not (_inside(directory, real_root) and _inside(directory / "package.json", real_root)):
                raise UsageError(
                    f"workspace {relative} of {root} is a symlink to a place outside the project",
                    hint=_OUTSIDE_HINT,
                )
            manifests[relative] = _manifest(directory / "package.json")
            if len(manifests) > MAX_WORKSPACES:
                raise UsageError(f"more than {MAX_WORKSPACES} workspaces under {root}; is a glob too wide?")
    return manifests


def find_lockfile(
    path: Path, *, resolve: bool = True, status: Callable[[str], None] | None = None
) -> ProjectLockfile:
    """The lockfile for a project directory (or a lockfile path), resolving one with npm when there is none
    (`status` hears about it first: npm can take a minute and prints nothing)."""
    if path.is_file():
        if path.name not in LOCKFILE_NAMES:
            raise UsageError(
                f"{path} is not a lockfile airlock reads",
                hint=f"pass a project directory or one of: {', '.join(LOCKFILE_NAMES)}",
            )
        root = path.parent
        pnpm_workspace = read_pnpm_workspace(root)
        return ProjectLockfile(
            LockfileInput(
                path.name,
                _read_text(path, "a lockfile"),
                read_manifests(root, pnpm_workspace),
                pnpm_workspace,
            ),
            path,
        )
    if not path.is_dir():
        raise UsageError(
            f"no such project directory: {path}", hint="pass the directory that holds package.json"
        )
    present = [path / name for name in LOCKFILE_NAMES if (path / name).is_file()]
    pnpm_workspace = read_pnpm_workspace(path)
    manifests = read_manifests(path, pnpm_workspace)
    if present:
        chosen = present[0]
        notes = (
            (f"several lockfiles present ({', '.join(p.name for p in present)}); checked {chosen.name}",)
            if len(present) > 1
            else ()
        )
        return ProjectLockfile(
            LockfileInput(chosen.name, _read_text(chosen, "a lockfile"), manifests, pnpm_workspace),
            chosen,
            notes,
        )
    if "" not in manifests:
        raise UsageError(
            f"{path} has neither a lockfile nor a package.json",
            hint="run airlock check in the project's root directory",
        )
    if not resolve:
        raise UsageError(
            f"{path} has no lockfile", hint="commit one, or run without --offline so npm can resolve one"
        )
    command = " ".join(NPM_RESOLVE_COMMAND)
    if status is not None:
        status(f"no lockfile in {path}: resolving the dependency tree with `{command}` (scripts off)…")
    text = resolve_with_npm(path, manifests)
    return ProjectLockfile(
        LockfileInput("package-lock.json", text, manifests),
        None,
        (f"no lockfile in {path}: resolved one with `{command}` in a temporary copy of package.json",),
    )


def pinned_npm_options() -> tuple[str, ...]:
    """npm options that keep npm inside airlock's cache whatever the project's .npmrc says: a project .npmrc
    may set these to any path (npm honours `cache` and `logs-dir` from it) or to a global install; the
    command line outranks every config file."""
    npm_cache = default_cache_dir() / "npm"
    return (
        f"--cache={npm_cache}",
        f"--logs-dir={npm_cache / '_logs'}",
        "--global=false",
        "--location=user",
        "--git=git",
        "--update-notifier=false",
    )


def resolve_environment() -> dict[str, str]:
    """The environment npm resolves in: the user's (registry auth comes from .npmrc files it names), with
    scripts off whatever a config file says."""
    return {**os.environ, "npm_config_ignore_scripts": "true", "npm_config_update_notifier": "false"}


@contextmanager
def project_copy(root: Path, manifests: Iterable[str], *, prefix: str) -> Iterator[Path]:
    """A temporary directory holding the project's package.json files (root and workspaces) and its .npmrc:
    what npm needs to resolve the tree, and nothing of the project's it could run."""
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        work = Path(scratch)
        for directory in manifests:
            target = work / directory / "package.json"
            if not target.resolve().is_relative_to(work.resolve()):  # read_manifests refuses these first
                raise UsageError(
                    f"workspace {directory!r} of {root} is outside the project", hint=_OUTSIDE_HINT
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / directory / "package.json", target)
        if (root / ".npmrc").is_file():
            shutil.copyfile(root / ".npmrc", work / ".npmrc")
        yield work


@dataclass(frozen=True)
class NpmFailureWords:
    """How a caller words npm's failure: what was being done, and what to try."""

    action: str
    failure_hint: str
    timeout_hint: str = "check the registry's reachability (and the registry settings in .npmrc)"


def run_npm_resolving(
    npm: str, arguments: Sequence[str], cwd: Path, timeout: float, words: NpmFailureWords
) -> None:
    """npm with `arguments` in `cwd`, scripts off and airlock's pinned options last (they outrank every
    config file). A timeout or a failure is an OperationalError with the tail of npm's output."""
    try:
        result = subprocess.run(
            [npm, *arguments, *pinned_npm_options()],
            cwd=cwd,
            env=resolve_environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise OperationalError(
            f"{words.action} did not finish within {timeout:.0f} s", hint=words.timeout_hint
        ) from None
    if result.returncode != 0:
        output = (result.stderr or "") + (result.stdout or "")
        tail = "\n".join(output.strip().splitlines()[-NPM_OUTPUT_TAIL_LINES:])
        raise OperationalError(
            f"{words.action} failed (exit {result.returncode}); nothing was changed:\n{tail}",
            hint=words.failure_hint,
        )


def resolve_with_npm(
    root: Path, manifests: Mapping[str, Mapping[str, object]], *, what: str | None = None
) -> str:
    """A package-lock.json for the project, written by npm in a temporary copy (manifests and .npmrc only).
    `what` names what is resolved in messages (default: the dependencies of `root`)."""
    what = what or f"the dependencies of {root}"
    npm = shutil.which("npm")
    if npm is None:
        raise UsageError(
            "no lockfile, and npm is not installed to resolve one",
            hint="commit the project's lockfile, or install Node.js/npm",
        )
    with project_copy(root, manifests, prefix="airlock-resolve-") as work:
        words = NpmFailureWords(
            f"npm resolving {what}",
            failure_hint="fix package.json (or the registry settings in .npmrc) until "
            "`npm install --package-lock-only --ignore-scripts` succeeds, or commit a lockfile",
            timeout_hint="commit a lockfile, or check the registry's reachability",
        )
        run_npm_resolving(npm, NPM_RESOLVE_COMMAND[1:], work, NPM_RESOLVE_TIMEOUT, words)
        lock = work / "package-lock.json"
        if not lock.is_file():
            raise OperationalError(
                "npm succeeded but wrote no package-lock.json", hint="is package-lock=false set?"
            )
        return lock.read_text(encoding="utf-8")


WITH_DEPS_PROJECT = "airlock-with-deps"
"""The name of the temporary project `scan --with-deps` resolves: it depends on the targets, nothing else."""


def resolve_packages(
    dependencies: Mapping[str, str], npmrc_dir: Path, *, status: Callable[[str], None] | None = None
) -> ProjectLockfile:
    """The lockfile npm writes for a temporary project depending on `dependencies` (name → spec), with the
    .npmrc of `npmrc_dir` (registry settings) and nothing else of the user's: `scan --with-deps`."""
    manifest: dict[str, object] = {
        "name": WITH_DEPS_PROJECT,
        "version": "0.0.0",
        "private": True,
        "dependencies": dict(dependencies),
    }
    wanted = ", ".join(f"{name}@{spec}" for name, spec in dependencies.items())
    if shutil.which("npm") is None:
        raise UsageError(
            "--with-deps needs npm to resolve the dependency tree, and npm is not installed",
            hint="install Node.js/npm, or scan the packages without --with-deps",
        )
    with tempfile.TemporaryDirectory(prefix="airlock-with-deps-") as scratch:
        project = Path(scratch)
        (project / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if (npmrc_dir / ".npmrc").is_file():
            shutil.copyfile(npmrc_dir / ".npmrc", project / ".npmrc")
        if status is not None:
            status(f"resolving the dependencies of {wanted} with npm (scripts off)…")
        try:
            text = resolve_with_npm(project, {"": manifest}, what=wanted)
        except OperationalError as error:
            raise OperationalError(
                error.message, hint="check the names and versions (and the registry settings in .npmrc)"
            ) from None
    command = " ".join(NPM_RESOLVE_COMMAND)
    return ProjectLockfile(
        LockfileInput("package-lock.json", text, {"": manifest}),
        None,
        (f"{wanted} with dependencies: resolved with `{command}` in a temporary project depending on it",),
    )
