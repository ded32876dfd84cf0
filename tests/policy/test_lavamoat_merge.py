"""airlock's override merge against LavaMoat's own `mergePolicy`, run by node on random policies.

LavaMoat's code is vendored under tests/policy/lavamoat (README.md there: commit and licence).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from airlock.policy.document import PolicyError, parse, to_data
from airlock.policy.merge import merge
from tests.conftest import NodeTools

VENDORED = Path(__file__).resolve().parent / "lavamoat"
RUNNER = """
const { mergePolicy } = require('./mergePolicy.js')
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'))
const results = cases.map(([policy, override]) => {
  try { return { resources: mergePolicy(policy, override).resources } } catch (e) { return { error: e.message } }
})
process.stdout.write(JSON.stringify(results))
"""
# Few paths, many shared prefixes: parents, children and siblings meet often.
PATHS = ("a", "a.b", "a.b.c", "a.c", "b", "b.x", "fs", "fs.readFile", "console", "console.log")


def _section(rng: random.Random, values: tuple[Any, ...]) -> dict[str, Any]:
    return {path: rng.choice(values) for path in rng.sample(PATHS, rng.randint(0, 5))}


def _policy(rng: random.Random) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for name in rng.sample(("p", "p>q", "r"), rng.randint(0, 3)):
        resource: dict[str, Any] = {}
        if rng.random() < 0.7:
            resource["globals"] = _section(rng, (True, True, False, "write"))
        if rng.random() < 0.6:
            resource["builtin"] = _section(rng, (True, True, False))
        if rng.random() < 0.4:
            resource["packages"] = _section(rng, (True, False))
        if rng.random() < 0.3:
            resource["native"] = rng.random() < 0.5
        resources[name] = resource
    return {"resources": resources}


def _lavamoat_merge(
    cases: list[tuple[dict[str, Any], dict[str, Any]]], tmp_path: Path, node: str
) -> list[Any]:
    shutil.copy(VENDORED / "mergePolicy.js", tmp_path / "mergePolicy.js")
    tofu = tmp_path / "node_modules" / "lavamoat-tofu" / "src"
    tofu.mkdir(parents=True)
    shutil.copy(VENDORED / "tofu-util.js", tofu / "util.js")
    (tmp_path / "run.js").write_text(RUNNER, encoding="utf-8")
    done = subprocess.run(
        [node, "run.js"],
        cwd=tmp_path,
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results: list[Any] = json.loads(done.stdout)
    return results


def _without_empty_sections(resources: dict[str, Any]) -> dict[str, Any]:
    # An empty section grants what no section grants; LavaMoat keeps `{}`, airlock does not write it.
    return {name: {k: v for k, v in entry.items() if v != {}} for name, entry in resources.items()}


@pytest.mark.requires_node
def test_merge_agrees_with_lavamoat_merge_policy(tmp_path: Path, node: NodeTools) -> None:
    rng = random.Random(12)
    cases = [(_policy(rng), _policy(rng)) for _ in range(2000)]
    theirs = _lavamoat_merge(cases, tmp_path, node.node)
    merged = errors = 0
    for (policy, override), expected in zip(cases, theirs, strict=True):
        try:
            ours = merge(parse({"version": 1, **policy}), parse({"version": 1, **override}))
        except PolicyError:
            assert "error" in expected, (policy, override, expected)
            errors += 1
            continue
        assert "error" not in expected, (policy, override, expected)
        assert to_data(ours)["resources"] == _without_empty_sections(expected["resources"]), (
            policy,
            override,
        )
        merged += 1
    # Both outcomes were exercised, not just one.
    assert merged > 500 and errors > 100
