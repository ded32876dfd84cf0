"""Whether a flow is exfiltration: what was read, and where it goes.

The whole environment, private keys and wallet seeds, browser and SSH secrets, and shell history sent
anywhere are theft: stealers post to ordinary-looking hosts. A credential *for a service* (a secret-named
variable, ~/.npmrc, ~/.aws) is what that service's client sends to it: it is exfiltration only when the
destination is a constant host that is not its service. A destination configured at run time (not a
constant) is the client using its own credential.
"""

from __future__ import annotations

from airlock.analysis.dataflow.labels import Flow, Kind

_HOST_IDENTITY = frozenset({"os.hostname", "os.userInfo", "os.networkInterfaces"})
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"})


def is_identity_beacon(flow: Flow) -> bool:
    """The machine's name, its user or its interfaces sent to a host written in the code (not loopback): a
    probe reporting where it ran. A destination configured at run time is a client the application set up."""
    destination = flow.sink.destination
    return (
        flow.source.kind is Kind.IDENTITY
        and flow.source.detail in _HOST_IDENTITY
        and not flow.sink.executes
        and destination is not None
        and destination.lower() not in _LOOPBACK
        and not destination.lower().endswith(".localhost")
    )


def is_browser_theft(flow: Flow) -> bool:
    """The page's cookies, web storage, keystrokes or form contents sent to a host written in the code; the
    site's own API is addressed relatively or configured, and a first-party request is not this."""
    if flow.source.kind is not Kind.BROWSER or flow.sink.executes or flow.sink.destination is None:
        return False
    # one cookie parsed out of the jar (an analytics id read with match/split) is not the session
    return not (
        flow.source.detail == "document.cookie" and any(step in _PARSE_STEPS for step in flow.source.via)
    )


_PARSE_STEPS = frozenset(
    {"match", "split", "exec", "indexOf", "substring", "substr", "slice", "replace", "test"}
)


def is_remote_command(flow: Flow) -> bool:
    """Data received from the network reaching a command or eval: a remote shell or bot."""
    return flow.sink.executes and flow.source.kind is Kind.REMOTE


# Credential → hosts of its own service (suffix match), beyond the service word in the variable's name.
_SERVICES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("GITHUB", "GH"), ("github.com", "githubusercontent.com", "github.io", "ghcr.io")),
    (("NPM", "NODE_AUTH", ".npmrc", ".yarnrc"), ("npmjs.org", "npmjs.com", "yarnpkg.com")),
    (("AWS", ".aws"), ("amazonaws.com", "aws.amazon.com")),
    ((".docker",), ("docker.io", "docker.com")),
    ((".config/gcloud", "gcloud", "GOOGLE", "GCLOUD"), ("googleapis.com", "google.com")),
    (("CI_JOB", "GITLAB", "GL"), ("gitlab.com",)),
)
# Files that configure a client's own credential (npm, cloud CLIs, registries, git hosts).
_CLIENT_CONFIG = (
    ".npmrc",
    ".yarnrc",
    ".aws",
    ".docker",
    ".kube",
    ".netrc",
    ".git-credentials",
    "gcloud",
    ".pypirc",
)


_AMBIGUOUS_KEYS = frozenset({"secretkey", "secret_key"})


def is_exfiltration(flow: Flow) -> bool:
    if flow.sink.executes:
        return False
    source = flow.source
    if source.kind is Kind.KEY_MATERIAL and source.detail.lower().lstrip("_#") in _AMBIGUOUS_KEYS:
        # `secretKey` is also what API clients call their service secret (PostHog, Stripe): judged as a
        # credential — theft when it goes to a constant host that is not its own (@solana/web3.js 1.95.6).
        return not _own_service(source.detail, flow.sink.destination)
    if source.kind in {Kind.ENV_DUMP, Kind.HISTORY, Kind.KEY_MATERIAL}:
        return True
    if source.kind is Kind.INTERCEPTED:
        # the application's requests (their Authorization headers, cookies, bodies) copied to a host the
        # package wrote down; a wrapper that only passes them on, or reports where it is told, is a client
        return flow.sink.destination is not None
    if source.kind is Kind.SECRET_ENV:
        return not _own_service(source.detail, flow.sink.destination)
    if source.kind is Kind.SECRET_FILE:
        if any(c in source.detail for c in _CLIENT_CONFIG):
            return not _own_service(source.detail, flow.sink.destination)
        return True
    return False


def _own_service(credential: str, destination: str | None) -> bool:
    if destination is None:
        return True  # configured at run time: a client sending its credential where it is told to
    host = destination.lower()
    for names, hosts in _SERVICES:
        names_it = any(n in credential for n in names if n.startswith(".")) or any(
            credential.startswith(n + "_") or credential == n for n in names if not n.startswith(".")
        )
        if names_it and any(host == h or host.endswith("." + h) for h in hosts):
            return True
    # `ACME_API_KEY` sent to api.acme.io, CIRCLE_TOKEN to circleci.com: the variable names its service's
    # domain (the registrable part, so github.com.evil.example does not pass for GitHub).
    word = credential.split("_", 1)[0].lower()
    site = _registrable(host)
    if len(word) >= 4:
        return word in site
    return len(word) == 3 and word in site.split(".")


# Reserved names (RFC 2606/6761) are suffixes like public ones: acme.example.com is acme's site.
_RESERVED = (".example.com", ".example.net", ".example.org", ".invalid", ".test", ".example", ".localhost")


def _registrable(host: str) -> str:
    """The registrable domain, approximately: the last two labels (three under a two-letter country code
    with a short second level, as in co.uk), reserved documentation suffixes counted as suffixes."""
    for suffix in _RESERVED:
        if host.endswith(suffix):
            head = host[: -len(suffix)].rsplit(".", 1)[-1]
            return head + suffix
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
