"""Data shipped with airlock: the popular-package list and the report schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def popular_downloads() -> dict[str, int]:
    """Most-downloaded npm names → monthly downloads (refresh with scripts/refresh_popular.py)."""
    text = resources.files(__package__).joinpath("popular.tsv").read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines()[1:]:
        name, _, downloads = line.partition("\t")
        if name and downloads.strip().isdigit():
            out[name] = int(downloads)
    return out


def popular_names() -> list[str]:
    """Names by downloads, most first."""
    downloads = popular_downloads()
    return sorted(downloads, key=lambda n: -downloads[n])


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report contract (schema_version 1)."""
    loaded: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("report-v1.schema.json").read_text(encoding="utf-8")
    )
    return loaded
