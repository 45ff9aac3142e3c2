"""How framing differs by outlet: the study's outlet comparison, from its tables.

One pure function, :func:`outlet_analysis`, chains the pieces (docs/outlets.md):

1. consensus values, one per article and variable with their provenance
   (:func:`framestudy.analysis.consensus.consensus`);
2. the reliability gate on the agreement table (:func:`framestudy.analysis.gate.gate`):
   only admitted variables are tested; excluded ones are listed with the gate's reason;
3. for every document-level variable, each value of a set variable and each span label's
   presence: the share of each outlet's articles with each value, with Wilson intervals
   (:func:`~framestudy.analysis.outlet_stats.prevalence`), and the comparison across outlets
   (:func:`~framestudy.analysis.outlet_stats.compare_outlets`: a test chosen by Cochran's
   rule, Cramér's V with a bootstrap interval, pairwise outlets with Holm's correction), the
   tests corrected across variables by Holm's method
   (:func:`~framestudy.analysis.outlet_stats.adjust_across_variables`).

A variable's "missing" answers (``missing_values`` in the registry, e.g. ``NA``, not
addressed) are compared like its other values: whether an outlet addresses a question at
all is part of how it frames it. Unresolved consensus values (a tie) are left out of the
comparison; the consensus table shows them.

4. for every admitted document variable and every value of an admitted set variable: the
   regression on outlet (:func:`~framestudy.analysis.outlet_models.outlet_model`: logistic,
   multinomial or proportional-odds as the registry's level requires; Agresti 2013,
   *Categorical Data Analysis*, 3rd ed., chs. 5 and 8), with the article's consensus
   ``genre`` as a control where the study codes it, and beside it the coder sensitivity run
   (:func:`~framestudy.analysis.outlet_models.coder_sensitivity`: the coders' own values,
   coder as a fixed effect, standard errors clustered by article). An ordinal variable's
   missing values (``NA``, not addressed) are off its scale and left out of its model;
5. correspondence analysis (:func:`~framestudy.analysis.correspondence.
   correspondence_analysis`; Greenacre 2007, *Correspondence Analysis in Practice*, 2nd
   ed.) of outlet x blamed actor (``blame_primary``) and outlet x favoured arrangement
   (``guarantee_favoured``), when the registry has them and the gate admits them.

Span attributes (values per matched span, not per article), span densities and span
labels' models are not part of this function yet; neither is the ``date`` control (it is
in ``tasks.json``, which this function does not read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from framestudy.analysis.consensus import consensus
from framestudy.analysis.correspondence import correspondence_analysis, crosstab
from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.gate import ADMITTED, gate
from framestudy.analysis.outlet_stats import adjust_across_variables, compare_outlets, prevalence
from framestudy.settings import GateSettings

if TYPE_CHECKING:  # statsmodels.api takes a third of a second to import: only when fitting
    from framestudy.analysis.outlet_models import OutletModel

#: the value a set variable's member or a span label takes in the consensus table
PRESENCE = ("present", "absent")

#: the control every model adjusts for when the study codes it (the article's consensus)
CONTROL = "genre"

#: the correspondence analyses: (name in ``table``, registry variable)
CA_TABLES = (("outlet x blamed actor", "blame_primary"),
             ("outlet x favoured arrangement", "guarantee_favoured"))

#: the reason of every model row when the models were not requested
NOT_REQUESTED = "not modelled: models not requested (framestudy outlets --models)"

#: columns of :attr:`OutletAnalysis.models` (analysis/outlet_models.csv)
MODEL_COLUMNS = (
    "variable", "category", "decision", "level", "model", "controls", "note",
    "n_consensus", "n_per_coder", "term", "group", "outcome",
    "estimate_consensus", "ci_low_consensus", "ci_high_consensus", "p_value_consensus",
    "odds_ratio_consensus", "estimate_per_coder", "ci_low_per_coder", "ci_high_per_coder",
    "p_value_per_coder", "odds_ratio_per_coder", "reason_consensus", "reason_per_coder",
)

#: columns of :attr:`OutletAnalysis.ca` (analysis/outlet_ca.csv)
CA_COLUMNS = (
    "table", "variable", "decision", "n", "total_inertia", "part", "dimension",
    "principal_inertia", "share", "side", "label", "mass", "coordinate", "contribution",
    "cos2", "reason",
)


@dataclass
class OutletAnalysis:
    """The outlet comparison of a study; each table is tidy (docs/outlets.md, "Files").

    ``consensus``: :data:`~framestudy.analysis.consensus.CONSENSUS_COLUMNS`. ``gate``:
    :data:`~framestudy.analysis.gate.GATE_COLUMNS`. ``prevalence``: ``variable, category,
    decision, outlet, value, count, n, share, ci_low, ci_high``. ``tests``: ``variable,
    category, decision`` and :data:`~framestudy.analysis.outlet_stats.RESULT_COLUMNS`, with
    ``p_adjusted`` and ``adjustment``. ``pairs``: ``variable, category`` and
    :data:`~framestudy.analysis.outlet_stats.PAIRWISE_COLUMNS`. ``models``:
    :data:`MODEL_COLUMNS`, one row per outlet term (and outcome value) of each modelled
    variable, the consensus model beside the coder sensitivity run; one row with the
    reasons when neither gives an estimate. ``ca``: :data:`CA_COLUMNS`, per correspondence
    analysis its inertias (``part`` = ``inertia``) and coordinates (``coordinate``), or one
    ``part`` = ``reason`` row when it could not be made.
    """

    consensus: pd.DataFrame
    gate: pd.DataFrame
    prevalence: pd.DataFrame
    tests: pd.DataFrame
    pairs: pd.DataFrame
    overridden: bool
    models: pd.DataFrame
    ca: pd.DataFrame


def _comparisons(registry: Sequence[Mapping]) -> list[tuple[str, str, tuple]]:
    """(variable, category, value domain) of every comparison the study makes: a document
    variable as a whole, each member of a set variable, each span label's presence."""
    out = []
    for record in registry:
        values = tuple(str(v) for v in (record.get("values") or record.get("labels") or []))
        if record.get("kind") == "document" and not record.get("multiple"):
            # "not addressed" and the like are answers too: an outlet that never addresses
            # a question frames it by that
            missing = tuple(str(v) for v in record.get("missing_values") or [])
            out.append((record["variable"], "", values + missing))
        elif record.get("kind") == "document" or record.get("kind") == "span_label":
            out += [(record["variable"], value, PRESENCE) for value in values]
    return out


def _answered(values: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """The consensus values that hold a value (``article_id, outlet, value``), per
    (variable, category): the table is split once, not filtered per question."""
    kept = values.loc[values["value"].astype(str) != "", ["variable", "category", "article_id",
                                                          "outlet", "value"]]
    return {
        key: rows[["article_id", "outlet", "value"]]
        for key, rows in kept.groupby(["variable", "category"], sort=False)
    }


def _no_answer() -> pd.DataFrame:
    return pd.DataFrame(columns=["article_id", "outlet", "value"])


def _decision(gated: pd.DataFrame, variable: str, category: str) -> tuple[str, str]:
    """The gate's (decision, reason) for a comparison: a span label has its own row, a set
    member takes its variable's."""
    rows = gated[(gated["variable"] == variable) & (gated["category"] == category)]
    if rows.empty:
        rows = gated[(gated["variable"] == variable) & (gated["category"] == "")]
    if rows.empty:
        return "excluded", "no agreement result for this variable -- run `framestudy agreement`"
    return str(rows["decision"].iloc[0]), str(rows["reason"].iloc[0])


def outlet_analysis(
    annotations: pd.DataFrame,
    registry: Sequence[Mapping],
    agreement: pd.DataFrame,
    *,
    settings: GateSettings | None = None,
    override: bool = False,
    seed: int = 0,
    n_boot: int = 1000,
    n_resamples: int = 9999,
    models: bool = True,
) -> OutletAnalysis:
    """The study's outlet comparison (see the module docstring for what it computes).

    ``annotations``: the tidy table; ``registry``: the schema registry records;
    ``agreement``: the study-mode agreement table (``analysis/agreement.csv``);
    ``settings``: the gate's (defaults: α ≥ .667 admits, below .800 tentative);
    ``override``: let every variable through (said in every output). ``seed`` fixes every
    random draw (Monte Carlo tests, bootstrap intervals). ``models=False`` skips the
    regressions (the slow part on large studies): every modelled question then has one row
    saying that its models were not requested.
    """
    values = consensus(annotations, registry)
    answered = _answered(values)
    gated = gate(agreement, settings, override=override)
    prevalences, tests, pairs = [], [], []
    for variable, category, domain in _comparisons(registry):
        decision, reason = _decision(gated, variable, category)
        rows = answered.get((variable, category), _no_answer())
        shares = prevalence(rows, "value", values=domain)
        prevalences.append(shares.assign(variable=variable, category=category, decision=decision))
        if decision not in ADMITTED:
            tests.append(
                pd.DataFrame(
                    [{"variable": variable, "category": category, "decision": decision,
                      "by": "outlet", "n": len(rows),
                      "reason": f"not tested: the reliability gate excluded it ({reason})"}]
                )
            )
            continue
        result = compare_outlets(
            rows, "value", values=domain, seed=seed, n_boot=n_boot, n_resamples=n_resamples
        )
        tests.append(
            result.to_frame().assign(variable=variable, category=category, decision=decision)
        )
        pairs.append(result.pairwise.assign(variable=variable, category=category))
    first = ["variable", "category", "decision"]
    tests_frame = adjust_across_variables(pd.concat(tests, ignore_index=True))
    tests_frame = tests_frame[first + [c for c in tests_frame.columns if c not in first]]
    prevalence_frame = pd.concat(prevalences, ignore_index=True)
    prevalence_frame = prevalence_frame[
        first + [c for c in prevalence_frame.columns if c not in first]
    ]
    pairs_frame = (
        pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame(columns=["variable"])
    )
    pairs_frame = pairs_frame[
        ["variable", "category"] + [c for c in pairs_frame.columns if c not in first]
    ] if len(pairs_frame.columns) > 1 else pairs_frame
    model_frame = _models(answered, annotations, registry, gated, fit=models)
    ca = _correspondence(answered, registry, gated)
    return OutletAnalysis(
        values, gated, prevalence_frame, tests_frame, pairs_frame, override, model_frame, ca
    )


# ---------------------------------------------------------------------------------------
# Models


def _split_coders(annotations: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The annotations per variable, and who coded which article (``article_id, outlet,
    coder``): made once for every question's :func:`_per_coder`."""
    by_variable = dict(tuple(annotations.groupby("variable", sort=False)))
    return by_variable, annotations[["article_id", "outlet", "coder"]].drop_duplicates()


def _per_coder(
    by_variable: Mapping[str, pd.DataFrame], coders: pd.DataFrame, variable: str, category: str
) -> pd.DataFrame:
    """The coders' own values of one question, one row per article and coder (``article_id,
    outlet, coder, value``). A one-value variable: the coder's value; a coder who gave none
    or two has no row. A set member (``category``): ``present``/``absent`` for every coder
    of the article (any row for it: ``coders``), as in the consensus. ``by_variable``: the
    annotations split by variable."""
    rows = by_variable.get(variable, pd.DataFrame(columns=["article_id", "outlet", "coder",
                                                           "value"]))
    if category:
        chose = rows.loc[rows["value"].astype(str) == category, ["article_id", "coder"]]
        chose = set(zip(chose["article_id"], chose["coder"], strict=True))
        present = [(a, c) in chose for a, c in zip(coders["article_id"], coders["coder"],
                                                     strict=True)]
        return coders.assign(value=["present" if p else "absent" for p in present])
    rows = rows[rows["value"].notna() & (rows["value"].astype(str) != "")]
    rows = rows[["article_id", "outlet", "coder", "value"]].drop_duplicates()
    once = ~rows.duplicated(["article_id", "coder"], keep=False)
    return rows[once].assign(value=lambda f: f["value"].astype(str))


def _model_rows(consensus_model: OutletModel, per_coder: OutletModel) -> pd.DataFrame:
    """The outlet terms beside each other, or one row with both reasons."""
    from framestudy.analysis.outlet_models import beside

    table = beside(consensus_model, per_coder)
    if table.empty:
        table = pd.DataFrame([{"reason_consensus": consensus_model.reason,
                               "reason_per_coder": per_coder.reason}])
    return table.assign(
        model=consensus_model.model or per_coder.model or "",
        controls=", ".join(consensus_model.controls),
        n_consensus=consensus_model.n, n_per_coder=per_coder.n,
    )


def _models(answered: Mapping[tuple[str, str], pd.DataFrame], annotations: pd.DataFrame,
            registry: Sequence[Mapping], gated: pd.DataFrame, *, fit: bool = True
            ) -> pd.DataFrame:
    """Every admitted document variable (and set member) regressed on outlet, the
    consensus model beside the coder sensitivity run (:data:`MODEL_COLUMNS`); with
    ``fit=False`` one row per question saying the models were not requested."""
    if fit:
        from framestudy.analysis.outlet_models import coder_sensitivity, outlet_model

        by_variable, coders = _split_coders(annotations)
    names = {r["variable"] for r in registry}
    control = answered.get((CONTROL, ""), _no_answer())[["article_id", "value"]]
    control = control.rename(columns={"value": CONTROL})
    parts = []
    for record in registry:
        if record.get("kind") != "document":
            continue
        variable = record["variable"]
        order = [str(v) for v in record.get("values") or []]
        missing = [str(v) for v in record.get("missing_values") or []]
        if record.get("multiple"):
            questions = [(v, "binary", list(PRESENCE[::-1]), []) for v in order]
        elif record.get("level") == "ordinal":
            questions = [("", "ordinal", order, missing)]
        else:
            questions = [("", "nominal", order + missing, [])]
        for category, level, domain, off_scale in questions:
            decision, reason = _decision(gated, variable, category)
            facts = {"variable": variable, "category": category, "decision": decision,
                     "level": level}
            note = (f"{', '.join(off_scale)} (not addressed) left out of the ordinal scale"
                    if off_scale else "")
            if decision not in ADMITTED or not fit:
                why = (f"not modelled: the reliability gate excluded it ({reason})"
                       if decision not in ADMITTED else NOT_REQUESTED)
                parts.append(pd.DataFrame([{**facts, "reason_consensus": why,
                                            "reason_per_coder": why}]))
                continue
            controls = [CONTROL] if CONTROL in names and variable != CONTROL else []
            rows = answered.get((variable, category), _no_answer())
            coded = _per_coder(by_variable, coders, variable, category)
            if controls:
                rows = rows.merge(control, on="article_id", how="left")
                coded = coded.merge(control, on="article_id", how="left")
            options = {"controls": controls, "order": domain, "missing_values": off_scale}
            try:
                fitted = outlet_model(rows, "value", level, **options)
                sensitivity = coder_sensitivity(coded, "value", level, **options)
            except AgreementInputError as exc:  # e.g. a value outside the registry's
                why = f"not modelled: {exc}"
                parts.append(pd.DataFrame([{**facts, "reason_consensus": why,
                                            "reason_per_coder": why}]))
                continue
            parts.append(_model_rows(fitted, sensitivity).assign(**facts, note=note))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return frame.reindex(columns=list(MODEL_COLUMNS))


# ---------------------------------------------------------------------------------------
# Correspondence analysis


def _correspondence(answered: Mapping[tuple[str, str], pd.DataFrame],
                    registry: Sequence[Mapping], gated: pd.DataFrame) -> pd.DataFrame:
    """The correspondence analyses of :data:`CA_TABLES` (:data:`CA_COLUMNS`)."""
    records = {r["variable"]: r for r in registry}
    parts = []
    for name, variable in CA_TABLES:
        facts = {"table": name, "variable": variable}
        if variable not in records:
            parts.append(pd.DataFrame([{**facts, "part": "reason",
                                        "reason": "the schema has no such variable"}]))
            continue
        decision, reason = _decision(gated, variable, "")
        facts["decision"] = decision
        if decision not in ADMITTED:
            parts.append(pd.DataFrame([{
                **facts, "part": "reason",
                "reason": f"not analysed: the reliability gate excluded it ({reason})",
            }]))
            continue
        record = records[variable]
        domain = [str(v) for v in (record.get("values") or [])]
        domain += [str(v) for v in (record.get("missing_values") or [])]
        rows = answered.get((variable, ""), _no_answer())
        try:
            result = correspondence_analysis(crosstab(rows, "outlet", "value", values=domain))
        except AgreementInputError as exc:
            parts.append(pd.DataFrame([{**facts, "part": "reason",
                                        "reason": f"not analysed: {exc}"}]))
            continue
        facts.update(n=result.n, total_inertia=result.total_inertia, reason=result.reason)
        inertias = result.inertias.assign(part="inertia", **facts)
        points = result.points[["side", "label", "mass"]]
        coordinates = result.coordinates.merge(points, on=["side", "label"], how="left")
        coordinates = coordinates.assign(part="coordinate", **facts)
        if inertias.empty and coordinates.empty:
            parts.append(pd.DataFrame([{**facts, "part": "reason"}]))
            continue
        parts += [inertias, coordinates]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return frame.reindex(columns=list(CA_COLUMNS))
