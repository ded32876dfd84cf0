"""The sandbox seam: run one command with least authority, behind a small Protocol.

Implementations, one module each: `bubblewrap.py` (Linux namespaces via `bwrap`: the default) and
`unsandboxed.py` (the explicit, loud opt-out `--unsandboxed-scripts`). `availability.py` probes whether
bubblewrap can run here and says exactly why not. Callers (airlock.install.scripts) describe what a command
may see and write; an implementation enforces as much of that as it can and says so by its `name`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from airlock.errors import OperationalError


@dataclass(frozen=True, slots=True)
class Bind:
    """An extra mount inside the sandbox: host `source` seen at `target`."""

    source: Path
    target: Path
    writable: bool = False


@dataclass(frozen=True, slots=True)
class SandboxedCommand:
    """One command and everything it may reach.

    Paths in `readable` and `writable` are mounted at themselves; `binds` map a host path to another place
    (the staged node_modules seen at the project's `node_modules`). `hidden` are files inside readable paths
    that the command must not read (a project's `.npmrc`): they appear empty. `env` is exactly the
    environment the process gets; it names the sandbox's fresh `HOME` and `TMPDIR`, which an implementation
    provides empty and throws away afterwards.
    """

    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]
    timeout: float
    readable: tuple[Path, ...] = ()
    writable: tuple[Path, ...] = ()
    binds: tuple[Bind, ...] = ()
    hidden: tuple[Path, ...] = ()
    allow_network: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "env", MappingProxyType(dict(self.env)))


@dataclass(frozen=True, slots=True)
class SandboxOutcome:
    exit_code: int | None
    """None when the command was killed (time limit) or never started."""
    timed_out: bool
    output: str
    """stdout and stderr interleaved as the command wrote them; only the last OUTPUT_LIMIT bytes."""
    duration: float
    truncated: bool = field(default=False)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


OUTPUT_LIMIT = 64 * 1024


class Sandbox(Protocol):
    @property
    def name(self) -> str:
        """How reports name it: `bubblewrap`, `unsandboxed`."""

    @property
    def remaps_paths(self) -> bool:
        """Whether `Bind` targets are honoured. Without it (unsandboxed) a caller must use host paths."""

    def run(self, command: SandboxedCommand) -> SandboxOutcome: ...


class SandboxUnavailableError(OperationalError):
    """The sandbox cannot run on this machine; the message says why, the hint how to fix it."""


SandboxUnavailable = SandboxUnavailableError
"""The name issue 14's seam uses."""


__all__ = [
    "OUTPUT_LIMIT",
    "Bind",
    "Sandbox",
    "SandboxOutcome",
    "SandboxUnavailable",
    "SandboxUnavailableError",
    "SandboxedCommand",
]
