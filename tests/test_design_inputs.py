"""The blind and shared designs' input checks, article ranks, the reading of an earlier
assignment, the allocation and the dealing, on worked examples. Found by mutation testing
(docs/mutation.md); the rank's expected value is recomputed here from its documented
definition (the first 8 bytes of SHA-256("<seed>\\x1f<article_id>"), big-endian, / 2^64)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from framestudy.design import allocate, article_rank, assign_blind, assign_shared, sample_size

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


# --- allocation and dealing on cases worked by hand (survivors of the second mutation run)

CODERS = ["a@x.org", "b@x.org"]


def frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["article_id", "outlet"])


def test_largest_remainder_goes_to_the_smaller_stratum_when_its_remainder_is_larger():
    """Sizes 10 and 3, 4 seats: quotas 40/13 = 3.08 and 12/13 = 0.92; floors 3 and 0; the
    seat left goes to the larger remainder (0.92): 3 and 1 (Hamilton's method)."""
    assert allocate({"a": 10, "b": 3}, 4) == {"a": 3, "b": 1}


def test_allocate_edges():
    assert allocate({"a": 1}, 1) == {"a": 1}  # one stratum of one article
    assert allocate({"a": 0, "b": 0}, 2) == {"a": 0, "b": 0}  # nothing to draw from
    assert allocate({"a": 2, "b": 1}, -1) == {"a": 0, "b": 0}
    assert allocate({"a": 2, "b": 1}, 0) == {"a": 0, "b": 0}


def test_sample_size_of_one_article():
    """round(0.5 * 1) half up = 1; a share of 0.1 still gives the one article (at least 1)."""
    assert sample_size(1, 0.5) == 1
    assert sample_size(1, 0.1) == 1
    assert sample_size(0, 0.5) == 0


def test_the_order_of_coders_on_a_tie_depends_on_the_seed():
    """One article outside the sample, two coders with no load: the tie is broken by a
    seeded order of the coders, so over seeds both coders get it (not always the first in
    name order)."""
    one = frame([("a1", "o1")])
    winners = {assign_blind(one, CODERS, share=0.0, seed=s)["coder"].iloc[0] for s in range(20)}
    assert winners == set(CODERS)


def test_new_articles_go_to_the_coder_with_fewer_of_that_outlet():
    """a@ already has two articles of outlet O, b@ two of outlet P: a new article of O goes
    to b@ whatever the seed (the per-outlet load comes first, then the total)."""
    previous = pd.DataFrame(
        {
            "article_id": ["o1", "o2", "p1", "p2"],
            "coder": ["a@x.org", "a@x.org", "b@x.org", "b@x.org"],
            "reliability": [False] * 4,
        }
    )
    arts = frame([("o1", "O"), ("o2", "O"), ("p1", "P"), ("p2", "P"), ("o3", "O")])
    for seed in range(10):
        out = assign_blind(arts, CODERS, share=0.0, seed=seed, previous=previous)
        assert out.loc[out["article_id"] == "o3", "coder"].tolist() == ["b@x.org"], seed


def test_new_articles_go_to_the_coder_with_fewer_in_all():
    """a@ has two articles of outlet O; a new article of outlet P (where both have none) goes
    to b@, who has fewer in all, whatever the seed."""
    previous = pd.DataFrame(
        {"article_id": ["o1", "o2"], "coder": ["a@x.org"] * 2, "reliability": [False] * 2}
    )
    arts = frame([("o1", "O"), ("o2", "O"), ("p1", "P")])
    for seed in range(10):
        out = assign_blind(arts, CODERS, share=0.0, seed=seed, previous=previous)
        assert out.loc[out["article_id"] == "p1", "coder"].tolist() == ["b@x.org"], seed


def test_an_article_marked_reliability_in_any_earlier_row_is_coded_by_everyone_once():
    """An earlier file that marks x1 reliability for one coder and not for the other (edited
    by hand): x1 stays in the reliability sample, one row per coder, no extra owner row."""
    previous = pd.DataFrame(
        {
            "article_id": ["x1", "x1", "x2"],
            "coder": ["a@x.org", "b@x.org", "a@x.org"],
            "reliability": [True, False, False],
        }
    )
    arts = frame([("x1", "O"), ("x2", "O")])
    out = assign_blind(arts, CODERS, share=0.0, seed=1, previous=previous)
    x1 = out[out["article_id"] == "x1"]
    assert sorted(x1["coder"]) == CODERS and x1["reliability"].all()
    assert out[out["article_id"] == "x2"][["coder", "reliability"]].values.tolist() == [
        ["a@x.org", False]
    ]


def test_an_article_owned_twice_earlier_keeps_its_first_coder():
    """Two earlier rows give y1 (outside the sample) to different coders: it keeps one coder,
    the first row's."""
    previous = pd.DataFrame(
        {"article_id": ["y1", "y1"], "coder": ["b@x.org", "a@x.org"], "reliability": [False] * 2}
    )
    out = assign_blind(frame([("y1", "O")]), CODERS, share=0.0, seed=3, previous=previous)
    assert out["coder"].tolist() == ["b@x.org"]


def test_the_assignment_is_listed_by_coder_in_the_given_order_then_rank():
    """Coders given as z@, a@: z@'s rows come first (not name order), each coder's by rank;
    the columns are exactly article_id, outlet, coder, reliability, rank."""
    coders = ["z@x.org", "a@x.org"]
    arts = frame([(f"k{i}", "O") for i in range(6)])
    out = assign_blind(arts, coders, share=0.5, seed=2)
    assert list(out.columns) == ["article_id", "outlet", "coder", "reliability", "rank"]
    firsts = out["coder"].tolist()
    assert firsts == sorted(firsts, key=coders.index) and firsts[0] == "z@x.org"
    for coder in coders:
        ranks = out.loc[out["coder"] == coder, "rank"].tolist()
        assert ranks == sorted(ranks)


def _loads_over_seeds(previous: pd.DataFrame, arts: pd.DataFrame, article_ids: set[str]):
    """For seeds 0..19: how many of ``article_ids`` b@ gets."""
    counts = set()
    for seed in range(20):
        out = assign_blind(arts, CODERS, share=0.0, seed=seed, previous=previous)
        new = out[out["article_id"].isin(article_ids)]
        counts.add(int((new["coder"] == "b@x.org").sum()))
    return counts


def _owned(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": [a for a, _ in pairs],
            "coder": [c for _, c in pairs],
            "reliability": [False] * len(pairs),
        }
    )


def test_loads_count_each_dealt_article_once_then_ties_go_by_the_seeded_order():
    """Worked by hand; each case ends in a tie of per-outlet and total loads that the seeded
    order of coders breaks, so over seeds b@ gets either count (a load counted twice, or not
    counted up, would decide it the same way for every seed).

    1. a@ has o1 (outlet O); new o2, o3: o2 -> b@ (O: 0 < 1); o3: O 1-1, total 1-1, tie.
    2. a@ has o1, o2 (O); new o3, o4, o5: b@ gets two (O: 0, 1 < 2); the third is a tie at 2-2.
    3. a@ has p1 (outlet P); new o1 (outlet O), q1 (outlet Q): o1 -> b@ (total 0 < 1); q1:
       Q 0-0, total 1-1, tie."""
    arts = frame([("o1", "O"), ("o2", "O"), ("o3", "O")])
    assert _loads_over_seeds(_owned([("o1", "a@x.org")]), arts, {"o2", "o3"}) == {1, 2}
    arts = frame([(f"o{i}", "O") for i in range(1, 6)])
    previous = _owned([("o1", "a@x.org"), ("o2", "a@x.org")])
    assert _loads_over_seeds(previous, arts, {"o3", "o4", "o5"}) == {2, 3}
    arts = frame([("p1", "P"), ("o1", "O"), ("q1", "Q")])
    assert _loads_over_seeds(_owned([("p1", "a@x.org")]), arts, {"o1", "q1"}) == {1, 2}
