"""Span density per 1,000 words (framestudy.analysis.outlet_stats.span_density) and the
test of a difference across groups (compare_densities): hand-made tidy tables with spans of
known labels in articles of known length, whose densities are worked out in the test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.outlet_stats import (
    DENSITY_COLUMNS,
    DENSITY_SUMMARY_COLUMNS,
    DENSITY_TEST_COLUMNS,
    SpanDensity,
    adjust_across_variables,
    compare_densities,
    span_density,
    with_outlet_attributes,
    word_counts_from_tasks,
)


def _span(article, outlet, coder, span_id, label, attrs=()):
    rows = [dict(article_id=article, outlet=outlet, coder=coder, variable="span", value=label,
                 span_id=span_id, span_start=0, span_end=5)]
    for variable, value in attrs:
        rows.append(dict(article_id=article, outlet=outlet, coder=coder, variable=variable,
                         value=value, span_id=span_id, span_start=0, span_end=5))
    return rows


def _doc(article, outlet, coder):
    return [dict(article_id=article, outlet=outlet, coder=coder, variable="relevant",
                 value="yes", span_id=None, span_start=None, span_end=None)]


def _table(*parts):
    return pd.DataFrame([row for part in parts for row in part])


# a1 (rt, 500 words): coder x marks 2 BLAME + 1 PROMISE, coder y 1 BLAME + 0 PROMISE.
# a2 (rt, 2,000 words): coder x alone, 1 PROMISE, no BLAME.
# a3 (gr, 250 words): coders x and y, no spans at all (both coded a document variable).
ANNOTATIONS = _table(
    _span("a1", "rt", "x", "s1", "BLAME", [("blame_target", "NATO"), ("blame_target", "USA")]),
    _span("a1", "rt", "x", "s2", "BLAME", [("blame_target", "NATO")]),
    _span("a1", "rt", "x", "s3", "PROMISE"),
    _span("a1", "rt", "y", "t1", "BLAME", [("blame_target", "Russia")]),
    _doc("a1", "rt", "y"),
    _span("a2", "rt", "x", "u1", "PROMISE"),
    _doc("a3", "gr", "x"),
    _doc("a3", "gr", "y"),
)
WORDS = pd.DataFrame({"article_id": ["a1", "a2", "a3", "a9"], "word_count": [500, 2000, 250, 10]})


def _density(result, article, label, value=None):
    rows = result.articles[(result.articles["article_id"] == article)
                           & (result.articles["label"] == label)]
    if value is not None:
        rows = rows[rows["attribute_value"] == value]
    assert len(rows) == 1
    return rows.iloc[0]


def test_exact_densities_per_label_averaged_over_coders():
    result = span_density(ANNOTATIONS, WORDS)
    assert isinstance(result, SpanDensity)
    assert list(result.articles.columns) == ["outlet", *DENSITY_COLUMNS]
    # a1 BLAME: coders 2 and 1 -> mean 1.5 spans in 500 words = 3 per 1,000.
    row = _density(result, "a1", "BLAME")
    assert (row["n_coders"], row["spans"], row["word_count"]) == (2, 1.5, 500)
    assert row["density"] == pytest.approx(3.0)
    # a1 PROMISE: coders 1 and 0 -> 0.5 in 500 words = 1 per 1,000.
    assert _density(result, "a1", "PROMISE")["density"] == pytest.approx(1.0)
    # a2: single-coded; its one coder's count. PROMISE 1 in 2,000 = 0.5; BLAME 0.
    assert _density(result, "a2", "PROMISE")["density"] == pytest.approx(0.5)
    assert _density(result, "a2", "PROMISE")["n_coders"] == 1
    assert _density(result, "a2", "BLAME")["density"] == 0.0
    # a3: coded, no spans: density 0 for both labels (not left out).
    assert _density(result, "a3", "BLAME")["density"] == 0.0
    assert _density(result, "a3", "PROMISE")["density"] == 0.0
    # a9 has a word count but nobody coded it: not an article of the analysis.
    assert "a9" not in set(result.articles["article_id"])
    assert len(result.articles) == 6


def test_group_summary_mean_median_and_t_interval():
    result = span_density(ANNOTATIONS, WORDS)
    groups = result.groups
    assert list(groups.columns) == ["outlet", *DENSITY_SUMMARY_COLUMNS]
    rt_promise = groups[(groups["outlet"] == "rt") & (groups["label"] == "PROMISE")].iloc[0]
    # densities 1.0 and 0.5: mean .75, median .75, sd = .5 / sqrt(2)
    sd = 0.5 / math.sqrt(2)
    half = stats.t.ppf(0.975, 1) * sd / math.sqrt(2)
    assert rt_promise["n"] == 2
    assert rt_promise["mean"] == pytest.approx(0.75)
    assert rt_promise["median"] == pytest.approx(0.75)
    assert rt_promise["sd"] == pytest.approx(sd)
    assert rt_promise["ci_low"] == pytest.approx(0.75 - half)
    assert rt_promise["ci_high"] == pytest.approx(0.75 + half)
    # t_{.975, 1} = 12.706 (any t table); the half-width is 12.706 * .25 = 3.18
    assert half == pytest.approx(12.706 * 0.25, abs=1e-3)
    gr_blame = groups[(groups["outlet"] == "gr") & (groups["label"] == "BLAME")].iloc[0]
    # one article with density 0: no spread, no interval... (n 1 -> NaN bounds)
    assert gr_blame["n"] == 1 and gr_blame["mean"] == 0.0
    assert math.isnan(gr_blame["ci_low"]) and math.isnan(gr_blame["ci_high"])


def test_confidence_changes_the_interval_and_identical_densities_give_a_point():
    words = pd.DataFrame({"article_id": ["a1", "a2", "a3"], "word_count": [500, 2000, 250]})
    wide = span_density(ANNOTATIONS, words, confidence=0.99).groups
    narrow = span_density(ANNOTATIONS, words, confidence=0.90).groups
    pick = (wide["outlet"] == "rt") & (wide["label"] == "PROMISE")
    assert wide.loc[pick, "ci_high"].iloc[0] > narrow.loc[pick, "ci_high"].iloc[0]
    same = _table(_doc("b1", "o", "x"), _doc("b2", "o", "x"))
    res = span_density(same, {"b1": 100, "b2": 300}, labels=["BLAME"])
    row = res.groups.iloc[0]
    assert (row["mean"], row["sd"], row["ci_low"], row["ci_high"]) == (0.0, 0.0, 0.0, 0.0)


def test_labels_fix_the_domain_and_order():
    result = span_density(ANNOTATIONS, WORDS, labels=["GUARANTEE", "BLAME"])
    assert set(result.articles["label"]) == {"GUARANTEE", "BLAME"}
    # GUARANTEE was never used: density 0 in every article.
    assert (result.articles.loc[result.articles["label"] == "GUARANTEE", "density"] == 0).all()
    assert _density(result, "a1", "BLAME")["density"] == pytest.approx(3.0)


def test_attribute_values_per_label():
    result = span_density(ANNOTATIONS, WORDS, labels=["BLAME"], attribute="blame_target")
    assert set(result.articles["attribute"]) == {"blame_target"}
    assert set(result.articles["attribute_value"]) == {"NATO", "Russia", "USA"}
    # a1: x marks NATO twice (s1, s2), y never -> 1 span per coder = 2 per 1,000 words.
    assert _density(result, "a1", "BLAME", "NATO")["density"] == pytest.approx(2.0)
    # USA: x once (s1 has two targets and counts under each), y 0 -> .5 / 500 words = 1.
    assert _density(result, "a1", "BLAME", "USA")["density"] == pytest.approx(1.0)
    assert _density(result, "a1", "BLAME", "Russia")["density"] == pytest.approx(1.0)
    assert _density(result, "a3", "BLAME", "NATO")["density"] == 0.0
    # three articles x three values
    assert len(result.articles) == 9
    groups = result.groups
    rt_nato = groups[(groups["outlet"] == "rt") & (groups["attribute_value"] == "NATO")].iloc[0]
    assert rt_nato["mean"] == pytest.approx(1.0)  # (2 + 0) / 2


def test_group_by_an_outlet_attribute_through_word_counts():
    tasks = [{"data": {"article_id": "a1", "outlet": "rt", "word_count": 500}},
             {"data": {"article_id": "a2", "outlet": "rt", "word_count": 2000}},
             {"data": {"article_id": "a3", "outlet": "gr", "word_count": 250}}]
    words = word_counts_from_tasks(tasks)
    assert list(words.columns) == ["article_id", "outlet", "word_count"]
    registry = [{"id": "rt", "country": "Russia"}, {"id": "gr", "country": "Canada"}]
    words = with_outlet_attributes(words, registry)
    result = span_density(ANNOTATIONS, words, by="country")
    assert "country" in result.articles.columns
    assert set(result.groups["country"]) == {"Russia", "Canada"}
    russia = result.groups[(result.groups["country"] == "Russia")
                           & (result.groups["label"] == "BLAME")].iloc[0]
    assert russia["mean"] == pytest.approx(1.5)  # a1 3.0, a2 0.0


def test_input_errors_say_what_to_do():
    with pytest.raises(AgreementInputError, match="no word count for annotated article"):
        span_density(ANNOTATIONS, {"a1": 500})
    with pytest.raises(AgreementInputError, match="positive number of words"):
        span_density(ANNOTATIONS, {"a1": 500, "a2": 0, "a3": 250})
    with pytest.raises(AgreementInputError, match="with_outlet_attributes"):
        span_density(ANNOTATIONS, WORDS, by="country")
    with pytest.raises(AgreementInputError, match="read_tidy"):
        span_density(ANNOTATIONS.drop(columns="span_id"), WORDS)
    with pytest.raises(AgreementInputError, match="more than one word count"):
        span_density(ANNOTATIONS, pd.DataFrame({"article_id": ["a1", "a1"], "word_count": [1, 2]}))
    with pytest.raises(AgreementInputError, match="not a span attribute"):
        span_density(ANNOTATIONS, WORDS, attribute="relevant")
    with pytest.raises(AgreementInputError, match="confidence"):
        span_density(ANNOTATIONS, WORDS, confidence=95)


def test_labels_nobody_marked_count_zero_and_an_unused_attribute_has_no_rows():
    # a study whose schema has span labels but where no span was coded (e.g. a rehearsal
    # with labels of one's own): zero densities, not a merge error
    no_spans = ANNOTATIONS[ANNOTATIONS["variable"] == "relevant"]
    result = span_density(no_spans, WORDS, labels=["BLAME", "PROMISE"])
    assert len(result.articles) == 2 * 2  # a1 (coder y) and a3, each label
    assert (result.articles["density"] == 0).all() and (result.articles["spans"] == 0).all()
    assert set(result.groups["mean"]) == {0.0}
    tests = compare_densities(result)
    assert tests["test"].isna().all() and len(tests) == 2
    # an attribute nobody used: no value, so no row -- in both tables, with their columns
    for table in (no_spans, ANNOTATIONS):
        result = span_density(table, WORDS, labels=["PROMISE"], attribute="blame_target")
        assert result.articles.empty and result.groups.empty
        assert list(result.articles.columns) == ["outlet", *DENSITY_COLUMNS]
        assert list(result.groups.columns) == ["outlet", *DENSITY_SUMMARY_COLUMNS]
        assert compare_densities(result).empty
    # no span and no labels given: no label at all
    assert span_density(no_spans, WORDS).articles.empty
    # a label one coder used, another nobody did
    result = span_density(ANNOTATIONS, WORDS, labels=["PROMISE", "GUARANTEE"])
    assert (_density(result, "a1", "GUARANTEE")["density"] == 0)
    assert _density(result, "a1", "PROMISE")["density"] == pytest.approx(1.0)


def test_empty_tables_give_empty_results_with_their_columns():
    from framestudy.analysis.outlet_stats import _density_summary

    for empty in (pd.DataFrame(columns=["outlet", *DENSITY_COLUMNS]),
                  span_density(ANNOTATIONS, WORDS).articles.iloc[:0],
                  span_density(ANNOTATIONS, WORDS).articles.astype(object).iloc[:0]):
        tests = compare_densities(empty, by="outlet")
        assert tests.empty and list(tests.columns) == list(DENSITY_TEST_COLUMNS)
        summary = _density_summary(empty, "outlet", 0.95)
        assert summary.empty and list(summary.columns) == ["outlet", *DENSITY_SUMMARY_COLUMNS]


def test_rows_in_order_whatever_the_table_order():
    # articles by id, labels sorted, values in order; the same from a shuffled table
    result = span_density(ANNOTATIONS, WORDS, attribute="blame_target")
    keys = result.articles[["article_id", "label", "attribute_value"]]
    assert keys.equals(keys.sort_values(["article_id", "label", "attribute_value"]))
    shuffled = span_density(ANNOTATIONS.sample(frac=1.0, random_state=3), WORDS,
                            attribute="blame_target")
    pd.testing.assert_frame_equal(result.articles, shuffled.articles)
    pd.testing.assert_frame_equal(result.groups, shuffled.groups)


# ---------------------------------------------------------------------------------------
# Test across groups


def test_small_sample_gives_descriptives_and_no_p_value():
    # One or two articles per outlet, as in the bundled five-article study.
    result = span_density(ANNOTATIONS, WORDS)
    tests = compare_densities(result)
    assert list(tests.columns) == list(DENSITY_TEST_COLUMNS)
    assert tests["test"].isna().all()
    assert tests["p_value"].isna().all()
    assert tests["reason"].str.contains("too few articles per outlet to test").all()
    assert tests["reason"].str.contains("descriptives only").all()


# Hollander & Wolfe (1973), Nonparametric Statistical Methods, p. 116 (mucociliary
# efficiency by group), the example of R's kruskal.test.Rd; R prints
# "Kruskal-Wallis chi-squared = 0.77143, df = 2, p-value = 0.68".
HOLLANDER_WOLFE = {
    "normal": [2.9, 3.0, 2.5, 2.6, 3.2],
    "oad": [3.8, 2.7, 4.0, 2.4],
    "asbestosis": [2.8, 3.4, 3.7, 2.2, 2.0],
}


def _articles_table(samples, label="BLAME"):
    return pd.DataFrame([
        {"outlet": g, "article_id": f"{g}-{i}", "label": label, "attribute": None,
         "attribute_value": None, "density": d}
        for g, values in samples.items() for i, d in enumerate(values)
    ])


def test_kruskal_wallis_matches_the_published_example():
    tests = compare_densities(_articles_table(HOLLANDER_WOLFE), by="outlet",
                              min_mean_per_group=4)
    row = tests.iloc[0]
    assert row["test"] == "kruskal_wallis"
    assert row["statistic"] == pytest.approx(0.77143, abs=5e-6)
    assert row["df"] == 2
    assert row["p_value"] == pytest.approx(0.68, abs=5e-3)
    assert row["n"] == 14 and row["n_groups"] == 3
    # with the default rule (5 per group on average) 14 articles in 3 groups are too few
    default = compare_densities(_articles_table(HOLLANDER_WOLFE), by="outlet").iloc[0]
    assert default["test"] is None and math.isnan(default["p_value"])


def test_planted_difference_is_found_and_reproducible_per_seed():
    def simulate(seed):
        rng = np.random.default_rng(seed)
        rows = []
        for outlet, rate in (("high", 6.0), ("low", 1.0), ("mid", 3.0)):
            for i in range(12):
                article = f"{outlet}-{i}"
                rows += _doc(article, outlet, "x")
                for k in range(rng.poisson(rate)):
                    rows += _span(article, outlet, "x", f"{article}-{k}", "BLAME")
        words = pd.DataFrame({"article_id": [r["article_id"] for r in rows]}).drop_duplicates()
        words["word_count"] = 1000
        return _table(rows), words

    a = compare_densities(span_density(*simulate(3)))
    b = compare_densities(span_density(*simulate(3)))
    pd.testing.assert_frame_equal(a, b)
    row = a.iloc[0]
    assert row["test"] == "kruskal_wallis" and row["p_value"] < 0.001
    dens = span_density(*simulate(3)).groups.set_index("outlet")["mean"]
    assert dens["high"] > dens["mid"] > dens["low"]
    # the across-labels correction reads the p-values
    adjusted = adjust_across_variables(a)
    assert adjusted["p_adjusted"].iloc[0] == pytest.approx(row["p_value"])


def test_no_variation_and_one_group_are_not_tested():
    same = _articles_table({"a": [0.0] * 5, "b": [0.0] * 5})
    row = compare_densities(same, by="outlet").iloc[0]
    assert row["test"] is None and "same density" in row["reason"]
    one = _articles_table({"a": [1.0, 2.0, 3.0, 4.0, 5.0]})
    assert "only one outlet" in compare_densities(one, by="outlet").iloc[0]["reason"]
    with pytest.raises(AgreementInputError, match="by="):
        compare_densities(same)
