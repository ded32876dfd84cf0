"""Subresource-integrity strings (`sha512-<base64>`) and npm's legacy sha1 `shasum`: parse, compute, verify.

Verification happens before a single byte of a tarball is parsed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from airlock.errors import AirlockError, BadInputError
from airlock.exit import ExitCode

# Strongest first: when an SRI string lists several hashes, the strongest one we know decides.
_ALGORITHMS = ("sha512", "sha384", "sha256", "sha1")


class IntegrityError(AirlockError):
    """The bytes are not the bytes the registry (or lockfile) promised."""

    exit_code = ExitCode.ACTION

    def __init__(self, subject: str, expected: str, actual: str) -> None:
        super().__init__(
            f"integrity mismatch for {subject}: expected {expected}, got {actual}",
            hint="the tarball was altered in transit, in a mirror or in the cache; do not install it. "
            "Retry with a cleared cache (`airlock cache clear`) and report it to the registry if it persists.",
        )
        self.subject = subject
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True, slots=True)
class Digest:
    algorithm: str
    value: bytes

    def sri(self) -> str:
        return f"{self.algorithm}-{base64.b64encode(self.value).decode('ascii')}"

    @property
    def hex(self) -> str:
        return self.value.hex()


def parse_sri(sri: str) -> Digest:
    """The strongest digest in an SRI string (which may list several, space-separated, with `?opts`)."""
    candidates: dict[str, bytes] = {}
    for token in sri.split():
        algorithm, sep, rest = token.partition("-")
        if not sep or algorithm not in _ALGORITHMS:
            continue
        b64 = rest.split("?", 1)[0]
        try:
            value = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(value) != hashlib.new(algorithm).digest_size:
            continue
        candidates.setdefault(algorithm, value)
    for algorithm in _ALGORITHMS:
        if algorithm in candidates:
            return Digest(algorithm, candidates[algorithm])
    raise BadInputError(
        f"not a usable integrity string: {sri[:100]!r}",
        hint="expected e.g. 'sha512-<base64>' (Subresource Integrity)",
    )


def from_shasum(shasum: str) -> Digest:
    """npm's legacy `dist.shasum` (hex sha1)."""
    try:
        value = bytes.fromhex(shasum.strip())
    except ValueError:
        raise BadInputError(f"not a sha1 hex digest: {shasum[:60]!r}") from None
    if len(value) != 20:
        raise BadInputError(f"not a sha1 hex digest: {shasum[:60]!r}")
    return Digest("sha1", value)


def compute(data: bytes, algorithm: str = "sha512") -> Digest:
    return Digest(algorithm, hashlib.new(algorithm, data).digest())


def sri_of(data: bytes) -> str:
    """The sha512 SRI string of `data` (what npm writes into lockfiles)."""
    return compute(data).sri()


def verify(data: bytes, expected: Digest, *, subject: str) -> None:
    """Raise `IntegrityError` naming both digests unless `data` hashes to `expected`."""
    actual = compute(data, expected.algorithm)
    if actual.value != expected.value:
        raise IntegrityError(subject, expected.sri(), actual.sri())
