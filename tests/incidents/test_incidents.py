"""Every incident replica gets its verdict and names the rules that caught it; every look-alike stays
allowed (or goes to review where the corpus says a human should look)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from airlock.analysis import analyze
from airlock.analysis.rules import all_rules
from airlock.model import PackageAnalysis
from airlock.pipeline.context import PackageContext
from airlock.pipeline.requests import NotFetched, PackageRequest
from airlock.pipeline.results import Identity, PackageResult
from airlock.tarball import read_tarball
from airlock.verdict import decide
from tests.fakes.tarballs import build_package
from tests.incidents.corpus import BENIGN, INCIDENTS, Replica


def analyse(replica: Replica) -> PackageAnalysis:
    """The analysis of the replica's bytes plus what the context stage adds for a package installed under
    the replica's name (typosquats are judged on the installed name)."""
    name = replica.name or replica.id
    data = build_package(name, "1.0.0", replica.files, **replica.manifest)
    analysis = analyze(read_tarball(data, subject=name))
    request = PackageRequest(name, NotFetched(), name=name, version="1.0.0")
    result = PackageContext().package_findings(
        0, PackageResult(request, Identity(name, "1.0.0"), analysis=analysis)
    )
    return replace(analysis, findings=(*analysis.findings, *result.context_findings))


def explain(analysis: PackageAnalysis) -> str:
    return "\n".join(f"  {f.rule} [{f.severity.value}] {f.message}" for f in analysis.findings)


def assert_expected_outcome(replica: Replica) -> None:
    analysis = analyse(replica)
    rules = {f.rule for f in analysis.findings}
    assert decide(analysis.findings).value == replica.verdict, explain(analysis)
    assert replica.rules <= rules, f"missing {replica.rules - rules}\n{explain(analysis)}"


@pytest.mark.parametrize("replica", INCIDENTS, ids=lambda r: r.id)
def test_incident_replica_gets_its_verdict(replica: Replica) -> None:
    assert_expected_outcome(replica)


@pytest.mark.parametrize("replica", BENIGN, ids=lambda r: r.id)
def test_benign_look_alike_stays_allowed(replica: Replica) -> None:
    assert_expected_outcome(replica)


def test_corpus_size() -> None:
    assert len(INCIDENTS) >= 20
    assert len(BENIGN) >= 15


def test_blocks_name_rules_and_evidence() -> None:
    for replica in INCIDENTS:
        analysis = analyse(replica)
        if decide(analysis.findings).value != "block":
            continue
        critical = [f for f in analysis.findings if f.severity.value == "critical"]
        assert critical, replica.id
        assert all(f.evidence for f in critical), replica.id


def test_every_detection_rule_fires_somewhere_in_the_corpus() -> None:
    """A rule no replica exercises is a rule nobody has seen work. Rules about tarball shape and fetch
    failures have their own positive tests (tests/test_tarball.py, tests/test_scan.py), lockfile and
    registry-metadata rules are exercised by `airlock check`'s tests (tests/check/), and manifest
    confusion needs a registry manifest (tests/pipeline/test_context.py)."""
    fired = {f.rule for replica in [*INCIDENTS, *BENIGN] for f in analyse(replica).findings}
    tested_elsewhere = {
        r.id for r in all_rules() if r.family in {"tarball", "package", "lockfile", "metadata", "manifest"}
    }
    silent = {r.id for r in all_rules()} - fired - tested_elsewhere
    assert silent == set(), f"rules without a positive case: {sorted(silent)}"
