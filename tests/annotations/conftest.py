"""Fixtures for the export parser: recorded exports, a stand-in schema, coder e-mails."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from framestudy.annotations import read_export

DATA = Path(__file__).parent / "data"
# The schema hash written into the recorded tasks' data.
FIXTURE_HASH = "1320b850da22ca10"
USERS = {2: "coder1@uni.edu", 3: "coder2@uni.edu", 4: "coder3@uni.edu"}


class StandInSchema:
    """The two members of framestudy.schema.Schema the parser uses: ``hash``, ``registry()``."""

    def __init__(self, records: list[dict], hash: str):
        self.hash = hash
        self._records = records

    def registry(self) -> pd.DataFrame:
        return pd.DataFrame(self._records)


def registry_records() -> list[dict]:
    """A recorded copy of schemas/registry.json (so these tests do not move with the schema)."""
    return json.loads((DATA / "registry.json").read_text(encoding="utf-8"))


@pytest.fixture
def schema() -> StandInSchema:
    return StandInSchema(registry_records(), FIXTURE_HASH)


def export(name: str) -> list[dict]:
    return read_export(DATA / f"{name}.json")


def rows(table: pd.DataFrame, *columns: str) -> list[tuple]:
    """The table's rows as tuples of plain Python values (NA -> None), in table order."""
    columns = columns or tuple(table.columns)
    out = []
    for rec in table.loc[:, list(columns)].itertuples(index=False):
        out.append(tuple(None if pd.isna(v) else v for v in rec))
    return out


def refs(report, category: str) -> list[tuple]:
    """(task_id, annotation_id) of each entry of a report category."""
    return [(r.task_id, r.annotation_id) for r in getattr(report, category)]
