"""Browser-side attacks: code that hooks the page's network, wallet, clipboard or forms to rewrite or steal.

The chalk/debug compromise (Sept 2025) added obfuscated code to `index.js` that, in a browser, wrapped
`fetch`, `XMLHttpRequest.prototype.open/send` and `window.ethereum.request/send`, and rewrote the
cryptocurrency addresses in responses and transactions into the closest (Levenshtein) of hundreds of attacker
addresses. Clippers swap a copied address for theirs; drainers prompt for a wallet and send transactions to a
hard-coded address; skimmers read password fields and post them out.

Hooking alone is ordinary: polyfills define `fetch`, zone.js, Sentry, Datadog and OpenTelemetry wrap `fetch`
and XHR, msw and pace.js replace them, wallet connectors call `ethereum.request`. What no such library does is
put a hook next to the *rewrite*: lists of wallet addresses, address-scanning regular expressions applied to
replace text, a transaction's recipient reassigned. So a hook alone is context (info), a hook with the rewrite
is critical, and an obfuscated load-time file that installs a hook is critical (no library needs to hide that).

This module reads a file's own bytes (`PackageFacts.text`): the shapes are textual (assignments to global
members, address literals, regex sources) and hold in minified and obfuscated code, where names are lost but
globals, string arrays and regex literals survive. Every pattern is RE2 (linear) and the address scans only run
on files where a hook or clipboard use was found, so big bundles cost one extra pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import re2

from airlock.analysis.dataflow.judge import is_browser_theft
from airlock.analysis.facts import Reach, has_network, network_evidence
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.capabilities import FileCapabilities
    from airlock.analysis.facts import PackageFacts

FAMILY = "browser"

WALLET_HIJACK = declare(
    "browser-wallet-hijack",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="Code that wraps `fetch`, `XMLHttpRequest` or a wallet provider (`window.ethereum.request`, "
    "Solana/Tron providers) also carries lists of wallet addresses or rewrites addresses (an address-scanning "
    "regex used to replace text, a transaction's recipient reassigned).",
    why="The chalk/debug (Sept 2025, 2.6B weekly downloads) and @duckdb payload: hooks on every response and "
    "transaction, matches of address regexes swapped for the closest attacker address. Polyfills and "
    "monitoring SDKs wrap fetch/XHR but never carry address lists or rewrite recipients. High instead of "
    "critical for a list with no means to rewrite (no address-scanning regex, no recipient reassigned) "
    "unless it spans several chains in code that runs on load.",
    references=(
        "https://www.aikido.dev/blog/npm-debug-and-chalk-packages-compromised",
        "https://github.com/debug-js/debug/issues/1005",
    ),
    behaviour=Behaviour.EXFILTRATION,
)
CLIPBOARD_HIJACK = declare(
    "browser-clipboard-hijack",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="Code that reads or intercepts the clipboard (`readText`, copy/paste listeners) writes a "
    "hard-coded wallet address, or one chosen from a list, back to it.",
    why="Clipper malware: the user copies their own or a payee's address and pastes the attacker's. A "
    "copy-to-clipboard helper writes what it is given and never reads the clipboard to decide.",
    references=("https://www.bleepingcomputer.com/news/security/clipboard-hijacking-malware/",),
    behaviour=Behaviour.EXFILTRATION,
)
WALLET_DRAINER = declare(
    "browser-wallet-drainer",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="Code that asks the wallet for accounts and sends a transaction or token approval to a "
    "hard-coded address also POSTs to a hard-coded remote URL.",
    why="@lottiefiles/lottie-player 2.0.5–2.0.7 (Oct 2024) and Ledger connect-kit 1.1.5–1.1.7 (Dec 2023) "
    "shipped wallet-drainer prompts: connect, report the victim's wallet to the operator, send funds or "
    "approvals to the attacker. Wallet libraries take the recipient from their caller. Critical when the "
    "file runs on load, high in library code.",
    references=(
        "https://github.com/LottieFiles/lottie-player/issues/254",
        "https://www.ledger.com/blog/a-letter-from-ledger-chairman-ceo-pascal-gauthier-regarding-ledger-connect-kit-exploit",
    ),
    behaviour=Behaviour.EXFILTRATION,
)
FORM_GRABBER = declare(
    "browser-form-grabber",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="Code that listens to form submission or keystrokes page-wide and reads password fields also "
    "uses the network.",
    why="Skimmers (Magecart) and credential grabbers injected into front-end packages hook every form and "
    "post what is typed. Form libraries validate fields without reading passwords page-wide; a human "
    "should confirm where the values go.",
    behaviour=Behaviour.EXFILTRATION,
)
PAGE_DATA_THEFT = declare(
    "browser-data-exfiltration",
    family=FAMILY,
    severity=Severity.HIGH,
    summary="The page's cookies, web storage (localStorage/sessionStorage), keystrokes or form contents "
    "flow into a request to a host written in the code.",
    why="Session cookies and tokens in web storage log an attacker in as the user; keyloggers and skimmers "
    "post what is typed. A site's own code reaches its API by a relative or configured address, which is not "
    "reported; analytics that send a cookie-derived id to their vendor are, so a human confirms. Critical "
    "when the file names a webhook, OAST or tunnel host or a raw IP.",
    behaviour=Behaviour.EXFILTRATION,
)
OBFUSCATED_HOOK = declare(
    "browser-hook-obfuscated",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="Obfuscated code that runs when the package is loaded (or installed) replaces `fetch`, "
    "`XMLHttpRequest` methods, wallet provider methods, or hooks the clipboard or forms.",
    why="The chalk/debug payload was javascript-obfuscator output appended to index.js. Polyfills and "
    "instrumentation that hook these APIs are published readable; hiding the hook is the tell.",
    references=("https://www.aikido.dev/blog/npm-debug-and-chalk-packages-compromised",),
    behaviour=Behaviour.EXFILTRATION,
)
API_HOOK = declare(
    "browser-api-hook",
    family=FAMILY,
    severity=Severity.INFO,
    summary="Code replaces or wraps `fetch`, `XMLHttpRequest` methods or a wallet provider's methods.",
    why="Context: polyfills (whatwg-fetch), zone.js, monitoring SDKs and mocking libraries do this; the "
    "payload rules of this family decide when it is an attack.",
)

# ---- hooks ----------------------------------------------------------------------------------------
# Each alternative starts at a word the bytes must contain, so RE2 skips most of a big bundle. What
# precedes a match (a declaration keyword, a member dot) is checked by hand: RE2 has no look-behind.
_WALLET_OBJECTS = (
    rb"ethereum|solana|phantom\s*\.\s*(?:solana|ethereum)|tronWeb|tronLink|BinanceChain|trustwallet|"
    rb"okxwallet|coinbaseWalletExtension|[\w$]*[Pp]rovider"
)
_WALLET_METHODS = (
    rb"request|send|sendAsync|enable|signTransaction|signAllTransactions|signAndSendTransaction|"
    rb"signMessage|sign|sendTransaction"
)
_HOOK_PATTERNS: tuple[tuple[str, bytes], ...] = (
    # `window.fetch = …`, `globalThis['fetch'] = …`, `fetch = async (…) => …`
    (
        "fetch",
        rb"(?:(?:window|globalThis|self|global|top)\s*(?:\.\s*fetch|\[\s*['\x22`]fetch['\x22`]\s*\])|"
        rb"fetch)\s*=[^=>]|"
        rb"(?:defineProperty|Reflect\s*\.\s*set)\s*\(\s*(?:window|globalThis|self|global)\s*,\s*['\x22`]fetch['\x22`]",
    ),
    # `XMLHttpRequest.prototype.open = …`, obfuscated `XMLHttpRequest[_0x1('0x2')][_0x1('0x3')] = …`,
    # and the constructor replaced (`window.XMLHttpRequest = …`, pace.js).
    (
        "xhr",
        rb"XMLHttpRequest\s*(?:\.\s*prototype|\[[^\]\n]{1,40}\])\s*"
        rb"(?:\.\s*(?:open|send|setRequestHeader)|\[[^\]\n]{1,40}\])\s*=[^=>]|"
        rb"(?:window|globalThis|self)\s*\.\s*XMLHttpRequest\s*=[^=>]|"
        rb"(?:defineProperty|Reflect\s*\.\s*set|Object\s*\.\s*assign)\s*\(\s*XMLHttpRequest\s*\.\s*prototype\b",
    ),
    (
        "wallet",
        rb"(?:" + _WALLET_OBJECTS + rb")\s*\.\s*(?:" + _WALLET_METHODS + rb")\s*=[^=>]|"
        rb"tronWeb\s*\.\s*trx\s*\.\s*(?:sign\w*|sendRawTransaction)\s*=[^=>]|"
        rb"defineProperty\s*\(\s*(?:window|globalThis|self)\s*,\s*['\x22`](?:ethereum|solana|phantom|tronWeb)"
        rb"['\x22`]|(?:window|globalThis)\s*\.\s*(?:ethereum|solana)\s*=\s*new\s+Proxy\b|"
        rb"(?:defineProperty|Reflect\s*\.\s*set)\s*\(\s*(?:window\s*\.\s*)?(?:ethereum|solana|tronWeb)\s*,",
    ),
    (
        "clipboard-write",
        rb"clipboard\s*\.\s*write(?:Text)?\s*\(|clipboardData\s*\.\s*setData\s*\(|"
        rb"execCommand\s*\(\s*['\x22`]copy['\x22`]",
    ),
    (
        "clipboard-read",
        rb"clipboard\s*\.\s*read(?:Text)?\s*\(|addEventListener\s*\(\s*['\x22`](?:copy|paste|cut)['\x22`]|"
        rb"\bon(?:copy|paste)\s*=[^=]",
    ),
    (
        "form-capture",
        rb"(?:document|window|forms?\[[^\]\n]{1,20}\]|form)\s*\.\s*addEventListener\s*\(\s*['\x22`]"
        rb"(?:submit|keydown|keyup|keypress|input|change)['\x22`]|(?:document|window)\s*\.\s*onsubmit\s*=|"
        rb"document\s*\.\s*forms\b|querySelectorAll\s*\(\s*['\x22`]form['\x22`]",
    ),
    # Password fields selected by a query (`querySelectorAll('input[type=password]')`, jQuery `:password`);
    # `.type === 'password'` tests (is-this-a-text-input checks) and CSS (`&:not([type=password])`) are
    # everywhere in UI bundles and read nothing.
    (
        "password-read",
        rb"(?:querySelector(?:All)?|\$|jQuery|find)\s*\(\s*['\x22`][^\n)]{0,120}"
        rb"(?:\[\s*type\s*=\s*\\?['\x22]?password|:password\b)",
    ),
)
_HOOK_GROUPS = {f"h{i}": kind for i, (kind, _) in enumerate(_HOOK_PATTERNS)}
_HOOKS = re2.compile(b"|".join(b"(?P<h%d>%s)" % (i, p) for i, (_, p) in enumerate(_HOOK_PATTERNS)))
_MAX_HOOK_MATCHES = 20_000
"""Matches looked at per file: bounds the Python work on a hostile file (about 0.2 s at the cap) while
decoys placed before a payload cannot exhaust it cheaply."""
_NETWORK_HOOKS = frozenset({"fetch", "xhr", "wallet"})
_API_NAMES = {"fetch": "fetch", "xhr": "XMLHttpRequest", "wallet": "a wallet provider"}
_IDENT = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
_DECLARATION = re.compile(rb"(?:\b(?:var|let|const)\s+|\{\s*)$")
_CLEARED = re.compile(rb"\s*(?:null|undefined|void 0|!1|0)\b")
_GENERIC_PROVIDER = re.compile(rb"^[\w$]*[Pp]rovider\s*\.")
# A saved original: `const orig = window.fetch;`, `= fetch.bind(window)`, `= XMLHttpRequest.prototype.open;`
_SAVED_FETCH = re2.compile(rb"=\s*(?:(?:window|globalThis|self|global)\s*\.\s*)?fetch\s*(?:[;,)\n]|\.bind\b)")

_FUNCTION_VALUE = re.compile(rb"\s*(?:async\b|function\b|\(|[\w$]+\s*=>)")
_ASSIGNED_TO_FETCH = re.compile(rb"fetch['\x22`\]]?\s*$")

# ---- wallet evidence ------------------------------------------------------------------------------
_BASE58 = rb"1-9A-HJ-NP-Za-km-z"
_BECH32 = rb"02-9ac-hj-np-z"
_ADDRESS_LITERALS = re2.compile(
    rb"['\x22`](?:"
    rb"(?P<eth>0x[0-9a-fA-F]{40})|"
    rb"(?P<bech32>(?:bc1|ltc1)[" + _BECH32 + rb"]{25,87})|"
    rb"(?P<bch>bitcoincash:[qp][" + _BECH32 + rb"]{41})|"
    rb"(?P<b58>[" + _BASE58 + rb"]{25,44})"
    rb")['\x22`]"
)
# The sources of regular expressions that match addresses: the hex-40 class, base58 and bech32 classes.
_ADDRESS_REGEX = re2.compile(
    rb"0x\[(?:a-fA-F0-9|a-fA-F\\d|0-9a-fA-F|\\da-fA-F|A-Fa-f0-9|0-9A-Fa-f|a-f0-9|0-9a-f|A-F0-9|0-9A-F)\]"
    rb"\{40\}|"
    rb"\[(?:1-9A-HJ-NP-Za-km-z|a-km-zA-HJ-NP-Z1-9|1-9a-km-zA-HJ-NP-Z|A-HJ-NP-Za-km-z1-9)\]\{\d+(?:,\d*)?\}|"
    rb"(?:bc1|ltc1)\[?(?:qpzry9x8gf2tvdw0s3jn54khce6mua7l|ac-hj-np-z02-9|02-9ac-hj-np-z)\]?|"
    rb"bitcoincash:\[?qp\]?"
)
_REWRITE_WORDS = re2.compile(rb"(?i)levenshtein|editDistance|closestAddress|mostSimilar")
_TX_METHOD = re2.compile(rb"eth_sendTransaction|eth_signTransaction|signTransaction|signAndSendTransaction")
_TX_REDIRECT = re2.compile(
    rb"\.\s*to\s*=[^=>]|\[\s*['\x22`]to['\x22`]\s*\]\s*=[^=>]|['\x22`]0x095ea7b3|\.\s*(?:recipient|spender)"
    rb"\s*=[^=>]"
)
_HARDCODED_RECIPIENT = re2.compile(
    rb"\b(?:to|recipient|spender|destination)\s*:\s*['\x22`]0x[0-9a-fA-F]{40}['\x22`]|"
    rb"['\x22`]0x095ea7b3(?:0{24})?['\x22`]\s*\+"
)
_ETH_LITERAL = re2.compile(rb"['\x22`]0x[0-9a-fA-F]{40}['\x22`]")
_ACCOUNTS = re2.compile(rb"eth_requestAccounts|eth_accounts|selectedAddress|\.connect\s*\(\s*\)")
_POST_REMOTE = re2.compile(
    rb"(?:fetch|open)\s*\(\s*['\x22`](?:POST['\x22`]\s*,\s*['\x22`])?https?://[^'\x22`\s]+['\x22`]"
)
_POST = re2.compile(rb"['\x22`]POST['\x22`]|sendBeacon\s*\(")
# Not ENCODED_BLOB: bundles inline fonts and wasm as base64 next to polyfills; it hides data, not the hook.
_OBFUSCATION = frozenset({Indicator.OBFUSCATOR, Indicator.JSFUCK, Indicator.HIDDEN_CODE})
_MIN_LIST = 3
"""Distinct address literals of one chain in list position that make a list (one is a donation address)."""


@dataclass
class _Scan:
    """What one file shows (per-file working state, not passed between modules)."""

    path: str
    data: bytes
    hooks: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def first(self, kind: str) -> tuple[int, int] | None:
        found = self.hooks.get(kind)
        return found[0] if found else None

    def evidence(self, span: tuple[int, int]) -> Evidence:
        start, end = span
        line_start = self.data.rfind(b"\n", 0, start) + 1
        line = self.data.count(b"\n", 0, start) + 1
        line_end = self.data.find(b"\n", end)
        if line_end == -1 or line_end - start > 160:
            line_end = min(len(self.data), end + 80)
        snippet = self.data[max(line_start, start - 40) : line_end].decode("utf-8", "replace").strip()
        return Evidence(self.path, line, start - line_start + 1, snippet)


@dataclass
class _Wallet:
    """Wallet evidence in one file."""

    lists: dict[str, set[bytes]] = field(default_factory=dict)
    """Chain → distinct address literals in list position (`[a, b, c]`)."""
    literals: dict[bytes, tuple[int, int]] = field(default_factory=dict)
    """Every address literal → where (first occurrence)."""
    scanning_regex: tuple[int, int] | None = None
    """An unanchored address regex (a validator is `^…$`; a scanner finds addresses inside text)."""
    rewrite: tuple[int, int] | None = None
    """Replace/Levenshtein/redirect shape."""

    @property
    def has_list(self) -> bool:
        sizes = [len(v) for v in self.lists.values()]
        return any(n >= _MIN_LIST for n in sizes) or (len(sizes) >= 2 and sum(sizes) >= _MIN_LIST)

    def list_evidence(self) -> tuple[int, int] | None:
        for chain in sorted(self.lists):
            for address in sorted(self.lists[chain]):
                return self.literals[address]
        return None


def check(facts: PackageFacts) -> Iterator[Finding]:
    yield from _page_data_theft(facts)
    yield from _hook_findings(facts)


def _page_data_theft(facts: PackageFacts) -> Iterator[Finding]:
    for flow in facts.flows:
        if not is_browser_theft(flow):
            continue
        exfil = facts.exfiltration_hosts(flow.origin)
        when = facts.reach(flow.origin).phrase if flow.sink.load_time else "when its function is called"
        yield PAGE_DATA_THEFT.finding(
            flow.describe(when),
            flow.source.evidence,
            flow.sink.evidence,
            *(s.evidence for s in exfil[:1]),
            severity=Severity.CRITICAL if exfil else None,
        )
        return


def _hook_findings(facts: PackageFacts) -> Iterator[Finding]:
    by_path = {f.path: f for f in facts.files}
    reported: set[str] = set()
    context: list[Evidence] = []
    hooked: set[str] = set()
    for path, data in facts.text.items():
        capabilities = by_path.get(path)
        if capabilities is None:
            continue
        scan = _scan_hooks(path, data)
        if not scan.hooks and b"eth_sendTransaction" not in data:
            continue
        for finding in _judge(facts, capabilities, scan):
            if finding.rule not in reported:
                reported.add(finding.rule)
                yield finding
        for kind in ("fetch", "xhr", "wallet"):
            span = scan.first(kind)
            if span is not None:
                hooked.add(kind)
                if len(context) < 3:
                    context.append(scan.evidence(span))
    if context and not reported & {WALLET_HIJACK.id, OBFUSCATED_HOOK.id}:
        yield API_HOOK.finding(
            f"{context[0].file} replaces or wraps {', '.join(_API_NAMES[k] for k in sorted(hooked))}",
            *context,
        )


def _scan_hooks(path: str, data: bytes) -> _Scan:
    scan = _Scan(path, data)
    wallet_file: bool | None = None  # computed once, on the first generic `provider.x =`
    for count, match in enumerate(_HOOKS.finditer(data)):
        if count >= _MAX_HOOK_MATCHES:
            break
        group = match.lastgroup
        if group is None:
            continue
        kind = _HOOK_GROUPS[group.decode() if isinstance(group, bytes) else group]
        start, end = match.start(), match.end()
        text = match.group(0)
        if kind == "wallet" and _GENERIC_PROVIDER.match(text):
            # `provider.request = …` is a wallet hook only in a file that is about an injected wallet.
            if wallet_file is None:
                wallet_file = b"ethereum" in data or b"solana" in data
            if not wallet_file:
                continue
        if not _hook_position(data, start, kind, text):
            continue
        spans = scan.hooks.setdefault(kind, [])
        if len(spans) < 5:
            spans.append((start, end))
    return scan


def _hook_position(data: bytes, start: int, kind: str, text: bytes) -> bool:
    """A match is a hook where it is an assignment to the global, not a member of something else
    (`options.fetch = …`), a declaration (`const fetch = …`) or part of a longer name (`prefetch = …`)."""
    if start > 0 and data[start - 1] in _IDENT and text[:1] and text[0] in _IDENT:
        return False
    if kind in ("fetch", "xhr") and _CLEARED.match(data, start + len(text) - 1):
        return False  # `fetch = null`, `XMLHttpRequest = undefined`: a sandbox clearing globals
    if kind == "fetch" and text.startswith(b"fetch"):
        before = data[max(0, start - 12) : start]
        if before.rstrip().endswith(b".") or _DECLARATION.search(before):
            return False
    return True


def _judge(facts: PackageFacts, f: FileCapabilities, scan: _Scan) -> Iterator[Finding]:
    reach = facts.reach(scan.path)
    runs = reach is not Reach.LIBRARY
    network_hooks = sorted(k for k in scan.hooks if k in _NETWORK_HOOKS)
    wallet = _wallet_evidence(scan) if network_hooks or "clipboard-write" in scan.hooks else _Wallet()

    # A hook next to the rewrite: address lists, scanning regexes applied with replace, recipients reassigned.
    if network_hooks:
        hook = scan.first(network_hooks[0])
        assert hook is not None
        proof = (
            wallet.rewrite or wallet.scanning_regex or (wallet.list_evidence() if wallet.has_list else None)
        )
        # Rewriting needs a way to find addresses (a scanning regex) or to redirect (a recipient reassigned);
        # a list alone next to a wrap is critical only where it spans chains and runs on load (chalk carried
        # ETH, BTC, SOL, TRX, LTC and BCH lists): single-chain lists are token lists in dApp bundles.
        strong = (
            wallet.rewrite is not None
            or wallet.scanning_regex is not None
            or (runs and len(wallet.lists) >= 2)
        )
        if proof is not None and _real_network_hook(scan):
            yield WALLET_HIJACK.finding(
                f"{scan.path} hooks {', '.join(network_hooks)} and "
                + _wallet_phrase(wallet)
                + f" ({reach.phrase})",
                scan.evidence(hook),
                scan.evidence(proof),
                severity=None if strong else Severity.HIGH,
            )

    # Clipper: reads or intercepts the clipboard, writes an address of its own.
    write, read = scan.first("clipboard-write"), scan.first("clipboard-read")
    if write is not None and read is not None:
        chosen = _written_address(scan, wallet)
        if chosen is not None:
            yield CLIPBOARD_HIJACK.finding(
                f"{scan.path} reads the clipboard and writes a hard-coded wallet address to it ({reach.phrase})",
                scan.evidence(read),
                scan.evidence(chosen),
            )

    drainer = _drainer(scan)
    if drainer is not None:
        recipient, post = drainer
        yield WALLET_DRAINER.finding(
            f"{scan.path} sends a wallet transaction to a hard-coded address and posts to a remote URL "
            f"({reach.phrase})",
            scan.evidence(recipient),
            scan.evidence(post),
            severity=None if runs else Severity.HIGH,
        )

    capture, password = scan.first("form-capture"), scan.first("password-read")
    if capture is not None and password is not None and (has_network(f) or b"new Image" in scan.data):
        net = network_evidence(f)
        yield FORM_GRABBER.finding(
            f"{scan.path} listens to forms or keys page-wide, reads password fields and uses the network "
            f"({reach.phrase})",
            scan.evidence(capture),
            scan.evidence(password),
            *((net,) if net is not None else ()),
        )

    # Obfuscated code that installs a hook, in code that runs on load or install.
    obfuscation = next((s for s in f.signals if s.indicator in _OBFUSCATION), None)
    if obfuscation is not None and runs:
        # A polyfill's `self.fetch = fetch` inside an obfuscated SDK bundle defines, it does not intercept.
        kinds = [k for k in network_hooks if k != "fetch" or _real_network_hook(scan)]
        if write is not None and read is not None:
            kinds.append("clipboard")
        if capture is not None and password is not None:
            kinds.append("forms")
        if kinds:
            first = scan.first(kinds[0]) if kinds[0] in _NETWORK_HOOKS else (read or capture)
            assert first is not None
            yield OBFUSCATED_HOOK.finding(
                f"{scan.path} is obfuscated ({obfuscation.detail}) and hooks {', '.join(kinds)} "
                f"({reach.phrase})",
                obfuscation.evidence,
                scan.evidence(first),
            )


def _real_network_hook(scan: _Scan) -> bool:
    """A wrap, not a polyfill's definition: wallet-provider and XHR-method hooks always; a `fetch`
    assignment only where a function is assigned and the original is saved to be called
    (`const orig = fetch; fetch = async (…) => …orig(…)`), not `self.fetch = fetch`."""
    if "wallet" in scan.hooks or "xhr" in scan.hooks:
        return True
    data = scan.data
    assigns_function = any(
        _FUNCTION_VALUE.match(data[end - 1 : end + 40]) for _, end in scan.hooks.get("fetch", ())
    )
    if not assigns_function:
        return False
    for count, saved in enumerate(_SAVED_FETCH.finditer(data)):
        if count >= 50:
            break
        if not _ASSIGNED_TO_FETCH.search(data[max(0, saved.start() - 40) : saved.start()]):
            return True
    return False


def _wallet_evidence(scan: _Scan) -> _Wallet:
    data = scan.data
    wallet = _Wallet()
    for count, match in enumerate(_ADDRESS_LITERALS.finditer(data)):
        if count >= 5_000:
            break
        group = match.lastgroup
        chain = group.decode() if isinstance(group, bytes) else group
        if chain is None:
            continue
        literal = match.group(0)[1:-1]
        if chain == "b58":
            chain = _base58_chain(literal)
            if chain is None:
                continue
        span = (match.start(), match.end())
        wallet.literals.setdefault(literal, span)
        if _in_list(data, span[0], span[1]):
            wallet.lists.setdefault(chain, set()).add(literal)
    for match in _ADDRESS_REGEX.finditer(data):
        if not _anchored(data, match.start(), match.end()):
            wallet.scanning_regex = (match.start(), match.end())
            break
    if wallet.scanning_regex is not None or wallet.has_list:
        for pattern in (_REWRITE_WORDS,):
            found = pattern.search(data)
            if found is not None:
                wallet.rewrite = (found.start(), found.end())
    if wallet.rewrite is None and "wallet" in scan.hooks and _TX_METHOD.search(data) is not None:
        redirect = _TX_REDIRECT.search(data)
        if redirect is not None:
            wallet.rewrite = (redirect.start(), redirect.end())
    return wallet


def _base58_chain(literal: bytes) -> str | None:
    """The chain a base58 literal is shaped for, when it looks random enough to be an address (digits,
    upper and lower case: words and identifiers rarely have all three)."""
    digits = sum(c in b"123456789" for c in literal)
    upper = sum(65 <= c <= 90 for c in literal)
    lower = sum(97 <= c <= 122 for c in literal)
    if digits < 2 or upper < 2 or lower < 2:
        return None
    n, first = len(literal), literal[:1]
    if first == b"T" and n == 34:
        return "tron"
    if first in (b"1", b"3") and 26 <= n <= 35:
        return "bitcoin"
    if first in (b"L", b"M") and n == 34:
        return "litecoin"
    if 32 <= n <= 44:
        return "solana"
    return None


def _in_list(data: bytes, start: int, end: int) -> bool:
    """The literal is an element of an array literal: `[` or `,` before it and `,` or `]` after it."""
    before = data[max(0, start - 16) : start].rstrip()
    after = data[end : end + 16].lstrip()
    return before[-1:] in (b"[", b",") and after[:1] in (b",", b"]")


def _anchored(data: bytes, start: int, end: int) -> bool:
    """`^…$` around an address class: a validator of a whole value, not a scan through text."""
    before = data[max(0, start - 8) : start]
    after = data[end : end + 16]
    return b"^" in before and b"$" in after


def _wallet_phrase(wallet: _Wallet) -> str:
    parts: list[str] = []
    if wallet.has_list:
        chains = ", ".join(f"{len(v)} {k}" for k, v in sorted(wallet.lists.items()))
        parts.append(f"lists wallet addresses ({chains})")
    if wallet.scanning_regex is not None:
        parts.append("scans text for addresses")
    if wallet.rewrite is not None:
        parts.append("rewrites them")
    return " and ".join(parts) or "handles wallet addresses"


_VALUE_ASSIGN = re2.compile(rb"\.\s*(?:value|textContent)\s*=")
_SETDATA_TYPE = re.compile(rb"^\s*['\x22`][\w/.-]{0,20}['\x22`]\s*,")
_WORD = re.compile(rb"[A-Za-z_$][\w$]*")
_NOT_BINDINGS = frozenset({b"navigator", b"clipboard", b"event", b"e", b"this", b"await", b"window"})


def _written_address(scan: _Scan, wallet: _Wallet) -> tuple[int, int] | None:
    """Where the clipboard is given an address of the code's own: a literal, or a name bound to address
    literals (`const mine = ['0x…', …]`, `{ eth: '0x…' }`)."""
    if not wallet.literals:
        return None
    data = scan.data
    writes = [end for _, end in scan.hooks.get("clipboard-write", ())]
    if any(data[end - 1 : end] != b"(" for end in writes):
        # `execCommand('copy')` copies the selection: what was written into the field is the value.
        assigned = (m.end() for m in _VALUE_ASSIGN.finditer(data) if data[m.end() : m.end() + 1] != b"=")
        writes.extend(end for _, end in zip(range(5), assigned, strict=False))
    for end in writes:
        argument = data[end : end + 160].split(b";", 1)[0].split(b"\n", 1)[0]
        kind = _SETDATA_TYPE.match(argument)
        if kind is not None:  # setData('text/plain', value)
            argument = argument[kind.end() :]
        if _ADDRESS_LITERALS.search(argument) is not None:
            return (end, end + len(argument))
        words = [w for w in dict.fromkeys(_WORD.findall(argument)) if w not in _NOT_BINDINGS][:4]
        for word in words:
            # Bounded: one linear RE2 search per name, at most four names per write, five writes.
            binding = re2.compile(
                rb"(?:^|[^\w$.])" + re.escape(word) + rb"\s*[:=]\s*[\[{(]?\s*(?:[\w$]+\s*:\s*)?['\x22`]"
            )
            bound = binding.search(data)
            if bound is None:
                continue
            literal = _ADDRESS_LITERALS.match(data, bound.end() - 1)
            if literal is not None:
                return (bound.start(), literal.end())
    return None


def _drainer(scan: _Scan) -> tuple[tuple[int, int], tuple[int, int]] | None:
    data = scan.data
    if b"eth_" not in data and b"signTransaction" not in data:
        return None
    recipient = _HARDCODED_RECIPIENT.search(data)
    if recipient is None or _TX_METHOD.search(data) is None or _ACCOUNTS.search(data) is None:
        return None
    if recipient.group(0).lstrip(b"'\x22`").startswith(b"0x095ea7b3") and _ETH_LITERAL.search(data) is None:
        return None  # approve calldata built for a spender the caller passes, not a hard-coded one
    post = _POST_REMOTE.search(data) or _post_to_named_url(data)
    if post is None or _POST.search(data) is None:
        return None
    return (recipient.start(), recipient.end()), (post.start(), post.end())


_URL_CONSTANT = re2.compile(
    rb"\b(?:const|let|var)\s+([A-Za-z_$][\w$]{0,40})\s*=\s*['\x22`]https?://[^'\x22`\s]+['\x22`]"
)
_MAX_URL_CONSTANTS = 16


def _post_to_named_url(data: bytes) -> re2.Match[bytes] | None:
    """`fetch(DRAINER + '/api/v1/log', …)` where `const DRAINER = 'https://…'`: the operator's host named once
    and reused (lottie-player 2.0.5's drainer kit), as hard-coded as a literal in the call."""
    names = [
        m.group(1) for _, m in zip(range(_MAX_URL_CONSTANTS), _URL_CONSTANT.finditer(data), strict=False)
    ]
    if not names:
        return None
    alternatives = b"|".join(re2.escape(n) for n in names)
    return re2.search(rb"(?:fetch|open)\s*\(\s*(?:" + alternatives + rb")\b", data)


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    WALLET_HIJACK,
    CLIPBOARD_HIJACK,
    WALLET_DRAINER,
    FORM_GRABBER,
    PAGE_DATA_THEFT,
    OBFUSCATED_HOOK,
    API_HOOK,
)
