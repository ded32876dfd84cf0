"""Who may run install scripts, and with the network: read from `airlock-policy.json` (`allowScripts`,
`allowNetwork`) or, only when the project has no policy file, from `lavamoat.allowScripts` in its
package.json (LavaMoat's allow-scripts format). Nothing else grants a script: no entry, no run.

Keys are LavaMoat canonical names (`a>b>c`) pinned to a version (`name#version`), as allow-scripts reads
them. Network grants come from the policy's `allowNetwork` and from `--allow-network NAME` for one run;
the CLI names match a package's name or its canonical name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from airlock.policy.document import POLICY_FILENAME, Policy, PolicyError, loads, parse, script_pattern
from airlock.policy.files import read_override, read_policy
from airlock.policy.merge import merge


class PermissionSource(StrEnum):
    POLICY = POLICY_FILENAME
    PACKAGE_JSON = 'package.json "lavamoat": {"allowScripts": …}'
    NONE = "none (no airlock-policy.json, no lavamoat.allowScripts in package.json)"


@dataclass(frozen=True, slots=True)
class ScriptPermissions:
    source: PermissionSource
    policy: Policy = field(default_factory=Policy)

    def decision(self, canonical: str | None, version: str | None) -> bool | None:
        """True runs; False: the file keeps it off; None: the file says nothing about this version."""
        if canonical is None:
            return None
        return self.policy.scripts_decision(canonical, version)

    def accepting_line(self, canonical: str, version: str | None) -> str:
        """What to add to the permissions file to let these scripts run."""
        entry = f'"{script_pattern(canonical, version)}": true'
        if self.source is PermissionSource.PACKAGE_JSON:
            return f'add {entry} to "lavamoat": {{"allowScripts": …}} in package.json'
        return f'add {entry} to "allowScripts" in {POLICY_FILENAME}'

    def network_from_policy(self, canonical: str | None, version: str | None) -> bool:
        return canonical is not None and self.policy.network_allowed(canonical, version)


def read_permissions(
    project: Path, *, manifest: Mapping[str, object] | None = None, policy: bytes | None = None
) -> ScriptPermissions:
    """The project's script permissions (the policy with its override applied, when there is one).

    `airlock install` hands the bytes it is about to write (the accepted scripts recorded in them): `policy`
    replaces airlock-policy.json's text, `manifest` the project's package.json."""
    if policy is not None or (project / POLICY_FILENAME).exists():
        document = (
            loads(policy, source=f"the new {POLICY_FILENAME}") if policy is not None else read_policy(project)
        )
        override = read_override(project)
        return ScriptPermissions(
            PermissionSource.POLICY, merge(document, override) if override is not None else document
        )
    if manifest is None:
        manifest = _manifest(project / "package.json")
    lavamoat = manifest.get("lavamoat")
    if isinstance(lavamoat, Mapping) and "allowScripts" in lavamoat:
        source = f"{project / 'package.json'} lavamoat.allowScripts"
        allowed = parse({"version": 1, "allowScripts": lavamoat["allowScripts"]}, source=source)
        return ScriptPermissions(PermissionSource.PACKAGE_JSON, allowed)
    return ScriptPermissions(PermissionSource.NONE)


def _manifest(path: Path) -> Mapping[str, object]:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise PolicyError(f"cannot read {path}: {exc}", hint="fix package.json") from None
    return data if isinstance(data, dict) else {}


__all__ = ["PermissionSource", "ScriptPermissions", "read_permissions"]
