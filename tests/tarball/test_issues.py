"""Typed issues: duplicates as npm installs them, the issue-to-rule mapping, and the reader's layering."""

from __future__ import annotations

import ast
import tarfile
from pathlib import Path

import pytest

import airlock.tarball
from airlock.analysis.rules import tarball as rules
from airlock.tarball.issues import MAX_ISSUES_PER_KIND, IssueKind, ReadResult, TarIssue
from tests.fakes.tarballs import build_package
from tests.tarball.test_reader import GOOD, data_of, info, make_tar, only, paths, read, where

PACKAGE = Path(airlock.tarball.__file__).parent


def test_a_path_written_twice_keeps_the_last_copy_and_is_reported() -> None:
    contents = read(
        make_tar([info("package/a.js", b"first"), info("package/b.js"), info("package/a.js", b"x")])
    )
    assert paths(contents) == ["b.js", "a.js"]
    assert data_of(contents, "a.js") == b"x"
    finding = only(contents, "tarball-duplicate-member")
    assert finding.severity == rules.DUPLICATE_MEMBER.severity
    assert where(finding) == "package/a.js"
    assert "with other bytes; npm installs the last copy" in finding.message


def test_the_duplicate_finding_names_both_copies_and_which_one_npm_installs() -> None:
    contents = read(make_tar([info("package/lib/a.js", b"decoy"), info("x/lib/a.js", b"payload")]))
    message = only(contents, "tarball-duplicate-member").message
    assert "'package/lib/a.js' and 'x/lib/a.js' both install at 'lib/a.js'" in message
    assert "npm installs the last copy ('x/lib/a.js') and that is the one analysed" in message
    assert "the earlier copy ('package/lib/a.js'" in message


def test_different_first_components_that_strip_to_one_path_are_duplicates() -> None:
    contents = read(make_tar([info("package/lib/a.js", b"benign"), info("x/lib/a.js", b"payload")]))
    assert data_of(contents, "lib/a.js") == b"payload"
    assert where(only(contents, "tarball-duplicate-member")) == "x/lib/a.js"


def test_an_oversized_last_copy_drops_the_earlier_one() -> None:
    # npm installs the big file; the small earlier copy must not stand in for it in the analysis.
    limits = airlock.tarball.TarLimits(max_member_bytes=1024)
    contents = read(make_tar([info("package/a.js", GOOD), info("package/a.js", b"x" * 2048)]), limits)
    assert paths(contents) == []
    assert [f.rule for f in contents.findings] == ["tarball-duplicate-member", "tar-too-large"]


def test_a_directory_member_replaces_an_earlier_file_of_its_path() -> None:
    members = [info("package/lib", GOOD), info("package/lib", kind=tarfile.DIRTYPE), info("package/lib/a.js")]
    contents = read(make_tar(members))
    assert paths(contents) == ["lib/a.js"]
    assert "replaces the file with the directory" in only(contents, "tarball-duplicate-member").message


def test_a_repeat_with_the_same_bytes_is_no_decoy() -> None:
    # @rollup/pluginutils 5.5.1 ships `package/./dist/cjs/index.js` and `package/dist/cjs/index.js`.
    members = [info("package/./dist/index.js", GOOD), info("package/dist/index.js", GOOD)]
    contents = read(make_tar(members))
    assert paths(contents) == ["dist/index.js"]
    assert contents.findings == ()


def test_ordinary_layouts_have_no_duplicates() -> None:
    members = [
        info("package", kind=tarfile.DIRTYPE),
        info("package/lib", kind=tarfile.DIRTYPE),
        info("package/lib/index.js", GOOD),
        info("package/index.js", GOOD),
        info("package/src/index.js", GOOD),
        info("package/lib", kind=tarfile.DIRTYPE),  # a directory listed twice writes no file
    ]
    contents = read(make_tar(members))
    assert paths(contents) == ["lib/index.js", "index.js", "src/index.js"]
    assert contents.findings == ()
    assert read(build_package("left-pad", "1.3.0", {"index.js": GOOD, "lib/index.js": GOOD})).findings == ()


def test_every_issue_kind_has_a_rule_of_the_tarball_family() -> None:
    assert set(rules.RULE_FOR) == set(IssueKind)
    assert set(rules.RULE_FOR.values()) == set(rules.rules)
    assert {rule.family for rule in rules.rules} == {rules.name}


def test_issues_past_the_cap_become_one_line_per_rule_sorted_by_rule_id() -> None:
    issues = tuple(
        TarIssue(IssueKind.ABSOLUTE_PATH, f"/abs/{i}", "detail") for i in range(MAX_ISSUES_PER_KIND)
    )
    result = ReadResult((), issues, ((IssueKind.SPECIAL_MEMBER, 2), (IssueKind.ABSOLUTE_PATH, 5)), ())
    findings = rules.findings(result)
    assert len(findings) == MAX_ISSUES_PER_KIND + 2
    assert [(f.rule, f.message) for f in findings[-2:]] == [
        ("tar-absolute-path", "5 more members like the above were not listed"),
        ("tar-special-member", "2 more members like the above were not listed"),
    ]


def test_link_issues_show_their_target_in_the_snippet() -> None:
    finding = rules.finding(TarIssue(IssueKind.LINK_ESCAPE, "package/l\n", "detail", target="/etc/x"))
    assert finding.evidence[0].file == "package/l\\n"
    assert finding.evidence[0].snippet == "package/l\\n -> /etc/x"


def _imports(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("module", sorted(p.name for p in PACKAGE.glob("*.py")))
def test_the_readers_do_not_import_the_rules(module: str) -> None:
    imported = _imports(PACKAGE / module)
    assert imported, module  # the parse found the module's imports at all
    assert not [name for name in imported if name.startswith("airlock.analysis")], module


def test_issues_become_findings_outside_the_reader_package() -> None:
    contents = PACKAGE.parent / "contents.py"
    assert "airlock.analysis.rules" in _imports(contents)  # `from airlock.analysis.rules import tarball`
