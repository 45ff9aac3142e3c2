"""Regression of one variable on outlet: logistic, multinomial or proportional-odds, as the
variable's level requires, with controls, and the same model on the coders' own values with
coder as a fixed effect (the sensitivity run). Pure functions; nothing here reads or writes
files.

Input is a consensus-like table, one row per article, with an outlet column, a value column
and, optionally, control columns (e.g. ``genre``, ``date``); for :func:`coder_sensitivity`,
one row per article and coder. Rows whose outlet, value or a used control is missing
(``None``/``NaN``; for controls also the string ``"unknown"``, which ``tasks.json`` writes
for unknown metadata) are left out and counted.

Which model (:func:`outlet_model`, ``level``):

- ``binary``, or ``nominal`` with two observed values: logistic regression (``logit``);
- ``nominal`` with more than two values: multinomial (baseline-category) logit (``mnlogit``);
- ``ordinal``: the proportional-odds cumulative logit model (``ordered_logit``).

Outlet enters treatment-coded: one term per outlet, each the log odds ratio against the
reference outlet (``reference``, by default the first outlet alphabetically). A control is
used when its column is present and takes more than one value in the rows fitted; otherwise
it is skipped and the result says why. A numeric control enters as it is, a date (datetime
values, or ISO ``YYYY-MM-DD`` text) as years since the earliest date, anything else
treatment-coded against its first value in sorted order.

The coefficient table (:attr:`OutletModel.coefficients`, columns
:data:`COEFFICIENT_COLUMNS`), one row per term (and, for the multinomial model, per outcome
value against the baseline value): ``term`` (e.g. ``outlet[T.rt]``, ``genre[T.opinion]``,
``date``, ``Intercept``), ``kind`` (``intercept``, ``outlet``, ``control``, ``coder``),
``group`` (the outlet, control value or coder the term stands for; empty for a numeric
control), ``outcome`` (logistic: the value whose odds are modelled; multinomial: the value
compared with the baseline value; ordinal: None, the odds are of a higher category),
``estimate`` (log odds ratio), ``se``, ``ci_low``/``ci_high`` (Wald interval at
``confidence``), ``p_value`` (Wald z test), ``odds_ratio`` = exp(estimate) with
``or_ci_low``/``or_ci_high``. The fit's facts are attributes of :class:`OutletModel`
(``n``, ``log_likelihood``, ``converged``, ``warnings``, ...); :meth:`OutletModel.to_frame`
is the table with them.

When no honest estimate exists -- too few articles per outlet, an outcome value no article
of an outlet took (perfect separation), a control confounded with outlet, a fit that did not
converge or whose estimates run off to infinity -- no coefficient is given: ``coefficients``
is empty, ``log_likelihood`` is None and ``reason`` says why.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit as _expit
from statsmodels.base.model import LikelihoodModel
from statsmodels.discrete.discrete_model import Logit, MNLogit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

from framestudy.analysis.data import (
    AgreementInputError,
    CategoryOrderError,
    check_confidence,
    is_missing,
    sort_key,
)
from framestudy.analysis.outlet_stats import missing_mask

MODEL_LEVELS = ("binary", "nominal", "ordinal")
MODELS = ("logit", "mnlogit", "ordered_logit")
COEFFICIENT_COLUMNS = (
    "term", "kind", "group", "outcome", "estimate", "se", "ci_low", "ci_high", "p_value",
    "odds_ratio", "or_ci_low", "or_ci_high",
)
# Fit facts repeated on every row of OutletModel.to_frame(), before the coefficients.
FIT_COLUMNS = (
    "variable", "data", "model", "reference", "n", "n_articles", "log_likelihood",
    "converged", "reason",
)
# A log odds ratio beyond this (an odds ratio above 22,000) is taken as an estimate running
# off to infinity: quasi-complete separation that the checks before the fit did not catch.
MAX_ABS_LOG_ODDS = 10.0
# Events per parameter below which a warning is attached (Peduzzi et al. 1996).
MIN_EVENTS_PER_PARAMETER = 10
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DEFAULT_MAXITER = {"logit": 100, "mnlogit": 100, "ordered_logit": 2000}
# Newton-Raphson iterations tried on the ordinal model before falling back to BFGS.
_NEWTON_MAXITER = 50


@dataclass(frozen=True)
class OutletModel:
    """One variable regressed on outlet (see the module docstring for the columns).

    ``model``: one of :data:`MODELS`, or None when no model could be fitted honestly;
    ``reason`` is then the why, and ``coefficients`` is empty. ``data``: ``consensus`` (one
    row per article) or ``per_coder`` (:func:`coder_sensitivity`). ``reference``: the
    reference outlet. ``outcomes``: the outcome values fitted, in order (logistic: the
    other value, then the modelled one; multinomial: the baseline first; ordinal: the
    scale, lowest first). ``controls``: the controls used; ``skipped_controls``: one
    ``"<column>: why"`` per control left out. ``n``: rows fitted; ``n_articles``: distinct
    articles among them; ``n_left_out``: rows left out for a missing outlet, value or
    control. ``thresholds``: the ordinal model's cut points (log-odds scale, lowest first),
    else empty. ``cov_type``: ``nonrobust``, or ``cluster`` (by article, per-coder data).
    ``warnings``: what statsmodels warned about, and small-sample cautions.
    """

    variable: str
    level: str
    data: str
    model: str | None
    reason: str
    outlet_col: str
    reference: object
    outcomes: tuple
    controls: tuple
    skipped_controls: tuple
    n: int
    n_articles: int
    n_left_out: int
    log_likelihood: float | None
    converged: bool | None
    warnings: tuple
    cov_type: str
    confidence: float
    thresholds: tuple = ()
    coefficients: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(COEFFICIENT_COLUMNS)), repr=False
    )

    @property
    def fitted(self) -> bool:
        """Whether the model was fitted (and ``coefficients`` hold its estimates)."""
        return self.model is not None and not self.reason

    def outlet_effects(self) -> pd.DataFrame:
        """The outlet rows of :attr:`coefficients` (empty when nothing was fitted)."""
        return self.coefficients[self.coefficients["kind"] == "outlet"].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table with the fit's facts (:data:`FIT_COLUMNS`) on every row;
        one row with empty coefficients and the ``reason`` when nothing was fitted."""
        facts = {c: getattr(self, c) for c in FIT_COLUMNS}
        if self.fitted:
            table = self.coefficients.copy()
        else:
            table = pd.DataFrame([dict.fromkeys(COEFFICIENT_COLUMNS)])
        for i, c in enumerate(FIT_COLUMNS):
            table.insert(i, c, [facts[c]] * len(table))
        return table.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Public functions


def outlet_model(
    frame: pd.DataFrame,
    value_col: str,
    level: str,
    *,
    outlet_col: str = "outlet",
    controls: Sequence[str] = (),
    order: Sequence | None = None,
    reference=None,
    missing_values: Sequence = (),
    confidence: float = 0.95,
    min_per_outlet: int = 2,
    min_mean_per_outlet: float = 5.0,
    maxiter: int | None = None,
) -> OutletModel:
    """Regress one variable's consensus value on outlet, with controls.

    ``frame``: one row per article (an ``article_id`` column, if present, must not repeat).
    ``level``: one of :data:`MODEL_LEVELS` (a set variable is modelled one value at a time:
    pass each value's presence, 0/1 or False/True, as ``binary``). ``order``: the values in
    order -- required for ``ordinal`` (lowest first); for ``binary`` and ``nominal`` it
    fixes the reference value (the first: the logistic model gives the odds of the other,
    the multinomial model compares every value with it); without it the values sort, and
    the logistic model of False/True or 0/1 models True/1. ``missing_values`` (e.g.
    ``"NA"``, not addressed) are off the scale and left out. ``reference``: the reference
    outlet (default: the first alphabetically). ``controls``: columns to adjust for, each
    used when present and varying.

    The models, by maximum likelihood with statsmodels:

    - logistic regression (``statsmodels.api.Logit``; Agresti 2013, *Categorical Data
      Analysis*, 3rd ed., Wiley, ch. 5, pp. 163-198; Newton-Raphson);
    - baseline-category (multinomial) logit (``statsmodels.api.MNLogit``; Agresti 2013,
      ch. 8.1, pp. 294-301), one set of coefficients per value against the reference value;
    - proportional-odds cumulative logit (``statsmodels.miscmodels.ordinal_model.
      OrderedModel`` with ``distr="logit"``; McCullagh 1980, "Regression models for ordinal
      data", JRSS B 42:109-142; Agresti 2013, ch. 8.2, pp. 301-310): one log odds ratio per
      term for being in a higher category, whatever the cut (statsmodels' sign: positive
      means higher values).

    Intervals and p-values are Wald's, from the observed information. No estimate is given
    (``reason`` says why, ``coefficients`` is empty) when: fewer than two outlets or outcome
    values are observed; an outlet has fewer than ``min_per_outlet`` articles or the outlets
    fewer than ``min_mean_per_outlet`` on average (the rule of
    :func:`framestudy.analysis.outlet_stats.compare_outlets`); there are no more rows than
    parameters; separation -- an outlet (or a value of a categorical control) in which an
    outcome value never occurs (logistic, multinomial), or all of whose articles sit at one
    end of the scale (ordinal) -- which makes the maximum-likelihood estimate infinite
    (Albert & Anderson 1984, "On the existence of maximum likelihood estimates in logistic
    regression models", Biometrika 71:1-10); a control determined by outlet and the other
    controls (the design is not of full rank); statsmodels reporting perfect separation or
    no convergence within ``maxiter`` iterations; or an estimate with an infinite standard
    error or a log odds ratio beyond :data:`MAX_ABS_LOG_ODDS` (quasi-separation the checks
    missed). Fewer than 10 events per parameter (Peduzzi et al. 1996, J. Clin. Epidemiol.
    49:1373-1379) adds a warning: the estimates are then biased away from 0.
    """
    return _fit(
        frame, value_col, level, data="consensus", outlet_col=outlet_col, controls=controls,
        order=order, reference=reference, missing_values=missing_values,
        confidence=confidence, min_per_outlet=min_per_outlet,
        min_mean_per_outlet=min_mean_per_outlet, maxiter=maxiter, coder_col=None,
    )


def coder_sensitivity(
    per_coder_frame: pd.DataFrame,
    value_col: str,
    level: str,
    *,
    coder_col: str = "coder",
    outlet_col: str = "outlet",
    controls: Sequence[str] = (),
    order: Sequence | None = None,
    reference=None,
    missing_values: Sequence = (),
    confidence: float = 0.95,
    min_per_outlet: int = 2,
    min_mean_per_outlet: float = 5.0,
    maxiter: int | None = None,
) -> OutletModel:
    """The sensitivity run: the model of :func:`outlet_model` on the coders' own values,
    one row per article and coder, with coder as a fixed effect.

    ``per_coder_frame`` needs ``article_id`` and ``coder_col`` columns; an article coded
    twice by one coder is refused. Coder enters treatment-coded (reference: the first coder
    in sorted order) like a categorical control, so each coder's systematic leaning is
    adjusted for and the outlet terms compare outlets within coders. Because the coders'
    rows of one article are not independent, the standard errors are cluster-robust with
    the article as cluster (Liang & Zeger 1986, Biometrika 73:13-22; Cameron & Miller 2015,
    "A practitioner's guide to cluster-robust inference", J. Human Resources 50:317-372;
    statsmodels ``cov_type="cluster"``). The sample-size rule counts articles, not rows.
    Set the result beside the consensus one with :func:`beside`.
    """
    return _fit(
        per_coder_frame, value_col, level, data="per_coder", outlet_col=outlet_col,
        controls=controls, order=order, reference=reference, missing_values=missing_values,
        confidence=confidence, min_per_outlet=min_per_outlet,
        min_mean_per_outlet=min_mean_per_outlet, maxiter=maxiter, coder_col=coder_col,
    )


def beside(consensus: OutletModel, per_coder: OutletModel) -> pd.DataFrame:
    """The outlet terms of the consensus model and of the coder sensitivity run, side by
    side: one row per outlet term (and outcome), columns ``term, group, outcome``, then
    ``estimate, ci_low, ci_high, p_value, odds_ratio`` suffixed ``_consensus`` and
    ``_per_coder``, then ``reason_consensus`` and ``reason_per_coder`` (empty when fitted).
    A side that was not fitted has NaN estimates and its reason.
    """
    for name, result in (("consensus", consensus), ("per_coder", per_coder)):
        if not isinstance(result, OutletModel):
            raise AgreementInputError(
                f"beside() takes two OutletModel results; {name} is {type(result).__name__}"
            )
    keys = ["term", "group", "outcome"]
    shown = ["estimate", "ci_low", "ci_high", "p_value", "odds_ratio"]
    parts = []
    for suffix, result in (("_consensus", consensus), ("_per_coder", per_coder)):
        effects = result.outlet_effects()[keys + shown].copy()
        effects["outcome"] = effects["outcome"].astype(object)
        parts.append(effects.rename(columns={c: c + suffix for c in shown}))
    merged = parts[0].merge(parts[1], on=keys, how="outer", sort=False)
    merged["reason_consensus"] = consensus.reason
    merged["reason_per_coder"] = per_coder.reason
    return merged.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Input


def _check_whole(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise AgreementInputError(f"{name} must be a whole number, at least {minimum}, not {value!r}")


def _control_missing(value) -> bool:
    return value is pd.NaT or is_missing(value) or (isinstance(value, str) and value.strip().lower() == "unknown")


def _control_missing_mask(values: pd.Series) -> np.ndarray:
    """``values.map(_control_missing)`` as a boolean array, asked once per distinct value
    (and once per row pandas takes as missing)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    flags = np.fromiter((_control_missing(u) for u in uniques), dtype=bool, count=len(uniques))
    out = np.append(flags, False)[codes]      # code -1: pandas' missing, decided below
    na = np.flatnonzero(codes == -1)
    if len(na):
        out[na] = [_control_missing(v) for v in values.iloc[na]]
    return out


def _rows(frame, value_col, outlet_col, coder_col, level, order, missing_values):
    """The rows with an outlet and a value on the scale, and how many were left out."""
    if not isinstance(frame, pd.DataFrame):
        raise AgreementInputError(
            f"expected a pandas DataFrame with one row per article, not {type(frame).__name__}"
        )
    if level not in MODEL_LEVELS:
        hint = (
            " -- a set variable is modelled one value at a time: pass each value's presence "
            "(0/1) as level='binary'" if level == "set" else f" -- use one of {', '.join(MODEL_LEVELS)}"
        )
        raise AgreementInputError(f"no outlet model for level {level!r}{hint}")
    needed = [value_col, outlet_col] + ([coder_col, "article_id"] if coder_col else [])
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise AgreementInputError(
            f"the table has no column {', '.join(map(repr, absent))} (it has "
            f"{', '.join(map(str, frame.columns))}) -- pass value_col=, outlet_col= "
            + ("and coder_col= naming its columns (and an article_id column)" if coder_col
               else "naming its columns")
        )
    missing_values = set(missing_values)
    keep = ~(missing_mask(frame[value_col]) | missing_mask(frame[outlet_col]))
    keep &= ~frame[value_col].isin(missing_values).to_numpy()
    if coder_col:
        keep &= ~(missing_mask(frame[coder_col]) | missing_mask(frame["article_id"]))
    data = frame.loc[keep]
    if "article_id" in data.columns:
        ids = data[["article_id", coder_col]] if coder_col else data[["article_id"]]
        dup = ids.duplicated()
        if dup.any():
            first = ids[dup].iloc[0].tolist()
            if coder_col:
                raise AgreementInputError(
                    f"article {first[0]!r} has two values from coder {first[1]!r} for "
                    f"{value_col!r} -- pass one row per article and coder"
                )
            raise AgreementInputError(
                f"article {first[0]!r} appears more than once for {value_col!r} -- pass one "
                "row per article (the consensus value), not the coders' rows; the coders' "
                "rows go to coder_sensitivity()"
            )
    observed = pd.unique(data[value_col]).tolist()
    if level == "ordinal" and order is None:
        raise CategoryOrderError("ordinal models", observed)
    if order is not None:
        order = tuple(order)
        if len(set(order)) != len(order):
            raise AgreementInputError("order contains duplicates -- list each value once")
        outside = [v for v in observed if v not in set(order)]
        if outside:
            raise AgreementInputError(
                f"{value_col!r} holds values outside order ({', '.join(map(repr, order[:8]))}): "
                f"{', '.join(map(repr, outside[:6]))} -- add them to order, or to "
                "missing_values if they are off the scale"
            )
        outcomes = tuple(v for v in order if v in set(observed))
    else:
        outcomes = tuple(sorted(observed, key=sort_key))
    if level == "binary" and len(outcomes) > 2:
        raise AgreementInputError(
            f"{value_col!r} has {len(outcomes)} values ({', '.join(map(repr, outcomes[:6]))}) "
            "but level='binary' -- use level='nominal' (multinomial) or recode to two values"
        )
    return data, outcomes, int((~keep).sum())


def _control_column(values: pd.Series) -> tuple[str, pd.Series]:
    """('numeric' | 'date' | 'categorical', the column as it enters the model)."""
    if pd.api.types.is_bool_dtype(values):
        return "numeric", values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        return "numeric", values.astype(float)
    if pd.api.types.is_datetime64_any_dtype(values) or all(
        isinstance(v, str) and _ISO_DATE.match(v) for v in pd.unique(values)
    ):
        try:
            dates = pd.to_datetime(values, format="ISO8601") if not (
                pd.api.types.is_datetime64_any_dtype(values)
            ) else values
        except (ValueError, TypeError):
            return "categorical", values
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_convert(None)
        return "date", (dates - dates.min()).dt.total_seconds() / (365.25 * 86400)
    return "categorical", values


def _native(value):
    """A numpy scalar as the Python value it holds (for messages and tables)."""
    return value.item() if isinstance(value, np.generic) else value


def _sorted_levels(values) -> list:
    return sorted(pd.unique(values).tolist(), key=sort_key)


# ---------------------------------------------------------------------------------------
# The proportional-odds model with analytic derivatives


class _CumulativeLogit(OrderedModel):
    """statsmodels' ``OrderedModel`` with ``distr="logit"`` (same parameters, same
    log-likelihood), with the logistic cdf and pdf evaluated directly
    (``scipy.special.expit``; scipy's generic ``rv_continuous.cdf`` costs more than the
    arithmetic) and with the analytic score, per-observation score and Hessian of the
    cumulative logit model (McCullagh 1980, JRSS B 42:109-142, sec. 6; Agresti 2010,
    *Analysis of Ordinal Categorical Data*, 2nd ed., Wiley, sec. 3.4.1) instead of the
    numerical derivatives of ``GenericLikelihoodModel``, whose documented hooks
    (``score``, ``score_obs``, ``hessian``) these override. statsmodels' threshold
    parameterisation is kept: the first cut point, then the logs of the increments, so
    cut point j is ``t0 + sum(exp(d_1..d_j))``.

    For observation i in category y, with ``eta = x b``, ``u = a_y - eta`` (+inf for the
    highest category) and ``l = a_(y-1) - eta`` (-inf for the lowest), the log-likelihood
    is ``log(F(u) - F(l))``; with p = F(u) - F(l), its derivatives in u and l are
    ``s_u = f(u) / p``, ``s_l = -f(l) / p`` and the second derivatives ``f'(u)/p - s_u^2``,
    ``-f'(l)/p - s_l^2`` and ``-s_u s_l``, with f = F(1 - F) and f' = f(1 - 2F); the chain
    rule through ``u`` and ``l`` (both linear in b and the cut points; the cut points are
    exponential in the d's) gives the score and the Hessian.

    ``row_weights`` (set after construction; None: every row once; not statsmodels'
    ``freq_weights``, which its sandwich estimators would act on) makes each row stand
    for that many observations: the log-likelihood, score and Hessian are the weighted
    sums, equal to those of the rows repeated. Only the start values
    (:func:`_start_from_patterns`) use it.
    """

    row_weights = None
    _cache: tuple = (None, None)

    def initialize(self):
        # GenericLikelihoodModel.initialize takes exog's rank by an SVD for df_model,
        # which OrderedModel.__init__ overwrites; the design's rank was checked already.
        self.df_model = float(self.exog.shape[1] - 1)
        self.df_resid = float(self.exog.shape[0] - self.exog.shape[1])
        LikelihoodModel.initialize(self)

    def cdf(self, x):
        return _expit(x)

    def pdf(self, x):
        p = _expit(x)
        return p * (1.0 - p)

    def loglikeobs(self, params):
        ll = super().loglikeobs(params)
        return ll if self.row_weights is None else ll * self.row_weights

    def _pieces(self, params):
        """Per observation: the gradients of u and l in the parameters (n x k, zero rows
        for an infinite bound) and their first and second log-likelihood derivatives
        (times the row's weight). The last parameters' pieces are kept: Newton asks for
        the Hessian and the score at the same point."""
        params = np.asarray(params, dtype=float)
        key = params.tobytes()
        if self._cache[0] == key:
            return self._cache[1]
        k = self.k_vars
        n_cuts = self.k_levels - 1
        y = np.asarray(self.endog, dtype=np.int64)
        low, upp = self._bounds(params)
        f_upp, f_low = self.cdf(upp), self.cdf(low)
        prob = np.maximum(f_upp - f_low, 0) + 1e-20   # as OrderedModel.loglikeobs
        d_upp, d_low = f_upp * (1 - f_upp), f_low * (1 - f_low)
        s_u, s_l = d_upp / prob, -d_low / prob
        g_uu = d_upp * (1 - 2 * f_upp) / prob - s_u**2
        g_ll = -d_low * (1 - 2 * f_low) / prob - s_l**2
        g_ul = -s_u * s_l
        exog = np.asarray(self.exog, dtype=float) if k else np.zeros((len(y), 0))
        increments = np.exp(params[k + 1:])          # exp(d_1), ..., exp(d_(J-2))
        m = np.arange(1, n_cuts)
        grad_u = np.zeros((len(y), k + n_cuts))
        grad_l = np.zeros((len(y), k + n_cuts))
        grad_u[:, :k] = -exog
        grad_l[:, :k] = -exog
        finite_u, finite_l = y <= n_cuts - 1, y >= 1
        grad_u[:, k] = finite_u
        grad_l[:, k] = finite_l
        # cut point j moves with d_m (m <= j) by exp(d_m): u's cut is y, l's is y - 1
        grad_u[:, k + 1:] = ((y[:, None] >= m) & finite_u[:, None]) * increments
        grad_l[:, k + 1:] = ((y[:, None] - 1) >= m) * increments
        if self.row_weights is not None:
            w = self.row_weights
            s_u, s_l, g_uu, g_ll, g_ul = s_u * w, s_l * w, g_uu * w, g_ll * w, g_ul * w
        pieces = grad_u, grad_l, s_u, s_l, g_uu, g_ll, g_ul
        self._cache = (key, pieces)
        return pieces

    def score_obs(self, params, **kwds):
        grad_u, grad_l, s_u, s_l = self._pieces(params)[:4]
        return grad_u * s_u[:, None] + grad_l * s_l[:, None]

    def score(self, params):
        return self.score_obs(params).sum(axis=0)

    def hessian(self, params):
        grad_u, grad_l, s_u, s_l, g_uu, g_ll, g_ul = self._pieces(params)
        cross = grad_u.T @ (g_ul[:, None] * grad_l)
        hess = (grad_u.T @ (g_uu[:, None] * grad_u) + grad_l.T @ (g_ll[:, None] * grad_l)
                + cross + cross.T)
        # the cut points' second derivatives in the d's: exp(d_m) on the diagonal, i.e.
        # the score of d_m itself
        k1 = self.k_vars + 1
        score_d = (grad_u[:, k1:] * s_u[:, None] + grad_l[:, k1:] * s_l[:, None]).sum(axis=0)
        hess[np.arange(k1, hess.shape[0]), np.arange(k1, hess.shape[0])] += score_d
        return hess


# ---------------------------------------------------------------------------------------
# The fit


def _no_fit(common: dict, reason: str, notes: list) -> OutletModel:
    return OutletModel(
        **common, model=None, reason=reason, log_likelihood=None, converged=None,
        warnings=tuple(notes),
    )


def _fit(frame, value_col, level, *, data, outlet_col, controls, order, reference,
         missing_values, confidence, min_per_outlet, min_mean_per_outlet, maxiter, coder_col):
    check_confidence(confidence)
    _check_whole("min_per_outlet", min_per_outlet, 1)
    if maxiter is not None:
        _check_whole("maxiter", maxiter, 1)
    if isinstance(controls, str):
        controls = (controls,)
    controls = tuple(controls)
    rows, outcomes, left_out = _rows(
        frame, value_col, outlet_col, coder_col, level, order, missing_values
    )

    # Controls: used when present and varying; rows missing a used control are left out.
    used, skipped, missing = [], [], {}
    for c in controls:
        if c in (value_col, outlet_col, coder_col):
            raise AgreementInputError(
                f"{c!r} cannot be a control: it is the value, outlet or coder column"
            )
        if c not in frame.columns:
            skipped.append(f"{c}: no such column")
            continue
        missing[c] = present = _control_missing_mask(rows[c])
        if rows.loc[~present, c].nunique() < 2:
            skipped.append(f"{c}: the same for every article")
            continue
        used.append(c)
    if used:
        has_all = ~np.any([missing[c] for c in used], axis=0)
        left_out += int((~has_all).sum())
        rows = rows.loc[has_all]
        # Leaving rows out may have made a control constant.
        for c in list(used):
            if rows[c].nunique() < 2:
                used.remove(c)
                skipped.append(f"{c}: the same for every article with all controls")
        if order is None:
            outcomes = tuple(sorted(pd.unique(rows[value_col]).tolist(),
                                    key=sort_key))
        else:
            kept = set(rows[value_col])
            outcomes = tuple(v for v in order if v in kept)

    outlets = _sorted_levels(rows[outlet_col])
    if reference is None:
        reference = outlets[0] if outlets else None
    elif reference not in set(outlets):
        raise AgreementInputError(
            f"reference outlet {reference!r} has no article with a value for {value_col!r} "
            f"(outlets: {', '.join(map(str, outlets))}) -- pass one of them, or None"
        )
    n_articles = (
        int(rows["article_id"].nunique()) if "article_id" in rows.columns else len(rows)
    )
    model_name = (
        "ordered_logit" if level == "ordinal" else "logit" if len(outcomes) <= 2 else "mnlogit"
    )
    common = dict(
        variable=value_col, level=level, data=data, outlet_col=outlet_col, reference=reference,
        outcomes=outcomes, controls=tuple(used), skipped_controls=tuple(skipped),
        n=len(rows), n_articles=n_articles, n_left_out=left_out,
        cov_type="cluster" if coder_col else "nonrobust", confidence=confidence,
    )
    notes: list[str] = []

    # Sample size.
    if len(rows) == 0:
        return _no_fit(common, f"no article has a value for {value_col!r}", notes)
    if len(outlets) < 2:
        return _no_fit(common, "only one outlet has articles with a value: nothing to compare", notes)
    if len(outcomes) < 2:
        return _no_fit(common, "every article has the same value: nothing to model", notes)
    if "article_id" in rows.columns:
        sizes = rows.groupby(outlet_col)["article_id"].nunique()
    else:
        sizes = rows.groupby(outlet_col).size()
    sizes = sizes.reindex(outlets)
    if (sizes < min_per_outlet).any() or sizes.mean() < min_mean_per_outlet:
        detail = ", ".join(f"{g}: {n}" for g, n in sizes.items())
        return _no_fit(common, (
            f"too few articles per outlet to fit a model ({detail}; at least "
            f"{min_per_outlet} in every outlet and {min_mean_per_outlet:g} on average needed)"
            " -- descriptives only"
        ), notes)

    # Design matrix: intercept, outlets (treatment-coded), controls, coders.
    y_codes = rows[value_col].map({v: i for i, v in enumerate(outcomes)}).to_numpy(np.int64)
    columns: dict[str, np.ndarray] = {"Intercept": np.ones(len(rows))}
    meta: dict[str, tuple[str, object]] = {"Intercept": ("intercept", None)}
    categorical: list[tuple[str, str]] = [(outlet_col, "outlet")]
    # each categorical column coded once (groups in pandas' sorted order, as pd.crosstab
    # has them), for its dummies and for the separation check
    coded = {outlet_col: pd.factorize(rows[outlet_col], sort=True)}
    codes, levels = coded[outlet_col]
    position = {v: i for i, v in enumerate(levels.tolist())}
    for g in outlets:
        if g != reference:
            name = f"{outlet_col}[T.{g}]"
            columns[name] = (codes == position[g]).astype(float)
            meta[name] = ("outlet", g)
    factors = [(c, "control") for c in used] + ([(coder_col, "coder")] if coder_col else [])
    for c, kind in factors:
        # Coders are categories even when their ids are numbers.
        how, values = ("categorical", rows[c]) if kind == "coder" else _control_column(rows[c])
        if how == "categorical":
            categorical.append((c, kind))
            coded[c] = pd.factorize(values, sort=True)
            codes, levels = coded[c]
            position = {v: i for i, v in enumerate(levels.tolist())}
            levels = sorted(position, key=sort_key)
            if len(levels) < 2:
                continue
            for v in levels[1:]:
                name = f"{c}[T.{v}]"
                columns[name] = (codes == position[v]).astype(float)
                meta[name] = (kind, v)
        else:
            columns[c] = values.to_numpy(float)
            meta[c] = (kind, None)
            if how == "date":
                notes.append(f"{c}: a date, entered as years since the earliest ({rows[c].min()})")
    exog = pd.DataFrame(columns, index=rows.index)

    reason = _separation(coded, y_codes, outcomes, categorical, model_name)
    if reason:
        return _no_fit(common, reason, notes)
    design = exog.to_numpy()
    # Full rank with the intercept (the ordinal model's cut points play its part, so a
    # set of its columns that adds up to a constant is as unidentified there). The rank
    # of X is that of X'X (k x k, cheap), whose eigenvalues are X's singular values
    # squared.
    gram = design.T @ design
    if np.linalg.matrix_rank(gram, hermitian=True) < design.shape[1]:
        culprit = next(
            exog.columns[j] for j in range(design.shape[1])
            if np.linalg.matrix_rank(gram[: j + 1, : j + 1], hermitian=True) < j + 1
        )
        return _no_fit(common, (
            f"the design is not of full rank: {culprit} is determined by the terms before it "
            "(a control confounded with outlet?) -- drop that control"
        ), notes)
    if model_name == "ordered_logit":
        design = design[:, 1:]
    n_params = design.shape[1] + (
        len(outcomes) - 1 if model_name == "ordered_logit"
        else (len(outcomes) - 2) * design.shape[1] if model_name == "mnlogit" else 0
    )
    if len(rows) <= n_params:
        return _no_fit(common, (
            f"{len(rows)} rows for {n_params} parameters: too few to fit a model -- "
            "descriptives only"
        ), notes)
    events = np.bincount(y_codes, minlength=len(outcomes)).min()
    slopes = design.shape[1] - (0 if model_name == "ordered_logit" else 1)
    if slopes and events / slopes < MIN_EVENTS_PER_PARAMETER:
        notes.append(
            f"{events / slopes:.1f} observations of the rarest value per parameter (fewer "
            f"than {MIN_EVENTS_PER_PARAMETER}): the estimates may be biased away from 0"
        )

    fit_kwargs = {"disp": 0, "maxiter": maxiter or _DEFAULT_MAXITER[model_name]}
    if coder_col:
        groups = pd.factorize(rows["article_id"])[0]
        fit_kwargs.update(cov_type="cluster", cov_kwds={"groups": groups})
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if model_name in ("logit", "mnlogit"):
                start = _multinomial_start(y_codes, design, len(outcomes), fit_kwargs["maxiter"])
                # check_rank=False: the rank was checked above
                result = (
                    Logit(y_codes.astype(float), exog, check_rank=False)
                    if model_name == "logit" else MNLogit(y_codes, exog, check_rank=False)
                ).fit(method="newton", start_params=start, **fit_kwargs)
            else:
                result = _fit_ordered(y_codes, exog.iloc[:, 1:], fit_kwargs)
    except PerfectSeparationError:
        return _no_fit(common, "perfect separation: some outlet or control predicts the value "
                       "exactly, so its odds ratio is infinite", notes)
    except np.linalg.LinAlgError as exc:
        return _no_fit(common, f"the fit failed ({exc}): the design is singular", notes)
    for w in caught:
        if issubclass(w.category, PerfectSeparationWarning):
            return _no_fit(common, "perfect separation: some outlet or control predicts the "
                           "value exactly, so its odds ratio is infinite", notes)
        text = f"{w.category.__name__}: {w.message}"
        if text not in notes:
            notes.append(text)
    converged = bool(result.mle_retvals.get("converged", False))
    if not converged:
        return OutletModel(
            **common, model=None, log_likelihood=None, converged=False,
            warnings=tuple(notes), reason=(
                f"did not converge within {fit_kwargs['maxiter']} iterations -- no estimate "
                "is shown (too little information in the data for this model?)"
            ),
        )
    table = _coefficients(result, exog, meta, model_name, outcomes, confidence)
    slope_rows = table[table["kind"] != "intercept"]
    bad = slope_rows[
        ~np.isfinite(slope_rows["estimate"]) | ~np.isfinite(slope_rows["se"])
        | (slope_rows["estimate"].abs() > MAX_ABS_LOG_ODDS)
    ]
    if len(bad):
        first = bad.iloc[0]
        return OutletModel(
            **common, model=None, log_likelihood=None, converged=converged,
            warnings=tuple(notes), reason=(
                f"estimates diverge ({first['term']}: log odds ratio {first['estimate']:.1f}, "
                f"se {first['se']:.1f}): quasi-complete separation, no finite estimate"
            ),
        )
    thresholds = ()
    if model_name == "ordered_logit":
        cuts = result.model.transform_threshold_params(result.params)
        thresholds = tuple(float(t) for t in cuts[1:-1])
    return OutletModel(
        **common, model=model_name, reason="", log_likelihood=float(result.llf),
        converged=converged, warnings=tuple(notes), thresholds=thresholds, coefficients=table,
    )


# Start values from the distinct rows only when there are this many rows per distinct row
# on average (a continuous control such as the date makes nearly every row distinct).
_MIN_ROWS_PER_PATTERN = 4


def _patterns(design: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``design`` and, per row of it, which distinct row it is."""
    table = np.ascontiguousarray(design, dtype=float)
    rows = table.view(np.dtype((np.void, table.dtype.itemsize * table.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    return table[first], inverse.ravel()


def _start_columns(design: np.ndarray, extra=None):
    """The columns of ``design`` to take start values from, and the distinct rows of those
    columns (with ``extra`` columns appended, e.g. the outcome) and per row which one it
    is: every column when the distinct rows are few (:data:`_MIN_ROWS_PER_PATTERN`), else
    the 0/1 columns alone (a continuous control such as the date makes every row distinct:
    its coefficient then starts at 0, the others from the dummies' fit); None when neither
    gives few distinct rows."""
    dummies = np.all((design == 0) | (design == 1), axis=0)
    for kept in (np.ones(design.shape[1], dtype=bool), dummies):
        table = design[:, kept] if extra is None else np.column_stack([design[:, kept], extra])
        x, which = _patterns(table)
        if len(x) * _MIN_ROWS_PER_PATTERN <= len(design):
            return kept, x, which
        if dummies.all() or not dummies.any():
            break
    return None


def _multinomial_start(y_codes, design, n_outcomes, maxiter):
    """Start values for the logistic or multinomial fit: the baseline-category logit's
    maximum-likelihood estimate from the counts of each outcome per distinct covariate
    row (the same likelihood, Agresti 2013, sec. 8.1.4; a few hundred rows instead of
    thousands), by Newton-Raphson with step halving; as statsmodels orders them (the
    coefficients of outcome 1, then of outcome 2, ...). statsmodels then fits all rows
    from there (an iteration or two) and gives the covariance. None when this does not
    converge to finite estimates, or when the rows are not few even without continuous
    columns (:func:`_start_columns`): statsmodels then starts from zeros."""
    chosen = _start_columns(design)
    if chosen is None:
        return None
    kept, x, which = chosen
    k, j = x.shape[1], n_outcomes - 1
    counts = np.bincount(which * n_outcomes + y_codes, minlength=len(x) * n_outcomes)
    counts = counts.reshape(len(x), n_outcomes).astype(float)
    size = counts.sum(axis=1)

    def loglike(beta):
        eta = np.column_stack([np.zeros(len(x)), x @ beta.reshape(k, j, order="F")])
        eta -= eta.max(axis=1, keepdims=True)
        logp = eta - np.log(np.exp(eta).sum(axis=1, keepdims=True))
        return float((counts * logp).sum()), np.exp(logp)

    beta = np.zeros(k * j)
    ll, prob = loglike(beta)
    with np.errstate(all="ignore"):
        for _ in range(maxiter):
            p = prob[:, 1:]
            score = (x.T @ (counts[:, 1:] - size[:, None] * p)).ravel(order="F")
            hess = np.empty((k * j, k * j))
            for a in range(j):
                for b in range(a, j):
                    w = size * p[:, a] * ((a == b) - p[:, b])
                    block = (x * w[:, None]).T @ x
                    hess[a * k:(a + 1) * k, b * k:(b + 1) * k] = block
                    hess[b * k:(b + 1) * k, a * k:(a + 1) * k] = block.T
            try:
                step = np.linalg.solve(hess, score)
            except np.linalg.LinAlgError:
                return None
            for _ in range(30):              # halve the step until the likelihood rises
                new_ll, new_prob = loglike(beta + step)
                if np.isfinite(new_ll) and new_ll >= ll - 1e-12 * abs(ll):
                    break
                step = step / 2
            else:
                return None
            beta, ll, prob = beta + step, new_ll, new_prob
            if np.abs(step).max() < 1e-10:
                if not np.isfinite(beta).all():
                    return None
                full = np.zeros((design.shape[1], j))
                full[kept] = beta.reshape(k, j, order="F")
                return full.ravel(order="F")
    return None


def _start_from_patterns(y_codes, design, maxiter):
    """Start values for the proportional-odds fit: its maximum-likelihood estimate on the
    distinct (covariates, value) rows, each weighted by how often it occurs -- the same
    likelihood (a few hundred rows instead of thousands: the covariates are outlet,
    control and coder dummies), so the fit on all rows that starts there converges in an
    iteration or two, with statsmodels' own covariance (clustered or not) on the rows as
    they are (a continuous column, left out of the distinct rows, starts at 0: see
    :func:`_start_columns`). None when that fit does not converge to finite estimates, or
    when the rows are not few."""
    chosen = _start_columns(design, extra=y_codes)
    if chosen is None:
        return None
    kept, table, which = chosen
    model = _CumulativeLogit(
        table[:, -1].astype(np.int64), table[:, :-1], distr="logit", hasconst=False
    )
    model.row_weights = np.bincount(which, minlength=len(table)).astype(float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = model.fit(method="newton", disp=0, maxiter=maxiter, skip_hessian=True)
    except np.linalg.LinAlgError:
        return None
    params = np.asarray(result.params)
    if not result.mle_retvals.get("converged", False) or not np.isfinite(params).all():
        return None
    full = np.zeros(design.shape[1])
    full[kept] = params[: kept.sum()]
    return np.concatenate([full, params[kept.sum():]])


def _fit_ordered(y_codes, exog, fit_kwargs):
    """The proportional-odds fit: Newton-Raphson with the analytic derivatives of
    :class:`_CumulativeLogit` (at most :data:`_NEWTON_MAXITER` iterations); when it does
    not converge to a finite maximum (a singular Hessian, estimates running off), the BFGS
    fit of before, whose outcome the caller judges (no convergence, diverging estimates).
    Warnings of a Newton attempt that is not kept are dropped."""
    # hasconst=False: no implicit constant, by the rank check with the intercept
    model = _CumulativeLogit(y_codes, exog, distr="logit", hasconst=False)
    newton = dict(fit_kwargs, maxiter=min(fit_kwargs["maxiter"], _NEWTON_MAXITER))
    start = _start_from_patterns(y_codes, exog.to_numpy(dtype=float), newton["maxiter"])
    if start is not None:
        newton["start_params"] = start
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = model.fit(method="newton", **newton)
        kept = (
            result.mle_retvals.get("converged", False)
            and np.all(np.isfinite(result.params)) and np.all(np.isfinite(result.bse))
        )
    except np.linalg.LinAlgError:
        kept = False
    if kept:
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return result
    return model.fit(method="bfgs", **fit_kwargs)


def _separation(coded, y_codes, outcomes, categorical, model_name) -> str:
    """Why the maximum-likelihood estimate does not exist, or ''. Checks each outlet (and
    each value of a categorical control or coder) for the patterns that make its
    coefficient infinite (Albert & Anderson 1984): in the groups x outcomes counts
    (``coded``: each column's codes and levels, sorted; ``y_codes``: the outcomes'
    positions), groups in sorted order."""
    j = len(outcomes)
    for col, kind in categorical:
        codes, levels = coded[col]
        table = np.bincount(codes * j + y_codes, minlength=len(levels) * j).reshape(-1, j)
        for group, counts in zip(levels.tolist(), table, strict=True):
            group = _native(group)
            label = f"{kind} {group!r}" if kind != "control" else f"{col} = {group!r}"
            if model_name == "ordered_logit":
                held = np.flatnonzero(counts)
                if len(held) == 1 and held[0] in (0, j - 1):
                    value = _native(outcomes[held[0]])
                    end = "lowest" if held[0] == 0 else "highest"
                    return (
                        f"perfect separation: every article of {label} has the {end} value "
                        f"{value!r}, so its odds ratio is infinite -- no estimate"
                    )
            else:
                zero = np.flatnonzero(counts == 0)
                if len(zero):
                    return (
                        f"perfect separation: no article of {label} has the value "
                        f"{_native(outcomes[zero[0]])!r}, so its odds ratio is infinite -- no "
                        "estimate (merge rare values, or compare with Fisher's exact test)"
                    )
    return ""


def _coefficients(result, exog, meta, model_name, outcomes, confidence) -> pd.DataFrame:
    """The tidy coefficient table of a fitted statsmodels result."""
    alpha = 1 - confidence
    names = list(exog.columns)
    if model_name == "mnlogit":
        k, j = len(names), len(outcomes) - 1
        est = np.asarray(result.params).reshape(k, j)
        se = np.asarray(result.bse).reshape(k, j)
        p = np.asarray(result.pvalues).reshape(k, j)
        ci = np.asarray(result.conf_int(alpha=alpha)).reshape(j, k, 2)
        rows = []
        for o in range(j):
            for t, name in enumerate(names):
                rows.append((name, outcomes[o + 1], est[t, o], se[t, o], ci[o, t, 0],
                             ci[o, t, 1], p[t, o]))
    else:
        if model_name == "ordered_logit":
            names = names[1:]
        ci = np.asarray(result.conf_int(alpha=alpha))
        est = np.asarray(result.params)
        se = np.asarray(result.bse)
        p = np.asarray(result.pvalues)
        outcome = outcomes[-1] if model_name == "logit" else None
        rows = [
            (name, outcome, est[t], se[t], ci[t, 0], ci[t, 1], p[t])
            for t, name in enumerate(names)
        ]
    table = pd.DataFrame(rows, columns=["term", "outcome", "estimate", "se", "ci_low",
                                        "ci_high", "p_value"])
    table.insert(1, "kind", [meta[t][0] for t in table["term"]])
    table.insert(2, "group", [meta[t][1] for t in table["term"]])
    for col in ("estimate", "se", "ci_low", "ci_high", "p_value"):
        table[col] = table[col].astype(float)
    with np.errstate(over="ignore"):   # a diverging estimate is refused by the caller
        table["odds_ratio"] = np.exp(table["estimate"])
        table["or_ci_low"] = np.exp(table["ci_low"])
        table["or_ci_high"] = np.exp(table["ci_high"])
    return table[list(COEFFICIENT_COLUMNS)].reset_index(drop=True)
