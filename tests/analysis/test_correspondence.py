"""Correspondence analysis (framestudy.analysis.correspondence): Greenacre's smoking data
against the published values, an independent check against a plain SVD of the standardized
residuals, the degenerate tables that give a reason instead of a map, outlets without counts,
input errors, and the crosstab helper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from framestudy.analysis.correspondence import (
    COORDINATE_COLUMNS,
    INERTIA_COLUMNS,
    LEFT_OUT_COLUMNS,
    POINT_COLUMNS,
    SUMMARY_COLUMNS,
    correspondence_analysis,
    crosstab,
)
from framestudy.analysis.data import AgreementInputError

# Greenacre's smoking data: staff groups (senior/junior managers, senior/junior employees,
# secretaries) x smoking (none, light, medium, heavy); "Artificial dataset in Greenacre
# (1984)", Theory and Applications of Correspondence Analysis, Academic Press; as in the R
# package ca (Nenadic & Greenacre), data/smoke.r.
SMOKE = [[4, 2, 3, 2], [4, 3, 7, 4], [25, 10, 12, 4], [18, 24, 33, 13], [10, 6, 7, 2]]
SMOKE_ROWS = ["SM", "JM", "SE", "JE", "SC"]
SMOKE_COLS = ["none", "light", "medium", "heavy"]
# Published output of print(ca(smoke)), documentation of print.ca in the R package ca
# (https://rdrr.io/cran/ca/man/print.ca.html): "Principal inertias (eigenvalues): Value
# 0.074759 0.010017 0.000414 / Percentage 87.76% 11.76% 0.49%", and the Rows block (Mass,
# ChiDist, Inertia). Strings, so that the tolerance is half a unit of the last digit shown.
PUBLISHED_INERTIAS = ["0.074759", "0.010017", "0.000414"]
PUBLISHED_PERCENTAGES = ["87.76", "11.76", "0.49"]
PUBLISHED_ROWS = {  # label: (Mass, ChiDist, Inertia)
    "SM": ("0.056995", "0.216559", "0.002673"),
    "JM": ("0.093264", "0.356921", "0.011881"),
    "SE": ("0.264249", "0.380779", "0.038314"),
    "JE": ("0.455959", "0.240025", "0.026269"),
    "SC": ("0.129534", "0.216169", "0.006053"),
}
# X^2 = 16.4416 with n = 193 (the same source's notes): total inertia 0.085190.
PUBLISHED_CHI2 = "16.4416"


def _tol(published: str) -> float:
    """Half a unit of the last digit shown."""
    decimals = len(published.split(".")[1]) if "." in published else 0
    return 0.5 * 10.0**-decimals


def smoke() -> pd.DataFrame:
    return pd.DataFrame(
        SMOKE,
        index=pd.Index(SMOKE_ROWS, name="staff"),
        columns=pd.Index(SMOKE_COLS, name="smoking"),
    )


def random_table() -> pd.DataFrame:
    """A seeded 6 x 5 table with some zero cells (but no empty row or column)."""
    rng = np.random.default_rng(20071)
    counts = rng.poisson(rng.uniform(0.5, 15, size=(6, 5)))
    counts[0, 0] = counts[3, 2] = 0
    counts[:, 4] += 1  # no empty row
    counts[5, :] += 1  # no empty column
    return pd.DataFrame(
        counts,
        index=pd.Index([f"outlet{i}" for i in range(6)], name="outlet"),
        columns=pd.Index(list("ABCDE"), name="actor"),
    )


def plain_svd(table: pd.DataFrame):
    """CA by hand, independently of the module: SVD of the standardized residuals.

    Returns principal inertias, row and column principal coordinates, masses and squared
    chi-square distances (Greenacre 2007, Theoretical Appendix A).
    """
    p = table.to_numpy(dtype=float)
    p = p / p.sum()
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sv, vt = np.linalg.svd(s, full_matrices=False)
    k = min(p.shape) - 1
    u, sv, vt = u[:, :k], sv[:k], vt[:k].T
    f = u * sv / np.sqrt(r)[:, None]
    g = vt * sv / np.sqrt(c)[:, None]
    d2_rows = (((p / r[:, None]) - c) ** 2 / c).sum(axis=1)
    d2_cols = (((p / c).T - r) ** 2 / r).sum(axis=1)
    return sv**2, f, g, r, c, d2_rows, d2_cols


# ---------------------------------------------------------------------------------------
# Published values


def test_smoke_principal_inertias_and_percentages_as_published():
    result = correspondence_analysis(smoke())
    assert result.reason == ""
    assert result.n_dimensions == 3
    assert list(result.inertias.columns) == list(INERTIA_COLUMNS)
    assert result.inertias["dimension"].tolist() == [1, 2, 3]
    for got, published in zip(result.inertias["principal_inertia"], PUBLISHED_INERTIAS, strict=True):
        assert abs(got - float(published)) <= _tol(published)
    for got, published in zip(result.inertias["share"], PUBLISHED_PERCENTAGES, strict=True):
        assert abs(100 * got - float(published)) <= _tol(published)
    assert result.inertias["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert result.inertias["singular_value"].to_numpy() == pytest.approx(
        np.sqrt(result.inertias["principal_inertia"].to_numpy())
    )
    assert abs(result.chi2 - float(PUBLISHED_CHI2)) <= _tol(PUBLISHED_CHI2)
    assert result.n == 193


def test_smoke_row_masses_distances_and_inertias_as_published():
    points = correspondence_analysis(smoke()).points
    assert list(points.columns) == list(POINT_COLUMNS)
    rows = points[points["side"] == "row"].set_index("label")
    assert rows.index.tolist() == SMOKE_ROWS
    for label, published in PUBLISHED_ROWS.items():
        for column, value in zip(("mass", "chi_distance", "inertia"), published, strict=True):
            assert abs(rows.loc[label, column] - float(value)) <= _tol(value), (label, column)


def test_total_inertia_is_chi2_over_n_and_the_sum_of_the_points_inertias():
    for table in (smoke(), random_table()):
        result = correspondence_analysis(table)
        chi2 = chi2_contingency(table.to_numpy(), correction=False).statistic
        n = table.to_numpy().sum()
        assert result.total_inertia == pytest.approx(chi2 / n, rel=1e-12)
        assert result.inertias["principal_inertia"].sum() == pytest.approx(result.total_inertia)
        for side in ("row", "column"):
            part = result.points[result.points["side"] == side]
            assert part["inertia"].sum() == pytest.approx(result.total_inertia)
            assert part["mass"].sum() == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------
# Independent check: a plain SVD in the test


@pytest.mark.parametrize("make", [smoke, random_table])
def test_agrees_with_a_plain_svd_of_the_standardized_residuals(make):
    table = make()
    inertias, f, g, r, c, d2_rows, d2_cols = plain_svd(table)
    k = len(inertias)
    result = correspondence_analysis(table, n_components=k)
    assert result.n_dimensions == k
    assert result.inertias["principal_inertia"].to_numpy() == pytest.approx(inertias, rel=1e-9)
    rows = result.coordinate_matrix("row").to_numpy()
    cols = result.coordinate_matrix("column").to_numpy()
    assert rows.shape == f.shape and cols.shape == g.shape
    # The sign of a dimension is arbitrary; the same flip must fit rows and columns.
    signs = np.sign((rows * f).sum(axis=0))
    assert np.all(signs != 0)
    np.testing.assert_allclose(rows, f * signs, atol=1e-10)
    np.testing.assert_allclose(cols, g * signs, atol=1e-10)
    # Contributions (mass x coordinate^2 / inertia) and cos2 (coordinate^2 / d^2).
    coords = result.coordinates
    for side, coord, mass, d2 in (("row", f, r, d2_rows), ("column", g, c, d2_cols)):
        part = coords[coords["side"] == side]
        contrib = part.pivot(index="label", columns="dimension", values="contribution")
        cos2 = part.pivot(index="label", columns="dimension", values="cos2")
        labels = table.index if side == "row" else table.columns
        np.testing.assert_allclose(
            contrib.loc[labels].to_numpy(), mass[:, None] * coord**2 / inertias, atol=1e-10
        )
        np.testing.assert_allclose(cos2.loc[labels].to_numpy(), coord**2 / d2[:, None], atol=1e-10)
        # Over all dimensions: contributions add up to 1 per dimension, cos2 to 1 per point.
        np.testing.assert_allclose(contrib.sum(axis=0), 1.0)
        np.testing.assert_allclose(cos2.sum(axis=1), 1.0)
    points = result.points.set_index(["side", "label"])
    np.testing.assert_allclose(points.loc["row", "chi_distance"], np.sqrt(d2_rows))
    np.testing.assert_allclose(points.loc["column", "chi_distance"], np.sqrt(d2_cols))


def test_orientation_is_fixed_and_does_not_depend_on_the_order_of_rows():
    table = random_table()
    result = correspondence_analysis(table, n_components=3)
    rows = result.coordinate_matrix("row")
    for dim in rows.columns:
        far = rows[dim].abs().idxmax()
        assert rows.loc[far, dim] > 0
    shuffled = correspondence_analysis(table.iloc[::-1, ::-1], n_components=3)
    pd.testing.assert_frame_equal(
        shuffled.coordinate_matrix("row").loc[rows.index], rows, atol=1e-12
    )
    pd.testing.assert_frame_equal(
        shuffled.coordinate_matrix("column").loc[list(table.columns)],
        result.coordinate_matrix("column"),
        atol=1e-12,
    )


def test_n_components_limits_the_coordinates_not_the_inertias():
    one = correspondence_analysis(smoke(), n_components=1)
    assert len(one.inertias) == 3
    assert one.coordinates["dimension"].unique().tolist() == [1]
    assert len(one.coordinates) == len(SMOKE_ROWS) + len(SMOKE_COLS)
    many = correspondence_analysis(smoke(), n_components=10)
    assert many.coordinates["dimension"].unique().tolist() == [1, 2, 3]
    two = correspondence_analysis(smoke())
    assert list(two.coordinates.columns) == list(COORDINATE_COLUMNS)
    np.testing.assert_allclose(
        two.coordinate_matrix("row").to_numpy(),
        many.coordinate_matrix("row").to_numpy()[:, :2],
    )


def test_summary_row():
    frame = correspondence_analysis(smoke()).to_frame()
    assert list(frame.columns) == list(SUMMARY_COLUMNS)
    row = frame.iloc[0]
    assert (row["row_variable"], row["column_variable"]) == ("staff", "smoking")
    assert (row["n"], row["n_rows"], row["n_columns"], row["n_dimensions"]) == (193, 5, 4, 3)
    assert row["reason"] == ""


# ---------------------------------------------------------------------------------------
# Outlets (or values) without counts


def test_an_outlet_without_counts_is_left_out_and_changes_nothing_else():
    table = random_table()
    padded = table.copy()
    padded.loc["empty_outlet"] = 0
    padded["NOBODY"] = 0
    full = correspondence_analysis(padded)
    base = correspondence_analysis(table)
    assert list(full.left_out.columns) == list(LEFT_OUT_COLUMNS)
    assert full.left_out[["side", "label"]].values.tolist() == [
        ["row", "empty_outlet"], ["column", "NOBODY"]
    ]
    assert "no counts" in full.left_out["reason"].iloc[0]
    assert full.reason == ""
    assert full.table.shape == table.shape
    pd.testing.assert_frame_equal(full.inertias, base.inertias)
    pd.testing.assert_frame_equal(full.coordinates, base.coordinates)
    pd.testing.assert_frame_equal(full.points, base.points)
    assert "empty_outlet" not in set(full.coordinates["label"])


def test_zero_cells_in_outlets_with_counts_are_analysed():
    table = random_table()
    assert (table.to_numpy() == 0).any()
    result = correspondence_analysis(table)
    assert result.left_out.empty
    assert np.isfinite(result.coordinates[["coordinate", "contribution", "cos2"]].to_numpy()).all()


def test_one_article_per_outlet_gives_a_map_of_the_articles():
    # The bundled study's shape: five outlets, one article each. Not refused (CA tests
    # nothing); each outlet's profile is its one article, a vertex of the profile space.
    frame = pd.DataFrame({
        "article_id": list("abcde"),
        "outlet": ["gr", "agg", "rt", "it", "emp"],
        "blame_primary": ["NATO", "US", "NATO", "SHARED", "RUSSIA"],
    })
    result = correspondence_analysis(crosstab(frame, "outlet", "blame_primary"))
    assert result.n == 5 and result.n_dimensions == 3
    # An indicator table: every principal inertia is 1, total (distinct values - 1) = 3.
    assert result.inertias["principal_inertia"].to_numpy() == pytest.approx(1.0)
    assert result.total_inertia == pytest.approx(3.0)
    # Tied inertias: the axes are arbitrary, and the reason says so; distances are not.
    assert "dimensions 1 and 2 are equal" in result.reason and "not unique" in result.reason
    rows = result.coordinate_matrix("row")
    np.testing.assert_allclose(rows.loc["gr"], rows.loc["rt"], atol=1e-12)


# ---------------------------------------------------------------------------------------
# Degenerate tables: a reason, never an internal error


def _labelled(rows, index=None, columns=None):
    frame = pd.DataFrame(rows, index=index, columns=columns)
    frame.index.name, frame.columns.name = "outlet", "actor"
    return frame


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        (_labelled([[3, 1, 2]], ["rt"], ["US", "RU", "UA"]), "only 1 row (outlet)"),
        (_labelled([[3, 0], [2, 0], [5, 0]], ["rt", "gr", "emp"], ["US", "RU"]),
         "only 1 column (actor)"),
        (_labelled([[0, 0], [0, 0]], ["rt", "gr"], ["US", "RU"]), "0 rows (outlet) and 0 columns"),
        (_labelled(np.zeros((0, 0))), "0 rows (outlet) and 0 columns"),
        (_labelled([[1, 2, 3], [2, 4, 6], [3, 6, 9]], ["a", "b", "c"], ["x", "y", "z"]),
         "no inertia"),
    ],
)
def test_tables_without_a_map_give_a_reason(table, needle):
    result = correspondence_analysis(table)
    assert needle in result.reason
    assert result.n_dimensions == 0
    assert result.inertias.empty and list(result.inertias.columns) == list(INERTIA_COLUMNS)
    assert result.coordinates.empty
    assert list(result.coordinates.columns) == list(COORDINATE_COLUMNS)
    assert result.to_frame()["reason"].iloc[0] == result.reason
    assert result.coordinate_matrix("row").empty


def test_all_zero_and_single_point_tables_report_their_inertia():
    assert np.isnan(correspondence_analysis(_labelled([[0, 0], [0, 0]])).total_inertia)
    single = correspondence_analysis(_labelled([[3, 1, 2]], ["rt"], ["US", "RU", "UA"]))
    assert single.total_inertia == 0
    assert single.points["mass"].sum() == pytest.approx(2.0)  # one row, three columns


@pytest.mark.parametrize(
    "table",
    [
        _labelled([[10, 2, 3, 1], [2, 8, 4, 6]], ["rt", "emp"], ["US", "RU", "UA", "EU"]),
        # a table of rank two (residuals of rank one): rows a and b have the same profile
        _labelled([[2, 4, 6], [1, 2, 3], [3, 1, 1]], ["a", "b", "c"], ["x", "y", "z"]),
        _labelled([[5, 1], [1, 5]], ["rt", "emp"], ["US", "RU"]),
    ],
)
def test_a_single_dimension_is_computed_with_a_reason(table):
    result = correspondence_analysis(table)
    assert result.n_dimensions == 1
    assert "a single dimension" in result.reason
    inertia = result.inertias["principal_inertia"].iloc[0]
    chi2 = chi2_contingency(table.to_numpy(), correction=False).statistic
    assert inertia == pytest.approx(chi2 / table.to_numpy().sum())
    assert result.inertias["share"].iloc[0] == pytest.approx(1.0)
    assert result.coordinates["dimension"].unique().tolist() == [1]
    assert result.coordinates["cos2"].to_numpy() == pytest.approx(1.0)
    inertias, f, _, _, _, _, _ = plain_svd(table)
    np.testing.assert_allclose(
        np.abs(result.coordinate_matrix("row")[1].to_numpy()), np.abs(f[:, 0]), atol=1e-10
    )


# ---------------------------------------------------------------------------------------
# Input errors


@pytest.mark.parametrize(
    ("table", "kwargs", "needle"),
    [
        ([[1, 2], [3, 4]], {}, "expected a pandas DataFrame"),
        (pd.DataFrame([[1, -2], [3, 4]]), {}, "negative"),
        (pd.DataFrame([[1, np.nan], [3, 4]]), {}, "missing or infinite"),
        (pd.DataFrame([[1, "x"], [3, 4]]), {}, "not numbers"),
        (pd.DataFrame([[1, 2], [3, 4]], index=["rt", "rt"]), {}, "label 'rt' more than once"),
        (pd.DataFrame([[1, 2], [3, 4]], columns=["US", "US"]), {}, "label 'US' more than once"),
        (pd.DataFrame([[1, 2], [3, 4]]), {"n_components": 0}, "n_components"),
        (pd.DataFrame([[1, 2], [3, 4]]), {"n_components": True}, "n_components"),
        (pd.DataFrame([[1, 2], [3, 4]]), {"n_components": 2.0}, "n_components"),
    ],
)
def test_input_errors_say_what_to_do(table, kwargs, needle):
    with pytest.raises(AgreementInputError, match=needle):
        correspondence_analysis(table, **kwargs)


def test_coordinate_matrix_refuses_an_unknown_side():
    with pytest.raises(AgreementInputError, match="side"):
        correspondence_analysis(smoke()).coordinate_matrix("rows")


# ---------------------------------------------------------------------------------------
# The table from one row per article


def articles() -> pd.DataFrame:
    return pd.DataFrame({
        "article_id": [f"a{i}" for i in range(9)],
        "outlet": ["rt", "rt", "rt", "gr", "gr", "emp", "emp", "emp", None],
        "blame_primary": ["NATO", "NATO", "US", "NATO", None, "RUSSIA", "RUSSIA", "NA", "US"],
    })


def test_crosstab_counts_articles_and_leaves_out_missing_values():
    table = crosstab(articles(), "outlet", "blame_primary")
    assert table.index.name == "outlet" and table.columns.name == "blame_primary"
    assert table.attrs["n_left_out"] == 2  # gr's missing value, the article without outlet
    expected = pd.DataFrame(
        [[1, 0, 2, 0], [0, 1, 0, 0], [0, 2, 0, 1]],
        index=pd.Index(["emp", "gr", "rt"], name="outlet"),
        columns=pd.Index(["NA", "NATO", "RUSSIA", "US"], name="blame_primary"),
    )
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)


def test_crosstab_with_fixed_rows_and_values_feeds_the_analysis():
    values = ["NATO", "US", "RUSSIA", "UKRAINE", "NA"]
    rows = ["rt", "gr", "emp", "ansa"]
    table = crosstab(articles(), "outlet", "blame_primary", values=values, rows=rows)
    assert table.index.tolist() == rows and table.columns.tolist() == values
    assert table.loc["ansa"].sum() == 0 and table["UKRAINE"].sum() == 0
    result = correspondence_analysis(table)
    assert result.left_out[["side", "label"]].values.tolist() == [
        ["row", "ansa"], ["column", "UKRAINE"]
    ]
    assert result.row_variable == "outlet" and result.column_variable == "blame_primary"
    assert result.n == 7


def test_crosstab_errors():
    with pytest.raises(AgreementInputError, match="more than once"):
        crosstab(pd.concat([articles(), articles().iloc[:1]]), "outlet", "blame_primary")
    with pytest.raises(AgreementInputError, match="outside the rows"):
        crosstab(articles(), "outlet", "blame_primary", rows=["rt", "gr"])
    with pytest.raises(AgreementInputError, match="duplicates"):
        crosstab(articles(), "outlet", "blame_primary", rows=["rt", "gr", "emp", "rt"])
    with pytest.raises(AgreementInputError, match="no column"):
        crosstab(articles(), "outlet", "blame")
