"""Step 5 of `airlock install`: the accepted install scripts written into the bytes that record them.

Where: `allowScripts` of airlock-policy.json when the project has one, else `lavamoat.allowScripts` of
package.json (the two places the script runner reads, in that order; `airlock.install.scripts`). Keys are
`canonical-name#version` set to `true`, as allow-scripts reads them.

When: before the install, into the bytes `run_ci` is handed (the new package.json, or the new policy), so
the scripts the user accepted run in this very install, and so that nothing is written when the install
fails: the record reaches the disk with the swap, or not at all.

package.json is edited as npm edits it: the document's key order, its indentation and its line endings
are kept, one trailing newline; only `lavamoat.allowScripts` gains keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from airlock.errors import BadInputError
from airlock.policy.document import POLICY_VERSION, Policy, PolicyError, parse

LAVAMOAT_KEY = "lavamoat"
ALLOW_SCRIPTS_KEY = "allowScripts"
_INDENT = re.compile(rb"^[{\[][ \t]*\r?\n([ \t]+)\S", re.MULTILINE)


def _load_manifest(manifest: bytes) -> dict[str, object]:
    try:
        data = json.loads(manifest.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"package.json is not valid JSON: {exc}", hint="fix package.json") from None
    if not isinstance(data, dict):
        raise BadInputError("package.json is not a JSON object", hint="fix package.json")
    return data


def manifest_scripts_policy(manifest: bytes) -> Policy:
    """`lavamoat.allowScripts` of a package.json as a policy holding only script decisions (checked as
    airlock-policy.json's `allowScripts` is)."""
    lavamoat = _load_manifest(manifest).get(LAVAMOAT_KEY, {})
    if not isinstance(lavamoat, dict):
        raise BadInputError(
            'package.json: "lavamoat" is not an object', hint='"lavamoat": {"allowScripts": {…}}'
        )
    allowed = lavamoat.get(ALLOW_SCRIPTS_KEY, {})
    try:
        return parse({"version": POLICY_VERSION, ALLOW_SCRIPTS_KEY: allowed}, source="package.json lavamoat")
    except PolicyError as error:
        raise PolicyError(error.message, hint=error.hint) from None


def _indent(text: bytes) -> str:
    found = _INDENT.search(text)
    return found.group(1).decode() if found else "  "


def with_allowed_scripts(manifest: bytes, patterns: Iterable[str]) -> bytes:
    """`manifest` (package.json bytes) with `lavamoat.allowScripts[pattern] = true` for each pattern; the
    same bytes when there is nothing to add."""
    wanted = list(dict.fromkeys(patterns))
    if not wanted:
        return manifest
    data = _load_manifest(manifest)
    manifest_scripts_policy(manifest)  # a malformed allowScripts is an error before anything is added
    lavamoat = data.setdefault(LAVAMOAT_KEY, {})
    assert isinstance(lavamoat, dict)  # manifest_scripts_policy checked it
    allowed = lavamoat.setdefault(ALLOW_SCRIPTS_KEY, {})
    assert isinstance(allowed, dict)
    for pattern in wanted:
        allowed[pattern] = True
    newline = "\r\n" if b"\r\n" in manifest else "\n"
    text = json.dumps(data, indent=_indent(manifest), ensure_ascii=False)
    return (text.replace("\n", newline) + newline).encode("utf-8")


__all__ = ["manifest_scripts_policy", "with_allowed_scripts"]
