from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airlock.errors import UsageError
from airlock.targets import LocalDirectory, LocalTarball, RegistryTarget, RemoteTarball, parse_target


@pytest.mark.parametrize(
    ("raw", "name", "selector"),
    [
        ("left-pad", "left-pad", ""),
        ("left-pad@1.3.0", "left-pad", "1.3.0"),
        ("express@^4", "express", "^4"),
        ("express@>=4 <5", "express", ">=4 <5"),
        ("react@next", "react", "next"),
        ("@babel/core", "@babel/core", ""),
        ("@babel/core@7.x", "@babel/core", "7.x"),
        ("@types/node@latest", "@types/node", "latest"),
        ("JSONStream@1.3.5", "JSONStream", "1.3.5"),  # legacy capitals exist on the registry
    ],
)
def test_registry_targets(raw: str, name: str, selector: str) -> None:
    assert parse_target(raw) == RegistryTarget(raw, name, selector)


@pytest.mark.parametrize(
    ("raw", "kind", "path"),
    [
        ("./pkg.tgz", LocalTarball, "pkg.tgz"),
        ("/tmp/x-1.0.0.tgz", LocalTarball, "/tmp/x-1.0.0.tgz"),
        ("some.tar.gz", LocalTarball, "some.tar.gz"),
        ("./dir", LocalDirectory, "dir"),
        (".", LocalDirectory, "."),
        ("../sibling", LocalDirectory, "../sibling"),
        ("file:./vendor/pkg", LocalDirectory, "vendor/pkg"),
    ],
)
def test_local_targets(raw: str, kind: type, path: str) -> None:
    target = parse_target(raw)
    assert isinstance(target, kind)
    assert isinstance(target, LocalTarball | LocalDirectory)
    assert target.path == Path(path)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty target"),
        ("@scope", "scoped package name without '/'"),
        ("Bad Name", "not a valid npm package name: 'Bad Name'"),
        ("_private", "not a valid npm package name"),
        ("a" * 215, "not a valid npm package name"),
    ],
)
def test_bad_targets_say_why(raw: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_target(raw)
    assert message in info.value.message
    assert info.value.exit_code == 2


@given(st.text(max_size=60))
def test_parse_never_crashes(raw: str) -> None:
    with contextlib.suppress(UsageError):
        parse_target(raw)


def test_unknown_user_home_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no such user"):
        parse_target("~no-such-user-airlock/pkg.tgz")


@pytest.mark.parametrize("raw", ["~\x00", "./a\x00.tgz", "left-pad\x00"])
def test_a_nul_byte_is_a_usage_error(raw: str) -> None:
    with pytest.raises(UsageError, match="NUL byte"):
        parse_target(raw)


@pytest.mark.parametrize("raw", ["https://example.com/pkg-1.0.0.tgz", "http://127.0.0.1:8080/a/-/a-1.tgz"])
def test_a_url_is_a_remote_tarball(raw: str) -> None:
    assert parse_target(raw) == RemoteTarball(raw, raw)


@pytest.mark.parametrize("raw", ["https:///pkg.tgz", "https://[::1/pkg.tgz"])
def test_a_url_without_a_host_is_a_usage_error(raw: str) -> None:
    with pytest.raises(UsageError, match="not a tarball URL"):
        parse_target(raw)
