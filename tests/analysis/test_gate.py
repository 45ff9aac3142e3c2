"""The reliability gate (framestudy.analysis.gate) on hand-made agreement tables.

The limits are Krippendorff's (2004, *Content Analysis*, 2nd ed., p. 241): alpha >= .800
for conclusions, >= .667 for tentative ones.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.gate import GATE_COLUMNS, admitted, gate
from framestudy.analysis.variable_agreement import RESULT_COLUMNS, study_agreement
from framestudy.settings import GateSettings
from tests.analysis.synth import synthetic_study

NAN = float("nan")


def row(variable, estimate, ci_low=NAN, ci_high=NAN, *, metric="alpha_nominal",
        category="", outlet="all", reason=""):
    """One row of a study-mode agreement table (the other columns as study_agreement has them)."""
    out = dict.fromkeys(RESULT_COLUMNS, NAN)
    out.update(variable=variable, dimension="d", metric=metric, category=category,
               outlet=outlet, estimate=estimate, ci_low=ci_low, ci_high=ci_high,
               reason=reason)
    return out


def table(*rows):
    return pd.DataFrame(list(rows), columns=RESULT_COLUMNS)


def decided(result, variable, category=""):
    hit = result[(result["variable"] == variable) & (result["category"] == category)]
    assert len(hit) == 1, (variable, category)
    return hit.iloc[0]


@pytest.mark.parametrize(
    ("alpha", "decision", "reason"),
    [
        (0.6669, "excluded", "α = 0.6669 is below the threshold 0.667"),
        (0.667, "tentative", "α = 0.667 is below 0.800: tentative conclusions only"),
        (0.7999, "tentative", "α = 0.7999 is below 0.800: tentative conclusions only"),
        (0.800, "reliable", ""),
        (1.0, "reliable", ""),
        (0.2, "excluded", "α = 0.200 is below the threshold 0.667"),
        (-0.3, "excluded", "α = -0.300 is below the threshold 0.667"),
    ],
)
def test_default_gate_on_both_sides_of_each_threshold(alpha, decision, reason):
    result = gate(table(row("v", alpha, alpha - 0.1, min(alpha + 0.1, 1.0))))
    assert list(result.columns) == GATE_COLUMNS
    got = result.iloc[0]
    assert (got["decision"], got["reason"]) == (decision, reason)
    assert got["alpha"] == alpha and got["statistic_used"] == "estimate"
    assert (got["threshold"], got["tentative_below"]) == (0.667, 0.800)


def test_the_lower_end_of_the_ci_is_stricter_than_the_estimate():
    rows = table(
        row("a", 0.90, 0.80, 0.95),    # estimate and CI both reliable
        row("b", 0.85, 0.70, 0.93),    # reliable estimate, tentative lower end
        row("c", 0.75, 0.667, 0.82),   # lower end exactly at the threshold: passes
        row("d", 0.70, 0.6669, 0.78),  # lower end just under it: excluded
    )
    by_estimate = gate(rows)
    assert list(by_estimate["decision"]) == ["reliable", "reliable", "tentative", "tentative"]
    low = gate(rows, GateSettings(statistic="ci_low"))
    assert list(low["decision"]) == ["reliable", "tentative", "tentative", "excluded"]
    assert set(low["statistic_used"]) == {"ci_low"}
    assert decided(low, "d")["reason"] == (
        "the lower end of α's CI = 0.6669 is below the threshold 0.667"
    )
    assert decided(low, "b")["reason"].startswith("the lower end of α's CI = 0.700 is below 0.800")
    # the output keeps alpha and its CI whatever the gate read
    assert list(low["alpha"]) == [0.90, 0.85, 0.75, 0.70]
    assert list(low["ci_low"]) == [0.80, 0.70, 0.667, 0.6669]
    assert list(low["ci_high"]) == [0.95, 0.93, 0.82, 0.78]


def test_thresholds_from_the_settings():
    rows = table(row("a", 0.699), row("b", 0.70), row("c", 0.90), row("d", 0.95))
    strict = gate(rows, GateSettings(threshold=0.7, tentative_below=0.95))
    assert list(strict["decision"]) == ["excluded", "tentative", "tentative", "reliable"]
    assert set(strict["threshold"]) == {0.7} and set(strict["tentative_below"]) == {0.95}
    # equal limits: no tentative band
    flat = gate(rows, GateSettings(threshold=0.7, tentative_below=0.7))
    assert list(flat["decision"]) == ["excluded", "reliable", "reliable", "reliable"]


def test_an_undefined_alpha_is_excluded_with_its_reason():
    rows = table(
        row("same", NAN, reason="no variation: every coder gave every unit the same value"),
        row("silent", NAN),
        row("noboot", 0.9),  # no bootstrap: the CI is missing
    )
    result = gate(rows)
    assert decided(result, "same")["reason"] == (
        "α undefined: no variation: every coder gave every unit the same value"
    )
    assert decided(result, "silent")["reason"] == "α undefined: no reason given"
    assert list(result["decision"]) == ["excluded", "excluded", "reliable"]
    low = gate(rows, GateSettings(statistic="ci_low"))
    assert decided(low, "noboot")["decision"] == "excluded"
    assert decided(low, "noboot")["reason"].startswith(
        "α = 0.900 has no confidence interval and the gate reads its lower end -- "
    )
    assert decided(low, "same")["reason"].startswith("α undefined: no variation")


def test_override_lets_everything_through_and_says_so():
    rows = table(row("low", 0.3), row("mid", 0.7), row("high", 0.9), row("none", NAN, reason="one coder"))
    result = gate(rows, override=True)
    assert set(result["decision"]) == {"overridden"}
    assert list(result["reason"]) == [
        "gate overridden; it would say excluded: α = 0.300 is below the threshold 0.667",
        "gate overridden; it would say tentative: α = 0.700 is below 0.800: tentative "
        "conclusions only",
        "gate overridden; it would say reliable",
        "gate overridden; it would say excluded: α undefined: one coder",
    ]
    assert result.attrs["gate"] == {
        "statistic": "estimate", "threshold": 0.667, "tentative_below": 0.8, "overridden": True,
    }
    assert list(admitted(result)["variable"]) == ["low", "mid", "high", "none"]
    plain = gate(rows)
    assert plain.attrs["gate"]["overridden"] is False
    assert list(admitted(plain)["variable"]) == ["mid", "high"]
    assert admitted(plain).attrs["gate"] == plain.attrs["gate"]


def test_reads_each_variables_pooled_alpha_and_span_labels_per_label():
    rows = table(
        row("relevant", 0.9),
        row("relevant", 0.1, outlet="rt"),  # per-outlet rows are not read
        row("actors", 0.7, metric="alpha_masi"),
        row("actors", 0.1, metric="alpha_nominal_binary", category="NATO"),
        row("span", 0.5, metric="unitizing_alpha"),
        row("span", 0.85, metric="unitizing_alpha", category="BLAME"),
        row("span", 0.6, metric="unitizing_alpha", category="PROMISE"),
        row("span", 0.1, metric="alpha_nominal_presence", category="BLAME"),
        row("span", 0.1, metric="span_f1_exact"),
        row("target", 0.95, metric="alpha_masi_matched_spans"),
        row("polarity", 0.4, metric="alpha_nominal_matched_spans"),
        row("legit", 0.81, metric="alpha_ordinal"),
    )
    result = gate(rows)
    assert list(zip(result["variable"], result["category"], result["metric"], result["decision"],
                    strict=True)) == [
        ("relevant", "", "alpha_nominal", "reliable"),
        ("actors", "", "alpha_masi", "tentative"),
        ("span", "BLAME", "unitizing_alpha", "reliable"),
        ("span", "PROMISE", "unitizing_alpha", "excluded"),
        ("target", "", "alpha_masi_matched_spans", "reliable"),
        ("polarity", "", "alpha_nominal_matched_spans", "excluded"),
        ("legit", "", "alpha_ordinal", "reliable"),
    ]
    # without per-label rows (document lengths unknown) the span variable is still shown
    unknown = table(row("span", NAN, metric="unitizing_alpha",
                        reason="document lengths unknown (tasks/tasks.json is missing)"),
                    row("span", 0.9, metric="alpha_nominal_presence", category="BLAME"))
    only = gate(unknown).iloc[0]
    assert (only["category"], only["decision"]) == ("", "excluded")
    assert only["reason"] == "α undefined: document lengths unknown (tasks/tasks.json is missing)"


def test_the_table_read_back_from_csv_gives_the_same_gate():
    rows = table(row("a", 0.7, 0.6, 0.8), row("b", NAN, reason="one coder"),
                 row("span", 0.9, 0.85, 0.95, metric="unitizing_alpha", category="BLAME"))
    text = rows.to_csv(index=False)
    for read in (pd.read_csv(io.StringIO(text)),
                 pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)):
        pd.testing.assert_frame_equal(gate(read), gate(rows))


def test_a_study_agreement_table_is_gated_variable_by_variable():
    registry = [
        {"variable": "relevant", "kind": "document", "level": "nominal",
         "metric": "alpha_nominal", "values": ["yes", "no"], "multiple": False},
        {"variable": "actors", "kind": "document", "level": "set", "metric": "alpha_masi",
         "values": ["RUSSIA", "NATO", "US"], "multiple": True},
        {"variable": "span", "kind": "span_label", "level": "span", "metric": "unitizing_alpha",
         "values": ["BLAME", "PROMISE"], "labels": ["BLAME", "PROMISE"], "multiple": False},
    ]
    ann, lengths = synthetic_study(registry, n_articles=40, n_outlets=2, seed=5)
    agreement = study_agreement(ann, registry, lengths, by="outlet", n_boot=50, seed=1)
    result = gate(agreement, GateSettings(statistic="ci_low"))
    assert list(zip(result["variable"], result["category"], strict=True)) == [
        ("relevant", ""), ("actors", ""), ("span", "BLAME"), ("span", "PROMISE"),
    ]
    pooled = agreement[(agreement["outlet"] == "all") & (agreement["category"] == "")]
    relevant = pooled[pooled["variable"] == "relevant"].iloc[0]
    got = decided(result, "relevant")
    assert got["alpha"] == relevant["estimate"] and got["ci_low"] == relevant["ci_low"]
    expected = ("excluded" if relevant["ci_low"] < 0.667
                else "tentative" if relevant["ci_low"] < 0.8 else "reliable")
    assert got["decision"] == expected
    assert set(result["decision"]) <= {"reliable", "tentative", "excluded"}
    assert all(math.isfinite(a) for a in result["alpha"])


def test_input_errors_say_what_to_do():
    good = table(row("a", 0.9))
    with pytest.raises(AgreementInputError, match="not list -- pass the study-mode table"):
        gate([{"variable": "a"}])
    with pytest.raises(AgreementInputError, match="has no 'outlet' column -- pass the study-mode"):
        gate(good.drop(columns="outlet"))
    with pytest.raises(AgreementInputError, match="no pooled alpha row .* for variable 'b' -- "):
        gate(table(row("a", 0.9), row("b", 0.9, outlet="rt")))
    with pytest.raises(AgreementInputError, match="two pooled rows for a, alpha_nominal -- "):
        gate(pd.concat([good, good]))
    with pytest.raises(AgreementInputError, match="'estimate' column holds values that are not"):
        gate(good.assign(estimate="high"))
    with pytest.raises(AgreementInputError, match="settings must be a framestudy.settings.Gate"):
        gate(good, {"threshold": 0.7})
    with pytest.raises(AgreementInputError, match="override must be True or False"):
        gate(good, override="yes")
    with pytest.raises(ValueError, match="threshold"):
        GateSettings(threshold=1.5)
    with pytest.raises(ValueError, match="tentative_below"):
        GateSettings(threshold=0.9)


def test_an_empty_table_gives_an_empty_gate():
    result = gate(table())
    assert list(result.columns) == GATE_COLUMNS and result.empty
    assert result.attrs["gate"]["threshold"] == 0.667
    assert np.dtype(result["alpha"].dtype).kind == "f"
