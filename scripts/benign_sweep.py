"""Opt-in check against the real registry: scan the N most-downloaded packages and count verdicts.

    python scripts/benign_sweep.py --top 1000 --jobs 2
    python scripts/benign_sweep.py --named --jobs 2
    python scripts/benign_sweep.py esbuild sharp core-js puppeteer
    python scripts/benign_sweep.py --top 1000 --json-out flagged.jsonl --findings-out findings.jsonl

Every package here is benign by assumption (popular, long-lived), so every block is a false positive to
fix at the rule, and reviews should stay rare. Prints block/review counts with the findings behind them.
`--json-out` writes one JSON line per non-allow package (package, version, verdict, medium+ findings with
rule/severity/message/file/line); `--findings-out` one line per package with any medium+ finding, whatever
its verdict (for simulating rules that combine findings; `--findings-min low` records low ones too).
Not part of the test suite: it needs the network.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

from sweep_report import JsonLines, add_output_arguments, print_flagged, rule_counts

from airlock.data import popular_names
from airlock.model import Verdict
from airlock.pipeline import Pipeline, PipelineOptions
from airlock.registry.cache import Cache, default_cache_dir
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import load_npm_config
from airlock.scan import scan
from airlock.store.sqlite import MemoryStore

NAMED = (
    # Big, native, binary-downloading or install-script-heavy packages: the usual false-alarm magnets.
    "esbuild",
    "sharp",
    "core-js",
    "puppeteer",
    "electron",
    "prisma",
    "@swc/core",
    "node-sass",
    "bcrypt",
    "sqlite3",
    "cypress",
    "playwright",
    "next",
    "webpack",
    "vite",
    "moment",
    "fsevents",
    "node-pty",
    "canvas",
    "re2",
    "better-sqlite3",
    "bufferutil",
    "utf-8-validate",
    "husky",
    "deasync",
)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="packages to sweep instead of the popular list")
    parser.add_argument("--top", type=int, default=400, help="how many of the most-downloaded names")
    parser.add_argument("--named", action="store_true", help="sweep the named set of hard packages")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    add_output_arguments(parser)
    args = parser.parse_args()
    # --named adds any names given; otherwise names given replace the popular list.
    names = [*NAMED, *args.names] if args.named else args.names or popular_names()[: args.top]
    config = load_npm_config(Path.cwd(), env=os.environ, home=Path.home())
    started = time.perf_counter()
    with Pipeline(
        client_factory=lambda: RegistryClient(config, Cache(default_cache_dir())),
        store=MemoryStore(),  # always analyse: the point is to exercise the current rules
        options=PipelineOptions(jobs=args.jobs),
    ) as pipeline:
        outcome = scan(pipeline, names)
    elapsed = time.perf_counter() - started
    sinks = JsonLines(args.json_out, args.findings_out, args.findings_min)
    try:
        for report in outcome.reports:
            sinks.add(report)
            if report.verdict is not Verdict.ALLOW:
                print_flagged(report, sys.stdout)
    finally:
        sinks.close()
    for result in outcome.results:
        if result.failure is not None:
            print(f"failed {result.request.label}: {result.failure.message}")
    verdicts = collections.Counter(r.verdict for r in outcome.reports)
    total = len(outcome.reports)
    print(
        f"\n{total} packages in {elapsed:.0f} s: "
        + ", ".join(f"{v.value} {verdicts.get(v, 0)}" for v in Verdict)
        + f" — review rate {100 * verdicts.get(Verdict.REVIEW, 0) / max(total, 1):.1f} %"
        + f", {len(outcome.failures)} failed"
    )
    reasons = rule_counts(outcome.reports)
    if reasons:
        print("reasons: " + ", ".join(f"{rule} ×{n}" for rule, n in reasons.most_common()))
    return 1 if verdicts.get(Verdict.BLOCK) else 0


if __name__ == "__main__":
    sys.exit(main())
