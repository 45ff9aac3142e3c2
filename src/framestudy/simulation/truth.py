"""The true (population) alpha of each variable, computed exactly from the coder model.

Krippendorff's alpha is ``1 - D_o / D_e`` with the observed and expected disagreement taken
from the coincidence matrix ``o_ck`` (Krippendorff 2004, *Content Analysis*, 2nd ed., ch. 11;
Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability", eqs. for ``o_ck``,
``n_c``, ``D_o``, ``D_e``): every unit ``u`` with ``m_u >= 2`` pairable values adds, for
each ordered pair of its values ``(c, k)`` coming from different coders, ``1/(m_u - 1)``
to ``o_ck``. As the number of units grows, ``o_ck / N`` converges to its expectation per
unit and alpha converges to

    alpha = 1 - (sum_ck E[o_ck] delta_ck / n) / (sum_ck n_c n_k delta_ck / n^2),
    n_c = sum_k E[o_ck],  n = sum_c n_c,

the *true alpha* of a coding process. In the simulator a unit's truth, its relevance and
each coder's outcome are independent given the stratum (relevance, true value), so

    E[o_ck] = sum_strata P(stratum) sum_{i != j} h_ij q_i(c) q_j(k),

where ``q_i(c)`` = P(coder i gives the pairable value c) (skips, "not relevant" answers and
values outside the scale such as NA count as missing) and
``h_ij = E[1/(M - 1) | i and j coded]`` with ``M - 2`` a Poisson-binomial count of the other
coders who gave a value (computed exactly by convolution). Nothing here is simulated: the
result is exact up to floating point, for nominal, ordinal (Krippendorff's ordinal metric,
built from the marginals ``n_g``) and set-valued data under any distance.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np

from framestudy.analysis.distances import masi_distance, nominal_delta, ordinal_delta
from framestudy.simulation.coders import binary_confusion, confusion_matrix
from framestudy.simulation.scenario import GATE_VALUE, Coder, SimulatedOutlet
from framestudy.simulation.true_codes import Item, relevance, set_distribution, true_distributions


def pair_weights(present: np.ndarray) -> np.ndarray:
    """``H[i, j] = E[1/(M-1) | i and j present]`` for independent presences ``present[l]``.

    ``M`` is the number of coders present; the diagonal is 0.
    """
    present = np.asarray(present, dtype=float)
    k = len(present)
    h = np.zeros((k, k))
    if k < 2:
        return h
    pairs = list(combinations(range(k), 2))
    pmf = np.zeros((len(pairs), k - 1))  # number of *other* coders present: 0..k-2
    pmf[:, 0] = 1.0
    idx_i = np.array([p[0] for p in pairs])
    idx_j = np.array([p[1] for p in pairs])
    for l_ in range(k):
        q = present[l_]
        use = (idx_i != l_) & (idx_j != l_)
        shifted = np.zeros_like(pmf[use])
        shifted[:, 1:] = pmf[use][:, :-1]
        pmf[use] = pmf[use] * (1 - q) + shifted * q
    weights = pmf @ (1.0 / (np.arange(k - 1) + 1.0))
    h[idx_i, idx_j] = weights
    h[idx_j, idx_i] = weights
    return h


def expected_coincidences(strata: list[tuple[float, np.ndarray]]) -> np.ndarray:
    """``E[o_ck]`` per unit from strata ``(probability, Q)``, ``Q[i, c]`` = P(coder i gives c)."""
    total = None
    for weight, q in strata:
        if weight <= 0:
            continue
        h = pair_weights(q.sum(axis=1))
        contrib = weight * (q.T @ h @ q)
        total = contrib if total is None else total + contrib
    if total is None:
        raise ValueError("no stratum has a positive probability")
    return total


def alpha_from_coincidences(o: np.ndarray, level: str = "nominal", delta: np.ndarray | None = None) -> float:
    """Alpha of a (population) coincidence matrix; ``delta`` overrides the level's metric."""
    o = np.asarray(o, dtype=float)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if delta is None:
        delta = ordinal_delta(n_c) if level == "ordinal" else nominal_delta(len(n_c))
    d_e = float(n_c @ delta @ n_c) / n**2
    if d_e <= 0:
        return float("nan")
    d_o = float((o * delta).sum()) / n
    return 1.0 - d_o / d_e


class TrueAlpha:
    """Exact population alpha of the simulated coders on every document variable.

    ``outlet_weights``: outlet id -> share of the units (e.g. of the reliability sample).
    ``base``: item id -> value distribution used by ``prevalence`` confusion (as in
    :class:`framestudy.simulation.coders.CoderSimulator`).
    """

    def __init__(self, items: dict[str, Item], outlets: list[SimulatedOutlet], coders: list[Coder],
                 gate: str | None, derived_primary: bool, base: dict[str, np.ndarray],
                 outlet_weights: dict[str, float] | None = None):
        self.items = items
        self.outlets = outlets
        self.coders = coders
        self.gate = gate
        self.derived_primary = derived_primary
        self.base = base
        weights = outlet_weights or {o.id: float(o.n_articles) for o in outlets}
        total = sum(weights.values())
        if total <= 0:
            weights = {o.id: 1.0 for o in outlets}
            total = float(len(outlets))
        self.weights = {o.id: weights.get(o.id, 0.0) / total for o in outlets}

    # P(coder answers the other questions | relevance) and P(present at all)
    def _answers(self, relevant: bool) -> np.ndarray:
        out = []
        for coder in self.coders:
            p = 1.0 - coder.skip_rate
            if self.gate is not None:
                item = self.items[self.gate]
                c = confusion_matrix(item, coder.item(self.gate), self.base.get(self.gate))
                if relevant:
                    t = item.values.index(GATE_VALUE)
                    p *= c[t, item.values.index(GATE_VALUE)]
                else:
                    dist = {v: q for v, q in self._gate_no_dist().items()}
                    y = item.values.index(GATE_VALUE)
                    p *= sum(q * c[item.values.index(v), y] for v, q in dist.items())
            out.append(p)
        return np.array(out)

    def _gate_no_dist(self) -> dict[str, float]:
        """Distribution of the gate's true value among irrelevant articles (pooled)."""
        acc: dict[str, float] = {}
        for o in self.outlets:
            for v, p in o.propensities[self.gate].items():
                if v != GATE_VALUE:
                    acc[v] = acc.get(v, 0.0) + self.weights[o.id] * p
        total = sum(acc.values())
        return {v: p / total for v, p in acc.items()} if total > 0 else {}

    def _truth_mixture(self, var: str) -> dict[bool, dict]:
        """P(relevance, true value) pooled over outlets: {relevant: {value: prob}}."""
        out: dict[bool, dict] = {True: {}, False: {}}
        for o in self.outlets:
            w = self.weights[o.id]
            if w <= 0:
                continue
            p_rel = relevance(o, self.gate)
            dists = true_distributions(o, self.items, var, self.gate, self.derived_primary)
            for rel, p_r in ((True, p_rel), (False, 1 - p_rel)):
                if p_r <= 0:
                    continue
                for value, p in dists[rel].items():
                    out[rel][value] = out[rel].get(value, 0.0) + w * p_r * p
        return out

    def _strata(self, var: str, categories: list, coded: Callable) -> list[tuple[float, np.ndarray]]:
        """(probability, Q) per (relevance, true value); ``coded(coder, t)`` -> P over categories."""
        strata = []
        mixture = self._truth_mixture(var)
        for rel, dist in mixture.items():
            answers = self._answers(rel) if var != self.gate else np.array([1 - c.skip_rate for c in self.coders])
            for t, p in dist.items():
                if p <= 0:
                    continue
                q = np.array([answers[i] * coded(coder, t) for i, coder in enumerate(self.coders)])
                strata.append((p, q))
        return strata

    def variable(self, var: str) -> dict:
        """True alpha of one document variable: ``{"alpha", "metric", "method"}``; for a
        multi-select variable also ``"per_value"`` (binary alpha of each value)."""
        item = self.items[var]
        if len(self.coders) < 2:
            return {"alpha": None, "metric": None, "method": "exact", "reason": "fewer than two coders"}
        if item.kind == "multiple":
            return self._set_variable(var)
        scale = list(item.scale)
        idx = [item.values.index(v) for v in scale]

        def coded(coder, t):
            c = confusion_matrix(item, coder.item(var), self.base.get(var))
            return c[item.values.index(t)][idx]

        o = expected_coincidences(self._strata(var, scale, coded))
        level = "ordinal" if item.kind == "ordinal" else "nominal"
        return {
            "alpha": _clean(alpha_from_coincidences(o, level)),
            "metric": f"alpha_{level}",
            "method": "exact",
        }

    def _set_variable(self, var: str) -> dict:
        """A multi-select variable: MASI alpha over the answered sets, and per value the
        binary alpha of "chosen or not". An answer with no value chosen is missing, as in
        the tidy table (Label Studio records no empty answer; framestudy.analysis.variable_agreement)."""
        item = self.items[var]
        values = item.values
        subsets = [s for s in set_distribution(values, {v: 0.5 for v in values}) if s]
        base = self.base.get(var)

        def rows_for(coder, t) -> np.ndarray:
            chosen = set(t)
            out = []
            for j, v in enumerate(values):
                p_in = float(base[j]) if base is not None else 0.5
                out.append(binary_confusion(coder.item(var), p_in)[1 if v in chosen else 0])
            return np.array(out)  # V x 2: P(not chosen), P(chosen)

        def subset_probs(coder, t):
            rows = rows_for(coder, t)
            probs = np.ones(len(subsets))
            for s_i, s in enumerate(subsets):
                for j, v in enumerate(values):
                    probs[s_i] *= rows[j, 1] if v in s else rows[j, 0]
            return probs

        o = expected_coincidences(self._strata(var, subsets, subset_probs))
        frozen = [frozenset(s) for s in subsets]
        delta = np.array([[masi_distance(a, b) for b in frozen] for a in frozen])
        per_value = {}
        for j, v in enumerate(values):
            def coded_v(coder, t, j=j):
                rows = rows_for(coder, t)
                others_empty = float(np.prod(np.delete(rows[:, 0], j)))
                chosen = rows[j, 1]
                not_chosen_but_answered = rows[j, 0] * (1.0 - others_empty)
                return np.array([not_chosen_but_answered, chosen])
            ov = expected_coincidences(self._strata(var, [0, 1], coded_v))
            per_value[v] = _clean(alpha_from_coincidences(ov, "nominal"))
        return {
            "alpha": _clean(alpha_from_coincidences(o, delta=delta)),
            "metric": "alpha_masi",
            "masi": "1 - J*M (Passonneau 2006; nltk's definition); an answer with no value chosen is missing",
            "method": "exact",
            "per_value": per_value,
        }


def _clean(x: float) -> float | None:
    return None if x != x else round(float(x), 6)
