"""Build npm-shaped tarballs in memory from source text (tests never commit binary archives)."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Mapping
from typing import Any

FileContent = str | bytes


def build_tarball(
    files: Mapping[str, FileContent],
    *,
    prefix: str = "package/",
    mtime: int = 499162500,
) -> bytes:
    """A gzipped tar with each file under `prefix`, as `npm pack` lays it out."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(prefix + path)
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o755 if path.startswith("bin/") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def package_json(name: str, version: str, **fields: Any) -> str:
    return json.dumps({"name": name, "version": version, **fields}, indent=2)


def build_package(
    name: str,
    version: str,
    files: Mapping[str, FileContent] | None = None,
    **manifest: Any,
) -> bytes:
    """A tarball with a package.json for `name@version` plus `files`."""
    contents: dict[str, FileContent] = {"package.json": package_json(name, version, **manifest)}
    contents.update(files or {})
    return build_tarball(contents)
