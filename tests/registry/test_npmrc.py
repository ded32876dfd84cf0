"""`.npmrc` as npm reads it: ini quirks, env expansion, precedence, scopes, and where credentials may go."""

from __future__ import annotations

import base64
import json
import logging
import pickle
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from airlock.errors import UsageError
from airlock.registry.npmrc import (
    DEFAULT_REGISTRY,
    Credentials,
    NpmConfig,
    env_replace,
    env_settings,
    load_npm_config,
    nerf_dart,
    parse_npmrc,
    redact_url,
)

TOKEN = "npm_S3cr3tT0kenValue"


# ---- the ini layer -------------------------------------------------------------------------------------


def test_key_values_comments_and_whitespace() -> None:
    text = """
; a comment
# another comment
   ; indented comment
registry = https://r.example/
  spaced-key   =   spaced value
inline=value ; trailing comment
hash=value # trailing comment
"""
    assert parse_npmrc(text, {}) == {
        "registry": "https://r.example/",
        "spaced-key": "spaced value",
        "inline": "value",
        "hash": "value",
    }


def test_quoted_values() -> None:
    text = """dq="a ; not a comment # either"
sq='single ; quoted'
json="tab\\tand \\u00e9"
broken="unterminated
"""
    assert parse_npmrc(text, {}) == {
        "dq": "a ; not a comment # either",
        "sq": "single ; quoted",
        "json": "tab\tand é",
        "broken": '"unterminated',
    }


def test_escapes_in_unquoted_values() -> None:
    assert parse_npmrc(r"k=a\;b\#c\\d\e", {}) == {"k": "a;b#c\\d\\e"}


def test_bare_keys_arrays_and_last_wins() -> None:
    text = "flag\nk[]=one\nk[]=two\nsame=1\nsame=2\n"
    assert parse_npmrc(text, {}) == {"flag": "true", "k": "two", "same": "2"}


def test_sections_are_not_top_level() -> None:
    text = "top=1\n[section]\nregistry=https://evil.example/\n"
    assert parse_npmrc(text, {}) == {"top": "1"}


def test_malformed_lines_are_ignored() -> None:
    text = "=novalue\n   \n[\n===\nok=1\n\x00\n__proto__=x\n"
    parsed = parse_npmrc(text, {})
    assert parsed["ok"] == "1"
    assert "__proto__" not in parsed
    assert "" not in parsed


def test_byte_order_mark_and_crlf() -> None:
    assert parse_npmrc("\ufeffregistry=https://r.example/\r\nk=v\r\n", {}) == {
        "registry": "https://r.example/",
        "k": "v",
    }


# ---- env expansion -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${HOME_DIR}/x", "/home/u/x"),
        ("${UNSET}", "${UNSET}"),  # npm leaves unknown variables as written
        ("${UNSET?}", ""),  # ...unless marked optional
        ("${EMPTY}", ""),
        ("${EMPTY?}", ""),
        ("\\${HOME_DIR}", "${HOME_DIR}"),  # an escaped `$` stays literal, one backslash consumed
        ("\\\\${HOME_DIR}", "\\/home/u"),
        ("${unterminated", "${unterminated"),
        ("$HOME_DIR", "$HOME_DIR"),
        ("a${HOME_DIR}b${HOME_DIR}", "a/home/ub/home/u"),
    ],
)
def test_env_replace(text: str, expected: str) -> None:
    assert env_replace(text, {"HOME_DIR": "/home/u", "EMPTY": ""}) == expected


def test_env_expansion_in_keys_and_values() -> None:
    text = "//${HOST}/:_authToken=${TOKEN}\nregistry=https://${HOST}/\n"
    parsed = parse_npmrc(text, {"HOST": "r.example", "TOKEN": TOKEN})
    assert parsed == {"//r.example/:_authToken": TOKEN, "registry": "https://r.example/"}


def test_env_layer_keys() -> None:
    env = {
        "npm_config_registry": "https://a.example/",
        "NPM_CONFIG_REPLACE_REGISTRY_HOST": "never",
        "Npm_Config_@MyScope:Registry": "https://s.example/",
        "npm_config_//r.example/:_authToken": TOKEN,
        "npm_config_empty": "",
        "OTHER": "x",
    }
    assert env_settings(env) == {
        "registry": "https://a.example/",
        "replace-registry-host": "never",
        "@myscope:registry": "https://s.example/",
        "//r.example/:_authToken": TOKEN,
    }


# ---- property tests ------------------------------------------------------------------------------------

_SAFE_KEY = st.text(
    alphabet=st.characters(
        codec="utf-8",
        categories=("L", "N"),
        include_characters="-_.:/@",
    ),
    min_size=1,
    max_size=30,
)
_SAFE_VALUE = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters=";#\\$\"'"
    ),
    max_size=40,
).map(str.strip)


@given(st.text(max_size=400), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))
def test_parser_never_crashes(text: str, env: dict[str, str]) -> None:
    parsed = parse_npmrc(text, env)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.items())


@given(_SAFE_KEY, _SAFE_VALUE)
def test_key_value_round_trip(key: str, value: str) -> None:
    assume(key != "__proto__")
    assert parse_npmrc(f"{key}={value}\n", {}) == {key: value}


@given(_SAFE_KEY, st.text(alphabet=st.characters(codec="utf-8", exclude_characters="$"), max_size=40))
def test_json_quoted_round_trip(key: str, value: str) -> None:
    # Quoted values are JSON strings: anything survives, except surrounding whitespace (npm trims).
    assume(key != "__proto__")  # dropped on purpose, as npm's ini parser does (tested above)
    assume(not value or not (value[0].isspace() or value[-1].isspace() or "\ufeff" in (value[0], value[-1])))
    assert parse_npmrc(f"{key}={json.dumps(value)}\n", {}) == {key: value}


# ---- NpmConfig -----------------------------------------------------------------------------------------


def test_defaults() -> None:
    config = NpmConfig()
    assert config.registry == DEFAULT_REGISTRY
    assert config.registry_for("left-pad") == DEFAULT_REGISTRY
    assert config.auth_headers("https://registry.npmjs.org/left-pad") == {}


def test_registry_is_normalised_and_validated() -> None:
    assert NpmConfig(registry="https://r.example/npm").registry == "https://r.example/npm/"
    with pytest.raises(UsageError, match="not an http"):
        NpmConfig(registry="ftp://r.example/")
    with pytest.raises(UsageError) as caught:
        NpmConfig.from_settings({"@s:registry": "not a url"})
    assert caught.value.hint


def test_scoped_registries() -> None:
    config = NpmConfig.from_settings(
        {"registry": "https://r.example/", "@corp:registry": "https://npm.corp.example/repo"}
    )
    assert config.registry_for("@corp/tool") == "https://npm.corp.example/repo/"
    assert config.registry_for("@other/tool") == "https://r.example/"
    assert config.registry_for("tool") == "https://r.example/"


def _config(**settings: str) -> NpmConfig:
    base = {"registry": "https://r.example/npm/"}
    base.update(settings)
    return NpmConfig.from_settings(base)


def test_bearer_token_only_for_matching_nerf_dart() -> None:
    config = NpmConfig.from_settings(
        {"registry": "https://r.example/npm/", "//r.example/npm/:_authToken": TOKEN}
    )
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert config.auth_headers("https://r.example/npm/left-pad") == bearer
    assert config.auth_headers("https://r.example/npm/left-pad/-/left-pad-1.0.0.tgz") == bearer
    # Other hosts, other ports, other paths on the same host: nothing.
    assert config.auth_headers("https://cdn.example/npm/left-pad/-/left-pad-1.0.0.tgz") == {}
    assert config.auth_headers("https://r.example:8443/npm/left-pad") == {}
    assert config.auth_headers("https://r.example/other/left-pad") == {}
    assert config.auth_headers("https://r.example.evil.example/npm/left-pad") == {}
    assert config.auth_headers("https://evil.example/r.example/npm/x") == {}


def test_token_is_not_sent_over_plain_http_to_an_https_registry_host() -> None:
    config = NpmConfig.from_settings({"registry": "https://r.example/", "//r.example/:_authToken": TOKEN})
    assert config.auth_headers("https://r.example/x") != {}
    assert config.auth_headers("http://r.example/x") == {}


def test_plain_http_registry_the_user_configured_gets_its_token() -> None:
    config = NpmConfig.from_settings(
        {"registry": "http://r.internal:8080/", "//r.internal:8080/:_authToken": TOKEN}
    )
    assert config.auth_headers("http://r.internal:8080/x") == {"Authorization": f"Bearer {TOKEN}"}
    assert config.auth_headers("http://r.internal:8081/x") == {}


def test_default_ports_are_elided_like_npm() -> None:
    config = NpmConfig.from_settings({"//r.example/:_authToken": TOKEN})
    assert config.auth_headers("https://r.example:443/x") == {"Authorization": f"Bearer {TOKEN}"}
    explicit = NpmConfig.from_settings({"//r.example:443/:_authToken": TOKEN})
    # npm's key for https://r.example/ is //r.example/, so a :443 key never matches (as in npm).
    assert explicit.auth_headers("https://r.example/x") == {}


def test_most_specific_nerf_dart_wins() -> None:
    config = NpmConfig.from_settings(
        {"//r.example/:_authToken": "outer-token", "//r.example/team/:_authToken": "team-token"}
    )
    assert config.auth_headers("https://r.example/team/pkg") == {"Authorization": "Bearer team-token"}
    assert config.auth_headers("https://r.example/pkg") == {"Authorization": "Bearer outer-token"}
    # A key without the trailing slash matches too, as in npm.
    bare = NpmConfig.from_settings({"//r.example/team:_authToken": "t"})
    assert bare.auth_headers("https://r.example/team/pkg") == {"Authorization": "Bearer t"}


def test_basic_auth_forms() -> None:
    pair = base64.b64encode(b"alice:pw").decode()
    assert NpmConfig.from_settings({"//r.example/:_auth": pair}).auth_headers("https://r.example/x") == {
        "Authorization": f"Basic {pair}"
    }
    password = base64.b64encode(b"pw").decode()
    config = NpmConfig.from_settings({"//r.example/:username": "alice", "//r.example/:_password": password})
    assert config.auth_headers("https://r.example/x") == {"Authorization": f"Basic {pair}"}
    # A token takes precedence over basic credentials for the same nerf-dart.
    both = NpmConfig.from_settings({"//r.example/:_auth": pair, "//r.example/:_authToken": TOKEN})
    assert both.auth_headers("https://r.example/x") == {"Authorization": f"Bearer {TOKEN}"}


def test_bad_base64_password_sends_nothing() -> None:
    config = NpmConfig.from_settings({"//r.example/:username": "alice", "//r.example/:_password": "%%%"})
    assert config.auth_headers("https://r.example/x") == {}


def test_unscoped_credentials_are_ignored(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        config = NpmConfig.from_settings({"_authToken": TOKEN})
    assert config.auth_headers("https://registry.npmjs.org/x") == {}
    assert TOKEN not in caplog.text


def test_secrets_never_in_repr_str_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    password = base64.b64encode(b"hunter2").decode()
    settings = {
        "registry": "https://user:urlpass@r.example/",
        "//r.example/:_authToken": TOKEN,
        "//s.example/:username": "alice",
        "//s.example/:_password": password,
    }
    with caplog.at_level(logging.DEBUG):
        config = NpmConfig.from_settings(settings)
    for text in (repr(config), str(config), repr(config.credentials), str(dict(config.credentials))):
        assert TOKEN not in text
        assert password not in text
        assert "hunter2" not in text
        assert "urlpass" not in text
    assert repr(Credentials(token=TOKEN)) == "Credentials(kind='token')"
    assert TOKEN not in config.auth_hint("https://r.example/x")
    assert TOKEN not in caplog.text


def test_unset_variable_in_a_credential_warns_without_the_value(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        parsed = parse_npmrc("//r.example/:_authToken=${NPM_TOKEN}\n", {})
        NpmConfig.from_settings(parsed)
    assert "//r.example/" in caplog.text


def test_tarball_url_replace_registry_host() -> None:
    npmjs = "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"
    mirror = NpmConfig.from_settings({"registry": "https://mirror.example/npm/"})
    assert mirror.tarball_url(npmjs, "left-pad") == "https://mirror.example/npm/left-pad/-/left-pad-1.3.0.tgz"
    assert mirror.tarball_url("https://cdn.example/x.tgz", "left-pad") == "https://cdn.example/x.tgz"
    never = NpmConfig.from_settings({"registry": "https://mirror.example/", "replace-registry-host": "never"})
    assert never.tarball_url(npmjs, "left-pad") == npmjs
    always = NpmConfig.from_settings(
        {"registry": "https://mirror.example/", "replace-registry-host": "always"}
    )
    assert always.tarball_url("https://cdn.example/x/-/x.tgz", "x") == "https://mirror.example/x/-/x.tgz"


def test_nerf_dart_and_redaction() -> None:
    assert nerf_dart("https://r.example/npm/left-pad") == "//r.example/npm/"
    assert nerf_dart("http://127.0.0.1:4873/") == "//127.0.0.1:4873/"
    assert redact_url("https://u:p@r.example:8443/a?token=x#f") == "https://r.example:8443/a"


def test_config_pickles() -> None:
    config = NpmConfig.from_settings({"@s:registry": "https://s.example/", "//s.example/:_authToken": TOKEN})
    again = pickle.loads(pickle.dumps(config))
    assert again == config
    assert again.auth_headers("https://s.example/x") == {"Authorization": f"Bearer {TOKEN}"}


# ---- loading and precedence ----------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_precedence_env_over_project_over_user(tmp_path: Path) -> None:
    home = tmp_path / "home"
    project = tmp_path / "project"
    _write(
        home / ".npmrc",
        "registry=https://user.example/\n@a:registry=https://user-a.example/\n"
        "@b:registry=https://user-b.example/\n",
    )
    _write(project / ".npmrc", "registry=https://project.example/\n@a:registry=https://project-a.example/\n")
    config = load_npm_config(project, env={}, home=home)
    assert config.registry == "https://project.example/"
    assert config.registry_for("@a/x") == "https://project-a.example/"
    assert config.registry_for("@b/x") == "https://user-b.example/"
    assert config.sources == (str(project / ".npmrc"), str(home / ".npmrc"))

    env = {"npm_config_registry": "https://env.example/", "NPM_CONFIG_@B:REGISTRY": "https://env-b.example/"}
    config = load_npm_config(project, env=env, home=home)
    assert config.registry == "https://env.example/"
    assert config.registry_for("@a/x") == "https://project-a.example/"
    assert config.registry_for("@b/x") == "https://env-b.example/"


def test_default_when_nothing_configured(tmp_path: Path) -> None:
    config = load_npm_config(tmp_path, env={}, home=tmp_path / "nohome")
    assert config.registry == DEFAULT_REGISTRY
    assert config.sources == ()


def test_userconfig_override(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _write(home / ".npmrc", "registry=https://default-user.example/\n")
    other = _write(tmp_path / "elsewhere" / "npmrc", "registry=https://other-user.example/\n")
    config = load_npm_config(tmp_path / "project", env={"NPM_CONFIG_USERCONFIG": str(other)}, home=home)
    assert config.registry == "https://other-user.example/"
    tilde = load_npm_config(tmp_path / "project", env={"npm_config_userconfig": "~/alt"}, home=home)
    assert tilde.registry == DEFAULT_REGISTRY
    _write(home / "alt", "registry=https://alt.example/\n")
    tilde = load_npm_config(tmp_path / "project", env={"npm_config_userconfig": "~/alt"}, home=home)
    assert tilde.registry == "https://alt.example/"


def test_project_equal_to_home_is_read_once(tmp_path: Path) -> None:
    _write(tmp_path / ".npmrc", "registry=https://once.example/\n")
    config = load_npm_config(tmp_path, env={}, home=tmp_path)
    assert config.sources == (str(tmp_path / ".npmrc"),)


def test_credentials_from_files_with_env_expansion(tmp_path: Path) -> None:
    _write(tmp_path / ".npmrc", "registry=https://r.example/\n//r.example/:_authToken=${NPM_TOKEN}\n")
    config = load_npm_config(tmp_path, env={"NPM_TOKEN": TOKEN}, home=tmp_path / "home")
    assert config.auth_headers("https://r.example/pkg") == {"Authorization": f"Bearer {TOKEN}"}
    assert TOKEN not in repr(config)


def test_invalid_registry_in_a_file_names_the_file(tmp_path: Path) -> None:
    _write(tmp_path / ".npmrc", "registry=registry.example.com\n")
    with pytest.raises(UsageError) as caught:
        load_npm_config(tmp_path, env={}, home=tmp_path / "home")
    assert str(tmp_path / ".npmrc") in caught.value.message
    assert caught.value.hint


def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".npmrc").mkdir()
    assert load_npm_config(tmp_path, env={}, home=tmp_path / "home").registry == DEFAULT_REGISTRY
