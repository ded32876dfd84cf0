"""Worms: code that steals publish rights and republishes itself, or plants CI workflows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.facts import writes_files
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.analysis.signals import Signal
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "propagation"

SELF_PROPAGATION = declare(
    "self-propagation",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.PROPAGATION,
    summary="Install-time code reads npm credentials and publishes packages, or enumerates a maintainer's "
    "packages.",
    why="Shai-Hulud (2025) read tokens at install, listed every package its victim maintained and published "
    "infected versions of each. Release tools publish too, but from a CLI the user runs, never at install.",
    references=(
        "https://www.cisa.gov/news-events/alerts/2025/09/23/widespread-supply-chain-compromise-impacting-npm-ecosystem",
    ),
)
PUBLISH_WITH_TOKEN = declare(
    "publish-with-token",
    family=FAMILY,
    severity=Severity.MEDIUM,
    behaviour=Behaviour.PROPAGATION,
    summary="Library code reads npm tokens and runs `npm publish` or the registry's account endpoints.",
    why="Normal for release tooling (semantic-release, np); worth a look anywhere else.",
)
WORKFLOW_WRITE = declare(
    "ci-workflow-write",
    family=FAMILY,
    severity=Severity.MEDIUM,
    behaviour=Behaviour.PERSISTENCE,
    summary="Code writes files under `.github/workflows`.",
    why="A planted workflow runs with the repository's secrets on the next push (Shai-Hulud's exfiltration "
    "workflow); critical when the same code handles GitHub tokens.",
)

_TOKENS = (Indicator.SECRET_ENV, Indicator.SECRET_FILE)


def check(facts: PackageFacts) -> Iterator[Finding]:
    enumerates = [s for s in facts.signals(Indicator.PUBLISH) if "maintainer" in s.detail]
    publish_install = [*facts.signals(Indicator.PUBLISH, install_time=True)]
    publish_install += [
        Signal(Indicator.PUBLISH, source.facts.propagation[0], source.evidence)
        for source in facts.shells
        if source.install_time and source.facts.propagation
    ]
    tokens_install = list(facts.signals(*_TOKENS, install_time=True))
    if (publish_install and tokens_install) or (enumerates and list(facts.signals(*_TOKENS))):
        publish = (enumerates or publish_install)[0]
        token = (tokens_install or list(facts.signals(*_TOKENS)))[0]
        yield SELF_PROPAGATION.finding(
            f"reads {token.detail!r} and runs {publish.detail!r}", token.evidence, publish.evidence
        )
    else:
        for f in facts.files:
            kinds = {s.indicator for s in f.signals}
            if Indicator.PUBLISH in kinds and kinds & set(_TOKENS):
                publish = next(s for s in f.signals if s.indicator is Indicator.PUBLISH)
                yield PUBLISH_WITH_TOKEN.finding(
                    f"{f.path} handles npm tokens and publishes", publish.evidence
                )
                break
    for f in facts.files:
        workflows = [s for s in f.signals if s.indicator is Indicator.CI_WORKFLOW]
        write = writes_files(f)
        if workflows and write is not None:
            tokens = [s for s in f.signals if s.indicator is Indicator.SECRET_ENV]
            yield WORKFLOW_WRITE.finding(
                f"{f.path} writes files and names {workflows[0].detail!r}"
                + (f" and reads {tokens[0].detail!r}" if tokens else ""),
                workflows[0].evidence,
                write,
                severity=Severity.CRITICAL if tokens else None,
            )
            break


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    SELF_PROPAGATION,
    PUBLISH_WITH_TOKEN,
    WORKFLOW_WRITE,
)
