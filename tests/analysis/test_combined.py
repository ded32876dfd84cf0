"""The combination scheme (`airlock.analysis.rules.combined`): which findings add up, where, and what the
combined finding cites. Findings are built by hand so each case states exactly what meets where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from airlock.analysis.facts import PackageFacts, Reach
from airlock.analysis.rules import combined
from airlock.analysis.rules.registry import families
from airlock.model import Evidence, Finding, Severity


@dataclass(frozen=True)
class _Shell:
    evidence: Evidence
    install_time: bool


@dataclass(frozen=True)
class _Facts:
    """What `combine` reads of the facts: each file's reach and the shells that run at install."""

    reaches: dict[str, Reach]
    shells: tuple[_Shell, ...] = field(default=())
    reach_of = PackageFacts.reach_of  # the real rule over these fields

    def reach(self, path: str) -> Reach:
        if path.startswith("package.json"):
            return Reach.INSTALL
        return self.reaches.get(path, Reach.LIBRARY)


families()  # every family's declarations, which `combine` reads the classes from


def _facts(**reaches: Reach) -> PackageFacts:
    return cast(PackageFacts, _Facts({k.replace("_", "/") + ".js": v for k, v in reaches.items()}))


def _f(rule: str, severity: Severity, *files: str) -> Finding:
    return Finding(rule, severity, rule, tuple(Evidence(f, 1) for f in files))


def _combined(facts: PackageFacts, *findings: Finding) -> list[Finding]:
    return list(combined.combine(facts, findings))


def test_two_classes_at_install_add_up_to_critical() -> None:
    facts = _facts(setup=Reach.INSTALL)
    out = _combined(
        facts,
        _f("obfuscated-code", Severity.MEDIUM, "setup.js"),
        _f("detached-process", Severity.MEDIUM, "setup.js"),
        _f("obfuscated-code", Severity.MEDIUM, "setup.js"),
    )
    assert [(f.rule, f.severity) for f in out] == [("combined-behaviours", Severity.CRITICAL)]
    assert "concealment (obfuscated-code), process (detached-process)" in out[0].message
    assert len(out[0].evidence) == 2  # one per class


def test_one_class_never_adds_up_however_many_findings() -> None:
    facts = _facts(setup=Reach.INSTALL)
    assert not _combined(
        facts,
        _f("install-obfuscated", Severity.HIGH, "setup.js"),
        _f("obfuscated-code", Severity.MEDIUM, "setup.js"),
        _f("hidden-code", Severity.HIGH, "setup.js"),
    )


def test_low_findings_and_context_rules_do_not_count() -> None:
    facts = _facts(setup=Reach.INSTALL)
    assert not _combined(
        facts,
        _f("download-execute", Severity.LOW, "setup.js"),
        _f("detached-process", Severity.MEDIUM, "setup.js"),
        _f("install-dynamic-code", Severity.MEDIUM, "setup.js"),  # no class: context
        _f("secret-access", Severity.LOW, "setup.js"),
    )


def test_install_classes_may_come_from_different_install_files_and_scripts() -> None:
    facts = _facts(a=Reach.INSTALL)
    out = _combined(
        facts,
        _f("shell-lolbin", Severity.HIGH, "package.json"),
        _f("exfiltration-host", Severity.MEDIUM, "a.js"),
    )
    assert [f.rule for f in out] == ["combined-behaviours"]


def test_install_shell_files_count_as_install_time() -> None:
    shell = _Shell(Evidence("run.sh", 1), install_time=True)
    facts = cast(PackageFacts, _Facts({"a.js": Reach.INSTALL}, (shell,)))
    out = _combined(
        facts,
        _f("shell-persistence", Severity.HIGH, "run.sh"),
        _f("obfuscated-code", Severity.MEDIUM, "a.js"),
    )
    assert [f.rule for f in out] == ["combined-behaviours"]


def test_load_time_needs_one_file_and_one_high() -> None:
    facts = _facts(index=Reach.LOAD, vendor=Reach.LOAD)
    mediums = (
        _f("obfuscated-code", Severity.MEDIUM, "index.js"),
        _f("secrets-with-network", Severity.MEDIUM, "index.js"),
    )
    assert not _combined(facts, *mediums)  # two mediums in one load-time file: review
    apart = (
        _f("hidden-code", Severity.HIGH, "vendor.js"),
        _f("secrets-with-network", Severity.MEDIUM, "index.js"),
    )
    assert not _combined(facts, *apart)  # a bundle: unrelated files of one module graph
    out = _combined(facts, _f("hidden-code", Severity.HIGH, "index.js"), mediums[1])
    assert [f.rule for f in out] == ["combined-behaviours"]
    assert "index.js" in out[0].message


def test_a_flow_that_waits_for_a_call_meets_nothing_at_load() -> None:
    # aws-cdk's 10 MB bundle: a secret reaching a request only when a function is called, and a shell
    # completion template naming ~/.bashrc in the same load-time file, are not a load-time attack
    facts = _facts(index=Reach.LOAD)
    waiting = _f("secret-flow-in-function", Severity.HIGH, "index.js")
    persistence = _f("persistence-write", Severity.MEDIUM, "index.js")
    assert not _combined(facts, waiting, persistence)
    on_load = _f("credential-exfiltration", Severity.CRITICAL, "index.js")
    assert [f.rule for f in _combined(facts, on_load, persistence)] == ["combined-behaviours"]


def test_library_code_never_adds_up() -> None:
    facts = _facts()
    assert not _combined(
        facts,
        _f("hidden-code", Severity.HIGH, "lib/x.js"),
        _f("conditioned-exfiltration", Severity.HIGH, "lib/x.js"),
    )


def test_reach_is_the_strongest_among_a_findings_evidence() -> None:
    facts = _facts(setup=Reach.INSTALL)
    out = _combined(
        facts,
        _f("obfuscated-code", Severity.MEDIUM, "lib/other.js", "setup.js"),
        _f("persistence-write", Severity.MEDIUM, "setup.js"),
    )
    assert [e.file for e in out[0].evidence] == ["setup.js", "setup.js"]
