# ruff: noqa: E501
"""Benign look-alikes of the 2024–2025 incident shapes: code that must stay `allow`.

Each one is modelled on a real, widely used package's actual code shape (named in its comment): it
touches what the attacks touch — private keys, tokens, `~/.npmrc`, `fetch`/`XMLHttpRequest`, sockets,
recursive deletion, downloaded binaries — in the way legitimate software does. They are the other half
of the generalisation set in incidents_2024_2025.py: a detector that blocks these has learned words,
not behaviour.
"""

from __future__ import annotations

from tests.incidents.replica import Replica

_NO_RULES: frozenset[str] = frozenset()

# ethers v6 `Wallet` / `SigningKey` (packages/ethers src.ts/wallet/base-wallet.ts, crypto/signing-key.ts):
# the private key stays in the object; only a signed, serialized transaction goes to the provider the
# application configured.
_ETHERS_WALLET = r"""'use strict';
const { secp256k1 } = require('@noble/curves/secp256k1');
const { keccak_256 } = require('@noble/hashes/sha3');
class SigningKey {
  #privateKey;
  constructor(privateKey) { if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) throw new TypeError('invalid private key'); this.#privateKey = privateKey; }
  get privateKey() { return this.#privateKey; }
  get publicKey() { return '0x' + Buffer.from(secp256k1.getPublicKey(this.#privateKey.slice(2), false)).toString('hex'); }
  sign(digest) { const sig = secp256k1.sign(digest.slice(2), this.#privateKey.slice(2), { lowS: true }); return { r: sig.r, s: sig.s, v: 27 + sig.recovery }; }
}
class BaseWallet {
  #signingKey;
  constructor(privateKey, provider) { this.#signingKey = new SigningKey(privateKey); this.provider = provider || null; }
  get address() { const pub = Buffer.from(this.#signingKey.publicKey.slice(4), 'hex'); return '0x' + Buffer.from(keccak_256(pub)).slice(-20).toString('hex'); }
  get privateKey() { return this.#signingKey.privateKey; }
  async signTransaction(tx) {
    const unsigned = JSON.stringify({ ...tx, from: undefined });
    const digest = '0x' + Buffer.from(keccak_256(Buffer.from(unsigned))).toString('hex');
    const sig = this.#signingKey.sign(digest);
    return JSON.stringify({ ...tx, r: sig.r.toString(16), s: sig.s.toString(16), v: sig.v });
  }
  async sendTransaction(tx) {
    if (!this.provider) throw new Error('missing provider');
    const signed = await this.signTransaction(tx);
    return this.provider.broadcastTransaction(signed);
  }
}
class JsonRpcProvider {
  constructor(url) { this.url = url; this.id = 0; }
  async send(method, params) {
    const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }) });
    const body = await res.json(); if (body.error) throw new Error(body.error.message); return body.result;
  }
  broadcastTransaction(signedTx) { return this.send('eth_sendRawTransaction', [signedTx]); }
}
module.exports = { SigningKey, BaseWallet, Wallet: BaseWallet, JsonRpcProvider };
"""

# @solana/web3.js 1.95.8 `Keypair` and `Connection.sendRawTransaction` (src/keypair.ts, src/connection.ts):
# the same class the 1.95.6 backdoor sat in, without `addToQueue`.
_SOLANA_KEYPAIR = r"""'use strict';
const nacl = require('tweetnacl');
const bs58 = require('bs58');
class Keypair {
  constructor(keypair) { this._keypair = keypair ?? nacl.sign.keyPair(); }
  static generate() { return new Keypair(nacl.sign.keyPair()); }
  static fromSecretKey(secretKey, options) {
    const keypair = nacl.sign.keyPair.fromSecretKey(secretKey);
    if (!options || !options.skipValidation) {
      const message = new TextEncoder().encode('@solana/web3.js-validation-v1');
      const signature = nacl.sign.detached(message, keypair.secretKey);
      if (!nacl.sign.detached.verify(message, signature, keypair.publicKey)) throw new Error('provided secretKey is invalid');
    }
    return new Keypair(keypair);
  }
  static fromSeed(seed) { return new Keypair(nacl.sign.keyPair.fromSeed(seed)); }
  get publicKey() { return bs58.encode(this._keypair.publicKey); }
  get secretKey() { return new Uint8Array(this._keypair.secretKey); }
  sign(message) { return nacl.sign.detached(message, this._keypair.secretKey); }
}
class Connection {
  constructor(endpoint, commitment) { this._rpcEndpoint = endpoint; this._commitment = commitment || 'confirmed'; }
  async _rpcRequest(method, args) {
    const res = await fetch(this._rpcEndpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', 'solana-client': 'js/1.95.8' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: args }) });
    return res.json();
  }
  async sendRawTransaction(rawTransaction) {
    const encoded = Buffer.from(rawTransaction).toString('base64');
    const res = await this._rpcRequest('sendTransaction', [encoded, { encoding: 'base64', preflightCommitment: this._commitment }]);
    if (res.error) throw new Error('failed to send transaction: ' + res.error.message);
    return res.result;
  }
}
module.exports = { Keypair, Connection };
"""

# bip39 (bitcoinjs/bip39 src/index.js): mnemonic → seed with PBKDF2, entropy ↔ words; keys never leave.
_BIP39 = r"""'use strict';
const { pbkdf2Sync, createHash, randomBytes } = require('crypto');
const WORDLIST = require('./wordlists/english.json');
function salt(password) { return 'mnemonic' + (password || ''); }
function mnemonicToSeedSync(mnemonic, password) {
  const mnemonicBuffer = Buffer.from(mnemonic.normalize('NFKD'), 'utf8');
  const saltBuffer = Buffer.from(salt(password).normalize('NFKD'), 'utf8');
  return pbkdf2Sync(mnemonicBuffer, saltBuffer, 2048, 64, 'sha512');
}
function deriveChecksumBits(entropy) { const bits = entropy.length * 8 / 32; const hash = createHash('sha256').update(entropy).digest(); return [...hash].map((b) => b.toString(2).padStart(8, '0')).join('').slice(0, bits); }
function entropyToMnemonic(entropy) {
  const bits = [...entropy].map((b) => b.toString(2).padStart(8, '0')).join('') + deriveChecksumBits(entropy);
  return bits.match(/(.{1,11})/g).map((b) => WORDLIST[parseInt(b, 2)]).join(' ');
}
function generateMnemonic(strength = 128) { return entropyToMnemonic(randomBytes(strength / 8)); }
function validateMnemonic(mnemonic) { return mnemonic.split(' ').every((w) => WORDLIST.includes(w)); }
module.exports = { mnemonicToSeedSync, entropyToMnemonic, generateMnemonic, validateMnemonic };
"""

# @sentry/node transport shape (packages/core src/api.ts getEnvelopeEndpointWithUrlEncodedAuth,
# packages/node src/transports/http.ts): the DSN comes from SENTRY_DSN (or init options); events go to
# the DSN's own host with the DSN's *public* key in the query; nothing is sent without a DSN.
_SENTRY = r"""'use strict';
const https = require('https');
const os = require('os');
function parseDsn(dsn) {
  const m = /^(https?):\/\/(\w+)(?::\w+)?@([\w.:-]+)\/(\d+)$/.exec(dsn || '');
  if (!m) return null;
  return { protocol: m[1], publicKey: m[2], host: m[3], projectId: m[4] };
}
function envelopeEndpoint(dsn) {
  return `${dsn.protocol}://${dsn.host}/api/${dsn.projectId}/envelope/?sentry_key=${dsn.publicKey}&sentry_version=7&sentry_client=sentry.javascript.node%2F8.0.0`;
}
class NodeClient {
  constructor(options = {}) {
    this.dsn = parseDsn(options.dsn || process.env.SENTRY_DSN);
    this.release = options.release || process.env.SENTRY_RELEASE;
    this.environment = options.environment || process.env.SENTRY_ENVIRONMENT || 'production';
  }
  captureException(error) {
    if (!this.dsn) return;
    const event = { exception: { values: [{ type: error.name, value: error.message, stacktrace: error.stack }] }, release: this.release, environment: this.environment,
      contexts: { os: { name: os.type(), version: os.release() }, runtime: { name: 'node', version: process.version } }, server_name: os.hostname() };
    const body = JSON.stringify({ event_id: Date.now().toString(16) }) + '\n' + JSON.stringify({ type: 'event' }) + '\n' + JSON.stringify(event);
    const req = https.request(envelopeEndpoint(this.dsn), { method: 'POST', headers: { 'Content-Type': 'application/x-sentry-envelope' } });
    req.on('error', () => {}); req.end(body);
  }
}
let client = null;
function init(options) { client = new NodeClient(options); process.on('uncaughtExceptionMonitor', (e) => client.captureException(e)); return client; }
module.exports = { init, captureException: (e) => client && client.captureException(e) };
"""

# whatwg-fetch (github/fetch fetch.js) shape: a polyfill that defines `fetch` on top of XMLHttpRequest
# when the global one is missing, wrapping open/send/onload — the very calls the drainers hook.
_FETCH_POLYFILL = r"""var g = (typeof globalThis !== 'undefined' && globalThis) || (typeof self !== 'undefined' && self) || (typeof global !== 'undefined' && global) || {};
var support = { searchParams: 'URLSearchParams' in g, blob: 'FileReader' in g && 'Blob' in g, arrayBuffer: 'ArrayBuffer' in g };
function Headers(headers) { this.map = {}; if (headers) Object.keys(headers).forEach(function (name) { this.map[name.toLowerCase()] = String(headers[name]); }, this); }
Headers.prototype.get = function (name) { var v = this.map[name.toLowerCase()]; return v === undefined ? null : v; };
function Response(body, options) { this.status = options.status; this.ok = this.status >= 200 && this.status < 300; this.headers = new Headers(options.headers); this._body = body; }
Response.prototype.text = function () { return Promise.resolve(this._body); };
Response.prototype.json = function () { return this.text().then(JSON.parse); };
function fetch(input, init) {
  return new Promise(function (resolve, reject) {
    var xhr = new XMLHttpRequest();
    xhr.onload = function () { resolve(new Response('response' in xhr ? xhr.response : xhr.responseText, { status: xhr.status, headers: {} })); };
    xhr.onerror = function () { reject(new TypeError('Network request failed')); };
    xhr.open((init && init.method) || 'GET', input, true);
    if (init && init.credentials === 'include') xhr.withCredentials = true;
    Object.keys((init && init.headers) || {}).forEach(function (name) { xhr.setRequestHeader(name, init.headers[name]); });
    xhr.send(init && init.body !== undefined ? init.body : null);
  });
}
fetch.polyfill = true;
if (!g.fetch) { g.fetch = fetch; g.Headers = Headers; g.Response = Response; }
export { Headers, Response, fetch };
"""

# webpack 5 runtime (lib/runtime/GlobalRuntimeModule.js) as emitted into every bundle, plus regenerator-
# runtime's `Function("r", "regeneratorRuntime = r")` fallback: `Function('return this')()` finds the
# global object; no data reaches it.
_WEBPACK_RUNTIME = r"""/******/ (() => { // webpackBootstrap
/******/ 	var __webpack_modules__ = ({
/***/ 42: ((module) => { module.exports = function greet(name) { return 'Hello, ' + name; }; })
/******/ 	});
/******/ 	var __webpack_module_cache__ = {};
/******/ 	function __webpack_require__(moduleId) {
/******/ 		var cachedModule = __webpack_module_cache__[moduleId];
/******/ 		if (cachedModule !== undefined) { return cachedModule.exports; }
/******/ 		var module = __webpack_module_cache__[moduleId] = { exports: {} };
/******/ 		__webpack_modules__[moduleId](module, module.exports, __webpack_require__);
/******/ 		return module.exports;
/******/ 	}
/******/ 	/* webpack/runtime/global */
/******/ 	(() => {
/******/ 		__webpack_require__.g = (function() {
/******/ 			if (typeof globalThis === 'object') return globalThis;
/******/ 			try {
/******/ 				return this || new Function('return this')();
/******/ 			} catch (e) {
/******/ 				if (typeof window === 'object') return window;
/******/ 			}
/******/ 		})();
/******/ 	})();
/******/ 	var runtime = { wrap: function () {} };
/******/ 	try { regeneratorRuntime = runtime; } catch (accidentalStrictMode) {
/******/ 		if (typeof globalThis === 'object') { globalThis.regeneratorRuntime = runtime; } else { Function('r', 'regeneratorRuntime = r')(runtime); }
/******/ 	}
/******/ 	var __webpack_exports__ = __webpack_require__(42);
/******/ 	module.exports = __webpack_exports__;
/******/ })()
;
"""

# npm-check-updates / pacote-style registry client (npm-registry-fetch lib/auth.js + @npmcli/config):
# reads ~/.npmrc and the project .npmrc to find the registry and the token scoped to *that* registry,
# and sends the token only in requests to that registry.
_NPMRC_CLIENT = r"""'use strict';
const fs = require('fs'); const os = require('os'); const path = require('path');
function readRc(file) {
  const out = {};
  try { for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) { const m = /^\s*([^=;#\s]+)\s*=\s*(.*)$/.exec(line); if (m) out[m[1]] = m[2].replace(/\$\{([^}]+)\}/g, (_, k) => process.env[k] || ''); } } catch (e) {}
  return out;
}
function loadConfig(cwd = process.cwd()) { return { ...readRc(path.join(os.homedir(), '.npmrc')), ...readRc(path.join(cwd, '.npmrc')) }; }
function registryFor(name, config) { const scope = name.startsWith('@') ? name.split('/')[0] : null; return (scope && config[scope + ':registry']) || config.registry || 'https://registry.npmjs.org/'; }
function tokenFor(registry, config) { const u = new URL(registry); const key = '//' + u.host + u.pathname.replace(/\/?$/, '/') + ':_authToken'; return config[key] || null; }
async function packument(name, config = loadConfig()) {
  const registry = registryFor(name, config);
  const token = tokenFor(registry, config);
  const headers = { accept: 'application/vnd.npm.install-v1+json' };
  if (token) headers.authorization = 'Bearer ' + token;
  const res = await fetch(new URL(name.replace('/', '%2f'), registry), { headers });
  if (!res.ok) throw new Error(name + ': ' + res.status);
  return res.json();
}
async function latest(name) { return (await packument(name))['dist-tags'].latest; }
module.exports = { loadConfig, registryFor, tokenFor, packument, latest };
"""

# @sentry/cli scripts/install.js shape (download the platform binary from the release CDN, check it
# against the checksum the package pins, then chmod and run `--version`) — like esbuild's and
# @biomejs' installers, the binary is trusted only after verification.
_CHECKSUM_INSTALLER = r"""'use strict';
const fs = require('fs'); const os = require('os'); const path = require('path'); const crypto = require('crypto');
const https = require('https'); const { execFileSync } = require('child_process');
const pkg = require('./package.json');
const CHECKSUMS = require('./checksums.json');
function platformName() { return { darwin: 'Darwin', linux: 'Linux', win32: 'Windows' }[os.platform()] + '-' + { x64: 'x86_64', arm64: 'aarch64' }[os.arch()]; }
function download(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { headers: { 'User-Agent': 'sentry-cli-installer' } }, (res) => {
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) return resolve(download(res.headers.location));
      if (res.statusCode !== 200) return reject(new Error('download failed: ' + res.statusCode));
      const chunks = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}
async function install() {
  if (process.env.SENTRYCLI_SKIP_DOWNLOAD === '1') return;
  const name = 'sentry-cli-' + platformName() + (os.platform() === 'win32' ? '.exe' : '');
  const cdn = process.env.SENTRYCLI_CDNURL || 'https://downloads.sentry-cdn.com/sentry-cli';
  const data = await download(cdn + '/' + pkg.version + '/' + name);
  const digest = crypto.createHash('sha256').update(data).digest('hex');
  if (digest !== CHECKSUMS[name]) throw new Error('checksum mismatch for ' + name + ': ' + digest);
  const target = path.join(__dirname, 'sentry-cli' + (os.platform() === 'win32' ? '.exe' : ''));
  fs.writeFileSync(target, data);
  fs.chmodSync(target, 0o755);
  const version = execFileSync(target, ['--version']).toString().trim();
  if (!version.endsWith(pkg.version)) throw new Error('unexpected version: ' + version);
}
install().catch((e) => { console.error(e.message); process.exit(1); });
"""

# @vscode/ripgrep lib/download.js / postinstall.js: lists the release's assets through api.github.com,
# sending GITHUB_TOKEN (when set, to avoid rate limits) only to GitHub, and downloads the asset.
_RIPGREP_DOWNLOAD = r"""'use strict';
const fs = require('fs'); const os = require('os'); const path = require('path'); const https = require('https');
const { execFileSync } = require('child_process');
const VERSION = 'v13.0.0-10';
const REPO = 'microsoft/ripgrep-prebuilt';
function get(url, opts) {
  return new Promise((resolve, reject) => {
    https.get(url, opts, (res) => {
      if (res.statusCode === 302 || res.statusCode === 301) return resolve(get(res.headers.location, { headers: { 'user-agent': 'vscode-ripgrep' } }));
      const chunks = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
async function getRelease(token) {
  const headers = { 'user-agent': 'vscode-ripgrep', accept: 'application/vnd.github.v3+json' };
  if (token) headers.authorization = 'token ' + token;
  const res = await get(`https://api.github.com/repos/${REPO}/releases/tags/${VERSION}`, { headers });
  if (res.status !== 200) throw new Error('GitHub API ' + res.status);
  return JSON.parse(res.body.toString());
}
async function main() {
  const target = `ripgrep-${VERSION}-${os.arch() === 'arm64' ? 'aarch64' : 'x86_64'}-${os.platform() === 'darwin' ? 'apple-darwin' : 'unknown-linux-musl'}.tar.gz`;
  const release = await getRelease(process.env.GITHUB_TOKEN);
  const asset = release.assets.find((a) => a.name === target);
  if (!asset) throw new Error('no asset ' + target);
  const headers = { 'user-agent': 'vscode-ripgrep', accept: 'application/octet-stream' };
  if (process.env.GITHUB_TOKEN) headers.authorization = 'token ' + process.env.GITHUB_TOKEN;
  const res = await get(asset.url, { headers });
  const bin = path.join(__dirname, '..', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const archive = path.join(os.tmpdir(), target);
  fs.writeFileSync(archive, res.body);
  execFileSync('tar', ['xzf', archive, '-C', bin]);
  fs.unlinkSync(archive);
}
main().catch((e) => { console.error(e); process.exit(1); });
"""

# aws4 (mhart/aws4 aws4.js): AWS Signature V4 — the secret key from the environment only keys an
# HMAC chain; the request carries the access key id and the signature, never the secret.
_AWS4 = r"""'use strict';
const crypto = require('crypto');
function hmac(key, string, encoding) { return crypto.createHmac('sha256', key).update(string, 'utf8').digest(encoding); }
function hash(string, encoding) { return crypto.createHash('sha256').update(string, 'utf8').digest(encoding); }
class RequestSigner {
  constructor(request, credentials) {
    this.request = request;
    this.credentials = credentials || { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN };
    this.service = request.service || 's3'; this.region = request.region || process.env.AWS_REGION || 'us-east-1';
  }
  getDateTime() { return new Date().toISOString().replace(/[:-]|\.\d{3}/g, ''); }
  signature(datetime) {
    const date = datetime.slice(0, 8);
    const kDate = hmac('AWS4' + this.credentials.secretAccessKey, date);
    const kRegion = hmac(kDate, this.region); const kService = hmac(kRegion, this.service); const kCredentials = hmac(kService, 'aws4_request');
    const canonical = [this.request.method || 'GET', this.request.path || '/', '', 'host:' + this.request.host, '', 'host', hash(this.request.body || '', 'hex')].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', datetime, [date, this.region, this.service, 'aws4_request'].join('/'), hash(canonical, 'hex')].join('\n');
    return hmac(kCredentials, stringToSign, 'hex');
  }
  sign() {
    const datetime = this.getDateTime();
    const headers = this.request.headers = this.request.headers || {};
    headers['X-Amz-Date'] = datetime;
    if (this.credentials.sessionToken) headers['X-Amz-Security-Token'] = this.credentials.sessionToken;
    headers.Authorization = 'AWS4-HMAC-SHA256 Credential=' + this.credentials.accessKeyId + '/' + datetime.slice(0, 8) + '/' + this.region + '/' + this.service + '/aws4_request, SignedHeaders=host, Signature=' + this.signature(datetime);
    return this.request;
  }
}
module.exports = { RequestSigner, sign: (request, credentials) => new RequestSigner(request, credentials).sign() };
"""

# A chat client on socket.io-client (the socket.io "chat" example, examples/chat/public/main.js, as a
# Node CLI): it receives messages and events from the server and prints them; nothing it receives is
# executed.
_SOCKET_CHAT = r"""'use strict';
const { io } = require('socket.io-client');
const readline = require('readline');
module.exports = function chat(url, username) {
  const socket = io(url, { transports: ['websocket'] });
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  socket.on('connect', () => socket.emit('add user', username));
  socket.on('login', (data) => console.log(`Welcome — ${data.numUsers} participants`));
  socket.on('new message', (data) => console.log(`${data.username}: ${data.message}`));
  socket.on('user joined', (data) => console.log(`${data.username} joined`));
  socket.on('typing', (data) => process.stdout.write(`${data.username} is typing…\r`));
  socket.on('command', (data) => console.log(`[server] ${String(data.text).slice(0, 200)}`));
  rl.on('line', (line) => socket.emit('new message', line));
  return socket;
};
"""

# rimraf v3 (isaacs/rimraf rimraf.js, sync path): recursive deletion of the path the *caller* passes.
_RIMRAF = r"""'use strict';
const fs = require('fs');
const path = require('path');
function rimrafSync(p, options = {}) {
  if (typeof p !== 'string' || !p) throw new TypeError('rimraf: missing path');
  let st;
  try { st = fs.lstatSync(p); } catch (er) { if (er.code === 'ENOENT') return; throw er; }
  if (st.isDirectory()) {
    for (const f of fs.readdirSync(p)) rimrafSync(path.join(p, f), options);
    try { fs.rmdirSync(p); } catch (er) { if (er.code !== 'ENOENT') throw er; }
  } else {
    try { fs.unlinkSync(p); } catch (er) { if (er.code === 'EPERM' && process.platform === 'win32') { fs.chmodSync(p, 0o666); fs.unlinkSync(p); } else if (er.code !== 'ENOENT') throw er; }
  }
}
module.exports = rimrafSync;
module.exports.sync = rimrafSync;
"""

# dayjs plugin/timezone (src/plugin/timezone/index.js) + luxon's SystemZone: the local zone from Intl
# or TZ, used to format dates — the same reads a geo/time-zone gate makes.
_DAYJS_TZ = r"""'use strict';
const typeToPos = { year: 0, month: 1, day: 2, hour: 3, minute: 4, second: 5 };
const dtfCache = {};
function getDateTimeFormat(timezone) {
  if (!dtfCache[timezone]) dtfCache[timezone] = new Intl.DateTimeFormat('en-US', { hour12: false, timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return dtfCache[timezone];
}
function guess() { return process.env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone; }
function offsetFor(timestamp, timezone) {
  const parts = getDateTimeFormat(timezone).formatToParts(new Date(timestamp));
  const filled = []; for (const { type, value } of parts) { const pos = typeToPos[type]; if (pos !== undefined) filled[pos] = parseInt(value, 10); }
  const asUTC = Date.UTC(filled[0], filled[1] - 1, filled[2], filled[3] % 24, filled[4], filled[5]);
  return (asUTC - timestamp) / 60000;
}
function tz(date, timezone = guess()) { const ts = +date; return { timezone, offset: offsetFor(ts, timezone), local: new Date(ts + offsetFor(ts, timezone) * 60000) }; }
const isRussian = (locale) => /^ru/.test(locale || Intl.DateTimeFormat().resolvedOptions().locale);
module.exports = { tz, guess, offsetFor, pluralRules: (locale) => (isRussian(locale) ? 'few' : 'other') };
"""

# concurrently / tree-kill (pkrumins/node-tree-kill index.js): a process manager that spawns the
# commands the user gave it and kills its own children (and their trees) on exit or failure.
_PROCESS_MANAGER = r"""'use strict';
const { spawn, exec } = require('child_process');
function treeKill(pid, signal = 'SIGTERM') {
  if (process.platform === 'win32') { exec('taskkill /pid ' + pid + ' /T /F'); return; }
  exec('ps -o pid --no-headers --ppid ' + pid, (err, stdout) => {
    for (const child of (stdout || '').split('\n').map((s) => parseInt(s, 10)).filter(Boolean)) treeKill(child, signal);
    try { process.kill(pid, signal); } catch (e) { if (e.code !== 'ESRCH') throw e; }
  });
}
module.exports = function concurrently(commands, { killOthers = true } = {}) {
  const children = commands.map((command, index) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => process.stdout.write(`[${index}] ${d}`));
    child.stderr.on('data', (d) => process.stderr.write(`[${index}] ${d}`));
    child.on('exit', (code) => { if (killOthers && code !== 0) children.forEach((c) => c !== child && c.exitCode === null && treeKill(c.pid)); });
    return child;
  });
  process.on('SIGINT', () => { children.forEach((c) => treeKill(c.pid, 'SIGINT')); process.exit(130); });
  return children;
};
"""

# ajv v6 scripts/compile-dots.js (run by `npm run build`, never at install): compiles doT templates into
# JavaScript modules written to the package's own lib/dotjs directory.
_CODEGEN = r"""#!/usr/bin/env node
'use strict';
const fs = require('fs');
const path = require('path');
const doT = require('dot');
const defs = { definitions: fs.readFileSync(path.join(__dirname, '../lib/dot/definitions.def')) };
const files = fs.readdirSync(path.join(__dirname, '../lib/dot')).filter((f) => f.endsWith('.jst'));
const dotjsPath = path.join(__dirname, '../lib/dotjs');
fs.mkdirSync(dotjsPath, { recursive: true });
console.log('\n\nCompiling:');
for (const f of files) {
  const keyword = path.basename(f, '.jst');
  const targetPath = path.join(dotjsPath, keyword + '.js');
  const template = fs.readFileSync(path.join(__dirname, '../lib/dot', f));
  let code = doT.compile(template, defs).toString();
  code = "'use strict';\nmodule.exports = function generate_" + keyword + '(it, $keyword, $ruleType) {' + code.replace(/^function anonymous\(it[^)]*\)\s*\{/, '');
  fs.writeFileSync(targetPath, code);
  console.log('compiled', keyword);
}
"""
# @prisma/client scripts/postinstall.js shape: at install, runs the package's own generator, which
# writes generated JavaScript into node_modules/.prisma/client — outside its own directory, by design.
_PRISMA_POSTINSTALL = r"""'use strict';
const path = require('path'); const fs = require('fs'); const { spawnSync } = require('child_process');
function findProjectRoot(start) { let dir = start; while (dir !== path.dirname(dir)) { if (path.basename(dir) === 'node_modules') return path.dirname(dir); dir = path.dirname(dir); } return process.cwd(); }
const root = process.env.INIT_CWD || findProjectRoot(__dirname);
const schema = ['prisma/schema.prisma', 'schema.prisma'].map((p) => path.join(root, p)).find((p) => fs.existsSync(p));
const outDir = path.join(root, 'node_modules', '.prisma', 'client');
if (!schema) {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'index.js'), "module.exports = { PrismaClient: class PrismaClient { constructor() { throw new Error('@prisma/client did not initialize yet. Please run \"prisma generate\"'); } } };\n");
  fs.writeFileSync(path.join(outDir, 'index.d.ts'), 'export declare const PrismaClient: any;\n');
} else {
  const cli = require.resolve('prisma/build/index.js', { paths: [root] });
  const r = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) console.error('prisma generate failed; run it manually');
}
"""

# patch-package (ds300/patch-package src/applyPatches.ts), a CLI the *project* runs from its own
# postinstall: applies the project's patches/*.patch files to files of other installed packages.
_PATCH_PACKAGE = r"""#!/usr/bin/env node
'use strict';
const fs = require('fs'); const path = require('path');
function parsePatch(text) {
  const files = []; let cur = null;
  for (const line of text.split('\n')) {
    const m = /^\+\+\+ b\/(.*)$/.exec(line);
    if (m) { cur = { file: m[1], add: [], del: [] }; files.push(cur); continue; }
    if (!cur || line.startsWith('---') || line.startsWith('@@')) continue;
    if (line.startsWith('+')) cur.add.push(line.slice(1)); else if (line.startsWith('-')) cur.del.push(line.slice(1));
  }
  return files;
}
function applyPatches(appPath = process.cwd()) {
  const dir = path.join(appPath, 'patches');
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.patch'))) {
    const pkg = name.replace(/\+[^+]*\.patch$/, '').replace(/\+/g, '/');
    for (const { file, add, del } of parsePatch(fs.readFileSync(path.join(dir, name), 'utf8'))) {
      const target = path.join(appPath, 'node_modules', pkg, file);
      let text = fs.readFileSync(target, 'utf8');
      del.forEach((line, i) => { text = text.replace(line, add[i] ?? ''); });
      fs.writeFileSync(target, text);
      console.log('patch-package: applied', name, '→', file);
    }
  }
}
if (require.main === module) applyPatches();
module.exports = { applyPatches };
"""


INCIDENTS: list[Replica] = []

BENIGN: list[Replica] = [
    Replica(
        "lookalike-2025-ethers-wallet-signs-locally",
        {"lib/wallet.js": _ETHERS_WALLET},
        "allow",
        _NO_RULES,
        manifest={
            "main": "lib/wallet.js",
            "dependencies": {"@noble/curves": "^1.4.0", "@noble/hashes": "^1.4.0"},
        },
        name="ethers-wallet-lite",
    ),
    Replica(
        "lookalike-2025-solana-keypair-and-rpc",
        {"lib/index.cjs.js": _SOLANA_KEYPAIR},
        "allow",
        _NO_RULES,
        manifest={"main": "lib/index.cjs.js", "dependencies": {"tweetnacl": "^1.0.3", "bs58": "^4.0.1"}},
        name="solana-keypair-lite",
    ),
    Replica(
        "lookalike-2025-bip39-mnemonic-to-seed",
        {"src/index.js": _BIP39, "src/wordlists/english.json": '["abandon", "ability", "able"]\n'},
        "allow",
        _NO_RULES,
        manifest={"main": "src/index.js"},
        name="bip39-lite",
    ),
    Replica(
        "lookalike-2025-sentry-dsn-telemetry",
        {"build/cjs/index.js": _SENTRY},
        "allow",
        _NO_RULES,
        manifest={"main": "build/cjs/index.js"},
        name="error-reporter-node",
    ),
    Replica(
        "lookalike-2025-whatwg-fetch-polyfill",
        {"fetch.js": _FETCH_POLYFILL},
        "allow",
        _NO_RULES,
        manifest={"main": "fetch.js", "module": "fetch.js", "type": "module"},
        name="fetch-polyfill-lite",
    ),
    Replica(
        "lookalike-2025-webpack-runtime-function-return-this",
        {"dist/index.js": _WEBPACK_RUNTIME},
        "allow",
        _NO_RULES,
        manifest={"main": "dist/index.js"},
        name="greeter-bundled",
    ),
    Replica(
        "lookalike-2025-npmrc-registry-token-to-registry",
        {
            "lib/registry.js": _NPMRC_CLIENT,
            "bin/outdated.js": "#!/usr/bin/env node\nconst { latest } = require('../lib/registry');\nlatest(process.argv[2]).then(console.log);\n",
        },
        "allow",
        _NO_RULES,
        manifest={"main": "lib/registry.js", "bin": {"outdated-lite": "bin/outdated.js"}},
        name="outdated-lite",
    ),
    Replica(
        "lookalike-2025-checksum-verified-binary-install",
        {
            "scripts/install.js": _CHECKSUM_INSTALLER,
            "checksums.json": '{"sentry-cli-Linux-x86_64": "' + "0" * 64 + '"}\n',
            "js/index.js": "module.exports = require('path').join(__dirname, '..', 'sentry-cli');\n",
        },
        "allow",
        _NO_RULES,
        manifest={"main": "js/index.js", "scripts": {"postinstall": "node ./scripts/install.js"}},
        name="release-cli-lite",
    ),
    Replica(
        "lookalike-2025-github-release-download-with-token",
        {
            "lib/postinstall.js": _RIPGREP_DOWNLOAD,
            "lib/index.js": "exports.rgPath = require('path').join(__dirname, '..', 'bin', 'rg');\n",
        },
        "allow",
        _NO_RULES,
        manifest={"main": "lib/index.js", "scripts": {"postinstall": "node ./lib/postinstall.js"}},
        name="ripgrep-prebuilt-lite",
    ),
    Replica(
        "lookalike-2025-aws-sigv4-hmac-signing",
        {"aws4.js": _AWS4},
        "allow",
        _NO_RULES,
        manifest={"main": "aws4.js"},
        name="sigv4-lite",
    ),
    Replica(
        "lookalike-2025-socketio-chat-client",
        {"index.js": _SOCKET_CHAT},
        "allow",
        _NO_RULES,
        manifest={"main": "index.js", "dependencies": {"socket.io-client": "^4.7.5"}},
        name="terminal-chat",
    ),
    Replica(
        "lookalike-2025-rimraf-caller-path",
        {
            "rimraf.js": _RIMRAF,
            "bin.js": "#!/usr/bin/env node\nconst rimraf = require('./rimraf');\nprocess.argv.slice(2).forEach((p) => rimraf(p));\n",
        },
        "allow",
        _NO_RULES,
        manifest={"main": "rimraf.js", "bin": {"rimraf-lite": "bin.js"}},
        name="rimraf-lite",
    ),
    Replica(
        "lookalike-2025-dayjs-timezone",
        {"plugin/timezone.js": _DAYJS_TZ},
        "allow",
        _NO_RULES,
        manifest={"main": "plugin/timezone.js"},
        name="tz-lite",
    ),
    Replica(
        "lookalike-2025-process-manager-kills-children",
        {
            "src/index.js": _PROCESS_MANAGER,
            "bin/run.js": "#!/usr/bin/env node\nrequire('../src/index.js')(process.argv.slice(2));\n",
        },
        "allow",
        _NO_RULES,
        manifest={"main": "src/index.js", "bin": {"run-parallel-lite": "bin/run.js"}},
        name="run-parallel-lite",
    ),
    Replica(
        "lookalike-2025-codegen-writes-own-lib",
        {
            "scripts/compile-dots.js": _CODEGEN,
            "lib/dot/definitions.def": "{{## def.setupKeyword: var $lvl = it.level; #}}\n",
            "lib/dot/required.jst": "{{# def.setupKeyword }} var valid = true;\n",
            "lib/ajv.js": "module.exports = function Ajv() { this.compile = (schema) => () => true; };\n",
        },
        "allow",
        _NO_RULES,
        manifest={
            "main": "lib/ajv.js",
            "scripts": {"build": "node scripts/compile-dots.js", "prepublishOnly": "npm run build"},
        },
        name="schema-validator-lite",
    ),
    Replica(
        "lookalike-2025-prisma-client-generates-into-node-modules",
        {
            "scripts/postinstall.js": _PRISMA_POSTINSTALL,
            "index.js": "module.exports = require('.prisma/client');\n",
        },
        "allow",
        _NO_RULES,
        manifest={"main": "index.js", "scripts": {"postinstall": "node scripts/postinstall.js"}},
        name="orm-client-lite",
    ),
    Replica(
        "lookalike-2025-patch-package-edits-dependencies",
        {"dist/index.js": _PATCH_PACKAGE},
        "allow",
        _NO_RULES,
        manifest={"main": "dist/index.js", "bin": {"patch-package-lite": "dist/index.js"}},
        name="patch-package-lite",
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {}
