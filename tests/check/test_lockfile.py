"""Lockfile-injection checks on single entries: each rule with a positive case and its benign twin."""

from __future__ import annotations

import base64
import hashlib

import pytest

from airlock.check.lockfile import integrity_finding, source_findings
from airlock.registry.npmrc import NpmConfig
from airlock.registry.packument import Dist, VersionManifest
from airlock.tree.model import DependencyTree, LockedPackage, Source

NPMJS = NpmConfig()
SRI = "sha512-" + base64.b64encode(hashlib.sha512(b"left-pad").digest()).decode()
OTHER_SRI = "sha512-" + base64.b64encode(hashlib.sha512(b"evil").digest()).decode()


def _entry(**fields: object) -> LockedPackage:
    values: dict[str, object] = {
        "key": "node_modules/left-pad",
        "name": "left-pad",
        "version": "1.3.0",
        "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
        "integrity": SRI,
        "line": 7,
    }
    values.update(fields)
    return LockedPackage(**values)  # type: ignore[arg-type]


def _rules(package: LockedPackage, config: NpmConfig = NPMJS, *, records_integrity: bool = True) -> set[str]:
    tree = DependencyTree("package-lock.json", "package-lock.json v3", (), {}, records_integrity)
    return {f.rule for f in source_findings(tree, package, config)}


def test_a_normal_entry_has_no_findings() -> None:
    assert _rules(_entry()) == set()


@pytest.mark.parametrize(
    "resolved",
    [
        "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz",  # yarn classic's alias of npmjs
        None,  # npm with omit-lockfile-registry-resolved
    ],
)
def test_public_registry_aliases_and_omitted_urls_are_fine(resolved: str | None) -> None:
    assert _rules(_entry(resolved=resolved)) == set()


def test_redirected_host_is_flagged_with_both_hosts_named() -> None:
    tree = DependencyTree("package-lock.json", "v3", ())
    package = _entry(resolved="https://npm.attacker.example.com/left-pad/-/left-pad-1.3.0.tgz")
    (finding,) = source_findings(tree, package, NPMJS)
    assert finding.rule == "lockfile-foreign-host"
    assert "npm.attacker.example.com" in finding.message and "registry.npmjs.org" in finding.message
    assert finding.evidence[0].file == "package-lock.json" and finding.evidence[0].line == 7


def test_a_private_registry_is_trusted_for_its_scope_only() -> None:
    config = NpmConfig(scoped_registries={"@corp": "https://npm.corp.example.com/"})
    scoped = _entry(
        name="@corp/ui", resolved="https://npm.corp.example.com/@corp/ui/-/ui-1.3.0.tgz", version="1.3.0"
    )
    assert _rules(scoped, config) == set()
    unscoped = _entry(resolved="https://npm.corp.example.com/left-pad/-/left-pad-1.3.0.tgz")
    assert _rules(unscoped, config) == {"lockfile-foreign-host"}


def test_plain_http_is_flagged_unless_it_is_the_configured_registry() -> None:
    assert "lockfile-insecure-url" in _rules(
        _entry(resolved="http://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz")
    )
    internal = NpmConfig(registry="http://npm.internal.example.com/")
    url = "http://npm.internal.example.com/left-pad/-/left-pad-1.3.0.tgz"
    assert _rules(_entry(resolved=url), internal) == set()


@pytest.mark.parametrize(
    "resolved",
    [
        "https://registry.npmjs.org/left-pad/-/left-pad-1.2.0.tgz",  # another version
        "https://registry.npmjs.org/left-pad/-/evil-1.3.0.tgz",  # another file
        "https://registry.npmjs.org/evil/-/evil-1.3.0.tgz",  # another package
    ],
)
def test_url_naming_another_package_or_version(resolved: str) -> None:
    assert _rules(_entry(resolved=resolved)) == {"lockfile-url-mismatch"}


def test_scoped_url_matches_its_entry() -> None:
    package = _entry(
        name="@babel/core",
        version="7.25.0",
        resolved="https://registry.npmjs.org/@babel/core/-/core-7.25.0.tgz",
    )
    assert _rules(package) == set()


def test_missing_integrity_only_where_the_format_records_it() -> None:
    assert _rules(_entry(integrity=None)) == {"lockfile-missing-integrity"}
    assert _rules(_entry(integrity=None), records_integrity=False) == set()


def test_git_tarball_and_local_sources_are_reported_as_such() -> None:
    git = _entry(source=Source.GIT, resolved="git+ssh://git@github.com/a/b.git#abc", integrity=None)
    assert _rules(git) == {"unverifiable-source"}
    tarball = _entry(source=Source.TARBALL, resolved="https://example.com/pkg.tgz", integrity=None)
    assert _rules(tarball) == {"unverifiable-source"}
    local = _entry(source=Source.FILE, resolved="../vendor/left-pad", integrity=None)
    assert _rules(local) == {"local-source"}


def _manifest(integrity: str | None, shasum: str | None = None) -> VersionManifest:
    return VersionManifest(
        "left-pad",
        "1.3.0",
        Dist("https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", integrity, shasum),
    )


def test_swapped_integrity_is_critical_and_names_both_hashes() -> None:
    tree = DependencyTree("package-lock.json", "v3", ())
    finding = integrity_finding(tree, _entry(integrity=OTHER_SRI), _manifest(SRI))
    assert finding is not None
    assert finding.rule == "lockfile-integrity-mismatch" and finding.severity.value == "critical"
    assert OTHER_SRI in finding.message and SRI in finding.message


def test_matching_or_incomparable_integrity_is_not_a_mismatch() -> None:
    tree = DependencyTree("package-lock.json", "v3", ())
    assert integrity_finding(tree, _entry(), _manifest(SRI)) is None
    sha1 = hashlib.sha1(b"left-pad").digest()
    old_lock = _entry(integrity="sha1-" + base64.b64encode(sha1).decode())
    assert integrity_finding(tree, old_lock, _manifest(SRI, sha1.hex())) is None
    assert integrity_finding(tree, old_lock, _manifest(SRI, hashlib.sha1(b"x").hexdigest())) is not None
    assert integrity_finding(tree, _entry(integrity=None), _manifest(SRI)) is None
