"""Joining the outlet registry's attributes onto a per-article table
(framestudy.analysis.outlet_stats.with_outlet_attributes), so that the outlet statistics
group by type, country or language."""

from __future__ import annotations

import pandas as pd
import pytest

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.outlet_stats import compare_outlets, prevalence, with_outlet_attributes
from framestudy.tasks.models import Outlet
from framestudy.tasks.outlets import OutletRegistry, load_outlets

REGISTRY = OutletRegistry([
    Outlet(id="rt", name="RT", country="Russia", language="en", type="state-funded broadcaster"),
    Outlet(id="tass", name="TASS", country="Russia", language="ru", type="state-funded broadcaster"),
    Outlet(id="gr", name="Global Research", country="Canada", language="en", type="alternative"),
    Outlet(id="agg", name="An aggregator"),  # every fact unknown
])

ARTICLES = pd.DataFrame({
    "article_id": ["a1", "a2", "a3", "a4", "a5", "a6"],
    "outlet": ["rt", "tass", "gr", "agg", "nowhere", None],
    "blame_primary": ["NATO", "NATO", "Russia", "NATO", "Russia", "NATO"],
})


def test_attributes_joined_by_outlet_with_unknowns():
    out = with_outlet_attributes(ARTICLES, REGISTRY)
    assert list(out.columns) == [*ARTICLES.columns, "type", "country", "language"]
    assert out["country"].tolist() == ["Russia", "Russia", "Canada", "unknown", "unknown",
                                       "unknown"]
    assert out["language"].tolist() == ["en", "ru", "en", "unknown", "unknown", "unknown"]
    assert out["type"].tolist()[:3] == ["state-funded broadcaster"] * 2 + ["alternative"]
    # the input is left as it was; rows keep their order and index
    assert "country" not in ARTICLES.columns
    assert out["article_id"].tolist() == ARTICLES["article_id"].tolist()


def test_registry_as_dicts_or_table_and_chosen_attributes():
    as_dicts = [{"id": "rt", "country": "Russia", "type": None}, {"id": "gr", "country": ""}]
    out = with_outlet_attributes(ARTICLES, as_dicts, attributes=["country", "type"])
    assert out["country"].tolist() == ["Russia", "unknown", "unknown", "unknown", "unknown",
                                       "unknown"]
    assert set(out["type"]) == {"unknown"}
    as_table = pd.DataFrame({"id": ["gr"], "country": ["Canada"]})
    out = with_outlet_attributes(ARTICLES, as_table, attributes="country")
    assert out["country"].tolist()[2] == "Canada"
    assert list(out.columns) == [*ARTICLES.columns, "country"]


def test_bundled_registry_loads_and_joins():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "tasks" / "outlets.yaml"
    registry = load_outlets(path)
    frame = pd.DataFrame({"outlet": ["global-research", "not-listed"]})
    out = with_outlet_attributes(frame, registry)
    assert out.loc[0, "country"] == "Canada" and out.loc[0, "type"] == "alternative"
    assert out.loc[1, ["type", "country", "language"]].tolist() == ["unknown"] * 3


def test_prevalence_and_compare_by_country():
    out = with_outlet_attributes(ARTICLES, REGISTRY)
    shares = prevalence(out, "blame_primary", by="country")
    russia = shares[(shares["country"] == "Russia") & (shares["value"] == "NATO")].iloc[0]
    assert (russia["count"], russia["n"], russia["share"]) == (2, 2, 1.0)
    unknown = shares[(shares["country"] == "unknown") & (shares["value"] == "NATO")].iloc[0]
    assert (unknown["count"], unknown["n"]) == (2, 3)
    result = compare_outlets(out, "blame_primary", by="country")
    assert result.test is None and "too few articles per country to test" in result.reason
    assert list(result.table.index) == ["Canada", "Russia", "unknown"]


def test_errors_say_what_to_do():
    with pytest.raises(AgreementInputError, match="no 'outlet' column"):
        with_outlet_attributes(ARTICLES.drop(columns="outlet"), REGISTRY)
    with pytest.raises(AgreementInputError, match="already has column"):
        with_outlet_attributes(ARTICLES.assign(language="en"), REGISTRY)
    with pytest.raises(AgreementInputError, match="no id"):
        with_outlet_attributes(ARTICLES, [{"country": "Russia"}])
    with pytest.raises(AgreementInputError, match="DataFrame"):
        with_outlet_attributes(ARTICLES.to_dict("records"), REGISTRY)
