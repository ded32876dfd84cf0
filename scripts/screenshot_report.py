"""Screenshot an airlock HTML report with Playwright driving Debian's chromium (docs/report-webapp.png).

    .venv/bin/airlock check bench/trees/webapp --format html -o /tmp/webapp.html   # real registry
    .venv/bin/python scripts/screenshot_report.py /tmp/webapp.html docs/report-webapp.png

Uses the system browser (`apt-get install chromium`), never `playwright install`. The flags keep chromium
from reaching for the network at start-up (on a closed network it would otherwise hang on connections);
the report itself loads nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("report", type=Path, help="an HTML report written by airlock --format html")
    parser.add_argument("png", type=Path, help="where to write the screenshot")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--chromium", default=CHROMIUM, help=f"the browser to drive (default {CHROMIUM})")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not one viewport")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        print(f"no browser at {args.chromium}: apt-get install chromium", file=sys.stderr)
        return 2
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(args.report.resolve().as_uri())
            page.wait_for_selector("#shown-count")
            page.screenshot(path=str(args.png), full_page=args.full_page)
        finally:
            browser.close()
    print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
