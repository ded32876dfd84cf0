"""Rules about registry metadata (`airlock check`): who published a version, when, and what changed since
the version before it. Evaluated in `airlock.check.metadata` from the packument, not from package contents."""

from __future__ import annotations

from airlock.analysis.rules import declare
from airlock.model import Severity

FAMILY = "metadata"

YOUNG_VERSION = declare(
    "young-version",
    family=FAMILY,
    severity=Severity.INFO,
    summary="The version was published more recently than the minimum release age (default 7 days); on "
    "its own this is information, not a reason to review (see young-version-changes).",
    why="Hijacked releases (ua-parser-js, coa, rc, Shai-Hulud) were found and pulled within days, so a young "
    "version is worth knowing about; but caniuse-lite, electron-to-chromium and @types/node publish almost "
    "daily, so youth alone would fail CI most days. Set `min-release-age-days` in airlock.toml.",
)
YOUNG_VERSION_CHANGES = declare(
    "young-version-changes",
    family=FAMILY,
    action="wait until {name}@{version} has aged past the minimum release age, or stay on the "
    "previous version",
    severity=Severity.MEDIUM,
    summary="A version younger than the minimum release age that also changes what matters since the "
    "version before it (a new maintainer or publishing account, a new install script, a new dependency), "
    "or whose package was itself first published less than 30 days ago. Raised instead of young-version.",
    why="A hijacked release is a young version that differs from its predecessor where an attacker needs it "
    "to: ua-parser-js and coa added install scripts, event-stream gained a maintainer and a dependency; a "
    "brand-new package has no history to compare at all. Capabilities are not compared here (that needs "
    "the previous version's analysis). The evidence says what changed.",
)
MAINTAINERS_CHANGED = declare(
    "maintainers-changed",
    family=FAMILY,
    action="check who now publishes {name} before taking {version}",
    severity=Severity.MEDIUM,
    summary="The version's maintainers differ from the previous version's.",
    why="event-stream changed hands to a stranger who then added flatmap-stream; a new maintainer on a "
    "trusted package is the moment to read the diff.",
    references=("https://github.com/dominictarr/event-stream/issues/116",),
)
INSTALL_SCRIPT_ADDED = declare(
    "install-script-added",
    family=FAMILY,
    severity=Severity.MEDIUM,
    summary="This version runs an install script and the previous version did not.",
    why="Most malicious releases add a preinstall/postinstall; a package that never needed one suddenly "
    "having one is a strong signal.",
)
DEPENDENCY_ADDED = declare(
    "dependency-added",
    family=FAMILY,
    severity=Severity.LOW,
    summary="This version adds dependencies that the previous version did not have.",
    why="flatmap-stream entered through a new dependency of event-stream; new edges are where new code comes "
    "from. Raised to review when the new dependency's own version is young.",
)
BIN_ADDED = declare(
    "bin-added",
    family=FAMILY,
    severity=Severity.LOW,
    summary="This version adds executables (`bin` entries) the previous version did not have.",
    why="A new bin lands in node_modules/.bin and on the PATH of npm scripts; a bin named like a common "
    "command (node, git, sh) shadows it.",
)
DEPRECATED = declare(
    "deprecated-version",
    family=FAMILY,
    action="move {name} off {version} to a maintained version",
    severity=Severity.LOW,
    summary="The registry marks this version deprecated.",
    why="Deprecation messages are how maintainers warn about broken or compromised releases.",
)
SECURITY_PLACEHOLDER = declare(
    "security-placeholder",
    family=FAMILY,
    action="remove {name}: the registry replaced it with a security placeholder",
    severity=Severity.CRITICAL,
    summary="npm replaced this package with a `0.0.1-security` placeholder: it was removed as malware.",
    why="npm's security team unpublishes malicious packages and leaves a placeholder; a lockfile that pins "
    "another version of such a name pins the malware (or depended on it).",
)
DEPENDENCY_CONFUSION = declare(
    "dependency-confusion",
    family=FAMILY,
    action="make sure {name} resolves from your private registry (scope it in .npmrc)",
    severity=Severity.HIGH,
    summary="A name meant for a private registry resolved from the public one, or exists on both.",
    why="Birsan's 2021 dependency-confusion attack: publish an internal package name publicly with a higher "
    "version and build machines fetch it. Scoped names routed to a private registry must not come from "
    "the public registry.",
    references=("https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610",),
)


# The family as `airlock.analysis.rules.RuleDeclarations` (listed in registry.py).
name = FAMILY
rules = (
    YOUNG_VERSION,
    YOUNG_VERSION_CHANGES,
    MAINTAINERS_CHANGED,
    INSTALL_SCRIPT_ADDED,
    DEPENDENCY_ADDED,
    BIN_ADDED,
    DEPRECATED,
    SECURITY_PLACEHOLDER,
    DEPENDENCY_CONFUSION,
)
