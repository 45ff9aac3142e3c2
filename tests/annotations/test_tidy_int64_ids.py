"""Ids and offsets beyond the table's Int64 columns are faults inside the export: read as
unreadable, never raised (before this, an annotation id of 2**63, or a span end of 2**63 on a
task without text, stopped the pull with a traceback). Int64 holds -2**63 .. 2**63 - 1."""

from __future__ import annotations

from framestudy.annotations import tidy_from_export
from tests.annotations.test_faults import TEXT, ann, choice, details, run, span

LOW, HIGH = -(2**63), 2**63 - 1


def one(tid, aid, project=9, article="a", data=None, results=None) -> dict:
    data = data or {"text": TEXT, "article_id": article}
    return {
        "id": tid,
        "project": project,
        "data": data,
        "annotations": [ann(*(results or [choice("relevant", "yes")]), aid=aid)],
    }


def test_ids_at_the_ends_of_int64_are_kept():
    table, _ = run(one(HIGH, LOW, project=HIGH, article="a"), one(LOW, HIGH, project=LOW, article="b"))
    assert table["annotation_id"].tolist() == [LOW, HIGH]
    assert table["task_id"].tolist() == [HIGH, LOW]
    assert table["project_id"].tolist() == [HIGH, LOW]


def test_ids_beyond_int64_or_not_integers_are_read_as_missing():
    table, report = tidy_from_export(
        [
            one(HIGH + 1, HIGH + 1, project=HIGH + 1, article="a"),
            one(LOW - 1, LOW - 1, project=LOW - 1, article="b"),
            one(5.0, 6.0, project=7.0, article="c"),
        ]
    )
    assert report.accounted and report.used == 3
    for name in ("annotation_id", "task_id", "project_id"):
        assert table[name].isna().all(), name


def test_span_offsets_beyond_int64_on_a_task_without_text_are_a_malformed_span():
    data = {"article_id": "a"}
    table, report = run(
        one(1, 10, data=data, results=[span("s1", 0, HIGH, "BLAME"), span("s2", 0, HIGH + 1, "BLAME")])
    )
    assert details(report, "malformed_results") == [
        "span: a span needs a string id and integer start and end"
    ]
    assert table["span_end"].tolist() == [HIGH]
