"""The step budget (counted in analysis steps, never seconds), the cuts it records, the `analysis-incomplete`
rule that keeps a partly analysed package from `allow`, and the one powerful-globals vocabulary."""

from __future__ import annotations

import pytest

from airlock.analysis import analyze
from airlock.analysis.capabilities import (
    CALL_ONLY_GLOBALS,
    DEFAULT_BUDGET,
    GLOBAL_CAPABILITIES,
    Budget,
    analyze_source,
)
from airlock.analysis.js import Dialect
from airlock.analysis.resolve import StepBudgetExhaustedError, Steps
from airlock.analysis.vocabulary import NETWORK_GLOBALS, POWERFUL_GLOBALS
from airlock.contents import read_tarball
from airlock.model import PackageAnalysis
from airlock.verdict import decide
from tests.analysis.determinism_items import PAYLOAD, plain_code, seed_dense
from tests.fakes.tarballs import build_package
from tests.incidents.corpus import nested_eval

DENSE = (seed_dense(400) + PAYLOAD).encode()


def package(files: dict[str, str | bytes], budget: Budget = DEFAULT_BUDGET) -> PackageAnalysis:
    return analyze(read_tarball(build_package("subject", "1.0.0", files), subject="subject"), budget=budget)


def rules(analysis: PackageAnalysis) -> set[str]:
    return {f.rule for f in analysis.findings}


# ---- the step budget ------------------------------------------------------------------------------------


def test_steps_raise_past_the_limit_and_charge_searches_by_size() -> None:
    steps = Steps(10)
    steps.search(Steps.BYTES_PER_STEP * 3)  # one pass over 3 units of bytes: 4 steps
    assert steps.used == 4
    for _ in range(6):
        steps.tick()
    with pytest.raises(StepBudgetExhaustedError, match="10 steps"):
        steps.tick()


def test_a_file_uses_the_same_steps_every_time() -> None:
    first = analyze_source("a.js", DENSE, Dialect.JAVASCRIPT)
    second = analyze_source("a.js", DENSE, Dialect.JAVASCRIPT)
    assert first.steps == second.steps > 1000
    assert first == second


def test_the_budget_cuts_at_exactly_the_steps_a_file_needs() -> None:
    needed = analyze_source("a.js", DENSE, Dialect.JAVASCRIPT).steps
    enough = analyze_source("a.js", DENSE, Dialect.JAVASCRIPT, budget=Budget(max_steps=needed))
    assert enough.skipped == ()
    assert "child_process.exec" in enough.builtin
    short = analyze_source("a.js", DENSE, Dialect.JAVASCRIPT, budget=Budget(max_steps=needed - 1))
    assert [s.file for s in short.skipped] == ["a.js"]
    assert "step budget (" in short.skipped[0].reason
    # What was reached before the cut is kept: the file's first lines load fs.
    assert "fs.statSync" in short.builtin
    assert "child_process.exec" not in short.builtin


def test_a_cut_falls_at_the_same_place_every_time() -> None:
    budget = Budget(max_steps=3_000)
    runs = [analyze_source("a.js", DENSE, Dialect.JAVASCRIPT, budget=budget) for _ in range(3)]
    assert runs[0].skipped and runs[0] == runs[1] == runs[2]


def test_budget_has_no_wall_clock_field() -> None:
    assert not [f for f in Budget.__dataclass_fields__ if "second" in f or "time" in f or "deadline" in f]


def test_padding_with_plain_code_does_not_use_up_the_budget() -> None:
    """Padding is no cover: megabytes of ordinary code cost only their byte searches (one step per
    BYTES_PER_STEP), so the exec at the end is seen. bench/determinism.py runs the 12 MB version."""
    one = analyze_source("a.js", (plain_code(1 << 20) + PAYLOAD).encode(), Dialect.JAVASCRIPT)
    two = analyze_source("a.js", (plain_code(2 << 20) + PAYLOAD).encode(), Dialect.JAVASCRIPT)
    assert one.skipped == two.skipped == ()
    assert "child_process.exec" in one.builtin and "child_process.exec" in two.builtin
    per_megabyte = two.steps - one.steps
    assert 0 < per_megabyte <= 4 * (1 << 20) // Steps.BYTES_PER_STEP
    assert 12 * per_megabyte + one.steps < DEFAULT_BUDGET.max_steps // 100


# ---- analysis-incomplete ----------------------------------------------------------------------------------


def test_step_cut_is_skipped_and_reviewed() -> None:
    analysis = package({"index.js": DENSE}, Budget(max_steps=2_000))
    assert any(s.file == "index.js" and "step budget" in s.reason for s in analysis.skipped)
    incomplete = [f for f in analysis.findings if f.rule == "analysis-incomplete"]
    assert len(incomplete) == 1
    assert incomplete[0].severity.value == "medium"
    assert incomplete[0].evidence[0].file == "index.js"
    assert decide(analysis.findings).value != "allow"


def test_fully_analysed_package_has_no_coverage_finding() -> None:
    analysis = package({"index.js": DENSE})
    assert analysis.skipped == ()
    assert "analysis-incomplete" not in rules(analysis)


def test_library_code_the_parser_did_not_understand_is_skipped_not_a_cut() -> None:
    # What real packages ship (argparse's `let x\n[a, b] = …`, sharp's `export … with { type: 'json' }`,
    # Flow annotations in @webassemblyjs/*/src): each region is listed once in `skipped` and read
    # lexically; outside install-time code it does not send the package to review.
    analysis = package({"lib/flow.js": "export function f(v: number): Array<number> {\n  return [v];\n}\n"})
    assert {s.file for s in analysis.skipped} == {"lib/flow.js"}
    assert len(set(analysis.skipped)) == len(analysis.skipped)
    assert "analysis-incomplete" not in rules(analysis)
    assert decide(analysis.findings).value == "allow"


def test_byte_cap_cut_is_reviewed() -> None:
    analysis = package({"big.js": "module.exports = 1;\n" + "//" + "x" * 5000}, Budget(max_file_bytes=1000))
    assert "analysis-incomplete" in rules(analysis)
    assert decide(analysis.findings).value == "review"


def test_nested_eval_past_the_depth_is_a_cut() -> None:
    deep = package({"index.js": nested_eval("module.exports = 1;", 5)})
    assert any("levels of code compiled from strings" in s.reason for s in deep.skipped)
    assert "analysis-incomplete" in rules(deep)
    shallow = package({"index.js": nested_eval("module.exports = 1;", 2)})
    assert shallow.skipped == ()
    assert "analysis-incomplete" not in rules(shallow)


def test_node_e_install_code_cut_reaches_the_result() -> None:
    """`node -e` code of an install script is analysed too (facts.gather); its cuts are reported."""
    code = nested_eval("module.exports = 1;", 5)  # double quotes only: safe inside shell single quotes
    data = build_package(
        "subject",
        "1.0.0",
        {"index.js": "module.exports = 1;\n"},
        scripts={"postinstall": f"node -e '{code}'"},
    )
    result = analyze(read_tarball(data, subject="subject"))
    assert any(s.file == "package.json#scripts.postinstall" for s in result.skipped)
    assert "analysis-incomplete" in rules(result)


def test_media_and_binaries_kept_as_prefixes_are_not_cuts() -> None:
    big_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * (200 * 1024)
    analysis = package(
        {"index.js": "module.exports = 1;\n", "logo.png": big_png, "lib.wasm": b"\x00asm" * 50_000}
    )
    assert analysis.skipped == ()
    assert "analysis-incomplete" not in rules(analysis)
    assert decide(analysis.findings).value == "allow"


# ---- one powerful-globals vocabulary ----------------------------------------------------------------------


def test_vocabulary_is_declared_once() -> None:
    keys = [g.key for g in POWERFUL_GLOBALS]
    assert len(keys) == len(set(keys))
    assert set(GLOBAL_CAPABILITIES) | CALL_ONLY_GLOBALS == set(keys)
    assert set(GLOBAL_CAPABILITIES) >= NETWORK_GLOBALS
    assert {"fetch", "XMLHttpRequest", "WebSocket", "navigator.sendBeacon"} <= NETWORK_GLOBALS


@pytest.mark.parametrize(
    "constructor", ["Worker", "SharedWorker", "WebSocket", "EventSource", "XMLHttpRequest"]
)
def test_every_constructor_global_is_reported(constructor: str) -> None:
    result = analyze_source("a.js", f"new {constructor}(url);\n".encode(), Dialect.JAVASCRIPT)
    assert constructor in result.globals


@pytest.mark.parametrize("path", [g.key for g in POWERFUL_GLOBALS if not g.call_only])
def test_every_declared_global_is_seen_through_the_global_object(path: str) -> None:
    result = analyze_source("a.js", f"globalThis.{path}(x);\n".encode(), Dialect.JAVASCRIPT)
    direct = analyze_source("b.js", f"{path}(x);\n".encode(), Dialect.JAVASCRIPT)
    assert path in result.globals
    assert path in direct.globals


def test_shared_worker_benign_look_alike_is_not_the_global() -> None:
    """A local class named SharedWorker is not the browser's."""
    result = analyze_source(
        "a.js", b"class SharedWorker { constructor(u) {} }\nnew SharedWorker(url);\n", Dialect.JAVASCRIPT
    )
    assert "SharedWorker" not in result.globals
