"""Rules about lockfile entries (`airlock check`): where the lockfile says the bytes come from, and whether
that agrees with the registry. Evaluated in `airlock.check.lockfile`, not from package contents."""

from __future__ import annotations

from airlock.analysis.rules import declare
from airlock.model import Severity

FAMILY = "lockfile"
_RESTORE_ENTRY = (
    "do not install: restore the lockfile entry of {name}@{version} from the registry and find out who "
    "changed it"
)
"""What to do when a lockfile entry points at other bytes than the registry's (URL or integrity)."""

_INJECTION = (
    "https://snyk.io/blog/why-npm-lockfiles-can-be-a-security-blindspot-for-injecting-malicious-modules/"
)

FOREIGN_HOST = declare(
    "lockfile-foreign-host",
    family=FAMILY,
    action="re-resolve {name} from your configured registry (delete its lockfile entry, run npm "
    "install) and review the lockfile diff",
    severity=Severity.HIGH,
    summary="A lockfile entry's `resolved` URL is on a host other than the registry configured for that name.",
    why="Lockfile injection: a pull request that edits `resolved` makes `npm ci` fetch attacker-chosen bytes "
    "while the diff looks like noise; npm installs from the URL written in the lockfile.",
    references=(_INJECTION,),
)
INSECURE_URL = declare(
    "lockfile-insecure-url",
    family=FAMILY,
    action="re-resolve {name} over https (delete its lockfile entry, run npm install) and review the "
    "lockfile diff",
    severity=Severity.HIGH,
    summary="A lockfile entry is fetched over plain `http:`.",
    why="Anyone on the network path can swap the bytes; with a missing or weak integrity nothing notices.",
)
URL_MISMATCH = declare(
    "lockfile-url-mismatch",
    family=FAMILY,
    action=_RESTORE_ENTRY,
    severity=Severity.HIGH,
    summary="A lockfile entry's tarball URL names a different package or version than the entry.",
    why="An entry that says `left-pad@1.3.0` but downloads `evil-1.0.0.tgz` is the classic injection shape; "
    "reviewers read the name, npm fetches the URL.",
    references=(_INJECTION,),
)
MISSING_INTEGRITY = declare(
    "lockfile-missing-integrity",
    family=FAMILY,
    action="regenerate the lockfile entry of {name} (npm install) so it pins an integrity hash",
    severity=Severity.MEDIUM,
    summary="A lockfile entry has no integrity hash.",
    why="Without `integrity` npm accepts whatever bytes the URL returns, so the lockfile no longer pins "
    "the content; removing it is a quiet way to make a later swap possible.",
)
MALFORMED_INTEGRITY = declare(
    "lockfile-integrity-malformed",
    acceptable=False,
    family=FAMILY,
    action="regenerate the lockfile entry of {name} (npm install) and find out who edited it",
    severity=Severity.HIGH,
    summary="A lockfile entry's integrity is not a usable hash: an unknown algorithm, text that is not "
    "base64, or a digest of the wrong length (`sha512-AAAA`, `md5-…`, `garbage`).",
    why="npm ci refuses such an entry (EINTEGRITY), and a tool that skips it pins nothing: either way the "
    "lockfile no longer says which bytes are meant. A hand-edited or tampered lockfile looks like this.",
)
INTEGRITY_MISMATCH = declare(
    "lockfile-integrity-mismatch",
    acceptable=False,
    family=FAMILY,
    action=_RESTORE_ENTRY,
    severity=Severity.CRITICAL,
    summary="A lockfile entry's integrity differs from the registry's `dist.integrity` for that version.",
    why="Published versions are immutable on npm, so a different hash means the lockfile pins other bytes "
    "than the registry serves: a tampered lockfile, or a tarball from somewhere else.",
    references=(_INJECTION,),
)
OUT_OF_SYNC = declare(
    "lockfile-out-of-sync",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="The lockfile does not match package.json: a dependency was added or removed, or its range is "
    "not satisfied by the locked version.",
    why="`npm ci` (and `yarn --frozen-lockfile`, `pnpm install --frozen-lockfile`) refuse such a lockfile, "
    "and `npm install` resolves the difference afresh: what gets installed is then not what was checked. "
    "A package.json edited without its lockfile is also how an unreviewed dependency slips in.",
    action="regenerate the lockfile from package.json (npm install --package-lock-only --ignore-scripts, "
    "or your package manager's equivalent), then check again",
)
UNVERIFIABLE_SOURCE = declare(
    "unverifiable-source",
    family=FAMILY,
    action="prefer a registry release of {name}; otherwise review that source by hand",
    severity=Severity.MEDIUM,
    summary="A dependency comes from git or a tarball URL, not a registry, so it was not analysed.",
    why="Git dependencies run `prepare` scripts on install and neither they nor ad-hoc tarballs have "
    "registry metadata to check; airlock reports them rather than pretending they were scanned.",
)
LOCAL_SOURCE = declare(
    "local-source",
    family=FAMILY,
    severity=Severity.INFO,
    summary="A dependency is a local directory or tarball (`file:`/`link:`), not analysed as a package.",
    why="Local code is part of the project under review; listing it keeps the tree complete.",
)


# The family as `airlock.analysis.rules.RuleDeclarations` (listed in registry.py).
name = FAMILY
rules = (
    FOREIGN_HOST,
    INSECURE_URL,
    URL_MISMATCH,
    MISSING_INTEGRITY,
    MALFORMED_INTEGRITY,
    INTEGRITY_MISMATCH,
    OUT_OF_SYNC,
    UNVERIFIABLE_SOURCE,
    LOCAL_SOURCE,
)
