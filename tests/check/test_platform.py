"""Only what npm would install on the checked platform is fetched and analysed; the rest is listed, never
passed off as checked. npm's rules: a package is skipped only when it is optional and its os/cpu/libc
exclude the platform; what only it pulls in goes with it; a required foreign package is still checked."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airlock.check.document import header
from airlock.check.platform import (
    Platform,
    current_platform,
    foreign,
    project_platforms,
    select_for_platform,
    skips_dependencies_of_skipped,
)
from airlock.check.run import CheckOptions, CheckOutcome, check_tree
from airlock.errors import BadInputError
from airlock.pipeline import Pipeline, PipelineOptions
from airlock.registry.cache import Cache
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import NpmConfig
from airlock.store.sqlite import MemoryStore
from airlock.tree import LockfileInput, read_lockfile
from airlock.tree.model import DependencyTree, LockedPackage
from airlock.tree.project import read_pnpm_workspace
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.tree.conftest import fixture_input

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=400)
LINUX = Platform("linux", "x64", "glibc")
DARWIN = Platform("darwin", "arm64")


def _package(**constraints: tuple[str, ...]) -> LockedPackage:
    return LockedPackage(key="k", name="p", version="1.0.0", **constraints)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("constraints", "target", "excluded"),
    [
        ({}, LINUX, False),
        ({"os": ("linux",)}, LINUX, False),
        ({"os": ("darwin",)}, LINUX, True),
        ({"os": ("darwin", "linux")}, LINUX, False),
        ({"os": ("!win32",)}, LINUX, False),
        ({"os": ("!linux",)}, LINUX, True),
        ({"os": ("!win32", "darwin")}, LINUX, True),  # npm: a plain entry must match when there is one
        ({"os": ("any",)}, LINUX, False),
        ({"cpu": ("arm64",)}, LINUX, True),
        ({"cpu": ("!ia32", "!arm")}, LINUX, False),
        ({"libc": ("musl",)}, LINUX, True),
        ({"libc": ("glibc",)}, LINUX, False),
        ({"libc": ("glibc",)}, DARWIN, True),  # npm: any libc constraint fails off linux
        ({"libc": ("musl",)}, Platform("linux", "x64"), False),  # unknown libc: checked, not skipped
    ],
)
def test_npm_platform_semantics(
    constraints: dict[str, tuple[str, ...]], target: Platform, excluded: bool
) -> None:
    assert foreign(_package(**constraints), target) is excluded


def test_platform_parse() -> None:
    assert Platform.parse("darwin/arm64") == DARWIN
    assert Platform.parse("linux/x64/musl") == Platform("linux", "x64", "musl")
    assert str(Platform.parse("linux/arm64/glibc")) == "linux/arm64/glibc"
    for bad in ("darwin", "darwin/arm64/glibc", "linux/x64/uclibc", "a/b/c/d", "/x64"):
        with pytest.raises(BadInputError, match="--platform"):
            Platform.parse(bad)


def test_current_platform_uses_node_names() -> None:
    here = current_platform()
    assert here.os in {"linux", "darwin", "win32", "freebsd", "openbsd", "netbsd", "aix", "sunos", "android"}
    assert here.cpu not in {"x86_64", "amd64", "aarch64", "i686"}
    assert (here.libc is None) or here.os == "linux"


@pytest.mark.parametrize("fixture", ["platform-npm", "platform-pnpm", "platform-yarn-berry"])
def test_real_lockfiles_select_one_binary_per_tool(fixture: str) -> None:
    tree = read_lockfile(fixture_input(fixture))
    skipped = {tree.packages[k].label for k in select_for_platform(tree, (DARWIN,)).skipped}
    assert skipped == {
        "@esbuild/linux-x64@0.20.2",
        "@esbuild/win32-x64@0.20.2",
        "@rollup/rollup-linux-x64-gnu@4.40.0",
        "@rollup/rollup-linux-x64-musl@4.40.0",
    }
    musl = {
        tree.packages[k].label for k in select_for_platform(tree, (Platform("linux", "x64", "musl"),)).skipped
    }
    assert "@rollup/rollup-linux-x64-musl@4.40.0" not in musl
    assert "@rollup/rollup-linux-x64-gnu@4.40.0" in musl


def test_yarn_supported_architectures_widen_the_set(tmp_path: Path) -> None:
    # .yarnrc.yml as yarn documents it: `current` is this machine, a missing field means [current]
    (tmp_path / ".yarnrc.yml").write_text(
        "supportedArchitectures:\n  os: [current, darwin]\n  cpu: [current, arm64]\n"
    )
    tree = read_lockfile(fixture_input("platform-yarn-berry"))
    platforms = project_platforms(tree.format, tmp_path, {}, LINUX)
    assert platforms == (
        LINUX,
        Platform("linux", "arm64", "glibc"),
        Platform("darwin", "x64"),
        DARWIN,
    )
    skipped = {tree.packages[k].label for k in select_for_platform(tree, platforms).skipped}
    assert skipped == {"@esbuild/win32-x64@0.20.2", "@rollup/rollup-linux-x64-musl@4.40.0"}
    # without the setting, only this machine's binaries
    (tmp_path / ".yarnrc.yml").write_text("nodeLinker: node-modules\n")
    assert project_platforms(tree.format, tmp_path, {}, LINUX) == (LINUX,)


def test_pnpm_supported_architectures_from_package_json_or_workspace_yaml(tmp_path: Path) -> None:
    manifest = {"pnpm": {"supportedArchitectures": {"os": ["win32"], "cpu": ["x64"]}}}
    assert project_platforms("pnpm-lock.yaml v9.0", tmp_path, manifest, LINUX) == (Platform("win32", "x64"),)
    (tmp_path / "pnpm-workspace.yaml").write_text("supportedArchitectures:\n  libc: [musl]\n")
    workspace = read_pnpm_workspace(tmp_path)  # as find_lockfile reads it beside the lockfile
    assert project_platforms("pnpm-lock.yaml v9.0", tmp_path, {}, LINUX, pnpm_workspace=workspace) == (
        Platform("linux", "x64", "musl"),
    )
    # npm has no such setting in the project: this machine only
    assert project_platforms("package-lock.json v3", tmp_path, manifest, LINUX) == (LINUX,)


def test_unreadable_yarnrc_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / ".yarnrc.yml").write_text("supportedArchitectures: [\n")
    with pytest.raises(BadInputError, match=r"\.yarnrc\.yml: not valid YAML"):
        project_platforms("yarn.lock berry (metadata version 10)", tmp_path, {}, LINUX)


# ---- through the pipeline, against the loopback registry ---------------------------------------------

BINARIES = {
    "@esbuild/linux-x64": {"os": ["linux"], "cpu": ["x64"]},
    "@esbuild/darwin-arm64": {"os": ["darwin"], "cpu": ["arm64"]},
    "@esbuild/win32-x64": {"os": ["win32"], "cpu": ["x64"]},
}


def _here_binary() -> str:
    here = current_platform()
    return f"@esbuild/{here.os}-{here.cpu}"


def _publish(registry: FakeRegistry, name: str, **manifest: Any) -> None:
    registry.publish(name, "0.20.2", build_package(name, "0.20.2", **manifest), manifest=manifest, time=OLD)


def _lockfile(
    registry: FakeRegistry, entries: Mapping[str, Mapping[str, Any]], root: Mapping[str, Any]
) -> str:
    packages: dict[str, Any] = {"": {"name": "app", "version": "1.0.0", **root}}
    for name, extra in entries.items():
        dist = registry.packument(name)["versions"]["0.20.2"]["dist"]
        packages[f"node_modules/{name}"] = {
            "version": "0.20.2",
            "resolved": dist["tarball"],
            "integrity": dist["integrity"],
            **extra,
        }
    return json.dumps({"name": "app", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)


@pytest.fixture
def esbuild_tree(fake_registry: FakeRegistry) -> DependencyTree:
    """esbuild with one optional binary per platform, plus one for the machine running the test."""
    binaries = dict(BINARIES)
    here = current_platform()
    binaries.setdefault(_here_binary(), {"os": [here.os], "cpu": [here.cpu]})
    for name, constraints in binaries.items():
        _publish(fake_registry, name, **constraints)
    _publish(fake_registry, "esbuild", optionalDependencies=dict.fromkeys(binaries, "0.20.2"))
    entries: dict[str, Mapping[str, Any]] = {
        "esbuild": {"optionalDependencies": dict.fromkeys(binaries, "0.20.2")},
        **{name: {**constraints, "optional": True} for name, constraints in binaries.items()},
    }
    text = _lockfile(fake_registry, entries, {"dependencies": {"esbuild": "0.20.2"}})
    return read_lockfile(LockfileInput("package-lock.json", text))


@pytest.fixture
def run_check(fake_registry: FakeRegistry, tmp_path: Path) -> Iterator[Any]:
    pipelines: list[Pipeline] = []
    config = NpmConfig(registry=fake_registry.url)

    def run(tree: DependencyTree, options: CheckOptions) -> CheckOutcome:
        pipeline = Pipeline(
            client_factory=lambda: RegistryClient(config, Cache(tmp_path / "cache"), retries=0),
            store=MemoryStore(),
            options=PipelineOptions(jobs=1),
        )
        pipelines.append(pipeline)
        return check_tree(pipeline, tree, config, options=options)

    yield run
    for pipeline in pipelines:
        pipeline.close()


def _tarballs_fetched(registry: FakeRegistry) -> set[str]:
    names = set(BINARIES) | {_here_binary(), "esbuild"}
    return {n for n in names if registry.requests_to(registry.tarball_path(n, "0.20.2"))}


def test_by_default_only_this_machines_binary_is_fetched(
    fake_registry: FakeRegistry, esbuild_tree: DependencyTree, run_check: Any
) -> None:
    outcome = run_check(esbuild_tree, CheckOptions(now=NOW))
    assert _tarballs_fetched(fake_registry) == {"esbuild", _here_binary()}
    assert [r.name for r in outcome.reports] == ["esbuild", _here_binary()]
    left_out = {s.label for s in outcome.not_for_platform}
    assert left_out == {f"{n}@0.20.2" for n in BINARIES if n != _here_binary()}
    # never silent: the count, each package with what it targets, and the flag that checks them
    (note,) = [n for n in outcome.notes if n.startswith("platform:")]
    assert f"{len(left_out)} optional packages for other platforms than {current_platform()}" in note
    assert "--all-platforms" in note
    assert (
        "@esbuild/win32-x64@0.20.2 (for os win32, cpu x64)" in note or _here_binary() == "@esbuild/win32-x64"
    )
    assert (
        f"{len(left_out)} for other platforms than {current_platform()} not checked (--all-platforms)"
        in header(outcome)
    )


def test_another_platform_can_be_checked(
    fake_registry: FakeRegistry, esbuild_tree: DependencyTree, run_check: Any
) -> None:
    outcome = run_check(esbuild_tree, CheckOptions(now=NOW, platforms=(Platform("win32", "x64"),)))
    assert _tarballs_fetched(fake_registry) == {"esbuild", "@esbuild/win32-x64"}
    assert "@esbuild/darwin-arm64@0.20.2 (for os darwin, cpu arm64)" in outcome.notes[0]


def test_all_platforms_fetches_every_binary(
    fake_registry: FakeRegistry, esbuild_tree: DependencyTree, run_check: Any
) -> None:
    outcome = run_check(esbuild_tree, CheckOptions(now=NOW, platforms=None))
    assert _tarballs_fetched(fake_registry) == {"esbuild", *BINARIES, _here_binary()}
    assert outcome.not_for_platform == ()
    assert not [n for n in outcome.notes if n.startswith("platform:")]


def test_a_required_package_for_another_os_is_still_checked(
    fake_registry: FakeRegistry, run_check: Any
) -> None:
    _publish(fake_registry, "fsevents-like", os=["darwin"])
    text = _lockfile(
        fake_registry, {"fsevents-like": {"os": ["darwin"]}}, {"dependencies": {"fsevents-like": "0.20.2"}}
    )
    outcome = run_check(
        read_lockfile(LockfileInput("package-lock.json", text)), CheckOptions(now=NOW, platforms=(LINUX,))
    )
    assert [r.label for r in outcome.reports] == ["fsevents-like@0.20.2"]
    assert fake_registry.requests_to(fake_registry.tarball_path("fsevents-like", "0.20.2"))
    assert outcome.not_for_platform == ()
    assert any(
        "fsevents-like@0.20.2 (os darwin) is not optional" in n and "EBADPLATFORM" in n for n in outcome.notes
    )


def test_what_only_a_skipped_binary_pulls_in_is_skipped_with_it(
    fake_registry: FakeRegistry, run_check: Any
) -> None:
    _publish(fake_registry, "libvips-darwin")  # no constraints of its own
    _publish(fake_registry, "sharp-darwin", os=["darwin"], dependencies={"libvips-darwin": "0.20.2"})
    _publish(fake_registry, "shared")
    _publish(
        fake_registry,
        "sharp",
        optionalDependencies={"sharp-darwin": "0.20.2"},
        dependencies={"shared": "0.20.2"},
    )
    entries: dict[str, Mapping[str, Any]] = {
        "sharp": {"dependencies": {"shared": "0.20.2"}, "optionalDependencies": {"sharp-darwin": "0.20.2"}},
        "shared": {},
        "sharp-darwin": {"os": ["darwin"], "optional": True, "dependencies": {"libvips-darwin": "0.20.2"}},
        "libvips-darwin": {"optional": True},
    }
    text = _lockfile(fake_registry, entries, {"dependencies": {"sharp": "0.20.2"}})
    outcome = run_check(
        read_lockfile(LockfileInput("package-lock.json", text)), CheckOptions(now=NOW, platforms=(LINUX,))
    )
    assert [r.name for r in outcome.reports] == ["sharp", "shared"]
    assert {s.label: s.reason for s in outcome.not_for_platform} == {
        "sharp-darwin@0.20.2": "for os darwin",
        "libvips-darwin@0.20.2": "needed only by sharp-darwin@0.20.2",
    }
    assert not fake_registry.requests_to(fake_registry.tarball_path("libvips-darwin", "0.20.2"))


def _yarn_classic(registry: FakeRegistry, names: list[str]) -> LockfileInput:
    """A yarn.lock v1 in yarn's own layout: no os/cpu anywhere, the binaries hang off optionalDependencies."""
    blocks = ["# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n"]
    for name in ["esbuild", *names]:
        dist = registry.packument(name)["versions"]["0.20.2"]["dist"]
        block = f'"{name}@0.20.2":\n  version "0.20.2"\n  resolved "{dist["tarball"]}"\n'
        block += f"  integrity {dist['integrity']}\n"
        if name == "esbuild":
            block += "  optionalDependencies:\n" + "".join(f'    "{n}" "0.20.2"\n' for n in names)
        blocks.append(block)
    manifest = {"name": "app", "version": "1.0.0", "dependencies": {"esbuild": "0.20.2"}}
    return LockfileInput("yarn.lock", "\n".join(blocks), {"": manifest})


def test_yarn_classic_reads_the_platform_from_the_registry(
    fake_registry: FakeRegistry, run_check: Any
) -> None:
    for name, constraints in BINARIES.items():
        _publish(fake_registry, name, **constraints)
    _publish(fake_registry, "esbuild", optionalDependencies=dict.fromkeys(BINARIES, "0.20.2"))
    tree = read_lockfile(_yarn_classic(fake_registry, list(BINARIES)))
    assert tree.format.startswith("yarn.lock v1")
    assert all(not p.os for p in tree.packages.values())  # the lockfile itself says nothing
    outcome = run_check(tree, CheckOptions(now=NOW, platforms=(LINUX,)))
    assert _tarballs_fetched(fake_registry) == {"esbuild", "@esbuild/linux-x64"}
    assert {s.label for s in outcome.not_for_platform} == {
        "@esbuild/darwin-arm64@0.20.2",
        "@esbuild/win32-x64@0.20.2",
    }
    assert any(
        "records no os/cpu, so they were read from the registry for the 3 optional packages" in n
        for n in outcome.notes
    )
    # each packument once: the look-up's copy serves the check
    assert (
        len(
            fake_registry.requests_to(
                fake_registry.packument_url("@esbuild/linux-x64").removeprefix(fake_registry.url)
            )
        )
        == 1
    )


def test_yarn_classic_binary_the_registry_cannot_describe_is_checked(
    fake_registry: FakeRegistry, run_check: Any
) -> None:
    _publish(fake_registry, "@esbuild/darwin-arm64", os=["darwin"], cpu=["arm64"])
    _publish(fake_registry, "esbuild", optionalDependencies={"@esbuild/darwin-arm64": "0.20.2"})
    tree = read_lockfile(_yarn_classic(fake_registry, ["@esbuild/darwin-arm64"]))
    fake_registry.fail("darwin-arm64", 500, times=100)
    outcome = run_check(tree, CheckOptions(now=NOW, platforms=(LINUX,)))
    assert outcome.not_for_platform == ()  # never skipped on a guess
    assert "@esbuild/darwin-arm64" in [r.name for r in outcome.reports]


BERRY_FSEVENTS = """__metadata:
  version: 10
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    chokidar: "npm:3.6.0"
  languageName: unknown
  linkType: soft

"chokidar@npm:3.6.0":
  version: 3.6.0
  resolution: "chokidar@npm:3.6.0"
  dependencies:
    fsevents: "npm:~2.3.2"
  dependenciesMeta:
    fsevents:
      optional: true
  languageName: node
  linkType: hard

"fsevents@npm:~2.3.2":
  version: 2.3.3
  resolution: "fsevents@npm:2.3.3"
  dependencies:
    node-gyp: "npm:latest"
  conditions: os=darwin
  languageName: node
  linkType: hard

"node-gyp@npm:latest":
  version: 11.2.0
  resolution: "node-gyp@npm:11.2.0"
  languageName: node
  linkType: hard
"""


def test_yarn_berry_still_installs_what_a_skipped_package_pulls_in() -> None:
    # The shape yarn 4 writes for fsevents (its compat patch adds node-gyp), reduced to one entry each.
    tree = read_lockfile(LockfileInput("yarn.lock", BERRY_FSEVENTS))
    skipped = select_for_platform(
        tree, (LINUX,), with_dependencies=skips_dependencies_of_skipped(tree.format)
    ).skipped
    assert {tree.packages[k].label for k in skipped} == {"fsevents@2.3.3"}
    # npm's rule, for comparison: node-gyp goes with fsevents
    npm_rule = select_for_platform(tree, (LINUX,)).skipped
    assert {tree.packages[k].label for k in npm_rule} == {"fsevents@2.3.3", "node-gyp@11.2.0"}
    assert skips_dependencies_of_skipped("package-lock.json v3")
    assert skips_dependencies_of_skipped("pnpm-lock.yaml v9.0")
    assert skips_dependencies_of_skipped("yarn.lock v1 (classic)")
