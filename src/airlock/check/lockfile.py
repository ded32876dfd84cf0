"""Lockfile-injection checks: does a lockfile entry point where the project's registry configuration says
it should, and does it pin the bytes the registry serves for that version?"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import urlsplit

from airlock.analysis.rules import lockfile as rules
from airlock.errors import BadInputError
from airlock.integrity import Digest, from_shasum, parse_sri
from airlock.model import Evidence, Finding
from airlock.registry.npmrc import NpmConfig, redact_url
from airlock.registry.packument import VersionManifest
from airlock.tree.model import DependencyTree, LockedPackage, Source
from airlock.tree.sources import tarball_path

# npm rewrites these hosts to the configured registry (replace-registry-host=npmjs, the default), and yarn
# classic writes registry.yarnpkg.com for the same content.
PUBLIC_REGISTRY_HOSTS = frozenset({"registry.npmjs.org", "registry.yarnpkg.com"})


def evidence_for(tree: DependencyTree, package: LockedPackage, snippet: str | None = None) -> Evidence:
    return Evidence(tree.file, package.line or 1, None, snippet or f"{package.label} ({package.key})")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def trusted_hosts(config: NpmConfig, name: str) -> frozenset[str]:
    """Hosts a registry package may be resolved from: the registry configured for its name (plus the public
    registry's aliases when npm would rewrite them to it)."""
    hosts = {_host(config.registry_for(name))}
    if config.replace_registry_host in ("npmjs", "always"):
        hosts |= PUBLIC_REGISTRY_HOSTS
    return frozenset(hosts)


def source_findings(tree: DependencyTree, package: LockedPackage, config: NpmConfig) -> Iterator[Finding]:
    """Findings that need only the lockfile and the .npmrc."""
    where = evidence_for(
        tree, package, f"resolved: {redact_url(package.resolved)}" if package.resolved else None
    )
    if package.source in (Source.GIT, Source.TARBALL):
        kind = "git" if package.source is Source.GIT else "a tarball URL"
        yield rules.UNVERIFIABLE_SOURCE.finding(
            f"{package.name} comes from {kind} ({redact_url(package.resolved or package.version or '?')}); "
            "it has no registry metadata and was not analysed",
            where,
        )
    if package.source in (Source.FILE, Source.LINK):
        yield rules.LOCAL_SOURCE.finding(
            f"{package.name} is a local {package.source.value} dependency ({package.resolved or package.version})",
            where,
        )
    url = package.resolved
    if url and urlsplit(url).scheme in ("http", "https"):
        scheme = urlsplit(url).scheme
        configured = config.registry_for(package.name)
        if scheme == "http" and not (
            _host(url) == _host(configured) and urlsplit(configured).scheme == "http"
        ):
            yield rules.INSECURE_URL.finding(
                f"{package.label} is fetched over plain http: {redact_url(url)}", where
            )
        if package.source is Source.REGISTRY:
            host = _host(url)
            if host not in trusted_hosts(config, package.name):
                yield rules.FOREIGN_HOST.finding(
                    f"{package.label} resolves to {host}, but the registry configured for it is "
                    f"{redact_url(configured)}",
                    where,
                )
            named = tarball_path(url)
            if named is not None and (
                named.name != package.name
                or named.file_name != package.name.rsplit("/", 1)[-1]
                or (package.version is not None and named.version != package.version)
            ):
                yield rules.URL_MISMATCH.finding(
                    f"the entry says {package.label} but its URL downloads "
                    f"{named.name} ({named.file_name}-{named.version}.tgz)",
                    where,
                )
    if package.source is Source.REGISTRY and tree.records_integrity and not package.integrity:
        yield rules.MISSING_INTEGRITY.finding(
            f"{package.label} has no integrity in {tree.file}: npm would accept any bytes for it", where
        )
    elif package.integrity and not _digests(package.integrity):
        yield rules.MALFORMED_INTEGRITY.finding(
            f"{package.label} has integrity {package.integrity[:60]!r} in {tree.file}, which is not a usable "
            "hash (npm ci fails on it with EINTEGRITY)",
            where,
        )
    yield from sync_findings(tree, package)


def sync_findings(tree: DependencyTree, package: LockedPackage) -> Iterator[Finding]:
    """A finding on each locked package package.json and the lockfile disagree on (the tree's note also
    names differences no locked package stands for, such as a dependency the lockfile lacks)."""
    for problem in tree.out_of_sync:
        if problem.package == package.key:
            yield rules.OUT_OF_SYNC.finding(
                f"{tree.file} is out of sync with {problem.manifest}: {problem.describe()}; a frozen install "
                "refuses the lockfile and a plain one resolves the dependency afresh",
                evidence_for(
                    tree,
                    package,
                    f"{problem.manifest}: {problem.dependency} {problem.declared or '(absent)'} · "
                    f"{tree.file}: {problem.locked or '(absent)'}",
                ),
            )


def _digests(sri: str | None) -> list[Digest]:
    if not sri:
        return []
    out: list[Digest] = []
    for part in sri.split():
        try:
            out.append(parse_sri(part))
        except BadInputError:
            continue
    return out


def integrity_finding(
    tree: DependencyTree, package: LockedPackage, manifest: VersionManifest
) -> Finding | None:
    """A critical finding when the lockfile's hash for this version differs from the registry's (compared
    on a shared algorithm; nothing to compare is not a mismatch)."""
    locked = _digests(package.integrity)
    if not locked:
        return None
    registry = _digests(manifest.dist.integrity)
    if manifest.dist.shasum:
        with contextlib.suppress(BadInputError):
            registry.append(from_shasum(manifest.dist.shasum))
    by_algorithm = {d.algorithm: d for d in registry}
    for digest in locked:
        other = by_algorithm.get(digest.algorithm)
        if other is not None and other.value != digest.value:
            return rules.INTEGRITY_MISMATCH.finding(
                f"{tree.file} pins {package.label} to {digest.sri()}, but the registry's dist.integrity "
                f"for that version is {other.sri()}",
                evidence_for(tree, package, f"integrity: {digest.sri()[:60]}"),
            )
    return None
