"""The context stage against the loopback registry: typosquats judged on the name that is installed, and
manifest confusion between the registry's manifest and the tarball's package.json (scan and check)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airlock.check.run import CheckOptions, check_tree
from airlock.model import PackageReport, Verdict
from airlock.pipeline import Pipeline
from airlock.registry.npmrc import NpmConfig
from airlock.scan import scan
from airlock.tree import LockfileInput, read_lockfile
from tests.fakes.pipelines import loopback_pipeline
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package


@pytest.fixture
def pipeline(fake_registry: FakeRegistry, tmp_path: Path) -> Iterator[Pipeline]:
    with loopback_pipeline(fake_registry.url, tmp_path / "cache") as made:
        yield made


def _publish(
    registry: FakeRegistry,
    name: str,
    version: str,
    *,
    tarball: dict[str, Any] | None = None,
    files: dict[str, str | bytes] | None = None,
    **registry_manifest: Any,
) -> None:
    """Publish `name@version` whose registry manifest is `registry_manifest` and whose tarball's
    package.json is `tarball` (the same as the registry's when not given)."""
    declared = tarball if tarball is not None else registry_manifest
    declared_name = declared.pop("name", name) if tarball is not None else name
    data = build_package(declared_name, declared.pop("version", version), files, **declared)
    registry.publish(name, version, data, manifest=registry_manifest)


def _rules(report: PackageReport) -> set[str]:
    return {f.rule for f in report.findings}


def _lockfile(registry: FakeRegistry, *packages: tuple[str, str]) -> LockfileInput:
    entries: dict[str, Any] = {"": {"name": "app", "version": "1.0.0"}}
    for name, version in packages:
        entries[f"node_modules/{name}"] = {
            "version": version,
            "resolved": registry.tarball_url(name, version),
        }
    doc = {"name": "app", "lockfileVersion": 3, "requires": True, "packages": entries}
    return LockfileInput("package-lock.json", json.dumps(doc, indent=2))


def _check(pipeline: Pipeline, registry: FakeRegistry, *packages: tuple[str, str]) -> list[PackageReport]:
    tree = read_lockfile(_lockfile(registry, *packages))
    outcome = check_tree(pipeline, tree, NpmConfig(registry=registry.url), options=CheckOptions())
    return list(outcome.reports)


# ---- typosquats: the installed name, not the tarball's claim -------------------------------------------
def test_a_typosquat_is_judged_on_the_registry_name_not_the_name_inside_the_tarball(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    _publish(fake_registry, "cross-envv", "1.0.0", tarball={"name": "cross-env"})

    (report,) = scan(pipeline, ["cross-envv"]).reports

    (squat,) = [f for f in report.findings if f.rule == "typosquat-name"]
    assert squat.message.startswith("'cross-envv' looks like the popular 'cross-env'")
    assert report.verdict is Verdict.REVIEW


def test_the_popular_name_itself_is_not_a_typosquat(fake_registry: FakeRegistry, pipeline: Pipeline) -> None:
    _publish(fake_registry, "cross-env", "7.0.3")
    (report,) = scan(pipeline, ["cross-env"]).reports
    assert "typosquat-name" not in _rules(report)
    assert report.verdict is Verdict.ALLOW


def test_check_judges_the_lockfile_name_with_evidence_at_its_entry(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    _publish(fake_registry, "cross-envv", "1.0.0", tarball={"name": "cross-env"})

    (report,) = _check(pipeline, fake_registry, ("cross-envv", "1.0.0"))

    (squat,) = [f for f in report.findings if f.rule == "typosquat-name"]
    assert squat.evidence[0].file == "package-lock.json"


# ---- typosquats weigh the look-alike's own age (issue 11) -----------------------------------------------
# When each look-alike was first published. The registry mirror reachable while writing this (2026-12-02)
# serves no `time.created` and re-stamped publish times (lodash 4.17.21 "published" 2024-02-23), so the dates
# come from each project's repository history, read by hand: the first commit or first release tag, which
# the first publish follows within weeks. They are flagged as look-alikes of newer or more popular names.
FIRST_PUBLISHED = {
    "immediato": datetime(2023, 2, 16, tzinfo=UTC),  # ~ immediate; fabiospampinato/immediato first commit
    "pepjs": datetime(2013, 8, 13, tzinfo=UTC),  # ~ pegjs; jquery/PEP first tag v0.0.20130816
    "ansicolor": datetime(2016, 8, 8, tzinfo=UTC),  # ~ ansicolors; xpl/ansicolor first commit
    "multimath": datetime(2017, 9, 30, tzinfo=UTC),  # ~ multimatch; nodeca/multimath tag 1.0.0
    "oniguruma-to-js": datetime(2024, 8, 30, tzinfo=UTC),  # ~ oniguruma-to-es; antfu tag v0.1.0
    "clap": datetime(2015, 11, 9, tzinfo=UTC),  # ~ clamp; lahmatiy/clap first tag v1.0.9
    # ~ @babel/plugin-transform-*-literals (Babel 7, 2017-18); babel/minify has had them since 2016-06-28
    "babel-plugin-transform-property-literals": datetime(2016, 6, 28, tzinfo=UTC),
    "babel-plugin-transform-member-expression-literals": datetime(2016, 6, 28, tzinfo=UTC),
}


def _publish_at(registry: FakeRegistry, name: str, version: str, when: datetime) -> None:
    registry.publish(name, version, build_package(name, version), time=when)


def _squat(report: PackageReport) -> str | None:
    return next((f.message for f in report.findings if f.rule == "typosquat-name"), None)


def test_established_look_alikes_are_not_typosquats(fake_registry: FakeRegistry, pipeline: Pipeline) -> None:
    for name, created in FIRST_PUBLISHED.items():
        _publish_at(fake_registry, name, "1.0.0", created)
        _publish_at(fake_registry, name, "1.0.1", created + timedelta(days=200))

    reports = _check(pipeline, fake_registry, *((name, "1.0.1") for name in FIRST_PUBLISHED))

    assert {r.name: _squat(r) for r in reports} == dict.fromkeys(FIRST_PUBLISHED)


def test_a_young_look_alike_of_a_popular_name_is_still_a_typosquat(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    _publish_at(fake_registry, "lodahs", "4.17.21", datetime.now(UTC) - timedelta(days=3))

    (report,) = _check(pipeline, fake_registry, ("lodahs", "4.17.21"))

    message = _squat(report)
    assert message is not None and message.startswith("'lodahs' looks like the popular 'lodash'")
    assert "first published" in message and "3 days ago" in message
    assert report.verdict is Verdict.REVIEW


def test_a_look_alike_published_before_the_name_it_resembles_is_not_a_typosquat(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    # shiki's tree in early 2025 held both: oniguruma-to-js (Aug 2024) predates oniguruma-to-es (Nov 2024)
    _publish_at(fake_registry, "oniguruma-to-js", "0.4.3", FIRST_PUBLISHED["oniguruma-to-js"])
    _publish_at(fake_registry, "oniguruma-to-es", "2.0.0", datetime(2024, 11, 7, tzinfo=UTC))
    _publish_at(fake_registry, "oniguruma-to-ez", "2.0.0", datetime(2025, 2, 20, tzinfo=UTC))  # made up
    tree = read_lockfile(
        _lockfile(
            fake_registry,
            ("oniguruma-to-js", "0.4.3"),
            ("oniguruma-to-es", "2.0.0"),
            ("oniguruma-to-ez", "2.0.0"),
        )
    )
    options = CheckOptions(now=datetime(2025, 3, 1, tzinfo=UTC))
    reports = check_tree(pipeline, tree, NpmConfig(registry=fake_registry.url), options=options).reports

    squats = {r.name: _squat(r) for r in reports}
    assert squats["oniguruma-to-js"] is None and squats["oniguruma-to-es"] is None
    # younger than a year and than the name it resembles: still a look-alike
    assert "looks like the popular 'oniguruma-to-es'" in (squats["oniguruma-to-ez"] or "")


def test_without_the_registry_document_the_age_is_unknown_and_said(
    fake_registry: FakeRegistry, pipeline: Pipeline, tmp_path: Path
) -> None:
    local = tmp_path / "immediato-1.1.0.tgz"
    local.write_bytes(build_package("immediato", "1.1.0"))

    (report,) = scan(pipeline, [str(local)]).reports

    message = _squat(report)
    assert message is not None and "first publish date is unknown here" in message


def test_scan_weighs_the_age_from_the_full_document(fake_registry: FakeRegistry, pipeline: Pipeline) -> None:
    _publish_at(fake_registry, "multimath", "2.0.0", FIRST_PUBLISHED["multimath"])
    _publish_at(fake_registry, "lodahs", "4.17.21", datetime.now(UTC) - timedelta(days=3))

    established, young = scan(pipeline, ["multimath@2.0.0", "lodahs@4.17.21"]).reports

    assert _squat(established) is None
    assert "3 days ago" in (_squat(young) or "")


# ---- manifest confusion ---------------------------------------------------------------------------------
@pytest.mark.parametrize("via", ["scan", "check"])
def test_an_install_script_only_the_tarball_has_is_a_block(
    fake_registry: FakeRegistry, pipeline: Pipeline, via: str
) -> None:
    _publish(
        fake_registry,
        "quiet-lib",
        "1.0.0",
        tarball={"scripts": {"postinstall": "node setup.js"}},
        files={"setup.js": "module.exports = 1;\n"},
    )

    if via == "scan":
        (report,) = scan(pipeline, ["quiet-lib@1.0.0"]).reports
    else:
        (report,) = _check(pipeline, fake_registry, ("quiet-lib", "1.0.0"))

    assert "manifest-hidden-install-script" in _rules(report)
    assert report.verdict is Verdict.BLOCK
    (hidden,) = [f for f in report.findings if f.rule == "manifest-hidden-install-script"]
    assert "postinstall: node setup.js" in hidden.message
    assert hidden.evidence[0].file == "package.json"


def test_an_install_script_with_another_command_in_the_tarball_is_a_block(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    _publish(
        fake_registry,
        "swapped",
        "1.0.0",
        scripts={"postinstall": "node build.js"},
        tarball={"scripts": {"postinstall": "node steal.js"}},
        files={"steal.js": "1;\n", "build.js": "1;\n"},
    )
    (report,) = _check(pipeline, fake_registry, ("swapped", "1.0.0"))
    assert "manifest-hidden-install-script" in _rules(report)
    assert "says `postinstall: node build.js`" in str([f.message for f in report.findings])


def test_matching_manifests_with_install_scripts_and_npm_normalisations_are_clean(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    # What npm's publish does to a manifest: optional dependencies merged into dependencies, a bin string
    # turned into a map, a leading "v" dropped, `install: node-gyp rebuild` added for binding.gyp.
    _publish(
        fake_registry,
        "native-thing",
        "2.0.0",
        scripts={"install": "node-gyp rebuild", "postinstall": "node check.js"},
        dependencies={"nan": "^2", "fsevents": "^2"},
        optionalDependencies={"fsevents": "^2"},
        bin={"native-thing": "cli.js"},
        gypfile=True,
        tarball={
            "version": "v2.0.0",
            "scripts": {"postinstall": "node check.js"},
            "dependencies": {"nan": "^2"},
            "optionalDependencies": {"fsevents": "^2"},
            "bin": "./cli.js",
        },
        files={"binding.gyp": "{}", "check.js": "1;\n", "cli.js": "1;\n"},
    )
    _publish(fake_registry, "nan", "2.0.0")
    _publish(fake_registry, "fsevents", "2.0.0")

    reports = {r.name: r for r in scan(pipeline, ["native-thing@2.0.0"]).reports}
    checked = {r.name: r for r in _check(pipeline, fake_registry, ("native-thing", "2.0.0"))}

    for report in (reports["native-thing"], checked["native-thing"]):
        assert not {"manifest-hidden-install-script", "manifest-mismatch"} & _rules(report), report.findings


def test_a_dependency_only_the_registry_lists_is_a_mismatch(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    # event-stream's shape made invisible: the registry installs a dependency the published code's
    # package.json never mentions.
    _publish(fake_registry, "stream-kit", "3.3.6", dependencies={"flatmap-x": "0.1"}, tarball={})

    (report,) = _check(pipeline, fake_registry, ("stream-kit", "3.3.6"))

    (mismatch,) = [f for f in report.findings if f.rule == "manifest-mismatch"]
    assert "flatmap-x" in mismatch.message
    assert report.verdict is Verdict.REVIEW


@pytest.mark.parametrize(
    ("tarball", "expected"),
    [
        ({"name": "other-name"}, "named 'other-name'"),
        ({"version": "9.9.9"}, "version '9.9.9'"),
        ({"bin": {"npm": "evil.js"}}, "links commands"),
        ({"dependencies": {"ghost": "1"}}, "declares dependencies the registry's manifest does not"),
    ],
)
def test_other_differences_are_mismatches(
    fake_registry: FakeRegistry, pipeline: Pipeline, tarball: dict[str, Any], expected: str
) -> None:
    _publish(fake_registry, "plain-lib", "1.0.0", tarball=dict(tarball))
    (report,) = scan(pipeline, ["plain-lib@1.0.0"]).reports
    messages = [f.message for f in report.findings if f.rule == "manifest-mismatch"]
    assert any(expected in m for m in messages), report.findings


def test_a_native_build_the_registry_does_not_list_is_a_mismatch(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    _publish(fake_registry, "sneaky-native", "1.0.0", tarball={}, files={"binding.gyp": "{}"})
    (report,) = _check(pipeline, fake_registry, ("sneaky-native", "1.0.0"))
    assert any("binding.gyp" in f.message for f in report.findings if f.rule == "manifest-mismatch")


def test_a_native_build_the_registry_marks_with_gypfile_is_listed(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    _publish(fake_registry, "plain-native", "1.0.0", gypfile=True, tarball={}, files={"binding.gyp": "{}"})
    (report,) = _check(pipeline, fake_registry, ("plain-native", "1.0.0"))
    assert "manifest-mismatch" not in _rules(report)


def test_the_abbreviated_document_is_confirmed_against_the_full_one(
    fake_registry: FakeRegistry, pipeline: Pipeline
) -> None:
    """scan reads abbreviated documents (no `scripts`, only `hasInstallScript`): a tarball-only script is
    confirmed with one request for the full document before it is called hidden."""
    _publish(fake_registry, "quiet-lib", "1.0.0", tarball={"scripts": {"preinstall": "node x.js"}})

    (report,) = scan(pipeline, ["quiet-lib"]).reports

    assert "manifest-hidden-install-script" in _rules(report)
    accepts = [r.headers.get("accept", "") for r in fake_registry.requests_to("/quiet-lib")]
    assert any("application/json" in a and "install-v1" not in a for a in accepts), accepts
