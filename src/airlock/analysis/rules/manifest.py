"""Manifest confusion: the registry's copy of a version's manifest and the tarball's package.json disagree.

npm resolves and shows the registry's manifest (dependencies, `hasInstallScript`), but installs the tarball
and runs the scripts of its package.json; nothing checks that the two agree (Darcy Clarke, 2023). Judged by
the context stage, which has both; the analysis sees only the bytes.
"""

from __future__ import annotations

from airlock.analysis.rules import declare
from airlock.model import Severity

FAMILY = "manifest"
REFERENCES = ("https://blog.vlt.sh/blog/the-massive-hole-in-the-npm-ecosystem",)

HIDDEN_INSTALL_SCRIPT = declare(
    "manifest-hidden-install-script",
    family=FAMILY,
    severity=Severity.CRITICAL,
    summary="The tarball's package.json runs an install script that the registry's manifest does not list "
    "(or lists with another command).",
    why="npm runs the tarball's scripts while every registry view (npm view, the website, `hasInstallScript`, "
    "allowlists built from them) shows the registry's manifest: a script only the tarball has is hidden "
    "on purpose; no publishing tool produces one.",
    references=REFERENCES,
)
MANIFEST_MISMATCH = declare(
    "manifest-mismatch",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="The registry's manifest and the tarball's package.json disagree on name, version, dependencies, "
    "bin or native build.",
    why="Tools and reviewers read one copy while npm acts on the other: dependencies come from the "
    "registry's, bins and builds from the tarball's. A difference hides a dependency or a command from "
    "whoever looks at the wrong copy.",
    references=REFERENCES,
)

name = FAMILY
rules = (HIDDEN_INSTALL_SCRIPT, MANIFEST_MISMATCH)
