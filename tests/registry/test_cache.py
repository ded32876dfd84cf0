"""The download cache: content-addressed, atomic, self-verifying, confined to its root."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from airlock.errors import BadInputError, OperationalError
from airlock.integrity import Digest, compute
from airlock.registry.cache import Cache, default_cache_dir

DATA = b"some tarball bytes"
DIGEST = compute(DATA)
REGISTRY = "https://registry.example/"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "airlock"
    monkeypatch.setenv("AIRLOCK_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.setenv("AIRLOCK_CACHE_DIR", "  ")
    assert default_cache_dir() == tmp_path / "xdg" / "airlock"


def test_tarball_round_trip_and_layout(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    cache = Cache(root)
    assert cache.get_tarball(DIGEST) is None
    cache.put_tarball(DIGEST, DATA)
    assert cache.get_tarball(DIGEST) == DATA
    expected = root / "tarballs" / "sha512" / DIGEST.hex[:2] / DIGEST.hex
    assert _files(root) == [expected]
    assert stat.S_IMODE(expected.stat().st_mode) == 0o600
    for directory in (root / "tarballs", root / "tarballs" / "sha512", expected.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_sha1_digests_are_cached_separately(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    sha1 = compute(DATA, "sha1")
    cache.put_tarball(sha1, DATA)
    assert cache.get_tarball(sha1) == DATA
    assert cache.get_tarball(DIGEST) is None


def test_corrupt_tarball_is_a_miss_and_removed(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_tarball(DIGEST, DATA)
    (path,) = _files(tmp_path)
    path.write_bytes(b"tampered")
    assert cache.get_tarball(DIGEST) is None
    assert not path.exists()
    cache.put_tarball(DIGEST, DATA)
    assert cache.get_tarball(DIGEST) == DATA


def test_refuses_bytes_that_do_not_match(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with pytest.raises(BadInputError):
        cache.put_tarball(DIGEST, b"other bytes")
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    "digest",
    [
        Digest("sha512", b"short"),
        Digest("md5", bytes(16)),
        Digest("../../etc", bytes(64)),
        Digest("sha1", bytes(64)),
    ],
)
def test_only_real_digests_make_paths(tmp_path: Path, digest: Digest) -> None:
    cache = Cache(tmp_path / "cache")
    with pytest.raises(BadInputError):
        cache.get_tarball(digest)
    with pytest.raises(BadInputError):
        cache.put_tarball(digest, DATA)
    assert _files(tmp_path) == []


def test_packument_round_trip(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    fetched = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    cache.put_packument(REGISTRY, "left-pad", b'{"name":"left-pad"}', etag='"abc"', fetched=fetched)
    entry = cache.get_packument(REGISTRY, "left-pad")
    assert entry is not None
    assert entry.body == b'{"name":"left-pad"}'
    assert entry.etag == '"abc"'
    assert entry.fetched == fetched
    # Keyed by registry, name and variant.
    assert cache.get_packument("https://other.example/", "left-pad") is None
    assert cache.get_packument(REGISTRY, "left-pad", full=True) is None
    assert cache.get_packument(REGISTRY, "right-pad") is None
    cache.put_packument(REGISTRY, "left-pad", b"{}", etag=None)
    replaced = cache.get_packument(REGISTRY, "left-pad")
    assert replaced is not None and replaced.etag is None and replaced.body == b"{}"


def test_packument_header_without_the_body(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    fetched = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    body = b'{"name":"left-pad"}'
    revision = cache.put_packument(REGISTRY, "left-pad", body, etag='"abc"', fetched=fetched)
    assert revision == hashlib.sha256(body).hexdigest()
    header = cache.packument_header(REGISTRY, "left-pad")
    assert header is not None
    assert (header.etag, header.fetched, header.revision, header.size) == (
        '"abc"',
        fetched,
        revision,
        len(body),
    )
    assert cache.packument_header(REGISTRY, "right-pad") is None
    assert cache.packument_header("https://other.example/", "left-pad") is None
    # a truncated body shows in the file size: the entry is removed
    (path,) = _files(tmp_path)
    path.write_bytes(path.read_bytes()[:-1])
    assert cache.packument_header(REGISTRY, "left-pad") is None
    assert _files(tmp_path) == []


def test_packument_digest_is_kept_per_revision(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_packument_digest(REGISTRY, "left-pad", b"digest-1", revision="r1", full=True)
    assert cache.get_packument_digest(REGISTRY, "left-pad", revision="r1", full=True) == b"digest-1"
    assert cache.get_packument_digest(REGISTRY, "left-pad", revision="r2", full=True) is None  # stale
    assert cache.get_packument_digest(REGISTRY, "left-pad", revision="r1") is None  # other variant
    assert len(_files(tmp_path)) == 1  # a stale digest is left for the next put to replace
    (path,) = _files(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"digest-1", b"digest-2"))
    assert cache.get_packument_digest(REGISTRY, "left-pad", revision="r1", full=True) is None
    assert _files(tmp_path) == []  # damaged: removed


def test_a_revalidation_restarts_freshness_for_that_revision_only(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    fetched = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    revision = cache.put_packument(REGISTRY, "x", b"{}", etag='"e"', fetched=fetched)
    checked = fetched + timedelta(hours=3)
    cache.mark_packument_checked(REGISTRY, "x", revision=revision, when=checked)
    header = cache.packument_header(REGISTRY, "x")
    assert header is not None and header.fetched == checked
    later = fetched + timedelta(hours=1)
    cache.put_packument(REGISTRY, "x", b'{"a":1}', etag='"f"', fetched=later)
    header = cache.packument_header(REGISTRY, "x")
    assert header is not None and header.fetched == later
    cache.discard_packument(REGISTRY, "x")
    assert _files(tmp_path) == []


def test_packument_entry_keeps_no_registry_credentials(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_packument("https://user:s3cret@registry.example/", "x", b"{}", etag=None)
    (path,) = _files(tmp_path)
    assert b"s3cret" not in path.read_bytes()
    assert cache.get_packument("https://user:s3cret@registry.example/", "x") is not None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: b"",
        lambda raw: b"garbage",
        lambda raw: raw[:-3],
        lambda raw: raw + b"x",
        lambda raw: raw.replace(b'"etag"', b'"etog"'),
    ],
)
def test_corrupt_packument_is_a_miss_and_removed(tmp_path: Path, mangle: Callable[[bytes], bytes]) -> None:
    cache = Cache(tmp_path)
    cache.put_packument(REGISTRY, "left-pad", b'{"name":"left-pad"}', etag='"abc"')
    (path,) = _files(tmp_path)
    path.write_bytes(mangle(path.read_bytes()))
    assert cache.get_packument(REGISTRY, "left-pad") is None
    assert not path.exists()


def test_uncreatable_root_is_an_operational_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OperationalError) as caught:
        Cache(blocker / "cache")
    assert "AIRLOCK_CACHE_DIR" in (caught.value.hint or "")
    with pytest.raises(OperationalError) as caught:
        Cache(blocker)
    assert "AIRLOCK_CACHE_DIR" in (caught.value.hint or "")


def test_root_removed_meanwhile_is_recreated(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    cache = Cache(root)
    root.rmdir()
    cache.put_tarball(DIGEST, DATA)
    assert cache.get_tarball(DIGEST) == DATA


def test_writes_stay_under_root_and_leave_no_temp_files(tmp_path: Path) -> None:
    root = tmp_path / "inner" / "cache"
    cache = Cache(root)
    cache.put_tarball(DIGEST, DATA)
    cache.put_packument(REGISTRY, "../../escape", b"{}", etag=None)
    cache.put_packument(REGISTRY, "@scope/name", b"{}", etag=None, full=True)
    files = _files(tmp_path)
    assert len(files) == 3
    assert all(root in f.parents for f in files)
    assert not any(f.name.startswith(".tmp-") for f in files)


def test_a_download_abandoned_by_an_exit_is_swept_when_the_tarball_is_fetched_again(tmp_path: Path) -> None:
    # Ctrl-C ends the process without unwinding its fetch threads, so a download cut short stays a temp file.
    root = tmp_path / "cache"
    cache = Cache(root)
    shard = root / "tarballs" / "sha512" / DIGEST.hex[:2]
    shard.mkdir(parents=True)
    abandoned = shard / f".{DIGEST.hex}.abandoned"
    abandoned.write_bytes(b"the first half")
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
    os.utime(abandoned, (an_hour_ago, an_hour_ago))
    in_progress = shard / f".{DIGEST.hex}.another-process"  # being written right now: left alone
    in_progress.write_bytes(b"the first half")
    writer = cache.tarball_writer(DIGEST)
    writer.write(DATA)
    writer.commit("pkg@1.0.0")
    assert _files(root) == sorted([in_progress, shard / DIGEST.hex])


def test_concurrent_writers(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    blobs = [os.urandom(1000) for _ in range(8)]

    def work(i: int) -> None:
        data = blobs[i % len(blobs)]
        cache.put_tarball(compute(data), data)
        assert cache.get_tarball(compute(data)) == data

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(64)))
    assert len(_files(tmp_path)) == len(blobs)


def test_unwritable_target_is_an_operational_error(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    # A directory where the entry should go makes os.replace fail, even for root.
    target = tmp_path / "tarballs" / "sha512" / DIGEST.hex[:2] / DIGEST.hex
    (target / "sub").mkdir(parents=True)
    with pytest.raises(OperationalError) as caught:
        cache.put_tarball(DIGEST, DATA)
    assert caught.value.hint
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".tmp-")]
