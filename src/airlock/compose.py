"""The composition root: settings, npm configuration, registry clients, the store and the pipeline are
built here and nowhere else, so every command runs on the same objects built the same way."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from airlock.accept import Acceptances
from airlock.config import Settings
from airlock.pipeline import Pipeline, PipelineOptions
from airlock.pipeline.progress import Progress
from airlock.registry.cache import Cache, default_cache_dir
from airlock.registry.client import RegistryClient
from airlock.registry.npmrc import NpmConfig, load_npm_config, public_npm_config
from airlock.store import AnalysisStore, MemoryStore, open_store

PACKUMENT_MAX_AGE = 300.0
"""Seconds a cached registry document is trusted without revalidation, as npm does (registry max-age)."""


def registry_client(config: NpmConfig, *, offline: bool) -> RegistryClient:
    return RegistryClient(
        config, Cache(default_cache_dir()), offline=offline, packument_max_age=PACKUMENT_MAX_AGE
    )


@dataclass(frozen=True, slots=True)
class Runtime:
    """What a command runs with, resolved once from the project directory, the environment and flags."""

    settings: Settings
    npm_config: NpmConfig
    no_store: bool = False
    today: date = field(default_factory=date.today)
    """The day acceptances are judged against: one per run, so a run that crosses midnight judges every
    package by the same expiry day."""

    @classmethod
    def for_project(cls, project: Path, settings: Settings, *, no_store: bool = False) -> Runtime:
        npm_config = load_npm_config(project.resolve(), env=os.environ, home=Path.home())
        return cls(settings, npm_config, no_store)

    def client_factory(self) -> Callable[[], RegistryClient]:
        config, offline = self.npm_config, self.settings.offline
        return lambda: registry_client(config, offline=offline)

    def public_client_factory(self) -> Callable[[], RegistryClient] | None:
        """The public registry, asked about names a private registry serves (None: turned off)."""
        if self.settings.public_registry is None:
            return None
        config, offline = public_npm_config(self.settings.public_registry), self.settings.offline
        return lambda: registry_client(config, offline=offline)

    @property
    def acceptances(self) -> Acceptances:
        """The project's accepted findings, as of today (applied when judging, never stored)."""
        return Acceptances(self.settings.accept, self.today)

    def open_store(self) -> AnalysisStore:
        return MemoryStore() if self.no_store else open_store()

    @contextmanager
    def pipeline(self, progress: Progress | None = None) -> Iterator[Pipeline]:
        options = PipelineOptions(
            jobs=self.settings.jobs,
            rule_severity=self.settings.rule_severity,
            acceptances=self.acceptances,
        )
        with (
            self.open_store() as store,
            Pipeline(
                client_factory=self.client_factory(), store=store, options=options, progress=progress
            ) as pipeline,
        ):
            yield pipeline


__all__ = ["PACKUMENT_MAX_AGE", "Runtime", "registry_client"]
