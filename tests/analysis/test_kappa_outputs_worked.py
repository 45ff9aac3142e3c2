"""The kappa family's results on examples worked by hand: Light's and Scott's per-pair values on
the units each pair shares, Conger's kappa, Brennan-Prediger on a declared scale, and the fields
and reasons of every undefined case.

Expected values are worked out here from the published definitions (Cohen 1960: p_e from each
coder's marginals; Scott 1955: from the pair's pooled shares; Conger 1980: p_e = sum_k
(pbar_k^2 - s2_kk / r); Brennan & Prediger 1981: p_e = 1/q; Light 1971: the mean of the pairs'
kappas) or taken from scikit-learn's ``cohen_kappa_score``; none comes from framestudy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from framestudy.analysis import kappa
from framestudy.analysis.data import AgreementInputError, encode

# A and B share units 1-3, A and C units 2-4, B and C units 2-3 (all y there)
THREE = pd.DataFrame(
    {
        "A": ["x", "x", "y", "y"],
        "B": ["x", "y", "y", None],
        "C": [None, "y", "y", "x"],
    }
)
FIELDS = {"estimate", "se", "ci_low", "ci_high", "reason"}


def is_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def test_scott_pi_per_pair_on_the_units_each_pair_shares():
    """A|B: pairs (x,x) (x,y) (y,y): p_o = 2/3, pooled shares x = y = 1/2, p_e = 1/2, pi = 1/3.
    A|C: (x,y) (y,y) (y,x): p_o = 1/3, shares x = 2/6, y = 4/6, p_e = 5/9, pi = -1/2.
    B|C: all y, p_e = 1: undefined. Three coders: no single estimate."""
    out = kappa.scott_pi(THREE)
    assert out["pairs"]["A|B"] == pytest.approx(1 / 3, abs=1e-12)
    assert out["pairs"]["A|C"] == pytest.approx(-1 / 2, abs=1e-12)
    assert out["pairs"]["B|C"] is None
    assert list(out["pairs"]) == ["A|B", "A|C", "B|C"]
    assert is_nan(out["estimate"]) and is_nan(out["ci_low"]) and is_nan(out["ci_high"])
    assert out["reason"] == (
        "Scott's pi is defined for two coders; see the pairs, and fleiss_kappa "
        "for its generalisation to more coders"
    )
    assert out["weights"] == "identity"


def test_scott_pi_of_two_coders_who_share_no_unit():
    data = pd.DataFrame({"A": ["x", "y", None, None], "B": [None, None, "x", "y"]})
    data["C"] = ["x", "y", "x", "y"]
    out = kappa.scott_pi(data)
    assert out["pairs"]["A|B"] is None
    assert out["pairs"]["A|C"] == pytest.approx(1.0)
    two = kappa.scott_pi(data[["A", "B"]].iloc[[0, 1, 2, 3]])
    assert two["reason"] == "no pairable values: no unit has values from two or more coders"


def test_scott_pi_on_a_declared_scale_with_weights():
    """Quadratic weights on the scale 1..4 (4 unused): w = 1 - (i - j)^2 / 9. Two coders,
    pairs (1,1) (1,2) (2,3) (3,3): p_o = (1 + 8/9 + 8/9 + 1) / 4 = 17/18; pooled shares
    1: 3/8, 2: 2/8, 3: 3/8; p_e = sum w_kl s_k s_l = 1 - sum (k-l)^2 s_k s_l / 9, with
    sum (k-l)^2 s_k s_l = 2 (1 * 6/64 + 4 * 9/64 + 1 * 6/64) = 96/64 = 3/2, so p_e = 5/6;
    pi = (17/18 - 5/6) / (1/6) = 2/3."""
    data = pd.DataFrame({"A": [1, 1, 2, 3], "B": [1, 2, 3, 3]})
    out = kappa.scott_pi(data, "quadratic", categories=[1, 2, 3, 4])
    assert out["estimate"] == pytest.approx(2 / 3, abs=1e-12)
    assert out["pairs"] == {"A|B": pytest.approx(2 / 3, abs=1e-12)}


def test_lights_kappa_is_the_mean_of_the_defined_pairs():
    """Cohen's kappa per pair: A|B p_o = 2/3, marginals A (2/3, 1/3), B (1/3, 2/3), p_e = 4/9,
    kappa = 2/5; A|C p_o = 1/3, p_e = 5/9, kappa = -1/2; B|C undefined. Light: -0.05."""
    out = kappa.cohen_kappa(THREE)
    assert out["pairs"] == {
        "A|B": pytest.approx(0.4, abs=1e-12),
        "A|C": pytest.approx(-0.5, abs=1e-12),
        "B|C": None,
    }
    assert out["estimate"] == pytest.approx(-0.05, abs=1e-12)
    assert out["method"] == "Light's kappa: mean of the pairwise Cohen's kappas"
    assert out["reason"] is None
    assert is_nan(out["se"]) and is_nan(out["ci_low"]) and is_nan(out["ci_high"])


def test_lights_kappa_without_any_defined_pair():
    same = pd.DataFrame({"A": ["x"] * 3, "B": ["x"] * 3, "C": ["x"] * 3})
    out = kappa.cohen_kappa(same, categories=["x", "y"])
    assert is_nan(out["estimate"])
    assert out["reason"] == "no coder pair has a defined kappa"
    assert out["pairs"] == {"A|B": None, "A|C": None, "B|C": None}


def test_cohen_kappa_of_two_coders_gives_the_pairs_fields():
    out = kappa.cohen_kappa(THREE[["A", "B"]])
    assert out["estimate"] == pytest.approx(0.4, abs=1e-12)
    assert out["pa"] == pytest.approx(2 / 3) and out["pe"] == pytest.approx(4 / 9)
    assert "n_units" not in out and "se_h0" in out
    assert out["reason"] is None


def test_cohen_pair_reasons_and_units():
    coded = encode(pd.DataFrame({"A": ["x", "y", None, None], "B": [None, None, "x", "y"]}))
    assert kappa.cohen_pair(coded, 0, 1)["reason"] == "the two coders share no unit"
    one = encode(pd.DataFrame({"A": ["x", "x"], "B": ["x", "x"]}))
    assert kappa.cohen_pair(one, 0, 1)["reason"] == kappa.REASON_ONE_CATEGORY
    assert kappa.cohen_pair(encode(THREE), 0, 1)["n_units"] == 3


def test_cohen_table_edges():
    """No units: no pairs. One unit, one value each (the same): p_e = 1. A table whose CI
    reaches past the coefficient's range is clipped to [-1, 1]."""
    identity = np.eye(2)
    empty = kappa.cohen_table(np.zeros((2, 2)), identity)
    assert empty["reason"] == kappa.REASON_NO_PAIRS and set(empty) >= FIELDS
    single = kappa.cohen_table(np.array([[1, 0], [0, 0]]), identity)
    assert single["reason"] == kappa.REASON_PE_ONE
    assert (single["pa"], single["pe"]) == (1.0, 1.0)
    high = kappa.cohen_table(np.array([[3, 0], [1, 2]]), identity)
    assert high["ci_high"] == 1.0 and high["estimate"] < 1.0
    low = kappa.cohen_table(np.array([[0, 3], [2, 1]]), identity)
    assert low["ci_low"] == -1.0 and low["estimate"] > -1.0
    assert high["pa"] == pytest.approx(5 / 6) and high["pe"] == pytest.approx(
        (3 / 6) * (4 / 6) + (3 / 6) * (2 / 6)
    )
    assert high["reason"] is None


def test_undefined_results_carry_every_field():
    out = kappa.cohen_kappa(pd.DataFrame({"A": ["x", "y"]}))
    assert set(out) >= FIELDS
    assert all(is_nan(out[k]) for k in ("estimate", "se", "ci_low", "ci_high"))


def test_conger_kappa_of_two_complete_coders_is_cohens():
    """Conger (1980) for two coders with complete data: pbar = (1/2, 1/2), s2_xx = s2_yy =
    1/18, p_e = 2 (1/4 - 1/36) = 4/9 = Cohen's p_e; kappa = (2/3 - 4/9) / (5/9) = 2/5."""
    out = kappa.conger_kappa(THREE[["A", "B"]].iloc[:3])
    assert out == {
        "estimate": pytest.approx(0.4, abs=1e-12),
        "se": out["se"],
        "ci_low": out["ci_low"],
        "ci_high": out["ci_high"],
        "pa": pytest.approx(2 / 3, abs=1e-12),
        "pe": pytest.approx(4 / 9, abs=1e-12),
        "weights": "identity",
        "reason": None,
        "note": "no analytic standard error is computed for Conger's kappa",
    }
    assert is_nan(out["se"]) and is_nan(out["ci_low"]) and is_nan(out["ci_high"])


@pytest.mark.parametrize("fn", [kappa.conger_kappa, kappa.fleiss_kappa])
def test_no_variation_on_a_declared_scale(fn):
    """Everyone says x on the scale (x, y): p_e = 1, so the coefficient is undefined (and not
    'one category only': the scale has two)."""
    same = pd.DataFrame({"A": ["x"] * 3, "B": ["x"] * 3})
    out = fn(same, categories=["x", "y"])
    assert is_nan(out["estimate"]) and out["reason"] == kappa.REASON_PE_ONE
    assert out["pa"] == pytest.approx(1.0) and out["pe"] == pytest.approx(1.0)


def test_brennan_prediger_on_the_number_of_categories_of_the_scale():
    """Everyone says x; with q = 2 on the scale, p_e = 1/2 and BP = (1 - 1/2) / (1/2) = 1."""
    same = pd.DataFrame({"A": ["x"] * 3, "B": ["x"] * 3})
    out = kappa.brennan_prediger(same, n_categories=2)
    assert out["estimate"] == pytest.approx(1.0) and out["n_categories"] == 2
    data = pd.DataFrame({"A": [1, 2, 3, 3], "B": [1, 3, 3, 2]})
    # q equal to the data's domain is allowed, with any weights
    assert kappa.brennan_prediger(data, "quadratic", n_categories=3)["estimate"] == (
        pytest.approx(kappa.brennan_prediger(data, "quadratic")["estimate"])
    )
    with pytest.raises(AgreementInputError) as small:
        kappa.brennan_prediger(data, n_categories=2)
    assert str(small.value) == (
        "n_categories=2 is smaller than the 3 categories in the data -- give the number of "
        "categories on the scale"
    )
    with pytest.raises(AgreementInputError) as weighted:
        kappa.brennan_prediger(data, "quadratic", n_categories=4)
    assert str(weighted.value) == (
        "n_categories beyond the data's categories needs identity weights; declare the "
        "categories' values instead (categories=...)"
    )


def test_rank_weights_ignore_missing_ratings():
    """irr's "equal" weights are linear weights on the ranks of the levels observed, so the
    values 10, 50, 90 score as 1, 2, 3; a missing rating stays missing."""
    values = pd.DataFrame(
        {"A": [10, 50, 90, 90, np.nan], "B": [10, 90, 90, 50, 50], "C": [np.nan, 50, 90, 10, 50]}
    )
    ranks = values.replace({10: 1, 50: 2, 90: 3})
    for fn in (kappa.fleiss_kappa, kappa.gwet_ac):
        assert fn(values, "equal")["estimate"] == pytest.approx(
            fn(ranks, "linear")["estimate"], abs=1e-12
        )


def test_pairwise_kappa_matrix_against_scikit_learn():
    data = pd.DataFrame({"A": [1, 1, 2, 3, 2], "B": [1, 2, 2, 3, 3], "C": [2, 1, 2, 3, 1]})
    scale = [1, 2, 3, 4]
    matrix = kappa.pairwise_kappa_matrix(data, "quadratic", categories=scale)
    assert list(matrix.index) == list(matrix.columns) == ["A", "B", "C"]
    for a in "ABC":
        for b in "ABC":
            expected = (
                1.0
                if a == b
                else cohen_kappa_score(data[a], data[b], labels=scale, weights="quadratic")
            )
            assert matrix.loc[a, b] == pytest.approx(expected, abs=1e-12), (a, b)


def test_percent_agreement_per_pair_on_the_units_both_coded():
    """A|B agree on units 1 and 3 of the three they share (2/3), A|C on one of three (1/3),
    B|C on both of theirs (1). Overall p_a: unit 1 (A, B) 1, unit 2 (x, y, y) 1/3, unit 3
    (y, y, y) 1, unit 4 (A, C: y, x) 0: mean 7/12."""
    out = kappa.percent_agreement(THREE)
    assert out["pairs"] == {
        "A|B": pytest.approx(2 / 3),
        "A|C": pytest.approx(1 / 3),
        "B|C": pytest.approx(1.0),
    }
    assert out["estimate"] == pytest.approx(7 / 12, abs=1e-12)
    assert out["reason"] is None
    with pytest.raises(AgreementInputError):
        kappa.percent_agreement(THREE, categories=["x"])  # y is outside the declared scale


def test_one_unit_gives_an_estimate_without_an_interval_and_two_give_one():
    """The linearised SE divides by n (n - 1) and the t quantile needs n - 1 >= 1 degrees of
    freedom: one unit has no SE or CI; two units have both."""
    one = kappa.gwet_ac(pd.DataFrame({"A": ["x"], "B": ["y"]}), categories=["x", "y"])
    assert one["estimate"] == pytest.approx(-1.0)  # p_a = 0, p_e = 2 * (1/2)(1/2) = 1/2
    assert set(one) >= FIELDS and one["reason"] is None
    assert is_nan(one["se"]) and is_nan(one["ci_low"]) and is_nan(one["ci_high"])
    two = kappa.gwet_ac(pd.DataFrame({"A": ["x", "y"], "B": ["y", "y"]}))
    assert math.isfinite(two["se"]) and math.isfinite(two["ci_low"])


def test_a_coded_table_reused_with_other_weights_gives_those_weights_result():
    """Gwet's per-unit quantities are cached per data set *and weights*: asking the same
    encoded table for quadratic after identity weights gives what a fresh table gives."""
    data = pd.DataFrame({"A": [1, 2, 3, 3, 1], "B": [1, 3, 3, 2, 2], "C": [2, 2, 3, 3, 1]})
    coded = encode(data)
    for fn in (kappa.fleiss_kappa, kappa.gwet_ac):
        identity = fn(coded, "identity")["estimate"]
        quadratic = fn(coded, "quadratic")["estimate"]
        assert quadratic == pytest.approx(fn(encode(data), "quadratic")["estimate"], abs=1e-12)
        assert quadratic != pytest.approx(identity)


def test_the_kappa_familys_input_errors_name_the_problem():
    words = pd.DataFrame({"A": ["x", "y"], "B": ["y", "y"]})
    assert kappa.as_coded(words).categories == ("x", "y")  # identity weights need no order
    with pytest.raises(AgreementInputError) as unknown:
        kappa.gwet_ac(words, "cubic")
    assert str(unknown.value) == (
        "unknown weights 'cubic'; use one of identity, linear, quadratic, equal, squared"
    )
    with pytest.raises(AgreementInputError) as unordered:
        kappa.gwet_ac(words, "quadratic")
    assert str(unordered.value).startswith("quadratic weights need the values in order")


def test_pairwise_kappa_matrix_defaults_to_unweighted_kappa():
    """THREE's pairs as worked above: A|B 2/5, A|C -1/2, B|C undefined (NaN)."""
    matrix = kappa.pairwise_kappa_matrix(THREE)
    assert matrix.loc["A", "B"] == matrix.loc["B", "A"] == pytest.approx(0.4)
    assert matrix.loc["A", "C"] == pytest.approx(-0.5)
    assert math.isnan(matrix.loc["B", "C"])
    assert (np.diag(matrix.to_numpy()) == 1.0).all()


def test_a_pair_without_shared_units_has_no_percent_agreement():
    data = pd.DataFrame(
        {"A": ["x", "y", None, None], "B": [None, None, "x", "y"], "C": ["x", "y", "x", "y"]}
    )
    assert kappa.percent_agreement(data)["pairs"] == {"A|B": None, "A|C": 1.0, "B|C": 1.0}


def test_brennan_prediger_of_one_category_without_a_scale():
    same = pd.DataFrame({"A": ["x"] * 3, "B": ["x"] * 3})
    assert kappa.brennan_prediger(same)["reason"] == kappa.REASON_ONE_CATEGORY


LEVELS = ["low", "mid", "high"]
WORDS = pd.DataFrame(
    {
        "A": ["low", "mid", "high", "high", "low"],
        "B": ["low", "high", "high", "mid", "mid"],
        "C": ["mid", "mid", "high", "low", "low"],
    }
)


def test_weighted_pairs_of_ordered_words_against_scikit_learn():
    """Words take the declared order: quadratic weights on their ranks, as scikit-learn's
    weighted kappa on labels listed in that order; Scott's pi of a pair on the same order
    (pooled shares) is checked by hand for A|B: pairs (l,l) (m,h) (h,h) (h,m) (l,m):
    1 - w disagreements d^2 / 4: 0, 1/4, 0, 1/4, 1/4 -> p_o = 1 - 3/20 = 17/20; pooled
    shares l 3/10, m 3/10, h 4/10; expected d^2/4 = 2 (0.09 / 4 + 0.12 / 4 + 0.12) = 0.345;
    pi = 1 - 0.15 / 0.345 = 13/23."""
    matrix = kappa.pairwise_kappa_matrix(WORDS, "quadratic", categories=LEVELS)
    for a, b in (("A", "B"), ("A", "C"), ("B", "C")):
        expected = cohen_kappa_score(WORDS[a], WORDS[b], labels=LEVELS, weights="quadratic")
        assert matrix.loc[a, b] == pytest.approx(expected, abs=1e-12), (a, b)
    scott = kappa.scott_pi(WORDS[["A", "B"]], "quadratic", categories=LEVELS)
    assert scott["estimate"] == pytest.approx(13 / 23, abs=1e-12)
