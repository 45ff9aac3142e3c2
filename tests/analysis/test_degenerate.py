"""Degenerate data: one category only, one coder, no pairable values, perfect agreement.

The policy (docs/agreement.md): never raise, never a misleading 0 or 1 -- an undefined
coefficient is NaN (``null`` in JSON) with a ``reason``; a coefficient whose formula is
defined keeps its value (alpha = 1 for perfect agreement with variation; AC1 and
Brennan-Prediger need no variation, only at least two categories in the domain).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis import kappa
from framestudy.analysis.alpha import (
    REASON_NO_PAIRS,
    REASON_NO_VARIATION,
    REASON_ONE_CODER,
    alpha_by_group,
    category_agreement,
    krippendorff_alpha,
    leave_one_coder_out,
)
from framestudy.analysis.bootstrap import bootstrap_alpha
from framestudy.analysis.data import encode
from framestudy.analysis.diagnostics import disagreements
from framestudy.analysis.json_report import agreement_report, unitizing_report
from framestudy.analysis.unitizing import SPAN_COLUMNS, unitizing_alpha

KAPPAS = ("cohen_kappa", "scott_pi", "fleiss_kappa", "conger_kappa", "gwet_ac2")


def report(data: pd.DataFrame, **kw) -> dict:
    out = agreement_report(data, n_boot=50, seed=0, **kw)
    json.dumps(out, allow_nan=False)  # the contract is valid JSON
    return out


def test_one_category_only():
    data = pd.DataFrame({"a": ["x"] * 5, "b": ["x"] * 5})
    res = krippendorff_alpha(data)
    assert np.isnan(res["estimate"]) and res["reason"] == REASON_NO_VARIATION
    out = report(data)
    coefs = out["coefficients"]
    assert coefs["krippendorff_alpha"]["estimate"] is None
    assert "no variation" in coefs["krippendorff_alpha"]["reason"]
    for name in (*KAPPAS, "gwet_ac1", "brennan_prediger"):
        assert coefs[name]["estimate"] is None and coefs[name]["reason"], name
    assert coefs["percent_agreement"]["estimate"] == 1.0  # literally true, not chance-corrected


def test_one_category_observed_but_two_in_domain():
    """With a declared second category, AC1 and BP are defined (their chance model does
    not depend on the observed spread); alpha and the kappas still are not."""
    data = pd.DataFrame({"a": ["no"] * 6, "b": ["no"] * 6})
    coefs = report(data, categories=["yes", "no"])["coefficients"]
    assert coefs["krippendorff_alpha"]["estimate"] is None
    assert (
        coefs["fleiss_kappa"]["estimate"] is None
        and "chance agreement is 1" in coefs["fleiss_kappa"]["reason"]
    )
    assert coefs["cohen_kappa"]["estimate"] is None
    assert coefs["gwet_ac1"]["estimate"] == pytest.approx(1.0)
    assert coefs["brennan_prediger"]["estimate"] == pytest.approx(1.0)


def test_one_coder():
    data = pd.DataFrame({"a": [1, 2, 3, 1]}, dtype=float)
    res = krippendorff_alpha(data)
    assert np.isnan(res["estimate"]) and res["reason"] == REASON_ONE_CODER
    coefs = report(data)["coefficients"]
    for name, entry in coefs.items():
        assert entry["estimate"] is None and entry["reason"] == REASON_ONE_CODER, name
    assert leave_one_coder_out(data)["reason"].tolist() == [REASON_ONE_CODER]
    assert disagreements(data).empty


def test_no_pairable_values():
    data = pd.DataFrame({"a": [1, np.nan, 3], "b": [np.nan, 2, np.nan]}, dtype=float)
    res = krippendorff_alpha(data)
    assert np.isnan(res["estimate"]) and res["reason"] == REASON_NO_PAIRS
    assert res["n_pairable_values"] == 0
    out = report(data)
    assert out["n_pairable_values"] == 0
    for name, entry in out["coefficients"].items():
        assert entry["estimate"] is None and entry["reason"], name
    boot = bootstrap_alpha(encode(data), n_boot=20, seed=0)
    assert boot["n_undefined"] == 20 and np.isnan(boot["ci_low"])


def test_perfect_agreement_with_variation_is_one():
    data = pd.DataFrame({"a": [1, 2, 3, 1], "b": [1, 2, 3, 1], "c": [1, 2, np.nan, 1]}, dtype=float)
    coefs = report(data)["coefficients"]
    for name in (
        "krippendorff_alpha",
        "percent_agreement",
        "fleiss_kappa",
        "conger_kappa",
        "gwet_ac1",
        "brennan_prediger",
        "cohen_kappa",
    ):
        assert coefs[name]["estimate"] == pytest.approx(1.0), name
    alpha = coefs["krippendorff_alpha"]
    assert alpha["ci_low"] == alpha["ci_high"] == 1.0
    assert alpha["p_below_0_667"] == alpha["p_below_0_800"] == 0.0
    assert disagreements(data).empty


def test_empty_table():
    data = pd.DataFrame({"a": [np.nan], "b": [np.nan]}, dtype=float)
    out = report(data)
    assert out["n_units"] == 0
    assert all(e["estimate"] is None for e in out["coefficients"].values())


def test_category_and_group_diagnostics_with_degenerate_parts():
    data = pd.DataFrame({"a": [1, 1, 2, 2], "b": [1, 1, 2, 1]}, dtype=float)
    groups = ["g1", "g1", "g2", "g2"]
    by = alpha_by_group(data, groups)
    g1 = by.set_index("group").loc["g1"]
    assert np.isnan(g1["estimate"]) and g1["reason"] == REASON_NO_VARIATION
    cats = category_agreement(data, categories=[1.0, 2.0, 3.0])
    unused = cats.set_index("category").loc["3"]
    assert np.isnan(unused["specific_agreement"]) and unused["reason"]


def test_cohen_pair_without_shared_units():
    data = pd.DataFrame(
        {"a": [1, 2, np.nan, np.nan], "b": [np.nan, np.nan, 1, 2], "c": [1, 2, 1, 2]}, dtype=float
    )
    res = kappa.cohen_kappa(encode(data))
    assert res["pairs"]["a|b"] is None
    assert res["pairs"]["a|c"] == pytest.approx(1.0)


def spans(rows):
    return pd.DataFrame(rows, columns=SPAN_COLUMNS)


def test_unitizing_one_coder():
    res = unitizing_alpha(spans([("d", "a", "X", 0, 5)]), {"d": 20})
    assert np.isnan(res["estimate"]) and res["reason"] == REASON_ONE_CODER


def test_unitizing_zero_length_units_only():
    """DKPro issue #58: alpha_U was 1.0 with only zero-length units."""
    res = unitizing_alpha(spans([("d", "a", "X", 3, 3), ("d", "b", "X", 4, 4)]), {"d": 20})
    assert np.isnan(res["estimate"]) and res["reason"]
    assert res["n_ignored_empty"] == 2


def test_unitizing_category_never_used_and_no_spans():
    res = unitizing_alpha(
        spans([("d", "a", "X", 0, 5), ("d", "b", "X", 0, 5)]), {"d": 20}, categories=["X", "Y"]
    )
    assert res["by_category"]["X"]["estimate"] == 1.0
    assert np.isnan(res["by_category"]["Y"]["estimate"]) and res["by_category"]["Y"]["reason"]
    assert res["estimate"] == 1.0
    empty = unitizing_alpha(spans([]), {"d": 20}, coders={"d": ["a", "b"]})
    assert np.isnan(empty["estimate"]) and empty["reason"] == "no spans"
    out = unitizing_report(spans([]), {"d": 20}, coders={"d": ["a", "b"]})
    json.dumps(out, allow_nan=False)
    assert out["coefficients"]["unitizing_alpha"]["estimate"] is None


def test_unitizing_whole_continuum_is_one_unit():
    """Both coders mark the whole continuum: Krippendorff's D_e is still positive (it
    counts every placement of the units, 2004 p. 254), D_o is 0, so alpha_U is 1."""
    res = unitizing_alpha(spans([("d", "a", "X", 0, 10), ("d", "b", "X", 0, 10)]), {"d": 10})
    entry = res["by_category"]["X"]
    assert entry["observed_disagreement"] == 0.0 and entry["expected_disagreement"] > 0
    assert entry["estimate"] == 1.0
