"""The analysis API for library callers: the documented input shapes, validated inputs with
one error type, and the formula and its source in each public function's docstring."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import framestudy.analysis as analysis
from framestudy.analysis import (
    AgreementInputError,
    CategoryOrderError,
    agreement_report,
    bootstrap_alpha,
    krippendorff_alpha,
    study_agreement,
    study_disagreements,
    unitizing_alpha,
)
from framestudy.analysis import kappa as kappa_module
from framestudy.analysis.data import encode
from tests.analysis.synth import synthetic_study
from tests.analysis.test_study import REGISTRY

WIDE = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5],
        "C": [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5],
    }
)
LONG = pd.DataFrame(
    [
        (u, c, WIDE.at[u, c])
        for u in WIDE.index
        for c in WIDE.columns
        if not np.isnan(WIDE.at[u, c])
    ],
    columns=["unit", "coder", "value"],
)
KAPPAS = (
    kappa_module.percent_agreement,
    kappa_module.cohen_kappa,
    kappa_module.scott_pi,
    kappa_module.fleiss_kappa,
    kappa_module.conger_kappa,
    kappa_module.brennan_prediger,
    kappa_module.gwet_ac,
)


def _same(a: dict, b: dict) -> None:
    for key in ("estimate", "se", "ci_low", "ci_high"):
        if key in a:
            assert a[key] == pytest.approx(b[key], nan_ok=True), key


# --- input shapes ---------------------------------------------------------------------


def test_alpha_reads_the_long_shape_as_the_wide_one():
    for metric in ("nominal", "ordinal", "interval"):
        _same(krippendorff_alpha(LONG, metric), krippendorff_alpha(WIDE, metric))


def test_long_shape_ignores_other_columns_and_keeps_row_order_of_units():
    extra = LONG.assign(note="x")[["note", "value", "coder", "unit"]]
    _same(krippendorff_alpha(extra), krippendorff_alpha(WIDE))


def test_set_metrics_gather_a_coders_rows_into_a_set():
    long = pd.DataFrame(
        [(1, "a", "x"), (1, "a", "y"), (1, "b", "x"), (2, "a", "z"), (2, "b", "z"), (2, "b", "x")],
        columns=["unit", "coder", "value"],
    )
    wide = pd.DataFrame(
        {"a": [frozenset("xy"), frozenset("z")], "b": [frozenset("x"), frozenset("zx")]},
        index=[1, 2],
    )
    for metric in ("masi", "jaccard"):
        _same(krippendorff_alpha(long, metric), krippendorff_alpha(wide, metric))
    values = analysis.set_value_alphas(long)
    assert list(values["value"]) == ["x", "y", "z"]


@pytest.mark.parametrize("fn", KAPPAS, ids=lambda f: f.__name__)
def test_kappa_family_takes_wide_long_and_coded(fn):
    coded = fn(encode(WIDE))
    _same(fn(WIDE), coded)
    _same(fn(LONG), coded)


def test_kappa_family_takes_the_categories_of_the_scale():
    scale = [1, 2, 3, 4, 5, 6]
    coded = encode(WIDE, categories=scale)
    for fn in (kappa_module.gwet_ac, kappa_module.brennan_prediger):
        _same(fn(LONG, categories=scale), fn(coded))
        assert fn(LONG, categories=scale)["estimate"] != fn(LONG)["estimate"]


def test_weighted_kappa_on_words_needs_their_order():
    words = pd.DataFrame({"a": ["low", "mid", "high", "low"], "b": ["low", "high", "high", "mid"]})
    with pytest.raises(CategoryOrderError, match="categories"):
        kappa_module.cohen_kappa(words, "quadratic")
    ordered = kappa_module.cohen_kappa(words, "quadratic", categories=["low", "mid", "high"])
    assert ordered["estimate"] == pytest.approx(
        kappa_module.cohen_kappa(encode(words, ["low", "mid", "high"]), "quadratic")["estimate"]
    )


def test_bootstrap_takes_a_table():
    coded = bootstrap_alpha(encode(WIDE), "ordinal", n_boot=200, seed=3)
    for data in (WIDE, LONG):
        table = bootstrap_alpha(data, "ordinal", n_boot=200, seed=3)
        assert np.array_equal(table["replicates"], coded["replicates"])


def test_agreement_report_takes_the_long_shape():
    assert agreement_report(LONG, n_boot=50) == agreement_report(WIDE, n_boot=50)


def test_study_agreement_takes_the_registry_dataframe():
    table, lengths = synthetic_study(REGISTRY, n_articles=12, seed=4)
    records = study_agreement(table, REGISTRY, lengths, n_boot=0)
    frame = study_agreement(table, pd.DataFrame(REGISTRY), lengths, n_boot=0)
    pd.testing.assert_frame_equal(records, frame)


# --- one error type, messages that say what to do ---------------------------------------


def test_one_error_type_in_the_valueerror_family():
    assert issubclass(AgreementInputError, ValueError)
    assert issubclass(CategoryOrderError, AgreementInputError)


def test_long_table_missing_a_column():
    with pytest.raises(AgreementInputError, match="column 'unit' is missing"):
        krippendorff_alpha(LONG.drop(columns="unit"))
    with pytest.raises(AgreementInputError, match="column 'value' is missing"):
        kappa_module.fleiss_kappa(LONG.drop(columns="value"))


def test_long_table_with_two_rows_for_one_unit_and_coder():
    with pytest.raises(AgreementInputError, match="one row per unit and coder") as exc:
        krippendorff_alpha(pd.concat([LONG, LONG.iloc[[0]]]))
    assert "np." not in str(exc.value)


def test_long_table_row_without_a_coder():
    broken = LONG.astype({"coder": object})
    broken.loc[2, "coder"] = None
    with pytest.raises(AgreementInputError, match="no coder"):
        krippendorff_alpha(broken)


def test_not_a_table():
    with pytest.raises(AgreementInputError, match="must be a table"):
        krippendorff_alpha("codes.csv")


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.2, 95])
def test_confidence_outside_zero_one(confidence):
    with pytest.raises(AgreementInputError, match="between 0 and 1"):
        bootstrap_alpha(WIDE, n_boot=10, confidence=confidence)
    with pytest.raises(AgreementInputError, match="between 0 and 1"):
        unitizing_alpha(_spans([("d", "a", "X", 0, 5)]), {"d": 20}, confidence=confidence)


def test_negative_n_boot():
    with pytest.raises(AgreementInputError, match="n_boot"):
        bootstrap_alpha(WIDE, n_boot=-1)
    with pytest.raises(AgreementInputError, match="n_boot"):
        unitizing_alpha(_spans([("d", "a", "X", 0, 5)]), {"d": 20}, n_boot=-5)
    with pytest.raises(AgreementInputError, match="n_boot"):
        agreement_report(WIDE, n_boot=-1)
    table, lengths = synthetic_study(REGISTRY, n_articles=4, seed=1)
    with pytest.raises(AgreementInputError, match="n_boot"):
        study_agreement(table, REGISTRY, lengths, n_boot=-1)


def _spans(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["document", "coder", "category", "start", "end"])


def test_spans_missing_a_column():
    spans = _spans([("d", "a", "X", 0, 5), ("d", "b", "X", 1, 5)]).drop(columns="category")
    with pytest.raises(AgreementInputError, match="column 'category' is missing"):
        unitizing_alpha(spans, {"d": 20})


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(-2, 5, "start -2 is not a character offset"), (0, 2.5, "end 2.5"), (None, 4, "start")],
)
def test_span_offsets_that_are_not_offsets(start, end, message):
    spans = _spans([("d", "a", "X", 0, 5), ("d", "b", "X", start, end)])
    with pytest.raises(AgreementInputError, match=message):
        unitizing_alpha(spans, {"d": 20})
    with pytest.raises(AgreementInputError, match=message):
        analysis.span_f1(spans)


def test_span_end_before_start():
    spans = _spans([("d", "a", "X", 0, 5), ("d", "b", "X", 9, 4)])
    with pytest.raises(AgreementInputError, match="end 4 is before start 9"):
        unitizing_alpha(spans, {"d": 20})
    with pytest.raises(AgreementInputError, match="before start"):
        analysis.match_spans(spans)


def test_negative_document_length():
    spans = _spans([("d", "a", "X", 0, 5), ("d", "b", "X", 1, 5)])
    with pytest.raises(AgreementInputError, match="length -3"):
        unitizing_alpha(spans, {"d": -3})


def test_study_agreement_names_a_missing_column():
    table, lengths = synthetic_study(REGISTRY, n_articles=4, seed=1)
    with pytest.raises(AgreementInputError, match="no 'coder' column"):
        study_agreement(table.drop(columns="coder"), REGISTRY, lengths, n_boot=0)
    with pytest.raises(AgreementInputError, match="no 'span_start' column"):
        study_agreement(table.drop(columns="span_start"), REGISTRY, lengths, n_boot=0)
    with pytest.raises(AgreementInputError, match="no 'outlet' column"):
        study_agreement(table.drop(columns="outlet"), REGISTRY, lengths, by="outlet", n_boot=0)
    with pytest.raises(AgreementInputError, match="no 'variable' column"):
        study_disagreements(table.drop(columns="variable"), REGISTRY)


def test_study_agreement_registry_record_without_variable():
    table, lengths = synthetic_study(REGISTRY, n_articles=4, seed=1)
    broken = [*REGISTRY, {"metric": "alpha_nominal"}]
    with pytest.raises(AgreementInputError, match=f"record {len(broken)} has no 'variable'"):
        study_agreement(table, broken, lengths, n_boot=0)


def test_unknown_names_are_input_errors():
    with pytest.raises(AgreementInputError, match="unknown metric"):
        krippendorff_alpha(WIDE, "cosine")
    with pytest.raises(AgreementInputError, match="unknown weights"):
        kappa_module.gwet_ac(WIDE, "cubic")
    with pytest.raises(AgreementInputError, match="unknown bootstrap method"):
        bootstrap_alpha(WIDE, method="jackknife")
    with pytest.raises(AgreementInputError, match="unknown bootstrap method"):
        agreement_report(WIDE, bootstrap_method="jackknife")
    with pytest.raises(AgreementInputError, match="not one of the categories"):
        krippendorff_alpha(WIDE, categories=[1, 2, 3])


# --- the formula and its source in each public function's own docstring -----------------

DOCUMENTED = (
    "krippendorff_alpha",
    "bootstrap_alpha",
    "unitizing_alpha",
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "conger_kappa",
    "brennan_prediger",
    "gwet_ac",
    "study_agreement",
)


@pytest.mark.parametrize("name", DOCUMENTED)
def test_docstring_carries_formula_and_citation(name):
    doc = getattr(analysis, name).__doc__
    assert re.search(r"\(?(19|20)\d\d\)?", doc), "a cited year"
    assert re.search(r"\bpp?\. \d|\d+:\d+|ch\. \d|eq\. \d", doc), "a page, chapter or equation"
    assert " = " in doc, "a formula"
    assert "AgreementInputError" in doc or "as in :func:" in doc, "the error, or where it is said"


def test_every_export_resolves():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None


@pytest.mark.parametrize("weights", ["quadratic", "squared"])
@pytest.mark.parametrize(
    "name", ["fleiss_kappa", "conger_kappa", "brennan_prediger", "gwet_ac", "scott_pi"]
)
def test_results_name_the_weights_asked_for(name, weights):
    """irr's rank weights are computed as linear/quadratic on ranks, but the result says
    which weights the caller chose."""
    data = pd.DataFrame({"a": [1, 2, 3, 1, 2, 3], "b": [1, 2, 2, 1, 3, 3], "c": [1, 3, 3, 1, 2, 3]})
    assert getattr(analysis, name)(data, weights)["weights"] == weights


def test_a_coder_may_be_called_coder():
    """A long table is turned into units x coders once: a coder named like a long-table
    column is not mistaken for one the second time."""
    long = pd.DataFrame(
        {"unit": [1, 1, 2, 2, 3, 3], "coder": ["coder", "b"] * 3,
         "value": ["x", "x", "y", "y", "x", "y"]}
    )
    renamed = long.assign(coder=long["coder"].replace({"coder": "a"}))
    assert analysis.krippendorff_alpha(long, "nominal")["estimate"] == pytest.approx(
        analysis.krippendorff_alpha(renamed, "nominal")["estimate"]
    )
