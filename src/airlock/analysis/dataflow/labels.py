"""What the data-flow pass tracks: labels (a secret's kind, where it was read, the steps it went through),
the vocabulary of sources, and the frozen results one file hands to the package-level join."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from airlock.model import Evidence

MAX_LABELS = 6
"""Labels kept per expression: enough to name what a value carries, small enough to stay linear."""
MAX_VIA = 6


class Kind(StrEnum):
    ENV_DUMP = "environment"
    SECRET_ENV = "secret variable"
    SECRET_FILE = "secret file"
    HISTORY = "shell history"
    KEY_MATERIAL = "key material"
    IDENTITY = "host identity"
    REMOTE = "data received from the network"
    """What a socket, WebSocket, socket.io client or HTTP response delivers (remote-command sources)."""
    SECRET_PATH = "secret path"
    """A path naming a secret location: not a secret itself, it becomes one when a file read takes it."""
    BROWSER = "browser data"
    """The page's secrets: `document.cookie`, web storage, keystrokes, form contents (`detail` says which)."""
    INTERCEPTED = "intercepted request"
    """What the application hands a network function the package replaced (`https.request = function (opts)
    {…}`, `globalThis.fetch = (url, init) => …`): its URLs, headers and bodies. `detail`: `<wrapper start
    byte>:<replaced function>`."""
    PARAM = "parameter"
    """Symbolic: whatever callers pass as parameter `detail` (`<function start byte>:<index>`)."""
    IMPORT = "import"
    """Symbolic: what a relative module exports (`<specifier>\\0<export>`), resolved by the join."""


SYMBOLIC = frozenset({Kind.PARAM, Kind.IMPORT, Kind.SECRET_PATH})


@dataclass(frozen=True, slots=True)
class Label:
    kind: Kind
    detail: str
    evidence: Evidence
    via: tuple[str, ...] = ()

    def through(self, step: str) -> Label:
        if len(self.via) >= MAX_VIA or (self.via and self.via[-1] == step):
            return self
        return Label(self.kind, self.detail, self.evidence, (*self.via, step))

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind.value, self.detail)

    def describe(self) -> str:
        if self.kind is Kind.ENV_DUMP:
            return "process.env"
        if self.kind is Kind.SECRET_ENV:
            return f"process.env.{self.detail}"
        if self.kind is Kind.REMOTE:
            return f"data received from {self.detail}"
        if self.kind is Kind.BROWSER:
            return self.detail
        if self.kind is Kind.INTERCEPTED:
            return f"what the application passes to the replaced {self.detail.partition(':')[2]}"
        return f"{self.kind.value} {self.detail}"


Labels = tuple[Label, ...]
NONE: Labels = ()


def merge(*groups: Labels) -> Labels:
    """Union by (kind, detail), first occurrence kept, sorted for determinism, capped."""
    seen: dict[tuple[str, str], Label] = {}
    for group in groups:
        for label in group:
            seen.setdefault(label.key, label)
    if not seen:
        return NONE
    ordered = sorted(seen.values(), key=lambda lb: (lb.kind in SYMBOLIC, lb.key))
    return tuple(ordered[:MAX_LABELS])


def through(labels: Labels, step: str) -> Labels:
    return tuple(label.through(step) for label in labels)


# ---- source vocabulary ---------------------------------------------------------------------------

_SECRET_ENV = re.compile(
    r"^(?:NPM_TOKEN|NODE_AUTH_TOKEN|GITHUB_TOKEN|GH_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|"
    r"[A-Z0-9_]*(?:_TOKEN|_SECRET|_API_KEY|_APIKEY|_PASSWORD|_PASS|_SECRET_KEY|_PRIVATE_KEY|_AUTH))$"
)


def secret_env_name(name: str) -> bool:
    return bool(_SECRET_ENV.match(name))


# Locations whose contents are someone's credentials, keys or browsing secrets.
_SECRET_PATH = re.compile(
    r"(?:^|[/\\])(?:\.ssh|\.aws|\.npmrc|\.kube|\.netrc|\.git-credentials|\.gnupg|\.pypirc|\.yarnrc|"
    r"\.docker[/\\]config\.json|\.config[/\\]gcloud|gcloud|id_rsa|id_ed25519|id_ecdsa|"
    r"Login Data|Local Storage|leveldb|Local Extension Settings|Cookies|wallet\.dat|keystore|"
    r"solana[/\\]id\.json|[Ee]xodus|\.electrum|\.bitcoin|\.ethereum)(?:$|[/\\])"
    r"|(?:^|[/\\])(?:\.docker|\.config)$"
)
_HISTORY = re.compile(r"(?:^|[/\\])\.(?:bash|zsh|sh|python|node_repl|psql|mysql)_history$|\.zsh_history")
_KEY_NAMES = frozenset(
    {
        "privatekey",
        "private_key",
        "secretkey",
        "secret_key",
        "mnemonic",
        "seedphrase",
        "seed_phrase",
        "seed",
    }
)


def path_kind(text: str) -> Kind | None:
    """SECRET_PATH or HISTORY for a path (or path segment) naming a secret location."""
    if len(text) > 512:
        return None
    if _HISTORY.search(text):
        return Kind.HISTORY
    if _SECRET_PATH.search(text):
        return Kind.SECRET_PATH
    return None


def key_material_name(name: str) -> bool:
    return name.lower().lstrip("_#") in _KEY_NAMES


# ---- results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sink:
    """A place data leaves the machine: `what` names the call and the part ("body of https.request")."""

    what: str
    evidence: Evidence
    destination: str | None
    """The host when the URL folds to a constant; None when it is configured at run time."""
    load_time: bool
    """Runs when the file is loaded (top level, or a function the top level calls), not only when called."""
    executes: bool = False
    """A command or code sink (child_process exec/spawn, eval) rather than a network one."""


@dataclass(frozen=True, slots=True)
class Flow:
    """A source's data reaching a sink, in `path` (the file where the sink is)."""

    source: Label
    sink: Sink
    path: str
    origin: str
    """The file whose reach decides when it runs (the caller's, for a flow through another file's export)."""

    def describe(self, when: str) -> str:
        """`process.env → JSON.stringify → fetch to h.example in index.js:3, when the package is loaded`."""
        steps = " → ".join((self.source.describe(), *self.source.via, self.sink.what))
        where = f"{self.sink.evidence.file}:{self.sink.evidence.line}"
        to = f" to {self.sink.destination}" if self.sink.destination else ""
        return f"{steps}{to} in {where}, {when}"


@dataclass(frozen=True, slots=True)
class ParamSink:
    """An exported function of this file sends its parameter `index` to `sink` (resolved by the join)."""

    export: str
    index: int
    sink: Sink
    via: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportSink:
    """What a relative module exports reaches `sink` in this file (resolved by the join)."""

    specifier: str
    export: str
    sink: Sink
    via: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CallOut:
    """This file passes labelled data as argument `index` of a relative module's export."""

    specifier: str
    export: str
    index: int
    labels: Labels
    load_time: bool


@dataclass(frozen=True, slots=True)
class ExportValue:
    """What an export of this file returns (a function's return values, or the exported value itself)."""

    export: str
    labels: Labels


@dataclass(frozen=True, slots=True)
class FileFlows:
    flows: tuple[Flow, ...] = ()
    param_sinks: tuple[ParamSink, ...] = ()
    import_sinks: tuple[ImportSink, ...] = ()
    call_outs: tuple[CallOut, ...] = ()
    exports: tuple[ExportValue, ...] = ()
    complete: bool = True
    """False when the pass was cut (step budget): the file is not covered by flow analysis."""
    sinks: int = 0
    """Network sinks seen (whether anything reached them): the file was covered."""


EMPTY = FileFlows()
