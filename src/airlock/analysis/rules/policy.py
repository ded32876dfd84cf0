"""The rule `airlock check` reports when the project has an airlock-policy.json and a package does more than
its grants (`airlock.policy.enforce`). Not from package contents: a package can only exceed a policy."""

from __future__ import annotations

from airlock.analysis.rules import declare
from airlock.model import Severity

FAMILY = "policy"

EXCEEDED = declare(
    "policy-exceeded",
    family=FAMILY,
    action="read what {name} now does; accept it with `airlock policy check --update`, or refuse it with "
    "`false` in airlock-policy-override.json",
    # Low: the verdict judges the code; exceeding a policy is a change a person must accept, and
    # `--fail-on policy` turns it into a failing exit.
    severity=Severity.LOW,
    summary="A package uses a builtin module, global, dependency, native code or install script that "
    "airlock-policy.json does not grant it.",
    why="The policy is the least authority each package needs; a new capability in an update is exactly how "
    "event-stream's flatmap-stream and the Shai-Hulud worm reached secrets and the network. Under LavaMoat "
    "the package would fail at run time; without it, nothing else stops it.",
)

# The family as `airlock.analysis.rules.RuleDeclarations` (listed in registry.py).
name = FAMILY
rules = (EXCEEDED,)
