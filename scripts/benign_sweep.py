"""Opt-in check against the real registry: scan the N most-downloaded packages and count verdicts.

    python scripts/benign_sweep.py --top 400
    python scripts/benign_sweep.py esbuild sharp core-js puppeteer

Every package here is benign by assumption (popular, long-lived), so every block is a false positive to
fix at the rule, and reviews should stay rare. Prints block/review counts with the findings behind them.
Not part of the test suite: it needs the network.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

from airlock.data import popular_names
from airlock.model import Severity, Verdict
from airlock.pipeline import Pipeline, PipelineOptions
from airlock.registry.cache import Cache, default_cache_dir
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import load_npm_config
from airlock.scan import scan
from airlock.store.sqlite import MemoryStore


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help="packages to sweep instead of the popular list")
    parser.add_argument("--top", type=int, default=400, help="how many of the most-downloaded names")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    names = args.names or popular_names()[: args.top]
    config = load_npm_config(Path.cwd(), env=os.environ, home=Path.home())
    started = time.perf_counter()
    with Pipeline(
        client_factory=lambda: RegistryClient(config, Cache(default_cache_dir())),
        store=MemoryStore(),  # always analyse: the point is to exercise the current rules
        options=PipelineOptions(jobs=args.jobs),
    ) as pipeline:
        outcome = scan(pipeline, names)
    elapsed = time.perf_counter() - started
    verdicts = collections.Counter(r.verdict for r in outcome.reports)
    reasons: collections.Counter[str] = collections.Counter()
    for report in outcome.reports:
        if report.verdict is Verdict.ALLOW:
            continue
        worst = [f for f in report.findings if f.severity.at_least(Severity.MEDIUM)]
        for finding in worst:
            reasons[finding.rule] += 1
        print(f"{report.verdict.value:6} {report.label}")
        for finding in worst:
            where = f" ({finding.location.file}:{finding.location.line})" if finding.location else ""
            print(f"         {finding.rule} [{finding.severity.value}] {finding.message[:120]}{where}")
    total = len(outcome.reports)
    print(
        f"\n{total} packages in {elapsed:.0f} s: "
        + ", ".join(f"{v.value} {verdicts.get(v, 0)}" for v in Verdict)
        + f" — review rate {100 * verdicts.get(Verdict.REVIEW, 0) / max(total, 1):.1f} %"
    )
    if reasons:
        print("reasons: " + ", ".join(f"{rule} ×{n}" for rule, n in reasons.most_common()))
    return 1 if verdicts.get(Verdict.BLOCK) else 0


if __name__ == "__main__":
    sys.exit(main())
