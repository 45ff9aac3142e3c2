"""Consensus values on hand-made tidy tables: every provenance, every kind of variable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.consensus import CONSENSUS_COLUMNS, consensus, write_consensus
from framestudy.analysis.data import AgreementInputError
from framestudy.annotations import COLUMNS, read_tidy, write_tidy
from tests.analysis.synth import synthetic_study

REGISTRY = [
    {
        "variable": "relevant",
        "kind": "document",
        "level": "nominal",
        "metric": "alpha_nominal",
        "values": ["yes", "no"],
    },
    {
        "variable": "legit",
        "kind": "document",
        "level": "ordinal",
        "metric": "alpha_ordinal",
        "values": ["-1", "0", "+1"],
        "missing_values": ["NA"],
    },
    {
        "variable": "actors",
        "kind": "document",
        "level": "set",
        "metric": "alpha_masi",
        "values": ["RUSSIA", "NATO", "US"],
        "multiple": True,
    },
    {
        "variable": "span",
        "kind": "span_label",
        "level": "span",
        "metric": "unitizing_alpha",
        "values": ["BLAME", "PROMISE"],
        "labels": ["BLAME", "PROMISE"],
    },
    {
        "variable": "polarity",
        "kind": "span_attribute",
        "level": "span_attribute",
        "metric": "alpha_nominal_matched_spans",
        "values": ["POS", "NEG"],
        "labels": ["BLAME"],
    },
    {
        "variable": "target",
        "kind": "span_attribute",
        "level": "span_attribute",
        "metric": "alpha_nominal_matched_spans",
        "values": ["RUSSIA", "NATO"],
        "labels": ["BLAME"],
        "multiple": True,
    },
]
A, B, C, D = "a@x.org", "b@x.org", "c@x.org", "d@x.org"


def tidy(*rows) -> pd.DataFrame:
    """A tidy table from ``(article, coder, variable, value)`` rows, or with a span
    ``(article, coder, variable, value, span_id, start, end)``; the outlet is the article
    id's prefix (``rt-1`` -> ``rt``)."""
    records = []
    for row in rows:
        article, coder, variable, value, *span = row
        record = dict.fromkeys(COLUMNS)
        record.update(
            article_id=article, outlet=article.split("-")[0], coder=coder,
            variable=variable, value=value,
        )
        if span:
            record.update(span_id=span[0], span_start=span[1], span_end=span[2])
        records.append(record)
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    for column in ("span_start", "span_end"):
        frame[column] = frame[column].astype("Int64")
    return frame


def answers(article: str, variable: str, *values: str) -> list[tuple]:
    """Rows of coders A, B, C, D (as many as values) answering one question."""
    return [(article, coder, variable, v) for coder, v in zip((A, B, C, D)[: len(values)], values, strict=True)]


def one(result: pd.DataFrame, article: str, variable: str, category: str = "", **span):
    rows = result[
        (result["article_id"] == article)
        & (result["variable"] == variable)
        & (result["category"] == category)
    ]
    for column, value in span.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (article, variable, category, span, rows)
    return rows.iloc[0]


def check(row, value, provenance, n_coders, n_agreeing, values=None):
    assert (row["value"], row["provenance"]) == (value, provenance)
    assert (row["n_coders"], row["n_agreeing"]) == (n_coders, n_agreeing)
    if values is not None:
        assert row["values"] == values


RELEVANT = REGISTRY[:1]


def test_unanimous_majority_and_tie():
    ann = tidy(
        ("rt-1", A, "relevant", "yes"), ("rt-1", B, "relevant", "yes"),
        ("rt-1", C, "relevant", "yes"),
        ("rt-2", A, "relevant", "yes"), ("rt-2", B, "relevant", "no"),
        ("rt-2", C, "relevant", "yes"),
        ("gr-3", A, "relevant", "yes"), ("gr-3", B, "relevant", "no"),
    )
    res = consensus(ann, RELEVANT)
    assert list(res.columns) == CONSENSUS_COLUMNS
    assert res["article_id"].tolist() == ["gr-3", "rt-1", "rt-2"]
    check(one(res, "rt-1", "relevant"), "yes", "unanimous", 3, 3,
          f"{A}=yes; {B}=yes; {C}=yes")
    check(one(res, "rt-2", "relevant"), "yes", "majority", 3, 2, f"{A}=yes; {B}=no; {C}=yes")
    # a tie has no value; n_agreeing is the largest group of equal votes
    check(one(res, "gr-3", "relevant"), "", "unresolved", 2, 1, f"{A}=yes; {B}=no")
    assert one(res, "gr-3", "relevant")["outlet"] == "gr"
    assert res["category"].eq("").all() and res["span_start"].isna().all()


def test_strict_majority_of_all_the_articles_coders():
    """Two of four is no majority; three different values of three coders neither; an
    ordinal scale's missing value (NA) is a value like any other."""
    ann = tidy(
        *answers("rt-1", "legit", "+1", "+1", "0", "-1"),
        *answers("rt-2", "legit", "+1", "0", "-1"),
        *answers("rt-3", "legit", "NA", "NA", "NA", "0"),
    )
    res = consensus(ann, REGISTRY[1:2])
    check(one(res, "rt-1", "legit"), "", "unresolved", 4, 2)
    check(one(res, "rt-2", "legit"), "", "unresolved", 3, 1)
    check(one(res, "rt-3", "legit"), "NA", "majority", 4, 3)


def test_no_answer_is_a_vote_of_the_coders_who_coded_the_article():
    """A coder counts for every question of an article they coded (any row of theirs):
    leaving a question unanswered is a vote for no value."""
    ann = tidy(
        ("rt-1", A, "legit", "+1"), ("rt-1", B, "legit", "+1"), ("rt-1", C, "relevant", "no"),
        ("rt-2", A, "legit", "+1"), ("rt-2", B, "relevant", "no"), ("rt-2", C, "relevant", "no"),
        ("rt-3", A, "legit", "+1"), ("rt-3", B, "relevant", "no"),
    )
    res = consensus(ann, REGISTRY[1:2])
    check(one(res, "rt-1", "legit"), "+1", "majority", 3, 2, f"{A}=+1; {B}=+1; {C}=(none)")
    check(one(res, "rt-2", "legit"), "", "majority", 3, 2, f"{A}=+1; {B}=(none); {C}=(none)")
    check(one(res, "rt-3", "legit"), "", "unresolved", 2, 1)


def test_single_coded_article_and_one_coder_study():
    ann = tidy(
        ("rt-1", A, "relevant", "no"),
        ("rt-2", A, "relevant", "yes"), ("rt-2", A, "legit", "0"),
        ("rt-2", A, "actors", "US"),
    )
    res = consensus(ann, REGISTRY[:3])
    assert set(res["provenance"]) == {"single"}
    assert (res["n_coders"] == 1).all()
    check(one(res, "rt-1", "relevant"), "no", "single", 1, 1, f"{A}=no")
    check(one(res, "rt-1", "legit"), "", "single", 1, 1, f"{A}=(none)")
    check(one(res, "rt-2", "legit"), "0", "single", 1, 1)
    check(one(res, "rt-2", "actors", "US"), "present", "single", 1, 1)
    check(one(res, "rt-2", "actors", "NATO"), "absent", "single", 1, 1)


def test_single_coded_article_beside_double_coded_ones():
    ann = tidy(
        ("rt-1", A, "relevant", "yes"), ("rt-1", B, "relevant", "yes"),
        ("rt-2", B, "relevant", "no"),
    )
    res = consensus(ann, RELEVANT)
    check(one(res, "rt-1", "relevant"), "yes", "unanimous", 2, 2)
    check(one(res, "rt-2", "relevant"), "no", "single", 1, 1, f"{B}=no")


def test_a_variable_nobody_answered_still_has_its_rows():
    ann = tidy(("rt-1", A, "relevant", "no"), ("rt-1", B, "relevant", "no"))
    res = consensus(ann, REGISTRY[:2])
    check(one(res, "rt-1", "legit"), "", "unanimous", 2, 2, f"{A}=(none); {B}=(none)")
    assert res["variable"].tolist() == ["relevant", "legit"]


def test_two_values_for_a_one_value_question_agree_with_nobody():
    ann = tidy(
        ("rt-1", A, "relevant", "yes"), ("rt-1", A, "relevant", "no"),
        ("rt-1", B, "relevant", "yes"), ("rt-1", C, "relevant", "yes"),
        ("rt-2", A, "relevant", "yes"), ("rt-2", A, "relevant", "no"),
    )
    res = consensus(ann, RELEVANT)
    check(one(res, "rt-1", "relevant"), "yes", "majority", 3, 2,
          f"{A}=no|yes; {B}=yes; {C}=yes")
    check(one(res, "rt-2", "relevant"), "", "single", 1, 0, f"{A}=no|yes")


def test_set_valued_variable_one_question_per_value():
    ann = tidy(
        ("rt-1", A, "actors", "RUSSIA"), ("rt-1", A, "actors", "NATO"),
        ("rt-1", B, "actors", "NATO"),
        ("rt-1", C, "relevant", "yes"),  # C coded the article and chose no actor
    )
    res = consensus(ann, REGISTRY[2:3])
    assert res["category"].tolist() == ["RUSSIA", "NATO", "US"]  # the registry's order
    check(one(res, "rt-1", "actors", "RUSSIA"), "absent", "majority", 3, 2,
          f"{A}=present; {B}=absent; {C}=absent")
    check(one(res, "rt-1", "actors", "NATO"), "present", "majority", 3, 2)
    check(one(res, "rt-1", "actors", "US"), "absent", "unanimous", 3, 3)


def test_set_valued_tie_is_unresolved():
    ann = tidy(("rt-1", A, "actors", "US"), ("rt-1", B, "actors", "NATO"))
    res = consensus(ann, REGISTRY[2:3])
    check(one(res, "rt-1", "actors", "US"), "", "unresolved", 2, 1, f"{A}=present; {B}=absent")
    check(one(res, "rt-1", "actors", "RUSSIA"), "absent", "unanimous", 2, 2)


def spans_table():
    """Three coders of rt-1: A and B mark one BLAME passage (overlapping, not identical), C
    another one; C also marks a PROMISE, B a zero-length PROMISE (which does not count)."""
    return tidy(
        ("rt-1", A, "span", "BLAME", "a1", 10, 20),
        ("rt-1", A, "polarity", "POS", "a1", 10, 20),
        ("rt-1", A, "target", "RUSSIA", "a1", 10, 20),
        ("rt-1", B, "span", "BLAME", "b1", 12, 22),
        ("rt-1", B, "polarity", "POS", "b1", 12, 22),
        ("rt-1", B, "target", "RUSSIA", "b1", 12, 22),
        ("rt-1", B, "target", "NATO", "b1", 12, 22),
        ("rt-1", B, "span", "PROMISE", "b2", 40, 40),
        ("rt-1", C, "span", "BLAME", "c1", 100, 110),
        ("rt-1", C, "polarity", "NEG", "c1", 100, 110),
        ("rt-1", C, "span", "PROMISE", "c2", 50, 60),
        ("rt-2", A, "relevant", "no"),
    )


def test_region_ids_are_the_coders_within_an_article():
    """Label Studio's region ids are only unique within an annotation: the same id in
    another article is another span."""
    ann = pd.concat(
        [
            spans_table(),
            tidy(
                ("gr-3", A, "span", "BLAME", "a1", 5, 9),
                ("gr-3", A, "polarity", "NEG", "a1", 5, 9),
                ("gr-3", B, "span", "BLAME", "b1", 5, 9),
                ("gr-3", B, "polarity", "NEG", "b1", 5, 9),
            ),
        ],
        ignore_index=True,
    )
    res = consensus(ann, REGISTRY)
    check(one(res, "gr-3", "polarity", span_start=5), "NEG", "unanimous", 2, 2)
    check(one(res, "rt-1", "polarity", span_start=10), "POS", "majority", 3, 2)
    check(one(res, "gr-3", "target", "RUSSIA", span_start=5), "absent", "unanimous", 2, 2)


def test_span_presence_per_label():
    res = consensus(spans_table(), REGISTRY)
    check(one(res, "rt-1", "span", "BLAME"), "present", "unanimous", 3, 3)
    check(one(res, "rt-1", "span", "PROMISE"), "absent", "majority", 3, 2,
          f"{A}=absent; {B}=absent; {C}=present")
    # an article without spans: every label absent
    check(one(res, "rt-2", "span", "BLAME"), "absent", "single", 1, 1)


def test_span_attributes_of_matched_spans():
    res = consensus(spans_table(), REGISTRY)
    first = {"span_label": "BLAME", "span_start": 10, "span_end": 22}  # A's and B's, matched
    second = {"span_label": "BLAME", "span_start": 100, "span_end": 110}  # C's alone
    check(one(res, "rt-1", "polarity", **first), "POS", "majority", 3, 2,
          f"{A}=POS; {B}=POS; {C}=(no span)")
    # a span only one of three coders marked gets no attribute value
    check(one(res, "rt-1", "polarity", **second), "", "majority", 3, 2,
          f"{A}=(no span); {B}=(no span); {C}=NEG")
    # a set-valued attribute: one question per value, the coders who marked the span voting
    check(one(res, "rt-1", "target", "RUSSIA", **first), "present", "majority", 3, 2)
    check(one(res, "rt-1", "target", "NATO", **first), "", "unresolved", 3, 1,
          f"{A}=absent; {B}=present; {C}=(no span)")
    attributes = res[res["variable"].isin(["polarity", "target"])]
    assert attributes["span_start"].notna().all() and (attributes["span_label"] == "BLAME").all()
    assert len(attributes) == 2 + 2 * 2  # two matched spans; target has two values
    # the article order: registry order of the variables, then position
    rt1 = res[res["article_id"] == "rt-1"]
    assert rt1["variable"].drop_duplicates().tolist() == [
        "relevant", "legit", "actors", "span", "polarity", "target",
    ]
    assert rt1[rt1["variable"] == "polarity"]["span_start"].tolist() == [10, 100]


def test_adjudication_wins():
    ann = tidy(
        ("rt-1", A, "relevant", "yes"), ("rt-1", B, "relevant", "no"),
        ("rt-2", A, "relevant", "yes"), ("rt-2", B, "relevant", "yes"),
        ("rt-2", A, "actors", "US"),
    )
    decisions = pd.DataFrame(
        {
            "article_id": ["rt-1", "rt-2", "rt-2"],
            "variable": ["relevant", "relevant", "actors"],
            "category": ["", "", "US"],
            "value": ["no", "no", "present"],
        }
    )
    registry = [REGISTRY[0], REGISTRY[2]]
    res = consensus(ann, registry, adjudicated=decisions)
    check(one(res, "rt-1", "relevant"), "no", "adjudicated", 2, 1, f"{A}=yes; {B}=no")
    # even a unanimous value is overridden: adjudication is the strongest provenance
    check(one(res, "rt-2", "relevant"), "no", "adjudicated", 2, 0)
    check(one(res, "rt-2", "actors", "US"), "present", "adjudicated", 2, 1)
    check(one(res, "rt-2", "actors", "NATO"), "absent", "unanimous", 2, 2)
    without = consensus(ann, registry)
    check(one(without, "rt-1", "relevant"), "", "unresolved", 2, 1)


def test_an_empty_adjudication_changes_nothing():
    ann = spans_table()
    empty = pd.DataFrame(columns=["article_id", "variable", "category", "value"])
    pd.testing.assert_frame_equal(
        consensus(ann, REGISTRY, adjudicated=empty), consensus(ann, REGISTRY)
    )


def test_one_coders_spans_are_single():
    res = consensus(spans_table().query("coder == @C"), REGISTRY)
    assert set(res["provenance"]) == {"single"}
    check(one(res, "rt-1", "polarity", span_start=100), "NEG", "single", 1, 1, f"{C}=NEG")
    check(one(res, "rt-1", "span", "PROMISE"), "present", "single", 1, 1)


def test_adjudication_of_a_matched_span():
    decisions = pd.DataFrame(
        {
            "article_id": ["rt-1"],
            "variable": ["polarity"],
            "span_start": [100],
            "span_end": [110],
            "value": ["NEG"],
        }
    )
    res = consensus(spans_table(), REGISTRY, adjudicated=decisions)
    row = one(res, "rt-1", "polarity", span_start=100)
    check(row, "NEG", "adjudicated", 3, 1)
    assert one(res, "rt-1", "polarity", span_start=10)["provenance"] == "majority"


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        ({"article_id": ["rt-9"], "variable": ["relevant"], "value": ["no"]}, "no consensus row"),
        ({"article_id": ["rt-1"], "variable": ["relevant"], "value": ["maybe"]}, "'maybe'"),
        (
            {"article_id": ["rt-1"], "variable": ["actors"], "category": ["US"],
             "value": ["yes"]},
            "not one of present, absent",
        ),
        ({"article_id": ["rt-1"] * 2, "variable": ["relevant"] * 2, "value": ["no"] * 2},
         "repeats"),
        ({"article_id": ["rt-1"], "variable": ["actors"], "value": ["US"]}, "3 consensus rows"),
        ({"article_id": ["rt-1"], "variable": ["relevant"]}, "no 'value' column"),
    ],
    ids=["unknown-article", "bad-value", "bad-presence", "twice", "ambiguous", "no-value"],
)
def test_adjudication_errors_say_what_to_do(decisions, message):
    ann = tidy(("rt-1", A, "relevant", "yes"), ("rt-1", B, "relevant", "no"))
    with pytest.raises(AgreementInputError, match=message):
        consensus(ann, [REGISTRY[0], REGISTRY[2]], adjudicated=pd.DataFrame(decisions))


def test_missing_column_is_named():
    ann = tidy(("rt-1", A, "relevant", "yes")).drop(columns="span_start")
    consensus(ann, RELEVANT)  # a study without span variables does not need it
    with pytest.raises(AgreementInputError, match="'span_start'"):
        consensus(ann, REGISTRY)
    with pytest.raises(AgreementInputError, match="'outlet'"):
        consensus(ann.drop(columns="outlet"), RELEVANT)


def test_empty_table():
    res = consensus(tidy(), REGISTRY)
    assert list(res.columns) == CONSENSUS_COLUMNS and res.empty


def test_same_input_same_output_whatever_the_row_order():
    ann = spans_table()
    first = consensus(ann, REGISTRY)
    again = consensus(ann, REGISTRY)
    shuffled = consensus(ann.sample(frac=1.0, random_state=7), REGISTRY)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, shuffled)


def test_write_consensus_round_trip(tmp_path):
    res = consensus(spans_table(), REGISTRY)
    path = write_consensus(res, tmp_path / "analysis" / "consensus.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(back.columns) == CONSENSUS_COLUMNS and len(back) == len(res)
    polarity = back[(back["variable"] == "polarity") & (back["span_start"] == "100")].iloc[0]
    assert polarity["value"] == "" and polarity["provenance"] == "majority"
    assert back.loc[back["variable"] == "relevant", "span_start"].eq("").all()
    assert path.read_bytes() == write_consensus(res, tmp_path / "again.csv").read_bytes()
    with pytest.raises(AgreementInputError, match="'provenance'"):
        write_consensus(res.drop(columns="provenance"), tmp_path / "bad.csv")


def test_csv_text_is_pandas_to_csv():
    from framestudy.analysis.consensus import csv_text

    res = consensus(spans_table(), REGISTRY)
    assert csv_text(res) == res.to_csv(index=False, lineterminator="\n")
    awkward = pd.DataFrame({
        "text": ["plain", 'say "no"', "a, b", "two\nlines", "", None, "ünï"],
        "int": pd.array([1, None, -3, 40, 0, 7, 12], dtype="Int64"),
        "count": np.array([5, 5, 6, 0, 1, 2, 3], dtype=np.int64),
        "str": pd.Series(["x", None, "y,z", "w", "v", "u", "t"], dtype="str"),
    })
    assert csv_text(awkward) == awkward.to_csv(index=False, lineterminator="\n")
    assert csv_text(awkward.iloc[:0]) == awkward.iloc[:0].to_csv(index=False,
                                                                 lineterminator="\n")
    # what it does not write as pandas does is left to pandas (None)
    assert csv_text(awkward.assign(text="a\rb")) is None
    assert csv_text(awkward.assign(share=0.5)) is None
    assert csv_text(awkward[["text"]]) is None


def test_the_projects_registry_on_a_synthetic_study():
    """Every question of the real registry gets a row per article, every provenance is one
    of the five, and a value is empty exactly where the rule gives none."""
    path = Path(__file__).resolve().parents[2] / "schemas" / "registry.json"
    registry = json.loads(path.read_text())
    ann, _ = synthetic_study(registry, n_articles=30, seed=4)
    res = consensus(ann, registry)
    assert set(res["variable"]) == {r["variable"] for r in registry}
    assert set(res["provenance"]) <= {"unanimous", "majority", "unresolved"}
    assert (res["n_coders"] == 3).all()
    unresolved = res["provenance"] == "unresolved"
    assert (res.loc[unresolved, "value"] == "").all()
    assert (2 * res.loc[~unresolved, "n_agreeing"] > 3).all()
    # every article has a row for every document variable and span label; span
    # attributes have rows where spans were marked
    kinds = {r["variable"]: r["kind"] for r in registry}
    per_article = res.groupby("variable")["article_id"].nunique()
    assert (per_article[[v for v, k in kinds.items() if k != "span_attribute"]] == 30).all()
    attributes = res[res["variable"].map(kinds) == "span_attribute"]
    assert len(attributes) and attributes["span_start"].notna().all()
    blame = res[res["variable"] == "blame_actors"]
    assert len(blame) == 30 * 5 and set(blame["value"]) <= {"present", "absent", ""}
    assert np.array_equal(res.index, np.arange(len(res)))


def test_the_table_as_pull_writes_and_read_tidy_reads_it(tmp_path):
    """The annotation table written by pull and read back (`NA` stays a value, empty span
    columns come back missing) gives the same consensus as the table in memory; a registry
    given as ``Schema.registry()``'s DataFrame too."""
    ann = pd.concat([spans_table(), tidy(("rt-2", B, "legit", "NA"))], ignore_index=True)
    write_tidy(ann, tmp_path / "annotations.csv")
    back = consensus(read_tidy(tmp_path / "annotations.csv"), REGISTRY)
    pd.testing.assert_frame_equal(back, consensus(ann, REGISTRY))
    pd.testing.assert_frame_equal(back, consensus(ann, pd.DataFrame(REGISTRY)))
    check(one(back, "rt-2", "legit"), "", "unresolved", 2, 1, f"{A}=(none); {B}=NA")


def test_span_presence_agrees_with_the_agreement_stages_indicators():
    """The presence votes are those of unitizing.presence_indicators (which the agreement
    on span labels uses): on a synthetic study of the real registry, every article, coder
    and label."""
    from framestudy.analysis.unitizing import presence_indicators

    path = Path(__file__).resolve().parents[2] / "schemas" / "registry.json"
    registry = json.loads(path.read_text())
    ann, _ = synthetic_study(registry, n_articles=25, seed=11)
    res = consensus(ann, registry)
    spans = ann[ann["variable"] == "span"].dropna(subset=["span_start"])
    spans = pd.DataFrame({
        "document": spans["article_id"], "coder": spans["coder"], "category": spans["value"],
        "start": spans["span_start"].astype(float), "end": spans["span_end"].astype(float),
    })
    coders = ann.groupby("article_id")["coder"].agg(lambda c: sorted(set(c))).to_dict()
    labels = next(r["labels"] for r in registry if r["kind"] == "span_label")
    tables = presence_indicators(spans, sorted(coders), coders, labels)
    presence = res[res["variable"] == "span"]
    assert len(presence) == len(coders) * len(labels)
    for row in presence.itertuples():
        table = tables[row.category]
        votes = "; ".join(
            f"{c}={'present' if table.loc[row.article_id, c] else 'absent'}"
            for c in coders[row.article_id]
        )
        assert row.values == votes


def test_coders_and_articles_in_sorted_order_whatever_their_names():
    """Coders are listed in sorted order of their names ('a10' before 'a2'), articles in
    sorted order of their ids, as before the integer coding."""
    coders = ("z@x.org", "a10@x.org", "a2@x.org")
    rows = [
        (article, coder, "relevant", value)
        for article in ("rt-10", "rt-9", "gr-2")
        for coder, value in zip(coders, ("yes", "no", "yes"), strict=True)
    ]
    res = consensus(tidy(*rows), RELEVANT)
    assert res["article_id"].tolist() == ["gr-2", "rt-10", "rt-9"]
    assert res["outlet"].tolist() == ["gr", "rt", "rt"]
    check(one(res, "rt-9", "relevant"), "yes", "majority", 3, 2,
          "a10@x.org=no; a2@x.org=yes; z@x.org=yes")
