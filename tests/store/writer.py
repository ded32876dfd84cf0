"""Worker for the multi-process store test. A module of its own so spawned children import only the store."""

from __future__ import annotations

from airlock.model import Capabilities, Evidence, PackageAnalysis
from airlock.store.sqlite import SQLiteStore

ANALYZER = "0.1.0+a1"


def analysis_for(key: str) -> PackageAnalysis:
    return PackageAnalysis(
        name=key,
        version="1.0.0",
        capabilities=Capabilities(builtin={"fs": (Evidence("index.js", 1, None, key),)}),
        findings=(),
        install_scripts={},
        skipped=(),
        analyzer=ANALYZER,
    )


def write_many(path: str, worker: int, count: int) -> None:
    """Each worker writes its own keys plus keys every worker writes (same key, same value)."""
    with SQLiteStore(path) as store:
        for i in range(count):
            store.put(f"sha512-w{worker}-{i}", analysis_for(f"w{worker}-{i}"))
            store.put(f"sha512-shared-{i}", analysis_for(f"shared-{i}"))
            assert store.get(f"sha512-shared-{i}", ANALYZER) is not None
