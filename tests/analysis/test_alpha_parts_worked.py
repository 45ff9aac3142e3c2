"""Alpha's parts on examples small enough to work out by hand: per-group alpha (own and pooled
expected disagreement), the labelled coincidence matrix, and the per-value alphas of
multi-select answers.

Every expected value is worked out here from Krippendorff's definitions (2011, "Computing
Krippendorff's Alpha-Reliability", pp. 3-4: o_ck = sum_u pairs / (m_u - 1), D_o = sum o_ck
delta_ck / n, D_e = sum n_c n_k delta_ck / (n (n - 1)); ordinal delta p. 6) with exact
fractions, or taken from the ``krippendorff`` package; none comes from framestudy.
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import krippendorff
import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.alpha import (
    REASON_NO_PAIRS,
    REASON_NO_VARIATION,
    alpha_by_group,
    category_agreement,
    coincidence_matrix,
    krippendorff_alpha,
    leave_one_coder_out,
    set_value_alphas,
)
from framestudy.analysis.data import AgreementInputError, CategoryOrderError

# --- a reference computation from the definitions, in exact fractions ----------------------


def reference_coincidences(units: list[list], domain: list) -> dict:
    """o_ck by enumerating the ordered pairs of values within each pairable unit."""
    o = {(c, k): F(0) for c in domain for k in domain}
    for values in units:
        values = [v for v in values if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    o[a, b] += F(1, m - 1)
    return o


def marginals(o: dict, domain: list) -> dict:
    return {c: sum(o[c, k] for k in domain) for c in domain}


def ordinal_delta(n: dict, domain: list):
    """delta_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2 (Krippendorff 2011, p. 6)."""

    def delta(c, k):
        i, j = sorted((domain.index(c), domain.index(k)))
        between = sum(n[domain[g]] for g in range(i, j + 1))
        return (between - (n[c] + n[k]) / 2) ** 2

    return delta


def nominal_delta(c, k):
    return F(int(c != k))


def d_observed(o: dict, domain: list, delta) -> F:
    n = sum(o.values())
    return sum(o[c, k] * delta(c, k) for c in domain for k in domain) / n


def d_expected(o: dict, domain: list, delta) -> F:
    n_c = marginals(o, domain)
    n = sum(n_c.values())
    return sum(n_c[c] * n_c[k] * delta(c, k) for c in domain for k in domain) / (n * (n - 1))


# --- alpha per group ----------------------------------------------------------------------

# two coders; g1: (a, a), (a, b); g2: (b, b), (b, b); g3: one value only
TWO_CODERS = pd.DataFrame(
    {"A": ["a", "a", "b", "b", "a"], "B": ["a", "b", "b", "b", None]},
    index=["u1", "u2", "u3", "u4", "u5"],
)
GROUPS = ["g1", "g1", "g2", "g2", "g3"]


def test_the_hand_worked_example_of_the_reference():
    """o = [[2, 1], [1, 4]] over (a, b): D_o = 2/8, D_e = 2 * 3 * 5 / 56 = 15/28, so alpha
    = 1 - (1/4) / (15/28) = 8/15; the krippendorff package agrees."""
    units = [["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"], ["a", None]]
    o = reference_coincidences(units, ["a", "b"])
    assert o == {("a", "a"): 2, ("a", "b"): 1, ("b", "a"): 1, ("b", "b"): 4}
    d_o = d_observed(o, ["a", "b"], nominal_delta)
    d_e = d_expected(o, ["a", "b"], nominal_delta)
    assert (d_o, d_e) == (F(1, 4), F(15, 28))
    package = krippendorff.alpha(
        reliability_data=[[1, 1, 2, 2, 1], [1, 2, 2, 2, np.nan]], level_of_measurement="nominal"
    )
    assert float(1 - d_o / d_e) == pytest.approx(package, abs=1e-12) == pytest.approx(8 / 15)


def test_alpha_per_group_with_its_own_expected_disagreement():
    """g1: o = [[2, 1], [1, 0]], D_o = 2/4, D_e = 2 * 3 * 1 / 12 = 1/2, alpha = 0; g2 has one
    value only (undefined); g3 has no pairable unit."""
    by = alpha_by_group(TWO_CODERS, GROUPS)
    assert list(by.columns) == ["group", "estimate", "n_units", "n_pairable_values", "reason"]
    assert list(by["group"]) == ["g1", "g2", "g3"]
    by = by.set_index("group")
    assert by.loc["g1", "estimate"] == pytest.approx(0.0, abs=1e-12)
    assert pd.isna(by.loc["g1", "reason"])
    assert math.isnan(by.loc["g2", "estimate"]) and by.loc["g2", "reason"] == REASON_NO_VARIATION
    assert math.isnan(by.loc["g3", "estimate"]) and by.loc["g3", "reason"] == REASON_NO_PAIRS
    assert by["n_units"].tolist() == [2, 2, 1]
    assert by["n_pairable_values"].tolist() == [4, 4, 0]


def test_alpha_per_group_against_the_pooled_expected_disagreement():
    """Pooled D_e = 15/28 (the whole table): g1 = 1 - (1/2) / (15/28) = 1/15; g2 has D_o = 0,
    so alpha = 1 (defined now: the chance model is the study's); g3 still has no pairs."""
    by = alpha_by_group(TWO_CODERS, GROUPS, expected="pooled").set_index("group")
    assert by.loc["g1", "estimate"] == pytest.approx(1 / 15, abs=1e-12)
    assert by.loc["g2", "estimate"] == pytest.approx(1.0, abs=1e-12)
    assert pd.isna(by.loc["g1", "reason"]) and pd.isna(by.loc["g2", "reason"])
    assert math.isnan(by.loc["g3", "estimate"]) and by.loc["g3", "reason"] == REASON_NO_PAIRS
    assert by["n_units"].tolist() == [2, 2, 1]
    assert by["n_pairable_values"].tolist() == [4, 4, 0]


def test_pooled_groups_of_a_study_without_variation():
    """Every value equal: the pooled D_e is 0, so no group's alpha is defined."""
    same = pd.DataFrame({"A": ["a"] * 4, "B": ["a"] * 4})
    by = alpha_by_group(same, ["g1", "g1", "g2", "g2"], expected="pooled")
    assert by["estimate"].isna().all()
    assert by["reason"].tolist() == [REASON_NO_VARIATION] * 2


# three coders, ordinal words low < mid < high; groups x (u1-u3) and y (u4-u6)
SCALE = ["low", "mid", "high"]
ORDINAL_UNITS = [
    ["low", "low", "mid"],
    ["mid", "high", "high"],
    ["low", "mid", None],
    ["high", "high", "high"],
    ["low", "high", "mid"],
    ["mid", "mid", None],
]
ORDINAL = pd.DataFrame(ORDINAL_UNITS, columns=["A", "B", "C"])
ORDINAL_GROUPS = ["x", "x", "x", "y", "y", "y"]


def test_ordinal_alpha_per_group_own_and_pooled():
    """The ordinal distances come from the marginals: the group's own for ``own``, the
    whole study's for ``pooled`` (both D_o and D_e then use the study's n_c)."""
    whole = reference_coincidences(ORDINAL_UNITS, SCALE)
    pooled_delta = ordinal_delta(marginals(whole, SCALE), SCALE)
    pooled_d_e = d_expected(whole, SCALE, pooled_delta)
    own = alpha_by_group(ORDINAL, ORDINAL_GROUPS, "ordinal", categories=SCALE).set_index("group")
    pooled = alpha_by_group(
        ORDINAL, ORDINAL_GROUPS, "ordinal", categories=SCALE, expected="pooled"
    ).set_index("group")
    for group, rows in (("x", ORDINAL_UNITS[:3]), ("y", ORDINAL_UNITS[3:])):
        o = reference_coincidences(rows, SCALE)
        delta = ordinal_delta(marginals(o, SCALE), SCALE)
        expected_own = 1 - d_observed(o, SCALE, delta) / d_expected(o, SCALE, delta)
        expected_pooled = 1 - d_observed(o, SCALE, pooled_delta) / pooled_d_e
        assert own.loc[group, "estimate"] == pytest.approx(float(expected_own), abs=1e-12)
        assert pooled.loc[group, "estimate"] == pytest.approx(float(expected_pooled), abs=1e-12)
    # the reference agrees with the krippendorff package on the whole table
    coded = [[np.nan if v is None else SCALE.index(v) for v in row] for row in ORDINAL_UNITS]
    package = krippendorff.alpha(
        reliability_data=np.array(coded, dtype=float).T, level_of_measurement="ordinal"
    )
    whole_delta = ordinal_delta(marginals(whole, SCALE), SCALE)
    reference = 1 - d_observed(whole, SCALE, whole_delta) / d_expected(whole, SCALE, whole_delta)
    assert float(reference) == pytest.approx(package, abs=1e-12)


def test_ordinal_words_per_group_or_per_coder_need_their_order():
    with pytest.raises(CategoryOrderError):
        alpha_by_group(ORDINAL, ORDINAL_GROUPS, "ordinal")
    with pytest.raises(CategoryOrderError):
        leave_one_coder_out(ORDINAL, "ordinal")


def test_group_labels_must_match_the_units_and_expected_must_be_known():
    with pytest.raises(AgreementInputError) as wrong:
        alpha_by_group(TWO_CODERS, ["g1", "g2"])
    assert str(wrong.value) == "groups must give one label per unit: 2 labels for 5 units"
    with pytest.raises(AgreementInputError) as unknown:
        alpha_by_group(TWO_CODERS, GROUPS, expected="mean")
    assert str(unknown.value) == "expected must be 'own' or 'pooled', not 'mean'"


def test_ordinal_alpha_without_each_coder():
    """Leave-one-coder-out at the ordinal level, on the declared order: alpha_without is the
    reference alpha of the other two coders, change = alpha_without - alpha (all coders)."""

    def reference(rows):
        o = reference_coincidences(rows, SCALE)
        delta = ordinal_delta(marginals(o, SCALE), SCALE)
        return float(1 - d_observed(o, SCALE, delta) / d_expected(o, SCALE, delta))

    overall = reference(ORDINAL_UNITS)
    out = leave_one_coder_out(ORDINAL, "ordinal", categories=SCALE)
    assert list(out.columns) == ["coder", "n_values", "alpha_without", "change", "reason"]
    assert list(out["coder"]) == ["A", "B", "C"]
    assert out["n_values"].tolist() == [6, 6, 4]
    for j, row in enumerate(out.itertuples()):
        without = reference([[v for i, v in enumerate(unit) if i != j] for unit in ORDINAL_UNITS])
        assert row.alpha_without == pytest.approx(without, abs=1e-12)
        assert row.change == pytest.approx(without - overall, abs=1e-12)
        assert pd.isna(row.reason)


# --- per-category agreement on its edges ----------------------------------------------------


def test_per_category_agreement_of_a_single_disagreeing_pair():
    """One unit coded a and b: n_a = n_b = 1, o_aa = 0, so specific agreement 0 and binary
    alpha 1 - (n - 1)(n_c - o_cc) / (n_c (n - n_c)) = 1 - 1 * 1 / 1 = 0; the declared c has
    no pairable value."""
    out = category_agreement(pd.DataFrame({"A": ["a"], "B": ["b"]}), categories=["a", "b", "c"])
    assert list(out.columns) == [
        "category",
        "n_values",
        "specific_agreement",
        "binary_alpha",
        "reason",
    ]
    rows = out.set_index("category")
    for value in ("a", "b"):
        assert rows.loc[value, "n_values"] == 1.0
        assert rows.loc[value, "specific_agreement"] == 0.0
        assert rows.loc[value, "binary_alpha"] == pytest.approx(0.0, abs=1e-12)
        assert pd.isna(rows.loc[value, "reason"])
    assert rows.loc["c", "n_values"] == 0.0
    assert math.isnan(rows.loc["c", "specific_agreement"])
    assert math.isnan(rows.loc["c", "binary_alpha"])
    assert rows.loc["c", "reason"] == "value not among the pairable values"


def test_per_category_agreement_without_variation():
    """Every pairable value is a: its specific agreement is 1, its binary alpha undefined."""
    out = category_agreement(
        pd.DataFrame({"A": ["a", "a"], "B": ["a", "a"]}), categories=["a", "b"]
    ).set_index("category")
    assert out.loc["a", "n_values"] == 4.0
    assert out.loc["a", "specific_agreement"] == 1.0
    assert math.isnan(out.loc["a", "binary_alpha"])
    assert out.loc["a", "reason"] == REASON_NO_VARIATION


# --- the coincidence matrix, labelled -----------------------------------------------------


def test_coincidence_matrix_labels_and_declared_categories():
    """The default metric is nominal; a declared value nobody used gets an empty row, and the
    declared order is kept."""
    o = coincidence_matrix(TWO_CODERS, categories=["b", "c", "a"])
    assert o.index.name == "value"
    assert list(o.index) == list(o.columns) == ["b", "c", "a"]
    expected = [[4, 0, 1], [0, 0, 0], [1, 0, 2]]  # from the worked example above
    np.testing.assert_allclose(o.to_numpy(), expected, rtol=0, atol=1e-12)
    default = coincidence_matrix(TWO_CODERS)
    assert list(default.index) == ["a", "b"]
    np.testing.assert_allclose(default.to_numpy(), [[2, 1], [1, 4]], rtol=0, atol=1e-12)


def test_coincidence_matrix_of_sets():
    """With a set metric a coder's rows of one unit form one value, printed in braces."""
    long = pd.DataFrame(
        [(1, "A", "x"), (1, "A", "y"), (1, "B", "x"), (1, "B", "y"), (2, "A", "x"), (2, "B", "y")],
        columns=["unit", "coder", "value"],
    )
    o = coincidence_matrix(long, "masi")
    assert list(o.index) == ["{x}", "{y}", "{x, y}"]
    # unit 1: {x, y} twice -> o[{x,y},{x,y}] = 2; unit 2: {x} and {y} -> 1 each way
    np.testing.assert_allclose(o.to_numpy(), [[0, 1, 0], [1, 0, 0], [0, 0, 2]], rtol=0, atol=1e-12)


# --- per-value alphas of multi-select answers ---------------------------------------------


def test_set_value_alphas_worked_example():
    """Was x chosen? Per coder: u1 (1, 1, 0), u2 (0, 0, 0), u3 (1, missing, 1), u4 (0, 1, 0),
    with C's empty set in u2 counting as "not chosen" and B's missing cell as missing.

    Binary nominal alpha from the definition: o_11 = 2/2 + 2 = 3 (u1's 1-1 pairs, u3's pair),
    o_00 = 6/2 + 2/2 = 4 (u2, u4), o_01 = o_10 = 2/2 + 2/2 = 2 (u1, u4); n_1 = 5, n_0 = 6,
    n = 11; D_o = 4/11, D_e = 2 * 5 * 6 / (11 * 10) = 6/11; alpha = 1 - 4/6 = 1/3.
    Was y chosen? u1 (0, 0, 1), u2 (0, 0, 0), u3 (0, -, 0), u4 (1, 0, 1): o_11 = 2/2 = 1,
    o_01 = o_10 = 2/2 + 2/2 = 2, o_00 = 2/2 + 6/2 + 2 = 6; n_1 = 3, n_0 = 8, n = 11;
    D_o = 4/11, D_e = 2 * 3 * 8 / 110 = 24/55; alpha = 1 - (4/11) / (24/55) = 1/6.
    """
    wide = pd.DataFrame(
        {
            "A": [frozenset("x"), frozenset(), frozenset("x"), frozenset("y")],
            "B": [frozenset("x"), frozenset(), None, frozenset("x")],
            "C": [frozenset("y"), frozenset(), frozenset("x"), frozenset("y")],
        },
        index=["u1", "u2", "u3", "u4"],
    )
    out = set_value_alphas(wide)
    assert list(out.columns) == ["value", "estimate", "n_units", "n_pairable_values", "reason"]
    assert list(out["value"]) == ["x", "y"]
    out = out.set_index("value")
    assert out.loc["x", "estimate"] == pytest.approx(1 / 3, abs=1e-12)
    assert out.loc["y", "estimate"] == pytest.approx(1 / 6, abs=1e-12)
    assert out["n_units"].tolist() == [4, 4]
    assert out["n_pairable_values"].tolist() == [11, 11]
    assert out["reason"].isna().all()
    for value, expected in (("x", 1 / 3), ("y", 1 / 6)):
        indicator = [
            [np.nan if cell is None else float(value in cell) for cell in wide[coder]]
            for coder in wide.columns
        ]
        package = krippendorff.alpha(reliability_data=indicator, level_of_measurement="nominal")
        assert package == pytest.approx(expected, abs=1e-12)


def test_set_value_alphas_of_mixed_value_types_are_listed_as_text():
    wide = pd.DataFrame(
        {"A": [frozenset({1, "b"}), frozenset({1})], "B": [frozenset({1}), frozenset({"b"})]}
    )
    assert list(set_value_alphas(wide)["value"]) == [1, "b"]


# --- nothing to report: the documented columns all the same ---------------------------------


def test_empty_inputs_give_empty_tables_with_their_columns():
    """A caller that concatenates or selects columns gets them even when there is no row."""
    missing = pd.DataFrame({"A": [np.nan, np.nan], "B": [np.nan, np.nan]})
    no_units = pd.DataFrame({"A": pd.Series([], dtype=float), "B": pd.Series([], dtype=float)})
    empty_sets = pd.DataFrame({"A": [frozenset()], "B": [frozenset()]})
    tables = {
        "category": category_agreement(missing),
        "group": alpha_by_group(no_units, []),
        "value": set_value_alphas(empty_sets),
        "coder": leave_one_coder_out(pd.DataFrame(index=[0, 1])),
    }
    columns = {
        "category": ["category", "n_values", "specific_agreement", "binary_alpha", "reason"],
        "group": ["group", "estimate", "n_units", "n_pairable_values", "reason"],
        "value": ["value", "estimate", "n_units", "n_pairable_values", "reason"],
        "coder": ["coder", "n_values", "alpha_without", "change", "reason"],
    }
    for key, table in tables.items():
        assert table.empty and list(table.columns) == columns[key], key


def test_set_metrics_read_plain_values_and_lists_as_sets():
    """A wide table for a set metric may hold a plain value (one answer), a list or tuple (several)
    or nothing: each is read as the set it stands for, so the result is that of the table
    written with explicit sets; every present cell is a value (11 pairable values here)."""
    plain = pd.DataFrame(
        {"A": ["x", ["x", "y"], 3, None], "B": ["x", ("y", "x"), 3, "y"], "C": ["y", "x", 3, "y"]}
    )
    explicit = pd.DataFrame(
        {
            "A": [frozenset("x"), frozenset("xy"), frozenset([3]), None],
            "B": [frozenset("x"), frozenset("xy"), frozenset([3]), frozenset("y")],
            "C": [frozenset("y"), frozenset("x"), frozenset([3]), frozenset("y")],
        }
    )
    for metric in ("jaccard", "masi"):
        got = krippendorff_alpha(plain, metric)
        assert got == krippendorff_alpha(explicit, metric)
        assert got["n_pairable_values"] == 11
