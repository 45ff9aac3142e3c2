"""The outlet comparison recovers planted outlet effects and keeps its size without one.

Studies are simulated in-process (``framestudy.simulation``, seeded) from scenarios whose
outlet propensities are known (``truth.json``), then run through agreement
(``study_agreement``) and :func:`framestudy.analysis.outlets.outlet_analysis`, as
``framestudy outlets`` runs them. The long false-positive run (200 seeds) is
``benchmarks/outlet_false_positives.py``; docs/outlets.md, "How we know it works".
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import binom
from scipy.stats.contingency import association
from statsmodels.stats.proportion import confint_proportions_2indep

from framestudy.analysis.outlets import outlet_analysis
from framestudy.analysis.variable_agreement import study_agreement
from framestudy.annotations import read_tidy
from framestudy.schema import load_schema
from framestudy.simulation import read_scenario_file, resolve_scenario, simulate_study

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schemas" / "framing.yaml"

#: outlet A asserts the broken promise as fact in 70% of its articles, outlet B in 20%;
#: A blames NATO in 70% of its articles, B in 20%
PLANTED = {
    "outlet-a": {"relevant": {"yes": 1.0}, "promise_status": {"ASSERTED_AS_FACT": 0.7},
                 "blame_actors": {"NATO": 0.7}},
    "outlet-b": {"relevant": {"yes": 1.0}, "promise_status": {"ASSERTED_AS_FACT": 0.2},
                 "blame_actors": {"NATO": 0.2}},
}
#: every outlet uses these values equally often: no outlet effect on these variables
SAME = {
    "relevant": {"yes": 1.0},
    "promise_status": {"NOT_MENTIONED": 0.4, "ASSERTED_AS_FACT": 0.3, "CONTESTED": 0.2,
                       "REFUTED": 0.1},
    "guarantee_credibility": {"-1": 0.2, "0": 0.3, "+1": 0.4, "NA": 0.1},
    "blame_actors": {"RUSSIA": 0.5, "NATO": 0.3, "US": 0.2, "UKRAINE": 0.1, "EU_WEST": 0.05},
}
#: the comparisons without an outlet effect: (variable, category)
NULL_COMPARISONS = [("promise_status", ""), ("guarantee_credibility", "")] + [
    ("blame_actors", actor) for actor in SAME["blame_actors"]
]


def simulate(root: Path, outlets: dict, *, per_outlet: int, coders: int, seed: int,
             accuracy: float = 0.95) -> tuple[pd.DataFrame, list, dict]:
    """Simulate a study in ``root``: (tidy annotations, registry, truth.json)."""
    scenario_file = root / "scenario.yaml"
    scenario_file.write_text(yaml.safe_dump({
        "name": "recovery",
        "articles_per_outlet": per_outlet,
        "reliability_share": 1.0,  # every coder codes every article
        "outlets": [{"id": k, "propensities": v} for k, v in outlets.items()],
        # a set variable's alpha (MASI) falls fast with per-value errors: its coders are
        # more accurate, so that the gate admits it
        "coder_defaults": {"accuracy": accuracy, "skip_rate": 0.0,
                           "variables": {"blame_actors": {"accuracy": 0.99}}},
        "coders": coders,
    }))
    schema = load_schema(SCHEMA)
    scenario = resolve_scenario(schema, read_scenario_file(scenario_file), seed=seed)
    study = root / "study"
    simulate_study(study, scenario, SCHEMA, truth_units=0)
    annotations = read_tidy(study / "annotations" / "annotations.csv")
    registry = json.loads((study / "schemas" / "registry.json").read_text())
    truth = json.loads((study / "truth.json").read_text())
    return annotations, registry, truth


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    annotations, registry, truth = simulate(
        tmp_path_factory.mktemp("planted"), PLANTED, per_outlet=150, coders=3, seed=11
    )
    agreement = study_agreement(annotations, registry, n_boot=200, seed=0)
    result = outlet_analysis(annotations, registry, agreement, seed=0, n_boot=300,
                             n_resamples=999)
    return result, truth


# (variable, category of the comparison, value whose share was planted)
CASES = [("promise_status", "", "ASSERTED_AS_FACT"), ("blame_actors", "NATO", "present")]


def planted_share(truth: dict, outlet: str, variable: str, category: str, value: str) -> float:
    """The share truth.json records: P(value), or P(member chosen) for a set variable."""
    shares = truth["outlets"][outlet]["propensities"][variable]
    return shares[category] if category else shares[value]


@pytest.mark.slow
@pytest.mark.parametrize(("variable", "category", "value"), CASES)
def test_planted_difference_is_detected_in_the_planted_direction(planted, variable, category,
                                                                 value):
    result, truth = planted
    test = result.tests[(result.tests["variable"] == variable)
                        & (result.tests["category"] == category)].iloc[0]
    assert test["decision"] in ("reliable", "tentative")  # the gate lets it through
    assert test["test"] == "pearson_chi2"
    assert test["p_adjusted"] < 1e-6
    rows = result.prevalence[(result.prevalence["variable"] == variable)
                             & (result.prevalence["category"] == category)
                             & (result.prevalence["value"] == value)].set_index("group")
    a, b = rows.loc["outlet-a"], rows.loc["outlet-b"]
    assert planted_share(truth, "outlet-a", variable, category, value) == pytest.approx(0.7)
    assert planted_share(truth, "outlet-b", variable, category, value) == pytest.approx(0.2)
    assert a["share"] > b["share"]
    for outlet, row in rows.iterrows():
        # each outlet's Wilson interval covers its planted share (coder noise included)
        share = planted_share(truth, outlet, variable, category, value)
        assert row["ci_low"] <= share <= row["ci_high"], (outlet, row.to_dict(), share)
    # Newcombe's hybrid score interval of the difference covers the planted 0.5, not 0
    # (Newcombe 1998, Stat. Med. 17:873-890, method 10)
    low, high = confint_proportions_2indep(
        int(a["count"]), int(a["n"]), int(b["count"]), int(b["n"]),
        method="newcomb", compare="diff",
    )
    assert 0 < low <= 0.5 <= high


@pytest.mark.slow
def test_planted_effect_size_is_inside_cramers_v_interval(planted):
    result, truth = planted
    # the population table of the planted shares, equal outlets: its V is the planted V
    domain = ["NOT_MENTIONED", "ASSERTED_AS_FACT", "CONTESTED", "REFUTED"]
    table = np.array([[truth["outlets"][o]["propensities"]["promise_status"][v]
                       for v in domain] for o in ("outlet-a", "outlet-b")])
    planted_v = association(np.rint(table * 1e6).astype(int), method="cramer", correction=False)
    test = result.tests[result.tests["variable"] == "promise_status"].iloc[0]
    assert test["v_ci_low"] <= planted_v <= test["v_ci_high"], (planted_v, test.to_dict())


@pytest.mark.slow
def test_no_outlet_effect_rejects_at_about_the_nominal_rate(tmp_path):
    """20 seeds x 7 comparisons without an effect: the count of raw p < .05 stays within
    the binomial's 99.9% range for a 5% test (the 200-seed run is the benchmark)."""
    outlets = {f"outlet-{k}": SAME for k in "abc"}
    pvalues, tests = [], set()
    for seed in range(20):
        root = tmp_path / f"s{seed}"
        root.mkdir()
        annotations, registry, truth = simulate(root, outlets, per_outlet=30, coders=2,
                                                seed=seed)
        kept = [r for r in registry if r["variable"] in {v for v, _ in NULL_COMPARISONS}]
        agreement = study_agreement(annotations, kept, n_boot=0, seed=0)
        result = outlet_analysis(annotations, kept, agreement, override=True, seed=seed,
                                 n_boot=0, n_resamples=499)
        for variable, category in NULL_COMPARISONS:
            row = result.tests[(result.tests["variable"] == variable)
                               & (result.tests["category"] == category)].iloc[0]
            if pd.notna(row["p_value"]):
                pvalues.append(row["p_value"])
                tests.add(row["test"])
    n = len(pvalues)
    assert n >= 0.9 * 20 * len(NULL_COMPARISONS)
    rejections = sum(p < 0.05 for p in pvalues)
    assert rejections <= binom.ppf(0.999, n, 0.05), (rejections, n, tests)
    assert np.mean(pvalues) > 0.35  # p is roughly uniform, not piled up near 0
