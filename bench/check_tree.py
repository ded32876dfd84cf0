"""`airlock check` on a real web-app tree, against `npm ci` of the same lockfile, measured in one run.

    python bench/check_tree.py                       # bench/trees/webapp (next, react, jest, webpack, ...)
    python bench/check_tree.py --tree DIR --skip-npm --repeat 7

Each measurement is a fresh subprocess; npm and airlock each get their own empty cache in a temp dir:
  npm ci, cold  — `npm ci --ignore-scripts --no-audit --no-fund` into a temporary copy, empty npm cache:
                  what installing the tree costs anyway;
  npm ci, warm  — the same again (node_modules removed first) with the npm cache that run filled;
  airlock, cold — `airlock check` with an empty download cache and analysis store: every packument and
                  tarball downloaded, verified and analysed;
  airlock, warm — the same check again: packuments fresh in the cache (their digests), analyses served
                  from the store;
  --version     — `airlock --version`: the CLI's start-up cost.
Warm runs are repeated (--repeat) and reported as medians. Prints wall seconds, CPU seconds (user+sys of
the whole process tree, steadier than wall time on a busy machine), peak memory (the largest single
process, and the whole process tree sampled every 50 ms) and the ratios warm airlock / warm npm ci and
cold / cold. airlock runs with bytecode caching on (as an installed airlock has it), whatever
PYTHONDONTWRITEBYTECODE says here. This talks to the registry in .npmrc (the network is part of the
measurement); never run it in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator

from airlock.report.json import schema

HERE = Path(__file__).resolve().parent
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    cpu_seconds: float
    peak_tree_mb: float
    peak_single_mb: float
    returncode: int


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median(label: str, runs: Sequence[Run]) -> Run:
    """One row for repeated runs: median wall and CPU seconds, largest peaks, worst exit code."""
    return Run(
        f"{label} (median of {len(runs)})" if len(runs) > 1 else label,
        statistics.median(r.seconds for r in runs),
        statistics.median(r.cpu_seconds for r in runs),
        max(r.peak_tree_mb for r in runs),
        max(r.peak_single_mb for r in runs),
        max(r.returncode for r in runs),
    )


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _rss_mb(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20
    except OSError:
        return 0.0


def _tree_rss(root: int) -> tuple[float, float]:
    """(sum, max) resident MB over `root` and all its descendants."""
    children = _children()
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, []))
    sizes = [_rss_mb(p) for p in pids]
    return sum(sizes), max(sizes, default=0.0)


def measure(label: str, argv: list[str], *, cwd: Path, env: dict[str, str]) -> Run:
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = [0.0, 0.0]

    def sample() -> None:
        while process.poll() is None:
            total, single = _tree_rss(process.pid)
            peaks[0] = max(peaks[0], total)
            peaks[1] = max(peaks[1], single)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode not in (0, 1):  # airlock exits 1 when something is blocked: still a full run
        sys.stderr.write(stderr.decode(errors="replace")[-2000:])
    return Run(label, seconds, _children_cpu() - cpu_before, peaks[0], peaks[1], process.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", type=Path, default=HERE / "trees" / "webapp")
    parser.add_argument("--skip-npm", action="store_true", help="leave out the npm ci baseline")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of each (medians reported)")
    args = parser.parse_args()
    tree: Path = args.tree.resolve()
    repeat = max(1, args.repeat)
    lock = json.loads((tree / "package-lock.json").read_text())
    print(f"tree: {tree} ({len(lock['packages']) - 1} lockfile entries), {args.jobs} analysis processes")

    airlock = shutil.which("airlock") or str(Path(sys.executable).with_name("airlock"))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="airlock-bench-") as scratch:
        work = Path(scratch)
        npm_cold = npm_warm = None
        if not args.skip_npm:
            install = work / "npm-ci"
            install.mkdir()
            for name in ("package.json", "package-lock.json", ".npmrc"):
                if (tree / name).is_file():
                    shutil.copy(tree / name, install / name)
            npm_env = {
                **os.environ,
                "npm_config_cache": str(work / "npm-cache"),
                "npm_config_update_notifier": "false",
            }
            npm_argv = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
            npm_cold = measure("npm ci, cold", npm_argv, cwd=install, env=npm_env)
            warm_npm = []
            for _ in range(repeat):
                shutil.rmtree(install / "node_modules", ignore_errors=True)
                warm_npm.append(measure("npm ci, warm", npm_argv, cwd=install, env=npm_env))
            npm_warm = median("npm ci, warm", warm_npm)
            runs += [npm_cold, npm_warm]
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "airlock-cache")}
        env.pop("AIRLOCK_STORE", None)
        env.pop("AIRLOCK_CACHE_DIR", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        argv = [
            airlock,
            "check",
            str(tree),
            "--format",
            "json",
            "-o",
            str(work / "report.json"),
            "-j",
            str(args.jobs),
        ]
        cold = measure("airlock check, cold", argv, cwd=work, env=env)
        report = json.loads((work / "report.json").read_text())
        warm = median(
            "airlock check, warm", [measure("warm", argv, cwd=work, env=env) for _ in range(repeat)]
        )
        version = median(
            "airlock --version",
            [measure("version", [airlock, "--version"], cwd=work, env=env) for _ in range(repeat)],
        )
        runs += [cold, warm, version]

    errors = sorted(e.message for e in Draft202012Validator(schema()).iter_errors(report))
    print(f"report schema (report-v1): {'valid' if not errors else 'INVALID: ' + '; '.join(errors[:3])}")
    packages = report["packages"]
    verdicts = {v: sum(1 for p in packages if p["verdict"] == v) for v in ("block", "review", "allow")}
    with_paths = sum(1 for p in packages if p.get("paths"))
    print(f"report: {len(packages)} packages ({with_paths} with a path), verdicts {verdicts}")
    print(f"load average before the report: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'run':<34}{'wall s':>8}{'cpu s':>8}{'peak RSS, all':>16}{'largest':>10}  exit")
    for run in runs:
        print(
            f"{run.label:<34}{run.seconds:>8.2f}{run.cpu_seconds:>8.2f}{run.peak_tree_mb:>13.0f} MB"
            f"{run.peak_single_mb:>7.0f} MB  {run.returncode}"
        )
    if npm_cold is not None and npm_warm is not None:
        print(
            f"airlock / npm ci: cold {cold.seconds / npm_cold.seconds:.2f}x   "
            f"warm {warm.seconds / npm_warm.seconds:.2f}x (wall), {warm.cpu_seconds / npm_warm.cpu_seconds:.2f}x (cpu)"
        )
    print(f"warm / cold: {warm.seconds / cold.seconds:.3f} ({cold.seconds / warm.seconds:.1f}x faster)")
    print("targets: cold <= 60 s, warm <= 1.5 s, --version <= 0.3 s, peak RSS <= 1 GB")


if __name__ == "__main__":
    main()
