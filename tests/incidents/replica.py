"""The replica shape and the helpers replicas are built with (shared by `corpus` and `replicas/*`)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Replica:
    id: str
    files: dict[str, str | bytes]
    verdict: str
    rules: frozenset[str]
    manifest: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    note: str = ""


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def hexed(text: str) -> str:
    return text.encode().hex()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ" + b"\x00" * 58 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def nested_eval(code: str, layers: int) -> str:
    """`code` inside `layers` evals of string literals: eval("eval(\"…\")")."""
    for _ in range(layers):
        code = f"eval({json.dumps(code)});"
    return code
