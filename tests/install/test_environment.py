"""A script's environment: what npm gives it, never a credential, never the parent's environment
wholesale."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from airlock.install.environment import (
    base_environment,
    bin_path,
    npm_config_environment,
    package_environment,
    script_environment,
)

SECRET_NAMES = re.compile(r"token|auth|pass|secret|key|cred|cert|username|email", re.IGNORECASE)


def test_npm_config_keeps_settings_and_drops_credentials() -> None:
    parent = {
        "npm_config_loglevel": "warn",
        "NPM_CONFIG_FUND": "false",
        "npm_config__authToken": "t",
        "npm_config__auth": "dXNlcjpwYXNz",
        "npm_config__password": "p",
        "npm_config_username": "u",
        "npm_config_email": "e@example.com",
        "npm_config_certfile": "/c",
        "npm_config_keyfile": "/k",
        "npm_config_//registry.npmjs.org/:_authToken": "t",
        "npm_config_registry": "https://user:pw@registry.example.com/",
        "npm_config_proxy": "http://proxy.example.com:8080",
        "npm_config_userconfig": "/home/u/.npmrc",
        "NPM_TOKEN": "t",
        "AWS_SECRET_ACCESS_KEY": "k",
        "HOME": "/home/u",
    }
    assert npm_config_environment(parent) == {
        "npm_config_loglevel": "warn",
        "NPM_CONFIG_FUND": "false",
        "npm_config_proxy": "http://proxy.example.com:8080",
    }
    assert base_environment({**parent, "LANG": "C.UTF-8", "LC_ALL": "C", "CI": "true"}) == {
        "npm_config_loglevel": "warn",
        "NPM_CONFIG_FUND": "false",
        "npm_config_proxy": "http://proxy.example.com:8080",
        "LANG": "C.UTF-8",
        "LC_ALL": "C",
        "CI": "true",
    }


_names = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_/:.-", min_size=1, max_size=24
)
_values = st.text(alphabet=st.characters(codec="utf-8", blacklist_characters="\0"), max_size=40)


@given(st.dictionaries(st.one_of(_names, _names.map(lambda n: "npm_config_" + n)), _values, max_size=12))
def test_no_credential_ever_reaches_a_script(parent: dict[str, str]) -> None:
    env = script_environment(
        base=base_environment(parent),
        manifest={"name": "a", "version": "1.0.0"},
        directory=PurePosixPath("/p/node_modules/a"),
        project=PurePosixPath("/p"),
        event="postinstall",
        script="node x.js",
        node="/usr/bin/node",
        home="/airlock/home",
        tmpdir="/tmp",
    )
    for name, value in env.items():
        if name.lower().startswith("npm_config_"):
            assert not SECRET_NAMES.search(name[len("npm_config_") :]), name
            assert not re.search(r"://[^/\s@]+@", value), value
            assert parent[name] == value
        else:
            assert (
                (
                    name in parent
                    and name
                    in ("LANG", "LANGUAGE", "TZ", "TERM", "CI", "COLORTERM", "NO_COLOR", "FORCE_COLOR")
                )
                or name.startswith("LC_")
                or name
                in {
                    "PATH",
                    "HOME",
                    "TMPDIR",
                    "NODE",
                    "INIT_CWD",
                    "npm_node_execpath",
                    "npm_lifecycle_event",
                    "npm_lifecycle_script",
                    "npm_package_json",
                    "npm_package_name",
                    "npm_package_version",
                }
            ), name
    assert env["HOME"] == "/airlock/home" and env["TMPDIR"] == "/tmp"


def test_path_and_package_variables_are_npms() -> None:
    env = script_environment(
        base={},
        manifest={
            "name": "a",
            "version": "1.0.0",
            "config": {"port": 8080},
            "bin": {"a": "cli.js"},
            "x": "y",
        },
        directory=PurePosixPath("/p/node_modules/a"),
        project=PurePosixPath("/p"),
        event="install",
        script="node-gyp rebuild",
        node="/opt/node/bin/node",
        home="/h",
        tmpdir="/tmp",
        extra_path=["/npm/node-gyp-bin"],
    )
    assert env["PATH"].split(":") == [
        "/p/node_modules/a/node_modules/.bin",
        "/p/node_modules/node_modules/.bin",  # every directory up to /, as npm's set-path.js walks
        "/p/node_modules/.bin",
        "/node_modules/.bin",
        "/npm/node-gyp-bin",
        "/opt/node/bin",
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ]
    assert env["npm_package_config_port"] == "8080" and env["npm_package_bin_a"] == "cli.js"
    assert "npm_package_x" not in env
    assert env["NODE"] == env["npm_node_execpath"] == "/opt/node/bin/node"
    assert env["npm_package_json"] == "/p/node_modules/a/package.json"
    assert env["npm_lifecycle_script"] == "node-gyp rebuild" and env["INIT_CWD"] == "/p"
    assert bin_path(PurePosixPath("/a"))[0] == "/a/node_modules/.bin"
    assert package_environment({"name": "n", "engines": {"node": ">=18"}, "version": False}) == {
        "npm_package_name": "n",
        "npm_package_engines_node": ">=18",
        "npm_package_version": "",
    }
