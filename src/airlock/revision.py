"""The analyzer revision: part of the store key and of every report. Kept apart from the analysis package
so `airlock --version` and the store need not import the parsers to know it."""

from __future__ import annotations

from airlock import __version__

# Bump whenever analysis results for the same bytes could change (tests/analysis/test_golden.py fails when
# they change without a bump).
ANALYZER_REVISION = 18
ANALYZER_VERSION = f"{__version__}+a{ANALYZER_REVISION}"
