"""`airlock ci` against `npm ci --ignore-scripts` on the same lockfile, warm caches, measured in one run.

    python bench/ci_tree.py                      # bench/trees/webapp (465 packages)
    python bench/ci_tree.py --tree DIR --repeat 7

Each tool works in its own temporary copy of package.json + package-lock.json, with its own caches in a
temporary directory (airlock: AIRLOCK_CACHE_DIR and AIRLOCK_STORE, the analysis store; npm: --cache). One cold run of
each fills them; then --repeat warm runs of each, alternating, node_modules removed before every run (npm
ci removes it anyway; airlock ci would swap and delete it), report the median wall seconds and the ratio
warm airlock ci / warm npm ci (issue 14 asks for ≤ 1.3). airlock ci includes the whole check (packuments
revalidated or fresh, analyses from the store) run while npm installs from the verified view. Talks to
the registry in .npmrc (cold runs download); never run it in tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _copy_project(tree: Path, into: Path) -> Path:
    into.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(tree / name, into / name)
    return into


def _timed(argv: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=1800)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(
            f"{' '.join(argv[:3])} failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE / "trees" / "webapp")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    npm = shutil.which("npm")
    airlock = [sys.executable, "-m", "airlock"]
    if npm is None:
        sys.exit("npm is not installed")
    with tempfile.TemporaryDirectory(prefix="airlock-bench-ci-") as scratch:
        root = Path(scratch)
        npm_project = _copy_project(args.tree, root / "npm" / "app")
        airlock_project = _copy_project(args.tree, root / "airlock" / "app")
        env = {
            **os.environ,
            "AIRLOCK_CACHE_DIR": str(root / "airlock-cache"),
            "AIRLOCK_STORE": str(root / "store.sqlite3"),
        }
        npm_argv = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", f"--cache={root / 'npm-cache'}"]
        ci_argv = [*airlock, "ci", ".", "--format", "json"]

        print(
            f"tree: {args.tree} ({len(list((args.tree / 'package-lock.json').read_text().splitlines()))} lockfile lines)"
        )
        cold_npm = _timed(npm_argv, cwd=npm_project, env=env)
        cold_ci = _timed(ci_argv, cwd=airlock_project, env=env)
        print(
            f"cold: npm ci {cold_npm:.2f} s, airlock ci {cold_ci:.2f} s (downloads; not the figure asked for)"
        )
        npm_runs, ci_runs = [], []
        for _ in range(args.repeat):
            shutil.rmtree(npm_project / "node_modules", ignore_errors=True)
            npm_runs.append(_timed(npm_argv, cwd=npm_project, env=env))
            shutil.rmtree(airlock_project / "node_modules", ignore_errors=True)
            ci_runs.append(_timed(ci_argv, cwd=airlock_project, env=env))
        npm_median, ci_median = statistics.median(npm_runs), statistics.median(ci_runs)
        installed = sum(1 for _ in (airlock_project / "node_modules").glob("**/package.json"))
        print(f"warm npm ci --ignore-scripts: median {npm_median:.2f} s  {[round(s, 2) for s in npm_runs]}")
        print(f"warm airlock ci:              median {ci_median:.2f} s  {[round(s, 2) for s in ci_runs]}")
        print(f"ratio airlock ci / npm ci (warm medians): {ci_median / npm_median:.2f}  (target <= 1.3)")
        print(f"({installed} package.json files under the installed node_modules)")


if __name__ == "__main__":
    main()
