"""`airlock install`'s steps before it asks: npm's resolution in a temporary copy (the project untouched),
the plan (changes, new tree, scripts to accept, policy lines) and the rendered review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airlock.diff.text import render_lines as render
from airlock.errors import OperationalError, UsageError
from airlock.exit import ExitCode
from airlock.install.add import InstallRequest, prepare_install
from airlock.install.plan import InstallPlan
from airlock.install.present import question, refusal_lines, render_plan
from airlock.install.resolve import SaveOptions, resolve_install
from airlock.model import Verdict
from airlock.policy.document import POLICY_FILENAME, Policy, Resource, dumps, loads
from tests.install.conftest import Project


def _plan(project: Project, *specs: str, save: SaveOptions | None = None) -> InstallPlan:
    request = InstallRequest(project.root, tuple(specs), save or SaveOptions(), jobs=1, no_store=True)
    return prepare_install(request)


def _lock(project: Project) -> None:
    """Give the project the lockfile npm would write for its package.json."""
    resolution = resolve_install(project.root, [])
    (project.root / "package-lock.json").write_bytes(resolution.new_lockfile)


@pytest.mark.requires_node
def test_resolution_adds_the_package_in_a_copy_and_leaves_the_project_alone(project: Project) -> None:
    _lock(project)
    before = project.snapshot()
    resolution = resolve_install(project.root, ["netty"], save=SaveOptions(exact=True))
    assert project.snapshot() == before
    assert resolution.old_manifest == before["package.json"]
    assert resolution.old_lockfile == before["package-lock.json"]
    assert json.loads(resolution.new_manifest)["dependencies"] == {"calm": "1.0.0", "netty": "2.0.0"}
    lock = json.loads(resolution.new_lockfile)
    assert lock["packages"]["node_modules/netty"]["version"] == "2.0.0"
    assert resolution.command[-2:] == ("--save-exact", "netty")


@pytest.mark.requires_node
def test_save_dev_records_the_package_under_dev_dependencies(project: Project) -> None:
    resolution = resolve_install(project.root, ["netty"], save=SaveOptions(dev=True))
    manifest = json.loads(resolution.new_manifest)
    assert manifest["devDependencies"] == {"netty": "^2.0.0"}
    assert resolution.old_lockfile is None and resolution.lockfile_name == "package-lock.json"


@pytest.mark.requires_node
def test_a_package_npm_cannot_resolve_fails_with_npm_s_output_and_nothing_changed(project: Project) -> None:
    before = project.snapshot()
    with pytest.raises(OperationalError) as raised:
        resolve_install(project.root, ["no-such-package"])
    assert (
        "`npm install --package-lock-only --ignore-scripts --no-audit --no-fund no-such-package` failed"
        in (raised.value.message)
    )
    assert "404" in raised.value.message  # npm's own error, shown
    assert project.snapshot() == before


@pytest.mark.parametrize("spec", ["./vendor/x", "file:../x", "x@file:../x", "/abs/path", "--global"])
def test_local_paths_and_options_are_usage_errors(project: Project, spec: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_install(project.root, [spec])
    assert raised.value.hint


def test_a_project_locked_by_pnpm_is_refused(project: Project) -> None:
    (project.root / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    with pytest.raises(UsageError) as raised:
        resolve_install(project.root, ["netty"])
    assert "pnpm-lock.yaml" in raised.value.message


@pytest.mark.requires_node
def test_the_plan_lists_the_new_packages_capabilities_and_scripts(project: Project) -> None:
    _lock(project)
    plan = _plan(project, "netty", "builder", "withdep")
    assert plan.exit_code() is ExitCode.OK
    assert {p.label for p in plan.new_packages} == {
        "netty@2.0.0",
        "builder@1.0.0",
        "withdep@1.0.0",
        "helper@1.0.0",
    }
    assert [p.pattern for p in plan.scripts_to_accept] == ["builder#1.0.0"]
    assert plan.records_in.startswith("package.json")
    # accepting records builder's postinstall in the package.json handed to the install, nothing else
    manifest = json.loads(plan.manifest)
    assert manifest["lavamoat"] == {"allowScripts": {"builder#1.0.0": True}}
    assert manifest["dependencies"] == json.loads(plan.resolution.new_manifest)["dependencies"]
    text = render_plan(plan)
    assert "airlock install: 3 to add (+1 they pull in), 0 to update, 0 to remove" in text
    for shown in (
        "netty ∅ → 2.0.0",
        "+ https.get",  # a capability of the new package, with where it is
        "builder ∅ → 1.0.0",
        "+ postinstall: node build.js",
        "withdep ∅ → 1.0.0",
        "+ helper",  # pulled in by withdep, scanned too
        "can: os.platform",
        'builder@1.0.0  ALLOW  accept: allowScripts["builder#1.0.0"] = true',
        "    postinstall: node build.js",
        "new tree: 5 packages: 0 block,",
    ):
        assert shown in text, shown


@pytest.mark.requires_node
def test_a_blocked_new_package_makes_the_plan_exit_1_with_its_findings(project: Project) -> None:
    _lock(project)
    before = project.snapshot()
    plan = _plan(project, "env-setup-helper")
    assert plan.exit_code() is ExitCode.ACTION
    refusal = render(refusal_lines(plan))
    assert "BLOCK  env-setup-helper@1.0.0" in refusal
    assert "credential-exfiltration" in refusal
    assert "nothing was installed and nothing changed" in refusal
    assert project.snapshot() == before


@pytest.mark.requires_node
def test_fail_on_review_stops_a_review_package(project: Project) -> None:
    _lock(project)
    assert _plan(project, "loader").exit_code() is ExitCode.OK  # review alone does not stop it
    request = InstallRequest(project.root, ("loader",), fail_on=Verdict.REVIEW, jobs=1, no_store=True)
    plan = prepare_install(request)
    assert [p.report.verdict for p in plan.new_packages] == [Verdict.REVIEW]
    assert plan.exit_code() is ExitCode.ACTION
    assert "REVIEW  loader@1.0.0" in render(refusal_lines(plan))


@pytest.mark.requires_node
def test_with_a_policy_file_accepting_writes_the_new_packages_grants_and_scripts(project: Project) -> None:
    _lock(project)
    policy = Policy(resources={"calm": Resource()})
    (project.root / POLICY_FILENAME).write_text(dumps(policy))
    plan = _plan(project, "builder", "netty")
    assert plan.records_in == POLICY_FILENAME
    assert plan.manifest == plan.resolution.new_manifest  # package.json gets no lavamoat entry
    assert plan.policy is not None
    accepted = loads(plan.policy)
    assert accepted.allow_scripts == {"builder#1.0.0": True}
    assert accepted.resources["netty"].builtin == {"https.get": True}
    assert "calm" in accepted.resources and "builder" in accepted.resources
    assert plan.violations == ()
    assert plan.exit_code() is ExitCode.OK
    text = render_plan(plan)
    assert f"accepting records them in {POLICY_FILENAME}" in text
    assert 'resources["netty"]["builtin"]["https.get"]: true' in text
    assert question(plan) == (
        "Install, allow 1 install script and write package.json, package-lock.json, airlock-policy.json?"
    )


@pytest.mark.requires_node
def test_a_script_the_policy_refused_stays_refused(project: Project) -> None:
    _lock(project)
    (project.root / POLICY_FILENAME).write_text(dumps(Policy(allow_scripts={"builder": False})))
    plan = _plan(project, "builder")
    assert plan.scripts_to_accept == ()
    assert plan.policy is not None and loads(plan.policy).allow_scripts == {"builder": False}
    assert "kept off: the policy says false" in render_plan(plan)


@pytest.mark.requires_node
def test_an_update_is_one_change_and_its_new_version_is_new(project: Project) -> None:
    _lock(project)
    plan = _plan(project, "calm@1.1.0")
    assert [c.label for c in plan.diff.changes] == ["calm 1.0.0 → 1.1.0"]
    assert [p.label for p in plan.new_packages] == ["calm@1.1.0"]
    assert "0 to add, 1 to update, 0 to remove" in render_plan(plan)


def test_the_project_path_must_hold_a_package_json(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_install(tmp_path, ["x"])
    assert "no package.json" in raised.value.message


@pytest.mark.requires_node
def test_a_package_the_install_does_not_bring_that_exceeds_the_policy_stops_it(project: Project) -> None:
    (project.root / "package.json").write_text(
        json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"calm": "1.0.0", "netty": "2.0.0"}})
    )
    _lock(project)
    # netty is installed already and the policy grants it nothing: not this install's to accept
    (project.root / POLICY_FILENAME).write_text(
        dumps(Policy(resources={"calm": Resource(), "netty": Resource()}))
    )
    plan = _plan(project, "calm@1.1.0")
    assert [d.name for d in plan.violations] == ["netty"]
    assert plan.exit_code() is ExitCode.ACTION
    text = render_plan(plan)
    assert "1 package the install does not bring exceeds its grants" in text
    assert 'netty: resources["netty"]["builtin"]["https.get"]: true' in text
