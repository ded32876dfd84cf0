from __future__ import annotations

import contextlib
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airlock.errors import BadInputError
from airlock.integrity import IntegrityError, compute, from_shasum, parse_sri, sri_of, verify


def test_sri_round_trip() -> None:
    data = b"hello"
    sri = sri_of(data)
    assert sri.startswith("sha512-")
    verify(data, parse_sri(sri), subject="x")


def test_strongest_hash_wins_and_options_are_ignored() -> None:
    data = b"abc"
    sha1 = compute(data, "sha1").sri()
    sha512 = compute(data, "sha512").sri()
    assert parse_sri(f"{sha1} {sha512}?foo").algorithm == "sha512"


def test_shasum() -> None:
    data = b"abc"
    verify(data, from_shasum(hashlib.sha1(data).hexdigest()), subject="x")
    with pytest.raises(BadInputError):
        from_shasum("zz")


def test_mismatch_names_both_digests() -> None:
    expected = parse_sri(sri_of(b"good"))
    with pytest.raises(IntegrityError) as info:
        verify(b"evil", expected, subject="pkg@1.0.0")
    message = info.value.message
    assert sri_of(b"good") in message and sri_of(b"evil") in message
    assert info.value.exit_code == 1


@pytest.mark.parametrize("bad", ["", "md5-abc", "sha512-!!!", "sha512-AAAA", "nonsense"])
def test_unusable_sri(bad: str) -> None:
    with pytest.raises(BadInputError):
        parse_sri(bad)


@given(st.text(max_size=200))
def test_parse_sri_only_raises_bad_input(text: str) -> None:
    with contextlib.suppress(BadInputError):
        parse_sri(text)
