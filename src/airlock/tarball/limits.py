"""Resource caps for reading one package, and which files are kept only in part.

Caps were set against real packages (`npm pack`, measured 2026-11): the most members seen was 89,814
(material-design-icons 3.0.1; @mui/icons-material 9.5.0 has 43,010); the largest unpacked size 486 MB
(@iconify/json 2.2.535; next 16.4.6: 199 MB); the largest single file 107 MB (@oven/bun-linux-x64 1.4.5;
@next/swc-linux-x64-gnu: 101 MB); the highest running compression ratio past 16 MiB was 29.6
(@mui/icons-material; typescript 5.5, lodash 7.3, date-fns 9.4). Defaults leave at least 2x headroom on
each (5x on the ratio), and a zero-filled gzip bomb (ratio ~1000) is stopped within its first 16 MiB.
Reading the largest of those takes 1-2 s (material-design-icons, @iconify/json) and memory close to the
bytes kept.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "PREFIX_ONLY_SUFFIXES", "TarLimits"]


@dataclass(frozen=True, slots=True)
class TarLimits:
    """Resource caps for reading one package. Exceeding one is a finding, never a crash."""

    max_members: int = 200_000
    """Entries (files, directories, links...) read before giving up; real packages reach ~90,000."""
    max_total_bytes: int = 2**30
    """Uncompressed tar bytes (or, for a directory, file bytes) read before giving up."""
    max_member_bytes: int = 256 * 2**20
    """Largest single file kept; larger ones are reported and skipped."""
    max_ratio: float = 150.0
    """Uncompressed/compressed ratio beyond which the archive is a bomb; checked past `bomb_floor_bytes`."""
    bomb_floor_bytes: int = 16 * 2**20
    prefix_only_bytes: int = 64 * 1024
    """Files analysis never parses (PREFIX_ONLY_SUFFIXES: binaries, media, archives, source maps) keep only
    this many leading bytes, enough for the executable-format check: platform binaries of 100+ MB
    (@next/swc-*) and next's 60 MB of source maps would otherwise sit in memory whole. `PackageFile.size`
    keeps the real size."""


DEFAULT_LIMITS = TarLimits()
PREFIX_ONLY_SUFFIXES = (
    ".node", ".wasm", ".so", ".dylib", ".dll", ".exe", ".a", ".lib", ".jar",
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".bmp", ".avif",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".mp3", ".mp4", ".webm", ".ogg", ".wav", ".pdf",
    ".zip", ".gz", ".tgz", ".br", ".xz", ".7z",
    ".map",
)  # fmt: skip
