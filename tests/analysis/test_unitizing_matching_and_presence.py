"""Span matching, span F1 and presence tables on small cases worked by hand from their
docstrings: spans are matched greedily by decreasing overlap ratio (intersection over
union) with ties by position and never two spans of one coder in a unit; F1 =
2 TP / (n_a + n_b) for one-to-one matches; presence is 1.0 / 0.0 / NaN (not coded).
Found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.unitizing import (
    match_spans,
    presence_alpha,
    presence_indicators,
    span_f1,
)

COLUMNS = ["document", "coder", "category", "start", "end"]


def frame(rows, index=None):
    return pd.DataFrame(rows, columns=COLUMNS, index=index)


def together(units, *groups):
    """Each group of span positions shares a unit, and the groups' units differ."""
    ids = [{units.iloc[i] for i in g} for g in groups]
    return all(len(s) == 1 for s in ids) and len(set().union(*ids)) == len(groups)


# --- match_spans ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows",
    [
        # a 0-10: b 6-10 has IoU 4/10, b 0-8 has 8/10
        [("d", "a", "X", 0, 10), ("d", "b", "X", 6, 10), ("d", "b", "X", 0, 8)],
        # a 10-20: b 0-18 has IoU 8/20, b 12-20 has 8/10
        [("d", "a", "X", 10, 20), ("d", "b", "X", 0, 18), ("d", "b", "X", 12, 20)],
        # a 0-1: b 0-2 has IoU 1/2, b 0-1 has 1
        [("d", "a", "X", 0, 1), ("d", "b", "X", 0, 2), ("d", "b", "X", 0, 1)],
    ],
)
def test_the_best_overlap_is_matched(rows):
    assert together(match_spans(frame(rows)), [0, 2], [1])


def test_ties_go_to_the_earlier_span_of_the_first_coder():
    # b 5-10 overlaps a 0-10 and a 5-15 with IoU 1/2 each: the earlier row wins
    units = match_spans(frame([("d", "a", "X", 0, 10), ("d", "a", "X", 5, 15),
                               ("d", "b", "X", 5, 10)]))
    assert together(units, [0, 2], [1])


def test_ties_go_to_the_earlier_span_of_the_second_coder():
    # a 5-10 overlaps b 0-10 and b 5-15 with IoU 1/2 each; a later pair still joins
    units = match_spans(frame([("d", "a", "X", 5, 10), ("d", "b", "X", 0, 10),
                               ("d", "b", "X", 5, 15),
                               ("d", "a", "X", 20, 30), ("d", "b", "X", 27, 40)]))
    assert together(units, [0, 1], [2], [3, 4])


def test_a_pair_already_in_one_unit_does_not_stop_the_matching():
    units = match_spans(frame([("d", "a", "X", 0, 10), ("d", "b", "X", 0, 10),
                               ("d", "c", "X", 0, 10),
                               ("d", "a", "X", 20, 30), ("d", "b", "X", 22, 30)]))
    assert together(units, [0, 1, 2], [3, 4])


def test_a_unit_refused_once_keeps_all_its_coders():
    # a1 + b2 (IoU 1) first; a0 + b2 (0.9) refused: a twice; a1 + b3 (0.5) refused: b twice;
    # a0 + b3 (0.45) joined
    rows = [("d", "a", "X", 0, 9), ("d", "a", "X", 0, 10), ("d", "b", "X", 0, 10),
            ("d", "b", "X", 0, 20)]
    units = match_spans(frame(rows))
    assert together(units, [0, 3], [1, 2])


@pytest.mark.parametrize("first", [(0, 5), (5, 10)])
def test_spans_that_only_touch_are_not_matched(first):
    second = (5, 10) if first == (0, 5) else (0, 5)
    units = match_spans(frame([("d", "a", "X", *first), ("d", "b", "X", *second)]))
    assert together(units, [0], [1])


def test_units_are_aligned_with_the_spans_index_and_named_unit():
    spans = frame([("d", "a", "X", 0, 5), ("d", "b", "X", 1, 5), ("d", "c", "X", 7, 9)],
                  index=pd.Index([30, 10, 20], name="coder"))
    units = match_spans(spans)
    assert units.name == "unit"
    assert units.index.equals(spans.index)
    assert units.loc[30] == units.loc[10] != units.loc[20]


# --- span_f1 ----------------------------------------------------------------------------


def _rows(table):
    return {r.category: (r.n_a, r.n_b, r.f1) for r in table.itertuples(index=False)}


def _same(got, expected):
    assert got.keys() == expected.keys()
    for key, (n_a, n_b, f1) in expected.items():
        assert got[key][:2] == (n_a, n_b)
        assert (math.isnan(got[key][2]) and math.isnan(f1)) or got[key][2] == pytest.approx(f1)


def test_f1_per_category_when_one_coder_marked_nothing_of_it():
    rows = [("d", "a", "X", 0, 5), ("d", "a", "Y", 10, 15), ("d", "b", "X", 0, 5),
            ("d", "b", "Z", 20, 25)]
    # all: TP 1 of 2 + 2 -> 2/4; X: 2/2; Y, Z: one coder has none -> 0
    _same(_rows(span_f1(frame(rows), "exact")),
          {"all": (2, 2, 0.5), "X": (1, 1, 1.0), "Y": (1, 0, 0.0), "Z": (0, 1, 0.0)})


def test_f1_is_undefined_when_neither_coder_marked_anything():
    rows = [("d2", "a", "X", 0, 5), ("d2", "c", "X", 0, 5)]
    coders = {"d1": ["a", "b"], "d2": ["a", "c"]}
    # a and b share d1 only, where neither marked anything
    table = span_f1(frame(rows), "exact", coders, lengths={"d1": 10, "d2": 10})
    ab = table[(table["coder_a"] == "a") & (table["coder_b"] == "b")]
    _same(_rows(ab), {"all": (0, 0, float("nan"))})


@pytest.mark.parametrize("first", [(0, 5), (5, 10)])
def test_touching_spans_do_not_overlap(first):
    second = (5, 10) if first == (0, 5) else (0, 5)
    rows = [("d", "a", "X", *first), ("d", "b", "X", *second)]
    _same(_rows(span_f1(frame(rows), "overlap")), {"all": (1, 1, 0.0), "X": (1, 1, 0.0)})


def test_documents_not_in_lengths_are_left_out():
    rows = [("d1", "a", "X", 0, 5), ("d1", "b", "X", 1, 5), ("d2", "a", "X", 0, 5),
            ("d2", "b", "X", 0, 5)]
    _same(_rows(span_f1(frame(rows), "exact", lengths={"d1": 10})),
          {"all": (1, 1, 0.0), "X": (1, 1, 0.0)})


def test_categories_of_mixed_types_and_numeric_coders_in_text_order():
    rows = [("d", 9, 1, 0, 5), ("d", 10, 1, 0, 5), ("d", 9, "x", 6, 8), ("d", 10, "x", 6, 9)]
    table = span_f1(frame(rows), "exact")
    assert table["category"].tolist() == ["all", 1, "x"]
    assert (table["coder_a"].iloc[0], table["coder_b"].iloc[0]) == (10, 9)


def test_spans_indexed_by_document():
    rows = [("d", "a", "X", 0, 5), ("d", "b", "X", 0, 5)]
    spans = frame(rows).set_index("document", drop=False)
    _same(_rows(span_f1(spans, "exact")), {"all": (1, 1, 1.0), "X": (1, 1, 1.0)})


# --- presence -------------------------------------------------------------------------


def test_presence_tables():
    rows = [("d1", 1, "X", 0, 5), ("d1", "x", "X", 3, 3),  # zero length: no mark
            ("d2", 1, 2, 0, 4)]
    coders = {"d1": [1, "x"], "d2": [1, "x"], "d3": [1]}
    tables = presence_indicators(frame(rows), ["d1", "d2", "d3"], coders)
    assert list(tables) == ["2", "X"]
    x = tables["X"]
    assert x.index.name == "document"
    assert list(x.columns) == [1, "x"]
    assert x.loc["d1"].tolist() == [1.0, 0.0]
    assert x.loc["d2"].tolist() == [0.0, 0.0]
    assert x.loc["d3", 1] == 0.0 and np.isnan(x.loc["d3", "x"])
    assert tables["2"].loc["d2"].tolist() == [1.0, 0.0]


def test_presence_of_a_category_asked_for_without_spans():
    rows = [("d1", "a", "X", 0, 5)]
    tables = presence_indicators(frame(rows), ["d1"], {"d1": ["a", "b"]}, ["X", "Z"])
    assert list(tables) == ["X", "Z"]
    assert tables["Z"].loc["d1"].tolist() == [0.0, 0.0]


def test_presence_tables_without_documents_are_float():
    tables = presence_indicators(frame([("d1", "a", "X", 0, 5)]), [], {}, ["X"])
    assert tables["X"].empty
    assert all(dtype == np.float64 for dtype in tables["X"].dtypes)


def test_presence_alpha_of_a_table_with_missing_cells_without_warnings():
    # d1 (1, 1), d2 (1, 0), d3 (0, -): o11 = 2, o10 = o01 = 1; n = 4, n1 = 3, n0 = 1
    # alpha = 1 - (n - 1) o10 * 2 / (2 n1 n0) = 1 - 3 * 2 / 6 = 0
    table = pd.DataFrame([[1.0, 1.0], [1.0, 0.0], [0.0, np.nan]], columns=["a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = presence_alpha(table)
        res_object = presence_alpha(table.astype(object).where(table.notna(), None))
    assert res["estimate"] == pytest.approx(0.0)
    assert res_object["estimate"] == pytest.approx(0.0)
