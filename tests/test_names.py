"""Typosquat detection: techniques, and the rule that popular names never match themselves."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airlock.names import imitated

POPULAR = {
    "cross-env": 9_000_000,
    "lodash": 50_000_000,
    "express": 30_000_000,
    "@babel/core": 40_000_000,
    "react-dom": 20_000_000,
    "chalk": 60_000_000,
}


@pytest.mark.parametrize(
    ("name", "target", "technique"),
    [
        ("crossenv", "cross-env", "separator confusion"),
        ("cross_env", "cross-env", "separator confusion"),
        ("lodahs", "lodash", "transposed characters"),
        ("expres", "express", "one character missing"),
        ("expresss", "express", "one character added"),
        ("exprezs", "express", "one character changed"),
        ("babel-core", "@babel/core", "scope confusion"),
        ("@react/dom", "react-dom", "scope confusion"),
    ],
)
def test_imitations_are_named_with_their_technique(name: str, target: str, technique: str) -> None:
    found = imitated(name, POPULAR)
    assert found is not None
    assert (found.target, found.technique) == (target, technique)


@pytest.mark.parametrize("name", ["left-pad", "my-own-tool", "@types/lodash", "chalk-cli-x", "lod"])
def test_unrelated_names_are_not_imitations(name: str) -> None:
    assert imitated(name, POPULAR) is None


@given(st.sampled_from(sorted(POPULAR)))
def test_popular_names_never_imitate(name: str) -> None:
    assert imitated(name, POPULAR) is None
