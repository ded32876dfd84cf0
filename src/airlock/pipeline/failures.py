"""What went wrong in a run, as a person reads it on stderr: one line per cause, not one per package.

Each package keeps its own failure in its report; this only folds the summary. An unreachable registry
fails every package with the same error (said once), and an offline run with a cold cache misses many
packages for the same reason (said once, with the count)."""

from __future__ import annotations

from airlock.errors import AirlockError
from airlock.registry.client import NotCachedError


def fold_failures(failures: tuple[AirlockError, ...]) -> tuple[AirlockError, ...]:
    folded: list[AirlockError] = []
    seen: set[tuple[type[AirlockError], str, str | None]] = set()
    missed = [f for f in failures if isinstance(f, NotCachedError)]
    not_cached = sorted({f.subject for f in missed})  # names (registry documents) or name@version
    for failure in failures:
        if isinstance(failure, NotCachedError) and len(missed) > 1:
            continue
        key = (type(failure), failure.message, failure.hint)
        if key not in seen:
            seen.add(key)
            folded.append(failure)
    if len(missed) > 1:
        # One failure per package: several versions of one name miss the same registry document.
        folded.append(
            NotCachedError(
                f"{len(missed)} packages are not in the cache and airlock is offline ({_sample(not_cached)})",
                subject=not_cached[0],
            )
        )
    return tuple(folded)


def _sample(subjects: list[str], shown: int = 3) -> str:
    if len(subjects) <= shown:
        return ", ".join(subjects)
    return ", ".join(subjects[:shown]) + f" and {len(subjects) - shown} more"


__all__ = ["fold_failures"]
