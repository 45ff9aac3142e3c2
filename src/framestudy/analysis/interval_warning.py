"""When alpha's bootstrap interval cannot keep its promise: the rule behind ``ci_warning``.

A bootstrap interval can only show the variation the data contain. Two situations in
small studies defeat it, and no interval built from the replicates repairs them (the
pilot-regime section of docs/ci_coverage.md measures this on simulated studies with a
known alpha):

* **every pairable value agrees** (alpha = 1): every replicate is 1 and the interval
  collapses onto [1, 1], whatever the true alpha;
* **a value is rare among the pairable values** (fewer than :data:`MIN_RAREST_VALUES`):
  whether the few units with that value happen to be agreed on decides alpha, and the
  resampled data cannot reproduce how different the next sample could be.

:func:`interval_warning` applies this rule to the data themselves, so that a result says so
instead of printing a confident interval. The threshold was calibrated on simulated
studies (2 and 3 categories, the smallest at .05-.50, 30-200 units, 2-5 coders, true alpha
.5-.95, 10% missing): the smallest count at which the BCa interval's coverage among the
studies left unflagged was not below .93, beyond Monte Carlo error, in any design. On
84,000 studies (``benchmarks/ci_coverage.py --pilot --seed 1 --reps 200``) that was 10; on
126,000 fresh ones (the default seed, 300 per design) 10 left one design at .89, and 12
left none, in either run. docs/ci_coverage.md reports the figures. Conditioning on the number of disagreeing
units instead was rejected: that count moves with alpha-hat itself, and leaving out the
studies with few disagreements biases the coverage of the rest downwards.

The rule reads only the marginals of the pairable values (Krippendorff 2011, "Computing
Krippendorff's Alpha-Reliability", p. 3: the n_c of the coincidence matrix), not the
replicates, so the same data get the same warning whatever the seed.
"""

from __future__ import annotations

import numpy as np

from framestudy.analysis.alpha import Metric, value_label
from framestudy.analysis.data import Coded
from framestudy.analysis.vocabulary import MIN_RAREST_VALUES


def interval_warning(coded: Coded, estimate: float, metric: Metric = "nominal") -> str | None:
    """Why alpha's confidence interval (and P(alpha < alpha_min)) should not be trusted, or None.

    ``coded``: the reliability data alpha was computed from; ``estimate``: its alpha;
    ``metric``: its distance. The rare-value part of the rule applies to nominal data only,
    the data it was calibrated on (with ordinal or interval distances a rare value is one
    of many graded differences, and an interval scale may have every value once). Returns
    None when alpha is undefined (there is no interval to warn about; the result's ``reason``
    says why) and when the data pass the rule of this module's docstring; otherwise one
    sentence naming the cause, for the ``ci_warning`` field of ``framestudy agreement --json``,
    the ``ci_warning`` column of analysis/agreement.csv, the terminal table and the report.
    """
    if estimate is None or np.isnan(estimate):
        return None
    vc = coded.value_counts
    vc = vc[vc.sum(axis=1) >= 2]
    marginal = vc.sum(axis=0)
    if estimate >= 1.0 - 1e-12:
        return (
            "all pairable values agree: the interval collapses onto alpha = 1 and cannot show "
            "how low the true alpha may be (code more units)"
        )
    if not (isinstance(metric, str) and metric == "nominal"):
        return None
    observed = np.flatnonzero(marginal > 0)
    rarest = observed[np.argmin(marginal[observed])]
    if marginal[rarest] < MIN_RAREST_VALUES:
        count = int(marginal[rarest])
        return (
            f"only {count} pairable value{'' if count == 1 else 's'} of "
            f"'{value_label(coded.categories[rarest])}' (under {MIN_RAREST_VALUES}): the "
            "interval covers the true alpha less often than it says (code more units)"
        )
    return None

