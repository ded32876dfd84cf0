"""The kinds of indicator `airlock.analysis.signals` finds in a file's text, apart from the scanner: a rule
names the indicators it combines when it is declared, and declaring rules must not load the parsers."""

from __future__ import annotations

from enum import StrEnum


class Indicator(StrEnum):
    SECRET_FILE = "secret-file"
    """Credential stores: .npmrc, .ssh keys, .aws, .docker/config.json, .kube, browser/Discord/wallets."""
    SECRET_ENV = "secret-env"
    """Names of token-bearing environment variables (NPM_TOKEN, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY…)."""
    ENV_DUMP = "env-dump"
    """The whole environment serialised or iterated: JSON.stringify(process.env), Object.entries(…)."""
    EXFIL_HOST = "exfil-host"
    """Webhooks (Discord, Telegram, Slack), pastebins, OAST/interaction and tunnel services."""
    RAW_IP_URL = "raw-ip-url"
    """A URL to a public IPv4 address (private, loopback and link-local ranges excluded)."""
    GEO_LOOKUP = "geo-lookup"
    """IP/geolocation lookup services."""
    COUNTRY = "country"
    """Country or locale names that protestware conditions on."""
    MINER = "miner"
    """Mining pools, stratum URLs, miner binaries."""
    PERSISTENCE = "persistence"
    """Shell profiles, crontab, systemd units, startup folders, Run keys, LaunchAgents."""
    GIT_HOOKS = "git-hooks"
    CI_WORKFLOW = "ci-workflow"
    """`.github/workflows` paths: a worm writing CI that exfiltrates secrets."""
    PUBLISH = "publish"
    """`npm publish`, the registry's publish/whoami endpoints: self-propagation."""
    DETACHED = "detached"
    """A child process started detached and silent."""
    IMAGE_FILE = "image-file"
    """An image file named in code (steganography reads payloads out of pixels)."""
    DECODER = "decoder"
    """base64/hex/char-code decoding of data."""
    DECIPHER = "decipher"
    """Symmetric decryption (crypto.createDecipher*)."""
    NPM_PACKAGE_ENV = "npm-package-env"
    """`process.env.npm_package_*`: a payload keyed on the package that loads it (flatmap-stream)."""
    OBFUSCATOR = "obfuscator"
    """javascript-obfuscator output: `_0x…` identifiers in bulk, string-array rotation."""
    JSFUCK = "jsfuck"
    HIDDEN_CODE = "hidden-code"
    """Code pushed far right by a long run of whitespace, out of view in an editor or a diff."""
    INVISIBLE = "invisible"
    """Bidi controls or invisible characters (Trojan Source, Hangul fillers as identifiers)."""
    ENCODED_BLOB = "encoded-blob"
    """A long base64/hex literal."""
    MODULE_INSTANCE = "module-instance"
    """`new module.constructor`: a fresh CommonJS module to compile code into."""
    SELF_ERASE = "self-erase"
    """Code deleting its own file: `fs.unlinkSync(__filename)` (anti-forensics when it runs at install)."""
    MANIFEST_REWRITE = "manifest-rewrite"
    """Code writing, renaming onto or deleting its own package's package.json (`renameSync('package.md',
    'package.json')`): hides what the package declared once install ran."""
    INFINITE_LOOP = "infinite-loop"
    """A module-level loop that never ends (colors@1.4.1)."""


__all__ = ["Indicator"]
