"""``annotations/adjudicated.csv``: the one reader and writer of the adjudicator's decisions."""

from __future__ import annotations

import pandas as pd
import pytest

from framestudy.annotations.adjudicated import COLUMNS, read_adjudicated, write_adjudicated
from framestudy.errors import UserError


def test_round_trip_keeps_value_ids_and_fills_the_optional_columns(tmp_path):
    path = tmp_path / "adjudicated.csv"
    decisions = pd.DataFrame({"article_id": ["a1", "a2"], "variable": ["legitimacy", "blame"],
                              "value": ["NA", ""], "annotation_id": [7, None]})
    write_adjudicated(decisions, path)
    back = read_adjudicated(path)
    assert list(back.columns) == COLUMNS
    assert back["value"].tolist() == ["NA", ""]  # "NA" is a value id, not a missing value
    assert back["annotation_id"].tolist() == [7, -1]
    assert back["span_start"].tolist() == [-1, -1]
    assert back["times_adjudicated"].tolist() == [1, 1]


def test_no_file_or_an_empty_file_is_no_decision(tmp_path):
    assert read_adjudicated(tmp_path / "missing.csv").empty
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    assert list(read_adjudicated(tmp_path / "empty.csv").columns) == COLUMNS


def test_malformed_tables_name_the_file_and_the_column_or_row(tmp_path):
    path = tmp_path / "adjudicated.csv"
    path.write_text("article_id,value\na1,yes\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"adjudicated.csv: no 'variable' column"):
        read_adjudicated(path)
    path.write_text("article_id,variable,value,span_start\na1,spans,present,ten\n",
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"adjudicated.csv, row 1: span_start 'ten'"):
        read_adjudicated(path)
