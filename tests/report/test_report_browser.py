"""The HTML report as a reader's browser shows it: headless Debian Chromium, driven by
Playwright. The page loads with no console error, every figure is a decoded, non-empty
image, nothing is requested beyond the file itself, and a full-page screenshot is kept in
build/test-artifacts/ (CI keeps it; open it after changing what the page shows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, browser_page


@pytest.mark.slow
@pytest.mark.parametrize("which", ["reported_study", "tiny_study"])
def test_report_opens_cleanly_in_chromium(which, request):
    study: Path = request.getfixturevalue(which)
    report = study / "analysis" / "report.html"
    with browser_page() as (page, console, requests):
        page.goto(report.as_uri(), wait_until="load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight, e.alt])"
        )
        headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
        width = page.evaluate("document.documentElement.scrollWidth")
        shot = ARTIFACTS / f"report-{which}.png"
        page.screenshot(path=str(shot), full_page=True)
    assert [m for m in console if m[0] in ("error", "warning")] == []
    assert [u for u in requests if u != report.as_uri()] == []
    assert images, "the report has no figure"
    for complete, w, h, alt in images:
        assert complete and w > 100 and h > 100 and alt
    assert "Provenance" in headings and "Agreement between coders" in headings
    assert width <= 1100  # no table pushes the page sideways at a laptop's width
    assert shot.stat().st_size > 20_000
