"""The lockfile of a project at a git revision (`airlock diff --base REV`), read from git's object store.

Only plumbing that reads objects runs (`rev-parse`, `ls-tree`, `cat-file`): the work tree, the index and
HEAD are never touched, so a diff in a dirty checkout or in CI changes nothing. Blobs are read raw with
`cat-file blob` (not `show`, which would apply a textconv filter the repository's config may name).
What the reader needs besides the lockfile (the package.json files of the project and its workspaces, and
pnpm-workspace.yaml) is read at the same revision, so both sides of a diff are read alike.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from airlock.errors import OperationalError, UsageError
from airlock.tree.model import LockfileError, LockfileInput
from airlock.tree.project import LOCKFILE_NAMES, MAX_LOCKFILE_BYTES, MAX_WORKSPACES, workspace_globs

GIT_TIMEOUT = 60.0
"""Seconds one git command may take (a `ls-tree -r` of a large monorepo takes well under one)."""


class GitError(UsageError):
    """`--base` cannot be read as asked."""


class NotAGitRepositoryError(GitError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"{path} is not in a git repository" + (f" ({detail})" if detail else ""),
            hint="--base reads the lockfile from git history: run airlock in the repository, or compare "
            "two lockfiles with --lockfile OLD NEW",
        )
        self.path = path


class UnknownRevisionError(GitError):
    def __init__(self, revision: str) -> None:
        super().__init__(
            f"unknown git revision {revision!r}",
            hint="check it with `git log --oneline`; in a shallow clone (CI) fetch the base first, "
            "e.g. `git fetch --depth=1 origin main` and pass origin/main",
        )
        self.revision = revision


class NoLockfileAtRevisionError(GitError):
    def __init__(self, revision: str, directory: str, wanted: tuple[str, ...]) -> None:
        where = f"in {directory}" if directory else "at the repository's root"
        super().__init__(
            f"revision {revision} has no {' or '.join(wanted)} {where}",
            hint="pick a revision where the project had a lockfile, or pass the project's directory "
            "(or its lockfile) as PATH",
        )
        self.revision = revision
        self.directory = directory


@dataclass(frozen=True, slots=True)
class RevisionLockfile:
    input: LockfileInput
    revision: str
    """As the user gave it (`main`, `HEAD~1`)."""
    commit: str
    """The commit it names, in full."""
    path: str
    """The lockfile, relative to the repository's root (`/` separated)."""

    @property
    def label(self) -> str:
        return f"{self.path}@{self.revision} ({self.commit[:12]})"


class _GitFailedError(Exception):
    def __init__(self, stderr: str) -> None:
        super().__init__(stderr)
        self.stderr = stderr


def _git(args: list[str], cwd: Path) -> bytes:
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",  # never wait on a prompt
        "GIT_OPTIONAL_LOCKS": "0",  # reading must not take the index lock another git holds
        "LC_ALL": "C",
    }
    try:
        result = subprocess.run(
            ["git", "--no-pager", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise UsageError(
            "--base needs git, and git is not installed",
            hint="install git, or compare two lockfiles with --lockfile OLD NEW",
        ) from None
    except subprocess.TimeoutExpired:
        raise OperationalError(
            f"`git {' '.join(args)}` did not finish within {GIT_TIMEOUT:.0f} s",
            hint="is the repository on a slow or locked file system? compare two lockfiles with "
            "--lockfile OLD NEW instead",
        ) from None
    if result.returncode != 0:
        raise _GitFailedError(result.stderr.decode("utf-8", "replace").strip())
    return result.stdout


def _first_line(text: str) -> str:
    return text.splitlines()[0].removeprefix("fatal: ") if text else ""


def _matches(pattern: str, directory: str) -> bool:
    """Whether `directory` (`/` separated, relative to the project) matches a workspace glob as
    `Path.glob` would: `*` within one segment, `**` across any number of them."""

    def match(pats: list[str], parts: list[str]) -> bool:
        if not pats:
            return not parts
        if pats[0] == "**":
            return any(match(pats[1:], parts[i:]) for i in range(len(parts) + 1))
        return bool(parts) and fnmatch.fnmatchcase(parts[0], pats[0]) and match(pats[1:], parts[1:])

    return match(pattern.split("/"), directory.split("/"))


def _document(text: str, what: str) -> dict[str, object]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{what} must hold a JSON object")
    return doc


class _Revision:
    """The files of one directory of one commit, read through git."""

    def __init__(self, top: Path, commit: str, revision: str, prefix: str) -> None:
        self.top = top
        self.commit = commit
        self.revision = revision
        self.prefix = prefix
        listing = _git(
            ["ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--", prefix or "."], top
        )
        self.files = {
            name.decode("utf-8", "surrogateescape")[len(prefix) :] for name in listing.split(b"\0") if name
        }

    def text(self, relative: str, what: str) -> str:
        spec = f"{self.commit}:{self.prefix}{relative}"
        size = int(_git(["cat-file", "-s", spec], self.top))
        if size > MAX_LOCKFILE_BYTES:
            raise UsageError(f"{what} is larger than {MAX_LOCKFILE_BYTES} bytes; refusing to read it")
        try:
            return _git(["cat-file", "blob", spec], self.top).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise LockfileError(f"{self.prefix}{relative}@{self.revision}", "not UTF-8 text") from None

    def manifests(self, pnpm_workspace: dict[str, object]) -> dict[str, dict[str, object]]:
        """package.json documents of the project and its workspaces at this revision, by directory."""
        if "package.json" not in self.files:
            return {}
        manifests = {
            "": _document(self.text("package.json", self.where("package.json")), self.where("package.json"))
        }
        # The same confinement as for the work tree: a workspace outside the project is refused.
        globs = workspace_globs(self.top / self.prefix, manifests[""], pnpm_workspace)
        candidates = sorted(
            name.removesuffix("/package.json")
            for name in self.files
            if name.endswith("/package.json") and "node_modules" not in name.split("/")
        )
        for directory in candidates:
            if any(_matches(pattern, directory) for pattern in globs):
                what = self.where(f"{directory}/package.json")
                manifests[directory] = _document(self.text(f"{directory}/package.json", what), what)
                if len(manifests) > MAX_WORKSPACES:
                    raise UsageError(
                        f"more than {MAX_WORKSPACES} workspaces in {self.where('')}; is a glob too wide?"
                    )
        return manifests

    def pnpm_workspace(self) -> dict[str, object]:
        if "pnpm-workspace.yaml" not in self.files:
            return {}
        what = self.where("pnpm-workspace.yaml")
        try:
            doc = yaml.safe_load(self.text("pnpm-workspace.yaml", what))
        except yaml.YAMLError as exc:
            raise UsageError(f"{what} is not valid YAML: {exc}") from None
        return doc if isinstance(doc, dict) else {}

    def where(self, relative: str) -> str:
        return f"{self.prefix}{relative}@{self.revision}"


def lockfile_at_revision(revision: str, project: Path) -> RevisionLockfile:
    """The lockfile of `project` (a directory in a git work tree, or a lockfile in one) as committed at
    `revision`, with the manifests the tree reader needs. For a directory, the lockfile is chosen as in
    the work tree (npm-shrinkwrap.json, package-lock.json, pnpm-lock.yaml, yarn.lock)."""
    wanted: tuple[str, ...] = LOCKFILE_NAMES
    directory = project
    if project.is_file():
        if project.name not in LOCKFILE_NAMES:
            raise UsageError(
                f"{project} is not a lockfile airlock reads",
                hint=f"pass a project directory or one of: {', '.join(LOCKFILE_NAMES)}",
            )
        wanted, directory = (project.name,), project.parent
    elif not project.is_dir():
        raise UsageError(
            f"no such project directory: {project}", hint="pass the directory that holds package.json"
        )
    if not revision or revision.startswith("-"):
        raise UnknownRevisionError(revision)  # never let a revision be read as an option
    try:
        top_text, prefix = os.fsdecode(
            _git(["rev-parse", "--show-toplevel", "--show-prefix"], directory)
        ).splitlines()
    except _GitFailedError as failed:
        if "dubious ownership" in failed.stderr:
            raise GitError(
                f"git refuses to read {directory}: {_first_line(failed.stderr)}",
                hint="the repository belongs to another user; if you trust it, add it with "
                "`git config --global --add safe.directory <path>` (as git says)",
            ) from None
        raise NotAGitRepositoryError(directory, _first_line(failed.stderr)) from None
    except ValueError:  # a bare repository, or .git itself: no work tree, so no prefix line
        raise NotAGitRepositoryError(directory, "no work tree") from None
    top = Path(top_text)
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], top)
    except _GitFailedError:
        raise UnknownRevisionError(revision) from None
    try:
        at = _Revision(top, commit.decode().strip(), revision, prefix)
        name = next((n for n in wanted if n in at.files), None)
        if name is None:
            raise NoLockfileAtRevisionError(revision, prefix.rstrip("/"), wanted)
        pnpm_workspace = at.pnpm_workspace()
        text = at.text(name, at.where(name))
        data = LockfileInput(name, text, at.manifests(pnpm_workspace), pnpm_workspace)
    except _GitFailedError as failed:  # e.g. a package.json that is a submodule at that revision
        raise GitError(
            f"git could not read {prefix or 'the project'} at {revision}: {_first_line(failed.stderr)}",
            hint="pass the directory of a project whose files are committed in this repository",
        ) from None
    return RevisionLockfile(data, revision, at.commit, f"{prefix}{name}")
