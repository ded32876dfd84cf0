"""The safe archive reader: npm's reading of tarballs, hostile members as findings, caps, malformed input.

Archives are built here from source text (with `tarfile`, or block by block where a case needs a header no
well-behaved writer produces); nothing binary is committed. Every test runs in an empty working directory
and asserts, through the autouse `nothing_written` fixture, that reading wrote nothing there or in $HOME.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import posixpath
import random
import struct
import subprocess
import tarfile
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airlock.analysis.rules import Rule
from airlock.analysis.rules import tarball as rules
from airlock.contents import read_directory, read_tarball
from airlock.errors import BadInputError, UsageError
from airlock.model import Finding, PackageContents
from airlock.tarball import DEFAULT_LIMITS, TarLimits
from tests.conftest import NodeTools
from tests.fakes.tarballs import build_package, build_tarball

MiB = 2**20
SMALL = TarLimits(
    max_members=50,
    max_total_bytes=MiB,
    max_member_bytes=64 * 1024,
    max_ratio=150.0,
    bomb_floor_bytes=64 * 1024,
)
GOOD = b"module.exports = 42;\n"


# --------------------------------------------------------------------------------------------------
# Fixtures and builders


def _listing(root: Path) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            full = Path(dirpath, name)
            out.append((str(full.relative_to(root)), full.lstat().st_mtime_ns))
    return sorted(out)


@pytest.fixture(autouse=True)
def nothing_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Reading must never write: the working directory and $HOME look the same before and after."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    home = Path(os.environ["HOME"])
    before = (_listing(cwd), _listing(home))
    yield
    assert (_listing(cwd), _listing(home)) == before


Member = tuple[tarfile.TarInfo, bytes | None]


def info(
    name: str, data: bytes = b"", *, kind: bytes = tarfile.REGTYPE, link: str = "", mode: int = 0o644
) -> Member:
    member = tarfile.TarInfo(name)
    member.type = kind
    member.linkname = link
    member.mode = mode
    member.mtime = 499162500
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        member.devmajor, member.devminor = 1, 3
    if kind == tarfile.REGTYPE:
        member.size = len(data)
        return member, data
    return member, None


def make_tar(members: Sequence[Member], *, fmt: int = tarfile.PAX_FORMAT, errors: str = "strict") -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt, errors=errors) as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    return raw.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def block(
    name: bytes,
    *,
    size: int = 0,
    kind: bytes = b"0",
    link: bytes = b"",
    mode: int = 0o644,
    magic: bytes = b"ustar\x0000",
    prefix: bytes = b"",
    size_field: bytes | None = None,
    checksum: bytes | None = None,
) -> bytes:
    """One hand-made tar header, for headers no well-behaved writer produces."""
    b = bytearray(512)
    b[0 : len(name)] = name
    b[100:108] = b"%07o\0" % mode
    b[108:116] = b"0000000\0"
    b[116:124] = b"0000000\0"
    b[124:136] = size_field if size_field is not None else b"%011o\0" % size
    b[136:148] = b"%011o\0" % 499162500
    b[156:157] = kind
    b[157 : 157 + len(link)] = link
    b[257:265] = magic
    b[345 : 345 + len(prefix)] = prefix
    b[148:156] = b" " * 8
    b[148:156] = checksum if checksum is not None else b"%06o\0 " % sum(b)
    return bytes(b)


def body(data: bytes) -> bytes:
    return data + bytes(-len(data) % 512)


def pax(records: dict[str, str]) -> bytes:
    text = b""
    for key, value in records.items():
        rec = f" {key}={value}\n".encode()
        n = len(rec) + len(str(len(rec)))
        n = len(rec) + len(str(n))
        text += str(n).encode() + rec
    return block(b"PaxHeader/x", size=len(text), kind=b"x") + body(text)


END = bytes(1024)


def regular(name: str, data: bytes = GOOD) -> bytes:
    return block(name.encode(), size=len(data)) + body(data)


def paths(contents: PackageContents) -> list[str]:
    return [f.path for f in contents.files]


def only(contents: PackageContents, rule_id: str) -> Finding:
    assert [f.rule for f in contents.findings] == [rule_id], contents.findings
    return contents.findings[0]


def where(finding: Finding) -> str:
    assert finding.location is not None
    return finding.location.file


def data_of(contents: PackageContents, path: str) -> bytes:
    file = contents.file(path)
    assert file is not None, paths(contents)
    return file.data


def read(data: bytes, limits: TarLimits = DEFAULT_LIMITS) -> PackageContents:
    return read_tarball(data, subject="crafted@1.0.0", limits=limits)


def bad_input(data: bytes, limits: TarLimits = DEFAULT_LIMITS) -> str:
    with pytest.raises(BadInputError) as raised:
        read(data, limits)
    assert "crafted@1.0.0" in raised.value.message
    assert raised.value.hint
    return raised.value.message


# --------------------------------------------------------------------------------------------------
# What npm installs


def test_reads_an_npm_pack_layout() -> None:
    contents = read(
        build_package("left-pad", "1.3.0", {"index.js": GOOD, "bin/cli.js": "#!/usr/bin/env node\n"})
    )
    assert paths(contents) == ["package.json", "index.js", "bin/cli.js"]
    assert contents.findings == () and contents.skipped == ()
    assert data_of(contents, "index.js") == GOOD
    assert [f.executable for f in contents.files] == [False, False, True]


def test_plain_tar_is_read_too() -> None:
    contents = read(make_tar([info("package/index.js", GOOD), info("package/lib/a.js", b"a")]))
    assert paths(contents) == ["index.js", "lib/a.js"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("node-v1.2.3/index.js", "index.js"),  # GitHub-style archives: any first component is stripped
        ("package/./lib//a.js", "lib/a.js"),
        ("./package/index.js", "package/index.js"),  # npm strips `.`, exactly one component
        ("package/lib\\a.js", "lib\\a.js"),  # a backslash is a file-name character on POSIX
    ],
)
def test_first_component_is_stripped_whatever_it_is(name: str, expected: str) -> None:
    contents = read(make_tar([info(name, GOOD)]))
    assert paths(contents) == [expected] and contents.findings == ()


def test_directories_and_top_level_files_are_not_package_files() -> None:
    members = [info("package", kind=tarfile.DIRTYPE), info("README", b"x"), info("package/a.js", GOOD)]
    assert paths(read(make_tar(members))) == ["a.js"]


def test_duplicate_paths_last_one_wins() -> None:
    contents = read(
        make_tar([info("package/a.js", b"first"), info("package/b.js"), info("package/a.js", b"last")])
    )
    assert paths(contents) == ["b.js", "a.js"]
    assert data_of(contents, "a.js") == b"last"


def test_long_names_in_pax_gnu_and_ustar_formats() -> None:
    deep = "package/" + "/".join(["d" * 60] * 5) + "/index.js"
    for fmt in (tarfile.PAX_FORMAT, tarfile.GNU_FORMAT):
        assert paths(read(make_tar([info(deep, GOOD)], fmt=fmt))) == [deep.removeprefix("package/")]
    split = "package/" + "/".join(["d" * 60] * 2) + "/index.js"  # ustar: prefix and name fields
    assert paths(read(make_tar([info(split, GOOD)], fmt=tarfile.USTAR_FORMAT))) == [
        split.removeprefix("package/")
    ]


def test_non_utf8_names_are_decoded_with_replacement() -> None:
    data = make_tar([info("package/caf\udce9.js", GOOD)], fmt=tarfile.GNU_FORMAT, errors="surrogateescape")
    assert b"caf\xe9.js" in data
    assert paths(read(data)) == ["caf\ufffd.js"]


def test_executable_is_any_x_bit() -> None:
    members = [info("package/a", mode=0o644), info("package/b", mode=0o744), info("package/c", mode=0o601)]
    assert [f.executable for f in read(make_tar(members)).files] == [False, True, True]


def test_output_is_picklable_and_deterministic() -> None:
    data = make_tar([info("package/a.js", GOOD), info("/etc/passwd", b"x")])
    first, second = read(data), read(data)
    assert first == second
    assert pickle.loads(pickle.dumps(first)) == first


# --------------------------------------------------------------------------------------------------
# Hostile members: a finding each, not read, good members alongside still read


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("/etc/passwd", rules.ABSOLUTE_PATH),
        ("package//etc/profile.d/x.sh", rules.ABSOLUTE_PATH),
        ("C:\\Users\\x\\.bashrc", rules.ABSOLUTE_PATH),
        ("package/C:/Windows/x.dll", rules.ABSOLUTE_PATH),
        ("\\\\server\\share\\x", rules.ABSOLUTE_PATH),
        ("package/../../.bashrc", rules.PATH_TRAVERSAL),
        ("../x.js", rules.PATH_TRAVERSAL),
        ("package/lib/..\\..\\..\\x.js", rules.PATH_TRAVERSAL),
        ("package/.../x.js", rules.PATH_TRAVERSAL),  # Windows trims trailing dots: `...` is `..`
    ],
)
def test_hostile_paths(name: str, rule: Rule) -> None:
    contents = read(gz(make_tar([info("package/index.js", GOOD), info(name, b"evil")])))
    assert where(only(contents, rule.id)) == name
    assert paths(contents) == ["index.js"]
    assert all(f.data != b"evil" for f in contents.files)


@pytest.mark.parametrize(
    ("kind", "name", "target"),
    [
        (tarfile.SYMTYPE, "package/key", "../../.ssh/id_rsa"),
        (tarfile.SYMTYPE, "package/lib/deep/x", "../../../x"),
        (tarfile.SYMTYPE, "package/passwd", "/etc/passwd"),
        (tarfile.SYMTYPE, "package/win", "..\\..\\x"),
        (tarfile.SYMTYPE, "package/drive", "C:\\Windows"),
        (tarfile.LNKTYPE, "package/h", "../../etc/passwd"),
        (tarfile.LNKTYPE, "package/h", "package/../../x"),
        (tarfile.LNKTYPE, "package/h", "/etc/shadow"),
    ],
)
def test_links_escaping_the_package(kind: bytes, name: str, target: str) -> None:
    contents = read(gz(make_tar([info(name, kind=kind, link=target), info("package/index.js", GOOD)])))
    finding = only(contents, rules.LINK_ESCAPE.id)
    assert where(finding) == name
    assert finding.location is not None and target in (finding.location.snippet or "")
    assert paths(contents) == ["index.js"]


def test_links_inside_the_package_are_dropped_silently_like_pacote() -> None:
    members = [
        info("package/index.js", GOOD),
        info("package/lib/alias.js", kind=tarfile.SYMTYPE, link="../index.js"),
        info("package/copy.js", kind=tarfile.LNKTYPE, link="package/index.js"),
    ]
    contents = read(make_tar(members))
    assert paths(contents) == ["index.js"] and contents.findings == ()


@pytest.mark.parametrize(
    ("kind", "what"),
    [(tarfile.CHRTYPE, "character device"), (tarfile.BLKTYPE, "block device"), (tarfile.FIFOTYPE, "FIFO")],
)
def test_special_members(kind: bytes, what: str) -> None:
    contents = read(gz(make_tar([info("package/dev", kind=kind), info("package/index.js", GOOD)])))
    finding = only(contents, rules.SPECIAL_MEMBER.id)
    assert what in finding.message
    assert paths(contents) == ["index.js"]


def test_unsupported_member_types_are_special_and_skipped_with_their_body() -> None:
    data = block(b"package/sparse", size=5, kind=b"S") + body(b"evil!") + regular("package/index.js") + END
    contents = read(data)
    assert where(only(contents, rules.SPECIAL_MEMBER.id)) == "package/sparse"
    assert paths(contents) == ["index.js"]


def test_too_many_members_stops_reading() -> None:
    members = [info(f"package/{i}.js", GOOD) for i in range(5)]
    contents = read(gz(make_tar(members)), TarLimits(max_members=3))
    assert where(only(contents, rules.TOO_MANY_MEMBERS.id)) == "package/3.js"
    assert paths(contents) == ["0.js", "1.js", "2.js"]
    assert contents.skipped and "not fully read" in contents.skipped[0].reason


def test_total_size_cap_stops_reading() -> None:
    members = [info(f"package/{i}.bin", os.urandom(40_000)) for i in range(4)]
    contents = read(gz(make_tar(members)), TarLimits(max_total_bytes=100_000))
    only(contents, rules.TOO_LARGE.id)
    assert paths(contents) == ["0.bin", "1.bin"]
    assert contents.skipped and "not fully read" in contents.skipped[0].reason


def test_member_size_cap_skips_that_member_only() -> None:
    members = [info("package/big.bin", bytes(5000)), info("package/index.js", GOOD)]
    contents = read(gz(make_tar(members)), TarLimits(max_member_bytes=4096))
    assert where(only(contents, rules.TOO_LARGE.id)) == "package/big.bin"
    assert paths(contents) == ["index.js"]
    assert [(s.file, "cap" in s.reason) for s in contents.skipped] == [("big.bin", True)]


def _zero_bomb(total: int) -> bytes:
    """A valid gzip of `package/index.js` then a `total`-byte member of zeros, built in ~1 MiB of memory:
    after a full flush deflate restarts, so one compressed MiB of zeros repeats byte for byte."""
    zeros = bytes(MiB)
    head = regular("package/index.js") + block(b"package/bomb.bin", size=total)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    chunk = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.compress(END) + deflate.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(total // MiB):
        crc = zlib.crc32(zeros, crc)
    crc = zlib.crc32(END, crc)
    size = len(head) + total + len(END)
    gzip_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"
    return gzip_header + start + chunk * (total // MiB) + tail + struct.pack("<II", crc, size % 2**32)


def test_gzip_bomb_is_caught_in_bounded_memory_and_time() -> None:
    bomb = _zero_bomb(200 * MiB)
    assert len(bomb) < 300_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        contents = read(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert where(only(contents, rules.COMPRESSION_BOMB.id)) == "package/bomb.bin"
    assert paths(contents) == ["index.js"]
    assert peak < 3 * DEFAULT_LIMITS.bomb_floor_bytes, peak
    assert elapsed < 5, elapsed


def test_the_bomb_builder_makes_a_valid_gzip() -> None:
    small = _zero_bomb(2 * MiB)
    assert paths(read(small)) == ["index.js", "bomb.bin"]  # below the floor: not a bomb, just zeros


def test_compressible_files_below_the_floor_are_fine() -> None:
    contents = read(gz(make_tar([info("package/zeros.bin", bytes(4 * MiB))])))
    assert contents.findings == () and contents.file("zeros.bin") is not None


def test_bomb_after_the_end_of_the_tar_data() -> None:
    # npm inflates the whole gzip stream, so zeros past the tar's end marker are still a bomb; the
    # incompressible member keeps the ratio low until then (a low cap keeps the test small).
    data = gz(make_tar([info("package/index.js", os.urandom(300_000))]) + bytes(4 * MiB))
    contents = read(data, TarLimits(max_ratio=5, bomb_floor_bytes=64 * 1024))
    finding = only(contents, rules.COMPRESSION_BOMB.id)
    assert "after the end of the tar data" in finding.message
    assert paths(contents) == ["index.js"]


def test_findings_are_capped_per_rule() -> None:
    members = [info(f"/abs/{i}", b"") for i in range(130)] + [info("package/index.js", GOOD)]
    contents = read(make_tar(members), TarLimits())
    assert len(contents.findings) == 101
    assert "30 more members" in contents.findings[-1].message
    assert paths(contents) == ["index.js"]


def test_member_names_in_evidence_are_escaped_and_clipped() -> None:
    name = "/" + "\x1b[31m\n" + "x" * 400
    finding = only(read(make_tar([info(name, b"")], fmt=tarfile.GNU_FORMAT)), rules.ABSOLUTE_PATH.id)
    assert finding.location is not None
    shown = finding.location.file
    assert len(shown) <= 200 and "\n" not in shown and "\x1b" not in shown and shown.endswith("…")
    assert len(finding.location.snippet or "") <= 160


# --------------------------------------------------------------------------------------------------
# Reading like node-tar, where tarfile reads differently


def test_a_single_null_block_does_not_end_the_archive() -> None:
    # tarfile stops at the first zero block; node-tar (npm) needs two and installs what follows.
    data = regular("package/a.js") + bytes(512) + regular("package/hidden.js", b"payload") + END
    assert paths(read(data)) == ["a.js", "hidden.js"]


def test_data_after_the_end_marker_is_ignored() -> None:
    data = regular("package/a.js") + END + regular("package/after.js") + END
    assert paths(read(data)) == ["a.js"]


def test_link_bodies_are_skipped_like_node_tar() -> None:
    # node-tar gives a symlink `size` bytes of body; tarfile would parse them as the next header.
    decoy = regular("package/decoy.js", b"decoy")
    data = block(b"package/l", kind=b"2", link=b"index.js", size=len(decoy)) + decoy
    data += regular("package/index.js") + END
    contents = read(data)
    assert paths(contents) == ["index.js"] and contents.findings == ()


def test_ustar_prefix_applies_only_to_posix_ustar_headers() -> None:
    posix = block(b"lib/a.js", size=len(GOOD), prefix=b"package") + body(GOOD)
    gnu = block(b"package/b.js", size=len(GOOD), prefix=b"evil", magic=b"ustar  \x00") + body(GOOD)
    assert paths(read(posix + gnu + END)) == ["lib/a.js", "b.js"]


@pytest.mark.parametrize(
    "name",
    [
        b"package/a\0junk\n.js",  # node-tar: "package/a\n.js\0\0\0..."; tarfile: "package/a"
        b"package/a\0junk\n" + b"x" * 82 + b".js",  # fills the field: node-tar "package/a\nxx...js"
    ],
)
def test_names_read_differently_after_a_nul_are_ambiguous(name: bytes) -> None:
    # node-tar's replace(/\0.*/, '') stops at a line terminator and keeps what follows; C readers do not.
    data = block(name, size=len(GOOD)) + body(GOOD) + regular("package/b.js") + END
    contents = read(data)
    assert where(only(contents, rules.AMBIGUOUS_NAME.id)).startswith("package/a\\n")
    assert paths(contents) == ["b.js"]


def test_gnu_long_names_read_differently_after_a_nul_are_ambiguous() -> None:
    long = b"package/" + b"x" * 120 + b"\0junk\n.js"
    data = block(b"././@LongLink", size=len(long), kind=b"L") + body(long)
    data += block(b"package/short", size=len(GOOD)) + body(GOOD) + END
    assert where(only(read(data), rules.AMBIGUOUS_NAME.id)).startswith("package/xxx")


def test_pax_path_and_size_override_the_header() -> None:
    long = "package/" + "x" * 150 + ".js"
    data = pax({"path": long, "size": str(len(GOOD))}) + block(b"ignored", size_field=b"\0" * 12) + body(GOOD)
    assert paths(read(data + END)) == [long.removeprefix("package/")]


def test_global_pax_size_applies_to_every_later_member() -> None:
    text = b"10 size=5\n"
    data = block(b"g", size=len(text), kind=b"g") + body(text) + block(b"package/a", size_field=b"\0" * 12)
    assert data_of(read(data + body(b"abcde") + END), "a") == b"abcde"


def test_base256_sizes_are_read() -> None:
    size = b"\x80" + len(GOOD).to_bytes(11, "big")
    assert paths(read(block(b"package/a.js", size_field=size) + body(GOOD) + END)) == ["a.js"]


def test_regular_member_with_trailing_slash_is_a_directory() -> None:
    data = block(b"package/dir/", size=0) + regular("package/dir/a.js") + END
    assert paths(read(data)) == ["dir/a.js"]


def test_concatenated_gzip_members_are_one_stream() -> None:
    tar = make_tar([info("package/a.js", GOOD), info("package/b.js", GOOD)])
    assert paths(read(gz(tar[:1024]) + gz(tar[1024:]))) == ["a.js", "b.js"]


def test_trailing_zero_padding_after_gzip_is_fine() -> None:
    assert paths(read(gz(make_tar([info("package/a.js", GOOD)])) + bytes(100))) == ["a.js"]


# --------------------------------------------------------------------------------------------------
# Malformed input: a clear BadInputError, never a raw zlib/tarfile error, never a hang


def test_truncated_gzip() -> None:
    data = build_tarball({"index.js": GOOD * 200, "b.js": os.urandom(3000).hex()})
    assert "truncated gzip stream" in bad_input(data[: len(data) // 2])


def test_gzip_missing_only_its_trailer() -> None:
    data = build_tarball({"index.js": GOOD})
    assert "truncated gzip stream" in bad_input(data[:-4])


def test_corrupt_gzip_data() -> None:
    data = bytearray(build_tarball({"index.js": os.urandom(2000).hex()}))
    data[-8] ^= 0xFF  # the CRC
    assert "corrupt gzip stream" in bad_input(bytes(data))


def test_trailing_garbage_after_gzip() -> None:
    assert "trailing garbage" in bad_input(build_tarball({"index.js": GOOD}) + b"GARBAGE")


def test_corrupt_tar_header_names_its_offset() -> None:
    data = bytearray(
        make_tar([info("package/a.js", GOOD), info("package/b.js", GOOD)], fmt=tarfile.GNU_FORMAT)
    )
    data[1024 + 10] ^= 0x01  # inside the second header's name
    message = bad_input(gz(bytes(data)))
    assert "corrupt tar header at offset 1024" in message


def test_bad_checksum_mid_archive_is_refused_not_resynchronised() -> None:
    data = (
        regular("package/a.js") + block(b"package/b.js", size=4, checksum=b"0000000\0") + body(b"evil") + END
    )
    assert "corrupt tar header at offset 1024 (checksum mismatch)" in bad_input(data)


def test_random_bytes() -> None:
    assert "not a gzip or tar archive" in bad_input(bytes(range(256)) * 8)


def test_gzip_of_random_bytes() -> None:
    assert "does not hold a tar archive" in bad_input(gz(bytes(range(256)) * 8))


def test_empty_inputs() -> None:
    assert "empty input" in bad_input(b"")
    assert "empty archive" in bad_input(gz(b""))
    assert "empty archive" in bad_input(END)
    assert "empty archive" in bad_input(gz(make_tar([])))


def test_truncated_tar_member() -> None:
    data = make_tar([info("package/a.js", GOOD * 100)])
    message = bad_input(data[:800])
    assert "truncated tar archive" in message and "package/a.js" in message


def test_truncated_tar_header() -> None:
    assert "truncated tar header at offset 1024" in bad_input(regular("package/a.js") + b"package/b.js")


def test_zstd_is_refused_clearly() -> None:
    assert "zstd" in bad_input(b"\x28\xb5\x2f\xfd" + bytes(100))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (block(b"", size=0) + END, "member without a name"),
        (block(b"package/l", kind=b"2") + END, "link without a target"),
        (block(b"package/a", link=b"x") + END, "link target on a non-link member"),
        (block(b"package/a", size_field=b"-1\0" + bytes(9)) + END, "negative size"),
        (block(b"package/a", size_field=b"\x81" + bytes(11)) + END, "invalid base-256"),
    ],
)
def test_headers_node_tar_would_skip_are_refused(data: bytes, reason: str) -> None:
    # node-tar skips such a block but not its body, then reads the body as headers: refuse, never guess.
    prefix = regular("package/ok.js")
    assert reason in bad_input(prefix + data)


@pytest.mark.parametrize(
    "records",
    [
        b"20 path=package/a\nb\n",  # newline inside a value: node-tar splits it, POSIX does not
        b"020 path=package/ab\n",  # leading zero in the length: node-tar reads a different key
        b"30 path=package/a\n",  # wrong length
        b"12 size=1x2\n",
        b"17 path=caf\xe9.js\n",  # not UTF-8
    ],
)
def test_pax_records_node_tar_would_read_differently_are_refused(records: bytes) -> None:
    data = block(b"PaxHeader", size=len(records), kind=b"x") + body(records) + regular("package/a.js") + END
    bad_input(data)


def test_oversized_extended_header_is_refused() -> None:
    size = 2 * MiB
    assert "extended header" in bad_input(block(b"L", size=size, kind=b"L") + bytes(size) + END)


SAMPLE = make_tar(
    [
        info("package/package.json", b'{"name": "x", "version": "1.0.0"}'),
        info("package/index.js", GOOD),
        info("package/" + "long/" * 30 + "x.js", GOOD),
        info("package/link", kind=tarfile.SYMTYPE, link="../out"),
    ]
)


def _must_read_or_refuse(data: bytes) -> None:
    try:
        contents = read(data, SMALL)
    except BadInputError as error:
        assert "crafted@1.0.0" in error.message
        return
    assert isinstance(contents, PackageContents)
    pickle.dumps(contents)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_read_or_refuse(data: bytes) -> None:
    _must_read_or_refuse(data)
    _must_read_or_refuse(gz(data))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 255)), max_size=8),
    st.integers(0, len(SAMPLE)),
    st.booleans(),
)
def test_mutated_archives_read_or_refuse(edits: list[tuple[int, int]], cut: int, compress: bool) -> None:
    data = bytearray(SAMPLE)
    for index, value in edits:
        data[index] = value
    mutated = bytes(data[:cut])
    if compress:
        mutated = gz(mutated)
    _must_read_or_refuse(mutated)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=4), st.integers(0, 4000))
def test_mutated_gzip_read_or_refuse(edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(gz(SAMPLE))
    for index, value in edits:
        if index < len(data):
            data[index] = value
    _must_read_or_refuse(bytes(data[:cut]))


# --------------------------------------------------------------------------------------------------
# Differential: whatever we accept, npm's own parser reads the same way


def _node_tar(npm: str) -> Path:
    tar_dir = Path(npm).resolve().parents[1] / "node_modules" / "tar"  # npm's bundled node-tar
    assert (tar_dir / "package.json").is_file(), f"npm at {npm} bundles no node-tar under {tar_dir}"
    return tar_dir


LISTER = Path(__file__).parent / "node_tar_list.js"


def _npm_installs(entries: list[dict[str, str]]) -> dict[str, bytes]:
    """The regular files npm writes for node-tar's entries: pacote keeps `*File` types (links dropped),
    node-tar's Unpack strips one component and skips `..`, escaping and NUL paths; the last one wins."""
    files: dict[str, bytes] = {}
    for entry in entries:
        name = entry["path"]
        if entry["type"] not in ("File", "OldFile", "ContiguousFile") or "\0" in name:
            continue
        parts = name.split("/")[1:]
        rel = posixpath.normpath("/".join(parts)) if parts else "."
        if ".." in parts or name.startswith("/") or rel.startswith(("/", "..")) or rel == ".":
            continue  # absolute and escaping names are findings on our side, never read
        files.pop(rel, None)
        files[rel] = bytes.fromhex(entry["data"])
    return files


def _differential_corpus() -> list[bytes]:
    fixed = [
        SAMPLE,
        make_tar(
            [info("package/a", b"x" * 3000), info("package/" + "y" * 150, b"z")], fmt=tarfile.GNU_FORMAT
        ),
        pax({"path": "package/" + "p" * 120, "size": "3"}) + block(b"q") + body(b"abc") + END,
        regular("package/a.js") + bytes(512) + regular("package/b.js", b"bb") + END,
        block(b"package/l", kind=b"2", link=b"x", size=600) + bytes(1024) + regular("package/c.js") + END,
        block(b"g", size=10, kind=b"g")
        + body(b"10 size=5\n")
        + block(b"package/a", size_field=bytes(12))
        + body(b"abcde")
        + regular("package/z")
        + END,
        block(b"././@LongLink", size=140, kind=b"L")
        + body(b"package/" + b"w" * 132)
        + regular("package/s")
        + END,
        block(b"lib/a.js", size=3, prefix=b"package")
        + body(b"abc")
        + block(b"package/d/")
        + regular("package/d/e")
        + END,
    ]
    rng = random.Random(20261124)
    corpus = list(fixed) + [gz(data) for data in fixed]
    fields = [(0, 100), (100, 108), (124, 136), (148, 160), (156, 157), (157, 257), (257, 265), (345, 500)]
    for _ in range(600):
        data = bytearray(rng.choice(fixed))
        for _ in range(rng.randint(1, 4)):
            start, end = rng.choice(fields)
            index = min(len(data) - 1, rng.randrange(len(data) // 512) * 512 + rng.randrange(start, end))
            data[index] = rng.choice(
                [0, 10, 32, 45, 46, 47, 48, 49, 55, 56, 0x80, 0xFF, 103, 76, 83, rng.randrange(256)]
            )
        cut = bytes(data[: rng.randint(0, len(data))]) if rng.random() < 0.2 else bytes(data)
        corpus.append(gz(cut) if rng.random() < 0.3 else cut)
    # A path written twice (after `strip: 1`): npm keeps the last copy, and so must we.
    corpus.append(make_tar([info("package/a.js", b"first"), info("other/a.js", b"last")]))
    return corpus


@pytest.mark.requires_node
def test_every_archive_we_accept_reads_the_same_in_npms_own_parser(node: NodeTools) -> None:
    tar_dir = _node_tar(node.npm)
    corpus = _differential_corpus()
    stdin = b"".join(struct.pack(">I", len(data)) + data for data in corpus)
    listing = subprocess.run(
        [node.node, str(LISTER), str(tar_dir)], input=stdin, capture_output=True, timeout=120, check=True
    )
    results = json.loads(listing.stdout)
    assert len(results) == len(corpus)
    compared = 0
    for data, result in zip(corpus, results, strict=True):
        try:
            contents = read(data)
        except BadInputError:
            continue  # refusing is always safe
        theirs = _npm_installs(result["entries"])
        ours = {f.path: f.data for f in contents.files}
        if contents.findings:  # hostile members are not read; what we did read must match
            assert all(theirs.get(path) == body for path, body in ours.items()), data.hex()
        else:
            assert ours == theirs, data.hex()
        compared += 1
    assert compared >= 150


# --------------------------------------------------------------------------------------------------
# Directories


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    (root / "lib").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (root / "index.js").write_bytes(GOOD)
    (root / "lib" / "a.js").write_text("a")
    (root / "bin").mkdir()
    (root / "bin" / "cli").write_text("#!/bin/sh\n")
    (root / "bin" / "cli").chmod(0o755)
    for excluded in ("node_modules/dep", ".git", "lib/node_modules/x"):
        (root / excluded).mkdir(parents=True)
        (root / excluded / "evil.js").write_text("evil")
    return root


def test_directory_reads_regular_files_sorted_without_node_modules_or_git(pkg: Path) -> None:
    contents = read_directory(pkg)
    assert paths(contents) == ["bin/cli", "index.js", "lib/a.js", "package.json"]
    assert [f.executable for f in contents.files] == [True, False, False, False]
    assert contents.findings == () and contents.skipped == ()


def test_directory_symlink_inside_is_followed_once(pkg: Path) -> None:
    (pkg / "alias.js").symlink_to("lib/a.js")
    (pkg / "libdir").symlink_to("lib")  # a link to a directory is not descended into
    contents = read_directory(pkg)
    assert data_of(contents, "alias.js") == b"a"
    assert not any(p.startswith("libdir") for p in paths(contents))
    assert contents.findings == ()


def test_directory_symlink_outside_is_a_finding_and_not_followed(pkg: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("token")
    (pkg / "lib" / "key").symlink_to(secret)
    (pkg / "up").symlink_to("..")
    contents = read_directory(pkg)
    assert sorted((f.rule, where(f)) for f in contents.findings) == [
        (rules.LINK_ESCAPE.id, "lib/key"),
        (rules.LINK_ESCAPE.id, "up"),
    ]
    assert all(f.data != b"token" for f in contents.files)
    assert "lib/a.js" in paths(contents)


def test_directory_fifo_is_a_finding_and_never_opened(pkg: Path) -> None:
    os.mkfifo(pkg / "pipe")
    (pkg / "pipe-link").symlink_to("pipe")
    contents = read_directory(pkg)  # opening the FIFO would block forever
    assert [(f.rule, where(f)) for f in contents.findings] == [
        (rules.SPECIAL_MEMBER.id, "pipe"),
        (rules.SPECIAL_MEMBER.id, "pipe-link"),
    ]
    assert "FIFO" in contents.findings[0].message
    assert "index.js" in paths(contents)


def test_directory_dangling_symlink_is_skipped(pkg: Path) -> None:
    (pkg / "gone.js").symlink_to("nowhere.js")
    contents = read_directory(pkg)
    assert [(s.file, s.reason) for s in contents.skipped] == [("gone.js", "dangling symbolic link")]


def test_directory_symlink_loop_is_skipped(pkg: Path) -> None:
    (pkg / "loop").symlink_to("loop")
    contents = read_directory(pkg)
    assert [s.file for s in contents.skipped] == ["loop"]
    assert contents.skipped[0].reason.startswith("unresolvable symbolic link")


def test_directory_unreadable_file_is_skipped(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open: Callable[..., int] = os.open
    target = str(pkg / "lib" / "a.js")

    def guarded_open(path: str, flags: int, *args: int) -> int:
        if os.fspath(path) == target:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", guarded_open)
    contents = read_directory(pkg)
    assert [(s.file, s.reason) for s in contents.skipped] == [("lib/a.js", "cannot read: Permission denied")]
    assert "index.js" in paths(contents) and "lib/a.js" not in paths(contents)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_directory_unreadable_file_and_dir_for_real(pkg: Path) -> None:
    (pkg / "index.js").chmod(0)
    (pkg / "lib").chmod(0)
    try:
        contents = read_directory(pkg)
    finally:
        (pkg / "index.js").chmod(0o644)
        (pkg / "lib").chmod(0o755)
    assert {s.file for s in contents.skipped} == {"index.js", "lib"}


def test_directory_caps(pkg: Path) -> None:
    (pkg / "big.bin").write_bytes(bytes(5000))
    contents = read_directory(pkg, limits=TarLimits(max_member_bytes=4096))
    assert where(only(contents, rules.TOO_LARGE.id)) == "big.bin"
    assert "big.bin" not in paths(contents) and "index.js" in paths(contents)

    contents = read_directory(pkg, limits=TarLimits(max_members=2))
    only(contents, rules.TOO_MANY_MEMBERS.id)
    assert len(contents.files) == 2

    contents = read_directory(pkg, limits=TarLimits(max_total_bytes=1000))
    only(contents, rules.TOO_LARGE.id)
    assert "not fully read" in contents.skipped[-1].reason


def test_directory_errors_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as missing:
        read_directory(tmp_path / "nope")
    assert "no such directory" in missing.value.message and missing.value.hint
    afile = tmp_path / "file.tgz"
    afile.write_bytes(b"x")
    with pytest.raises(UsageError) as not_dir:
        read_directory(afile)
    assert "not a directory" in not_dir.value.message and not_dir.value.hint


def test_directory_output_is_picklable(pkg: Path) -> None:
    contents = read_directory(pkg)
    assert pickle.loads(pickle.dumps(contents)) == contents
    assert read_directory(pkg) == contents


def test_default_limits_leave_headroom_over_real_packages() -> None:
    # Measured with `npm pack` (see the module docstring): keep at least 2x over the largest seen.
    assert DEFAULT_LIMITS.max_members >= 2 * 89_814
    assert DEFAULT_LIMITS.max_total_bytes >= 2 * 486_309_376
    assert DEFAULT_LIMITS.max_member_bytes >= 2 * 107_394_952
    assert DEFAULT_LIMITS.max_ratio >= 5 * 29.6


def test_files_analysis_never_parses_keep_only_a_prefix() -> None:
    """Platform binaries and source maps are not parsed; holding only their first bytes keeps a worker's
    memory bounded (@next/swc-* ships 100+ MB .node files), and the executable check still sees the magic."""
    elf = b"\x7fELF" + b"\x00" * (300 * 1024)
    source_map = json.dumps({"version": 3, "mappings": "A" * 200_000})
    script = "module.exports = 1;\n" * 10_000
    data = build_tarball(
        {"bin/swc.linux-x64.node": elf, "dist/index.js.map": source_map, "dist/index.js": script}
    )
    files = {f.path: f for f in read_tarball(data, subject="t").files}
    binary = files["bin/swc.linux-x64.node"]
    assert binary.truncated and binary.size == len(elf) and binary.data == elf[: 64 * 1024]
    assert files["dist/index.js.map"].truncated
    assert not files["dist/index.js"].truncated and files["dist/index.js"].data == script.encode()
