"""The cleaner and the article id: rule behaviour and properties over the real corpus."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framestudy.tasks import article_id, clean, word_count
from framestudy.tasks.articles import prepare
from framestudy.tasks.models import DropLine
from framestudy.tasks.outlets import load_outlets
from framestudy.tasks.rules import INLINE_RULES, LINE_RULES
from framestudy.tasks.sources import read_txt
from tests.tasks.conftest import ARTICLES, OUTLETS


def _corpus():
    registry = load_outlets(OUTLETS)
    return [prepare(raw, registry) for p in sorted(ARTICLES.glob("*.txt")) for raw in read_txt(p)]


CORPUS = _corpus()
# Body paragraphs that carry no residue, and lines removed by context-free line rules.
BODY = sorted(
    {
        line.strip()
        for a in CORPUS
        for line in a.raw_text.split("\n")
        if line.strip() and line.strip() in a.cleaned.paragraphs
    }
)
BOILERPLATE = sorted(
    {
        r.text
        for a in CORPUS
        for r in a.cleaned.removed_lines
        if r.rule in {rule.name for rule in LINE_RULES}
    }
)


def test_pools_are_substantial():
    assert len(BODY) > 100
    assert len(BOILERPLATE) > 30


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.lists(st.sampled_from(BODY), min_size=1, max_size=12, unique=True),
    boilerplate=st.lists(st.sampled_from(BOILERPLATE), max_size=12, unique=True),
    data=st.data(),
)
def test_boilerplate_is_removed_and_body_kept_wherever_they_occur(body, boilerplate, data):
    """Line rules do not depend on position: any mix keeps exactly the body, in order."""
    lines = list(body)
    for line in boilerplate:
        lines.insert(data.draw(st.integers(0, len(lines))), line)
    cleaned = clean("\n\n".join(lines))
    assert cleaned.paragraphs == tuple(body)
    assert sorted(r.text for r in cleaned.removed_lines) == sorted(boilerplate)


@pytest.mark.parametrize("article", CORPUS, ids=lambda a: a.origin.path.name)
def test_cleaning_is_idempotent(article):
    meta = article.meta
    again = clean(article.text, title=meta.title, author=meta.author, drop_lines=())
    assert again.text == article.text
    assert again.removals == ()


@settings(max_examples=80, deadline=None)
@given(
    words=st.lists(
        st.text(st.characters(categories=["L", "N", "P"]), min_size=1), min_size=1, max_size=30
    ),
    gaps=st.lists(
        st.sampled_from([" ", "  ", "\n", "\n\n", "\t", "\xa0", " \n "]), min_size=30, max_size=30
    ),
)
def test_article_id_ignores_layout_but_not_words(words, gaps):
    plain = " ".join(words)
    laid_out = "".join(w + g for w, g in zip(words, gaps, strict=False))
    assert article_id(laid_out) == article_id(plain)
    assert article_id(plain + " extra") != article_id(plain)


def test_article_id_format_and_known_value():
    # sha256("Hello world") = 64ec88ca00b268e5...
    assert article_id("Hello\n\n  world") == "art-64ec88ca00b2"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Russia’s NATO-Ukraine talks – 2023!", 4),
        ("“Ending Russia’s international conflict” – Ukraine", 5),
        ("", 0),
        ("… — –", 0),
    ],
)
def test_word_count(text, words):
    assert word_count(text) == words


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("By Jane Q. Example", "byline"),
        ("Reuters, March 3, 2022", "dateline"),
        ("Tags: NATO, Ukraine", "site taxonomy"),
        ("Sign up for our weekly newsletter", "newsletter plea"),
        ("Share this article", "share plea"),
        ("Support us. Become a member today!", "donation plea"),
        ("Advertisement", "advertising"),
        ("READ MORE: Kremlin rejects NATO offer", "also-read fragment"),
        ("You may also like", "also-read fragment"),
        ("Skip to content", "navigation"),
        ("© 2022 Example Media. All rights reserved.", "copyright notice"),
        ("We use cookies to improve your experience.", "cookie or privacy notice"),
        ("Photo: Getty Images", "image credit"),
        ("[Home](/) | [World](/world)", "link-only line"),
        ("———", "separator"),
    ],
)
def test_line_rules_catch_common_boilerplate(line, rule):
    cleaned = clean(f"A body sentence stays.\n\n{line}")
    assert cleaned.paragraphs == ("A body sentence stays.",)
    assert [r.rule for r in cleaned.removed_lines] == [rule]


@pytest.mark.parametrize(
    "sentence",
    [
        "In 2008, NATO said that Ukraine would become a member of the alliance.",
        "By the end of the week, the talks had stalled.",
        "Home prices in Kyiv fell by a third...",
        "Related talks in Geneva went nowhere.",
        "The copyright of the treaty text belongs to nobody.",
        "Reuters reported that the embassy had confirmed the demand.",
        "Photographs of the summit show Putin and Biden apart.",
        "Ukraine has no plans to donate its territory.",
        "Share prices dropped after the announcement.",
        "NATO, Russia and Ukraine met in Vienna.",
    ],
)
def test_line_rules_leave_body_sentences_alone(sentence):
    assert clean(sentence).paragraphs == (sentence,)


def test_inline_residue_is_removed_and_the_rest_of_the_line_kept():
    cleaned = clean("Putin [said](#) that **Lavrov** was [right](https://example.org/x?a=1).  ")
    assert cleaned.paragraphs == ("Putin said that Lavrov was right.",)
    assert [(r.rule, r.text, r.replacement) for r in cleaned.removals] == [
        ("link residue", "[said](#)", "said"),
        ("link residue", "[right](https://example.org/x?a=1)", "right"),
        ("emphasis residue", "**Lavrov**", "Lavrov"),
    ]
    # brackets that are not links are article text
    assert clean("“[W]e did hold talks” and [their commitments]").text == (
        "“[W]e did hold talks” and [their commitments]"
    )


def test_context_rules_use_the_metadata():
    text = "\n".join(
        [
            "Big Headline",
            "Caption of the photo",
            "Big Headline",
            "Body sentence one.",
            "Example Times",
            "Jane Doe is a reporter at Example Times.",
        ]
    )
    cleaned = clean(
        text,
        title="Big Headline",
        author="Jane Doe",
        site_names=["Example Times"],
        drop_lines=[DropLine(line="Caption of the photo", reason="image caption")],
        first_line=10,
    )
    assert cleaned.paragraphs == ("Big Headline", "Body sentence one.")
    assert [(r.line, r.rule) for r in cleaned.removed_lines] == [
        (11, "drop_lines: image caption"),
        (12, "repeated headline"),
        (14, "site name"),
        (15, "author bio"),
    ]
    # unknown metadata switches the context rules off
    assert clean(text, title="unknown", author="unknown").paragraphs == tuple(text.split("\n"))


def test_drop_lines_match_after_surrounding_white_space_is_stripped():
    """A drop_lines entry and a file line are compared stripped of surrounding white space
    (the docstring's rule): an entry copied with a stray space or tab, and an indented line
    whose residue the inline rules would rewrite, are still dropped."""
    text = "\n".join(
        [
            "First paragraph.",
            "Caption of the photo",
            "\t  Credit: [Agency photo](https://example.org/p.jpg)   ",
            "Last paragraph.",
        ]
    )
    cleaned = clean(
        text,
        drop_lines=[
            DropLine(line="  Caption of the photo\t", reason="image caption"),
            DropLine(line="Credit: [Agency photo](https://example.org/p.jpg)", reason="credit"),
        ],
    )
    assert cleaned.paragraphs == ("First paragraph.", "Last paragraph.")
    assert [(r.line, r.rule, r.text) for r in cleaned.removed_lines] == [
        (2, "drop_lines: image caption", "Caption of the photo"),
        (3, "drop_lines: credit", "Credit: [Agency photo](https://example.org/p.jpg)"),
    ]
    assert cleaned.unused_drop_lines == ()


def test_unused_drop_lines_are_reported():
    cleaned = clean("Body.", drop_lines=[DropLine(line="Not here", reason="x")])
    assert [d.line for d in cleaned.unused_drop_lines] == ["Not here"]


def test_every_rule_has_a_name_and_a_reason():
    names = [r.name for r in (*INLINE_RULES, *LINE_RULES)]
    assert len(names) == len(set(names))
    assert all(r.why.strip() for r in (*INLINE_RULES, *LINE_RULES))


def test_the_boilerplate_kinds_named_in_the_issue_have_rules():
    assert {r.name for r in LINE_RULES} >= {
        "newsletter plea",
        "share plea",
        "donation plea",
        "copyright notice",
        "cookie or privacy notice",
        "disclaimer",
        "also-read fragment",
        "advertising",
    }
