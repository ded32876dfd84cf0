"""One file's source → sink pass, demand-driven: find the network sinks (calls the resolver ties to http,
https, net, tls, dgram, dns, fetch, XMLHttpRequest, WebSocket, or a known HTTP client package), then ask
what labels reach each of their arguments by walking *backwards* from the argument: through variable
bindings and their assignments, object and array literals, member reads (field-insensitive, except
`process.env.NAME`), `this` fields, concatenation and templates, encoders (JSON, Buffer, base64, URL
encoding, compression, symmetric encryption), callers' arguments for parameters, and return values of
local functions. One-way functions (hashes, HMACs, signatures, key derivation) stop labels; so does every
call we know nothing about. Each expression's labels are computed once (memoised), so the work is bounded
by the slices of the sinks' arguments, and counted in the file's `Steps`.

Parameters of exported functions and values imported from relative modules become symbolic labels that
the package-level join (`join.py`) resolves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

import re2
from tree_sitter import Node

from airlock.analysis.dataflow.commands import command_secret
from airlock.analysis.dataflow.labels import (
    NONE,
    CallOut,
    ExportValue,
    FileFlows,
    Flow,
    ImportSink,
    Kind,
    Label,
    Labels,
    ParamSink,
    Sink,
    key_material_name,
    merge,
    path_kind,
    secret_env_name,
    through,
)
from airlock.analysis.js import SourceText
from airlock.analysis.resolve import Applied, Arr, Imported, Ref, Resolver, Space, Steps, Str, Value, as_text
from airlock.analysis.resolve.syntax import FUNCTION_TYPES, pattern_identifiers
from airlock.analysis.resolve.timing import assigned_as_handler

MAX_CALL_SITES = 16
MAX_DEPTH = 60
MAX_SINKS = 400
MAX_FLOWS = 64
"""Flows kept per file: evidence for the report, not coverage (every sink is still followed)."""
MAX_EXPORT_VALUES = 24
MAX_SITE_SEARCHES = 64
MAX_NAMES = 48
MAX_USES = 256
MAX_LOAD_DEPTH = 8
IDENT = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")

# Words a source needs in the bytes: a file without any has nothing to send (it may still forward its
# callers' data, which the join handles through `param_sinks`).
SOURCE_WORDS = re2.compile(
    rb"process\.env(?:\s*[^.\s]|\.[A-Z0-9_]*(?:TOKEN|SECRET|KEY|PASSWORD|PASS|AUTH)\b)|\.ssh|\.aws|\.npmrc|"
    rb"_history|Login Data|Local Storage|leveldb|wallet|id_rsa|\.kube|\.docker|\.netrc|\.git-credentials|"
    rb"gcloud|keystore|solana|exodus\.wallet|Exodus[/\\]|\b[Pp]rivate_?[Kk]ey\b|\b[Ss]ecret_?[Kk]ey\b|mnemonic|"
    rb"seed_?[Pp]hrase|\bseed\b"
)
"""Words a source needs in the bytes. A file without any still forwards its callers' data (its exported
functions' parameters reaching sinks, for the join), but computes no export values or calls out."""
_NETWORK_GLOBAL_WORDS = re2.compile(
    rb"(?:^|[^A-Za-z0-9_$.])(fetch|XMLHttpRequest|WebSocket|navigator|globalThis|window)\s*[.(]"
)
_RELATIVE = re2.compile(rb"(?:require\s*\(\s*|from\s*|import\s*\(\s*)['\"](\.{1,2}/[^'\"]*)['\"]")
_EXPORTS = re2.compile(rb"module\.exports|exports\.[A-Za-z_$]|(?:^|[^A-Za-z0-9_$.])export\s")

_NETWORK_CALLS = {
    "http.request": "http.request",
    "http.get": "http.get",
    "https.request": "https.request",
    "https.get": "https.get",
    "http2.connect": "http2.connect",
    "net.connect": "net.connect",
    "net.createConnection": "net.createConnection",
    "tls.connect": "tls.connect",
    "fetch": "fetch",
    "navigator.sendBeacon": "navigator.sendBeacon",
}
# child_process calls whose command line runs a network tool: data in their arguments leaves the machine.
_SPAWNERS = frozenset(
    {
        "child_process.exec",
        "child_process.execSync",
        "child_process.execFile",
        "child_process.execFileSync",
        "child_process.spawn",
        "child_process.spawnSync",
    }
)
_EXEC_PREFIX = "command of "
_PATH_STEPS = frozenset({"path.join", "path.resolve", "path.normalize", "path.posix.join", "path.win32.join"})
_CODE_CALL = re2.compile(
    rb"\b(eval|Function|runInThisContext|runInNewContext|runInContext|compileFunction|Script|_compile|import)\s*\("
)
MAX_CODE_SINKS = 64
_LISTENERS = frozenset({"on", "once", "addListener", "addEventListener", "prependListener"})
_NETWORK_COMMAND = re.compile(
    r"(?<![\w.-])(?:curl|wget|nc|ncat|netcat|socat|Invoke-WebRequest|iwr|nslookup|dig|ping)(?![\w.-])"
)
_URL_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)")
_DNS_COMMAND = re.compile(r"(?<![\w.-])(?:nslookup|dig|ping)(?![\w.-])")
_NAME_LITERAL = re.compile(r"['\x22`}]\.?((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24})['\x22`]")
"""A host name written as a literal (`'.d.example.net'`): where a DNS tool's query goes."""
_DNS = re.compile(r"^dns(?:\.promises)?\.(?:lookup|resolve\w*|reverse)$")
# Objects created by a network call whose methods send data.
_CREATORS = {
    "http.request": "request",
    "https.request": "request",
    "http.get": "request",
    "https.get": "request",
    "http2.connect": "request",
    "net.connect": "socket",
    "net.createConnection": "socket",
    "tls.connect": "socket",
    "net.Socket": "socket",
    "dgram.createSocket": "dgram",
    "XMLHttpRequest": "xhr",
    "WebSocket": "websocket",
}
_PAGE_SECRETS = {
    "document.cookie": "document.cookie",
    "localStorage": "localStorage",
    "sessionStorage": "sessionStorage",
}
"""Values holding the page's secrets (session cookies, tokens in web storage), read as a whole."""
_PAGE_CALLS = {
    "localStorage.getItem": "localStorage",
    "sessionStorage.getItem": "sessionStorage",
    "FormData": "form contents",
}
_OUTPUT_RETURNING = frozenset(
    {"child_process.execSync", "child_process.execFileSync", "child_process.spawnSync"}
)
"""Calls that return what the command printed (`spawnSync(…).stdout`)."""
_OUTPUT_CALLBACK = frozenset({"child_process.exec", "child_process.execFile"})
_KEY_EVENTS = frozenset({"keydown", "keypress", "keyup"})
_SECRET_STORAGE_KEY = re.compile(
    r"(?i)token|auth|jwt|session|secret|passw|credential|wallet|mnemonic|seed|private"
)
_INTERCEPTABLE = frozenset(
    {"fetch", "XMLHttpRequest.prototype.send", "XMLHttpRequest.prototype.open", "WebSocket.prototype.send"}
)
"""Network functions (beyond `_NETWORK_CALLS`) a package may replace to see the application's requests."""
_SENDING_METHODS = {
    "request": frozenset({"write", "end", "setHeader", "request"}),
    "socket": frozenset({"write", "end", "connect"}),
    "dgram": frozenset({"send"}),
    "xhr": frozenset({"open", "send", "setRequestHeader"}),
    "websocket": frozenset({"send"}),
    "client": frozenset(
        {"get", "post", "put", "patch", "delete", "head", "request", "send", "set", "query", "fetch", "emit"}
    ),
}
_CLIENT_PACKAGES = frozenset(
    {
        "axios",
        "got",
        "node-fetch",
        "cross-fetch",
        "isomorphic-fetch",
        "undici",
        "superagent",
        "request",
        "needle",
        "phin",
        "ky",
        "ofetch",
        "ws",
        "socket.io-client",
        "make-fetch-happen",
    }
)
_CLIENT_SPEC = re2.compile(
    rb"['\"](?:axios|got|node-fetch|cross-fetch|isomorphic-fetch|undici|superagent|request|needle|phin|ky|"
    rb"ofetch|ws|socket\.io-client|make-fetch-happen)['\"]"
)
# `require(name)` whose argument is not a literal: the client package may be named by a variable or an
# obfuscator's string table (react-native-aria, 2025-06: `require(_0x5e(2))` is socket.io-client).
_COMPUTED_REQUIRE = re2.compile(rb"(?:^|[^A-Za-z0-9_$.])require\s*\(\s*[A-Za-z_$]")
MAX_COMPUTED_REQUIRES = 32
# Calls whose result carries their arguments' data, re-encoded.
_ENCODERS = frozenset(
    {
        "JSON.stringify",
        "Buffer.from",
        "Buffer.concat",
        "btoa",
        "encodeURIComponent",
        "encodeURI",
        "escape",
        "String",
        "Object.assign",
        "Object.entries",
        "Object.values",
        "Object.fromEntries",
        "Array.from",
        "Array.of",
        "structuredClone",
        "querystring.stringify",
        "querystring.encode",
        "path.join",
        "path.resolve",
        "path.normalize",
        "path.posix.join",
        "path.win32.join",
        "util.format",
        "util.inspect",
        "zlib.gzipSync",
        "zlib.deflateSync",
        "zlib.brotliCompressSync",
        "zlib.deflateRawSync",
        "crypto.publicEncrypt",
        "crypto.privateEncrypt",
        "fs.readdirSync",
        "fs.readdir",
        "fs.promises.readdir",
    }
)
_CONSTRUCTED = frozenset(
    {"URLSearchParams", "Blob", "Uint8Array", "TextEncoder", "FormData", "URL", "Buffer"}
)
_FILE_READS = frozenset(
    {
        "fs.readFileSync",
        "fs.readFile",
        "fs.promises.readFile",
        "fs.createReadStream",
        "fs.readdirSync",
        "fs.readdir",
        "fs.promises.readdir",
    }
)
_IDENTITY = frozenset({"os.hostname", "os.userInfo", "os.networkInterfaces", "os.homedir"})
_ONE_WAY = re.compile(r"^crypto\.(?:createHash|createHmac|createSign|sign|pbkdf2\w*|scrypt\w*|hkdf\w*|hash)$")
_ONE_WAY_METHODS = frozenset(
    {"digest", "sign", "hash", "createHash", "createHmac", "hmac", "sha256", "verify"}
)
# Methods whose result also carries their arguments (cipher.update(secret), a.concat(b), s.replace(x, secret)).
_ARG_METHODS = frozenset(
    {"update", "final", "concat", "replace", "replaceAll", "assign", "padStart", "padEnd", "exec"}
)
_TLS_OPTIONS = frozenset({"key", "cert", "pfx", "ca", "passphrase", "privateKey", "secureContext"})
_ITERATING = frozenset({"forEach", "map", "filter", "flatMap", "find", "some", "every", "reduce", "then"})
_TRANSPARENT = frozenset(
    {
        "parenthesized_expression",
        "await_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
        "type_assertion",
        "spread_element",
    }
)


class FileFlowPass:
    """The data-flow analysis of one parsed file, sharing the capability scanner's resolver and steps."""

    def __init__(self, text: SourceText, root: Node, resolver: Resolver, steps: Steps) -> None:
        self.text = text
        self.path = text.path
        self.source = text.data
        self.root = root
        self.resolver = resolver
        self.steps = steps
        self._memo: dict[int, Labels] = {}
        self._active: set[int] = set()
        self._depth = 0
        self._returns: dict[int, Labels] = {}
        self._this_fields: dict[int, Labels] = {}
        self._assigned: dict[int, Labels] = {}
        self._load: dict[int, bool] = {}
        self._exports: dict[int, str] | None = None
        self._creators: dict[int, str | None] = {}
        self._sites: dict[tuple[str, int, int], list[Node]] = {}
        self._site_searches = 0
        self._flow_list: list[Flow] = []
        self._param_list: list[ParamSink] = []
        self._import_list: list[ImportSink] = []
        self._call_out_list: list[CallOut] = []
        self._export_list: list[ExportValue] = []
        self._sink_count = 0
        self._computed: list[Node] | None = None
        self.cut: str | None = None
        """Why part of the file was not followed (a cap reached), recorded by the driver as `Skipped`."""

    # ---- entry -----------------------------------------------------------------------------------------
    def run(self, network_at: Sequence[int]) -> FileFlows:
        """The file's flows. On a step-budget overrun the exception propagates; `partial()` then gives
        what was found before it."""
        has_sources = SOURCE_WORDS.search(self.source) is not None
        self.steps.search(len(self.source))
        if network_at or _CLIENT_SPEC.search(self.source) is not None or self._computed_clients():
            for call, what, arguments in self._sinks(network_at):
                self._sink_count += 1
                labels = merge(*(self.labels(a) for a in arguments))
                if what.startswith(_EXEC_PREFIX):
                    # Received data built into a file path (a server-named version joined into the binary's
                    # location, chromedriver's install.js) chooses which file runs, not what it is told:
                    # running a download is download-run-binary's question, not a remote shell.
                    remote = tuple(
                        lb
                        for lb in labels
                        if lb.kind is Kind.REMOTE and not any(step in _PATH_STEPS for step in lb.via)
                    )
                    if remote:
                        sink = Sink(
                            what, self.text.evidence(call), None, self._load_time(call), executes=True
                        )
                        self._flow_list.extend(Flow(label, sink, self.path, self.path) for label in remote)
                    continue
                labels = tuple(lb for lb in labels if lb.kind is not Kind.REMOTE)
                if labels:
                    self._record(call, what, labels)
            self._code_sinks()
        if has_sources:
            self._call_out_list.extend(self._call_outs())
            self._export_list.extend(self._export_values())
        return self.partial(complete=True)

    def _code_sinks(self) -> None:
        """Code compiled from what the network sent (a WebSocket message given to `new Function`, an HTTP
        response's field to `eval`): the bot or loader shape of `is` 5.0.0 and the 2025 HexEval loaders.
        Only files that touch the network get here; literal code is skipped and at most MAX_CODE_SINKS compile
        sites of computed code are read (past that the file's flows are incomplete, and reported so)."""
        followed = 0
        for match in _CODE_CALL.finditer(self.source):
            self.steps.tick()
            leaf = self.root.descendant_for_byte_range(match.start(1), match.end(1))
            call = self._enclosing_compile_call(leaf)
            if call is None:
                continue
            args = self._argument_nodes(call)
            if not args:
                continue
            name = self.source[match.start(1) : match.end(1)].decode()
            if not self._compiles(call, name):
                continue
            code = args[-1] if name == "Function" else args[0]
            if code.type == "string":
                continue  # literal code (webpack's eval devtool wraps every module so): nothing received
            followed += 1
            if followed > MAX_CODE_SINKS:
                self.cut = self.cut or f"more than {MAX_CODE_SINKS} eval/Function/vm sites of computed code"
                return
            remote = tuple(lb for lb in self.labels(code) if lb.kind is Kind.REMOTE)
            if remote:
                sink = Sink(
                    f"code of {name}", self.text.evidence(call), None, self._load_time(call), executes=True
                )
                self._flow_list.extend(Flow(label, sink, self.path, self.path) for label in remote)

    def _compiles(self, call: Node, name: str) -> bool:
        """Whether the call is the global eval/Function or vm's compiler, not a local namesake
        (selenium-webdriver's `new Script(this)` is its own BiDi class from './script')."""
        if name == "_compile":
            return True  # Module.prototype._compile, on whatever module object holds it
        callee = self._callee(call)
        if callee is None:
            return False
        if name == "import":
            # `import('data:text/javascript,' + code)` compiles `code`; a computed module path loads a file
            args = self._argument_nodes(call)
            return callee.type == "import" and bool(args) and "data:" in self.text_of(args[0], 200)
        value = self.resolver.evaluate(callee)
        if isinstance(value, Ref):
            return value.path in {"eval", "Function"} or value.path.startswith("vm.")
        # an unresolved free `eval`/`Function` is the global; anything bound locally is not
        return (
            name in {"eval", "Function"}
            and callee.type == "identifier"
            and self.resolver.lookup(callee) is None
        )

    def _received(self, call: Node, client: str) -> Labels:
        """What an HTTP client call resolves to is data the network sent (judged only where it is executed),
        when the address is the package's own constant: a loader that fetches the URL its caller names
        (monaco's AMD loader evaluating a same-origin module in a worker) runs its caller's code."""
        if self._destination(call) is None:
            return NONE
        return (Label(Kind.REMOTE, client, self.text.evidence(call)),)

    def _enclosing_compile_call(self, leaf: Node | None) -> Node | None:
        node = leaf
        for _ in range(4):
            if node is None:
                return None
            parent = self.resolver.parent(node)
            if parent is None:
                return None
            if parent.type in {"call_expression", "new_expression"}:
                callee = parent.child_by_field_name("function") or parent.child_by_field_name("constructor")
                return parent if callee is not None and callee.end_byte >= leaf.end_byte else None  # type: ignore[union-attr]
            if parent.type not in {"member_expression", "identifier", "property_identifier", "import"}:
                return None
            node = parent
        return None

    def partial(self, *, complete: bool = False) -> FileFlows:
        return FileFlows(
            flows=tuple(self._flow_list),
            param_sinks=tuple(self._param_list),
            import_sinks=tuple(self._import_list),
            call_outs=tuple(self._call_out_list),
            exports=tuple(self._export_list),
            complete=complete and self.cut is None,
            sinks=self._sink_count,
        )

    def _record(self, call: Node, what: str, labels: Labels) -> None:
        # When it runs matters only for data this file reads or imports; a parameter's flow is timed
        # by its caller (the join uses the call's load time).
        timed = any(label.kind not in {Kind.PARAM, Kind.SECRET_PATH} for label in labels)
        sink = Sink(what, self.text.evidence(call), self._destination(call), timed and self._load_time(call))
        exports = self.exports()
        for label in labels:
            if label.kind is Kind.PARAM:
                fn_start, _, index = label.detail.partition(":")
                name = exports.get(int(fn_start))
                if name is not None:
                    self._param_list.append(ParamSink(name, int(index), sink, label.via))
            elif label.kind is Kind.IMPORT:
                specifier, _, export = label.detail.partition("\0")
                self._import_list.append(ImportSink(specifier, export, sink, label.via))
            elif label.kind is Kind.INTERCEPTED:
                wrapper = self._wrapper_of(call, int(label.detail.partition(":")[0]))
                if wrapper is not None and len(self._flow_list) < MAX_FLOWS:
                    # it runs on every request the application makes once the hook is in: when the
                    # assignment runs, not when something calls the wrapper
                    hooked = Sink(sink.what, sink.evidence, sink.destination, self._load_time(wrapper))
                    self._flow_list.append(Flow(label, hooked, self.path, self.path))
                # (data the wrapper stores for later is not followed: only the wrapper forwarding it is)
            elif label.kind is not Kind.SECRET_PATH and len(self._flow_list) < MAX_FLOWS:
                self._flow_list.append(Flow(label, sink, self.path, self.path))

    def _wrapper_of(self, node: Node, fn_start: int) -> Node | None:
        """The function starting at `fn_start` that holds `node`, if one does."""
        owner = self._owner(node)
        while owner is not None and owner.start_byte != fn_start:
            owner = self._owner(owner)
        return owner

    # ---- sinks -----------------------------------------------------------------------------------------
    def _sinks(self, network_at: Sequence[int]) -> Iterator[tuple[Node, str, list[Node]]]:
        """Network sinks, found forward from where the capability scan saw network modules and globals used
        (`network_at`) and from requires/imports of HTTP client packages: the calls and method chains on
        them, and the uses of the variables they are bound to (`const req = https.request(…)`;
        `req.end(…)`), to MAX_NAMES names. Nothing else in the file is visited."""
        candidates: dict[tuple[int, int], Node] = {}
        names: list[bytes] = []
        for at in sorted(set(network_at)):
            self.steps.tick()
            leaf = self.root.descendant_for_byte_range(at, at + 1)
            if leaf is not None:
                self._climb_uses(leaf, candidates, names)
        for match in _NETWORK_GLOBAL_WORDS.finditer(self.source):
            # globals the capability scan may report once per file, not at every use
            self.steps.tick()
            leaf = self.root.descendant_for_byte_range(match.start(1), match.end(1))
            if leaf is not None and leaf.type == "identifier" and self.resolver.lookup(leaf) is None:
                self._climb_uses(leaf, candidates, names)
        for match in _CLIENT_SPEC.finditer(self.source):
            self.steps.tick()
            leaf = self.root.descendant_for_byte_range(match.start(), match.end())
            statement = leaf
            for _ in range(4):
                if statement is None or statement.type in {"call_expression", "import_statement"}:
                    break
                statement = self.resolver.parent(statement)
            if statement is None:
                continue
            if statement.type == "import_statement":
                for ident in _import_names(statement):
                    names.append(self.source[ident.start_byte : ident.end_byte])
            else:
                self._climb_uses(statement, candidates, names)
        for call in self._computed_clients():
            self._climb_uses(call, candidates, names)
        done: set[bytes] = set()
        index = 0
        while index < len(names) and len(done) < MAX_NAMES:
            word = names[index]
            index += 1
            if word in done or not word:
                continue
            done.add(word)
            src = self.source
            self.steps.search(len(src))
            i = src.find(word)
            uses = 0
            while i != -1 and uses < MAX_USES:
                end = i + len(word)
                if (i == 0 or src[i - 1] not in IDENT) and (end >= len(src) or src[end] not in IDENT):
                    leaf = self.root.descendant_for_byte_range(i, end)
                    if leaf is not None and leaf.type == "identifier":
                        uses += 1
                        self.steps.tick()
                        self._climb_uses(leaf, candidates, names)
                i = src.find(word, end)
        found = 0
        for start in sorted(candidates):
            call = candidates[start]
            what = self._sink_kind(call)
            if what is None:
                command = self._exec_kind(call)
                if command is not None:
                    args = self._argument_nodes(call)
                    yield call, command, args[:2]  # the command, and spawn's argument list
                continue
            args = self._argument_nodes(call)
            if what.endswith("(network command)"):
                # the command line (and spawn's argument list), not the options: `{ env: process.env }`
                # hands the environment to the child, it does not send it
                args = [a for a in args[:2] if _strip(a).type != "object"]
            yield call, what, args
            found += 1
            if found >= MAX_SINKS:
                self.cut = f"more than {MAX_SINKS} network sinks; data flow into the rest was not followed"
                return

    def _computed_clients(self) -> list[Node]:
        """`require(<computed>)` calls that fold to an HTTP or socket client package (once per file)."""
        if self._computed is not None:
            return self._computed
        self._computed = []
        for count, match in enumerate(_COMPUTED_REQUIRE.finditer(self.source)):
            if count >= MAX_COMPUTED_REQUIRES:
                break
            self.steps.tick()
            at = self.source.find(b"require", match.start())
            leaf = self.root.descendant_for_byte_range(at, at + len(b"require"))
            call = self.resolver.parent(leaf) if leaf is not None else None
            if call is None or call.type != "call_expression" or self._callee(call) != leaf:
                continue
            loaded = self.resolver.evaluate(call)
            if isinstance(loaded, Imported) and loaded.specifier in _CLIENT_PACKAGES:
                self._computed.append(call)
        return self._computed

    def _climb_uses(self, leaf: Node, candidates: dict[tuple[int, int], Node], names: list[bytes]) -> None:
        """From a network value at `leaf`, up through member reads and calls (each call a candidate sink),
        to the variable it is bound to (a name whose uses are followed next)."""
        current = leaf
        if leaf.type == "shorthand_property_identifier_pattern":
            names.append(self.source[leaf.start_byte : leaf.end_byte])
            return
        for _ in range(12):
            parent = self.resolver.parent(current)
            if parent is None:
                return
            kind = parent.type
            if kind in {"member_expression", "subscript_expression"} and (
                parent.child_by_field_name("object") == current
            ):
                current = parent  # `cp.exec(…)`, and obfuscated `cp[_0x5e(6)](…)`
            elif kind in {"call_expression", "new_expression"} and self._callee(parent) == current:
                candidates.setdefault((parent.start_byte, parent.end_byte), parent)
                if current.type == "member_expression" and self.resolver.property_name(current) in _LISTENERS:
                    for arg in self._argument_nodes(parent):  # `ws.on('open', function () { this.send(d) })`
                        for call in self._this_calls(_strip(arg)):
                            candidates.setdefault((call.start_byte, call.end_byte), call)
                current = parent
            elif kind in {"parenthesized_expression", "await_expression"}:
                current = parent
            elif kind == "variable_declarator" and parent.child_by_field_name("name") == current:
                # the scan reports `const orig = https.request` at the name it binds: follow that name
                names.append(self.source[current.start_byte : current.end_byte])
                return
            elif kind == "variable_declarator" and parent.child_by_field_name("value") == current:
                name = parent.child_by_field_name("name")
                if name is not None:
                    # `const req = https.request(…)`, `const { request } = require('http')`
                    names.extend(self.source[i.start_byte : i.end_byte] for i in pattern_identifiers(name))
                return
            elif kind == "assignment_expression" and parent.child_by_field_name("left") == current:
                right = parent.child_by_field_name("right")  # `ws.onopen = function () { this.send(d) }`
                if right is not None and assigned_as_handler(self.resolver, parent, right):
                    for call in self._this_calls(right):
                        candidates.setdefault((call.start_byte, call.end_byte), call)
                return
            elif kind == "assignment_expression" and parent.child_by_field_name("right") == current:
                left = parent.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    names.append(self.source[left.start_byte : left.end_byte])
                return
            else:
                return

    def _call_of(self, name: Node) -> Node | None:
        parent = self.resolver.parent(name)
        if parent is None:
            return None
        if parent.type == "member_expression" and parent.child_by_field_name("property") == name:
            callee, parent = parent, self.resolver.parent(parent)
            if parent is None:
                return None
        else:
            callee = name
        if parent.type == "call_expression" and parent.child_by_field_name("function") == callee:
            return parent
        if parent.type == "new_expression" and parent.child_by_field_name("constructor") == callee:
            return parent
        return None

    def _callee(self, call: Node) -> Node | None:
        return call.child_by_field_name("function") or call.child_by_field_name("constructor")

    def _sink_kind(self, call: Node) -> str | None:
        callee = self._callee(call)
        if callee is None:
            return None
        value = _unapplied(self.resolver.evaluate(callee))
        if isinstance(value, Ref) and value.space is not Space.REQUIRE:
            path = value.path
            if path in _NETWORK_CALLS:
                return _NETWORK_CALLS[path]
            if _DNS.match(path):
                return path
            if path in {"WebSocket", "XMLHttpRequest"} and call.type == "new_expression":
                return path
            if path.startswith("undici.") or path == "undici":
                return path
            if path in _SPAWNERS and _NETWORK_COMMAND.search(self.text_of(call, 600)):
                return f"{path} (network command)"
        client = self._client(callee)
        if client is not None:
            return client
        if callee.type == "member_expression":
            method = self.resolver.property_name(callee)
            receiver = callee.child_by_field_name("object")
            if method is None or receiver is None:
                return None
            origin = self._origin(receiver)
            if origin is not None and method in _SENDING_METHODS.get(origin[0], ()):
                return f"{origin[1]}.{method}"
        return None

    def _exec_kind(self, call: Node) -> str | None:
        """child_process exec/spawn (the command) and eval: where received data would run."""
        callee = self._callee(call)
        if callee is None:
            return None
        value = self.resolver.evaluate(callee)
        if isinstance(value, Ref) and (value.path in _SPAWNERS or value.path in {"eval", "Function"}):
            return f"{_EXEC_PREFIX}{value.path}"
        return None

    def _client(self, callee: Node) -> str | None:
        """`axios(…)`, `axios.post(…)`, `got(…)`, `new WebSocket(…)` from `ws`, an `axios.create()` instance."""
        root = callee
        while root.type == "member_expression":
            obj = root.child_by_field_name("object")
            if obj is None:
                break
            root = obj
        package = self._package_of(root)
        if package is None:
            return None
        return f"{package}{self.text_of(callee)[len(self.text_of(root)) :][:40]}"

    def _package_of(self, node: Node) -> str | None:
        value = self.resolver.evaluate(node)
        if isinstance(value, Imported):
            base = value.specifier
            return base if base in _CLIENT_PACKAGES else None
        if node.type == "identifier":
            binding = self.resolver.lookup(node)
            # `import { request } from 'undici'`, `const { fetch } = require('undici')`
            if binding is not None and binding.specifier is not None:
                return binding.specifier if binding.specifier in _CLIENT_PACKAGES else None
            if binding is not None and binding.key is not None and binding.value is not None:
                loaded = self.resolver.evaluate(binding.value)
                if isinstance(loaded, Imported) and loaded.specifier in _CLIENT_PACKAGES:
                    return loaded.specifier
            if binding is not None and binding.value is not None and binding.value.type == "call_expression":
                # `const api = axios.create({...})`, `const agent = superagent.agent()`
                inner = self._callee(binding.value)
                if inner is not None and binding.value.id not in self._active:
                    self._active.add(binding.value.id)
                    try:
                        found = self._client(inner)
                    finally:
                        self._active.discard(binding.value.id)
                    return found.split(".", 1)[0] if found else None
        if node.type == "call_expression":
            inner = self._callee(node)
            if inner is not None:
                found = self._client(inner)
                return found.split(".", 1)[0] if found else None
        return None

    def _origin(self, receiver: Node) -> tuple[str, str] | None:
        """What network object `receiver` is: ("request", "https.request") for `req` from https.request()."""
        node = self._emitter_of_this(_strip(receiver))
        if node.type == "identifier":
            binding = self.resolver.lookup(node)
            if binding is None or binding.value is None:
                return None
            node = _strip(binding.value)
        if node.type not in {"call_expression", "new_expression"}:
            return None
        cached = self._creators.get(node.id, "")
        if cached != "":
            return (cached, cached) if cached is not None else None
        self._creators[node.id] = None
        callee = self._callee(node)
        kind: str | None = None
        label = ""
        if callee is not None:
            value = _unapplied(self.resolver.evaluate(callee))
            if isinstance(value, Ref) and value.path in _CREATORS:
                kind, label = _CREATORS[value.path], value.path
            elif self._client(callee) is not None:
                kind, label = "client", self._client(callee) or ""
            elif callee.type == "member_expression":
                # chained sends: superagent.post(url).set(h).send(body), https.request(...).end(data)
                inner = callee.child_by_field_name("object")
                method = self.resolver.property_name(callee)
                if inner is not None and method is not None:
                    origin = self._origin(inner)
                    if origin is not None and method in _SENDING_METHODS.get(origin[0], ()):
                        kind, label = origin
        if kind is None:
            return None
        self._creators[node.id] = kind
        return kind, label

    def _this_calls(self, fn: Node) -> list[Node]:
        """Calls `this.m(…)` in a `function` listener's own body (a nested function has its own `this`)."""
        if fn.type not in {"function_expression", "function"}:
            return []
        found: list[Node] = []
        self.steps.search(fn.end_byte - fn.start_byte)
        i = self.source.find(b"this", fn.start_byte, fn.end_byte)
        while i != -1 and len(found) < MAX_USES:
            leaf = self.root.descendant_for_byte_range(i, i + 4)
            member = self.resolver.parent(leaf) if leaf is not None and leaf.type == "this" else None
            call = self.resolver.parent(member) if member is not None else None
            if (
                member is not None
                and member.type == "member_expression"
                and call is not None
                and call.type == "call_expression"
                and self._callee(call) == member
                and self._owner(call) == fn
            ):
                found.append(call)
            i = self.source.find(b"this", i + 4, fn.end_byte)
        return found

    def _emitter_of_this(self, node: Node) -> Node:
        """`this` inside `function` listeners is the emitter: `ws.on('open', function () { this.send(d) })` and
        `ws.onopen = function () { this.send(d) }` send on `ws`. Anything else is returned as it is."""
        if node.type != "this":
            return node
        fn = self._owner(node)
        if fn is None or fn.type not in {"function_expression", "function"}:
            return node  # an arrow function's `this` is the enclosing one
        holder = self.resolver.parent(fn)
        registration = self._listener_registration(fn)
        if registration is not None:
            emitter = registration[1].child_by_field_name("object")
            return _strip(emitter) if emitter is not None else node
        if holder is not None and assigned_as_handler(self.resolver, holder, fn):
            left = holder.child_by_field_name("left")
            emitter = left.child_by_field_name("object") if left is not None else None
            return _strip(emitter) if emitter is not None else node
        return node

    def _destination(self, call: Node) -> str | None:
        """The host a sink sends to, when it folds to a constant."""
        callee = self._callee(call)
        value = self.resolver.evaluate(callee) if callee is not None else None
        if isinstance(value, Ref) and value.path in _SPAWNERS:
            text = self.text_of(call, 600)
            found = _URL_HOST.search(text)
            if found is None and _DNS_COMMAND.search(text):
                found = _NAME_LITERAL.search(text)  # `nslookup ${data}.d.example.net`: the zone receives it
            return found.group(1).lower() if found else None
        origin_call = call
        callee = self._callee(call)
        if callee is not None and callee.type == "member_expression":
            receiver = callee.child_by_field_name("object")
            if receiver is not None and self._origin(receiver) is not None:
                node = self._emitter_of_this(_strip(receiver))
                if node.type == "identifier":
                    binding = self.resolver.lookup(node)
                    if binding is not None and binding.value is not None:
                        node = _strip(binding.value)
                if node.type in {"call_expression", "new_expression"}:
                    origin_call = node
        arguments = origin_call.child_by_field_name("arguments")
        if arguments is None:
            return None
        for arg in arguments.named_children[:2]:
            host = self._host(arg)
            if host is not None:
                return host
        return None

    def _host(self, node: Node) -> str | None:
        node = _strip(node)
        if node.type == "object":
            for pair in node.named_children:
                if pair.type != "pair":
                    continue
                key = pair.child_by_field_name("key")
                value = pair.child_by_field_name("value")
                if (
                    key is not None
                    and value is not None
                    and self.text_of(key).strip("'\"")
                    in {
                        "hostname",
                        "host",
                        "url",
                        "baseURL",
                        "prefixUrl",
                    }
                ):
                    return self._host(value)
            return None
        text = as_text(self.resolver.evaluate(node))
        if text is None and node.type == "binary_expression":
            left = node.child_by_field_name("left")
            return self._host(left) if left is not None else None  # the host is in the URL's prefix
        if text is None and node.type == "template_string":
            raw = self.text_of(node, 300)[1:]
            text = raw.split("${", 1)[0] if "${" in raw else None
        if text is None:
            return None
        m = re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//([^/:?#\s]+)", text, re.IGNORECASE)
        if m:
            return m.group(1).lower()
        m = re.match(r"^([A-Za-z0-9.-]+\.[A-Za-z]{2,}|\d+\.\d+\.\d+\.\d+)(?:[:/]|$)", text)
        return m.group(1).lower() if m else None

    # ---- labels: what an expression's value carries ---------------------------------------------------
    def labels(self, node: Node) -> Labels:
        cached = self._memo.get(node.id)
        if cached is not None:
            return cached
        if node.id in self._active or self._depth > MAX_DEPTH:
            return NONE
        self.steps.tick()
        self._active.add(node.id)
        self._depth += 1
        try:
            result = self._labels(node)
        except RecursionError:
            result = NONE
        finally:
            self._active.discard(node.id)
            self._depth -= 1
        self._memo[node.id] = result
        return result

    def _labels(self, node: Node) -> Labels:
        kind = node.type
        if kind in _TRANSPARENT:
            children = node.named_children
            return self.labels(children[0]) if children else NONE
        if kind == "sequence_expression":
            return self.labels(node.named_children[-1]) if node.named_children else NONE
        if kind in {"string", "template_string"}:
            return self._literal(node)
        if kind == "identifier":
            return self._identifier(node)
        if kind == "shorthand_property_identifier":
            return self._identifier(node)
        if kind in {"member_expression", "subscript_expression"}:
            if self._is_env(node):
                return (Label(Kind.ENV_DUMP, "process.env", self.text.evidence(node)),)
            page = _PAGE_SECRETS.get(self.text_of(node, 40).removeprefix("window."))
            if page is not None:
                return (Label(Kind.BROWSER, page, self.text.evidence(node)),)
            return self._member(node)
        if kind in {"call_expression", "new_expression"}:
            return self._call(node)
        if kind in {"object", "array"}:
            return self._container(node)
        if kind in {"binary_expression", "ternary_expression"}:
            parts = [c for c in node.named_children if c != node.child_by_field_name("condition")]
            return merge(*(self.labels(c) for c in parts))
        if kind in {"assignment_expression", "augmented_assignment_expression"}:
            right = node.child_by_field_name("right")
            return self.labels(right) if right is not None else NONE
        if kind == "this":
            return self._this(node)
        return NONE

    def _literal(self, node: Node) -> Labels:
        found: list[Labels] = []
        if node.type == "template_string":
            for child in node.named_children:
                if child.type == "template_substitution" and child.named_children:
                    found.append(self.labels(child.named_children[0]))
        text = self.text_of(node)[1:-1] if node.end_byte - node.start_byte < 512 else ""
        kind = path_kind(text) if text else None
        if kind is not None:
            found.append((Label(kind, _short_path(text), self.text.evidence(node)),))
        return merge(*found)

    def _is_env(self, node: Node) -> bool:
        """`process.env`, or a name bound to it (`const env = process.env`, `const { env } = process`);
        read from the text and the binding, not by evaluating every name."""
        if node.type in {"member_expression", "subscript_expression"}:
            if self.text_of(node, 16) != "process.env" and not _names_env(node, self.text_of):
                return False
        elif node.type == "identifier":
            binding = self.resolver.lookup(node)
            if binding is None or binding.value is None:
                return False
            bound = self.text_of(binding.value, 16)
            if not (
                bound == "process.env"
                or binding.key == "env"
                or (
                    binding.value.type in {"member_expression", "subscript_expression"}
                    and _names_env(binding.value, self.text_of)
                )
            ):
                return False
        else:
            return False
        value = self.resolver.evaluate(node)
        return isinstance(value, Ref) and value.space is Space.GLOBAL and value.path == "process.env"

    def _identifier(self, node: Node) -> Labels:
        name = self.text_of(node)
        found: list[Labels] = []
        if name in _PAGE_SECRETS and self.resolver.lookup(node) is None:
            return (Label(Kind.BROWSER, _PAGE_SECRETS[name], self.text.evidence(node)),)
        if key_material_name(name):
            found.append((Label(Kind.KEY_MATERIAL, name, self.text.evidence(node)),))
        if self._is_env(node):
            return (Label(Kind.ENV_DUMP, "process.env", self.text.evidence(node)),)
        binding = self.resolver.lookup(node)
        if binding is None:
            return merge(*found)
        if binding.specifier is not None:
            if binding.specifier.startswith("."):
                export = binding.imported or "default"
                found.append(
                    (Label(Kind.IMPORT, f"{binding.specifier}\0{export}", self.text.evidence(node)),)
                )
            return merge(*found)
        if binding.parameter:
            found.append(self._parameter(binding.site))
        elif binding.value is not None and binding.key is not None and self._is_env(binding.value):
            # `const { GITHUB_REPOSITORY, NPM_TOKEN } = process.env` reads named variables, not the whole
            # environment (pkg-pr-new posts its CI run's repository and run id).
            if secret_env_name(binding.key):
                found.append((Label(Kind.SECRET_ENV, binding.key, self.text.evidence(node)),))
        elif binding.value is not None:
            found.append(self.labels(binding.value))
        else:
            found.append(self._loop_variable(binding.site))
        found.append(self._assignments(binding.site, name))
        outer = self.resolver.outer_binding(binding)
        if outer is not None and outer.site.id != binding.site.id:
            # `let buf = ''` at the top, `buf += e.key` in one handler, `send(buf); buf = ''` in another:
            # the handler's own `buf = ''` must not hide what the others put in the shared variable
            if outer.value is not None:
                found.append(self.labels(outer.value))
            found.append(self._assignments(outer.site, name))
        return merge(*found)

    def _loop_variable(self, site: Node) -> Labels:
        """`for (const p of paths)`: p carries what the iterated value carries."""
        node = self.resolver.parent(site)
        for _ in range(4):
            if node is None:
                return NONE
            if node.type == "for_in_statement":
                right = node.child_by_field_name("right")
                operator = node.child_by_field_name("operator")
                if right is None or operator is None or self.text_of(operator) != "of":
                    return NONE
                return self.labels(right)
            node = self.resolver.parent(node)
        return NONE

    def _assignments(self, site: Node, name: str) -> Labels:
        """What later assignments and mutations put in the variable: `x = v`, `x += v`, `x.f = v`,
        `x[k] = v`, `x.push(v)`. Found by searching the name in its scope (bytes, counted)."""
        cached = self._assigned.get(site.id)
        if cached is not None:
            return cached
        self._assigned[site.id] = NONE
        binding = self.resolver.lookup(site)
        scope = self.resolver.scope_of(binding) if binding is not None else self.root
        word = name.encode()
        src = self.source
        self.steps.search(scope.end_byte - scope.start_byte)
        found: list[Labels] = []
        i = src.find(word, scope.start_byte, scope.end_byte)
        uses = 0
        while i != -1 and uses < 64:
            end = i + len(word)
            if (i == 0 or src[i - 1] not in IDENT) and (end >= len(src) or src[end] not in IDENT):
                self.steps.tick()
                ident = self.root.descendant_for_byte_range(i, end)
                if ident is not None and ident.type == "identifier" and ident.id != site.id:
                    uses += 1
                    found.append(self._written(ident))
            i = src.find(word, end, scope.end_byte)
        result = merge(*found)
        self._assigned[site.id] = result
        return result

    def _written(self, ident: Node) -> Labels:
        parent = self.resolver.parent(ident)
        if parent is None:
            return NONE
        if parent.type in {"assignment_expression", "augmented_assignment_expression"}:
            if parent.child_by_field_name("left") == ident:
                right = parent.child_by_field_name("right")
                return self.labels(right) if right is not None else NONE
            return NONE
        if (
            parent.type in {"member_expression", "subscript_expression"}
            and parent.child_by_field_name("object") == ident
        ):
            grand = self.resolver.parent(parent)
            if grand is None:
                return NONE
            if grand.type == "assignment_expression" and grand.child_by_field_name("left") == parent:
                right = grand.child_by_field_name("right")
                return self.labels(right) if right is not None else NONE
            if grand.type == "call_expression" and self.resolver.property_name(parent) in {
                "push",
                "unshift",
                "set",
                "append",
                "write",
                "add",
            }:
                return through(self._arguments(grand), self.resolver.property_name(parent) or "")
        return NONE

    def _parameter(self, site: Node) -> Labels:
        """A parameter carries what callers pass (call sites in this file), and symbolically
        `Param(function, index)` for callers in other files."""
        fn, index = self._function_of_parameter(site)
        if fn is None:
            return NONE
        found: list[Labels] = [
            (Label(Kind.PARAM, f"{fn.start_byte}:{index}", self.text.evidence(site)),),
        ]
        if index == 0 and self._key_listener(fn):
            found.append((Label(Kind.BROWSER, "keystrokes", self.text.evidence(site)),))
        replaced = self._replaced_network_function(fn)
        if replaced is not None:
            found.append((Label(Kind.INTERCEPTED, f"{fn.start_byte}:{replaced}", self.text.evidence(site)),))
        parent = self.resolver.parent(fn)
        # A callback: `list.forEach(x => …)`, `p.then(v => …)`, `fs.readFile(path, (err, data) => …)`.
        if parent is not None and parent.type == "arguments":
            call = self.resolver.parent(parent)
            callee = self._callee(call) if call is not None else None
            if call is not None and callee is not None:
                value = self.resolver.evaluate(callee)
                if isinstance(value, Ref) and value.path in _FILE_READS and index == 1:
                    found.append(self._file_read(call, value.path))
                elif isinstance(value, Ref) and value.path in _OUTPUT_CALLBACK and index == 1:
                    found.append(self._command_output(call, value.path))  # exec(cmd, (err, stdout) => …)
                elif callee.type == "member_expression":
                    method = self.resolver.property_name(callee)
                    receiver = callee.child_by_field_name("object")
                    if method in _ITERATING and receiver is not None and index == 0:
                        found.append(self._env_keys_or(receiver, method or ""))
                    elif method in _LISTENERS and receiver is not None and self._receives(receiver):
                        # socket.on('data', d => …), ws.on('message', m => …), io.on('command', c => …)
                        origin = self.text_of(receiver, 40)
                        found.append((Label(Kind.REMOTE, origin, self.text.evidence(site)),))
        for call in self._call_sites(fn):
            arguments = call.child_by_field_name("arguments")
            if arguments is None:
                continue
            args = [a for a in arguments.named_children if a.type != "comment"]
            if index < len(args):
                found.append(through(self.labels(args[index]), f"argument of {self._name_of(fn)}"))
        return merge(*found)

    def _page_secret_call(self, call: Node, page: str) -> bool:
        """`new FormData(form)` reads a form (`new FormData()` is an empty upload body); `getItem(k)` reads a
        secret when `k` is computed or names one (analytics SDKs read their own ids, `ph_…`, `amplitude_…`)."""
        args = self._argument_nodes(call)
        if page == "form contents":
            return bool(args)
        key = as_text(self.resolver.evaluate(args[0])) if args else None
        return key is None or _SECRET_STORAGE_KEY.search(key) is not None

    def _listener_registration(self, fn: Node) -> tuple[Node, Node] | None:
        """(call, callee) when `fn` is an argument of `x.on(…)`, `x.addEventListener(…)` and the like."""
        holder = self.resolver.parent(fn)
        if holder is None or holder.type != "arguments":
            return None
        call = self.resolver.parent(holder)
        callee = self._callee(call) if call is not None else None
        if (
            call is None
            or callee is None
            or callee.type != "member_expression"
            or self.resolver.property_name(callee) not in _LISTENERS
        ):
            return None
        return call, callee

    def _key_listener(self, fn: Node) -> bool:
        """`document.addEventListener('keydown', e => …)`, `el.onkeypress = function (e) {…}`: its event
        carries what the user types."""
        holder = self.resolver.parent(fn)
        if holder is not None and holder.type == "arguments":
            registration = self._listener_registration(fn)
            if registration is None:
                return False
            args = self._argument_nodes(registration[0])
            return (
                len(args) >= 2 and args[1] == fn and as_text(self.resolver.evaluate(args[0])) in _KEY_EVENTS
            )
        if (
            holder is not None
            and holder.type == "assignment_expression"
            and holder.child_by_field_name("right") == fn
        ):
            left = holder.child_by_field_name("left")
            name = (
                self.resolver.property_name(left)
                if left is not None and left.type == "member_expression"
                else None
            )
            return name is not None and name.removeprefix("on") in _KEY_EVENTS and name.startswith("on")
        return False

    def _replaced_network_function(self, fn: Node) -> str | None:
        """The network function `fn` is assigned over (`https.request = fn`, `globalThis.fetch = fn`,
        `XMLHttpRequest.prototype.send = fn`): the application's requests then pass through `fn`."""
        holder = self.resolver.parent(fn)
        while holder is not None and holder.type == "parenthesized_expression":
            holder = self.resolver.parent(holder)
        if holder is None or holder.type != "assignment_expression":
            return None
        left = holder.child_by_field_name("left")
        if left is None or left.type not in {"member_expression", "subscript_expression"}:
            return None
        value = self.resolver.evaluate(left)
        if not isinstance(value, Ref):
            return None
        path = value.path
        if path in _NETWORK_CALLS or path in _INTERCEPTABLE:
            return path
        return None

    def _receives(self, receiver: Node) -> bool:
        """Whether `receiver` is a network object whose events carry received data: a socket, WebSocket or
        client made by a network call, or the response a network call hands its callback."""
        if self._origin(receiver) is not None or self._client(_strip(receiver)) is not None:
            return True
        node = _strip(receiver)
        if node.type != "identifier":
            return False
        binding = self.resolver.lookup(node)
        if binding is None:
            return False
        if binding.parameter:
            fn, _ = self._function_of_parameter(binding.site)
            parent = self.resolver.parent(fn) if fn is not None else None
            call = self.resolver.parent(parent) if parent is not None and parent.type == "arguments" else None
            if call is not None and call.type in {"call_expression", "new_expression"}:
                # https.get(url, res => …), net.createServer(sock => …), server.on('connection', s => …)
                return self._sink_kind(call) is not None or self._origin(call) is not None
            return False
        return binding.value is not None and self._origin(binding.value) is not None

    def _env_keys_or(self, receiver: Node, method: str) -> Labels:
        """`Object.keys(process.env).forEach(k => … process.env[k] …)` is iterating the environment."""
        node = _strip(receiver)
        if node.type == "call_expression" and self.text_of(node, 40).startswith("Object.keys"):
            args = self._argument_nodes(node)
            if args and self._is_env(args[0]):
                return (Label(Kind.ENV_DUMP, "process.env", self.text.evidence(node)).through("Object.keys"),)
        return through(self.labels(receiver), method)

    def _function_of_parameter(self, site: Node) -> tuple[Node | None, int]:
        node: Node | None = self.resolver.parent(site)
        child = site
        while node is not None and node.type not in FUNCTION_TYPES:
            if node.type != "formal_parameters":
                child = node
            node = self.resolver.parent(node)
        if node is None:
            return None, 0
        params = node.child_by_field_name("parameters")
        if params is None:
            return node, 0
        index = 0
        for i, p in enumerate(c for c in params.named_children if c.type != "comment"):
            if p.start_byte <= child.start_byte and child.end_byte <= p.end_byte:
                index = i
                break
        return node, index

    def _name_of(self, fn: Node) -> str:
        name = fn.child_by_field_name("name")
        if name is not None:
            text = self.text_of(name, 60)
            if text == "constructor":
                cls = self._enclosing_class(fn)
                cls_name = cls.child_by_field_name("name") if cls is not None else None
                return self.text_of(cls_name, 60) if cls_name is not None else text
            return text
        parent = self.resolver.parent(fn)
        if parent is not None and parent.type in {"variable_declarator", "pair", "assignment_expression"}:
            target = (
                parent.child_by_field_name("name")
                or parent.child_by_field_name("key")
                or parent.child_by_field_name("left")
            )
            if target is not None:
                text = self.text_of(target, 60)
                return text.rsplit(".", 1)[-1]
        return ""

    def _enclosing_class(self, node: Node) -> Node | None:
        current = self.resolver.parent(node)
        while current is not None:
            if current.type in {"class_declaration", "class"}:
                return current
            current = self.resolver.parent(current)
        return None

    def _call_sites(self, fn: Node) -> list[Node]:
        """Calls of `fn` by its name (`name(…)`, `x.name(…)`, `new Name(…)`), at most MAX_CALL_SITES:
        context-insensitive, which over-approximates and stays bounded. A declared name is searched in the
        scope that declares it; a method name in the whole file. Searches are cached by (name, range) and
        at most MAX_SITE_SEARCHES are made per file (past that a function has no known callers: its data
        is still followed through its parameters' other sources, and its sinks count as not load-time)."""
        name = self._name_of(fn)
        if not name or not name.isidentifier():
            return []
        start, end = 0, len(self.source)
        declared = fn.child_by_field_name("name")
        if declared is not None and fn.type != "method_definition":
            binding = self.resolver.lookup(declared)
            if binding is not None:
                scope = self.resolver.scope_of(binding)
                start, end = scope.start_byte, scope.end_byte
        key = (name, start, end)
        cached = self._sites.get(key)
        if cached is not None:
            return cached
        sites: list[Node] = []
        self._sites[key] = sites
        if self._site_searches >= MAX_SITE_SEARCHES:
            return sites
        self._site_searches += 1
        word = name.encode()
        src = self.source
        self.steps.search(end - start)
        i = src.find(word, start, end)
        while i != -1 and len(sites) < MAX_CALL_SITES:
            stop = i + len(word)
            if (i == 0 or src[i - 1] not in IDENT) and (stop >= len(src) or src[stop] not in IDENT):
                self.steps.tick()
                ident = self.root.descendant_for_byte_range(i, stop)
                if ident is not None and ident.type in {"identifier", "property_identifier"}:
                    call = self._call_of(ident)
                    if call is not None:
                        sites.append(call)
            i = src.find(word, stop, end)
        return sites

    def _member(self, node: Node) -> Labels:
        obj = node.child_by_field_name("object")
        if obj is None:
            return NONE
        name = self.resolver.property_name(node)
        if self._is_env(obj):
            if name is not None:
                if secret_env_name(name):
                    return (Label(Kind.SECRET_ENV, name, self.text.evidence(node)),)
                return NONE
            if self._env_iteration_key(node):
                return (Label(Kind.ENV_DUMP, "process.env", self.text.evidence(node)).through("for…in"),)
            return NONE
        found: list[Labels] = [self.labels(obj)]
        if name is not None and key_material_name(name):
            found.append((Label(Kind.KEY_MATERIAL, name, self.text.evidence(node)),))
        return merge(*found)

    def _env_iteration_key(self, node: Node) -> bool:
        """`process.env[k]` where k iterates the environment's keys (for…in, Object.keys(...).forEach)."""
        index = node.child_by_field_name("index")
        if index is None or index.type != "identifier":
            return False
        binding = self.resolver.lookup(index)
        if binding is None:
            return False
        parent = self.resolver.parent(binding.site)
        for _ in range(3):
            if parent is None:
                return False
            if parent.type == "for_in_statement":
                right = parent.child_by_field_name("right")
                return right is not None and self._is_env(right)
            parent = self.resolver.parent(parent)
        if binding.parameter:
            labels = self._parameter(binding.site)
            return any(label.kind is Kind.ENV_DUMP for label in labels)
        return False

    def _this(self, node: Node) -> Labels:
        """Field-insensitive: `this` carries whatever any `this.f = v` in its class (or function) stores."""
        scope = self._enclosing_class(node)
        if scope is None:
            current = self.resolver.parent(node)
            while current is not None and current.type not in FUNCTION_TYPES - {"arrow_function"}:
                current = self.resolver.parent(current)
            scope = current or self.root
        cached = self._this_fields.get(scope.id)
        if cached is not None:
            return cached
        self._this_fields[scope.id] = NONE
        src = self.source
        self.steps.search(scope.end_byte - scope.start_byte)
        found: list[Labels] = []
        i = src.find(b"this", scope.start_byte, scope.end_byte)
        count = 0
        while i != -1 and count < 256:
            end = i + 4
            if (i == 0 or src[i - 1] not in IDENT) and src[end : end + 1] in {b".", b"["}:
                count += 1
                self.steps.tick()
                this = self.root.descendant_for_byte_range(i, end)
                member = self.resolver.parent(this) if this is not None else None
                grand = self.resolver.parent(member) if member is not None else None
                if (
                    grand is not None
                    and grand.type == "assignment_expression"
                    and grand.child_by_field_name("left") == member
                ):
                    right = grand.child_by_field_name("right")
                    if right is not None:
                        field = self.resolver.property_name(member) if member is not None else None
                        found.append(through(self.labels(right), f"this.{field or '[…]'}"))
            i = src.find(b"this", end, scope.end_byte)
        result = merge(*found)
        self._this_fields[scope.id] = result
        return result

    def _container(self, node: Node) -> Labels:
        found: list[Labels] = []
        for child in node.named_children[:256]:
            if child.type == "pair":
                value = child.child_by_field_name("value")
                key_node = child.child_by_field_name("key")
                if key_node is not None and self.text_of(key_node, 20).strip("'\"") in _TLS_OPTIONS:
                    continue  # client certificates and keys configure TLS; they are not sent
                if value is not None:
                    found.append(self.labels(value))
                key = child.child_by_field_name("key")
                if key is not None and key.type == "computed_property_name" and key.named_children:
                    found.append(self.labels(key.named_children[0]))
            elif child.type == "spread_element":
                inner = child.named_children[0] if child.named_children else None
                if inner is not None:
                    found.append(through(self.labels(inner), "spread"))
            elif child.type not in {"method_definition", "comment"}:
                found.append(self.labels(child))
        return merge(*found)

    def _arguments(self, call: Node) -> Labels:
        return merge(*(self.labels(a) for a in self._argument_nodes(call)))

    def _argument_nodes(self, call: Node) -> list[Node]:
        arguments = call.child_by_field_name("arguments")
        if arguments is None:
            return []
        if arguments.type == "template_string":
            return [arguments]
        return [a for a in arguments.named_children if a.type != "comment"]

    def _call(self, node: Node) -> Labels:
        callee = self._callee(node)
        if callee is None:
            return NONE
        callee = _strip(callee)
        value = self.resolver.evaluate(callee)
        if not isinstance(value, Ref | Imported):
            global_name = self._global_name(callee)
            if global_name is not None:
                value = Ref(Space.GLOBAL, global_name)
        if isinstance(value, Ref) and value.space is not Space.REQUIRE:
            # require('buffer').Buffer is the global Buffer (@solana/web3.js calls `buffer.Buffer.from`).
            path = (
                value.path.removeprefix("buffer.") if value.path.startswith("buffer.Buffer") else value.path
            )
            if path in _FILE_READS and not path.startswith(("fs.readdir", "fs.promises.readdir")):
                return self._file_read(node, path)
            if path in _OUTPUT_RETURNING:
                return self._command_output(node, path)
            if path in _IDENTITY:
                if path == "os.homedir":
                    return NONE
                return (Label(Kind.IDENTITY, path, self.text.evidence(node)),)
            page = _PAGE_CALLS.get(path.removeprefix("window."))
            if page is not None and self._page_secret_call(node, page):
                return (Label(Kind.BROWSER, page, self.text.evidence(node)),)
            if _ONE_WAY.match(path):
                return NONE
            if path in _ENCODERS or (node.type == "new_expression" and path in _CONSTRUCTED):
                return through(self._arguments(node), path)
            if path.startswith(("zlib.", "crypto.createCipher")):
                return through(self._arguments(node), path)
            if path == "fetch":
                return self._received(node, "fetch")
            return NONE
        if isinstance(value, Imported):
            if value.specifier.startswith("."):
                return (Label(Kind.IMPORT, f"{value.specifier}\0default", self.text.evidence(node)),)
            if value.specifier in _CLIENT_PACKAGES:
                return self._received(node, value.specifier)
            return NONE
        if callee.type in {"identifier"}:
            binding = self.resolver.lookup(callee)
            if binding is not None and binding.specifier is not None:
                return self._identifier(callee)
            fn = self._local_function(callee)
            if fn is not None:
                return through(self._function_returns(fn), f"{self._name_of(fn) or 'function'}()")
            return NONE
        if callee.type == "member_expression":
            method = self.resolver.property_name(callee)
            receiver = callee.child_by_field_name("object")
            if receiver is None or method is None:
                return NONE
            inner = self.resolver.evaluate(receiver)
            if isinstance(inner, Imported) and inner.specifier.startswith("."):
                return (Label(Kind.IMPORT, f"{inner.specifier}\0{method}", self.text.evidence(node)),)
            if isinstance(inner, Imported) and inner.specifier in _CLIENT_PACKAGES:
                return self._received(node, inner.specifier)
            if method in _ONE_WAY_METHODS or self._one_way_chain(receiver):
                return NONE
            own = self._class_method(receiver, method)
            if own is not None:
                return through(self._function_returns(own), f"{method}()")
            if method in {"call", "apply"}:
                fn = self._local_function(receiver) if receiver.type == "identifier" else None
                return self._function_returns(fn) if fn is not None else NONE
            found = [through(self.labels(receiver), f".{method}()")]
            if method in _ARG_METHODS:
                found.append(through(self._arguments(node), f".{method}()"))
            return merge(*found)
        return NONE

    def _global_name(self, callee: Node) -> str | None:
        """`encodeURIComponent`, `btoa`, `Buffer.from`: a free name the resolver does not model."""
        root = callee
        while root.type == "member_expression":
            obj = root.child_by_field_name("object")
            if obj is None:
                return None
            root = obj
        if root.type != "identifier" or self.resolver.lookup(root) is not None:
            return None
        text = self.text_of(callee, 60)
        return text if text.replace(".", "").replace("_", "").replace("$", "").isalnum() else None

    def _class_method(self, receiver: Node, method: str) -> Node | None:
        """`this.helper(…)` inside a class: the method, whose returns are what the call gives."""
        if _strip(receiver).type != "this":
            return None
        cls = self._enclosing_class(receiver)
        if cls is None:
            return None
        for candidate in self._class_methods(cls):
            if self._name_of(candidate) == method:
                return candidate
        return None

    def _one_way_chain(self, receiver: Node) -> bool:
        node = _strip(receiver)
        for _ in range(8):
            if node.type != "call_expression":
                return False
            callee = self._callee(node)
            if callee is None:
                return False
            value = self.resolver.evaluate(callee)
            if isinstance(value, Ref) and _ONE_WAY.match(value.path):
                return True
            if callee.type != "member_expression":
                return False
            obj = callee.child_by_field_name("object")
            if obj is None:
                return False
            node = _strip(obj)
        return False

    def _file_read(self, call: Node, path: str) -> Labels:
        args = self._argument_nodes(call)
        if not args:
            return NONE
        found: list[Label] = []
        for label in self.labels(args[0]):
            if label.kind is Kind.SECRET_PATH:
                found.append(Label(Kind.SECRET_FILE, label.detail, label.evidence, (*label.via, path)))
            elif label.kind is Kind.HISTORY:
                found.append(label.through(path))
        return merge(tuple(found))

    def _command_output(self, call: Node, path: str) -> Labels:
        """What a command prints, when the command is a constant that prints a credential (`commands`)."""
        args = self._argument_nodes(call)
        if not args:
            return NONE
        parts = [as_text(self.resolver.evaluate(args[0]))]
        if path.endswith(("execFileSync", "execFile", "spawnSync")) and len(args) > 1:
            listed = self.resolver.evaluate(args[1])
            if isinstance(listed, Arr):
                parts.extend(as_text(item) for item in listed.items)
        command = " ".join(p for p in parts if p is not None)
        secret = command_secret(command) if command else None
        if secret is None:
            return NONE
        kind, detail = secret
        return (Label(kind, detail, self.text.evidence(call), (f"output of `{command[:60]}`",)),)

    def _local_function(self, ident: Node) -> Node | None:
        binding = self.resolver.lookup(ident)
        if binding is None:
            return None
        site_parent = self.resolver.parent(binding.site)
        if site_parent is not None and site_parent.type in FUNCTION_TYPES:
            return site_parent
        if binding.value is not None:
            value = _strip(binding.value)
            if value.type in FUNCTION_TYPES:
                return value
        return None

    def _function_returns(self, fn: Node) -> Labels:
        cached = self._returns.get(fn.id)
        if cached is not None:
            return cached
        self._returns[fn.id] = NONE
        body = fn.child_by_field_name("body")
        found: list[Labels] = []
        if body is not None and body.type != "statement_block":
            found.append(self.labels(body))
        elif body is not None:
            for ret in self._returns_in(body):
                if ret.named_children:
                    found.append(self.labels(ret.named_children[0]))
        result = merge(*found)
        self._returns[fn.id] = result
        return result

    def _returns_in(self, body: Node) -> Iterator[Node]:
        src = self.source
        self.steps.search(body.end_byte - body.start_byte)
        i = src.find(b"return", body.start_byte, body.end_byte)
        count = 0
        while i != -1 and count < 64:
            end = i + 6
            if (i == 0 or src[i - 1] not in IDENT) and (end >= len(src) or src[end] not in IDENT):
                node = self.root.descendant_for_byte_range(i, end)
                statement = self.resolver.parent(node) if node is not None else None
                # a return of this function, not of a function nested in it
                if (
                    statement is not None
                    and statement.type == "return_statement"
                    and self._owner(statement) == self.resolver.parent(body)
                ):
                    count += 1
                    yield statement
            i = src.find(b"return", end, body.end_byte)

    def _owner(self, node: Node) -> Node | None:
        current = self.resolver.parent(node)
        while current is not None and current.type not in FUNCTION_TYPES:
            current = self.resolver.parent(current)
        return current

    # ---- when a sink runs ----------------------------------------------------------------------------
    def _load_time(self, node: Node, depth: int = 0) -> bool:
        fn = self._owner(node)
        if fn is None:
            return True
        cached = self._load.get(fn.id)
        if cached is not None:
            return cached
        if depth > MAX_LOAD_DEPTH:
            return False
        self._load[fn.id] = False
        result = False
        parent = self.resolver.parent(fn)
        if parent is not None and parent.type in {"call_expression", "parenthesized_expression"}:
            # an IIFE: (function () { … })() or (() => …)()
            call = parent if parent.type == "call_expression" else self.resolver.parent(parent)
            if call is not None and call.type == "call_expression":
                result = self._load_time(call, depth + 1)
        if not result and parent is not None and parent.type == "arguments":
            # a callback given to a call that runs at load: setTimeout(fn), p.then(fn), https.get(u, res => …)
            call = self.resolver.parent(parent)
            result = call is not None and self._load_time(call, depth + 1)
        if not result and parent is not None and assigned_as_handler(self.resolver, parent, fn):
            # `ws.onopen = () => …`, `xhr.onload = function () { … }`: the event runs it, as a callback
            result = self._load_time(parent, depth + 1)
        if not result:
            for call in self._call_sites(fn):
                if self._owner(call) != fn and self._load_time(call, depth + 1):
                    result = True
                    break
        self._load[fn.id] = result
        return result

    def exports(self) -> dict[int, str]:
        """Function start byte → export name ("default" for module.exports / export default)."""
        if self._exports is not None:
            return self._exports
        found: dict[int, str] = {}
        self._exports = found
        for node, name in self._exported_values():
            fn = _strip(node)
            if fn.type == "identifier":
                local = self._local_function(fn)
                if local is not None:
                    fn = local
            if fn.type in FUNCTION_TYPES:
                found.setdefault(fn.start_byte, name)
            elif fn.type in {"class", "class_declaration"}:
                for method in self._class_methods(fn):
                    method_name = self._name_of(method)
                    found.setdefault(method.start_byte, name if method_name == "constructor" else method_name)
            elif fn.type == "identifier":
                binding = self.resolver.lookup(fn)
                site = self.resolver.parent(binding.site) if binding is not None else None
                if site is not None and site.type in {"class_declaration", "class"}:
                    for method in self._class_methods(site):
                        method_name = self._name_of(method)
                        found.setdefault(
                            method.start_byte, name if method_name == "constructor" else method_name
                        )
        return found

    def _class_methods(self, cls: Node) -> list[Node]:
        body = cls.child_by_field_name("body")
        return [m for m in body.named_children if m.type == "method_definition"] if body is not None else []

    def _exported_values(self) -> Iterator[tuple[Node, str]]:
        for match in _EXPORTS.finditer(self.source):
            self.steps.tick()
            at = match.start()
            text = match.group(0)
            if not text.startswith((b"module.exports", b"exports.")):
                start = at + text.find(b"export")
                node = self.root.descendant_for_byte_range(start, start + 6)
                statement = self.resolver.parent(node) if node is not None else None
                if statement is None or statement.type != "export_statement":
                    continue
                declaration = statement.child_by_field_name("declaration") or statement.child_by_field_name(
                    "value"
                )
                default = any(c.type == "default" for c in statement.children)
                if declaration is None:
                    continue
                if declaration.type in FUNCTION_TYPES or declaration.type in {"class_declaration", "class"}:
                    name = declaration.child_by_field_name("name")
                    yield declaration, "default" if default or name is None else self.text_of(name)
                elif declaration.type in {"lexical_declaration", "variable_declaration"}:
                    for declarator in declaration.named_children:
                        if declarator.type == "variable_declarator":
                            name = declarator.child_by_field_name("name")
                            value = declarator.child_by_field_name("value")
                            if name is not None and value is not None:
                                yield value, self.text_of(name)
                elif default:
                    yield declaration, "default"
                continue
            ident = self.root.descendant_for_byte_range(at, at + 1)
            member = self.resolver.parent(ident) if ident is not None else None
            if member is None or member.type != "member_expression":
                continue
            top = member
            parent = self.resolver.parent(top)
            while parent is not None and parent.type == "member_expression":
                top, parent = parent, self.resolver.parent(parent)
            if (
                parent is None
                or parent.type != "assignment_expression"
                or parent.child_by_field_name("left") != top
            ):
                continue
            right = parent.child_by_field_name("right")
            if right is None:
                continue
            left_text = self.text_of(top, 120)
            if left_text in {"module.exports", "exports"}:
                yield right, "default"
                inner = _strip(right)
                if inner.type == "object":
                    for pair in inner.named_children:
                        if pair.type == "pair":
                            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                            if key is not None and value is not None:
                                yield value, self.text_of(key).strip("'\"")
                        elif pair.type == "shorthand_property_identifier":
                            yield pair, self.text_of(pair)
                        elif pair.type == "method_definition":
                            yield pair, self._name_of(pair)
            else:
                yield right, left_text.rsplit(".", 1)[-1]

    def _export_values(self) -> Iterator[ExportValue]:
        """What exports return, for importers' sinks. Exports whose text holds a source word go first;
        at most MAX_EXPORT_VALUES are followed (a file exporting hundreds of functions is a library
        surface, and a stealer's collector is the export that reads the secret)."""
        seen: set[str] = set()
        exported = list(self._exported_values())
        positions = [m.start() for m in SOURCE_WORDS.finditer(self.source)]
        exported.sort(
            key=lambda item: not any(item[0].start_byte <= at < item[0].end_byte for at in positions[:256])
        )
        for node, name in exported[:MAX_EXPORT_VALUES]:
            if name in seen:
                continue
            inner = _strip(node)
            if inner.type == "identifier":
                local = self._local_function(inner)
                if local is not None:
                    inner = local
            labels = self._function_returns(inner) if inner.type in FUNCTION_TYPES else self.labels(inner)
            concrete = tuple(
                lb for lb in labels if lb.kind not in {Kind.PARAM, Kind.IMPORT, Kind.SECRET_PATH}
            )
            if concrete:
                seen.add(name)
                yield ExportValue(name, concrete)

    def _call_outs(self) -> Iterator[CallOut]:
        """Calls of relative modules' exports with labelled arguments (`require('./send')(secret)`)."""
        emitted = 0
        for match in _RELATIVE.finditer(self.source):
            self.steps.tick()
            specifier = match.group(1).decode("utf-8", "replace")
            node = self.root.descendant_for_byte_range(match.start(1), match.end(1))
            # climb from the string to its require call / import statement
            current = node
            for _ in range(4):
                if current is None or current.type in {"call_expression", "import_statement"}:
                    break
                current = self.resolver.parent(current)
            if current is None:
                continue
            for call, export in self._uses_of_module(current):
                for index, arg in enumerate(self._argument_nodes(call)[:8]):
                    labels = tuple(
                        lb
                        for lb in self.labels(arg)
                        if lb.kind not in {Kind.PARAM, Kind.IMPORT, Kind.SECRET_PATH}
                    )
                    if labels:
                        emitted += 1
                        yield CallOut(specifier, export, index, labels, self._load_time(call))
                if emitted >= 32:
                    return

    def _uses_of_module(self, loader: Node) -> Iterator[tuple[Node, str]]:
        """(call, export) for calls of what `loader` (a require call or import statement) binds."""
        if loader.type == "call_expression":
            parent = self.resolver.parent(loader)
            if parent is not None and parent.type == "call_expression" and self._callee(parent) == loader:
                yield parent, "default"
                return
            if parent is not None and parent.type == "member_expression":
                grand = self.resolver.parent(parent)
                name = self.resolver.property_name(parent)
                if grand is not None and grand.type == "call_expression" and name is not None:
                    yield grand, name
                return
            if parent is not None and parent.type == "variable_declarator":
                name_node = parent.child_by_field_name("name")
                if name_node is None:
                    return
                if name_node.type == "identifier":
                    yield from self._calls_of_name(name_node, None)
                elif name_node.type == "object_pattern":
                    for child in name_node.named_children:
                        if child.type == "shorthand_property_identifier_pattern":
                            yield from self._calls_of_name(child, self.text_of(child))
            return
        for child in loader.named_children:
            if child.type == "import_clause":
                for part in child.named_children:
                    if part.type == "identifier":
                        yield from self._calls_of_name(part, None)
                    elif part.type == "named_imports":
                        for spec in part.named_children:
                            imported = spec.child_by_field_name("name")
                            alias = spec.child_by_field_name("alias") or imported
                            if imported is not None and alias is not None:
                                yield from self._calls_of_name(alias, self.text_of(imported))

    def _calls_of_name(self, site: Node, export: str | None) -> Iterator[tuple[Node, str]]:
        word = self.text_of(site).encode()
        src = self.source
        self.steps.search(len(src))
        i = src.find(word)
        count = 0
        while i != -1 and count < MAX_CALL_SITES:
            end = i + len(word)
            if (i == 0 or src[i - 1] not in IDENT) and (end >= len(src) or src[end] not in IDENT):
                ident = self.root.descendant_for_byte_range(i, end)
                if ident is not None and ident.type == "identifier" and ident.id != site.id:
                    parent = self.resolver.parent(ident)
                    if (
                        parent is not None
                        and parent.type == "call_expression"
                        and self._callee(parent) == ident
                    ):
                        count += 1
                        yield parent, export or "default"
                    elif parent is not None and parent.type == "member_expression" and export is None:
                        grand = self.resolver.parent(parent)
                        name = self.resolver.property_name(parent)
                        if grand is not None and grand.type == "call_expression" and name is not None:
                            count += 1
                            yield grand, name
            i = src.find(word, end)

    # ---- helpers ---------------------------------------------------------------------------------------
    def text_of(self, node: Node, limit: int = 200) -> str:
        return self.resolver.text(node, limit)


def _import_names(statement: Node) -> Iterator[Node]:
    for child in statement.named_children:
        if child.type == "import_clause":
            for part in child.named_children:
                if part.type == "identifier":
                    yield part
                elif part.type == "namespace_import":
                    yield from (c for c in part.named_children if c.type == "identifier")
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        alias = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                        if alias is not None and alias.type == "identifier":
                            yield alias


def _unapplied(value: Value) -> Value:
    """`f.call(thisArg, …)` / `f.apply(thisArg, args)` call `f`: the function, for sink and creator lookups."""
    if isinstance(value, Applied):
        return value.target
    if isinstance(value, Ref):
        for suffix in (".call", ".apply"):
            if value.path.endswith(suffix):
                return Ref(value.space, value.path[: -len(suffix)])
    return value


def _strip(node: Node) -> Node:
    for _ in range(16):
        if node.type in {
            "parenthesized_expression",
            "await_expression",
            "as_expression",
            "non_null_expression",
        }:
            children = node.named_children
            if not children:
                return node
            node = children[0]
        else:
            return node
    return node


def _names_env(node: Node, text_of: Callable[[Node], str]) -> bool:
    """`x.env` or `x['env']`: a candidate for `process.env` reached through another name
    (`Function('return this')()['pro' + 'cess'].env`); the resolver decides whether it is one."""
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return prop is not None and text_of(prop) == "env"
    index = node.child_by_field_name("index")
    return index is not None and text_of(index).strip("'\"`") == "env"


def _short_path(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


def constant_string(value: object) -> str | None:
    return value.value if isinstance(value, Str) else None
