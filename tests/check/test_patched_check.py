"""`airlock check` on projects that patch a dependency (yarn `patch:`, pnpm `patchedDependencies`): the
patch is applied before analysis, so what it adds shows up as the package's own capability, and the package
says it is patched and by which file."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from airlock.check.run import CheckOptions, CheckOutcome, check_tree
from airlock.model import PackageReport
from airlock.pipeline import Pipeline
from airlock.registry.npmrc import NpmConfig
from airlock.tree import read_lockfile
from airlock.tree.project import find_lockfile
from tests.fakes.pipelines import loopback_pipeline
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.tree.conftest import FIXTURES

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=400)
PATCHES = {
    "yarn-berry-patched": ".yarn/patches/escape-html-npm-1.0.3-376c22ee74.patch",
    "pnpm-patched-v9": "patches/escape-html@1.0.3.patch",
    "pnpm-patched-v6": "patches/escape-html@1.0.3.patch",
    "pnpm-patched-v11": "patches/escape-html@1.0.3.patch",
}
# A benign escape-html@1.0.3 whose head is the real one, so the real patch's context matches.
BENIGN_INDEX = """/*!
 * escape-html
 * Copyright(c) 2012-2013 TJ Holowaychuk
 * Copyright(c) 2015 Andreas Lubbe
 * Copyright(c) 2015 Tiancheng "Timothy" Gu
 * MIT Licensed
 */

'use strict';

/**
 * Module variables.
 * @private
 */

module.exports = function escapeHtml(s) { return String(s).replace(/&/g, '&amp;'); };
"""
PATCHED_LINE = 11  # `require('child_process').exec('echo patched-in');` in the patched index.js


@pytest.fixture
def registry(fake_registry: FakeRegistry) -> FakeRegistry:
    for name, version, files in (
        ("escape-html", "1.0.3", {"index.js": BENIGN_INDEX}),
        ("ms", "2.1.3", {"index.js": "module.exports = function ms(v) { return v; };\n"}),
    ):
        tarball = build_package(name, version, files, main="index.js")
        fake_registry.publish(name, version, tarball, manifest={"main": "index.js"}, time=OLD)
    return fake_registry


@pytest.fixture
def pipeline(tmp_path: Path, registry: FakeRegistry) -> Iterator[Pipeline]:
    with loopback_pipeline(registry.url, tmp_path / "cache") as made:
        yield made


def _project(tmp_path: Path, registry: FakeRegistry, fixture: str) -> Path:
    """The fixture project, with the lockfile's integrities made the fake registry's (pnpm records them)."""
    project = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, project)
    lockfile = next(p for p in project.iterdir() if p.name in ("yarn.lock", "pnpm-lock.yaml"))
    text = lockfile.read_text()
    for name in ("escape-html", "ms"):
        (version,) = registry.packument(name)["versions"]
        fake = registry.packument(name)["versions"][version]["dist"]["integrity"]
        text = re.sub(
            rf"(\n  /?{name}@{re.escape(version)}[^\n]*:\n    resolution: {{integrity: )[^}}]+",
            rf"\g<1>{fake}",
            text,
        )
    lockfile.write_text(text)
    return project


def _check(pipeline: Pipeline, registry: FakeRegistry, project: Path, fixture: str) -> CheckOutcome:
    # as the CLI reads the project: pnpm 11 names its patch files in pnpm-workspace.yaml only
    tree = read_lockfile(find_lockfile(project, resolve=False).input)
    options = CheckOptions(now=NOW, project=project)
    return check_tree(pipeline, tree, NpmConfig(registry=registry.url), options=options)


def _patched_report(outcome: CheckOutcome) -> PackageReport:
    (report,) = [r for r in outcome.reports if any(f.rule == "patched-package" for f in r.findings)]
    return report


def _process_evidence(report: PackageReport) -> list[tuple[str, int]]:
    return [
        (e.file, e.line)
        for key, evidence in report.capabilities.builtin.items()
        if key.startswith("child_process")
        for e in evidence
    ]


@pytest.mark.parametrize("fixture", sorted(PATCHES))
def test_the_patch_is_applied_before_analysis(
    tmp_path: Path, registry: FakeRegistry, pipeline: Pipeline, fixture: str
) -> None:
    outcome = _check(pipeline, registry, _project(tmp_path, registry, fixture), fixture)
    assert outcome.failures == ()
    report = _patched_report(outcome)
    assert report.label == "escape-html@1.0.3"
    assert not any(f.rule.startswith("lockfile-") for r in outcome.reports for f in r.findings)
    # what the patch adds is the package's own capability, with evidence in the patched file
    assert ("index.js", PATCHED_LINE) in _process_evidence(report)
    (said,) = [f for f in report.findings if f.rule == "patched-package"]
    assert said.evidence[0].file == PATCHES[fixture]
    assert PATCHES[fixture] in said.message and "analysed with the patch applied" in said.message
    assert not any(f.rule == "patch-not-applied" for f in report.findings)
    # the benign, unpatched package next to it stays as it is
    ms = next(r for r in outcome.reports if r.name == "ms")
    assert _process_evidence(ms) == []


# pnpm records integrities, so its run also looks the unpatched analysis up before any download (prefetch)
@pytest.mark.parametrize("fixture", ["yarn-berry-patched", "pnpm-patched-v9"])
def test_a_stored_unpatched_analysis_is_not_reused_for_the_patched_package(
    tmp_path: Path, registry: FakeRegistry, pipeline: Pipeline, fixture: str
) -> None:
    project = _project(tmp_path, registry, fixture)
    patch = project / PATCHES[fixture]
    saved = patch.read_bytes()
    patch.unlink()
    missing = _patched_report(_check(pipeline, registry, project, fixture))
    assert _process_evidence(missing) == []
    (not_applied,) = [f for f in missing.findings if f.rule == "patch-not-applied"]
    assert "missing" in not_applied.message
    patch.write_bytes(saved)
    again = _patched_report(_check(pipeline, registry, project, fixture))
    assert ("index.js", PATCHED_LINE) in _process_evidence(again)
    # and the patched analysis is stored under its own key: a third run is served from the store
    third = _patched_report(_check(pipeline, registry, project, fixture))
    assert third.from_store and ("index.js", PATCHED_LINE) in _process_evidence(third)


def test_a_patch_path_that_leaves_the_project_is_a_finding_not_a_read(
    tmp_path: Path, registry: FakeRegistry, pipeline: Pipeline
) -> None:
    fixture = "pnpm-patched-v9"
    project = _project(tmp_path, registry, fixture)
    lockfile = project / "pnpm-lock.yaml"
    (tmp_path / "outside.patch").write_bytes((project / PATCHES[fixture]).read_bytes())
    lockfile.write_text(lockfile.read_text().replace(f"path: {PATCHES[fixture]}", "path: ../outside.patch"))
    report = _patched_report(_check(pipeline, registry, project, fixture))
    assert _process_evidence(report) == []
    (not_applied,) = [f for f in report.findings if f.rule == "patch-not-applied"]
    assert "leaves the project" in not_applied.message
    assert not_applied.severity.value == "medium"
