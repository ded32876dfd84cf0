"""Benign shapes that real, popular packages have and that earlier rules blocked (found by the real-tree and
top-1000 sweeps, issue 10). Each stays `allow`; each names the package whose code it abstracts."""

from __future__ import annotations

from tests.incidents.replica import Replica

_FILLER = "".join(f"function helper{i}(x) {{ return x + {i}; }}\n" for i in range(120))

INCIDENTS: list[Replica] = []

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
                "}\n" + _FILLER + "function isFavicon(url) { return url.pathname === '/favicon.ico'; }\n"
                "module.exports = { runUserScript, isFavicon };\n"
            )
        },
        "allow",
        frozenset(),
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "js-reverse-shell": ("bundle-socket-and-shell-far-apart",),
    "steganography": ("bundle-runs-user-script-and-checks-favicon",),
}
