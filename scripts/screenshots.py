"""Screenshots of the catalogue for docs/screenshots/: the home page and pembrolizumab's page.

Run from the repository with the [dev] extra installed: python scripts/screenshots.py
It builds the site of the packaged data into a temporary folder and photographs it with Debian's
Chromium (/usr/bin/chromium), the browser the end-to-end tests use.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from browser import launch  # noqa: E402 - after the path to tests/
from playwright.sync_api import sync_playwright  # noqa: E402

from immunoref.site import build_site  # noqa: E402

OUT = REPO / "docs" / "screenshots"

#: (file name, page under the site, viewport width, viewport height, whole page?)
SHOTS = (
    ("home.png", "index.html", 1280, 900, True),
    ("pembrolizumab.png", "agents/pembrolizumab.html", 1280, 1500, False),
    ("agents-phone.png", "agents/index.html", 375, 812, False),
)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = build_site(Path(tmp) / "site").out
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for name, page_path, width, height, full in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
                page.goto((site / page_path).as_uri())
                page.wait_for_load_state("load")
                page.screenshot(path=str(OUT / name), full_page=full)
                page.close()
                print(f"wrote {OUT / name}")
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
