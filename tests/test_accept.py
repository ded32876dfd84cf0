"""Accepted findings (airlock.toml `[[accept]]`): parsing, matching, the verdict without them, expiry, and
how every report format shows them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airlock.accept import Acceptance, Acceptances
from airlock.config import parse_config
from airlock.errors import OperationalError, UsageError
from airlock.model import EMPTY_CAPABILITIES, Evidence, Finding, PackageAnalysis, Severity, Verdict
from airlock.pipeline.requests import NotFetched, PackageRequest
from airlock.pipeline.results import Identity, PackageResult
from airlock.report.html import HtmlFormat
from airlock.report.json import JsonFormat
from airlock.report.sarif import SarifFormat
from airlock.report.text import TextFormat
from airlock.verdict import judge
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.report.samples import as_document
from tests.report.schema import assert_valid_report, assert_valid_sarif
from tests.test_cli import run

VALID = """
[[accept]]
package = "simple-git-hooks"
version = "^2.11"
rule = "install-dynamic-code"
reason = "loads our own hooks config at install"
expires = 2027-03-01

[[accept]]
package = "@scope/thing"
version = "*"
rule = "install-script"
reason = "builds its native part"
"""


def _entry(**fields: object) -> str:
    base: dict[str, object] = {
        "package": '"simple-git-hooks"',
        "version": '"^2.11"',
        "rule": '"install-dynamic-code"',
        "reason": '"ours"',
    }
    base.update(fields)
    return "[[accept]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items() if v is not None)


# ---- parsing --------------------------------------------------------------------------------------------
def test_valid_entries_parse() -> None:
    entries = parse_config(VALID, source="airlock.toml")["accept"]
    assert entries == (
        Acceptance(
            "simple-git-hooks",
            "^2.11",
            "install-dynamic-code",
            "loads our own hooks config at install",
            date(2027, 3, 1),
        ),
        Acceptance("@scope/thing", "*", "install-script", "builds its native part", None),
    )


@pytest.mark.parametrize(
    ("fields", "message", "hint"),
    [
        ({"rule": None}, "missing 'rule': an acceptance silences one rule", "one entry per rule"),
        ({"rule": '"*"'}, "'*' is not one rule id", "one [[accept]] entry per rule"),
        ({"rule": '"install-*"'}, "no wildcards", "one [[accept]] entry per rule"),
        ({"rule": '"install-dynamic-cod"'}, "unknown rule 'install-dynamic-cod'", "install-dynamic-code"),
        ({"rule": '"integrity-mismatch"'}, "'integrity-mismatch' cannot be accepted", "airlock cache clear"),
        ({"rule": '"lockfile-integrity-mismatch"'}, "cannot be accepted", "regenerate the lockfile"),
        ({"rule": '"lockfile-integrity-malformed"'}, "cannot be accepted", "regenerate the lockfile"),
        ({"version": '"^^2"'}, "'^^2' is not an npm semver range", '"*" for every version'),
        ({"version": None}, "missing 'version'", "[[accept]]"),
        ({"expires": '"2027-03-01"'}, "expires: expected a date", "TOML date without quotes"),
        ({"expires": "2027-03-01T10:00:00"}, "expires: expected a date", "TOML date"),
        ({"reason": '""'}, "reason: expected why", "[[accept]]"),
        ({"reason": None}, "missing 'reason'", "[[accept]]"),
        ({"package": '"Not A Name"'}, "package: not a valid npm package name", "exact name"),
        ({"rules": '"x"'}, "unknown key 'rules'", "package, version, rule, reason, expires"),
    ],
)
def test_bad_entries_are_config_errors_with_a_hint(
    fields: dict[str, object], message: str, hint: str
) -> None:
    with pytest.raises(UsageError) as raised:
        parse_config(_entry(**fields), source="airlock.toml")
    assert message in raised.value.message
    assert raised.value.hint is not None and hint in raised.value.hint


def test_a_single_table_is_not_a_list_of_entries() -> None:
    with pytest.raises(UsageError, match=r"expected \[\[accept\]\] tables"):
        parse_config('[accept]\npackage = "x"\n', source="airlock.toml")


# ---- matching -------------------------------------------------------------------------------------------
ENTRY = Acceptance("simple-git-hooks", "^2.11", "install-dynamic-code", "ours")


@pytest.mark.parametrize(
    ("name", "version", "rule", "covered"),
    [
        ("simple-git-hooks", "2.11.1", "install-dynamic-code", True),
        ("simple-git-hooks", "2.13.0", "install-dynamic-code", True),
        ("simple-git-hooks", "2.10.0", "install-dynamic-code", False),
        ("simple-git-hooks", "3.0.0", "install-dynamic-code", False),
        ("simple-git-hooks", "2.11.1", "install-network", False),
        ("simple-git-hooks-x", "2.11.1", "install-dynamic-code", False),
        ("Simple-Git-Hooks", "2.11.1", "install-dynamic-code", False),
        (None, "2.11.1", "install-dynamic-code", False),
        ("simple-git-hooks", None, "install-dynamic-code", False),
    ],
)
def test_an_entry_covers_exactly_name_range_and_rule(
    name: str | None, version: str | None, rule: str, covered: bool
) -> None:
    assert ENTRY.covers(name, version, rule) is covered


def test_star_covers_every_version_of_that_package_only() -> None:
    entry = Acceptance("@scope/thing", "*", "install-script", "why")
    assert entry.covers("@scope/thing", "0.0.1", "install-script")
    assert not entry.covers("@scope/other", "0.0.1", "install-script")


# ---- the verdict without accepted findings --------------------------------------------------------------
def _finding(rule: str, severity: Severity) -> Finding:
    return Finding(rule, severity, f"{rule} seen", (Evidence("install.js", 3),))


def _result(*findings: Finding, name: str = "simple-git-hooks", version: str = "2.11.1") -> PackageResult:
    request = PackageRequest(f"{name}@{version}", NotFetched(), name=name, version=version)
    analysis = PackageAnalysis(name, version, EMPTY_CAPABILITIES, findings, {}, (), "test")
    return PackageResult(request, Identity(name, version, "sha512-AAAA"), analysis=analysis)


TODAY = date(2026, 12, 2)
REVIEW_FINDING = _finding("install-dynamic-code", Severity.MEDIUM)
BLOCK_FINDING = _finding("download-execute", Severity.CRITICAL)


def test_a_review_whose_only_finding_is_accepted_becomes_allow() -> None:
    result = _result(REVIEW_FINDING)
    assert judge(result, {}).verdict is Verdict.REVIEW
    report = judge(result, {}, Acceptances((ENTRY,), TODAY))
    assert report.verdict is Verdict.ALLOW
    assert report.findings == ()
    assert [(a.finding, a.reason) for a in report.accepted] == [(REVIEW_FINDING, "ours")]


def test_a_block_stays_block_when_its_review_finding_is_accepted() -> None:
    report = judge(_result(REVIEW_FINDING, BLOCK_FINDING), {}, Acceptances((ENTRY,), TODAY))
    assert report.verdict is Verdict.BLOCK
    assert report.findings == (BLOCK_FINDING,)
    assert [a.finding.rule for a in report.accepted] == ["install-dynamic-code"]


def test_another_version_or_package_is_not_silenced() -> None:
    acceptances = Acceptances((ENTRY,), TODAY)
    assert judge(_result(REVIEW_FINDING, version="3.0.0"), {}, acceptances).verdict is Verdict.REVIEW
    assert judge(_result(REVIEW_FINDING, name="other"), {}, acceptances).verdict is Verdict.REVIEW


def test_a_package_that_failed_is_never_allowed_even_when_its_failure_is_accepted() -> None:
    request = PackageRequest("gone@1.0.0", NotFetched(), name="gone", version="1.0.0")
    failed = PackageResult(request, Identity("gone", "1.0.0", None), failure=OperationalError("offline"))
    acceptances = Acceptances((Acceptance("gone", "*", "target-failed", "known"),), TODAY)
    report = judge(failed, {}, acceptances)
    assert [a.finding.rule for a in report.accepted] == ["target-failed"]
    assert report.verdict is Verdict.REVIEW


# ---- expiry ---------------------------------------------------------------------------------------------
EXPIRING = Acceptance("simple-git-hooks", "^2.11", "install-dynamic-code", "ours", date(2027, 3, 1))


def test_an_entry_applies_until_its_expiry_date() -> None:
    before = Acceptances((EXPIRING,), date(2027, 2, 28))
    assert judge(_result(REVIEW_FINDING), {}, before).verdict is Verdict.ALLOW
    assert before.expired_warnings() == ()


@pytest.mark.parametrize("today", [date(2027, 3, 1), date(2030, 1, 1)])
def test_an_expired_entry_silences_nothing_and_says_so(today: date) -> None:
    expired = Acceptances((EXPIRING,), today)
    report = judge(_result(REVIEW_FINDING), {}, expired)
    assert report.verdict is Verdict.REVIEW and report.accepted == ()
    warning = (
        "accept entry for simple-git-hooks@^2.11 rule install-dynamic-code expired on 2027-03-01: "
        "the finding is active again"
    )
    assert expired.expired_warnings() == (warning,)
    assert expired.notes([report], whole_project=True) == (warning,)


def test_unused_entries_are_noted() -> None:
    stale = Acceptance("left-pad", "1", "install-script", "gone")
    acceptances = Acceptances((ENTRY, stale), TODAY)
    reports = [judge(_result(REVIEW_FINDING), {}, acceptances)]
    [note] = acceptances.notes(reports, whole_project=True)
    assert note.startswith("accept entry for left-pad@1 rule install-script matched no finding")
    # a scan answers only for the packages it reported
    assert acceptances.notes(reports, whole_project=False) == ()
    clean = [judge(_result(name="simple-git-hooks"), {}, acceptances)]
    assert len(acceptances.notes(clean, whole_project=False)) == 1


# ---- reports --------------------------------------------------------------------------------------------
def _accepted_report() -> object:
    acceptances = Acceptances((EXPIRING,), TODAY)
    return judge(_result(REVIEW_FINDING, _finding("install-script", Severity.INFO)), {}, acceptances)


def test_json_lists_accepted_findings_and_validates() -> None:
    report = _accepted_report()
    doc = assert_valid_report(JsonFormat().render(as_document([report])))  # type: ignore[list-item]
    [package] = doc["packages"]
    assert package["verdict"] == "allow"
    assert [f["rule"] for f in package["findings"]] == ["install-script"]
    assert package["accepted"] == [
        {
            "rule": "install-dynamic-code",
            "severity": "medium",
            "message": "install-dynamic-code seen",
            "file": "install.js",
            "line": 3,
            "reason": "ours",
            "expires": "2027-03-01",
        }
    ]


def test_json_without_acceptances_has_no_accepted_key() -> None:
    doc = json.loads(JsonFormat().render(as_document([judge(_result(REVIEW_FINDING), {})])))
    assert "accepted" not in doc["packages"][0]


def test_sarif_keeps_the_result_as_suppressed() -> None:
    sarif = assert_valid_sarif(SarifFormat().render(as_document([_accepted_report()])))  # type: ignore[list-item]
    results = sarif["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert set(by_rule) == {"install-dynamic-code", "install-script"}
    assert "suppressions" not in by_rule["install-script"]
    assert by_rule["install-dynamic-code"]["suppressions"] == [{"kind": "external", "justification": "ours"}]
    rule_ids = [rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert rule_ids[by_rule["install-dynamic-code"]["ruleIndex"]] == "install-dynamic-code"


def test_text_shows_an_accepted_line_and_the_count() -> None:
    text = TextFormat().render(as_document([_accepted_report()]))  # type: ignore[list-item]
    assert "accepted [medium] install-dynamic-code: ours (until 2027-03-01)" in text
    assert "1 package: 0 block, 0 review, 1 allow; 1 accepted finding" in text


def test_html_shows_the_accepted_finding_with_its_reason() -> None:
    page = HtmlFormat().render(as_document([_accepted_report()]))  # type: ignore[list-item]
    assert "Accepted in airlock.toml (1, not counted)" in page
    assert "install-dynamic-code</code> accepted: ours (until 2027-03-01)" in page


# ---- end to end: scan and check read airlock.toml; the store never holds an acceptance ------------------
OLD = datetime.now(UTC) - timedelta(days=100)
ACCEPT_HOOKS = """
[[accept]]
package = "hooks"
version = "^2.11"
rule = "install-dynamic-code"
reason = "loads our own hooks config at install"
"""
EXPIRED_HOOKS = ACCEPT_HOOKS.replace("at install", "at install (until 2020)") + "expires = 2020-01-01\n"


@pytest.fixture
def hooks_project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    tarball = build_package(
        "hooks",
        "2.11.1",
        {"install.js": "const config = process.argv[2]; require(config);"},
        scripts={"postinstall": "node install.js"},
    )
    fake_registry.publish(
        "hooks", "2.11.1", tarball, manifest={"scripts": {"postinstall": "node install.js"}}, time=OLD
    )
    root = tmp_path / "app"
    root.mkdir()
    (root / "package.json").write_text(json.dumps({"name": "app", "dependencies": {"hooks": "^2.11.1"}}))
    dist = fake_registry.packument("hooks")["versions"]["2.11.1"]["dist"]
    lock = {
        "name": "app",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"name": "app", "dependencies": {"hooks": "^2.11.1"}},
            "node_modules/hooks": {
                "version": "2.11.1",
                "resolved": dist["tarball"],
                "integrity": dist["integrity"],
                "hasInstallScript": True,
            },
        },
    }
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2))
    return root


def _scan(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any], str]:
    argv = ["scan", "hooks@2.11.1", "--project", str(project), "-f", "json", "-j", "1", "--fail-on", "review"]
    code, out, err = run(argv, monkeypatch, capsys)
    return code, assert_valid_report(out), err


def test_scan_applies_acceptances_after_the_store(
    hooks_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, _ = _scan(hooks_project, monkeypatch, capsys)
    assert code == 1 and doc["packages"][0]["verdict"] == "review"

    (hooks_project / "airlock.toml").write_text(ACCEPT_HOOKS)
    code, doc, err = _scan(hooks_project, monkeypatch, capsys)
    [package] = doc["packages"]
    assert code == 0, err
    assert package["verdict"] == "allow"
    assert [a["rule"] for a in package["accepted"]] == ["install-dynamic-code"]
    assert "install-dynamic-code" not in [f["rule"] for f in package["findings"]]

    # Removing the entry needs no re-analysis, and the stored analysis was never changed by it.
    (hooks_project / "airlock.toml").unlink()
    code, doc, _ = _scan(hooks_project, monkeypatch, capsys)
    assert code == 1 and doc["packages"][0]["verdict"] == "review"
    assert "accepted" not in doc["packages"][0]


def test_an_expired_entry_warns_on_stderr_and_in_the_report(
    hooks_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (hooks_project / "airlock.toml").write_text(EXPIRED_HOOKS)
    argv = ["scan", "hooks@2.11.1", "--project", str(hooks_project), "-f", "text", "-j", "1"]
    code, out, err = run([*argv, "--fail-on", "review"], monkeypatch, capsys)
    expired = "accept entry for hooks@^2.11 rule install-dynamic-code expired on 2020-01-01"
    assert code == 1
    assert f"warning: {expired}: the finding is active again" in err
    assert f"note: {expired}: the finding is active again" in out
    assert "REVIEW" in out and "accepted [" not in out


def test_check_applies_acceptances_and_names_unused_entries(
    hooks_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = '\n[[accept]]\npackage = "left-pad"\nversion = "*"\nrule = "install-script"\nreason = "gone"\n'
    (hooks_project / "airlock.toml").write_text(ACCEPT_HOOKS + stale)
    code, out, err = run(
        ["check", "app", "-f", "text", "-j", "1", "--fail-on", "review"], monkeypatch, capsys
    )
    assert code == 0, out + err
    assert "accepted [medium] install-dynamic-code: loads our own hooks config at install" in out
    assert "1 package: 0 block, 0 review, 1 allow; 1 accepted finding" in out
    assert "note: accept entry for left-pad@* rule install-script matched no finding" in out
    code, out, _ = run(["check", "app", "-f", "sarif", "-j", "1"], monkeypatch, capsys)
    results = assert_valid_sarif(out)["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["install-dynamic-code"]
