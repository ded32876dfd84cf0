"""Process exit codes, in one place (DESIGN.md: Commands)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Nothing to act on."""
    ACTION = 1
    """Something was blocked (or crossed `--fail-on`), or a policy was violated."""
    USAGE = 2
    """Usage error or bad input."""
    OPERATIONAL = 3
    """Operational failure: network, registry, store."""
