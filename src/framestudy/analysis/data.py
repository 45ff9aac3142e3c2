"""Reliability data in the one shape every coefficient starts from, and the input errors.

Reliability data are a units x coders table: one row per unit (article, span, ...),
one column per coder, a cell holding the value the coder gave the unit, and a missing
cell (``NaN``/``None``) where the coder gave none. Every public coefficient function also
takes the long shape, one row per unit and coder with the columns ``unit, coder, value``
(:func:`units_by_coders` turns it into the wide one). :func:`encode` turns a wide table
into :class:`Coded`: integer category codes (``-1`` = missing) plus the ordered value
domain, which is what the coefficient functions work on. Input they cannot use raises
:class:`AgreementInputError`. Nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from framestudy.analysis.vocabulary import BOOTSTRAP_METHODS, LEVELS


@dataclass(frozen=True, eq=False)
class Coded:
    """Reliability data encoded as integer category codes.

    ``codes[u, c]`` is the index in ``categories`` of the value coder ``c`` gave unit ``u``,
    or -1 when the coder gave none. ``categories`` is the value domain in its order (the
    scale order for ordinal data, ascending for numeric data).
    """

    codes: np.ndarray
    categories: tuple
    units: pd.Index
    coders: tuple

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    @cached_property
    def value_counts(self) -> np.ndarray:
        """``(n_units, n_categories)`` int array: how many coders gave unit u value v."""
        n, v = self.codes.shape[0], self.n_categories
        mask = self.codes >= 0
        flat = (np.arange(n, dtype=np.int64)[:, None] * v + self.codes)[mask]
        return np.bincount(flat, minlength=n * v).reshape(n, v)

    @cached_property
    def values_per_unit(self) -> np.ndarray:
        """Number of values each unit received (its m_u)."""
        return (self.codes >= 0).sum(axis=1)

    @property
    def n_pairable_values(self) -> int:
        """Values in units that received at least two values (Krippendorff's n)."""
        m = self.values_per_unit
        return int(m[m >= 2].sum())

    def subset(self, units: np.ndarray | None = None, coders: Sequence[int] | None = None) -> Coded:
        """The same data restricted to some units (boolean mask or indices) and/or coders."""
        codes = self.codes
        index = self.units
        coder_names = self.coders
        if units is not None:
            codes = codes[units]
            index = index[units]
        if coders is not None:
            coders = list(coders)
            codes = codes[:, coders]
            coder_names = tuple(self.coders[i] for i in coders)
        return Coded(codes, self.categories, index, coder_names)


class AgreementInputError(ValueError):
    """Input the agreement functions cannot use: a missing column, a value outside its
    range, a clash in the data. The message names what is wrong and says what to do.

    The one error type of :mod:`framestudy.analysis` for library callers (a ``ValueError``,
    so ``except ValueError`` still catches it); the command line turns it into a one-line
    :class:`~framestudy.errors.UserError`. Degenerate data (one coder, no variation) are
    not an error: the estimate is NaN with a ``reason``.
    """


class CategoryOrderError(AgreementInputError):
    """A computation needs the order of the values, the values are text (or sets), and no
    order was given. Alphabetical order is no order: low/mid/high would sort as
    high < low < mid.

    ``needs`` says what needs the order ("quadratic weights", "ordinal data"); ``values``
    are the values found; ``shown`` is a short list of them for a message.
    """

    def __init__(self, needs: str, values: Sequence):
        self.needs = needs
        self.values = tuple(values)
        shown = ", ".join(map(str, self.values[:6]))
        self.shown = shown + (", ..." if len(self.values) > 6 else "")
        super().__init__(
            f"{needs} need the values in order, and text values ({self.shown}) have none "
            "-- pass categories=[...] listing them lowest first"
        )


def check_table(frame, columns: Sequence[str], what: str, fix: str) -> None:
    """Raise :class:`AgreementInputError` unless ``frame`` is a DataFrame holding
    ``columns``; the message names the table (``what``, e.g. "the agreement table"), the
    first missing column, and what to do (``fix``)."""
    if not isinstance(frame, pd.DataFrame):
        raise AgreementInputError(
            f"{what} must be a table (a DataFrame), not {type(frame).__name__} -- {fix}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AgreementInputError(f"{what} has no {missing[0]!r} column -- {fix}")


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column of a table read back from CSV, with a missing cell (NaN, None) as
    ``""``; a column the table lacks is all ``""``."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    cells = frame[column]
    return cells.astype(object).where(cells.notna(), "").astype(str)


def number_column(frame: pd.DataFrame, column: str, what: str, fix: str) -> pd.Series:
    """A numeric column of a table read back from CSV, as floats (an empty cell and a
    column the table lacks: NaN); text that is no number is an
    :class:`AgreementInputError` naming the table (``what``), the column and ``fix``."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    cells = frame[column].replace("", np.nan)  # an empty cell read with keep_default_na=False
    try:
        return pd.to_numeric(cells).astype(float)
    except (TypeError, ValueError):
        raise AgreementInputError(
            f"{what}'s {column!r} column holds values that are not numbers -- {fix}"
        ) from None


def check_n_boot(n_boot: int, minimum: int = 0) -> None:
    """Raise :class:`AgreementInputError` unless ``n_boot`` is a whole number >= ``minimum``."""
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < minimum:
        what = "at least 1" if minimum == 1 else "0 (no bootstrap) or more"
        raise AgreementInputError(
            f"n_boot must be a whole number, {what}, not {n_boot!r} -- 1000 is usual"
        )


def check_bootstrap_method(method: str) -> None:
    """Raise :class:`AgreementInputError` unless ``method`` is one of
    :data:`~framestudy.analysis.vocabulary.BOOTSTRAP_METHODS`."""
    if method not in BOOTSTRAP_METHODS:
        raise AgreementInputError(
            f"unknown bootstrap method {method!r}; use one of {', '.join(BOOTSTRAP_METHODS)}"
        )


def check_confidence(confidence: float) -> None:
    """Raise :class:`AgreementInputError` unless 0 < ``confidence`` < 1."""
    if isinstance(confidence, bool) or not (
        isinstance(confidence, (int, float, np.number)) and 0 < confidence < 1
    ):
        raise AgreementInputError(
            f"confidence must be between 0 and 1 (exclusive), not {confidence!r} -- e.g. 0.95 "
            "for a 95% interval"
        )


def require_order(domain: Sequence, categories: Sequence | None, needs: str) -> None:
    """Raise :class:`CategoryOrderError` unless ``categories`` give the order or every value
    of ``domain`` is a number (numbers are their own order). An empty domain needs none."""
    if categories is not None or len(domain) == 0:
        return
    if not _all_numeric(np.array(list(domain) + [None], dtype=object)[:-1]):
        raise CategoryOrderError(needs, sorted(domain, key=sort_key))


def sort_key(value: Hashable):
    """The default order of a value domain: by type, then value (sets by size, then
    members), so mixed numbers and words sort without error."""
    if isinstance(value, frozenset):
        return (len(value), tuple(sorted(map(str, value))))
    return (str(type(value).__name__), value)


def is_missing(value) -> bool:
    """True for None, NaN and pandas' NA (not for the string 'NA', which may be a category)."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and np.isnan(value)


def encode(
    data: pd.DataFrame,
    categories: Sequence | None = None,
    level: str = "nominal",
) -> Coded:
    """Encode a units x coders table as :class:`Coded`.

    ``categories`` fixes the value domain and its order (required for ordinal data whose
    values are words); values outside it raise ``ValueError``. Without it the domain is the
    set of observed values, sorted (numbers ascending). Cells holding ``frozenset``s are
    set-valued data (multi-select); their domain is the distinct sets observed.
    """
    return encode_wide(units_by_coders(data), categories, level)


def encode_wide(
    frame: pd.DataFrame,
    categories: Sequence | None = None,
    level: str = "nominal",
) -> Coded:
    """:func:`encode` for a table already in the units x coders shape (no long-table
    detection: a coder may be called ``coder`` or ``value``)."""
    if level not in LEVELS:
        raise AgreementInputError(
            f"unknown level of measurement {level!r}; use one of {', '.join(LEVELS)}"
        )
    numeric_frame = frame.shape[1] > 0 and all(
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes
    )
    if numeric_frame and categories is None:
        return _encode_numeric(frame)
    values = frame.to_numpy(dtype=object)
    flat = values.ravel()
    missing = np.asarray(pd.isna(flat), dtype=bool)
    present = flat[~missing]
    uniques = pd.unique(present) if present.size else np.array([], dtype=object)
    if categories is None:
        if level in ("interval", "ratio") or _all_numeric(uniques):
            floats = present.astype(float)
            observed = np.unique(floats)
            codes_flat = np.full(flat.size, -1, dtype=np.int64)
            codes_flat[~missing] = np.searchsorted(observed, floats)
            return Coded(
                codes_flat.reshape(values.shape),
                tuple(observed.tolist()),
                frame.index,
                tuple(frame.columns),
            )
        if level != "nominal":
            require_order(uniques.tolist(), None, f"{level} data")
        domain: tuple = tuple(sorted(uniques.tolist(), key=sort_key))
    else:
        domain = tuple(categories)
        if len(set(domain)) != len(domain):
            raise AgreementInputError("categories contain duplicates -- list each value once")
    keys = list(domain)
    if (
        categories is not None
        and _all_numeric(np.array(domain, dtype=object))
        and _all_numeric(uniques)
    ):
        # numbers given as categories: compare numerically (a CSV may say 1 or 1.0)
        keys = [float(v) for v in domain]
        present = present.astype(float)
    index = pd.Index(np.array(keys + [None], dtype=object)[:-1], dtype=object)
    coded_present = index.get_indexer(present) if present.size else np.array([], dtype=np.int64)
    if (coded_present < 0).any():
        unknown = present[np.flatnonzero(coded_present < 0)[0]]
        raise AgreementInputError(
            f"value {unknown!r} is not one of the categories -- add it to categories=[...] "
            "or correct the data"
        )
    codes_flat = np.full(flat.size, -1, dtype=np.int64)
    codes_flat[~missing] = coded_present
    return Coded(codes_flat.reshape(values.shape), domain, frame.index, tuple(frame.columns))


def _encode_numeric(frame: pd.DataFrame) -> Coded:
    values = frame.to_numpy(dtype=float)
    missing = np.isnan(values)
    observed = np.unique(values[~missing])
    codes = np.full(values.shape, -1, dtype=np.int64)
    codes[~missing] = np.searchsorted(observed, values[~missing])
    return Coded(codes, tuple(observed.tolist()), frame.index, tuple(frame.columns))


def _all_numeric(values: np.ndarray) -> bool:
    if values.size == 0:
        return False
    return all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        for v in values.tolist()
    )


LONG_COLUMNS = ("unit", "coder", "value")


def is_long(frame: pd.DataFrame) -> bool:
    """Whether a DataFrame is in the long shape: it has a ``coder`` column, or both a
    ``unit`` and a ``value`` column (the rule ``read_reliability_csv`` applies to files)."""
    columns = set(map(str, frame.columns))
    return "coder" in columns or {"unit", "value"} <= columns


def units_by_coders(data, sets: bool = False) -> pd.DataFrame:
    """The units x coders table of ``data`` in any documented shape.

    * wide: a DataFrame with one row per unit and one column per coder (returned as it
      is); anything ``pandas.DataFrame`` accepts in that layout, e.g. a dict of coder ->
      values or a units x coders array, is read the same way;
    * long: a DataFrame with the columns ``unit, coder, value`` (other columns ignored),
      one row per unit and coder. A row whose value is missing marks the unit as seen by
      the coder without a value. With ``sets=True`` (set-valued data, e.g. multi-select
      answers) a unit may have several rows from one coder: they form the coder's set.

    Raises :class:`AgreementInputError` for a long table without one of its columns, a
    row without a unit or coder, or (unless ``sets``) two rows for one unit and coder.
    """
    if isinstance(data, Coded):
        raise AgreementInputError(
            "this function needs a table, not Coded data -- pass the units x coders DataFrame"
        )
    if isinstance(data, (str, bytes)) or data is None or np.isscalar(data):
        raise AgreementInputError(
            f"reliability data must be a table, not {type(data).__name__} -- pass a units x "
            "coders DataFrame or a long one with the columns unit, coder, value"
        )
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    if not is_long(frame):
        return frame
    missing = [c for c in LONG_COLUMNS if c not in frame.columns]
    if missing:
        raise AgreementInputError(
            f"a long table needs the columns unit, coder, value -- column {missing[0]!r} is "
            "missing (a wide table has one column per coder and none of these names)"
        )
    long = frame[list(LONG_COLUMNS)]
    for column in ("unit", "coder"):
        empty = long[column].isna().to_numpy()
        if empty.any():
            row = plain(long.index[np.flatnonzero(empty)[0]])
            raise AgreementInputError(
                f"row {row!r} of the long table has no {column} -- every row needs a unit "
                "and a coder"
            )
    units = pd.unique(long["unit"])
    coders = pd.unique(long["coder"])
    if sets:
        cells = long.groupby(["unit", "coder"], sort=False)["value"].agg(_as_set)
    else:
        dup = long.duplicated(["unit", "coder"], keep=False).to_numpy()
        if dup.any():
            first = long[dup].iloc[0]
            raise AgreementInputError(
                f"unit {plain(first['unit'])!r} has more than one row from coder "
                f"{plain(first['coder'])!r} "
                "-- keep one row per unit and coder (set-valued metrics, jaccard and masi, "
                "gather several rows into a set)"
            )
        cells = long.set_index(["unit", "coder"])["value"]
    wide = cells.unstack("coder").reindex(index=units, columns=coders)
    wide.columns.name = None
    wide.index.name = "unit"
    dtype = long["value"].dtype
    if not sets and pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return wide.astype(float)
    return wide.astype(object).where(wide.notna(), np.nan)


def plain(value):
    """A NumPy scalar as the Python value it holds (for messages: ``3``, not
    ``np.int64(3)``); anything else as it is."""
    return value.item() if isinstance(value, np.generic) else value


def _as_set(values: pd.Series):
    """One coder's rows for a unit as a set; rows without a value add nothing, and a coder
    whose rows all lack a value gave none (missing, as in the wide shape)."""
    present = [v for v in values.tolist() if not is_missing(v)]
    return frozenset(present) if present else np.nan
