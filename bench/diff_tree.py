"""`airlock diff --lockfile` of a real tree against a variant with N upgraded packages, warm, against
`airlock check` of the same tree warm, measured in one run (issue 13 wants the diff <= 2 s warm).

    python bench/diff_tree.py                        # bench/trees/webapp, 20 upgrades
    python bench/diff_tree.py --upgrades 20 --repeat 5 --registry https://registry.npmjs.org

The variant is built here from the registry: the first N hoisted packages (by name) that have a newer
version in the same major whose dependencies name only packages the tree already has get that version
(its version, tarball, integrity and dependency specs from the registry), so the variant is a lockfile
npm could have written and every upgraded package is real bytes with a real integrity.

Each measurement is a fresh subprocess with its own empty airlock cache (XDG_CACHE_HOME in a temp dir):
  check, cold   — `airlock check OLD`: fills the cache and the store for the old tree;
  diff, cold    — `airlock diff --lockfile OLD NEW`: downloads and analyses the N new versions;
  diff, warm    — the same diff again (medians of --repeat runs);
  check, warm   — `airlock check OLD` again (medians): the baseline, same machine, same run.
This talks to the registry (the network is part of the measurement); never run it in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from check_tree import Run, measure, median  # noqa: E402  (a sibling script, not a package)

from airlock.registry.semver import precedence_key  # noqa: E402


def _packument(registry: str, name: str) -> dict[str, Any]:
    url = f"{registry.rstrip('/')}/{urllib.parse.quote(name, safe='@')}"
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.npm.install-v1+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        document: dict[str, Any] = json.load(response)
    return document


def _newer_same_major(current: str, versions: dict[str, Any]) -> str | None:
    now = precedence_key(current)
    if now is None:
        return None
    best: tuple[Any, str] | None = None
    for raw in versions:
        key = precedence_key(raw)
        # key: (major, minor, patch, 1 for a release / 0 for a prerelease, prerelease identifiers)
        if key is None or key[3] == 0 or key[0] != now[0] or key <= now:
            continue
        if best is None or key > best[0]:
            best = (key, raw)
    return best[1] if best is not None else None


def make_variant(lock: dict[str, Any], registry: str, count: int) -> tuple[dict[str, Any], list[str]]:
    """`lock` with `count` hoisted packages upgraded (see the module docstring), and what was upgraded."""
    packages: dict[str, Any] = json.loads(json.dumps(lock["packages"]))
    present = {key.rsplit("node_modules/", 1)[-1] for key in packages if key}
    upgraded: list[str] = []
    for key in sorted(k for k in packages if k.startswith("node_modules/") and k.count("node_modules/") == 1):
        if len(upgraded) >= count:
            break
        node = packages[key]
        name = key.removeprefix("node_modules/")
        if node.get("link") or not str(node.get("resolved", "")).startswith("http"):
            continue
        versions = _packument(registry, name).get("versions", {})
        newer = _newer_same_major(node["version"], versions)
        if newer is None:
            continue
        manifest = versions[newer]
        dependencies = dict(manifest.get("dependencies") or {})
        if not set(dependencies) <= present:
            continue  # a new dependency would need resolving: keep the variant a tree npm could write
        node.update(
            version=newer, resolved=manifest["dist"]["tarball"], integrity=manifest["dist"]["integrity"]
        )
        if dependencies:
            node["dependencies"] = dependencies
        else:
            node.pop("dependencies", None)
        upgraded.append(f"{name} {lock['packages'][key]['version']} → {newer}")
    return {**lock, "packages": packages}, upgraded


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", type=Path, default=HERE / "trees" / "webapp")
    parser.add_argument("--upgrades", type=int, default=20)
    parser.add_argument("--registry", default="https://registry.npmjs.org")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of each (medians reported)")
    args = parser.parse_args()
    tree: Path = args.tree.resolve()
    repeat = max(1, args.repeat)
    lock = json.loads((tree / "package-lock.json").read_text())
    variant, upgraded = make_variant(lock, args.registry, args.upgrades)
    print(f"tree: {tree} ({len(lock['packages']) - 1} lockfile entries), {args.jobs} analysis processes")
    print(f"variant: {len(upgraded)} packages upgraded: {', '.join(upgraded)}")

    airlock = shutil.which("airlock") or str(Path(sys.executable).with_name("airlock"))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="airlock-bench-diff-") as scratch:
        work = Path(scratch)
        old, new = work / "old", work / "new"
        shutil.copytree(tree, old)
        shutil.copytree(tree, new)
        (new / "package-lock.json").write_text(json.dumps(variant, indent=2) + "\n")
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "airlock-cache")}
        for name in ("AIRLOCK_STORE", "AIRLOCK_CACHE_DIR", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        jobs = ["-j", str(args.jobs)]
        check = [airlock, "check", str(old), "--format", "json", "-o", str(work / "check.json"), *jobs]
        diff = [
            airlock, "diff", "--lockfile", str(old / "package-lock.json"), str(new / "package-lock.json"),
            "--format", "json", "-o", str(work / "diff.json"), *jobs,
        ]  # fmt: skip
        runs.append(measure("airlock check, cold", check, cwd=work, env=env))
        runs.append(measure("airlock diff --lockfile, cold", diff, cwd=work, env=env))
        document = json.loads((work / "diff.json").read_text())
        diff_warm = median(
            "airlock diff --lockfile, warm", [measure("w", diff, cwd=work, env=env) for _ in range(repeat)]
        )
        check_warm = median(
            "airlock check, warm", [measure("w", check, cwd=work, env=env) for _ in range(repeat)]
        )
        runs += [diff_warm, check_warm]

    changes = document["changes"]
    verdicts = {v: sum(1 for c in changes if c["verdict"] == v) for v in ("block", "review", "allow")}
    print(f"diff: {len(changes)} changes, verdicts {verdicts}; notes: {'; '.join(document.get('notes', []))}")
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'run':<44}{'wall s':>8}{'cpu s':>8}{'peak RSS, all':>16}{'largest':>10}  exit")
    for run in runs:
        print(
            f"{run.label:<44}{run.seconds:>8.2f}{run.cpu_seconds:>8.2f}{run.peak_tree_mb:>13.0f} MB"
            f"{run.peak_single_mb:>7.0f} MB  {run.returncode}"
        )
    print(f"diff warm / check warm: {diff_warm.seconds / check_warm.seconds:.2f}x (wall)")
    print("target: diff --lockfile warm <= 2 s")


if __name__ == "__main__":
    main()
