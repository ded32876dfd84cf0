"""`airlock policy init` on the benchmark tree, warm, against `airlock check` warm in the same run.

    python bench/policy_init.py                      # bench/trees/webapp
    python bench/policy_init.py --tree DIR --repeat 7

The tree is copied to a temporary project (the policy is written there, never into bench/). One cold
`airlock check` fills an empty download cache and analysis store; then, alternating, `airlock check` and
`airlock policy init --force` run warm (--repeat times each, medians reported): the same lockfile, the same
analyses served from the store, so the difference is what the policy adds (canonical names, observing each
package, writing the file). Each measurement is a fresh subprocess (see bench/check_tree.py for how time
and memory are measured). Talks to the registry in .npmrc; never run it in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_tree import Run, measure, median

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", type=Path, default=HERE / "trees" / "webapp")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    airlock = shutil.which("airlock") or str(Path(sys.executable).with_name("airlock"))
    repeat = max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="airlock-bench-policy-") as scratch:
        work = Path(scratch)
        project = work / "project"
        shutil.copytree(args.tree, project)
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "airlock-cache")}
        for name in ("AIRLOCK_STORE", "AIRLOCK_CACHE_DIR", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        jobs = ["-j", str(args.jobs)]
        check = [airlock, "check", str(project), "--format", "json", "-o", str(work / "report.json"), *jobs]
        init = [airlock, "policy", "init", str(project), "--force", *jobs]
        cold = measure("airlock check, cold", check, cwd=work, env=env)
        checks: list[Run] = []
        inits: list[Run] = []
        for _ in range(repeat):  # alternating, so drifts in machine load hit both alike
            checks.append(measure("check", check, cwd=work, env=env))
            inits.append(measure("init", init, cwd=work, env=env))
        warm_check, warm_init = (
            median("airlock check, warm", checks),
            median("airlock policy init, warm", inits),
        )
        policy = json.loads((project / "airlock-policy.json").read_text())
    resources = policy["resources"]
    grants = [
        sum(len(entry.get(f, {})) for f in ("builtin", "globals", "packages")) for entry in resources.values()
    ]
    print(f"tree: {args.tree} , {args.jobs} analysis processes")
    print(
        f"policy: {len(resources)} packages, grants per package: mean {statistics.mean(grants or [0]):.1f}, "
        f"max {max(grants or [0])}; {sum(1 for e in resources.values() if e.get('native'))} native; "
        f"{len(policy['allowScripts'])} install-script entries"
    )
    print(f"{'run':<40}{'wall s':>8}{'cpu s':>8}{'peak RSS':>12}  exit")
    for run in (cold, warm_check, warm_init):
        print(
            f"{run.label:<40}{run.seconds:>8.2f}{run.cpu_seconds:>8.2f}{run.peak_tree_mb:>9.0f} MB  {run.returncode}"
        )
    print(
        f"policy init / check (warm): {warm_init.seconds / warm_check.seconds:.2f}x wall; "
        f"target: policy init warm <= {TARGET_SECONDS:.0f} s: {'met' if warm_init.seconds <= TARGET_SECONDS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
