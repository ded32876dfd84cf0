from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from airlock.config import Settings, load_settings, parse_config
from airlock.errors import UsageError
from airlock.model import Severity, Verdict


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={})
    assert settings.fail_on is Verdict.BLOCK
    assert settings.offline is False
    assert settings.jobs >= 1
    assert settings.min_release_age_days == 7.0


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    (tmp_path / "airlock.toml").write_text('fail-on = "review"\njobs = 3\noffline = true\n')
    from_file = load_settings(tmp_path, env={})
    assert (from_file.fail_on, from_file.jobs, from_file.offline) == (Verdict.REVIEW, 3, True)
    from_env = load_settings(tmp_path, env={"AIRLOCK_JOBS": "5", "AIRLOCK_OFFLINE": "0"})
    assert (from_env.jobs, from_env.offline, from_env.fail_on) == (5, False, Verdict.REVIEW)
    from_flag = load_settings(tmp_path, env={"AIRLOCK_JOBS": "5"}, flags={"jobs": 7, "fail_on": None})
    assert (from_flag.jobs, from_flag.fail_on) == (7, Verdict.REVIEW)


def test_unknown_key_is_named(tmp_path: Path) -> None:
    (tmp_path / "airlock.toml").write_text("fail_on = 'review'\n")
    with pytest.raises(UsageError) as info:
        load_settings(tmp_path, env={})
    assert "unknown setting 'fail_on'" in info.value.message
    assert info.value.hint is not None and "fail-on" in info.value.hint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fail-on = 'maybe'", "expected 'block' or 'review'"),
        ("jobs = 0", "expected a positive number"),
        ("offline = 'perhaps'", "expected true or false"),
        ("min-release-age-days = -1", "expected a number of days"),
        ("[rules]\nno-such-rule = 'low'", "unknown rule 'no-such-rule'"),
        ("[rules]\ntarget-failed = 'severe'", "expected one of info, low"),
        ("this is not toml", "is not valid TOML"),
    ],
)
def test_bad_values_say_why(text: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_config(text, source="airlock.toml")
    assert message in info.value.message


def test_rule_severity_overrides(tmp_path: Path) -> None:
    (tmp_path / "airlock.toml").write_text("[rules]\ntarget-failed = 'low'\n")
    settings = load_settings(tmp_path, env={})
    assert settings.rule_severity == {"target-failed": Severity.LOW}


def test_rule_overrides_know_every_family_in_a_process_that_ran_no_analysis() -> None:
    # A library caller may read airlock.toml before anything imported the lockfile rules.
    code = (
        "from airlock.config import parse_config\n"
        "print(dict(parse_config(\"[rules]\\nlockfile-foreign-host = 'low'\", source='t')['rule_severity']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'lockfile-foreign-host': <Severity.LOW: 'low'>}"


def test_bad_env_value_names_variable(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        load_settings(tmp_path, env={"AIRLOCK_FAIL_ON": "never"})
    assert "AIRLOCK_FAIL_ON" in info.value.message


def test_settings_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().jobs = 2  # type: ignore[misc]


def test_public_registry_from_file_env_and_flag(tmp_path: Path) -> None:
    assert load_settings(tmp_path, env={}).public_registry == "https://registry.npmjs.org/"
    (tmp_path / "airlock.toml").write_text('public-registry = "https://mirror.example.com/npm"\n')
    assert load_settings(tmp_path, env={}).public_registry == "https://mirror.example.com/npm/"
    assert load_settings(tmp_path, env={"AIRLOCK_PUBLIC_REGISTRY": "none"}).public_registry is None
    flagged = load_settings(
        tmp_path, env={"AIRLOCK_PUBLIC_REGISTRY": "none"}, raw_flags={"public-registry": "off"}
    )
    assert flagged.public_registry is None
    with pytest.raises(UsageError, match="--public-registry: expected an http"):
        load_settings(tmp_path, env={}, raw_flags={"public-registry": "ftp://x"})
