"""How many articles per outlet a comparison across outlets needs: the power of the
chi-square test of an outlet x value table.

One pure function, :func:`articles_needed`. Used by :func:`framestudy.analysis.outlets.
outlet_analysis` when no comparison could be tested because the outlets hold too few
articles (the bundled five-article study), to say what sample would be needed.
"""

from __future__ import annotations

import math
from numbers import Real

from framestudy.analysis.data import AgreementInputError

#: Cohen's conventional "medium" effect size w for chi-square tests (Cohen 1988, sec. 7.2.3)
MEDIUM_W = 0.3


def _check(name: str, value, low: float, high: float | None, whole: bool = False) -> None:
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok and whole:
        ok = float(value) == int(value)
    if ok:
        ok = value > low and (high is None or value < high)
    if not ok:
        span = f"above {low:g}" if high is None else f"between {low:g} and {high:g}"
        kind = "a whole number" if whole else "a number"
        raise AgreementInputError(f"{name} must be {kind} {span}, not {value!r}")


def articles_needed(
    n_groups: int,
    n_values: int,
    effect_size: float = MEDIUM_W,
    alpha: float = 0.05,
    power: float = 0.8,
) -> int:
    """Articles per group (outlet) for a chi-square test of a ``n_groups`` x ``n_values``
    table to reach ``power`` at level ``alpha`` when the effect is ``effect_size``.

    The test of independence of the table has df = (n_groups - 1)(n_values - 1); its
    statistic follows, under the alternative, a noncentral chi-square with that df and
    noncentrality N w^2, where N is the total number of articles and w Cohen's effect size
    (w = 0.1 small, 0.3 medium, 0.5 large; Cohen 1988, *Statistical Power Analysis for the
    Behavioral Sciences*, 2nd ed., ch. 7, sec. 7.2 and Table 7.4). The smallest total N
    whose power reaches ``power`` is solved by statsmodels'
    ``GofChisquarePower().solve_power`` with ``n_bins = df + 1`` (a goodness-of-fit test
    with df + 1 bins has the same df and noncentrality, hence the same power), and spread
    evenly over the groups: the result is ceil(N / n_groups), articles *with a value* in
    every group, so that the total reaches N. E.g. 5 outlets, 2 values, w = 0.3: N = 133
    (Cohen's Table 7.4.6, df 4), 27 per outlet.
    """
    _check("n_groups", n_groups, 1, None, whole=True)
    _check("n_values", n_values, 1, None, whole=True)
    _check("effect_size", effect_size, 0, None)
    _check("alpha", alpha, 0, 1)
    _check("power", power, 0, 1)
    if power <= alpha:
        raise AgreementInputError(f"power ({power}) must be above alpha ({alpha})")
    from statsmodels.stats.power import GofChisquarePower

    df = (int(n_groups) - 1) * (int(n_values) - 1)
    total = GofChisquarePower().solve_power(
        effect_size=float(effect_size), nobs=None, alpha=float(alpha), power=float(power),
        n_bins=df + 1,
    )
    total = float(total[0] if hasattr(total, "__len__") else total)
    return int(math.ceil(total / int(n_groups)))


def needed_sentence(needed: dict) -> str:
    """The small-study sentence, from :attr:`~framestudy.analysis.outlets.OutletAnalysis.
    articles_needed`: why nothing was tested and the sample a test would need (the
    command's line and the report's say the same)."""
    what = needed["variable"] + (f": {needed['category']}" if needed["category"] else "")
    return (
        f"too few articles per outlet to test (at most {needed['max_per_group']} per "
        f"outlet); to detect a medium difference (Cohen's w = {needed['effect_size']:g}) "
        f"across {needed['n_groups']} outlets at {needed['power']:.0%} power and alpha "
        f"{str(needed['alpha']).lstrip('0')} about {needed['per_group']} articles per outlet "
        f"are needed ({what}, {needed['n_values']} values; chi-square power, Cohen 1988, "
        "ch. 7)"
    )
