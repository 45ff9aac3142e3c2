"""The blind and shared designs' input checks, article ranks and the reading of an earlier
assignment, on worked examples. Found by mutation testing (docs/mutation.md); the rank's
expected value is recomputed here from its documented definition (the first 8 bytes of
SHA-256("<seed>\\x1f<article_id>"), big-endian, / 2^64)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from framestudy.design import article_rank, assign_blind, assign_shared

ARTICLES = pd.DataFrame({"article_id": ["a1", "a2", "b1"], "outlet": ["A", "A", "B"]})


def documented_rank(article_id: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}\x1f{article_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def test_article_rank_is_the_documented_hash():
    for article_id, seed in [("a1", 0), ("art-737d0a8a9c30", 42), ("é", 7)]:
        assert article_rank(article_id, seed) == documented_rank(article_id, seed)


def test_the_shared_design_gives_every_coder_every_article_with_its_outlet_and_rank():
    got = assign_shared(ARTICLES, ["c1", "c2"], seed=3)
    assert len(got) == 6 and got["reliability"].all()
    for row in got.itertuples():
        assert row.outlet == {"a1": "A", "a2": "A", "b1": "B"}[row.article_id]
        assert row.rank == documented_rank(row.article_id, 3)


@pytest.mark.parametrize(
    ("articles", "coders", "share", "message"),
    [
        (ARTICLES[["article_id"]], ["c1"], 0.5,
         "articles need columns article_id and outlet (missing ['outlet'])"),
        (pd.DataFrame({"article_id": ["x", "y", "x"], "outlet": ["A"] * 3}), ["c1"], 0.5,
         "article_id 'x' occurs twice"),
        (ARTICLES, [], 0.5, "the design needs at least one coder"),
        (ARTICLES, ["c1", "c2", "c1"], 0.5, "a coder is listed twice"),
        (ARTICLES, ["c1"], 1.5, "reliability share 1.5 is not between 0 and 1"),
    ],
)
def test_bad_design_inputs_are_named(articles, coders, share, message):
    with pytest.raises(ValueError) as info:
        assign_blind(articles, coders, share=share, seed=0)
    assert str(info.value) == message


def test_a_share_of_one_puts_every_article_in_the_reliability_sample():
    got = assign_blind(ARTICLES, ["c1", "c2"], share=1.0, seed=0)
    assert len(got) == 6 and got["reliability"].all()


@pytest.mark.parametrize("flag", ["true", "1", "yes", " YES ", "True"])
def test_an_earlier_assignment_read_from_text_keeps_its_reliability_articles(flag):
    """``previous`` as read back from a CSV: reliability as text. An article marked
    reliable there stays in the sample even at share 0."""
    previous = pd.DataFrame(
        {"article_id": ["a1", "a1"], "coder": ["c1", "c2"], "reliability": [flag, flag]}
    )
    got = assign_blind(ARTICLES, ["c1", "c2"], share=0.0, seed=0, previous=previous)
    assert set(got.loc[got["reliability"], "article_id"]) == {"a1"}
