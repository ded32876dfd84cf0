"""`compare`: two stored results → the change between them, with nothing analysed again."""

from __future__ import annotations

from collections.abc import Mapping

from airlock.diff.compare import FileInfo, PackageSide, added_dependencies, compare, declared_manifest
from airlock.diff.model import Attention, ChangeKind, DependencyAdded, Side
from airlock.errors import OperationalError
from airlock.model import Capabilities, Evidence, Finding, PackageReport, Severity, Verdict


def report(
    version: str,
    *,
    builtin: Mapping[str, tuple[Evidence, ...]] | None = None,
    findings: tuple[Finding, ...] = (),
    scripts: Mapping[str, str] | None = None,
    verdict: Verdict = Verdict.ALLOW,
) -> PackageReport:
    return PackageReport(
        target=f"pkg@{version}",
        name="pkg",
        version=version,
        integrity=None,
        verdict=verdict,
        capabilities=Capabilities(builtin=builtin or {}),
        findings=findings,
        install_scripts=scripts or {},
        skipped=(),
    )


def test_capabilities_gained_and_lost_carry_the_evidence_of_their_own_version() -> None:
    old_at = (Evidence("a.js", 3),)
    new_at = (Evidence("b.js", 7, snippet="https.get(u)"),)
    change = compare(
        PackageSide(report("1.0.0", builtin={"fs.readFileSync": old_at})),
        PackageSide(report("1.0.1", builtin={"https.get": new_at})),
    )
    assert dict(change.capabilities_added) == {"https.get": new_at}
    assert dict(change.capabilities_removed) == {"fs.readFileSync": old_at}
    assert change.attention is Attention.HIGH  # a network call is a risky capability


def test_findings_are_matched_by_rule_and_files_not_by_line_or_message() -> None:
    moved = Finding("encoded-blob", Severity.INFO, "blob in a.js", (Evidence("a.js", 1),))
    moved_down = Finding("encoded-blob", Severity.INFO, "blob in a.js (v2)", (Evidence("a.js", 40),))
    new = Finding("obfuscated-code", Severity.MEDIUM, "obfuscator output", (Evidence("b.js", 1),))
    gone = Finding("hidden-code", Severity.HIGH, "hidden", (Evidence("c.js", 1),))
    change = compare(
        PackageSide(report("1.0.0", findings=(moved, gone))),
        PackageSide(report("1.0.1", findings=(moved_down, new), verdict=Verdict.REVIEW)),
    )
    assert change.findings_added == (new,)
    assert change.findings_removed == (gone,)
    assert change.became_obfuscated == ("b.js",)
    assert change.verdict is Verdict.REVIEW


def test_scripts_files_bins_and_maintainers() -> None:
    old = PackageSide(
        report("1.0.0", scripts={"install": "node a.js", "preinstall": "echo hi"}),
        files=(FileInfo("a.js", 10, "x\ny\n"), FileInfo("gone.js", 5, "z\n")),
        bin={"pkg": "cli.js"},
        maintainers=("alice",),
    )
    new = PackageSide(
        report("1.0.1", scripts={"install": "node b.js", "postinstall": "node a.js"}),
        files=(FileInfo("a.js", 16, "x\ny\nw\nv\n"), FileInfo("new.js", 9, "1\n2\n3\n")),
        bin={"pkg": "cli.js", "pkg2": "cli2.js"},
        maintainers=("alice", "mallory"),
    )
    change = compare(old, new)
    assert [(s.hook, s.kind) for s in change.scripts_changed] == [
        ("install", ChangeKind.CHANGED),
        ("postinstall", ChangeKind.ADDED),
        ("preinstall", ChangeKind.REMOVED),
    ]
    assert [(f.path, f.kind, f.size_delta, f.lines) for f in change.files] == [
        ("a.js", ChangeKind.CHANGED, 6, 2),
        ("gone.js", ChangeKind.REMOVED, -5, 0),
        ("new.js", ChangeKind.ADDED, 9, 3),
    ]
    assert [(b.name, b.kind) for b in change.bin_changes] == [("pkg2", ChangeKind.ADDED)]
    assert change.maintainers_changed.added == ("mallory",) and not change.maintainers_changed.removed
    assert change.attention is Attention.HIGH  # new install code


def test_unknown_maintainers_are_no_change() -> None:
    change = compare(PackageSide(report("1"), maintainers=None), PackageSide(report("2"), maintainers=("x",)))
    assert not change.maintainers_changed


def test_a_file_that_became_minified() -> None:
    readable = "function f(a) {\n  return a;\n}\n" * 200
    minified = "function f(a){return a}" * 200
    change = compare(
        PackageSide(report("1"), files=(FileInfo("dist/x.js", len(readable), readable),)),
        PackageSide(report("2"), files=(FileInfo("dist/x.js", len(minified), minified),)),
    )
    assert change.became_minified == ("dist/x.js",)
    unchanged = compare(
        PackageSide(report("1"), files=(FileInfo("dist/x.js", len(minified), minified),)),
        PackageSide(report("2"), files=(FileInfo("dist/x.js", len(minified), minified + ";"),)),
    )
    assert unchanged.became_minified == ()


def test_a_dependency_added_raises_the_parents_verdict() -> None:
    dependency = DependencyAdded(
        "evil", "^0.1.0", "0.1.1", Verdict.BLOCK, capabilities=("crypto.createDecipher",)
    )
    change = compare(PackageSide(report("1")), PackageSide(report("2")), (dependency,))
    assert change.verdict is Verdict.BLOCK and change.attention is Attention.HIGH
    assert change.dependencies_added == (dependency,)


def test_declared_manifest_and_added_dependencies() -> None:
    text = '{"name": "@s/tool", "bin": "cli.js", "dependencies": {"a": "^1"}, "optionalDependencies": {"b": "2"}}'
    dependencies, bins = declared_manifest((FileInfo("package.json", len(text), text),))
    assert dependencies == {"a": "^1", "b": "2"} and bins == {"tool": "cli.js"}
    assert declared_manifest((FileInfo("package.json", 3, "[1]"),)) == ({}, {})
    old = PackageSide(report("1"), dependencies={"a": "^1"})
    new = PackageSide(report("2"), dependencies={"a": "^1", "c": "~3"})
    assert added_dependencies(old, new) == {"c": "~3"}
    assert compare(new, old).dependencies_removed == ("c",)


def test_a_version_not_analysed_is_never_compared_as_clean() -> None:
    failure = OperationalError("could not fetch the tarball of pkg@1.0.1")
    had = {"https.get": (Evidence("a.js", 1),)}
    failed = PackageSide(report("1.0.1"), failure=failure)
    change = compare(PackageSide(report("1.0.0", builtin=had)), failed)
    assert change.verdict is Verdict.REVIEW and change.attention is Attention.HIGH
    assert [(n.label, n.side) for n in change.not_analysed] == [("pkg@1.0.1", Side.NEW)]
    assert [f.rule for f in change.findings_added] == ["target-failed"]
    assert dict(change.capabilities_removed) == {} and change.files == ()  # unknown, not gone

    change = compare(PackageSide(report("1.0.0"), failure=failure), PackageSide(report("1.0.1", builtin=had)))
    assert [n.side for n in change.not_analysed] == [Side.OLD]
    assert dict(change.capabilities_added) == had  # the old version counts as nothing
    assert change.verdict is Verdict.REVIEW and change.attention is Attention.HIGH
