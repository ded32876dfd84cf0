"""`airlock check` on a real web-app tree, against `npm ci` of the same lockfile, measured in one run.

    python bench/check_tree.py                       # bench/trees/webapp (next, react, jest, webpack, ...)
    python bench/check_tree.py --tree DIR --skip-npm

Three measurements, each in a fresh subprocess with its own empty cache, so none benefits from another:
  (a) baseline — `npm ci --ignore-scripts --no-audit --no-fund` into a temporary copy (empty npm cache):
                 what installing the tree costs anyway;
  (b) cold     — `airlock check` with an empty download cache and analysis store: every packument and
                 tarball downloaded, verified and analysed;
  (c) warm     — the same check again: packuments revalidated, analyses served from the store.
Prints seconds, peak memory (the largest single process, and the whole process tree sampled every
50 ms: airlock runs analysis in worker processes) and the ratios (b)/(a), (c)/(a), (c)/(b).
This talks to the registry in .npmrc (the network is part of the measurement); never run it in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
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
    peak_tree_mb: float
    peak_single_mb: float
    returncode: int


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
    return Run(label, seconds, peaks[0], peaks[1], process.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", type=Path, default=HERE / "trees" / "webapp")
    parser.add_argument("--skip-npm", action="store_true", help="leave out the npm ci baseline")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    tree: Path = args.tree.resolve()
    lock = json.loads((tree / "package-lock.json").read_text())
    print(f"tree: {tree} ({len(lock['packages']) - 1} lockfile entries), {args.jobs} analysis processes")

    airlock = shutil.which("airlock") or str(Path(sys.executable).with_name("airlock"))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="airlock-bench-") as scratch:
        work = Path(scratch)
        if not args.skip_npm:
            install = work / "npm-ci"
            install.mkdir()
            for name in ("package.json", "package-lock.json", ".npmrc"):
                if (tree / name).is_file():
                    shutil.copy(tree / name, install / name)
            env = {
                **os.environ,
                "npm_config_cache": str(work / "npm-cache"),
                "npm_config_update_notifier": "false",
            }
            runs.append(
                measure(
                    "npm ci (baseline)",
                    ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                    cwd=install,
                    env=env,
                )
            )
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "airlock-cache")}
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
        runs.append(measure("airlock check, cold", argv, cwd=work, env=env))
        report = json.loads((work / "report.json").read_text())
        runs.append(measure("airlock check, warm", argv, cwd=work, env=env))

    errors = sorted(e.message for e in Draft202012Validator(schema()).iter_errors(report))
    print(f"report schema (report-v1): {'valid' if not errors else 'INVALID: ' + '; '.join(errors[:3])}")
    packages = report["packages"]
    verdicts = {v: sum(1 for p in packages if p["verdict"] == v) for v in ("block", "review", "allow")}
    with_paths = sum(1 for p in packages if p.get("paths"))
    print(f"report: {len(packages)} packages ({with_paths} with a path), verdicts {verdicts}")
    print(f"{'run':<22}{'seconds':>9}{'peak RSS, all processes':>26}{'largest process':>18}  exit")
    for run in runs:
        print(
            f"{run.label:<22}{run.seconds:>9.1f}{run.peak_tree_mb:>23.0f} MB{run.peak_single_mb:>15.0f} MB  "
            f"{run.returncode}"
        )
    by_label = {r.label: r for r in runs}
    cold, warm = by_label["airlock check, cold"], by_label["airlock check, warm"]
    baseline = by_label.get("npm ci (baseline)")
    if baseline is not None:
        print(
            f"cold / npm ci: {cold.seconds / baseline.seconds:.2f}x   warm / npm ci: {warm.seconds / baseline.seconds:.2f}x"
        )
    print(f"warm / cold: {warm.seconds / cold.seconds:.3f} ({cold.seconds / warm.seconds:.1f}x faster)")
    print("targets: cold <= 60 s, warm <= 3 s, peak RSS <= 1 GB")


if __name__ == "__main__":
    main()
