"""The globals inventory (issue 12): each LavaMoat rule it follows, with the benign cases beside it."""

from __future__ import annotations

import pytest

from airlock.analysis import analyze
from airlock.analysis.capabilities import analyze_source
from airlock.analysis.capabilities.driver import Budget, package_name
from airlock.analysis.capabilities.inventory import (
    _patterns,
    _possible,
    _possible_query,
    _query,
    contract,
    reduce_topmost,
)
from airlock.analysis.js import Dialect, language
from airlock.model import Evidence, PackageContents, PackageFile

# The one-letter names the examples use are declared, so that only the global under test is free.
_LOCALS = "var a, b, f, k, m, o, s, u, v, xs;\n"


def globals_of(code: str, path: str = "x.js", dialect: Dialect = Dialect.JAVASCRIPT) -> set[str]:
    return set(analyze_source(path, (_LOCALS + code).encode(), dialect).all_globals)


def writes_of(code: str) -> tuple[str, ...]:
    return analyze_source("x.js", code.encode(), Dialect.JAVASCRIPT).global_writes


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("process.env.NODE_ENV", {"process.env.NODE_ENV"}),
        ("process.nextTick(f); process.version", {"process.nextTick", "process.version"}),
        ("setTimeout(f, 1); console.log(1)", {"setTimeout", "console.log"}),
        ("new URL('a'); new TextEncoder()", {"URL", "TextEncoder"}),
        ("WebAssembly.Module; WebAssembly.instantiate(b)", {"WebAssembly.Module", "WebAssembly.instantiate"}),
        # typeof reads the name: LavaMoat grants the whole global
        ("if (typeof process !== 'undefined') process.env.X", {"process"}),
        # a member chain ends at the first computed member or call
        ("process.env[k]; Buffer.from(s).toString()", {"process.env", "Buffer.from"}),
        ("g?.b.c", {"g.b.c"}),
        ("(process).env", {"process.env"}),
        # shorthand properties are references
        ("module.exports = { fetch }", {"fetch"}),
        ("`${location.href}`", {"location.href"}),
        ("class A extends HTMLElement {}", {"HTMLElement"}),
    ],
)
def test_free_identifiers_and_member_chains(code: str, expected: set[str]) -> None:
    assert globals_of(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("window.fetch(u)", {"fetch"}),
        ("globalThis.process.env.X", {"process.env.X"}),
        ("self.postMessage(m); top.location; frames.length", {"postMessage", "location", "length"}),
        ("if (typeof window !== 'undefined') {}", set()),  # the global object itself grants nothing
        ("global.Array; window.JSON.parse", set()),  # intrinsics through the global object
        ("window.require('x'); global.module", set()),  # module references through it
    ],
)
def test_global_object_names_are_dropped(code: str, expected: set[str]) -> None:
    assert globals_of(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("const {env, argv} = process", {"process.env", "process.argv"}),
        ("const {env: {HOME}} = process", {"process.env.HOME"}),
        ("const [a, , b] = process", {"process.0", "process.2"}),
        ("const {env, ...rest} = process", {"process"}),
        ("const {[k]: v} = process", {"process"}),
        ("const {env = {}} = process", {"process.env"}),
        ("const {} = process", set()),
        ("let {versions} = window.process", {"process.versions"}),
    ],
)
def test_destructuring(code: str, expected: set[str]) -> None:
    assert globals_of(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "function f(process) { return process.env }",
        "const f = (process) => process.env; const g = process => process.argv",
        "function f({process}) { process.env }",
        "var process = require('process'); process.env",
        "{ var process = {}; } process.env",  # var is hoisted out of the block
        "function f() { process.env; var process }",  # and above its declaration
        "try {} catch (process) { process.env }",
        "import process from 'process'; process.env",
        "import { env as process } from 'process'; process.x",
        "import * as process from 'process'; process.x",
        "class process {}; process.env",
        "function process() {}; process.env",
        "const f = function process() { process.env }",
        "for (const process of xs) process.env",
        "for (var process in xs) {} process.env",
        "let process; { process.env }",
    ],
)
def test_a_bound_name_is_not_a_global(code: str) -> None:
    assert "process" not in {k.split(".")[0] for k in globals_of(code)}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("obj.process.env", {"obj.process.env"}),  # obj is the global here, not process
        ("const o = {process: 1}; o.process", set()),
        ("class A { process() {} fetch = 1 }", set()),
        ("const s = 'process.env'; // process.env", set()),
        ("x: for (;;) { break x }", set()),
        ("export { fetch } from 'x'", set()),
        ("JSON.parse(s); Math.max(1); new Map(); Promise.resolve(); eval('1')", set()),
        ("this.x; arguments[0]; undefined", set()),
        ("hasOwnProperty.call(o, k); toString(); constructor", set()),
    ],
)
def test_what_is_not_a_global(code: str, expected: set[str]) -> None:
    assert globals_of(code) == expected


def test_a_name_bound_in_one_function_is_still_global_elsewhere() -> None:
    assert globals_of("function f(process) { process.x } process.env") == {"process.env"}


def test_function_declarations_are_block_scoped_as_babel_scopes_them() -> None:
    assert globals_of("{ function helper() {} } helper()") == {"helper"}


def test_an_implicit_global_assignment_binds_nothing() -> None:
    assert globals_of("counter = 0; counter++") == {"counter"}
    assert writes_of("counter = 0; counter++") == ("counter",)


def test_module_references_depend_on_the_source_type() -> None:
    script = "require('a'); module.exports = exports.x = 1; __dirname"
    assert globals_of(script) == {"__dirname"}
    # a file with import/export is a module to LavaMoat: require/module/exports are then globals
    assert globals_of("import a from 'a'; require('b'); module.exports = 1") == {"require", "module"}
    assert globals_of("require('b')", path="x.cjs") == set()


def test_writes() -> None:
    assert writes_of("window.onload = f") == ("onload",)
    assert writes_of("foo += 1") == ("foo",)
    assert writes_of("fetch(u)") == ()
    assert writes_of("process.exitCode = 1") == ()  # a write below the top: LavaMoat grants the top name
    assert globals_of("process.exitCode = 1") == {"process"}
    # deeper, LavaMoat records the target's chain as a read
    assert writes_of("process.env.X = '1'") == ()
    assert globals_of("process.env.X = '1'") == {"process.env.X"}
    assert writes_of("window.app.ready = true") == ()
    assert globals_of("window.app.ready = true") == {"app.ready"}


def test_typescript_type_positions_are_not_references() -> None:
    code = (
        "let x: typeof process; type T = typeof window.fetch; interface I { p: typeof navigator }\n"
        "function f(a: Foo<typeof document>): Bar { return a as typeof location }\n"
        "declare const process: any; import L = pino.Logger; const y = require('q');\n"
        "enum E { A = 1 } E.A; abstract class C {} new C()\n"
    )
    assert globals_of(code, "x.ts", Dialect.TYPESCRIPT) == set()
    assert globals_of("const p: string = process.env.X as string", "x.ts", Dialect.TYPESCRIPT) == {
        "process.env.X"
    }


def test_escaped_identifiers_are_decoded() -> None:
    assert globals_of("\\u0070rocess.env") == {"process.env"}


def test_non_ascii_keys_are_cut_where_the_report_contract_cannot_name_them() -> None:
    assert globals_of("café.x; ok.naïve.y") == {"ok"}
    assert contract(["a", "b-c", "d"]) == "a"
    assert contract(["1a"]) is None


def test_evidence_is_capped_and_sorted() -> None:
    code = "\n".join(["process.env.A"] * 5 + ["process.argv"])
    found = analyze_source("x.js", code.encode(), Dialect.JAVASCRIPT).all_globals
    assert set(found) == {"process.env.A", "process.argv"}
    assert [e.line for e in found["process.env.A"]] == [1, 2, 3]


def test_reduce_topmost_merges_the_sites_of_what_it_subsumes() -> None:
    at = [Evidence("a.js", line) for line in (1, 2, 3, 4)]
    reduced = reduce_topmost(
        {"process.env": [at[3]], "process": [at[2]], "process.env.X": [at[0]], "x.y": [at[1]]}
    )
    assert reduced == {"process": (at[0], at[2], at[3]), "x.y": (at[1],)}


def test_package_merge_reduces_across_files_and_keeps_writes() -> None:
    contents = PackageContents(
        (
            PackageFile("package.json", b'{"name": "p", "version": "1.0.0"}'),
            PackageFile("a.js", b"process.env.X; fetch('u')"),
            PackageFile(
                "b.js", b"process.nextTick(() => 1); if (typeof process === 'object') {} myGlobal = 1"
            ),
        )
    )
    caps = analyze(contents).capabilities
    assert set(caps.all_globals) == {"process", "fetch", "myGlobal"}
    assert caps.global_writes == ("myGlobal",)
    assert [e.file for e in caps.all_globals["process"]] == ["a.js", "b.js", "b.js"]
    # the powerful-globals view the reports show is unchanged
    assert set(caps.globals) == {"process.env", "fetch"}


def test_a_write_in_a_test_or_fixture_file_counts_as_a_read() -> None:
    # pino's test fixtures assign `global.process`; no dependent loads them, and a top-level "write"
    # grant would replace the real `process` with an empty slot under LavaMoat.
    contents = PackageContents(
        (
            PackageFile("package.json", b'{"name": "p", "version": "1.0.0"}'),
            PackageFile("index.js", b"ownGlobal = 1; process.nextTick(f)"),
            PackageFile("test/fixtures/broken.js", b"global.process = { stdout: null }"),
            PackageFile("lib/x.spec.js", b"window.fetch = stub"),
        )
    )
    caps = analyze(contents).capabilities
    assert set(caps.all_globals) == {"ownGlobal", "process", "fetch", "f", "stub"}
    assert caps.global_writes == ("ownGlobal",)


def test_a_builtin_member_only_tested_with_typeof_is_a_probe_not_a_capability() -> None:
    contents = PackageContents(
        (
            PackageFile("package.json", b'{"name": "p", "version": "1.0.0"}'),
            PackageFile(
                "index.js",
                b"const http = require('http')\n"
                b"module.exports = typeof http.ServerResponse.prototype.appendHeader === 'function'\n",
            ),
        )
    )
    caps = analyze(contents).capabilities
    assert dict(caps.builtin) == {}
    assert list(caps.builtin_probes) == ["http.ServerResponse.prototype.appendHeader"]
    assert caps.builtin_probes["http.ServerResponse.prototype.appendHeader"][0].line == 2


def test_an_exhausted_inventory_budget_is_reported_not_silent() -> None:
    result = analyze_source(
        "x.js", b"process.env.X", Dialect.JAVASCRIPT, budget=Budget(max_inventory_steps=2)
    )
    assert result.all_globals == {}
    assert any("globals inventory" in s.reason for s in result.skipped)


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("express", "express"),
        ("@scope/pkg/sub/path.js", "@scope/pkg"),
        ("lodash/fp", "lodash"),
        ("socket.io-client", "socket.io-client"),
        ("./lib/a", None),
        ("../a", None),
        ("/abs/path", None),
        ("fs", None),
        ("node:fs", None),
        ("fs/promises", None),
        ("#internal", None),
        ("data:text/javascript,1", None),
    ],
)
def test_package_name(specifier: str, expected: str | None) -> None:
    assert package_name(specifier) == expected


def test_imports_by_name_with_evidence() -> None:
    code = (
        b"const a = require('express'); require('@s/x/sub'); require('./rel'); require('fs');\n"
        b"import b from 'lodash/fp'; export * from 'ws'; import('pg'); require('express')"
    )
    found = analyze_source("x.mjs", code, Dialect.JAVASCRIPT).packages
    assert set(found) == {"express", "@s/x", "lodash", "ws", "pg"}
    assert [(e.line, e.column) for e in found["express"]] == [(1, 11), (2, 62)]


def test_the_query_drops_only_the_patterns_a_grammar_cannot_match() -> None:
    # TypeScript wraps every parameter, so `(formal_parameters (identifier))` is impossible there.
    patterns = [
        "(identifier) @a",
        "(formal_parameters (identifier) @b)",
        "(program) @c",
        "(nope) @d",
        "(class) @e",
    ]
    query = _possible_query(language(Dialect.TYPESCRIPT), patterns)
    assert query.pattern_count == 3
    assert sorted(query.capture_name(i) for i in range(query.capture_count)) == ["a", "c", "e"]


@pytest.mark.parametrize("dialect", list(Dialect))
def test_the_query_has_every_pattern_its_grammar_can_match(dialect: Dialect) -> None:
    lang = language(dialect)
    assert _query(dialect).pattern_count == sum(_possible(lang, p) for p in _patterns(dialect))
