"""Every incident replica gets its verdict and names the rules that caught it; every look-alike stays
allowed (or goes to review where the corpus says a human should look)."""

from __future__ import annotations

import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from airlock.analysis import analyze
from airlock.analysis.rules import all_rules
from airlock.contents import read_tarball
from airlock.model import PackageAnalysis
from airlock.pipeline.context import PackageContext
from airlock.pipeline.requests import NotFetched, PackageRequest
from airlock.pipeline.results import Identity, PackageResult
from airlock.tarball import DEFAULT_LIMITS, TarLimits
from airlock.verdict import decide
from tests.fakes.tarballs import build_package, build_tarball
from tests.incidents.corpus import BENIGN, INCIDENTS, Replica
from tests.incidents.replicas import MORE_LOOKALIKES
from tests.tarball.test_reader import END, GOOD, gz, info, make_tar, regular


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


# --------------------------------------------------------------------------------------------------
# Every rule is seen working: a positive fixture on which it fires, a benign look-alike on which it stays
# silent. Content rules use the corpus (a replica declaring a rule in `rules` is its positive fixture);
# tarball-shape rules have crafted archives below; lockfile and registry-metadata rules are exercised by
# tests/check/test_rules_covered.py, the `package` family by the scan pipeline's tests, and manifest
# confusion (which needs a registry manifest) by tests/pipeline/test_context.py; patch rules (a project's
# patch file, not package contents) by tests/test_patches.py and tests/check/test_patched_check.py; the
# policy rule (a project's policy, not package contents) by tests/policy/test_check_with_policy.py.

CONTENT_EXCLUDED_FAMILIES = {"tarball", "package", "lockfile", "metadata", "manifest", "patches", "policy"}
CONTENT_RULES = sorted(r.id for r in all_rules() if r.family not in CONTENT_EXCLUDED_FAMILIES)

EXTRA_LOOKALIKES = [
    Replica(
        "event-loop-with-exit",
        {
            "index.js": (
                "function pump(queue) {\n  while (true) {\n    const job = queue.shift();\n"
                "    if (!job) break;\n    job();\n  }\n}\nmodule.exports = pump;\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        "template-compiler-literal",
        {"index.js": "const render = new Function('data', 'return data.name');\nmodule.exports = render;\n"},
        "allow",
        frozenset(),
    ),
    Replica(
        "config-keyed-by-own-name",
        {
            "index.js": (
                "const pkg = require('./package.json');\n"
                "const table = { [pkg.name]: 'default' };\nmodule.exports = table;\n"
            )
        },
        "allow",
        frozenset(),
    ),
    Replica(
        "popular-name-itself",
        {"index.js": "module.exports = function debug() {};\n"},
        "allow",
        frozenset(),
        name="debug",
    ),
]
_REPLICAS = {r.id: r for r in [*INCIDENTS, *BENIGN, *EXTRA_LOOKALIKES]}

LOOKALIKES: dict[str, tuple[str, ...]] = {
    # rule: benign replicas that resemble what it looks for and must not trip it
    "analysis-incomplete": ("feature-detection-eval", "minified-bundle"),
    "browser-data-exfiltration": ("first-party-session-client", "telemetry-opt-in"),
    "bundled-executable": ("embedded-font",),
    "ci-workflow-write": ("husky-prepare",),
    "compiles-unresolved-code": ("template-compiler-literal",),
    "credential-exfiltration": ("dotenv-reads-env", "registry-auth-token-reader", "apm-wraps-https-request"),
    "cryptominer": ("cli-spawning-git", "node-gyp-native-build"),
    "detached-process": ("cli-spawning-git",),
    "disguised-executable": ("platform-binary-package",),
    "download-execute": ("http-client-library", "telemetry-opt-in"),
    "encoded-blob": ("i18n-locale-table", "minified-bundle"),
    "eval-decoded-payload": ("embedded-font", "require-from-string"),
    "eval-remote-code": ("http-client-library", "require-from-string"),
    "exfiltration-host": ("http-client-library", "telemetry-opt-in"),
    "geo-conditioned-destruction": ("public-ip-lookup",),
    "geolocation-lookup": ("http-client-library", "logger-reads-hostname"),
    "hidden-code": ("minified-bundle",),
    "install-dynamic-code": ("esbuild-style-platform-binary", "core-js-postinstall-banner"),
    "install-identity-beacon": ("telemetry-opt-in", "core-js-postinstall-banner"),
    "load-identity-beacon": ("telemetry-hostname-when-called", "logger-reads-hostname", "telemetry-opt-in"),
    "install-network": ("core-js-postinstall-banner", "node-gyp-native-build"),
    "install-obfuscated": ("core-js-postinstall-banner",),
    "install-runs-bundled-binary": ("node-gyp-native-build", "platform-binary-package"),
    "install-script": ("cli-spawning-git",),
    "install-secrets-network": ("puppeteer-browser-download", "registry-auth-token-reader"),
    "invisible-characters": ("i18n-locale-table",),
    "js-reverse-shell": ("http-client-library", "cli-spawning-git"),
    "module-level-endless-loop": ("event-loop-with-exit",),
    "obfuscated-code": ("minified-bundle",),
    "package-keyed-payload": ("config-keyed-by-own-name",),
    "persistence-write": ("husky-prepare",),
    "process-binding-without-native": ("node-gyp-native-build",),
    "publish-with-token": ("registry-auth-token-reader",),
    "secret-access": ("dotenv-reads-env", "logger-reads-hostname"),
    "secrets-with-network": ("registry-auth-token-reader", "telemetry-opt-in"),
    "self-propagation": ("release-tool-publishes",),
    "shell-destructive": ("husky-prepare", "node-gyp-native-build"),
    "shell-dns-beacon": ("husky-prepare", "node-gyp-native-build"),
    "shell-encoded-command": ("core-js-postinstall-banner", "node-gyp-native-build"),
    "shell-env-exfiltration": ("core-js-postinstall-banner", "husky-prepare"),
    "shell-fetch-and-run": ("puppeteer-browser-download", "node-gyp-native-build"),
    "shell-lolbin": ("husky-prepare", "node-gyp-native-build"),
    "shell-persistence": ("husky-prepare",),
    "shell-reverse-shell": ("core-js-postinstall-banner", "node-gyp-native-build"),
    "steganography": ("embedded-font",),
    "typosquat-name": ("popular-name-itself",),
    "unparsed-install-code": ("core-js-postinstall-banner", "esbuild-style-platform-binary"),
}
for _rule, _ids in MORE_LOOKALIKES.items():
    LOOKALIKES[_rule] = (*LOOKALIKES.get(_rule, ()), *_ids)


@pytest.mark.parametrize("rule", CONTENT_RULES)
def test_every_content_rule_fires_on_a_replica_that_declares_it(rule: str) -> None:
    """A rule no replica declares is a rule nobody has seen work; the replica must still trip it."""
    positives = [r for r in [*INCIDENTS, *BENIGN] if rule in r.rules]
    assert positives, f"no replica in tests/incidents/corpus.py declares {rule} in its rules"
    for replica in positives:
        analysis = analyse(replica)
        assert rule in {f.rule for f in analysis.findings}, f"{replica.id}\n{explain(analysis)}"


@pytest.mark.parametrize("rule", CONTENT_RULES)
def test_every_content_rule_stays_silent_on_its_benign_look_alikes(rule: str) -> None:
    lookalikes = LOOKALIKES.get(rule, ())
    assert lookalikes, f"{rule} has no benign look-alike in LOOKALIKES"
    for replica_id in lookalikes:
        replica = _REPLICAS[replica_id]
        assert replica.verdict == "allow" or replica in BENIGN, replica_id
        analysis = analyse(replica)
        assert rule not in {f.rule for f in analysis.findings}, f"{replica_id}\n{explain(analysis)}"


@pytest.mark.parametrize("replica", EXTRA_LOOKALIKES, ids=lambda r: r.id)
def test_extra_look_alikes_stay_allowed(replica: Replica) -> None:
    assert_expected_outcome(replica)


def test_look_alikes_name_only_declared_content_rules() -> None:
    assert set(LOOKALIKES) <= set(CONTENT_RULES), sorted(set(LOOKALIKES) - set(CONTENT_RULES))


# Tarball-shape rules: (positive archive, limits) and a benign archive shaped like it.
def _tarball_probes() -> dict[str, tuple[bytes, TarLimits, bytes]]:
    good = info("package/index.js", GOOD)
    tiny = TarLimits(max_members=3, max_total_bytes=100_000)
    big = [info(f"package/{i}.bin", bytes(range(256)) * 160) for i in range(4)]
    return {
        "tar-absolute-path": (
            make_tar([good, info("/etc/passwd", b"x")]),
            DEFAULT_LIMITS,
            make_tar([good, info("package/etc/passwd", b"x")]),
        ),
        "tar-path-traversal": (
            make_tar([good, info("package/../../.bashrc", b"x")]),
            DEFAULT_LIMITS,
            make_tar([good, info("package/a..b/..x.js", b"x")]),
        ),
        "tar-link-escape": (
            make_tar([good, info("package/key", kind=tarfile.SYMTYPE, link="../../.ssh/id_rsa")]),
            DEFAULT_LIMITS,
            make_tar([good, info("package/alias.js", kind=tarfile.SYMTYPE, link="index.js")]),
        ),
        "tar-special-member": (
            make_tar([good, info("package/pipe", kind=tarfile.FIFOTYPE)]),
            DEFAULT_LIMITS,
            make_tar([good, info("package/lib/", kind=tarfile.DIRTYPE)]),
        ),
        "tar-ambiguous-name": (
            regular("package/a\0junk\n.js") + END,
            DEFAULT_LIMITS,
            regular("package/a-junk.js") + END,
        ),
        "tar-too-many-members": (
            make_tar([info(f"package/{i}.js", GOOD) for i in range(5)]),
            tiny,
            make_tar([info(f"package/{i}.js", GOOD) for i in range(3)]),
        ),
        "tar-too-large": (make_tar(big), tiny, make_tar(big[:2])),
        "tarball-duplicate-member": (
            make_tar([good, info("package/lib.js", b"decoy"), info("package/lib.js", b"payload")]),
            DEFAULT_LIMITS,
            make_tar([good, info("package/./lib.js", b"same"), info("package/lib.js", b"same")]),
        ),
        "tar-compression-bomb": (
            gz(make_tar([good, info("package/bomb.bin", bytes(50 * 2**20))])),
            DEFAULT_LIMITS,
            gz(make_tar([good, info("package/data.bin", bytes(2**20))])),
        ),
    }


TARBALL_RULES = sorted(r.id for r in all_rules() if r.family == "tarball")


@pytest.mark.parametrize("rule", TARBALL_RULES)
def test_every_tarball_rule_fires_on_its_archive_and_not_on_the_benign_twin(rule: str) -> None:
    probes = _tarball_probes()
    assert rule in probes, f"{rule} has no crafted archive in _tarball_probes"
    hostile, limits, benign = probes[rule]
    assert rule in {f.rule for f in read_tarball(hostile, subject="probe", limits=limits).findings}
    assert read_tarball(benign, subject="probe", limits=limits).findings == ()


@pytest.mark.parametrize(
    ("manifest", "fires"),
    [
        ("{", True),
        ('["not", "an", "object"]', True),
        ('{"name": "ok", "version": "1.0.0", "description": "{"}', False),
    ],
)
def test_manifest_invalid_fires_on_a_broken_package_json_only(manifest: str, fires: bool) -> None:
    data = build_tarball({"package.json": manifest, "index.js": "module.exports = 1;\n"})
    rules = {f.rule for f in analyze(read_tarball(data, subject="probe")).findings}
    assert ("manifest-invalid" in rules) is fires


# Raised by the scan pipeline around acquisition (src/airlock/scan.py), not by the analysis: their
# positive cases fetch through the loopback registry in tests/test_scan.py.
PACKAGE_PIPELINE_RULES = {"integrity-mismatch", "target-failed"}


def test_package_rules_are_probed_here_or_in_the_scan_tests() -> None:
    declared = {r.id for r in all_rules() if r.family == "package"}
    assert declared == PACKAGE_PIPELINE_RULES | {"manifest-invalid"}
    scan_tests = (Path(__file__).parents[1] / "test_scan.py").read_text()
    for rule in PACKAGE_PIPELINE_RULES:
        assert f'== ["{rule}"]' in scan_tests, rule
