"""What the pull report says about a result it cannot read: one line per result naming the
fault (the counts are checked in test_faults.py; survivors of issue 15's mutation run in
tidy.py showed the wording was not)."""

from __future__ import annotations

from tests.annotations.test_faults import ann, choice, details, run, task


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
