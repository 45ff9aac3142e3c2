"""Spans indexed by one of their own columns (``spans.set_index("document", drop=False)``,
a natural way to look spans up) give the same results as with a plain index: before the
fix, unitizing alpha and the presence tables failed with pandas' "'document' is both an
index level and a column label" (found sorting mutation survivors, docs/mutation.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from framestudy.analysis.unitizing import (
    match_spans,
    presence_indicators,
    span_f1,
    unitizing_alpha,
)
from tests.analysis import unitizing_reference as ref

COLUMNS = ["document", "coder", "category", "start", "end"]
# a's two X spans overlap (merged into 0-8)
ROWS = [("d1", "a", "X", 0, 5), ("d1", "a", "X", 3, 8), ("d1", "b", "X", 1, 8),
        ("d1", "a", "Y", 10, 13), ("d1", "b", "Y", 10, 12), ("d2", "b", "X", 2, 6)]
LENGTHS = {"d1": 20, "d2": 10}


@pytest.mark.parametrize("column", COLUMNS)
def test_spans_indexed_by_a_column(column):
    spans = pd.DataFrame(ROWS, columns=COLUMNS).set_index(column, drop=False)
    res = unitizing_alpha(spans, LENGTHS)
    assert res["n_merged"] == 1
    assert res["estimate"] == pytest.approx(ref.alpha(ROWS, LENGTHS)["estimate"], abs=1e-12)
    x = presence_indicators(spans, list(LENGTHS))["X"]
    assert x.loc["d1"].tolist() == [1.0, 1.0] and x.loc["d2"].tolist() == [0.0, 1.0]
    # exact F1 by hand: a and b have 3 spans each (F1 does not merge) and no two share
    # both start and end, so F1 = 0
    (row,) = span_f1(spans, "exact").query("category == 'all'").itertuples(index=False)
    assert (row.n_a, row.n_b, row.f1) == (3, 3, 0.0)
    units = match_spans(spans)
    assert units.index.equals(spans.index)
