"""Every lockfile and registry-metadata rule is seen working: it fires on a positive fixture and stays
silent on a benign one shaped like it, both run here through the same functions `airlock check` calls.
A rule added without a probe fails here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from airlock.analysis.rules import all_rules
from airlock.check.lockfile import integrity_finding, source_findings
from airlock.registry.packument import Maintainer
from airlock.tree import LockfileInput, read_lockfile
from airlock.tree.model import DependencyTree, LockedPackage, Source
from tests.check.test_lockfile import NPMJS, OTHER_SRI, SRI, _entry, _manifest
from tests.check.test_metadata import _packument, _rules, _version
from tests.tree.conftest import fixture_input

# Raised only where the checker combines a tree with two registries (src/airlock/check/run.py): their
# positive and benign cases run the whole `airlock check` against loopback registries in test_check.py.
PIPELINE_ONLY = {"dependency-confusion": "test_check.py"}


def _lockfile(package: LockedPackage, *, records_integrity: bool = True) -> set[str]:
    tree = DependencyTree("package-lock.json", "package-lock.json v3", (), {}, records_integrity)
    return {f.rule for f in source_findings(tree, package, NPMJS)}


def _integrity(package: LockedPackage, registry_sri: str) -> set[str]:
    finding = integrity_finding(
        DependencyTree("package-lock.json", "v3", ()), package, _manifest(registry_sri)
    )
    return set() if finding is None else {finding.rule}


def _metadata(*versions: tuple[str, dict[str, object]], ages: dict[str, float] | None = None) -> set[str]:
    doc = _packument(*(_version(v, **fields) for v, fields in versions), ages=ages)
    return set(_rules(doc, versions[-1][0]))


def _out_of_sync(once_range: str) -> set[str]:
    """The npm-v3 fixture with package.json's `once` range edited and the lockfile left as it was."""
    data = fixture_input("npm-v3")
    root = dict(data.manifests[""])
    root["dependencies"] = {**root["dependencies"], "once": once_range}  # type: ignore[dict-item]
    tree = read_lockfile(LockfileInput(data.file, data.text, {"": root}))
    return {f.rule for p in tree.packages.values() for f in source_findings(tree, p, NPMJS)}


OLD = {"1.0.0": 400.0, "1.0.1": 300.0}
Probe = Callable[[], set[str]]
PROBES: dict[str, tuple[Probe, Probe]] = {
    # rule: (positive, benign look-alike)
    "lockfile-foreign-host": (
        lambda: _lockfile(_entry(resolved="https://npm.attacker.example.com/left-pad/-/left-pad-1.3.0.tgz")),
        lambda: _lockfile(_entry(resolved="https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz")),
    ),
    "lockfile-insecure-url": (
        lambda: _lockfile(_entry(resolved="http://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz")),
        lambda: _lockfile(_entry(resolved="https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz")),
    ),
    "lockfile-url-mismatch": (
        lambda: _lockfile(_entry(resolved="https://registry.npmjs.org/left-pad/-/left-pad-1.2.0.tgz")),
        lambda: _lockfile(
            _entry(
                name="@babel/core",
                version="7.25.0",
                resolved="https://registry.npmjs.org/@babel/core/-/core-7.25.0.tgz",
            )
        ),
    ),
    "lockfile-missing-integrity": (
        lambda: _lockfile(_entry(integrity=None)),
        lambda: _lockfile(_entry(integrity=None), records_integrity=False),  # yarn v1 may omit it
    ),
    "lockfile-integrity-malformed": (
        lambda: _lockfile(_entry(integrity="sha512-AAAA")),
        lambda: _lockfile(_entry()),
    ),
    "lockfile-integrity-mismatch": (
        lambda: _integrity(_entry(integrity=OTHER_SRI), SRI),
        lambda: _integrity(_entry(), SRI),
    ),
    "lockfile-out-of-sync": (
        lambda: _out_of_sync("^2.0.0"),  # locked 1.4.0: npm ci refuses
        lambda: _out_of_sync("^1.3.0"),  # edited, but 1.4.0 still satisfies it: npm ci accepts
    ),
    "unverifiable-source": (
        lambda: _lockfile(
            _entry(source=Source.GIT, resolved="git+ssh://git@github.com/a/b.git#abc", integrity=None)
        ),
        lambda: _lockfile(_entry()),
    ),
    "local-source": (
        lambda: _lockfile(_entry(source=Source.FILE, resolved="../vendor/left-pad", integrity=None)),
        lambda: _lockfile(_entry(resolved=None)),
    ),
    "young-version": (
        lambda: _metadata(("1.0.0", {}), ("1.0.1", {}), ages={"1.0.0": 400, "1.0.1": 2}),
        lambda: _metadata(("1.0.0", {}), ("1.0.1", {}), ages={"1.0.0": 400, "1.0.1": 30}),
    ),
    "young-version-changes": (
        lambda: _metadata(
            ("1.0.0", {}), ("1.0.1", {"dependencies": {"b": "^1"}}), ages={"1.0.0": 400, "1.0.1": 2}
        ),
        lambda: _metadata(
            ("1.0.0", {"dependencies": {"b": "^1"}}),
            ("1.0.1", {"dependencies": {"b": "^1"}}),
            ages={"1.0.0": 400, "1.0.1": 2},
        ),
    ),
    "maintainers-changed": (
        lambda: _metadata(
            ("1.0.0", {"maintainers": (Maintainer("a"),)}),
            ("1.0.1", {"maintainers": (Maintainer("b"),)}),
            ages=OLD,
        ),
        lambda: _metadata(
            ("1.0.0", {"maintainers": (Maintainer("a"),)}),
            ("1.0.1", {"maintainers": (Maintainer("a"),)}),
            ages=OLD,
        ),
    ),
    "install-script-added": (
        lambda: _metadata(
            ("1.0.0", {"scripts": {"test": "jest"}}),
            ("1.0.1", {"scripts": {"postinstall": "node setup.js"}, "has_install_script": True}),
        ),
        lambda: _metadata(
            ("1.0.0", {"scripts": {"postinstall": "node setup.js"}, "has_install_script": True}),
            ("1.0.1", {"scripts": {"postinstall": "node setup.js"}, "has_install_script": True}),
        ),
    ),
    "bin-added": (
        lambda: _metadata(("1.0.0", {}), ("1.1.0", {"bin": {"pkg-cli": "cli.js"}})),
        lambda: _metadata(
            ("1.0.0", {"bin": {"pkg-cli": "cli.js"}}), ("1.1.0", {"bin": {"pkg-cli": "cli.js"}})
        ),
    ),
    "dependency-added": (
        lambda: _metadata(
            ("1.0.0", {"dependencies": {"a": "^1"}}), ("1.0.1", {"dependencies": {"a": "^1", "b": "^1"}})
        ),
        lambda: _metadata(
            ("1.0.0", {"dependencies": {"a": "^1"}}), ("1.0.1", {"dependencies": {"a": "^1.1"}})
        ),
    ),
    "deprecated-version": (
        lambda: _metadata(("1.0.0", {"deprecated": "use 2.x"})),
        lambda: _metadata(("1.0.0", {"deprecated": "use 1.0.1"}), ("1.0.1", {})),  # an older one is
    ),
    "security-placeholder": (
        lambda: (
            _metadata(("0.0.1-security", {})) | set(_rules(_packument(_version("0.0.1-security")), "1.2.0"))
        ),
        lambda: set(
            _rules(_packument(_version("0.0.1-security"), _version("2.9.1"), latest="2.9.1"), "2.9.1")
        ),
    ),
}

CHECK_RULES = sorted(r.id for r in all_rules() if r.family in {"lockfile", "metadata"})


def test_the_families_are_not_empty() -> None:
    assert len(CHECK_RULES) >= 15


@pytest.mark.parametrize("rule", [r for r in CHECK_RULES if r not in PIPELINE_ONLY])
def test_every_check_rule_fires_on_its_probe_and_not_on_the_benign_one(rule: str) -> None:
    assert rule in PROBES, f"{rule} has no positive/benign probe in {__file__}"
    positive, benign = PROBES[rule]
    assert rule in positive()
    assert rule not in benign()


def test_pipeline_only_rules_are_asserted_both_ways_in_their_test_file() -> None:
    for rule, test_file in PIPELINE_ONLY.items():
        text = (Path(__file__).parent / test_file).read_text()
        assert f'"{rule}" in _rules(' in text and f'"{rule}" not in _rules(' in text, rule


def test_probes_name_only_declared_rules() -> None:
    assert set(PROBES) | set(PIPELINE_ONLY) == set(CHECK_RULES)


@pytest.mark.parametrize(
    "integrity", ["sha512-AAAA", "sha512-notbase64!!", "garbage", "md5-abc", "sha1-" + "A" * 10]
)
def test_malformed_lockfile_integrity_is_a_finding(integrity: str) -> None:
    # issue 11: these were accepted (allow, exit 0) while npm ci fails on them with EINTEGRITY
    assert "lockfile-integrity-malformed" in _lockfile(_entry(integrity=integrity))


def test_a_usable_hash_among_unknown_tokens_is_not_malformed() -> None:
    assert "lockfile-integrity-malformed" not in _lockfile(_entry(integrity=f"md5-abc {SRI}"))
