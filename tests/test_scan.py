"""Scan orchestration against the loopback registry: order, failures as entries, store hits, exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from airlock.analysis import ANALYZER_VERSION
from airlock.errors import OperationalError
from airlock.exit import ExitCode
from airlock.integrity import sri_of
from airlock.model import Verdict
from airlock.pipeline import Pipeline, PipelineOptions
from airlock.registry.cache import Cache
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import NpmConfig
from airlock.scan import scan
from airlock.store import AnalysisStore
from airlock.store.sqlite import MemoryStore, SQLiteStore
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

SPAWNER = build_package(
    "spawner", "1.0.0", {"index.js": "const { exec } = require('child_process');\nexec(x);\n"}
)
READER = build_package("reader", "2.1.0", {"index.js": "module.exports = require('fs').readFileSync;\n"})


@pytest.fixture
def registry(fake_registry: FakeRegistry) -> FakeRegistry:
    fake_registry.publish("spawner", "1.0.0", SPAWNER)
    fake_registry.publish("reader", "2.0.0", build_package("reader", "2.0.0"))
    fake_registry.publish("reader", "2.1.0", READER)
    return fake_registry


@pytest.fixture
def make_scanner(registry: FakeRegistry, tmp_path: Path) -> Iterator[Callable[..., Pipeline]]:
    scanners: list[Pipeline] = []

    def make(*, store: AnalysisStore | None = None, jobs: int = 1, offline: bool = False) -> Pipeline:
        def client() -> RegistryClient:
            return RegistryClient(
                NpmConfig(registry=registry.url), Cache(tmp_path / "cache"), offline=offline, retries=0
            )

        scanner = Pipeline(
            client_factory=client,
            store=store if store is not None else MemoryStore(),
            options=PipelineOptions(jobs=jobs),
        )
        scanners.append(scanner)
        return scanner

    yield make
    for scanner in scanners:
        scanner.close()


def test_one_entry_per_target_in_the_order_given(
    make_scanner: Callable[..., Pipeline], tmp_path: Path
) -> None:
    local = tmp_path / "local.tgz"
    local.write_bytes(build_package("local", "0.1.0", {"a.js": "fetch('https://example.com')"}))
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "package.json").write_text('{"name": "folder", "version": "3.0.0"}')
    (folder / "b.js").write_text("require('os').homedir()")
    targets = ["reader@^2", "spawner", str(local), str(folder), "reader@2.0.0"]

    outcome = scan(make_scanner(), targets)

    assert [r.target for r in outcome.reports] == targets
    assert [(r.name, r.version) for r in outcome.reports] == [
        ("reader", "2.1.0"),
        ("spawner", "1.0.0"),
        ("local", "0.1.0"),
        ("folder", "3.0.0"),
        ("reader", "2.0.0"),
    ]
    reader, spawner, local_report, folder_report, old_reader = outcome.reports
    assert reader.integrity == sri_of(READER)
    assert set(reader.capabilities.builtin) == {"fs.readFileSync"}
    assert set(spawner.capabilities.builtin) == {"child_process.exec"}
    assert set(local_report.capabilities.globals) == {"fetch"}
    assert folder_report.integrity is None
    assert set(folder_report.capabilities.builtin) == {"os.homedir"}
    assert old_reader.capabilities.builtin == {}
    assert outcome.failures == ()
    assert outcome.exit_code() is ExitCode.OK


def test_a_failed_target_gets_an_entry_explaining_why(make_scanner: Callable[..., Pipeline]) -> None:
    outcome = scan(make_scanner(), ["spawner", "no-such-package", "reader@9"])

    assert [r.target for r in outcome.reports] == ["spawner", "no-such-package", "reader@9"]
    missing, unsatisfiable = outcome.reports[1], outcome.reports[2]
    for report in (missing, unsatisfiable):
        assert report.verdict is Verdict.REVIEW
        assert [f.rule for f in report.findings] == ["target-failed"]
    assert "no-such-package" in missing.findings[0].message
    assert len(outcome.failures) == 2
    assert outcome.exit_code() is ExitCode.USAGE


def test_tampered_tarball_is_a_blocking_entry_naming_both_digests(
    registry: FakeRegistry, make_scanner: Callable[..., Pipeline]
) -> None:
    registry.set_tarball("spawner", "1.0.0", build_package("spawner", "1.0.0", {"evil.js": "x"}))

    outcome = scan(make_scanner(), ["spawner@1.0.0"])

    (report,) = outcome.reports
    assert report.verdict is Verdict.BLOCK
    assert [f.rule for f in report.findings] == ["integrity-mismatch"]
    assert sri_of(SPAWNER) in report.findings[0].message
    assert report.integrity == sri_of(SPAWNER)
    assert outcome.exit_code() is ExitCode.ACTION


def test_rescan_of_the_same_bytes_is_served_from_the_store(
    registry: FakeRegistry, make_scanner: Callable[..., Pipeline], tmp_path: Path
) -> None:
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        first = scan(make_scanner(store=store), ["spawner", "reader"])
        assert not any(r.from_store for r in first.reports)
        assert store.get(sri_of(SPAWNER), ANALYZER_VERSION) is not None
        tarball_fetches = len(registry.requests_to("/-/"))

        second = scan(make_scanner(store=store), ["spawner", "reader"])

    assert all(r.from_store for r in second.reports)
    assert len(registry.requests_to("/-/")) == tarball_fetches  # no tarball downloaded again
    assert [r.capabilities for r in second.reports] == [r.capabilities for r in first.reports]


def test_offline_scan_uses_only_the_cache(
    registry: FakeRegistry, make_scanner: Callable[..., Pipeline]
) -> None:
    scan(make_scanner(), ["spawner@1.0.0"])
    before = len(registry.requests)

    offline = scan(make_scanner(offline=True), ["spawner@1.0.0", "reader@2.1.0"])

    assert len(registry.requests) == before
    assert set(offline.reports[0].capabilities.builtin) == {"child_process.exec"}
    assert offline.reports[1].findings[0].rule == "target-failed"
    assert offline.exit_code() is ExitCode.OPERATIONAL


def test_process_pool_gives_the_same_reports_as_in_process(make_scanner: Callable[..., Pipeline]) -> None:
    targets = ["spawner", "reader", "reader@2.0.0"]
    pooled = scan(make_scanner(jobs=2), targets)
    inline = scan(make_scanner(jobs=1), targets)
    assert pooled.reports == inline.reports


def test_an_analysis_crash_costs_one_entry_not_the_report(
    make_scanner: Callable[..., Pipeline], monkeypatch: pytest.MonkeyPatch
) -> None:
    import airlock.pipeline.inprocess
    from airlock.pipeline.executor import AnalysisJob, analyze_job

    def flaky(job: AnalysisJob) -> object:
        if job.subject == "spawner":
            raise RecursionError("maximum recursion depth exceeded")
        return analyze_job(job)

    monkeypatch.setattr(airlock.pipeline.inprocess, "analyze_job", flaky)
    outcome = scan(make_scanner(), ["spawner", "reader"])

    assert outcome.reports[0].findings[0].rule == "target-failed"
    assert "RecursionError" in outcome.reports[0].findings[0].message
    assert set(outcome.reports[1].capabilities.builtin) == {"fs.readFileSync"}
    assert isinstance(outcome.failures[0], OperationalError)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_corrupted_cache_file_is_removed_and_fetched_again_in_the_same_run(
    make_scanner: Callable[..., Pipeline], registry: FakeRegistry, tmp_path: Path, jobs: int
) -> None:
    with make_scanner() as scanner:
        assert scan(scanner, ["reader@2.1.0"]).reports[0].verdict is Verdict.ALLOW
    files = [p for p in (tmp_path / "cache" / "tarballs").rglob("*") if p.is_file()]
    assert files
    for file in files:
        file.write_bytes(b"garbage")
    downloads = len(registry.requests_to("/-/"))
    with make_scanner(jobs=jobs) as scanner:
        outcome = scan(scanner, ["reader@2.1.0"])
    assert outcome.failures == ()
    assert outcome.reports[0].verdict is Verdict.ALLOW
    assert len(registry.requests_to("/-/")) == downloads + 1
    assert all(p.read_bytes() != b"garbage" for p in files)


def test_refetching_a_corrupted_cache_file_asks_for_the_tarball_only(
    make_scanner: Callable[..., Pipeline],
    registry: FakeRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No packument memo (a big tree has evicted a document long before one of its analyses fails): the
    # refetch must ask for the tarball again, not for the document too.
    monkeypatch.setattr("airlock.registry.client.MEMO_SIZE", 0)
    with make_scanner() as scanner:
        scan(scanner, ["reader@2.1.0"])
    for file in (p for p in (tmp_path / "cache" / "tarballs").rglob("*") if p.is_file()):
        file.write_bytes(b"garbage")
    before = len(registry.requests)
    with make_scanner() as scanner:
        outcome = scan(scanner, ["reader@2.1.0"])
    assert outcome.failures == ()
    paths = [r.path for r in registry.requests[before:]]
    assert len([p for p in paths if "/-/" in p]) == 1, paths
    assert len([p for p in paths if "/-/" not in p]) == 1, paths


def test_a_cache_file_corrupted_again_after_its_refetch_is_one_failure(
    make_scanner: Callable[..., Pipeline], registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airlock.pipeline.executor
    from airlock.integrity import IntegrityError

    def never_matches(data: bytes, expected: object, *, subject: str) -> None:
        raise IntegrityError(subject, "sha512-expected", "sha512-actual")

    # Every read-back fails (a failing disk): the one refetch happens, then the package is a failure.
    monkeypatch.setattr(airlock.pipeline.executor, "verify", never_matches)
    outcome = scan(make_scanner(), ["reader@2.1.0"])
    assert outcome.reports[0].verdict is Verdict.REVIEW
    assert "no longer matches" in outcome.failures[0].message
    assert len(registry.requests_to("/-/")) == 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_heavy_archives_one_at_a_time_lose_nothing(
    make_scanner: Callable[..., Pipeline], monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr("airlock.pipeline.acquire.HEAVY_ARCHIVE_BYTES", 1)  # every archive is heavy
    targets = ["spawner@1.0.0", "reader@2.0.0", "reader@2.1.0", "spawner@1.0.0"]
    with make_scanner(jobs=jobs) as scanner:
        outcome = scan(scanner, targets)
    assert [r.label for r in outcome.reports] == [
        "spawner@1.0.0",
        "reader@2.0.0",
        "reader@2.1.0",
        "spawner@1.0.0",
    ]
    assert outcome.failures == ()
    assert "child_process" in outcome.reports[0].capabilities.modules


def test_an_unwritable_cache_falls_back_to_analysing_from_memory(
    make_scanner: Callable[..., Pipeline], monkeypatch: pytest.MonkeyPatch
) -> None:
    from airlock.registry.cache import Cache, CacheWriteError

    def refuse(self: Cache, digest: object) -> None:
        raise CacheWriteError("cannot write the cache at /nowhere: Read-only file system")

    monkeypatch.setattr(Cache, "tarball_writer", refuse)
    monkeypatch.setattr(Cache, "put_tarball", lambda self, digest, data: refuse(self, digest))
    with make_scanner(jobs=2) as scanner:
        outcome = scan(scanner, ["spawner@1.0.0", "reader@2.1.0"])
    assert outcome.failures == ()
    assert "child_process" in outcome.reports[0].capabilities.modules


def test_a_tarball_url_is_fetched_analysed_and_reported_unverifiable(
    make_scanner: Callable[..., Pipeline], registry: FakeRegistry
) -> None:
    url = registry.tarball_url("reader", "2.1.0")
    outcome = scan(make_scanner(), [url])
    report = outcome.reports[0]
    assert outcome.failures == ()
    assert report.target == url
    assert report.name == "reader"
    assert set(report.capabilities.builtin) == {"fs.readFileSync"}
    unverifiable = [f for f in report.findings if f.rule == "unverifiable-source"]
    assert len(unverifiable) == 1
    assert sri_of(READER) in unverifiable[0].message
    assert report.verdict is Verdict.REVIEW


def test_a_tarball_url_that_is_missing_is_a_usage_failure(
    make_scanner: Callable[..., Pipeline], registry: FakeRegistry
) -> None:
    outcome = scan(make_scanner(), [registry.url + "nothing/-/nothing-1.0.0.tgz"])
    assert outcome.exit_code() is ExitCode.USAGE
    assert "HTTP 404" in outcome.failures[0].message
