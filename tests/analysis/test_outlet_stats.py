"""Outlet statistics (framestudy.analysis.outlet_stats): prevalence with Wilson intervals,
ordinal summaries, the outlet x value test and its selection rule, Cramér's V, Holm's
correction, and the small-sample path that never gives a p-value.

Published values are copied from their sources (see each test); the rest are hand-made
tables whose answers are worked out in the test.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from scipy.stats.contingency import association
from statsmodels.stats.multitest import multipletests

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.outlet_stats import (
    PAIRWISE_COLUMNS,
    RESULT_COLUMNS,
    adjust_across_variables,
    cochran_rule,
    compare_outlets,
    contingency_test,
    cramers_v_interval,
    ordinal_summary,
    prevalence,
)

# Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.5 (party
# identification by gender), as in R's chisq.test.Rd example; published X^2 = 30.070149,
# df 2, p = 2.953589e-07 (DolphinDB chiSquareTest documentation, Example 2, same table; R
# prints 30.07 and 2.954e-07).
AGRESTI = [[762, 327, 468], [484, 239, 477]]
AGRESTI_ROWS = ["F", "M"]
AGRESTI_COLS = ["Democrat", "Independent", "Republican"]
# R chisq.test.Rd: x <- matrix(c(12, 5, 7, 7), ncol = 2); chisq.test(x)$p.value # 0.4233
# (Yates' correction, R's default for 2 x 2).
YATES_2X2 = [[12, 7], [5, 7]]
# Fisher's tea tasting, R fisher.test.Rd: fisher.test(TeaTasting, alternative = "greater")
# => p = 0.2429.
TEA = [[3, 1], [1, 3]]


def articles(table, rows, cols, by="outlet", value_col="value") -> pd.DataFrame:
    """One row per article from a groups x values table of counts."""
    records = [
        (r, c) for r, counts in zip(rows, table, strict=True)
        for c, k in zip(cols, counts, strict=True) for _ in range(k)
    ]
    frame = pd.DataFrame(records, columns=[by, value_col])
    frame.insert(0, "article_id", [f"a{i}" for i in range(len(frame))])
    return frame


# --- published values ----------------------------------------------------------------


def test_agresti_pearson_chi2_published():
    result = contingency_test(AGRESTI)
    assert result.test == "pearson_chi2"
    assert "Cochran" in result.reason
    assert abs(result.statistic - 30.070149) <= 0.5e-6
    assert result.df == 2
    assert abs(result.p_value - 2.953589e-07) <= 0.5e-13


def test_agresti_through_compare_outlets_on_articles():
    frame = articles(AGRESTI, AGRESTI_ROWS, AGRESTI_COLS)
    result = compare_outlets(frame, "value", n_boot=200, seed=3)
    assert result.test == "pearson_chi2"
    assert abs(result.statistic - 30.070149) <= 0.5e-6
    assert abs(result.p_value - 2.953589e-07) <= 0.5e-13
    assert result.table.loc["F"].tolist() == AGRESTI[0]
    assert list(result.table.columns) == AGRESTI_COLS
    # Cramér's V = sqrt(X^2 / (n (min(r, c) - 1))), n = 2757.
    assert result.cramers_v == pytest.approx(math.sqrt(30.070149 / 2757), abs=1e-7)
    assert result.v_ci_low < result.cramers_v < result.v_ci_high
    row = result.to_frame()
    assert list(row.columns) == list(RESULT_COLUMNS)
    assert row.loc[0, "n"] == 2757 and row.loc[0, "n_groups"] == 2


def test_yates_2x2_published():
    corrected = contingency_test(YATES_2X2, correction=True)
    assert corrected.test == "pearson_chi2" and "Yates" in corrected.reason
    assert abs(corrected.p_value - 0.4233) <= 0.5e-4
    # Without the correction (the default) the statistic is Pearson's own and p is smaller.
    plain = contingency_test(YATES_2X2)
    assert plain.p_value < corrected.p_value


def test_fisher_tea_tasting_published():
    one_sided = contingency_test(TEA, alternative="greater")
    assert one_sided.test == "fisher_exact"
    assert abs(one_sided.p_value - 0.2429) <= 0.5e-4
    # Two-sided by hand: hypergeometric P(n11 = k) = C(4,k) C(4,4-k) / C(8,4) = 1, 16, 36,
    # 16, 1 over 70; the tables no more probable than the observed (k = 3) are k = 0, 1, 3, 4.
    assert contingency_test(TEA).p_value == pytest.approx(34 / 70, abs=1e-12)


# --- which test ------------------------------------------------------------------------


def test_cochran_rule_both_sides():
    # 5 cells: one below 5 is 20% (allowed), two are 40% (not); the smallest may be 1.
    assert cochran_rule(np.array([[1.0, 5, 5, 5, 5]]))[0]
    assert not cochran_rule(np.array([[0.99, 5, 5, 5, 5]]))[0]
    ok, why = cochran_rule(np.array([[4.9, 4.9, 5, 5, 5]]))
    assert not ok and "40%" in why
    assert cochran_rule(np.array([[6.0, 7.0], [8.0, 9.0]]))[0]


def test_selection_rule_on_hand_made_tables():
    # Expected counts all 10: chi-square.
    assert contingency_test([[10, 10, 10], [10, 10, 10], [10, 10, 10]]).test == "pearson_chi2"
    # Expected counts 2 in a 2 x 2: Fisher.
    fisher = contingency_test([[3, 1], [1, 3]])
    assert fisher.test == "fisher_exact" and "expected counts are below 5" in fisher.reason
    # Sparse 3 x 3: Monte Carlo.
    mc = contingency_test([[3, 1, 0], [1, 3, 2], [0, 1, 4]], n_resamples=999)
    assert mc.test == "monte_carlo_chi2" and mc.n_resamples == 999 and mc.df == 4
    # A 2 x 3 table just meeting the rule (one of six expected counts below 5, none below 1)
    # versus one just failing it (two of six below 5).
    assert contingency_test([[20, 20, 4], [20, 20, 6]]).test == "pearson_chi2"
    assert contingency_test([[20, 3, 4], [20, 3, 6]]).test == "monte_carlo_chi2"


def test_empty_rows_and_columns_are_left_out():
    # A value no article took would give an expected count of 0.
    assert contingency_test([[10, 0, 10], [12, 0, 8]]).test == "pearson_chi2"
    assert contingency_test([[10, 0, 10], [12, 0, 8]]).df == 1
    assert contingency_test([[5, 5], [0, 0]]).test is None


def _exact_conditional_p(table) -> float:
    """Exact p of X^2 over every 2 x 3 table with the margins of ``table`` (hypergeometric)."""
    table = np.asarray(table)
    row1, cols = int(table[0].sum()), table.sum(axis=0)
    n = int(table.sum())

    def x2(t):
        e = t.sum(axis=1, keepdims=True) * t.sum(axis=0, keepdims=True) / n
        return float(((t - e) ** 2 / e).sum())

    observed = x2(table)
    total = 0.0
    for a, b in product(range(cols[0] + 1), range(cols[1] + 1)):
        c = row1 - a - b
        if not 0 <= c <= cols[2]:
            continue
        t = np.array([[a, b, c], cols - np.array([a, b, c])], dtype=float)
        prob = (
            math.comb(int(cols[0]), a) * math.comb(int(cols[1]), b) * math.comb(int(cols[2]), c)
            / math.comb(n, row1)
        )
        if x2(t) >= observed - 1e-9:
            total += prob
    return total


def test_monte_carlo_p_matches_exact_conditional_p():
    table = [[4, 1, 0], [1, 2, 4]]
    exact = _exact_conditional_p(table)
    mc = contingency_test(table, seed=11, n_resamples=20000)
    assert mc.test == "monte_carlo_chi2"
    # Monte Carlo standard error is at most 0.0036 at 20,000 resamples.
    assert abs(mc.p_value - exact) < 0.015


# --- small samples ---------------------------------------------------------------------


def test_five_articles_one_per_outlet_give_no_test():
    frame = pd.DataFrame({
        "article_id": [f"art-{i}" for i in range(5)],
        "outlet": ["globalresearch", "aggregator", "rt", "italian", "euromaidan"],
        "value": ["broken", "broken", "kept", "unclear", "kept"],
    })
    result = compare_outlets(frame, "value")
    assert result.test is None
    assert "too few articles per outlet to test" in result.reason
    assert math.isnan(result.p_value) and math.isnan(result.statistic)
    assert math.isnan(result.cramers_v)
    assert result.pairwise.empty and list(result.pairwise.columns) == list(PAIRWISE_COLUMNS)
    assert result.table.to_numpy().sum() == 5
    # The descriptives are still there.
    assert prevalence(frame, "value")["n"].eq(1).all()


@pytest.mark.parametrize(
    ("sizes", "tested"),
    [
        ((1, 10, 10), False),  # one outlet with a single article
        ((2, 10, 10), True),  # two articles in the smallest, 7.3 on average
        ((4, 4, 4), False),  # every outlet at least 2, but 4 on average
        ((5, 5), True),  # exactly 5 on average
    ],
)
def test_sample_size_rule_both_sides(sizes, tested):
    values = ["x", "y"]
    rows = [
        (f"o{g}", values[i % 2]) for g, size in enumerate(sizes) for i in range(size)
    ]
    frame = pd.DataFrame(rows, columns=["outlet", "value"])
    result = compare_outlets(frame, "value", n_boot=50)
    if tested:
        assert result.test is not None and 0 <= result.p_value <= 1
    else:
        assert result.test is None and math.isnan(result.p_value)
        assert result.reason.startswith("too few articles per outlet to test")


def test_nothing_to_compare():
    one_value = pd.DataFrame({"outlet": ["a"] * 6 + ["b"] * 6, "value": ["x"] * 12})
    assert "same value" in compare_outlets(one_value, "value").reason
    one_outlet = pd.DataFrame({"outlet": ["a"] * 12, "value": ["x", "y"] * 6})
    assert "only one outlet" in compare_outlets(one_outlet, "value").reason
    no_values = pd.DataFrame({"outlet": ["a", "b"], "value": [None, np.nan]})
    result = compare_outlets(no_values, "value")
    assert result.test is None and result.n_left_out == 2


# --- effect size, pairs and corrections --------------------------------------------------


def test_cramers_v_interval():
    v, low, high = cramers_v_interval(AGRESTI, n_boot=500, seed=1)
    assert v == pytest.approx(association(np.array(AGRESTI), method="cramer"))
    assert low < v < high
    assert (v, low, high) == cramers_v_interval(AGRESTI, n_boot=500, seed=1)
    v0, low0, high0 = cramers_v_interval(AGRESTI, n_boot=0)
    assert v0 == v and math.isnan(low0) and math.isnan(high0)
    # A perfect association: V = 1, and every replicate keeps it.
    assert cramers_v_interval([[10, 0], [0, 10]], n_boot=100) == (1.0, 1.0, 1.0)


def test_pairwise_holm_against_statsmodels_and_planted_difference():
    # c differs from a and b, which are alike.
    frame = articles(
        [[30, 10], [29, 11], [8, 32]], ["a", "b", "c"], ["yes", "no"]
    )
    result = compare_outlets(frame, "value", n_boot=100)
    pairs = result.pairwise.set_index(["group_a", "group_b"])
    assert len(pairs) == 3
    expected = multipletests(pairs["p_value"].to_numpy(), method="holm")[1]
    np.testing.assert_allclose(pairs["p_adjusted"].to_numpy(), expected)
    assert pairs.loc[("a", "b"), "p_adjusted"] > 0.5
    assert pairs.loc[("a", "c"), "p_adjusted"] < 0.001
    assert pairs.loc[("b", "c"), "p_adjusted"] < 0.001
    assert (pairs["adjustment"] == "holm over 3 tested pairs of 3").all()
    assert result.p_value < 1e-6
    assert compare_outlets(frame, "value", n_boot=0, pairwise=False).pairwise.empty


def test_holm_by_hand_across_variables():
    rows = pd.DataFrame({
        "variable": ["v1", "v2", "v3", "v4"],
        "p_value": [0.01, 0.04, 0.03, np.nan],
    })
    out = adjust_across_variables(rows)
    # Holm: sorted 0.01, 0.03, 0.04 times 3, 2, 1, made monotone: 0.03, 0.06, 0.06.
    np.testing.assert_allclose(out["p_adjusted"].iloc[:3], [0.03, 0.06, 0.06])
    assert math.isnan(out["p_adjusted"].iloc[3])
    assert (out["adjustment"] == "holm over 3 tested variables of 4").all()
    np.testing.assert_allclose(
        adjust_across_variables(rows, method="fdr_bh")["p_adjusted"].iloc[:3],
        multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1],
    )


def test_adjust_across_variables_takes_results():
    tested = compare_outlets(articles(AGRESTI, AGRESTI_ROWS, AGRESTI_COLS), "value", n_boot=0)
    small = compare_outlets(
        pd.DataFrame({"outlet": list("abc"), "value": list("xyx")}), "value"
    )
    out = adjust_across_variables([tested, small])
    assert out["p_adjusted"].iloc[0] == pytest.approx(tested.p_value)  # a family of one
    assert math.isnan(out["p_adjusted"].iloc[1])
    assert out["adjustment"].iloc[0] == "holm over 1 tested variables of 2"


# --- descriptives ------------------------------------------------------------------------


def test_prevalence_wilson_by_hand():
    frame = pd.DataFrame({
        "outlet": ["a"] * 10 + ["b"] * 4,
        "value": ["yes"] * 3 + ["no"] * 7 + ["no"] * 4,
    })
    out = prevalence(frame, "value", values=["yes", "no"]).set_index(["outlet", "value"])
    row = out.loc[("a", "yes")]
    assert (row["count"], row["n"], row["share"]) == (3, 10, 0.3)
    z, n, p = norm.ppf(0.975), 10, 0.3
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert row["ci_low"] == pytest.approx(centre - half, abs=1e-12)
    assert row["ci_high"] == pytest.approx(centre + half, abs=1e-12)
    # A value the outlet never took: count 0, and the interval still has width.
    none = out.loc[("b", "yes")]
    assert none["count"] == 0 and none["ci_low"] == pytest.approx(0, abs=1e-12)
    assert none["ci_high"] > 0.4
    assert list(out.reset_index().columns) == [
        "outlet", "value", "count", "n", "share", "ci_low", "ci_high"
    ]


def test_prevalence_by_outlet_attribute():
    frame = pd.DataFrame({"type": ["state", "state", "independent"], "value": ["x", "y", "x"]})
    out = prevalence(frame, "value", by="type")
    assert set(out["type"]) == {"state", "independent"}


def test_ordinal_summary_by_hand():
    order = ["low", "mid", "high"]
    frame = pd.DataFrame({
        "outlet": ["a"] * 5 + ["b"] * 3,
        "value": ["low", "low", "mid", "high", "NA", "mid", "mid", "high"],
    })
    out = ordinal_summary(frame, "value", order, missing_values=["NA"]).set_index("outlet")
    # a: low low mid high (NA aside): middle two are low and mid; q1 rank 1, q3 rank 3.
    assert out.loc["a"].tolist() == [4, 1, "low", "mid", "low", "mid"]
    # b: mid mid high.
    assert out.loc["b"].tolist() == [3, 0, "mid", "mid", "mid", "high"]


# --- input errors ----------------------------------------------------------------------


def test_input_errors_say_what_to_do():
    frame = pd.DataFrame({"article_id": ["a", "a"], "outlet": ["x", "y"], "value": [1, 2]})
    with pytest.raises(AgreementInputError, match="one row per article"):
        compare_outlets(frame, "value")
    with pytest.raises(AgreementInputError, match="no column 'stance'"):
        prevalence(frame, "stance")
    ok = frame.assign(article_id=["a", "b"])
    with pytest.raises(AgreementInputError, match="outside the ones given"):
        prevalence(ok, "value", values=[1])
    with pytest.raises(AgreementInputError, match="unknown correction method"):
        adjust_across_variables(pd.DataFrame({"p_value": [0.1]}), method="holmes")
    with pytest.raises(AgreementInputError, match="non-negative whole counts"):
        contingency_test([[1.5, 2], [3, 4]])
    with pytest.raises(ValueError, match="seed"):
        compare_outlets(ok, "value", seed=1.5)


# --- seeds and error rate ------------------------------------------------------------------


def test_seeded_reproducibility():
    # Sparse enough for the Monte Carlo test, in the omnibus and the pairs.
    frame = articles(
        [[3, 1, 2], [1, 3, 2], [2, 1, 4]], ["a", "b", "c"], ["x", "y", "z"]
    )
    first = compare_outlets(frame, "value", seed=7, n_resamples=999, n_boot=200)
    again = compare_outlets(frame, "value", seed=7, n_resamples=999, n_boot=200)
    assert first.test == "monte_carlo_chi2"
    pd.testing.assert_frame_equal(first.to_frame(), again.to_frame())
    pd.testing.assert_frame_equal(first.pairwise, again.pairwise)
    other = compare_outlets(frame, "value", seed=8, n_resamples=999, n_boot=200)
    assert (other.p_value, other.v_ci_low) != (first.p_value, first.v_ci_low)


def test_false_positive_rate_near_nominal_without_outlet_effect():
    # Four outlets x 30 articles drawn from one distribution: no outlet effect.
    rejections = 0
    n_seeds = 200
    for seed in range(n_seeds):
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame({
            "outlet": np.repeat(["a", "b", "c", "d"], 30),
            "value": rng.choice(["x", "y", "z"], size=120, p=[0.5, 0.3, 0.2]),
        })
        result = compare_outlets(
            frame, "value", seed=seed, n_boot=0, n_resamples=999, pairwise=False
        )
        rejections += result.p_value < 0.05
    # Binomial(200, 0.05): mean 10, sd 3.1; 3..18 holds about 99.5% of the mass.
    assert 3 <= rejections <= 18


def test_false_positive_rate_of_the_monte_carlo_path():
    # Five outlets x 6 articles, three values: sparse, so the Monte Carlo test runs.
    rejections = 0
    n_seeds = 200
    for seed in range(n_seeds):
        rng = np.random.default_rng(1000 + seed)
        frame = pd.DataFrame({
            "outlet": np.repeat(list("abcde"), 6),
            "value": rng.choice(["x", "y", "z"], size=30, p=[0.5, 0.3, 0.2]),
        })
        result = compare_outlets(
            frame, "value", seed=seed, n_boot=0, n_resamples=499, pairwise=False
        )
        assert result.test == "monte_carlo_chi2"
        rejections += result.p_value < 0.05
    # Conditional on the margins the test is exact up to discreteness (at most 5%).
    assert 1 <= rejections <= 18


def test_v_interval_covers_a_planted_effect():
    # Three outlets, 200 articles each, with planted value shares; the population V follows
    # from them: phi^2 = sum (p_ij - p_i p_j)^2 / (p_i p_j), V = sqrt(phi^2 / (min(r, c) - 1)).
    shares = np.array([[0.6, 0.3, 0.1], [0.4, 0.4, 0.2], [0.2, 0.3, 0.5]])
    joint = shares / 3
    independent = joint.sum(axis=1, keepdims=True) * joint.sum(axis=0, keepdims=True)
    planted = math.sqrt(((joint - independent) ** 2 / independent).sum() / 2)
    covered, n_seeds = 0, 40
    for seed in range(n_seeds):
        rng = np.random.default_rng(500 + seed)
        counts = [rng.multinomial(200, row).tolist() for row in shares]
        result = compare_outlets(
            articles(counts, ["a", "b", "c"], ["x", "y", "z"]), "value",
            seed=seed, n_boot=400, pairwise=False,
        )
        assert result.p_value < 0.001  # the planted difference is found
        covered += result.v_ci_low <= planted <= result.v_ci_high
    # Nominal 95%: 38 of 40 on average; 34 or more holds with probability above 0.99.
    assert covered >= 34


# --- the fast paths ---------------------------------------------------------------------


def test_holm_equals_statsmodels_multipletests():
    """holm(): statsmodels' multipletests(method="holm") numbers, ties and p-values that
    reach 1 included."""
    from framestudy.analysis.outlet_stats import holm

    rng = np.random.default_rng(4)
    for p in (
        rng.random(45), rng.random(7) ** 4, np.array([0.01, 0.04, 0.04, 0.2, 0.9]),
        np.array([0.3]), np.array([0.5, 0.5, 0.5]), np.array([1e-12, 0.7, 0.0]),
    ):
        assert np.allclose(holm(p), multipletests(p, method="holm")[1], rtol=1e-15, atol=0)


def test_crosstab_and_missing_mask_equal_pandas():
    """The bincount crosstab is pd.crosstab's table (groups sorted, every value of the
    domain a column in its order); missing_mask is map(is_missing): None, NaN and pd.NA,
    not NaT and not the string 'NA'."""
    from framestudy.analysis.data import is_missing
    from framestudy.analysis.outlet_stats import _crosstab, missing_mask

    rng = np.random.default_rng(8)
    data = pd.DataFrame({
        "outlet": rng.choice(["rt", "gr", "Zeit", "a10", "a2"], 200),
        "value": rng.choice(["yes", "no", "NA"], 200),
    })
    domain = ("no", "yes", "NA", "never")
    ours = _crosstab(data, "value", "outlet", domain)
    theirs = pd.crosstab(data["outlet"], data["value"]).reindex(columns=list(domain), fill_value=0)
    assert ours.index.tolist() == theirs.index.tolist() and ours.index.name == "outlet"
    assert ours.columns.tolist() == list(domain) and ours.columns.name == "value"
    assert np.array_equal(ours.to_numpy(), theirs.to_numpy())
    values = pd.Series(["NA", None, float("nan"), pd.NA, pd.NaT, "x", 0.0], dtype=object)
    assert missing_mask(values).tolist() == values.map(is_missing).tolist()
    assert missing_mask(pd.Series(["a", None], dtype="str")).tolist() == [False, True]
