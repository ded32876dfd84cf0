"""`airlock scan`: each target (registry spec, local tarball, directory) is one request of the pipeline;
one report entry per target, in the order given."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from airlock.errors import AirlockError
from airlock.pipeline import Pipeline, RunOutcome
from airlock.pipeline.context import ContextStage, PackageContext
from airlock.pipeline.requests import (
    FromDirectory,
    FromRegistry,
    FromTarball,
    Invalid,
    PackageRequest,
)
from airlock.registry.packument import VersionManifest
from airlock.targets import LocalDirectory, LocalTarball, RegistryTarget, parse_target


def target_request(raw: str) -> PackageRequest:
    try:
        target = parse_target(raw)
    except AirlockError as error:
        return PackageRequest(raw, Invalid(error))
    if isinstance(target, RegistryTarget):
        return PackageRequest(raw, FromRegistry(target), name=target.name)
    if isinstance(target, LocalTarball):
        return PackageRequest(raw, FromTarball(target.path))
    assert isinstance(target, LocalDirectory)
    return PackageRequest(raw, FromDirectory(target.path))


class ScanSource:
    """Targets as the user gave them. Context: the shared package context (installed-name typosquats,
    manifest confusion, confirmed against the full registry document when the abbreviated one is vague)."""

    def __init__(self, targets: Sequence[str], pipeline: Pipeline) -> None:
        self._targets = tuple(targets)

        def full_manifest(name: str, version: str) -> VersionManifest | None:
            return pipeline.client.packument(name, full=True).versions.get(version)

        def first_published(name: str) -> datetime | None:
            return pipeline.client.packument(name, full=True).created

        self._context = PackageContext(full_manifest, first_published=first_published)

    def requests(self) -> Sequence[PackageRequest]:
        return [target_request(raw) for raw in self._targets]

    @property
    def context(self) -> ContextStage:
        return self._context


def scan(pipeline: Pipeline, targets: Sequence[str]) -> RunOutcome:
    return pipeline.run(ScanSource(targets, pipeline))


__all__ = ["ScanSource", "scan", "target_request"]
