"""Analysis is a pure function of the bytes: the same package gives byte-identical output in another
process, under CPU load, and (the golden file) on any machine, until ANALYZER_REVISION says otherwise."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from airlock.analysis import ANALYZER_REVISION
from airlock.model import PackageAnalysis
from tests.analysis.determinism_items import analyse, canonical, digest, file_name, items

GOLDEN = Path(__file__).with_name("golden_analysis.json")
UPDATE_ENV = "UPDATE_GOLDEN"  # not AIRLOCK_*: conftest clears those
REGENERATE = (
    f"If the change is intended, bump ANALYZER_REVISION in src/airlock/analysis/__init__.py (stored results "
    f"keyed by the old revision would otherwise be served for the new analysis) and regenerate the golden "
    f"file: {UPDATE_ENV}=1 .venv/bin/python -m pytest tests/analysis/test_determinism.py"
)


@pytest.fixture(scope="module")
def analyses() -> dict[str, PackageAnalysis]:
    return {item.id: analyse(item) for item in items()}


def test_golden_analysis_output(analyses: dict[str, PackageAnalysis]) -> None:
    digests = {item_id: digest(analysis) for item_id, analysis in sorted(analyses.items())}
    if os.environ.get(UPDATE_ENV) == "1":
        GOLDEN.write_text(
            json.dumps({"analyzer_revision": ANALYZER_REVISION, "analyses": digests}, indent=1) + "\n"
        )
        pytest.skip(f"rewrote {GOLDEN.name} for analyzer revision {ANALYZER_REVISION}")
    golden = json.loads(GOLDEN.read_text())
    recorded = golden["analyses"]
    changed = sorted(k for k in digests.keys() | recorded.keys() if digests.get(k) != recorded.get(k))
    if golden["analyzer_revision"] != ANALYZER_REVISION:
        pytest.fail(
            f"{GOLDEN.name} records analyzer revision {golden['analyzer_revision']}, the analyzer is at "
            f"{ANALYZER_REVISION}: regenerate it ({UPDATE_ENV}=1 .venv/bin/python -m pytest "
            f"tests/analysis/test_determinism.py) and commit it with the bump"
        )
    assert not changed, (
        f"analysis output changed for the same bytes while ANALYZER_REVISION stayed {ANALYZER_REVISION}: "
        f"{changed[:10]}{' …' if len(changed) > 10 else ''}. {REGENERATE}"
    )


def test_generated_payload_is_seen_or_the_file_is_cut(analyses: dict[str, PackageAnalysis]) -> None:
    plain = analyses["generated/plain-2mb-payload"]
    assert "child_process.exec" in plain.capabilities.builtin
    assert plain.skipped == ()
    dense = analyses["generated/dense-cut-by-budget"]
    assert any("step budget" in s.reason for s in dense.skipped)
    assert "analysis-incomplete" in {f.rule for f in dense.findings}


def _spin(until: float) -> None:
    while time.monotonic() < until:
        pass


@contextmanager
def cpu_load(processes: int, *, seconds: float) -> Iterator[None]:
    """Busy processes competing for the CPU; each stops by itself after `seconds`, and all are terminated."""
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


def test_same_bytes_same_output_in_another_process_under_load(
    analyses: dict[str, PackageAnalysis], tmp_path: Path
) -> None:
    """The second analysis runs in a fresh interpreter with another hash seed (set iteration order, cold
    caches) while busy processes load every core: a time-based cut or order-dependent output shows here."""
    env = {**os.environ, "PYTHONHASHSEED": "2718"}
    root = Path(__file__).resolve().parents[2]
    with cpu_load(os.cpu_count() or 2, seconds=60):
        subprocess.run(
            [sys.executable, "-m", "tests.analysis.determinism_items", str(tmp_path)],
            cwd=root,
            env=env,
            check=True,
            timeout=120,
        )
    different = [
        item.id
        for item in items()
        if (tmp_path / file_name(item)).read_bytes() != canonical(analyses[item.id])
    ]
    assert different == []
