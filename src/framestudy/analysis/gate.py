"""The reliability gate: which variables enter the outlet comparison.

Krippendorff's standard for drawing conclusions from coded data is alpha >= .800; where
tentative conclusions are still acceptable, .667 is the lowest limit (Krippendorff 2004,
*Content Analysis: An Introduction to Its Methodology*, 2nd ed., p. 241). The gate applies
it to each variable of the study's agreement table (``analysis/agreement.csv``, the
columns of :data:`framestudy.analysis.variable_agreement.RESULT_COLUMNS`): a variable
whose alpha reaches ``threshold`` enters the comparison, marked ``tentative`` while it is
below ``tentative_below``; one that does not is kept in the output, ``excluded``, with the
reason (alpha below the threshold, or alpha undefined and why). The settings are
:class:`framestudy.settings.GateSettings` (``analysis.gate`` in ``study.yaml``); every
output row carries them, so a result always says which gate made it.

Reading the lower end of alpha's bootstrap CI (``statistic: ci_low``) instead of alpha
asks that the reliability data rule out an alpha below the threshold, not only that the
estimate clears it: the use of alpha's sampling distribution Hayes & Krippendorff (2007,
*Communication Methods and Measures* 1(1):77-89) recommend, by reporting the probability
that alpha falls below the required minimum.

Pure: a DataFrame in, a DataFrame out, nothing read or written.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from framestudy.analysis.data import (
    AgreementInputError,
    check_table,
    number_column,
    text_column,
)
from framestudy.settings import GateSettings

#: one row per gated variable (span labels: per label), in the agreement table's order
GATE_COLUMNS = [
    "variable",
    "category",
    "metric",
    "alpha",
    "ci_low",
    "ci_high",
    "statistic_used",
    "decision",
    "reason",
    "threshold",
    "tentative_below",
]
DECISIONS = ("reliable", "tentative", "excluded", "overridden")
#: the decisions that let a variable into the outlet comparison
ADMITTED = ("reliable", "tentative", "overridden")

#: the metric of a variable as a whole in :func:`~framestudy.analysis.variable_agreement.study_agreement`
#: (the others -- per-value binary alphas, presence alphas, span F1 -- describe a part of it)
VARIABLE_METRICS = (
    "alpha_nominal",
    "alpha_ordinal",
    "alpha_masi",
    "alpha_nominal_matched_spans",
    "alpha_masi_matched_spans",
)
#: gated per span label (``category`` = the label); the pooled row only when there is none
PER_LABEL_METRICS = ("unitizing_alpha",)

_NEEDED = ("variable", "metric", "category", "outlet", "estimate", "ci_low", "ci_high", "reason")
_ALL = "all"
_WORDS = {"estimate": "α", "ci_low": "the lower end of α's CI"}


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return number_column(frame, column, "the agreement table",
                         "pass the table study_agreement() returns (analysis/agreement.csv)")


def _check(agreement: pd.DataFrame, settings: GateSettings | None) -> GateSettings:
    check_table(
        agreement, _NEEDED, "the agreement table",
        "pass the study-mode table (`framestudy agreement` on a study writes it to "
        "analysis/agreement.csv; study_agreement() returns it)",
    )
    if settings is None:
        return GateSettings()
    if not isinstance(settings, GateSettings):
        raise AgreementInputError(
            f"settings must be a framestudy.settings.GateSettings (or None for the defaults), "
            f"not {type(settings).__name__} -- e.g. GateSettings(statistic='ci_low')"
        )
    return settings


def _gated_rows(agreement: pd.DataFrame) -> pd.DataFrame:
    """The rows the gate reads: per variable the pooled row of its alpha, per span label
    for span variables; an error for a variable that has none."""
    table = agreement.assign(
        variable=text_column(agreement, "variable"),
        metric=text_column(agreement, "metric"),
        category=text_column(agreement, "category"),
        outlet=text_column(agreement, "outlet"),
        reason=text_column(agreement, "reason"),
    )
    pooled = table[table["outlet"] == _ALL]
    whole = pooled["metric"].isin(VARIABLE_METRICS) & (pooled["category"] == "")
    per_label = pooled["metric"].isin(PER_LABEL_METRICS)
    labelled = set(pooled.loc[per_label & (pooled["category"] != ""), "variable"])
    # a span variable's pooled alpha_U stands in only when no label has a row (e.g. the
    # lengths were unknown), so that the variable is still shown, with its reason
    per_label &= (pooled["category"] != "") | ~pooled["variable"].isin(labelled)
    rows = pooled[whole | per_label]
    orphans = [v for v in pd.unique(table["variable"]) if v not in set(rows["variable"])]
    if orphans:
        raise AgreementInputError(
            f"the agreement table has no pooled alpha row (outlet 'all', metric one of "
            f"{', '.join(VARIABLE_METRICS + PER_LABEL_METRICS)}) for variable {orphans[0]!r} "
            "-- pass the whole table study_agreement() returns, not a selection of its rows"
        )
    twice = rows.duplicated(["variable", "metric", "category"])
    if twice.any():
        first = rows[twice].iloc[0]
        where = f" ({first['category']})" if first["category"] else ""
        raise AgreementInputError(
            f"the agreement table has two pooled rows for {first['variable']}{where}, "
            f"{first['metric']} -- pass one study's table, not several concatenated"
        )
    return rows


def _shown(value: float, limit: float) -> str:
    """``value`` to three decimals, or as many more (up to six) as it takes not to read as
    ``limit`` when it differs from it (.6669 is below .667: it must not print as 0.667)."""
    for digits in range(3, 7):
        text = f"{value:.{digits}f}"
        if value == limit or text != f"{limit:.{digits}f}":
            return text
    return text


def _decide(value: float, estimate: float, why: str, s: GateSettings) -> tuple[str, str]:
    """(decision, reason) for one row, the gate not overridden."""
    name = _WORDS[s.statistic]
    if math.isnan(estimate):
        return "excluded", f"α undefined: {why or 'no reason given'}"
    if math.isnan(value):
        return "excluded", (
            f"α = {estimate:.3f} has no confidence interval and the gate reads its lower end "
            "-- compute agreement with a bootstrap (n_boot > 0), or set "
            "analysis.gate.statistic: estimate"
        )
    if value < s.threshold:
        shown = _shown(value, s.threshold)
        return "excluded", f"{name} = {shown} is below the threshold {s.threshold:.3f}"
    if value < s.tentative_below:
        shown = _shown(value, s.tentative_below)
        return "tentative", (
            f"{name} = {shown} is below {s.tentative_below:.3f}: tentative conclusions only"
        )
    return "reliable", ""


def gate(
    agreement: pd.DataFrame, settings: GateSettings | None = None, *, override: bool = False
) -> pd.DataFrame:
    """Decide, per variable, whether it enters the outlet comparison.

    ``agreement`` is the study-mode agreement table
    (:func:`~framestudy.analysis.variable_agreement.study_agreement`, or
    ``analysis/agreement.csv`` read back: an empty cell may be NaN). Per variable the gate
    reads the pooled row (``outlet == "all"``, ``category == ""``) of the alpha of the
    variable as a whole (:data:`VARIABLE_METRICS`); a span variable is gated per label,
    on each label's alpha_U (:data:`PER_LABEL_METRICS`). Per-outlet rows, the per-value
    binary alphas of set variables, presence alphas and span F1 are not read.

    ``settings`` (:class:`~framestudy.settings.GateSettings`, the defaults when None) says
    which statistic is read -- ``estimate`` (alpha) or ``ci_low`` (the lower end of its
    CI) -- and the two limits, by default Krippendorff's (2004, *Content Analysis*, 2nd
    ed., p. 241): the statistic at or above ``threshold`` (.667) passes, and below
    ``tentative_below`` (.800) it passes as ``tentative``.

    Returns one row per gated variable (per label for spans), in the table's order, with
    the columns :data:`GATE_COLUMNS`:

    - ``variable``, ``category`` (the span label, else ``""``), ``metric``;
    - ``alpha``, ``ci_low``, ``ci_high``: the agreement table's estimate and CI;
    - ``statistic_used``: ``estimate`` or ``ci_low``;
    - ``decision``: ``reliable``, ``tentative``, ``excluded`` or, with ``override=True``,
      ``overridden`` for every row;
    - ``reason``: why a variable is tentative or excluded (its statistic against the
      limit, or why alpha is undefined); with ``override=True``, "gate overridden" and
      what the gate would have decided; empty for a reliable variable;
    - ``threshold``, ``tentative_below``: the gate's limits.

    ``attrs["gate"]`` holds the settings and ``overridden``. ``override=True`` (the command
    line's ``--no-gate``) lets every variable through. Raises
    :class:`~framestudy.analysis.data.AgreementInputError` for a table without the study
    mode's columns, a variable without a pooled alpha row, a variable's pooled row twice,
    or ``settings`` that are not a ``GateSettings``.
    """
    s = _check(agreement, settings)
    if not isinstance(override, bool | np.bool_):
        raise AgreementInputError(f"override must be True or False, not {override!r}")
    rows = _gated_rows(agreement)
    estimate = _numbers(rows, "estimate")
    low = _numbers(rows, "ci_low")
    value = estimate if s.statistic == "estimate" else low
    decisions, reasons = [], []
    for v, e, why in zip(value, estimate, rows["reason"], strict=True):
        decision, reason = _decide(v, e, why, s)
        if override:
            decision, reason = "overridden", (
                f"gate overridden; it would say {decision}" + (f": {reason}" if reason else "")
            )
        decisions.append(decision)
        reasons.append(reason)
    out = pd.DataFrame(
        {
            "variable": rows["variable"].to_numpy(),
            "category": rows["category"].to_numpy(),
            "metric": rows["metric"].to_numpy(),
            "alpha": estimate.to_numpy(),
            "ci_low": low.to_numpy(),
            "ci_high": _numbers(rows, "ci_high").to_numpy(),
            "statistic_used": s.statistic,
            "decision": decisions,
            "reason": reasons,
            "threshold": s.threshold,
            "tentative_below": s.tentative_below,
        },
        columns=GATE_COLUMNS,
    )
    out.attrs["gate"] = {**s.model_dump(), "overridden": bool(override)}
    return out


def admitted(gated: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`gate`'s result that enter the outlet comparison (decision
    ``reliable``, ``tentative`` or ``overridden``)."""
    missing = [c for c in ("variable", "category", "decision") if c not in gated.columns]
    if missing:
        raise AgreementInputError(
            f"the gate table has no {missing[0]!r} column -- pass the result of gate()"
        )
    kept = gated[gated["decision"].isin(ADMITTED)]
    kept.attrs = dict(gated.attrs)
    return kept
