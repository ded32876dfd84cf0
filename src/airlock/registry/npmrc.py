"""Read npm's configuration the way npm (`@npmcli/config` + `ini`) reads it: registry, scopes and auth.

Fidelity matters more than convenience here: if airlock resolved a package against a different registry
than `npm install` will, it would vet bytes that are never installed. So the quirks are npm's:

* Files are ini (`key=value`; lines starting with `;` or `#` are comments; an unquoted value ends at the
  first unescaped `;` or `#`; `"…"` values are JSON strings, `'…'` values are taken literally; `key[]=`
  builds an array, of which airlock keeps the last element; a line without `=` sets the key to `true`;
  lines that match nothing are skipped silently; keys inside `[sections]` are not top-level config and are
  ignored, as npm effectively does).
* `${VAR}` in keys and values is replaced by the environment variable; an unknown `${VAR}` is left as
  written (npm ≥ 7 does not fail and does not blank it), `${VAR?}` becomes empty when unset, `\\${VAR}`
  stays literal. An unterminated `${` is left as it is.

Precedence (highest first), per key, as npm applies it:

1. environment variables `npm_config_<key>` (prefix case-insensitive; `_` after the first character
   becomes `-` and the key is lower-cased, except keys starting with `//`, which are kept as given;
   empty values are ignored);
2. the project config `<project>/.npmrc`;
3. the user config: `npm_config_userconfig` (from 1 or 2) or `~/.npmrc`;
4. the default registry `https://registry.npmjs.org/`.

npm's global (`$PREFIX/etc/npmrc`) and builtin configs are not read: they depend on where node is
installed, which airlock does not assume.

Credentials are per "nerf-dart" (`//host[:port]/path/`) exactly as npm-registry-fetch looks them up:
`:_authToken` (Bearer), `:_auth` (Basic, already base64 `user:pass`), or `:username` + `:_password`
(base64 password). Unscoped top-level `_authToken`/`_auth` are refused by npm ≥ 9 and ignored here.
Secrets never appear in a repr, an exception or a log line.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ipaddress
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit, urlunsplit

from airlock.errors import UsageError

logger = logging.getLogger(__name__)

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
_NPMJS_HOST = "registry.npmjs.org"

# JavaScript's `\s` and `String.prototype.trim` whitespace. It includes U+FEFF, which is how npm copes with
# a byte-order mark on the first line; Python's `str.strip()` would not.
_JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

# `ini`'s line grammar. JavaScript's `.` does not match these line terminators, so neither does ours.
_LINE_BREAKS = re.compile(r"[\r\n]+")
_COMMENT = re.compile(f"^[{_JS_WHITESPACE}]*[;#]")
_SECTION = re.compile(r"^\[([^\]]*)\]\Z")
_KEY_VALUE = re.compile(r"^([^=]+)(=([^\n\r\u2028\u2029]*))?\Z")

# @npmcli/config's env-replace: `(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}`.
_ENV_EXPR = re.compile(r"(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}")
_ENV_PREFIX = re.compile(r"^npm_config_", re.IGNORECASE)

_AUTH_SUFFIXES = (":_authToken", ":_auth", ":username", ":_password")


def redact_url(url: str) -> str:
    """`url` without userinfo, query or fragment: safe to put in messages and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    if not parts.scheme or not host:
        return url.split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# ---- the ini layer ---------------------------------------------------------------------------------------


def js_trim(text: str) -> str:
    return text.strip(_JS_WHITESPACE)


def _is_quoted(value: str) -> bool:
    return (value[:1] == '"' and value[-1:] == '"') or (value[:1] == "'" and value[-1:] == "'")


def _unsafe(raw: str) -> str:
    """`ini`'s `unsafe`: unquote a quoted value, else cut at the first unescaped `;`/`#`."""
    value = js_trim(raw)
    if _is_quoted(value):
        if value[0] == "'":
            value = value[1:-1]
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            return value
        # JSON.parse may yield a number or a boolean; npm then sees its string form, which for the values
        # that matter here (URLs, tokens, names) is the text itself.
        return decoded if isinstance(decoded, str) else value
    out: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            out.append(char if char in "\\;#" else "\\" + char)
            escaped = False
        elif char in ";#":
            break
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    if escaped:
        out.append("\\")
    return js_trim("".join(out))


def env_replace(text: str, env: Mapping[str, str]) -> str:
    """npm's `${VAR}` / `${VAR?}` expansion, including its backslash-escape rule."""

    def replace(match: re.Match[str]) -> str:
        escapes, name, optional = match.group(1), match.group(2), match.group(3)
        if len(escapes) % 2:
            # An odd run of backslashes escapes the `$`: half of them (rounded down) survive.
            return match.group(0)[(len(escapes) + 1) // 2 :]
        value = env.get(name)
        if value is None:
            value = "" if optional else "${" + name + "}"
        return escapes[len(escapes) // 2 :] + value

    return _ENV_EXPR.sub(replace, text)


def parse_npmrc(text: str, env: Mapping[str, str]) -> dict[str, str]:
    """Top-level settings of one .npmrc file, keys and values env-expanded. Never raises on content."""
    settings: dict[str, str] = {}
    in_section = False
    for line in _LINE_BREAKS.split(text):
        if not line or _COMMENT.match(line):
            continue
        section = _SECTION.match(line)
        if section:
            in_section = True
            continue
        match = _KEY_VALUE.match(line)
        if match is None or in_section:
            continue
        key = _unsafe(match.group(1))
        if len(key) > 2 and key.endswith("[]"):
            key = key[:-2]
        if not key or key == "__proto__":
            continue
        value = _unsafe(match.group(3)) if match.group(2) else "true"
        settings[env_replace(key, env)] = env_replace(js_trim(value), env)
    return settings


def env_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The `npm_config_*` layer of the environment, keyed as npm keys it."""
    settings: dict[str, str] = {}
    for name, value in env.items():
        if not _ENV_PREFIX.match(name) or value == "":
            continue
        key = name[len("npm_config_") :]
        if not key.startswith("//"):
            key = (key[:1] + key[1:].replace("_", "-")).lower()
        if key:
            settings[key] = env_replace(js_trim(value), env)
    return settings


# ---- credentials -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """What .npmrc holds for one nerf-dart. `repr` says only which kind, never the secret."""

    token: str | None = None
    auth: str | None = None
    username: str | None = None
    password: str | None = None
    """Base64-encoded, as npm stores `_password`."""

    @property
    def kind(self) -> str:
        if self.token:
            return "token"
        if self.auth:
            return "basic"
        if self.username and self.password:
            return "password"
        return "none"

    def __repr__(self) -> str:
        return f"Credentials(kind={self.kind!r})"

    def authorization(self) -> str | None:
        """The `Authorization` value, in npm-registry-fetch's order: token, `_auth`, user + password."""
        if self.token:
            return f"Bearer {self.token}"
        if self.auth:
            return f"Basic {self.auth}"
        if self.username and self.password:
            try:
                password = base64.b64decode(self.password, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                logger.warning("ignoring a _password in .npmrc that is not valid base64")
                return None
            pair = f"{self.username}:{password}".encode()
            return f"Basic {base64.b64encode(pair).decode('ascii')}"
        return None


# ---- URLs ------------------------------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_port(url: str) -> tuple[str, str] | None:
    """(scheme, `host[:port]`) as WHATWG URL's `host` spells it: lower-case, default port omitted."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return scheme, netloc


def url_origin(url: str) -> str:
    """Where connections for `url` go, as `scheme://host[:port]/` (lower-case, default port omitted, no
    credentials or path); the redacted URL itself when it is not http(s)."""
    hp = _host_port(url)
    return f"{hp[0]}://{hp[1]}/" if hp is not None else redact_url(url)


def nerf_dart(url: str) -> str:
    """npm's registry key for `url`: `//host[:port]/path/` (the directory part of the path)."""
    hp = _host_port(url)
    if hp is None:
        raise UsageError(
            f"not an http(s) URL: {redact_url(url)!r}", hint="registry URLs look like https://host/path/"
        )
    path = urlsplit(url).path or "/"
    return f"//{hp[1]}{path[: path.rfind('/') + 1]}"


def normalise_registry(url: str, *, source: str) -> str:
    value = url.strip()
    hp = _host_port(value)
    if hp is None:
        raise UsageError(
            f"registry setting from {source} is not an http(s) URL: {redact_url(value)!r}",
            hint="registries are configured like `registry=https://registry.npmjs.org/` in .npmrc",
        )
    return value if value.endswith("/") else value + "/"


def _is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1 : host.find("]")]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# ---- the config ------------------------------------------------------------------------------------------


def _empty_registries() -> Mapping[str, str]:
    return MappingProxyType({})


def _empty_credentials() -> Mapping[str, Credentials]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, repr=False)
class NpmConfig:
    """The parts of npm's config that decide where packages come from and which credentials go where."""

    registry: str = DEFAULT_REGISTRY
    scoped_registries: Mapping[str, str] = field(default_factory=_empty_registries)
    """'@scope' → registry URL (normalised, trailing '/')."""
    credentials: Mapping[str, Credentials] = field(default_factory=_empty_credentials, repr=False)
    """Nerf-dart (`//host[:port]/path/` or `//host/path`) → credentials."""
    replace_registry_host: str = "npmjs"
    """npm's `replace-registry-host`: `npmjs` (default), `never`, `always`, or a host name."""
    sources: tuple[str, ...] = ()
    """The files that were read, most important first (for diagnostics)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "registry", normalise_registry(self.registry, source="configuration"))
        scoped = {
            scope: normalise_registry(url, source=f"{scope}:registry")
            for scope, url in self.scoped_registries.items()
        }
        object.__setattr__(self, "scoped_registries", MappingProxyType(scoped))
        object.__setattr__(self, "credentials", MappingProxyType(dict(self.credentials)))

    def __repr__(self) -> str:
        scoped = {scope: redact_url(url) for scope, url in self.scoped_registries.items()}
        return (
            f"NpmConfig(registry={redact_url(self.registry)!r}, scoped_registries={scoped!r}, "
            f"credentials=<{len(self.credentials)} configured>, "
            f"replace_registry_host={self.replace_registry_host!r}, sources={self.sources!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # MappingProxyType does not pickle; rebuild from plain dicts.
        return (
            NpmConfig,
            (
                self.registry,
                dict(self.scoped_registries),
                dict(self.credentials),
                self.replace_registry_host,
                self.sources,
            ),
        )

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], *, sources: tuple[str, ...] = ()) -> NpmConfig:
        """Build from merged npm settings (as `parse_npmrc` returns them)."""
        registry = settings.get("registry") or DEFAULT_REGISTRY
        scoped: dict[str, str] = {}
        parts: dict[str, dict[str, str]] = {}
        for key, value in settings.items():
            if key.startswith("@") and key.endswith(":registry") and value:
                scoped[key[: -len(":registry")].lower()] = value
            elif key.startswith("//"):
                for suffix in _AUTH_SUFFIXES:
                    if key.endswith(suffix) and len(key) > len(suffix) + 2 and value:
                        parts.setdefault(key[: -len(suffix)], {})[suffix] = value
                        break
        if any(k in settings for k in ("_authToken", "_auth", "_password")):
            logger.warning(
                "ignoring credentials in .npmrc that are not scoped to a registry; "
                "write them as //host/path/:_authToken=… (npm ≥ 9 requires this too)"
            )
        for dart, p in parts.items():
            if any("${" in v for v in p.values()):
                # The value itself is not logged: only that it still holds an unexpanded reference.
                logger.warning("credentials for %s refer to an environment variable that is not set", dart)
        credentials = {
            dart: Credentials(
                token=p.get(":_authToken"),
                auth=p.get(":_auth"),
                username=p.get(":username"),
                password=p.get(":_password"),
            )
            for dart, p in parts.items()
        }
        return cls(
            registry=registry,
            scoped_registries=scoped,
            credentials={d: c for d, c in credentials.items() if c.kind != "none"},
            replace_registry_host=settings.get("replace-registry-host") or "npmjs",
            sources=sources,
        )

    def registry_for(self, package_name: str) -> str:
        """The registry npm would use for `package_name`: its scope's registry, else the default one."""
        if package_name.startswith("@") and "/" in package_name:
            scope = package_name.split("/", 1)[0].lower()
            return self.scoped_registries.get(scope, self.registry)
        return self.registry

    def _credentials_for(self, url: str) -> Credentials | None:
        # npm-registry-fetch's regKeyFromURI: walk from `//host/full/path` up to `//host`, dropping either the
        # last segment or a trailing slash each step, and take the first key that has credentials.
        hp = _host_port(url)
        if hp is None:
            return None
        key = f"//{hp[1]}{urlsplit(url).path}"
        while len(key) > 2:
            found = self.credentials.get(key)
            if found is not None:
                return found
            key = re.sub(r"([^/]+|/)$", "", key)
        return None

    def _plaintext_allowed(self, url: str) -> bool:
        # npm ignores the scheme when matching credentials, so a `http://` link on a https registry's host
        # would get the token in clear text. Only send over http where the user configured an http registry
        # on that very host and port (or the host is this machine).
        hp = _host_port(url)
        if hp is None or hp[0] == "https":
            return hp is not None
        if _is_loopback(hp[1]):
            return True
        return any(_host_port(r) == hp for r in (self.registry, *self.scoped_registries.values()))

    def auth_headers(self, url: str) -> dict[str, str]:
        """`Authorization` for `url` if a nerf-dart prefix of it has credentials; else nothing."""
        credentials = self._credentials_for(url)
        if credentials is None or not self._plaintext_allowed(url):
            return {}
        value = credentials.authorization()
        return {"Authorization": value} if value else {}

    def auth_hint(self, url: str) -> str:
        """How to configure credentials for `url`, naming the .npmrc key (never a value)."""
        try:
            dart = nerf_dart(url)
        except UsageError:
            dart = "//host/path/"
        return (
            f"add `{dart}:_authToken=${{NPM_TOKEN}}` to .npmrc (npm login writes it) and export NPM_TOKEN, "
            "or check that the token may read this package"
        )

    def tarball_url(self, url: str, package_name: str) -> str:
        """Where npm (pacote) would fetch a packument's `dist.tarball` from, after `replace-registry-host`."""
        registry = self.registry_for(package_name)
        hp = _host_port(url)
        if hp is None:
            return url
        mode = self.replace_registry_host
        wanted = _NPMJS_HOST if mode == "npmjs" else mode
        if mode == "never" or (mode != "always" and hp[1] != wanted):
            return url
        parts = urlsplit(url)
        # Keep the configured registry's own path (a mirror under /npm/ keeps serving under /npm/).
        return registry + parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")


def public_npm_config(registry: str = DEFAULT_REGISTRY) -> NpmConfig:
    """A public registry with no credentials: for asking whether a private name also exists publicly."""
    return NpmConfig.from_settings({"registry": registry}, sources=("(public registry)",))


# ---- loading ---------------------------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return None
    except OSError as error:
        logger.warning("cannot read %s: %s", path, error.strerror or error)
        return None


def _expand_home(value: str, home: Path) -> Path:
    if value == "~":
        return home
    if value.startswith(("~/", "~\\")):
        return home / value[2:]
    return Path(value)


def load_npm_config(project_dir: Path, *, env: Mapping[str, str], home: Path) -> NpmConfig:
    """npm's effective registry/scope/auth configuration for a project (see the module docstring)."""
    env_layer = env_settings(env)
    layers: list[tuple[str, dict[str, str]]] = [("environment", env_layer)]

    project_file = project_dir / ".npmrc"
    project_text = _read(project_file)
    project_layer = parse_npmrc(project_text, env) if project_text is not None else {}

    user_value = env_layer.get("userconfig") or project_layer.get("userconfig")
    user_file = _expand_home(user_value, home) if user_value else home / ".npmrc"
    if not user_file.is_absolute():
        user_file = project_dir / user_file

    if project_text is not None:
        layers.append((str(project_file), project_layer))
    same_file = False
    with contextlib.suppress(OSError):
        same_file = project_text is not None and user_file.resolve() == project_file.resolve()
    if not same_file:
        user_text = _read(user_file)
        if user_text is not None:
            layers.append((str(user_file), parse_npmrc(user_text, env)))

    merged: dict[str, str] = {}
    for _, layer in reversed(layers):
        merged.update(layer)
    sources = tuple(name for name, _ in layers if name != "environment")
    try:
        return NpmConfig.from_settings(merged, sources=sources)
    except UsageError as error:
        where = ", ".join(("environment", *sources))
        raise UsageError(f"{error.message} (read from: {where})", hint=error.hint) from None
