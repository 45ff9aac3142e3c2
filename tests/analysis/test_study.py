"""Study mode: every registry variable from the tidy table, checked against direct computation."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.alpha import krippendorff_alpha
from framestudy.analysis.unitizing import unitizing_alpha
from framestudy.analysis.variable_agreement import (
    RESULT_COLUMNS,
    study_agreement,
    study_disagreements,
)
from tests.analysis.synth import synthetic_study

REGISTRY = [
    {
        "variable": "relevant",
        "dimension": "control",
        "kind": "document",
        "level": "nominal",
        "metric": "alpha_nominal",
        "values": ["yes", "no"],
        "missing_values": [],
        "labels": [],
        "multiple": False,
    },
    {
        "variable": "legit",
        "dimension": "legitimacy",
        "kind": "document",
        "level": "ordinal",
        "metric": "alpha_ordinal",
        "values": ["-2", "-1", "0", "+1", "+2"],
        "missing_values": ["NA"],
        "labels": [],
        "multiple": False,
    },
    {
        "variable": "actors",
        "dimension": "blame",
        "kind": "document",
        "level": "set",
        "metric": "alpha_masi",
        "values": ["RUSSIA", "NATO", "US"],
        "missing_values": [],
        "labels": [],
        "multiple": True,
    },
    {
        "variable": "span",
        "dimension": "spans",
        "kind": "span_label",
        "level": "span",
        "metric": "unitizing_alpha",
        "values": ["BLAME", "PROMISE"],
        "missing_values": [],
        "labels": ["BLAME", "PROMISE"],
        "multiple": False,
    },
    {
        "variable": "polarity",
        "dimension": "legitimacy",
        "kind": "span_attribute",
        "level": "span_attribute",
        "metric": "alpha_nominal_matched_spans",
        "values": ["POS", "NEG"],
        "missing_values": [],
        "labels": ["BLAME"],
        "multiple": False,
    },
    {
        "variable": "target",
        "dimension": "blame",
        "kind": "span_attribute",
        "level": "span_attribute",
        "metric": "alpha_nominal_matched_spans",
        "values": ["RUSSIA", "NATO", "US"],
        "missing_values": [],
        "labels": ["BLAME", "PROMISE"],
        "multiple": True,
    },
]


@pytest.fixture(scope="module")
def study():
    ann, lengths = synthetic_study(REGISTRY, n_articles=120, n_outlets=3, seed=3)
    return ann, lengths


@pytest.fixture(scope="module")
def results(study):
    ann, lengths = study
    return study_agreement(ann, REGISTRY, lengths, by="outlet", n_boot=200, seed=1)


def pick(results, variable, metric=None, category="", outlet="all"):
    rows = results[
        (results["variable"] == variable)
        & (results["category"] == category)
        & (results["outlet"] == outlet)
    ]
    if metric:
        rows = rows[rows["metric"] == metric]
    assert len(rows) == 1, (variable, metric, category, outlet)
    return rows.iloc[0]


def wide(ann, variable):
    rows = ann[ann["variable"] == variable]
    return rows.pivot(index="article_id", columns="coder", values="value")


def test_columns_and_every_variable(results):
    assert list(results.columns) == RESULT_COLUMNS
    assert set(results["variable"]) == {r["variable"] for r in REGISTRY}


def test_nominal_variable_matches_direct_alpha(study, results):
    ann, _ = study
    expected = krippendorff_alpha(wide(ann, "relevant"), "nominal")["estimate"]
    row = pick(results, "relevant")
    assert row["metric"] == "alpha_nominal"
    assert row["estimate"] == pytest.approx(expected, abs=1e-12)
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert 0 <= row["p_below_0_667"] <= row["p_below_0_800"] <= 1
    assert row["n_coders"] == 3 and row["n_units"] == 120


def test_ordinal_variable_drops_missing_values_and_uses_scale_order(study, results):
    ann, _ = study
    table = wide(ann, "legit").replace("NA", np.nan)
    order = ["-2", "-1", "0", "+1", "+2"]
    codes = table.apply(
        lambda col: col.map(lambda v: order.index(v) if isinstance(v, str) else np.nan)
    )
    expected = krippendorff.alpha(
        codes.to_numpy(dtype=float).T, level_of_measurement="ordinal", value_domain=range(5)
    )
    assert pick(results, "legit")["estimate"] == pytest.approx(expected, abs=1e-12)


def test_set_variable_masi_and_per_value(study, results):
    ann, _ = study
    rows = ann[ann["variable"] == "actors"]
    sets = rows.groupby(["article_id", "coder"])["value"].agg(frozenset).unstack("coder")
    expected = krippendorff_alpha(sets.astype(object).where(sets.notna(), np.nan), "masi")[
        "estimate"
    ]
    assert pick(results, "actors", "alpha_masi")["estimate"] == pytest.approx(expected, abs=1e-12)
    russia = sets.map(lambda s: float("RUSSIA" in s) if isinstance(s, frozenset) else np.nan)
    assert pick(results, "actors", "alpha_nominal_binary", "RUSSIA")["estimate"] == pytest.approx(
        krippendorff_alpha(russia.astype(float), "nominal")["estimate"], abs=1e-12
    )


def test_span_rows(study, results):
    ann, lengths = study
    spans = ann[ann["variable"] == "span"]
    frame = pd.DataFrame(
        {
            "document": spans["article_id"],
            "coder": spans["coder"],
            "category": spans["value"],
            "start": spans["span_start"].astype(int),
            "end": spans["span_end"].astype(int),
        }
    )
    coders = {a: sorted(g) for a, g in ann.groupby("article_id")["coder"].unique().items()}
    expected = unitizing_alpha(frame, lengths, coders, ["BLAME", "PROMISE"], n_boot=200, seed=1)
    pooled = pick(results, "span", "unitizing_alpha")
    assert pooled["estimate"] == pytest.approx(expected["estimate"], abs=1e-12)
    # the document bootstrap CI reaches study mode, with the study's replicates and seed
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx(
        (expected["ci_low"], expected["ci_high"]), abs=1e-12
    )
    assert pooled["ci_low"] < pooled["estimate"] < pooled["ci_high"]
    blame = pick(results, "span", "unitizing_alpha", "BLAME")
    assert blame["estimate"] == pytest.approx(
        expected["by_category"]["BLAME"]["estimate"], abs=1e-12
    )
    assert blame["ci_low"] == pytest.approx(expected["by_category"]["BLAME"]["ci_low"], abs=1e-12)
    # and per outlet, alpha_U of that outlet's articles with its own interval
    per_outlet = results[
        (results["variable"] == "span")
        & (results["metric"] == "unitizing_alpha")
        & (results["outlet"] != "all")
    ]
    assert len(per_outlet) >= 2
    assert (per_outlet["ci_low"] <= per_outlet["estimate"]).all()
    assert (per_outlet["estimate"] <= per_outlet["ci_high"]).all()
    for label in ("BLAME", "PROMISE"):
        assert np.isfinite(pick(results, "span", "alpha_nominal_presence", label)["estimate"])
    exact, overlap = (
        pick(results, "span", "span_f1_exact")["estimate"],
        pick(results, "span", "span_f1_overlap")["estimate"],
    )
    assert 0 <= exact <= overlap <= 1


def test_span_attributes(results):
    polarity = pick(results, "polarity")
    assert polarity["metric"] == "alpha_nominal_matched_spans"
    assert 0 < polarity["estimate"] < 1 and polarity["n_units"] > 0
    target = pick(results, "target")
    assert target["metric"] == "alpha_masi_matched_spans"
    assert np.isfinite(target["estimate"])


def test_by_outlet_rows(study, results):
    ann, _ = study
    outlet_rows = results[(results["variable"] == "relevant") & (results["outlet"] != "all")]
    assert sorted(outlet_rows["outlet"]) == ["outlet0", "outlet1", "outlet2"]
    table = wide(ann, "relevant")
    outlet_of = ann.drop_duplicates("article_id").set_index("article_id")["outlet"]
    for row in outlet_rows.itertuples():
        sub = table[outlet_of.reindex(table.index).to_numpy() == row.outlet]
        expected = krippendorff_alpha(sub, "nominal", categories=["yes", "no"])["estimate"]
        assert row.estimate == pytest.approx(expected, abs=1e-12)
    assert len(results[(results["variable"] == "span") & (results["outlet"] != "all")]) == 3


def test_reproducible(study, results):
    ann, lengths = study
    again = study_agreement(ann, REGISTRY, lengths, by="outlet", n_boot=200, seed=1)
    pd.testing.assert_frame_equal(results, again)


def test_without_lengths_span_row_has_reason(study):
    ann, _ = study
    res = study_agreement(ann, REGISTRY[3:4], None, n_boot=0)
    row = pick(res, "span", "unitizing_alpha")
    assert np.isnan(row["estimate"]) and "lengths unknown" in row["reason"]


def test_conflicting_and_unknown_values_are_reported():
    ann, lengths = synthetic_study(REGISTRY[:1], n_articles=30, seed=1)
    extra = ann.iloc[[0, 1]].copy()
    extra["value"] = ["no" if v == "yes" else "yes" for v in extra["value"]]
    odd = ann.iloc[[5]].copy()
    odd["value"] = "maybe"
    odd["coder"] = "z@x.org"
    res = study_agreement(pd.concat([ann, extra, odd]), REGISTRY[:1], lengths, n_boot=0)
    reason = pick(res, "relevant")["reason"]
    assert "2 coder answers with two values" in reason and "maybe" in reason


def test_disagreement_list(study):
    ann, _ = study
    ranked = study_disagreements(ann, REGISTRY)
    assert set(ranked["variable"]) == {"relevant", "legit", "actors"}
    relevant = ranked[ranked["variable"] == "relevant"]
    assert relevant["disagreement"].is_monotonic_decreasing
    first = relevant.iloc[0]
    rows = ann[(ann["variable"] == "relevant") & (ann["article_id"] == first["article_id"])]
    assert rows["value"].nunique() == 2
    for coder, value in zip(rows["coder"], rows["value"], strict=True):
        assert f"{coder}: {value}" in first["values"]


def test_real_registry_runs(tmp_path):
    """The project's own registry (if built) goes through study mode without a reason-less NaN."""
    path = Path(__file__).resolve().parents[2] / "schemas" / "registry.json"
    if not path.is_file():
        pytest.skip("schemas/registry.json not built")
    registry = json.loads(path.read_text())
    ann, lengths = synthetic_study(registry, n_articles=40, seed=2)
    res = study_agreement(ann, registry, lengths, n_boot=50, seed=0)
    assert set(res["variable"]) == {r["variable"] for r in registry}
    undefined = res[res["estimate"].isna()]
    assert (undefined["reason"] != "").all()


@pytest.mark.parametrize(
    "order", [["low", "mid", "high"], ["mid", "high", "low"]], ids=["scale", "permuted"]
)
def test_ordinal_order_comes_from_the_registry(order):
    """Study mode orders an ordinal variable's text values as the registry lists them
    (checked with the `krippendorff` package), not alphabetically."""
    record = {
        "variable": "level",
        "kind": "document",
        "level": "ordinal",
        "metric": "alpha_ordinal",
        "values": order,
        "missing_values": ["NA"],
        "labels": [],
        "multiple": False,
    }
    ann, lengths = synthetic_study([record], n_articles=60, accuracy=0.6, seed=11)
    row = pick(study_agreement(ann, [record], lengths, n_boot=0), "level")
    table = wide(ann, "level").replace("NA", np.nan)

    def ordinal_alpha(domain):
        codes = table.apply(
            lambda col: col.map(lambda v: domain.index(v) if v in domain else np.nan)
        )
        return krippendorff.alpha(
            codes.to_numpy(dtype=float).T,
            level_of_measurement="ordinal",
            value_domain=range(len(domain)),
        )

    assert row["estimate"] == pytest.approx(ordinal_alpha(order), abs=1e-12)
    alphabetical = sorted(order)
    assert alphabetical != order
    assert abs(row["estimate"] - ordinal_alpha(alphabetical)) > 0.01


def test_span_ids_reused_across_articles_do_not_mix_attributes(study, results):
    """Span ids are only unique within an article in a hand-made table: the attribute
    alphas must not change when every article numbers its spans s0, s1, ..."""
    ann, lengths = study
    has_id = ann["span_id"].notna()
    keys = ann.loc[has_id, ["article_id", "span_id"]].drop_duplicates()
    keys["local"] = "s" + keys.groupby("article_id").cumcount().astype(str)
    renamed = ann.merge(keys, on=["article_id", "span_id"], how="left")
    renamed["span_id"] = renamed["local"].where(renamed["span_id"].notna(), None)
    renamed = renamed.drop(columns="local")
    assert renamed["span_id"].nunique() < ann["span_id"].nunique()  # ids now repeat
    again = study_agreement(renamed, REGISTRY, lengths, by="outlet", n_boot=200, seed=1)
    for variable in ("polarity", "target"):
        row = pick(again, variable)
        assert row["estimate"] == pytest.approx(pick(results, variable)["estimate"], abs=1e-12)
        assert row["n_units"] == pick(results, variable)["n_units"]
