"""Faults inside an export: each is counted with its ids, kept out as documented, never raised."""

from __future__ import annotations

import pytest

from framestudy.annotations import tidy_from_export
from framestudy.errors import UserError
from tests.annotations.conftest import FIXTURE_HASH, rows

TEXT = "NATO promised nothing. Russia blames the West."


def task(*annotations, tid=1, data=None, **extra) -> dict:
    data = (
        data
        if data is not None
        else {"text": TEXT, "article_id": "a", "outlet": "o", "schema_hash": FIXTURE_HASH}
    )
    return {"id": tid, "project": 9, "data": data, "annotations": list(annotations), **extra}


def ann(*result, aid=10, by=2, **extra) -> dict:
    return {
        "id": aid,
        "completed_by": by,
        "result": list(result),
        "was_cancelled": False,
        "updated_at": "2026-01-01T00:00:00Z",
        **extra,
    }


def choice(name, *values, rid="c", **value_extra) -> dict:
    return {
        "id": rid,
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": list(values), **value_extra},
    }


def span(rid, start, end, *labels, text=None) -> dict:
    value = {"start": start, "end": end, "labels": list(labels)}
    if text is not None:
        value["text"] = text
    return {"id": rid, "from_name": "span", "to_name": "text", "type": "labels", "value": value}


BLAME = (23, 45)  # "Russia blames the West"


def run(*tasks, schema=None):
    table, report = tidy_from_export(list(tasks), schema=schema)
    assert report.accounted
    return table, report


def details(report, category):
    return [r.detail for r in getattr(report, category)]


def test_unknown_values_are_kept_out_and_listed(schema):
    table, report = run(
        task(
            ann(
                choice("genre", "REPORTING"),
                choice("relevant", "maybe", rid="d"),
                choice("blame_actors", "NATO", "ALIENS", rid="e"),
            )
        ),
        schema=schema,
    )
    assert rows(table, "variable", "value") == [("blame_actors", "NATO"), ("genre", "REPORTING")]
    assert details(report, "unknown_value") == ["relevant = 'maybe'", "blame_actors = 'ALIENS'"]
    assert report.unknown_value[0].annotation_id == 10


def test_missing_value_codes_are_allowed(schema):
    table, report = run(task(ann(choice("legit_russia_claims", "NA"))), schema=schema)
    assert rows(table, "value") == [("NA",)] and report.problems == 0


def test_several_values_for_a_single_choice_variable(schema):
    table, report = run(
        task(
            ann(
                choice("genre", "REPORTING", "OPINION"),
                choice("relevant", "yes", rid="d"),
                choice("relevant", "no", rid="e"),
            )
        ),
        schema=schema,
    )
    assert table.empty
    assert [d.split(":")[0] for d in details(report, "too_many_values")] == ["genre", "relevant"]
    # the same value twice is one value, not two
    table, report = run(
        task(ann(choice("genre", "OPINION"), choice("genre", "OPINION", rid="d"))), schema=schema
    )
    assert rows(table, "value") == [("OPINION",)] and report.problems == 0


def test_span_attribute_checks(schema):
    blame = span("r1", *BLAME, "BLAME")
    promise = span("r2", 0, 21, "PROMISE")
    target_on_promise = choice("blame_target", "RUSSIA", rid="r2", start=0, end=21)
    orphan = choice("voice", "AUTHORIAL", rid="r9", start=0, end=4)
    bad_label = span("r3", 0, 4, "FRAME")
    voice_on_bad = choice("voice", "AUTHORIAL", rid="r3", start=0, end=4)
    table, report = run(
        task(
            ann(
                blame,
                promise,
                target_on_promise,
                orphan,
                bad_label,
                voice_on_bad,
                choice("blame_target", "RUSSIA", "NATO", rid="r1"),
            )
        ),
        schema=schema,
    )
    assert rows(table, "variable", "value", "span_id") == [
        ("blame_target", "NATO", "r1"),
        ("blame_target", "RUSSIA", "r1"),
        ("span", "PROMISE", "r2"),
        ("span", "BLAME", "r1"),
    ]
    assert details(report, "misplaced_attribute") == [
        "blame_target on region r2 labelled PROMISE (applies to BLAME)"
    ]
    assert details(report, "unknown_value") == ["span on region r3 = 'FRAME'"]
    assert sorted(details(report, "orphan_attribute")) == [
        "voice: region 'r9' has no span label",
        "voice: region r3 has no valid span label",
    ]


def test_result_faults_skip_only_that_result(schema):
    table, report = run(
        task(
            ann(
                "not a result",
                {"type": "choices", "value": {"choices": ["yes"]}},  # no from_name
                {
                    "from_name": "genre",
                    "type": "choices",
                    "value": ["OPINION"],
                },  # value not an object
                choice("genre"),  # empty choice list
                {"id": "x", "from_name": "genre", "type": "choices", "value": {"choices": [1]}},
                span("s1", "0", 4, "BLAME"),  # offset not an integer
                span("s2", 0, 4),  # no label
                {
                    "id": "s3",
                    "from_name": "span",
                    "type": "choices",
                    "value": {"choices": ["BLAME"]},
                },
                {
                    "id": "s4",
                    "from_name": "genre",
                    "type": "labels",
                    "value": {"start": 0, "end": 1, "labels": ["x"]},
                },
                span(None, 0, 4, "BLAME"),
                span("s5", 0, 4, "BLAME"),
                span("s5", 5, 9, "BLAME"),  # region id used twice
                choice("relevant", "yes"),  # the one good result
            )
        ),
        schema=schema,
    )
    assert rows(table, "variable", "value") == [("relevant", "yes"), ("span", "BLAME")]
    assert len(report.malformed_results) == 11
    assert report.used == 1


def test_annotation_faults_skip_that_annotation():
    good = ann(choice("q", "a"), aid=1)
    no_user = {"id": 2, "result": [choice("q", "b")]}
    bad_user = ann(choice("q", "c"), aid=3, by=[2])
    bool_user = ann(choice("q", "c"), aid=4, by=True)
    bad_result = {**ann(aid=5, by=5), "result": {"choices": ["x"]}}
    table, report = run(task(good, no_user, bad_user, bool_user, bad_result, "junk"))
    assert rows(table, "value", "annotation_id") == [("a", 1)]
    assert [r.annotation_id for r in report.malformed_annotations] == [2, 3, 4, 5, None]
    assert report.annotations == 6 and report.used == 1


def test_task_faults_skip_that_task():
    table, report = run(
        "junk",
        task(ann(choice("q", "a")), tid=1, data="text"),
        {"id": 2, "data": {"text": "t"}, "annotations": {"id": 1}},
        task(ann(choice("q", "b"), aid=11), tid=3),
        {"id": 4, "data": {"text": "t", "article_id": "z"}},  # no annotations key: none
    )
    assert rows(table, "value", "task_id") == [("b", 3)]
    assert [r.task_id for r in report.malformed_tasks] == [None, 1, 2]
    assert [r.annotation_id for r in report.malformed_annotations] == [10]
    assert report.tasks == 5 and report.annotations == 2


def test_a_span_without_task_text_is_unverified():
    data = {"html": "<p>x</p>", "article_id": "a"}
    table, report = run(task(ann(span("s", 3, 7, "BLAME", text="abcd")), data=data))
    assert rows(table, "span_start", "span_end", "span_text") == [(3, 7, "abcd")]
    assert len(report.span_unverified) == 1


def test_spans_refer_to_the_text_named_by_to_name():
    data = {"body": "xx😀 NATO", "text": "unrelated", "article_id": "a"}
    result = span("s", 5, 9, "BLAME", text="NATO") | {"to_name": "body"}
    table, report = run(task(ann(result), data=data))
    assert rows(table, "span_start", "span_end", "span_text") == [(4, 8, "NATO")]
    assert report.problems == 0


def test_empty_annotations_cancelled_drafts_predictions_are_counted():
    table, report = run(
        task(
            ann(aid=1),
            ann(choice("q", "a"), aid=2, by=3, was_cancelled=True),
            drafts=[{"id": 5, "user": 4, "result": [choice("q", "b")]}],
            predictions=[{"id": 6, "model_version": "m1", "result": [choice("q", "c")]}],
        )
    )
    assert table.empty
    assert [r.annotation_id for r in report.empty] == [1]
    assert [r.annotation_id for r in report.cancelled] == [2]
    assert details(report, "drafts") == ["draft 5 by 4"]
    assert details(report, "predictions") == ["prediction 6 by m1"]
    assert report.problems == 3  # "empty" is informational


def test_article_id_may_be_a_number_and_timestamps_may_be_odd():
    a = ann(choice("q", "old"), aid=1, updated_at="not a date", lead_time="5")
    b = ann(choice("q", "new"), aid=2, updated_at="2026-01-01T00:00:00")  # naive: read as UTC
    c = ann(choice("q", "newest"), aid=3, updated_at="2026-01-01T01:00:00+00:00")
    table, report = run(task(a, c, b, data={"article_id": 7, "text": "t"}))
    assert rows(table, "article_id", "value", "lead_time") == [("7", "newest", None)]
    assert sorted(r.annotation_id for r in report.duplicates) == [1, 2]


def test_not_a_list_is_a_user_error():
    with pytest.raises(UserError, match="expected a list of Label Studio tasks"):
        tidy_from_export({"data": {}})


def test_the_garbage_collector_is_left_as_it_was():
    import gc

    assert gc.isenabled()
    tidy_from_export([task(ann(choice("q", "a")))])
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        tidy_from_export([task(ann(choice("q", "a")))])
        assert not gc.isenabled()
    finally:
        gc.enable()
