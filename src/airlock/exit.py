"""Process exit codes, in one place (DESIGN.md: Commands)."""

from __future__ import annotations

from collections.abc import Iterable
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


def failure_exit_code(codes: Iterable[ExitCode]) -> ExitCode:
    """The exit code of a run whose packages are reported but some could not be analysed (each failure's own
    code): tampered bytes (1) before an operational failure (3) before bad input (2); 0 when none failed."""
    found = set(codes)
    for code in (ExitCode.ACTION, ExitCode.OPERATIONAL, ExitCode.USAGE):
        if code in found:
            return code
    return ExitCode.OK
