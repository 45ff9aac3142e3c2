"""Which articles go to the adjudicator, in which order
(framestudy.analysis.variable_agreement.articles_to_adjudicate)."""

from __future__ import annotations

import pandas as pd

from framestudy.analysis.variable_agreement import articles_to_adjudicate, study_disagreements

REGISTRY = [
    {"variable": "genre", "kind": "document", "level": "nominal",
     "values": ["REPORTING", "OPINION", "ANALYSIS"]},
    {"variable": "tone", "kind": "document", "level": "ordinal", "values": ["-1", "0", "+1"]},
    {"variable": "actors", "kind": "document", "level": "set", "multiple": True,
     "values": ["RUSSIA", "NATO", "US"]},
]


def _table(codes: dict[str, dict[str, dict[str, object]]]) -> pd.DataFrame:
    """{article: {coder: {variable: value or [values]}}} as a tidy table."""
    rows = []
    for article, coders in codes.items():
        for coder, answers in coders.items():
            for variable, value in answers.items():
                for one in value if isinstance(value, list) else [value]:
                    rows.append({"article_id": article, "outlet": "o", "coder": coder,
                                 "variable": variable, "value": one})
    return pd.DataFrame(rows)


CODES = {
    "a-calm": {"c1": {"genre": "OPINION", "tone": "0"}, "c2": {"genre": "OPINION", "tone": "0"}},
    "a-one": {"c1": {"genre": "OPINION", "tone": "0"}, "c2": {"genre": "REPORTING", "tone": "0"}},
    "a-two": {"c1": {"genre": "OPINION", "tone": "-1", "actors": ["RUSSIA"]},
              "c2": {"genre": "ANALYSIS", "tone": "+1", "actors": ["NATO"]}},
    "a-single": {"c1": {"genre": "OPINION"}},
    "a-near": {"c1": {"genre": "ANALYSIS", "tone": "0"}, "c2": {"genre": "ANALYSIS", "tone": "+1"}},
}


def test_most_disagreement_first_from_the_disagreement_ranking():
    table = _table(CODES)
    order = articles_to_adjudicate(table, REGISTRY)
    assert list(order.columns) == ["article_id", "rank", "disagreement", "n_variables",
                                   "variables"]
    # agreement everywhere, or one coder only: nothing to adjudicate
    assert set(order["article_id"]) == {"a-one", "a-two", "a-near"}
    assert order["article_id"].iloc[0] == "a-two" and list(order["rank"]) == [1, 2, 3]
    assert order.set_index("article_id").loc["a-two", "variables"] == "genre, tone, actors"
    assert order["disagreement"].is_monotonic_decreasing
    # the score is the sum of the article's rows of `agreement --disagreements`
    ranked = study_disagreements(table, REGISTRY)
    sums = ranked.groupby("article_id")["disagreement"].sum()
    for row in order.itertuples(index=False):
        assert abs(row.disagreement - sums[row.article_id]) < 1e-12


def test_only_the_articles_asked_for():
    table = _table(CODES)
    assert list(articles_to_adjudicate(table, REGISTRY, {"a-one", "a-calm"})["article_id"]) == [
        "a-one"]
    empty = articles_to_adjudicate(table, REGISTRY, {"a-calm"})
    assert empty.empty and list(empty.columns)[0] == "article_id"
