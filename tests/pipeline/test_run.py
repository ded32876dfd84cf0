"""The pipeline's seams: any `AnalysisExecutor` gives the same reports (a Dask executor is one module), a
source only yields requests and a context, and `check` does not reach into `scan`."""

from __future__ import annotations

import ast
import base64
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

import airlock
from airlock.model import PackageAnalysis, Verdict
from airlock.pipeline import Pipeline, PipelineOptions
from airlock.pipeline.context import PackageContext
from airlock.pipeline.executor import AnalysisJob, analyze_job
from airlock.pipeline.requests import FromRegistry, PackageRequest
from airlock.registry.cache import Cache
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import NpmConfig
from airlock.scan import scan
from airlock.store.sqlite import MemoryStore
from airlock.targets import RegistryTarget
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

SRC = Path(airlock.__file__).parent


class ThreadExecutor:
    """A stand-in for a remote executor: jobs cross a boundary as values, results come back as futures."""

    def __init__(self, workers: int) -> None:
        self.jobs: list[AnalysisJob] = []
        self._pool = ThreadPoolExecutor(max_workers=workers)

    def submit(self, job: AnalysisJob) -> Future[PackageAnalysis]:
        self.jobs.append(job)
        return self._pool.submit(analyze_job, job)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def abort(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@pytest.fixture
def published(fake_registry: FakeRegistry) -> FakeRegistry:
    for version, body in [
        ("1.0.0", "require('fs').readFileSync"),
        ("1.1.0", "require('child_process').exec(x)"),
    ]:
        fake_registry.publish("lib", version, build_package("lib", version, {"index.js": body}))
    return fake_registry


def _pipeline(registry: FakeRegistry, tmp_path: Path, **kwargs: object) -> Pipeline:
    config = NpmConfig(registry=registry.url)
    return Pipeline(
        client_factory=lambda: RegistryClient(config, Cache(tmp_path / "cache"), retries=0),
        store=MemoryStore(),
        options=PipelineOptions(jobs=2),
        **kwargs,  # type: ignore[arg-type]
    )


def test_another_executor_gives_the_same_reports(published: FakeRegistry, tmp_path: Path) -> None:
    executors: list[ThreadExecutor] = []

    def factory(workers: int) -> ThreadExecutor:
        executors.append(ThreadExecutor(workers))
        return executors[-1]

    # Distinct bytes only: a repeat could be served from the store by whichever run finished first.
    targets = ["lib@1.0.0", "lib@1.1.0"]
    with _pipeline(published, tmp_path, executor_factory=factory) as pipeline:
        custom = scan(pipeline, targets)
    with _pipeline(published, tmp_path) as pipeline:
        default = scan(pipeline, targets)

    assert custom.reports == default.reports
    assert len(executors[0].jobs) == 2
    assert [r.label for r in custom.reports] == ["lib@1.0.0", "lib@1.1.0"]


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_check_builds_on_the_pipeline_not_on_scan() -> None:
    for module in (SRC / "check").glob("*.py"):
        assert "airlock.scan" not in set(_imports(module)), module.name


def test_verdicts_are_decided_only_in_verdict_py() -> None:
    """`decide` is called by verdict.judge alone; other modules hand findings on."""
    callers = []
    for module in SRC.rglob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "decide":
                callers.append(module.relative_to(SRC).as_posix())
    assert set(callers) == {"verdict.py"}


class _PinnedSource:
    """One lockfile-like request whose integrity is a sha1 pin (pre-2018 yarn), not the registry's sha512."""

    def __init__(self, request: PackageRequest) -> None:
        self._request = request
        self._context = PackageContext()

    def requests(self) -> list[PackageRequest]:
        return [self._request]

    @property
    def context(self) -> PackageContext:
        return self._context


def test_a_corrupted_cache_file_of_a_sha1_pinned_package_is_fetched_again_not_blamed_on_the_package(
    published: FakeRegistry, tmp_path: Path
) -> None:
    shasum = published.packument("lib")["versions"]["1.0.0"]["dist"]["shasum"]
    pin = "sha1-" + base64.b64encode(bytes.fromhex(shasum)).decode()
    target = RegistryTarget("lib@1.0.0", "lib", "1.0.0")
    source = _PinnedSource(
        PackageRequest(
            "lib@1.0.0", FromRegistry(target, exact=True), name="lib", version="1.0.0", integrity=pin
        )
    )
    with _pipeline(published, tmp_path) as pipeline:
        assert pipeline.run(source).failures == ()
    files = [p for p in (tmp_path / "cache" / "tarballs").rglob("*") if p.is_file()]
    assert files
    for file in files:
        file.write_bytes(b"garbage")
    downloads = len(published.requests_to("/-/"))

    with _pipeline(published, tmp_path) as pipeline:
        outcome = pipeline.run(source)

    assert outcome.failures == ()
    assert outcome.reports[0].verdict is Verdict.ALLOW
    assert len(published.requests_to("/-/")) == downloads + 1
    assert all(p.read_bytes() != b"garbage" for p in files)
