"""Model objects for report and store tests: a realistic set of reports, and hypothesis strategies."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from airlock.model import (
    EMPTY_CAPABILITIES,
    SNIPPET_MAX,
    Capabilities,
    Evidence,
    Finding,
    PackageAnalysis,
    PackageReport,
    Severity,
    Skipped,
    Verdict,
)
from airlock.report import ReportDocument, ReportKind, ToolInfo, TreeInfo

TOOL = ToolInfo(version="0.1.0", analyzer="0.1.0+a1")


def as_document(reports: Sequence[PackageReport], tool: ToolInfo = TOOL) -> ReportDocument:
    """A scan's report document holding `reports`, as every format receives it."""
    return ReportDocument(ReportKind.SCAN, tool, tuple(reports))


INTEGRITY = "sha512-" + "A" * 86 + "=="
HOSTILE_SNIPPET = "x = '[red]pwned[/red]' + '\x1b[31mRED\x1b[0m' + '\u202eevil' + '\x9b2J'"


def ev(file: str, line: int, column: int | None = None, snippet: str | None = None) -> Evidence:
    return Evidence(file, line, column, snippet)


def allowed() -> PackageReport:
    return PackageReport(
        target="left-pad@1.3.0",
        name="left-pad",
        version="1.3.0",
        integrity=INTEGRITY,
        verdict=Verdict.ALLOW,
        capabilities=Capabilities(
            builtin={"fs.readFileSync": (ev("index.js", 3, 9, "fs.readFileSync(p, 'utf8')"),)},
        ),
        findings=(),
        install_scripts={},
        skipped=(),
    )


def review() -> PackageReport:
    many = tuple(ev(f"lib/f{i}.js", i + 1) for i in range(5))
    return PackageReport(
        target="@scope/native-thing@^2",
        name="@scope/native-thing",
        version="2.0.0",
        integrity="sha1-" + "b" * 27 + "=",
        verdict=Verdict.REVIEW,
        capabilities=Capabilities(
            builtin={"fs": many, "fs/promises.readFile": (ev("lib/a.js", 2),)},
            globals={"process.env": (ev("lib/env.js", 1, 1),), "eval": (ev("lib/eval.js", 4, 2, "eval(s)"),)},
            dynamic=(ev("lib/load.js", 9, 5, "require(name)"), ev("lib/load.js", 12, 5, "import(x)")),
            native=True,
        ),
        findings=(
            Finding("install-script", Severity.MEDIUM, "Runs an install script.", (ev("package.json", 5),)),
            Finding("obfuscated-code", Severity.LOW, "Looks obfuscated.", (ev("dist/min.js", 1, 1000),)),
        ),
        install_scripts={"preinstall": "echo hi", "install": "node-gyp rebuild"},
        skipped=(Skipped("larger than the per-file cap", "dist/huge.min.js"), Skipped("binary file")),
        paths=("app>@scope/native-thing", "app>other>@scope/native-thing"),
        from_store=True,
    )


def blocked() -> PackageReport:
    return PackageReport(
        target="evil-pkg@1.0.0",
        name="evil-pkg",
        version="1.0.0",
        integrity="sha256-" + "c" * 43 + "=",
        verdict=Verdict.BLOCK,
        capabilities=Capabilities(
            builtin={
                "child_process.exec": (ev("steal.js", 4, 3, "cp.exec(cmd)"),),
                "https.request": (ev("steal.js", 10, 1, "https.request(opts)"),),
            },
            globals={"process.env": (ev("steal.js", 2, 14, "JSON.stringify(process.env)"),)},
        ),
        findings=(
            Finding(
                "exfiltrate-env",
                Severity.CRITICAL,
                "Sends the environment to a remote host.",
                (
                    ev("steal.js", 2, 14, "JSON.stringify(process.env)"),
                    ev("steal.js", 10, 1, "https.request(opts)"),
                    ev("steal.js", 10, 1, "https.request(opts)"),
                ),
            ),
            Finding("install-script-network", Severity.HIGH, "Install script uses the network."),
            Finding(
                "hostile-snippet",
                Severity.INFO,
                "Quotes attacker text.",
                (ev("a b#?%.js", 1, 1, HOSTILE_SNIPPET),),
            ),
        ),
        install_scripts={"postinstall": "node steal.js"},
        skipped=(),
    )


def failed() -> PackageReport:
    """A target that could not be analysed: no name, version or integrity, still an entry."""
    return PackageReport(
        target="./vendor/[red]broken[/red].tgz",
        name=None,
        version=None,
        integrity=None,
        verdict=Verdict.REVIEW,
        capabilities=EMPTY_CAPABILITIES,
        findings=(
            Finding("target-failed", Severity.HIGH, "could not read the tarball\nhint: re-download it"),
        ),
        install_scripts={},
        skipped=(),
    )


def sample_reports() -> list[PackageReport]:
    return [allowed(), review(), blocked(), failed()]


# --- hypothesis strategies ----------------------------------------------------------------------------

_text = st.text(max_size=40)
_ident = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,8}(\.[A-Za-z0-9_$]{1,8}){0,2}", fullmatch=True)

evidence_st = st.builds(
    Evidence,
    file=st.text(min_size=1, max_size=30),
    line=st.integers(min_value=1, max_value=10**6),
    column=st.none() | st.integers(min_value=1, max_value=10**4),
    snippet=st.none() | st.text(max_size=SNIPPET_MAX),
)
_evidence_tuple = st.lists(evidence_st, max_size=3).map(tuple)
_capability_map = st.dictionaries(_ident, _evidence_tuple, max_size=4)

capabilities_st = st.builds(
    Capabilities,
    builtin=_capability_map,
    globals=_capability_map,
    dynamic=_evidence_tuple,
    native=st.booleans(),
)
finding_st = st.builds(
    Finding,
    rule=st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True),
    severity=st.sampled_from(Severity),
    message=_text,
    evidence=_evidence_tuple,
)
skipped_st = st.builds(Skipped, reason=_text, file=st.none() | _text)
analysis_st = st.builds(
    PackageAnalysis,
    name=st.none() | _text,
    version=st.none() | _text,
    capabilities=capabilities_st,
    findings=st.lists(finding_st, max_size=4).map(tuple),
    install_scripts=st.dictionaries(_text, _text, max_size=3),
    skipped=st.lists(skipped_st, max_size=3).map(tuple),
    analyzer=st.text(min_size=1, max_size=20),
)


def analysis(name: str = "pkg", analyzer: str = "0.1.0+a1", *, marker: str = "") -> PackageAnalysis:
    """A small concrete analysis; `marker` makes otherwise equal analyses distinguishable."""
    return PackageAnalysis(
        name=name,
        version="1.0.0",
        capabilities=Capabilities(builtin={"fs.readFileSync": (ev("index.js", 1, 1, marker or None),)}),
        findings=(
            Finding("install-script", Severity.MEDIUM, f"runs a script {marker}", (ev("package.json", 3),)),
        ),
        install_scripts={"postinstall": "node x.js"},
        skipped=(Skipped("too big", "big.js"),),
        analyzer=analyzer,
    )


# --- triage: trees with repeated findings ---------------------------------------------------------------


def tree_document(reports: Sequence[PackageReport], *, header: str | None = None) -> ReportDocument:
    """A `check` report document holding `reports` in tree order, as every format receives it."""
    return ReportDocument(
        ReportKind.CHECK,
        TOOL,
        tuple(reports),
        notes=("maintainer changes: unavailable",),
        tree=TreeInfo(
            header=header or f"package-lock.json (package-lock.json v3): {len(reports)} packages",
            lockfile="package-lock.json",
            lockfile_uri="package-lock.json",
            entry_lines=tuple(range(10, 10 + len(reports))),
        ),
    )


def plain(name: str, version: str = "1.0.0") -> PackageReport:
    """An allowed package with nothing to say."""
    return PackageReport(
        target=f"{name}@{version}",
        name=name,
        version=version,
        integrity=INTEGRITY,
        verdict=Verdict.ALLOW,
        capabilities=EMPTY_CAPABILITIES,
        findings=(),
        install_scripts={},
        skipped=(),
        paths=(name,),
    )


def exfiltrating(version: str, *, host: str = "collect.example.invalid") -> PackageReport:
    """`stealer@version` sends npm tokens out; the message names its own version, as real messages do."""
    return PackageReport(
        target=f"stealer@{version}",
        name="stealer",
        version=version,
        integrity=INTEGRITY,
        verdict=Verdict.BLOCK,
        capabilities=Capabilities(builtin={"https.request": (ev("index.js", 7, 1, "https.request(o)"),)}),
        findings=(
            Finding(
                "credential-exfiltration",
                Severity.CRITICAL,
                f"stealer@{version} reads ~/.npmrc and sends it to {host} (when the package is loaded)",
                (ev("index.js", 3, 5, "fs.readFileSync(npmrc)"), ev("index.js", 7, 1, "https.request(o)")),
            ),
        ),
        install_scripts={},
        skipped=(),
        paths=("app>stealer",),
    )


def young(name: str, version: str) -> PackageReport:
    """A review from a context signal whose rule declares its own action."""
    return PackageReport(
        target=f"{name}@{version}",
        name=name,
        version=version,
        integrity=INTEGRITY,
        verdict=Verdict.REVIEW,
        capabilities=EMPTY_CAPABILITIES,
        findings=(
            Finding(
                "young-version-changes",
                Severity.MEDIUM,
                f"{name}@{version} was published 2026-12-01 10:00 UTC, 1.0 days ago",
                (ev("package-lock.json", 40),),
            ),
        ),
        install_scripts={},
        skipped=(),
        paths=(f"app>{name}",),
    )


def triage_tree() -> list[PackageReport]:
    """Tree order mixing verdicts: allowed first, a review, three versions of one blocked package (same
    finding up to the version), a block that says something else, more allowed."""
    return [
        plain("alpha"),
        young("fresh", "2.0.0"),
        exfiltrating("1.0.0"),
        plain("beta"),
        exfiltrating("1.0.1"),
        exfiltrating("1.1.0"),
        exfiltrating("2.0.0", host="other.example.invalid"),
        plain("gamma"),
    ]
