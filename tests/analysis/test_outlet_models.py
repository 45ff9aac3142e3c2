"""Outlet models (framestudy.analysis.outlet_models): the logistic, multinomial and
proportional-odds regressions of a variable on outlet recover effects planted in simulated
data, equal statsmodels' formula interface on the same design, adjust for controls, run on
the coders' rows with coder as a fixed effect, and give a reason instead of numbers where no
honest estimate exists.

The data are simulated here with seeded generators and known coefficients; the planted
values are the truth the intervals must cover.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.miscmodels.ordinal_model import OrderedModel

from framestudy.analysis.data import AgreementInputError, CategoryOrderError
from framestudy.analysis.outlet_models import (
    COEFFICIENT_COLUMNS,
    FIT_COLUMNS,
    beside,
    coder_sensitivity,
    outlet_model,
)

OUTLETS = ["euromaidan", "globalresearch", "rt"]
# Planted log odds ratios against the reference outlet (the first alphabetically).
PLANTED = {"globalresearch": 1.2, "rt": -0.9}
GENRE_EFFECT = 0.6     # opinion vs news
DATE_EFFECT = -0.3     # per year
ORDER = ["low", "mid", "high", "top"]


def _logistic(x):
    return 1 / (1 + np.exp(-x))


def simulated_articles(seed: int, per_outlet: int = 400) -> pd.DataFrame:
    """Articles with an outlet, a genre, an ISO date and three outcomes generated from the
    planted effects: a binary one (logistic), an ordinal one (a logistic latent variable
    cut at fixed points) and a three-valued nominal one (baseline-category logit)."""
    rng = np.random.default_rng(seed)
    outlet = np.repeat(OUTLETS, per_outlet)
    n = outlet.size
    genre = rng.choice(["news", "opinion"], n)
    days = rng.integers(0, 4 * 365, n)
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D")
    effect = np.array([PLANTED.get(o, 0.0) for o in outlet])
    years = (dates - dates.min()).days.to_numpy() / 365.25
    eta = -0.4 + effect + GENRE_EFFECT * (genre == "opinion") + DATE_EFFECT * years
    binary = rng.random(n) < _logistic(eta)
    latent = effect + rng.logistic(size=n)
    ordinal = np.array(ORDER)[np.digitize(latent, [-1.0, 0.5, 1.5])]
    # Nominal: "neutral" is the baseline; "pro" gets the planted effects, "contra" their
    # negation.
    scores = np.stack([np.zeros(n), 0.2 + effect, -0.1 - effect], axis=1)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    cum = probs.cumsum(axis=1)
    nominal = np.array(["neutral", "pro", "contra"])[(rng.random(n)[:, None] > cum).sum(axis=1)]
    return pd.DataFrame({
        "article_id": [f"art-{i:04d}" for i in range(n)],
        "outlet": outlet,
        "genre": genre,
        "date": dates.strftime("%Y-%m-%d"),
        "years": years,
        "framed": binary,
        "promise": ordinal,
        "stance": nominal,
    })


@pytest.fixture(scope="module")
def articles() -> pd.DataFrame:
    return simulated_articles(seed=20261129)


def effects(result) -> dict:
    table = result.outlet_effects()
    return {(r.group, r.outcome): r for r in table.itertuples()}


# --- planted effects ------------------------------------------------------------------


def test_logistic_recovers_planted_outlet_effects_with_controls(articles):
    result = outlet_model(articles, "framed", "binary", controls=["genre", "date"])
    assert result.fitted and result.model == "logit" and result.converged
    assert result.reference == "euromaidan" and result.outcomes == (False, True)
    assert result.controls == ("genre", "date") and result.n == len(articles)
    assert list(result.coefficients.columns) == list(COEFFICIENT_COLUMNS)
    got = effects(result)
    for outlet, planted in PLANTED.items():
        row = got[(outlet, True)]
        assert row.ci_low <= planted <= row.ci_high
        assert np.sign(row.estimate) == np.sign(planted) and row.p_value < 0.001
        assert row.odds_ratio == pytest.approx(np.exp(row.estimate))
    controls = result.coefficients.set_index("term")
    genre = controls.loc["genre[T.opinion]"]
    assert genre["ci_low"] <= GENRE_EFFECT <= genre["ci_high"]
    # The ISO date text enters as years since the earliest date.
    assert controls.loc["date", "ci_low"] <= DATE_EFFECT <= controls.loc["date", "ci_high"]
    assert controls.loc["date", "kind"] == "control" and "years" in result.warnings[0]


def test_multinomial_recovers_planted_effects_per_outcome(articles):
    result = outlet_model(
        articles, "stance", "nominal", order=["neutral", "pro", "contra"]
    )
    assert result.fitted and result.model == "mnlogit"
    assert result.outcomes == ("neutral", "pro", "contra")
    got = effects(result)
    assert set(got) == {(o, v) for o in PLANTED for v in ("pro", "contra")}
    for outlet, planted in PLANTED.items():
        for value, truth in (("pro", planted), ("contra", -planted)):
            row = got[(outlet, value)]
            assert row.ci_low <= truth <= row.ci_high
            assert np.sign(row.estimate) == np.sign(truth)


def test_ordinal_recovers_planted_shifts_and_cut_points(articles):
    data = articles.copy()
    data.loc[data.index[::50], "promise"] = "NA"      # not addressed: off the scale
    result = outlet_model(data, "promise", "ordinal", order=ORDER, missing_values=["NA"])
    assert result.fitted and result.model == "ordered_logit"
    assert result.n_left_out == len(data.index[::50]) and result.n == len(data) - result.n_left_out
    # No intercept in the proportional-odds model; positive = higher categories.
    assert set(result.coefficients["kind"]) == {"outlet"}
    got = effects(result)
    for outlet, planted in PLANTED.items():
        row = got[(outlet, None)]
        assert row.ci_low <= planted <= row.ci_high and np.sign(row.estimate) == np.sign(planted)
    assert np.allclose(result.thresholds, [-1.0, 0.5, 1.5], atol=0.3)


@pytest.mark.parametrize("level", ["binary", "ordinal"])
def test_intervals_cover_the_planted_effect_at_about_the_nominal_rate(level):
    # 60 small simulated studies (3 outlets x 60 articles): the 95% interval of each
    # outlet term should cover its planted value in about 57 of 60; fewer than 52 would
    # happen with probability < 0.5% if the coverage were 95%.
    covered = 0
    for seed in range(60):
        data = simulated_articles(seed, per_outlet=60)
        if level == "binary":
            result = outlet_model(data, "framed", "binary", controls=["genre", "years"])
            outcome = True
        else:
            result = outlet_model(data, "promise", "ordinal", order=ORDER)
            outcome = None
        row = effects(result)[("globalresearch", outcome)]
        covered += row.ci_low <= PLANTED["globalresearch"] <= row.ci_high
    assert covered >= 52


def test_no_outlet_effect_gives_intervals_that_cover_zero():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "outlet": np.repeat(OUTLETS, 200),
        "framed": rng.random(600) < 0.4,
    })
    result = outlet_model(frame, "framed", "binary")
    rows = result.outlet_effects()
    assert ((rows["ci_low"] < 0) & (rows["ci_high"] > 0)).all()


# --- the same numbers as statsmodels called directly ----------------------------------


def test_logistic_equals_statsmodels_formula(articles):
    result = outlet_model(articles, "framed", "binary", controls=["genre", "years"])
    data = articles.assign(y=articles["framed"].astype(int))
    direct = smf.logit(
        "y ~ C(outlet, Treatment('euromaidan')) + C(genre) + years", data=data
    ).fit(disp=0)
    ours = result.coefficients
    assert np.allclose(ours["estimate"], direct.params.to_numpy(), atol=1e-6)
    assert np.allclose(ours["se"], direct.bse.to_numpy(), atol=1e-6)
    assert np.allclose(ours["p_value"], direct.pvalues.to_numpy(), rtol=1e-5, atol=1e-12)
    assert np.allclose(ours[["ci_low", "ci_high"]], direct.conf_int().to_numpy(), atol=1e-6)
    assert result.log_likelihood == pytest.approx(direct.llf)


def test_other_reference_outlet_equals_statsmodels_formula(articles):
    result = outlet_model(articles, "framed", "binary", reference="rt")
    direct = smf.logit(
        "y ~ C(outlet, Treatment('rt'))", data=articles.assign(y=articles["framed"].astype(int))
    ).fit(disp=0)
    assert result.reference == "rt"
    assert list(result.outlet_effects()["group"]) == ["euromaidan", "globalresearch"]
    assert np.allclose(result.coefficients["estimate"], direct.params.to_numpy(), atol=1e-6)


def test_multinomial_equals_statsmodels_formula(articles):
    result = outlet_model(articles, "stance", "nominal", order=["neutral", "pro", "contra"])
    codes = articles["stance"].map({"neutral": 0, "pro": 1, "contra": 2})
    direct = smf.mnlogit("y ~ C(outlet)", data=articles.assign(y=codes)).fit(disp=0)
    ours = result.coefficients
    for j, value in ((0, "pro"), (1, "contra")):
        part = ours[ours["outcome"] == value]
        assert np.allclose(part["estimate"], direct.params.iloc[:, j].to_numpy(), atol=1e-6)
        assert np.allclose(part["se"], direct.bse.iloc[:, j].to_numpy(), atol=1e-6)
        assert np.allclose(part["p_value"], direct.pvalues.iloc[:, j].to_numpy(), rtol=1e-5)
    assert result.log_likelihood == pytest.approx(direct.llf)


def test_ordinal_equals_ordered_model_called_directly(articles):
    result = outlet_model(
        articles, "promise", "ordinal", order=ORDER, controls=["genre"]
    )
    data = articles.assign(y=pd.Categorical(articles["promise"], categories=ORDER, ordered=True))
    direct = OrderedModel.from_formula(
        "y ~ C(outlet) + C(genre)", data=data, distr="logit"
    ).fit(method="bfgs", disp=0, maxiter=2000)
    ours = result.coefficients
    assert list(ours["term"]) == ["outlet[T.globalresearch]", "outlet[T.rt]", "genre[T.opinion]"]
    assert np.allclose(ours["estimate"], direct.params.to_numpy()[:3], atol=1e-4)
    assert np.allclose(ours["se"], direct.bse.to_numpy()[:3], atol=1e-4)
    cuts = direct.model.transform_threshold_params(direct.params)[1:-1]
    assert np.allclose(result.thresholds, cuts, atol=1e-4)
    assert result.log_likelihood == pytest.approx(direct.llf, abs=1e-6)


# --- controls -------------------------------------------------------------------------


def test_controls_are_used_only_when_present_and_varying(articles):
    data = articles.assign(language="en")
    result = outlet_model(data, "framed", "binary", controls=["genre", "language", "kind"])
    assert result.controls == ("genre",)
    assert result.skipped_controls == (
        "language: the same for every article", "kind: no such column",
    )
    assert "genre[T.opinion]" in set(result.coefficients["term"])


def test_rows_missing_a_control_are_left_out_and_counted(articles):
    data = articles.copy()
    data.loc[data.index[:30], "date"] = "unknown"     # tasks.json's unknown metadata
    data.loc[data.index[30:40], "outlet"] = None
    result = outlet_model(data, "framed", "binary", controls=["date"])
    assert result.n_left_out == 40 and result.n == len(data) - 40
    assert "date" in set(result.coefficients["term"])
    # Datetime values (with a missing one) give the same model as the ISO text.
    timed = data.assign(date=pd.to_datetime(data["date"], format="%Y-%m-%d", errors="coerce"))
    again = outlet_model(timed, "framed", "binary", controls=["date"])
    assert again.n_left_out == 40
    assert np.allclose(again.coefficients["estimate"], result.coefficients["estimate"])


def test_control_confounded_with_outlet_gives_a_reason(articles):
    data = articles.assign(country=articles["outlet"].map(
        {"euromaidan": "UA", "globalresearch": "CA", "rt": "RU"}
    ))
    result = outlet_model(data, "framed", "binary", controls=["country"])
    assert not result.fitted and result.coefficients.empty
    assert "not of full rank" in result.reason and "country[T." in result.reason


# --- coder sensitivity ----------------------------------------------------------------


def per_coder_rows(articles: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Three coders per article: each sees the article's planted propensity shifted by
    their own leaning (a lenient coder says "framed" more often)."""
    rng = np.random.default_rng(seed)
    leaning = {"a@x.org": 0.0, "b@x.org": 0.8, "c@x.org": -0.5}
    effect = articles["outlet"].map(lambda o: PLANTED.get(o, 0.0)).to_numpy()
    rows = []
    for coder, lean in leaning.items():
        p = _logistic(-0.4 + effect + lean)
        rows.append(articles[["article_id", "outlet"]].assign(
            coder=coder, framed=rng.random(len(articles)) < p
        ))
    return pd.concat(rows, ignore_index=True)


def test_coder_sensitivity_adjusts_for_coders_and_clusters_by_article(articles):
    coded = per_coder_rows(articles, seed=3)
    result = coder_sensitivity(coded, "framed", "binary")
    assert result.fitted and result.data == "per_coder" and result.cov_type == "cluster"
    assert result.n == 3 * len(articles) and result.n_articles == len(articles)
    table = result.coefficients.set_index("term")
    assert list(table.index[table["kind"] == "coder"]) == ["coder[T.b@x.org]", "coder[T.c@x.org]"]
    assert table.loc["coder[T.b@x.org]", "ci_low"] <= 0.8 <= table.loc["coder[T.b@x.org]", "ci_high"]
    for outlet, planted in PLANTED.items():
        row = table.loc[f"outlet[T.{outlet}]"]
        assert row["ci_low"] <= planted <= row["ci_high"]
    # The same numbers as statsmodels with a coder fixed effect and article clusters.
    data = coded.assign(y=coded["framed"].astype(int))
    direct = smf.logit("y ~ C(outlet) + C(coder)", data=data).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(data["article_id"])[0]}
    )
    assert np.allclose(result.coefficients["estimate"], direct.params.to_numpy(), atol=1e-6)
    assert np.allclose(result.coefficients["se"], direct.bse.to_numpy(), atol=1e-6)


def test_beside_sets_the_two_runs_side_by_side(articles):
    consensus = outlet_model(articles, "framed", "binary")
    sensitivity = coder_sensitivity(per_coder_rows(articles, seed=4), "framed", "binary")
    table = beside(consensus, sensitivity)
    assert list(table["group"]) == ["globalresearch", "rt"]
    assert {"estimate_consensus", "estimate_per_coder", "reason_per_coder"} <= set(table.columns)
    assert (np.sign(table["estimate_consensus"]) == np.sign(table["estimate_per_coder"])).all()
    # Numeric coder ids are still categories (one fixed effect per coder).
    numbered = per_coder_rows(articles, seed=4)
    numbered["coder"] = numbered["coder"].map({"a@x.org": 1, "b@x.org": 2, "c@x.org": 3})
    coders = coder_sensitivity(numbered, "framed", "binary").coefficients
    assert list(coders.loc[coders["kind"] == "coder", "term"]) == ["coder[T.2]", "coder[T.3]"]
    small = coder_sensitivity(per_coder_rows(articles.iloc[[0, 500, 900]], seed=4), "framed",
                              "binary")
    one_sided = beside(consensus, small)
    assert one_sided["estimate_per_coder"].isna().all()
    assert one_sided["reason_per_coder"].str.startswith("too few articles").all()


def test_coder_rows_are_refused_by_the_consensus_model(articles):
    coded = per_coder_rows(articles.iloc[:30], seed=5)
    with pytest.raises(AgreementInputError, match="coder_sensitivity"):
        outlet_model(coded, "framed", "binary")
    with pytest.raises(AgreementInputError, match="two values from coder"):
        coder_sensitivity(pd.concat([coded, coded.iloc[:1]]), "framed", "binary")


# --- no estimate, and why -------------------------------------------------------------


def test_one_article_per_outlet_gives_a_reason_not_numbers():
    # The bundled study's shape: five articles, one per outlet.
    frame = pd.DataFrame({
        "article_id": [f"art-{i}" for i in range(5)],
        "outlet": ["aggregator", "euromaidan", "globalresearch", "italian", "rt"],
        "framed": [True, False, True, False, True],
    })
    result = outlet_model(frame, "framed", "binary")
    assert not result.fitted and result.model is None and result.log_likelihood is None
    assert result.coefficients.empty and result.outlet_effects().empty
    assert result.reason.startswith("too few articles per outlet to fit a model (aggregator: 1")
    row = result.to_frame()
    assert len(row) == 1 and list(row.columns) == [*FIT_COLUMNS, *COEFFICIENT_COLUMNS]
    assert row["estimate"].isna().all() and row.loc[0, "reason"] == result.reason


def test_perfect_separation_gives_a_reason_not_numbers(articles):
    data = articles.copy()
    data.loc[data["outlet"] == "rt", "framed"] = False
    result = outlet_model(data, "framed", "binary")
    assert not result.fitted and result.coefficients.empty
    assert result.reason.startswith("perfect separation: no article of outlet 'rt' has the value True")
    # Multinomial: one value absent from one outlet.
    data = articles[~((articles["outlet"] == "globalresearch") & (articles["stance"] == "contra"))]
    result = outlet_model(data, "stance", "nominal")
    assert "perfect separation" in result.reason and "'globalresearch'" in result.reason
    # Ordinal: one outlet entirely at the bottom of the scale.
    data = articles.copy()
    data.loc[data["outlet"] == "euromaidan", "promise"] = "low"
    result = outlet_model(data, "promise", "ordinal", order=ORDER)
    assert "every article of outlet 'euromaidan' has the lowest value 'low'" in result.reason
    # A categorical control value with one outcome only.
    data = articles.assign(genre=articles["genre"].where(~articles["framed"], "news"))
    result = outlet_model(data, "framed", "binary", controls=["genre"])
    assert "genre = 'opinion'" in result.reason and result.coefficients.empty


def test_quasi_separation_the_checks_miss_is_caught_after_the_fit():
    # Ordinal, two outlets on disjoint halves of the scale: no outlet sits at one end, but
    # a cut between them predicts the outlet exactly.
    frame = pd.DataFrame({
        "outlet": ["a"] * 10 + ["b"] * 10,
        "promise": ["low", "mid"] * 5 + ["high", "top"] * 5,
    })
    result = outlet_model(frame, "promise", "ordinal", order=ORDER)
    assert not result.fitted and result.coefficients.empty
    assert result.reason.startswith("estimates diverge (outlet[T.b]: log odds ratio")
    assert "quasi-complete separation" in result.reason


def test_non_convergence_gives_a_reason_not_numbers(articles):
    result = outlet_model(articles, "framed", "binary", controls=["genre"], maxiter=1)
    assert result.converged is False and not result.fitted and result.coefficients.empty
    assert result.reason.startswith("did not converge within 1 iterations")


def test_few_events_per_parameter_adds_a_warning():
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"outlet": np.repeat(OUTLETS, 12), "framed": rng.random(36) < 0.5})
    frame.loc[[0, 12, 24], "framed"] = [True, True, True]
    frame.loc[[1, 13, 25], "framed"] = [False, False, False]
    result = outlet_model(frame, "framed", "binary")
    assert result.fitted
    assert any("biased away from 0" in w for w in result.warnings)


def test_degenerate_inputs_give_reasons():
    same = pd.DataFrame({"outlet": np.repeat(OUTLETS, 6), "framed": True})
    assert outlet_model(same, "framed", "binary").reason.startswith("every article has the same")
    one = pd.DataFrame({"outlet": "rt", "framed": [True, False] * 5})
    assert outlet_model(one, "framed", "binary").reason.startswith("only one outlet")


# --- input errors ---------------------------------------------------------------------


def test_input_errors_say_what_to_do(articles):
    with pytest.raises(AgreementInputError, match="no column 'missing'"):
        outlet_model(articles, "missing", "binary")
    with pytest.raises(AgreementInputError, match="one value at a time"):
        outlet_model(articles, "framed", "set")
    with pytest.raises(CategoryOrderError, match="lowest first"):
        outlet_model(articles, "promise", "ordinal")
    with pytest.raises(AgreementInputError, match="outside order"):
        outlet_model(articles, "promise", "ordinal", order=["low", "mid", "high"])
    with pytest.raises(AgreementInputError, match="level='nominal'"):
        outlet_model(articles, "stance", "binary")
    with pytest.raises(AgreementInputError, match="reference outlet 'bbc'"):
        outlet_model(articles, "framed", "binary", reference="bbc")
    with pytest.raises(AgreementInputError, match="appears more than once"):
        outlet_model(pd.concat([articles, articles.iloc[:1]]), "framed", "binary")
    with pytest.raises(AgreementInputError, match="cannot be a control"):
        outlet_model(articles, "framed", "binary", controls=["outlet"])
    with pytest.raises(AgreementInputError, match="confidence"):
        outlet_model(articles, "framed", "binary", confidence=95)


# --- the fast paths: analytic derivatives, weighted start values -----------------------


def _ordinal_design(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.random(n) < 0.3, rng.random(n) < 0.5, rng.normal(size=n)])
    latent = x @ np.array([0.8, -0.6, 0.4]) + rng.logistic(size=n)
    return x.astype(float), np.digitize(latent, [-1.0, 0.0, 0.8, 2.0])


@pytest.mark.parametrize("levels", [2, 3, 5])
def test_cumulative_logit_derivatives_are_those_of_ordered_model(levels):
    """_CumulativeLogit has OrderedModel's log-likelihood (logit) exactly, and its analytic
    score, per-observation score and Hessian equal the numerical derivatives of it."""
    from statsmodels.tools.numdiff import approx_fprime

    from framestudy.analysis.outlet_models import _CumulativeLogit

    x, y = _ordinal_design(seed=levels)
    y = np.minimum(y, levels - 1)
    ours = _CumulativeLogit(y, x, distr="logit")
    theirs = OrderedModel(y, x, distr="logit")
    rng = np.random.default_rng(7)
    params = theirs.start_params + rng.normal(scale=0.3, size=len(theirs.start_params))
    assert np.allclose(ours.loglikeobs(params), theirs.loglikeobs(params), rtol=1e-13)
    numeric_obs = approx_fprime(params, theirs.loglikeobs, centered=True)
    assert np.allclose(ours.score_obs(params), numeric_obs, atol=1e-7)
    assert np.allclose(ours.score(params), numeric_obs.sum(axis=0), atol=1e-6)
    # the Hessian against centred differences of the score (verified just above)
    numeric_hess = approx_fprime(params, ours.score, centered=True)
    assert np.allclose(ours.hessian(params), numeric_hess, rtol=1e-6, atol=1e-6)


def test_weighted_cumulative_logit_equals_the_rows_repeated():
    """row_weights: each distinct row weighted by its count gives the log-likelihood,
    score, Hessian and fit of the table with its repeats."""
    from framestudy.analysis.outlet_models import _CumulativeLogit

    x, y = _ordinal_design(seed=3, n=60)
    counts = np.random.default_rng(5).integers(1, 5, len(y))
    repeated = np.repeat(np.arange(len(y)), counts)
    full = _CumulativeLogit(y[repeated], x[repeated], distr="logit")
    weighted = _CumulativeLogit(y, x, distr="logit")
    weighted.row_weights = counts.astype(float)
    params = full.start_params + 0.1
    assert weighted.loglike(params) == pytest.approx(full.loglike(params), rel=1e-12)
    assert np.allclose(weighted.score(params), full.score(params), rtol=1e-10, atol=1e-10)
    assert np.allclose(weighted.hessian(params), full.hessian(params), rtol=1e-10)
    a = full.fit(method="newton", disp=0)
    b = weighted.fit(method="newton", disp=0, start_params=full.start_params)
    assert np.allclose(a.params, b.params, atol=1e-8)
    assert np.allclose(a.bse, b.bse, rtol=1e-8)


def test_ordinal_fit_is_the_maximum_of_ordered_models_likelihood(articles):
    """The Newton fit from the weighted start is the maximum of OrderedModel's own
    likelihood (scipy's logistic, numerical derivatives), converged tightly by Newton from
    BFGS: estimates to 1e-7, standard errors to the numerical Hessian's accuracy."""
    result = outlet_model(articles, "promise", "ordinal", order=ORDER, controls=["genre"])
    data = articles.assign(y=pd.Categorical(articles["promise"], categories=ORDER, ordered=True))
    model = OrderedModel.from_formula("y ~ C(outlet) + C(genre)", data=data, distr="logit")
    start = model.fit(method="bfgs", disp=0, maxiter=2000).params
    direct = model.fit(method="newton", start_params=start, disp=0, maxiter=50)
    assert np.allclose(result.coefficients["estimate"], direct.params.to_numpy()[:3], atol=1e-7)
    assert np.allclose(result.coefficients["se"], direct.bse.to_numpy()[:3], rtol=1e-5)
    assert result.log_likelihood == pytest.approx(direct.llf, abs=1e-9)


def test_ordinal_sensitivity_run_clusters_like_statsmodels(articles):
    """The per-coder ordinal fit's article-clustered standard errors equal OrderedModel's
    own cov_type='cluster' on the same rows."""
    rng = np.random.default_rng(9)
    coded = pd.concat([
        articles[["article_id", "outlet", "promise"]].assign(
            coder=coder,
            promise=lambda f, shift=shift: np.array(ORDER)[np.clip(
                pd.Categorical(f["promise"], categories=ORDER).codes
                + (rng.random(len(f)) < shift), 0, 3)],
        )
        for coder, shift in (("a@x.org", 0.0), ("b@x.org", 0.3))
    ], ignore_index=True)
    result = coder_sensitivity(coded, "promise", "ordinal", order=ORDER)
    data = coded.assign(y=pd.Categorical(coded["promise"], categories=ORDER, ordered=True))
    groups = pd.factorize(data["article_id"])[0]
    direct = OrderedModel.from_formula("y ~ C(outlet) + C(coder)", data=data, distr="logit").fit(
        method="bfgs", disp=0, maxiter=2000, gtol=1e-8, cov_type="cluster",
        cov_kwds={"groups": groups},
    )
    assert result.cov_type == "cluster"
    assert np.allclose(result.coefficients["estimate"], direct.params.to_numpy()[:3], atol=1e-5)
    assert np.allclose(result.coefficients["se"], direct.bse.to_numpy()[:3], rtol=1e-4)


def test_multinomial_start_is_the_maximum_likelihood_estimate(articles):
    """The start values from the outcome counts per distinct covariate row are the
    estimates statsmodels reaches from zeros (logistic and multinomial)."""
    import statsmodels.api as sm

    from framestudy.analysis.outlet_models import _multinomial_start

    design = pd.get_dummies(articles[["outlet", "genre"]], drop_first=True, dtype=float)
    design.insert(0, "Intercept", 1.0)
    for column, values in (("framed", [False, True]), ("stance", ["neutral", "pro", "contra"])):
        y = articles[column].map({v: i for i, v in enumerate(values)}).to_numpy()
        start = _multinomial_start(y, design.to_numpy(), len(values), maxiter=100)
        model = sm.Logit(y, design) if len(values) == 2 else sm.MNLogit(y, design)
        direct = model.fit(method="newton", disp=0)
        assert np.allclose(start, np.asarray(direct.params).ravel(order="F"), atol=1e-8)


def test_implicit_constant_in_an_ordinal_design_gives_a_reason():
    """Columns that add up to a constant (here: a control true exactly for the reference
    outlet's articles) leave the ordinal model's cut points unidentified: a reason, not
    statsmodels' ValueError."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({
        "outlet": np.repeat(["a", "b", "c"], 40),
        "promise": rng.choice(ORDER, 120),
    })
    frame["home"] = np.where(frame["outlet"] == "a", "yes", "no")
    result = outlet_model(frame, "promise", "ordinal", order=ORDER, controls=["home"])
    assert not result.fitted and "not of full rank" in result.reason
    assert "home[T.yes]" in result.reason


def test_start_values_with_a_continuous_control(articles):
    """With a continuous control (years since the earliest date) nearly every row is
    distinct: the start values come from the dummies' distinct rows, the continuous
    coefficient starting at 0; the fit from there is statsmodels' from zeros. Rows that
    stay many even so give no start values."""
    import statsmodels.api as sm

    from framestudy.analysis.outlet_models import _multinomial_start, _start_from_patterns

    design = pd.get_dummies(articles[["outlet"]], drop_first=True, dtype=float)
    design.insert(0, "Intercept", 1.0)
    design["years"] = articles["years"]
    y = articles["framed"].astype(int).to_numpy()
    start = _multinomial_start(y, design.to_numpy(), 2, maxiter=100)
    assert start is not None and start[-1] == 0 and np.isfinite(start).all()
    ordinal = pd.Categorical(articles["promise"], categories=ORDER).codes.astype(np.int64)
    cuts = _start_from_patterns(ordinal, design.to_numpy()[:, 1:], maxiter=50)
    assert cuts is not None and cuts[design.shape[1] - 2] == 0   # years, before the cuts
    result = outlet_model(articles, "framed", "binary", controls=["years"])
    direct = sm.Logit(y, design).fit(method="newton", disp=0)
    assert np.allclose(result.coefficients["estimate"], direct.params.to_numpy(), atol=1e-8)
    assert np.allclose(result.coefficients["se"], direct.bse.to_numpy(), rtol=1e-8)
    # 30 rows, 15 distinct patterns of their dummies: too few rows per pattern
    many = (np.arange(30)[:, None] % 15 == np.arange(15)).astype(float)
    assert _multinomial_start(np.arange(30) % 2, many, 2, maxiter=100) is None
