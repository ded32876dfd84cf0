"""The step budget: one file's analysis work, counted in steps rather than seconds so that the same bytes
are cut at the same place on any machine under any load."""

from __future__ import annotations

from airlock.errors import AirlockError


class StepBudgetExhaustedError(AirlockError):
    """A file's analysis used up its step budget. Caught per file and recorded as `Skipped`."""


class Steps:
    """One file's analysis step budget, shared by its scanner, its resolver and the code it compiles from
    strings. A step is one unit of work the walk decides to do (a seed, a climb, a use followed, an
    expression evaluated, a scope ancestor walked, BYTES_PER_STEP bytes searched or parsed), so the count
    follows the work done whatever the input's shape, the same bytes use the same steps on any machine
    under any load, and a cut falls at the same place every time."""

    __slots__ = ("limit", "used")

    BYTES_PER_STEP = 16 * 1024
    """Searching this many bytes (`bytes.find`, a regex, a parse) costs about what one walk step does."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def tick(self) -> None:
        self.add(1)

    def add(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise StepBudgetExhaustedError(f"analysis step budget ({self.limit:,} steps) exhausted")

    def search(self, byte_count: int) -> None:
        """Charge for a linear pass over `byte_count` bytes."""
        self.add(1 + byte_count // self.BYTES_PER_STEP)
