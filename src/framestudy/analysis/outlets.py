"""How framing differs by outlet: the study's outlet comparison, from its tables.

One pure function, :func:`outlet_analysis`, chains the pieces (docs/outlets.md):

1. consensus values, one per article and variable with their provenance
   (:func:`framestudy.analysis.consensus.consensus`);
2. the reliability gate on the agreement table (:func:`framestudy.analysis.gate.gate`):
   only admitted variables are tested; excluded ones are listed with the gate's reason;
3. for every document-level variable, each value of a set variable and each span label's
   presence: the share of each group's articles with each value, with Wilson intervals
   (:func:`~framestudy.analysis.outlet_stats.prevalence`), and the comparison across the
   groups (:func:`~framestudy.analysis.outlet_stats.compare_outlets`: a test chosen by
   Cochran's rule, Cramér's V with a bootstrap interval, pairwise groups with Holm's
   correction), the tests corrected across variables by Holm's method
   (:func:`~framestudy.analysis.outlet_stats.adjust_across_variables`). The groups are the
   outlets and, given the outlet registry (``tasks/outlets.yaml``), the outlets' ``type``,
   ``country`` and ``language`` (:func:`~framestudy.analysis.outlet_stats.
   with_outlet_attributes`); each grouping (``by``) is its own family for Holm's correction;
4. ordinal variables as distributions per group with their median and quartiles
   (:func:`~framestudy.analysis.outlet_stats.ordinal_summary`), missing values (``NA``)
   counted apart, off the scale;
5. given the tasks (``tasks/tasks.json``, for the word counts): span densities per 1,000
   words per span label and per label x value of each of its span attributes
   (:func:`~framestudy.analysis.outlet_stats.span_density`), per group, with
   Kruskal-Wallis tests across groups (:func:`~framestudy.analysis.outlet_stats.
   compare_densities`) for the labels (and attributes) the gate admits, Holm-corrected
   within each grouping;

A variable's "missing" answers (``missing_values`` in the registry, e.g. ``NA``, not
addressed) are compared like its other values: whether an outlet addresses a question at
all is part of how it frames it. Unresolved consensus values (a tie) are left out of the
comparison; the consensus table shows them.

6. for every admitted document variable and every value of an admitted set variable: the
   regression on outlet (:func:`~framestudy.analysis.outlet_models.outlet_model`: logistic,
   multinomial or proportional-odds as the registry's level requires; Agresti 2013,
   *Categorical Data Analysis*, 3rd ed., chs. 5 and 8), with the article's consensus
   ``genre`` as a control where the study codes it and the gate admits it, and the
   article's publication ``date`` (from ``tasks.json``) where the tasks have dates; beside
   it the coder sensitivity run (:func:`~framestudy.analysis.outlet_models.
   coder_sensitivity`: the coders' own values, coder as a fixed effect, standard errors
   clustered by article). An ordinal variable's missing values (``NA``, not addressed) are
   off its scale and left out of its model;
7. correspondence analysis (:func:`~framestudy.analysis.correspondence.
   correspondence_analysis`; Greenacre 2007, *Correspondence Analysis in Practice*, 2nd
   ed.) of outlet x blamed actor (``blame_primary``) and outlet x favoured arrangement
   (``guarantee_favoured``), when the registry has them and the gate admits them;
8. when no comparison across outlets could be tested because the outlets hold too few
   articles: how many articles per outlet a chi-square test would need
   (:func:`~framestudy.analysis.outlet_power.articles_needed`).

Span attributes' values per matched span and span labels' models are not part of this
function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from framestudy.analysis.consensus import consensus
from framestudy.analysis.correspondence import correspondence_analysis, crosstab
from framestudy.analysis.data import AgreementInputError, is_missing
from framestudy.analysis.gate import ADMITTED, gate
from framestudy.analysis.outlet_power import MEDIUM_W, articles_needed
from framestudy.analysis.outlet_stats import (
    DENSITY_TEST_COLUMNS,
    OUTLET_ATTRIBUTES,
    PAIRWISE_COLUMNS,
    RESULT_COLUMNS,
    _span_density,
    _span_rows,
    _word_count_table,
    adjust_across_variables,
    compare_densities,
    compare_outlets,
    ordinal_summary,
    prevalence,
    with_outlet_attributes,
    word_counts_from_tasks,
)
from framestudy.settings import GateSettings

if TYPE_CHECKING:  # statsmodels.api takes a third of a second to import: only when fitting
    from framestudy.analysis.outlet_models import OutletModel

#: the value a set variable's member or a span label takes in the consensus table
PRESENCE = ("present", "absent")

#: the coded control every model adjusts for when the study codes it and the gate admits it
#: (the article's consensus)
CONTROL = "genre"

#: the control from tasks.json (``data.date``, ISO text) where the tasks have dates
DATE_CONTROL = "date"

#: the groupings: outlets, then the outlet registry's attributes (with the registry only)
GROUPINGS = ("outlet",) + tuple(OUTLET_ATTRIBUTES)

#: the sample-size rule of every test (compare_outlets' and compare_densities' defaults)
MIN_PER_GROUP = 2
MIN_MEAN_PER_GROUP = 5.0

#: the confidence of the density intervals (Student's t)
CONFIDENCE = 0.95

#: the planning figures of :attr:`OutletAnalysis.articles_needed` (Cohen 1988, ch. 7)
POWER_ALPHA = 0.05
POWER = 0.8

#: the density tables' message when the tasks (word counts) were not given
NO_WORD_COUNTS = "no word counts (tasks/tasks.json missing)"

#: the correspondence analyses: (name in ``table``, registry variable)
CA_TABLES = (("outlet x blamed actor", "blame_primary"),
             ("outlet x favoured arrangement", "guarantee_favoured"))

#: the reason of every model row when the models were not requested
NOT_REQUESTED = "not modelled: models not requested (framestudy outlets --no-models)"

#: columns of :attr:`OutletAnalysis.prevalence` (analysis/outlet_prevalence.csv)
PREVALENCE_COLUMNS = (
    "by", "variable", "category", "decision", "group", "value", "count", "n", "share",
    "ci_low", "ci_high",
)

#: columns of :attr:`OutletAnalysis.tests` (analysis/outlet_tests.csv)
TEST_COLUMNS = ("by", "variable", "category", "decision") + tuple(
    c for c in RESULT_COLUMNS if c not in ("variable", "by")
) + ("p_adjusted", "adjustment")

#: columns of :attr:`OutletAnalysis.pairs` (analysis/outlet_pairs.csv)
PAIR_COLUMNS = ("by", "variable", "category") + tuple(PAIRWISE_COLUMNS)

#: columns of :attr:`OutletAnalysis.ordinal` (analysis/outlet_ordinal.csv)
ORDINAL_COLUMNS = (
    "by", "variable", "decision", "group", "value", "position", "count", "n", "share",
    "cumulative_share", "n_missing", "median_low", "median_high", "q1", "q3",
)

#: columns of :attr:`OutletAnalysis.density` (analysis/outlet_density.csv)
DENSITY_COLUMNS = (
    "by", "group", "label", "attribute", "attribute_value", "n", "mean", "median", "sd",
    "ci_low", "ci_high", "confidence",
)

#: columns of :attr:`OutletAnalysis.density_tests` (analysis/outlet_density_tests.csv)
DENSITY_TESTS_COLUMNS = ("by", "decision") + tuple(
    c for c in DENSITY_TEST_COLUMNS if c != "by"
) + ("p_adjusted", "adjustment")

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


class WordCountError(AgreementInputError):
    """An annotated article whose word count ``tasks.json`` does not give (or gives as no
    positive number): span densities cannot be computed."""


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass
class OutletAnalysis:
    """The outlet comparison of a study; each table is tidy (docs/outlets.md, "Files").

    ``consensus``: :data:`~framestudy.analysis.consensus.CONSENSUS_COLUMNS`. ``gate``:
    :data:`~framestudy.analysis.gate.GATE_COLUMNS`. ``prevalence``:
    :data:`PREVALENCE_COLUMNS`, per grouping (``by``: ``outlet``, ``type``, ``country``,
    ``language``), comparison, group and value. ``tests``: :data:`TEST_COLUMNS`, per
    grouping and comparison (Holm's correction within each grouping). ``pairs``:
    :data:`PAIR_COLUMNS`. ``models``: :data:`MODEL_COLUMNS`, one row per outlet term (and
    outcome value) of each modelled variable, the consensus model beside the coder
    sensitivity run; one row with the reasons when neither gives an estimate. ``ca``:
    :data:`CA_COLUMNS`, per correspondence analysis its inertias (``part`` = ``inertia``)
    and coordinates (``coordinate``), or one ``part`` = ``reason`` row when it could not be
    made. ``ordinal``: :data:`ORDINAL_COLUMNS`, per grouping, ordinal variable, group and
    value. ``density``: :data:`DENSITY_COLUMNS` and ``density_tests``:
    :data:`DENSITY_TESTS_COLUMNS` (empty without the tasks: ``density_note`` says so).
    ``groupings``: the ``by`` values used. ``articles_needed``: when no comparison across
    outlets could be tested for too few articles per outlet, the sample a chi-square test
    would need (see :func:`_sample_needed`), else None.
    """

    consensus: pd.DataFrame
    gate: pd.DataFrame
    prevalence: pd.DataFrame
    tests: pd.DataFrame
    pairs: pd.DataFrame
    overridden: bool
    models: pd.DataFrame
    ca: pd.DataFrame
    ordinal: pd.DataFrame = field(default_factory=lambda: _empty(ORDINAL_COLUMNS))
    density: pd.DataFrame = field(default_factory=lambda: _empty(DENSITY_COLUMNS))
    density_tests: pd.DataFrame = field(default_factory=lambda: _empty(DENSITY_TESTS_COLUMNS))
    density_note: str = ""
    groupings: tuple = ("outlet",)
    articles_needed: dict | None = None


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
    # (the gate's table is small and asked often: a loop, not a filter per question)
    rows = list(zip(gated["variable"], gated["category"], gated["decision"], gated["reason"],
                    strict=True))
    for wanted in (category, ""):
        for row_variable, row_category, decision, reason in rows:
            if row_variable == variable and row_category == wanted:
                return str(decision), str(reason)
    return "excluded", "no agreement result for this variable -- run `framestudy agreement`"


def _gate_reason(reason: str) -> str:
    return f"not tested: the reliability gate excluded it ({reason})"


def _attribute_maps(outlet_ids, outlets) -> dict[str, dict]:
    """``{attribute: {outlet: value}}`` from the outlet registry
    (:func:`~framestudy.analysis.outlet_stats.with_outlet_attributes`: ``unknown`` for an
    outlet it does not list or a fact it leaves empty)."""
    ids = sorted({o for o in pd.unique(pd.Series(outlet_ids)) if not is_missing(o)}, key=str)
    table = with_outlet_attributes(pd.DataFrame({"outlet": ids}), outlets)
    return {a: dict(zip(table["outlet"], table[a], strict=True)) for a in OUTLET_ATTRIBUTES}


def _only_group(groups: Mapping) -> object | None:
    """The one group an outlet attribute puts every outlet in (``groups``: outlet ->
    group), or None when there are several (or no outlet)."""
    values = set(groups.values())
    return next(iter(values)) if len(values) == 1 else None


def _grouped(rows: pd.DataFrame, by: str, maps: Mapping[str, dict]) -> pd.DataFrame:
    """``rows`` with the ``by`` column (an outlet attribute, from its outlet)."""
    if by == "outlet":
        return rows
    # (mapped per outlet, not per row)
    codes, ids = pd.factorize(rows["outlet"])
    mapped = np.array([maps[by].get(o, np.nan) for o in ids] + [np.nan], dtype=object)
    return rows.assign(**{by: mapped[codes]})


def _family(rows: list[pd.DataFrame], by: str, what: str) -> pd.DataFrame:
    """One grouping's tests, Holm-corrected across them (the grouping is the family)."""
    frame = pd.concat(rows, ignore_index=True)
    if "p_value" not in frame.columns:  # every row a reason (e.g. the gate excluded all)
        frame["p_value"] = np.nan
    frame = adjust_across_variables(frame)
    tested = int(frame["p_value"].notna().sum())
    frame["adjustment"] = (
        f"holm over {tested} tested {what} of {len(frame)}, within the by={by} family"
    )
    return frame


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
    tasks: Sequence[Mapping] | None = None,
    outlets=None,
    adjudicated: pd.DataFrame | None = None,
) -> OutletAnalysis:
    """The study's outlet comparison (see the module docstring for what it computes).

    ``annotations``: the tidy table; ``registry``: the schema registry records;
    ``agreement``: the study-mode agreement table (``analysis/agreement.csv``);
    ``settings``: the gate's (defaults: α ≥ .667 admits, below .800 tentative);
    ``override``: let every variable through (said in every output). ``seed`` fixes every
    random draw (Monte Carlo tests, bootstrap intervals). ``models=False`` skips the
    regressions: every modelled question then has one row saying that its models were not
    requested. ``tasks``: the records of ``tasks/tasks.json``
    (:func:`framestudy.tasks.tasks_file.read_tasks`) -- the word counts of the span
    densities and the ``date`` control; without them the density tables are empty
    (``density_note`` says why) and no date is controlled for; an annotated article
    without a positive word count raises :class:`WordCountError`. ``outlets``: the outlet
    registry (:func:`framestudy.tasks.outlets.load_outlets`), for the groupings by
    ``type``, ``country`` and ``language``; without it only outlets are compared.
    ``adjudicated``: the adjudicator's decisions (``annotations/adjudicated.csv``,
    :func:`framestudy.annotations.adjudicated.read_adjudicated`), which override the
    consensus values they address (provenance ``adjudicated``; :func:`consensus`).
    """
    values = consensus(annotations, registry, adjudicated)
    answered = _answered(values)
    gated = gate(agreement, settings, override=override)
    groupings = GROUPINGS if outlets is not None else ("outlet",)
    maps = _attribute_maps(values["outlet"], outlets) if outlets is not None else {}
    comparisons = _comparisons(registry)
    decisions = {(v, c): _decision(gated, v, c) for v, c, _ in comparisons}
    prevalences, tests, pairs = [], [], []
    alone = {}  # the shares of a grouping that puts every outlet in one group, per comparison
    for by in groupings:
        family = []
        # one group for every outlet (e.g. one type, one country): the shares are the
        # articles' whole shares, whatever the grouping; computed once
        group = _only_group(maps[by]) if by != "outlet" else None
        reuse = group is not None and bool(alone)
        for variable, category, domain in comparisons:
            decision, reason = decisions[(variable, category)]
            rows = _grouped(answered.get((variable, category), _no_answer()), by, maps)
            if reuse:
                shares = alone[(variable, category)].assign(group=group)
            else:
                shares = prevalence(rows, "value", by=by, values=domain).rename(
                    columns={by: "group"})
                if group is not None:
                    alone[(variable, category)] = shares
            prevalences.append(
                shares.assign(by=by, variable=variable, category=category, decision=decision)
            )
            facts = {"by": by, "variable": variable, "category": category, "decision": decision}
            if decision not in ADMITTED:
                family.append(pd.DataFrame([{**facts, "n": int(rows[by].notna().sum()),
                                             "reason": _gate_reason(reason)}]))
                continue
            result = compare_outlets(
                rows, "value", by=by, values=domain, seed=seed, n_boot=n_boot,
                n_resamples=n_resamples, min_per_group=MIN_PER_GROUP,
                min_mean_per_group=MIN_MEAN_PER_GROUP,
            )
            family.append(result.to_frame().assign(**facts))
            pairs.append(result.pairwise.assign(by=by, variable=variable, category=category))
        tests.append(_family(family, by, "variables"))
    tests_frame = pd.concat(tests, ignore_index=True).reindex(columns=list(TEST_COLUMNS))
    prevalence_frame = pd.concat(prevalences, ignore_index=True).reindex(
        columns=list(PREVALENCE_COLUMNS)
    )
    pairs_frame = pd.concat(pairs, ignore_index=True) if pairs else _empty(PAIR_COLUMNS)
    pairs_frame = pairs_frame.reindex(columns=list(PAIR_COLUMNS))
    dates = _dates(tasks)
    model_frame = _models(answered, annotations, registry, gated, fit=models, dates=dates)
    ca = _correspondence(answered, registry, gated)
    ordinal = _ordinal(answered, registry, decisions, groupings, maps)
    if tasks is None:
        density, density_tests, note = _empty(DENSITY_COLUMNS), _empty(DENSITY_TESTS_COLUMNS), (
            NO_WORD_COUNTS)
    else:
        density, density_tests = _densities(annotations, registry, gated, tasks, outlets,
                                            groupings)
        note = ""
    return OutletAnalysis(
        values, gated, prevalence_frame, tests_frame, pairs_frame, override, model_frame, ca,
        ordinal=ordinal, density=density, density_tests=density_tests, density_note=note,
        groupings=tuple(groupings),
        articles_needed=_sample_needed(values, tests_frame, comparisons, decisions),
    )


# ---------------------------------------------------------------------------------------
# Ordinal distributions


def _ordinal(answered: Mapping[tuple[str, str], pd.DataFrame], registry: Sequence[Mapping],
             decisions: Mapping[tuple[str, str], tuple[str, str]], groupings: Sequence[str],
             maps: Mapping[str, dict]) -> pd.DataFrame:
    """Every ordinal document variable's distribution per group (:data:`ORDINAL_COLUMNS`):
    one row per group and value, the scale's values first (``position`` 1, 2, ...; ``share``
    and ``cumulative_share`` of the group's ``n`` articles on the scale), then its missing
    values (``NA``: ``count`` only, off the scale), each row with the group's median and
    quartiles (:func:`~framestudy.analysis.outlet_stats.ordinal_summary`). Descriptives:
    every variable, whatever the gate (``decision`` says what it decided)."""
    parts = []
    for record in registry:
        if record.get("kind") != "document" or record.get("level") != "ordinal" or record.get(
            "multiple"
        ):
            continue
        variable = record["variable"]
        order = [str(v) for v in record.get("values") or []]
        missing = [str(v) for v in record.get("missing_values") or []]
        if not order:
            continue
        decision = decisions.get((variable, ""), ("excluded", ""))[0]
        for by in groupings:
            rows = _grouped(answered.get((variable, ""), _no_answer()), by, maps)
            rows = rows[rows[by].notna()]
            summary = ordinal_summary(rows, "value", order, by=by, missing_values=missing)
            if summary.empty:
                continue
            counts = Counter(zip(rows[by], rows["value"], strict=True))  # (group, value)
            for group, row in zip(summary[by], summary.itertuples(index=False), strict=True):
                n = int(row.n)
                cumulative = 0
                for position, value in enumerate(order + missing, start=1):
                    count = int(counts.get((group, value), 0))
                    on_scale = position <= len(order)
                    cumulative += count if on_scale else 0
                    parts.append({
                        "by": by, "variable": variable, "decision": decision, "group": group,
                        "value": value, "position": position if on_scale else None,
                        "count": count, "n": n,
                        "share": count / n if on_scale and n else np.nan,
                        "cumulative_share": cumulative / n if on_scale and n else np.nan,
                        "n_missing": int(row.n_missing), "median_low": row.median_low,
                        "median_high": row.median_high, "q1": row.q1, "q3": row.q3,
                    })
    return pd.DataFrame(parts, columns=list(ORDINAL_COLUMNS))


# ---------------------------------------------------------------------------------------
# Span densities


def _span_jobs(registry: Sequence[Mapping]) -> list[tuple[str, list[str], str | None]]:
    """(gate variable, labels, span attribute or None) of every density the study has: the
    span labels as a whole, then each span attribute over the labels it belongs to."""
    labels = [str(v) for r in registry if r.get("kind") == "span_label"
              for v in r.get("labels") or []]
    if not labels:
        return []
    variable = next(r["variable"] for r in registry if r.get("kind") == "span_label")
    jobs = [(variable, labels, None)]
    for record in registry:
        if record.get("kind") == "span_attribute":
            own = [label for label in labels if label in set(record.get("labels") or [])]
            if own:
                jobs.append((variable, own, record["variable"]))
    return jobs


def _density_decision(gated: pd.DataFrame, variable: str, label: str,
                      attribute: str | None) -> tuple[str, str]:
    """The gate's (decision, reason) for a density: its span label's; for a label x
    attribute value, also its attribute's -- a count of spans of one label with one value
    needs both the spans and the value reliably coded, so the weaker decision holds."""
    decision, reason = _decision(gated, variable, label)
    if attribute is None:
        return decision, reason
    other, why = _decision(gated, attribute, "")
    if decision not in ADMITTED:
        return decision, f"span label {label}: {reason}"
    if other not in ADMITTED:
        return other, f"{attribute}: {why}"
    if "tentative" in (decision, other):
        return "tentative", "; ".join(r for r in (reason, why) if r)
    return other, why


def _densities(annotations: pd.DataFrame, registry: Sequence[Mapping], gated: pd.DataFrame,
               tasks: Sequence[Mapping], outlets, groupings: Sequence[str]
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Span densities per group (:data:`DENSITY_COLUMNS`) and their tests across groups
    (:data:`DENSITY_TESTS_COLUMNS`), for every label and label x attribute value; computed
    per article once (grouped by outlet) and summarised per grouping."""
    jobs = _span_jobs(registry)
    if not jobs:
        return _empty(DENSITY_COLUMNS), _empty(DENSITY_TESTS_COLUMNS)
    word_counts = word_counts_from_tasks(tasks)
    _check_word_counts(annotations, word_counts)
    maps = _attribute_maps(word_counts["outlet"], outlets) if outlets is not None else {}
    summaries, tests = [], {by: [] for by in groupings}
    # the spans are counted once for every density (span_density would recount them)
    try:
        counts = _word_count_table(word_counts)
        spans = _span_rows(annotations)
    except AgreementInputError as exc:
        raise WordCountError(str(exc)) from None
    for variable, labels, attribute in jobs:
        try:
            result = _span_density(spans, counts, counts["outlet"], by="outlet",
                                   labels=labels, attribute=attribute, confidence=CONFIDENCE)
        except AgreementInputError as exc:
            raise WordCountError(str(exc)) from None
        gates = {label: _density_decision(gated, variable, label, attribute) for label in labels}
        admitted = [label for label in labels if gates[label][0] in ADMITTED]
        alone = None  # (articles kept, summary) of a grouping that puts them all in one group
        cells = _density_cells(result.articles)
        for by in groupings:
            articles = _grouped(result.articles, by, maps)
            kept = articles[by].notna().to_numpy()
            if by == "outlet":
                groups = result.groups
            elif (group := _one_group(articles[by], kept)) is None:
                groups = _density_groups(articles, by)
            elif alone is not None and np.array_equal(alone[0], kept):
                # the same articles in one group again (e.g. one outlet type, one country):
                # the same summary, only the group's name differs
                groups = alone[1].rename(columns={alone[2]: by}).assign(**{by: group})
            else:
                groups = _density_groups(articles, by)
                alone = (kept, groups, by)
            summaries.append(groups.rename(columns={by: "group"}).assign(by=by))
            if admitted:  # (compare_densities cannot take an empty table)
                tested = compare_densities(articles[articles["label"].isin(admitted)], by=by)
                decided = tested["label"].map({label: g[0] for label, g in gates.items()})
                tests[by].append(tested.assign(decision=decided))
            excluded = ~articles["label"].isin(admitted).to_numpy() & kept
            if excluded.any():
                tests[by].append(_excluded_densities(articles, excluded, cells, by, attribute,
                                                     gates))
    density = pd.concat(summaries, ignore_index=True).reindex(columns=list(DENSITY_COLUMNS))
    families = [_family(tests[by], by, "densities") for by in groupings if tests[by]]
    density_tests = pd.concat(families, ignore_index=True) if families else _empty(
        DENSITY_TESTS_COLUMNS)
    return density, density_tests.reindex(columns=list(DENSITY_TESTS_COLUMNS))


def _one_group(groups: pd.Series, kept: np.ndarray):
    """The one group of ``groups`` (where ``kept``) when there is exactly one, else None."""
    values = pd.unique(groups[kept])
    return values[0] if len(values) == 1 else None


def _density_cells(articles: pd.DataFrame) -> tuple[np.ndarray, list]:
    """Each row's (label, attribute value) cell as a code, and the cells by code: made once
    for a density table's groupings."""
    label, labels = pd.factorize(articles["label"])
    value, values = pd.factorize(articles["attribute_value"].astype(object).fillna(""))
    width = max(len(values), 1)
    cells = [(labels[c // width], values[c % width]) for c in range(len(labels) * width)]
    return label.astype(np.int64) * width + value, cells


def _excluded_densities(articles: pd.DataFrame, where: np.ndarray,
                        cells: tuple[np.ndarray, list], by: str, attribute: str | None,
                        gates: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """One untested row per label [and attribute value] of the ``where`` rows of
    ``articles`` (those with a group, of labels the gate excluded), in order of first
    appearance: its articles and groups, and the gate's decision and reason. ``cells``:
    :func:`_density_cells` of ``articles``."""
    codes, names = cells
    cell = codes[where]
    group, _ = pd.factorize(articles[by].to_numpy(dtype=object)[where])
    present, first = np.unique(cell, return_index=True)
    present = present[np.argsort(first, kind="stable")]  # in order of first appearance
    n = np.bincount(cell, minlength=len(names))
    width = int(group.max()) + 1
    pairs = np.unique(cell * width + group)
    n_groups = np.bincount(pairs // width, minlength=len(names))
    return pd.DataFrame([{
        "label": names[c][0], "attribute": attribute,
        "attribute_value": names[c][1] if attribute is not None else None, "by": by,
        "n": int(n[c]), "n_groups": int(n_groups[c]), "test": None,
        "decision": gates[names[c][0]][0], "reason": _gate_reason(gates[names[c][0]][1]),
    } for c in present.tolist()])


_NO_VALUE = "\x1f(the label as a whole)"  # a group key for "no attribute value"


def _density_groups(articles: pd.DataFrame, by: str) -> pd.DataFrame:
    """The per-group summary of per-article densities (``by`` + the columns of
    :data:`~framestudy.analysis.outlet_stats.DENSITY_SUMMARY_COLUMNS`), as
    :func:`~framestudy.analysis.outlet_stats.span_density` makes it for its own ``by``:
    mean, median, standard deviation and Student's t interval for the mean (Student 1908,
    Biometrika 6:1-25; ``scipy.stats.t``; NaN bounds for one article, a point when the
    densities are equal), in one grouped pass -- used to regroup the outlet densities by
    an outlet attribute without recounting the spans."""
    kept = articles[articles[by].notna()]
    value = kept["attribute_value"].astype(object).where(kept["attribute_value"].notna(), _NO_VALUE)
    grouped = kept.groupby([kept["label"], value.rename("value"), kept[by]], sort=False)
    out = grouped["density"].agg(n="size", mean="mean", median="median", sd="std")
    out = out.reset_index()
    out["attribute"] = grouped["attribute"].first().to_numpy()
    out["attribute_value"] = pd.Series(
        [None if v == _NO_VALUE else v for v in out.pop("value")], dtype=object)
    scale = out["sd"] / np.sqrt(out["n"])
    df = (out["n"] - 1).where(out["n"] > 1)
    low = out["mean"] + scale * stats.t.ppf((1 - CONFIDENCE) / 2, df)
    high = out["mean"] + scale * stats.t.ppf((1 + CONFIDENCE) / 2, df)
    equal = (out["n"] > 1) & (out["sd"] == 0)
    out["ci_low"] = low.where(~equal, out["mean"])
    out["ci_high"] = high.where(~equal, out["mean"])
    out["confidence"] = CONFIDENCE
    out["n"] = out["n"].astype(np.int64)
    out = out.sort_values([by, "label"], kind="stable").reset_index(drop=True)
    return out[[by, "label", "attribute", "attribute_value", "n", "mean", "median", "sd",
                "ci_low", "ci_high", "confidence"]]


def _check_word_counts(annotations: pd.DataFrame, word_counts: pd.DataFrame) -> None:
    """Every annotated article has a positive word count in the tasks, or one error naming
    the articles (the densities divide by it)."""
    counts = dict(zip(word_counts["article_id"], word_counts["word_count"], strict=True))
    lacking = []
    for article in pd.unique(annotations["article_id"]):
        count = counts.get(article)
        if count is None or is_missing(count) or not isinstance(
            count, int | float | np.integer | np.floating
        ) or isinstance(count, bool) or count <= 0:
            lacking.append(article)
    if lacking:
        shown = ", ".join(map(repr, lacking[:5])) + (" ..." if len(lacking) > 5 else "")
        raise WordCountError(
            f"no positive word_count for {len(lacking)} annotated article(s) ({shown}) -- "
            "rebuild tasks/tasks.json with `framestudy tasks build` (span densities need each "
            "article's word count)"
        )


# ---------------------------------------------------------------------------------------
# The sample a test would need


def _sample_needed(values: pd.DataFrame, tests: pd.DataFrame,
                   comparisons: Sequence[tuple[str, str, tuple]],
                   decisions: Mapping[tuple[str, str], tuple[str, str]]) -> dict | None:
    """When no comparison across outlets was tested and the outlets hold too few articles
    for any test (fewer than :data:`MIN_PER_GROUP` in an outlet, or fewer than
    :data:`MIN_MEAN_PER_GROUP` on average): the articles per outlet a chi-square test of
    the comparison with the most values (among those the gate admits; all, if it admits
    none) would need to detect a medium difference, Cohen's w = 0.3, at 80% power and
    alpha .05 (:func:`~framestudy.analysis.outlet_power.articles_needed`; Cohen 1988,
    *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 7). Else None.
    """
    outlet_tests = tests[tests["by"] == "outlet"]
    if outlet_tests["p_value"].notna().any() or not comparisons:
        return None
    sizes = values[["article_id", "outlet"]].drop_duplicates().dropna()
    sizes = sizes.groupby("outlet").size()
    if len(sizes) < 2 or (sizes.min() >= MIN_PER_GROUP and sizes.mean() >= MIN_MEAN_PER_GROUP):
        return None
    admitted = [c for c in comparisons if decisions[(c[0], c[1])][0] in ADMITTED]
    variable, category, domain = max(admitted or comparisons, key=lambda c: len(c[2]))
    n_groups, n_values = len(sizes), len(domain)
    per_group = articles_needed(n_groups, n_values, MEDIUM_W, POWER_ALPHA, POWER)
    return {
        "by": "outlet", "n_groups": n_groups, "max_per_group": int(sizes.max()),
        "variable": variable, "category": category, "n_values": n_values,
        "df": (n_groups - 1) * (n_values - 1), "effect_size": MEDIUM_W,
        "alpha": POWER_ALPHA, "power": POWER, "per_group": per_group,
        "total": per_group * n_groups,
        "method": "power of the chi-square test of independence, noncentral chi-square "
                  "(Cohen 1988, Statistical Power Analysis, 2nd ed., ch. 7; statsmodels "
                  "GofChisquarePower with n_bins = df + 1)",
    }


def _dates(tasks: Sequence[Mapping] | None) -> pd.DataFrame | None:
    """``article_id, date`` of the tasks that have a publication date (ISO text), or None
    when none has (no date control)."""
    if tasks is None:
        return None
    rows = []
    for task in tasks:
        data = task.get("data", task) if isinstance(task, Mapping) else {}
        date = data.get("date")
        if isinstance(date, str) and date.strip() and date.strip() != "unknown":
            rows.append((data.get("article_id"), date.strip()))
    if not rows:
        return None
    return pd.DataFrame(rows, columns=["article_id", DATE_CONTROL]).drop_duplicates("article_id")


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


def _controls(answered: Mapping[tuple[str, str], pd.DataFrame], registry: Sequence[Mapping],
              gated: pd.DataFrame, dates: pd.DataFrame | None
              ) -> tuple[pd.DataFrame, list[str], str]:
    """The controls' values per article (``article_id`` + one column per control), the
    controls available and why a coded control is not: the consensus :data:`CONTROL`
    (genre) when the registry has it and the gate admits it -- a control coded unreliably
    would adjust for noise --, the tasks' :data:`DATE_CONTROL` where they have dates."""
    names = {r["variable"] for r in registry}
    table = pd.DataFrame(columns=["article_id"])
    available, note = [], ""
    if CONTROL in names:
        decision, reason = _decision(gated, CONTROL, "")
        if decision in ADMITTED:
            coded = answered.get((CONTROL, ""), _no_answer())[["article_id", "value"]]
            table = coded.rename(columns={"value": CONTROL})
            available.append(CONTROL)
        else:
            note = f"{CONTROL} not a control: the reliability gate excluded it ({reason})"
    if dates is not None:
        table = table.merge(dates, on="article_id", how="outer")
        available.append(DATE_CONTROL)
    return table, available, note


def _models(answered: Mapping[tuple[str, str], pd.DataFrame], annotations: pd.DataFrame,
            registry: Sequence[Mapping], gated: pd.DataFrame, *, fit: bool = True,
            dates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every admitted document variable (and set member) regressed on outlet, the
    consensus model beside the coder sensitivity run (:data:`MODEL_COLUMNS`), with the
    controls of :func:`_controls` (``dates``: ``article_id, date`` from the tasks); with
    ``fit=False`` one row per question saying the models were not requested."""
    if fit:
        from framestudy.analysis.outlet_models import coder_sensitivity, outlet_model

        by_variable, coders = _split_coders(annotations)
    control_table, available, control_note = _controls(answered, registry, gated, dates)
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
            notes = [f"{', '.join(off_scale)} (not addressed) left out of the ordinal scale"
                     ] if off_scale else []
            if decision not in ADMITTED or not fit:
                why = (f"not modelled: the reliability gate excluded it ({reason})"
                       if decision not in ADMITTED else NOT_REQUESTED)
                parts.append(pd.DataFrame([{**facts, "reason_consensus": why,
                                            "reason_per_coder": why}]))
                continue
            controls = [c for c in available if c != variable]
            if control_note and variable != CONTROL:
                notes.append(control_note)
            rows = answered.get((variable, category), _no_answer())
            coded = _per_coder(by_variable, coders, variable, category)
            if controls:
                values = control_table[["article_id", *controls]]
                rows = rows.merge(values, on="article_id", how="left")
                coded = coded.merge(values, on="article_id", how="left")
            options = {"controls": controls, "order": domain, "missing_values": off_scale}
            try:
                fitted = outlet_model(rows, "value", level, **options)
                sensitivity = coder_sensitivity(coded, "value", level, **options)
            except AgreementInputError as exc:  # e.g. a value outside the registry's
                why = f"not modelled: {exc}"
                parts.append(pd.DataFrame([{**facts, "reason_consensus": why,
                                            "reason_per_coder": why}]))
                continue
            notes += [f"control not used: {c}" for c in fitted.skipped_controls]
            parts.append(_model_rows(fitted, sensitivity).assign(**facts, note="; ".join(notes)))
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
