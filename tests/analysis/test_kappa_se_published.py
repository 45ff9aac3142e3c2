"""Standard errors and confidence intervals of the kappa family against irrCAC's printouts.

Every expected value below is copied as published, at its published precision:

* R irrCAC's README (kgwet/irrCAC, v1.4; K. L. Gwet's package, the defining implementation of
  the linearised variances of Gwet 2008, *Br. J. Math. Stat. Psychol.* 61:29-48, section 4,
  and Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 5): ``*.raw`` on
  ``cac.raw4raters`` (Krippendorff 2011's data, with missing ratings), ``*.dist`` on
  ``distrib.6raters`` (15 patients x 6 psychiatrists, complete) and ``*.table`` on
  ``cont3x3abstractors`` (two abstractors, 100 cases);
* the Python port's test suite (afergadis/irrCAC 0.4.4, ``test/unit/irrCAC/raw/
  test_fleiss.py`` and ``test_gwet.py``, three decimals) for the weighted coefficients.

The standard error is the one number here that depends on the per-unit chance-agreement
term of the linearisation (c*_i's second part); the estimates alone would not notice its
loss. irrCAC prints CIs at three decimals, the upper end truncated at 1.
"""

from __future__ import annotations

import math

import pytest

from framestudy.analysis import kappa
from tests.analysis.tables import contingency_to_wide, counts_to_wide, from_matrix

RAW4RATERS = from_matrix(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, None],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
)
SCALE = [1, 2, 3, 4, 5]
DISTRIB_6RATERS = counts_to_wide(
    [
        [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    ],
    SCALE,
)
CONT3X3 = contingency_to_wide([[13, 0, 0], [0, 20, 7], [0, 4, 56]], ["Ectopic", "AIU", "NIU"])

COEFFICIENTS = {
    "fleiss": kappa.fleiss_kappa,
    "bp": kappa.brennan_prediger,
    "ac": kappa.gwet_ac,
    "scott": kappa.scott_pi,
}


def published(value: float, expected: float) -> bool:
    """``value`` rounds to ``expected`` at the number of decimals ``expected`` was printed with."""
    text = repr(expected)
    places = len(text.split(".")[1]) if "." in text else 0
    return abs(value - expected) <= 0.5 * 10**-places + 1e-12


def interval(text: str) -> tuple[float, float]:
    low, high = text.strip("()").split(",")
    return float(low), float(high)


# (data, coefficient, weights, estimate, se, CI as printed)
CASES = [
    # R irrCAC README, cac.raw4raters
    ("raw4raters", "fleiss", "identity", 0.76117, 0.15302, "(0.424,1)"),
    ("raw4raters", "bp", "identity", 0.77273, 0.14472, "(0.454,1)"),
    ("raw4raters", "ac", "identity", 0.77544, 0.14295, "(0.461,1)"),
    # afergadis/irrCAC test suite, raw_4raters with weights
    ("raw4raters", "fleiss", "linear", 0.818, 0.149, "(0.491,1)"),
    ("raw4raters", "fleiss", "quadratic", 0.865, 0.146, "(0.544,1)"),
    ("raw4raters", "ac", "linear", 0.859, 0.117, "(0.600,1)"),
    ("raw4raters", "ac", "quadratic", 0.914, 0.104, "(0.685,1)"),
    # R irrCAC README, distrib.6raters
    ("distrib6", "fleiss", "identity", 0.4139265, 0.08119291, "(0.24,0.588)"),
    ("distrib6", "ac", "identity", 0.4448007, 0.08418757, "(0.264,0.625)"),
    ("distrib6", "bp", "identity", 0.4388889, 0.08312142, "(0.261,0.617)"),
]
DATA = {"raw4raters": RAW4RATERS, "distrib6": DISTRIB_6RATERS}


@pytest.mark.parametrize(
    ("data", "name", "weights", "estimate", "se", "ci"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES],
)
def test_standard_error_and_interval_as_irrcac_prints_them(data, name, weights, estimate, se, ci):
    result = COEFFICIENTS[name](DATA[data], weights, categories=SCALE)
    assert published(result["estimate"], estimate), result["estimate"]
    assert published(result["se"], se), result["se"]
    low, high = interval(ci)
    assert published(result["ci_low"], low), result["ci_low"]
    if high == 1:
        assert result["ci_high"] == 1.0
    else:
        assert published(result["ci_high"], high), result["ci_high"]


# irrCAC's *.table functions (two raters, from the contingency table) divide the variance by
# n^2 where its *.raw functions -- the linearisation framestudy uses for every input -- divide
# by n (n - 1): the table SE is the raw SE times sqrt((n - 1) / n), exactly (with n = 100
# cases, sqrt(0.99)). The estimates are the same.
TABLE_CASES = [
    ("scott", 0.7962397, 0.05905473),
    ("ac", 0.8493305, 0.04321747),
    ("bp", 0.835, 0.04693346),
]


@pytest.mark.parametrize(
    ("name", "estimate", "table_se"), TABLE_CASES, ids=[c[0] for c in TABLE_CASES]
)
def test_two_rater_standard_errors_against_irrcac_tables(name, estimate, table_se):
    result = COEFFICIENTS[name](CONT3X3, "identity")
    n = len(CONT3X3)
    assert n == 100
    assert published(result["estimate"], estimate), result["estimate"]
    assert published(result["se"] * math.sqrt((n - 1) / n), table_se), result["se"]


def test_scott_pi_of_a_pair_is_reported_with_its_interval():
    """Scott's pi of two coders is Fleiss' kappa of the pair: its SE and t-based CI follow."""
    from scipy import stats

    result = kappa.scott_pi(CONT3X3)
    n = len(CONT3X3)
    se = 0.05905473 / math.sqrt((n - 1) / n)  # irrCAC's table SE on the raw-data scale
    t = stats.t.ppf(0.975, n - 1)
    assert result["se"] == pytest.approx(se, abs=5e-9)
    assert result["ci_low"] == pytest.approx(0.7962397 - t * se, abs=1e-6)
    assert result["ci_high"] == pytest.approx(0.7962397 + t * se, abs=1e-6)
