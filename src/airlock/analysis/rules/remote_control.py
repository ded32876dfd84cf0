"""Remote control: what an attacker's server makes the package do — wipe the project on a message or a
keyed request (a kill switch), or run the binary it just served.

- a **remote-triggered wipe** is a recursive delete of the working directory, home, the filesystem root or
  the project the package is installed in (the directory above `node_modules`, `INIT_CWD`), or `rm -rf *` /
  `rm -rf .` run through child_process, *inside* a handler of data from the network: a WebSocket, socket.io
  or net socket listener, an HTTP route (`app.post('/x', …)`), a `createServer` callback, or the code
  after a fetch. The dependence is control, not data: the message decides *whether* the wipe runs, so the
  data-flow analysis (which follows values into sinks) does not see it. CLIs delete build directories and
  servers delete what a request names; neither deletes cwd, home or the project from a socket handler.
- **downloading and running a binary** is a file that writes a download to a path and spawns that same path
  (directly or through a local helper's parameter), hidden (`detached`, `unref()`, `stdio: 'ignore'`,
  `windowsHide`) or from the temp directory. Binary installers (esbuild, @sentry/cli) verify a checksum, or
  run what they placed next to the package in the foreground (`--version`), and are left to the low
  `download-execute` rule.

Both read bounded windows of the file's bytes around capability evidence, like the destruction rules: a
handler counts only if its brackets are still open at the act, and no scan goes past a few kilobytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airlock.analysis.facts import Reach, network_evidence
from airlock.analysis.filetext import FileText
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.capabilities import FileCapabilities
    from airlock.analysis.facts import PackageFacts

FAMILY = "remote-control"

REMOTE_TRIGGERED_WIPE = declare(
    "remote-triggered-destruction",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.DESTRUCTION,
    summary="A recursive delete of the working directory, home, the filesystem root or the project the "
    "package is installed in, inside a handler of data from the network (socket message, HTTP route, "
    "server callback, fetched reply).",
    why="A kill switch: xlsx-to-json-lh (2025) deleted the project when its WebSocket said so; "
    "express-api-sync (2025) registered a hidden route that ran `rm -rf *` for a hard-coded key. Critical "
    "where the handler is registered when the package loads or installs, or where the trigger is received "
    "data compared with a literal (a key or a magic word); high in library code.",
)
DOWNLOAD_RUN = declare(
    "download-run-binary",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.REMOTE_CODE,
    summary="A file writes a download to a path and runs that same path (or hands it to node, sh, powershell…) "
    "hidden (detached, unref; no window or output on a background run) or from the temp directory, "
    "without verifying a checksum.",
    why="A dropper: the Roblox-targeting packages of 2024 fetched Discord stealers into the temp directory "
    "and ran them hidden; the 2024 typosquats that read their server from an Ethereum contract downloaded "
    "a binary at install and started it detached. Binary installers verify a checksum or run the binary "
    "they placed in the foreground. Critical at install and load time; high in library code.",
)

_MAX_SITES = 8
_HANDLER_WINDOW = 4000
_FETCH_WINDOW = 1500
_CALL_TEXT = 400
_LINK_DISTANCE = 8000
"""A download and the run of its path are one routine: a bundle's writer and spawner further apart are
unrelated modules that happen to share a variable name."""

# ---- what a wipe is -------------------------------------------------------------------------------------
_JS_REMOVERS = re.compile(r"^fs(?:\.promises)?\.(?:rm|rmSync|rmdir|rmdirSync)$")
_RECURSIVE = re.compile(rb"recursive\s*:\s*(?:true|!0)")
_LIBRARY_REMOVERS = re.compile(
    rb"(?<![\w$.])(?:rimraf(?:\.sync|\.rimraf|\.rimrafSync)?|rimrafSync|(?:fse?|fsExtra|fs_extra)\.(?:remove|"
    rb"removeSync|emptyDir|emptyDirSync))\s*\("
)
_REMOVER_PACKAGES = frozenset({"rimraf", "fs-extra", "del"})
# Wide targets given as the argument itself: cwd, home, npm's project root, the root, `.`, two levels up.
_WIDE = re.compile(
    rb"^(?:(?:\bos|require\(\s*['\x22](?:node:)?os['\x22]\s*\))\.homedir\(\s*\)|homedir\(\s*\)|"
    rb"process\.cwd\(\s*\)|process\.env\.(?:HOME|USERPROFILE|INIT_CWD|PWD|SystemDrive)|"
    rb"process\.env\[\s*['\x22](?:HOME|USERPROFILE|INIT_CWD|PWD)['\x22]\s*\]|"
    rb"(?P<q>['\x22`])(?:/|/\*|\.|\./|\./\*|\*|~|~/|[A-Za-z]:(?:\\\\|/)?|(?:\.\./){2,}|/home/?|/Users/?)(?P=q)|"
    rb"path\.(?:resolve|join)\(\s*__dirname\s*,\s*['\x22](?:\.\./?){2,}['\x22]\s*\))$"
)
# A local helper that finds the project root: walks up out of node_modules.
_ROOT_FINDER_BODY = re.compile(
    rb"node_modules[\s\S]{0,300}?(?:dirname|['\x22]\.\.['\x22])|"
    rb"(?:dirname|['\x22]\.\.['\x22])[\s\S]{0,300}?node_modules"
)
_SHELL_WIPE = re.compile(
    r"\brm\s+(?:-[a-zA-Z]+\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(?:-[a-zA-Z-]+\s+)*(?:--\s+)?"
    r"(?P<t>\*|\.|\./|\./\*|~|~/|~/\*|/|/\*|\$HOME|\$\{HOME\}|\"\$HOME\"|\$PWD|\.\./\.\.)(?=$|[\s;&|])"
    r"|\b(?:rd|rmdir)\s+/s\s+/q\s+(?P<w>\.|\*|[A-Za-z]:\\?|%USERPROFILE%)(?=$|[\s;&|])",
    re.IGNORECASE,
)
_CWD_OPTION = re.compile(rb"\bcwd\s*:\s*(?P<c>[^,}\n]{1,80})")

# ---- what a handler of network data is --------------------------------------------------------------------
_LISTENER = re.compile(
    rb"(?P<recv>[\w$.\]\)]{0,60})\.(?:on|once|addListener|addEventListener|prependListener)\s*\(\s*"
    rb"(?P<q>['\x22`])(?P<event>[^'\x22`\n]{1,40})(?P=q)\s*,"
)
_LIFECYCLE_EVENTS = frozenset(
    {
        b"exit",
        b"beforeExit",
        b"SIGINT",
        b"SIGTERM",
        b"SIGHUP",
        b"SIGBREAK",
        b"uncaughtException",
        b"unhandledRejection",
        b"error",
        b"close",
        b"finish",
        b"open",
        b"listening",
        b"change",
        b"add",
        b"unlink",
        b"ready",
        b"line",
    }
)
_ROUTE = re.compile(
    rb"\.(?P<verb>post|get|put|patch|delete|del|all|use|head|options)\s*\(\s*(?P<q>['\x22`])(?P<route>/[^'\x22`\n]{0,200})"
    rb"(?P=q)\s*,"
)
_SERVER = re.compile(rb"\bcreate(?:Secure)?Server\s*\(")
_FETCH = re.compile(
    rb"(?<![\w$.])(?:fetch|axios(?:\.(?:get|post|request))?|got|https?\.get|needle|superagent\.get)\s*\("
)
_THEN = re.compile(rb"\.then\s*\(")
_NETWORK_PACKAGES = frozenset(
    {"ws", "socket.io-client", "socket.io", "axios", "node-fetch", "got", "undici", "needle", "request"}
)
_NETWORK_GLOBALS = frozenset({"fetch", "WebSocket", "EventSource", "XMLHttpRequest"})
_CALLBACK_PARAM = re.compile(rb"\s*(?:async\s+)?(?:function\s*[\w$]*\s*)?\(?\s*(?P<p>[A-Za-z_$][\w$]*)")

# ---- what running a download is ---------------------------------------------------------------------------
_WRITERS = re.compile(r"^fs(?:\.promises)?\.(?:createWriteStream|writeFile|writeFileSync)$")
_SPAWNERS = re.compile(r"^child_process\.(?:exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)$")
_HIDDEN = re.compile(rb"detached\s*:\s*(?:true|!0)|\.unref\(\s*\)")
# No window and no output hide a program only when it runs on its own: a synchronous run with its output
# ignored is a quiet check (next's mkcert download runs `mkcert -install` with stdio ignored).
_QUIET = re.compile(rb"windowsHide\s*:\s*(?:true|!0)|stdio\s*:\s*['\x22]ignore['\x22]")
_TEMP = re.compile(rb"\btmpdir\(\s*\)|process\.env\.(?:TEMP|TMP|TMPDIR|APPDATA|LOCALAPPDATA)\b|['\x22`]/tmp/")
_CHECKSUM = re.compile(
    rb"createHash\(\s*['\x22`](?:sha(?:1|256|384|512)|md5)['\x22`]\s*\)[\s\S]{0,400}?digest\("
)
_CONTRACT_LOOKUP = re.compile(
    rb"\bnew\s+(?:ethers\.|web3\.eth\.)?Contract\s*\(|['\x22]eth_call['\x22]|\.getString\(|"
    rb"\bgetDefaultProvider\(|\bJsonRpcProvider\("
)
_IDENT = re.compile(rb"[A-Za-z_$][\w$]*")
_NOT_NAMES = frozenset(
    {
        b"path",
        b"join",
        b"resolve",
        b"os",
        b"tmpdir",
        b"homedir",
        b"process",
        b"env",
        b"cwd",
        b"__dirname",
        b"__filename",
        b"require",
        b"basename",
        b"dirname",
        b"fs",
        b"await",
        b"new",
        b"String",
        b"JSON",
        b"stringify",
        b"true",
        b"false",
        b"null",
        b"undefined",
        b"this",
        b"exe",
        b"platform",
        b"arch",
    }
)
_STRING = re.compile(rb"'[^'\n]*'|\x22[^\x22\n]*\x22")
_VALUE_NAME = re.compile(rb"(?<![\w$.])[A-Za-z_$][\w$]*(?![\w$])(?!\s*[.(])")
_PROGRAM = re.compile(
    rb"^(?:['\x22`]\\?['\x22]?['\x22`]\s*\+\s*|`['\x22]?\$\{\s*)?"
    rb"(?P<expr>[A-Za-z_$][\w$]*)(?=\s*(?:$|[+}`]))"
)
# A downloaded script run by an interpreter is run too: `'node ' + dest`, `` `powershell -File ${p}` ``.
_INTERPRETER = (
    rb"(?:node|sh|bash|python3?|powershell(?:\.exe)?|pwsh|cmd(?:\.exe)?|wscript|cscript|rundll32|"
    rb"regsvr32|msiexec)"
)
_INTERPRETED = re.compile(
    rb"^(?:['\x22]"
    + _INTERPRETER
    + rb"\b[^'\x22`\n]{0,60}['\x22]\s*\+\s*|`"
    + _INTERPRETER
    + rb"\b[^`$\n]{0,60}\$\{\s*)(?P<expr>[A-Za-z_$][\w$]*)"
)
_INTERPRETER_ARGUMENT = re.compile(rb"^(?:process\.execPath|['\x22`]" + _INTERPRETER + rb"['\x22`])$")
_FUNCTION_HEADER = re.compile(
    rb"(?:function\s*\*?\s*(?P<a>[\w$]+)\s*\((?P<pa>[^()]{0,200})\)|"
    rb"(?P<b>[\w$]+)\s*[:=]\s*(?:async\s+)?(?:function\b[^(]{0,40}\((?P<pb>[^()]{0,200})\)|"
    rb"\((?P<pc>[^()]{0,200})\)\s*=>|(?P<pd>[\w$]+)\s*=>))"
)


def _skip_literal(data: bytes, i: int, end: int) -> int:
    """The index after the string, template or comment starting at `i` (or `i` if none starts there)."""
    c = data[i : i + 1]
    if c in (b"'", b'"', b"`"):
        j = i + 1
        while j < end and data[j : j + 1] != c:
            j += 2 if data[j : j + 1] == b"\\" else 1
        return j + 1
    if data[i : i + 2] == b"//":
        j = data.find(b"\n", i, end)
        return end if j == -1 else j
    if data[i : i + 2] == b"/*":
        j = data.find(b"*/", i + 2, end)
        return end if j == -1 else j + 2
    return i


def _still_open(data: bytes, start: int, end: int, depth: int) -> bool:
    """Reading `data[start:end]` with `depth` brackets open at `start`: whether none of them has closed by
    `end` (strings and comments skipped). Bounded by the windows the callers pass."""
    i = start
    while i < end:
        j = _skip_literal(data, i, end)
        if j != i:
            i = j
            continue
        c = data[i]
        if c in b"({[":
            depth += 1
        elif c in b")}]":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return True


def _call_open(data: bytes, at: int) -> int:
    """The `(` of the call whose callee starts at `at` (-1 if none is near)."""
    open_at = data.find(b"(", at, at + 120)
    if open_at != -1 and data.startswith(b"require", at):
        # `require('child_process').exec(cmd)`: the evidence starts at the require, the call is after it
        close = data.find(b")", open_at, open_at + 80)
        open_at = data.find(b"(", close, close + 60) if close != -1 else -1
    return open_at


def _first_argument(data: bytes, at: int) -> tuple[int, bytes] | None:
    """The text of the first argument of the call whose callee starts at `at` (its offset too); a call that
    does not close within the window gives what the window holds."""
    open_at = _call_open(data, at)
    if open_at == -1:
        return None
    end = min(len(data), open_at + _CALL_TEXT)
    cut = next(_top_level_cuts(data, open_at), end)
    return open_at + 1, data[open_at + 1 : cut].strip()


def _top_level_cuts(data: bytes, open_at: int) -> Iterator[int]:
    """Where the call whose `(` is at `open_at` separates its arguments (top-level commas) and, last, where
    it closes, skipping string literals and nested brackets, within `_CALL_TEXT` bytes."""
    depth, i, end = 0, open_at + 1, min(len(data), open_at + _CALL_TEXT)
    while i < end:
        j = _skip_literal(data, i, end)
        if j != i:
            i = j
            continue
        c = data[i]
        if c in b"({[":
            depth += 1
        elif c in b")}]":
            if depth == 0:
                yield i
                return
            depth -= 1
        elif c == ord(",") and depth == 0:
            yield i
        i += 1


# ---- remote-triggered destruction ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Wipe:
    evidence: Evidence
    what: str
    at: int


@dataclass(frozen=True, slots=True)
class _Handler:
    what: str
    evidence: Evidence
    start: int
    """Where the handler's code starts (after the registration's first comma, or the fetch call)."""
    param: bytes | None
    """The callback's first parameter: the received data, whose comparison with a literal is a key."""


def check(facts: PackageFacts) -> Iterator[Finding]:
    yield from _remote_wipes(facts)
    yield from _download_runs(facts)


def _remote_wipes(facts: PackageFacts) -> Iterator[Finding]:
    for f in facts.files:
        data = facts.text.get(f.path)
        if data is None:
            continue
        text = FileText(data, snippet_chars=160)
        wipes = _wipes(f, text)
        if not wipes:
            continue
        networked = _networked(f)
        where = facts.reach(f.path)
        for wipe in wipes:
            handler = _handler_of(wipe.at, text, f.path, networked=networked)
            if handler is None:
                continue
            key = _keyed(handler, wipe.at, text, f.path)
            critical = key is not None or where is not Reach.LIBRARY
            yield REMOTE_TRIGGERED_WIPE.finding(
                f"{f.path} {wipe.what} inside {handler.what}"
                + (f", keyed on `{key.snippet}`" if key is not None else "")
                + f" ({where.phrase})",
                wipe.evidence,
                handler.evidence,
                *((key,) if key is not None else ()),
                severity=None if critical else Severity.HIGH,
            )
            return


def _networked(f: FileCapabilities) -> bool:
    return (
        network_evidence(f) is not None
        or bool(_NETWORK_PACKAGES & set(f.imports))
        or bool(_NETWORK_GLOBALS & set(f.globals))
    )


def _wipes(f: FileCapabilities, text: FileText) -> list[_Wipe]:
    """Recursive deletes of a wide target: fs.rm* with `recursive: true`, rimraf / fs-extra removes, and
    `rm -rf *`-style command lines (in the working directory, unless `cwd:` names another)."""
    data = text.data
    found: list[_Wipe] = []
    for key, evidence in sorted(f.builtin.items()):
        if not _JS_REMOVERS.match(key):
            continue
        for e in evidence[:_MAX_SITES]:
            at = text.offset(e)
            argument = _first_argument(data, at)
            if argument is None or not _RECURSIVE.search(data, at, at + 300):
                continue
            target = _wide_target(argument[1], at, data)
            if target is not None:
                found.append(_Wipe(e, f"deletes {target} recursively ({key})", at))
    if _REMOVER_PACKAGES & set(f.imports):
        for m in list(_LIBRARY_REMOVERS.finditer(data))[:_MAX_SITES]:
            argument = _first_argument(data, m.start())
            target = _wide_target(argument[1], m.start(), data) if argument is not None else None
            if target is not None:
                snippet = m.group(0).rstrip(b"( ")
                found.append(
                    _Wipe(
                        text.evidence(f.path, m.start(), snippet), f"deletes {target} recursively", m.start()
                    )
                )
    for e, command in f.commands[: 4 * _MAX_SITES]:
        wipe = _SHELL_WIPE.search(command)
        if wipe is None:
            continue
        at = text.offset(e)
        cwd = _CWD_OPTION.search(data, at, at + _CALL_TEXT)
        target = wipe.group("t") or wipe.group("w") or ""
        if (
            cwd is not None
            and target in {"*", ".", "./", "./*"}
            and _wide_target(cwd.group("c"), at, data) is None
        ):
            continue  # `rm -rf *` in a directory the code names: cleaning its own output
        found.append(_Wipe(e, f"runs `{wipe.group(0).strip()}`", at))
    return sorted(found, key=lambda w: w.at)[:_MAX_SITES]


def _wide_target(argument: bytes, at: int, data: bytes) -> str | None:
    """What wide directory `argument` is: itself (cwd, home, root, two levels up), a local project-root
    finder (`projectRoot()` walking up out of node_modules), or a variable assigned one of those nearby."""
    argument = argument.strip()
    if _WIDE.match(argument):
        return argument.decode("utf-8", "replace")
    call = re.fullmatch(rb"([A-Za-z_$][\w$]*)\(\s*\)", argument)
    if call is not None and _finds_project_root(call.group(1), data):
        return f"the project root ({argument.decode('utf-8', 'replace')})"
    if re.fullmatch(rb"[A-Za-z_$][\w$]*", argument):
        before = data[max(0, at - _HANDLER_WINDOW) : at]
        assigned = list(
            re.finditer(rb"(?<![\w$.])" + re.escape(argument) + rb"\s*=\s*([^;\n]{1,120})", before)
        )
        if assigned:
            value = assigned[-1].group(1).strip().rstrip(b",")
            if _WIDE.match(value):
                return f"{argument.decode()} = {value.decode('utf-8', 'replace')}"
            inner = re.fullmatch(rb"([A-Za-z_$][\w$]*)\(\s*\)", value)
            if inner is not None and _finds_project_root(inner.group(1), data):
                return f"the project root ({value.decode('utf-8', 'replace')})"
    return None


def _finds_project_root(name: bytes, data: bytes) -> bool:
    """A local function `name` whose body walks up out of node_modules (at most 4 definitions looked at)."""
    definition = re.compile(
        rb"(?:function\s+"
        + re.escape(name)
        + rb"\s*\(|(?<![\w$.])"
        + re.escape(name)
        + rb"\s*=\s*(?:async\s+)?"
        rb"(?:function\b|\([^()]{0,80}\)\s*=>))"
    )
    for count, m in enumerate(definition.finditer(data)):
        if count >= 4:
            break
        if _ROOT_FINDER_BODY.search(data, m.end(), m.end() + 400):
            return True
    return False


def _handler_of(at: int, text: FileText, path: str, *, networked: bool) -> _Handler | None:
    """The innermost handler of network data whose code is still open at `at`: a listener on a network
    object (when the file uses the network), an HTTP route, a server callback, or the code after a fetch."""
    data = text.data
    start = max(0, at - _HANDLER_WINDOW)
    candidates: list[_Handler] = []
    if networked:
        for m in _LISTENER.finditer(data, start, at):
            receiver = m.group("recv")
            if m.group("event") in _LIFECYCLE_EVENTS or receiver.split(b".")[-1] in {b"process", b"stdin"}:
                continue
            if receiver.startswith(b"process.") or receiver == b"process":
                continue
            param = _CALLBACK_PARAM.match(data, m.end())
            candidates.append(
                _Handler(
                    f"a listener for '{m.group('event').decode('utf-8', 'replace')}' on "
                    f"{receiver.decode('utf-8', 'replace') or 'a connection'}",
                    text.evidence(path, m.start(), m.group(0)),
                    m.end(),
                    param.group("p") if param else None,
                )
            )
        for m in _FETCH.finditer(data, max(0, at - _FETCH_WINDOW), at):
            # What runs on the reply: the statements after `await fetch(…)` in its block, or a `.then(…)`
            # callback chained to it; a request made and forgotten does not guard what follows it.
            evidence = text.evidence(path, m.start(), m.group(0))
            if re.search(rb"\bawait\s*\(?\s*$", data[max(0, m.start() - 12) : m.start()]):
                candidates.append(_Handler("the code after a network request", evidence, m.start(), None))
            for then in _THEN.finditer(data, m.end(), at):
                candidates.append(
                    _Handler("the reply handler of a network request", evidence, then.end(), None)
                )
    for m in _ROUTE.finditer(data, start, at):
        param = _CALLBACK_PARAM.match(data, m.end())
        candidates.append(
            _Handler(
                f"the HTTP route handler {m.group('verb').decode().upper()} "
                f"{m.group('route').decode('utf-8', 'replace')}",
                text.evidence(path, m.start(), m.group(0)),
                m.end(),
                param.group("p") if param else None,
            )
        )
    for m in _SERVER.finditer(data, start, at):
        param = _CALLBACK_PARAM.match(data, m.end())
        candidates.append(
            _Handler(
                "a server's request callback",
                text.evidence(path, m.start(), m.group(0)),
                m.end(),
                param.group("p") if param else None,
            )
        )
    for handler in sorted(candidates, key=lambda h: -h.start):
        # A registration's callback sits inside the call's parentheses; code after a fetch sits in the
        # same block as (or a block nested after) the request.
        if _still_open(data, handler.start, at, 0):
            return handler
    return None


def _keyed(handler: _Handler, at: int, text: FileText, path: str) -> Evidence | None:
    """A comparison of the received data (the callback's first parameter) with a literal before the act."""
    if handler.param is None or handler.param in {b"function", b"async"}:
        return None
    pattern = re.compile(
        rb"(?<![\w$.])" + re.escape(handler.param) + rb"\b(?P<expr>[^;\n{}]{0,80}?)\s*(?:===?|!==?)\s*"
        rb"(?P<lit>(?P<q>['\x22`])[^'\x22`\n]{1,80}(?P=q))"
    )
    for m in pattern.finditer(text.data, handler.start, at):
        if re.search(rb"\.(?:method|readyState|type)\s*$|typeof", m.group("expr")):
            continue
        return text.evidence(path, m.start(), m.group(0))
    return None


# ---- download and run ---------------------------------------------------------------------------------------


def _download_runs(facts: PackageFacts) -> Iterator[Finding]:
    for f in facts.files:
        data = facts.text.get(f.path)
        if data is None or not _networked(f):
            continue
        writes = [e for key, ev in sorted(f.builtin.items()) if _WRITERS.match(key) for e in ev[:_MAX_SITES]]
        runs = [
            (e, key.endswith("Sync"))
            for key, ev in sorted(f.builtin.items())
            if _SPAWNERS.match(key)
            for e in ev[:_MAX_SITES]
        ]
        if not writes or not runs or _CHECKSUM.search(data):
            continue
        text = FileText(data, snippet_chars=160)
        written = {name: e for e in writes for name in _path_names(text.offset(e), data)}
        for run, synchronous in runs:
            at = text.offset(run)
            shared = [
                name
                for name in sorted(set(_path_names(at, data, program=True)) & set(written))
                if abs(text.offset(written[name]) - at) <= _LINK_DISTANCE
            ]
            if not shared:
                continue
            write = written[shared[0]]
            hidden = _HIDDEN.search(data, at, at + _CALL_TEXT) or (
                None if synchronous else _QUIET.search(data, at, at + _CALL_TEXT)
            )
            temp = _TEMP.search(
                data, max(0, text.offset(write) - _HANDLER_WINDOW), text.offset(write) + _CALL_TEXT
            )
            temp = temp or _TEMP.search(data, max(0, at - _FETCH_WINDOW), at + _CALL_TEXT)
            if hidden is None and temp is None:
                continue  # the foreground run of a binary placed for the package: an installer's check
            where = facts.reach(f.path)
            how = [
                *((f"hidden ({hidden.group(0).decode()})",) if hidden else ()),
                *((f"placed in {temp.group(0).decode('utf-8', 'replace')}",) if temp else ()),
            ]
            contract = _CONTRACT_LOOKUP.search(data)
            yield DOWNLOAD_RUN.finding(
                f"{f.path} writes a download to {shared[0].decode()} and runs it, {' and '.join(how)}"
                + (", the server's address read from a smart contract" if contract else "")
                + f" ({where.phrase})",
                write,
                run,
                *((text.evidence(f.path, contract.start(), contract.group(0)),) if contract else ()),
                severity=Severity.HIGH if where is Reach.LIBRARY else None,
            )
            return


def _path_names(at: int, data: bytes, *, program: bool = False) -> list[bytes]:
    """The variables the first argument of the call at `at` is built from (with `program`, only those naming
    the program a command line starts), and — where one is a parameter of the enclosing function — the
    variables the function's local callers pass for it (one level)."""
    argument = _first_argument(data, at)
    if argument is None:
        return []
    names = _program(argument[1]) if program else _values(argument[1])
    if program and _INTERPRETER_ARGUMENT.match(argument[1]):
        # spawn(process.execPath, [dest]), execFile('powershell', ['-File', dest]): the script is run
        rest = _arguments(data, _call_open(data, at))
        if len(rest) > 1 and rest[1][:1] == b"[":
            names = [n for element in _arguments(b" " + rest[1], 1) for n in _values(element)]
    literal = argument[1] if argument[1][:1] in (b"'", b'"', b"`") and not program else None
    out = [*names, *((literal,) if literal else ())]
    if not names:
        return out
    header = next(
        (
            h
            for h in reversed(list(_FUNCTION_HEADER.finditer(data, max(0, at - _FETCH_WINDOW), at)))
            if _encloses(h, at, data)
        ),
        None,
    )
    if header is None:
        return out
    function = header.group("a") or header.group("b")
    params = [
        p.strip().split(b"=")[0].strip()
        for p in (
            header.group("pa") or header.group("pb") or header.group("pc") or header.group("pd") or b""
        ).split(b",")
    ]
    for name in names:
        if name not in params or function is None:
            continue
        index = params.index(name)
        calls = re.compile(rb"(?<![\w$.])" + re.escape(function) + rb"\s*\(")
        for count, call in enumerate(calls.finditer(data, max(0, at - _LINK_DISTANCE), at + _LINK_DISTANCE)):
            if count >= _MAX_SITES:
                break
            if call.start() == header.start() or data[
                max(0, call.start() - 9) : call.start()
            ].rstrip().endswith(b"function"):
                continue
            arguments = _arguments(data, call.end() - 1)
            if index < len(arguments):
                out.extend(_values(arguments[index]))
    return out


def _values(expression: bytes) -> list[bytes]:
    """Variables whose values an expression is built from: not member names, not receivers of a method
    (`path.join`, a bundle's `path$1`), not callees; three characters or more, since a minified bundle
    reuses `e`, `t`, `n` in every function."""
    joined = re.match(rb"(?:path\.)?(?:join|resolve)\s*\(", expression)
    if joined is not None:
        # `path.join(dir, name)`: the file is the last part; a directory is shared by whatever sits in it
        parts = _arguments(expression, joined.end() - 1)
        expression = parts[-1] if parts else b""
    expression = _STRING.sub(b"''", expression)
    return [
        m.group(0)
        for m in _VALUE_NAME.finditer(expression)
        if m.group(0) not in _NOT_NAMES and len(m.group(0)) >= 3
    ]


def _program(expression: bytes) -> list[bytes]:
    """The variables naming the program of a run: the first argument itself (`spawn(file)`), the start of a
    command line (`'"' + dest + '"'`, `` `${dest} --x` ``), or a path built for it (`path.join(dir, exe)`).
    A download handed to another program as an argument (`tar -xzf ${file}`) is not a run of it."""
    if re.match(rb"(?:path\.)?(?:join|resolve)\s*\(", expression):
        return _values(expression)
    found = _PROGRAM.match(expression) or _INTERPRETED.match(expression)
    if found is None:
        return []
    return _values(found.group("expr"))


def _encloses(header: re.Match[bytes], at: int, data: bytes) -> bool:
    """Whether the function whose header is `header` is still open at `at` (its body has not closed)."""
    brace = data.find(b"{", header.end(), header.end() + 40)
    if brace == -1 or brace > at:
        return at - header.end() < _CALL_TEXT  # an expression-bodied arrow: the call is its body
    return _still_open(data, brace + 1, at, 1)


def _arguments(data: bytes, open_at: int) -> list[bytes]:
    """The top-level arguments of the call whose `(` is at `open_at` (bounded; an argument the window cuts
    off is left out)."""
    parts: list[bytes] = []
    begin = open_at + 1
    for cut in _top_level_cuts(data, open_at):
        parts.append(data[begin:cut].strip())
        begin = cut + 1
    return parts


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (REMOTE_TRIGGERED_WIPE, DOWNLOAD_RUN)
