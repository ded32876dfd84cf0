"""Protestware and sabotage: wiping files, gated on where, when or on whose machine the code runs; killing
processes; code that never ends.

The shapes, by what has no benign reading:

- a **recursive wipe** is `fs.rm(…, {recursive: true})` or a directory walk (readdir, then write/unlink/rm
  of what it finds) aimed *directly* at the home directory, the filesystem root, a drive root, two or more
  levels above the package, or the working directory itself. Deleting a directory the caller names (rimraf)
  or a subdirectory of home or cwd (`path.join(os.homedir(), '.cache', x)`) is what build tools do and is
  not reported.
- a **gate** is a condition on the machine's location (a geolocation service), locale or time zone
  (`Intl…resolvedOptions()`, `LANG`), a fixed date (`Date.now() > 1767225600000`), or a host or user name
  compared with a literal. Destruction behind a gate is aimed at someone: critical wherever it is.
  Credential reading and network use behind one is a targeted stealer that hides from sandboxes: high.
- **killing processes** the package did not start: every process (`kill -9 -1`, `process.kill(-1)`) or
  programs by name (`pkill`, `killall`, `taskkill /IM`). Process managers kill the PIDs they spawned.

The text checks read a bounded window of the file's bytes around the capability's evidence (at most
`_MAX_SITES` sites per file), so a 15 MB bundle costs a few small regex searches, never a full walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airlock.analysis.facts import Reach, writes_files
from airlock.analysis.filetext import FileText
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Evidence, Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.capabilities import FileCapabilities
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
    "never needs to loop forever. High where the file runs at install or when the package is loaded; low "
    "in a file no entry point loads (a benchmark script run by hand).",
    references=("https://github.com/Marak/colors.js/issues/285",),
)
RECURSIVE_WIPE = declare(
    "recursive-wipe",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.DESTRUCTION,
    summary="Recursive deletion or overwriting aimed at the home directory, the filesystem or a drive root, "
    "the directories above the package, or the working directory itself.",
    why="A wiper. Build tools delete directories the caller names or subdirectories of home and cwd, never "
    "home, `/` or cwd itself. Critical at install time and load time; high in library code, where a caller "
    "chooses whether it runs.",
)
CONDITIONED_DESTRUCTION = declare(
    "conditioned-destruction",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.DESTRUCTION,
    summary="Recursive deletion, a directory walk that overwrites or deletes, or process killing, next to a "
    "condition on geolocation, locale, time zone, a fixed date, or the host or user name.",
    why="Destruction that fires only in one country, after one date or on one machine is aimed at someone: "
    "node-ipc (2022, geolocation), the date-triggered wipers Socket found in 2025 npm plugins. No cleanup "
    "code asks which country or which day it is.",
    references=("https://github.com/advisories/GHSA-97m3-w2cp-4xx6",),
)
CONDITIONED_EXFILTRATION = declare(
    "conditioned-exfiltration",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.EXFILTRATION,
    summary="A file that reads credentials and uses the network does so next to a condition on the host or "
    "user name, locale, time zone or a fixed date.",
    why="Targeted stealers fire only on the victim's machines (and stay quiet in analysis sandboxes, whose "
    "host and user names they test). Credential clients have no reason to ask who or where the machine is.",
)
PROCESS_KILLING = declare(
    "process-killing",
    family=FAMILY,
    severity=Severity.HIGH,
    behaviour=Behaviour.DESTRUCTION,
    summary="Kills every process (`kill -9 -1`, `process.kill(-1)`) or other programs by name (`pkill`, "
    "`killall`, `taskkill /IM`).",
    why="Sabotage that takes down editors, servers and databases. Process managers kill the PIDs they "
    "started (tree-kill, execa). Killing everything is critical at install and load time; killing by name "
    "is high there and low in library code (test launchers close the browsers they opened).",
)

_MAX_SITES = 8
_WINDOW = 1500
_CALL_WINDOW = 4096

_RECURSIVE_REMOVERS = re.compile(r"^fs(?:\.promises)?\.(?:rm|rmSync|rmdir|rmdirSync)$")
_WALKERS = re.compile(r"^fs(?:\.promises)?\.(?:readdir|readdirSync|opendir|opendirSync)$")
_DAMAGERS = re.compile(
    r"^fs(?:\.promises)?\.(?:writeFile|writeFileSync|unlink|unlinkSync|rm|rmSync|truncate|truncateSync|"
    r"createWriteStream|appendFile|appendFileSync)$"
)
_RECURSIVE = re.compile(rb"recursive\s*:\s*(?:true|!0)")
# A broad target given *directly* as the argument (not joined with a subpath: `(os.homedir(), '.cache')`
# is caught by the callee check, since only path builders take home as a first argument and go on).
_BROAD = (
    rb"(?:(?:\bos|require\(\s*['\x22](?:node:)?os['\x22]\s*\))\.homedir\(\s*\)|\bhomedir\(\s*\)|"
    rb"\bprocess\.cwd\(\s*\)|\bprocess\.env\.(?:HOME|USERPROFILE|SystemDrive)\b|"
    rb"\bprocess\.env\[\s*['\x22](?:HOME|USERPROFILE)['\x22]\s*\]|"
    rb"(?P<q>['\x22`])(?:/|~|~/|[A-Za-z]:(?:\\\\|/)?|(?:\.\./){2,}|(?:\.\.\\\\){2,}|/home/?|/Users/?|/root/?)(?P=q))"
)
_BROAD_CALL = re.compile(rb"(?P<callee>[\w$.]+)\s*\(\s*(?P<target>" + _BROAD + rb")\s*[,)]")
_PATH_BUILDERS = re.compile(
    rb"(?:^|\.)(?:join|resolve|relative|normalize|dirname|basename|existsSync|exists|"
    rb"startsWith|includes|indexOf|endsWith|stat|statSync|lstat|lstatSync|access|"
    rb"accessSync|chdir|log|warn|error|info|debug|replace|split|push)$"
)
_FUNCTION_NAME = re.compile(
    rb"(?:function\s*\*?\s*(?P<a>[\w$]+)\s*\(|(?P<b>[\w$]+)\s*[:=]\s*(?:async\s+)?(?:function\b[^(]*\(|"
    rb"\([^()]*\)\s*=>|[\w$]+\s*=>))"
)

_GATES: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    (
        "locale or time zone",
        # Compared with something: formatting a date reads the offset too (prisma's bundled logger).
        re.compile(
            rb"\bresolvedOptions\(\s*\)\.(?:timeZone|locale)\b[^;\n]{0,40}?(?:===?|!==?|\.(?:includes|startsWith|"
            rb"indexOf|match)\()\s*['\x22`]|\bgetTimezoneOffset\(\s*\)\s*(?:[<>]=?|[!=]==?)\s*-?\d|"
            rb"['\x22`](?:Europe|Asia|America|Africa|Australia)/[A-Z][A-Za-z_]+['\x22`]|"
            rb"\b(?:process\.env\.(?:LANG|LC_ALL|LC_MESSAGES|LANGUAGE|TZ)|navigator\.languages?)\b[^;\n]{0,60}?"
            rb"(?:===?|!==?|\.(?:includes|startsWith|indexOf|match)\()\s*['\x22`]"
        ),
    ),
    (
        "a fixed date",
        re.compile(
            rb"(?:new\s+Date\(\s*\)|Date\.now\(\s*\))(?:\.getTime\(\s*\))?\s*(?:[<>]=?|[!=]==?)\s*"
            rb"(?:new\s+Date\(\s*(?:['\x22`]\d{4}|\d{4}\s*,)|Date\.UTC\(\s*\d{4}|\d{12,14}\b|[\w$]+\b)|"
            rb"\b\d{12,14}\s*(?:[<>]=?|[!=]==?)\s*(?:new\s+Date\(\s*\)|Date\.now\(\s*\))|"
            rb"\.getFullYear\(\s*\)\s*(?:[<>]=?|[!=]==?)\s*20\d\d\b"
        ),
    ),
    (
        "the host or user name",
        re.compile(
            rb"(?:\bhostname\(\s*\)|\buserInfo\(\s*\)\.username|\bprocess\.env\.(?:USER|USERNAME|LOGNAME|"
            rb"COMPUTERNAME|HOSTNAME)\b)[^;\n]{0,40}?(?:===?|!==?|\.(?:includes|startsWith|endsWith|indexOf|"
            rb"match|test)\()\s*['\x22`/]"
        ),
    ),
)
_FIXED_DATE_LITERAL = re.compile(
    rb"new\s+Date\(\s*(?:['\x22`]\d{4}-\d\d|\d{4}\s*,)|Date\.UTC\(\s*\d{4}|\b1[5-9]\d{11}\b"
)
_KILL_ALL_JS = re.compile(rb"process\.kill\(\s*-\s*1\s*[,)]")
_KILL_ALL_SHELL = re.compile(r"\bkill\s+(?:-[\w]+\s+)*-1\b|\btaskkill\b[^|&;]*\s/IM\s+\*")
_KILL_BY_NAME_SHELL = re.compile(
    r"\b(?:pkill|killall)\s+(?!-P\b)(?:-[\w]+\s+)*[\w.*-]+|\btaskkill\b[^|&;]*\s/IM\s+\S+|"
    r"\bStop-Process\b[^|&;]*-Name\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Site:
    """A destructive act in one file: where, what, and the byte offset its window is read around."""

    evidence: Evidence
    what: str
    at: int
    walker: bool


def check(facts: PackageFacts) -> Iterator[Finding]:
    geo_reported = False
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
            geo_reported = True
            break
    geo_lookups = list(facts.signals(Indicator.GEO_LOOKUP))
    if geo_lookups:
        yield GEO_LOOKUP.finding(f"queries {geo_lookups[0].detail!r}", geo_lookups[0].evidence)
    loops = list(facts.signals(Indicator.INFINITE_LOOP))
    if loops:
        # The loop that runs earliest; one in a file nothing loads (jsonparse's bench.js, a script run by
        # hand) hangs nobody's program: context, not a review.
        order = (Reach.INSTALL, Reach.LOAD, Reach.LIBRARY)
        loop = min(loops, key=lambda s: order.index(facts.reach(s.evidence.file)))
        where = facts.reach(loop.evidence.file)
        yield ENDLESS_LOOP.finding(
            f"endless loop at the top of {loop.evidence.file} ({where.phrase})",
            loop.evidence,
            severity={Reach.INSTALL: Severity.HIGH, Reach.LOAD: Severity.HIGH}.get(where, Severity.LOW),
        )
    yield from _wipes(facts, geo_reported=geo_reported)
    yield from _process_killing(facts)


def _wipes(facts: PackageFacts, *, geo_reported: bool) -> Iterator[Finding]:
    """Recursive wipes of broad targets, and destruction or credential theft behind a gate."""
    done: set[str] = set()
    for f in facts.files:
        data = facts.text.get(f.path)
        if data is None or len(done) == 3:
            continue
        text = FileText(data)
        sites = _destructive_sites(f, text)
        where = facts.reach(f.path)
        if RECURSIVE_WIPE.id not in done:
            for site in sites:
                target = _broad_target(site, text)
                if target is not None:
                    done.add(RECURSIVE_WIPE.id)
                    yield RECURSIVE_WIPE.finding(
                        f"{f.path} {site.what} and aims it at {target} ({where.phrase})",
                        site.evidence,
                        severity=Severity.HIGH if where is Reach.LIBRARY else None,
                    )
                    break
        kills = [_Site(e, "kills every process", text.offset(e), walker=False) for e in _js_kill_all(f, text)]
        if CONDITIONED_DESTRUCTION.id not in done and not geo_reported:
            geo = [s.evidence for s in f.signals if s.indicator is Indicator.GEO_LOOKUP]
            for site in [*sites, *kills]:
                # The lookup answers in a callback, so it may sit a little further from the act than a
                # synchronous test; a bundle's unrelated public-IP helper sits much further.
                near = [e for e in geo if abs(text.offset(e) - site.at) <= 2 * _WINDOW]
                gate = ("the machine's location", near[0]) if near else _gate(site.at, text, f)
                if gate is not None:
                    done.add(CONDITIONED_DESTRUCTION.id)
                    yield CONDITIONED_DESTRUCTION.finding(
                        f"{f.path} {site.what} under a condition on {gate[0]} ({where.phrase})",
                        site.evidence,
                        gate[1],
                    )
                    break
        if CONDITIONED_EXFILTRATION.id not in done:
            found = _gated_exfiltration(f, text)
            if found is not None:
                done.add(CONDITIONED_EXFILTRATION.id)
                label, network, condition = found
                yield CONDITIONED_EXFILTRATION.finding(
                    f"{f.path} reads credentials and uses the network under a condition on {label} "
                    f"({where.phrase})",
                    network,
                    condition,
                )


def _destructive_sites(f: FileCapabilities, text: FileText) -> list[_Site]:
    """Recursive removals (`recursive: true` right after the call) and walks that write or delete near
    the readdir (a walker's body is short; a bundle's unrelated writer is far away)."""
    sites: list[_Site] = []
    for key, evidence in sorted(f.builtin.items()):
        if _RECURSIVE_REMOVERS.match(key):
            for e in evidence[:_MAX_SITES]:
                at = text.offset(e)
                if _RECURSIVE.search(text.around(at, 0, 300)):
                    sites.append(_Site(e, f"deletes recursively ({key})", at, walker=False))
    walks = [(key, e) for key, evidence in sorted(f.builtin.items()) if _WALKERS.match(key) for e in evidence]
    if not walks:
        return sites[:_MAX_SITES]
    damage = [
        (text.offset(e), key)
        for key, evidence in sorted(f.builtin.items())
        if _DAMAGERS.match(key)
        for e in evidence[:_MAX_SITES]
    ]
    for key, e in walks[:_MAX_SITES]:
        at = text.offset(e)
        near = [d for d in damage if at - 300 <= d[0] <= at + _WINDOW]
        if near:
            sites.append(
                _Site(e, f"walks directories ({key}) and writes or deletes ({near[0][1]})", at, True)
            )
    return sites[:_MAX_SITES]


def _broad_target(site: _Site, text: FileText) -> str | None:
    """What broad directory the site is aimed at: the removal's own argument, or for a walk, the argument
    of a call to the function the walk sits in."""
    if not site.walker:
        return _target(_BROAD_CALL.match(text.data, site.at))  # evidence starts at the callee
    name = _enclosing_function(text.around(site.at, _WINDOW, 0))
    if name is None:
        return None
    # The name first, so the search skips ahead on its literal prefix; a longer identifier ending in the
    # name (`rehash(` for `h(`) is not a call to it.
    calls = re.compile(rb"(?P<callee>" + re.escape(name) + rb")\s*\(\s*(?P<target>" + _BROAD + rb")\s*[,)]")
    # Only near the walk: minified bundles reuse one-letter names in every scope, so an `r('/')` far away
    # is somebody else's `r`.
    start = max(0, site.at - _CALL_WINDOW)
    for found in calls.finditer(text.data, start, site.at + _CALL_WINDOW):
        before = text.data[found.start() - 1 : found.start()] if found.start() else b""
        if not (before.isalnum() or before in (b"_", b"$")):
            return _target(found)
    return None


def _target(found: re.Match[bytes] | None) -> str | None:
    if found is None or _PATH_BUILDERS.search(found.group("callee")):
        return None
    return found.group("target").decode("utf-8", "replace")


def _enclosing_function(before: bytes) -> bytes | None:
    names = [m.group("a") or m.group("b") for m in _FUNCTION_NAME.finditer(before)]
    return names[-1] if names else None


def _gate(at: int, text: FileText, f: FileCapabilities) -> tuple[str, Evidence] | None:
    window = text.around(at, _WINDOW, _WINDOW)
    for label, pattern in _GATES:
        found = pattern.search(window)
        if found is None:
            continue
        if label == "a fixed date" and not _FIXED_DATE_LITERAL.search(window):
            continue  # `Date.now() > expires` is a cache check; a logic bomb names its day
        return label, text.evidence(f.path, max(0, at - _WINDOW) + found.start(), found.group(0))
    country = next((s for s in f.signals if s.indicator is Indicator.COUNTRY), None)
    if country is not None and abs(text.offset(country.evidence) - at) <= _WINDOW:
        return f"the country {country.detail}", country.evidence
    return None


def _gated_exfiltration(f: FileCapabilities, text: FileText) -> tuple[str, Evidence, Evidence] | None:
    secrets = [s for s in f.signals if s.indicator in (Indicator.SECRET_FILE, Indicator.SECRET_ENV)]
    if not secrets:
        return None
    for network in _network_evidence(f)[:_MAX_SITES]:
        at = text.offset(network)
        if not any(abs(text.offset(s.evidence) - at) <= 2 * _WINDOW for s in secrets):
            continue
        gate = _gate(at, text, f)
        if gate is not None:
            return gate[0], network, gate[1]
    return None


def _network_evidence(f: FileCapabilities) -> Sequence[Evidence]:
    from airlock.analysis.vocabulary import NETWORK_GLOBALS, NETWORK_MODULES

    found = [
        e for key, ev in sorted(f.builtin.items()) if key.split(".", 1)[0] in NETWORK_MODULES for e in ev
    ]
    found += [e for key, ev in sorted(f.globals.items()) if key in NETWORK_GLOBALS for e in ev]
    return found


def _js_kill_all(f: FileCapabilities, text: FileText) -> list[Evidence]:
    return [
        e
        for e in f.globals.get("process.kill", ())[:_MAX_SITES]
        if _KILL_ALL_JS.match(text.data, text.offset(e))
    ]


def _process_killing(facts: PackageFacts) -> Iterator[Finding]:
    """Killing everything, or other programs by name, from JS or from shell the package runs."""
    found: list[tuple[int, Finding]] = []
    for f in facts.files:
        data = facts.text.get(f.path)
        if data is None or "process.kill" not in f.globals:
            continue
        for e in _js_kill_all(f, FileText(data)):
            where = facts.reach(f.path)
            found.append(
                (
                    0,
                    PROCESS_KILLING.finding(
                        f"{f.path} kills every process it may ({where.phrase})",
                        e,
                        severity=Severity.CRITICAL if where is not Reach.LIBRARY else None,
                    ),
                )
            )
            break
    for source in facts.shells:
        where = Reach.INSTALL if source.install_time else facts.reach(source.evidence.file)
        if source.origin == "file" and not source.install_time:
            continue  # a shell file nothing here runs at install: a tool the user may call
        all_ = _KILL_ALL_SHELL.search(source.text)
        by_name = _KILL_BY_NAME_SHELL.search(source.text)
        if all_ is not None:
            found.append(
                (
                    0,
                    PROCESS_KILLING.finding(
                        f"{source.label} kills every process: {all_.group(0)} ({where.phrase})",
                        source.evidence,
                        severity=Severity.CRITICAL if where is not Reach.LIBRARY else None,
                    ),
                )
            )
        elif by_name is not None:
            found.append(
                (
                    1,
                    PROCESS_KILLING.finding(
                        f"{source.label} kills programs by name: {by_name.group(0)} ({where.phrase})",
                        source.evidence,
                        severity=Severity.LOW if where is Reach.LIBRARY else None,
                    ),
                )
            )
    if found:
        yield min(found, key=lambda item: (item[0], -item[1].severity.rank))[1]


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    GEO_CONDITIONED_WRITE,
    GEO_LOOKUP,
    ENDLESS_LOOP,
    RECURSIVE_WIPE,
    CONDITIONED_DESTRUCTION,
    CONDITIONED_EXFILTRATION,
    PROCESS_KILLING,
)
