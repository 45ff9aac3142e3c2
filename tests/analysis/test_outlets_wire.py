"""``outlet_analysis`` with the tasks and the outlet registry: groupings by outlet attribute,
ordinal distributions, span densities (and their gate), the date and genre controls, and
the sample a test would need (docs/outlets.md)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import chi2, ncx2

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.outlet_power import articles_needed
from framestudy.analysis.outlet_stats import (
    ordinal_summary,
    prevalence,
    span_density,
    word_counts_from_tasks,
)
from framestudy.analysis.outlets import (
    DENSITY_COLUMNS,
    DENSITY_TESTS_COLUMNS,
    NO_WORD_COUNTS,
    ORDINAL_COLUMNS,
    PREVALENCE_COLUMNS,
    TEST_COLUMNS,
    WordCountError,
    _density_groups,
    outlet_analysis,
)
from framestudy.analysis.reliability_data import read_document_lengths
from framestudy.analysis.variable_agreement import study_agreement
from framestudy.annotations import read_tidy
from framestudy.schema import load_schema
from framestudy.simulation import read_scenario_file, resolve_scenario, simulate_study

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schemas" / "framing.yaml"

#: outlet A blames every actor often (many BLAME spans), outlet B rarely
PLANTED = {
    "outlet-a": {"relevant": {"yes": 1.0}, "promise_status": {"ASSERTED_AS_FACT": 0.7},
                 "blame_actors": {"RUSSIA": 0.9, "NATO": 0.9, "US": 0.9, "UKRAINE": 0.9,
                                  "EU_WEST": 0.9}},
    "outlet-b": {"relevant": {"yes": 1.0}, "promise_status": {"ASSERTED_AS_FACT": 0.2},
                 "blame_actors": {"RUSSIA": 0.05, "NATO": 0.05, "US": 0.05, "UKRAINE": 0.05,
                                  "EU_WEST": 0.05}},
}
#: one country for both outlets, a type each
OUTLETS = [{"id": "outlet-a", "type": "broadcaster", "country": "Narnia", "language": "en"},
           {"id": "outlet-b", "type": "blog", "country": "Narnia", "language": "en"}]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    root = tmp_path_factory.mktemp("wire")
    (root / "scenario.yaml").write_text(yaml.safe_dump({
        "name": "wire", "articles_per_outlet": 30, "reliability_share": 1.0,
        "outlets": [{"id": k, "propensities": v} for k, v in PLANTED.items()],
        "coder_defaults": {"accuracy": 0.97, "skip_rate": 0.0},
        "coders": 2,
    }))
    scenario = resolve_scenario(load_schema(SCHEMA), read_scenario_file(root / "scenario.yaml"),
                                seed=5)
    study = root / "study"
    simulate_study(study, scenario, SCHEMA, truth_units=0)
    annotations = read_tidy(study / "annotations" / "annotations.csv")
    registry = json.loads((study / "schemas" / "registry.json").read_text())
    tasks = json.loads((study / "tasks" / "tasks.json").read_text())
    lengths = read_document_lengths(study / "tasks" / "tasks.json")
    agreement = study_agreement(annotations, registry, lengths, n_boot=0, seed=0)
    return annotations, registry, tasks, agreement


@pytest.fixture(scope="module")
def overridden(simulated):
    annotations, registry, tasks, agreement = simulated
    return outlet_analysis(annotations, registry, agreement, override=True, n_boot=100,
                           n_resamples=999, tasks=tasks, outlets=OUTLETS, models=True)


def with_alphas(agreement: pd.DataFrame, alphas: dict) -> pd.DataFrame:
    """The agreement table with every alpha .95 but those of ``alphas`` ({(variable,
    category): alpha}): the gate's input under control."""
    table = agreement.copy()
    for column in ("estimate", "ci_low", "ci_high"):
        table[column] = 0.95
        for (variable, category), alpha in alphas.items():
            rows = (table["variable"] == variable) & (table["category"].fillna("") == category)
            table.loc[rows, column] = alpha
    return table


# ---------------------------------------------------------------------------------------
# Groupings by outlet attribute


@pytest.mark.slow
def test_every_grouping_in_one_tidy_table(overridden):
    assert overridden.groupings == ("outlet", "type", "country", "language")
    assert list(overridden.prevalence.columns) == list(PREVALENCE_COLUMNS)
    assert list(overridden.tests.columns) == list(TEST_COLUMNS)
    prevalence, tests = overridden.prevalence, overridden.tests
    assert set(prevalence["by"]) == set(overridden.groupings)
    assert set(prevalence.loc[prevalence["by"] == "type", "group"]) == {"broadcaster", "blog"}
    assert set(prevalence.loc[prevalence["by"] == "country", "group"]) == {"Narnia"}
    # one outlet per type: the type family is the outlet family under other names
    by_outlet = tests[tests["by"] == "outlet"].reset_index(drop=True)
    by_type = tests[tests["by"] == "type"].reset_index(drop=True)
    assert by_outlet["test"].notna().any()
    for column in ("test", "n", "statistic", "cramers_v"):
        pd.testing.assert_series_equal(by_outlet[column], by_type[column])
    exact = by_outlet["test"].isin(["pearson_chi2", "fisher_exact"])  # Monte Carlo: own draws
    assert exact.any()
    pd.testing.assert_series_equal(by_outlet.loc[exact, "p_value"], by_type.loc[exact, "p_value"])
    # Holm within each family, said so
    for by, family in tests.groupby("by"):
        tested = int(family["p_value"].notna().sum())
        assert set(family["adjustment"]) == {
            f"holm over {tested} tested variables of {len(family)}, within the by={by} family"}


@pytest.mark.slow
def test_a_grouping_with_one_group_has_a_reason_not_a_test(overridden):
    country = overridden.tests[overridden.tests["by"] == "country"]
    assert len(country) == len(overridden.tests[overridden.tests["by"] == "outlet"])
    assert country["test"].isna().all() and country["p_value"].isna().all()
    answered = country[country["n"] > 0]
    assert answered["reason"].str.startswith("only one country has articles").all()
    assert overridden.pairs.query("by == 'country'").empty


@pytest.mark.slow
def test_groupings_of_one_group_each_equal_their_own_computation(overridden, simulated):
    # country and language put both outlets in one group: the second reuses the first's
    # shares and density summaries; both equal what prevalence and span_density give
    annotations, registry, tasks, agreement = simulated
    values = overridden.consensus
    values = values[values["value"].astype(str) != ""]
    prevalence_rows = overridden.prevalence
    for by, group in (("country", "Narnia"), ("language", "en")):
        for variable, category in (("promise_status", ""), ("blame_actors", "RUSSIA")):
            rows = values[(values["variable"] == variable) & (values["category"] == category)]
            rows = rows.assign(**{by: group})
            domain = prevalence_rows.loc[(prevalence_rows["by"] == "outlet")
                                         & (prevalence_rows["variable"] == variable)
                                         & (prevalence_rows["category"] == category), "value"]
            direct = prevalence(rows, "value", by=by, values=list(pd.unique(domain)))
            mine = prevalence_rows[(prevalence_rows["by"] == by)
                                   & (prevalence_rows["variable"] == variable)
                                   & (prevalence_rows["category"] == category)]
            mine = mine[["group", "value", "count", "n", "share", "ci_low", "ci_high"]]
            pd.testing.assert_frame_equal(
                mine.rename(columns={"group": by}).reset_index(drop=True), direct,
                check_dtype=False)
        counts = word_counts_from_tasks(tasks).assign(**{by: group})
        direct = span_density(annotations, counts, by=by, labels=["BLAME"],
                              attribute="blame_outcome").groups
        mine = overridden.density[(overridden.density["by"] == by)
                                  & (overridden.density["attribute"] == "blame_outcome")]
        mine = mine.drop(columns="by").rename(columns={"group": by}).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, direct, check_dtype=False)


@pytest.mark.slow
def test_span_labels_nobody_marked_give_zero_densities(simulated):
    # the schema has span labels and attributes, but no span was coded (a rehearsal with
    # labels of one's own): zero densities per label, no attribute rows, no error
    annotations, registry, tasks, agreement = simulated
    span_variables = {r["variable"] for r in registry
                      if r.get("kind") in ("span_label", "span_attribute")}
    no_spans = annotations[~annotations["variable"].isin(span_variables)]
    result = outlet_analysis(no_spans, registry, agreement, override=True, n_boot=0,
                             n_resamples=99, tasks=tasks, outlets=OUTLETS, models=False)
    density, tests = result.density, result.density_tests
    assert not density.empty and density["attribute"].isna().all()
    assert set(density["mean"]) == {0.0}
    labels = [v for r in registry if r.get("kind") == "span_label" for v in r["labels"]]
    outlet_rows = tests[tests["by"] == "outlet"]
    assert sorted(outlet_rows["label"]) == sorted(labels)
    assert outlet_rows["reason"].str.startswith("every article has the same density").all()
    assert outlet_rows["p_value"].isna().all()


@pytest.mark.slow
def test_without_the_registry_only_outlets(simulated):
    annotations, registry, tasks, agreement = simulated
    result = outlet_analysis(annotations, registry, agreement, override=True, n_boot=0,
                             n_resamples=99, models=False)
    assert result.groupings == ("outlet",)
    assert set(result.tests["by"]) == {"outlet"} == set(result.prevalence["by"])


# ---------------------------------------------------------------------------------------
# Ordinal distributions


@pytest.mark.slow
def test_ordinal_distributions_and_medians(overridden, simulated):
    annotations, registry, tasks, agreement = simulated
    ordinal = overridden.ordinal
    assert list(ordinal.columns) == list(ORDINAL_COLUMNS)
    scales = {r["variable"] for r in registry if r.get("level") == "ordinal"}
    assert set(ordinal["variable"]) == scales
    values = overridden.consensus
    for (variable, group), rows in ordinal[ordinal["by"] == "outlet"].groupby(
            ["variable", "group"]):
        on_scale = rows[rows["position"].notna()]
        missing = rows[rows["position"].isna()]
        record = next(r for r in registry if r["variable"] == variable)
        assert list(on_scale["value"]) == record["values"]
        assert list(missing["value"]) == record["missing_values"] == ["NA"]
        answers = values[(values["variable"] == variable) & (values["outlet"] == group)
                         & (values["value"] != "")]
        counts = answers["value"].value_counts()
        assert [int(c) for c in rows["count"]] == [int(counts.get(v, 0)) for v in rows["value"]]
        n = int(on_scale["count"].sum())
        assert set(rows["n"]) == {n} and set(rows["n_missing"]) == {int(counts.get("NA", 0))}
        if n:
            assert on_scale["share"].sum() == pytest.approx(1.0)
            assert on_scale["cumulative_share"].iloc[-1] == pytest.approx(1.0)
        assert missing["share"].isna().all()  # NA is off the scale
        summary = ordinal_summary(answers, "value", record["values"],
                                  missing_values=["NA"]).iloc[0]
        assert set(rows["median_low"]) == {summary["median_low"]}
        assert set(rows["q3"]) == {summary["q3"]}


# ---------------------------------------------------------------------------------------
# Span densities


@pytest.mark.slow
def test_planted_density_difference_recovered(overridden):
    density, tests = overridden.density, overridden.density_tests
    assert list(density.columns) == list(DENSITY_COLUMNS)
    assert list(tests.columns) == list(DENSITY_TESTS_COLUMNS)
    blame = density[(density["by"] == "outlet") & (density["label"] == "BLAME")
                    & density["attribute"].isna()].set_index("group")
    assert blame.at["outlet-a", "mean"] > 2 * blame.at["outlet-b", "mean"]
    assert blame.at["outlet-a", "ci_low"] > blame.at["outlet-b", "ci_high"]
    row = tests[(tests["by"] == "outlet") & (tests["label"] == "BLAME")
                & tests["attribute"].isna()].iloc[0]
    assert row["test"] == "kruskal_wallis" and row["p_adjusted"] < 1e-6
    # per attribute value too: blame_target over the BLAME spans only
    target = density[(density["by"] == "outlet") & (density["attribute"] == "blame_target")]
    assert set(target["label"]) == {"BLAME"}
    assert {"NATO", "RUSSIA"} <= set(target["attribute_value"])
    # voice belongs to every label: a row per label and value
    voice = density[(density["by"] == "outlet") & (density["attribute"] == "voice")]
    assert set(voice["label"]) == {"LEGITIMACY", "BLAME", "GUARANTEE", "PROMISE"}
    # every family corrected within itself
    for by, family in tests.groupby("by"):
        assert family["adjustment"].str.endswith(f"within the by={by} family").all()
    country = tests[tests["by"] == "country"]
    assert country["p_value"].isna().all()


@pytest.mark.slow
def test_density_by_attribute_equals_span_density(simulated, overridden):
    annotations, registry, tasks, agreement = simulated
    counts = word_counts_from_tasks(tasks)
    counts["type"] = counts["outlet"].map({o["id"]: o["type"] for o in OUTLETS})
    direct = span_density(annotations, counts, by="type", labels=["BLAME"],
                          attribute="blame_outcome")
    mine = overridden.density[(overridden.density["by"] == "type")
                              & (overridden.density["attribute"] == "blame_outcome")]
    mine = mine.drop(columns="by").rename(columns={"group": "type"}).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, direct.groups, check_dtype=False)
    # and the regrouping helper on its own
    outlets = span_density(annotations, counts.drop(columns="type"), by="outlet",
                           labels=["BLAME"], attribute="blame_outcome").articles
    outlets["type"] = outlets["outlet"].map({o["id"]: o["type"] for o in OUTLETS})
    pd.testing.assert_frame_equal(_density_groups(outlets, "type"), direct.groups,
                                  check_dtype=False)


@pytest.mark.slow
def test_the_gate_on_density_rows_and_the_genre_control(simulated):
    annotations, registry, tasks, agreement = simulated
    gated = with_alphas(agreement, {("span", "BLAME"): 0.3, ("genre", ""): 0.3,
                                    ("voice", ""): 0.3})
    result = outlet_analysis(annotations, registry, gated, n_boot=0, n_resamples=99,
                             tasks=tasks, outlets=OUTLETS, models=True)
    tests = result.density_tests[result.density_tests["by"] == "outlet"]
    blame = tests[tests["label"] == "BLAME"]  # the label and every attribute value of it
    assert len(blame) > 1 and (blame["decision"] == "excluded").all()
    assert blame["p_value"].isna().all() and blame["test"].isna().all()
    assert blame["reason"].str.startswith("not tested: the reliability gate excluded it").all()
    assert blame["reason"].str.contains("0.300").all()
    voice = tests[tests["attribute"] == "voice"]  # its own alpha excludes it everywhere
    assert (voice["decision"] == "excluded").all() and voice["p_value"].isna().all()
    admitted = tests[(tests["label"] == "LEGITIMACY") & tests["attribute"].isna()]
    assert list(admitted["decision"]) == ["reliable"] and admitted["test"].notna().all()
    # descriptives for every row, gated or not
    assert (result.density["label"] == "BLAME").any()
    # genre excluded: no model uses it, and the note says so; the date is a control
    fitted = result.models[result.models["model"].notna() & result.models["term"].notna()]
    assert len(fitted)
    assert not fitted["controls"].str.contains("genre").any()
    assert fitted["note"].str.contains("genre not a control: the reliability gate").all()
    assert (fitted["controls"] == "date").all()


@pytest.mark.slow
def test_date_and_genre_controls_when_admitted(simulated):
    annotations, registry, tasks, agreement = simulated
    result = outlet_analysis(annotations, registry, with_alphas(agreement, {}), n_boot=0,
                             n_resamples=99, tasks=tasks, models=True)
    models = result.models
    fitted = models[models["term"].notna()]
    others = fitted[fitted["variable"] != "genre"]
    assert len(others) and set(others["controls"]) <= {"genre, date", "date", "genre"}
    assert others["controls"].str.contains("date").all()
    assert others["controls"].str.contains("genre").any()
    # genre's own model has only the date
    assert not fitted.loc[fitted["variable"] == "genre", "controls"].str.contains("genre").any()
    # without the tasks: no date control
    plain = outlet_analysis(annotations, registry, with_alphas(agreement, {}), n_boot=0,
                            n_resamples=99, models=True)
    assert not plain.models["controls"].fillna("").str.contains("date").any()


@pytest.mark.slow
def test_without_tasks_empty_density_tables_with_their_columns(simulated):
    annotations, registry, tasks, agreement = simulated
    result = outlet_analysis(annotations, registry, agreement, n_boot=0, n_resamples=99,
                             models=False)
    assert result.density.empty and list(result.density.columns) == list(DENSITY_COLUMNS)
    assert result.density_tests.empty
    assert list(result.density_tests.columns) == list(DENSITY_TESTS_COLUMNS)
    assert result.density_note == NO_WORD_COUNTS
    assert len(result.prevalence) and len(result.ordinal)


@pytest.mark.slow
def test_an_article_without_a_word_count_is_one_clear_error(simulated):
    annotations, registry, tasks, agreement = simulated
    broken = json.loads(json.dumps(tasks))
    broken[3]["data"]["word_count"] = None
    with pytest.raises(WordCountError, match=r"no positive word_count for 1 annotated article"):
        outlet_analysis(annotations, registry, agreement, n_boot=0, n_resamples=99,
                        tasks=broken, models=False)
    assert issubclass(WordCountError, AgreementInputError)


# ---------------------------------------------------------------------------------------
# The sample a test would need


def chi2_power(total: float, df: int, w: float = 0.3, alpha: float = 0.05) -> float:
    """Power of the chi-square test: P(noncentral chi2(df, N w^2) > the critical value)."""
    return float(ncx2.sf(chi2.ppf(1 - alpha, df), df, total * w * w))


@pytest.mark.parametrize(("groups", "values"), [(5, 2), (5, 8), (2, 2), (10, 7), (3, 5)])
def test_articles_needed_against_the_noncentral_chi_square(groups, values):
    n = articles_needed(groups, values)
    df = (groups - 1) * (values - 1)
    assert chi2_power(groups * n, df) >= 0.8
    assert chi2_power(groups * (n - 1), df) < 0.8


def test_articles_needed_matches_cohens_table():
    # Cohen 1988, Table 7.4.6: w = .30, df = 4, power .80 at alpha .05 needs N = 133
    assert 5 * articles_needed(5, 2) >= 133 > 5 * (articles_needed(5, 2) - 1)
    assert articles_needed(5, 2, effect_size=0.5) < articles_needed(5, 2)


@pytest.mark.parametrize("bad", [{"n_groups": 1}, {"n_values": 1.5}, {"effect_size": 0},
                                 {"alpha": 1.0}, {"power": math.nan}, {"n_groups": True}])
def test_articles_needed_refuses_nonsense(bad):
    args = {"n_groups": 5, "n_values": 2, **bad}
    with pytest.raises(AgreementInputError):
        articles_needed(**args)


def test_one_article_per_outlet_gives_the_sample_needed(tmp_path):
    root = tmp_path
    (root / "scenario.yaml").write_text(yaml.safe_dump({
        "name": "five", "articles_per_outlet": 1, "reliability_share": 1.0,
        "outlets": 5, "coders": 3}))
    scenario = resolve_scenario(load_schema(SCHEMA), read_scenario_file(root / "scenario.yaml"),
                                seed=2)
    simulate_study(root / "study", scenario, SCHEMA, truth_units=0)
    annotations = read_tidy(root / "study" / "annotations" / "annotations.csv")
    registry = json.loads((root / "study" / "schemas" / "registry.json").read_text())
    tasks = json.loads((root / "study" / "tasks" / "tasks.json").read_text())
    agreement = study_agreement(annotations, registry, n_boot=0, seed=0)
    result = outlet_analysis(annotations, registry, agreement, override=True, n_boot=0,
                             n_resamples=99, tasks=tasks, models=False)
    assert result.tests["p_value"].isna().all() and result.density_tests["p_value"].isna().all()
    needed = result.articles_needed
    assert needed["n_groups"] == 5 and needed["max_per_group"] == 1
    # the comparison with the most values: blame_primary or guarantee_favoured (7 values)
    assert needed["n_values"] == 7 and needed["df"] == 24
    assert needed["per_group"] == articles_needed(5, 7)
    assert needed["total"] == 5 * needed["per_group"]


@pytest.mark.slow
def test_no_sample_figure_when_tests_ran(overridden):
    assert overridden.articles_needed is None
    assert np.isfinite(overridden.tests["p_value"].astype(float)).any()
