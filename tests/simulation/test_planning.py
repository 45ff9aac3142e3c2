"""Planning: Krippendorff's published minimum sample sizes and the simulated power table."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framestudy.simulation.planning import (
    PlanSettings,
    category_probabilities,
    krippendorff_minimum_units,
    power_table,
    refine_smallest_n,
    smallest_n,
    smallest_n_from_table,
)
from tests.simulation.conftest import cli


@pytest.mark.parametrize(("alpha_min", "published"), [(0.800, 139), (0.667, 81)])
def test_krippendorff_minimum_units_match_the_published_table(alpha_min, published):
    """Krippendorff (2019), Content Analysis 4th ed., minimum-sample-size table, as quoted in
    the ATLAS.ti inter-coder agreement manual ("Sample Size and Decision Rules"): four equally
    likely codes (p_c = .25), significance level .05, two coders."""
    assert krippendorff_minimum_units(0.25, alpha_min, 0.05) == published


def test_minimum_units_grow_as_the_demands_rise():
    base = krippendorff_minimum_units(0.25, 0.8, 0.05)
    assert krippendorff_minimum_units(0.1, 0.8, 0.05) > base  # rarer smallest category
    assert krippendorff_minimum_units(0.25, 0.9, 0.05) > base  # stricter alpha_min
    assert krippendorff_minimum_units(0.25, 0.8, 0.01) > base  # stricter significance
    assert krippendorff_minimum_units(0.25, 0.8, 0.05, coders=3) > base


def test_category_probabilities():
    assert list(category_probabilities(3, 0.1)) == pytest.approx([0.1, 0.45, 0.45])
    with pytest.raises(ValueError):
        category_probabilities(3, 0.5)


def test_power_rises_with_the_sample_and_respects_the_truth():
    settings = PlanSettings(true_alpha=0.9, smallest=0.2, n_sims=60, n_boot=300, seed=4)
    table = power_table(settings, [30, 400], [2])
    power = table.set_index(["n_units", "alpha_min"])["power"]
    assert power[(400, 0.8)] > power[(30, 0.8)]
    assert power[(400, 0.667)] >= 0.95
    # a true alpha below the threshold is almost never certified (the CI's false-pass rate)
    low = PlanSettings(true_alpha=0.7, smallest=0.2, n_sims=60, n_boot=300, seed=4)
    assert power_table(low, [400], [3]).set_index("alpha_min").loc[0.8, "power"] <= 0.05


def test_power_table_is_reproducible_and_cells_are_independent():
    settings = PlanSettings(true_alpha=0.85, smallest=0.15, n_sims=30, n_boot=200, seed=2,
                            n_categories=3, level="ordinal")
    a = power_table(settings, [50, 100], [2, 3])
    b = power_table(settings, [100], [3])
    pd.testing.assert_frame_equal(a, power_table(settings, [50, 100], [2, 3]))
    cell = a[(a["n_units"] == 100) & (a["n_coders"] == 3)].reset_index(drop=True)
    pd.testing.assert_frame_equal(cell, b)


def test_smallest_n():
    settings = PlanSettings(true_alpha=0.95, smallest=0.3, n_sims=40, n_boot=200, seed=1)
    table = power_table(settings, [20, 60, 200], [2])
    best = smallest_n_from_table(table, 0.8).set_index("alpha_min")["smallest_n"]
    found = smallest_n(settings, 2, 0.8, 0.8, lo=20, hi=int(best[0.8]))
    assert 20 < found <= best[0.8]
    assert smallest_n(settings, 2, 0.8, 0.8, lo=20, hi=25) is None


def test_refine_smallest_n_searches_between_the_tabulated_sizes():
    settings = PlanSettings(true_alpha=0.95, smallest=0.3, n_sims=40, n_boot=200, seed=1)
    units = [20, 60, 200]
    best = smallest_n_from_table(power_table(settings, units, [2]), 0.8)
    before = best.copy()
    refined = refine_smallest_n(settings, best, units, 0.8)
    pd.testing.assert_frame_equal(best, before)  # the input is not changed
    assert str(refined["smallest_n"].dtype) == "Int64"
    for row, new in zip(best.itertuples(), refined["smallest_n"], strict=True):
        below = [n for n in units if n < row.smallest_n]
        lo = below[-1] if below else 5
        expected = smallest_n(settings, 2, row.alpha_min, 0.8, lo=lo, hi=row.smallest_n)
        assert new == (expected if lo < row.smallest_n else row.smallest_n)
        assert lo <= new <= row.smallest_n
    # a size the table never reaches stays empty
    low = PlanSettings(true_alpha=0.7, smallest=0.3, n_sims=20, n_boot=200, seed=1)
    unreached = refine_smallest_n(low, smallest_n_from_table(power_table(low, [20], [2]), 0.99), [20], 0.99)
    assert unreached["smallest_n"].isna().all()


def test_plan_command_json(capsys):
    code, stdout, err = cli(capsys, "plan", "--alpha", "0.9", "--prevalence", "0.25", "--units", "40,120",
                            "--coders", "2", "--sims", "20", "--boot", "200", "--no-search", "--json")
    assert code == 0, err
    out = json.loads(stdout)
    assert len(out["power"]) == 4
    # Krippendorff's published table (p = .25, two coders, significance .05), not the
    # function the command calls
    assert out["krippendorff_minimum_units_p05_two_coders"] == {"0.667": 81, "0.800": 139}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alpha", "1.5", "--prevalence", "0.2"], "--alpha"),
        (["--alpha", "0.8", "--prevalence", "0.7"], "--prevalence"),
        (["--alpha", "0.8", "--prevalence", "0.2", "--units", "ten"], "--units"),
        (["--alpha", "0.8", "--prevalence", "0.2", "--level", "interval"], "--level"),
    ],
)
def test_plan_command_errors(capsys, args, message):
    code, _, err = cli(capsys, "plan", *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err


def test_plan_command_table(capsys):
    code, out, err = cli(capsys, "plan", "--alpha", "0.95", "--prevalence", "0.3", "--units", "30,150",
                         "--coders", "2,3", "--sims", "20", "--boot", "200")
    assert code == 0, err
    assert "3 coders" in out and "Monte Carlo standard error" in out
    assert "Krippendorff's minimum number of units" in out
