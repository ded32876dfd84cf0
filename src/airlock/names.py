"""Package names that imitate popular ones: one edit away, transposed, separator or scope confusion.

Takes the popular list as data (name → monthly downloads) so callers and tests choose the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-._"
_SEPARATORS = re.compile(r"[-_.]")
MIN_LENGTH = 4


@dataclass(frozen=True, slots=True)
class Imitation:
    target: str
    technique: str


def imitated(name: str, popular: Mapping[str, int]) -> Imitation | None:
    """The popular package `name` imitates, if any. Popular names themselves imitate nothing."""
    if name in popular:
        return None
    scope, _, bare = name[1:].partition("/") if name.startswith("@") else ("", "", name)
    candidates: list[Imitation] = []
    if scope and scope != "types":
        # `@babel-core/x`-style scope confusion: the bare name or scope-name is itself a popular package.
        for joined in (f"{scope}-{bare}", f"{scope}{bare}"):
            if joined in popular:
                candidates.append(Imitation(joined, "scope confusion"))
    if not scope:
        for target in _scoped_equivalents(popular).get(_SEPARATORS.sub("", bare), ()):
            candidates.append(Imitation(target, "scope confusion"))
    if len(bare) >= MIN_LENGTH:
        normalised = _SEPARATORS.sub("", name)
        for target in _by_normalised(popular).get(normalised, ()):
            if target != name:
                candidates.append(Imitation(target, "separator confusion"))
        for variant, technique in _one_edit(name):
            if variant in popular and len(variant) >= MIN_LENGTH + 1:
                candidates.append(Imitation(variant, technique))
    if not candidates:
        return None
    return max(candidates, key=lambda c: popular.get(c.target, 0))


def _one_edit(name: str) -> Iterator[tuple[str, str]]:
    for i in range(len(name)):
        yield name[:i] + name[i + 1 :], "one character added"
        if i + 1 < len(name) and name[i] != name[i + 1]:
            yield name[:i] + name[i + 1] + name[i] + name[i + 2 :], "transposed characters"
        for c in _ALPHABET:
            if c != name[i]:
                yield name[:i] + c + name[i + 1 :], "one character changed"
    for i in range(len(name) + 1):
        for c in _ALPHABET:
            yield name[:i] + c + name[i:], "one character missing"


@cache
def _index(popular_items: tuple[tuple[str, int], ...]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    by_normalised: dict[str, list[str]] = {}
    scoped: dict[str, list[str]] = {}
    for name, _ in popular_items:
        by_normalised.setdefault(_SEPARATORS.sub("", name), []).append(name)
        if name.startswith("@") and "/" in name:
            scope, _, bare = name[1:].partition("/")
            scoped.setdefault(_SEPARATORS.sub("", scope + bare), []).append(name)
    return by_normalised, scoped


def _by_normalised(popular: Mapping[str, int]) -> dict[str, list[str]]:
    return _index(_key(popular))[0]


def _scoped_equivalents(popular: Mapping[str, int]) -> dict[str, list[str]]:
    return _index(_key(popular))[1]


_KEYS: dict[int, tuple[tuple[str, int], ...]] = {}


def _key(popular: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    # The shipped list is one long-lived dict: build its index once per process, not per call.
    cached = _KEYS.get(id(popular))
    if cached is None or len(cached) != len(popular):
        cached = tuple(popular.items())
        _KEYS[id(popular)] = cached
    return cached
