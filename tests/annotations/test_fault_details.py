"""What the pull report says about a result it cannot read: one line per result naming the
fault (the counts are checked in test_faults.py; survivors of issue 15's mutation run in
tidy.py showed the wording was not)."""

from __future__ import annotations

from framestudy.annotations import tidy_from_export
from tests.annotations.test_faults import ann, choice, details, run, span, task


def test_each_unreadable_result_is_named(schema):
    _, report = run(
        task(
            ann(
                "not a result",
                {"type": "choices", "value": {"choices": ["yes"]}},  # no from_name
                {"from_name": "genre", "value": {"choices": ["yes"]}},  # no type
                {"from_name": "genre", "type": "choices", "value": ["OPINION"]},
                {"type": "relation", "from_id": "s1", "to_id": "s2"},
                choice("relevant", "yes"),
            )
        ),
        schema=schema,
    )
    assert details(report, "malformed_results") == [
        "a result item is not an object",
        "a result has no from_name or type",
        "a result has no from_name or type",
        "genre: value is not an object",
    ]
    assert details(report, "relations") == ["relation 's1' -> 's2'"]
    assert report.used == 1


def test_each_unreadable_span_is_named(schema):
    _, report = run(
        task(
            ann(
                span(None, 0, 4, "BLAME"),
                span("s5", 0, 4, "BLAME"),
                span("s5", 5, 9, "BLAME"),
                choice("relevant", "yes"),
            )
        ),
        schema=schema,
    )
    assert details(report, "malformed_results") == [
        "span: a span needs a string id and integer start and end",
        "span: region id s5 is used twice",
    ]


def test_a_numeric_region_id_is_kept_as_text(schema):
    table, _ = tidy_from_export([task(ann(span(7, 0, 4, "BLAME")))], schema=schema)
    assert table["span_id"].tolist() == ["7"]
    assert table["span_start"].tolist() == [0] and table["span_end"].tolist() == [4]
