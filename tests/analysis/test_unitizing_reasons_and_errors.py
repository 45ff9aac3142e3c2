"""What unitizing alpha says when it cannot give a number, and the one-line errors for bad
input: the reasons and the bootstrap's record go into the --json report, the error lines
are what a user sees. Each expectation is the documented wording or worked by hand
(docs/mutation.md: found by mutation testing)."""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.unitizing import check_spans, unitizing_alpha
from tests.analysis import unitizing_reference as ref

COLUMNS = ["document", "coder", "category", "start", "end"]


def frame(rows, index=None):
    return pd.DataFrame(rows, columns=COLUMNS, index=index)


def _nan(x):
    return isinstance(x, float) and math.isnan(x)


# --- errors -------------------------------------------------------------------------


def test_not_a_dataframe():
    with pytest.raises(AgreementInputError) as err:
        check_spans([("d", "a", "X", 0, 1)])
    assert str(err.value) == (
        "spans must be a DataFrame, not list -- one row per span with the columns "
        "document, coder, category, start, end"
    )


def test_a_missing_column_is_named_with_the_columns_needed():
    with pytest.raises(AgreementInputError) as err:
        check_spans(pd.DataFrame({"document": ["d"], "coder": ["a"], "category": ["X"],
                                  "start": [0]}))
    assert str(err.value) == (
        "spans need the columns document, coder, category, start, end (character offsets, "
        "end exclusive) -- column 'end' is missing"
    )


def test_a_text_offset_names_its_row_label():
    spans = frame([("d", "a", "X", 0, 4), ("d", "b", "X", "abc", 4)], index=["r1", "r2"])
    with pytest.raises(AgreementInputError) as err:
        unitizing_alpha(spans, {"d": 10})
    assert str(err.value) == (
        "span row 'r2': start 'abc' is not a character offset -- offsets are whole numbers from 0"
    )


def test_a_reversed_span_names_its_row_label():
    spans = frame([("d", "a", "X", 0, 4), ("d", "b", "X", 5, 3)], index=[6, 7])
    with pytest.raises(AgreementInputError) as err:
        unitizing_alpha(spans, {"d": 10})
    assert str(err.value) == (
        "span row 7: end 3 is before start 5 -- end is exclusive and at least start; swap "
        "them if they were given the other way round"
    )


@pytest.mark.parametrize("bad", [-4, "abc"])
def test_a_bad_length_names_its_document(bad):
    with pytest.raises(AgreementInputError) as err:
        unitizing_alpha(frame([("d1", "a", "X", 0, 4)]), {"d1": 10, "d2": bad})
    assert str(err.value) == (
        f"document 'd2' has length {bad!r} -- a length is the number of characters of the "
        "document's text, 0 or more"
    )


@pytest.mark.parametrize("as_series", [False, True])
def test_a_bad_length_is_shown_as_given(as_series):
    # a float beside it must not turn the -4 into -4.0
    lengths = {"d1": 10.0, "d2": -4}
    with pytest.raises(AgreementInputError) as err:
        unitizing_alpha(frame([("d1", "a", "X", 0, 4)]),
                        pd.Series(lengths, dtype=object) if as_series else lengths)
    assert str(err.value).startswith("document 'd2' has length -4 -- ")


def test_a_length_of_zero_is_allowed():
    rows = [("d1", "a", "X", 0, 4), ("d1", "b", "X", 1, 4), ("d1", "a", "X", 6, 9)]
    res = unitizing_alpha(frame(rows), {"d1": 10, "empty": 0})
    assert res["n_documents"] == 2
    assert res["estimate"] == pytest.approx(ref.alpha(rows, {"d1": 10})["estimate"], abs=1e-12)


def test_offsets_given_as_text_are_read_as_numbers():
    rows = [("d1", "a", "X", 0, 4), ("d1", "b", "X", 1, 4), ("d1", "a", "X", 6, 9)]
    as_text = [(d, c, k, str(s), str(e)) for d, c, k, s, e in rows]
    res = unitizing_alpha(frame(as_text), {"d1": 10})
    assert res["estimate"] == pytest.approx(ref.alpha(rows, {"d1": 10})["estimate"], abs=1e-12)


# --- identifiers ----------------------------------------------------------------------


def test_coders_and_categories_of_mixed_types():
    rows = [("d1", 1, 2, 0, 4), ("d1", "x", 2, 1, 4), ("d1", 1, "Y", 6, 9),
            ("d1", "x", "Y", 6, 8)]
    expected = ref.alpha(rows, {"d1": 12})
    for coders in (None, {"d1": [1, "x"]}):
        res = unitizing_alpha(frame(rows), {"d1": 12}, coders)
        assert list(res["by_category"]) == ["2", "Y"]
        assert res["n_coders"] == 2
        assert res["estimate"] == pytest.approx(expected["estimate"], abs=1e-12)


def test_a_document_missing_from_coders_was_coded_by_nobody():
    rows = [("d1", "a", "X", 0, 4), ("d1", "b", "X", 1, 4), ("d2", "a", "X", 0, 4)]
    res = unitizing_alpha(frame(rows), {"d1": 10, "d2": 10}, coders={"d1": ["a", "b"]})
    assert res["n_documents"] == 1
    assert res["estimate"] == pytest.approx(ref.alpha(rows[:2], {"d1": 10})["estimate"])


# --- reasons --------------------------------------------------------------------------


def test_coders_only_on_documents_left_out_are_not_counted():
    rows = [("d1", "a", "X", 0, 4), ("d1", "b", "X", 1, 4), ("d2", "c", "X", 0, 4)]
    coders = {"d1": ["a", "b"], "d2": ["c"]}
    res = unitizing_alpha(frame(rows), {"d1": 10, "d2": 10}, coders)
    assert res["n_coders"] == 2


def test_no_document_with_two_coders():
    rows = [("d1", "a", "X", 0, 4), ("d2", "b", "X", 0, 4)]
    res = unitizing_alpha(frame(rows), {"d1": 10, "d2": 10}, {"d1": ["a"], "d2": ["b"]})
    assert res["reason"] == "no document was coded by two or more coders"
    assert res["n_coders"] == 2 and res["n_documents"] == 0
    assert _nan(res["estimate"])


def test_a_category_asked_for_without_spans():
    rows = [("d1", "a", "X", 0, 4), ("d1", "b", "X", 1, 4)]
    res = unitizing_alpha(frame(rows), {"d1": 10}, categories=["X", "Z"])
    entry = res["by_category"]["Z"]
    assert set(entry) == {"estimate", "ci_low", "ci_high", "observed_disagreement",
                          "expected_disagreement", "n_spans", "reason"}
    assert entry["reason"] == "no span of this category"
    assert entry["n_spans"] == 0
    assert all(_nan(entry[k]) for k in ("estimate", "ci_low", "ci_high",
                                        "observed_disagreement", "expected_disagreement"))


# every coder marks the only character of each one-character document: nothing varies,
# so D_e = 0 (units of length 1, no gap): by hand (N - 1)(2 - 3 + 1) / 3 = 0
NO_VARIATION = [("d1", "a", "X", 0, 1), ("d1", "b", "X", 0, 1),
                ("d2", "a", "X", 0, 1), ("d2", "b", "X", 0, 1)]


def test_no_variation_gives_no_estimate_and_says_why():
    res = unitizing_alpha(frame(NO_VARIATION), {"d1": 1, "d2": 1})
    entry = res["by_category"]["X"]
    assert entry["reason"] == "no variation: expected disagreement is 0"
    assert entry["observed_disagreement"] == 0.0 and entry["expected_disagreement"] == 0.0
    assert _nan(entry["estimate"])
    assert res["reason"] == "no variation: expected disagreement is 0"
    assert _nan(res["estimate"])


def test_no_variation_bootstrap_is_undefined_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = unitizing_alpha(frame(NO_VARIATION), {"d1": 1, "d2": 1}, n_boot=5)
    assert _nan(res["ci_low"]) and _nan(res["ci_high"])
    assert _nan(res["by_category"]["X"]["ci_low"]) and _nan(res["by_category"]["X"]["ci_high"])
    assert res["bootstrap"]["n_undefined"] == 5


def test_one_document_cannot_be_resampled():
    rows = [("d1", "a", "X", 0, 4), ("d1", "b", "X", 1, 4)]
    res = unitizing_alpha(frame(rows), {"d1": 10}, n_boot=5)
    assert res["bootstrap"] == {
        "method": "documents", "n": 5, "seed": 0, "confidence": 0.95, "n_undefined": 5,
        "reason": "the bootstrap resamples documents and needs two or more",
    }


def test_two_documents_without_spans():
    spans = frame([])
    res = unitizing_alpha(spans, {"d1": 10, "d2": 10}, {"d1": ["a", "b"], "d2": ["a", "b"]},
                          categories=["X"], n_boot=5)
    assert res["reason"] == "no spans"
    assert res["bootstrap"]["reason"] == "no spans"
    assert res["bootstrap"]["n_undefined"] == 5


def test_two_documents_are_enough_to_resample():
    rows = [("d1", "a", "X", 0, 4), ("d1", "b", "X", 1, 4), ("d1", "a", "X", 6, 9),
            ("d2", "a", "X", 2, 8), ("d2", "b", "X", 2, 9)]
    lengths = {"d1": 10, "d2": 12}
    coders = {d: ["a", "b"] for d in lengths}
    expected = ref.bootstrap(rows, lengths, coders, ["X"], 30, 0, 0.95)
    res = unitizing_alpha(frame(rows), lengths, n_boot=30)
    assert "reason" not in res["bootstrap"]
    assert (res["ci_low"], res["ci_high"]) == pytest.approx(expected[None], abs=1e-12)


def test_resampling_a_study_where_a_category_drops_out_gives_no_warning():
    # X only in d1, Y only in d2: replicates drawing one document twice lack a category;
    # in the continuous case d1's unit gives D_e(X) = 0 with D_o(X) > 0 (a unit as long
    # as every gap)
    rows = [("d1", "a", "X", 0, 10), ("d2", "a", "Y", 2, 6), ("d2", "b", "Y", 3, 6)]
    for continuous in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            res = unitizing_alpha(frame(rows), {"d1": 10, "d2": 8}, n_boot=30,
                                  continuous=continuous)
        assert res["bootstrap"]["n_undefined"] >= 0
