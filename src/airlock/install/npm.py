"""`npm ci --ignore-scripts` in the staging directory, pointed at the verified view and nothing else.

npm gets a temporary userconfig and globalconfig (never the user's .npmrc: its tokens stay with airlock's
own client), no `npm_config_*` from the environment, `--registry` at the view with
`--replace-registry-host=always` (every `resolved` URL in the lockfile is fetched from the view, whatever
host it names), and its own cache in airlock's cache dir. That cache is content-addressed and npm
re-verifies every read against the lockfile's integrity, which airlock requires to equal the integrity it
checked (`ci.py`), so it cannot feed other bytes; the view marks bytes no integrity pins `no-store`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from airlock.errors import UsageError
from airlock.registry.cache import default_cache_dir

NPM_CI_ARGS = ("ci", "--ignore-scripts", "--no-audit", "--no-fund", "--no-update-notifier")
TREE_SETTINGS = frozenset(
    {
        "legacy-peer-deps",
        "strict-peer-deps",
        "engine-strict",
        "omit",
        "include",
        "install-strategy",
        "install-links",
        "global-style",
        "legacy-bundling",
        "os",
        "cpu",
        "libc",
        "optional",
    }
)
"""Settings of the project's .npmrc that shape the tree npm ci builds, and nothing else: the staged copy
keeps these (no registry, no credentials, no scripts settings)."""


def tree_settings(npmrc: Path) -> str:
    """The lines of `npmrc` that set a `TREE_SETTINGS` key, for the staging directory's .npmrc."""
    try:
        text = npmrc.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    kept = []
    for line in text.splitlines():
        key, sep, _ = line.strip().partition("=")
        if sep and key.strip() in TREE_SETTINGS and "${" not in line:
            kept.append(line.strip())
    return "".join(f"{line}\n" for line in kept)


_PR_SET_PDEATHSIG = 1


def npm_cache_dir() -> Path:
    return default_cache_dir() / "npm-ci"


def _prctl() -> Callable[..., int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return cast("Callable[..., int]", ctypes.CDLL(name, use_errno=True).prctl)
    except (OSError, AttributeError):
        return None


def _child_setup(prctl: Callable[..., int] | None) -> Callable[[], None]:
    """What the child does before exec: its own process group (stopped as one), and SIGKILL when airlock
    dies (Linux), so a killed run leaves no npm writing into a staging directory the next run removes.
    `prctl` is looked up in the parent: the child only calls it."""

    def setup() -> None:
        os.setpgrp()
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return setup


def npm_environment() -> dict[str, str]:
    """The environment without npm configuration (registries, tokens, scripts settings)."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.lower().startswith("npm_config_") and k.upper() not in ("NODE_AUTH_TOKEN", "NPM_TOKEN")
    }


@dataclass(frozen=True, slots=True)
class NpmResult:
    returncode: int
    output: str
    seconds: float
    timed_out: bool = False


class NpmInstall:
    """One `npm ci` run in `staging`, started at once, waited for with `wait()` or stopped with `stop()`."""

    def __init__(self, staging: Path, registry: str, *, timeout: float) -> None:
        npm = shutil.which("npm")
        if npm is None:
            raise UsageError(
                "airlock ci installs with npm, and npm is not installed",
                hint="install Node.js (it brings npm), then run airlock ci again",
            )
        self._staging = staging
        self._timeout = timeout
        # Empty, and two files: npm refuses to load one file as both.
        user, system = staging / ".airlock-npmrc-user", staging / ".airlock-npmrc-global"
        user.write_text("", encoding="utf-8")
        system.write_text("", encoding="utf-8")
        cache = npm_cache_dir()
        self._log = staging / ".airlock-npm.log"
        args = [
            npm,
            *NPM_CI_ARGS,
            f"--registry={registry}",
            "--replace-registry-host=always",
            f"--userconfig={user}",
            f"--globalconfig={system}",
            f"--cache={cache}",
            f"--logs-dir={cache / '_logs'}",
            "--global=false",
            "--location=project",
            "--prefer-offline=false",
            "--fetch-retries=1",
            "--loglevel=warn",
        ]
        self._started = time.monotonic()
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                args,
                cwd=staging,
                env=npm_environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_child_setup(_prctl()),  # noqa: PLW1509 - async-signal-safe calls only
            )

    @property
    def pid(self) -> int:
        return self._process.pid

    def _output(self) -> str:
        try:
            return self._log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def wait(self) -> NpmResult:
        remaining = max(0.0, self._timeout - (time.monotonic() - self._started))
        try:
            code = self._process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            self.stop()
            return NpmResult(-1, self._output(), time.monotonic() - self._started, timed_out=True)
        return NpmResult(code, self._output(), time.monotonic() - self._started)

    def stop(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=10)


__all__ = ["NPM_CI_ARGS", "NpmInstall", "NpmResult", "npm_cache_dir", "npm_environment"]
