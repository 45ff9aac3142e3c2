"""The review project's conversions (framestudy.annotations.review), offline: the coders'
versions found in the coding exports, and an adjudicator's annotations as decisions that
consensus accepts."""

from __future__ import annotations

import pandas as pd

from framestudy.analysis.consensus import consensus
from framestudy.annotations import tidy_from_export
from framestudy.annotations.adjudicated import COLUMNS, read_adjudicated, write_adjudicated
from framestudy.annotations.review import coder_versions, decisions_from_export

from .conftest import FIXTURE_HASH, registry_records

TEXT = "NATO enlargement was discussed. Russia was blamed for the war."
JUDGE = "ida@uni.edu"
USERS = {2: "coder1@uni.edu", 3: "coder2@uni.edu", 9: JUDGE, 7: "someone@uni.edu"}


def _choices(variable: str, *values: str) -> dict:
    return {"from_name": variable, "to_name": "text", "type": "choices",
            "value": {"choices": list(values)}}


def _span(label: str, start: int, end: int) -> dict:
    return {"id": f"r{start}", "from_name": "span", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}}


def _annotation(ann_id: int, user: int, result: list, updated: str, **extra) -> dict:
    return {"id": ann_id, "completed_by": user, "result": result, "was_cancelled": False,
            "created_at": updated, "updated_at": updated, "lead_time": 5.0, **extra}


def _task(task_id: int, article: str, annotations: list, project: int = 1) -> dict:
    return {"id": task_id, "project": project, "annotations": annotations,
            "data": {"text": TEXT, "article_id": article, "outlet": "o1",
                     "schema_hash": FIXTURE_HASH}}


def _coded() -> tuple[list[dict], pd.DataFrame]:
    """Two coders' exports (blind projects 1 and 2) and the tidy table made from them."""
    tasks = [
        _task(10, "a1", [_annotation(100, 2, [_choices("relevant", "yes"),
                                              _choices("genre", "OPINION")], "2026-01-01T10:00:00Z")]),
        _task(20, "a1", [_annotation(200, 3, [_choices("relevant", "yes"),
                                              _choices("genre", "REPORTING")], "2026-01-01T11:00:00Z")],
              project=2),
        _task(11, "a2", [_annotation(101, 2, [_choices("relevant", "no")], "2026-01-01T10:00:00Z"),
                         _annotation(102, 2, [_choices("relevant", "yes")], "2026-01-02T10:00:00Z")]),
    ]
    table, _ = tidy_from_export(tasks, users=USERS)
    return tasks, table


def test_coder_versions_are_the_annotations_the_table_kept():
    tasks, table = _coded()
    versions = coder_versions(tasks, table)
    assert set(versions) == {"a1", "a2"}
    assert versions["a1"]["coder1@uni.edu"][1]["value"]["choices"] == ["OPINION"]
    assert versions["a1"]["coder2@uni.edu"][1]["value"]["choices"] == ["REPORTING"]
    # coder 1's later annotation of a2 is the one the table kept, and the one shown
    assert versions["a2"]["coder1@uni.edu"] == [_choices("relevant", "yes")]


def test_decisions_from_a_review_export(schema):
    review = [
        _task(50, "a1", [
            _annotation(500, 9, [_choices("relevant", "yes"), _choices("genre", "REPORTING"),
                                 _choices("blame_actors", "RUSSIA", "NATO"),
                                 _span("BLAME", 32, 62)], "2026-02-01T10:00:00Z"),
            _annotation(501, 7, [_choices("genre", "ANALYSIS")], "2026-02-03T10:00:00Z"),
        ], project=5),
        _task(51, "a2", [_annotation(502, 9, [], "2026-02-01T10:00:00Z",
                                     was_cancelled=True)], project=5),
    ]
    frame, notes = decisions_from_export(review, schema, users=USERS, adjudicators=[JUDGE])
    assert list(frame.columns) == COLUMNS
    assert set(frame["article_id"]) == {"a1"}  # a skipped review decides nothing
    assert notes["others"] == 1 and notes["again"] == {}
    values = {(r.variable, r.category): r.value for r in frame.itertuples()}
    assert values[("relevant", "")] == "yes" and values[("genre", "")] == "REPORTING"
    assert values[("promise_status", "")] == ""  # not answered: no value
    assert values[("blame_actors", "NATO")] == "present"
    assert values[("blame_actors", "US")] == "absent"
    assert values[("span", "BLAME")] == "present" and values[("span", "PROMISE")] == "absent"
    assert not {"voice", "blame_target"} & set(frame["variable"])  # span attributes left out
    assert set(frame["adjudicator"]) == {JUDGE} and set(frame["annotation_id"]) == {500}
    assert set(frame["schema_hash"]) == {FIXTURE_HASH} and set(frame["times_adjudicated"]) == {1}


def test_an_article_adjudicated_twice_keeps_the_latest(schema, tmp_path):
    early = _annotation(600, 9, [_choices("genre", "OPINION")], "2026-03-02T10:00:00Z")
    late = _annotation(601, 9, [_choices("genre", "ANALYSIS")], "2026-03-05T10:00:00Z")
    for order in ([early, late], [late, early]):
        frame, notes = decisions_from_export([_task(60, "a1", order, project=5)], schema,
                                             users=USERS, adjudicators=[JUDGE])
        genre = frame[frame["variable"] == "genre"].iloc[0]
        assert (genre["value"], genre["annotation_id"]) == ("ANALYSIS", 601)
        assert set(frame["times_adjudicated"]) == {2} and notes["again"] == {"a1": 2}
    write_adjudicated(frame, tmp_path / "adjudicated.csv")
    assert read_adjudicated(tmp_path / "adjudicated.csv").equals(frame)


def test_decisions_override_the_consensus(schema):
    _, table = _coded()
    review = [_task(50, "a1", [_annotation(500, 9, [
        _choices("relevant", "yes"), _choices("genre", "REPORTING"),
        _choices("blame_actors", "RUSSIA")], "2026-02-01T10:00:00Z")], project=5)]
    frame, _ = decisions_from_export(review, schema, users=USERS, adjudicators=[JUDGE])
    values = consensus(table, registry_records(), frame)
    a1 = values[values["article_id"] == "a1"]
    genre = a1[a1["variable"] == "genre"].iloc[0]
    assert (genre["value"], genre["provenance"], genre["n_agreeing"]) == (
        "REPORTING", "adjudicated", 1)
    assert set(a1["provenance"]) == {"adjudicated"} | (
        set(a1.loc[~a1["variable"].isin(frame["variable"]), "provenance"]))
    assert "adjudicated" not in set(values.loc[values["article_id"] == "a2", "provenance"])
