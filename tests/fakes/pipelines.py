"""The one pipeline as the tests run it: against the loopback registry, with a fresh download cache, an
in-memory store and no retries (a test that waits on a retry would be slow, not more thorough)."""

from __future__ import annotations

from pathlib import Path

from airlock.pipeline import Pipeline, PipelineOptions
from airlock.registry.cache import Cache
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import NpmConfig
from airlock.store import AnalysisStore
from airlock.store.sqlite import MemoryStore


def loopback_pipeline(
    registry_url: str, cache_dir: Path, *, jobs: int = 1, store: AnalysisStore | None = None
) -> Pipeline:
    """A pipeline fetching from `registry_url` into `cache_dir` (a fresh in-memory store unless `store` is
    given: two pipelines sharing one are two runs, the second warm); use it as a context manager."""
    config = NpmConfig(registry=registry_url)
    return Pipeline(
        client_factory=lambda: RegistryClient(config, Cache(cache_dir), retries=0),
        store=store if store is not None else MemoryStore(),
        options=PipelineOptions(jobs=jobs),
    )
