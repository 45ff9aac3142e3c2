"""Headless Debian Chromium for the tests that check what a person sees (the HTML report,
the labeling screen). Playwright drives the system browser (``/usr/bin/chromium``, which
``make browser`` installs); its own browser download cannot be used offline."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "build" / "test-artifacts"
#: no network of its own: Chromium's background services would try to reach Google
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextlib.contextmanager
def browser_page(width: int = 1000, height: int = 900) -> Iterator[tuple]:
    """(page, console messages as (type, text), every requested URL) of a fresh browser."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            console: list[tuple[str, str]] = []
            requests: list[str] = []
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: console.append(("error", str(e))))
            page.on("request", lambda r: requests.append(r.url))
            yield page, console, requests
        finally:
            browser.close()
