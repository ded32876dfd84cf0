"""`os` / `cpu` / `libc` read from lockfiles the real tools wrote for `esbuild@0.20.2` and `rollup@4.40.0`
(fixtures/README.md): the same lists in npm's notation whatever the format writes."""

from __future__ import annotations

import pytest

from airlock.tree import DependencyTree, read_lockfile
from airlock.tree.constraints import PlatformConstraints, constraints_of, constraints_of_conditions
from tests.tree.conftest import fixture_input

PLATFORM_FIXTURES = ["platform-npm", "platform-pnpm", "platform-yarn-berry"]

# label → (os, cpu, libc, optional)
EXPECTED = {
    "esbuild@0.20.2": ((), (), (), False),
    "@esbuild/linux-x64@0.20.2": (("linux",), ("x64",), (), True),
    "@esbuild/darwin-arm64@0.20.2": (("darwin",), ("arm64",), (), True),
    "@esbuild/win32-x64@0.20.2": (("win32",), ("x64",), (), True),
    "rollup@4.40.0": ((), (), (), False),
    "@types/estree@1.0.7": ((), (), (), False),
    "@rollup/rollup-linux-x64-gnu@4.40.0": (("linux",), ("x64",), ("glibc",), True),
    "@rollup/rollup-linux-x64-musl@4.40.0": (("linux",), ("x64",), ("musl",), True),
    "@rollup/rollup-darwin-arm64@4.40.0": (("darwin",), ("arm64",), (), True),
}


def _by_label(
    tree: DependencyTree,
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]]:
    return {
        p.label: (p.os, p.cpu, p.libc, p.optional) for p in tree.packages.values() if p.version != "1.0.0"
    }


@pytest.mark.parametrize("fixture", PLATFORM_FIXTURES)
def test_each_format_reads_the_platform_constraints(fixture: str) -> None:
    tree = read_lockfile(fixture_input(fixture))
    assert _by_label(tree) == EXPECTED


@pytest.mark.parametrize("fixture", PLATFORM_FIXTURES)
def test_platform_binaries_hang_off_optional_edges(fixture: str) -> None:
    tree = read_lockfile(fixture_input(fixture))
    (esbuild,) = (p for p in tree.packages.values() if p.name == "esbuild")
    kinds = {tree.packages[e.target].name: e.kind.value for e in esbuild.dependencies}
    assert kinds == {
        "@esbuild/linux-x64": "optional",
        "@esbuild/darwin-arm64": "optional",
        "@esbuild/win32-x64": "optional",
    }


def test_npm_accepts_a_single_string_as_npm_does() -> None:
    assert constraints_of({"os": "darwin", "cpu": ["!ia32", "!arm"]}) == PlatformConstraints(
        ("darwin",), ("!ia32", "!arm"), ()
    )
    assert constraints_of({"os": 3, "cpu": None}) == PlatformConstraints()


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ("os=darwin & cpu=arm64", PlatformConstraints(("darwin",), ("arm64",), ())),
        ("os=linux & cpu=x64 & libc=musl", PlatformConstraints(("linux",), ("x64",), ("musl",))),
        # yarn joins a field's values with `|` and writes a negation as `!os=…`
        ("os=darwin | os=linux & cpu=x64", PlatformConstraints(("darwin", "linux"), ("x64",), ())),
        ("!os=win32", PlatformConstraints(("!win32",), (), ())),
        # a shape airlock cannot read constrains nothing, so the package is checked, never skipped
        ("os=darwin & engine=node", PlatformConstraints()),
        (None, PlatformConstraints()),
    ],
)
def test_yarn_berry_conditions(conditions: str | None, expected: PlatformConstraints) -> None:
    assert constraints_of_conditions(conditions) == expected
