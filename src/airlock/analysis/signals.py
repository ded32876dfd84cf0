"""Indicators in a file's text: hosts, paths and markers that real npm malware carries, found in one RE2 pass.

An indicator is not a finding: `.npmrc` in npm tooling or `ipify` in a public-IP helper is ordinary. Rules
combine indicators with capabilities and with install-time reachability before anything is reported.
Matches inside comments are dropped (the tree tells), and short base64/hex literals handed to a decoder are
decoded and scanned too, since attackers encode exactly these strings.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

import re2
from tree_sitter import Node

from airlock.analysis.indicators import Indicator
from airlock.analysis.js import SourceText
from airlock.model import Evidence

MAX_PER_KIND = 5
MAX_DECODED_LITERALS = 200


_PATTERNS: tuple[tuple[Indicator, bytes], ...] = (
    (
        Indicator.SECRET_FILE,
        rb"\.npmrc\b|\.ssh[/\\]|\bid_rsa\b|\bid_ed25519\b|\.aws[/\\]credentials|\.aws['\x22`]|"
        rb"\.docker[/\\]config\.json|\.kube[/\\]config|\.git-credentials|\.netrc\b|"
        rb"Local Storage[/\\]+leveldb|\bLogin Data\b|Telegram Desktop[/\\]|\btdata\b[/\\]|"
        # The same places built from path segments: path.join(os.homedir(), '.ssh', 'id_rsa'), '.kube', 'config'.
        rb"['\x22`]\.ssh['\x22`]|['\x22`]\.kube['\x22`]\s*,\s*['\x22`]config['\x22`]|"
        rb"\.config(?:[/\\]|['\x22`]\s*,\s*['\x22`])gcloud\b|"
        rb"['\x22`]\.docker['\x22`]\s*,\s*['\x22`]config\.json['\x22`]|Local Extension Settings|"
        rb"\bwallet\.dat\b|[Ee]xodus[/\\]exodus\.wallet|\.electrum[/\\]|[Ee]thereum[/\\]keystore|"
        rb"nkbihfbeogaeaoehlefnkodbefgpgknn|solana[/\\]id\.json|"
        rb"\[\\\\w-\]\{24\}\\\\\.\[\\\\w-\]\{6\}|mfa\\\\\.\[\\\\w-\]\{84\}",
    ),
    (
        Indicator.SECRET_ENV,
        rb"\b(?:NPM_TOKEN|NODE_AUTH_TOKEN|GITHUB_TOKEN|GH_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|"
        rb"npm_config__authToken|NPM_CONFIG__AUTH|CI_JOB_TOKEN|AZURE_CLIENT_SECRET)\b|_authToken\b",
    ),
    (
        Indicator.ENV_DUMP,
        rb"(?:stringify|entries|keys|values)\(\s*(?:global(?:This)?\.)?process\.env\s*[,)]|"
        rb"\bin\s+process\.env\s*\)|"
        # Nested in an object that is serialised: JSON.stringify({ e: process.env }), btoa({...process.env}).
        rb"(?:stringify|btoa|encodeURIComponent|Buffer\.from)\(\s*\{[^{}]{0,300}?process\.env\s*[,}]",
    ),
    (
        Indicator.EXFIL_HOST,
        rb"(?i)discord(?:app)?\.com[^/\s'\x22`]*/api/webhooks|api\.telegram\.org[^/\s'\x22`]*/bot|"
        rb"hooks\.slack\.com[^/\s'\x22`]*/services|\bpastebin\.com|\bpaste\.ee\b|\bhastebin\.|\bghostbin\.|"
        rb"\btransfer\.sh\b|\bfile\.io\b|\bburpcollaborator\.net|\boastify\.com|\binteract\.sh\b|"
        rb"\boast\.(?:pro|live|site|online|fun|me)\b|\bdnslog\.cn|\bceye\.io|\brequestbin\.|\bpipedream\.net|"
        rb"\bwebhook\.site\b|\bbeeceptor\.com|\bngrok(?:-free)?\.(?:io|app)|\btrycloudflare\.com|"
        rb"\bserveo\.net|\bloca\.lt\b|\bcanarytokens\.com",
    ),
    (
        Indicator.RAW_IP_URL,
        rb"(?i)(?:https?|ftp|wss?|tcp)://(?:\d{1,3}\.){3}\d{1,3}\b",
    ),
    (
        Indicator.GEO_LOOKUP,
        rb"(?i)\bipinfo\.io|\bip-api\.com|\bipapi\.co|\bapi\.ipify\.org|\bifconfig\.me|\bicanhazip\.com|"
        rb"\bipgeolocation\.io|\bfreegeoip\.|\bcheckip\.amazonaws\.com|\bextreme-ip-lookup\.com|\bapi\.2ip\.",
    ),
    (
        Indicator.COUNTRY,
        rb"(?i)['\x22`](?:russia|belarus|russian federation|ru-RU|be-BY)['\x22`]",
    ),
    (
        Indicator.MINER,
        rb"(?i)stratum\+(?:tcp|ssl|tls)://|\bxmrig\b|\bcryptonight\b|\bminexmr\.com|\bsupportxmr\.com|"
        rb"\bnanopool\.org|\bmoneroocean\.stream|\b2miners\.com|\bnicehash\.com|\bf2pool\.com|--donate-level",
    ),
    (
        Indicator.PERSISTENCE,
        rb"\.bashrc\b|\.bash_profile\b|\.zshrc\b|\.zprofile\b|/etc/rc\.local|/etc/cron|/var/spool/cron|"
        rb"\bcrontab\b|systemd[/\\]system\b|\.config[/\\]autostart|Start Menu\\\\+Programs\\\\+Startup|"
        rb"CurrentVersion\\\\+Run\b|LaunchAgents\b",
    ),
    (Indicator.GIT_HOOKS, rb"\.git[/\\]hooks\b"),
    (Indicator.CI_WORKFLOW, rb"\.github[/\\]workflows\b"),
    (
        Indicator.PUBLISH,
        rb"\bnpm\s+publish\b|/-/whoami\b|/-/v1/search\?text=maintainer|\bnpm\s+token\s+create\b",
    ),
    (Indicator.DETACHED, rb"\bdetached\s*:\s*(?:true|!0)\b"),
    (Indicator.IMAGE_FILE, rb"(?i)\.(?:png|jpe?g|gif|bmp|ico|webp)['\x22`]"),
    (
        Indicator.DECODER,
        rb"['\x22`](?:base64|hex)['\x22`]\s*\)|\batob\s*\(|fromCharCode\b|\bunescape\s*\(",
    ),
    (Indicator.DECIPHER, rb"\bcreateDecipher(?:iv)?\b"),
    (Indicator.MODULE_INSTANCE, rb"\bnew\s+module\.constructor\b"),
    (Indicator.NPM_PACKAGE_ENV, rb"\bnpm_package_(?:name|description|version)\b"),
    (
        Indicator.SELF_ERASE,
        rb"\b(?:unlink|rm|rimraf)(?:Sync)?\s*\(\s*(?:__filename|process\.argv\[1\]|import\.meta\.filename|"
        rb"(?:url\.)?fileURLToPath\(\s*import\.meta\.url\s*\))\s*[,)]",
    ),
    (
        Indicator.MANIFEST_REWRITE,
        rb"\b(?:(?:writeFile|appendFile|unlink|rm)(?:Sync)?\s*\(|(?:rename|copyFile|cp)(?:Sync)?\s*\([^;,()]{1,200},)"
        rb"\s*(?:['\x22`](?:\./)?package\.json['\x22`]|(?:path\.)?(?:join|resolve)\(\s*__dirname\s*,\s*"
        rb"['\x22`](?:\./)?package\.json['\x22`]\s*\))",
    ),
)
_GROUPS = {f"g{i}": indicator for i, (indicator, _) in enumerate(_PATTERNS)}
_INDICATORS = re2.compile(b"|".join(b"(?P<g%d>%s)" % (i, p) for i, (_, p) in enumerate(_PATTERNS)))

_OBFUSCATOR_NAME = re2.compile(rb"\b_0x[0-9a-f]{4,6}\b")
_JSFUCK_RUN = re2.compile(rb"[\[\]()!+]{300,}")
_HIDDEN_CODE = re2.compile(rb"[^\s][ \t]{150,}[^\s]")
_INVISIBLE = re2.compile(
    "[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u3164\uffa0\u115f\u1160]".encode(),
)
_ENCODED_BLOB = re2.compile(rb"['\x22`](?:[A-Za-z0-9+/]{400,}={0,2}|(?:[0-9a-fA-F]{2}){200,})['\x22`]")
_DECODABLE_LITERAL = re.compile(
    rb"(?:Buffer\.from|new\s+Buffer|Buffer)\s*\(\s*(['\x22])([A-Za-z0-9+/=_-]{6,4096})\1\s*,\s*['\x22](base64|hex)['\x22]"
    rb"|atob\s*\(\s*(['\x22])([A-Za-z0-9+/=]{6,4096})\4"
)
_PRIVATE_IP = re.compile(
    rb"(?:https?|ftp|wss?|tcp)://(?:127\.|10\.|0\.|192\.168\.|169\.254\.|172\.(?:1[6-9]|2\d|3[01])\.|255\.)",
    re.IGNORECASE,
)
_OBFUSCATOR_MIN_NAMES = 20


@dataclass(frozen=True, slots=True)
class Signal:
    indicator: Indicator
    detail: str
    evidence: Evidence


def scan_indicators(text: SourceText, root: Node | None) -> tuple[Signal, ...]:
    """Every indicator in one file's bytes (and in literals it decodes), comments excluded."""
    data = text.data
    out: list[Signal] = []
    counts: dict[Indicator, int] = {}

    def add(indicator: Indicator, detail: str, start: int, end: int) -> None:
        if counts.get(indicator, 0) >= MAX_PER_KIND:
            return
        if root is not None and _in_comment(root, start, end):
            return
        counts[indicator] = counts.get(indicator, 0) + 1
        out.append(Signal(indicator, detail[:120], text.evidence_at_byte(start, end)))

    for indicator, match_start, match_end, matched in _matches(data):
        if indicator is Indicator.RAW_IP_URL and _PRIVATE_IP.match(data, match_start):
            continue
        add(indicator, matched, match_start, match_end)
    for start, end, decoded in _decoded_literals(data):
        for indicator, _, _, matched in _matches(decoded):
            if indicator is not Indicator.DECODER:
                add(indicator, f"decoded {matched!r}", start, end)

    names = _OBFUSCATOR_NAME.findall(data)
    if len(names) >= _OBFUSCATOR_MIN_NAMES and len(set(names)) >= 5:
        first = _OBFUSCATOR_NAME.search(data)
        assert first is not None
        add(Indicator.OBFUSCATOR, f"{len(names)} _0x identifiers", first.start(), first.end())
    for found in _INVISIBLE.finditer(data):
        if root is None or _misleading_position(root, found.start(), found.group(0)):
            add(Indicator.INVISIBLE, "bidi control or invisible character", found.start(), found.end())
            break
    for indicator, pattern, detail in (
        (Indicator.JSFUCK, _JSFUCK_RUN, "JSFuck-style run of []()!+"),
        (Indicator.HIDDEN_CODE, _HIDDEN_CODE, "code after a long run of whitespace"),
        (Indicator.ENCODED_BLOB, _ENCODED_BLOB, "long encoded literal"),
    ):
        found = pattern.search(data)
        if indicator is Indicator.HIDDEN_CODE and root is not None:
            # Whitespace inside a string literal is data (prettier's Flow parser keeps tab-filled lookup
            # tables in strings); what hides is code pushed out of view, which the tree shows as code.
            tries = 0
            while found is not None and tries < 16 and _in_string(root, found.start() + 1, found.end() - 1):
                tries += 1
                found = pattern.search(data, found.end())
        if found is not None:
            add(indicator, detail, found.start(), found.end())
    if root is not None:
        loop = _module_level_infinite_loop(root, data)
        if loop is not None:
            add(Indicator.INFINITE_LOOP, "module-level loop without end", loop.start_byte, loop.end_byte)
    return tuple(out)


def scan_code_string(code: str, evidence: Evidence) -> tuple[Signal, ...]:
    """Indicators in code or shell held as a string (eval'd code, a command line): located at `evidence`."""
    data = code.encode("utf-8", "surrogatepass")
    return tuple(Signal(indicator, matched[:120], evidence) for indicator, _, _, matched in _matches(data))[
        : MAX_PER_KIND * 4
    ]


def _matches(data: bytes) -> Iterator[tuple[Indicator, int, int, str]]:
    for match in _INDICATORS.finditer(data):
        group = match.lastgroup
        if group is None:
            continue
        key = group.decode() if isinstance(group, bytes) else group
        yield _GROUPS[key], match.start(), match.end(), match.group(0).decode("utf-8", "replace")


def _decoded_literals(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    if b"base64" not in data and b"hex" not in data and b"atob" not in data:
        return
    for count, match in enumerate(_DECODABLE_LITERAL.finditer(data)):
        if count >= MAX_DECODED_LITERALS:
            return
        literal, encoding = (
            (match.group(2), match.group(3)) if match.group(2) else (match.group(5), b"base64")
        )
        try:
            if encoding == b"hex":
                decoded = binascii.unhexlify(literal)
            else:
                decoded = base64.b64decode(literal + b"=" * (-len(literal) % 4), altchars=b"-_")
        except (binascii.Error, ValueError):
            continue
        yield match.start(), match.end(), decoded


_STRING_NODES = frozenset(
    {"string", "string_fragment", "template_string", "escape_sequence", "regex", "regex_pattern", "jsx_text"}
)
_BIDI = frozenset(chr(c).encode() for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def _misleading_position(root: Node, start: int, char: bytes) -> bool:
    """Invisible characters mislead in identifiers and code; bidi controls also in comments (Trojan Source).
    Inside string and regex literals they are data (encoding tables, Persian text with ZWNJ)."""
    node = root.descendant_for_byte_range(start, start + len(char))
    if node is None or node.type in _STRING_NODES:
        return False
    return node.type != "comment" or char in _BIDI


def _in_string(root: Node, start: int, end: int) -> bool:
    node = root.descendant_for_byte_range(start, max(start, end - 1))
    return node is not None and node.type in _STRING_NODES


def _in_comment(root: Node, start: int, end: int) -> bool:
    node = root.descendant_for_byte_range(start, max(start, end - 1))
    return node is not None and node.type == "comment"


def _module_level_infinite_loop(root: Node, data: bytes) -> Node | None:
    for statement in root.named_children:
        body = statement.child_by_field_name("body")
        if body is None or re.search(r"\b(?:break|return|throw|process\.exit)\b", _text(data, body)):
            continue
        if statement.type == "while_statement":
            condition = statement.child_by_field_name("condition")
            if condition is not None and _text(data, condition).strip("() ") in {"true", "1", "!0"}:
                return statement
        elif statement.type == "for_statement":
            condition = statement.child_by_field_name("condition")
            text = "" if condition is None else _text(data, condition).strip(" ;")
            if text in {"", "true", "!0"} or re.search(r"<\s*Infinity$", text):
                return statement
    return None


def _text(data: bytes, node: Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")
