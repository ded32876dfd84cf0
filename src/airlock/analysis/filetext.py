"""One file's bytes as the text-window rules read them: byte offsets for evidence, windows around an
offset, and evidence for a match found by offset (line and column computed from the bytes)."""

from __future__ import annotations

import re

from airlock.model import Evidence


class FileText:
    """One file's bytes with line starts computed on first use (evidence is line/column). `snippet_chars`
    caps the snippets of the evidence it makes (None: the whole match)."""

    def __init__(self, data: bytes, *, snippet_chars: int | None = None) -> None:
        self.data = data
        self._snippet_chars = snippet_chars
        self._starts: list[int] | None = None

    def offset(self, evidence: Evidence) -> int:
        if self._starts is None:
            self._starts = [0, *(m.end() for m in re.finditer(rb"\n", self.data))]
        line = min(max(evidence.line, 1), len(self._starts)) - 1
        return min(self._starts[line] + max((evidence.column or 1) - 1, 0), len(self.data))

    def around(self, at: int, before: int, after: int) -> bytes:
        return self.data[max(0, at - before) : at + after]

    def evidence(self, path: str, offset: int, snippet: bytes) -> Evidence:
        line = self.data.count(b"\n", 0, offset) + 1
        start = self.data.rfind(b"\n", 0, offset) + 1
        text = snippet.decode("utf-8", "replace").strip()
        return Evidence(path, line, offset - start + 1, text[: self._snippet_chars])


__all__ = ["FileText"]
