"""Opt-in check against the real registry (issue 14): `airlock ci` of a project using esbuild, sharp and
@swc/core ends with working packages whose install scripts ran in the sandbox, and a package that needs
the network at install time fails with a message naming `--allow-network`.

    python bench/real_ci.py                  # the registry from the environment's npm config
    python bench/real_ci.py --keep           # leave the temporary projects for inspection

Talks to the real registry (resolution with `npm install --package-lock-only --ignore-scripts`, then the
tarballs through airlock): never run it in tests. It runs no package code outside airlock's sandbox except
the final smoke script, which uses the three packages after they were installed (that is the point).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKING = {"esbuild": "^0.24.0", "sharp": "^0.33.5", "@swc/core": "^1.10.0"}
# electron's postinstall downloads its binary (from GitHub by default): the shape of a script that needs
# the network at install time.
NEEDS_NETWORK = {"electron": "^33.0.0"}
SMOKE = """
const esbuild = require('esbuild');
const out = esbuild.transformSync('let x: number = 1', { loader: 'ts' }).code.trim();
if (out !== 'let x = 1;') throw new Error('esbuild: ' + out);
const swc = require('@swc/core');
const options = { jsc: { parser: { syntax: 'typescript' }, target: 'es2020' } };
const js = swc.transformSync('const f = (a: number) => a', options).code;
if (!js.includes('const f')) throw new Error('swc: ' + js);
const sharp = require('sharp');
sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } }).png().toBuffer().then((png) => {
  if (png.subarray(1, 4).toString() !== 'PNG') throw new Error('sharp: not a PNG');
  console.log(`esbuild ${esbuild.version}, @swc/core ${swc.version}, sharp ${sharp.versions.sharp}: all three work`);
});
"""


def _run(argv: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    print(f"$ {' '.join(argv)}  -> exit {done.returncode} in {time.monotonic() - started:.1f} s", flush=True)
    return done


def _project(root: Path, dependencies: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    manifest = {"name": root.name, "version": "1.0.0", "private": True, "dependencies": dependencies}
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    resolved = _run(
        ["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], root
    )
    if resolved.returncode != 0:
        sys.exit(f"npm could not resolve {dependencies}:\n{resolved.stderr}")
    lock = json.loads((root / "package-lock.json").read_text())
    allowed = {}
    for path, entry in lock["packages"].items():
        name = path.rsplit("node_modules/", 1)[-1]
        if path and entry.get("hasInstallScript") and name in dependencies:
            allowed[f"{name}#{entry['version']}"] = True
    manifest["lavamoat"] = {"allowScripts": allowed}
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"allowScripts: {sorted(allowed)}")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--airlock", default=str(Path(sys.executable).with_name("airlock")))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="airlock-real-ci-"))
    failures = 0
    try:
        working = _project(work / "working", WORKING)
        ci = _run([args.airlock, "ci", "-v"], working)
        print(ci.stdout[-6000:], ci.stderr[-6000:], sep="\n")
        if ci.returncode != 0:
            failures += 1
            print("FAIL: airlock ci of esbuild + sharp + @swc/core did not succeed")
        else:
            (working / "smoke.js").write_text(SMOKE)
            smoke = _run(["node", "smoke.js"], working, timeout=120)
            print(smoke.stdout, smoke.stderr)
            if smoke.returncode != 0:
                failures += 1
                print("FAIL: the installed packages do not work")
        network = _project(work / "network", NEEDS_NETWORK)
        ci = _run([args.airlock, "ci"], network)
        print(ci.stdout[-4000:], ci.stderr[-4000:], sep="\n")
        if ci.returncode == 0 or "--allow-network" not in ci.stdout + ci.stderr:
            failures += 1
            print("FAIL: electron's install-time download did not fail naming --allow-network")
        elif (network / "node_modules").exists():
            failures += 1
            print("FAIL: a failed airlock ci left a node_modules behind")
        else:
            print("ok: electron's postinstall failed in the sandbox and the message names --allow-network")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("PASS" if not failures else f"{failures} FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
