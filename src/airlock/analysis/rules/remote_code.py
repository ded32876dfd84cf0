"""Code that is not in the package text: decoded, decrypted, downloaded or extracted, then compiled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airlock.analysis.facts import evidence_near, has_network, network_evidence, spawns, writes_files
from airlock.analysis.indicators import Indicator
from airlock.analysis.rules import Behaviour, declare
from airlock.model import Finding, Severity

if TYPE_CHECKING:
    from airlock.analysis.facts import PackageFacts

FAMILY = "remote-code"

DECODED_PAYLOAD = declare(
    "eval-decoded-payload",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.REMOTE_CODE,
    summary="eval / Function / vm / Module#_compile runs text that was decoded or decrypted at runtime.",
    why="The flatmap-stream shape (event-stream, 2018): an encrypted payload, decrypted with a key taken "
    "from the host package, compiled with `module._compile`. Decoding into eval exists to hide code.",
    references=("https://github.com/dominictarr/event-stream/issues/116",),
)
REMOTE_CODE = declare(
    "eval-remote-code",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.REMOTE_CODE,
    summary="eval / Function / vm compiles data received from the network.",
    why="Whoever controls the server runs code in every installation (eslint-scope 2018 eval'd a pastebin).",
)
PACKAGE_KEYED_PAYLOAD = declare(
    "package-keyed-payload",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.REMOTE_CODE,
    summary="Decryption keyed on `process.env.npm_package_*`: a payload that only unlocks inside one victim.",
    why="flatmap-stream used the description of the app that installed it as the AES key, so the payload "
    "stayed opaque to everyone else, reviewers included.",
)
STEGANOGRAPHY = declare(
    "steganography",
    family=FAMILY,
    severity=Severity.CRITICAL,
    behaviour=Behaviour.REMOTE_CODE,
    summary="Bytes read from an image file are compiled as code.",
    why="Payloads hidden in pixel data pass every text-based review; no image reader evals its input.",
)
DOWNLOAD_EXECUTE = declare(
    "download-execute",
    family=FAMILY,
    severity=Severity.LOW,
    behaviour=Behaviour.REMOTE_CODE,
    summary="One file downloads, writes files and spawns processes.",
    why="Binary installers (esbuild, puppeteer, sharp) do this; critical when the source is a raw IP, a "
    "pastebin or a tunnel, where no release is hosted.",
)
COMPILES_STRINGS = declare(
    "compiles-unresolved-code",
    family=FAMILY,
    severity=Severity.INFO,
    summary="eval / Function / vm / Module#_compile of a value the analysis could not resolve.",
    why="Template engines and require-from-string do this; reported so a reviewer sees where code is built.",
)

_EXFIL = frozenset({Indicator.EXFIL_HOST, Indicator.RAW_IP_URL})


def check(facts: PackageFacts) -> Iterator[Finding]:
    done: set[str] = set()
    for f in facts.files:
        indicators = {s.indicator for s in f.signals}
        for sink in f.sinks:
            if sink.origins & {"decode", "decipher"} and DECODED_PAYLOAD.id not in done:
                done.add(DECODED_PAYLOAD.id)
                yield DECODED_PAYLOAD.finding(
                    f"{sink.kind} compiles {' and '.join(sorted(sink.origins & {'decode', 'decipher'}))}d data",
                    sink.evidence,
                )
            # Where the data-flow analysis followed the file, it decides whether fetched data reaches the
            # compiler from a host the package names (`remote-command-execution`); monaco's AMD loader
            # evaluates the same-origin module its caller asks for.
            if (
                "network" in sink.origins
                and has_network(f)
                and not f.flows.complete
                and REMOTE_CODE.id not in done
            ):
                done.add(REMOTE_CODE.id)
                net = network_evidence(f)
                yield REMOTE_CODE.finding(
                    f"{sink.kind} compiles data received from the network",
                    sink.evidence,
                    *((net,) if net is not None else ()),
                )
            image = next((s for s in f.signals if s.indicator is Indicator.IMAGE_FILE), None)
            # The image named where the compiled bytes are read from: playwright-core runs a user's script
            # file and, elsewhere in the same bundle, maps `.png` to a screenshot type — not a payload in pixels.
            if {"file", "image"} <= sink.origins and image is not None and STEGANOGRAPHY.id not in done:
                done.add(STEGANOGRAPHY.id)
                yield STEGANOGRAPHY.finding(
                    f"{sink.kind} compiles data read from a file, and the file names {image.detail.strip(chr(39))}",
                    sink.evidence,
                    image.evidence,
                )
        module_signals = [s for s in f.signals if s.indicator is Indicator.MODULE_INSTANCE]
        decoders = [s for s in f.signals if s.indicator in {Indicator.DECODER, Indicator.DECIPHER}]
        # All three in one piece of code (flatmap-stream's one line): a compiler bundle that makes a module in
        # one place and decodes source maps in another (@vue/compiler-sfc) is two things.
        module = next(
            (
                m
                for m in module_signals
                if any(evidence_near(m.evidence, d.evidence) for d in decoders)
                and any(evidence_near(m.evidence, e) for e in f.dynamic)
            ),
            None,
        )
        if module is not None and DECODED_PAYLOAD.id not in done:
            done.add(DECODED_PAYLOAD.id)
            yield DECODED_PAYLOAD.finding(
                f"{f.path} builds a new module, decodes data and calls members it computes at runtime",
                module.evidence,
                f.dynamic[0],
            )
        if (
            Indicator.NPM_PACKAGE_ENV in indicators
            and Indicator.DECIPHER in indicators
            and PACKAGE_KEYED_PAYLOAD.id not in done
        ):
            done.add(PACKAGE_KEYED_PAYLOAD.id)
            yield PACKAGE_KEYED_PAYLOAD.finding(
                f"{f.path} decrypts with a key from process.env.npm_package_*",
                *(
                    s.evidence
                    for s in f.signals
                    if s.indicator in {Indicator.NPM_PACKAGE_ENV, Indicator.DECIPHER}
                ),
            )
        net, write, spawn = network_evidence(f), writes_files(f), spawns(f)
        if net is not None and write is not None and spawn is not None and DOWNLOAD_EXECUTE.id not in done:
            done.add(DOWNLOAD_EXECUTE.id)
            exfil = [s for s in f.signals if s.indicator in _EXFIL]
            yield DOWNLOAD_EXECUTE.finding(
                f"{f.path} downloads, writes and spawns"
                + (f" and names {exfil[0].detail!r}" if exfil else ""),
                net,
                write,
                spawn,
                *(s.evidence for s in exfil[:1]),
                severity=Severity.CRITICAL if exfil else None,
            )
    sinks = [sink for f in facts.files for sink in f.sinks if not sink.origins]
    if sinks:
        yield COMPILES_STRINGS.finding(
            f"{sinks[0].kind} of an unresolved value", *(s.evidence for s in sinks[:3])
        )


# The family as `airlock.analysis.rules.RuleDeclarations` / `RuleFamily` (listed in registry.py).
name = FAMILY
rules = (
    DECODED_PAYLOAD,
    REMOTE_CODE,
    PACKAGE_KEYED_PAYLOAD,
    STEGANOGRAPHY,
    DOWNLOAD_EXECUTE,
    COMPILES_STRINGS,
)
