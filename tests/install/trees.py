"""Staged installs written by hand, as `npm ci --ignore-scripts` leaves them: a project (package.json,
maybe a policy) and a staged node_modules with npm's hidden lockfile, every package's package.json and
its files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Pkg:
    key: str
    """`node_modules/a`, `node_modules/a/node_modules/b`."""
    version: str = "1.0.0"
    scripts: Mapping[str, str] = field(default_factory=dict)
    dependencies: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.key.rsplit("node_modules/", 1)[-1]


@dataclass(frozen=True)
class Staged:
    project: Path
    node_modules: Path
    """The staged node_modules (outside the project, as the ci staging directory is)."""


def write_staged(
    root: Path,
    packages: list[Pkg],
    *,
    project_manifest: Mapping[str, Any] | None = None,
    policy: Mapping[str, Any] | None = None,
) -> Staged:
    project = root / "project"
    project.mkdir(parents=True)
    manifest = dict(project_manifest or {})
    manifest.setdefault("name", "app")
    manifest.setdefault("version", "0.1.0")
    manifest.setdefault(
        "dependencies", {p.name: p.version for p in packages if p.key.count("node_modules/") == 1}
    )
    (project / "package.json").write_text(json.dumps(manifest, indent=2))
    if policy is not None:
        (project / "airlock-policy.json").write_text(json.dumps({"version": 1, **policy}, indent=2))
    node_modules = root / "staging" / "node_modules"
    node_modules.mkdir(parents=True)
    entries: dict[str, Any] = {}
    for package in packages:
        directory = node_modules.parent / package.key
        directory.mkdir(parents=True, exist_ok=True)
        own = {"name": package.name, "version": package.version, **package.extra}
        if package.scripts:
            own["scripts"] = dict(package.scripts)
        if package.dependencies:
            own["dependencies"] = dict(package.dependencies)
        (directory / "package.json").write_text(json.dumps(own, indent=2))
        for name, text in package.files.items():
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(text)
        entry: dict[str, Any] = {
            "version": package.version,
            "resolved": f"https://registry.npmjs.org/{package.name}/-/x-{package.version}.tgz",
            "integrity": "sha512-AAAA",
        }
        if package.dependencies:
            entry["dependencies"] = dict(package.dependencies)
        if package.scripts:
            entry["hasInstallScript"] = True
        entries[package.key] = entry
    hidden = {"name": "app", "version": "0.1.0", "lockfileVersion": 3, "requires": True, "packages": entries}
    (node_modules / ".package-lock.json").write_text(json.dumps(hidden, indent=2))
    return Staged(project, node_modules)
