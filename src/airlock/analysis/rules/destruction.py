"""Protestware and sabotage: destruction conditioned on where the machine is, and code that never ends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.facts import writes_files
from airlock.analysis.rules import Behaviour, declare
from airlock.analysis.signals import Indicator
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "destruction"

GEO_CONDITIONED_WRITE = declare(
    "geo-conditioned-destruction",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.DESTRUCTION,
    summary="A file looks up the machine's location, names target countries, and overwrites or deletes files.",
    why="node-ipc 10.1.1 (2022) asked an IP-geolocation API and overwrote every file it could reach with a "
    "heart emoji on Russian and Belarusian machines.",
    references=("https://github.com/advisories/GHSA-97m3-w2cp-4xx6",),
)
GEO_LOOKUP = declare(
    "geolocation-lookup",
    family=FAMILY,
    severity=Severity.LOW,
    summary="The package asks an IP or geolocation service where the machine is.",
    why="public-ip helpers do this; it is also the trigger of protestware and of targeted payloads.",
)
ENDLESS_LOOP = declare(
    "module-level-endless-loop",
    family=FAMILY,
    severity=Severity.MEDIUM,
    behaviour=Behaviour.DESTRUCTION,
    summary="A loop at module top level with no exit condition (`for (;;)`, `while (true)`, `i < Infinity`).",
    why="colors@1.4.1 (2022) hung every program that required it with exactly this; a library's top level "
    "never needs to loop forever.",
    references=("https://github.com/Marak/colors.js/issues/285",),
)


def check(facts: PackageFacts) -> Iterator[Finding]:
    for f in facts.files:
        kinds = {s.indicator for s in f.signals}
        write = writes_files(f)
        if Indicator.GEO_LOOKUP in kinds and Indicator.COUNTRY in kinds and write is not None:
            geo = next(s for s in f.signals if s.indicator is Indicator.GEO_LOOKUP)
            country = next(s for s in f.signals if s.indicator is Indicator.COUNTRY)
            yield GEO_CONDITIONED_WRITE.finding(
                f"{f.path} queries {geo.detail!r}, names {country.detail} and writes or deletes files",
                geo.evidence,
                country.evidence,
                write,
            )
            break
    geo_lookups = list(facts.signals(Indicator.GEO_LOOKUP))
    if geo_lookups:
        yield GEO_LOOKUP.finding(f"queries {geo_lookups[0].detail!r}", geo_lookups[0].evidence)
    loops = list(facts.signals(Indicator.INFINITE_LOOP))
    if loops:
        yield ENDLESS_LOOP.finding(f"endless loop at the top of {loops[0].evidence.file}", loops[0].evidence)


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    GEO_CONDITIONED_WRITE,
    GEO_LOOKUP,
    ENDLESS_LOOP,
)
