"""The uncompressed tar stream, produced on demand: plain bytes, or gzip inflated in bounded steps.

Streaming keeps memory bounded: gzip is inflated with `zlib.decompressobj` in steps of at most `OUT_STEP`
output bytes fed `_IN_STEP` input bytes at a time, and the parser pulls from that stream, so memory is the
files kept plus one step -- never the whole uncompressed tar -- and a bomb is caught by its running
compression ratio before anything near the caps is allocated.
"""

from __future__ import annotations

import io
import zlib

from airlock.tarball.issues import CapError, IssueKind, MalformedError
from airlock.tarball.limits import TarLimits

__all__ = ["GZIP_MAGIC", "OUT_STEP", "GzipSource", "PlainSource", "Source"]

_IN_STEP = 64 * 1024
OUT_STEP = 256 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class Source:
    """The uncompressed tar stream, produced on demand. `offset` counts bytes handed to the parser."""

    def __init__(self, limits: TarLimits) -> None:
        self.limits = limits
        self.offset = 0
        self._chunk = memoryview(b"")
        self._pos = 0

    def _next_chunk(self) -> memoryview | None:
        raise NotImplementedError

    def _reserve(self, n: int) -> None:
        cap = self.limits.max_total_bytes
        if self.offset + n > cap:
            raise CapError(IssueKind.TOO_LARGE, f"the archive unpacks to more than {cap:,} bytes")

    def _take(self, need: int) -> memoryview | None:
        """Up to `need` bytes of the current chunk (a view), or None at the end of the stream."""
        while self._pos >= len(self._chunk):
            chunk = self._next_chunk()
            if chunk is None:
                return None
            self._chunk, self._pos = chunk, 0
        view = self._chunk[self._pos : self._pos + need]
        self._pos += len(view)
        self.offset += len(view)
        return view

    def read(self, n: int) -> bytes:
        """`n` bytes, or fewer only where the stream ends."""
        self._reserve(n)
        parts: list[memoryview] = []
        need = n
        while need:
            view = self._take(need)
            if view is None:
                break
            parts.append(view)
            need -= len(view)
        return parts[0].tobytes() if len(parts) == 1 else b"".join(parts)

    def copy(self, n: int, sink: io.BytesIO | None) -> int:
        """Move `n` bytes into `sink` (or drop them); returns how many there were."""
        self._reserve(n)
        need = n
        while need:
            view = self._take(need)
            if view is None:
                break
            if sink is not None:
                sink.write(view)
            need -= len(view)
        return n - need

    def drain(self) -> None:
        """After the tar's end marker: check the rest of the container is well-formed (npm inflates it)."""


class PlainSource(Source):
    def __init__(self, data: bytes, limits: TarLimits) -> None:
        super().__init__(limits)
        self._data: memoryview | None = memoryview(data)

    def _next_chunk(self) -> memoryview | None:
        data, self._data = self._data, None
        return data


class GzipSource(Source):
    """Inflates gzip (possibly several concatenated members, like Node's zlib) in bounded steps."""

    def __init__(self, data: bytes, limits: TarLimits) -> None:
        super().__init__(limits)
        self._data = memoryview(data)
        self._fed = 0  # compressed bytes handed to zlib (some may sit in unconsumed_tail/unused_data)
        self._produced = 0
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._done = False

    def _next_chunk(self) -> memoryview | None:
        while not self._done:
            inflater = self._inflater
            if inflater.eof:
                self._next_member()
                continue
            if inflater.unconsumed_tail:
                data: bytes | memoryview = inflater.unconsumed_tail
            else:
                data = self._data[self._fed : self._fed + _IN_STEP]
                self._fed += len(data)
            try:
                out = inflater.decompress(data, OUT_STEP)
            except zlib.error as error:
                raise MalformedError(f"corrupt gzip stream ({error})") from None
            if out:
                self._produced += len(out)
                self._check_ratio()
                return memoryview(out)
            if not data and not inflater.eof:
                raise MalformedError("truncated gzip stream")
        return None

    def _next_member(self) -> None:
        # Node's zlib keeps inflating while bytes remain after a member and the next one is not 0x00
        # (zero padding is ignored); anything else must be another gzip member, or npm fails.
        self._fed -= len(self._inflater.unused_data)
        rest = self._data[self._fed : self._fed + 2]
        if not rest or rest[0] == 0:
            self._done = True
        elif rest.tobytes() == GZIP_MAGIC:
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            raise MalformedError(f"trailing garbage after the gzip stream at byte {self._fed}")

    def _check_ratio(self) -> None:
        limits = self.limits
        if self._produced <= limits.bomb_floor_bytes:
            return
        consumed = self._fed - len(self._inflater.unconsumed_tail) - len(self._inflater.unused_data)
        ratio = self._produced / max(consumed, 1)
        if ratio > limits.max_ratio:
            raise CapError(
                IssueKind.COMPRESSION_BOMB,
                f"the archive inflates {ratio:,.0f}:1 ({consumed:,} compressed bytes gave "
                f"{self._produced:,}), beyond the {limits.max_ratio:g}:1 any real package reaches",
            )

    def drain(self) -> None:
        while self._next_chunk() is not None:
            if self._produced > self.limits.max_total_bytes:
                cap = self.limits.max_total_bytes
                raise CapError(IssueKind.TOO_LARGE, f"the archive unpacks to more than {cap:,} bytes")
