"""Planning the reliability sample: how many articles to double-code, with how many coders.

The question a researcher asks before paying coders: *with K coders and n articles in the
reliability sample, how likely is it that the lower end of alpha's 95% confidence interval
clears .800 (or .667), if the coders' true alpha is X and the smallest category has
prevalence p?* :func:`power_table` answers it by simulation:

1. true values for n units are drawn from k categories, the smallest with prevalence p and
   the others sharing the rest equally;
2. each of K coders codes every unit with the simulator's coder model
   (:func:`framestudy.simulation.coders.confusion_matrix`, ``prevalence`` confusion: the
   coder knows the value with probability a, else guesses from the value distribution).
   Under this model every pair of coders, and so the whole panel, has a true alpha of
   exactly a^2 for any metric (see :mod:`framestudy.simulation.coders`), so a = sqrt(X);
3. alpha and its bootstrap CI are computed by the agreement engine
   (:func:`framestudy.analysis.bootstrap_alpha`, the same function and the same BCa
   interval ``framestudy agreement`` uses), and the test is "lower CI bound >= alpha_min,
   and the interval carries no ``ci_warning``"
   (:func:`framestudy.analysis.interval_warning.interval_warning`, as ``framestudy
   agreement`` would print it): a study whose interval cannot be trusted -- all pairable
   values agree, or a value has fewer than 12 pairable values -- does not demonstrate
   reliability, however high its bound. Without this, a small sample "passes" whenever its
   few rare-value units happen to agree and its interval collapses onto 1, and power
   *falls* as n grows (docs/ci_coverage.md, pilot regime);
4. power = share of ``n_sims`` simulated studies that pass, with its Monte Carlo standard
   error sqrt(power (1 - power) / n_sims); ``flagged`` = share whose interval carried a
   ``ci_warning``.

All randomness comes from ``seed``: every (n, K) cell has its own stream, so a cell's
result does not depend on which other cells are computed.

:func:`smallest_n_from_table` reads the smallest tabulated n reaching a target power off the
table, and :func:`refine_smallest_n` searches between the tabulated sizes for the smallest n
(:func:`smallest_n`: bisection on the simulated power).

:func:`krippendorff_minimum_units` is the closed-form minimum sample size Krippendorff
tabulates for binary and nominal data (after Bloch & Kraemer 1989, *Biometrics* 45,
eq. 3.7, p. 276): ``N = m z^2 [(1 + a)(3 - a) / (4 (1 - a) p (1 - p)) - a]`` with ``a`` =
alpha_min, ``p`` the smallest category's probability, ``z`` the one-tailed normal quantile
of the significance level and ``m`` = 2 coders. Krippendorff tabulates it by alpha_min,
significance level and the smallest category's probability; its assumptions (two coders, a
normal approximation) differ from the simulation's, so ``framestudy plan`` shows it next
to the simulated power for reference only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from framestudy.simulation.coders import confusion_matrix
from framestudy.simulation.scenario import ItemModel, stream
from framestudy.simulation.true_codes import Item

ALPHA_MIN = (0.667, 0.800)


def category_probabilities(n_categories: int, smallest: float) -> np.ndarray:
    """The smallest category has ``smallest``; the other ``k - 1`` share the rest equally."""
    if n_categories < 2:
        raise ValueError("at least two categories are needed")
    if not 0 < smallest <= 1 / n_categories + 1e-12:
        raise ValueError(
            f"the smallest of {n_categories} categories has a prevalence between 0 and "
            f"{1 / n_categories:.3g}, not {smallest}"
        )
    rest = (1 - smallest) / (n_categories - 1)
    return np.array([smallest] + [rest] * (n_categories - 1))


def coder_confusions(probabilities: np.ndarray, accuracies: Sequence[float], confusion: str,
                     ordinal: bool = False) -> list[np.ndarray]:
    """One confusion matrix per coder (:func:`framestudy.simulation.coders.confusion_matrix`)."""
    k = len(probabilities)
    item = Item("planning", "ordinal" if ordinal else "single", tuple(str(i) for i in range(k)), (), None)
    return [confusion_matrix(item, ItemModel(float(a), confusion), probabilities) for a in accuracies]


def simulate_codes(n_units: int, probabilities: np.ndarray, confusions: Sequence[np.ndarray],
                   rng: np.random.Generator, missing: float = 0.0) -> np.ndarray:
    """Codes (units x coders, category indices; -1 = missing): true values drawn from
    ``probabilities``, coder i codes with ``confusions[i]``, each value missing with
    probability ``missing`` (at random)."""
    k = len(probabilities)
    truth = rng.choice(k, size=n_units, p=probabilities)
    cum = np.stack([np.cumsum(c, axis=1) for c in confusions])  # coders x k x k
    cum[:, :, -1] = 1.0
    u = rng.random((n_units, len(confusions)))
    thresholds = cum[:, truth, :].transpose(1, 0, 2)  # units x coders x k
    codes = (u[:, :, None] >= thresholds).sum(axis=2)
    if missing > 0:
        codes[rng.random(codes.shape) < missing] = -1
    return codes


def true_alpha_of(probabilities: np.ndarray, confusions: Sequence[np.ndarray], level: str = "nominal",
                  missing: float = 0.0) -> float:
    """The exact population alpha of :func:`simulate_codes`'s process (:mod:`.truth`).

    Public on purpose: it is the "true alpha" against which a simulation study scores an
    agreement estimate or its confidence interval (``benchmarks/ci_coverage.py`` uses it to
    measure the bootstrap's coverage; the tests use it to check the simulator). Pass the
    same ``probabilities`` (true-value distribution), ``confusions`` (one matrix per coder,
    from :func:`coder_confusions`), ``level`` and ``missing`` rate as to :func:`simulate_codes`.
    """
    from framestudy.simulation.truth import alpha_from_coincidences, expected_coincidences

    strata = [
        (float(p_t), np.vstack([(1 - missing) * c[t] for c in confusions]))
        for t, p_t in enumerate(probabilities)
    ]
    return alpha_from_coincidences(expected_coincidences(strata), level)


def simulate_reliability_data(
    n_units: int, n_coders: int, true_alpha: float, probabilities: np.ndarray,
    rng: np.random.Generator, missing: float = 0.0,
) -> np.ndarray:
    """Codes (units x coders, category indices; -1 missing) from the simulator's coder model
    with true alpha ``true_alpha`` (``prevalence`` confusion with accuracy sqrt(alpha))."""
    if not 0 <= true_alpha <= 1:
        raise ValueError("the true alpha of this model lies between 0 and 1")
    confusions = coder_confusions(probabilities, [math.sqrt(true_alpha)] * n_coders, "prevalence")
    return simulate_codes(n_units, probabilities, confusions, rng, missing)


def _coded(codes: np.ndarray, k: int):
    from framestudy.analysis.data import Coded

    return Coded(codes, tuple(range(k)), pd.RangeIndex(codes.shape[0]), tuple(range(codes.shape[1])))


def lower_bounds(
    n_units: int, n_coders: int, true_alpha: float, probabilities: np.ndarray, *,
    n_sims: int, n_boot: int, seed: int, level: str = "nominal", method: str = "units",
    confidence: float = 0.95, missing: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The lower CI bound of alpha in each of ``n_sims`` simulated reliability samples, and
    whether its interval carries a ``ci_warning`` (a bool per sample)."""
    from framestudy.analysis import bootstrap_alpha
    from framestudy.analysis.alpha import alpha_coded
    from framestudy.analysis.interval_warning import interval_warning

    n_units, n_coders = int(n_units), int(n_coders)
    rng = stream(seed, "plan", n_units, n_coders)
    k = len(probabilities)
    lows = np.empty(n_sims)
    flagged = np.zeros(n_sims, dtype=bool)
    for s in range(n_sims):
        codes = simulate_reliability_data(n_units, n_coders, true_alpha, probabilities, rng, missing)
        coded = _coded(codes, k)
        boot = bootstrap_alpha(coded, level, n_boot=n_boot, seed=int(rng.integers(2**31)),
                               method=method, confidence=confidence)
        lows[s] = boot["ci_low"]
        flagged[s] = interval_warning(coded, alpha_coded(coded, level)["estimate"], level) is not None
    return lows, flagged


@dataclass(frozen=True)
class PlanSettings:
    true_alpha: float
    smallest: float
    n_categories: int = 2
    level: str = "nominal"
    n_sims: int = 200
    n_boot: int = 1000
    method: str = "units"
    seed: int = 0
    missing: float = 0.0
    alpha_min: tuple[float, ...] = ALPHA_MIN

    @property
    def probabilities(self) -> np.ndarray:
        return category_probabilities(self.n_categories, self.smallest)


Progress = Callable[[Sequence, str], Iterable]


def _no_progress(items, description):
    return items


def power_cell(settings: PlanSettings, n_units: int, n_coders: int) -> tuple[dict[float, float], float]:
    """P(lower CI bound >= alpha_min, no ci_warning) for each alpha_min at one (n, K), and
    the share of simulated studies whose interval carried a ``ci_warning``."""
    lows, flagged = lower_bounds(
        n_units, n_coders, settings.true_alpha, settings.probabilities, n_sims=settings.n_sims,
        n_boot=settings.n_boot, seed=settings.seed, level=settings.level, method=settings.method,
        missing=settings.missing,
    )
    lows = np.where(np.isnan(lows) | flagged, -np.inf, lows)
    return {a: float((lows >= a).mean()) for a in settings.alpha_min}, float(flagged.mean())


def power_table(settings: PlanSettings, units: Sequence[int], coders: Sequence[int],
                progress: Progress = _no_progress) -> pd.DataFrame:
    """One row per (n_units, n_coders, alpha_min): ``power``, its Monte Carlo ``mc_se``, and
    ``flagged``, the share of simulated studies whose interval carried a ``ci_warning``
    (the regime where the interval under-covers; module docstring, step 3).

    Pure: no I/O; randomness only from ``settings.seed``.
    """
    rows = []
    cells = [(n, k) for k in coders for n in units]
    for n, k in progress(cells, "simulating"):
        powers, flagged = power_cell(settings, n, k)
        for a_min, power in powers.items():
            rows.append({
                "n_units": int(n), "n_coders": int(k), "alpha_min": a_min, "power": power,
                "mc_se": math.sqrt(power * (1 - power) / settings.n_sims), "flagged": flagged,
            })
    return pd.DataFrame(rows, columns=["n_units", "n_coders", "alpha_min", "power", "mc_se",
                                       "flagged"])


def smallest_n(settings: PlanSettings, n_coders: int, alpha_min: float, target: float,
               lo: int = 10, hi: int = 5000) -> int | None:
    """The smallest n whose simulated power reaches ``target`` (bisection over n; power is
    estimated at each probe with the cell's own seeded stream). None if even ``hi`` fails."""
    lo, hi = int(lo), int(hi)

    def ok(n: int) -> bool:
        return power_cell(settings, n, n_coders)[0][alpha_min] >= target

    if not ok(hi):
        return None
    if ok(lo):
        return lo
    while hi - lo > max(1, int(0.02 * lo)):
        mid = int(round(math.sqrt(lo * hi)))
        mid = min(max(mid, lo + 1), hi - 1)
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def smallest_n_from_table(table: pd.DataFrame, target: float) -> pd.DataFrame:
    """Per (n_coders, alpha_min): the smallest tabulated n with power >= target (or None)."""
    rows = []
    for (k, a_min), sub in table.groupby(["n_coders", "alpha_min"], sort=True):
        hit = sub[sub["power"] >= target].sort_values("n_units")
        rows.append({"n_coders": int(k), "alpha_min": float(a_min),
                     "smallest_n": int(hit["n_units"].iloc[0]) if len(hit) else None})
    return pd.DataFrame(rows, columns=["n_coders", "alpha_min", "smallest_n"])


def refine_smallest_n(settings: PlanSettings, best: pd.DataFrame, units: Sequence[int],
                      target: float, floor: int = 5) -> pd.DataFrame:
    """Search between the tabulated sizes for the smallest n reaching ``target``.

    ``best`` is :func:`smallest_n_from_table` of a table over ``units``. For each row whose
    tabulated n reaches the target, :func:`smallest_n` bisects between the next smaller
    tabulated size (``floor`` below the smallest) and that n; a row the table leaves
    unreached stays empty. Returns a copy of ``best`` with ``smallest_n`` as nullable
    integers (``Int64``); ``best`` itself is not changed.
    """
    found: list[int | None] = []
    for row in best.itertuples():
        hi = row.smallest_n
        if hi is None or (isinstance(hi, float) and math.isnan(hi)):
            found.append(None)
            continue
        below = sorted(n for n in units if n < hi)
        lo = below[-1] if below else floor
        hi = int(hi)
        found.append(smallest_n(settings, row.n_coders, row.alpha_min, target, lo=lo, hi=hi)
                     if lo < hi else hi)
    out = best.copy()
    out["smallest_n"] = pd.array(found, dtype="Int64")
    return out


def krippendorff_minimum_units(smallest: float, alpha_min: float, significance: float,
                               coders: int = 2) -> int:
    """Krippendorff's minimum number of units for binary/nominal data (module doc formula).

    Reproduces Krippendorff's published table at the cells we could verify: p = .25,
    alpha_min = .800, significance .05 -> 139; alpha_min = .667 -> 81 (Krippendorff 2019,
    *Content Analysis*, 4th ed., as quoted in the ATLAS.ti 22 inter-coder agreement
    manual, "Sample Size and Decision Rules").
    """
    if not 0 < smallest < 1:
        raise ValueError("the smallest category's probability lies strictly between 0 and 1")
    if not 0 < alpha_min < 1:
        raise ValueError("alpha_min lies strictly between 0 and 1")
    if not 0 < significance < 0.5:
        raise ValueError("the significance level lies between 0 and 0.5")
    z = norm.ppf(1 - significance)
    a, p = alpha_min, smallest
    bracket = (1 + a) * (3 - a) / (4 * (1 - a) * p * (1 - p)) - a
    return int(math.ceil(coders * z * z * bracket))
