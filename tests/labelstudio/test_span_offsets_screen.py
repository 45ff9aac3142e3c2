"""Span offsets after an emoji, as the labeling screen saves and shows them.

A character outside the Basic Multilingual Plane (most emoji) is one code point in Python but
two UTF-16 code units in JavaScript, so offsets into text after it depend on which count is
meant. None of the bundled articles has such a character. Here a coder opens an article that
has, in headless Chromium, with a suggestion framestudy wrote for a phrase after the emoji
(a prediction, offsets in code points as :mod:`framestudy.annotations.spans` says Label
Studio stores them) and marks another phrase after it with the mouse: the suggestion must be
highlighted on exactly its phrase, the saved offsets must be code points, and ``pull`` must
put both spans at their phrases' Python offsets.
"""

from __future__ import annotations

import re
import uuid

import pytest

from framestudy import settings
from framestudy.annotations import read_tidy
from framestudy.annotations.spans import TextIndex
from framestudy.labelstudio.credentials import load_coder_passwords
from framestudy.schema import load_schema
from tests.browser import ARTIFACTS, browser_page

from .conftest import REPO, coder_emails, make_study, run_cli
from .test_labeling_screen import (
    HEIGHT,
    TIMEOUT_MS,
    WIDTH,
    login,
    mark_span,
    open_own_project,
    tick,
)

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]

TEXT = (
    "Ministers met in Brussels on Thursday.\n\n"
    "The ministry answered with a single emoji, \U0001F6E1\uFE0F, and a handshake \U0001F91D "
    "and then the alliance promised nothing at all to anybody.\n\n"
    "Later the envoy repeated that enlargement remains open."
)
PHRASE = "promised nothing at all"
SUGGESTED = "enlargement remains open"


def test_a_span_marked_after_an_emoji_is_pulled_at_its_python_offsets(labelstudio, tmp_path):
    schema_hash = load_schema(REPO / "schemas" / "framing.yaml").hash
    root = tmp_path / "study"
    study = make_study(root, name=f"emoji-{uuid.uuid4().hex[:6]}", tasks=[{"data": {
        "article_id": "emoji-1", "outlet": "outlet-a", "title": "Emoji", "text": TEXT,
        "schema_hash": schema_hash}}])
    (coder,) = coder_emails(1)
    env = labelstudio.env()
    for args in (("coders", "add", coder), ("push",)):
        done = run_cli(*args, cwd=root, env=env)
        assert done.returncode == 0, done.stderr
    (record,) = settings.projects(study, labelstudio.url)
    conn = labelstudio.admin()
    (task_id,) = [t.id for t in conn.sdk.tasks.list(project=record.id)]
    at = TEXT.index(SUGGESTED)
    conn.sdk.projects.import_predictions(id=record.id, request=[{
        "task": task_id, "model_version": "offsets-test", "result": [{
            "id": "sug1", "from_name": "span", "to_name": "text", "type": "labels",
            "value": {"start": at, "end": at + len(SUGGESTED), "text": SUGGESTED,
                      "labels": ["GUARANTEE"]}}]}])
    conn.sdk.projects.update(id=record.id, model_version="offsets-test",
                             show_collab_predictions=True)
    with browser_page(WIDTH, HEIGHT) as (page, _console, _requests):
        page.set_default_timeout(TIMEOUT_MS)
        login(page, labelstudio.url, coder, load_coder_passwords(study)[coder])
        task = open_own_project(page, labelstudio.url, record.title)
        assert task["data"]["text"] == TEXT
        page.locator(".htx-highlight").first.wait_for(state="attached")
        shown = page.evaluate(
            "() => [...document.querySelectorAll('.lsf-htx-richtext .htx-highlight')]"
            ".map(e => e.textContent).join('')")
        assert shown == SUGGESTED  # the suggestion sits on its phrase, not a character off
        mark_span(page, "BLAME", PHRASE)
        page.keyboard.press("u")  # unselect the span
        schema = load_schema(study.schema_source)
        for var in schema.variables:  # every article-level question answered, as required
            question = f"{var.code}. {var.question}" if var.code else var.question
            tick(page, question, schema.values(var)[0].display)
        page.screenshot(path=str(ARTIFACTS / "labeling-screen-emoji-span.png"))
        with page.expect_response(
            lambda r: re.search(r"/api/tasks/\d+/annotations", r.url) is not None
            and r.request.method == "POST",
        ) as saved:
            page.click("[data-testid=bottombar-submit-button]")
        assert saved.value.status == 201, saved.value.text()
        regions = {r["value"]["labels"][0]: r["value"] for r in saved.value.json()["result"]
                   if r["from_name"] == "span"}
    start = TEXT.index(PHRASE)
    # what the browser saved: code points; JavaScript would count the two emoji as four
    assert (regions["BLAME"]["start"], regions["BLAME"]["end"]) == (start, start + len(PHRASE))
    assert (regions["GUARANTEE"]["start"], regions["GUARANTEE"]["end"]) == (
        at, at + len(SUGGESTED))
    assert TextIndex(TEXT).to_python(start + 2) == start  # where UTF-16 would have put it
    pulled = run_cli("pull", cwd=root, env=env)
    assert pulled.returncode == 0, pulled.stderr
    table = read_tidy(study.annotations_csv)
    spans = {(r.value, r.span_start, r.span_end, r.span_text)
             for r in table[table["variable"] == "span"].itertuples()}
    assert spans == {("BLAME", start, start + len(PHRASE), PHRASE),
                     ("GUARANTEE", at, at + len(SUGGESTED), SUGGESTED)}
