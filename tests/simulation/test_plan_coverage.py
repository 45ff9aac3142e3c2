"""`framestudy plan` in the pilot regime: power rises with n, and the regime where the
interval under-covers is flagged (issue 14).

Before the ci_warning rule, plan's power for alpha_min .800 fell from .27 at 50 units to
.16 at 100 on the issue's design (true alpha .85, a value in one unit in ten, two coders):
a small sample whose few rare-value units agreed had an interval collapsed onto 1, which
"cleared" .800. A study whose interval is flagged no longer counts as passing.
"""

from __future__ import annotations

import math

import pytest

from framestudy.simulation.planning import PlanSettings, power_table
from tests.simulation.conftest import cli


@pytest.mark.slow
@pytest.mark.parametrize(("alpha", "smallest", "coders"), [(0.85, 0.1, 2), (0.95, 0.1, 3)])
def test_power_does_not_fall_as_the_sample_grows(alpha, smallest, coders):
    settings = PlanSettings(true_alpha=alpha, smallest=smallest, n_sims=80, n_boot=200, seed=3)
    units = [20, 30, 50, 100, 200]
    table = power_table(settings, units, [coders])
    for a_min in (0.667, 0.8):
        rows = table[table["alpha_min"] == a_min].sort_values("n_units")
        power, se = rows["power"].to_numpy(), rows["mc_se"].to_numpy()
        for i in range(1, len(units)):
            # non-decreasing within twice the Monte Carlo error of the difference (each
            # error at least that of a power of .05, so that a power of 0 is not exact)
            floor = math.sqrt(0.05 * 0.95 / 80)
            slack = 2 * math.hypot(max(se[i], floor), max(se[i - 1], floor))
            assert power[i] >= power[i - 1] - slack, (a_min, units[i - 1], units[i], power)
    flagged = table.drop_duplicates("n_units").set_index("n_units")["flagged"]
    assert flagged[20] > 0.5  # most tiny studies cannot show anything ...
    assert flagged[200] < flagged[20]  # ... and the share falls with n
    assert flagged.is_monotonic_decreasing or flagged.diff().max() < 0.1


def test_plan_marks_the_sizes_where_the_interval_is_flagged(capsys):
    code, stdout, err = cli(capsys, "plan", "--alpha", "0.85", "--prevalence", "0.1",
                            "--units", "30,400", "--coders", "2", "--sims", "30", "--boot", "200",
                            "--no-search")
    assert code == 0, err
    lines = stdout.splitlines()
    row30 = next(line for line in lines if line.strip("│ ").startswith("30 "))
    row400 = next(line for line in lines if line.strip("│ ").startswith("400 "))
    assert "%!" in row30 and "!" not in row400
    text = " ".join(stdout.split())
    assert "get a ci_warning" in text and "count as not passing" in text
