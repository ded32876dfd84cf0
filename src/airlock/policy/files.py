"""The policy files of a project: `airlock-policy.json` (written by airlock), `airlock-policy-override.json`
(written by people, never by airlock), and the LavaMoat export under `lavamoat/node/`."""

from __future__ import annotations

import json
from pathlib import Path

from airlock.analysis.vocabulary import builtin_name
from airlock.errors import OperationalError
from airlock.files import write_atomic
from airlock.policy.document import (
    POLICY_FILENAME,
    GlobalAccess,
    Policy,
    PolicyError,
    Resource,
    dumps,
    loads,
    resource_data,
)

OVERRIDE_FILENAME = "airlock-policy-override.json"
LAVAMOAT_POLICY = Path("lavamoat", "node", "policy.json")
LAVAMOAT_OVERRIDE = Path("lavamoat", "node", "policy-override.json")
"""Where the `lavamoat` runtime looks by default (lavamoat-core `getDefaultPaths('node')`)."""


def read_policy(project: Path) -> Policy:
    """The project's airlock-policy.json; a missing file is an error that says how to make one."""
    path = project / POLICY_FILENAME
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(
            f"{path} does not exist",
            hint=f"create it with `airlock policy init {project}`",
        ) from None
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror}") from None
    return loads(text, source=str(path))


def read_override(project: Path) -> Policy | None:
    """The project's override file, None when it has none."""
    path = project / OVERRIDE_FILENAME
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror}") from None
    return loads(text, source=str(path))


def write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode())
    except OSError as exc:
        raise OperationalError(f"cannot write {path}: {exc.strerror}") from None


def write_policy(project: Path, policy: Policy) -> Path:
    path = project / POLICY_FILENAME
    write_text(path, dumps(policy))
    return path


# --- LavaMoat export ------------------------------------------------------------------------------


def lavamoat_resource(resource: Resource) -> dict[str, object]:
    """One entry as the `lavamoat` 11 runtime needs it.

    - Each builtin key is also written with the `node:` scheme: the runtime matches the specifier a module
      requires literally (`require('node:fs')` needs `node:fs…` keys; lavamoat-core `kernelCoreTemplate.js`
      `requireRelative`), and airlock's keys name the module without it.
    - A `"write"` below the top level (`process.exitCode`) becomes a read of its top-level global
      (`process`), as LavaMoat's own policy generation does: the runtime allows writes only at the top
      level and throws on a deeper one (`endowmentsToolkit.js` `getEndowmentsForConfig`).
    """
    builtin: dict[str, bool] = {}
    for key, value in resource.builtin.items():
        builtin[key] = value
        module = key.split(".", 1)[0]
        if builtin_name(module) == module:
            builtin["node:" + key] = value
    roots = {
        key.split(".", 1)[0] for key, value in resource.globals.items() if value == "write" and "." in key
    }
    globals_: dict[str, GlobalAccess] = {
        key: value for key, value in resource.globals.items() if key.split(".", 1)[0] not in roots
    }
    for root in roots:
        globals_[root] = True
    return resource_data(
        Resource(builtin=builtin, globals=globals_, packages=resource.packages, native=resource.native)
    )


def lavamoat_document(policy: Policy | None) -> str:
    """LavaMoat's policy file (`{"resources": …}`), sorted, two-space indent; `allowScripts` is not part of
    it (allow-scripts reads `lavamoat.allowScripts` in package.json)."""
    resources = {} if policy is None else {n: lavamoat_resource(r) for n, r in policy.resources.items()}
    return json.dumps({"resources": resources}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_lavamoat(
    project: Path, target: Path, policy: Policy, override: Policy | None
) -> tuple[Path, Path]:
    """Write `target/lavamoat/node/policy.json` and `policy-override.json` (an empty one when the project
    has no override, so that an override exported earlier does not linger)."""
    if not target.is_dir():
        raise PolicyError(
            f"{target} is not a directory", hint="give the app's directory (where lavamoat runs)"
        )
    primary, secondary = target / LAVAMOAT_POLICY, target / LAVAMOAT_OVERRIDE
    write_text(primary, lavamoat_document(policy))
    write_text(secondary, lavamoat_document(override))
    return primary, secondary


__all__ = [
    "LAVAMOAT_OVERRIDE",
    "LAVAMOAT_POLICY",
    "OVERRIDE_FILENAME",
    "export_lavamoat",
    "lavamoat_document",
    "lavamoat_resource",
    "read_override",
    "read_policy",
    "write_policy",
]
