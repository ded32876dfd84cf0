"""The explicit opt-out (`--unsandboxed-scripts`): the command runs as airlock's own user with all of its
authority — the user's files, the network, every secret the account can read. Only the environment is
reduced (to what the caller put in `env`) and `HOME`/`TMPDIR` are fresh empty directories, which keeps
the accidental leaks (`~/.npmrc` read by a careless script) out but stops no attacker. Binds are not
honoured: callers must give host paths (`remaps_paths` is False)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from airlock.sandbox import SandboxedCommand, SandboxOutcome
from airlock.sandbox.process import run_process

WARNING = (
    "install scripts run WITHOUT a sandbox (--unsandboxed-scripts): they can read your files and "
    "secrets and reach the network"
)


@dataclass(frozen=True, slots=True)
class Unsandboxed:
    name: str = "unsandboxed"
    remaps_paths: bool = False

    def run(self, command: SandboxedCommand) -> SandboxOutcome:
        with tempfile.TemporaryDirectory(prefix="airlock-script-") as scratch:
            home, tmp = Path(scratch, "home"), Path(scratch, "tmp")
            home.mkdir()
            tmp.mkdir()
            env = {**command.env, "HOME": str(home), "TMPDIR": str(tmp)}
            return run_process(command.argv, env=env, cwd=command.cwd, timeout=command.timeout)


__all__ = ["WARNING", "Unsandboxed"]
