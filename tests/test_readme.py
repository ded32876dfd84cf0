"""The README names only repository paths that exist, and no schema outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
README = (REPOSITORY / "README.md").read_text(encoding="utf-8")
# The README's layout section names modules relative to the package (`pipeline/acquire.py`) or to
# `analysis/` (`rules/registry.py`); everything else is relative to the repository root.
BASES = (REPOSITORY, REPOSITORY / "src" / "airlock", REPOSITORY / "src" / "airlock" / "analysis")
# Made at run time, not committed: the venv (`make setup`) and where bench/fetch_tarballs.py writes.
GENERATED = (".venv/", "bench/tarballs")
TOP_LEVEL = ("bench/", "scripts/", "docs/", "tests/", "src/", ".ci/")
_PATH = re.compile(r"^\.?[A-Za-z_][\w.\-]*(/[\w.\-]+)*/?$")


def _named_paths() -> list[str]:
    spans = re.findall(r"`([^`\n]+)`", README)
    blocks = re.findall(r"```[a-z]*\n(.*?)```", README, flags=re.DOTALL)
    # In code blocks only arguments under the repository's top-level folders are paths (not `cold/warm`).
    words = [w for block in blocks for w in block.split() if w.startswith(TOP_LEVEL)]
    named = [span.split()[0] for span in spans] + words
    return sorted(
        {p for p in named if "/" in p and _PATH.match(p) and not p.startswith(GENERATED) and "@" not in p}
    )


def test_every_repository_path_the_readme_names_exists() -> None:
    named = _named_paths()
    assert "docs/rules.md" in named and "bench/real-trees/" in named  # the scan sees what it should
    missing = [p for p in named if not any((base / p).exists() for base in BASES)]
    assert not missing, f"README names paths that are not in the repository: {missing}"


def test_the_readme_points_at_the_schema_inside_the_repository() -> None:
    assert "../shared" not in README
    assert "docs/schema/report-v1.schema.json" in _named_paths()
