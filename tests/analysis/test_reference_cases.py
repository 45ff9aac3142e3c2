"""Every case of data/agreement_cases.json (published values) at its published precision.

The file is a copy of the project's reference sample (see its README in shared/reference):
each case names its source, coefficient, data format and expected value.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis import kappa
from framestudy.analysis.alpha import krippendorff_alpha
from framestudy.analysis.data import encode
from framestudy.analysis.unitizing import SPAN_COLUMNS, unitizing_alpha
from tests.analysis.tables import contingency_to_wide, counts_to_wide, from_matrix

CASES = json.loads((Path(__file__).parent / "data" / "agreement_cases.json").read_text())
BY_ID = {case["id"]: case for case in CASES}


# JSON drops trailing zeros: these were published with three decimals (.430, .210)
PUBLISHED_DECIMALS = {"fleiss1971_kappa": 3, "wikipedia_fleiss_kappa_example": 3}


def decimals(value: float) -> int:
    return max(0, -Decimal(str(value)).normalize().as_tuple().exponent)


def assert_published(actual: float, expected: float, places: int | None = None) -> None:
    """``actual`` rounds to ``expected`` at the number of decimals it was published with."""
    half_ulp = 0.5 * 10 ** (-(places if places is not None else decimals(expected)))
    assert abs(actual - expected) <= half_ulp + 1e-12, f"{actual} does not round to {expected}"


def table_of(case: dict) -> pd.DataFrame:
    fmt = case["data_format"]
    if fmt == "reliability_matrix_coders_x_units":
        return from_matrix(case["data"])
    if fmt == "contingency_table_coder1_rows_x_coder2_cols":
        return contingency_to_wide(case["data"], case["categories"])
    if fmt == "counts_units_x_categories":
        return counts_to_wide(case["data"], list(range(1, len(case["data"][0]) + 1)))
    raise AssertionError(f"unknown format {fmt}")


def compute(case: dict) -> dict:
    """The case's coefficient computed by our code (the full result dict)."""
    coefficient = case["coefficient"]
    if coefficient.startswith("Krippendorff's unitizing alpha"):
        begin, end = case["data"]["continuum"]
        rows = [
            (
                "doc",
                f"coder{i}",
                seg["category"],
                seg["begin"] - begin,
                seg["begin"] - begin + seg["length"],
            )
            for i, segments in enumerate(case["data"]["coders"])
            for seg in segments
        ]
        result = unitizing_alpha(pd.DataFrame(rows, columns=SPAN_COLUMNS), {"doc": end - begin})
        category = coefficient.split("'")[-2]
        return result["by_category"][category]
    data = table_of(case)
    if coefficient == "Krippendorff's alpha":
        return krippendorff_alpha(data, case["level_of_measurement"])
    coded = encode(data)
    if coefficient == "Fleiss' kappa":
        return kappa.fleiss_kappa(coded)
    if coefficient == "Cohen kappa":
        return kappa.cohen_kappa(coded)
    if coefficient == "weighted Cohen kappa":
        return kappa.cohen_kappa(coded, "linear")
    if coefficient == "Gwet's AC1":
        return kappa.gwet_ac(coded)
    if coefficient == "Gwet's AC2":
        return kappa.gwet_ac(coded, case["weights"])
    if coefficient == "percent agreement":
        return kappa.percent_agreement(coded)
    raise AssertionError(f"no test mapping for {coefficient}")


def test_every_case_is_mapped():
    assert len(CASES) == 12
    for case in CASES:
        assert np.isfinite(compute(case)["estimate"]), case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_published_value(case):
    assert_published(
        compute(case)["estimate"], case["expected"], PUBLISHED_DECIMALS.get(case["id"])
    )


def test_fleiss_1971_at_r_irr_precision():
    """R irr's kappam.fleiss on the same data: 0.4302445 (statsmodels' test suite)."""
    assert_published(compute(BY_ID["fleiss1971_kappa"])["estimate"], 0.4302445)


EXTRA = {
    # case id -> {published key: our result key}
    "irrcac_raw4raters_gwets_ac1": {"pa": "pa", "pe": "pe", "se": "se"},
    "irrcac_raw4raters_percent_agreement": {"se": "se"},
    "irrcac_py_raw4raters_ac2_quadratic": {"pa": "pa", "pe": "pe"},
    "sas_freq_kappa_table10_weighted_linear": {
        "ASE": "se",
        "ASE_H0": "se_h0",
        "ci95_lower": "ci_low",
        "ci95_upper": "ci_high",
    },
    "krippendorff2004_unitizing_alpha_category_c": {
        "uDo_c": "observed_disagreement",
        "uDe_c": "expected_disagreement",
    },
}


@pytest.mark.parametrize("case_id", sorted(EXTRA))
def test_published_extras(case_id):
    case = BY_ID[case_id]
    result = compute(case)
    for published, ours in EXTRA[case_id].items():
        assert_published(result[ours], case["expected_extra"][published])


@pytest.mark.parametrize(
    "case_id", ["irrcac_raw4raters_gwets_ac1", "irrcac_raw4raters_percent_agreement"]
)
def test_irrcac_confidence_intervals(case_id):
    """irrCAC prints the 95% CI as (low, high) at 3 decimals, upper bound truncated at 1."""
    case = BY_ID[case_id]
    low, high = (float(x) for x in case["expected_extra"]["ci95"].strip("()").split(","))
    result = compute(case)
    assert_published(result["ci_low"], low)
    assert result["ci_high"] == high == 1.0


def test_sas_z_statistic():
    case = BY_ID["sas_freq_kappa_table10_weighted_linear"]
    result = compute(case)
    assert_published(result["estimate"] / result["se_h0"], case["expected_extra"]["z"])


def test_krippendorff_2011_disagreements():
    """D_o and D_e printed in DKPro's test of the same data (nominal .200/.779, interval .433/2.872)."""
    case = BY_ID["krippendorff2011_alpha_nominal"]
    data = table_of(case)
    nominal = krippendorff_alpha(data, "nominal")
    assert_published(nominal["observed_disagreement"], 0.200)
    assert_published(nominal["expected_disagreement"], 0.779)
    interval = krippendorff_alpha(data, "interval")
    assert_published(interval["observed_disagreement"], 0.433)
    assert_published(interval["expected_disagreement"], 2.872)


def test_fleiss_1971_observed_and_chance_agreement():
    """Po .5556 and Pe .2201 (Fleiss 1971 as encoded in DKPro's Fleiss1971Test).

    Pe is 0.21994 at full precision; the published .2201 comes from category proportions
    rounded to three decimals, so it is checked to 1e-3 only.
    """
    result = compute(BY_ID["fleiss1971_kappa"])
    assert_published(result["pa"], 0.5556)
    assert abs(result["pe"] - 0.2201) < 1e-3


def test_unitizing_pooled_2004():
    """Pooled alpha_U of the 2004 example: 0.8587 at full precision (0.8591 from rounded parts)."""
    case = BY_ID["krippendorff2004_unitizing_alpha_category_c"]
    begin, end = case["data"]["continuum"]
    rows = [
        ("doc", f"coder{i}", s["category"], s["begin"] - begin, s["begin"] - begin + s["length"])
        for i, segs in enumerate(case["data"]["coders"])
        for s in segs
    ]
    result = unitizing_alpha(pd.DataFrame(rows, columns=SPAN_COLUMNS), {"doc": end - begin})
    assert abs(result["estimate"] - 0.8591) <= 5e-4
    assert_published(result["estimate"], 0.8587)
    assert result["by_category"]["k"]["estimate"] == 1.0


# Hayes & Krippendorff (2007), Communication Methods and Measures 1:77-89, Table 1:
# 40 units x 5 observers, ordinal; KALPHA reports alpha = .7598 (p. 86).
HAYES_KRIPPENDORFF_2007 = """
1 1 1 2 . 2|2 1 1 0 1 .|3 2 3 3 3 .|4 . 0 0 . 0|5 0 0 0 . 0|6 0 0 0 . 0|7 1 0 2 . 1|8 1 . 2 0 .
9 2 2 2 . 2|10 2 1 1 1 .|11 . 1 0 0 .|12 0 0 0 0 .|13 1 2 2 2 .|14 3 3 2 2 3|15 1 1 1 . 1
16 1 1 1 . 1|17 2 1 2 . 2|18 1 2 3 3 .|19 1 1 0 1 .|20 0 0 0 . 0|21 0 0 1 1 .|22 0 0 . 0 0
23 2 3 3 3 .|24 0 0 0 0 .|25 1 2 . 2 2|26 0 1 1 1 .|27 0 0 0 1 0|28 1 2 1 2 .|29 1 1 2 2 .
30 1 1 2 . 2|31 1 1 0 . 0|32 2 1 2 1 .|33 2 2 . 2 2|34 3 2 2 2 .|35 2 2 2 . 2|36 2 2 3 . 2
37 2 2 2 . 2|38 2 2 . 1 2|39 2 2 2 2 .|40 1 1 1 . 1
"""


def test_hayes_krippendorff_2007_ordinal():
    rows = [r.split() for r in HAYES_KRIPPENDORFF_2007.replace("\n", "|").split("|") if r.strip()]
    data = pd.DataFrame(
        [[np.nan if v == "." else float(v) for v in r[1:]] for r in rows],
        index=[int(r[0]) for r in rows],
    )
    assert data.shape == (40, 5)
    assert_published(krippendorff_alpha(data, "ordinal")["estimate"], 0.7598)


def test_wikipedia_krippendorff_example():
    """Wikipedia's computational example (3 coders x 15 units): nominal .691, interval .811."""
    nan = None
    matrix = [
        [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
        [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
        [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
    ]
    data = from_matrix(matrix)
    assert_published(krippendorff_alpha(data, "nominal")["estimate"], 0.691)
    assert_published(krippendorff_alpha(data, "interval")["estimate"], 0.811)
