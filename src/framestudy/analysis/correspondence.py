"""Correspondence analysis of a rows x columns table of counts (e.g. outlets x blamed actor,
outlets x favoured arrangement). Pure functions; nothing here reads or writes files.

:func:`crosstab` builds the table from a consensus-like frame (one row per article);
:func:`correspondence_analysis` decomposes it and returns a :class:`CorrespondenceResult`
of tidy tables:

- ``inertias``: one row per dimension, columns :data:`INERTIA_COLUMNS` -- ``dimension``
  (1, 2, ...), ``principal_inertia`` (the eigenvalue), ``singular_value``, ``share`` (of the
  total inertia) and ``cumulative_share``. Every dimension with inertia is listed, so the
  shares add up to 1.
- ``points``: one row per row and column point of the table, columns :data:`POINT_COLUMNS`
  -- ``side`` (``row`` or ``column``), ``label``, ``mass`` (its share of the counts),
  ``chi_distance`` (chi-square distance of its profile to the average profile) and
  ``inertia`` (mass x chi_distance^2; a side's inertias add up to the total inertia).
- ``coordinates``: one row per point and dimension (the first ``n_components``), columns
  :data:`COORDINATE_COLUMNS` -- ``side``, ``label``, ``dimension``, ``coordinate`` (principal
  coordinate), ``contribution`` (the point's share of the dimension's inertia; a side's
  contributions add up to 1) and ``cos2`` (the share of the point's inertia the dimension
  shows: the quality of its display there).
- ``left_out``: rows or columns without counts (an outlet none of whose articles has a
  value), columns :data:`LEFT_OUT_COLUMNS`; they have no profile and take no part.
- :meth:`CorrespondenceResult.to_frame`: one summary row, columns :data:`SUMMARY_COLUMNS`.

Correspondence analysis describes; it tests nothing (the test of the same table is
:func:`framestudy.analysis.outlet_stats.compare_outlets`). A table it cannot map (fewer than
two rows or columns with counts, no inertia, a single dimension) gives a result whose
``reason`` says why, never an internal error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from framestudy.analysis.data import AgreementInputError
from framestudy.analysis.outlet_stats import _articles, _crosstab

INERTIA_COLUMNS = ("dimension", "principal_inertia", "singular_value", "share", "cumulative_share")
POINT_COLUMNS = ("side", "label", "mass", "chi_distance", "inertia")
COORDINATE_COLUMNS = ("side", "label", "dimension", "coordinate", "contribution", "cos2")
LEFT_OUT_COLUMNS = ("side", "label", "reason")
SUMMARY_COLUMNS = (
    "row_variable", "column_variable", "n", "n_rows", "n_columns", "n_dimensions",
    "total_inertia", "chi2", "reason",
)
SIDES = ("row", "column")
# A dimension whose principal inertia is below this share of the total is rounding noise of
# a rank-deficient table (e.g. two rows with the same profile), not a dimension.
RELATIVE_TOLERANCE = 1e-10
# Principal inertias closer than this (relative) are tied: their axes are not unique.
TIE_TOLERANCE = 1e-8
# Total inertia is scale-free (chi^2 / n, at most min(rows, columns) - 1): below this the
# rows' profiles are identical and there is nothing to decompose.
ABSOLUTE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class CorrespondenceResult:
    """The correspondence analysis of one table (see the module docstring for the columns).

    ``table``: the counts analysed (rows and columns with counts, in the input's order).
    ``n``: their sum. ``total_inertia``: Pearson's X^2 of the table over ``n``.
    ``n_dimensions``: dimensions with inertia (at most min(rows, columns) - 1).
    ``reason``: empty when a map of at least two dimensions with unique axes was made;
    otherwise why not (or, for tied principal inertias, why the map is not unique).
    """

    row_variable: str
    column_variable: str
    table: pd.DataFrame = field(repr=False)
    n: float
    total_inertia: float
    n_dimensions: int
    n_components: int
    inertias: pd.DataFrame = field(repr=False)
    points: pd.DataFrame = field(repr=False)
    coordinates: pd.DataFrame = field(repr=False)
    left_out: pd.DataFrame = field(repr=False)
    reason: str = ""

    @property
    def chi2(self) -> float:
        """Pearson's X^2 of the table analysed (n x total inertia)."""
        return self.n * self.total_inertia

    def coordinate_matrix(self, side: str = "row") -> pd.DataFrame:
        """Principal coordinates of one side as a labels x dimensions table (for a map)."""
        if side not in SIDES:
            raise AgreementInputError(f"side must be 'row' or 'column', not {side!r}")
        part = self.coordinates[self.coordinates["side"] == side]
        wide = part.pivot(index="label", columns="dimension", values="coordinate")
        labels = self.points.loc[self.points["side"] == side, "label"]
        return wide.reindex([lab for lab in labels if lab in wide.index])

    def to_frame(self) -> pd.DataFrame:
        """One tidy summary row, columns :data:`SUMMARY_COLUMNS`."""
        row = {
            "row_variable": self.row_variable,
            "column_variable": self.column_variable,
            "n": self.n,
            "n_rows": int(self.table.shape[0]),
            "n_columns": int(self.table.shape[1]),
            "n_dimensions": self.n_dimensions,
            "total_inertia": self.total_inertia,
            "chi2": self.chi2,
            "reason": self.reason,
        }
        return pd.DataFrame([row], columns=list(SUMMARY_COLUMNS))


# ---------------------------------------------------------------------------------------
# The table


def crosstab(
    frame: pd.DataFrame,
    row_col: str,
    value_col: str,
    values: Sequence | None = None,
    rows: Sequence | None = None,
) -> pd.DataFrame:
    """Counts of articles per ``row_col`` group (e.g. ``outlet``) and ``value_col`` value.

    ``frame`` is consensus-like: one row per article (two rows with one ``article_id`` are
    refused); rows whose group or value is missing (``None``/``NaN``; the string ``"NA"`` is
    a category) are left out, and how many is in ``attrs["n_left_out"]``. ``values`` fixes
    the columns and their order (e.g. the registry's values: a value no article took is an
    all-zero column); ``rows`` fixes the rows (e.g. every outlet of ``outlets.yaml``: an
    outlet with no article with a value is an all-zero row). The index is named
    ``row_col``, the columns ``value_col``.
    """
    data, domain, n_left_out = _articles(frame, value_col, row_col, values)
    table = _crosstab(data, value_col, row_col, domain)
    if rows is not None:
        rows = list(rows)
        if len(set(rows)) != len(rows):
            raise AgreementInputError("rows contain duplicates -- list each group once")
        outside = [g for g in table.index if g not in set(rows)]
        if outside:
            raise AgreementInputError(
                f"{row_col!r} holds groups outside the rows given: "
                f"{', '.join(map(repr, outside[:6]))} -- add them to rows="
            )
        table = table.reindex(rows, fill_value=0)
    table.index.name = row_col
    table.columns.name = value_col
    table.attrs["n_left_out"] = n_left_out
    return table


def _check_table(table: pd.DataFrame, n_components: int) -> pd.DataFrame:
    if isinstance(n_components, bool) or not isinstance(n_components, (int, np.integer)) or (
        n_components < 1
    ):
        raise AgreementInputError(
            f"n_components must be a whole number, 1 or more, not {n_components!r} -- 2 "
            "gives the usual map"
        )
    if not isinstance(table, pd.DataFrame):
        raise AgreementInputError(
            f"expected a pandas DataFrame of counts (rows x columns, labelled), not "
            f"{type(table).__name__} -- build one with crosstab(frame, 'outlet', value_col)"
        )
    for what, labels in (("row", table.index), ("column", table.columns)):
        if labels.has_duplicates:
            dup = labels[labels.duplicated()][0]
            raise AgreementInputError(
                f"the table has the {what} label {dup!r} more than once -- add its counts up "
                f"into one {what}"
            )
    try:
        counts = table.astype(float)
    except (TypeError, ValueError) as exc:
        raise AgreementInputError(
            "the table must hold counts (numbers), and some cells are not numbers -- "
            "pass counts of articles"
        ) from exc
    values = counts.to_numpy()
    if values.size and (~np.isfinite(values)).any():
        raise AgreementInputError(
            "the table has missing or infinite cells -- put 0 where no article was counted"
        )
    if values.size and (values < 0).any():
        raise AgreementInputError("the table has negative cells -- pass counts of articles")
    return counts


# ---------------------------------------------------------------------------------------
# The analysis


def correspondence_analysis(table: pd.DataFrame, n_components: int = 2) -> CorrespondenceResult:
    """Simple correspondence analysis of a two-way table of counts.

    The method (Benzécri 1973, *L'analyse des données*, vol. 2; Greenacre 2007,
    *Correspondence Analysis in Practice*, 2nd ed., Chapman & Hall/CRC): with P the table
    over its total n, row masses r and column masses c, the standardized residuals
    S = D_r^-1/2 (P - r c') D_c^-1/2 are decomposed by a singular value decomposition
    (Greenacre 2007, Theoretical Appendix A). The squared singular values are the principal
    inertias; they add up to the total inertia, X^2/n (ch. 4); each dimension's share of it
    says how much of the table's association it shows (ch. 6). Points are given in
    principal coordinates (the symmetric map, ch. 9), with the contributions of each point
    to each dimension's inertia and the squared correlations (cos2, the quality of its
    display) of ch. 11; ``mass``, ``chi_distance`` and ``inertia`` per point are those of
    ch. 3-4. The decomposition itself is the ``prince`` library's ``CA`` (exact SVD, its
    scipy engine), not code of ours.

    Rows or columns without counts have no profile: they are left out (``left_out``) before
    the analysis. With fewer than two rows or columns left, with no inertia (every row has
    the same profile) or with a single dimension (two rows or two columns, or a table of
    rank two), ``reason`` says why no two-dimensional map can be drawn, and the tables hold
    what could be computed. When a shown dimension's principal inertia equals the next
    one's (e.g. one article per outlet: every inertia is 1), the map is not unique and
    ``reason`` says so; a map is still given.

    Sign: the sign of a dimension is arbitrary in CA; here each dimension is oriented so that
    the row point farthest from the origin on it has a positive coordinate (the same table
    always gives the same map).

    ``n_components``: how many dimensions get coordinates (all dimensions are listed in
    ``inertias``).
    """
    counts = _check_table(table, n_components)
    row_variable = str(table.index.name) if table.index.name is not None else "row"
    column_variable = str(table.columns.name) if table.columns.name is not None else "column"
    row_sums, col_sums = counts.sum(axis=1), counts.sum(axis=0)
    left_out = pd.DataFrame(
        [("row", lab, f"no counts: this {row_variable} has no articles with a value")
         for lab in counts.index[row_sums.to_numpy() <= 0]]
        + [("column", lab, f"no counts: no article has this {column_variable}")
           for lab in counts.columns[col_sums.to_numpy() <= 0]],
        columns=list(LEFT_OUT_COLUMNS),
    )
    active = counts.loc[row_sums.to_numpy() > 0, col_sums.to_numpy() > 0]
    n = float(active.to_numpy().sum())
    result = dict(
        row_variable=row_variable, column_variable=column_variable, table=active, n=n,
        n_components=int(n_components), left_out=left_out,
    )
    n_rows, n_cols = active.shape
    if n_rows < 2 or n_cols < 2:
        few = [
            f"{k} {side}{'' if k == 1 else 's'} ({what})"
            for k, side, what in ((n_rows, "row", row_variable), (n_cols, "column", column_variable))
            if k < 2
        ]
        points = _points(active) if n > 0 else _no_points()
        total = float(points.loc[points["side"] == "row", "inertia"].sum()) if n > 0 else np.nan
        return _empty(
            result, points=points, total_inertia=total,
            reason=(
                f"only {' and '.join(few)} with counts: correspondence analysis needs at "
                "least two rows and two columns with counts -- no map"
            ),
        )

    points = _points(active)
    total = float((points.loc[points["side"] == "row", "inertia"]).sum())
    if total <= ABSOLUTE_TOLERANCE:
        return _empty(
            result, points=points, total_inertia=0.0,
            reason=(
                f"no inertia: every {row_variable} has the same profile over the "
                f"{column_variable} values (X^2 = 0) -- nothing to map"
            ),
        )

    # Imported here: prince brings scikit-learn and altair, which the rest of the analysis
    # stage does not need.
    import prince

    k_max = min(n_rows, n_cols) - 1
    ca = prince.CA(n_components=k_max, engine="scipy").fit(active)
    eigen = np.asarray(ca.eigenvalues_, dtype=float)[:k_max]
    total = float(ca.total_inertia_)
    k = int((eigen > RELATIVE_TOLERANCE * total).sum())
    eigen = eigen[:k]
    inertias = pd.DataFrame({
        "dimension": np.arange(1, k + 1, dtype=np.int64),
        "principal_inertia": eigen,
        "singular_value": np.sqrt(eigen),
        "share": eigen / total,
        "cumulative_share": np.cumsum(eigen) / total,
    })

    n_shown = min(int(n_components), k)
    row_coord = ca.row_coordinates(active).iloc[:, :n_shown].to_numpy()
    col_coord = ca.column_coordinates(active).iloc[:, :n_shown].to_numpy()
    # Orientation: the row point farthest out on each dimension is on the positive side.
    far = np.abs(row_coord).argmax(axis=0)
    signs = np.where(row_coord[far, np.arange(n_shown)] < 0, -1.0, 1.0)
    row_coord, col_coord = row_coord * signs, col_coord * signs
    row_contrib = ca.row_contributions_.iloc[:, :n_shown].to_numpy()
    col_contrib = ca.column_contributions_.iloc[:, :n_shown].to_numpy()
    row_cos2 = ca.row_cosine_similarities(active).iloc[:, :n_shown].to_numpy()
    col_cos2 = ca.column_cosine_similarities(active).iloc[:, :n_shown].to_numpy()
    coordinates = pd.concat(
        [
            _long("row", active.index, row_coord, row_contrib, row_cos2),
            _long("column", active.columns, col_coord, col_contrib, col_cos2),
        ],
        ignore_index=True,
    )
    reason = _tie_reason(eigen, n_shown)
    if k < 2:
        reason = (
            f"a single dimension ({n_rows} rows ({row_variable}) x {n_cols} columns "
            f"({column_variable}) with counts): the points lie on a line -- no "
            "two-dimensional map"
        )
    return CorrespondenceResult(
        **result, total_inertia=total, n_dimensions=k, inertias=inertias, points=points,
        coordinates=coordinates, reason=reason,
    )


def _tie_reason(eigen: np.ndarray, n_shown: int) -> str:
    """Why the axes shown are not unique: a shown dimension whose principal inertia equals
    the next one's (the singular vectors of a repeated singular value are any orthonormal
    basis of their space, so any rotation of the tied dimensions fits the table as well)."""
    for i in range(min(n_shown, len(eigen) - 1)):
        if np.isclose(eigen[i], eigen[i + 1], rtol=TIE_TOLERANCE, atol=0.0):
            return (
                f"the principal inertias of dimensions {i + 1} and {i + 2} are equal "
                f"({eigen[i]:.6g}): the map is not unique (any rotation of the tied "
                "dimensions fits the table as well) -- do not read its axes"
            )
    return ""


def _points(active: pd.DataFrame) -> pd.DataFrame:
    """Mass, chi-square distance to the average profile and inertia of every point
    (Greenacre 2007, ch. 4): for a row, d^2 = sum_j (p_ij / r_i - c_j)^2 / c_j."""
    total = active.to_numpy().sum()
    frames = []
    for side, part in (("row", active), ("column", active.T)):
        sums = part.sum(axis=1).to_numpy()
        mass = sums / total
        average = part.sum(axis=0).to_numpy() / total
        profiles = part.to_numpy() / sums[:, None]
        dist2 = ((profiles - average) ** 2 / average).sum(axis=1)
        frames.append(pd.DataFrame({
            "side": side, "label": list(part.index), "mass": mass,
            "chi_distance": np.sqrt(dist2), "inertia": mass * dist2,
        }))
    return pd.concat(frames, ignore_index=True)[list(POINT_COLUMNS)]


def _no_points() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("side", "label") else float)
                         for c in POINT_COLUMNS})


def _long(side, labels, coord, contrib, cos2) -> pd.DataFrame:
    n_labels, n_dims = coord.shape
    return pd.DataFrame({
        "side": side,
        "label": np.repeat(np.asarray(list(labels), dtype=object), n_dims),
        "dimension": np.tile(np.arange(1, n_dims + 1, dtype=np.int64), n_labels),
        "coordinate": coord.ravel(),
        "contribution": contrib.ravel(),
        "cos2": cos2.ravel(),
    })


def _empty(result: dict, points: pd.DataFrame, reason: str, total_inertia: float = np.nan):
    """A result without dimensions: what could be computed, and why there is no map."""
    return CorrespondenceResult(
        **result,
        total_inertia=total_inertia,
        n_dimensions=0,
        inertias=pd.DataFrame({
            c: pd.Series(dtype=np.int64 if c == "dimension" else float) for c in INERTIA_COLUMNS
        }),
        points=points,
        coordinates=pd.DataFrame({
            c: pd.Series(dtype=object if c in ("side", "label") else
                         (np.int64 if c == "dimension" else float))
            for c in COORDINATE_COLUMNS
        }),
        reason=reason,
    )
