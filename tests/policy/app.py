"""The project the policy CLI tests share: an app depending on `reader` (which depends on `calm`) and `gyp`,
served by the loopback registry, with `publish` to swap a version and relock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.test_cli import run

OLD = datetime.now(UTC) - timedelta(days=100)

CALM = {"index.js": "module.exports = function calm() { return 1 }"}
GYP_SCRIPTS = {"install": "node-gyp rebuild"}
READER = {"index.js": "const fs = require('fs');\nmodule.exports = (p) => fs.readFileSync(p, 'utf8')\n"}


class Project:
    """An app depending on `reader` (which depends on `calm`) and `gyp`; `publish` swaps a version."""

    def __init__(self, root: Path, registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.registry = registry
        self.monkeypatch = monkeypatch
        self.versions: dict[str, tuple[str, dict[str, str]]] = {}
        self.published: list[str] = []

    def publish(
        self,
        name: str,
        version: str,
        files: dict[str, Any],
        dependencies: dict[str, str] | None = None,
        **manifest: Any,
    ) -> None:
        deps = dependencies or {}
        extra = {"dependencies": deps} if deps else {}
        self.registry.publish(
            name,
            version,
            build_package(name, version, files, **extra, **manifest),
            manifest={**extra, **({"scripts": manifest["scripts"]} if "scripts" in manifest else {})},
            time=OLD,
        )
        self.versions[name] = (version, deps)
        self.published.append(f"{name}@{version}")
        self.lock()
        # A fresh download cache: the client keeps packuments fresh for a while, and this one changed.
        self.monkeypatch.setenv("AIRLOCK_CACHE_DIR", str(self.root.parent / f"cache-{len(self.published)}"))

    def lock(self) -> None:
        packages: dict[str, Any] = {
            "": {"name": "app", "version": "1.0.0", "dependencies": {"reader": "*", "gyp": "*"}}
        }
        for name, (version, deps) in self.versions.items():
            dist = self.registry.packument(name)["versions"][version]["dist"]
            entry: dict[str, Any] = {
                "version": version,
                "resolved": dist["tarball"],
                "integrity": dist["integrity"],
            }
            if deps:
                entry["dependencies"] = deps
            if "scripts" in self.registry.packument(name)["versions"][version]:
                entry["hasInstallScript"] = True
            packages[f"node_modules/{name}"] = entry
        lock = {
            "name": "app",
            "version": "1.0.0",
            "lockfileVersion": 3,
            "requires": True,
            "packages": packages,
        }
        (self.root / "package-lock.json").write_text(json.dumps(lock, indent=2))

    @property
    def policy(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / "airlock-policy.json").read_text())
        return data


def make_project(fake_registry: FakeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Project:
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.setenv("AIRLOCK_STORE", str(tmp_path / "store.sqlite"))
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "app"
    root.mkdir()
    (root / "package.json").write_text(
        json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"reader": "*", "gyp": "*"}})
    )
    p = Project(root, fake_registry, monkeypatch)
    p.publish("calm", "1.0.0", CALM)
    p.publish("reader", "1.0.0", READER, {"calm": "1.0.0"})
    # npm puts the `node-gyp rebuild` it runs for binding.gyp into the registry's manifest at publish.
    p.publish("gyp", "1.0.0", {"index.js": "module.exports = 2", "binding.gyp": "{}"}, scripts=GYP_SCRIPTS)
    return p


def policy_cmd(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    return run(
        ["policy", *args, "-j", "1"] if args[0] != "export" else ["policy", *args], monkeypatch, capsys
    )
