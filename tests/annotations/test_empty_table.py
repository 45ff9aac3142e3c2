"""An export with no annotation gives the empty table with the contract's columns and the
same dtypes a table with rows has (docs/CONTRACTS.md: the tidy table), so a caller's code for
a full table works on an empty one (survivors of issue 15's mutation run in tidy.py)."""

from __future__ import annotations

import pandas as pd

from framestudy.annotations import COLUMNS, empty_table, tidy_from_export
from tests.annotations.conftest import USERS, export


def test_the_empty_table_has_the_dtypes_of_a_full_one(schema):
    full, _ = tidy_from_export(export("community_easy"), schema=schema, users=USERS)
    assert len(full) > 0
    empty = empty_table()
    assert list(empty.columns) == list(COLUMNS) and len(empty) == 0
    assert isinstance(empty.index, pd.RangeIndex)
    for column in COLUMNS:
        assert empty[column].dtype == full[column].dtype, column


def test_an_export_without_annotations_gives_the_empty_table(schema):
    tasks = [dict(task, annotations=[]) for task in export("community_easy")]
    table, _ = tidy_from_export(tasks, schema=schema, users=USERS)
    pd.testing.assert_frame_equal(table, empty_table())
    assert dict(table.dtypes) == dict(
        tidy_from_export(export("community_easy"), schema=schema, users=USERS)[0].dtypes
    )
