"""Published values beyond the reference sample (issue 8, point 6), each with its source.

Randolph's free-marginal kappa with more than two categories and a scale larger than the
values used; weighted Cohen's kappa as R irr's ``kappa2`` computes it (weights over the
levels observed); unitizing alpha on Krippendorff's (1995) four coder pairs and on every
category of the Content Analysis (2004) example; the document bootstrap of alpha_U.
Each expected value is checked at the precision it was published with, unless the source
itself allows a tolerance (then that tolerance, and the test says why).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framestudy.analysis import kappa, unitizing
from framestudy.analysis.data import encode
from framestudy.analysis.unitizing import SPAN_COLUMNS, unitizing_alpha
from tests.analysis.tables import contingency_to_wide, counts_to_wide, from_matrix
from tests.analysis.test_reference_cases import assert_published

# --- Randolph's free-marginal multirater kappa (chance = 1/q) --------------------------


def test_brennan_prediger_1981_three_categories():
    """Brennan & Prediger (1981), Educ. Psychol. Meas. 41:687-699, examples on pp. 689 and
    691 (proportions x 100, as DKPro's BrennanPrediger1981Test encodes them): three
    categories, P_o = .60, P_e = 1/3, S = .40 (kappa .27 and .29)."""
    ex1 = [(50, 1, 1), (10, 2, 1), (10, 2, 2), (10, 2, 3), (20, 3, 1)]
    ex2 = [(50, 1, 1), (10, 1, 3), (10, 2, 2), (10, 2, 3), (10, 3, 1), (10, 3, 2)]
    for rows, published in ((ex1, 0.27), (ex2, 0.29)):
        pairs = [(a, b) for n, a, b in rows for _ in range(n)]
        coded = encode(pd.DataFrame(pairs, columns=["r1", "r2"]))
        result = kappa.brennan_prediger(coded)
        assert_published(result["pa"], 0.60)
        assert_published(result["pe"], 0.33)
        assert_published(result["estimate"], 0.40)
        assert_published(kappa.cohen_kappa(coded)["estimate"], published)


def test_randolph_2005_two_category_examples():
    """Randolph (2005), p. 17 (DKPro Randolph2005Test): three raters, yes/no; Randolph's
    kappa .33 in both examples while Fleiss' kappa is .33 and -.20."""
    ex1 = [["Yes", "Yes", "Yes"], ["Yes", "Yes", "No"], ["No", "No", "Yes"], ["No", "No", "No"]]
    ex2 = [["Yes", "Yes", "Yes"], ["Yes", "Yes", "No"], ["Yes", "Yes", "No"], ["Yes"] * 3]
    for rows, fleiss in ((ex1, 0.33), (ex2, -0.2)):
        coded = encode(pd.DataFrame(rows))
        assert_published(kappa.brennan_prediger(coded)["estimate"], 0.33)
        assert_published(kappa.fleiss_kappa(coded)["estimate"], fleiss)


def test_warrens_2010_eight_raters():
    """Warrens (2010), Adv. Data Anal. Classif. 4:271-286, p. 284 (O'Malley et al. 2006
    data, DKPro Warrens2010Test): 8 raters, Randolph's kappa .8358, Fleiss' .8324. The exact
    S is .83571 (P_o = .87679): DKPro holds both to 1e-4, and so does this test."""
    patterns = [
        (14, "NNNNNNNN"),
        (1, "NNNANNNN"),
        (1, "NNNNNNNA"),
        (10, "AAAAAAAA"),
        (2, "AANAAAAN"),
        (1, "AANANAAN"),
        (1, "AANANANN"),
    ]
    coded = encode(pd.DataFrame([list(p) for n, p in patterns for _ in range(n)]))
    assert abs(kappa.brennan_prediger(coded)["estimate"] - 0.8358) <= 1e-4
    assert abs(kappa.fleiss_kappa(coded)["estimate"] - 0.8324) <= 1e-4


# statsmodels' test_inter_rater.py::test_fleis_randolph: subjects x categories counts with
# a third category nobody chose; Randolph's kappa takes q = 3 (the scale), Fleiss' ignores it
UNUSED_THIRD = [[6, 1, 0], [0, 7, 0]]


def test_randolph_counts_scale_larger_than_values_used():
    wide = counts_to_wide(UNUSED_THIRD, [1, 2, 3])
    declared = encode(wide, categories=[1, 2, 3])
    assert_published(kappa.brennan_prediger(declared)["estimate"], 0.785714)
    assert_published(kappa.fleiss_kappa(declared)["estimate"], 0.708333)
    # without the domain only the two values used are categories: q = 2
    observed = encode(wide)
    assert_published(kappa.brennan_prediger(observed)["estimate"], 0.714286)
    # the scale size can be given directly when the unused categories' values are unknown
    result = kappa.brennan_prediger(observed, n_categories=3)
    assert_published(result["estimate"], 0.785714)
    assert result["n_categories"] == 3
    assert_published(result["pe"], 1 / 3, 6)


def test_randolph_n_categories_is_checked():
    observed = encode(counts_to_wide(UNUSED_THIRD, [1, 2, 3]))
    with pytest.raises(ValueError, match="smaller than"):
        kappa.brennan_prediger(observed, n_categories=1)
    with pytest.raises(ValueError, match="identity weights"):
        kappa.brennan_prediger(observed, "linear", n_categories=3)


def test_randolph_multi_category_many_raters():
    """Wikipedia's Fleiss example (10 subjects x 14 raters x 5 categories): P_o = .378,
    so Randolph's kappa is (.378 - .2) / .8 = .2225 (statsmodels' method='randolph' gives
    0.22252747; the same P_o as Fleiss' .210 in the reference sample)."""
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    coded = encode(counts_to_wide(counts, [1, 2, 3, 4, 5]))
    result = kappa.brennan_prediger(coded)
    assert_published(result["pa"], 0.378)
    assert_published(result["estimate"], 0.2225)


# --- weighted Cohen's kappa as R irr's kappa2 computes it ------------------------------

# R irr's `anxiety` data (20 subjects x 3 raters, ratings 1-6), as transcribed in
# statsmodels' stats/tests/test_inter_rater.py (column-major)
ANXIETY = np.array(
    [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3]
    + [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
    + [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]
).reshape(20, 3, order="F")


def anxiety(cols: list[int]):
    return encode(pd.DataFrame(ANXIETY[:, cols], columns=[f"rater{c + 1}" for c in cols]))


def test_irr_kappa2_anxiety_rater2_rater3():
    """irr 0.84 kappa2(anxiety[, 2:3], w) printed in statsmodels' test_cohens_kappa_irr:
    unweighted -0.006289308, "equal" 0.1459075, "squared" 0.2520325. Raters 2 and 3 use
    1, 2, 3, 4, 6: irr's levels are those five, so 4 -> 6 is one step."""
    coded = anxiety([1, 2])
    assert_published(kappa.cohen_kappa(coded)["estimate"], -0.006289308)
    equal = kappa.cohen_kappa(coded, "equal")
    assert_published(equal["estimate"], 0.1459075)
    assert equal["weights"] == "equal"
    assert_published(kappa.cohen_kappa(coded, "squared")["estimate"], 0.2520325)


def test_irr_kappa2_differs_from_value_weights_when_a_level_is_unused():
    """With the values 1..6 as scores (the default) the gap 4 -> 6 counts twice: linear
    kappa .1262 (agreement_anchors.md, section 3.1), not irr's .1459."""
    coded = anxiety([1, 2])
    assert_published(kappa.cohen_kappa(coded, "linear")["estimate"], 0.1262)
    # declaring the six-point scale changes nothing for irr's weights (5 is still unused)
    declared = encode(pd.DataFrame(ANXIETY[:, [1, 2]]), categories=[1, 2, 3, 4, 5, 6])
    assert_published(kappa.cohen_kappa(declared, "equal")["estimate"], 0.1459075)


def test_irr_kappa2_anxiety_rater1_rater2_squared():
    """irr's documented example kappa2(anxiety[, 1:2], "squared"): Kappa = 0.297 (also
    pyirr's test_kappa2). Raters 1 and 2 use all six levels, so rank and value weights
    agree here."""
    coded = anxiety([0, 1])
    assert_published(kappa.cohen_kappa(coded, "squared")["estimate"], 0.297)
    assert kappa.cohen_kappa(coded, "squared")["estimate"] == pytest.approx(
        kappa.cohen_kappa(coded, "quadratic")["estimate"], abs=1e-12
    )


def test_rank_weights_are_the_pairs_levels_and_reach_the_whole_family():
    """Light's kappa with irr weights averages irr's pairwise kappa2; Fleiss/AC2 with
    'equal' equal 'linear' on the data re-coded to ranks of the observed levels."""
    coded = anxiety([0, 1, 2])
    light = kappa.cohen_kappa(coded, "equal")
    for key, value in light["pairs"].items():
        a, b = (int(name[-1]) - 1 for name in key.split("|"))
        assert value == pytest.approx(kappa.cohen_kappa(anxiety([a, b]), "equal")["estimate"])
    ranks = kappa.observed_levels(coded)
    assert ranks.categories == (1, 2, 3, 4, 5, 6)  # all six used by someone
    two = anxiety([1, 2])
    ranked = kappa.observed_levels(two)
    assert ranked.categories == (1, 2, 3, 4, 5)
    for fn in (kappa.fleiss_kappa, kappa.gwet_ac, kappa.conger_kappa):
        assert fn(two, "squared")["estimate"] == pytest.approx(
            fn(ranked, "quadratic")["estimate"], abs=1e-12
        )
    with pytest.raises(ValueError, match="unknown weights"):
        kappa.fleiss_kappa(two, "cubic")


def test_rank_weights_on_a_contingency_table():
    """SAS's linear-weights table (reference sample) uses all three levels: irr's 'equal'
    gives the same .4701 there."""
    table = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
    coded = encode(contingency_to_wide(table, [1, 2, 3]))
    assert_published(kappa.cohen_kappa(coded, "equal")["estimate"], 0.4701)


# --- unitizing alpha: Krippendorff (1995), p. 57 ---------------------------------------

# (begin, length, coder, pair) on the 24-point continuum of the paper, as DKPro's
# Krippendorff1995Test.createExample encodes it; each letter is one pair of coders
K1995 = [
    (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
    (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"),
    (4, 1, 1, "B"), (5, 1, 1, "B"), (6, 3, 1, "B"), (9, 1, 1, "B"),
    (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"),
    (0, 2, 1, "C"), (4, 4, 1, "C"), (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
    (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"),
    (0, 4, 1, "D"), (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D"),
]  # fmt: skip


def k1995(stretch: int = 1, **kwargs) -> dict:
    rows = [("paper", f"coder{c}", pair, b * stretch, (b + n) * stretch) for b, n, c, pair in K1995]
    return unitizing_alpha(
        pd.DataFrame(rows, columns=SPAN_COLUMNS), {"paper": 24 * stretch}, **kwargs
    )


# published: alpha_U .553, -.926, .679, .066; D_o (exact fractions) and D_e as in DKPro
K1995_ALPHA = {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}
K1995_DO = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
K1995_DE = {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}


@pytest.mark.parametrize("pair", sorted(K1995_ALPHA))
def test_krippendorff_1995_pairs_on_the_papers_continuum(pair):
    """The paper treats positions as continuous: on its 24-point scale the discrete (2004)
    form gives A = .515, so the published values need ``continuous=True``. A and D match
    at the published precision. B and C differ by .002 and .014: the paper's D_e for them
    is off (DKPro's test notes a probable sign slip, l + l + 1 for l - l + 1, and itself
    allows 0.02 on alpha and 0.005 on D_e), so they are held to that tolerance."""
    entry = k1995(continuous=True)["by_category"][pair]
    assert abs(entry["observed_disagreement"] - K1995_DO[pair]) <= 1e-5
    if pair in ("A", "D"):
        assert_published(entry["estimate"], K1995_ALPHA[pair])
        assert_published(entry["expected_disagreement"], K1995_DE[pair])
    else:
        assert abs(entry["estimate"] - K1995_ALPHA[pair]) <= 0.02
        assert abs(entry["expected_disagreement"] - K1995_DE[pair]) <= 0.005


def test_krippendorff_1995_continuous_is_the_limit_of_finer_positions():
    """DKPro's testVaryingLengths: stretching the 24 points by 50,000 with the discrete
    formula converges to the continuous one."""
    fine = k1995(50_000)["by_category"]
    smooth = k1995(continuous=True)["by_category"]
    coarse = k1995()["by_category"]
    for pair in K1995_ALPHA:
        assert fine[pair]["estimate"] == pytest.approx(smooth[pair]["estimate"], abs=1e-4)
    assert abs(coarse["A"]["estimate"] - 0.553) > 0.03  # the discrete form on 24 points


def test_krippendorff_2004_every_category():
    """Content Analysis (2004), p. 254 example (DKPro Krippendorff2004Test and the older
    TestAlphaUnitizedAgreement): c: D_o .0144, D_e .0532, alpha .7286; k: D_o 0, D_e .0490,
    alpha 1; pooled .8591 from rounded parts (.8587 at full precision)."""
    units = [
        (225, 70, 0, "c"), (370, 30, 0, "c"), (220, 80, 1, "c"), (355, 20, 1, "c"),
        (400, 20, 1, "c"), (180, 60, 0, "k"), (300, 50, 0, "k"), (180, 60, 1, "k"),
        (300, 50, 1, "k"),
    ]  # fmt: skip
    rows = [("book", f"obs{c}", cat, b - 150, b - 150 + n) for b, n, c, cat in units]
    result = unitizing_alpha(pd.DataFrame(rows, columns=SPAN_COLUMNS), {"book": 300})
    published = {"c": (0.0144, 0.0532, 0.7286), "k": (0.0, 0.0490, 1.0)}
    assert set(result["by_category"]) == set(published)
    for cat, (d_o, d_e, alpha) in published.items():
        entry = result["by_category"][cat]
        assert entry["reason"] is None
        assert abs(entry["observed_disagreement"] - d_o) <= 1e-4
        assert abs(entry["expected_disagreement"] - d_e) <= 1e-4
        assert abs(entry["estimate"] - alpha) <= 1e-4
    assert abs(result["estimate"] - 0.8591) <= 5e-4


def test_dkpro_unitizing_example():
    """DKPro UnitizingAgreementTest: one coder 1-9, the other three one-character units:
    D_o .9100, D_e .5351, alpha -.7003."""
    rows = [("d", "r0", "A", 1, 9), ("d", "r1", "A", 2, 3), ("d", "r1", "A", 4, 5)]
    rows.append(("d", "r1", "A", 6, 7))
    entry = unitizing_alpha(pd.DataFrame(rows, columns=SPAN_COLUMNS), {"d": 10})["by_category"]
    assert abs(entry["A"]["observed_disagreement"] - 0.9100) <= 1e-4
    assert abs(entry["A"]["expected_disagreement"] - 0.5351) <= 1e-4
    assert abs(entry["A"]["estimate"] + 0.7003) <= 1e-4


# --- bootstrap CI of alpha_U over documents --------------------------------------------


def _study(seed: int, n_docs: int = 12) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    rows, lengths = [], {}
    for d in range(n_docs):
        lengths[f"doc{d}"] = 400
        for coder in ("a", "b", "c"):
            for cat, base in (("X", 40), ("Y", 220)):
                start = base + int(rng.integers(-15, 16))
                rows.append((f"doc{d}", coder, cat, start, start + 60 + int(rng.integers(-20, 21))))
    return pd.DataFrame(rows, columns=SPAN_COLUMNS), lengths


def test_bootstrap_replicate_equals_alpha_of_the_resampled_documents():
    """A bootstrap replicate with document counts w is alpha_U of the data with each
    document repeated w times (as separate documents)."""
    spans, lengths = _study(3, n_docs=5)
    w = np.array([2, 0, 1, 0, 2])
    parts = []
    for copy in range(2):
        for d, k in enumerate(w):
            if k > copy:
                sub = spans[spans["document"] == f"doc{d}"].assign(document=f"doc{d}#{copy}")
                parts.append(sub)
    resampled = pd.concat(parts)
    expected = unitizing_alpha(resampled, dict.fromkeys(resampled["document"].unique(), 400))
    docs = pd.DataFrame({"length": 400.0, "m": 3}, index=pd.Index(list(lengths)))
    d_o, d_e = [], []
    for cat in ("X", "Y"):
        stats = unitizing._CategoryStats(spans[spans["category"] == cat], docs, False)
        o, e = stats.parts(w[None, :].astype(float), docs, False)
        d_o.append(o[0])
        d_e.append(e[0])
        assert 1 - o[0] / e[0] == pytest.approx(expected["by_category"][cat]["estimate"])
    assert 1 - sum(d_o) / sum(d_e) == pytest.approx(expected["estimate"])


def test_bootstrap_ci_is_seeded_and_brackets_the_estimate():
    spans, lengths = _study(1)
    first = unitizing_alpha(spans, lengths, n_boot=400, seed=7)
    again = unitizing_alpha(spans, lengths, n_boot=400, seed=7)
    other = unitizing_alpha(spans, lengths, n_boot=400, seed=8)
    assert (first["ci_low"], first["ci_high"]) == (again["ci_low"], again["ci_high"])
    assert (first["ci_low"], first["ci_high"]) != (other["ci_low"], other["ci_high"])
    assert first["ci_low"] < first["estimate"] < first["ci_high"] <= 1.0
    for entry in first["by_category"].values():
        assert entry["ci_low"] < entry["estimate"] < entry["ci_high"]
    assert first["bootstrap"] == {
        "method": "documents",
        "n": 400,
        "seed": 7,
        "confidence": 0.95,
        "n_undefined": 0,
    }
    # without n_boot nothing is resampled and the CI stays undefined
    plain = unitizing_alpha(spans, lengths)
    assert plain["estimate"] == first["estimate"]
    assert np.isnan(plain["ci_low"]) and plain["bootstrap"] is None


def test_bootstrap_needs_two_documents():
    rows = [("d", "r0", "A", 1, 9), ("d", "r1", "A", 2, 7)]
    result = unitizing_alpha(pd.DataFrame(rows, columns=SPAN_COLUMNS), {"d": 10}, n_boot=50)
    assert np.isnan(result["ci_low"]) and np.isfinite(result["estimate"])
    assert "two or more" in result["bootstrap"]["reason"]
    with pytest.raises(ValueError, match="n_boot"):
        unitizing_alpha(pd.DataFrame(rows, columns=SPAN_COLUMNS), {"d": 10}, n_boot=-1)


def test_from_matrix_is_available_for_randolph_raw_data():
    """Raw reliability data (coders x units) reach Randolph's kappa the same way."""
    coded = encode(from_matrix([["a", "a", "b"], ["a", "b", "b"]]), categories=["a", "b", "c"])
    result = kappa.brennan_prediger(coded)
    assert result["n_categories"] == 3
    assert_published(result["estimate"], (2 / 3 - 1 / 3) / (2 / 3), 12)


# --- the command line ------------------------------------------------------------------


def _run(capsys, *args: str) -> tuple[int, str, str]:
    from framestudy.cli import main

    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_cli_weights_equal_is_irr_kappa2(tmp_path, capsys):
    import json

    path = tmp_path / "anxiety.csv"
    table = pd.DataFrame(ANXIETY[:, 1:], columns=["rater2", "rater3"])
    table.insert(0, "unit", range(1, 21))
    table.to_csv(path, index=False)
    code, out, _ = _run(capsys, "agreement", str(path), "--weights", "equal", "--json")
    assert code == 0
    cohen = json.loads(out)["coefficients"]["cohen_kappa"]
    assert_published(cohen["estimate"], 0.1459075)
    assert cohen["weights"] == "equal"
    code, _, err = _run(capsys, "agreement", str(path), "--weights", "cubic")
    assert code == 2 and "equal" in err


def test_cli_unitizing_reports_a_seeded_ci(tmp_path, capsys):
    import json

    spans, lengths = _study(2)
    path = tmp_path / "spans.csv"
    spans.assign(length=spans["document"].map(lengths)).to_csv(path, index=False)
    args = ("agreement", str(path), "--unitizing", "--json", "--bootstrap", "300", "--seed", "3")
    code, out, _ = _run(capsys, *args)
    assert code == 0
    entry = json.loads(out)["coefficients"]["unitizing_alpha"]
    direct = unitizing_alpha(spans, lengths, n_boot=300, seed=3)
    assert entry["ci_low"] == pytest.approx(direct["ci_low"])
    assert entry["ci_high"] == pytest.approx(direct["ci_high"])
    assert entry["by_category"]["X"]["ci_low"] == pytest.approx(
        direct["by_category"]["X"]["ci_low"]
    )
    assert entry["bootstrap"]["method"] == "documents"
    code, out, _ = _run(capsys, *args[:4], "--bootstrap", "0")
    assert json.loads(out)["coefficients"]["unitizing_alpha"]["ci_low"] is None
