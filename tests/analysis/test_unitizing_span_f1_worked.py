"""Span F1 on cases worked by hand: which documents count (those both coders coded, as the
``coders`` mapping says, even where one marked nothing), zero-length spans left out,
identifiers of mixed types, and the error for an unknown mode. Found by mutation testing
(docs/mutation.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.unitizing import span_f1

COLUMNS = ["document", "coder", "category", "start", "end"]


def test_only_documents_both_coders_coded_count_and_empty_spans_do_not():
    rows = [
        ("d1", "A", "BLAME", 0, 10), ("d1", "A", "BLAME", 20, 30),
        ("d1", "A", "BLAME", 40, 40),  # zero length: not a span
        ("d1", "B", "BLAME", 0, 10),
        ("d2", "A", "BLAME", 0, 5),  # B coded d2 and marked nothing: A's span is unmatched
        ("d3", "B", "BLAME", 0, 5),  # only B coded d3: it does not count
    ]
    coded = {"d1": ["A", "B"], "d2": ["A", "B"], "d3": ["B"]}
    table = span_f1(pd.DataFrame(rows, columns=COLUMNS), "exact", coders=coded)
    # A: 3 spans in shared documents, B: 1; one exact match: recall 1/3, precision 1,
    # F1 = 2 * 1 * (1/3) / (1 + 1/3) = 0.5
    for category in ("all", "BLAME"):
        (row,) = table[table["category"] == category].itertuples(index=False)
        assert (row.coder_a, row.coder_b, row.n_a, row.n_b) == ("A", "B", 3, 1)
        assert row.f1 == pytest.approx(0.5)


def test_documents_and_coders_of_mixed_types_are_ordered_as_text():
    rows = [(1, 2, "BLAME", 0, 4), (1, "x", "BLAME", 0, 4),
            ("b", 2, "BLAME", 5, 9), ("b", "x", "BLAME", 6, 9)]
    table = span_f1(pd.DataFrame(rows, columns=COLUMNS), "exact")
    (row,) = table[table["category"] == "all"].itertuples(index=False)
    # one of two spans each matches exactly: P = R = 1/2, F1 = 1/2
    assert (row.coder_a, row.coder_b, row.n_a, row.n_b) == (2, "x", 2, 2)
    assert row.f1 == pytest.approx(0.5)


def test_an_unknown_mode_is_named():
    frame = pd.DataFrame([("d", "A", "BLAME", 0, 1)], columns=COLUMNS)
    with pytest.raises(AgreementInputError, match="mode must be 'exact' or 'overlap', not 'fuzzy'"):
        span_f1(frame, "fuzzy")
