"""Project settings: `airlock.toml`, `AIRLOCK_*` environment variables and flags — flag > env > file > default.

Unknown keys are an error naming the key (a typo must not silently disable a control). Secrets never
live here: registry auth comes from `.npmrc`, as npm reads it.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from airlock.accept import Acceptance
from airlock.errors import UsageError
from airlock.model import Severity, Verdict
from airlock.registry.semver import is_valid_range

if TYPE_CHECKING:
    from airlock.analysis.rules import Rule

CONFIG_FILE = "airlock.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    fail_on: Verdict = Verdict.BLOCK
    """Lowest verdict that makes the command exit 1."""
    offline: bool = False
    """Use only the cache: no registry requests."""
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    """Analysis processes."""
    min_release_age_days: float = 7.0
    """Versions published more recently than this are sent to review (`airlock check`)."""
    rule_severity: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    """Per-rule severity overrides, e.g. {"install-script": "low"}."""
    public_registry: str | None = "https://registry.npmjs.org/"
    """Where `airlock check` asks whether names from a private default registry also exist publicly
    (dependency confusion); "none" turns the question off."""
    accept: tuple[Acceptance, ...] = ()
    """Accepted findings (`[[accept]]` tables): one rule for one package range, with a reason."""


# key in airlock.toml → (Settings field, parser)
def _parse_verdict(value: object, where: str) -> Verdict:
    if isinstance(value, str) and value in {"block", "review"}:
        return Verdict(value)
    raise UsageError(f"{where}: expected 'block' or 'review', got {value!r}")


def _parse_bool(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        return value.lower() in {"1", "true", "yes", "on"}
    raise UsageError(f"{where}: expected true or false, got {value!r}")


def _parse_jobs(value: object, where: str) -> int:
    try:
        jobs = int(str(value))
    except ValueError:
        jobs = 0
    if jobs < 1 or isinstance(value, bool):
        raise UsageError(f"{where}: expected a positive number of processes, got {value!r}")
    return jobs


def _parse_days(value: object, where: str) -> float:
    try:
        days = float(str(value))
    except ValueError:
        days = -1.0
    if days < 0 or isinstance(value, bool):
        raise UsageError(f"{where}: expected a number of days >= 0, got {value!r}")
    return days


def _check_declared(rule_id: str, where: str) -> Rule:
    """`rule_id` must be a declared rule of some family, whichever families this process has imported."""
    from airlock.analysis.rules import all_rules, declared

    declaration = declared(rule_id)
    if declaration is None:
        close = difflib.get_close_matches(rule_id, [r.id for r in all_rules()], n=5, cutoff=0.6)
        raise UsageError(
            f"{where}: unknown rule {rule_id!r}",
            hint=(f"did you mean: {', '.join(close)}? " if close else "")
            + "rule ids are listed in docs/rules.md",
        )
    return declaration


def _parse_rules(value: object, where: str) -> Mapping[str, Severity]:
    if not isinstance(value, dict):
        raise UsageError(f'{where}: expected a table of rule-id = "severity"')
    out: dict[str, Severity] = {}
    for rule_id, severity in value.items():
        _check_declared(rule_id, where)
        try:
            out[rule_id] = Severity(severity)
        except ValueError:
            raise UsageError(
                f"{where}.{rule_id}: expected one of {', '.join(s.value for s in Severity)}, got {severity!r}"
            ) from None
    return MappingProxyType(out)


def _parse_public_registry(value: object, where: str) -> str | None:
    if not isinstance(value, str):
        raise UsageError(f"{where}: expected a registry URL or 'none', got {value!r}")
    if value.strip().lower() in {"", "none", "off", "false"}:
        return None
    if not value.startswith(("https://", "http://")):
        raise UsageError(f"{where}: expected an http(s) registry URL or 'none', got {value!r}")
    return value if value.endswith("/") else value + "/"


_ACCEPT_EXAMPLE = (
    'e.g.\n  [[accept]]\n  package = "simple-git-hooks"\n  version = "^2.11"\n'
    '  rule = "install-dynamic-code"\n  reason = "loads our own hooks config at install"\n'
    "  expires = 2027-03-01   # optional"
)
_ACCEPT_FIELDS = ("package", "version", "rule", "reason", "expires")


def _accept_text(entry: Mapping[str, object], key: str, where: str, what: str) -> str:
    value = entry.get(key)
    if value is None:
        raise UsageError(f"{where}: missing {key!r} ({what})", hint=_ACCEPT_EXAMPLE)
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where}.{key}: expected {what}, got {value!r}", hint=_ACCEPT_EXAMPLE)
    return value.strip()


def _accept_rule(entry: Mapping[str, object], where: str) -> str:
    if entry.get("rule") is None:
        raise UsageError(
            f"{where}: missing 'rule': an acceptance silences one rule, never every finding of a package",
            hint='name the rule the finding reports, e.g. rule = "install-dynamic-code" (one entry per rule)',
        )
    rule = _accept_text(entry, "rule", where, "one rule id")
    if any(ch in rule for ch in "*?[],") or rule.lower() in {"all", "any"}:
        raise UsageError(
            f"{where}.rule: {rule!r} is not one rule id: an acceptance silences one rule, no wildcards",
            hint="write one [[accept]] entry per rule to accept",
        )
    if not _check_declared(rule, f"{where}.rule").acceptable:
        raise UsageError(
            f"{where}.rule: {rule!r} cannot be accepted: it says the bytes or the lockfile do not match what "
            "was published",
            hint="find out why (a tampered lockfile, a poisoned cache or mirror) and fix that: regenerate the "
            "lockfile from the registry, or `airlock cache clear`",
        )
    return rule


def _parse_accept(value: object, where: str) -> tuple[Acceptance, ...]:
    from airlock.targets import validate_package_name

    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise UsageError(f"{where}: expected [[accept]] tables", hint=_ACCEPT_EXAMPLE)
    entries: list[Acceptance] = []
    for n, entry in enumerate(value, start=1):
        at = f"{where}[{n}]"
        unknown = sorted(set(entry) - set(_ACCEPT_FIELDS))
        if unknown:
            raise UsageError(
                f"{at}: unknown key {unknown[0]!r}",
                hint=f"an [[accept]] entry has: {', '.join(_ACCEPT_FIELDS)}",
            )
        package = _accept_text(entry, "package", at, "the package's exact name")
        try:
            validate_package_name(package)
        except UsageError as error:
            raise UsageError(
                f"{at}.package: {error.message}", hint="the exact name, e.g. @scope/name"
            ) from None
        version = _accept_text(entry, "version", at, 'an npm version range ("*" for every version)')
        if not is_valid_range(version):
            raise UsageError(
                f"{at}.version: {version!r} is not an npm semver range",
                hint='e.g. "1.2.3", "^2.11", ">=1 <3", or "*" for every version',
            )
        rule = _accept_rule(entry, at)
        reason = _accept_text(entry, "reason", at, "why this finding is acceptable")
        expires = entry.get("expires")
        if expires is not None and (not isinstance(expires, date) or isinstance(expires, datetime)):
            raise UsageError(
                f"{at}.expires: expected a date, got {expires!r}",
                hint="write a TOML date without quotes, e.g. expires = 2027-03-01",
            )
        entries.append(Acceptance(package, version, rule, reason, expires))
    return tuple(entries)


_KEYS: Mapping[str, tuple[str, Any]] = {
    "fail-on": ("fail_on", _parse_verdict),
    "offline": ("offline", _parse_bool),
    "jobs": ("jobs", _parse_jobs),
    "min-release-age-days": ("min_release_age_days", _parse_days),
    "rules": ("rule_severity", _parse_rules),
    "public-registry": ("public_registry", _parse_public_registry),
    "accept": ("accept", _parse_accept),
}
_ENV = {key: "AIRLOCK_" + key.upper().replace("-", "_") for key in _KEYS if key not in {"rules", "accept"}}


def parse_config(text: str, *, source: str) -> dict[str, Any]:
    """Validated settings from the text of an airlock.toml (only the keys it sets)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{source} is not valid TOML: {exc}") from None
    values: dict[str, Any] = {}
    for key, raw in doc.items():
        if key not in _KEYS:
            raise UsageError(
                f"{source}: unknown setting {key!r}",
                hint=f"known settings: {', '.join(sorted(_KEYS))}",
            )
        attr, parser = _KEYS[key]
        values[attr] = parser(raw, f"{source}: {key}")
    return values


def load_settings(
    project_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, object] | None = None,
    raw_flags: Mapping[str, str | None] | None = None,
) -> Settings:
    """Settings for a project: defaults, then airlock.toml, then AIRLOCK_* variables, then flags."""
    env = os.environ if env is None else env
    settings = Settings()
    path = project_dir / CONFIG_FILE
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from None
        settings = replace(settings, **parse_config(text, source=str(path)))
    from_env: dict[str, Any] = {}
    for key, var in _ENV.items():
        if var in env and env[var] != "":
            attr, parser = _KEYS[key]
            from_env[attr] = parser(env[var], var)
    settings = replace(settings, **from_env)
    known = {f.name for f in fields(Settings)}
    chosen: dict[str, Any] = {k: v for k, v in (flags or {}).items() if v is not None}
    # Flags given as text are parsed like the file's values (e.g. `--public-registry none`).
    for flag, flag_text in (raw_flags or {}).items():
        if flag_text is not None:
            flag_attr, flag_parser = _KEYS[flag]
            chosen[flag_attr] = flag_parser(flag_text, f"--{flag}")
    unknown = set(chosen) - known
    if unknown:
        raise ValueError(f"unknown settings flags: {sorted(unknown)}")  # programming error, not user input
    return replace(settings, **chosen)
