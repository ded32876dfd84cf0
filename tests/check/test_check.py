"""`airlock check` end to end against the loopback registry: lockfile injection, metadata signals, paths,
the event-stream pattern, typosquats and dependency confusion."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airlock.check.document import header
from airlock.check.run import CheckOptions, CheckOutcome, check_tree
from airlock.exit import ExitCode
from airlock.model import PackageReport, Verdict
from airlock.pipeline import Pipeline, PipelineOptions
from airlock.registry.cache import Cache
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import NpmConfig
from airlock.store.sqlite import MemoryStore
from airlock.tree import LockfileInput, read_lockfile
from airlock.tree.model import DependencyTree
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package, build_tarball

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=400)


@dataclass(frozen=True)
class Checker:
    """One project's check, as the CLI runs it: the tree through the pipeline with its context."""

    pipeline: Pipeline
    config: NpmConfig
    options: CheckOptions
    public_client: Callable[[], RegistryClient] | None

    def check(self, tree: DependencyTree) -> CheckOutcome:
        return check_tree(
            self.pipeline, tree, self.config, options=self.options, public_client=self.public_client
        )


CheckerFactory = Callable[..., Checker]


@dataclass
class Locked:
    name: str
    version: str
    deps: Mapping[str, str] = field(default_factory=dict)
    dev: bool = False
    resolved: str | None = None
    integrity: str | None = None


def lockfile(
    registry: FakeRegistry,
    direct: Mapping[str, str],
    entries: list[Locked],
    dev: Mapping[str, str] | None = None,
) -> LockfileInput:
    """A package-lock.json v3 for `entries`, with resolved/integrity taken from the registry unless given."""
    packages: dict[str, object] = {
        "": {"name": "app", "dependencies": dict(direct), "devDependencies": dict(dev or {})}
    }
    for entry in entries:
        doc = registry.packument(entry.name)["versions"].get(entry.version, {})
        dist = doc.get("dist", {})
        packages[f"node_modules/{entry.name}"] = {
            "version": entry.version,
            "resolved": entry.resolved or dist.get("tarball"),
            "integrity": entry.integrity or dist.get("integrity"),
            **({"dependencies": dict(entry.deps)} if entry.deps else {}),
            **({"dev": True} if entry.dev else {}),
        }
    text = json.dumps({"name": "app", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)
    return LockfileInput("package-lock.json", text)


@pytest.fixture
def checker_for(tmp_path: Path) -> Iterator[CheckerFactory]:
    made: list[Pipeline] = []

    def make(
        registry: FakeRegistry,
        *,
        config: NpmConfig | None = None,
        public: FakeRegistry | None = None,
        production: bool = False,
    ) -> Checker:
        npm_config = config or NpmConfig(registry=registry.url)
        scanner = Pipeline(
            client_factory=lambda: RegistryClient(npm_config, Cache(tmp_path / "cache"), retries=0),
            store=MemoryStore(),
            options=PipelineOptions(jobs=1),
        )
        made.append(scanner)
        public_client = (
            (lambda: RegistryClient(NpmConfig(registry=public.url), Cache(tmp_path / "public"), retries=0))
            if public is not None
            else None
        )
        return Checker(scanner, npm_config, CheckOptions(production=production, now=NOW), public_client)

    yield make
    for scanner in made:
        scanner.close()


def _report(outcome: CheckOutcome, name: str) -> PackageReport:
    return next(r for r in outcome.reports if r.name == name)


def _rules(report: PackageReport) -> set[str]:
    return {f.rule for f in report.findings}


def _publish(
    registry: FakeRegistry, name: str, version: str, *, time: datetime = OLD, **manifest: Any
) -> None:
    registry.publish(
        name, version, build_package(name, version, **manifest), manifest=dict(manifest), time=time
    )


@pytest.fixture
def registry(fake_registry: FakeRegistry) -> FakeRegistry:
    _publish(fake_registry, "left-pad", "1.3.0")
    _publish(fake_registry, "wrappy", "1.0.2")
    _publish(fake_registry, "once", "1.4.0", dependencies={"wrappy": "1"})
    _publish(fake_registry, "is-number", "7.0.0")
    return fake_registry


def test_clean_tree_every_package_with_its_path(registry: FakeRegistry, checker_for: CheckerFactory) -> None:
    data = lockfile(
        registry,
        {"once": "^1.4.0", "left-pad": "1.3.0"},
        [
            Locked("once", "1.4.0", {"wrappy": "1"}),
            Locked("wrappy", "1.0.2"),
            Locked("left-pad", "1.3.0"),
            Locked("is-number", "7.0.0", dev=True),
        ],
        dev={"is-number": "7.0.0"},
    )
    outcome = checker_for(registry).check(read_lockfile(data))
    assert [r.label for r in outcome.reports] == [
        "once@1.4.0",
        "left-pad@1.3.0",
        "is-number@7.0.0",
        "wrappy@1.0.2",
    ]
    assert {r.label: r.paths for r in outcome.reports}["wrappy@1.0.2"] == ("once>wrappy",)
    assert all(r.verdict is Verdict.ALLOW for r in outcome.reports), [
        (r.label, r.findings) for r in outcome.reports
    ]
    assert outcome.exit_code().value == 0
    # every report is verified bytes from the registry
    assert all(r.integrity and r.integrity.startswith("sha512-") for r in outcome.reports)


def test_production_leaves_dev_only_packages_out(registry: FakeRegistry, checker_for: CheckerFactory) -> None:
    data = lockfile(
        registry,
        {"left-pad": "1.3.0"},
        [Locked("left-pad", "1.3.0"), Locked("is-number", "7.0.0", dev=True)],
        dev={"is-number": "7"},
    )
    outcome = checker_for(registry, production=True).check(read_lockfile(data))
    assert [r.label for r in outcome.reports] == ["left-pad@1.3.0"]
    assert outcome.skipped_dev == 1
    assert registry.requests_to("is-number") == []


def test_entry_redirected_to_another_host(registry: FakeRegistry, checker_for: CheckerFactory) -> None:
    evil = "https://npm.attacker.example.com/left-pad/-/left-pad-1.3.0.tgz"
    data = lockfile(registry, {"left-pad": "1.3.0"}, [Locked("left-pad", "1.3.0", resolved=evil)])
    outcome = checker_for(registry).check(read_lockfile(data))
    report = _report(outcome, "left-pad")
    assert "lockfile-foreign-host" in _rules(report)
    assert report.verdict is Verdict.REVIEW
    finding = next(f for f in report.findings if f.rule == "lockfile-foreign-host")
    assert finding.evidence[0].file == "package-lock.json" and finding.evidence[0].line > 1
    # airlock analysed what the configured registry serves, and never contacted the injected host
    assert report.integrity is not None


def test_entry_whose_integrity_was_swapped_blocks(
    registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    from airlock.integrity import sri_of

    swapped = sri_of(b"attacker's tarball")
    data = lockfile(registry, {"left-pad": "1.3.0"}, [Locked("left-pad", "1.3.0", integrity=swapped)])
    outcome = checker_for(registry).check(read_lockfile(data))
    report = _report(outcome, "left-pad")
    assert "lockfile-integrity-mismatch" in _rules(report)
    assert report.verdict is Verdict.BLOCK
    assert outcome.exit_code().value == 1


def test_event_stream_pattern(fake_registry: FakeRegistry, checker_for: CheckerFactory) -> None:
    """A maintainer change, and the new version adds a dependency published days ago."""
    dominic = [{"name": "dominictarr", "email": "d@example.com"}]
    stranger = [
        {"name": "dominictarr", "email": "d@example.com"},
        {"name": "right9ctrl", "email": "r@example.invalid"},
    ]
    fake_registry.publish("through", "2.3.8", build_package("through", "2.3.8"), time=OLD)
    fake_registry.publish(
        "event-stream",
        "3.3.5",
        build_package("event-stream", "3.3.5", dependencies={"through": "~2.3.1"}),
        manifest={"dependencies": {"through": "~2.3.1"}},
        time=OLD,
        maintainers=dominic,
    )
    fake_registry.publish(
        "flatmap-stream",
        "0.1.1",
        build_package("flatmap-stream", "0.1.1"),
        time=NOW - timedelta(days=3),
        maintainers=[{"name": "right9ctrl", "email": "r@example.invalid"}],
    )
    fake_registry.publish(
        "event-stream",
        "3.3.6",
        build_package(
            "event-stream", "3.3.6", dependencies={"through": "~2.3.1", "flatmap-stream": "^0.1.0"}
        ),
        manifest={"dependencies": {"through": "~2.3.1", "flatmap-stream": "^0.1.0"}},
        time=NOW - timedelta(days=30),
        maintainers=stranger,
    )
    data = lockfile(
        fake_registry,
        {"event-stream": "3.3.6"},
        [
            Locked("event-stream", "3.3.6", {"through": "~2.3.1", "flatmap-stream": "^0.1.0"}),
            Locked("through", "2.3.8"),
            Locked("flatmap-stream", "0.1.1"),
        ],
    )
    outcome = checker_for(fake_registry).check(read_lockfile(data))
    event_stream = _report(outcome, "event-stream")
    assert {"maintainers-changed", "dependency-added"} <= _rules(event_stream)
    added = next(f for f in event_stream.findings if f.rule == "dependency-added")
    assert (
        added.severity.value == "medium"
        and "flatmap-stream" in added.message
        and "newly published" in added.message
    )
    assert event_stream.verdict is Verdict.REVIEW
    flatmap = _report(outcome, "flatmap-stream")
    # flatmap-stream was itself three days old: a young version of a young package is reviewed
    assert "young-version-changes" in _rules(flatmap) and flatmap.paths == ("event-stream>flatmap-stream",)
    assert flatmap.verdict is Verdict.REVIEW
    assert _rules(_report(outcome, "through")) == set()


def _publish_daily(registry: FakeRegistry, name: str, days: int, **newest: Any) -> str:
    """electron-to-chromium's shape: a patch release every day for `days` days by the same publishing
    account with the same maintainers (the newest 6 hours old); `newest` adds manifest fields to the last."""
    people = [{"name": "kilian", "email": "kilian@example.com"}]
    version = ""
    for day in range(days):
        version = f"1.5.{100 + day}"
        manifest: dict[str, Any] = {"_npmUser": people[0], **(newest if day == days - 1 else {})}
        registry.publish(
            name,
            version,
            build_package(name, version),
            manifest=manifest,
            time=NOW - timedelta(days=days - 1 - day, hours=6),
            maintainers=people,
        )
    return version


def test_a_daily_publisher_does_not_fail_review_but_a_young_change_does(
    fake_registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    daily = _publish_daily(fake_registry, "electron-to-chromium", 60)
    adds = _publish_daily(fake_registry, "daily-adds-dep", 60, dependencies={"left-pad": "^1.3.0"})
    _publish(fake_registry, "left-pad", "1.3.0")
    data = lockfile(
        fake_registry,
        {"electron-to-chromium": daily},
        [Locked("electron-to-chromium", daily)],
    )
    outcome = checker_for(fake_registry).check(read_lockfile(data))
    report = _report(outcome, "electron-to-chromium")
    assert _rules(report) == {"young-version"} and report.verdict is Verdict.ALLOW
    assert outcome.exit_code(fail_on=Verdict.REVIEW).value == 0

    data = lockfile(
        fake_registry,
        {"daily-adds-dep": adds},
        [Locked("daily-adds-dep", adds, {"left-pad": "^1.3.0"}), Locked("left-pad", "1.3.0")],
    )
    outcome = checker_for(fake_registry).check(read_lockfile(data))
    report = _report(outcome, "daily-adds-dep")
    young = next(f for f in report.findings if f.rule == "young-version-changes")
    assert "adds dependencies not in daily-adds-dep@1.5.158: left-pad" in young.message
    assert report.verdict is Verdict.REVIEW and outcome.exit_code(fail_on=Verdict.REVIEW).value == 1


def test_typosquat_crossenv_but_not_cross_env(
    fake_registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    # the real crossenv was on the registry for about two weeks (July-August 2017)
    _publish(fake_registry, "crossenv", "6.1.1", time=NOW - timedelta(days=5))
    _publish(fake_registry, "cross-env", "7.0.3")
    data = lockfile(
        fake_registry,
        {"crossenv": "6.1.1", "cross-env": "7.0.3"},
        [Locked("crossenv", "6.1.1"), Locked("cross-env", "7.0.3")],
    )
    outcome = checker_for(fake_registry).check(read_lockfile(data))
    crossenv = _report(outcome, "crossenv")
    assert "typosquat-name" in _rules(crossenv) and crossenv.verdict is Verdict.REVIEW
    assert "cross-env" in next(f.message for f in crossenv.findings if f.rule == "typosquat-name")
    assert "typosquat-name" not in _rules(_report(outcome, "cross-env"))


def test_security_placeholder_blocks_a_pinned_removed_version(
    fake_registry: FakeRegistry,
    checker_for: CheckerFactory,
) -> None:
    _publish(fake_registry, "evil-pkg", "0.0.1-security")
    data = lockfile(
        fake_registry,
        {"evil-pkg": "1.0.4"},
        [
            Locked(
                "evil-pkg",
                "1.0.4",
                resolved=fake_registry.tarball_url("evil-pkg", "1.0.4"),
                integrity="sha512-" + "A" * 86 + "==",
            )
        ],
    )
    outcome = checker_for(fake_registry).check(read_lockfile(data))
    report = _report(outcome, "evil-pkg")
    assert {"security-placeholder", "target-failed"} <= _rules(report)
    assert report.verdict is Verdict.BLOCK


def test_dependency_confusion_scoped_name_resolved_publicly(
    fake_registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    _publish(fake_registry, "@corp/ui", "1.0.0")
    config = NpmConfig(registry="https://registry.npmjs.org/", scoped_registries={"@corp": fake_registry.url})
    public_url = "https://registry.npmjs.org/@corp/ui/-/ui-1.0.0.tgz"
    data = lockfile(fake_registry, {"@corp/ui": "1.0.0"}, [Locked("@corp/ui", "1.0.0", resolved=public_url)])
    outcome = checker_for(fake_registry, config=config).check(read_lockfile(data))
    report = _report(outcome, "@corp/ui")
    assert "dependency-confusion" in _rules(report)
    private = lockfile(fake_registry, {"@corp/ui": "1.0.0"}, [Locked("@corp/ui", "1.0.0")])
    outcome = checker_for(fake_registry, config=config).check(read_lockfile(private))
    assert "dependency-confusion" not in _rules(_report(outcome, "@corp/ui"))


def test_dependency_confusion_unscoped_name_on_both_registries(
    fake_registry: FakeRegistry,
    checker_for: CheckerFactory,
) -> None:
    with FakeRegistry() as public:
        _publish(fake_registry, "corp-utils", "1.0.0")
        _publish(fake_registry, "corp-only", "1.0.0")
        _publish(public, "corp-utils", "99.0.0")
        data = lockfile(
            fake_registry,
            {"corp-utils": "1.0.0", "corp-only": "1.0.0"},
            [Locked("corp-utils", "1.0.0"), Locked("corp-only", "1.0.0")],
        )
        outcome = checker_for(fake_registry, public=public).check(read_lockfile(data))
    assert "dependency-confusion" in _rules(_report(outcome, "corp-utils"))
    assert "dependency-confusion" not in _rules(_report(outcome, "corp-only"))


def test_a_first_version_has_no_maintainers_to_compare_and_no_note_says_otherwise(
    registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    data = lockfile(registry, {"left-pad": "1.3.0"}, [Locked("left-pad", "1.3.0")])
    outcome = checker_for(registry).check(read_lockfile(data))
    assert not any("maintainers-changed" in n for n in outcome.notes)


def test_the_maintainers_note_counts_only_the_versions_without_maintainers(
    fake_registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    # issue 11: the note claimed maintainers-changed unavailable for the whole run while the rule fired on
    # packages whose versions do carry maintainers
    for version, people in (("1.0.0", "ann"), ("1.1.0", "bob")):
        fake_registry.publish(
            "with-people",
            version,
            build_package("with-people", version),
            time=OLD,
            maintainers=[{"name": people, "email": f"{people}@example.com"}],
        )
    for version in ("2.0.0", "2.0.1"):  # an old mirror's shape: no maintainers at all
        _publish(fake_registry, "without-people", version)
    data = lockfile(
        fake_registry,
        {"with-people": "1.1.0", "without-people": "2.0.1"},
        [Locked("with-people", "1.1.0"), Locked("without-people", "2.0.1")],
    )
    outcome = checker_for(fake_registry).check(read_lockfile(data))
    assert "maintainers-changed" in _rules(_report(outcome, "with-people"))
    (note,) = [n for n in outcome.notes if "maintainers-changed" in n]
    assert note.startswith("maintainer changes: for 1 of 2 packages (without-people@2.0.1) ")
    assert "with-people@" not in note.replace("without-people@", "")


def test_a_malformed_packument_costs_one_entry_not_the_run(
    registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    registry.set_packument_raw("left-pad", b"<html>", status=200)
    data = lockfile(
        registry,
        {"left-pad": "1.3.0", "once": "1"},
        [
            Locked("left-pad", "1.3.0", integrity="sha512-" + "B" * 86 + "=="),
            Locked("once", "1.4.0", {"wrappy": "1"}),
            Locked("wrappy", "1.0.2"),
        ],
    )
    outcome = checker_for(registry).check(read_lockfile(data))
    assert _report(outcome, "left-pad").verdict is Verdict.REVIEW
    assert "target-failed" in _rules(_report(outcome, "left-pad"))
    assert _report(outcome, "once").verdict is Verdict.ALLOW


def test_a_private_registry_that_mirrors_the_public_one_is_not_confusion(
    fake_registry: FakeRegistry,
    checker_for: CheckerFactory,
) -> None:
    tarball = build_package("left-pad", "1.3.0")
    with FakeRegistry() as public:
        fake_registry.publish("left-pad", "1.3.0", tarball, time=OLD)
        public.publish("left-pad", "1.3.0", tarball, time=OLD)
        data = lockfile(fake_registry, {"left-pad": "1.3.0"}, [Locked("left-pad", "1.3.0")])
        outcome = checker_for(fake_registry, public=public).check(read_lockfile(data))
    assert "dependency-confusion" not in _rules(_report(outcome, "left-pad"))


def test_bundled_dependencies_are_analysed_inside_their_parent(
    registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    data = lockfile(registry, {"left-pad": "1.3.0"}, [Locked("left-pad", "1.3.0", {"inner": "1"})])
    document = json.loads(data.text)
    # npm writes bundled copies without resolved/integrity: their bytes are inside the parent's tarball
    document["packages"]["node_modules/left-pad/node_modules/inner"] = {"version": "1.0.0", "inBundle": True}
    tree = read_lockfile(LockfileInput("package-lock.json", json.dumps(document, indent=2)))
    outcome = checker_for(registry).check(tree)
    assert [r.label for r in outcome.reports] == ["left-pad@1.3.0"]
    assert registry.requests_to("inner") == []
    assert _rules(outcome.reports[0]) == set()
    assert "1 shipped inside a dependency's tarball (analysed as part of it)" in header(outcome)


def test_what_the_project_bundles_is_fetched_and_analysed(
    fake_registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    # npm/cli's shape (tests/tree/fixtures/npm-root-bundled): the root bundles `once`, so `once` and its
    # dependency `wrappy` are `inBundle` entries directly under the root, fetched from the registry.
    _publish(fake_registry, "ms", "2.1.3")
    _publish(fake_registry, "wrappy", "1.0.2")
    fake_registry.publish(
        "once",
        "1.4.0",
        build_package("once", "1.4.0", {"index.js": "require('child_process').exec('ls')\n"}),
        manifest={"dependencies": {"wrappy": "1"}},
        time=OLD,
    )
    fixture = Path(__file__).parents[1] / "tree" / "fixtures" / "npm-root-bundled"
    document = json.loads((fixture / "package-lock.json").read_text())
    for key, entry in document["packages"].items():
        if key:
            dist = fake_registry.packument(key.removeprefix("node_modules/"))["versions"][entry["version"]]
            entry.update(resolved=dist["dist"]["tarball"], integrity=dist["dist"]["integrity"])
    tree = read_lockfile(LockfileInput("package-lock.json", json.dumps(document, indent=2)))
    outcome = checker_for(fake_registry).check(tree)
    assert sorted(r.label for r in outcome.reports) == ["ms@2.1.3", "once@1.4.0", "wrappy@1.0.2"]
    assert any(r.path.endswith(".tgz") for r in fake_registry.requests_to("once"))
    once = _report(outcome, "once")
    assert "child_process.exec" in once.capabilities.builtin
    assert once.integrity == document["packages"]["node_modules/once"]["integrity"]
    assert "shipped inside" not in header(outcome) and "bundled" not in header(outcome)


def test_pnpm_11_config_dependencies_are_fetched_and_analysed(
    fake_registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    fixture = Path(__file__).parents[1] / "tree" / "fixtures" / "pnpm-v11-config-deps"
    text = (fixture / "pnpm-lock.yaml").read_text()
    for name, version in (("once", "1.4.0"), ("wrappy", "1.0.2"), ("is-odd", "3.0.1")):
        _publish(fake_registry, name, version)
        real = text.split(f"  {name}@{version}:\n    resolution: {{integrity: ", 1)[1].split("}", 1)[0]
        text = text.replace(real, fake_registry.packument(name)["versions"][version]["dist"]["integrity"])
    outcome = checker_for(fake_registry).check(read_lockfile(LockfileInput("pnpm-lock.yaml", text)))
    assert sorted(r.label for r in outcome.reports) == ["is-odd@3.0.1", "once@1.4.0", "wrappy@1.0.2"]
    assert any(r.path.endswith(".tgz") for r in fake_registry.requests_to("is-odd"))
    assert all(r.verdict is Verdict.ALLOW for r in outcome.reports)
    assert any("config dependencies (is-odd@3.0.1)" in n for n in outcome.notes)


def _sha1_yarn_lockfile(registry: FakeRegistry, *, swapped: str | None = None) -> LockfileInput:
    """The pre-2018 yarn fixture with each URL's sha1 set to the loopback registry's shasum (or, for
    `swapped`, to the sha1 of other bytes)."""
    fixture = Path(__file__).parents[1] / "tree" / "fixtures" / "yarn-v1-sha1"
    text = (fixture / "yarn.lock").read_text()
    for name, version in (("left-pad", "1.3.0"), ("once", "1.4.0"), ("wrappy", "1.0.2")):
        written = text.split(f"/{name}-{version}.tgz#", 1)[1][:40]
        served = registry.packument(name)["versions"][version]["dist"]["shasum"]
        text = text.replace(written, hashlib.sha1(b"other bytes").hexdigest() if name == swapped else served)
    manifests = {"": json.loads((fixture / "package.json").read_text())}
    return LockfileInput("yarn.lock", text, manifests)


def test_a_yarn_url_sha1_counts_as_integrity(registry: FakeRegistry, checker_for: CheckerFactory) -> None:
    outcome = checker_for(registry).check(read_lockfile(_sha1_yarn_lockfile(registry)))
    assert sorted(r.label for r in outcome.reports) == ["left-pad@1.3.0", "once@1.4.0", "wrappy@1.0.2"]
    for report in outcome.reports:
        assert _rules(report) == set(), report.label  # no lockfile-missing-integrity
        assert report.verdict is Verdict.ALLOW
    assert any("pinned only by the sha1" in n for n in outcome.notes)


def test_a_yarn_url_sha1_that_differs_from_the_registry_is_an_integrity_mismatch(
    registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    data = _sha1_yarn_lockfile(registry, swapped="once")
    outcome = checker_for(registry).check(read_lockfile(data))
    once = _report(outcome, "once")
    assert "lockfile-integrity-mismatch" in _rules(once)
    (finding,) = [f for f in once.findings if f.rule == "lockfile-integrity-mismatch"]
    assert "sha1-" in finding.message
    assert _rules(_report(outcome, "wrappy")) == set()


def test_bytes_must_match_a_yarn_url_sha1_even_when_the_registry_vouches_for_them(
    registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    # The registry's shasum agrees with the lockfile's sha1, but its sha512 describes other bytes, which it
    # serves: yarn hashes the bytes with the lockfile's sha1 and refuses them, so must airlock, also when
    # the store already holds an analysis of those other bytes.
    pinned = _sha1_yarn_lockfile(registry)
    genuine_sha1 = registry.packument("once")["versions"]["1.4.0"]["dist"]["shasum"]
    other = build_tarball({"package.json": b'{"name":"once","version":"1.4.0"}'})
    document = registry.packument("once")
    dist = document["versions"]["1.4.0"]["dist"]
    dist["integrity"] = "sha512-" + base64.b64encode(hashlib.sha512(other).digest()).decode()
    registry.set_tarball("once", "1.4.0", other)
    checker = checker_for(registry)

    # A consistent registry serving the other bytes, and a lockfile pinning them: analysed and stored.
    dist["shasum"] = hashlib.sha1(other).hexdigest()
    registry.set_packument_raw("once", json.dumps(document).encode())
    honest = LockfileInput(pinned.file, pinned.text.replace(genuine_sha1, dist["shasum"]), pinned.manifests)
    assert "integrity-mismatch" not in _rules(_report(checker.check(read_lockfile(honest)), "once"))

    # Now the registry vouches for the lockfile's sha1 while serving the other bytes.
    dist["shasum"] = genuine_sha1
    registry.set_packument_raw("once", json.dumps(document).encode())
    for _ in range(2):
        once = _report(checker.check(read_lockfile(pinned)), "once")
        assert "integrity-mismatch" in _rules(once), once.findings
        assert once.verdict is Verdict.BLOCK


def test_a_lockfile_out_of_sync_with_package_json_is_reported(
    registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    data = lockfile(
        registry,
        {"once": "^1.4.0", "left-pad": "1.3.0"},
        [Locked("once", "1.4.0", {"wrappy": "1"}), Locked("wrappy", "1.0.2"), Locked("left-pad", "1.3.0")],
    )
    edited = {"name": "app", "dependencies": {"once": "^2.0.0", "left-pad": "1.3.0", "is-number": "7.0.0"}}
    outcome = checker_for(registry).check(read_lockfile(LockfileInput(data.file, data.text, {"": edited})))
    once = _report(outcome, "once")
    assert "lockfile-out-of-sync" in _rules(once)
    assert once.verdict is Verdict.REVIEW
    (finding,) = [f for f in once.findings if f.rule == "lockfile-out-of-sync"]
    assert "^2.0.0" in finding.message and "1.4.0" in finding.message
    assert finding.evidence[0].file == "package-lock.json"
    assert "lockfile-out-of-sync" not in _rules(_report(outcome, "left-pad"))
    (note,) = [n for n in outcome.notes if "out of sync" in n]
    assert "is-number 7.0.0 is in package.json but not in the lockfile" in note
    # in sync: the same lockfile with the package.json it was written from
    in_sync = {"name": "app", "dependencies": {"once": "^1.4.0", "left-pad": "1.3.0"}}
    outcome = checker_for(registry).check(read_lockfile(LockfileInput(data.file, data.text, {"": in_sync})))
    assert all("lockfile-out-of-sync" not in _rules(r) for r in outcome.reports)
    assert not any("out of sync" in n for n in outcome.notes)


def test_a_dependency_the_lockfile_lacks_counts_for_fail_on_review(
    registry: FakeRegistry, checker_for: CheckerFactory
) -> None:
    # is-number was never locked, so never analysed: no entry carries the finding, the exit code must.
    data = lockfile(registry, {"left-pad": "1.3.0"}, [Locked("left-pad", "1.3.0")])
    edited = {"name": "app", "dependencies": {"left-pad": "1.3.0", "is-number": "7.0.0"}}
    outcome = checker_for(registry).check(read_lockfile(LockfileInput(data.file, data.text, {"": edited})))
    assert [r.verdict for r in outcome.reports] == [Verdict.ALLOW]
    assert outcome.exit_code(fail_on=Verdict.REVIEW) is ExitCode.ACTION
    assert outcome.exit_code(fail_on=Verdict.BLOCK) is ExitCode.OK
    in_sync = {"name": "app", "dependencies": {"left-pad": "1.3.0"}}
    outcome = checker_for(registry).check(read_lockfile(LockfileInput(data.file, data.text, {"": in_sync})))
    assert outcome.exit_code(fail_on=Verdict.REVIEW) is ExitCode.OK
