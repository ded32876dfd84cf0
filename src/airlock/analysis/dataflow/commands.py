"""Commands whose output is a credential: `gh auth token`, `npm config get …_authToken`, `gcloud auth
print-access-token`, `cat ~/.ssh/id_rsa`, `printenv`, a secret scanner.

Stealers ask the tools that hold tokens for them instead of reading their files (Shai-Hulud ran `gh auth token`
and trufflehog; the s1ngularity payload asked `gh auth token` and AI CLIs). What such a command prints is
labelled as the secret it is: a token for a service (its own service may receive it: a release tool calling
the GitHub API with `gh auth token` is a client), the whole environment, or key material (theft wherever it
goes).
"""

from __future__ import annotations

import re
import shlex

from airlock.analysis.dataflow.labels import Kind, path_kind

_TOKEN_COMMANDS: tuple[tuple[re.Pattern[str], Kind, str], ...] = (
    (re.compile(r"\bgh\s+auth\s+(?:token|status\s+[^|;&]*--show-token)"), Kind.SECRET_ENV, "GITHUB_TOKEN"),
    (re.compile(r"\bnpm\s+(?:config\s+)?get\b[^|;&]*_auth"), Kind.SECRET_FILE, ".npmrc"),
    (re.compile(r"\bnpm\s+token\s+(?:list|create)\b"), Kind.SECRET_FILE, ".npmrc"),
    (re.compile(r"\bgcloud\s+auth\s+print-(?:access|identity)-token\b"), Kind.SECRET_ENV, "GCLOUD_TOKEN"),
    (
        re.compile(
            r"\baws\s+(?:configure\s+(?:get|export-credentials)|sts\s+get-session-token|ecr\s+get-login)"
        ),
        Kind.SECRET_ENV,
        "AWS_SESSION_TOKEN",
    ),
    (re.compile(r"\baz\s+account\s+get-access-token\b"), Kind.SECRET_ENV, "AZURE_ACCESS_TOKEN"),
    (
        re.compile(r"\bgit\s+config\b[^|;&]*credential|\bgit\s+credential\s+fill\b"),
        Kind.SECRET_FILE,
        ".git-credentials",
    ),
    (
        re.compile(r"\bsecurity\s+find-(?:generic|internet)-password\b"),
        Kind.KEY_MATERIAL,
        "keychain password",
    ),
    (re.compile(r"\btrufflehog\b|\bgitleaks\b"), Kind.KEY_MATERIAL, "secret scanner findings"),
    (
        re.compile(r"/proc/[^|;&]{0,80}?/environ|(?:^|[;&|(]\s*)(?:printenv|env|set)\s*(?:$|[;&|)])"),
        Kind.ENV_DUMP,
        "process.env",
    ),
)


def command_secret(command: str) -> tuple[Kind, str] | None:
    """The secret `command` prints, as (kind, detail), or None."""
    text = command[:2000]
    for pattern, kind, detail in _TOKEN_COMMANDS:
        if pattern.search(text):
            return kind, detail
    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        words = text.split()
    for word in words[:64]:
        named = path_kind(word)
        if named is Kind.SECRET_PATH:
            return Kind.SECRET_FILE, word
        if named is Kind.HISTORY:
            return Kind.HISTORY, word
    return None


__all__ = ["command_secret"]
