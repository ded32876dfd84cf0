"""Refresh src/airlock/data/popular.tsv (name<TAB>downloads_a_month, most downloaded first).

    python scripts/refresh_popular.py --from ../shared/data/npm-popular.tsv
    python scripts/refresh_popular.py --downloads-api https://api.npmjs.org   # re-count the current names

The registry mirror reachable from CI serves no download counts, so the default source is a snapshot file;
with --downloads-api the monthly counts of the names already listed are re-fetched (bulk endpoint, 128
unscoped names per request; scoped names one by one) and the list re-sorted.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import httpx

from airlock.files import write_atomic

TARGET = Path(__file__).resolve().parent.parent / "src" / "airlock" / "data" / "popular.tsv"


def read_tsv(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows, None)
        return {row[0]: int(row[1]) for row in rows if len(row) >= 2 and row[1].isdigit()}


def recount(names: list[str], api: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    unscoped = [n for n in names if not n.startswith("@")]
    with httpx.Client(base_url=api, timeout=30.0) as client:
        for i in range(0, len(unscoped), 128):
            batch = unscoped[i : i + 128]
            response = client.get("/downloads/point/last-month/" + ",".join(batch))
            response.raise_for_status()
            for name, entry in response.json().items():
                if entry:
                    counts[name] = int(entry["downloads"])
        for name in (n for n in names if n.startswith("@")):
            response = client.get(f"/downloads/point/last-month/{name}")
            if response.status_code == 200:
                counts[name] = int(response.json()["downloads"])
    return counts


def write_popular(counts: dict[str, int]) -> None:
    lines = ["name\tdownloads_a_month\n"]
    lines += [f"{name}\t{downloads}\n" for name, downloads in sorted(counts.items(), key=lambda kv: -kv[1])]
    write_atomic(TARGET, "".join(lines).encode())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from", dest="source", type=Path, help="a name<TAB>downloads TSV snapshot")
    source.add_argument("--downloads-api", help="base URL of npm's downloads API")
    args = parser.parse_args()
    if args.source:
        counts = read_tsv(args.source)
    else:
        try:
            counts = recount(list(read_tsv(TARGET)), args.downloads_api)
        except httpx.HTTPError as exc:
            print(f"error: downloads API unreachable: {exc}", file=sys.stderr)
            return 3
    if len(counts) < 1000:
        print(f"error: only {len(counts)} names; refusing to shrink the list", file=sys.stderr)
        return 2
    write_popular(counts)
    print(f"wrote {len(counts)} names to {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
