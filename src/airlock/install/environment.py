"""The environment of a lifecycle script: what npm gives one (@npmcli/run-script: `set-path.js`,
`package-envs.js`, `make-spawn-args.js`) minus everything that could hold a secret. Never the parent's
environment wholesale: a script sees only what is built here.

- `PATH`: `node_modules/.bin` of the script's directory and of every directory above it, as npm builds
  it, then npm's node-gyp shim when npm has one, node's own directory and the system directories;
- `npm_package_name`, `npm_package_version`, `npm_package_json`, and `npm_package_config_*`,
  `npm_package_engines_*`, `npm_package_bin_*` (npm RFC 183);
- `npm_lifecycle_event`, `npm_lifecycle_script`, `npm_node_execpath`, `NODE`, `INIT_CWD` (the project);
- the parent's `npm_config_*` except any whose name or value may hold a credential (tokens, auth,
  passwords, keys, certificates, user names, e-mail, per-registry `//host/:…` settings, URLs with a
  user:password part, the paths of the .npmrc files themselves);
- locale and terminal (`LANG`, `LC_*`, `TZ`, `TERM`) and `CI`, which change output and behaviour, not
  authority;
- `HOME` and `TMPDIR`: the sandbox's fresh, empty directories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
PASSED_THROUGH = ("LANG", "LANGUAGE", "TZ", "TERM", "CI", "COLORTERM", "NO_COLOR", "FORCE_COLOR")
_SECRET_NAME = re.compile(
    r"token|auth|pass|secret|key|cred|cert|username|email|otp|session|cookie|//|:|userconfig|globalconfig",
    re.IGNORECASE,
)
_URL_WITH_USER = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s@]+@", re.IGNORECASE)
_NPM_CONFIG = "npm_config_"


def npm_config_environment(parent: Mapping[str, str]) -> dict[str, str]:
    """The parent's `npm_config_*` variables that hold no credential."""
    kept: dict[str, str] = {}
    for name, value in parent.items():
        if not name.lower().startswith(_NPM_CONFIG):
            continue
        setting = name[len(_NPM_CONFIG) :]
        if not setting or _SECRET_NAME.search(setting) or _URL_WITH_USER.search(value):
            continue
        kept[name] = value
    return kept


def base_environment(parent: Mapping[str, str]) -> dict[str, str]:
    """What every script gets from the parent's environment: safe npm settings, locale, terminal, CI."""
    kept = npm_config_environment(parent)
    for name, value in parent.items():
        if name in PASSED_THROUGH or name.startswith("LC_"):
            kept[name] = value
    return kept


def bin_path(directory: PurePosixPath | Path) -> list[str]:
    """`node_modules/.bin` of `directory` and of every directory above it, nearest first (npm's order)."""
    dirs = [directory, *directory.parents]
    return [str(d / "node_modules" / ".bin") for d in dirs]


def package_environment(manifest: Mapping[str, object]) -> dict[str, str]:
    """npm_package_* as @npmcli/run-script's package-envs.js derives it (name, version, config, engines,
    bin; nested objects flattened with `_`)."""
    env: dict[str, str] = {}

    def add(value: object, prefix: str) -> None:
        if value is None:
            return
        if value is False:
            env[prefix] = ""
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                add(inner, f"{prefix}_{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                add(inner, f"{prefix}_{index}")
        else:
            env[prefix] = str(value)

    for field in ("name", "version", "config", "engines", "bin"):
        add(manifest.get(field), f"npm_package_{field}")
    return {k: v for k, v in env.items() if "=" not in k and "\0" not in k and "\0" not in v}


def script_environment(
    *,
    base: Mapping[str, str],
    manifest: Mapping[str, object],
    directory: PurePosixPath | Path,
    project: PurePosixPath | Path,
    event: str,
    script: str,
    node: str,
    home: str,
    tmpdir: str,
    extra_path: Iterable[str] = (),
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The whole environment of one script run in `directory` (as the script will see its paths)."""
    node_dir = str(PurePosixPath(node).parent)
    path = [*bin_path(directory), *extra_path, node_dir, *SYSTEM_PATH]
    env = dict(base)
    env.update(extra or {})
    env.update(package_environment(manifest))
    env.update(
        {
            "PATH": ":".join(dict.fromkeys(path)),
            "npm_package_json": str(directory / "package.json"),
            "npm_lifecycle_event": event,
            "npm_lifecycle_script": script,
            "npm_node_execpath": node,
            "NODE": node,
            "INIT_CWD": str(project),
            "HOME": home,
            "TMPDIR": tmpdir,
        }
    )
    return env


__all__ = [
    "base_environment",
    "bin_path",
    "npm_config_environment",
    "package_environment",
    "script_environment",
]
