"""Weighted coefficients need the categories' order: text values without one are refused.

Alphabetical order is no order (low/mid/high sorts as high < low < mid), so a library
caller asking for linear or quadratic weights on text values without ``categories`` gets a
ValueError saying to pass them in order; numbers carry their own order.
"""

from __future__ import annotations

import pandas as pd
import pytest

from framestudy.analysis.data import CategoryOrderError
from framestudy.analysis.json_report import agreement_diagnostics, agreement_report

WORDS = pd.DataFrame(
    {"a": ["low", "mid", "high", "low", "mid"], "b": ["low", "high", "high", "mid", "mid"]},
    dtype=object,
)


@pytest.mark.parametrize("call", [agreement_report, agreement_diagnostics])
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weights_on_words_without_order_are_refused(call, weights):
    with pytest.raises(ValueError, match="categories") as exc:
        call(WORDS, weights=weights)
    assert isinstance(exc.value, CategoryOrderError)
    assert weights in str(exc.value) and "lowest first" in str(exc.value)


def test_ordinal_words_without_order_are_a_category_order_error():
    with pytest.raises(CategoryOrderError, match="categories"):
        agreement_report(WORDS, level="ordinal", n_boot=0)


def test_with_order_or_numbers_or_identity_weights_it_runs():
    ordered = agreement_report(
        WORDS, weights="quadratic", categories=["low", "mid", "high"], n_boot=0
    )
    assert ordered["categories"] == ["low", "mid", "high"]
    assert agreement_report(WORDS, n_boot=0)["weights"] == "identity"
    numbers = WORDS.replace({"low": 1, "mid": 2, "high": 3}).astype(float)
    assert agreement_report(numbers, weights="quadratic", n_boot=0)["categories"] == ["1", "2", "3"]
    assert set(agreement_diagnostics(numbers, weights="linear")) >= {"pairwise_kappa"}
