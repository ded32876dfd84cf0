"""A real server app under the real LavaMoat runtime: LavaMoat's own --autopolicy against airlock's policy.

    python bench/lavamoat_app.py                    # bench/lavamoat-app (45 dependencies, 295 packages)
    python bench/lavamoat_app.py --lavamoat DIR     # reuse a directory where `lavamoat` is npm-installed

Opt-in: needs the network (npm's registry, as configured on this machine), node and npm. Never run in tests.

1. copies bench/lavamoat-app to a temporary directory and `npm ci --ignore-scripts` there;
2. installs the `lavamoat` tool (11.1.4) with npm into another temporary directory (unless --lavamoat);
3. `lavamoat index.js --autopolicy` (LavaMoat's static policy), then `lavamoat index.js`: index.js requires
   every dependency, each in its own try/catch, and prints {loaded, failed};
4. removes lavamoat/, runs `airlock policy init` (cold cache, then again warm: the figure issue 12 asks
   for) and `airlock policy export --lavamoat` against the real registry, then `lavamoat index.js`;
5. prints both counts, every dependency that loads under the autopolicy but not under airlock's (with its
   error), the size of both policies (entries, entries with a grant; grants total, mean per package with a
   grant, max; a grant is one `builtin`, `globals` or `packages` entry that is not `false`, or `native:
   true`), the autopolicy's grants airlock's does not give (what paths index.js leaves unexercised may
   still need), and any wildcard-like grant in airlock's. Exits 1 when a dependency regresses or airlock's
   policy has a wildcard-like grant.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
APP = HERE / "lavamoat-app"
LAVAMOAT_VERSION = "11.1.4"
APP_FILES = ("package.json", "package-lock.json", "index.js")

# Wildcard-like: the whole global object, at least this share of Node's builtin modules, or (in a policy of
# more than WILDCARD_MIN_PACKAGES packages) at least this share of all the other packages.
GLOBAL_OBJECTS = frozenset({"globalThis", "global", "self", "window"})
WILDCARD_BUILTIN_SHARE = 0.5
WILDCARD_PACKAGE_SHARE = 0.9
WILDCARD_MIN_PACKAGES = 10


@dataclass(frozen=True, slots=True)
class Outcome:
    loaded: frozenset[str]
    failed: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PolicySize:
    packages: int
    granted: int
    """Entries with at least one grant (LavaMoat leaves the others out; airlock writes every package)."""
    total: int
    mean: float
    max: int
    largest: str


# ---- running things -------------------------------------------------------------------------------------


def _run(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], what: str) -> str:
    done = subprocess.run(list(argv), cwd=cwd, env=dict(env), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"{what} exited {done.returncode}")
    return done.stdout


def npm_env(work: Path) -> dict[str, str]:
    return {**os.environ, "npm_config_cache": str(work / "npm-cache"), "npm_config_update_notifier": "false"}


def install_app(work: Path) -> Path:
    app = work / "app"
    app.mkdir()
    for name in APP_FILES:
        shutil.copy(APP / name, app / name)
    _run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=app,
        env=npm_env(work),
        what="npm ci",
    )
    return app


def install_lavamoat(work: Path) -> Path:
    """The `lavamoat` tool in its own directory (a tool, not a package of the app): its cli.js."""
    tool = work / "lavamoat-tool"
    tool.mkdir()
    (tool / "package.json").write_text('{"name": "lavamoat-tool", "private": true}\n')
    argv = ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", f"lavamoat@{LAVAMOAT_VERSION}"]
    _run(argv, cwd=tool, env=npm_env(work), what="npm install lavamoat")
    return lavamoat_cli(tool)


def lavamoat_cli(tool: Path) -> Path:
    cli = tool / "node_modules" / "lavamoat" / "src" / "cli.js"
    version = json.loads((cli.parent.parent / "package.json").read_text())["version"]
    if version != LAVAMOAT_VERSION:
        raise SystemExit(f"{tool} has lavamoat {version}, this bench is for {LAVAMOAT_VERSION}")
    return cli


def run_app(cli: Path, app: Path) -> Outcome:
    """`lavamoat index.js` with the policy in app/lavamoat/node: what index.js reports it loaded."""
    out = _run(["node", str(cli), "index.js"], cwd=app, env=os.environ, what="lavamoat index.js")
    data = json.loads(out.strip().splitlines()[-1])
    return Outcome(frozenset(data["loaded"]), dict(data["failed"]))


def autopolicy(cli: Path, app: Path) -> dict[str, Any]:
    _run(
        ["node", str(cli), "index.js", "--autopolicy"], cwd=app, env=os.environ, what="lavamoat --autopolicy"
    )
    policy: dict[str, Any] = json.loads((app / "lavamoat" / "node" / "policy.json").read_text())
    return policy


def _airlock() -> str:
    beside = Path(sys.executable).with_name("airlock")
    return str(beside) if beside.exists() else (shutil.which("airlock") or "airlock")


def airlock_policy(project: Path, registry_url: str | None, *, cache: Path) -> list[float]:
    """`airlock policy init PROJECT` then `airlock policy export --lavamoat PROJECT`, as a user runs them
    (the registry: `registry_url`, else npm's configuration). init runs twice, cold then warm (same cache):
    its wall seconds are returned."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    for variable in ("AIRLOCK_STORE", "AIRLOCK_CACHE_DIR", "PYTHONDONTWRITEBYTECODE"):
        env.pop(variable, None)
    if registry_url is not None:
        env["npm_config_registry"] = registry_url
    seconds = []
    for again in ([], ["--force"]):  # init will not overwrite airlock-policy.json unless forced
        started = time.perf_counter()
        argv = [_airlock(), "policy", "init", str(project), *again]
        _run(argv, cwd=project, env=env, what="airlock policy init")
        seconds.append(time.perf_counter() - started)
    _run(
        [_airlock(), "policy", "export", "--lavamoat", str(project)],
        cwd=project,
        env=env,
        what="airlock policy export --lavamoat",
    )
    return seconds


def node_builtins() -> frozenset[str]:
    out = _run(
        ["node", "-p", "JSON.stringify(require('module').builtinModules)"],
        cwd=HERE,
        env=os.environ,
        what="node",
    )
    return frozenset(name for name in json.loads(out) if not name.startswith("_"))


# ---- measuring policies ---------------------------------------------------------------------------------


def grants(resource: Mapping[str, Any]) -> int:
    count = sum(
        1
        for section in ("builtin", "globals", "packages")
        for value in (resource.get(section) or {}).values()
        if value is not False
    )
    return count + (1 if resource.get("native") is True else 0)


def size(policy: Mapping[str, Any]) -> PolicySize:
    entries: Mapping[str, Any] = policy.get("resources") or {}
    per_package = {name: count for name, entry in entries.items() if (count := grants(entry))}
    if not per_package:
        return PolicySize(len(entries), 0, 0, 0.0, 0, "-")
    largest = max(sorted(per_package), key=per_package.__getitem__)
    return PolicySize(
        len(entries),
        len(per_package),
        sum(per_package.values()),
        statistics.fmean(per_package.values()),
        per_package[largest],
        largest,
    )


def _covered(path: str, granted: Mapping[str, Any]) -> bool:
    """`path` or one of its dotted parents is granted (LavaMoat: `fs` covers `fs.readFile`)."""
    parts = path.split(".")
    return any(granted.get(".".join(parts[:n])) not in (None, False) for n in range(1, len(parts) + 1))


def _narrowed(path: str, granted: Mapping[str, Any]) -> bool:
    """Only paths below `path` are granted (`fs.readFile` where LavaMoat has `fs`)."""
    return any(p.startswith(path + ".") and v is not False for p, v in granted.items())


@dataclass(frozen=True, slots=True)
class Uncovered:
    missing: tuple[str, ...]
    """Autopolicy grants airlock's policy has nothing at or below: `package: section path`."""
    narrower: tuple[str, ...]
    """Autopolicy grants airlock's gives only deeper paths of (an attenuated module or global)."""


def uncovered(autopolicy: Mapping[str, Any], airlocks: Mapping[str, Any]) -> Uncovered:
    """The autopolicy's grants airlock's policy does not give in full: what code paths index.js does not
    exercise may still need. Packages are compared by canonical name."""
    ours: Mapping[str, Any] = airlocks.get("resources") or {}
    missing: list[str] = []
    narrower: list[str] = []
    for name, entry in sorted((autopolicy.get("resources") or {}).items()):
        mine = ours.get(name) or {}
        for section in ("builtin", "globals", "packages"):
            theirs = sorted(p for p, v in (entry.get(section) or {}).items() if v is not False)
            have = mine.get(section) or {}
            for path in theirs:
                line = f"{name}: {section} {path}"
                if section == "packages":
                    if have.get(path) in (None, False):
                        missing.append(line)
                elif _narrowed(path, have) and not _covered(path, have):
                    narrower.append(line)
                elif not _covered(path, have):
                    missing.append(line)
        if entry.get("native") is True and mine.get("native") is not True:
            missing.append(f"{name}: native")
    return Uncovered(tuple(missing), tuple(narrower))


def _module(path: str) -> str:
    return path.removeprefix("node:").split(".", 1)[0]


def wildcards(policy: Mapping[str, Any], builtins: frozenset[str]) -> list[str]:
    """Grants that amount to "everything": see the constants above."""
    resources: Mapping[str, Any] = policy.get("resources") or {}
    found = []
    for name, entry in sorted(resources.items()):
        for path, value in (entry.get("globals") or {}).items():
            if value is not False and path.split(".", 1)[0] in GLOBAL_OBJECTS:
                found.append(f"{name}: globals {path!r} is the whole global object")
        modules = {_module(p) for p, v in (entry.get("builtin") or {}).items() if v is not False} & builtins
        if len(modules) >= WILDCARD_BUILTIN_SHARE * len(builtins):
            found.append(f"{name}: {len(modules)} of Node's {len(builtins)} builtin modules")
        packages = [p for p, v in (entry.get("packages") or {}).items() if v is not False]
        others = len(resources) - 1
        if others >= WILDCARD_MIN_PACKAGES and len(packages) >= WILDCARD_PACKAGE_SHARE * others:
            found.append(f"{name}: {len(packages)} of the {others} other packages")
    return found


# ---- the report -----------------------------------------------------------------------------------------


def _size_line(label: str, policy: Mapping[str, Any]) -> str:
    s = size(policy)
    return (
        f"{label}: {s.packages} entries, {s.granted} with grants; {s.total} grants, "
        f"{s.mean:.1f} per package with grants (max {s.max}: {s.largest})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lavamoat", type=Path, help="a directory where lavamoat is already npm-installed")
    parser.add_argument("--registry", help="registry URL for airlock (default: npm's configuration)")
    parser.add_argument("--show", type=int, default=25, help="missing grants to list (default 25)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and say where")
    args = parser.parse_args(argv)
    dependencies = sorted(json.loads((APP / "package.json").read_text())["dependencies"])
    lock = json.loads((APP / "package-lock.json").read_text())
    print(
        f"app: {APP.name}, {len(dependencies)} dependencies, {len(lock['packages']) - 1} packages in the lockfile"
    )

    scratch = Path(tempfile.mkdtemp(prefix="airlock-lavamoat-"))
    try:
        app = install_app(scratch)
        cli = lavamoat_cli(args.lavamoat.resolve()) if args.lavamoat else install_lavamoat(scratch)
        builtins = node_builtins()

        lavamoats = autopolicy(cli, app)
        under_lavamoat = run_app(cli, app)
        shutil.move(app / "lavamoat" / "node" / "policy.json", scratch / "autopolicy.json")  # for --keep
        shutil.rmtree(app / "lavamoat")

        cold, warm = airlock_policy(app, args.registry, cache=scratch / "airlock-cache")
        print(f"airlock policy init: {cold:.2f} s cold, {warm:.2f} s warm")
        airlocks: dict[str, Any] = json.loads((app / "lavamoat" / "node" / "policy.json").read_text())
        under_airlock = run_app(cli, app)
        if args.keep:
            print(f"kept: {scratch}")
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    n = len(dependencies)
    print(f"loaded under LavaMoat's autopolicy: {len(under_lavamoat.loaded)}/{n}")
    print(f"loaded under airlock's policy: {len(under_airlock.loaded)}/{n}")
    for name, message in sorted(under_lavamoat.failed.items()):
        print(f"  fails under the autopolicy too: {name}: {message}")
    regressions = sorted(under_lavamoat.loaded - under_airlock.loaded)
    for name in regressions:
        print(f"  REGRESSION: {name}: {under_airlock.failed.get(name, '(not reported)')}")
    print(_size_line("LavaMoat's autopolicy", lavamoats))
    print(_size_line("airlock's policy", airlocks))
    gaps = uncovered(lavamoats, airlocks)
    print(
        f"autopolicy grants airlock's policy does not give: {len(gaps.missing)} missing, "
        f"{len(gaps.narrower)} given only at a deeper path"
    )
    for label, lines in (("missing", gaps.missing), ("narrower", gaps.narrower)):
        for line in lines[: args.show]:
            print(f"  {label}: {line}")
        if len(lines) > args.show:
            print(f"  ... {len(lines) - args.show} more {label} (--show N)")
    found = wildcards(airlocks, builtins)
    for line in found:
        print(f"  WILDCARD-LIKE: {line}")
    for line in wildcards(lavamoats, builtins):
        print(f"  (autopolicy, for comparison) wildcard-like: {line}")
    if not found:
        print("airlock's policy: no wildcard-like grant")
    return 1 if regressions or found else 0


if __name__ == "__main__":
    raise SystemExit(main())
