"""Unitizing alpha against a naive, exact computation from Krippendorff's definition
(tests/analysis/unitizing_reference.py, checked here on Krippendorff's 2004 published
example), on the cases mutation testing found unchecked: a document where a category has
no unit (its coders' whole-document gaps), the pooled D_o and D_e of several categories,
lengths given as a Series, spans of millions of characters, the continuous form with its
bootstrap, and bootstrap replicates in which a category is absent or has D_e = 0
(docs/mutation.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.unitizing import unitizing_alpha
from tests.analysis import unitizing_reference as ref

COLUMNS = ["document", "coder", "category", "start", "end"]
CASES = Path(__file__).parent / "data" / "agreement_cases.json"


def frame(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


def _published_case():
    data = json.loads(CASES.read_text(encoding="utf-8"))
    cases = data if isinstance(data, list) else data.get("cases", data)
    (case,) = [c for c in cases if c["id"] == "krippendorff2004_unitizing_alpha_category_c"]
    low, high = case["data"]["continuum"]
    rows = [
        ("doc", f"coder{i}", s["category"], s["begin"] - low, s["begin"] - low + s["length"])
        for i, segments in enumerate(case["data"]["coders"])
        for s in segments
    ]
    return case, rows, {"doc": high - low}


def test_the_reference_gives_krippendorffs_published_value():
    case, rows, lengths = _published_case()
    got = ref.alpha(rows, lengths)["by_category"]["c"]
    assert round(got[0], 4) == case["expected"]
    assert round(got[1], 4) == case["expected_extra"]["uDo_c"]
    assert round(got[2], 4) == case["expected_extra"]["uDe_c"]


# d2 has no unit of Y: each of its three coders has the whole of d2 as a Y gap
ROWS = [
    ("d1", "a", "X", 2, 12), ("d1", "b", "X", 3, 12), ("d1", "c", "X", 2, 10),
    ("d1", "a", "Y", 20, 26), ("d1", "b", "Y", 21, 27), ("d1", "c", "Y", 30, 34),
    ("d2", "a", "X", 0, 7), ("d2", "b", "X", 1, 7), ("d2", "c", "X", 15, 20),
    ("d3", "a", "Y", 4, 9), ("d3", "b", "Y", 4, 9), ("d3", "a", "X", 11, 14),
]
LENGTHS = {"d1": 40, "d2": 25, "d3": 18}


def test_per_category_and_pooled_values_and_disagreements():
    expected = ref.alpha(ROWS, LENGTHS)
    res = unitizing_alpha(frame(ROWS), LENGTHS)
    assert res["estimate"] == pytest.approx(expected["estimate"], abs=1e-12)
    for cat, (estimate, d_o, d_e) in expected["by_category"].items():
        entry = res["by_category"][cat]
        assert entry["estimate"] == pytest.approx(estimate, abs=1e-12)
        assert entry["observed_disagreement"] == pytest.approx(d_o, abs=1e-15)
        assert entry["expected_disagreement"] == pytest.approx(d_e, abs=1e-15)
    # the pooled D_o and D_e are the categories' means: 1 - D_o / D_e is the pooled alpha
    d_os = [v[1] for v in expected["by_category"].values()]
    d_es = [v[2] for v in expected["by_category"].values()]
    assert res["observed_disagreement"] == pytest.approx(np.mean(d_os), abs=1e-15)
    assert res["expected_disagreement"] == pytest.approx(np.mean(d_es), abs=1e-15)


def test_lengths_as_a_series_are_read_as_the_mapping():
    expected = ref.alpha(ROWS, LENGTHS)
    res = unitizing_alpha(frame(ROWS), pd.Series(LENGTHS))
    assert res["n_documents"] == 3
    assert res["estimate"] == pytest.approx(expected["estimate"], abs=1e-12)


def test_partial_coder_sets_match_the_reference():
    coders = {"d1": ["a", "b", "c"], "d2": ["a", "b"], "d3": ["a", "b"]}
    expected = ref.alpha(ROWS, LENGTHS, coders)
    res = unitizing_alpha(frame(ROWS), LENGTHS, coders)
    assert res["estimate"] == pytest.approx(expected["estimate"], abs=1e-12)
    for cat, (estimate, _, _) in expected["by_category"].items():
        assert res["by_category"][cat]["estimate"] == pytest.approx(estimate, abs=1e-12)


def test_overlapping_units_billions_of_characters_apart():
    # (b_g - b_h)^2 and (e_g - e_h)^2 of 3.5e9 exceed 2^63
    rows = [("d", "a", "X", 0, 4_000_000_000), ("d", "b", "X", 0, 500_000_000),
            ("d", "b", "X", 3_500_000_000, 3_600_000_000)]
    lengths = {"d": 5_000_000_000}
    _, d_o, d_e = ref.alpha(rows, lengths)["by_category"]["X"]
    entry = unitizing_alpha(frame(rows), lengths)["by_category"]["X"]
    assert entry["observed_disagreement"] == pytest.approx(d_o, rel=1e-9)
    assert entry["expected_disagreement"] == pytest.approx(d_e, rel=1e-9)


def test_spans_of_millions_of_characters():
    # a book-length document: l^3 of a 2,500,000-character span exceeds 2^63
    n = 2_500_000
    rows = [("book", "a", "X", 0, n), ("book", "b", "X", 100, n - 50),
            ("book", "a", "Y", 10, 30), ("book", "b", "Y", 3_000_000_000, 3_000_000_500)]
    lengths = {"book": 3_100_000_000}
    expected = ref.alpha(rows, lengths)
    res = unitizing_alpha(frame(rows), lengths)
    for cat, (estimate, d_o, d_e) in expected["by_category"].items():
        entry = res["by_category"][cat]
        assert entry["observed_disagreement"] == pytest.approx(d_o, rel=1e-9)
        assert entry["expected_disagreement"] == pytest.approx(d_e, rel=1e-9)
        assert entry["estimate"] == pytest.approx(estimate, rel=1e-9, abs=1e-12)


# continuous form: in d1 coder a marks all of it and b nothing, so with d1 drawn once
# and no other X unit, D_e(X) = 0 (no gap longer than the unit) while D_o(X) > 0
CONT_ROWS = [
    ("d1", "a", "X", 0, 10),
    ("d2", "a", "Y", 0, 10), ("d2", "b", "Y", 0, 10),
    ("d3", "a", "Y", 2, 8), ("d3", "b", "Y", 3, 8),
]
CONT_LENGTHS = {"d1": 10, "d2": 10, "d3": 10}


def test_continuous_point_estimate():
    expected = ref.alpha(CONT_ROWS, CONT_LENGTHS, continuous=True)
    res = unitizing_alpha(frame(CONT_ROWS), CONT_LENGTHS, continuous=True)
    assert res["estimate"] == pytest.approx(expected["estimate"], abs=1e-12)
    assert res["by_category"]["Y"]["estimate"] == pytest.approx(
        expected["by_category"]["Y"][0], abs=1e-12
    )


@pytest.mark.parametrize(
    ("rows", "lengths", "continuous"),
    [(CONT_ROWS, CONT_LENGTHS, True), (CONT_ROWS, CONT_LENGTHS, False), (ROWS, LENGTHS, False)],
)
def test_bootstrap_interval_is_that_of_the_resampled_studies(rows, lengths, continuous):
    everyone = sorted({r[1] for r in rows})
    coders = {d: everyone for d in lengths}
    cats = sorted({r[2] for r in rows})
    n_boot, seed, confidence = 40, 3, 0.9
    expected = ref.bootstrap(rows, lengths, coders, cats, n_boot, seed, confidence, continuous)
    res = unitizing_alpha(
        frame(rows), lengths, n_boot=n_boot, seed=seed, confidence=confidence,
        continuous=continuous,
    )
    assert (res["ci_low"], res["ci_high"]) == pytest.approx(expected[None], abs=1e-12)
    for cat in cats:
        entry = res["by_category"][cat]
        assert (entry["ci_low"], entry["ci_high"]) == pytest.approx(
            expected[cat], abs=1e-12, nan_ok=True
        )


def test_many_replicates_in_several_chunks():
    # enough gaps and units that the replicates are computed in pieces, and a number of
    # replicates that is no multiple of a piece
    rows = []
    for d in ("d1", "d2"):
        for i in range(60):
            rows.append((d, "a", "X", 10 * i, 10 * i + 6))
            rows.append((d, "b", "X", 10 * i + (i % 3), 10 * i + 7))
    res = unitizing_alpha(frame(rows), {"d1": 600, "d2": 600}, n_boot=8_001, seed=1)
    assert res["bootstrap"]["n"] == 8_001
    assert res["bootstrap"]["n_undefined"] == 0
    assert np.isfinite(res["ci_low"]) and np.isfinite(res["ci_high"])
    assert res["ci_low"] <= res["estimate"] <= res["ci_high"]
