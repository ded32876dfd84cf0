"""The globals inventory against LavaMoat's own analysis of the same sources (tests/analysis/fixtures/globals,
whose README says how `expected.json` was produced by LavaMoat 11.1.4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airlock.analysis.capabilities import analyze_source
from airlock.analysis.capabilities.inventory import reduce_topmost
from airlock.analysis.js import dialect_for

FIXTURES = Path(__file__).parent / "fixtures" / "globals"
EXPECTED: dict[str, dict[str, str]] = json.loads((FIXTURES / "expected.json").read_text())
# Deliberate differences, each wider than LavaMoat (an extra grant never stops a package from running):
# Babel's findGlobals skips an identifier that is the key of an object property even when the key is
# computed (`{ [dynamicKey]: v }`), though the code reads it; airlock counts it.
WIDER = {"scopes.js": {"dynamicKey"}}


def lavamoat_package_view(found: dict[str, str]) -> tuple[set[str], set[str]]:
    """LavaMoat's keys and writes for a package made of this one module (generatePolicy's merge)."""
    keys = set(found) | {k.split(".", 1)[0] for k, use in found.items() if use == "write" and "." in k}
    reduced = set(reduce_topmost({k: () for k in keys}))
    return reduced, {k for k, use in found.items() if use == "write" and k in reduced}


def test_every_source_has_an_expectation() -> None:
    sources = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in {".js", ".mjs", ".cjs"})
    assert sources == sorted(EXPECTED)
    assert len(sources) >= 5


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_same_globals_as_lavamoat(name: str) -> None:
    path = FIXTURES / name
    dialect = dialect_for(name)
    assert dialect is not None
    result = analyze_source(name, path.read_bytes(), dialect)
    keys, writes = lavamoat_package_view(EXPECTED[name])
    assert set(result.all_globals) == keys | WIDER.get(name, set())
    assert set(result.global_writes) == writes
