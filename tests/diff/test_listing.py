"""The stored file listings: a warm diff reads no tarball and answers exactly as a cold one; a listing
serves only the bytes it was made from; a damaged or absent listing means reading the bytes again."""

from __future__ import annotations

import logging
import sqlite3
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airlock.diff.compare import FileInfo, PackageSide, compare, files_of
from airlock.diff.gather import diff_targets
from airlock.diff.listing import (
    LISTING_FORMAT,
    ListedFile,
    PackageListing,
    decode_listing,
    encode_listing,
    listing_of,
    stored_listing,
)
from airlock.diff.model import DiffDocument
from airlock.diff.trees import diff_lockfiles
from airlock.errors import OperationalError
from airlock.model import Capabilities, PackageContents, PackageFile, PackageReport, Verdict
from airlock.pipeline import Pipeline
from airlock.store import AnalysisStore
from airlock.store.sqlite import SCHEMA_VERSION, MemoryStore, SQLiteStore
from airlock.tree import read_lockfile
from tests.diff.scenarios import HELPER_OLD, publish_benign, publish_event_stream
from tests.diff.test_trees import new_lock, old_lock
from tests.fakes.pipelines import loopback_pipeline
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

X = "sha512-" + "x" * 86 + "=="
Y = "sha512-" + "y" * 86 + "=="

# --- end to end: the diff against the loopback registry -------------------------------------------------

Diff = Callable[[Pipeline], DiffDocument]


def _targets(pipeline: Pipeline) -> DiffDocument:
    return diff_targets(pipeline, "calm-pad@1.2.0", "calm-pad@1.3.0")


def _tgz(registry: FakeRegistry) -> list[str]:
    return [r.path for r in registry.requests if r.path.endswith(".tgz")]


def _run(
    registry: FakeRegistry, cache: Path, store: AnalysisStore, diff: Diff
) -> tuple[DiffDocument, list[str]]:
    """`diff` in a run of its own, with the download cache `cache` (a fresh directory: nothing downloaded
    before is there to read), and the tarballs it fetched."""
    before = len(_tgz(registry))
    with loopback_pipeline(registry.url, cache, store=store) as pipeline:
        document = diff(pipeline)
    return document, _tgz(registry)[before:]


def _integrity(registry: FakeRegistry, name: str, version: str) -> str:
    integrity: str = registry.packument(name)["versions"][version]["dist"]["integrity"]
    return integrity


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "store.sqlite3") as opened:
        yield opened


def test_a_warm_lockfile_diff_reads_no_tarball_and_answers_as_the_cold_one(
    fake_registry: FakeRegistry, store: SQLiteStore, tmp_path: Path
) -> None:
    publish_event_stream(fake_registry)
    publish_benign(fake_registry)
    old, new = read_lockfile(old_lock(fake_registry)), read_lockfile(new_lock(fake_registry))

    def diff(pipeline: Pipeline) -> DiffDocument:
        return diff_lockfiles(pipeline, old, new)

    cold, fetched = _run(fake_registry, tmp_path / "cold", store, diff)
    assert fetched  # the cold run downloaded (and listed) every changed package
    warm, fetched = _run(fake_registry, tmp_path / "warm", store, diff)
    assert fetched == []  # the warm run's cache is empty: nothing downloaded, nothing there to read
    assert warm == cold
    assert [c.name for c in warm.changes] == ["event-stream", "calm-pad"]
    assert any(f.lines for f in warm.changes[1].files)  # line counts come from the listing too


def test_a_warm_target_diff_reads_no_tarball(
    fake_registry: FakeRegistry, store: SQLiteStore, tmp_path: Path
) -> None:
    publish_benign(fake_registry)
    cold, fetched = _run(fake_registry, tmp_path / "cold", store, _targets)
    assert len(fetched) == 2
    warm, fetched = _run(fake_registry, tmp_path / "warm", store, _targets)
    assert fetched == [] and warm == cold


def test_the_listing_of_other_bytes_is_not_used_when_a_version_is_republished(
    fake_registry: FakeRegistry, store: SQLiteStore, tmp_path: Path
) -> None:
    publish_benign(fake_registry)
    first, _ = _run(fake_registry, tmp_path / "first", store, _targets)
    assert [f.path for f in first.changes[0].files] == ["index.js", "lib/right.js", "package.json"]
    files = {"index.js": HELPER_OLD, "lib/extra.js": "module.exports = 2;\n"}
    fake_registry.publish("calm-pad", "1.3.0", build_package("calm-pad", "1.3.0", files))
    again, fetched = _run(fake_registry, tmp_path / "again", store, _targets)
    assert fetched == ["/calm-pad/-/calm-pad-1.3.0.tgz"]  # other bytes: read, not taken from the store
    assert [f.path for f in again.changes[0].files] == ["lib/extra.js", "package.json"]


def test_a_listing_stored_under_the_wrong_key_is_not_used(
    fake_registry: FakeRegistry, store: SQLiteStore, tmp_path: Path
) -> None:
    publish_benign(fake_registry)
    cold, _ = _run(fake_registry, tmp_path / "cold", store, _targets)
    old_key, new_key = (_integrity(fake_registry, "calm-pad", v) for v in ("1.2.0", "1.3.0"))
    old_body = store.get_listing(old_key, LISTING_FORMAT)
    assert old_body is not None
    store.put_listing(new_key, LISTING_FORMAT, old_body)  # 1.2.0's listing where 1.3.0's belongs
    warm, fetched = _run(fake_registry, tmp_path / "warm", store, _targets)
    assert fetched == ["/calm-pad/-/calm-pad-1.3.0.tgz"]
    assert warm == cold
    repaired = stored_listing(store, new_key)
    assert repaired is not None and "lib/right.js" in {f.path for f in repaired.files}


def _garbage(body: bytes) -> bytes:
    return b"not a listing"


def _truncated(body: bytes) -> bytes:
    return body[: len(body) // 2]


def _other_format(body: bytes) -> bytes:
    return zlib.compress(zlib.decompress(body).replace(b'"format":1,', b'"format":999,', 1))


def _wrong_type(body: bytes) -> bytes:
    return zlib.compress(zlib.decompress(body).replace(b'"index.js",', b'"index.js","x",', 1))


@pytest.mark.parametrize("damage", [_garbage, _truncated, _other_format, _wrong_type])
def test_a_damaged_listing_means_reading_the_bytes_again(
    fake_registry: FakeRegistry, store: SQLiteStore, tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    publish_benign(fake_registry)
    cold, _ = _run(fake_registry, tmp_path / "cold", store, _targets)
    key = _integrity(fake_registry, "calm-pad", "1.3.0")
    body = store.get_listing(key, LISTING_FORMAT)
    assert body is not None
    store.put_listing(key, LISTING_FORMAT, damage(body))
    assert stored_listing(store, key) is None
    warm, fetched = _run(fake_registry, tmp_path / "warm", store, _targets)
    assert fetched == ["/calm-pad/-/calm-pad-1.3.0.tgz"] and warm == cold
    assert stored_listing(store, key) is not None  # stored again, whole


def test_an_absent_listing_with_its_tarball_gone_from_the_cache_is_downloaded_again(
    fake_registry: FakeRegistry, store: SQLiteStore, tmp_path: Path
) -> None:
    """A store that kept the analyses but has no listings (as one written before listings existed)."""
    publish_benign(fake_registry)
    cold, _ = _run(fake_registry, tmp_path / "cold", store, _targets)
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("DELETE FROM listings")
    conn.close()
    warm, fetched = _run(fake_registry, tmp_path / "warm", store, _targets)
    assert sorted(fetched) == ["/calm-pad/-/calm-pad-1.2.0.tgz", "/calm-pad/-/calm-pad-1.3.0.tgz"]
    assert warm == cold


class _ReadOnlyListings(MemoryStore):
    def put_listing(self, integrity: str, listing_format: int, body: bytes) -> None:
        raise OperationalError("analysis store: cannot write to: attempt to write a readonly database")


def test_a_store_that_cannot_keep_listings_costs_a_read_not_the_diff(
    fake_registry: FakeRegistry, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    publish_benign(fake_registry)
    store = _ReadOnlyListings()
    with caplog.at_level(logging.WARNING):
        first, _ = _run(fake_registry, tmp_path / "first", store, _targets)
    assert "not storing the file listing of calm-pad@1.3.0" in caplog.text
    second, fetched = _run(fake_registry, tmp_path / "second", store, _targets)
    assert len(fetched) == 2 and second == first


def test_a_local_tarball_is_listed_by_the_digest_of_its_current_bytes(
    fake_registry: FakeRegistry, store: SQLiteStore, tmp_path: Path
) -> None:
    old, new = tmp_path / "old.tgz", tmp_path / "new.tgz"
    old.write_bytes(build_package("p", "1.0.0", {"a.js": "1\n"}))
    new.write_bytes(build_package("p", "1.0.1", {"a.js": "1\n2\n"}))

    def diff(pipeline: Pipeline) -> DiffDocument:
        return diff_targets(pipeline, str(old), str(new))

    first, _ = _run(fake_registry, tmp_path / "c1", store, diff)
    assert [(f.path, f.lines) for f in first.changes[0].files] == [("a.js", 1), ("package.json", 1)]
    new.write_bytes(build_package("p", "1.0.1", {"a.js": "1\n2\n3\n4\n"}))
    second, _ = _run(fake_registry, tmp_path / "c2", store, diff)
    assert [(f.path, f.lines) for f in second.changes[0].files] == [("a.js", 3), ("package.json", 1)]


# --- the listing answers as the files it was made from --------------------------------------------------


def _old_new_lines(old: str, new: str) -> int:
    """The text comparison the listing replaced, kept here as the oracle."""
    remaining = Counter(old.splitlines())
    count = 0
    for line in new.splitlines():
        if remaining[line] > 0:
            remaining[line] -= 1
        elif line.strip():
            count += 1
    return count


_line = st.sampled_from(["", " ", "\t", "a", "b", "}", "  return x;", "é", "\u3000", "x" * 400])
_separator = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x0c"])
_text = st.lists(st.tuples(_line, _separator), max_size=12).map(
    lambda parts: "".join(a + b for a, b in parts)
)
_content = st.one_of(_text, _text.map(lambda t: t + "x"), st.binary(max_size=40))


def _file(path: str, content: str | bytes) -> PackageFile:
    return PackageFile(path, content.encode() if isinstance(content, str) else content)


_paths = st.sampled_from(["a.js", "b.min.js", "lib/c.cjs", "README.md", "x.bin"])
_contents = st.dictionaries(_paths, _content, max_size=5).map(
    lambda files: PackageContents(tuple(_file(p, c) for p, c in files.items()))
)


def _report(version: str) -> PackageReport:
    return PackageReport(
        target=f"p@{version}",
        name="p",
        version=version,
        integrity=None,
        verdict=Verdict.ALLOW,
        capabilities=Capabilities(),
        findings=(),
        install_scripts={},
        skipped=(),
    )


def _stored(listing: PackageListing) -> PackageListing:
    decoded = decode_listing(X, encode_listing(X, listing))
    assert decoded is not None
    return decoded


@settings(max_examples=300, deadline=None)
@given(_text, _text)
def test_lines_to_read_are_the_text_comparison(old: str, new: str) -> None:
    before, after = FileInfo("a.js", len(old), old), FileInfo("a.js", len(new) + 1, new)
    change = compare(PackageSide(_report("1"), (before,)), PackageSide(_report("2"), (after,)))
    listed = compare(
        PackageSide(_report("1"), (ListedFile.of(before),)),
        PackageSide(_report("2"), (ListedFile.of(after),)),
    )
    assert change == listed
    assert change.files[0].lines == _old_new_lines(old, new)


@settings(max_examples=200, deadline=None)
@given(_contents, _contents)
def test_a_stored_listing_compares_as_the_files_read_in_full(
    old: PackageContents, new: PackageContents
) -> None:
    read = compare(PackageSide(_report("1"), files_of(old)), PackageSide(_report("2"), files_of(new)))
    old_listing, new_listing = _stored(listing_of(old)), _stored(listing_of(new))
    stored = compare(
        PackageSide(_report("1"), old_listing.files), PackageSide(_report("2"), new_listing.files)
    )
    assert stored == read


def test_a_listing_keeps_the_declared_manifest() -> None:
    manifest = (
        b'{"name": "@s/p", "bin": "cli.js", "dependencies": {"a": "^1"}, "optionalDependencies": {"b": "2"}}'
    )
    listing = _stored(listing_of(PackageContents((PackageFile("package.json", manifest),))))
    assert dict(listing.dependencies) == {"a": "^1", "b": "2"} and dict(listing.bin) == {"p": "cli.js"}


def test_a_listing_decodes_only_for_the_integrity_it_names() -> None:
    body = encode_listing(X, listing_of(PackageContents((PackageFile("a.js", b"1\n"),))))
    assert decode_listing(X, body) is not None
    assert decode_listing(Y, body) is None


@pytest.mark.parametrize(
    "document",
    [
        b"[]",
        b'{"format":1,"integrity":"%s","files":[],"dependencies":{}}',
        b'{"format":1,"integrity":"%s","files":[["a",1,null,0,false,"",[1]]],"dependencies":{},"bin":{}}',
        b'{"format":1,"integrity":"%s","files":[["a",-1,null,0,false,"",[]]],"dependencies":{},"bin":{}}',
        b'{"format":1,"integrity":"%s","files":[["a",1,"AAA=",0,false,"",[]]],"dependencies":{},"bin":{}}',
        b'{"format":1,"integrity":"%s","files":[["b",1,null,0,false,"",[]],["a",1,null,0,false,"",[]]],'
        b'"dependencies":{},"bin":{}}',
        b'{"format":1,"integrity":"%s","files":[],"dependencies":{"a":1},"bin":{}}',
    ],
    ids=[
        "not-an-object",
        "no-bin",
        "counts-without-digests",
        "negative-size",
        "short-digest",
        "unsorted",
        "bad-spec",
    ],
)
def test_an_incomplete_or_inconsistent_listing_is_a_miss(document: bytes) -> None:
    body = zlib.compress(document.replace(b"%s", X.encode()))
    assert decode_listing(X, body) is None


def test_the_body_must_not_inflate_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    body = encode_listing(X, listing_of(PackageContents((PackageFile("a.js", b"1\n" * 1000),))))
    monkeypatch.setattr("airlock.diff.listing.MAX_LISTING_BYTES", 64)
    assert decode_listing(X, body) is None


# --- the store's listings table --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_store_keeps_listings_by_integrity_and_format(tmp_path: Path, kind: str) -> None:
    with SQLiteStore(tmp_path / "s.sqlite3") if kind == "sqlite" else MemoryStore() as opened:
        assert opened.get_listing(X, 1) is None
        opened.put_listing(X, 1, b"one")
        opened.put_listing(X, 2, b"two")
        opened.put_listing(X, 1, b"one again")
        assert opened.get_listing(X, 1) == b"one again" and opened.get_listing(X, 2) == b"two"
        assert opened.get_listing(Y, 1) is None


def test_a_layout_1_store_keeps_its_analyses_and_gains_listings(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "CREATE TABLE analyses (integrity TEXT NOT NULL, analyzer TEXT NOT NULL, body BLOB NOT NULL, "
            "created INTEGER NOT NULL, PRIMARY KEY (integrity, analyzer)) WITHOUT ROWID"
        )
        conn.execute("INSERT INTO analyses VALUES (?, ?, ?, 0)", (X, "a", b"kept"))
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with SQLiteStore(path) as opened:
        opened.put_listing(X, LISTING_FORMAT, b"body")
        assert opened.get_listing(X, LISTING_FORMAT) == b"body"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert conn.execute("SELECT body FROM analyses").fetchall() == [(b"kept",)]
    conn.close()


def test_a_listing_row_that_is_not_bytes_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO listings VALUES (?, ?, ?, 0)", (X, LISTING_FORMAT, "text, not a blob"))
    conn.close()
    with SQLiteStore(path) as opened:
        assert opened.get_listing(X, LISTING_FORMAT) is None
