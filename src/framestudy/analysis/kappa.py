"""Percent agreement and the kappa family: Cohen, Scott, Fleiss, Conger, Brennan-Prediger, Gwet.

Multi-coder coefficients with missing data follow Gwet's generalisation, as implemented in
his R package irrCAC (functions ``*.raw``) and described in K. L. Gwet, *Handbook of
Inter-Rater Reliability*, 4th ed., 2014, chapters 2-5:

* observed agreement p_a = mean over units with at least two ratings of
  sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)), with r*_ik = sum_l w_kl r_il (ch. 2, eq. 2.5.x;
  ch. 3 for weights);
* chance agreement p_e per coefficient, with pi_k = mean over units of r_ik / r_i:
  Fleiss (1971, Psychol. Bull. 76:378, eq. 2) generalised: p_e = sum_kl w_kl pi_k pi_l;
  Gwet's AC1/AC2 (Gwet 2008, Br. J. Math. Stat. Psychol. 61:29-48, eq. 14):
  p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k), T_w = sum of weights;
  Brennan & Prediger (1981, Educ. Psychol. Meas. 41:687): p_e = T_w / q^2;
  Conger (1980, Psychol. Bull. 88:322): p_e = sum_kl w_kl (pbar_k pbar_l - s2_kl / r) with
  coder-specific marginals p_gk;
* variances by linearisation (Gwet 2008, section 4; Handbook ch. 5): var = 1/(n (n-1))
  sum_i (c*_i - c)^2 with c*_i = (n/n_2) (p_a|i - p_e 1[r_i >= 2]) / (1 - p_e)
  - 2 (1 - c) (p_e|i - p_e) / (1 - p_e); confidence intervals c +/- t_{n-1} se, clipped to
  the coefficient's range. Conger's kappa is given without a standard error.

Cohen's kappa (Cohen 1960, Educ. Psychol. Meas. 20:37; weighted: Cohen 1968, Psychol.
Bull. 70:213) is computed per coder pair on the units both coded, from the pair's
contingency table (the tests check it against scikit-learn's ``cohen_kappa_score``); its large-sample
standard error is that of Fleiss, Cohen & Everitt (1969, Psychol. Bull. 72:323, eqs. 13-14),
the ASE SAS PROC FREQ prints. For more than two coders ``cohen_kappa`` reports Light's
kappa, the mean of the pairwise values (Light 1971, Psychol. Bull. 76:365). Scott's pi
(Scott 1955, Public Opin. Q. 19:321) is per pair; for more coders its generalisation is
Fleiss' kappa.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from itertools import combinations
from statistics import NormalDist

import numpy as np

from framestudy.analysis.alpha import REASON_NO_PAIRS, REASON_ONE_CODER, to_coded
from framestudy.analysis.data import AgreementInputError, Coded, require_order
from framestudy.analysis.distances import agreement_weights
from framestudy.analysis.vocabulary import KAPPA_WEIGHTS, RANK_WEIGHTS, WEIGHTS

REASON_ONE_CATEGORY = "only one category: chance agreement is undefined"
REASON_PE_ONE = "no variation: chance agreement is 1"
CONFIDENCE = 0.95


def _empty(reason: str | None = None) -> dict:
    return {
        "estimate": float("nan"),
        "se": float("nan"),
        "ci_low": float("nan"),
        "ci_high": float("nan"),
        "reason": reason,
    }


class _Gwet:
    """Per-unit quantities shared by Gwet's coefficients (units with at least one rating)."""

    def __init__(self, coded: Coded, weights: np.ndarray):
        vc = coded.value_counts
        ri = vc.sum(axis=1)
        keep = ri >= 1
        self.r = vc[keep].astype(float)
        self.ri = ri[keep].astype(float)
        self.n = int(keep.sum())
        self.q = coded.n_categories
        self.w = weights
        self.two = self.ri >= 2
        self.n2 = int(self.two.sum())
        r_star = self.r @ weights.T
        sum_q = (self.r * (r_star - 1.0)).sum(axis=1)
        den = self.ri * (self.ri - 1.0)
        self.pa_i = np.divide(sum_q, den, out=np.zeros_like(sum_q), where=den > 0)
        self.pa = float(self.pa_i[self.two].mean()) if self.n2 else float("nan")
        self.share = self.r / self.ri[:, None] if self.n else self.r
        self.pi = self.share.mean(axis=0) if self.n else np.zeros(self.q)

    def finish(self, pe: float, pe_i: np.ndarray | None, low: float = -1.0) -> dict:
        """Coefficient, linearised SE and t-based CI for chance agreement ``pe``."""
        if abs(1.0 - pe) < 1e-12:
            out = _empty(REASON_PE_ONE)
            out.update(pa=self.pa, pe=pe)
            return out
        coef = (self.pa - pe) / (1.0 - pe)
        c_i = (self.n / self.n2) * (self.pa_i - pe * self.two) / (1.0 - pe)
        if pe_i is not None:
            c_i = c_i - 2.0 * (1.0 - coef) * (pe_i - pe) / (1.0 - pe)
        out = {"estimate": float(coef), "pa": self.pa, "pe": float(pe), "reason": None}
        out.update(_interval(coef, c_i, self.n, low))
        return out


# Gwet's per-unit quantities per data set and weights: percent agreement and the six
# coefficients of one report share them instead of recomputing them seven times.
_GWET_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _gwet(coded: Coded, weights: np.ndarray) -> _Gwet:
    """The (read-only) :class:`_Gwet` of ``coded`` under ``weights``, computed once."""
    per_data = _GWET_CACHE.setdefault(coded, {})
    key = (weights.shape, weights.tobytes())
    if key not in per_data:
        per_data[key] = _Gwet(coded, weights)
    return per_data[key]


def observed_levels(coded: Coded) -> Coded:
    """The data re-coded on the levels they contain, ranked 1..k in the domain's order.

    This is how R irr's ``kappa2`` sees ratings (converted to factors, so the levels are
    the values present; irr 0.84, ``kappa2`` details): with the weights ``equal`` and
    ``squared`` the distance between two levels is the difference of their ranks, so a
    value nobody gave is neither a category nor a step between categories.
    """
    used = np.flatnonzero(np.bincount(coded.codes[coded.codes >= 0], minlength=coded.n_categories))
    recode = np.full(coded.n_categories + 1, -1)
    recode[used] = np.arange(used.size)
    codes = recode[coded.codes]  # -1 stays -1 (index -1 is the extra slot)
    return Coded(codes, tuple(range(1, used.size + 1)), coded.units, coded.coders)


def check_weights(weights: str) -> None:
    if weights not in WEIGHTS and weights not in RANK_WEIGHTS:
        raise AgreementInputError(
            f"unknown weights {weights!r}; use one of {', '.join(KAPPA_WEIGHTS)}"
        )


def as_coded(data, weights: str = "identity", categories: Sequence | None = None) -> Coded:
    """The kappa family's input as :class:`Coded`.

    ``data`` is :class:`Coded` (used as it is) or a table, wide (units x coders) or long
    (``unit, coder, value``), encoded on ``categories`` (the scale, lowest first) or else
    on the values observed. Weights other than identity score the values by their order,
    so text values without ``categories`` raise
    :class:`~framestudy.analysis.data.CategoryOrderError`; unknown weights raise
    :class:`~framestudy.analysis.data.AgreementInputError`.
    """
    check_weights(weights)
    if isinstance(data, Coded):
        return data
    coded = to_coded(data, "nominal", categories)
    if weights != "identity":
        require_order(coded.categories, categories, f"{weights} weights")
    return coded


def _resolve(coded: Coded, weights: str) -> tuple[Coded, str]:
    """(data, Gwet weight kind) for ``weights``: irr's rank weights run over the observed
    levels (:func:`observed_levels`) as linear/quadratic weights on their ranks."""
    check_weights(weights)
    if weights in RANK_WEIGHTS:
        return observed_levels(coded), RANK_WEIGHTS[weights]
    return coded, weights


def _weighted(data, weights: str, categories: Sequence | None) -> tuple | str:
    """``(coded, weight matrix, Gwet quantities)`` for a chance-corrected coefficient, or
    the reason it is undefined. irr's rank weights re-code the data on the levels observed
    (:func:`_resolve`)."""
    coded, kind = _resolve(as_coded(data, weights, categories), weights)
    reason = _check(coded)
    if reason:
        return reason
    w = agreement_weights(kind, coded.categories)
    return coded, w, _gwet(coded, w)


def _interval(coef: float, c_i: np.ndarray, n: int, low: float) -> dict:
    if n < 2:
        return {"se": float("nan"), "ci_low": float("nan"), "ci_high": float("nan")}
    se = float(np.sqrt(((c_i - coef) ** 2).sum() / (n * (n - 1.0))))
    from scipy.special import stdtrit  # Student's t quantile; scipy.stats costs ~1 s to import

    t = float(stdtrit(n - 1, 1 - (1 - CONFIDENCE) / 2))
    return {
        "se": se,
        "ci_low": float(max(low, coef - t * se)),
        "ci_high": float(min(1.0, coef + t * se)),
    }


def _check(coded: Coded, need_two_categories: bool = True) -> str | None:
    if len(coded.coders) < 2:
        return REASON_ONE_CODER
    if need_two_categories and coded.n_categories < 2:
        return REASON_ONE_CATEGORY
    if not (coded.values_per_unit >= 2).any():
        return REASON_NO_PAIRS
    return None


def percent_agreement(data, *, categories: Sequence | None = None) -> dict:
    """Share of agreeing pairs of ratings, averaged over units rated at least twice.

    p_a = (1 / n2) sum_{i: r_i >= 2} sum_k r_ik (r_ik - 1) / (r_i (r_i - 1)), where r_ik
    is the number of coders who gave unit i value k, r_i = sum_k r_ik and n2 the number of
    units with r_i >= 2 (Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 2;
    irrCAC ``pa.coeff.raw``). SE by the linearisation of Gwet (2008), *Br. J. Math. Stat.
    Psychol.* 61:29-48, section 4, t-based 95% CI. Unweighted, so not chance-corrected.

    ``data``: :class:`Coded`, or a table wide (units x coders) or long (``unit, coder,
    value``); ``categories`` fixes the domain. Returns ``estimate``, ``se``, ``ci_low``,
    ``ci_high``, ``reason`` (why the estimate is NaN, else None) and ``pairs``: the share
    of units on which each pair of coders gave the same value (among units both coded).
    Unusable input raises :class:`~framestudy.analysis.data.AgreementInputError`.
    """
    coded = as_coded(data, "identity", categories)
    reason = _check(coded, need_two_categories=False)
    if reason:
        return _empty(reason)
    g = _gwet(coded, np.eye(coded.n_categories))
    c_i = (g.n / g.n2) * g.pa_i
    out = {"estimate": g.pa, "reason": None}
    out.update(_interval(g.pa, c_i, g.n, 0.0))
    pairs = {}
    for a, b in combinations(range(len(coded.coders)), 2):
        both = (coded.codes[:, a] >= 0) & (coded.codes[:, b] >= 0)
        key = f"{coded.coders[a]}|{coded.coders[b]}"
        pairs[key] = (
            float((coded.codes[both, a] == coded.codes[both, b]).mean()) if both.any() else None
        )
    out["pairs"] = pairs
    return out


def gwet_ac(data, weights: str = "identity", *, categories: Sequence | None = None) -> dict:
    """Gwet's AC1 (identity weights) or AC2 (other weights), with analytic SE and CI.

    AC = (p_a - p_e) / (1 - p_e) with the weighted observed agreement
    p_a = (1 / n2) sum_{i: r_i >= 2} sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)),
    r*_ik = sum_l w_kl r_il, and the chance agreement
    p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k), T_w = sum_kl w_kl, pi_k = mean over
    units of r_ik / r_i, q = the number of categories. Gwet (2008), *Br. J. Math. Stat.
    Psychol.* 61:29-48, eq. 14 (AC1) and section 4 (variance); weights and missing data:
    Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., ch. 3 and 5 (irrCAC
    ``gwet.ac1.raw``). The domain, hence q, is ``categories`` when given.

    ``data``: :class:`Coded`, or a table wide (units x coders) or long (``unit, coder,
    value``). ``weights``: identity, linear, quadratic (on the values; text values need
    ``categories``) or R irr's equal/squared (on the ranks of the levels observed).
    Returns ``estimate``, ``se``, ``ci_low``, ``ci_high`` (t-based 95%), ``pa``, ``pe``,
    ``weights`` and ``reason`` (why the estimate is NaN, else None). Unusable input
    (unknown weights, a value outside ``categories``, a long table without its columns)
    raises :class:`~framestudy.analysis.data.AgreementInputError`.
    """
    prepared = _weighted(data, weights, categories)
    if isinstance(prepared, str):
        return _empty(prepared)
    coded, w, g = prepared
    t_w = w.sum()
    q = g.q
    pe = t_w * float((g.pi * (1.0 - g.pi)).sum()) / (q * (q - 1.0))
    pe_i = (t_w / (q * (q - 1.0))) * (g.r @ (1.0 - g.pi)) / g.ri
    out = g.finish(pe, pe_i)
    out["weights"] = weights
    return out


def fleiss_kappa(data, weights: str = "identity", *, categories: Sequence | None = None) -> dict:
    """Fleiss' kappa, generalised to missing data and weights.

    kappa = (p_a - p_e) / (1 - p_e), p_a as in :func:`gwet_ac`, and chance agreement from
    the pooled category shares: p_e = sum_kl w_kl pi_k pi_l, pi_k = mean over units of
    r_ik / r_i. With complete data and identity weights this is Fleiss (1971), *Psychol.
    Bull.* 76:378-382 (p_e = sum_k p_k^2); the generalisation to missing data and weights
    is Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., ch. 5 (irrCAC
    ``fleiss.kappa.raw``), with the linearised SE of Gwet (2008), *Br. J. Math. Stat.
    Psychol.* 61:29-48, section 4.

    ``data``, ``weights``, ``categories`` and the result's fields as in :func:`gwet_ac`.
    """
    prepared = _weighted(data, weights, categories)
    if isinstance(prepared, str):
        return _empty(prepared)
    coded, w, g = prepared
    pe = float(g.pi @ w @ g.pi)
    pi_w = (w @ g.pi + w.T @ g.pi) / 2.0
    pe_i = (g.r @ pi_w) / g.ri
    out = g.finish(pe, pe_i)
    out["weights"] = weights
    return out


def brennan_prediger(
    data,
    weights: str = "identity",
    n_categories: int | None = None,
    *,
    categories: Sequence | None = None,
) -> dict:
    """Brennan-Prediger coefficient (= Randolph's free-marginal multirater kappa, Bennett's S).

    (p_a - p_e) / (1 - p_e) with p_a as in :func:`gwet_ac` and the chance agreement
    p_e = T_w / q^2, T_w = sum_kl w_kl (Brennan & Prediger 1981, Educ. Psychol. Meas.
    41:687-699, p. 690; Gwet 2014, ch. 4; irrCAC ``bp.coeff.raw``); with identity weights
    p_e = 1/q, Randolph's (2005) kappa_free, "Free-marginal multirater kappa", Joensuu
    Learning and Instruction Symposium, eq. 3.

    q is the number of categories of the scale, not of the values observed: by default the
    domain of the data (``categories=...``, ``--categories``); ``n_categories``
    sets it directly when the scale has categories nobody used and whose values are not at
    hand (e.g. a units x categories count table). It must be at least the domain's size and,
    when larger, needs identity weights (weights need the values of every category).

    ``data``, ``weights``, ``categories`` and the result's fields as in :func:`gwet_ac`,
    plus ``n_categories`` (the q used).
    """
    coded, kind = _resolve(as_coded(data, weights, categories), weights)
    if n_categories is not None:
        if n_categories < coded.n_categories:
            raise AgreementInputError(
                f"n_categories={n_categories} is smaller than the {coded.n_categories} "
                "categories in the data -- give the number of categories on the scale"
            )
        if n_categories > coded.n_categories and kind != "identity":
            raise AgreementInputError(
                "n_categories beyond the data's categories needs identity weights; declare "
                "the categories' values instead (categories=...)"
            )
    reason = _check(coded, need_two_categories=(n_categories or 0) < 2)
    if reason:
        return _empty(reason)
    w = agreement_weights(kind, coded.categories)
    g = _gwet(coded, w)
    q = n_categories or g.q
    t_w = float(w.sum()) + (q - g.q)  # unused categories add their diagonal weight 1
    out = g.finish(t_w / q**2, None)
    out["weights"] = weights
    out["n_categories"] = int(q)
    return out


def conger_kappa(data, weights: str = "identity", *, categories: Sequence | None = None) -> dict:
    """Conger's kappa: chance agreement from each coder's own marginals.

    kappa = (p_a - p_e) / (1 - p_e), p_a as in :func:`gwet_ac`, and
    p_e = sum_kl w_kl (pbar_k pbar_l - s2_kl / r), where p_gk is the share of coder g's
    ratings in category k, pbar_k the mean of p_gk over the r coders and s2_kl their
    covariance (Conger 1980, *Psychol. Bull.* 88:322-328; generalised to missing data and
    weights in Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 5, irrCAC
    ``conger.kappa.raw``). No standard error is computed.

    ``data``, ``weights``, ``categories`` and the result's fields as in :func:`gwet_ac`.
    """
    prepared = _weighted(data, weights, categories)
    if isinstance(prepared, str):
        return _empty(prepared)
    coded, w, g = prepared
    q = coded.n_categories
    per_coder = []
    for j in range(len(coded.coders)):
        col = coded.codes[:, j]
        col = col[col >= 0]
        if col.size:
            per_coder.append(np.bincount(col, minlength=q) / col.size)
    p = np.array(per_coder)
    r = p.shape[0]
    if r < 2:
        return _empty(REASON_ONE_CODER)
    pbar = p.mean(axis=0)
    s2 = (p.T @ p - r * np.outer(pbar, pbar)) / (r - 1.0)
    pe = float((w * (np.outer(pbar, pbar) - s2 / r)).sum())
    if abs(1.0 - pe) < 1e-12:
        out = _empty(REASON_PE_ONE)
        out.update(pa=g.pa, pe=pe)
        return out
    coef = (g.pa - pe) / (1.0 - pe)
    return {
        "estimate": float(coef),
        "se": float("nan"),
        "ci_low": float("nan"),
        "ci_high": float("nan"),
        "pa": g.pa,
        "pe": pe,
        "weights": weights,
        "reason": None,
        "note": "no analytic standard error is computed for Conger's kappa",
    }


def cohen_table(table: np.ndarray, weights: np.ndarray) -> dict:
    """Cohen's (weighted) kappa from a q x q contingency table, with the Fleiss, Cohen &
    Everitt (1969) standard errors (``se``; ``se_h0`` under kappa = 0) and a normal CI.
    """
    table = np.asarray(table, dtype=float)
    n = table.sum()
    if n == 0:
        return _empty(REASON_NO_PAIRS)
    p = table / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    po = float((weights * p).sum())
    pe = float(row @ weights @ col)
    if abs(1.0 - pe) < 1e-12:
        out = _empty(REASON_PE_ONE)
        out.update(pa=po, pe=pe)
        return out
    kappa = (po - pe) / (1.0 - pe)
    w_row = weights @ col  # wbar_i.
    w_col = row @ weights  # wbar_.j
    spread = (w_row[:, None] + w_col[None, :]) * (1.0 - kappa)
    var = ((p * (weights - spread) ** 2).sum() - (kappa - pe * (1.0 - kappa)) ** 2) / (
        n * (1.0 - pe) ** 2
    )
    var0 = (
        (np.outer(row, col) * (weights - (w_row[:, None] + w_col[None, :])) ** 2).sum() - pe**2
    ) / (n * (1.0 - pe) ** 2)
    se = float(np.sqrt(max(var, 0.0)))
    z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)
    return {
        "estimate": float(kappa),
        "se": se,
        "se_h0": float(np.sqrt(max(var0, 0.0))),
        "ci_low": float(max(-1.0, kappa - z * se)),
        "ci_high": float(min(1.0, kappa + z * se)),
        "pa": po,
        "pe": pe,
        "reason": None,
    }


def cohen_pair(coded: Coded, a: int, b: int, weights: str = "identity") -> dict:
    """Cohen's kappa for coders ``a`` and ``b`` on the units both coded."""
    # the units both coded; irr's rank weights run over the levels this pair used there
    both = (coded.codes[:, a] >= 0) & (coded.codes[:, b] >= 0)
    if not both.any():
        return _empty("the two coders share no unit")
    if coded.n_categories < 2:
        return _empty(REASON_ONE_CATEGORY)
    pair, weights = _resolve(coded.subset(units=both, coders=[a, b]), weights)
    x, y = pair.codes[:, 0], pair.codes[:, 1]
    q = pair.n_categories
    table = np.zeros((q, q))
    np.add.at(table, (x, y), 1)
    w = agreement_weights(weights, pair.categories)
    out = cohen_table(table, w)
    out["n_units"] = int(x.size)
    return out


def cohen_kappa(data, weights: str = "identity", *, categories: Sequence | None = None) -> dict:
    """Cohen's kappa: the pair's value for two coders, Light's mean of pairs for more.

    For a pair, on the units both coded, with p_kl the share of units coder A put in k and
    B in l: kappa = (p_o - p_e) / (1 - p_e), p_o = sum_kl w_kl p_kl,
    p_e = sum_kl w_kl p_k. p_.l (Cohen 1960, *Educ. Psychol. Meas.* 20:37-46; weighted:
    Cohen 1968, *Psychol. Bull.* 70:213-220). Its standard error is the large-sample one
    of Fleiss, Cohen & Everitt (1969), *Psychol. Bull.* 72:323-327 (``se``; ``se_h0``
    under kappa = 0), with a normal 95% CI. For more coders the estimate is Light's kappa,
    the mean of the pairwise values (Light 1971, *Psychol. Bull.* 76:365-377), without SE.

    ``data``, ``weights`` and ``categories`` as in :func:`gwet_ac`. Returns ``estimate``,
    ``se``, ``ci_low``, ``ci_high``, ``reason``, ``weights`` and ``pairs``
    ({"coderA|coderB": kappa or None}); for two coders also ``pa``, ``pe``, ``se_h0``.
    """
    coded = as_coded(data, weights, categories)
    reason = _check(coded)
    if reason:
        return _empty(reason)
    results = {
        f"{coded.coders[a]}|{coded.coders[b]}": cohen_pair(coded, a, b, weights)
        for a, b in combinations(range(len(coded.coders)), 2)
    }
    pairs = {k: (None if np.isnan(v["estimate"]) else v["estimate"]) for k, v in results.items()}
    if len(results) == 1:
        out = dict(next(iter(results.values())))
        out.pop("n_units", None)
    else:
        defined = [v for v in pairs.values() if v is not None]
        out = _empty(None if defined else "no coder pair has a defined kappa")
        out.update(
            estimate=float(np.mean(defined)) if defined else float("nan"),
            method="Light's kappa: mean of the pairwise Cohen's kappas",
        )
    out["pairs"] = pairs
    out["weights"] = weights
    return out


def scott_pi(data, weights: str = "identity", *, categories: Sequence | None = None) -> dict:
    """Scott's pi per coder pair, on the units both coded.

    pi = (p_o - p_e) / (1 - p_e) with chance agreement from the pair's pooled shares,
    p_e = sum_k ((p_k. + p_.k) / 2)^2 (Scott 1955, *Public Opin. Q.* 19:321-325); weighted,
    p_e = sum_kl w_kl pbar_k pbar_l. It is Fleiss' kappa of the pair (:func:`fleiss_kappa`).
    The estimate is given for exactly two coders; for more, see ``pairs`` and Fleiss'
    kappa, its generalisation.

    ``data``, ``weights``, ``categories`` and the result's fields as in :func:`gwet_ac`,
    plus ``pairs``.
    """
    coded = as_coded(data, weights, categories)
    reason = _check(coded)
    if reason:
        return _empty(reason)
    results = {}
    for a, b in combinations(range(len(coded.coders)), 2):
        both = (coded.codes[:, a] >= 0) & (coded.codes[:, b] >= 0)
        sub = coded.subset(units=both, coders=[a, b])
        results[f"{coded.coders[a]}|{coded.coders[b]}"] = (
            fleiss_kappa(sub, weights) if both.any() else _empty("the two coders share no unit")
        )
    pairs = {k: (None if np.isnan(v["estimate"]) else v["estimate"]) for k, v in results.items()}
    if len(results) == 1:
        out = dict(next(iter(results.values())))
    else:
        out = _empty(
            "Scott's pi is defined for two coders; see the pairs, and fleiss_kappa "
            "for its generalisation to more coders"
        )
    out["pairs"] = pairs
    out["weights"] = weights
    return out


def pairwise_kappa_matrix(data, weights: str = "identity", *, categories: Sequence | None = None):
    """Coders x coders DataFrame of pairwise Cohen's kappa (1 on the diagonal; see
    :func:`cohen_kappa`). ``data`` as in :func:`gwet_ac`."""
    import pandas as pd

    coded = as_coded(data, weights, categories)
    m = len(coded.coders)
    mat = np.eye(m)
    for a, b in combinations(range(m), 2):
        mat[a, b] = mat[b, a] = cohen_pair(coded, a, b, weights)["estimate"]
    return pd.DataFrame(mat, index=list(coded.coders), columns=list(coded.coders))
