from __future__ import annotations

from airlock.errors import OperationalError
from airlock.integrity import IntegrityError
from airlock.model import EMPTY_CAPABILITIES, Finding, PackageAnalysis, Severity, Verdict
from airlock.pipeline.requests import NotFetched, PackageRequest
from airlock.pipeline.results import Identity, PackageResult, RegistryView
from airlock.verdict import adjust, decide, judge


def f(severity: Severity, rule: str = "r") -> Finding:
    return Finding(rule, severity, "m")


def test_verdict_thresholds() -> None:
    assert decide([]) is Verdict.ALLOW
    assert decide([f(Severity.INFO), f(Severity.LOW)]) is Verdict.ALLOW
    assert decide([f(Severity.MEDIUM)]) is Verdict.REVIEW
    assert decide([f(Severity.HIGH), f(Severity.LOW)]) is Verdict.REVIEW
    assert decide([f(Severity.LOW), f(Severity.CRITICAL)]) is Verdict.BLOCK


def test_overrides_apply_before_deciding() -> None:
    findings = [f(Severity.CRITICAL, "noisy"), f(Severity.LOW, "quiet")]
    adjusted = adjust(findings, {"noisy": Severity.LOW, "quiet": Severity.HIGH})
    assert [x.severity for x in adjusted] == [Severity.LOW, Severity.HIGH]
    assert decide(adjusted) is Verdict.REVIEW


# ---- judge: every verdict, failures included, in one place ----------------------------------------------
def _result(**kwargs: object) -> PackageResult:
    request = PackageRequest("pkg@1.0.0", NotFetched(), name="pkg", version="1.0.0")
    return PackageResult(request, Identity("pkg", "1.0.0", "sha512-x"), **kwargs)  # type: ignore[arg-type]


def _analysis(*findings: Finding) -> PackageAnalysis:
    return PackageAnalysis("pkg", "1.0.0", EMPTY_CAPABILITIES, tuple(findings), {}, (), "test")


def test_judge_combines_analysis_registry_and_context_findings() -> None:
    report = judge(
        _result(
            analysis=_analysis(f(Severity.LOW, "a")),
            registry=RegistryView(findings=(f(Severity.MEDIUM, "b"),)),
            context_findings=(f(Severity.INFO, "c"),),
        ),
        {},
    )
    assert [x.rule for x in report.findings] == ["a", "b", "c"]
    assert report.verdict is Verdict.REVIEW
    assert (report.name, report.version, report.integrity) == ("pkg", "1.0.0", "sha512-x")


def test_judge_honours_the_projects_severities() -> None:
    result = _result(analysis=_analysis(f(Severity.CRITICAL, "noisy")))
    assert judge(result, {}).verdict is Verdict.BLOCK
    assert judge(result, {"noisy": Severity.LOW}).verdict is Verdict.ALLOW


def test_a_failure_is_never_allowed_whatever_the_overrides() -> None:
    failed = _result(failure=OperationalError("registry down"))
    report = judge(failed, {"target-failed": Severity.INFO})
    assert report.verdict is Verdict.REVIEW
    assert [x.rule for x in report.findings] == ["target-failed"]


def test_tampered_bytes_block() -> None:
    tampered = _result(failure=IntegrityError("pkg@1.0.0", "sha512-aaa", "sha512-bbb"))
    assert judge(tampered, {}).verdict is Verdict.BLOCK
