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


@pytest.mark.slow
def test_adjudication_section_is_shown_with_its_numbers(adjudicated_study):
    """A study with decisions: the Adjudication section is on screen after the
    disagreements, with each coder's sided-with count and share as the tables hold them,
    its figure decoded, and the page no wider than a laptop's screen."""
    import pandas as pd

    from framestudy.analysis.adjudication import ALL
    from framestudy.report.content import num, pseudonyms

    report = adjudicated_study / "analysis" / "report.html"
    coders = pd.read_csv(adjudicated_study / "analysis" / "adjudication_coders.csv")
    overall = coders[coders["variable"] == ALL]
    names = pseudonyms(coders["coder"])
    with browser_page() as (page, console, requests):
        page.goto(report.as_uri(), wait_until="load")
        section = page.locator("section#adjudication")
        section.scroll_into_view_if_needed()
        visible = section.is_visible()
        heading = section.locator("h2").inner_text()
        order = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
        rows = section.locator("table").first.locator("tbody tr").all_inner_texts()
        figure = section.locator("img").evaluate(
            "e => [e.complete, e.naturalWidth, e.naturalHeight, e.alt]")
        width = page.evaluate("document.documentElement.scrollWidth")
        section.screenshot(path=str(ARTIFACTS / "report-adjudication-section.png"))
        shot = ARTIFACTS / "report-adjudicated_study.png"
        page.screenshot(path=str(shot), full_page=True)
    assert [m for m in console if m[0] in ("error", "warning")] == []
    assert [u for u in requests if u != report.as_uri()] == []
    assert visible and heading == "Adjudication"
    assert order.index("adjudication") == order.index("disagreements") + 1
    shown = {cells.split("\t")[0]: cells.split("\t")[1:4] for cells in rows}
    assert shown == {names[r.coder]: [str(r.decisions), str(r.sided), num(r.share)]
                     for r in overall.itertuples()}
    complete, w, h, alt = figure
    assert complete and w > 100 and h > 100 and "coder" in alt
    assert width <= 1100
    assert shot.stat().st_size > 20_000
