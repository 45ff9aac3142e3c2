"""The adjudication tables on hand-made studies, against values counted by hand.

The study (coders A, B, C; registry ``relevant`` nominal, ``legit`` ordinal, ``actors`` a
set): a-1 is coded by all three, a-2 by A and B (neither answered ``legit``), a-3 by A
alone. Each expectation below is written out from the codings, not from the code.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from framestudy.analysis.adjudication import (
    ALL,
    adjudicated_articles,
    decision_units,
    schema_versions,
    sided_with,
    variable_disagreement,
)
from framestudy.analysis.consensus import coder_votes
from framestudy.annotations.adjudicated import empty, normalise
from tests.analysis.test_consensus import REGISTRY, A, B, C, tidy

REG = REGISTRY[:3]  # relevant, legit, actors
ORDER = [r["variable"] for r in REG]

CODINGS = tidy(
    ("a-1", A, "relevant", "yes"), ("a-1", B, "relevant", "yes"), ("a-1", C, "relevant", "no"),
    ("a-1", A, "legit", "+1"), ("a-1", B, "legit", "0"), ("a-1", C, "legit", "-1"),
    ("a-1", A, "actors", "RUSSIA"),
    ("a-1", B, "actors", "RUSSIA"), ("a-1", B, "actors", "NATO"),
    ("a-1", C, "actors", "NATO"),
    ("a-2", A, "relevant", "yes"), ("a-2", B, "relevant", "no"),
    ("a-3", A, "relevant", "no"),
)


def decisions(*rows) -> pd.DataFrame:
    """Decision rows ``(article, variable, category, value)`` by adjudicator j@x.org."""
    return normalise(pd.DataFrame(
        [{"article_id": a, "variable": v, "category": c, "value": x,
          "adjudicator": "j@x.org", "updated_at": f"2026-01-0{i + 1}T00:00:00Z",
          "schema_hash": "h1", "times_adjudicated": 2 if a == "a-2" else 1}
         for i, (a, v, c, x) in enumerate(rows)]))


DECISIONS = decisions(
    ("a-1", "relevant", "", "yes"),
    ("a-1", "actors", "RUSSIA", "present"), ("a-1", "actors", "NATO", "present"),
    ("a-1", "actors", "US", "absent"),
    ("a-1", "legit", "", "NA"),       # a value none of the three gave
    ("a-2", "relevant", "", "no"),
    ("a-2", "legit", "", "+1"),       # nobody answered legit in a-2
    ("a-3", "relevant", "", "yes"),   # one coder, overruled
)


def units(codings=CODINGS, decided=DECISIONS, registry=REG):
    return decision_units(coder_votes(codings, registry), decided)


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval written out from its formula (Wilson 1927)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_what_was_adjudicated_per_article():
    table = adjudicated_articles(DECISIONS)
    assert table["article_id"].tolist() == ["a-1", "a-2", "a-3"]
    assert table["variables"].tolist() == ["relevant, actors, legit", "relevant, legit",
                                           "relevant"]
    assert table["n_variables"].tolist() == [3, 2, 1]
    assert table["n_decisions"].tolist() == [5, 2, 1]
    assert table["adjudicator"].tolist() == ["j@x.org"] * 3
    assert table["times_adjudicated"].tolist() == [1, 2, 1]
    assert table["updated_at"].tolist() == ["2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z",
                                            "2026-01-08T00:00:00Z"]


def test_coder_votes_include_no_value_and_set_members():
    votes = coder_votes(CODINGS, REG)
    a2 = votes[(votes["article_id"] == "a-2") & (votes["variable"] == "legit")]
    assert a2[["coder", "vote"]].values.tolist() == [[A, ""], [B, ""]]
    b_actors = votes[(votes["article_id"] == "a-1") & (votes["variable"] == "actors")
                     & (votes["coder"] == B)]
    assert dict(zip(b_actors["category"], b_actors["vote"], strict=True)) == {
        "RUSSIA": "present", "NATO": "present", "US": "absent"}


def test_how_often_the_adjudicator_sided_with_each_coder():
    table = sided_with(units(), ORDER)
    got = {(r.coder, r.variable): (r.sided, r.decisions) for r in table.itertuples()}
    # A: yes on a-1 relevant only; RUSSIA alone is not the decided {RUSSIA, NATO}
    # B: a-1 relevant, a-1 actors (the exact set), a-2 relevant; C: none
    assert got == {
        (A, ALL): (1, 6), (A, "relevant"): (1, 3), (A, "legit"): (0, 2), (A, "actors"): (0, 1),
        (B, ALL): (3, 5), (B, "relevant"): (2, 2), (B, "legit"): (0, 2), (B, "actors"): (1, 1),
        (C, ALL): (0, 3), (C, "relevant"): (0, 1), (C, "legit"): (0, 1), (C, "actors"): (0, 1),
    }
    assert table["variable"].tolist()[:4] == [ALL, "relevant", "legit", "actors"]
    row = table[(table["coder"] == B) & (table["variable"] == ALL)].iloc[0]
    assert row["share"] == pytest.approx(0.6)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson(3, 5), abs=1e-9)
    zero = table[(table["coder"] == C) & (table["variable"] == ALL)].iloc[0]
    assert zero["ci_low"] == pytest.approx(0.0, abs=1e-12)
    assert zero["ci_high"] == pytest.approx(wilson(0, 3)[1], abs=1e-9)


def test_variables_ranked_by_disagreement_with_their_rules():
    rules = {"legit": ["Code the article's own stance.", "NA when not addressed."]}
    table = variable_disagreement(units(), REG, rules)
    assert table["variable"].tolist() == ["relevant", "actors", "legit"]
    assert table["rank"].tolist() == [1, 2, 3]
    got = table.set_index("variable")
    # relevant: a-1 (3 coders, disagree), a-2 (2, disagree, a tie), a-3 (1 coder, overruled)
    assert got.loc["relevant", ["articles", "multi_coded", "disagreed", "overruled_majority",
                                "coded", "overruled_all"]].tolist() == [3, 2, 2, 0, 3, 1]
    assert got.loc["relevant", "share_disagreed"] == 1.0
    assert got.loc["relevant", "share_overruled_all"] == pytest.approx(1 / 3)
    # legit: a-1 disagree, no majority, NA given by none; a-2 both gave no value (agree, a
    # majority of 2) and the decision is +1
    assert got.loc["legit", ["articles", "multi_coded", "disagreed", "overruled_majority",
                             "coded", "overruled_all"]].tolist() == [2, 2, 1, 1, 2, 2]
    assert got.loc["legit", "share_disagreed"] == 0.5
    assert got.loc["legit", "share_overruled_majority"] == 0.5
    assert got.loc["legit", "rules"] == "Code the article's own stance.\nNA when not addressed."
    # actors: the sets differ; each value's decision is its majority's
    assert got.loc["actors", ["articles", "disagreed", "overruled_majority",
                              "overruled_all"]].tolist() == [1, 1, 0, 0]
    assert got.loc["actors", "rules"] == ""


def test_no_decisions_gives_empty_tables():
    none = empty()
    assert adjudicated_articles(none).empty
    found = units(decided=none)
    assert found.empty
    assert sided_with(found).empty
    assert variable_disagreement(found, REG).empty
    table = schema_versions(CODINGS.assign(schema_hash="h1"), none)
    assert table[["schema_hash", "codings", "decisions"]].values.tolist() == [["h1", 6, 0]]


def test_one_coder():
    codings = tidy(("a-1", A, "relevant", "yes"), ("a-2", A, "relevant", "no"))
    found = units(codings, decisions(("a-1", "relevant", "", "yes"),
                                     ("a-2", "relevant", "", "yes")))
    sided = sided_with(found, ORDER)
    assert sided[["coder", "variable", "sided", "decisions"]].values.tolist() == [
        [A, ALL, 1, 2], [A, "relevant", 1, 2]]
    table = variable_disagreement(found, REG)
    row = table.iloc[0]
    assert (row["articles"], row["multi_coded"], row["coded"], row["overruled_all"]) == (2, 0, 2, 1)
    assert math.isnan(row["share_disagreed"]) and math.isnan(row["share_overruled_majority"])
    assert row["share_overruled_all"] == 0.5


def test_a_decision_on_an_article_nobody_coded():
    found = units(decided=decisions(("z-9", "relevant", "", "yes")))
    assert found[["coder", "n_coders"]].values.tolist() == [["", 0]]
    assert sided_with(found).empty
    row = variable_disagreement(found, REG).iloc[0]
    assert (row["articles"], row["multi_coded"], row["coded"]) == (1, 0, 0)


def test_a_decision_of_no_value_sides_with_coders_who_gave_none():
    found = units(decided=decisions(("a-2", "legit", "", "")))
    assert sorted(found["coder"]) == [A, B] and found["sided"].all()
    assert not found["disagreed"].any() and not found["overruled_all"].any()


def test_two_values_for_a_one_value_question_side_with_nothing():
    codings = tidy(("a-1", A, "relevant", "yes"), ("a-1", A, "relevant", "no"),
                   ("a-1", B, "relevant", "yes"))
    found = units(codings, decisions(("a-1", "relevant", "", "yes")))
    assert dict(zip(found["coder"], found["sided"], strict=True)) == {A: False, B: True}
    assert found["disagreed"].all()


def test_schema_versions_count_codings_and_decisions():
    codings = CODINGS.assign(schema_hash="h1")
    codings.loc[codings["coder"] == C, "schema_hash"] = "h0"
    decided = DECISIONS.copy()
    decided.loc[decided["article_id"] == "a-3", "schema_hash"] = ""
    table = schema_versions(codings, decided, {"h1": "1.1.0"})
    assert table.values.tolist() == [
        ["", "", 0, 0, 1, 1],           # a-3's decision: hash not recorded
        ["h0", "", 1, 1, 0, 0],         # C's coding of a-1
        ["h1", "1.1.0", 5, 3, 5, 2],    # A on a-1..a-3, B on a-1, a-2; a-1 x 3 + a-2 x 2
    ]


def test_bad_input_is_named():
    from framestudy.analysis.data import AgreementInputError

    with pytest.raises(AgreementInputError, match="no 'variable' column"):
        decision_units(pd.DataFrame({"article_id": []}), DECISIONS)
    with pytest.raises(AgreementInputError, match="DataFrame"):
        adjudicated_articles([])
