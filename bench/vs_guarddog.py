"""airlock against GuardDog on the same real tarballs, measured in one run (opt-in: needs the network).

    python bench/vs_guarddog.py                      # 40 packages, a throwaway venv for GuardDog
    python bench/vs_guarddog.py --guarddog-venv /tmp/gd   # keep (or reuse) GuardDog's venv

1. Creates a virtual environment and pip-installs GuardDog into it (never into airlock's environment).
2. Fetches the latest tarball of the N most-downloaded npm packages (src/airlock/data/popular.tsv)
   through airlock's verified registry client into a temporary cache, and extracts each one the way
   GuardDog's own remote scan does: into a directory of its own, which then holds `package/`.
3. (a) GuardDog: `guarddog npm scan <that directory>` per package, one after the other, in its kernel
   sandbox when the machine has one. A local directory gets GuardDog's source-code rules (YARA and
   whatever else its version runs); nothing is downloaded: its popular-package lists are served from a
   fresh temporary copy of the ones it ships, and every proxy variable points at a closed loopback port.
   Each package has a timeout; a package that reaches it counts with the timeout as its time, so the
   ratio is then a lower bound, and the output says how many.
   (b) airlock: a cold `airlock scan` of the same tarballs as local .tgz targets: fresh cache and store
   directories, `--no-store`, `--jobs` = every core; the median of --repeat runs.
Prints packages/s and MB/s for both and the ratio GuardDog time / airlock time (the issue's target: 20x),
once as measured and once without either tool's fixed start-up cost (GuardDog on an empty directory,
airlock on a one-file package).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from airlock.data import popular_names
from airlock.errors import AirlockError
from airlock.registry.cache import Cache
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import load_npm_config
from airlock.targets import RegistryTarget

TARGET_RATIO = 20.0
CLOSED_PORT = "http://127.0.0.1:9"  # the discard port: nothing listens, a request fails at once


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str
    tarball: Path
    extracted: Path
    """The directory GuardDog scans: it holds the archive's `package/`."""


@dataclass(frozen=True, slots=True)
class Timed:
    seconds: float
    status: str
    """ok, timeout or error: <exit code>."""
    issues: int | None


def install_guarddog(directory: Path, spec: str) -> Path:
    guarddog = directory / "bin" / "guarddog"
    if guarddog.is_file():
        print(f"GuardDog: reusing {directory}", file=sys.stderr)
        return guarddog
    print(f"GuardDog: creating a venv in {directory} and installing {spec} …", file=sys.stderr)
    venv.create(directory, with_pip=True)
    subprocess.run(
        [str(directory / "bin" / "python"), "-m", "pip", "install", "--quiet", spec],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return guarddog


def guarddog_version(python: Path) -> str:
    probe = "import importlib.metadata as m; print(m.version('guarddog'))"
    return subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()


def sandbox_available(python: Path, env: dict[str, str]) -> bool:
    probe = "from guarddog.sandbox import is_available; print(is_available())"
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, env=env, check=False)
    return result.stdout.strip() == "True"


def offline_top_packages(python: Path, directory: Path) -> None:
    """Copies of the popular-package lists GuardDog ships, stamped fresh, so it does not refresh them."""
    locate = "import os, guarddog.analyzer.metadata as m; print(os.path.join(os.path.dirname(m.__file__), 'resources'))"
    shipped = Path(
        subprocess.run([str(python), "-c", locate], capture_output=True, text=True, check=True).stdout.strip()
    )
    directory.mkdir(parents=True, exist_ok=True)
    now = int(time.time())
    for source in shipped.iterdir():
        data = source.read_bytes()
        if source.suffix == ".json":
            doc = json.loads(data)
            packages = doc.get("packages") if isinstance(doc, dict) else doc
            data = json.dumps({"downloaded_timestamp": now, "packages": packages}).encode()
        (directory / source.name).write_bytes(data)


def fetch(names: list[str], work: Path) -> list[Package]:
    config = load_npm_config(Path.cwd(), env=os.environ, home=Path.home())
    tarballs, extracted = work / "tarballs", work / "extracted"
    tarballs.mkdir()
    extracted.mkdir()
    with RegistryClient(config, Cache(work / "fetch-cache")) as client:

        def one(name: str) -> Package | str:
            try:
                manifest = client.resolve(RegistryTarget(name, name, ""))
                stem = f"{name.replace('/', '__')}-{manifest.version}"
                tgz = tarballs / f"{stem}.tgz"
                tgz.write_bytes(client.fetch_tarball(manifest))  # integrity verified by the client
            except AirlockError as error:
                return f"{name}: {error.message}"
            into = extracted / stem
            into.mkdir()
            with tarfile.open(tgz) as archive:
                archive.extractall(into, filter="data")  # the stdlib's safe filter: no links out, no devices
            return Package(name, manifest.version, tgz, into)

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(one, names))
    for failure in (r for r in results if isinstance(r, str)):
        print(f"fetch failed, left out of both measurements: {failure}", file=sys.stderr)
    return [r for r in results if isinstance(r, Package)]


def run_guarddog(guarddog: Path, target: Path, sandbox: bool, env: dict[str, str], timeout: float) -> Timed:
    command = [str(guarddog), "npm", "scan", str(target), "--output-format", "json"]
    command.append("--sandbox" if sandbox else "--no-sandbox")
    started = time.perf_counter()
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Timed(timeout, "timeout", None)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or [""])[-1]
        return Timed(elapsed, f"error {result.returncode}: {tail[:120]}", None)
    try:
        issues = json.loads(result.stdout).get("issues")
    except (json.JSONDecodeError, AttributeError):
        return Timed(elapsed, "error: output is not JSON", None)
    return Timed(elapsed, "ok", issues if isinstance(issues, int) else None)


def run_airlock(tarballs: list[Path], work: Path, jobs: int, run: str) -> float:
    airlock = Path(sys.executable).with_name("airlock")
    state = work / f"airlock-{run}"
    state.mkdir()
    env = {
        **os.environ,
        "AIRLOCK_STORE": str(state / "store.sqlite3"),
        "AIRLOCK_CACHE_DIR": str(state / "cache"),
        "XDG_CACHE_HOME": str(state / "xdg"),
    }
    report = state / "report.json"
    command = [str(airlock), "scan", *(str(p) for p in tarballs)]
    command += ["--no-store", "--jobs", str(jobs), "--format", "json", "--output", str(report)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):  # 1: something got a blocking verdict, still a full scan
        sys.exit(f"airlock scan failed (exit {result.returncode}):\n{result.stderr}")
    scanned = len(json.loads(report.read_text())["packages"])
    if scanned != len(tarballs):
        sys.exit(f"airlock reported {scanned} packages for {len(tarballs)} targets")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--top", type=int, default=40, help="how many popular packages (default 40)")
    parser.add_argument("--timeout", type=float, default=300.0, help="GuardDog seconds per package")
    parser.add_argument("--repeat", type=int, default=3, help="airlock runs; the median counts")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="airlock processes")
    parser.add_argument("--guarddog", default="guarddog", help="pip requirement to install")
    parser.add_argument("--guarddog-venv", type=Path, help="keep GuardDog's venv here (reused if present)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="airlock-vs-guarddog-") as scratch:
        work = Path(scratch)
        gd_venv = args.guarddog_venv or work / "guarddog-venv"
        guarddog = install_guarddog(gd_venv, args.guarddog)
        python = gd_venv / "bin" / "python"
        offline_top_packages(python, work / "guarddog-top-packages")
        gd_env = {
            **os.environ,
            "GUARDDOG_TOP_PACKAGES_CACHE_LOCATION": str(work / "guarddog-top-packages"),
            "SEMGREP_SEND_METRICS": "off",
            "TMPDIR": str(work / "guarddog-tmp"),
        }
        for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            gd_env[proxy] = CLOSED_PORT
        gd_env.pop("NO_PROXY", None)
        gd_env.pop("no_proxy", None)
        (work / "guarddog-tmp").mkdir()
        sandbox = sandbox_available(python, gd_env)

        packages = fetch(popular_names()[: args.top], work)
        if not packages:
            sys.exit("no tarball could be fetched")
        size = sum(p.tarball.stat().st_size for p in packages)
        unpacked = sum(f.stat().st_size for p in packages for f in p.extracted.rglob("*") if f.is_file())
        print(
            f"{len(packages)} packages, {size / 1e6:.1f} MB of tarballs, {unpacked / 1e6:.1f} MB unpacked; "
            f"GuardDog {guarddog_version(python)} ({'sandboxed' if sandbox else 'no kernel sandbox here'}); "
            f"{os.cpu_count()} cores"
        )

        empty = work / "empty"
        (empty / "package").mkdir(parents=True)
        startup = statistics.median(
            run_guarddog(guarddog, empty, sandbox, gd_env, args.timeout).seconds for _ in range(3)
        )
        guarddog_runs: list[tuple[Package, Timed]] = []
        for package in packages:
            timed = run_guarddog(guarddog, package.extracted, sandbox, gd_env, args.timeout)
            guarddog_runs.append((package, timed))
            print(
                f"  guarddog {package.name}@{package.version}: {timed.seconds:7.2f} s  {timed.status}"
                + (f", {timed.issues} issues" if timed.issues is not None else ""),
                file=sys.stderr,
            )
        tarballs = [p.tarball for p in packages]
        airlock_runs = [run_airlock(tarballs, work, args.jobs, str(run)) for run in range(args.repeat)]
        tiny = work / "tiny.tgz"
        with tarfile.open(tiny, "w:gz") as archive:
            manifest = json.dumps({"name": "tiny", "version": "1.0.0"}).encode()
            member = tarfile.TarInfo("package/package.json")
            member.size = len(manifest)
            archive.addfile(member, io.BytesIO(manifest))
        airlock_startup = statistics.median(
            run_airlock([tiny], work, args.jobs, f"tiny-{run}") for run in range(3)
        )

    gd_total = sum(t.seconds for _, t in guarddog_runs)
    timeouts = [p.name for p, t in guarddog_runs if t.status == "timeout"]
    errors = [f"{p.name} ({t.status})" for p, t in guarddog_runs if t.status not in ("ok", "timeout")]
    gd_work = sum(max(t.seconds - startup, 0.0) for _, t in guarddog_runs)
    airlock = statistics.median(airlock_runs)
    count = len(packages)
    print(
        f"GuardDog  (sequential, one CLI call a package): {gd_total:8.2f} s  "
        f"{count / gd_total:7.2f} pkg/s  {size / 1e6 / gd_total:6.2f} MB/s (tarball bytes)"
    )
    print(
        f"          fixed start-up a call (empty dir): {startup:.2f} s; without it {gd_work:.2f} s; "
        f"median a package {statistics.median(t.seconds for _, t in guarddog_runs):.2f} s"
    )
    print(f"          timeouts ({args.timeout:.0f} s, counted at the timeout): {len(timeouts)} {timeouts}")
    print(f"          errors: {len(errors)} {errors}")
    print(
        f"airlock   (one cold scan, --no-store, --jobs {args.jobs}): {airlock:8.2f} s  "
        f"{count / airlock:7.2f} pkg/s  {size / 1e6 / airlock:6.2f} MB/s  "
        f"(runs: {', '.join(f'{s:.2f}' for s in airlock_runs)})"
    )
    airlock_work = max(airlock - airlock_startup, 1e-3)
    print(
        f"          fixed start-up (one empty package): {airlock_startup:.2f} s; without it {airlock_work:.2f} s"
    )
    ratio, work_ratio = gd_total / airlock, gd_work / airlock_work
    bound = " (lower bound: timeouts)" if timeouts else ""
    print(
        f"ratio GuardDog/airlock: {ratio:.1f}x as measured{bound}; {work_ratio:.1f}x without either "
        f"tool's start-up; target >= {TARGET_RATIO:.0f}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
