"""The capability vocabulary, in LavaMoat's terms: which builtin modules exist and which globals grant
authority. Every other analysis module derives what it looks for and what it reports from these tables,
so a builtin or a global added here is seen, followed and reported everywhere at once.

This module depends on nothing else in the analysis, so the resolver and the capability scan can both
import it without a cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Node's `require('module').builtinModules` (Node 20 and 22), plus modules reachable only as `node:x`.
BUILTIN_MODULES = frozenset(
    {
        "_http_agent", "_http_client", "_http_common", "_http_incoming", "_http_outgoing", "_http_server",
        "_stream_duplex", "_stream_passthrough", "_stream_readable", "_stream_transform", "_stream_wrap",
        "_stream_writable", "_tls_common", "_tls_wrap", "assert", "assert/strict", "async_hooks", "buffer",
        "child_process", "cluster", "console", "constants", "crypto", "dgram", "diagnostics_channel", "dns",
        "dns/promises", "domain", "events", "fs", "fs/promises", "http", "http2", "https", "inspector",
        "inspector/promises", "module", "net", "os", "path", "path/posix", "path/win32", "perf_hooks",
        "process", "punycode", "querystring", "readline", "readline/promises", "repl", "stream",
        "stream/consumers", "stream/promises", "stream/web", "string_decoder", "sys", "timers",
        "timers/promises", "tls", "trace_events", "tty", "url", "util", "util/types", "v8", "vm", "wasi",
        "worker_threads", "zlib", "test", "test/reporters", "sqlite", "sea",
    }
)  # fmt: skip
_NODE_SCHEME_MODULE = re.compile(r"[a-z_]+(/[a-z_]+)?")


def builtin_name(specifier: str) -> str | None:
    """The builtin module a specifier loads (`'node:fs'` → `fs`), or None for a package or a file."""
    name = specifier.removeprefix("node:")
    if name in BUILTIN_MODULES or (specifier.startswith("node:") and _NODE_SCHEME_MODULE.fullmatch(name)):
        return name
    return None


# Names that denote the global object itself.
GLOBAL_OBJECT_NAMES = frozenset({"global", "globalThis", "window", "self", "frames"})


@dataclass(frozen=True, slots=True)
class PowerfulGlobal:
    """A global, or a path under one, that grants authority: reported as a `globals` capability under `key`."""

    key: str
    network: bool = False
    """It sends or fetches over the network (rules pair it with secrets, identity and install time)."""
    call_only: bool = False
    """It grants authority only when called: `x instanceof Function` or `typeof eval` grant nothing."""
    seed: str | None = None
    """The word the capability scan starts from when not the key's first segment."""

    @property
    def root(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def seed_word(self) -> str:
        return self.seed or self.root


# The one declaration of the powerful-globals vocabulary: the resolver's known globals, the scan's seed
# words, the reported capability keys, the call-only set and the network set all derive from it, so a
# global added here is seen, followed and reported everywhere at once.
POWERFUL_GLOBALS: tuple[PowerfulGlobal, ...] = (
    PowerfulGlobal("process.env"),
    PowerfulGlobal("process.binding"),
    PowerfulGlobal("process._linkedBinding"),
    PowerfulGlobal("process.dlopen"),
    PowerfulGlobal("process.kill"),
    PowerfulGlobal("process.chdir"),
    PowerfulGlobal("process.setuid"),
    PowerfulGlobal("process.setgid"),
    PowerfulGlobal("process.seteuid"),
    PowerfulGlobal("process.setegid"),
    PowerfulGlobal("process.setgroups"),
    PowerfulGlobal("process.initgroups"),
    PowerfulGlobal("fetch", network=True),
    PowerfulGlobal("XMLHttpRequest", network=True),
    PowerfulGlobal("WebSocket", network=True),
    PowerfulGlobal("EventSource", network=True),
    PowerfulGlobal("navigator.sendBeacon", network=True),
    PowerfulGlobal("importScripts", network=True),
    PowerfulGlobal("WebAssembly"),
    PowerfulGlobal("Worker"),
    PowerfulGlobal("SharedWorker"),
    PowerfulGlobal("document.cookie"),
    PowerfulGlobal("localStorage"),
    PowerfulGlobal("sessionStorage"),
    PowerfulGlobal("indexedDB"),
    # `module` is in every CommonJS file (`module.exports`): seeding on it would climb each of those.
    PowerfulGlobal("module._compile", seed="_compile"),
    PowerfulGlobal("eval", call_only=True),
    PowerfulGlobal("Function", call_only=True),
)
NETWORK_MODULES = frozenset({"http", "https", "http2", "net", "tls", "dgram", "dns"})
"""Builtin modules that reach the network."""
NETWORK_GLOBALS = frozenset(g.key for g in POWERFUL_GLOBALS if g.network)

# Globals with authority. A path is reported under the longest key it starts with.
GLOBAL_CAPABILITIES = tuple(
    sorted((g.key for g in POWERFUL_GLOBALS if not g.call_only), key=lambda k: (-len(k), k))
)
# Reported only when called: `x instanceof Function` or `typeof eval` grant nothing.
CALL_ONLY_GLOBALS = frozenset(g.key for g in POWERFUL_GLOBALS if g.call_only)


def global_key(path: str) -> str | None:
    """The capability key a global path is reported under, or None if it grants nothing we track."""
    for key in GLOBAL_CAPABILITIES:
        if path == key or path.startswith(key + "."):
            return key
    return None


_KEY_SEGMENT = re.compile(r"[A-Za-z0-9_$]+")


def contract_key(key: str) -> str:
    """The key cut before its first segment that is not an identifier: computed members such as
    `require('module')._extensions['.js']` end where the report contract's dotted paths can still name
    them (`module._extensions`), like LavaMoat's policy keys. The evidence keeps the exact access."""
    head, _, rest = key.partition(".")
    segments = [head]
    for segment in rest.split(".") if rest else []:
        if not _KEY_SEGMENT.fullmatch(segment):
            break
        segments.append(segment)
    return ".".join(segments)
