"""``read_annotations(path, columns=...)``: only some columns of the tidy table, read as
``read_tidy`` reads them (what ``framestudy outlets`` reads: framestudy.analysis.runs)."""

from __future__ import annotations

import pandas as pd
import pytest

from framestudy.analysis.reliability_data import read_annotations
from framestudy.analysis.runs import OUTLET_ANNOTATION_COLUMNS
from framestudy.annotations import COLUMNS, read_tidy
from framestudy.errors import UserError
from tests.conftest import REPO


@pytest.fixture(scope="module")
def table():
    return REPO / "annotations" / "annotations.csv"  # the bundled study's table


def test_the_columns_as_read_tidy_reads_them(table):
    whole = read_tidy(table)
    for columns in (OUTLET_ANNOTATION_COLUMNS, ("value", "article_id"), ("stale_text",
                    "lead_time", "span_text")):
        part = read_annotations(table, columns=columns)
        assert list(part.columns) == list(columns)
        pd.testing.assert_frame_equal(part, whole[list(columns)])
    # NA (not addressed) stays a value; an empty span_id is missing
    assert read_annotations(table, columns=["span_id"])["span_id"].isna().any()


def test_a_table_without_a_tidy_column_is_refused_even_if_unread(table, tmp_path):
    broken = tmp_path / "annotations.csv"
    whole = pd.read_csv(table, dtype=str, keep_default_na=False)
    whole.drop(columns="lead_time").to_csv(broken, index=False)
    with pytest.raises(UserError, match="missing columns lead_time"):
        read_annotations(broken, columns=["article_id"])
    with pytest.raises(UserError, match="missing columns lead_time"):
        read_tidy(broken)
    # a table written before stale_text existed: read, not marked
    whole.drop(columns="stale_text").to_csv(broken, index=False)
    assert not read_annotations(broken, columns=["article_id", "stale_text"])[
        "stale_text"].any()
    with pytest.raises(ValueError, match="not columns of the tidy table"):
        read_annotations(table, columns=["nonsense"])
    assert set(COLUMNS) >= set(OUTLET_ANNOTATION_COLUMNS)
