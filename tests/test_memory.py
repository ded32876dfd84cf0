"""The glibc settings are applied once and never break a run where they cannot be applied."""

from __future__ import annotations

import sys

import pytest

from airlock import memory


def test_limit_heap_growth_is_idempotent() -> None:
    first = memory.limit_heap_growth()
    assert memory.limit_heap_growth() is first


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_applies_on_linux_glibc() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert memory.limit_heap_growth()


def test_release_free_memory_never_fails() -> None:
    memory.release_free_memory()
