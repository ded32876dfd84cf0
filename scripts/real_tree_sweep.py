"""The false-positive yardstick on real projects: `airlock check` every lockfile under bench/real-trees.

    python scripts/real_tree_sweep.py --jobs 2
    python scripts/real_tree_sweep.py --jobs 2 koa svelte --json-out flagged.jsonl
    python scripts/real_tree_sweep.py --jobs 2 --findings-out findings.jsonl

Each project directory holds a real project's lockfile and the package.json files `check` reads (see
bench/real-trees/SOURCES.md). Every package in them is benign by assumption, so a block is a false alarm
to fix at the rule, and reviews must stay under 1 % of the packages. Composed as `airlock check` composes
it (check.run.check_tree, the default CheckOptions), with one shared download cache and an in-memory store
so the current rules always run; a package shared by several projects is analysed once and counted in each.
Exit 1 if any package is blocked or reviews exceed 1 % of all packages. Needs the network (registry).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

from sweep_report import JsonLines, add_output_arguments, print_flagged, rule_counts

from airlock.check.run import check_tree
from airlock.model import Verdict
from airlock.pipeline import Pipeline, PipelineOptions
from airlock.registry.cache import Cache, default_cache_dir
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import load_npm_config
from airlock.store.sqlite import MemoryStore
from airlock.tree import read_lockfile
from airlock.tree.project import find_lockfile

TREES = Path(__file__).resolve().parent.parent / "bench" / "real-trees"
MAX_REVIEW_SHARE = 0.01


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("projects", nargs="*", help="project names under bench/real-trees (default: all)")
    parser.add_argument("--trees", type=Path, default=TREES, help="directory of project directories")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    add_output_arguments(parser)
    args = parser.parse_args()
    projects = args.projects or sorted(p.name for p in args.trees.iterdir() if p.is_dir())
    config = load_npm_config(Path.cwd(), env=os.environ, home=Path.home())
    totals: collections.Counter[Verdict] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    failed = 0
    sinks = JsonLines(args.json_out, args.findings_out, args.findings_min)
    started = time.perf_counter()
    try:
        with Pipeline(
            client_factory=lambda: RegistryClient(config, Cache(default_cache_dir())),
            store=MemoryStore(),  # always analyse (once per run): the point is the current rules
            options=PipelineOptions(jobs=args.jobs),
        ) as pipeline:
            for project in projects:
                lockfile = find_lockfile(args.trees / project, resolve=False)
                tree = read_lockfile(lockfile.input)
                begun = time.perf_counter()
                outcome = check_tree(pipeline, tree, config)
                verdicts = collections.Counter(r.verdict for r in outcome.reports)
                totals.update(verdicts)
                reasons.update(rule_counts(outcome.reports))
                print(
                    f"{project} ({lockfile.input.file}): {len(outcome.reports)} packages, "
                    f"{verdicts.get(Verdict.BLOCK, 0)} blocks, {verdicts.get(Verdict.REVIEW, 0)} reviews, "
                    f"{len(outcome.failures)} failed ({time.perf_counter() - begun:.0f} s)",
                    flush=True,
                )
                for report in outcome.reports:
                    sinks.add(report, project=project)
                    if report.verdict is not Verdict.ALLOW:
                        print_flagged(report, sys.stdout, indent="  ")
                for error in outcome.failures:
                    print(f"  failed: {error.message}")
                failed += len(outcome.failures)
    finally:
        sinks.close()
    total = sum(totals.values())
    reviews = totals.get(Verdict.REVIEW, 0)
    share = reviews / max(total, 1)
    print(
        f"\n{len(projects)} projects, {total} packages in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{v.value} {totals.get(v, 0)}" for v in Verdict)
        + f" — review rate {100 * share:.2f} % (limit {100 * MAX_REVIEW_SHARE:.0f} %), {failed} failed"
    )
    if reasons:
        print("reasons: " + ", ".join(f"{rule} ×{n}" for rule, n in reasons.most_common()))
    return 1 if totals.get(Verdict.BLOCK) or share > MAX_REVIEW_SHARE else 0


if __name__ == "__main__":
    sys.exit(main())
