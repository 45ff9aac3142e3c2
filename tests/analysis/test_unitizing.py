"""Unitizing alpha beyond the published example, span F1, presence and span matching."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis.unitizing import (
    SPAN_COLUMNS,
    match_spans,
    presence_alpha,
    presence_indicators,
    span_f1,
    unitizing_alpha,
)


def spans(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=SPAN_COLUMNS)


def random_spans(
    seed: int, docs=("d1", "d2", "d3"), coders=("a", "b", "c"), length=500
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for doc in docs:
        truth = [
            (int(s), int(s + rng.integers(10, 60)), str(rng.choice(["X", "Y"])))
            for s in (40, 160, 300)
        ]
        for coder in coders:
            for start, end, cat in truth:
                if rng.random() < 0.85:
                    j = rng.integers(-6, 7, 2)
                    rows.append((doc, coder, cat, max(0, start + j[0]), min(length, end + j[1])))
    return spans(rows)


def test_identical_coders_agree_perfectly():
    one = random_spans(0)
    one = one[one["coder"] == "a"]
    both = pd.concat([one, one.assign(coder="b")])
    res = unitizing_alpha(both, {"d1": 500, "d2": 500, "d3": 500})
    assert res["estimate"] == 1.0
    assert all(e["estimate"] == 1.0 for e in res["by_category"].values())


@pytest.mark.parametrize("seed", range(4))
def test_coder_and_row_order_do_not_matter(seed):
    data = random_spans(seed)
    lengths = {"d1": 500, "d2": 500, "d3": 500}
    renamed = data.assign(coder=data["coder"].map({"a": "z", "b": "y", "c": "x"})).sample(
        frac=1, random_state=seed
    )
    a, b = unitizing_alpha(data, lengths), unitizing_alpha(renamed, lengths)
    assert a["estimate"] == pytest.approx(b["estimate"], abs=1e-12)
    assert 0 < a["estimate"] < 1


def test_documents_equal_one_concatenated_continuum_when_no_gap_crosses():
    """With a unit at the start of the second document for every coder, the gaps are the
    same either way, so the multi-document result is Krippendorff's single continuum."""
    rows = [
        ("d1", "a", "X", 10, 30),
        ("d1", "b", "X", 12, 30),
        ("d1", "a", "X", 60, 70),
        ("d2", "a", "X", 0, 15),
        ("d2", "b", "X", 0, 20),
        ("d2", "b", "X", 50, 65),
    ]
    separate = unitizing_alpha(spans(rows), {"d1": 100, "d2": 80})
    joined = [
        ("all", c, k, s + (100 if d == "d2" else 0), e + (100 if d == "d2" else 0))
        for d, c, k, s, e in rows
    ]
    single = unitizing_alpha(spans(joined), {"all": 180})
    assert separate["estimate"] == pytest.approx(single["estimate"], abs=1e-12)
    assert separate["by_category"]["X"]["expected_disagreement"] == pytest.approx(
        single["by_category"]["X"]["expected_disagreement"], abs=1e-15
    )


def test_documents_with_a_single_coder_are_left_out():
    data = random_spans(1, docs=("d1", "d2"), coders=("a", "b"))
    lengths = {"d1": 500, "d2": 500}
    base = unitizing_alpha(data, lengths)
    extra = pd.concat([data, spans([("d3", "c", "X", 5, 50)])])
    coders = {"d1": ["a", "b"], "d2": ["a", "b"], "d3": ["c"]}
    res = unitizing_alpha(extra, {**lengths, "d3": 300}, coders=coders)
    assert res["estimate"] == pytest.approx(base["estimate"], abs=1e-12)
    assert res["n_documents"] == 2


def test_unequal_coder_sets_reduce_to_complete_formula_when_complete():
    data = random_spans(2)
    lengths = {"d1": 500, "d2": 500, "d3": 500}
    explicit = {d: ["a", "b", "c"] for d in lengths}
    assert unitizing_alpha(data, lengths, explicit)["estimate"] == pytest.approx(
        unitizing_alpha(data, lengths)["estimate"], abs=1e-12
    )
    partial = {"d1": ["a", "b", "c"], "d2": ["a", "b"], "d3": ["b", "c"]}
    res = unitizing_alpha(data, lengths, partial)
    assert -1 < res["estimate"] <= 1


def test_disagreement_lowers_alpha():
    base = [("d", "a", "X", 10, 40), ("d", "b", "X", 10, 40)]
    shifted = [("d", "a", "X", 10, 40), ("d", "b", "X", 20, 50)]
    missed = [("d", "a", "X", 10, 40), ("d", "b", "X", 70, 90)]
    values = [unitizing_alpha(spans(r), {"d": 100})["estimate"] for r in (base, shifted, missed)]
    assert values[0] == 1.0 > values[1] > values[2]


def test_overlapping_spans_of_one_coder_are_merged():
    rows = [("d", "a", "X", 10, 30), ("d", "a", "X", 20, 40), ("d", "b", "X", 10, 40)]
    res = unitizing_alpha(spans(rows), {"d": 100})
    assert res["n_merged"] == 1
    assert res["estimate"] == 1.0


def test_span_f1_exact_and_overlap():
    rows = [
        ("d", "a", "X", 0, 10),
        ("d", "a", "X", 20, 30),
        ("d", "a", "Y", 50, 60),
        ("d", "b", "X", 0, 10),
        ("d", "b", "X", 22, 28),
        ("d", "b", "Y", 70, 80),
        ("d", "b", "X", 50, 60),
    ]
    exact = span_f1(spans(rows), "exact").set_index("category")
    # a: 3 spans, b: 4 spans; exact matches: (0,10,X) only -> P = 1/4, R = 1/3
    assert exact.loc["all", "f1"] == pytest.approx(2 * (1 / 4) * (1 / 3) / (1 / 4 + 1 / 3))
    overlap = span_f1(spans(rows), "overlap").set_index("category")
    # overlap, same category: X 0-10 and 20-30 of a matched; b's 0-10 and 22-28 matched
    assert overlap.loc["all", "f1"] == pytest.approx(2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3))
    assert overlap.loc["Y", "f1"] == 0.0


def test_presence_indicators_and_alpha():
    rows = [
        ("d1", "a", "X", 0, 5),
        ("d1", "b", "X", 3, 9),
        ("d2", "a", "X", 0, 5),
        ("d3", "b", "Y", 1, 2),
    ]
    coders = {"d1": ["a", "b"], "d2": ["a", "b"], "d3": ["a", "b"], "d4": ["a"]}
    tables = presence_indicators(spans(rows), ["d1", "d2", "d3", "d4"], coders, ["X", "Y"])
    x = tables["X"]
    assert x.loc["d1"].tolist() == [1.0, 1.0]
    assert x.loc["d2"].tolist() == [1.0, 0.0]
    assert x.loc["d3"].tolist() == [0.0, 0.0]
    assert x.loc["d4", "a"] == 0.0 and np.isnan(x.loc["d4", "b"])
    res = presence_alpha(x)
    assert res["n_pairable_values"] == 6
    # coincidences: d1 (1,1), d2 (1,0), d3 (0,0): o11=2, o10=o01=1, o00=2 -> alpha = 1 - 5*2/(3*3*2)
    assert res["estimate"] == pytest.approx(1 - 5 * 2 / 18)


def test_match_spans_one_span_per_coder_per_unit():
    rows = [
        ("d", "a", "X", 0, 20),
        ("d", "b", "X", 0, 10),
        ("d", "b", "X", 12, 20),
        ("d", "c", "X", 1, 19),
        ("d", "a", "Y", 0, 20),
        ("e", "b", "X", 0, 20),
    ]
    frame = spans(rows)
    units = match_spans(frame)
    grouped = frame.assign(unit=units).groupby("unit")["coder"].agg(list)
    for coders in grouped:
        assert len(coders) == len(set(coders))
    assert units[0] == units[3]  # a 0-20 with c 1-19 (best overlap)
    assert units[4] not in (units[0], units[1], units[2])  # other category
    assert units[5] not in set(units[:5])  # other document
