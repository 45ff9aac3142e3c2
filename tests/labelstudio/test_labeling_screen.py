"""The annotators' labeling screen, driven in headless Chromium against the suite's server.

As the annotators' guide tells it: a study is pushed (``coders add``, ``push``, through the
external-server path), and three coders log in through Label Studio's login page with the
passwords ``coders add`` stored in the study's ``.labelstudio/coders.json``. Each opens their
own project from the project list and presses *Label All Tasks*:

- the first marks a BLAME and a LEGITIMACY span with the mouse (label button, then a drag
  over the words), selects each span and answers its questions in the column beside the
  article -- which must be inside the viewport, not below the article -- answers every
  article-level question and submits;
- the second skips their task;
- the third answers a question, marks a span and postpones the task (the arrow beside the
  task number), which keeps the work as a draft.

``framestudy pull`` must then hold exactly what was clicked (values, offsets, span text) and
report the skip and the draft. Screenshots of the screen are kept in build/test-artifacts/
(look at them after changing the labeling config), with the phases' timings.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field

import pandas as pd
import pytest

from framestudy import settings
from framestudy.annotations import read_tidy
from framestudy.labelstudio.credentials import load_coder_passwords
from framestudy.schema import load_schema
from tests.browser import ARTIFACTS, browser_page

from .conftest import coder_emails, make_study, run_cli

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]

WIDTH, HEIGHT = 1280, 800  # a laptop's browser window
TIMEOUT_MS = 30_000

# The answers the first coder clicks: per span label, its questions' answers (display
# labels), and for every article-level question the answers to tick (by index in its list).
SPAN_ANSWERS = {
    "BLAME": {
        "Who is blamed? (Choose all that apply.)": ["Russia", "NATO"],
        "For what outcome?": ["war or escalation"],
        "Whose claim is it?": ["attributed"],
    },
    "LEGITIMACY": {
        "What is evaluated?": ["NATO enlargement"],
        "In which direction?": ["delegitimizing"],
        "Whose claim is it?": ["authorial"],
    },
}


@dataclass
class Clicked:
    """What a coder did in the browser, as the test recorded it."""

    coder: str
    task_id: int | None = None
    text: str = ""
    rows: set[tuple] = field(default_factory=set)  # (variable, value, start, end, span text)
    annotation: dict | None = None
    draft: dict | None = None


@dataclass
class Session:
    study: object
    url: str
    coders: list[str]
    projects: dict[str, int]
    clicked: dict[str, Clicked] = field(default_factory=dict)
    in_view: list[dict] = field(default_factory=list)  # question boxes, span selected
    timings: dict[str, float] = field(default_factory=dict)
    console: list[tuple[str, str]] = field(default_factory=list)
    shots: list = field(default_factory=list)
    pulled: str = ""  # what `framestudy pull` printed


# -- driving the screen --------------------------------------------------------------------

_RANGE_JS = """(needle) => {
  const root = document.querySelector('.lsf-htx-richtext');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const i = node.textContent.indexOf(needle);
    if (i < 0) continue;
    node.parentElement.scrollIntoView({block: 'center'});
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + needle.length);
    const rects = [...range.getClientRects()];
    const a = rects[0], b = rects[rects.length - 1];
    return {x0: a.left, y0: a.top + a.height / 2, x1: b.right, y1: b.top + b.height / 2,
            cx: (a.left + a.right) / 2, cy: a.top + a.height / 2};
  }
  return null;
}"""


def login(page, url: str, email: str, password: str) -> None:
    """Log in through Label Studio's login page, as a coder does."""
    page.goto(f"{url}/user/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/user/login).*$"), timeout=TIMEOUT_MS)


def open_own_project(page, url: str, title: str) -> dict:
    """From the project list, open the coder's project and press Label All Tasks; return the
    task Label Studio serves first (its answer to the next-task request)."""
    page.goto(f"{url}/projects/")
    page.locator("a[href^='/projects/']", has_text=title).first.click()
    button = page.get_by_role("button", name=re.compile("Label All Tasks", re.I))
    button.wait_for(timeout=TIMEOUT_MS)
    with page.expect_response(lambda r: "id=next_task" in r.url, timeout=TIMEOUT_MS) as answer:
        button.click()
    task = answer.value.json()
    page.wait_for_selector(".lsf-htx-richtext .lsf-richtext__line", timeout=TIMEOUT_MS)
    return task


def phrases(text: str, n: int) -> list[str]:
    """``n`` three-word phrases of plain words, each once in the text, from different
    paragraphs (word granularity snaps a selection to whole words: plain ones are safe)."""
    found = []
    for paragraph in text.split("\n\n")[1:]:
        words = paragraph.split(" ")
        for i in range(len(words) - 2):
            three = words[i : i + 3]
            phrase = " ".join(three)
            if all(re.fullmatch(r"[A-Za-z]{3,}", w) for w in three) and text.count(phrase) == 1:
                found.append(phrase)
                break
        if len(found) == n:
            return found
    raise AssertionError(f"no {n} plain phrases in the article")


def mark_span(page, label: str, needle: str) -> None:
    """Click the label's button, then drag the mouse over ``needle`` in the article."""
    page.locator(".lsf-label", has_text=label).first.click()
    box = page.evaluate(_RANGE_JS, needle)
    assert box, f"{needle!r} is not on the screen"
    page.mouse.move(box["x0"] + 2, box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"] - 2, box["y1"], steps=10)
    page.mouse.up()


def select_span(page, needle: str) -> None:
    box = page.evaluate(_RANGE_JS, needle)
    page.mouse.click(box["cx"], box["cy"])
    page.locator(".fs-span").wait_for(state="visible", timeout=TIMEOUT_MS)


def choice(page, question: str, answer: str):
    """The answer's input under the question's header (the first answers after it)."""
    header = (
        "//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
        f"[normalize-space()={_xpath_literal(question)}]"
    )
    scope = f"{header}/following-sibling::div[contains(@class,'lsf-choices')][1]"
    return page.locator(f"xpath={scope}//input[@name={_xpath_literal(answer)}]")


def _xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


def tick(page, question: str, answer: str) -> None:
    box = choice(page, question, answer)
    box.click()
    assert box.is_checked(), (question, answer)


def boxes_in_view(page) -> dict:
    """Where the selected span's question box and its visible answers are on the screen."""
    return page.evaluate(
        """() => {
      const r = e => { const b = e.getBoundingClientRect();
                       return {top: b.top, bottom: b.bottom, left: b.left, right: b.right}; };
      const box = document.querySelector('.fs-span');
      const inputs = [...box.querySelectorAll('input')].filter(i => i.offsetParent !== null);
      const text = document.querySelector('.lsf-htx-richtext').getBoundingClientRect();
      const pane = document.querySelector('.fs-questions');
      return {box: r(box), answers: inputs.map(i => ({name: i.name, ...r(i)})),
              pane: r(pane), text_right: text.right, width: innerWidth, height: innerHeight};
    }"""
    )


def shoot(session: Session, page, name: str) -> None:
    path = ARTIFACTS / f"labeling-screen-{name}.png"
    page.screenshot(path=str(path))
    session.shots.append(path)


# -- the three coders --------------------------------------------------------------------


def code_an_article(session: Session, page, schema, coder: str) -> None:
    title = project_title(session, coder)
    task = open_own_project(page, session.url, title)
    clicked = Clicked(coder, int(task["id"]), task["data"]["text"])
    text = clicked.text
    blame, legitimacy = phrases(text, 2)
    started = time.monotonic()
    for label, needle in (("BLAME", blame), ("LEGITIMACY", legitimacy)):
        mark_span(page, label, needle)
        select_span(page, needle)
        if label == "BLAME":  # the screen a coder sees for a span: questions beside the text
            session.in_view.append(boxes_in_view(page))
        start = text.index(needle)
        where = (start, start + len(needle), needle)
        clicked.rows.add(("span", label, *where))
        for question, answers in SPAN_ANSWERS[label].items():
            attr = next(a for a in schema.attributes if a.question == question)
            for answer in answers:
                tick(page, question, answer)
                value = next(v.id for v in schema.values(attr) if v.display == answer)
                clicked.rows.add((attr.id, value, *where))
        if label == "BLAME":
            shoot(session, page, "span-selected")
        page.keyboard.press("u")  # unselect the span (Label Studio's key)
    session.timings["submits: two spans marked and their questions answered"] = (
        time.monotonic() - started
    )

    started = time.monotonic()
    for i, var in enumerate(schema.variables):
        values = [v for v in schema.values(var) if not (var.id == "relevant" and v.id == "no")]
        picked = values[i % len(values) :][: 2 if var.type == "multiple" else 1]
        question = f"{var.code}. {var.question}" if var.code else var.question
        for value in picked:
            tick(page, question, value.display)
            clicked.rows.add((var.id, value.id, None, None, None))
    session.timings["submits: every article-level question answered"] = (
        time.monotonic() - started
    )
    page.evaluate("document.querySelector('.fs-questions').scrollTop = 0")
    shoot(session, page, "answered")

    with page.expect_response(
        lambda r: re.search(r"/api/tasks/\d+/annotations", r.url) is not None
        and r.request.method == "POST",
        timeout=TIMEOUT_MS,
    ) as saved:
        page.click("[data-testid=bottombar-submit-button]")
    assert saved.value.status == 201, saved.value.text()
    clicked.annotation = saved.value.json()
    session.clicked["coder"] = clicked


def skip_an_article(session: Session, page, coder: str) -> None:
    task = open_own_project(page, session.url, project_title(session, coder))
    clicked = Clicked(coder, int(task["id"]))
    with page.expect_response(
        lambda r: re.search(r"/api/tasks/\d+/annotations", r.url) is not None
        and r.request.method == "POST",
        timeout=TIMEOUT_MS,
    ) as saved:
        page.click("button[aria-label=skip-task]")
    assert saved.value.status == 201, saved.value.text()
    clicked.annotation = saved.value.json()
    assert clicked.annotation["was_cancelled"] is True
    session.clicked["skipper"] = clicked


def leave_a_draft(session: Session, page, schema, coder: str) -> None:
    task = open_own_project(page, session.url, project_title(session, coder))
    clicked = Clicked(coder, int(task["id"]), task["data"]["text"])
    (needle,) = phrases(clicked.text, 1)
    tick(page, "C1. " + schema.variables[0].question, "yes")
    mark_span(page, "PROMISE", needle)
    with page.expect_response(
        lambda r: "/drafts" in r.url and r.request.method in ("POST", "PATCH"), timeout=TIMEOUT_MS
    ) as saved:
        page.click("button[aria-label='Postpone task']")
    assert saved.value.status in (200, 201), saved.value.text()
    clicked.draft = saved.value.json()
    session.clicked["drafter"] = clicked


def project_title(session: Session, coder: str) -> str:
    return settings.project_title(settings.study_name(session.study), coder)


@pytest.fixture(scope="module")
def session(labelstudio, tmp_path_factory) -> Session:
    root = tmp_path_factory.mktemp("screen") / "study"
    study = make_study(root, name=f"screen-{uuid.uuid4().hex[:6]}")
    coders = coder_emails(3)
    env = labelstudio.env()
    timings = {}
    for args in (("coders", "add", *coders), ("push",)):
        started = time.monotonic()
        done = run_cli(*args, cwd=root, env=env)
        timings[f"framestudy {args[0]}{' add' if args[0] == 'coders' else ''}"] = (
            time.monotonic() - started
        )
        assert done.returncode == 0, done.stderr
    projects = {r.coder: r.id for r in settings.projects(study, labelstudio.url)}
    passwords = load_coder_passwords(study)  # .labelstudio/coders.json, as coders add left it
    schema = load_schema(study.schema_source)
    s = Session(study, labelstudio.url, coders, projects, timings=timings)
    roles = {
        "submits": lambda page, c: code_an_article(s, page, schema, c),
        "skips": lambda page, c: skip_an_article(s, page, c),
        "postpones": lambda page, c: leave_a_draft(s, page, schema, c),
    }
    total = time.monotonic()
    for coder, (name, role) in zip(coders, roles.items(), strict=True):
        with browser_page(WIDTH, HEIGHT) as (page, console, _requests):
            page.set_default_timeout(TIMEOUT_MS)
            started = time.monotonic()
            login(page, labelstudio.url, coder, passwords[coder])
            s.timings[f"{name}: log in"] = time.monotonic() - started
            started = time.monotonic()
            role(page, coder)
            s.timings[f"{name}: project opened, task done"] = time.monotonic() - started
            s.console += console
    s.timings["three coders in the browser"] = time.monotonic() - total

    started = time.monotonic()
    pulled = run_cli("pull", cwd=root, env=env)
    s.timings["framestudy pull"] = time.monotonic() - started
    assert pulled.returncode == 0, pulled.stderr
    s.pulled = pulled.stdout
    (ARTIFACTS / "labeling-screen-timings.json").write_text(
        json.dumps({k: round(v, 2) for k, v in s.timings.items()}, indent=2) + "\n"
    )
    return s


# -- what the test asserts ------------------------------------------------------------------


def test_the_selected_spans_questions_are_beside_the_article_inside_the_viewport(session):
    (where,) = session.in_view
    box, answers, pane = where["box"], where["answers"], where["pane"]
    # the question column is on the screen, beside the text (not below it)
    assert pane["top"] >= 0 and pane["bottom"] <= where["height"], pane
    assert pane["left"] >= where["text_right"] and pane["right"] <= where["width"], pane
    # the selected span's box and every answer in it are inside the column's visible part:
    # nothing to scroll to, neither the page nor the column
    assert box["top"] >= pane["top"] and box["bottom"] <= pane["bottom"], box
    names = {a["name"] for a in answers}
    # a BLAME span: its two questions and the one every span has, every answer on screen
    assert {"Russia", "war or escalation", "attributed"} <= names
    assert len(answers) == 6 + 6 + 2
    for a in answers:
        assert a["top"] >= pane["top"] and a["bottom"] <= pane["bottom"], a
        assert pane["left"] <= a["left"] and a["right"] <= pane["right"], a
    for shot in session.shots:
        assert shot.stat().st_size > 20_000  # a real screenshot, kept as an artefact


def test_pull_holds_exactly_what_was_clicked(session):
    clicked = session.clicked["coder"]
    table = read_tidy(session.study.annotations_csv)
    mine = table[table["coder"] == clicked.coder]
    got = {
        (
            r.variable,
            r.value,
            None if pd.isna(r.span_start) else int(r.span_start),
            None if pd.isna(r.span_end) else int(r.span_end),
            None if pd.isna(r.span_text) else r.span_text,
        )
        for r in mine.itertuples()
    }
    assert got == clicked.rows
    assert len(mine) == len(clicked.rows)  # nothing twice
    assert set(mine["task_id"]) == {clicked.task_id}
    assert set(mine["annotation_id"]) == {clicked.annotation["id"]}
    # every span's text is the article's text at its offsets
    for r in mine.dropna(subset=["span_start"]).itertuples():
        assert clicked.text[int(r.span_start) : int(r.span_end)] == r.span_text
    # the skip and the draft give no row
    assert set(table["coder"]) == {clicked.coder}


def test_pull_reports_the_skip_and_the_draft(session):
    skipped, drafted = session.clicked["skipper"], session.clicked["drafter"]
    out = session.pulled
    assert "1 cancelled" in out and "1 drafts" in out, out
    assert f"task {skipped.task_id} annotation {skipped.annotation['id']}: skipped" in out
    assert f"task {drafted.task_id}: draft {drafted.draft['id']}" in out
    manifest = json.loads((session.study.raw_exports_dir / "manifest.json").read_text())
    tasks = []
    for entry in manifest["exports"]:
        tasks += json.loads((session.study.raw_exports_dir / entry["file"]).read_text())
    draft = next(d for t in tasks for d in t.get("drafts", []) if d["id"] == drafted.draft["id"])
    assert draft["was_postponed"] is True
    assert {r["from_name"] for r in draft["result"]} == {"relevant", "span"}


def test_label_studio_took_the_config_without_complaint(session):
    """No hotkey given twice (Label Studio warns "Key already added"), no error of the page
    other than a request cut short by leaving it (Label Studio's own AbortError) or a missing
    static resource."""
    noise = ("Failed to load resource", "AbortError")
    errors = [t for kind, t in session.console if kind == "error" and not t.startswith(noise)]
    assert errors == []
    assert not [t for _kind, t in session.console if "Key already added" in t]
