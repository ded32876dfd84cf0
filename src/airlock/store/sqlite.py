"""The embedded analysis store (SQLite), and an in-memory one for tests and `--no-store`.

Two tables: `analyses` (a `PackageAnalysis` per tarball integrity and analyzer version) and `listings`
(the diff's file listing per tarball integrity and listing format: an opaque body whose encoding, and
whose checks, belong to `airlock.diff.listing`; it depends on the bytes only, so no analyzer in its key).

Several airlock processes (parallel CI jobs, a developer's two terminals) may share one store file: WAL
lets readers proceed while one writer writes, and the busy timeout makes concurrent writers queue instead
of failing. Every write is one autocommitted statement, and `put` is INSERT OR REPLACE, so two processes
storing the same analysis at once both succeed and leave one row.

The store is a cache. A row that cannot be decoded (written by an incompatible airlock, or damaged) is a
miss and is deleted; a file that is not a readable database is an `OperationalError` naming the file,
whose hint says to delete it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from airlock.errors import OperationalError
from airlock.model import PackageAnalysis
from airlock.serialize import SerializationError, analysis_from_json, analysis_to_json

SCHEMA_VERSION = 2
"""Layout of the database (PRAGMA user_version); each body's encoding has its own version (serialize's for
analyses, the listing format for listings). 1: `analyses`; 2: and `listings`."""

BUSY_TIMEOUT_S = 30.0
MAX_BODY_BYTES = 64 * 1024 * 1024
"""Cap on a decompressed body: a damaged or planted row must not exhaust memory."""

GET_MANY_CHUNK = 500
"""Keys per SELECT in `get_many`: under SQLite's bound-variable limit (999 before 3.32) with the analyzer."""

_INSERT = "INSERT OR REPLACE INTO analyses (integrity, analyzer, body, created) VALUES (?, ?, ?, ?)"
_CREATE = """
CREATE TABLE IF NOT EXISTS analyses (
    integrity TEXT NOT NULL,
    analyzer  TEXT NOT NULL,
    body      BLOB NOT NULL,
    created   INTEGER NOT NULL,
    PRIMARY KEY (integrity, analyzer)
) WITHOUT ROWID
"""
_CREATE_LISTINGS = """
CREATE TABLE IF NOT EXISTS listings (
    integrity TEXT NOT NULL,
    format    INTEGER NOT NULL,
    body      BLOB NOT NULL,
    created   INTEGER NOT NULL,
    PRIMARY KEY (integrity, format)
)
"""
_INSERT_LISTING = "INSERT OR REPLACE INTO listings (integrity, format, body, created) VALUES (?, ?, ?, ?)"


def encode_body(analysis: PackageAnalysis) -> bytes:
    text = json.dumps(analysis_to_json(analysis), separators=(",", ":"), ensure_ascii=False)
    return zlib.compress(text.encode("utf-8"), 6)


def decode_body(body: object) -> PackageAnalysis | None:
    """The analysis in a stored body, or None when the body is not one this version can read."""
    if not isinstance(body, bytes):
        return None
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(body, MAX_BODY_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            return None
        return analysis_from_json(json.loads(raw.decode("utf-8")))
    except (zlib.error, ValueError, TypeError, RecursionError, SerializationError):
        # ValueError covers bad UTF-8 and bad JSON.
        return None


def _decoded(body: object, analyzer: str) -> PackageAnalysis | None:
    analysis = decode_body(body)
    return analysis if analysis is not None and analysis.analyzer == analyzer else None


class SQLiteStore:
    def __init__(self, path: Path | str, *, timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error("cannot create its directory", exc) from exc
        try:
            # isolation_level=None: autocommit, so no statement holds a write lock longer than it runs.
            # check_same_thread=False: one store may serve a thread pool; self._lock serialises use.
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise self._error("cannot open", exc) from exc
        try:
            # The busy timeout first: switching to WAL itself needs a lock another process may hold.
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable enough in WAL mode for a cache (a power cut can lose the last writes only).
            conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise self._error("cannot read", exc) from exc
        except OperationalError:
            conn.close()
            raise
        self._conn: sqlite3.Connection | None = conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise OperationalError(
                f"analysis store {self.path} was written by a newer airlock (store layout {version})",
                hint=f"upgrade airlock, or delete {self.path} (it is only a cache) or set AIRLOCK_STORE "
                "to another file",
            )
        # IMMEDIATE: two processes creating (or upgrading) the store at once queue here instead of racing.
        # Both statements are IF NOT EXISTS: a layout-1 store keeps its analyses and gains `listings`.
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_CREATE)
            conn.execute(_CREATE_LISTINGS)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _error(self, action: str, exc: BaseException) -> OperationalError:
        return OperationalError(
            f"analysis store {self.path}: {action}: {exc}",
            hint=f"the store is only a cache: delete {self.path} and airlock rebuilds it, "
            "or set AIRLOCK_STORE to another file, or pass --no-store",
        )

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"analysis store {self.path} is closed")
        return self._conn

    def get(self, integrity: str, analyzer: str) -> PackageAnalysis | None:
        with self._lock:
            conn = self._connection()
            try:
                row = conn.execute(
                    "SELECT body FROM analyses WHERE integrity = ? AND analyzer = ?", (integrity, analyzer)
                ).fetchone()
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from exc
        if row is None:
            return None
        body: object = row[0]
        analysis = _decoded(body, analyzer)
        if analysis is None:
            self._discard(integrity, analyzer, body)
        return analysis

    def get_many(self, integrities: Sequence[str], analyzer: str) -> dict[str, PackageAnalysis]:
        """The stored analyses among `integrities` by this analyzer version, by integrity (misses left
        out): one SELECT per `GET_MANY_CHUNK` keys instead of one per key."""
        wanted = list(dict.fromkeys(integrities))
        rows: list[tuple[str, object]] = []
        with self._lock:
            conn = self._connection()
            try:
                for start in range(0, len(wanted), GET_MANY_CHUNK):
                    chunk = wanted[start : start + GET_MANY_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows.extend(
                        conn.execute(
                            f"SELECT integrity, body FROM analyses WHERE analyzer = ? AND integrity IN ({marks})",
                            (analyzer, *chunk),
                        )
                    )
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from exc
        found: dict[str, PackageAnalysis] = {}
        # Decoded outside the lock: it is most of the cost, and other threads may use the connection.
        for integrity, body in rows:
            analysis = _decoded(body, analyzer)
            if analysis is None:
                self._discard(integrity, analyzer, body)
            else:
                found[integrity] = analysis
        return found

    def _discard(self, integrity: str, analyzer: str, body: object) -> None:
        # Best effort: a read-only store still answers, with a miss. Only this exact body is deleted:
        # another process may have just replaced it with a good one.
        with self._lock, contextlib.suppress(sqlite3.Error, RuntimeError):
            self._connection().execute(
                "DELETE FROM analyses WHERE integrity = ? AND analyzer = ? AND body = ?",
                (integrity, analyzer, body),
            )

    def put(self, integrity: str, analysis: PackageAnalysis) -> None:
        body = encode_body(analysis)
        with self._lock:
            conn = self._connection()
            try:
                conn.execute(_INSERT, (integrity, analysis.analyzer, body, int(time.time())))
            except sqlite3.Error as exc:
                raise self._error("cannot write to", exc) from exc

    def get_listing(self, integrity: str, listing_format: int) -> bytes | None:
        with self._lock:
            conn = self._connection()
            try:
                row = conn.execute(
                    "SELECT body FROM listings WHERE integrity = ? AND format = ?",
                    (integrity, listing_format),
                ).fetchone()
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from exc
        body: object = None if row is None else row[0]
        # A body of another type is damage: a miss, which the caller's `put_listing` then replaces.
        return body if isinstance(body, bytes) else None

    def put_listing(self, integrity: str, listing_format: int, body: bytes) -> None:
        with self._lock:
            conn = self._connection()
            try:
                conn.execute(_INSERT_LISTING, (integrity, listing_format, body, int(time.time())))
            except sqlite3.Error as exc:
                raise self._error("cannot write to", exc) from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"


class MemoryStore:
    """A store that forgets everything when the process ends: tests, and `--no-store` runs."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], PackageAnalysis] = {}
        self._listings: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()

    def get(self, integrity: str, analyzer: str) -> PackageAnalysis | None:
        with self._lock:
            return self._items.get((integrity, analyzer))

    def get_many(self, integrities: Sequence[str], analyzer: str) -> dict[str, PackageAnalysis]:
        with self._lock:
            found = ((i, self._items.get((i, analyzer))) for i in integrities)
            return {i: a for i, a in found if a is not None}

    def put(self, integrity: str, analysis: PackageAnalysis) -> None:
        with self._lock:
            self._items[(integrity, analysis.analyzer)] = analysis

    def get_listing(self, integrity: str, listing_format: int) -> bytes | None:
        with self._lock:
            return self._listings.get((integrity, listing_format))

    def put_listing(self, integrity: str, listing_format: int, body: bytes) -> None:
        with self._lock:
            self._listings[(integrity, listing_format)] = body

    def close(self) -> None:
        pass

    def __len__(self) -> int:
        return len(self._items)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
