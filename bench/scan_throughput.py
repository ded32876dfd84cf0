"""Scan throughput, measured against raw tree-sitter parsing in the same run.

    python bench/scan_throughput.py bench/tarballs          # fill it first: bench/fetch_tarballs.py

Three measurements over the same tarballs, one process, so the ratios are meaningful on a noisy machine:
  (a) raw parse  — gunzip + untar (tarfile) + tree-sitter parse of every JS/TS file: the floor any
                   tree-sitter based scanner pays;
  (b) cold scan  — airlock's full analysis: safe tar reading + capability analysis + rules, per package;
  (c) warm scan  — the same scan again through the SQLite store: hash the tarball, look up
                   (integrity, analyzer version), decode the stored analysis.
Prints MB/s of JS/TS source, packages/s, and the ratios (b)/(a) and (c)/(b).

    python bench/scan_throughput.py bench/tarballs --against /path/to/old/src --rounds 5

compares this checkout's cold scan with another revision's (a `src/` directory, e.g. a git worktree of the
starting commit), in one run: the two are run alternately in fresh processes, each timing its own cold scan
in CPU seconds (less sensitive than wall time to other load on a shared machine), and the medians and their
ratio are printed.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from airlock.analysis import ANALYZER_VERSION, analyze
from airlock.analysis.js import dialect_for, parse
from airlock.contents import read_tarball
from airlock.integrity import sri_of
from airlock.store.sqlite import SQLiteStore


def load(directory: Path) -> list[tuple[str, bytes]]:
    tarballs = sorted(directory.glob("*.tgz"))
    if not tarballs:
        sys.exit(f"no *.tgz in {directory}: fill it with `python bench/fetch_tarballs.py {directory}`")
    return [(p.name, p.read_bytes()) for p in tarballs]


def raw_parse(tarballs: list[tuple[str, bytes]]) -> tuple[float, int, int]:
    """(seconds, JS/TS bytes, files) to unpack and tree-sitter-parse every code file."""
    source_bytes = files = 0
    started = time.perf_counter()
    for _, data in tarballs:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar:
                if not member.isfile():
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                content = handle.read()
                path = member.name.split("/", 1)[-1]
                dialect = dialect_for(path, content[:128])
                if dialect is None:
                    continue
                parse(content, dialect)
                source_bytes += len(content)
                files += 1
    return time.perf_counter() - started, source_bytes, files


def cold(tarballs: list[tuple[str, bytes]], store: SQLiteStore) -> float:
    started = time.perf_counter()
    for name, data in tarballs:
        analysis = analyze(read_tarball(data, subject=name))
        store.put(sri_of(data), analysis)
    return time.perf_counter() - started


def warm(tarballs: list[tuple[str, bytes]], store: SQLiteStore) -> float:
    started = time.perf_counter()
    for _, data in tarballs:
        if store.get(sri_of(data), ANALYZER_VERSION) is None:
            raise SystemExit("warm scan missed the store: the benchmark is broken")
    return time.perf_counter() - started


def cold_cpu(directory: Path) -> None:
    """One cold scan, in CPU seconds of this process (the unit `--against` compares)."""
    tarballs = load(directory)
    parse(b"0", dialect_for("x.js") or sys.exit("no grammar"))
    with tempfile.TemporaryDirectory() as tmp, SQLiteStore(Path(tmp) / "store.sqlite3") as store:
        gc.collect()
        started = time.process_time()
        for name, data in tarballs:
            store.put(sri_of(data), analyze(read_tarball(data, subject=name)))
        print(f"cold-cpu {time.process_time() - started:.3f}")


def against(directory: Path, other_src: Path, rounds: int) -> int:
    import os
    import subprocess

    def run(src: Path | None) -> float:
        env = dict(os.environ)
        if src is not None:
            env["PYTHONPATH"] = str(src)
        out = subprocess.run(
            [sys.executable, __file__, str(directory), "--cold-cpu"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        ).stdout
        return float(out.split()[-1])

    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        theirs.append(run(other_src))
        ours.append(run(None))
    mine, other = statistics.median(ours), statistics.median(theirs)
    print(f"cold scan CPU, {len(load(directory))} packages, medians of {rounds} alternating runs")
    print(f"  baseline {other_src}: {other:8.2f} s   (runs: {', '.join(f'{t:.2f}' for t in theirs)})")
    print(f"  this checkout:        {mine:8.2f} s   (runs: {', '.join(f'{t:.2f}' for t in ours)})")
    print(f"throughput relative to the baseline: {other / mine:.0%}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--rounds", type=int, default=3, help="repeat (a) and (b); the median is reported")
    parser.add_argument("--against", type=Path, help="another revision's src/ to compare the cold scan with")
    parser.add_argument("--cold-cpu", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_cpu:
        cold_cpu(args.directory)
        return 0
    if args.against is not None:
        return against(args.directory, args.against, args.rounds)
    tarballs = load(args.directory)
    parse(b"0", dialect_for("x.js") or sys.exit("no grammar"))  # load grammars before timing
    raw_times, cold_times = [], []
    source_bytes = files = 0
    with tempfile.TemporaryDirectory() as tmp:
        for round_no in range(args.rounds):
            gc.collect()
            seconds, source_bytes, files = raw_parse(tarballs)
            raw_times.append(seconds)
            gc.collect()
            with SQLiteStore(Path(tmp) / f"store-{round_no}.sqlite3") as store:
                cold_times.append(cold(tarballs, store))
        with SQLiteStore(Path(tmp) / "store-0.sqlite3") as store:
            warm_times = [warm(tarballs, store) for _ in range(args.rounds)]
    a, b, c = (statistics.median(t) for t in (raw_times, cold_times, warm_times))
    mb = source_bytes / 1e6
    n = len(tarballs)
    print(f"corpus: {n} packages, {files} JS/TS files, {mb:.1f} MB of source, analyzer {ANALYZER_VERSION}")
    print(f"(a) raw parse   {a:8.2f} s  {mb / a:8.2f} MB/s  {n / a:9.1f} packages/s")
    print(f"(b) cold scan   {b:8.2f} s  {mb / b:8.2f} MB/s  {n / b:9.1f} packages/s")
    print(f"(c) warm scan   {c:8.2f} s  {mb / c:8.2f} MB/s  {n / c:9.1f} packages/s")
    print(f"analysis throughput / raw parse throughput (b vs a): {a / b:.0%}   (target >= 60%)")
    print(f"warm speed-up over cold (c vs b): {b / c:.0f}x   (target >= 50x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
