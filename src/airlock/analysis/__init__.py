"""Package analysis: a pure function of the package's bytes and the analyzer version.

`analyze(contents)` takes what the tarball reader produced and returns a `PackageAnalysis`: capabilities
with evidence, findings, install scripts and what could not be analysed. No I/O, no global state, picklable
in and out — it runs the same in the CLI's process pool, a registry proxy or a Dask worker.

The analyzer itself lives in `airlock.analysis.analyzer` and is imported on first use of one of its names:
importing any part of this package (the rule declarations a report or a verdict needs, say) would otherwise
load the parsers, which a run whose results all come from the analysis store never uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from airlock.revision import ANALYZER_REVISION, ANALYZER_VERSION

if TYPE_CHECKING:
    from airlock.analysis.analyzer import (
        Budget,
        FileCapabilities,
        Manifest,
        analyze,
        analyze_traced,
        merge_capabilities,
    )


def __getattr__(name: str) -> object:
    if name in _ANALYZER_NAMES:
        return getattr(import_module("airlock.analysis.analyzer"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ANALYZER_REVISION",
    "ANALYZER_VERSION",
    "Budget",
    "FileCapabilities",
    "Manifest",
    "analyze",
    "analyze_traced",
    "merge_capabilities",
]
_ANALYZER_NAMES = frozenset(__all__) - {"ANALYZER_REVISION", "ANALYZER_VERSION"}
"""Loaded from `analyzer` on first use: importing the package costs no tree-sitter."""
