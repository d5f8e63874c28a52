"""Debian's Chromium, headless, driven by Playwright: one launcher for the browser tests and the screenshots.

Playwright never downloads a browser here (no `playwright install`): it drives the system's Chromium,
which .ci/run installs from Debian's packages. Each launch gets a fresh, empty profile from Playwright.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")

#: Without the background-networking flags Chromium tries to reach Google's hosts at every start.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
)


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with a fresh profile."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(FLAGS), headless=True)
