"""The analysis store: analyses already computed, keyed by (tarball integrity, analyzer version), and the
diff's file listings, keyed by (tarball integrity, listing format).

Analysis is a pure function of the tarball bytes and the analyzer version, so a stored result is as good as
a fresh one, and a new analyzer version simply misses. The store is a seam: SQLite (embedded, the default)
and, later, PostgreSQL (shared by a registry proxy's workers) are one module each behind `AnalysisStore`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

import platformdirs

from airlock.errors import UsageError
from airlock.model import PackageAnalysis
from airlock.store.sqlite import MemoryStore, SQLiteStore

STORE_ENV = "AIRLOCK_STORE"
STORE_FILENAME = "store.sqlite3"


class AnalysisStore(Protocol):
    def get(self, integrity: str, analyzer: str) -> PackageAnalysis | None:
        """The stored analysis of these bytes by this analyzer version, or None."""
        ...

    def get_many(self, integrities: Sequence[str], analyzer: str) -> dict[str, PackageAnalysis]:
        """The stored analyses of these bytes by this analyzer version, by integrity (misses left out); one
        round trip where the implementation allows it."""
        ...

    def put(self, integrity: str, analysis: PackageAnalysis) -> None:
        """Store (or replace) the analysis of these bytes; the analyzer version is `analysis.analyzer`."""
        ...

    def get_listing(self, integrity: str, listing_format: int) -> bytes | None:
        """The stored listing body of these bytes in this listing format, or None. Opaque here: its
        encoding and checks are `airlock.diff.listing`'s."""
        ...

    def put_listing(self, integrity: str, listing_format: int, body: bytes) -> None:
        """Store (or replace) the listing body of these bytes in this listing format."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


def default_store_path() -> Path:
    """`$AIRLOCK_STORE`, else `store.sqlite3` in the user cache dir (which honours `XDG_CACHE_HOME`)."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("airlock", appauthor=False)) / STORE_FILENAME


def open_store(location: str | Path | None = None) -> AnalysisStore:
    """Open the store at `location` (default: `default_store_path()`).

    The single place that maps a location to an implementation, so a `postgresql://` URL can later select
    the shared store without its callers changing.
    """
    # Read the raw setting here: turning a URL into a Path would collapse its "//".
    target = (os.environ.get(STORE_ENV) or default_store_path()) if location is None else location
    if isinstance(target, str) and target.startswith(("postgres://", "postgresql://")):
        raise UsageError(
            "a PostgreSQL analysis store is not supported yet",
            hint=f"point {STORE_ENV} at a file path (an SQLite store) or leave it unset",
        )
    return SQLiteStore(Path(target).expanduser())


__all__ = ["STORE_ENV", "AnalysisStore", "MemoryStore", "SQLiteStore", "default_store_path", "open_store"]
