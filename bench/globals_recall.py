"""Recall of airlock's globals inventory against LavaMoat's own static analysis, on a real installed tree.

    python bench/globals_recall.py                      # installs the tree and the lavamoat tool (network)
    python bench/globals_recall.py --project DIR --lavamoat DIR/node_modules

Opt-in: needs node and npm. Without --project it installs PACKAGES into a temporary project with
`npm install --ignore-scripts` (nothing of theirs runs); without --lavamoat it installs the `lavamoat` tool
(LAVAMOAT_VERSION) into a temporary directory. LavaMoat's side runs its lavamoat-tofu `inspectGlobals`
with the options lavamoat-core's `generatePolicy` gives it, over every .js/.cjs/.mjs file of each package
(a small driver script, written to the temporary directory: it only calls LavaMoat's API on file text,
it never runs the packages' code), and merges a package's files as `generatePolicy` does (a deep write
grants the top-level name; keys reduced to the topmost). airlock's side is `analyze()` of each package
directory, `capabilities.all_globals`.

A (package, LavaMoat key) pair is covered when airlock has that key or a prefix of it (`process` covers
`process.env`). Prints overall recall, recall for the globals issue 12 names, and the first misses.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from airlock.analysis import analyze
from airlock.contents import read_directory

LAVAMOAT_VERSION = "11.1.4"
PACKAGES = (
    "express",
    "axios",
    "ws",
    "pg",
    "redis",
    "winston",
    "socket.io",
    "mongoose",
    "mysql2",
    "ioredis",
    "jsonwebtoken",
    "bcryptjs",
    "dotenv",
    "cors",
    "helmet",
    "morgan",
    "body-parser",
    "multer",
    "nodemailer",
    "uuid",
    "lodash",
    "moment",
    "dayjs",
    "joi",
    "yup",
    "pino",
    "compression",
    "cookie-parser",
    "passport",
    "node-fetch",
    "got",
)
WATCHED = ("process", "fetch", "WebAssembly", "XMLHttpRequest", "WebSocket")
SOURCE_SUFFIXES = (".js", ".cjs", ".mjs")

_DRIVER = r"""
const fs = require('fs')
const path = require('path')
const base = process.argv[2]
const { parse, inspectGlobals } = require(path.join(base, 'lavamoat-tofu'))
const { MODULE_REFS, DEFAULT_GLOBAL_THIS_REFS } = require(path.join(base, 'lavamoat-core/src/constants.js'))
const prototypeNames = Object.getOwnPropertyNames(Object.prototype)
const out = {}
for (const file of fs.readFileSync(0, 'utf8').split('\n').filter(Boolean)) {
  try {
    const ast = parse(fs.readFileSync(file, 'utf8'),
      { sourceType: 'unambiguous', allowReturnOutsideFunction: true, errorRecovery: true })
    const found = inspectGlobals(ast, {
      ignoredRefs: [...MODULE_REFS[ast.program.sourceType], ...prototypeNames],
      globalRefs: DEFAULT_GLOBAL_THIS_REFS,
    })
    out[file] = Object.fromEntries(found)
  } catch (err) {
    out[file] = null
  }
}
process.stdout.write(JSON.stringify(out))
"""


def packages(node_modules: Path) -> Iterator[Path]:
    """Every package directory of an installed tree, nested ones included."""
    for entry in sorted(node_modules.iterdir()):
        if entry.name.startswith("."):
            continue
        scoped = entry.name.startswith("@")
        candidates = sorted(p for p in entry.iterdir() if p.is_dir()) if scoped else [entry]
        for pkg in candidates:
            if (pkg / "package.json").is_file():
                yield pkg
                if (pkg / "node_modules").is_dir():
                    yield from packages(pkg / "node_modules")


def source_files(pkg: Path) -> list[Path]:
    found: list[Path] = []
    for path in sorted(pkg.rglob("*")):
        rel = path.relative_to(pkg).parts
        if "node_modules" in rel or not path.is_file() or not path.name.endswith(SOURCE_SUFFIXES):
            continue
        found.append(path)
    return found


def reduce_topmost(keys: set[str]) -> set[str]:
    return {
        k for k in keys if not any(".".join(k.split(".")[:i]) in keys for i in range(1, k.count(".") + 1))
    }


def lavamoat_globals(lavamoat: Path, files: list[Path], work: Path) -> dict[str, dict[str, str] | None]:
    driver = work / "driver.js"
    driver.write_text(_DRIVER)
    result: dict[str, dict[str, str] | None] = {}
    for i in range(0, len(files), 400):
        chunk = "\n".join(str(f) for f in files[i : i + 400])
        out = subprocess.run(
            ["node", "--stack-size=8000", str(driver), str(lavamoat)],
            input=chunk,
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        ).stdout
        result.update(json.loads(out))
    return result


def package_keys(per_file: list[dict[str, str]]) -> set[str]:
    """generatePolicy's merge: union, a deep write grants its top-level name, reduced to the topmost."""
    keys: set[str] = set()
    for found in per_file:
        for key, use in found.items():
            keys.add(key)
            if use == "write" and "." in key:
                keys.add(key.split(".", 1)[0])
    return reduce_topmost(keys)


def covered(key: str, ours: set[str]) -> bool:
    parts = key.split(".")
    return any(".".join(parts[:i]) in ours for i in range(1, len(parts) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", type=Path, help="a project with node_modules installed")
    parser.add_argument(
        "--lavamoat", type=Path, help="a node_modules holding lavamoat-tofu and lavamoat-core"
    )
    parser.add_argument("--misses", type=int, default=25, help="how many misses to print")
    args = parser.parse_args()
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("node and npm are needed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="airlock-recall-") as tmp:
        work = Path(tmp)
        project = args.project
        if project is None:
            project = work / "app"
            project.mkdir()
            (project / "package.json").write_text(
                '{"name": "recall-app", "version": "1.0.0", "private": true}'
            )
            npm = ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", *PACKAGES]
            subprocess.run(npm, cwd=project, check=True, timeout=1800)
        lavamoat = args.lavamoat
        if lavamoat is None:
            tool = work / "tool"
            tool.mkdir()
            npm = [
                "npm",
                "install",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                f"lavamoat@{LAVAMOAT_VERSION}",
            ]
            subprocess.run(npm, cwd=tool, check=True, timeout=1800)
            lavamoat = tool / "node_modules"
        pkgs = list(packages(project / "node_modules"))
        files = {pkg: source_files(pkg) for pkg in pkgs}
        theirs_by_file = lavamoat_globals(lavamoat, [f for fs in files.values() for f in fs], work)
        total = hit = exact = 0
        watched_total = dict.fromkeys(WATCHED, 0)
        watched_hit = dict.fromkeys(WATCHED, 0)
        unparsed = 0
        misses: list[tuple[str, str]] = []
        extras: list[tuple[str, str]] = []
        for pkg in pkgs:
            per_file = []
            for f in files[pkg]:
                found = theirs_by_file.get(str(f))
                if found is None:
                    unparsed += 1
                else:
                    per_file.append(found)
            theirs = package_keys(per_file)
            ours = set(analyze(read_directory(pkg)).capabilities.all_globals)
            name = str(pkg.relative_to(project / "node_modules"))
            extras.extend(
                (name, k) for k in sorted(ours) if not any(covered(k, {t}) or covered(t, {k}) for t in theirs)
            )
            for key in sorted(theirs):
                total += 1
                ok = covered(key, ours)
                hit += ok
                exact += key in ours
                root = key.split(".", 1)[0]
                if root in watched_total:
                    watched_total[root] += 1
                    watched_hit[root] += ok
                if not ok:
                    misses.append((name, key))
        print(
            f"packages {len(pkgs)}, files {sum(len(v) for v in files.values())} (LavaMoat failed to parse {unparsed})"
        )
        print(
            f"recall: {hit}/{total} (package, LavaMoat key) pairs covered = {100 * hit / max(total, 1):.2f} %"
        )
        print(
            f"  of which the same key: {exact} ({100 * exact / max(total, 1):.2f} %); the rest by a shorter one"
        )
        wt, wh = sum(watched_total.values()), sum(watched_hit.values())
        print(f"recall for {', '.join(WATCHED)}: {wh}/{wt} = {100 * wh / max(wt, 1):.2f} %")
        for root in WATCHED:
            print(f"  {root}: {watched_hit[root]}/{watched_total[root]}")
        for name, key in misses[: args.misses]:
            print(f"  miss: {name}: {key}")
        print(f"airlock keys with no LavaMoat key above or below them: {len(extras)}")
        for name, key in extras[: args.misses]:
            print(f"  extra: {name}: {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
