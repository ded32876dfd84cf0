"""Rules about patches the package manager applies at install (yarn `patch:`, pnpm `patchedDependencies`):
the patch is a file in the repository, and the code it adds runs like the package's own. Reported by
`airlock.check` (which package is patched, by which file) and `airlock.patches` (what did not apply)."""

from __future__ import annotations

from airlock.analysis.rules import declare
from airlock.model import Severity

FAMILY = "patches"

PATCHED_PACKAGE = declare(
    "patched-package",
    family=FAMILY,
    severity=Severity.INFO,
    summary="The package manager installs this package with a patch file from the project applied.",
    why="What runs is the registry's code plus the patch: the patch is code review has to cover, and a "
    "one-line change to a patch file in a pull request changes what every install runs. airlock analyses "
    "the package with the patch applied, so its capabilities include what the patch adds.",
)
PATCH_NOT_APPLIED = declare(
    "patch-not-applied",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="A patch the lockfile applies to a package could not be read safely or does not apply, so the "
    "package was analysed without (all of) it.",
    why="The analysed code is not the code that would be installed: a patch file that is missing, lies "
    "outside the project (absolute path, `..`, symbolic link), is not a unified diff, or has hunks that do "
    "not match the package leaves part of what runs unexamined.",
)

# The family as `airlock.analysis.rules.RuleDeclarations` (listed in registry.py).
name = FAMILY
rules = (PATCHED_PACKAGE, PATCH_NOT_APPLIED)
