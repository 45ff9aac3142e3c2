"""The exact lines the pull report gives (they are written to the pull's manifest and shown by
``framestudy annotations pull``), for the faults whose wording no test read: survivors of
issue 15's mutation run in tidy.py. Each expected line is written out by hand from the
documented fault; the ids are those of the task/annotation the fault is in."""

from __future__ import annotations

import pytest

from framestudy.annotations import tidy_from_export
from framestudy.annotations.report import Ref
from framestudy.errors import UserError
from tests.annotations.test_faults import TEXT, ann, choice, details, run, span, task

STALE_TAIL = (
    "; open the task in Label Studio, re-check the answers and spans against the new text, "
    "and Update"
)


def test_drafts_and_predictions_name_their_id_and_author():
    _, report = run(
        task(
            ann(choice("relevant", "yes")),
            drafts=[{"id": 5, "created_username": "alice"}, {"id": 6}, "junk", 7],
            predictions=[{"id": 8, "model_version": "m1"}, {"id": 9, "user": "bob"}],
        )
    )
    assert details(report, "drafts") == ["draft 5 by alice", "draft 6", "draft", "draft 7"]
    assert details(report, "predictions") == ["prediction 8 by m1", "prediction 9 by bob"]


def test_predictions_are_counted_when_the_task_has_no_drafts():
    _, report = run(task(ann(choice("relevant", "yes")), predictions=[3]))
    assert details(report, "drafts") == []
    assert details(report, "predictions") == ["prediction 3"]


def test_the_stale_text_line_names_coder_times_and_what_to_do():
    data = {"text": TEXT, "article_id": "a", "text_replaced_at": "2026-02-01T00:00:00Z"}
    _, report = run(
        task(ann(choice("relevant", "yes"), lead_time=3.5), data=data),
        task(ann(choice("relevant", "no"), aid=11, by=3, updated_at=None), tid=2,
             data={**data, "article_id": "b"}),
    )
    assert details(report, "stale_text") == [
        "user:2 saved it at 2026-01-01T00:00:00Z, before the text was replaced "
        "(2026-02-01T00:00:00Z)" + STALE_TAIL,
        "user:3 saved it at (no updated_at), before the text was replaced "
        "(2026-02-01T00:00:00Z)" + STALE_TAIL,
    ]


def test_span_mismatch_lines_shorten_texts_longer_than_forty_characters():
    long_given = "x" * 50
    _, report = run(
        task(
            ann(
                span("s1", 0, 40, "BLAME", text="y"),
                span("s2", 0, 41, "BLAME", text=long_given),
                span("s3", 0, 999, "BLAME"),
            )
        )
    )
    assert details(report, "span_mismatch") == [
        "span region s1 [0:40]: span text 'y' but the article has "
        "'NATO promised nothing. Russia blames the'",
        "span region s2 [0:41]: span text '" + "x" * 37 + "...' but the article has "
        "'NATO promised nothing. Russia blames ...'",
        "span region s3: offsets 0-999 do not fit the article text "
        "(span_start/span_end left empty)",
    ]


def test_task_level_faults_are_named_with_their_place():
    _, report = tidy_from_export(
        [
            task(ann(choice("relevant", "yes"))),
            "not a task",
            {"id": 3, "project": 9, "data": {"text": TEXT}, "annotations": "nope"},
            {"id": 4, "project": 9, "data": "nope", "annotations": [ann(aid=40), "junk"]},
        ]
    )
    assert report.malformed_tasks == [
        Ref(None, None, None, "item 1 is not a task object"),
        Ref(9, 3, None, "'annotations' is not a list"),
        Ref(9, 4, None, "'data' is not an object"),
    ]
    assert report.annotations == 3
    assert report.malformed_annotations == [
        Ref(9, 4, 40, "its task has no 'data' object"),
        Ref(9, 4, None, "its task has no 'data' object"),
    ]
    assert report.accounted


def test_a_task_without_article_id_is_named_after_its_id_or_position():
    table, report = run(
        task(ann(choice("relevant", "yes")), data={"text": TEXT, "article_id": ""}),
        {"data": {"text": TEXT}, "annotations": [ann(choice("relevant", "no"), aid=11)]},
    )
    assert sorted(table["article_id"].tolist()) == ["item:1", "task:1"]
    assert details(report, "no_article_id") == [
        "article_id set to task:1",
        "article_id set to item:1",
    ]


def test_an_empty_outlet_is_unknown():
    table, _ = run(task(ann(choice("relevant", "yes")), data={"text": TEXT, "article_id": "a",
                                                              "outlet": ""}))
    assert table["outlet"].tolist() == ["unknown"]


def test_annotation_level_faults_are_named():
    _, report = tidy_from_export(
        [
            task(
                "not an annotation",
                ann(choice("relevant", "yes"), aid=11, was_cancelled=True, result=None),
                ann(aid=12, was_cancelled=True, result=[]),
                ann(choice("relevant", "yes"), choice("genre", "OPINION", rid="d"), aid=13,
                    was_cancelled=True),
                {"id": 14, "result": []},
                ann(aid=15, by=None),
                ann(aid=16, by=[1]),
                ann(aid=17, result="junk"),
                ann(aid=18, by=3, result=None),
            )
        ],
        project_coder={9: "Owner@Uni.edu"},
        users={2: "coder1@uni.edu", 3: "owner@uni.edu"},
    )
    assert report.malformed_annotations == [
        Ref(9, 1, None, "an annotation is not an object"),
        Ref(9, 1, 14, "no completed_by"),
        Ref(9, 1, 16, "completed_by '[1]' names no user"),
        Ref(9, 1, 17, "'result' is not a list"),
    ]
    assert details(report, "cancelled") == ["skipped", "skipped", "skipped, with 2 result(s)"]
    assert details(report, "deleted_user") == ["completed_by is null (user deleted)"]
    assert details(report, "empty") == ["owner@uni.edu submitted no result"]
    assert report.used == 1 and report.accounted


def test_a_foreign_annotation_names_coder_and_owner():
    _, report = tidy_from_export(
        [task(ann(choice("relevant", "yes")))],
        users={2: "coder1@uni.edu"},
        project_coder={9: "owner@uni.edu"},
    )
    assert details(report, "foreign") == ["coder1@uni.edu annotated in the project of owner@uni.edu"]


def test_a_non_list_export_is_refused_with_one_line():
    with pytest.raises(UserError) as err:
        tidy_from_export({"id": 1})
    assert str(err.value) == (
        "expected a list of Label Studio tasks, got dict -- pass the parsed JSON export"
    )
