"""The blind design's draw: a pure function, so it is tested without a server."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framestudy.design import (
    allocate,
    article_rank,
    assign_blind,
    assign_shared,
    sample_size,
)

CODERS = ["ana@x.org", "ben@x.org", "cem@x.org"]


def articles(n: int, outlets: int = 3, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": [f"a{i:04d}" for i in range(start, start + n)],
            "outlet": [f"o{i % outlets}" for i in range(start, start + n)],
        }
    )


def test_rank_is_seeded_and_per_article():
    assert article_rank("a1", 1) == article_rank("a1", 1)
    assert article_rank("a1", 1) != article_rank("a1", 2)
    assert article_rank("a1", 1) != article_rank("a2", 1)
    assert 0.0 <= article_rank("a1", 1) < 1.0


def test_allocate_largest_remainder():
    # 10 of 100 over 50/30/20 -> 5/3/2 exactly; 1 of 5 over 2/2/1 -> a 2-stratum first
    assert allocate({"a": 50, "b": 30, "c": 20}, 10) == {"a": 5, "b": 3, "c": 2}
    assert allocate({"a": 2, "b": 2, "c": 1}, 1) == {"a": 1, "b": 0, "c": 0}
    assert allocate({"a": 3, "b": 1}, 10) == {"a": 3, "b": 1}  # never more than a stratum has
    assert allocate({}, 3) == {}


def test_sample_size_rounds_half_up_and_keeps_one():
    assert sample_size(100, 0.2) == 20
    assert sample_size(5, 0.2) == 1
    assert sample_size(2, 0.2) == 1  # 0.4 -> at least one when the share is positive
    assert sample_size(5, 0.0) == 0
    assert sample_size(0, 0.5) == 0


@pytest.mark.parametrize(
    ("n", "share", "size"),
    [
        (5, 0.5, 3),  # 2.5 -> 3 (round() would give 2: halves to even)
        (9, 0.5, 5),  # 4.5 -> 5 (round(): 4)
        (7, 0.5, 4),  # 3.5 -> 4 (round() agrees)
        (50, 0.25, 13),  # 12.5 -> 13 (round(): 12)
        (10, 0.25, 3),  # 2.5 -> 3
        (10, 0.24, 2),  # 2.4 -> 2
    ],
)
def test_sample_size_worked_examples_half_up(n, share, size):
    assert sample_size(n, share) == size


def test_five_articles_at_half_give_a_reliability_sample_of_three():
    frame = assign_blind(articles(5, outlets=1), CODERS, share=0.5, seed=3)
    assert frame.loc[frame["reliability"], "article_id"].nunique() == 3
    assert (~frame["reliability"]).sum() == 2


def test_allocate_breaks_remainder_ties_by_size_then_id():
    """allocate()'s documented rule: equal remainders go to the larger stratum, then to the
    stratum id first in sort order -- whatever order the strata are given in."""
    # 2 of 4 over sizes 1 and 3: quotas 0.5 and 1.5, both remainders 0.5 -> the larger, y
    assert allocate({"x": 1, "y": 3}, 2) == {"x": 0, "y": 2}
    assert allocate({"y": 3, "x": 1}, 2) == {"x": 0, "y": 2}
    # 1 of 4 over two strata of 2: remainders 0.5 and 0.5, same size -> "a" before "b"
    assert allocate({"b": 2, "a": 2}, 1) == {"a": 1, "b": 0}
    assert allocate({"a": 2, "b": 2}, 1) == {"a": 1, "b": 0}
    # 3 of 6 over 2 + 2 + 2: 1 each, no tie to break; 1 of 6 over 2 + 2 + 2 -> "a"
    assert allocate({"c": 2, "b": 2, "a": 2}, 3) == {"a": 1, "b": 1, "c": 1}
    assert allocate({"c": 2, "b": 2, "a": 2}, 1) == {"a": 1, "b": 0, "c": 0}


def test_blind_design_tie_in_the_remainders():
    """One article from outlet x and three from y at share 0.5: a sample of 2, quotas 0.5 and
    1.5 -- the tie goes to the larger outlet, so both reliability articles are y's."""
    arts = pd.DataFrame({"article_id": ["x1", "y1", "y2", "y3"], "outlet": ["x", "y", "y", "y"]})
    frame = assign_blind(arts, CODERS, share=0.5, seed=11)
    rel = frame[frame["reliability"]].drop_duplicates("article_id")
    assert sorted(rel["outlet"]) == ["y", "y"]


def test_blind_design_on_a_known_case():
    frame = assign_blind(articles(30), CODERS, share=0.2, seed=7)
    rel = frame[frame["reliability"]]
    rest = frame[~frame["reliability"]]
    # 6 reliability articles (20% of 30), 2 per outlet (10 each), each coded by all 3
    assert rel["article_id"].nunique() == 6
    assert rel.drop_duplicates("article_id")["outlet"].value_counts().to_dict() == {
        "o0": 2,
        "o1": 2,
        "o2": 2,
    }
    assert (rel.groupby("article_id")["coder"].apply(set) == set(CODERS)).all()
    # the other 24: once each, 8 per coder, and within each outlet 8 articles -> 3/3/2
    assert rest["article_id"].is_unique and len(rest) == 24
    assert rest["coder"].value_counts().to_dict() == {c: 8 for c in CODERS}
    per_outlet = rest.groupby(["outlet", "coder"]).size()
    assert per_outlet.max() - per_outlet.min() <= 1
    # reproducible from the seed; another seed draws another sample
    assert frame.equals(assign_blind(articles(30), CODERS, share=0.2, seed=7))
    other = assign_blind(articles(30), CODERS, share=0.2, seed=8)
    assert set(other[other["reliability"]]["article_id"]) != set(rel["article_id"])


def test_the_sample_is_the_lowest_ranks_in_each_outlet():
    arts = articles(30)
    frame = assign_blind(arts, CODERS, share=0.2, seed=3)
    drawn = set(frame[frame["reliability"]]["article_id"])
    for _outlet, group in arts.groupby("outlet"):
        ranked = sorted(group["article_id"], key=lambda a: article_rank(a, 3))
        assert set(ranked[:2]) == drawn & set(group["article_id"])


def test_adding_articles_keeps_the_earlier_assignment():
    first = assign_blind(articles(30), CODERS, share=0.2, seed=1)
    more = assign_blind(articles(45), CODERS, share=0.2, seed=1, previous=first)
    old = more[more["article_id"].isin(first["article_id"])]
    key = ["article_id", "coder", "reliability"]
    assert (
        old[key]
        .sort_values(key)
        .reset_index(drop=True)
        .equals(first[key].sort_values(key).reset_index(drop=True))
    )
    # the sample is topped up to 20% of 45 = 9, stratified: 3 per outlet
    rel = more[more["reliability"]].drop_duplicates("article_id")
    assert len(rel) == 9 and rel["outlet"].value_counts().to_dict() == {"o0": 3, "o1": 3, "o2": 3}
    # loads stay balanced
    counts = more[~more["reliability"]]["coder"].value_counts()
    assert counts.max() - counts.min() <= 1


def test_previous_rows_read_back_from_csv_strings(tmp_path):
    first = assign_blind(articles(12), CODERS, share=0.25, seed=1)
    path = tmp_path / "assignment.csv"
    first.to_csv(path, index=False)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)  # "True"/"False" strings
    again = assign_blind(articles(12), CODERS, share=0.25, seed=1, previous=back)
    assert again.drop(columns="rank").equals(first.drop(columns="rank"))


def test_a_new_coder_gets_the_reliability_sample_and_new_articles_only():
    first = assign_blind(articles(30), CODERS[:2], share=0.2, seed=1)
    later = assign_blind(articles(36), CODERS, share=0.2, seed=1, previous=first)
    cem = later[later["coder"] == "cem@x.org"]
    old_ids = set(first["article_id"])
    assert set(cem[cem["reliability"]]["article_id"]) == set(
        later[later["reliability"]]["article_id"]
    )
    assert not (set(cem[~cem["reliability"]]["article_id"]) & old_ids)


def test_shared_design_gives_everyone_everything():
    frame = assign_shared(articles(4), CODERS, seed=1)
    assert len(frame) == 12 and frame["reliability"].all()
    assert (frame.groupby("coder")["article_id"].nunique() == 4).all()


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="twice"):
        assign_blind(pd.concat([articles(2), articles(1)]), CODERS, share=0.2, seed=1)
    with pytest.raises(ValueError, match="coder"):
        assign_blind(articles(2), [], share=0.2, seed=1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        assign_blind(articles(2), CODERS, share=1.5, seed=1)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=80),
    outlets=st.integers(min_value=1, max_value=6),
    k=st.integers(min_value=1, max_value=5),
    share=st.floats(min_value=0.0, max_value=1.0),
    seed=st.integers(min_value=0, max_value=10**6),
    extra=st.integers(min_value=0, max_value=30),
)
def test_design_properties(n, outlets, k, share, seed, extra):
    coders = [f"c{j}@x.org" for j in range(k)]
    arts = articles(n, outlets)
    frame = assign_blind(arts, coders, share=share, seed=seed)
    rel_ids = set(frame[frame["reliability"]]["article_id"])
    # every article is coded; reliability articles by every coder, the others by exactly one
    assert set(frame["article_id"]) == set(arts["article_id"])
    per_article = frame.groupby("article_id")["coder"].nunique()
    assert all(per_article[a] == (k if a in rel_ids else 1) for a in arts["article_id"])
    assert not frame.duplicated(["article_id", "coder"]).any()
    # sample size: share * n rounded (within half an article), at least one when share > 0;
    # the exact rounding and tie rules are pinned by the worked examples above
    size = len(rel_ids)
    assert abs(size - share * n) <= 0.5 + 1e-9 or (size == 1 and 0 < share * n < 0.5)
    assert (size == 0) == (share == 0)
    # stratified by outlet in proportion (Hamilton's quota rule): each outlet gets its exact
    # quota size * n_o / n rounded down or up
    sizes = Counter(arts["outlet"])
    got = Counter(arts.set_index("article_id").loc[sorted(rel_ids), "outlet"])
    for outlet, n_o in sizes.items():
        exact = Fraction(size * n_o, n)
        assert math.floor(exact) <= got[outlet] <= math.ceil(exact), (outlet, exact)
    # balanced loads of the rest
    rest = frame[~frame["reliability"]]["coder"].value_counts().reindex(coders, fill_value=0)
    assert rest.max() - rest.min() <= max(1, outlets)
    # adding articles never changes an earlier row
    more = assign_blind(
        articles(n + extra, outlets), coders, share=share, seed=seed, previous=frame
    )
    key = ["article_id", "coder", "reliability"]
    kept = more[more["article_id"].isin(arts["article_id"])][key]
    assert (
        kept.sort_values(key)
        .reset_index(drop=True)
        .equals(frame[key].sort_values(key).reset_index(drop=True))
    )
